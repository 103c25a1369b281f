"""Mail merge on a case workbook: review replies and SMS per row, checked, plus the 发送队列 outbox.

Templates come from the 模板 sheet (bundled defaults fill any kind it does not define), opted-out
numbers from the 退订名单 sheet. Rule outputs (compensation, deadline, payer) are computed afresh with
the same engine as recalc, so a template never prints a stale amount. Written back like recalc,
through the guarded session: only the case sheet's text columns, its 错误 and 状态 (a failed reply or
SMS check is an error of the row; recalc reads the check cells back and writes the same lines), the
outbox's generated columns (and, once, an empty 模板 sheet) change; totals rows and formula cells are
left alone, and staff columns right of the outbox's generated block are kept beside their message. Verdicts, routes and
reasons are worded by the workbook's display language.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from addin.core.calendar_cn import WorkCalendar
from addin.core.parse import CellError, is_blank, to_phone, to_platform, to_text
from addin.core.policy import DEFAULT_POLICY, Policy
from addin.core.gcpause import gc_paused
from addin.core.timeparts import china_now
from addin.messages.history import SendHistory
from addin.messages.merge import merge_rows
from addin.messages.render import TemplateSet, template_rows

from addin.workbook.sheets.vendor_template_sheet import TEMPLATE_HEADER, approved_from_grid
from addin.workbook.sheets.protected import place_new_columns
from addin.workbook.commands.compute import compute_sheet, picker
from addin.workbook.commands.cores import PARALLEL_MIN_ROWS, balanced, default_workers, run_forked
from addin.workbook.sheets.case_rows import check_lines
from addin.workbook.sheets.case_sheet import CaseSheetError, find_case_header, require_case_sheet
from addin.workbook.sheets.case_columns import MESSAGE_OUTPUTS, OUTPUTS, HeaderMap
from addin.workbook.sheets.catalogue import (LOG_SHEET_NAMES, OPTOUT_SHEET_NAMES, OUTBOX, OUTBOX_SHEET_NAMES, TEMPLATE_SHEET_NAMES,
                                             TEMPLATES, find_sheet, normalise_header)
from addin.workbook.sheets.send_log import SendLog, read_log
from addin.workbook.files.session import Book, open_book, save_atomic
from addin.workbook.sheets.settings import Settings, load_settings, settings_sheets
from addin.workbook.files.xlsx_patch import SheetEdit
from addin.workbook.files.xlsx_patch.scan import SheetLayout
from addin.workbook.commands.texts_rows import (MESSAGE_TRIGGERS, RowReader, TextsResult, add_rule_outputs,
                                                count_result, outbox_line, row_values, write_changed)


def templates_from_grid(grid: list[list] | None) -> TemplateSet:
    """模板 sheet rows (模板ID, 模板内容) over the bundled defaults; a blank content keeps the default."""
    defaults = TemplateSet.defaults()
    if not grid:
        return defaults
    heads = [normalise_header(v) for v in grid[0]]
    id_col = next((i for i, h in enumerate(heads) if h in ("模板id", "template id", "id")), None)
    text_col = next((i for i, h in enumerate(heads) if h.startswith("模板内容") or h in ("template", "内容")), None)
    if id_col is None or text_col is None:
        return defaults
    texts = {str(r[id_col]).strip(): r[text_col] for r in grid[1:]
             if len(r) > max(id_col, text_col) and not is_blank(r[id_col])}
    return defaults.with_overrides(texts)


def optouts_from_grid(grid: list[list] | None) -> set[str]:
    """Every phone number on the 退订名单 sheet (any column; headers and notes are not numbers)."""
    out = set()
    for row in grid or []:
        for value in row:
            if value is None:
                continue
            phone = to_phone(value)
            if len(phone) >= 7 and phone.isdigit():
                out.add(phone)
    return out


def compute_texts(case_grid: list[list], policy: Policy = DEFAULT_POLICY, templates: TemplateSet | None = None,
                  opted_out: set[str] = frozenset(), now: dt.datetime | None = None, *,
                  cal: WorkCalendar | None = None, reasons=None, approved: dict | None = None,
                  history: SendHistory | None = None, resend: bool = False,
                  layout: SheetLayout | None = None, before_recalc: bool = False, workers: int = 1,
                  retry_failed: bool = False) -> TextsResult:
    """``cal`` and ``reasons``: the workbook's 日历 and 原因对照 (see settings.py); ``approved`` (kind ->
    approved vendor template) and ``history`` (the send log) go to merge_rows. ``layout`` (from the
    sheet XML) as for :func:`~addin.workbook.commands.recalc.compute_sheet`: totals rows and formula cells are
    left alone, new columns go right of everything in use (inside the case Table).

    Only the rows with a message (or with texts to clear) are merged, and the rules are computed only
    for them and the Tmall rows that share COMP-TM's cap with them; every other row is left alone.

    ``before_recalc``: a recalc of the whole sheet follows in the same write (``aftersales run``): the
    result's cells are then the text columns only, placed right of the computed columns recalc will
    add, and ``checks`` holds the lines recalc puts into 错误 (compute_sheet's `checks`).

    ``workers`` > 1 splits a big batch over forked processes (see :func:`_merge_parallel`); the result
    is the same either way."""
    with gc_paused():
        return _compute_texts(case_grid, _TextsJob(case_grid, policy, templates or TemplateSet.defaults(), opted_out,
                                                   now or china_now(), cal, reasons, layout,
                                                   dict(approved=approved, history=history, resend=resend,
                                                        retry_failed=retry_failed),
                                                   before_recalc), workers)


@dataclass
class _TextsJob:
    """What every share of the merge needs; forked workers inherit it instead of receiving a copy."""
    grid: list[list]
    policy: Policy
    templates: TemplateSet
    opted_out: set[str]
    now: dt.datetime
    cal: WorkCalendar | None
    reasons: object
    layout: SheetLayout | None
    merge_options: dict
    before_recalc: bool
    header: HeaderMap | None = None
    out_columns: dict[str, int] = field(default_factory=dict)


def _compute_texts(case_grid, job: _TextsJob, workers: int) -> TextsResult:
    header = job.header = find_case_header(case_grid)
    targets = message_rows(case_grid, header)
    # Rules only where a template or 错误 needs them: the message rows, and the Tmall rows that share
    # COMP-TM's cap with them.
    rule_rows = set(targets) | tmall_mates(case_grid, header, targets)
    job.out_columns = dict(header.msg_outputs)
    cells: dict[tuple[int, int], object] = {}
    missing = [col for col in MESSAGE_OUTPUTS if col.key not in job.out_columns]
    table_columns: dict[str, list[str]] = {}
    if missing:                 # placed right of everything in use (and of the columns recalc adds first)
        first = [col.header for col in OUTPUTS if col.key not in header.outputs] if job.before_recalc else []
        place = place_new_columns(case_grid, header, job.layout, first + [col.header for col in missing])
        for i, col in enumerate(missing):
            job.out_columns[col.key] = place.start + len(first) + i
            cells[(header.row, job.out_columns[col.key])] = col.header
        table_columns = {name: heads[len(first):] for name, heads in place.table_columns.items()}
    if workers > 1 and len(rule_rows) >= PARALLEL_MIN_ROWS:
        parts = _merge_parallel(job, targets, rule_rows, workers)
    else:
        parts = [_merge_share(job, targets, rule_rows)]
    outbox_rows = sorted((line for part in parts for line in part.outbox), key=lambda line: line[-1])
    counts = {key: sum(part.summary[key] for part in parts) for key in parts[0].summary}
    counts["totals_rows"] = len(set().union(*(part.totals for part in parts)))
    for part in parts:
        cells.update(part.cells)
    return TextsResult(cells, [list(OUTBOX.header)] + outbox_rows, {r: res for part in parts for r, res in part.merged.items()},
                       header, counts, table_columns, {r: c for part in parts for r, c in part.checks.items()})


@dataclass
class _MergedShare:
    """One share's part of a TextsResult (its rows are no other share's)."""
    cells: dict
    outbox: list[list]                  # 发送队列 lines, the sheet row last
    merged: dict
    summary: dict
    checks: dict
    totals: set[int]


def _merge_share(job: _TextsJob, targets: list[int], rule_rows: set[int]) -> _MergedShare:
    """The rules of `rule_rows` and the merge of `targets` (which must hold every row that shares a buyer,
    a phone number or an order id with one of them: the batch checks look across those rows)."""
    case_grid, header, out_columns = job.grid, job.header, job.out_columns
    # texts writes 错误, 状态 and the text columns, none of which a repeat refunder's note changes; before a
    # recalc (run) only the rules' results are needed here: recalc computes and writes the rows' cells.
    sheet = compute_sheet(case_grid, job.policy, cal=job.cal, now=job.now, reasons=job.reasons, layout=job.layout,
                          rows=rule_rows, repeat_refunders=False, outputs=not job.before_recalc)
    not_cases = set(sheet.summary.totals_rows)
    msg_cols = set(out_columns.values())
    layout = job.layout
    kept = {(r, c) for (r, c) in layout.formula_cells() if r > header.row and c in msg_cols} if layout else set()
    read_row = RowReader([(k, c) for group in (header.inputs, header.msg_inputs) for k, c in group.items()])
    cells: dict[tuple[int, int], object] = {}
    case_rows, rows = [], []
    for r in targets:
        if r in not_cases:
            continue
        row = read_row(case_grid[r - 1])
        if not row:       # a blank row: clear texts left from when it had a case
            write_changed(cells, r, case_grid[r - 1], out_columns, {})
            continue
        if r in sheet.results and ("sms_kind" in row or "review_text" in row or "review_stars" in row):
            add_rule_outputs(row, sheet.results[r])
        case_rows.append(r)
        rows.append(row)
    results = merge_rows(rows, job.templates, job.policy, now=job.now, opted_out=job.opted_out, sheet_rows=case_rows,
                         **job.merge_options)
    show = sheet.show
    # 错误 and 状态 of the target rows as recalc writes them, with the lines for the checks of this run
    # (existing columns only: recalc adds missing ones). Before a recalc, recalc writes them.
    row_columns = {k: sheet.out_columns[k] for k in ("errors", "status")
                   if k in header.outputs and k in sheet.out_columns and not job.before_recalc}
    wanted = set(targets)
    cells.update({rc: v for rc, v in sheet.cells.items() if rc[1] in row_columns.values() and rc[0] in wanted})
    kept |= {(r, c) for r, cols in sheet.protection.formulas.items() for c in cols if c in row_columns.values()}

    outbox = []
    counts = {"rows": 0, "replies": 0, "sms": 0, "ready": 0, "errors": 0}
    all_checks: dict[int, list[str]] = {}
    order_col = header.inputs.get("order_id")
    for r, row, res in zip(case_rows, rows, results):
        values = row_values(res, show)
        write_changed(cells, r, case_grid[r - 1], out_columns, values)
        checks = check_lines(values, show)
        if checks:
            all_checks[r] = checks
        if row_columns and checks != sheet.checks.get(r, []):     # the checks changed since the sheet was written
            out = sheet.row_output(r, case_grid[r - 1], checks)
            for rc in [(r, c) for c in row_columns.values()]:
                cells.pop(rc, None)
            write_changed(cells, r, case_grid[r - 1], row_columns, out)
        count_result(counts, res)
        if res.ok_to_send:
            outbox.append(outbox_line(r, row, res, case_grid[r - 1][order_col - 1] if order_col else None, show))
    counts["formulas_kept"] = sum(1 for key in kept if key in cells)
    for key in kept:                   # a formula in a text column (or 错误, 状态) is never overwritten
        cells.pop(key, None)
    return _MergedShare(cells, outbox, dict(zip(case_rows, results)), counts, all_checks, not_cases)


def _merge_shares(job: _TextsJob, rule_rows: set[int], workers: int) -> list[list[int]]:
    """The rule rows in `workers` shares of about equal size, in sheet order, such that rows sharing a
    buyer (买家: COMP-TM's cap, a duplicate by nickname), a phone number (a duplicate, the vendor's daily
    limit) or an order id (SMS-8's 催付 count) are in one share: no batch check then looks across shares."""
    grid, header = job.grid, job.header
    columns = [(kind, header.inputs.get(key)) for kind, key in (("b", "buyer"), ("p", "phone"), ("o", "order_id"))]
    parent: dict = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            parent[x] = x = parent[parent[x]]
        return x

    for r in rule_rows:
        values = grid[r - 1]
        keys = [r]
        for kind, c in columns:
            v = values[c - 1] if c and c <= len(values) else None
            if not is_blank(v):
                keys.append((kind, to_phone(v) if kind == "p" else to_text(v)))
        first = root(keys[0])
        for key in keys[1:]:
            parent[root(key)] = first
    groups: dict = {}
    for r in rule_rows:
        groups.setdefault(root(r), []).append(r)
    return [share for share in balanced(groups.values(), workers) if share]


def _share_merge(state, i: int) -> _MergedShare:
    job, shares, targets = state
    share = shares[i]
    return _merge_share(job, [r for r in targets if r in share], share)


def _merge_parallel(job: _TextsJob, targets: list[int], rule_rows: set[int], workers: int) -> list[_MergedShare]:
    """The merge split over `workers` processes (this one included), forked so that they see the grid
    without copying it; only their cells and results come back. Where fork does not exist (Windows, the
    browser) it runs in one process."""
    shares = [set(share) for share in _merge_shares(job, rule_rows, workers)]
    state = (job, shares, targets)
    parts = run_forked(_share_merge, state, len(shares), lambda: _share_merge(state, 0)) if len(shares) > 1 else None
    return parts if parts is not None else [_merge_share(job, targets, rule_rows)]


def message_rows(grid: list[list], header: HeaderMap) -> list[int]:
    """The sheet rows the mail merge has work on, in order: a review or an SMS kind is typed, or a
    text column holds something (to refresh, or to clear when the row no longer asks for it)."""
    index = sorted({c - 1 for k, c in (*header.inputs.items(), *header.msg_inputs.items()) if k in MESSAGE_TRIGGERS}
                   | {c - 1 for c in header.msg_outputs.values()})
    if not index:
        return []
    pick = picker(index)
    width = index[-1] + 1
    found = []
    for r, values in enumerate(grid[header.row:], header.row + 1):
        if len(values) >= width:
            cells = pick(values)
            if _BLANKS.issuperset(cells):     # most rows: one C-level test
                continue
        else:
            cells = [values[i] for i in index if i < len(values)]
        if not all(map(is_blank, cells)):
            found.append(r)
    return found


_BLANKS = frozenset({None, ""})


def tmall_mates(grid: list[list], header: HeaderMap, rows) -> set[int]:
    """The Tmall rows of the buyers of the Tmall rows among `rows`. COMP-TM's cap is shared by one
    buyer's Tmall payments within 24 h (addin.core.compensation.merge_tmall_cap), so those rows'
    amounts depend on each other; no other rule looks across rows."""
    pc, bc = header.inputs.get("platform"), header.inputs.get("buyer")
    if not pc or not bc:
        return set()
    data = grid[header.row:]
    platforms = [values[pc - 1] if pc <= len(values) else None for values in data]
    tmall = {v for v in set(platforms) if _is_tmall(v)}
    if not tmall:
        return set()

    def buyer(r: int):
        values = grid[r - 1]
        v = values[bc - 1] if bc <= len(values) else None
        return None if is_blank(v) else to_text(v)        # as case_from_row reads 买家

    first = header.row + 1
    buyers = {buyer(r) for r in rows if platforms[r - first] in tmall} - {None}
    if not buyers:
        return set()
    return {r for r, v in enumerate(platforms, first) if v in tmall and buyer(r) in buyers}


def _is_tmall(value) -> bool:
    if is_blank(value):
        return False
    try:
        return to_platform(value) == "TM"
    except CellError:
        return False


@dataclass
class MergeBook:
    """What the mail merge reads from a book, in one read of its bytes through the session (the send
    log and its journal too). outbox, send and receipts use it as well, so every command sees the same
    settings, templates, opt-outs and history."""
    session: Book
    case: str
    grids: dict[str, list[list]]
    settings: Settings                # 规则, 日历, 原因对照 (recalc reports their bad lines)
    templates: TemplateSet
    opted_out: set[str]
    template_sheet: str | None
    outbox_sheet: str | None
    approved: dict
    log: SendLog
    _layout: SheetLayout | None = field(default=None, repr=False)

    def texts(self, now: dt.datetime | None, resend: bool = False, before_recalc: bool = False,
              workers: int | None = None, retry_failed: bool = False) -> TextsResult:
        """Every row's reply and SMS, with the approved vendor templates and the send log's history;
        totals rows and formula cells of the case sheet left alone (its layout). `before_recalc`: see
        :func:`compute_texts`; `workers`: processes for a big batch (default: the cores, at most 4)."""
        try:
            return compute_texts(self.grids[self.case], self.policy, self.templates, self.opted_out, now,
                                 cal=self.settings.cal, reasons=self.settings.reasons, approved=self.approved,
                                 history=self.log.history(), resend=resend, layout=self.layout,
                                 before_recalc=before_recalc, workers=default_workers(workers),
                                 retry_failed=retry_failed)
        except CaseSheetError as exc:
            raise exc.in_sheet(self.case) from None

    def edits(self, result: TextsResult, case_cells: dict | None = None,
              table_columns: dict[str, list[str]] | None = None) -> dict[str, SheetEdit]:
        """What texts writes: the case sheet's text columns (with `case_cells` and `table_columns` of a
        recalc in the same write first), the 发送队列 block, and the defaults into an empty 模板 sheet."""
        columns = dict(table_columns or {})
        for name, heads in result.table_columns.items():
            columns[name] = columns.get(name, []) + heads
        edits = {self.case: SheetEdit(cells={**(case_cells or {}), **result.cells}, table_columns=columns)}
        edits.update(self.message_sheet_edits(result.outbox))
        return edits

    def message_sheet_edits(self, outbox: list[list]) -> dict[str, SheetEdit]:
        """The 发送队列 block of `outbox` (its lines, header first), and the defaults into an empty 模板 sheet."""
        edits = {self.outbox_sheet or OUTBOX.name: SheetEdit(cells=replace_outbox(self.grids.get(self.outbox_sheet),
                                                                                  outbox))}
        # An empty 模板 sheet gets the defaults once, so staff can see and edit them.
        template_grid = self.grids.get(self.template_sheet) if self.template_sheet else None
        if not self.template_sheet or not template_grid or len(template_grid) <= 1:
            rows = [list(TEMPLATE_HEADER)] + [list(r) for r in template_rows(self.templates)]
            edits[self.template_sheet or TEMPLATES.name] = SheetEdit(cells=replace_block(template_grid, rows))
        return edits

    @property
    def names(self) -> list[str]:
        return self.session.sheet_names

    @property
    def layout(self) -> SheetLayout:
        """The case sheet's formula cells, used columns, merges and Tables (read from its XML once)."""
        if self._layout is None:
            self._layout = self.session.layout(self.case)
        return self._layout

    @property
    def policy(self) -> Policy:
        return self.settings.policy


def load_book(book: Book) -> MergeBook:
    """The sheets the mail merge reads, from the open session `book` (see addin.workbook.files.session)."""
    return _load_book(book)


def load_book_streamed(book: Book) -> MergeBook:
    """load_book without the case sheet, which the streamed texts and run read chunk by chunk: grids
    has no entry for it."""
    return _load_book(book, with_case=False)


def load_book_whole(book: Book, loaded: MergeBook | None = None) -> MergeBook:
    """load_book for `aftersales texts` and `run` on a sheet read whole (below the streaming threshold):
    the case sheet's XML is inflated once and kept for the error cells, the layout and the patch (the
    session's cache: under recalc_stream.TEXTS_STREAM_MIN_BYTES of XML), and its layout defers the cell
    scan, which a sheet without formulas needs only to place missing columns (scan.read_layout_deferred).
    `loaded`: load_book_streamed's answer, already read: only the case sheet is read into it then."""
    if loaded is None:
        merge = _load_book(book, keep_xml=True)
    else:
        grids = {**loaded.grids, **book.read([loaded.case], empty="", keep_xml=True)}
        merge = replace(loaded, grids=grids)
    merge._layout = book.layout_deferred(merge.case)
    return merge


def _load_book(book: Book, with_case: bool = True, keep_xml: bool = False) -> MergeBook:
    names = book.sheet_names
    case = require_case_sheet(names, book.name)
    sheets = settings_sheets(names)
    wanted = {k: find_sheet(names, v) for k, v in (("templates", TEMPLATE_SHEET_NAMES), ("optout", OPTOUT_SHEET_NAMES),
                                                    ("log", LOG_SHEET_NAMES), ("outbox", OUTBOX_SHEET_NAMES))}
    read = ([case] if with_case else []) + [n for n in (*wanted.values(), *sheets.values()) if n]
    grids = book.read(read, empty="", keep_xml=True) if keep_xml else book.read(read, empty="")
    settings = load_settings(sheets, grids.__getitem__)
    templates = templates_from_grid(grids.get(wanted["templates"]))
    opted = optouts_from_grid(grids.get(wanted["optout"]))
    approved = approved_from_grid(grids.get(wanted["templates"]))
    return MergeBook(book, case, grids, settings, templates, opted, wanted["templates"], wanted["outbox"], approved,
                     read_log(names, grids, book.source, settings.display))


def generate_texts(path: str | Path, out: str | Path | None = None, *, now: dt.datetime | None = None,
                   wait: float = 0.0) -> dict:
    """`aftersales texts`: fill the reply/SMS columns and rebuild the 发送队列 sheet, losslessly."""
    from addin.workbook.commands.texts_stream import NotStreamable, texts_streamed

    with gc_paused(), open_book(path, out, wait=wait, command="texts") as session:
        book = load_book_streamed(session)
        try:                   # the case sheet chunk by chunk (texts_stream), as recalc reads it
            done = texts_streamed(session, book, now or china_now(), workers=default_workers(None))
        except NotStreamable:  # a small sheet, or rows without r="": the sheet is read whole
            book = load_book_whole(session, book)
            result = book.texts(now)
            session.patch(book.edits(result))
            return result.summary
        edits = {book.case: done.case_edit, **book.message_sheet_edits(done.result.outbox)}
        session.patch(edits, styles=done.styles)
    return done.result.summary


def replace_block(old: list[list] | None, rows: list[list]) -> dict[tuple[int, int], object]:
    """Cells that make columns 1..N of a sheet read `rows` (N: the widest row), clearing what the old
    block held below or beside them; columns right of N (staff notes) are kept as they are."""
    cells = {(r, c): v for r, row in enumerate(rows, start=1) for c, v in enumerate(row, start=1)}
    width = max((len(row) for row in rows), default=0)
    for r, values in enumerate(old or (), start=1):
        for c, value in enumerate(values[:width], start=1):
            if (r, c) not in cells and not is_blank(value):
                cells[(r, c)] = None
    return cells


def replace_outbox(old: list[list] | None, rows: list[list]) -> dict[tuple[int, int], object]:
    """:func:`replace_block` for 发送队列, whose staff columns (right of the generated ones) stay beside
    their message: a staff row goes with the line of the same 订单号 + 短信类型 in the new block; the notes
    of a message no longer queued move just under the block, in their order (never beside another
    buyer's line); notes on rows without a message stay where they are."""
    cells = replace_block(old, rows)
    width = max((len(row) for row in rows), default=0)
    if not old or not width:
        return cells

    def key(row):
        if not row or is_blank(row[0]):
            return None
        return to_text(row[0]), to_text(row[2]) if len(row) > 2 and not is_blank(row[2]) else ""

    staff = {r: row[width:] for r, row in enumerate(old, start=1)
             if r > 1 and any(not is_blank(v) for v in row[width:])}
    if not staff:
        return cells
    new_rows: dict[tuple, list[int]] = {}
    for r, row in enumerate(rows[1:], start=2):
        new_rows.setdefault(key(row), []).append(r)
    keys = {r: key(old[r - 1][:width]) for r in staff}
    placed = {r: notes for r, notes in staff.items() if keys[r] is None}   # beside no message: where it was
    orphans = []
    for r, notes in staff.items():
        if keys[r] is None:
            continue
        target = new_rows[keys[r]].pop(0) if new_rows.get(keys[r]) else None
        if target is None or target in placed:
            orphans.append(notes)
        else:
            placed[target] = notes
    r = len(rows) + 1
    for notes in orphans:
        while r in placed:
            r += 1
        placed[r] = notes
    for r in set(staff) | set(placed):
        want, had = placed.get(r, []), staff.get(r, [])
        for i in range(max(len(want), len(had))):
            value = want[i] if i < len(want) and not is_blank(want[i]) else None
            before = had[i] if i < len(had) and not is_blank(had[i]) else None
            if before != value:
                cells[(r, width + 1 + i)] = value
    return cells


# Columns Excel must show as text: a CSV cell ="3000012345678901" opens as that text, where a bare
# 16-digit id would turn into 3.00001E+15 and lose its last digits (Microsoft KB Q66033: enter such
# values as ="..." in the text file). The quotes inside are doubled, so any id stays a literal string.
CSV_TEXT_COLUMNS = ("订单号",)


def write_csv(path: Path, rows: list[list]) -> None:
    """The upload file: UTF-8 with BOM (Excel and the SMS sites' importers then read Chinese right),
    times as YYYY-MM-DD HH:MM, blanks empty, order ids as ="..." text; written beside the target and
    renamed into place."""
    text_cols = {i for i, h in enumerate(rows[0]) if h in CSV_TEXT_COLUMNS} if rows else set()

    def save(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            for n, row in enumerate(rows):
                writer.writerow([_csv_value(v, n > 0 and i in text_cols) for i, v in enumerate(row)])

    save_atomic(path, save)


def _csv_value(value, as_text: bool):
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if as_text:
        return '="' + to_text(value).replace('"', '""') + '"'
    return value
