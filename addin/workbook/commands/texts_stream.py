"""`aftersales texts` on the case sheet as a stream, as recalc does it (addin.workbook.commands.recalc_stream):
memory follows a chunk of rows, not the sheet.

texts and run take this path for a case sheet of recalc_stream.TEXTS_STREAM_MIN_BYTES of XML or more.

* pass 0 (open_stream, shared with recalc, in forked workers): the header, the layout (a chunk's cells
  scanned only where it holds a formula when the header has every column texts writes: FormulaScan),
  the rows that share a Tmall cap, and the rows that may carry a message (message_scan.MessageScan, read
  from the XML). Its first chunks (HOLD_BYTES) are kept, and where the stream stood after them
  (PassRecord), so the one pass inflates and cuts the sheet at most once more, past them.
* one pass (_pipelined) over the chunks in sheet order, in the main process:
  - each chunk's listed rows only are cut out, renumbered so calamine reads no row between them
    (row_cuts.pack_rows), and for those that carry a message the rules are computed and the mail
    merge's input rows built (with the rule outputs templates print), as texts._merge_share does
    (_message_inputs);
  - they are merged in sheet order with one batch (messages.merge.MergeRun): the batch checks
    (duplicates by buyer or phone, 催付 per order, the vendor's daily cap per number) look across rows
    anywhere in the sheet, and one batch in sheet order is what the whole-grid merge does, so no
    grouping by key is needed and the results are the same. A row's checks look at earlier rows only,
    so once a chunk is merged its texts are final;
  - and written into the chunk at once (_texts_chunk) from the cells just read: the changed text cells,
    and 错误/状态 as computed for the merge (computed again only where this merge changed a row's
    failed checks); the patcher is handed the message rows only and they are spliced back
    (_patch_some); chunks without a message row are copied as they are.
  Each message row is read by calamine once.
* Whether 状态 is staff's own column (then texts leaves it alone) is known only once every row was read.
  Pass 0 lists the rows whose 状态 is not one of recalc's words; when there are any, the merge runs as a
  pass of its own first (_merge_pass, "pass A") and the chunks are written in a second (run_pass, "pass
  1", reading the message rows again), as before the one pass.

The main process keeps one MergeResult per message row and the 发送队列 lines, nothing per case row;
`run` keeps only the results the outbox looks at (_keep_for_outbox). The file is byte for byte what texts.compute_texts gives
(tests/test_texts_stream.py, bench/file_digest.py).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

from addin.core.display import display_of
from addin.core.parse import is_blank
from addin.messages.merge import MergeRun

from addin.workbook.commands import cores, recalc_stream
from addin.workbook.commands.compute import Job, Part, SheetResult, compute_rows, picker, place_outputs, repeaters_of
from addin.workbook.commands.recalc_stream import (ChunkContext, ChunkDone, NotStreamable, book_read_error,
                                                   forked_pool, in_pool, open_stream, pool_context, raise_chunk_error,
                                                   run_pass, write_pass)
from addin.workbook.commands.message_scan import MessageScan
from addin.workbook.files.xlsx_patch.row_cuts import pack_rows, row_spans, splice_rows
from addin.workbook.commands.summary import Summary
from addin.workbook.commands.texts_rows import (MESSAGE_TRIGGERS, RowReader, TextsResult, add_rule_outputs,
                                                count_result, outbox_line, row_values, write_changed,
                                                write_changed_from)
from addin.workbook.files.reader import WorkbookReadError
from addin.workbook.files.xlsx_patch import PatchError, PatchReport, SheetEdit
from addin.workbook.files.xlsx_patch.sheet import SheetPatcher
from addin.workbook.files.xlsx_patch.stream import RowChunk, SheetStream
from addin.workbook.files.xlsx_patch.styles import Styles, date_marker
from addin.workbook.sheets.case_columns import MESSAGE_OUTPUTS, OUTPUTS
from addin.workbook.sheets.case_rows import check_lines
from addin.workbook.sheets.case_sheet import foreign_status_at
from addin.workbook.sheets.catalogue import OUTBOX
from addin.workbook.sheets.protected import place_new_columns

__all__ = ["NotStreamable", "texts_streamed"]

# Pass 0 keeps the first chunks it inflated, up to this much XML, for the one pass (and where the stream
# stood after them): that part of the sheet is inflated and cut once, for about this much more memory.
HOLD_BYTES = 128 << 20


@dataclass
class _TextsContext(ChunkContext):
    """What every chunk of a streamed texts needs; forked workers inherit it."""
    out_columns: dict = field(default_factory=dict)      # message output key -> column
    row_columns: dict = field(default_factory=dict)      # 错误/状态 written with the texts: key -> column
    read_row: object = None                              # texts.RowReader
    message_index: list = field(default_factory=list)    # 0-based columns whose content makes a message row
    status_col: int | None = None                        # 状态, looked at for staff's own words (pass A)
    msg_formulas: dict = field(default_factory=dict)     # row -> formula columns among the text columns
    shell: object = None                                 # SheetResult without rows: row_output of a row
    prefix: bytes = b""                                  # the sheet XML's namespace prefix
    # texts: column -> key of 错误/状态, whose cells pass A sends back with each row's failed-check lines
    # as the sheet holds them, so pass 1 recomputes only the rows whose checks this merge changed
    fixed_cols: dict = field(default_factory=dict)
    keep_values: bool = False        # _message_inputs keeps each message row's cells (_pipelined writes from them)
    formula_rows: list = field(default_factory=list)   # the rows holding a formula (pass 0's layout), ascending


@dataclass
class _Inputs:
    """Pass A's answer for a chunk: (row, merge input or None for a blank row, 订单号 cell, 手机号 cell) per
    message row in sheet order; whether 状态 holds staff's own words; the message rows that are totals rows."""
    rows: list
    foreign: bool = False
    totals: int = 0
    error: tuple | None = None
    values: dict = field(default_factory=dict)   # row -> its cells as read (pipelined: written from them)


