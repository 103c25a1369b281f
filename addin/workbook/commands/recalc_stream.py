"""`aftersales recalc` on the case sheet as a stream: read, computed and written a chunk of rows at a time.

Memory follows the chunk, not the sheet (a full sheet of 1,048,576 rows is ~1 GB of XML), and the chunks
are computed by worker processes while the main process inflates the next ones and deflates the results:

* pass 0 (main): the sheet is inflated once, piece by piece, for its layout (formula cells, used
  columns, merged ranges: xlsx_patch.scan.LayoutScan) and its first rows (the header).
* pass 1: each chunk of whole <row> elements is read by calamine (reader.RowsReader), computed by the
  same code as a grid (recalc.compute_rows) and patched (xlsx_patch.sheet.SheetPatcher.for_rows) in a
  worker; the main process takes the chunks back in order and deflates them (xlsx_patch.stream).
* Two rules look across rows and are settled after the pass. COMP-TM's cap is shared by a buyer's
  Tmall payments within 24 h: each chunk merges it over its own rows and reports them; the cap is then
  merged over the whole sheet, and if that changes any row (a buyer's payments fell into two chunks)
  the pass runs again with the merged amounts. A 状态 column holding words that are not ours is staff's
  own: a chunk that sees one says so, and the pass runs again without writing 状态. Both reruns are rare,
  and the file never depends on the chunk size or on the number of workers.

A sheet whose rows lack r="" references (no common writer does that) is computed whole instead.
"""
from __future__ import annotations

import collections
import contextlib
import io
import multiprocessing
import zipfile
from dataclasses import dataclass, field, replace

from addin.core.compensation import MissingInput, compensation_for, merge_tmall_cap
from addin.core.display import display_of
from addin.core.parse import CellError, to_platform, to_reason
from addin.core.repeat import refund_event

from addin.workbook.files.reader import RowsReader, WorkbookReadError
from addin.workbook.commands import cores
from addin.workbook.commands.compute import Job, Part, compute_rows, place_outputs, repeaters_of
from addin.workbook.commands.summary import Summary
from addin.workbook.commands.todo import todo_edits
from addin.workbook.files.session import read_error, write_error
from addin.workbook.sheets.case_sheet import HEADER_OF, CaseSheetError, find_case_header
from addin.workbook.files.xlsx_patch import PatchError, PatchReport, SheetEdit, StreamedSheet
from addin.workbook.files.xlsx_patch.scan import FormulaScan, LayoutScan, worksheet_part
from addin.workbook.files.xlsx_patch.package import Package
from addin.workbook.files.xlsx_patch.sheet import SheetPatcher, widen_dimension
from addin.workbook.sheets.case_rows import case_from_row
from addin.workbook.files.xlsx_patch.refs import COL_BYTES
from addin.workbook.files.xlsx_patch.row_cuts import PackedView, renumbered
from addin.workbook.files.xlsx_patch.stream import NotStreamable, SheetStream, SheetWriter, cell_in, cell_text, column_cells, PassRecord, rows_upto
from addin.workbook.files.xlsx_patch.styles import Styles
from addin.workbook.files.xlsx_patch.tables import sheet_tables

__all__ = ["CHUNK_BYTES", "NotStreamable", "recalc_streamed"]

CHUNK_BYTES = 4 << 20          # sheet XML per chunk (about 4,000 rows of the full template)
PARALLEL_MIN_BYTES = 8 << 20   # a smaller sheet is done in this process (starting workers would cost more)
# texts and run stream a case sheet of at least this much XML (about 115,000 rows as generated, 55,000
# rows once recalculated) and read a smaller one whole: there reading whole costs less CPU (no pass 0
# over the XML, no forked workers; run's message rows computed once) and its memory is still far under
# the 1.5 GB goal (docs/dev/speed.md, "texts and run streamed").
TEXTS_STREAM_MIN_BYTES = 64 << 20
HEADER_ROWS = 15               # the header is looked for in the first rows (case_columns.find_header_row)


