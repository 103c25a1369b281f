"""What a patch is asked to do and what it reports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

CellValue = None | str | int | float | Decimal | bool | dt.datetime | dt.date


class PatchError(Exception):
    """The workbook cannot be patched safely; nothing was written."""


@dataclass
class SheetEdit:
    cells: dict[tuple[int, int], CellValue]  # (row, col), both 1-based -> new value
    clear_rows_from: int | None = None  # delete every existing row >= this before writing cells


@dataclass
class PatchReport:
    sheets_patched: list[str] = field(default_factory=list)
    sheets_created: list[str] = field(default_factory=list)
    cells_written: int = 0
    rows_cleared: int = 0
    date_styles_added: int = 0  # cellXfs entries appended to styles.xml
    calc_chain_dropped: bool = False
    full_calc_on_load: bool = False  # set because a formula cell was overwritten or deleted
    shared_formulas_remastered: int = 0  # a surviving dependent became the master
    formulas_expanded: int = 0  # a surviving dependent became a standalone formula
    changed_members: list[str] = field(default_factory=list)  # zip members rewritten, added or dropped