@dataclass
class StreamedTexts:
    """The outcome of a streamed texts, for the caller to write (with the other sheets) and report."""
    result: TextsResult                  # cells empty (they are in `case_edit`), outbox, merged, summary
    case_edit: SheetEdit
    styles: Styles


def texts_streamed(session, book, now, *, resend: bool = False, retry_failed: bool = False, workers: int = 1,
                   chunk_bytes: int | None = None) -> StreamedTexts:
    """What texts.compute_texts gives for the case sheet of the open `session` (`book`: its MergeBook,
    loaded without the case grid), read and written chunk by chunk (`chunk_bytes` of XML, default
    recalc_stream.CHUNK_BYTES). Raises NotStreamable (nothing done) for a sheet to be read whole."""
    chunk_bytes = chunk_bytes or recalc_stream.CHUNK_BYTES
    settings, case = book.settings, book.case
    # No repeat refunders: their note goes into 提示, which texts does not write.
    opened = open_stream(session, case, settings, workers, chunk_bytes, messages=MessageScan, refunds=False,
                         nothing_to_place=_nothing_to_place, hold=HOLD_BYTES)
    header, layout, reader, stream = opened.header, opened.layout, opened.reader, opened.stream
    policy = settings.policy
    show = display_of(policy)
    # The rule columns as compute_sheet places them (their 错误 and 状态 are written with the texts).
    place, _, out_cols, protection = place_outputs(None, header, layout, Summary(policy_changes=policy.changed(),
                                                                               now=now))
    try:
        # in this process: for the few buyers texts asks about, forked workers cost more than they save
        tm_caps = opened.tmall.caps(reader, policy, 1, protection.not_case_rows,
                                    wanted=set(opened.candidates))
    except WorkbookReadError as exc:
        raise book_read_error(session, exc) from None
    job = Job(None, header, list(out_cols.items()), policy, settings.cal, now, protection, settings.reasons, show,
              tm_caps=tm_caps,
              repeaters=repeaters_of([e for e in opened.refunds if e.row not in protection.not_case_rows], policy))
    columns = _TextColumns.of(header, layout, [])
    total = max(0, stream.last_row - header.row)
    parallel = workers > 1 and (total >= cores.PARALLEL_MIN_ROWS or opened.pool_size > 1)
    pool = workers if parallel else 1
    ctx = _merge_context(job, opened, case, columns)
    ctx.fixed_cols = {out_cols[k]: k for k in ("errors", "status") if k in header.outputs and k in out_cols}
    ctx.row_columns = {k: out_cols[k] for k in ("errors", "status") if k in header.outputs and k in out_cols}
    ctx.shell = SheetResult(header, {}, {}, None, {}, show=show, now=now, out_columns=out_cols, protection=protection)
    merged = done = None
    if not opened.staff_status:
        # One pass: each chunk's rows merged in sheet order and written as soon as merged (_pipelined).
        merging = _Merging(book, header, now, resend, retry_failed)
        styles = Styles(opened.styles_xml)
        ctx.styles = styles.deferred()
        ctx.keep_values = True
        try:
            done = write_pass(session, opened.info, ctx, styles, chunk_bytes, None, total, stream,
                              _pipelined(session, book.case, opened.record.replay(), opened.candidates, ctx, merging,
                                         show))
        except _StaffStatus:        # pass 0 saw none, but calamine reads one (never so far): two passes
            done = None
            ctx.keep_values = False
        else:
            merged = merging.finish(opened, ctx)
    if done is None:
        opened.record = None            # the two passes read the sheet anew: pass 0's chunks let go
        merged = _merge_pass(session, book, opened, ctx, pool, chunk_bytes, now, resend, retry_failed)
        # -- pass 1: the text cells (and 错误, 状态) of the message rows written into their chunks
        if merged.foreign:            # staff's own 状态 column: compute_sheet leaves it out
            del out_cols["status"]
            job = replace(job, out_items=list(out_cols.items()))
            ctx.row_columns.pop("status", None)
        ctx.job = job
        styles = Styles(opened.styles_xml)
        ctx.styles = styles.deferred()
        done = run_pass(session, opened.info, ctx, styles, chunk_bytes, pool, None, total, _texts_chunk,
                        lambda chunk: merged.texts_of(chunk, show))
    merged.counts["formulas_kept"] = done.kept
    result = merged.result(header, columns.table_columns)
    edit = SheetEdit(cells=dict(columns.header_cells), table_columns=columns.table_columns, streamed=done.sheet)
    return StreamedTexts(result, edit, styles)


