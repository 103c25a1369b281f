"""`aftersales archive BOOK [--undo]`: 结案归档 through the guarded session, in one atomic write of the
案件 and 归档 sheets (addin.workbook.sheets.archive_sheet decides what moves)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from addin.core.timeparts import china_now
from addin.workbook.files.session import BookError, open_book
from addin.workbook.files.xlsx_patch import SheetEdit
from addin.workbook.sheets.archive_sheet import ArchivePlan, finished_rows, plan_archive, plan_restore
from addin.workbook.sheets.case_sheet import require_case_sheet
from addin.workbook.sheets.catalogue import ARCHIVE, find_sheet
from addin.workbook.sheets.settings import read_settings


@dataclass
class ArchiveReport:
    rows: list[int]          # the 案件 rows moved, or (undo) the rows they went back to
    days: int
    undo: bool
    written: bool


def archive_plan(grids: dict, case_sheet: str, archive_sheet: str | None, settings, now: dt.datetime,
                 undo: bool) -> tuple[ArchivePlan, int]:
    cases = grids[case_sheet]
    archive = grids.get(archive_sheet, []) if archive_sheet else []
    days = settings.policy["ARCH-1.days"]
    if undo:
        return plan_restore(cases, archive), days
    rows = finished_rows(cases, days, now, settings.reasons)
    return plan_archive(cases, archive, rows, now.replace(second=0, microsecond=0)), days


def grid_cells(grid: list[list], first: int) -> dict:
    """(row, col) -> value of every filled cell from row `first` down (the rows below are cleared first)."""
    return {(r, c): v for r in range(first, len(grid) + 1) for c, v in enumerate(grid[r - 1], 1)
            if v is not None and v != ""}


def archive_book(path: str | Path, *, undo: bool = False, now: dt.datetime | None = None,
                 wait: float = 0.0) -> ArchiveReport:
    now = now or china_now()
    with open_book(path, wait=wait, command="archive --undo" if undo else "archive", out_hint=False) as book:
        names = book.sheet_names
        case_sheet = require_case_sheet(names, book.name)
        archive_sheet = find_sheet(names, ARCHIVE.aliases)
        settings = read_settings(book)
        grids = book.read([case_sheet] + ([archive_sheet] if archive_sheet else []))
        plan, days = archive_plan(grids, case_sheet, archive_sheet, settings, now, undo)
        if not plan.rows:
            return ArchiveReport([], days, undo, False)
        formulas = [rc for rc in book.layout(case_sheet).formulas if rc[0] >= plan.first_changed]
        if formulas:
            r, c = formulas[0]
            raise BookError(f"「{case_sheet}」第{r}行起有公式, 归档会把它们变成数值, 未归档; 请先把公式移到别的表",
                            f"the {case_sheet} sheet has formulas from row {r} on; archiving would turn them into "
                            f"values, so nothing was moved", "formulas")
        edits = {
            case_sheet: SheetEdit(cells=grid_cells(plan.cases, plan.first_changed),
                                  clear_rows_from=plan.first_changed),
            archive_sheet or ARCHIVE.name: SheetEdit(cells=grid_cells(plan.archive, 1), clear_rows_from=1,
                                                     new_sheet_widths={c: 14 for c in range(1, len(plan.archive[0]) + 1)}),
        }
        book.patch(edits)
    return ArchiveReport(plan.rows, days, undo, True)
