"""The case sheet's computed columns from its input cells: grid of values in, cells to write out.

Every command and button computes the rows here: recalc (whole or streamed chunk by chunk), run, texts
(for the rows that carry a message) and the Excel buttons, so each gives the same cells. Totals rows and
formula cells in the computed columns are left alone (addin.workbook.sheets.protected); a big sheet is
split over forked processes (addin.workbook.commands.cores), one buyer's rows in one share.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress
from operator import itemgetter
from typing import Callable

from addin.core.calendar_cn import WorkCalendar
from addin.core.case import PLATFORM_ZH
from addin.core.display import Display, display_of
from addin.core.engine import CaseResult, due_within
from addin.core.gcpause import gc_paused
from addin.core.deadlines import next_due
from addin.core.parse import is_blank
from addin.core.repeat import refund_event, repeat_note, repeat_refunders
from addin.core.policy import DEFAULT_POLICY, Policy
from addin.core.status import ERROR as STATUS_ERROR
from addin.core.timeparts import china_now
from addin.workbook.commands import cores
from addin.workbook.commands.summary import Summary
from addin.workbook.files.xlsx_patch import col_letter
from addin.workbook.files.xlsx_patch.scan import SheetLayout
from addin.workbook.sheets.case_columns import OUTPUTS, HeaderMap
from addin.workbook.sheets.case_rows import CHECKS, case_from_row, check_lines, compute_parsed, excel_instant, \
    output_values, problem_line
from addin.workbook.sheets.case_sheet import HEADER_OF, CaseSheetError, cell_locator, find_case_header, \
    foreign_status_at, foreign_status_column, same_value
from addin.workbook.sheets.protected import Placement, Protection, formula_kept, place_new_columns
from addin.workbook.sheets.tally import Tally
from addin.workbook.sheets.todo_sheet import TodoItem


@dataclass
class SheetResult:
    header: HeaderMap
    new_columns: dict[str, int]               # output key -> column appended after the last header
    cells: dict[tuple[int, int], object]      # (row, col) -> value to write
    summary: Summary
    results: dict[int, CaseResult]            # sheet row -> result, for rows that computed
    table_columns: dict[str, list[str]] = field(default_factory=dict)   # case Table -> headers it gains
    problems: dict[int, list[str]] = field(default_factory=dict)   # sheet row -> lines for its unreadable cells
    checks: dict[int, list[str]] = field(default_factory=dict)     # sheet row -> 错误 lines of failed reply/SMS checks
    show: Display = Display()
    now: dt.datetime | None = None
    out_columns: dict[str, int] = field(default_factory=dict)      # output key -> column written (new ones too)
    protection: Protection = field(default_factory=Protection)     # totals rows and formula cells left alone

    def locator(self, r: int):
        return cell_locator(self.header, r)

    def row_output(self, r: int, current: list, checks: list[str]) -> dict:
        """Row r's computed columns as recalc writes them, but with `checks` as the lines of its failed
        reply/SMS checks (the mail merge calls it when a run changed them). Formula cells are noted as
        recalc notes them; the caller leaves them unwritten."""
        out = output_values(self.results.get(r), self.problems.get(r, ()), self.locator(r), show=self.show,
                            now=self.now, checks=checks)
        kept = self.protection.formulas.get(r)
        if kept:
            _keep_formulas(r, out, current, self.out_columns.items(), kept, self.show)
        return out


def compute_sheet(grid: list[list], policy: Policy = DEFAULT_POLICY, *, cal: WorkCalendar | None = None,
                  now: dt.datetime | None = None, progress: Callable[[int, int], None] | None = None,
                  workers: int = 1, reasons=None, layout: SheetLayout | None = None,
                  rows=None, checks: dict[int, list[str]] | None = None,
                  repeat_refunders: bool = True, outputs: bool = True) -> SheetResult:
    """Everything recalc does except file I/O: grid of values in, cells to write out.

    `cal` is the workbook's calendar (:func:`~addin.workbook.sheets.calendar_sheet.calendar_from_grid`);
    None = the holiday packages and the 规则 sheet's overrides.
    reasons: the workbook's 原因对照 table (:func:`reason_table_from_grid`); None = built-in wordings only.
    `layout` (formula cells, used columns, Tables; read from the sheet XML) lets it leave formulas and
    totals rows alone and place new columns right of everything in use; without it only the values are
    known. workers > 1 splits big sheets over forked processes (see :func:`_compute_parallel`); the
    cells are the same either way. Such a result has no per-row `results` (they stay in the workers).
    `rows`: compute (and write) only these sheet rows, e.g. the mail merge's; None = every row.
    `checks`: the 错误 lines of each row's failed reply/SMS checks as a mail merge of this run found them
    (rows not in it: none), instead of reading them back from the sheet's check cells.
    `repeat_refunders`: False skips the scan of every row for repeat refunders (REP-1), whose note goes to
    提示 and 今日待办 only: for a caller that writes neither (texts).
    `outputs`: False gives the rules' `results` and the totals rows only (no cells, checks or figures):
    for run's mail merge, whose recalc then computes and writes every row's cells.
    """
    with gc_paused():
        return _compute_sheet(grid, policy, cal, now or china_now(), progress, workers, reasons, layout, rows,
                              checks, repeat_refunders, outputs)


@dataclass
class Job:
    """What every worker needs; forked workers inherit it instead of receiving a copy."""
    grid: list[list]
    header: HeaderMap
    out_items: list[tuple[str, int]]
    policy: Policy
    cal: WorkCalendar | None
    now: dt.datetime
    protection: Protection
    reasons: object = None          # ReasonTable of the workbook
    show: Display = Display()
    checks: dict | None = None      # row -> failed-check lines from this run's mail merge (None: read the cells)
    # The streamed recalc (addin.workbook.commands.recalc_stream) computes a chunk of rows at a time, so two things
    # that look across rows are handed in or reported: COMP-TM amounts merged over the whole sheet
    # (row -> Compensation; None = merge within these rows) and whether 状态 holds foreign words.
    tm_caps: dict | None = None
    check_status: bool = False
    # The streamed recalc patches row by row: each row's cells as a list of (col, value) in column order
    # (Part.rows), which the patcher takes as they are, instead of the (row, col) dict it would regroup.
    by_row: bool = False
    # Repeat refunders look across rows too: row -> (zh, en) note for 提示, found over the whole sheet
    # (repeaters_of) before the rows are computed, or after a streamed pass that then runs again.
    repeaters: dict | None = None
    outputs: bool = True            # False: the rules' results only (compute_sheet's `outputs`)


@dataclass
class Part:
    """One worker's share: cells to write and its part of the summary (the figures in `tally`)."""
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    rows: dict[int, list] = field(default_factory=dict)   # row -> [(col, value)] in column order (Job.by_row)
    due_24h: int = 0
    tally: Tally = field(default_factory=Tally)
    results: dict[int, CaseResult] = field(default_factory=dict)
    problems: dict[int, list[str]] = field(default_factory=dict)
    checks: dict[int, list[str]] = field(default_factory=dict)
    totals_rows: list[int] = field(default_factory=list)
    formulas_kept: list[str] = field(default_factory=list)
    tm_items: list = field(default_factory=list)    # (row, buyer, paid_at, COMP-TM before and after the merge)
    foreign_status: bool = False                   # a 状态 cell holds a word that is not ours (check_status)
    todo: list = field(default_factory=list)        # TodoItem of each open row overdue or due within 24 h
    refunds: list = field(default_factory=list)     # RefundEvent of each row (repeat refunders)

    def merge(self, other: "Part") -> None:
        """Add another share's cells and figures to this one."""
        self.cells.update(other.cells)
        self.rows.update(other.rows)
        self.results.update(other.results)
        self.problems.update(other.problems)
        self.checks.update(other.checks)
        self.tally.merge(other.tally)
        self.due_24h += other.due_24h
        self.totals_rows.extend(other.totals_rows)
        self.formulas_kept.extend(other.formulas_kept)
        self.tm_items.extend(other.tm_items)
        self.foreign_status |= other.foreign_status
        self.todo.extend(other.todo)
        self.refunds.extend(other.refunds)