def _nothing_to_place(header) -> bool:
    """Whether the header has every column texts writes or asks compute_sheet to place (recalc's outputs,
    the text columns): then pass 0 needs the formulas of the sheet, not where new columns would go."""
    return all(col.key in header.outputs for col in OUTPUTS) and \
        all(col.key in header.msg_outputs for col in MESSAGE_OUTPUTS)


class _StaffStatus(Exception):
    """The pipelined texts met a 状态 cell with staff's own words: 状态 is not written, which is known
    only once every row was read (the two passes)."""


def _pipelined(session, sheet: str, chunks, candidates: list, ctx: _TextsContext, merging: "_Merging", show):
    """(chunk, ChunkDone) of each chunk in sheet order, in one pass: a chunk's listed rows are read
    (_message_inputs), merged (one batch, in sheet order: a row's batch checks look at earlier rows only,
    so its texts are final once merged) and written into the chunk (_texts_chunk, from the cells already
    read). All in this process: forked workers reading the rows ahead cost more CPU than they saved wall
    time (docs/dev/speed.md, "texts streamed: pass 0 and the reading cut down"); the merge, the writing
    and the deflating here were the pass's bottleneck anyway."""
    prefix = ctx.prefix
    with forked_pool(ctx, 1):           # no pool: the context _message_inputs and _texts_chunk find
        for chunk, listed in _with_listed(chunks, candidates):
            if not listed:
                yield chunk, _texts_chunk((chunk, {}, {}))
                continue
            # where the listed rows are, found once: to cut them out and to splice them back (_patch_some)
            spans = row_spans(chunk.xml, listed, prefix)
            got = _message_inputs(pack_rows(chunk, listed, prefix, spans))
            if got.error:
                raise_chunk_error(session, sheet, got.error)
            if got.foreign:
                raise _StaffStatus
            yield chunk, _texts_chunk((chunk, merging.add(got, show), got.values, dict(zip(listed, spans))))


