"""Money as Decimal yuan, rounded exactly as Excel's ROUND (half away from zero).

Python's round() is banker's rounding on binary floats: round(387.45 * 0.3, 2) gives 116.23,
Excel gives 116.24. Every amount in the engine goes through :func:`excel_round` on a Decimal
built from the value's shortest decimal text, never from the float's binary expansion.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")


def to_decimal(value) -> Decimal:
    """Decimal from int, float, Decimal or numeric text, via the shortest repr (0.1 -> 0.1, not 0.1000000000000000055)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def excel_round(value, digits: int = 2) -> Decimal:
    """Excel ROUND(value, digits): half away from zero on the decimal value.

    ROUND_HALF_UP in the decimal module rounds half away from zero for negatives too,
    which is what Excel does (ROUND(-2.5, 0) = -3).
    """
    d = value if value.__class__ is Decimal else to_decimal(value)
    quantum = _QUANTUM.get(digits) or Decimal(1).scaleb(-digits)   # pragma: no mutate (only the exponent counts)
    return d.quantize(quantum, rounding=ROUND_HALF_UP)


_QUANTUM = {2: Decimal(1).scaleb(-2), 0: Decimal(1)}     # 10**-digits, built once for the usual digits


def yuan(value) -> Decimal:
    """An amount in yuan, to the fen."""
    return excel_round(value, 2)


def fmt_yuan(value: Decimal) -> str:
    return f"{yuan(value):.2f}"
