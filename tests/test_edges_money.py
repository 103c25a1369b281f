"""The edges of money (rules.md §0 "Calculation conventions"): yuan to 2 decimals, ROUND half-up as Excel does.

Expected values come from §0 ("yuan to 2 decimals ... ROUND(x,2) (half-up)") and Excel's ROUND, which
rounds half away from zero on the decimal value; never from the code.
"""
from decimal import Decimal

import pytest

from addin.core.money import ZERO, excel_round, fmt_yuan, to_decimal, yuan


@pytest.mark.parametrize("value, expected", [
    ("0.005", "0.01"),       # exactly half a fen: up (§0 half-up)
    ("0.00499", "0.00"),     # just below half a fen: down
    ("0.00501", "0.01"),     # just above
    ("1.234", "1.23"),       # a third decimal is dropped, not kept
    ("1.235", "1.24"),
    ("-0.005", "-0.01"),     # half away from zero for a negative (Excel ROUND(-0.005,2) = -0.01)
    ("-1.234", "-1.23"),
    ("26.7", "26.70"),       # §5 example 5's amount, always two places
    ("5", "5.00"),
    (0, "0.00"),
])
def test_yuan_rounds_to_the_fen_half_up(value, expected):
    """§0: yuan to 2 decimals, ROUND(x,2) half-up."""
    got = yuan(Decimal(value) if isinstance(value, str) else value)
    assert got == Decimal(expected)
    assert str(got) == expected          # exactly two places: 3 places would print 1.234


def test_yuan_of_a_float_uses_its_shortest_decimal_text():
    """§0 / Excel: 2.675 typed in a cell rounds to 2.68 (the float's binary expansion is 2.67499...)."""
    assert yuan(2.675) == Decimal("2.68")
    assert yuan(1.005) == Decimal("1.01")
    assert yuan(0.1 + 0.2) == Decimal("0.30")


@pytest.mark.parametrize("value, digits, expected", [
    ("2.5", 0, "3"), ("-2.5", 0, "-3"), ("2.49", 0, "2"),   # Excel ROUND(2.5,0)=3, ROUND(-2.5,0)=-3
    ("0.125", 1, "0.1"), ("0.15", 1, "0.2"),                # a digits value without a prebuilt quantum
    ("1.2345", 3, "1.235"), ("1.23449", 3, "1.234"),
    ("116.235", 2, "116.24"),                               # 387.45 × 30 %: Excel 116.24, Python's round 116.23
])
def test_excel_round_at_each_digit_count(value, digits, expected):
    """Excel ROUND(value, digits): half away from zero at any number of digits."""
    got = excel_round(Decimal(value), digits)
    assert got == Decimal(expected) and str(got) == expected


def test_excel_round_defaults_to_two_places():
    """§0: ROUND(x,2) is the engine's rounding."""
    assert str(excel_round(Decimal("3.14159"))) == "3.14"
    assert str(excel_round("3.145")) == "3.15"          # text is read as its decimal value


def test_to_decimal_reads_each_kind_of_cell_value():
    assert to_decimal(Decimal("1.10")) == Decimal("1.10")
    d = Decimal("7.5")
    assert to_decimal(d) is d
    assert to_decimal(12) == Decimal(12) and isinstance(to_decimal(12), Decimal)
    assert str(to_decimal(0.1)) == "0.1"                 # shortest repr, not 0.1000000000000000055...
    assert to_decimal(" 12.50 ") == Decimal("12.50")     # staff text with spaces
    assert to_decimal("1e2") == Decimal("100")


def test_a_boolean_is_not_an_amount():
    with pytest.raises(TypeError, match="^a boolean is not an amount$"):
        to_decimal(True)
    with pytest.raises(TypeError):
        to_decimal(False)


def test_text_that_is_no_number_is_refused_with_the_value_named():
    with pytest.raises(ValueError, match=r"^not a number: 'abc'$"):
        to_decimal("abc")
    with pytest.raises(ValueError, match="not a number"):
        to_decimal("12元")


def test_fmt_yuan_shows_two_places_after_rounding():
    assert fmt_yuan(Decimal("5")) == "5.00"
    assert fmt_yuan(Decimal("0.005")) == "0.01"
    assert fmt_yuan(Decimal("1.234")) == "1.23"
    assert fmt_yuan(Decimal("-2.5")) == "-2.50"


def test_zero_is_zero():
    assert ZERO == 0 and isinstance(ZERO, Decimal)