class RunTexts:
    """The mail merge of `aftersales run` inside the streamed recalc's own pass (recalc_stream.compute_streamed's
    `texts`), so each row is read and computed once:

    * a worker computes a chunk's rows as recalc does, writes all but its message rows, and holds those
      back (`hold`): their recalc cells, their merge inputs (with the rule outputs templates print, as
      texts._merge_share builds them) and their cells as read go back to the main process;
    * the main process merges them as the chunks come back, in sheet order, with one batch (`written`): a
      row's batch checks look at earlier rows only, so a chunk's texts are final once it is merged; it then
      writes the message rows (recalc's cells and the text columns) into the chunk before it is deflated.
    * 错误 and 状态 show the row's failed reply/SMS checks, which only the merge knows. The worker computed
      them with the lines the sheet holds (the last run's texts: usually this run's too); a row whose lines
      this merge changed is computed again here with the new ones (`_checked_again`), its figures with it.
    * recalc's reruns (the Tmall cap, repeat refunders, staff's 状态) run this pass again, the merge from the
      start with it, so an SMS never prints an amount the cross-row rules corrected afterwards.

    The cells are those of texts.compute_texts with before_recalc, as `run` writes them when it reads the
    sheet whole (tests/test_texts_stream.py, bench/file_digest.py)."""

    def __init__(self, session, book, now, *, resend: bool = False):
        self.session, self.book, self.now, self.resend = session, book, now, resend
        self.header_cells: dict = {}
        self.table_columns: dict = {}
        self.formulas_kept = 0
        self.merged: _Merged | None = None
        self.columns: _TextColumns | None = None
        self.show = None
        self.header = None
        self.opened = None
        self.ctx: _TextsContext | None = None     # the columns and readers the workers use (inherited by fork)
        self._pick, self._width = None, 0         # the message and text cells of a row (_message_rows)
        self._text_pick, self._text_width = None, 0   # a row's text cells, in out_columns' order (hold)

    @staticmethod
    def scan(header, prefix: bytes, sst) -> "_NoList":
        """Pass 0 lists no rows for `run` (its workers read every row of a chunk for recalc and find the
        message rows there); open_stream is still handed a scan, so it streams only a sheet of
        TEXTS_STREAM_MIN_BYTES or more, as for texts."""
        return _NoList()

    def prepare(self, opened, job, recalc_headers: list[str]) -> None:
        """The text columns (a sheet lacks: right of the columns recalc adds first), before the pass's forks."""
        self.opened, self.header, self.show = opened, opened.header, job.show
        self.columns = columns = _TextColumns.of(opened.header, opened.layout, recalc_headers)
        self.header_cells, self.table_columns = columns.header_cells, columns.table_columns
        self.ctx = _merge_context(replace(job, by_row=False, check_status=False), opened, self.book.case, columns,
                                  status=False)
        self._pick, self._width = picker(self.ctx.message_index), max(self.ctx.message_index, default=-1) + 1
        text_cols = list(columns.out_columns.values())
        self._text_pick, self._text_width = picker([c - 1 for c in text_cols]), max(text_cols, default=0)

    def hold(self, chunk, view, part: Part, rows: dict) -> "_Held":
        """In a worker, after recalc's compute_rows (keep_results) of the chunk: its message rows (a message,
        or a text to clear; no totals row) taken out of recalc's `rows`, with their merge inputs and cells;
        `part` keeps its figures only."""
        ctx = self.ctx
        results, guessed = part.results, part.checks
        part.results, part.problems, part.checks = {}, {}, {}
        if not chunk.rows:
            return _Held(_Inputs([]), {}, {}, {}, {})
        pick, width, text_cols = self._text_pick, self._text_width, list(self.columns.out_columns.values())
        targets = self._message_rows(chunk.rows, view)
        not_cases = set(part.totals_rows)
        order_col, phone_col = (ctx.job.header.inputs.get(k) for k in ("order_id", "phone"))
        out, cells, olds, widths = [], {}, {}, {}
        for r in targets:
            if r in not_cases:
                continue
            values = view[r - 1]
            widths[r] = len(values)
            # the text cells alone go back (write_changed_from), not the row: the main process reads the
            # few rows it computes again from the chunk's XML (_checked_again)
            olds[r] = pick(values) if len(values) >= width else \
                tuple(values[c - 1] if c <= len(values) else None for c in text_cols)
            cells[r] = rows.pop(r, [])
            row = ctx.read_row(values)
            if not row:
                out.append((r, None, None, None, None))
                continue
            if r in results and ("sms_kind" in row or "review_text" in row or "review_stars" in row):
                add_rule_outputs(row, results[r])
            out.append((r, row, _cell(values, order_col), _cell(values, phone_col), None))
        totals = sum(1 for r in targets if r in not_cases)
        return _Held(_Inputs(out, totals=totals), cells, olds, {r: guessed[r] for r in cells if r in guessed}, widths)

    def _message_rows(self, rows: list[int], view) -> list[int]:
        """The rows with a message cell or a text cell (to refresh or clear) that is not blank, as
        _message_inputs tests pass 0's candidates. It runs for every row, and most rows have none of
        those cells filled, which one C call (the picker) and a count tell."""
        index, pick, width, header_row = self.ctx.message_index, self._pick, self._width, self.ctx.job.header.row
        found = []
        if not index:
            return found
        n = len(index)
        for r in rows:
            if r <= header_row:
                continue
            values = view[r - 1]
            if len(values) >= width:
                cells = pick(values)
                if cells.count(None) + cells.count("") == n:
                    continue
            else:
                cells = [values[i] for i in index if i < len(values)]
            for v in cells:
                if not is_blank(v):
                    found.append(r)
                    break
        return found

    def written(self, done_chunks, ctx: ChunkContext):
        """recalc's (chunk, ChunkDone) in sheet order, each with its held message rows merged (one batch for
        the pass) and written into its XML; at the end the merge is complete (`result`)."""
        merging = _Merging(self.book, self.header, self.now, self.resend, False, keep_cells=True)
        self.merged = None
        try:
            for chunk, done in done_chunks:
                if done.held is not None and not done.error:
                    self._write_held(chunk, done, merging, ctx)
                yield chunk, done
            self.merged = merging.finish(self.opened, self.ctx)
        finally:
            done_chunks.close()

    def _write_held(self, chunk, done: ChunkDone, merging: "_Merging", ctx: ChunkContext) -> None:
        held, done.held = done.held, None
        merging.add(held.inputs)
        show, plan = self.show, merging.plan
        texts = {r: None if plan[r] is None else row_values(plan[r], show) for r in held.cells}
        checks = {r: check_lines(v, show) if v is not None else [] for r, v in texts.items()}
        again = [r for r in held.cells if checks[r] != held.guessed.get(r, [])]
        # Where the held rows are in the chunk as read, found once (a search through the whole chunk): to
        # read again the rows computed again, and to patch when the worker wrote no other row (body unchanged).
        spans = dict(zip(held.cells, row_spans(chunk.xml, list(held.cells), self.ctx.prefix))) \
            if again or done.xml is None else {}
        if again:
            try:                # the worker read these rows from this XML: read alone, they read the same
                view = pack_rows(chunk, again, self.ctx.prefix, [spans[r] for r in again]).read(ctx.reader)
            except WorkbookReadError as exc:
                raise book_read_error(self.session, exc) from None
            # as wide as the worker's rows: calamine pads a row with "" to the widest row read with it
            grid = _RowsOf({r: _as_wide(view[r - 1], held.widths[r]) for r in again})
            _checked_again(ctx.job, held, again, checks, done.part, grid)
        cells: dict = {}
        out_columns, olds = self.columns.out_columns, held.olds
        for r, v in texts.items():
            write_changed_from(cells, r, olds[r], out_columns, v or {})
        formulas = self.columns.msg_formulas
        kept = [key for key in cells if key[1] in formulas.get(key[0], ())]
        for key in kept:                   # a formula in a text column is never overwritten
            del cells[key]
        new: dict[int, dict] = {}
        for (r, c), v in cells.items():
            new.setdefault(r, {})[c] = v
        rows = {}
        for r, recalc_cells in held.cells.items():
            text = new.get(r)
            row = sorted({**dict(recalc_cells), **text}.items(), key=_first) if text else recalc_cells
            if row:
                rows[r] = row
        done.kept += len(kept)
        _keep_for_outbox(plan, held.cells)
        if not rows:
            return
        body = chunk.xml if done.xml is None else done.xml
        patcher = SheetPatcher.for_rows(ctx.head, ctx.sheet, rows, ctx.styles, ctx.date1904, PatchReport())
        xml = _patch_some(patcher, RowChunk(chunk.rows, body), list(rows), self.ctx.prefix, self.ctx.formula_rows,
                          spans if done.xml is None else None)
        wanted = ctx.styles.take_wanted()
        if wanted:
            # The styles to add, in the order the cells ask for them as one patch of the chunk would
            # (Styles.resolve numbers them so): by where each is first used in the chunk.
            keys = done.wanted + [k for k in wanted if k not in done.wanted]
            done.wanted = sorted(keys, key=lambda key: xml.find(date_marker(*key)))
        done.xml = None if xml is chunk.xml else xml
        done.box = patcher.box if done.box is None else _union(done.box, patcher.box)
        done.cells += patcher.n_cells
        done.clipped += patcher.clipped

    @property
    def result(self) -> TextsResult:
        """texts' part of the run: the outbox lines, the merged rows outbox.select looks at (ready, or
        sent or failed before: _keep_for_outbox), the figures (no cells: they are in the streamed sheet),
        and the 手机号/订单号 cells of the messages ready to go."""
        self.merged.counts["formulas_kept"] = self.formulas_kept
        result = self.merged.result(self.header, self.table_columns)
        result.ready_cells = self.merged.ready_cells
        return result