def place_outputs(grid, header: HeaderMap, layout: SheetLayout | None, summary: Summary):
    """Where the output columns the sheet lacks go (noted in the summary), every output column, and what
    recalc leaves alone. `grid` None: the layout alone tells what is in use (the streamed recalc)."""
    missing = [col for col in OUTPUTS if col.key not in header.outputs]
    # Nothing to place: where it would go is not asked (on a deferred layout that would scan the sheet).
    place = place_new_columns(grid, header, layout, [col.header for col in missing]) if missing else Placement(None)
    new_columns = {col.key: place.start + i for i, col in enumerate(missing)}
    summary.added_columns.extend(col.header for col in missing)
    summary.notes.extend(place.notes)
    out_cols = {**header.outputs, **new_columns}
    return place, new_columns, out_cols, Protection.of(layout, header, out_cols.values())


def _compute_sheet(grid, policy, cal, now, progress, workers, reasons, layout, rows=None, checks=None,
                   repeat_refunders=True, outputs=True) -> SheetResult:
    header = find_case_header(grid)
    summary = Summary(policy_changes=policy.changed(), now=now)
    place, new_columns, out_cols, protection = place_outputs(grid, header, layout, summary)
    if foreign_status_column(grid, header, protection):
        del out_cols["status"]
        summary.skipped_columns.append(HEADER_OF["status"])
    cells: dict[tuple[int, int], object] = {(header.row, c): HEADER_OF[k] for k, c in new_columns.items()}
    show = display_of(policy)
    job = Job(grid, header, list(out_cols.items()), policy, cal, now, protection, reasons, show, checks,
              repeaters=repeaters_of(scan_refunds(grid, header, reasons, protection), policy) if repeat_refunders
              else None, outputs=outputs)
    row_numbers = range(header.row + 1, len(grid) + 1) if rows is None else \
        sorted(r for r in set(rows) if header.row < r <= len(grid))
    if workers > 1 and len(row_numbers) >= cores.PARALLEL_MIN_ROWS:
        parts = _compute_parallel(job, row_numbers, workers, progress)
    else:
        parts = [compute_rows(job, row_numbers, progress)]
    whole = Part(cells=cells)
    for part in parts:
        whole.merge(part)
    results, problems, checks = whole.results, whole.problems, whole.checks
    summary.due_24h += whole.due_24h
    summary.totals_rows.extend(whole.totals_rows)
    summary.formulas_kept.extend(whole.formulas_kept)
    # Totals rows below the last row with a value (a SUM whose cached value is empty) are never visited.
    summary.totals_rows.extend(r for r in protection.not_case_rows | protection.aggregate_rows if r > len(grid))
    summary.totals_rows.sort()
    summary.take(whole.tally)
    summary.todo = whole.todo
    if progress:
        progress(summary.rows, summary.rows)
    summary.cells_written = len(cells)
    return SheetResult(header, new_columns, cells, summary, results, place.table_columns, problems, checks, show, now,
                       out_cols, protection)