@dataclass
class ChunkContext:
    """What every chunk needs; forked workers inherit it."""
    job: Job
    reader: RowsReader
    head: bytes
    sheet: str
    styles: object               # DeferredStyles
    date1904: bool
    header_cells: dict
    # `aftersales run`: the mail merge's part (texts_stream.RunTexts): each chunk's worker holds its
    # message rows back (RunTexts.hold), and the main process merges and writes them (RunTexts.written).
    texts: object = None


@dataclass
class ChunkDone:
    xml: bytes | None            # the patched rows, None when nothing changed
    wanted: list                 # date styles to add (xlsx_patch.styles.DeferredStyles)
    box: tuple | None            # the cells written, for <dimension>
    cells: int
    clipped: int
    part: Part                  # its summary figures (cells not included)
    error: tuple | None = None   # (kind, message): exceptions are sent back as data
    kept: int = 0                # formula cells left alone among the cells to write (texts)
    held: object = None          # `run`: the message rows, not written yet (texts_stream.RunTexts.hold)


_CTX: ChunkContext | None = None


def recalc_streamed(book, case_sheet: str, settings, now, *, progress=None, workers: int = 1,
                    chunk_bytes: int = CHUNK_BYTES) -> Summary:
    """Compute and write the case sheet of the open `book` (a session.Book) chunk by chunk; the
    Summary as recalc's. Raises NotStreamable (nothing written) for a sheet to be computed whole."""
    summary, edit, styles, clipped = compute_streamed(book, case_sheet, settings, now, progress=progress,
                                                      workers=workers, chunk_bytes=chunk_bytes)
    edits = {case_sheet: edit, **todo_edits(book, summary, case_sheet, now, display_of(settings.policy))}
    report = book.patch(edits, full_calc_on_load=True, styles=styles)
    summary.written = bool(report.changed_members)
    summary.texts_clipped = report.texts_clipped + clipped
    summary.temps_removed = book.temps_removed
    return summary


