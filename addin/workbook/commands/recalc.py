"""`aftersales recalc`: a saved case workbook recalculated headless, read fast and patched back.

read once through the guarded session (addin.workbook.files.session) -> the settings sheets -> the case
sheet streamed chunk by chunk (addin.workbook.commands.recalc_stream), or computed whole where its XML
cannot be streamed (addin.workbook.commands.compute) -> a lossless patch: only the case sheet's XML
changes, plus the case Table's part when it gains columns; written atomically.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from addin.core.gcpause import gc_paused
from addin.core.timeparts import china_now
from addin.workbook.commands.compute import compute_case_sheet
from addin.workbook.commands.cores import default_workers
from addin.workbook.commands.recalc_stream import CHUNK_BYTES, NotStreamable, recalc_streamed
from addin.workbook.commands.summary import Summary
from addin.workbook.commands.todo import todo_edits
from addin.workbook.files.session import open_book
from addin.workbook.files.xlsx_patch import SheetEdit
from addin.workbook.sheets.case_sheet import require_case_sheet
from addin.workbook.sheets.settings import read_settings


def recalc(path: str | Path, out: str | Path | None = None, *, now: dt.datetime | None = None,
           progress: Callable[[int, int], None] | None = None, workers: int | None = None,
           wait: float = 0.0, chunk_bytes: int | None = None) -> Summary:
    """`aftersales recalc`. workers: processes for big sheets (default: the machine's cores, at most 4).
    wait: seconds to wait for another run of ours on the same book. The case sheet is streamed in
    chunks of about `chunk_bytes` of XML (the default suits any size, and the file does not depend on
    it). Raises BookError (CaseSheetError)."""
    workers = default_workers(workers)
    now = now or china_now()
    with gc_paused(), open_book(path, out, wait=wait, command="recalc") as book:
        names = book.sheet_names
        case_sheet = require_case_sheet(names, book.name)
        settings = read_settings(book)
        try:
            summary = recalc_streamed(book, case_sheet, settings, now, progress=progress, workers=workers,
                                      chunk_bytes=chunk_bytes or CHUNK_BYTES)
        except NotStreamable:            # rows without r="": the sheet is computed whole
            summary = _recalc_whole(book, case_sheet, settings, now, progress, workers)
    return summary


def _recalc_whole(book, case_sheet: str, settings, now, progress, workers) -> Summary:
    grid = book.read([case_sheet], empty="")[case_sheet]
    result = compute_case_sheet(grid, settings, case_sheet, now=now, progress=progress, workers=workers,
                                layout=book.layout(case_sheet))
    # Formulas over the computed columns (the 汇总 sheet, the staff's own) are recalculated when Excel
    # opens it: calcPr fullCalcOnLoad, set once (workbook.xml is not rewritten while it is set).
    edits = {case_sheet: SheetEdit(cells=result.cells, table_columns=result.table_columns)}
    edits.update(todo_edits(book, result.summary, case_sheet, now, settings.display))
    report = book.patch(edits, full_calc_on_load=True)
    result.summary.written = bool(report.changed_members)
    result.summary.texts_clipped = report.texts_clipped
    result.summary.temps_removed = book.temps_removed
    return result.summary