def compute_rows(job: Job, row_numbers, progress=None, keep_results: bool = True) -> Part:
    """Parse, compute and diff the given sheet rows."""
    grid, header, out_items, now, show, prot = job.grid, job.header, job.out_items, job.now, job.show, job.protection
    part = Part()
    by_row = job.by_row
    if by_row:                   # each row's cells come out in column order
        out_items = sorted(out_items, key=itemgetter(1))
    rows, parsed = [], []
    input_cols = [(key, c - 1) for key, c in header.inputs.items()]
    filled_inputs = _filled_inputs(input_cols)
    # The mail merge's verdict/reasons cells: a failed check goes into 错误 too (rows.check_lines).
    check_cols = [(key, header.msg_outputs[key] - 1) for v, r, *_ in CHECKS for key in (v, r) if key in header.msg_outputs]
    verdict_cols = [header.msg_outputs[v] - 1 for v, *_ in CHECKS if v in header.msg_outputs]
    out_cols = [(key, c, c - 1) for key, c in out_items]
    out_keys = [key for key, _ in out_items]
    out_cs = [c for _, c in out_items]
    out_idx = [c - 1 for _, c in out_items]
    pick_olds = picker(out_idx)                  # the row's computed cells as they are, in one C call
    olds_width = max(out_idx, default=-1) + 1
    horizon = now + dt.timedelta(hours=24)        # due_within's
    group_cols = [header.inputs.get(k) for k in ("platform", "shop_name")]   # by reason: the reason the rules used
    pick_group = picker([c - 1 for c in group_cols]) if all(group_cols) else None
    group_width = max(filter(None, group_cols), default=0)
    pick_verdicts = picker(verdict_cols)
    verdict_width = max(verdict_cols, default=-1) + 1
    status_i = header.outputs["status"] - 1 if job.check_status and "status" in header.outputs else None
    memo: dict = {}                     # each distinct cell value of a column is read once (case_from_row)
    for r in row_numbers:
        values = grid[r - 1]
        width = len(values)
        if status_i is not None and status_i < width and not part.foreign_status \
                and foreign_status_at(r, values, status_i + 1, prot):
            part.foreign_status = True
        if r in prot.not_case_rows:
            part.totals_rows.append(r)
            continue
        # Only filled cells go into the row: most of the ~60 input columns are empty on any one case.
        raw = filled_inputs(values) if filled_inputs and width >= filled_inputs.width else None
        if raw is None:
            raw = {key: v for key, i in input_cols if i < width and (v := values[i]) is not None and v != ""}
        p = case_from_row(raw, job.reasons, memo)
        if prot.is_totals(r, values, raw, p):                             # 合计 / 总计 / Total: not a case
            part.totals_rows.append(r)
            continue
        if p.blank:
            # Stale outputs on a row that is now blank are cleared (formulas are kept).
            kept = prot.formulas.get(r, ())
            stale = [(c, None) for _, c in out_items if c <= width and c not in kept and not is_blank(values[c - 1])]
            if stale:
                if by_row:
                    part.rows[r] = stale
                else:
                    part.cells.update(((r, c), v) for c, v in stale)
            continue
        rows.append(r)
        parsed.append(p)
        event = refund_event(r, p.case)
        if event is not None:
            part.refunds.append(event)

    caps = None if job.tm_caps is None else {i: job.tm_caps[r] for i, r in enumerate(rows) if r in job.tm_caps}
    items: list = []
    results: dict[int, CaseResult] = {rows[i]: res for i, res in
                                      compute_parsed(parsed, job.policy, job.cal, caps, items).items()}
    for i, buyer, paid_at, before in items:
        part.tm_items.append((rows[i], buyer, paid_at, before, results[rows[i]].compensation))
    if not job.outputs:
        part.results = results
        return part

    cells, by_rows = part.cells, part.rows
    for n, (r, p) in enumerate(zip(rows, parsed)):
        if progress and n % 1000 == 0:
            progress(n, len(rows))

        current = grid[r - 1]
        width = len(current)
        if job.checks is not None:
            checks = job.checks.get(r, [])
        elif verdict_cols and (_any_filled(current, verdict_cols) if width < verdict_width else
                               (v := pick_verdicts(current)).count("") + v.count(None) != len(v)):
            checks = check_lines({key: current[i] for key, i in check_cols if i < width}, show)
        else:                          # only a failed verdict gives lines: rows with empty verdict cells skip the reading
            checks = []
        if checks and keep_results:
            part.checks[r] = checks
        amount = None
        if p.problems:
            addr = cell_locator(header, r)
            lines = [problem_line(addr(x.field), x, show) for x in p.problems]
            out = output_values(None, lines, show=show, now=now, checks=checks)
            if keep_results:
                part.problems[r] = lines
        else:
            res = results[r]
            if res.missing:                 # only then is a cell named
                out = output_values(res, locate=cell_locator(header, r), show=show, now=now, checks=checks)
            else:
                out = output_values(res, show=show, now=now, checks=checks)
            if res.compensation is not None:
                amount = res.compensation.amount
            if res.deadlines and due_within(res, now, horizon=horizon):
                part.due_24h += 1
            if job.repeaters and r in job.repeaters:
                out["warnings"] = "\n".join(filter(None, [out.get("warnings"), show.pair(*job.repeaters[r])]))
        nd = out["next_deadline"]
        nd = excel_instant(nd) if nd is not None else None
        kept = prot.formulas.get(r)
        if kept:
            part.formulas_kept.extend(_keep_formulas(r, out, current, out_items, kept, show))
            # The figures count what the cells show, so the 汇总 formulas agree: a kept formula's value.
            shown = {key: current[c - 1] if c <= width else None for key, c in out_items if c in kept}
            if "next_deadline" in shown:
                nd = shown["next_deadline"] if isinstance(shown["next_deadline"], dt.datetime) else None
            if "comp_amount" in shown:
                amount = _as_amount(shown["comp_amount"])
            out_shown = {**out, **shown}
        else:
            out_shown = out
        group = pick_group(current) if pick_group and width >= group_width else \
            [current[c - 1] if c and c <= width else None for c in group_cols]
        part.tally.add_row(platform=group[0], reason=out_shown["reason_used"], shop=group[1], next_deadline=nd,
                           amount=amount,
                           approval=out_shown["approval"] == "是", status=out_shown["status"], now=now)
        if nd is not None and nd < horizon and not p.problems:
            part.todo.append(_todo_item(r, p.case, results[r], out_shown, nd, job))
        olds = pick_olds(current) if width >= olds_width else [current[i] if i < width else None for i in out_idx]
        new = []                                   # (col, value) of the cells to write, in out_items' order
        put = new.append
        if not kept and olds.count("") + olds.count(None) == len(olds):
            # Every computed cell is empty (a first recalc): each value is new. The loop below, shortened.
            for c, value, old in zip(out_cs, map(out.get, out_keys), olds):
                if value is not None and (value != "" or old is None):
                    put((c, excel_instant(value) if value.__class__ is dt.datetime else value))
        else:
            for (key, c, i), value, old in zip(out_cols, map(out.get, out_keys), olds):
                if kept and c in kept:
                    continue
                if value is None:                      # the common case, kept cheap: 15 columns x every row
                    if old is None or old == "" or (old.__class__ is str and not old.strip()):
                        continue
                elif old == "" or old is None:
                    if value != "":                    # a new value in an empty cell (a first recalc)
                        put((c, excel_instant(value) if value.__class__ is dt.datetime else value))
                        continue
                elif value.__class__ is str and old.__class__ is str:    # a text already there (a re-run)
                    if value != old:
                        put((c, value))
                    continue
                elif value.__class__ is dt.datetime:
                    value = excel_instant(value)
                if not same_value(old, value):
                    put((c, value))
        if new:
            if by_row:
                by_rows[r] = new
            else:
                for c, value in new:
                    cells[(r, c)] = value
    if keep_results:
        part.results = results
    return part