def compute_streamed(book, case_sheet: str, settings, now, *, progress=None, workers: int = 1,
                     chunk_bytes: int = CHUNK_BYTES, texts=None):
    """recalc_streamed up to the write: (Summary, the case sheet's SheetEdit, the styles the chunks used,
    texts the chunks clipped). `texts` (texts_stream.RunTexts, for `aftersales run`): the mail merge
    runs in the pass, each chunk's message rows merged in sheet order and written with their texts."""
    opened = open_stream(book, case_sheet, settings, workers, chunk_bytes,
                         messages=texts.scan if texts is not None else None)
    info, styles_xml, date1904, reader, stream = opened.info, opened.styles_xml, opened.date1904, opened.reader, \
        opened.stream
    header, layout, tmall, refunds, pool_size = opened.header, opened.layout, opened.tmall, opened.refunds, \
        opened.pool_size
    last_row = stream.last_row

    # -- the columns, as compute_sheet places them
    policy = settings.policy
    summary = Summary(policy_changes=policy.changed(), now=now)
    summary.note_settings(settings)
    place, new_columns, out_cols, protection = place_outputs(None, header, layout, summary)
    header_cells = {(header.row, c): HEADER_OF[k] for k, c in new_columns.items()}
    try:
        tm_caps = tmall.caps(reader, policy, pool_size, protection.not_case_rows)
    except WorkbookReadError as exc:
        raise book_read_error(book, exc) from None
    job = Job(None, header, list(out_cols.items()), policy, settings.cal, now, protection, settings.reasons,
               display_of(policy), tm_caps=tm_caps, check_status="status" in out_cols, by_row=True,
               repeaters=repeaters_of([e for e in refunds if e.row not in protection.not_case_rows], policy))
    total = max(0, last_row - header.row)
    parallel = workers > 1 and (total >= cores.PARALLEL_MIN_ROWS or pool_size > 1)
    table_columns = place.table_columns
    recalc_headers = [HEADER_OF[k] for k in new_columns]
    if texts is not None:
        texts.prepare(opened, job, recalc_headers)
        header_cells.update(texts.header_cells)
        table_columns = {name: list(heads) for name, heads in table_columns.items()}
        for name, heads in texts.table_columns.items():
            table_columns[name] = table_columns.get(name, []) + heads

    # -- pass 1 (and a rerun when a cross-row rule asks for it). `run`: the mail merge is part of the
    # pass (run_pass, RunTexts.written) and starts afresh in a rerun, so its texts use the rules' final answers.
    while True:
        styles = Styles(styles_xml)
        ctx = ChunkContext(job, reader, stream.head, case_sheet, styles.deferred(), date1904, header_cells, texts)
        done = run_pass(book, info, ctx, styles, chunk_bytes, workers if parallel else 1, progress, total)
        whole = done.whole
        rerun = False
        if job.check_status and whole.foreign_status:
            del out_cols["status"]
            summary.skipped_columns.append(HEADER_OF["status"])
            job = replace(job, out_items=list(out_cols.items()), check_status=False)
            rerun = True
        # The check behind _TmallIndex: the cap merged over every COMP-TM row of the sheet must be what the
        # rows got; if pass 0 missed a row (a spelling only the full reading understands), run again.
        items = whole.tm_items
        merged = merge_tmall_cap([(buyer, paid_at, before) for _, buyer, paid_at, before, _ in items], policy)
        if any(m != item[4] for m, item in zip(merged, items)):
            job = replace(job, tm_caps={item[0]: m for item, m in zip(items, merged)})
            rerun = True
        # Repeat refunders, found in pass 0 from three cells a row (_RefundScan); if the full reading
        # finds otherwise (a spelling only it understands), the pass runs again with its answer.
        repeaters = repeaters_of(whole.refunds, policy)
        if repeaters != (job.repeaters or {}):
            job = replace(job, repeaters=repeaters)
            rerun = True
        if not rerun:
            break

    summary.due_24h = whole.due_24h
    # A totals row with no <row> element at all (an empty Table totals row) is never visited, as in
    # compute_sheet a totals row below the last row with a value.
    unseen = (protection.not_case_rows | protection.aggregate_rows) - done.seen
    summary.totals_rows = sorted(whole.totals_rows + [r for r in unseen if r > header.row])
    summary.formulas_kept = whole.formulas_kept
    summary.take(whole.tally)
    summary.todo = whole.todo
    if progress:
        progress(summary.rows, summary.rows)
    summary.cells_written = done.cells
    if texts is not None:
        texts.formulas_kept = done.kept
    edit = SheetEdit(cells=dict(header_cells), table_columns=table_columns, streamed=done.sheet)
    return summary, edit, styles, done.clipped


