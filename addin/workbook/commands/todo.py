"""The 今日待办 sheet as a patch (the command line) and as cell blocks (the buttons): rebuilt from the
Summary's TodoItems by every recalc, and left alone when it would read the same (so a recalc that
changes nothing leaves the file as it was)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from addin.core.display import Display
from addin.workbook.files.xlsx_patch import Formula, SheetEdit
from addin.workbook.sheets.catalogue import TODO, find_sheet
from addin.workbook.sheets.todo_sheet import todo_cells, todo_grid, widths


def _shown(value):
    """A cell as a reader sees it once written (a formula's cached text, numbers as float)."""
    if isinstance(value, Formula):
        return value.cached
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _trimmed(grid: list[list]) -> list[list]:
    rows = [[_shown(v) if v != "" else None for v in row] for row in grid]
    rows = [row[:max((i + 1 for i, v in enumerate(row) if v is not None), default=0)] for row in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def same_grid(new: list[list], old: list[list]) -> bool:
    return _trimmed(new) == _trimmed(old)


def todo_sheet_grid(summary, now: dt.datetime, case_sheet: str, show: Display) -> list[list]:
    return todo_grid(summary.todo, now, case_sheet, show, totals=summary)


def todo_edits(book, summary, case_sheet: str, now: dt.datetime, show: Display) -> dict[str, SheetEdit]:
    """{今日待办: SheetEdit} for a guarded session's patch, or {} when the sheet already reads the same."""
    name = find_sheet(book.sheet_names, TODO.aliases)
    grid = todo_sheet_grid(summary, now, case_sheet, show)
    old = book.read([name])[name] if name else []
    if name and same_grid(grid, old):
        return {}
    return {name or TODO.name: SheetEdit(cells=todo_cells(grid), clear_rows_from=1, new_sheet_widths=widths())}