_LEGS = (("去程", "out_payer"), ("退货", "ret_payer"), ("补发", "re_payer"))


def _todo_item(r: int, case, res: CaseResult, out: dict, nd: dt.datetime, job: Job) -> TodoItem:
    """The 今日待办 line of row r (its 下一截止 `nd` has passed or is within 24 h)."""
    due = next_due(res.deadlines)
    legs = "; ".join(f"{leg}: {out[key]}" for leg, key in _LEGS if out.get(key) not in (None, "", "-"))
    note = job.repeaters.get(r) if job.repeaters else None
    return TodoItem(row=r, at=nd, kind=due.kind if due else "", event=out.get("next_deadline_item") or "",
                    amount=out.get("refund") or case.paid, compensation=_as_amount(out.get("comp_amount")),
                    freight=legs or None, order_id=case.order_id, platform=PLATFORM_ZH.get(case.platform, case.platform),
                    buyer=case.buyer, status=out.get("status"), repeat=note[0] if note else None)


def scan_refunds(grid, header: HeaderMap, reasons=None, protection: Protection | None = None) -> list:
    """The refund events of a whole grid, read from the three cells they need (buyer, phone, 退款申请时间)."""
    cols = [(k, header.inputs[k] - 1) for k in ("buyer", "phone", "refund_requested_at") if k in header.inputs]
    if len(cols) < 2 or "refund_requested_at" not in header.inputs:
        return []
    skip = protection.not_case_rows if protection else ()
    events = []
    for r in range(header.row + 1, len(grid) + 1):
        if r in skip:
            continue
        values = grid[r - 1]
        raw = {k: values[i] for k, i in cols if i < len(values) and values[i] not in (None, "")}
        if "refund_requested_at" not in raw:
            continue
        event = refund_event(r, case_from_row(raw, reasons).case)
        if event is not None:
            events.append(event)
    return events