class _TmallIndex:
    """COMP-TM's cap is shared by one buyer's Tmall payments within 24 h, and those rows may lie in
    different chunks. Pass 0 reads two or three columns of every row from the XML (平台, 买家, 售后原因,
    with reader.cell_text) and keeps the rows that may take part: a Tmall platform, a buyer, and a reason
    that is late shipment or not known yet. The rows of buyers with more than one such row are then read
    in full and their COMP-TM amounts merged over the whole sheet before any chunk is computed (`caps`).
    recalc_streamed checks the result against every row's amount after the pass."""

    def __init__(self, header, prefix: bytes, sst, reasons):
        self.prefix, self.sst, self.reasons, self.header = prefix, sst, reasons, header
        self.cols = [COL_BYTES[header.inputs[k]] if k in header.inputs else None
                     for k in ("platform", "buyer", "reason", "after_sales_type")]
        self.rows: dict[str, list[tuple[int, bytes]]] = {}
        self._tm: dict[tuple[bytes, bytes], bool] = {}
        self._late: dict[tuple[bytes, bytes], bool] = {}

    def _is(self, cache: dict, test, attrs: bytes, content: bytes) -> bool:
        key = (attrs, content)
        if key not in cache:
            try:
                cache[key] = test(cell_text(attrs, content, self.sst).strip())
            except CellError:
                cache[key] = None
        return cache[key]

    @property
    def scan_columns(self) -> tuple[bytes, ...]:
        """The column whose cells `feed` takes from pass 0's one scan of the chunk (column_cells)."""
        platform, buyer = self.cols[:2]
        return (platform,) if platform is not None and buyer is not None else ()

    def feed(self, body: bytes, cells: dict | None = None) -> dict[str, list[tuple[int, bytes]]]:
        """The candidate rows of a chunk: buyer -> [(row, its XML)]. One regex scan finds the platform
        cells (`cells`: column_cells' answer, shared with pass 0's other scans); the buyer and reason
        cells are looked for only in the Tmall rows."""
        found: dict[str, list[tuple[int, bytes]]] = {}
        platform, buyer, reason, kind = self.cols
        if platform is None or buyer is None:
            return found
        p = self.prefix
        row_open, row_close = b"<" + p + b"row ", b"</" + p + b"row>"
        if cells is None:
            cells = column_cells(body, p, (platform,))
        for r, attrs, content, at in cells[platform]:
            if not self._is(self._tm, _is_tmall, attrs, content):
                continue
            start, end = body.rfind(row_open, 0, at), body.find(row_close, at)
            if reason:
                cell = cell_in(body, p, reason, start, end)
                # the wording may read as late shipment with the row's 售后类型 only (a 原因对照 row for one type)
                kind_cell = cell_in(body, p, kind, start, end) if kind and cell else None
                if cell and self._not_late_with(cell, kind_cell):
                    continue
            cell = cell_in(body, p, buyer, start, end)
            name = cell_text(*cell, self.sst).strip() if cell else ""
            if name:
                found.setdefault(name, []).append((r, body[start:end + len(row_close)]))
        return found

    def merge(self, found: dict) -> None:
        for name, rows in found.items():
            self.rows.setdefault(name, []).extend(rows)

    def _not_late_with(self, cell: tuple[bytes, bytes], kind_cell: tuple[bytes, bytes] | None) -> bool:
        key = (cell, kind_cell)
        if key not in self._late:
            try:
                kind = cell_text(*kind_cell, self.sst).strip() if kind_cell else ""
                text = cell_text(*cell, self.sst).strip()
                self._late[key] = to_reason(text, kind or None, "TM", self.reasons) != "late_shipment"
            except CellError:
                self._late[key] = None
        return self._late[key]

    def caps(self, reader: RowsReader, policy, workers: int, not_cases=frozenset(), wanted=None) -> dict:
        """Row -> its COMP-TM compensation merged over the sheet, for the rows of buyers seen twice
        (read and computed in batches by the workers). `not_cases`: rows that are no cases (totals).
        `wanted` (texts): only the buyers with one of these rows (the rows that may carry a message)."""
        groups = [rows for rows in self.rows.values() if len(rows) > 1]
        if wanted is not None:
            groups = [rows for rows in groups if any(r in wanted for r, _ in rows)]
        linked = sorted(x for rows in groups for x in rows if x[0] not in not_cases)
        self.rows = {}
        batches = (linked[i:i + 1000] for i in range(0, len(linked), 1000))
        items = [item for _, found in in_pool(_tmall_items, batches, (reader, self.header, self.reasons, policy),
                                               workers) for item in found]
        merged = merge_tmall_cap([(b, paid_at, comp) for _, b, paid_at, comp in items], policy)
        return {item[0]: m for item, m in zip(items, merged)}


def _tmall_items(batch: list[tuple[int, bytes]]) -> list:
    """(row, buyer, paid_at, compensation) of the COMP-TM rows among `batch` (rows and their XML)."""
    reader, header, reasons, policy = _CTX
    input_cols = [(key, c - 1) for key, c in header.inputs.items()]
    # renumbered 1, 2, ...: a buyer's payments lie far apart, and calamine reads every row between
    view = PackedView([r for r, _ in batch], reader.read(renumbered(batch, reader.prefix), 1))
    items = []
    memo: dict = {}                 # each distinct value of a column read once, as compute_rows does
    for r, _ in batch:
        values = view[r - 1]
        width = len(values)
        raw = {key: v for key, j in input_cols if j < width and (v := values[j]) is not None and v != ""}
        parsed = case_from_row(raw, reasons, memo)
        if parsed.blank or parsed.problems:
            continue
        try:
            comp = compensation_for(parsed.case, policy)
        except MissingInput:
            continue
        if comp.rule == "COMP-TM" and parsed.case.override is None:
            items.append((r, parsed.case.buyer, parsed.case.paid_at, comp))
    return items