def _keep_for_outbox(plan: dict, rows) -> None:
    """Once `rows` are written, their MergeResults are needed only by outbox.select, which looks at the
    messages ready to go and those the send log knows (sent or failed before) and skips every other row:
    the rest are let go, so `run` does not hold one result per message row (with its texts and findings)
    to the end. The figures were counted as they were merged."""
    for r in rows:
        res = plan.get(r)
        if res is None or not (res.ok_to_send or res.sent_before is not None or res.failed_before is not None):
            plan.pop(r, None)


class _NoList:
    """Pass 0's scan for `run`: no columns, no rows (RunTexts.scan)."""
    scan_columns = ()

    def feed(self, chunk, found=None) -> tuple[list[int], bool]:
        return [], False


@dataclass
class _Held:
    """A chunk's message rows as its worker holds them back for `run` (RunTexts.hold): their merge inputs,
    recalc's cells to write (row -> [(col, value)]), their text cells as read (row -> a tuple in
    out_columns' order), and the failed-check lines their 错误/状态 were computed with (those the sheet
    holds; rows without any left out)."""
    inputs: _Inputs
    cells: dict
    olds: dict
    guessed: dict
    widths: dict        # row -> how many cells the worker's row had (the rows read again are made as wide)


def _as_wide(values: list, width: int) -> list:
    """A row read with fewer rows around it, as wide as it was read in its whole chunk (`width`): calamine's
    grid is rectangular, each row padded with "" (RowsReader's empty cell) to the widest row read with it."""
    return values + [""] * (width - len(values)) if len(values) < width else values


def _checked_again(job: Job, held: _Held, rows: list[int], checks: dict, part: Part, grid) -> None:
    """The held `rows` (their cells in `grid`, indexed as the whole grid) computed again with the
    failed-check lines this merge gave (`checks`) instead of those the worker used: their cells in `held`,
    and the chunk's figures in `part` (the 状态 counts, 今日待办, the formulas kept) with each row counted
    as computed now, not as before."""
    now = compute_rows(replace(job, grid=grid, checks={r: checks[r] for r in rows}), rows, keep_results=False)
    before = compute_rows(replace(job, grid=grid, checks={r: held.guessed.get(r, []) for r in rows}), rows,
                          keep_results=False)
    for r in rows:
        held.cells[r] = now.rows.get(r, [])
    part.tally.merge(now.tally)
    part.tally.subtract(before.tally)
    redone = set(rows)
    part.todo = sorted([t for t in part.todo if t.row not in redone] + now.todo, key=_row_of_todo)
    if before.formulas_kept or now.formulas_kept:       # cell references, in row order as compute_rows gives them
        part.formulas_kept = sorted([ref for ref in part.formulas_kept if _ref_row(ref) not in redone]
                                    + now.formulas_kept, key=_ref_row)


def _row_of_todo(item) -> int:
    return item.row


def _ref_row(ref: str) -> int:
    return int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def _union(a: tuple, b: tuple) -> tuple:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


@dataclass
class _TextColumns:
    """The text columns (the missing ones placed right of everything in use, after `first`), their new
    header cells, the Table columns they add, and the formula cells among them (never written)."""
    out_columns: dict
    header_cells: dict
    table_columns: dict
    msg_formulas: dict

    @classmethod
    def of(cls, header, layout, first: list[str]) -> "_TextColumns":
        out_columns = dict(header.msg_outputs)
        header_cells: dict = {}
        table_columns: dict = {}
        missing = [col for col in MESSAGE_OUTPUTS if col.key not in out_columns]
        if missing:
            where = place_new_columns(None, header, layout, first + [col.header for col in missing])
            for i, col in enumerate(missing):
                out_columns[col.key] = where.start + len(first) + i
                header_cells[(header.row, out_columns[col.key])] = col.header
            table_columns = {name: heads[len(first):] for name, heads in where.table_columns.items()}
        msg_cols = set(out_columns.values())
        msg_formulas: dict = {}
        for r, c in layout.formula_cells():
            if r > header.row and c in msg_cols:
                msg_formulas.setdefault(r, set()).add(c)
        return cls(out_columns, header_cells, table_columns, msg_formulas)