def repeaters_of(events: list, policy: Policy) -> dict:
    """row -> (zh, en) 提示 note for the rows of repeat refunders (规则: REP-1.refunds within REP-1.days)."""
    days = policy["REP-1.days"]
    found = repeat_refunders(events, policy["REP-1.refunds"], days)
    return {row: repeat_note(who, n, days) for row, (who, n) in found.items()}


def _any_filled(values: list, indexes: list[int]) -> bool:
    """Whether any of the cells at `indexes` (some beyond the row's end) holds something but "" or None."""
    width = len(values)
    return any(i < width and values[i] not in ("", None) for i in indexes)


def picker(indexes: list[int]):
    """values -> tuple of values[i] for i in indexes (itemgetter, which gives a bare value for one index)."""
    if len(indexes) == 1:
        i = indexes[0]
        return lambda values: (values[i],)
    return itemgetter(*indexes) if indexes else (lambda values: ())


class _filled_inputs:
    """input key -> value of a row's filled input cells, picked and filtered in C (itemgetter, compress):
    it runs for every row, and most of the ~60 input cells are empty. An empty cell is "" (calamine) or
    None (Excel, through the buttons)."""
    __slots__ = ("keys", "get", "width", "empty")

    def __new__(cls, input_cols):
        if len(input_cols) < 2:
            return None
        self = object.__new__(cls)
        self.keys = [key for key, _ in input_cols]
        self.get = itemgetter(*[i for _, i in input_cols])
        self.width = max(i for _, i in input_cols) + 1
        self.empty = ""             # the grid's empty cell as last seen, counted first
        return self

    def __call__(self, values: list) -> dict | None:
        picked = self.get(values)
        filled = dict(compress(zip(self.keys, picked), picked))     # the cells whose value is true
        # Falsy cells are empty ("" or None) but for a 0, 0.0 or FALSE typed in one: count the empty ones.
        n = len(filled) + picked.count(self.empty)
        if n == len(picked):
            return filled
        other = None if self.empty == "" else ""
        if n + picked.count(other) == len(picked):
            self.empty = other
            return filled
        return {key: v for key, v in zip(self.keys, picked) if v is not None and v != ""}