def pool_context():
    """The context in_pool hands the chunks' function (forked workers inherit it)."""
    return _CTX


def _scan_chunk(chunk):
    scan, tmall, refunds, messages = _CTX
    # One regex scan of the chunk for the columns of every feeder (the Tmall platform, the repeat
    # refunders' three, the message columns), instead of one scan each.
    feeders = [f for f in (tmall, refunds, messages) if f is not None]
    columns = tuple(sorted({c for f in feeders for c in f.scan_columns}))
    cells = column_cells(chunk.xml, tmall.prefix, columns)
    return scan.piece(chunk.xml), tmall.feed(chunk.xml, cells), \
        refunds.feed(chunk.xml, cells) if refunds is not None else [], \
        messages.feed(chunk, cells) if messages is not None else None


class _RefundScan:
    """Pass 0's reading of the three cells a repeat refunder needs (买家, 手机号, 退款申请时间), so the
    rows get their 提示 note in the one pass. Numbers (a date's serial) are handed over as numbers."""

    KEYS = ("buyer", "phone", "refund_requested_at")

    def __init__(self, header, prefix: bytes, sst, reasons):
        self.prefix, self.sst, self.reasons = prefix, sst, reasons
        self.cols = {k: COL_BYTES[header.inputs[k]] for k in self.KEYS if k in header.inputs}
        self.header_row = header.row
        self.memo: dict = {}          # each distinct date text read once (case_from_row's batch memo, bounded)

    @property
    def scan_columns(self) -> tuple[bytes, ...]:
        return tuple(self.cols.values()) if "refund_requested_at" in self.cols and len(self.cols) >= 2 else ()

    def feed(self, body: bytes, found: dict | None = None) -> list:
        """The refund events of a chunk (`found`: column_cells' answer for at least scan_columns)."""
        if not self.scan_columns:
            return []
        if found is None:
            found = column_cells(body, self.prefix, self.scan_columns)
        rows: dict[int, dict] = {}
        # The date column first: only its rows are refunds, so only their buyer and phone cells are read.
        for key in ("refund_requested_at", *(k for k in self.cols if k != "refund_requested_at")):
            first = key == "refund_requested_at"
            for r, attrs, content, _ in found[self.cols[key]]:
                if r <= self.header_row or not (first or r in rows):
                    continue
                try:
                    text = cell_text(attrs, content, self.sst)
                except (CellError, ValueError):
                    continue
                if text.strip():
                    rows.setdefault(r, {})[key] = _number_or_text(attrs, text)
        events = []
        for r, raw in rows.items():
            if "refund_requested_at" in raw:
                event = refund_event(r, case_from_row(raw, self.reasons, self.memo).case)
                if event is not None:
                    events.append(event)
        return events


def _number_or_text(attrs: bytes, text: str):
    if b' t="' in attrs and b' t="n"' not in attrs:
        return text
    try:
        return float(text)
    except ValueError:
        return text


@contextlib.contextmanager
def forked_pool(ctx, workers: int):
    """A multiprocessing pool of `workers` forked processes that find `ctx` in _CTX (pool_context), or
    None: one process (workers 1, or no fork: Windows), where the caller runs the tasks itself."""
    global _CTX
    _CTX = ctx
    pool = None
    try:
        if workers > 1:
            try:
                pool = multiprocessing.get_context("fork").Pool(workers)
            except ValueError:          # no fork (Windows): one process
                pool = None
        yield pool
    finally:
        _CTX = None
        if pool is not None:
            pool.terminate()
            pool.join()


