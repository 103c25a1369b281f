"""What Excel hands to Python, made plain; what Python hands back, made Excel-shaped.

Three runtimes call the add-in and each passes cells differently:

* classic xlwings (COM): one cell -> scalar, a row or column -> 1-D list, a block -> 2-D list;
  numbers are floats, date cells are datetimes, empty cells are None;
* xlwings Lite (Office.js): whole numbers arrive as ints, dates as serial numbers, and empty cells
  as 0 (``zero_is_blank``);
* the ``formulas`` engine in the tests: numpy arrays with an "empty" token.

The rules then parse every value through :mod:`addin.core.parse`, so "¥89.00", 89 and 89.0
and a date typed as text, a datetime or a serial all mean the same thing everywhere.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from addin.core.display import Display
from addin.core.parse import EXCEL_EPOCH, CellError


def clean(value, zero_is_blank: bool = False):
    """One cell value as the parsers expect it: None for empty, whole floats kept as read."""
    if isinstance(value, str):
        return value if value.strip() else None
    if zero_is_blank and value == 0 and not isinstance(value, bool):
        return None
    if isinstance(value, float) and value != value:  # NaN from a numpy/pandas caller
        return None
    return value


def as_rows(value, zero_is_blank: bool = False) -> list[list]:
    """A range argument as a list of rows: a scalar is one row of one cell, a 1-D list one row."""
    if hasattr(value, "tolist"):          # numpy arrays
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return [[clean(value, zero_is_blank)]]
    if not value or not isinstance(value[0], (list, tuple)):
        return [[clean(v, zero_is_blank) for v in value]]
    return [[clean(v, zero_is_blank) for v in row] for row in value]


def map_cells(fn, *grids: list[list]) -> list[list]:
    """fn applied cell by cell; a single-cell argument repeats over the others' shape.

    =AS_SMS_CHECK(D2:D500, "催付") checks 499 texts against one kind; the result has D2:D500's shape.
    """
    height, width = max(len(g) for g in grids), max(len(g[0]) for g in grids)
    for g in grids:
        if (len(g), len(g[0])) not in ((1, 1), (height, width)):
            raise CellError(f"区域大小不一致: {len(g)}行{len(g[0])}列 与 {height}行{width}列",
                            f"range sizes differ: {len(g)}x{len(g[0])} vs {height}x{width}")

    def at(g, r, c):
        return g[0][0] if len(g) == 1 and len(g[0]) == 1 else g[r][c]

    return [[fn(*(at(g, r, c) for g in grids)) for c in range(width)] for r in range(height)]


def excel_serial(instant: dt.datetime) -> float:
    """A datetime as Excel's serial number (the cell's number format shows it as a date)."""
    delta = instant - EXCEL_EPOCH
    return round(delta.days + delta.seconds / 86400, 8)


def to_cell(value):
    """A result value as a cell accepts it in every runtime: numbers, text, booleans or "" for blank."""
    if value is None:
        return ""   # an empty variant shows as 0 in a spilled array
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return excel_serial(value)
    if isinstance(value, dt.date):
        return excel_serial(dt.datetime.combine(value, dt.time()))
    return value


def error_text(zh: str, en: str, show: Display = Display()) -> str:
    """How a failure reads in a cell, in the display language (the 规则 block's 显示语言), never a traceback."""
    return f"#错误 {zh} / error: {en}" if show.english else f"#错误 {zh}"