def _as_amount(value) -> Decimal | None:
    """A 赔偿金额 cell's number as the sheet shows it (a kept formula's cached value)."""
    if value.__class__ in (int, float):
        return Decimal(repr(float(value)))
    return value if isinstance(value, Decimal) else None


def _keep_formulas(r: int, out: dict, current: list, out_items, kept: dict[int, str], show: Display) -> list[str]:
    """Formula cells among the row's computed cells are not written; where the value we computed differs
    from what the formula shows, the row's 提示 (or, if that is a formula too, 错误, and then 状态 is
    有错误 as for any row whose 错误 is not empty) says so. Returns the references of those cells."""
    by_col = {c: key for key, c in out_items}
    refs, notes = [], []
    for c in sorted(kept):
        key = by_col.get(c)
        if key is None:
            continue
        value = out.get(key)
        if value.__class__ is dt.datetime:
            value = excel_instant(value)
        old = current[c - 1] if c <= len(current) else None
        if not same_value(old, value):
            ref = f"{col_letter(c)}{r}"
            refs.append(ref)
            note = formula_kept(ref, HEADER_OF[key])
            notes.append(show.pair(note.zh, note.en))
    if notes:
        for key in ("warnings", "errors"):
            col = next((c for k, c in out_items if k == key), None)
            if col is not None and col not in kept:
                out[key] = "\n".join(filter(None, [out.get(key), *notes]))
                if key == "errors" and out.get("status") is not None:
                    out["status"] = STATUS_ERROR
                break
    return refs



def _share_part(state, i: int) -> Part:
    job, shares = state
    return compute_rows(job, shares[i], keep_results=False)


def _compute_parallel(job: Job, row_numbers, workers: int, progress) -> list[Part]:
    """Split the rows over `workers` processes (this one included) and compute the shares at once.

    One buyer's rows stay together, because COMP-TM's cap is shared by a buyer's payments within 24 h;
    no other rule looks across rows. Workers are forked, so they see the grid without copying it, and
    only their cells come back. Where fork does not exist (Windows, the browser) it runs in one process.
    """
    shares = cores.shares_by_buyer(job.grid, job.header.inputs.get("buyer"), row_numbers, workers)
    size = len(shares[0])
    parts = cores.run_forked(_share_part, (job, shares), workers, lambda: compute_rows(
        job, shares[0], progress and (lambda done, _: progress(done * workers, size * workers)), keep_results=False))
    return parts if parts is not None else [compute_rows(job, row_numbers, progress)]


def compute_case_sheet(grid: list[list], settings, sheet: str, *, now: dt.datetime, **options) -> SheetResult:
    """settings -> compute -> summary, the step every command and button takes: the case sheet `sheet`
    computed with the workbook's 规则, 日历 and 原因对照 (`settings`, addin.workbook.sheets.settings), and
    the summary noting their unusable lines. `options` as for :func:`compute_sheet`. A CaseSheetError
    names the sheet."""
    try:
        result = compute_sheet(grid, settings.policy, cal=settings.cal, now=now, reasons=settings.reasons, **options)
    except CaseSheetError as exc:
        raise exc.in_sheet(sheet) from None
    result.summary.note_settings(settings)
    return result