def in_pool(fn, tasks, ctx, workers: int):
    """(task, fn(task)) for each task, in order; fn runs in `workers` forked processes (in this one when
    1, or where fork does not exist), which find `ctx` in _CTX. At most 2 tasks per worker are in
    flight, so memory follows the chunk."""
    with forked_pool(ctx, workers) as pool:
        if pool is None:
            for task in tasks:
                yield task, fn(task)
            return
        pending: collections.deque = collections.deque()
        for task in tasks:
            pending.append((task, pool.apply_async(fn, (task,))))
            while len(pending) > 2 * workers:
                task, job = pending.popleft()
                yield task, job.get()
        while pending:
            task, job = pending.popleft()
            yield task, job.get()


def _is_tmall(text: str) -> bool:
    return bool(text) and to_platform(text) == "TM"


@dataclass
class _Pass:
    """A pass over the sheet: the chunks' figures added up as they came (not kept one by one)."""
    whole: Part = field(default_factory=Part)
    cells: int = 0
    clipped: int = 0
    sheet: StreamedSheet | None = None    # None: no cell changed (the member is copied as it is)
    seen: set = field(default_factory=set)   # the rows of interest (totals rows) met in the chunks
    kept: int = 0

    def add(self, done: ChunkDone) -> None:
        self.whole.merge(done.part)         # the chunk's cells are in its XML, not in the part
        self.cells += done.cells
        self.clipped += done.clipped
        self.kept += done.kept


def run_pass(book, info, ctx: ChunkContext, styles: Styles, chunk_bytes: int, workers: int, progress,
              total: int, fn=None, payload=None) -> _Pass:
    """One pass of `fn` (default: recalc's _do_chunk) over the chunks, the result deflated in order.
    `payload(chunk)`: what the main process hands each chunk besides its XML (fn then gets both)."""
    stream = SheetStream(book.data, info, chunk_bytes)
    tasks = stream.chunks() if payload is None else ((chunk, payload(chunk)) for chunk in stream.chunks())
    done_chunks = in_pool(fn or _do_chunk, tasks, ctx, workers)
    if payload is not None:
        done_chunks = _first_of_task(done_chunks)
    if ctx.texts is not None:           # `run`: each chunk's message rows merged in sheet order and written
        done_chunks = ctx.texts.written(done_chunks, ctx)
    return write_pass(book, info, ctx, styles, chunk_bytes, progress, total, stream, done_chunks)


def _first_of_task(done_chunks):
    try:
        for (chunk, _), done in done_chunks:
            yield chunk, done
    finally:
        done_chunks.close()


def write_pass(book, info, ctx: ChunkContext, styles: Styles, chunk_bytes: int, progress, total: int,
               stream: SheetStream, done_chunks) -> _Pass:
    """The chunks of `stream` as `done_chunks` gives them back ((chunk, ChunkDone) in sheet order, a
    generator: closed at the end) deflated in order into the new sheet."""
    result = _Pass()
    watch = ctx.job.protection.not_case_rows | ctx.job.protection.aggregate_rows
    box = None
    writer = None
    unchanged = 0                               # chunks before the first change: not deflated (yet)
    try:
        for chunk, done in done_chunks:
            if done.error:
                raise_chunk_error(book, ctx.sheet, done.error)
            if done.xml is None and writer is None:
                unchanged += 1
            else:
                if writer is None:              # the first change: deflate what came before, as it was
                    writer = SheetWriter()      # its thread starts after the workers were forked
                    replay = SheetStream(book.data, info, chunk_bytes).chunks()
                    for _ in range(unchanged):
                        writer.write(next(replay).xml)
                    replay.close()
                xml = chunk.xml
                if done.xml is not None:
                    xml = styles.resolve(done.xml, done.wanted) if done.wanted else done.xml
                writer.write(xml)
            if done.box:
                box = done.box if box is None else (min(box[0], done.box[0]), min(box[1], done.box[1]),
                                                    max(box[2], done.box[2]), max(box[3], done.box[3]))
            result.add(done)
            if watch:
                result.seen.update(watch.intersection(chunk.rows))
            if progress and chunk.rows:
                progress(min(total, max(0, chunk.rows[-1] - ctx.job.header.row)), total)
        if writer is None:                      # no cell changed: the member is copied as it is
            return result
        writer.write(stream.tail)
        head = widen_dimension(stream.head, stream.prefix, box)
        payload, crc, size = writer.finish(head)
        writer = None
        result.sheet = StreamedSheet(payload, crc, size, result.cells)
        return result
    except (PatchError, ValueError) as exc:
        raise book.patch_error(exc, ctx.sheet) from None
    except OSError as exc:                    # the temp file of the deflated sheet (a full disk)
        raise write_error(book.out_name or book.name, exc) from None
    finally:
        done_chunks.close()
        if writer is not None:
            writer.abandon()


