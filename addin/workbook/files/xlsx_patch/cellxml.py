"""Python values as the text of a cell: inline strings, numbers, date serials."""
from __future__ import annotations

import datetime as dt
import functools
import math
import numbers
from decimal import Decimal

from .xmlbytes import text_xml

@functools.lru_cache(maxsize=4096)
def inline_string_tail(prefix: bytes, text: str) -> bytes:
    """Everything after `<c r=.. s=..` for a text cell (cached: computed columns repeat a lot)."""
    p = prefix
    return (b' t="inlineStr"><' + p + b'is><' + p + b't xml:space="preserve">' + text_xml(text).encode()
            + b"</" + p + b"t></" + p + b"is></" + p + b"c>")


def number_text(value) -> str:
    """Shortest exact text of a number for <v> (Decimal('26.70') -> '26.7')."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} to Excel")
        text = str(value)
        if "E" in text:
            text = format(value.normalize(), "f")
        elif "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if type(value) is int or isinstance(value, numbers.Integral):
        return str(int(value))
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"cannot write {value} to Excel")
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


_EPOCH_1900 = dt.date(1899, 12, 30).toordinal()
_EPOCH_1904 = dt.date(1904, 1, 1).toordinal()
_LEAP_BUG_END = dt.date(1900, 3, 1).toordinal()


def excel_serial(value: dt.date, date1904: bool) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError(f"Excel has no time zones; pass a naive datetime, not {value!r}")
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    else:
        seconds = 0
    day = value.toordinal()
    if date1904:
        days = day - _EPOCH_1904
    else:
        # Excel counts the non-existent 1900-02-29, so serials before March 1900 are one less.
        days = day - _EPOCH_1900 - (day < _LEAP_BUG_END)
    if days < (0 if date1904 else 1):
        raise ValueError(f"{value!r} is before the workbook's date epoch")
    return repr(days + seconds / 86400) if seconds else str(days)