def _merge_context(job, opened, case: str, columns: _TextColumns, status: bool = True) -> _TextsContext:
    header = opened.header
    return _TextsContext(job, opened.reader, opened.stream.head, case, None, opened.date1904, columns.header_cells,
                         out_columns=columns.out_columns,
                         read_row=RowReader([(k, c) for group in (header.inputs, header.msg_inputs)
                                             for k, c in group.items()]),
                         message_index=sorted({c - 1 for k, c in (*header.inputs.items(), *header.msg_inputs.items())
                                               if k in MESSAGE_TRIGGERS} | {c - 1 for c in header.msg_outputs.values()}),
                         status_col=header.outputs.get("status") if status else None,
                         msg_formulas=columns.msg_formulas, prefix=opened.stream.prefix,
                         formula_rows=sorted({r for r, _ in opened.layout.formulas}))


@dataclass
class _Merged:
    """The merge of every message row, in sheet order (pass A)."""
    plan: dict                      # message row (no totals row) -> MergeResult, None for a blank row
    outbox: list
    counts: dict
    foreign: bool
    ready_cells: dict | None        # row -> (手机号 cell, 订单号 cell) of each message ready to go (run)
    rows: list = field(default_factory=list)
    fixed: dict = field(default_factory=dict)       # row -> pass A's 错误/状态 cells and checks (texts)

    def values_of(self, chunk, show) -> dict:
        """Row -> text columns (None: a blank row) of the message rows in `chunk`."""
        if not chunk.rows:
            return {}
        rows, plan = self.rows, self.plan
        lo, hi = bisect.bisect_left(rows, chunk.rows[0]), bisect.bisect_right(rows, chunk.rows[-1])
        return {r: None if plan[r] is None else row_values(plan[r], show) for r in rows[lo:hi]}

    def texts_of(self, chunk, show) -> dict:
        """texts' pass 1: row -> (text columns or None for a blank row, its 错误/状态 cells as pass A
        computed them, or None when this merge changed the row's failed-check lines: computed again)."""
        return _with_fixed(self.values_of(chunk, show), self.fixed, show)

    def result(self, header, table_columns: dict) -> TextsResult:
        merged = {r: res for r, res in self.plan.items() if res is not None}
        return TextsResult({}, [list(OUTBOX.header)] + self.outbox, merged, header, self.counts, table_columns)


def _with_fixed(values: dict, fixed: dict, show) -> dict:
    """row -> (its text columns or None, its 错误/状态 cells from pass A or None: compute them again)."""
    empty = ({}, [])
    out = {}
    for r, v in values.items():
        cells, checks = fixed.get(r, empty)
        same = v is None or check_lines(v, show) == checks
        out[r] = (v, cells if same else None)
    return out


class _Merging:
    """The merge of the message rows, handed in chunk by chunk in sheet order, with one batch (MergeRun)."""

    def __init__(self, book, header, now, resend: bool, retry_failed: bool, keep_cells: bool = False):
        policy = book.settings.policy
        self.show = display_of(policy)
        self.order_col = header.inputs.get("order_id")
        self.merger = MergeRun(book.templates, policy, now=now, opted_out=book.opted_out, approved=book.approved,
                               history=book.log.history(), resend=resend, retry_failed=retry_failed,
                               sheet_rows=True)
        self.plan: dict = {}
        self.fixed: dict = {}
        self.outbox: list[list] = []
        self.ready_cells: dict | None = {} if keep_cells else None
        self.counts = {"rows": 0, "replies": 0, "sms": 0, "ready": 0, "errors": 0}
        self.foreign, self.totals = False, 0

    def add(self, got: _Inputs, show=None) -> dict:
        """Merge a chunk's rows (after every earlier chunk's). With `show`: returns row -> (text columns,
        错误/状态 cells or None) of these rows for _texts_chunk (and keeps nothing of them but the plan)."""
        plan, fixed = self.plan, self.fixed
        self.foreign |= got.foreign
        self.totals += got.totals
        filled = [item for item in got.rows if item[1] is not None]
        for item in got.rows:
            if item[1] is None:
                plan[item[0]] = None
            if item[4] is not None:
                fixed[item[0]] = item[4]
        results = self.merger.add([item[1] for item in filled], [item[0] for item in filled])
        counts, outbox, ready_cells, order_col = self.counts, self.outbox, self.ready_cells, self.order_col
        for (r, row, order, phone, _), res in zip(filled, results):
            plan[r] = res
            count_result(counts, res)
            if res.ok_to_send:
                outbox.append(outbox_line(r, row, res, order if order_col else None, self.show))
                if ready_cells is not None:
                    ready_cells[r] = (phone, order)
        if show is None:
            return {}
        rows = sorted(item[0] for item in got.rows)
        values = {r: None if plan[r] is None else row_values(plan[r], show) for r in rows}
        out = _with_fixed(values, fixed, show)
        for r in rows:
            fixed.pop(r, None)
        return out

    def finish(self, opened, ctx: _TextsContext) -> _Merged:
        plan = dict(sorted(self.plan.items()))
        header = opened.header
        # Totals rows among the message rows, and those below the last row (compute_sheet counts them too).
        prot = ctx.job.protection
        self.counts["totals_rows"] = self.totals + sum(1 for r in prot.not_case_rows | prot.aggregate_rows
                                                       if r > max(header.row, opened.stream.last_row))
        return _Merged(plan, self.outbox, self.counts, self.foreign, self.ready_cells, list(plan), self.fixed)