class RowsView:
    """Rows first, first + 1, ... of a chunk, indexed as the whole grid would be (grid[r - 1] is row r)."""
    __slots__ = ("offset", "rows")

    def __init__(self, first: int, rows: list):
        self.offset, self.rows = first - 1, rows

    def __getitem__(self, i: int) -> list:
        i -= self.offset
        return self.rows[i] if 0 <= i < len(self.rows) else []

    def __len__(self) -> int:
        return self.offset + len(self.rows)


def _do_chunk(task) -> ChunkDone:
    ctx: ChunkContext = _CTX
    chunk = task
    try:
        first = chunk.rows[0] if chunk.rows else 1
        grid = ctx.reader.read(chunk.xml, first) if chunk.rows else []
        view = RowsView(first, grid)
        job = replace(ctx.job, grid=view)
        header_row = job.header.row
        part = compute_rows(job, [r for r in chunk.rows if r > header_row], keep_results=ctx.texts is not None)
        rows = part.rows                    # row -> [(col, value)] in column order (Job.by_row)
        part.rows = {}
        held = None
        if ctx.texts is not None:           # `run`: the message rows go back unwritten, to be merged first
            held = ctx.texts.hold(chunk, view, part, rows)
        if ctx.header_cells and chunk.rows and chunk.rows[0] <= header_row <= chunk.rows[-1]:
            rows[header_row] = sorted((c, v) for (_, c), v in ctx.header_cells.items())
        if not rows:
            return ChunkDone(None, [], None, 0, 0, part, held=held)
        patcher = SheetPatcher.for_rows(ctx.head, ctx.sheet, rows, ctx.styles, ctx.date1904, PatchReport())
        xml = patcher.patch_rows(chunk.xml)
        wanted = ctx.styles.take_wanted()
        return ChunkDone(None if xml is chunk.xml else xml, wanted, patcher.box, patcher.n_cells, patcher.clipped,
                         part, held=held)
    except WorkbookReadError as exc:
        return ChunkDone(None, [], None, 0, 0, Part(), ("read", str(exc.cause)))
    except (PatchError, ValueError, TypeError) as exc:
        return ChunkDone(None, [], None, 0, 0, Part(), ("patch", str(exc)))


def raise_chunk_error(book, sheet: str, error: tuple):
    kind, message = error
    if kind == "read":                  # a worker's WorkbookReadError, sent back as its text
        raise book_read_error(book, WorkbookReadError(book.name, RuntimeError(message), sheet))
    raise book.patch_error(PatchError(message), sheet)


def book_read_error(book, exc: WorkbookReadError):
    return read_error(book.name, exc)


@dataclass
class Opened:
    """A case sheet ready to stream: its zip member, header, layout (pass 0), the rows that may share
    a Tmall cap and the repeat refunders' events."""
    info: zipfile.ZipInfo
    styles_xml: bytes | None
    date1904: bool
    reader: RowsReader
    stream: SheetStream              # pass 0's (its head, tail and last row)
    header: object                   # HeaderMap
    layout: object                   # SheetLayout
    tmall: "_TmallIndex"
    refunds: list
    pool_size: int
    # texts and run: the rows that may carry a message (message_scan.MessageScan), ascending; None for recalc
    candidates: list | None = None
    # texts: whether a listed row's 状态 holds words that are not recalc's (staff's own column, maybe)
    staff_status: bool = False
    record: PassRecord | None = None     # `hold`: pass 0's chunks, for a pass that reads the sheet again


