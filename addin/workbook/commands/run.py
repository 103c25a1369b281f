"""`aftersales run`: recalc, texts and outbox in one read and one write of the book.

The daily flow (重新计算, then 生成回复与短信, then 导出短信) as one guarded session
(addin.workbook.files.session): the book is read once. The mail merge runs first on the rows that carry a
message (their rules computed for it, see addin.workbook.commands.texts), so recalc then writes every row's
computed columns with 错误 and 状态 already reflecting this run's reply/SMS checks; the messages that
are ready go to the vendor files (addin.workbook.commands.outbox) and their 发送记录 entries into the journal;
and one atomic patch writes the case sheet, 发送队列, 模板 (when empty) and 发送记录 together. The
cells are the ones `recalc`, `texts` and `outbox` write one after the other on the same book.

A case sheet of TEXTS_STREAM_MIN_BYTES of XML or more is streamed chunk by chunk as recalc streams it, the
merge inside recalc's pass (addin.workbook.commands.texts_stream.RunTexts); a smaller one is read whole.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from addin.core.gcpause import gc_paused
from addin.core.timeparts import china_now

from addin.workbook.commands.outbox import FORMATS, LogState, OutboxReport, export_files, write_log
from addin.workbook.commands.compute import compute_case_sheet
from addin.workbook.commands.cores import default_workers
from addin.workbook.commands.summary import Summary
from addin.workbook.commands.todo import todo_edits
from addin.workbook.files.session import open_book
from addin.workbook.commands.recalc_stream import NotStreamable, compute_streamed
from addin.workbook.commands.texts import load_book_streamed, load_book_whole
from addin.workbook.commands.texts_stream import RunTexts


@dataclass
class RunReport(LogState):
    summary: Summary = field(default_factory=Summary)      # recalc's figures (after this run's checks)
    texts: dict = field(default_factory=dict)               # texts' counts
    outbox: OutboxReport = field(default_factory=OutboxReport)

    @property
    def written(self) -> bool:
        """The book was written (else log_error says why; exported files are in the journal)."""
        return self.log_error is None


def run_book(path: str | Path, out: str | Path | None = None, *, now: dt.datetime | None = None,
             fmt: str = "aliyun-xlsx", outbox_dir: str | Path | None = None, resend: bool = False,
             wait: float = 0.0, workers: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> RunReport:
    """Recalculate every row, render and check the replies and SMS, export the ready messages in `fmt`
    into `outbox_dir` (default: BOOK_outbox beside the book written) and log them, writing the book
    once. Raises BookError (nothing written) like recalc; when the book cannot be written after files
    were exported, the report says why (log_error) and the journal keeps their 发送记录 entries."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    now = now or china_now()
    workers = default_workers(workers)
    written = Path(out) if out else Path(path)
    with gc_paused(), open_book(path, out, wait=wait, command="run") as session:
        book = load_book_streamed(session)
        try:                 # the case sheet chunk by chunk, as recalc reads it (texts_stream.RunTexts)
            merge = RunTexts(session, book, now, resend=resend)
            summary, edit, styles, clipped = compute_streamed(session, book.case, book.settings, now,
                                                              progress=progress, workers=workers, texts=merge)
            texts = merge.result
            edits = {book.case: edit, **book.message_sheet_edits(texts.outbox)}
        except NotStreamable:  # a small sheet, or rows without r="": the sheet is read whole
            book = load_book_whole(session, book)
            texts = book.texts(now, resend=resend, before_recalc=True)
            sheet = compute_case_sheet(book.grids[book.case], book.settings, book.case, now=now, progress=progress,
                                       workers=workers, layout=book.layout, checks=texts.checks)
            summary, styles, clipped = sheet.summary, None, 0
            edits = book.edits(texts, sheet.cells, sheet.table_columns)
            summary.cells_written = len(edits[book.case].cells)      # recalc's and the text columns
        out_dir = Path(outbox_dir) if outbox_dir else written.parent / f"{written.stem}_outbox"
        exported, entries = export_files(book, texts, now, fmt, out_dir)
        report = RunReport(summary=summary, texts=texts.summary, outbox=exported)
        edits.update(todo_edits(session, summary, book.case, now, book.settings.display))   # as recalc does
        patched = write_log(session, book.log, entries, report, edits, full_calc_on_load=True, styles=styles)
        if patched is None and report.log_error is not None and not entries:
            raise report.log_error           # nothing went out: a plain refusal, as for recalc
        if patched is not None:
            summary.texts_clipped = patched.texts_clipped + clipped
        summary.temps_removed = session.temps_removed
    return report