def _merge_pass(session, book, opened, ctx: _TextsContext, pool: int, chunk_bytes: int, now, resend: bool,
                retry_failed: bool) -> _Merged:
    """Pass A: the workers read each chunk's message rows into merge inputs; they are merged here, in
    sheet order, with one batch as they come back."""
    merging = _Merging(book, opened.header, now, resend, retry_failed)
    chunks = SheetStream(session.data, opened.info, chunk_bytes).chunks()
    for _, got in in_pool(_message_inputs, _listed_rows(chunks, opened.candidates, ctx.prefix), ctx, pool):
        if got.error:
            raise_chunk_error(session, book.case, got.error)
        merging.add(got)
    return merging.finish(opened, ctx)


def _listed_rows(chunks, candidates: list, prefix: bytes):
    """The chunks cut down to pass 0's candidate rows (PackedRows of those rows alone); chunks without
    one are left out. Cut here, so only those rows go to the workers."""
    for chunk, rows in _with_listed(chunks, candidates):
        if rows:
            yield pack_rows(chunk, rows, prefix)


def _with_listed(chunks, candidates: list):
    """(chunk, pass 0's candidate rows in it) for each chunk in sheet order (`candidates`: ascending)."""
    at = 0
    for chunk in chunks:
        listed = []
        if chunk.rows:
            lo = at = bisect.bisect_left(candidates, chunk.rows[0], at)
            at = bisect.bisect_right(candidates, chunk.rows[-1], lo)
            listed = candidates[lo:at]
        yield chunk, listed


def _message_inputs(chunk) -> _Inputs:
    """The merge inputs of the chunk's message rows (texts.message_rows' test), in the one pass or in a
    worker of pass A; `chunk` (row_cuts.PackedRows) holds pass 0's candidate rows only."""
    ctx = _ctx()
    header_row = ctx.job.header.row
    numbers = [r for r in chunk.rows if r > header_row]
    if not numbers:
        return _Inputs([])
    try:
        view = chunk.read(ctx.reader)
        index = ctx.message_index
        targets = [r for r in numbers for values in (view[r - 1],)
                   if any(i < len(values) and not is_blank(values[i]) for i in index)]
        status = ctx.status_col
        prot = ctx.job.protection
        foreign = status is not None and any(status <= len(values) and foreign_status_at(r, values, status, prot)
                                             for r in numbers for values in (view[r - 1],))
        if not targets:
            return _Inputs([], foreign)
        part = compute_rows(replace(ctx.job, grid=view), targets, keep_results=True)
        not_cases = set(part.totals_rows)
        order_col, phone_col = (ctx.job.header.inputs.get(k) for k in ("order_id", "phone"))
        fixed = _fixed_cells(part, ctx.fixed_cols) if ctx.fixed_cols else {}
        out = []
        for r in targets:
            if r in not_cases:
                continue
            values = view[r - 1]
            row = ctx.read_row(values)
            if not row:
                out.append((r, None, None, None, fixed.get(r)))
                continue
            if r in part.results and ("sms_kind" in row or "review_text" in row or "review_stars" in row):
                add_rule_outputs(row, part.results[r])
            out.append((r, row, _cell(values, order_col), _cell(values, phone_col), fixed.get(r)))
        kept = {item[0]: view[item[0] - 1] for item in out} if ctx.keep_values else {}
        return _Inputs(out, foreign, len(not_cases), values=kept)
    except WorkbookReadError as exc:
        return _Inputs([], error=("read", str(exc.cause)))
    except (PatchError, ValueError, TypeError) as exc:
        return _Inputs([], error=("patch", str(exc)))


def _texts_chunk(task) -> ChunkDone:
    """The chunk's message rows written as texts._merge_share writes them: in the main process (one pass,
    `task` (chunk, plan, the rows' cells as read, where the rows are)) or in a worker (pass 1, (chunk,
    plan): read again)."""
    chunk, plan = task[:2]
    given = task[2] if len(task) > 2 else None        # the rows' cells as pass A read them (_pipelined)
    spans = task[3] if len(task) > 3 else None        # where the listed rows are in the chunk (_pipelined)
    ctx = _ctx()
    header_row = ctx.job.header.row
    with_header = bool(ctx.header_cells) and bool(chunk.rows) and chunk.rows[0] <= header_row <= chunk.rows[-1]
    if not plan and not with_header:
        return ChunkDone(None, [], None, 0, 0, Part())
    try:
        cells, kept = {}, 0
        if plan:                    # calamine reads the message rows only
            if given is not None:
                view = _RowsOf(given)
            else:
                listed = sorted(plan)
                view = pack_rows(chunk, listed, ctx.prefix).read(ctx.reader)
            cells, kept = _text_cells(ctx, view, plan)
        rows: dict[int, list] = {}
        for (r, c), v in cells.items():
            rows.setdefault(r, []).append((c, v))
        for cols in rows.values():
            cols.sort(key=_first)
        if with_header:
            rows[header_row] = sorted((c, v) for (_, c), v in ctx.header_cells.items())
        if not rows:
            return ChunkDone(None, [], None, 0, 0, Part(), kept=kept)
        rows = dict(sorted(rows.items()))
        patcher = SheetPatcher.for_rows(ctx.head, ctx.sheet, rows, ctx.styles, ctx.date1904, PatchReport())
        xml = _patch_some(patcher, chunk, list(rows), ctx.prefix, ctx.formula_rows, spans)
        wanted = ctx.styles.take_wanted()
        return ChunkDone(None if xml is chunk.xml else xml, wanted, patcher.box, patcher.n_cells, patcher.clipped,
                          Part(), kept=kept)
    except WorkbookReadError as exc:
        return ChunkDone(None, [], None, 0, 0, Part(), ("read", str(exc.cause)))
    except (PatchError, ValueError, TypeError) as exc:
        return ChunkDone(None, [], None, 0, 0, Part(), ("patch", str(exc)))