def open_stream(book, case_sheet: str, settings, workers: int, chunk_bytes: int, messages=None,
                refunds: bool = True, nothing_to_place=None, hold: int | None = None) -> Opened:
    """The header and pass 0 of a streamed command (recalc, texts, run) on the open `book`. `messages`:
    a factory (header, prefix, shared strings) of the scan that lists the rows that may carry a message;
    `refunds`: whether to look for repeat refunders (their note goes into 提示, which texts never writes);
    `nothing_to_place(header)` (texts): true when the header has every column the command writes, so the
    layout needs no rightmost used column and chunks without a formula are not scanned (FormulaScan);
    `hold` (texts): pass 0 kept as `Opened.record` (its first `hold` bytes of chunks, PassRecord) for a pass
    that reads the sheet again."""
    zf = zipfile.ZipFile(io.BytesIO(book.data))
    try:
        pkg = Package(zf)
        part = worksheet_part(pkg, case_sheet)
        info = zf.getinfo(pkg.member(part))
        styles_xml = pkg.read(pkg.styles_part) if pkg.styles_part and pkg.exists(pkg.styles_part) else None
        sst_part = next((t for typ, t in pkg.rel_targets.values() if typ.endswith("/sharedStrings")), None)
        sst_xml = pkg.read(sst_part) if sst_part and pkg.exists(sst_part) else None
        tables = sheet_tables(pkg, part)
        date1904 = pkg.date1904
    except (PatchError, ValueError, KeyError) as exc:
        raise book.patch_error(exc if isinstance(exc, PatchError) else PatchError(str(exc)), case_sheet) from None
    if messages is not None and info.file_size < TEXTS_STREAM_MIN_BYTES:
        raise NotStreamable("a sheet this small is read whole")

    # -- the header (the first rows)
    try:
        stream = SheetStream(book.data, info, chunk_bytes)
        reader = RowsReader(stream.root_tag, stream.prefix, styles_xml, date1904, sst_xml, book.name, case_sheet)
        first: list[bytes] = []
        for chunk in stream.chunks():
            first.append(rows_upto(chunk.xml, stream.prefix, HEADER_ROWS))
            if not chunk.rows or chunk.rows[-1] >= HEADER_ROWS:
                break
        try:
            head_grid = reader.read(b"".join(first), 1)
        except WorkbookReadError as exc:
            raise book_read_error(book, exc) from None
        try:
            header = find_case_header(head_grid)
        except CaseSheetError as exc:
            raise exc.in_sheet(case_sheet) from None
        # -- pass 0: the layout, and the rows that may share a Tmall cap (chunks scanned by the workers)
        stream = SheetStream(book.data, info, chunk_bytes)
        formulas_only = nothing_to_place is not None and nothing_to_place(header)
        scan = (FormulaScan if formulas_only else LayoutScan)(stream.head, stream.prefix)
        tmall = _TmallIndex(header, stream.prefix, reader.sst, settings.reasons)
        refund_scan = _RefundScan(header, stream.prefix, reader.sst, settings.reasons) if refunds else None
        refunds: list = []
        candidates: list | None = None
        staff_status = False
        msg_scan = None
        if messages is not None:
            msg_scan, candidates = messages(header, stream.prefix, reader.sst), []
        pool_size = workers if workers > 1 and info.file_size >= PARALLEL_MIN_BYTES else 1
        record = PassRecord(hold) if hold is not None else None
        chunks = record.record(stream) if record is not None else stream.chunks()
        for chunk, (scanned, linked, found, listed) in in_pool(_scan_chunk, chunks,
                                                                (scan, tmall, refund_scan, msg_scan), pool_size):
            scan.merge(scanned)
            tmall.merge(linked)
            refunds.extend(found)
            if listed:
                candidates.extend(listed[0])
                staff_status |= listed[1]
        layout = scan.finish(stream.tail)
    except NotStreamable:
        raise
    except (PatchError, ValueError) as exc:
        raise book.patch_error(exc, case_sheet) from None
    layout.add_tables(tables)
    return Opened(info, styles_xml, date1904, reader, stream, header, layout, tmall, refunds, pool_size, candidates,
                  staff_status, record)