def _patch_some(patcher: SheetPatcher, chunk, rows: list[int], prefix: bytes, formula_rows: list[int],
                known: dict | None = None) -> bytes:
    """patcher.patch_rows(chunk.xml), where `rows` (ascending, each a <row> of the chunk) are the rows it
    edits: only those rows are handed to the patcher and spliced back, so it does not walk the chunk's
    other rows (most rows of a daily sheet carry no message). A chunk with a formula is patched whole:
    overwriting a shared formula's master would rewrite rows the patcher was not given (texts never
    overwrites a formula, so this is caution), and array formulas are checked over the whole chunk."""
    body = chunk.xml
    if len(rows) == len(chunk.rows) or _has_formula(chunk, formula_rows):
        return patcher.patch_rows(body)
    spans = [known[r] for r in rows] if known and all(r in known for r in rows) else row_spans(body, rows, prefix)
    cut = b"".join([body[a:b] for a, b in spans])
    new = patcher.patch_rows(cut)
    return body if new is cut else splice_rows(body, spans, new, prefix)


def _has_formula(chunk, formula_rows: list[int]) -> bool:
    """Whether a row of `chunk` holds a formula (pass 0's layout lists every <f> of the sheet)."""
    if not chunk.rows:
        return False
    i = bisect.bisect_left(formula_rows, chunk.rows[0])
    return i < len(formula_rows) and formula_rows[i] <= chunk.rows[-1]


class _RowsOf:
    """Some rows' cells (row -> values), indexed as the whole grid would be (grid[r - 1] is row r)."""
    __slots__ = ("rows",)

    def __init__(self, rows: dict):
        self.rows = rows

    def __getitem__(self, i: int) -> list:
        return self.rows.get(i + 1, [])

    def __len__(self) -> int:
        return max(self.rows, default=0)


def _fixed_cells(part: Part, fixed_cols: dict) -> dict:
    """Row -> (its 错误/状态 cells to write, key -> value; the failed-check lines the sheet holds) as
    compute_rows gave them in pass A; rows with neither are left out."""
    out: dict = {}
    for (r, c), v in part.cells.items():
        key = fixed_cols.get(c)
        if key is not None:
            out.setdefault(r, ({}, part.checks.get(r, [])))[0][key] = v
    for r, checks in part.checks.items():
        if r not in out:
            out[r] = ({}, checks)
    return out


def _cell(values: list, col: int | None):
    return values[col - 1] if col and col <= len(values) else None


def _first(item):
    return item[0]


def _text_cells(ctx: _TextsContext, view, plan: dict) -> tuple[dict, int]:
    """The cells texts._merge_share writes for the rows of `plan` (row -> (its text columns' values, None
    for a blank row; its 错误/状态 cells from pass A, None to compute them again)), and how many formula
    cells among them were left alone."""
    job, out_columns, row_columns, show = ctx.job, ctx.out_columns, ctx.row_columns, ctx.job.show
    wanted_cols = set(row_columns.values())
    again = [r for r, (_, fixed) in plan.items() if fixed is None]    # the rows whose checks this merge changed
    sheet = None
    if again and row_columns:
        part = compute_rows(replace(job, grid=view), again, keep_results=True)
        sheet = replace(ctx.shell, results=part.results, problems=part.problems, checks=part.checks)
    cells: dict = {}
    for r, (values, fixed) in plan.items():
        current = view[r - 1]
        write_changed(cells, r, current, out_columns, values or {})   # a blank row: clear texts left over
        if fixed is not None:
            for key, v in fixed.items():
                if key in row_columns:
                    cells[(r, row_columns[key])] = v
        elif sheet is not None:
            write_changed(cells, r, current, row_columns, sheet.row_output(r, current, check_lines(values, show)))
    formulas = job.protection.formulas
    kept = [(r, c) for (r, c) in cells
            if c in ctx.msg_formulas.get(r, ()) or (c in wanted_cols and c in formulas.get(r, ()))]
    for key in kept:                   # a formula in a text column (or 错误, 状态) is never overwritten
        del cells[key]
    return cells, len(kept)


def _ctx() -> _TextsContext:
    return pool_context()           # set by in_pool for the pass, inherited by the forked workers
