"""Headless bulk recalculation of a saved case workbook: read fast, compute every row, patch back.

read once through the guarded session (addin.workbook.files.session) -> header map -> rows -> Case -> engine
-> output cells -> lossless patch (only the case sheet's XML changes, plus the case Table's part when
it gains columns; written atomically). Rows that are not cases (totals rows) and formula cells in the
computed columns are left alone (addin.workbook.sheets.protected). The Excel buttons call
:func:`compute_sheet` on the values they read from the used range, so both paths produce the same cells.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
from itertools import compress
from operator import itemgetter
import os
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

from addin.core.calendar_cn import WorkCalendar
from addin.core.display import Display, display_of
from addin.core.engine import CaseResult, due_within
from addin.core.parse import is_blank, to_text
from addin.core.policy import DEFAULT_POLICY, Policy
from addin.core.status import ERROR as STATUS_ERROR, STATUSES
from addin.core.timeparts import china_now

from addin.workbook.sheets.protected import Note, Protection, formula_kept, place_new_columns
from addin.workbook.sheets.case_rows import CHECKS, INPUT_BY_KEY, case_from_row, check_lines, compute_parsed, excel_instant, output_values, problem_line
from addin.workbook.sheets.case_columns import CASE_SHEET_NAMES, OUTPUTS, HeaderMap, find_header_row, find_sheet
from addin.workbook.files.session import BookError, open_book
from addin.workbook.sheets.settings import load_settings, settings_sheets
from addin.workbook.sheets.tally import Tally
from addin.workbook.files.xlsx_patch import SheetEdit, col_letter, gc_paused
from addin.workbook.files.xlsx_patch.scan import SheetLayout

__all__ = ["RecalcError", "Summary", "SheetResult", "cell_locator", "compute_sheet", "first_few",
           "foreign_status_column", "recalc", "require_case_sheet", "same_value", "stderr_progress"]


class RecalcError(BookError):
    """The workbook as a whole cannot be processed (no case sheet, no header row, duplicate headers)."""

    def __init__(self, zh: str, en: str, kind: str = "recalc"):
        super().__init__(zh, en, kind)

    def in_sheet(self, sheet: str) -> "RecalcError":
        return RecalcError(f"工作表「{sheet}」: {self.zh}", f"sheet {sheet!r}: {self.en}", self.kind)


def require_case_sheet(names: list[str], book: str = "") -> str:
    """The case sheet, by name or alias only: never "the first sheet" (it may be a raw export)."""
    found = find_sheet(names, CASE_SHEET_NAMES)
    if found is None:
        raise RecalcError(f"找不到案件工作表 (应命名为 {'/'.join(CASE_SHEET_NAMES)}); {book} 中的工作表: {', '.join(names)}",
                          f"no case sheet (it must be named {' / '.join(CASE_SHEET_NAMES)}); sheets in {book}: "
                          f"{', '.join(names)}", "no_sheet")
    return found


@dataclass
class Summary:
    """What recalc did, as of `now`. The figures (overdue, due_today, by_status and the by_* breakdowns)
    are defined in :mod:`addin.workbook.sheets.tally`: each counts the cells recalc wrote (状态, 下一截止,
    赔偿金额, 需店长审批), so the 汇总 sheet's formulas give the same numbers."""
    rows: int = 0                 # non-blank case rows
    computed: int = 0             # rows without errors
    errors: int = 0               # rows with an error (状态 有错误)
    total_compensation: Decimal = Decimal("0.00")
    approvals: int = 0            # rows whose 需店长审批 is 是
    due_24h: int = 0              # rows with an action or alert deadline within 24 h of `now` (any of its deadlines)
    overdue: int = 0              # rows whose 下一截止 is before `now` (as the 汇总 sheet counts them)
    due_today: int = 0            # rows whose 下一截止 is from `now` to the end of today
    by_status: dict = field(default_factory=dict)            # 状态 word -> rows, all five words
    by_platform: dict = field(default_factory=dict)          # typed 平台 -> Figures
    by_reason: dict = field(default_factory=dict)            # typed 售后原因 -> Figures
    by_shop: dict = field(default_factory=dict)              # typed 店铺名 -> Figures
    by_day: dict = field(default_factory=dict)               # date of 下一截止 -> Figures
    now: dt.datetime | None = None                           # the time 状态 was computed at
    policy_changes: dict = field(default_factory=dict)
    policy_errors: list[str] = field(default_factory=list)
    reason_errors: list[str] = field(default_factory=list)   # 原因对照 lines that could not be used
    cells_written: int = 0
    added_columns: list[str] = field(default_factory=list)
    skipped_columns: list[str] = field(default_factory=list)  # computed columns that hold staff's own values
    totals_rows: list[int] = field(default_factory=list)      # rows that are not cases, left alone
    formulas_kept: list[str] = field(default_factory=list)    # computed cells holding a formula, not written
    notes: list[Note] = field(default_factory=list)           # about the sheet as a whole
    texts_clipped: int = 0
    temps_removed: int = 0

    def take(self, tally: Tally) -> None:
        total = tally.total
        self.rows, self.errors, self.computed = total.cases, total.errors, total.cases - total.errors
        self.total_compensation, self.approvals = total.compensation, total.approvals
        self.overdue, self.due_today = total.overdue, total.due_today
        self.by_status = tally.status_counts()
        self.by_platform, self.by_reason, self.by_shop, self.by_day = \
            tally.by_platform, tally.by_reason, tally.by_shop, tally.by_day

    def lines(self) -> list[str]:
        when = f" ({self.now:%Y-%m-%d %H:%M})" if self.now else ""
        out = [f"行数 rows: {self.rows}   已计算 computed: {self.computed}   有错误 with errors: {self.errors}",
               f"赔偿合计 total compensation: ￥{self.total_compensation:,.2f}   需店长审批 needing approval: {self.approvals}",
               f"已逾期 overdue: {self.overdue}   今日到期 due today: {self.due_today}   "
               f"24小时内到期 deadlines due within 24 h: {self.due_24h}{when}",
               "状态 status: " + ", ".join(f"{word} {n}" for word, n in self.by_status.items()),
               "按平台 by platform: " + "; ".join(f"{k} {f.cases}单 ￥{f.compensation:,.2f} 逾期{f.overdue}"
                                                 for k, f in self.by_platform.items()),
               f"写入单元格 cells written: {self.cells_written}"]
        if self.added_columns:
            out.append("新增输出列 added output columns: " + ", ".join(self.added_columns))
        out.extend(f"未写入 not written: 「{h}」列已有不是本工具写的内容, 请改名该列 / the {h} column holds values this "
                   f"tool did not write; rename it" for h in self.skipped_columns)
        if self.totals_rows:
            out.append(f"合计行未改动 totals rows left alone: {len(self.totals_rows)} (行 rows {first_few(self.totals_rows)})")
        if self.formulas_kept:
            out.append(f"公式未覆盖 formulas kept in computed columns: {len(self.formulas_kept)} "
                       f"({first_few(self.formulas_kept)})")
        out.extend(note.text() for note in self.notes)
        if self.texts_clipped:
            out.append(f"超长文本已截断 texts cut to Excel's 32,767-character limit: {self.texts_clipped}")
        if self.temps_removed:
            out.append(f"已清理上次中断留下的临时文件 temp files of an interrupted run removed: {self.temps_removed}")
        if self.policy_changes:
            out.append("规则表改动 policy overrides: " + ", ".join(f"{k}={v}" for k, v in self.policy_changes.items()))
        out.extend(f"日历表错误 calendar error: {e}" if e.startswith("日历!") else f"规则表错误 policy error: {e}"
                   for e in self.policy_errors)
        out.extend(f"原因对照表错误 reason sheet error: {e}" for e in self.reason_errors)
        return out


def first_few(items: list, n: int = 8) -> str:
    """'3, 7, 12, … (+40)': a list shortened for one console line."""
    shown = ", ".join(str(x) for x in items[:n])
    return shown + (f", … (+{len(items) - n})" if len(items) > n else "")


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


def cell_locator(header: HeaderMap, r: int):
    """locate(field) for row r: 'H49「实付金额」', or the header and that the column is missing."""
    def addr(field_name: str) -> str:
        col = header.inputs.get(field_name)
        head = INPUT_BY_KEY[field_name].header
        return f"{col_letter(col)}{r}「{head}」" if col else f"「{head}」列不存在"
    return addr


def foreign_status_column(grid: list[list], header: HeaderMap, protection: Protection | None = None) -> bool:
    """Whether the sheet's 状态 column holds anything but our five words: then it is staff's own
    column of that name and recalc leaves it alone. Totals rows (a count of 状态 in a 合计 row) and
    formula cells, which recalc never writes, do not count."""
    c = header.outputs.get("status")
    if c is None:
        return False
    prot = protection or Protection()
    return any(c <= len(values) and _foreign_status_at(r, values, c, prot)
               for r, values in enumerate(grid[header.row:], start=header.row + 1))


def _foreign_status_at(r: int, values: list, c: int, prot: Protection) -> bool:
    """Whether row r's 状态 cell (column c) holds words recalc did not write there."""
    v = values[c - 1]
    return not is_blank(v) and str(v).strip() not in STATUSES and c not in prot.formulas.get(r, ()) \
        and not prot.is_totals_row(r, values)


def same_value(old, new) -> bool:
    """Whether a cell already holds the value (so it need not be rewritten)."""
    if new is None:
        return is_blank(old)
    if isinstance(new, Decimal) and isinstance(old, (int, float)) and not isinstance(old, bool):
        return Decimal(repr(float(old))) == new
    if isinstance(new, dt.datetime) and isinstance(old, dt.datetime):
        return abs((old - new).total_seconds()) < 1
    if type(new) in (int, float) and type(old) in (int, float):    # calamine reads 56 back as 56.0
        return old == new
    return type(old) is type(new) and old == new


def compute_sheet(grid: list[list], policy: Policy = DEFAULT_POLICY, *, cal: WorkCalendar | None = None,
                  now: dt.datetime | None = None, progress: Callable[[int, int], None] | None = None,
                  workers: int = 1, reasons=None, layout: SheetLayout | None = None,
                  rows=None, checks: dict[int, list[str]] | None = None) -> SheetResult:
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
    """
    with gc_paused():
        return _compute_sheet(grid, policy, cal, now or china_now(), progress, workers, reasons, layout, rows,
                              checks)


@dataclass
class _Job:
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


@dataclass
class _Part:
    """One worker's share: cells to write and its part of the summary (the figures in `tally`)."""
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    due_24h: int = 0
    tally: Tally = field(default_factory=Tally)
    results: dict[int, CaseResult] = field(default_factory=dict)
    problems: dict[int, list[str]] = field(default_factory=dict)
    checks: dict[int, list[str]] = field(default_factory=dict)
    totals_rows: list[int] = field(default_factory=list)
    formulas_kept: list[str] = field(default_factory=list)
    tm_items: list = field(default_factory=list)    # (row, buyer, paid_at, COMP-TM before and after the merge)
    foreign_status: bool = False                   # a 状态 cell holds a word that is not ours (check_status)

    def merge(self, other: "_Part") -> None:
        """Add another share's cells and figures to this one."""
        self.cells.update(other.cells)
        self.results.update(other.results)
        self.problems.update(other.problems)
        self.checks.update(other.checks)
        self.tally.merge(other.tally)
        self.due_24h += other.due_24h
        self.totals_rows.extend(other.totals_rows)
        self.formulas_kept.extend(other.formulas_kept)
        self.tm_items.extend(other.tm_items)
        self.foreign_status |= other.foreign_status


PARALLEL_MIN_ROWS = 20_000     # below this, starting a process costs more than it saves


def default_workers(workers: int | None = None) -> int:
    """The processes a command uses for a big sheet: as asked, else the machine's cores (at most 4)."""
    return workers or min(os.cpu_count() or 1, 4)


def find_case_header(grid: list[list]) -> HeaderMap:
    """The header row, or a RecalcError: none found, or two cells naming the same column."""
    header = find_header_row(grid)
    if header is None:
        raise RecalcError("找不到表头行: 前15行中没有包含「订单号」「平台」「售后原因」等列名的行",
                          "no header row: none of the first 15 rows names known columns such as 订单号/平台/售后原因",
                          "no_header")
    if header.duplicates:
        values = grid[header.row - 1]
        pairs_zh, pairs_en = [], []
        for a, b in header.duplicates:
            ra, rb = f"{col_letter(a)}{header.row}", f"{col_letter(b)}{header.row}"
            pairs_zh.append(f"{ra}「{values[a - 1]}」与 {rb}「{values[b - 1]}」")
            pairs_en.append(f"{ra} ({values[a - 1]}) and {rb} ({values[b - 1]})")
        raise RecalcError("表头重复, 同一列出现两次: " + "; ".join(pairs_zh) + "。请删除或改名其中一个",
                          "duplicate headers name the same column: " + "; ".join(pairs_en) + "; delete or rename one",
                          "duplicate_header")
    return header


def place_outputs(grid, header: HeaderMap, layout: SheetLayout | None, summary: Summary):
    """Where the output columns the sheet lacks go (noted in the summary), every output column, and what
    recalc leaves alone. `grid` None: the layout alone tells what is in use (the streamed recalc)."""
    missing = [col for col in OUTPUTS if col.key not in header.outputs]
    place = place_new_columns(grid, header, layout, [col.header for col in missing])
    new_columns = {col.key: place.start + i for i, col in enumerate(missing)}
    summary.added_columns.extend(col.header for col in missing)
    summary.notes.extend(place.notes)
    out_cols = {**header.outputs, **new_columns}
    return place, new_columns, out_cols, Protection.of(layout, header, out_cols.values())


def _compute_sheet(grid, policy, cal, now, progress, workers, reasons, layout, rows=None, checks=None) -> SheetResult:
    header = find_case_header(grid)
    summary = Summary(policy_changes=policy.changed(), now=now)
    place, new_columns, out_cols, protection = place_outputs(grid, header, layout, summary)
    if foreign_status_column(grid, header, protection):
        del out_cols["status"]
        summary.skipped_columns.append(_HEADER_OF["status"])
    cells: dict[tuple[int, int], object] = {(header.row, c): _HEADER_OF[k] for k, c in new_columns.items()}
    show = display_of(policy)
    job = _Job(grid, header, list(out_cols.items()), policy, cal, now, protection, reasons, show, checks)
    row_numbers = range(header.row + 1, len(grid) + 1) if rows is None else \
        sorted(r for r in set(rows) if header.row < r <= len(grid))
    if workers > 1 and len(row_numbers) >= PARALLEL_MIN_ROWS:
        parts = _compute_parallel(job, row_numbers, workers, progress)
    else:
        parts = [_compute_rows(job, row_numbers, progress)]
    whole = _Part(cells=cells)
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
    if progress:
        progress(summary.rows, summary.rows)
    summary.cells_written = len(cells)
    return SheetResult(header, new_columns, cells, summary, results, place.table_columns, problems, checks, show, now,
                       out_cols, protection)


def _compute_rows(job: _Job, row_numbers, progress=None, keep_results: bool = True) -> _Part:
    """Parse, compute and diff the given sheet rows."""
    grid, header, out_items, now, show, prot = job.grid, job.header, job.out_items, job.now, job.show, job.protection
    part = _Part()
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
    pick_olds = _picker(out_idx)                  # the row's computed cells as they are, in one C call
    olds_width = max(out_idx, default=-1) + 1
    horizon = now + dt.timedelta(hours=24)        # due_within's
    group_cols = [header.inputs.get(k) for k in ("platform", "reason", "shop_name")]
    pick_group = _picker([c - 1 for c in group_cols]) if all(group_cols) else None
    group_width = max(filter(None, group_cols), default=0)
    pick_verdicts = _picker(verdict_cols)
    verdict_width = max(verdict_cols, default=-1) + 1
    status_i = header.outputs["status"] - 1 if job.check_status and "status" in header.outputs else None
    memo: dict = {}                     # each distinct cell value of a column is read once (case_from_row)
    for r in row_numbers:
        values = grid[r - 1]
        width = len(values)
        if status_i is not None and status_i < width and not part.foreign_status \
                and _foreign_status_at(r, values, status_i + 1, prot):
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
            for _, c in out_items:
                if c <= width and c not in kept and not is_blank(values[c - 1]):
                    part.cells[(r, c)] = None
            continue
        rows.append(r)
        parsed.append(p)

    caps = None if job.tm_caps is None else {i: job.tm_caps[r] for i, r in enumerate(rows) if r in job.tm_caps}
    items: list = []
    results: dict[int, CaseResult] = {rows[i]: res for i, res in
                                      compute_parsed(parsed, job.policy, job.cal, caps, items).items()}
    for i, buyer, paid_at, before in items:
        part.tm_items.append((rows[i], buyer, paid_at, before, results[rows[i]].compensation))

    cells = part.cells
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
        part.tally.add_row(platform=group[0], reason=group[1], shop=group[2], next_deadline=nd, amount=amount,
                           approval=out_shown["approval"] == "是", status=out_shown["status"], now=now)
        olds = pick_olds(current) if width >= olds_width else [current[i] if i < width else None for i in out_idx]
        if not kept and olds.count("") + olds.count(None) == len(olds):
            # Every computed cell is empty (a first recalc): each value is new. The loop below, shortened.
            for c, value, old in zip(out_cs, map(out.get, out_keys), olds):
                if value is not None and (value != "" or old is None):
                    cells[(r, c)] = excel_instant(value) if value.__class__ is dt.datetime else value
            continue
        for (key, c, i), value, old in zip(out_cols, map(out.get, out_keys), olds):
            if kept and c in kept:
                continue
            if value is None:                      # the common case, kept cheap: 15 columns x every row
                if old is None or old == "" or (old.__class__ is str and not old.strip()):
                    continue
            elif old == "" or old is None:
                if value != "":                    # a new value in an empty cell (a first recalc)
                    cells[(r, c)] = excel_instant(value) if value.__class__ is dt.datetime else value
                    continue
            elif value.__class__ is str and old.__class__ is str:    # a text already there (a re-run)
                if value != old:
                    cells[(r, c)] = value
                continue
            elif value.__class__ is dt.datetime:
                value = excel_instant(value)
            if not same_value(old, value):
                cells[(r, c)] = value
    if keep_results:
        part.results = results
    return part


def _any_filled(values: list, indexes: list[int]) -> bool:
    """Whether any of the cells at `indexes` (some beyond the row's end) holds something but "" or None."""
    width = len(values)
    return any(i < width and values[i] not in ("", None) for i in indexes)


def _picker(indexes: list[int]):
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
            note = formula_kept(ref, _HEADER_OF[key])
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


_HEADER_OF = {c.key: c.header for c in OUTPUTS}


def _shares_by_buyer(job: _Job, row_numbers, workers: int) -> list[list[int]]:
    """Rows in `workers` shares of about equal size, each buyer's rows in one share, in sheet order."""
    buyer = job.header.inputs.get("buyer")
    groups: dict[str, list[int]] = {}
    loose: list[int] = []                      # no buyer: can go anywhere
    for r in row_numbers:
        values = job.grid[r - 1]
        key = values[buyer - 1] if buyer and buyer <= len(values) else None
        if is_blank(key):
            loose.append(r)
        else:
            groups.setdefault(to_text(key), []).append(r)
    return balanced(groups.values(), workers, loose)


def balanced(groups, workers: int, loose=()) -> list[list[int]]:
    """Groups of rows (each kept together) and loose rows dealt into `workers` shares of about equal size,
    each share in sheet order."""
    shares: list[list[int]] = [[] for _ in range(workers)]
    for rows in sorted(groups, key=len, reverse=True):   # biggest first, to the emptiest share
        min(shares, key=len).extend(rows)
    for r in loose:
        min(shares, key=len).append(r)
    return [sorted(share) for share in shares]


_FORKED: tuple | None = None     # (fn, state): what forked workers inherit while run_forked runs


def _forked_call(i: int):
    fn, state = _FORKED
    return fn(state, i)


def run_forked(fn, state, shares: int, mine: Callable[[], object]) -> list | None:
    """[mine(), fn(state, 1), ..., fn(state, shares - 1)]: share 0 is computed here by `mine`, the others
    in forked processes, which inherit `state` instead of receiving a copy (only their results come back).
    None where fork does not exist (Windows, the browser): the caller then computes in one process."""
    global _FORKED
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return None
    _FORKED = (fn, state)
    try:
        with ctx.Pool(shares - 1) as pool:
            pending = [pool.apply_async(_forked_call, (i,)) for i in range(1, shares)]
            first = mine()
            return [first] + [p.get() for p in pending]
    finally:
        _FORKED = None


def _share_part(state, i: int) -> _Part:
    job, shares = state
    return _compute_rows(job, shares[i], keep_results=False)


def _compute_parallel(job: _Job, row_numbers, workers: int, progress) -> list[_Part]:
    """Split the rows over `workers` processes (this one included) and compute the shares at once.

    One buyer's rows stay together, because COMP-TM's cap is shared by a buyer's payments within 24 h;
    no other rule looks across rows. Workers are forked, so they see the grid without copying it, and
    only their cells come back. Where fork does not exist (Windows, the browser) it runs in one process.
    """
    shares = _shares_by_buyer(job, row_numbers, workers)
    size = len(shares[0])
    parts = run_forked(_share_part, (job, shares), workers, lambda: _compute_rows(
        job, shares[0], progress and (lambda done, _: progress(done * workers, size * workers)), keep_results=False))
    return parts if parts is not None else [_compute_rows(job, row_numbers, progress)]


def recalc(path: str | Path, out: str | Path | None = None, *, now: dt.datetime | None = None,
           progress: Callable[[int, int], None] | None = None, workers: int | None = None,
           wait: float = 0.0, chunk_bytes: int | None = None) -> Summary:
    """`aftersales recalc`. workers: processes for big sheets (default: the machine's cores, at most 4).
    wait: seconds to wait for another run of ours on the same book. The case sheet is streamed in
    chunks of about `chunk_bytes` of XML (addin.workbook.commands.recalc_stream; the default suits any size, and the
    file does not depend on it). Raises BookError (RecalcError)."""
    from addin.workbook.commands.recalc_stream import CHUNK_BYTES, NotStreamable, recalc_streamed

    workers = default_workers(workers)
    now = now or china_now()
    with gc_paused(), open_book(path, out, wait=wait, command="recalc") as book:
        names = book.sheet_names
        case_sheet = require_case_sheet(names, book.name)
        sheets = settings_sheets(names)
        grids = book.read([s for s in sheets.values() if s], empty="")
        settings = load_settings(sheets, grids.__getitem__)
        try:
            summary = recalc_streamed(book, case_sheet, settings, now, progress=progress, workers=workers,
                                      chunk_bytes=chunk_bytes or CHUNK_BYTES)
        except NotStreamable:            # rows without r="": the sheet is computed whole
            summary = _recalc_whole(book, case_sheet, settings, now, progress, workers)
        summary.policy_errors = settings.policy_errors
        summary.reason_errors = settings.reason_errors
    return summary


def _recalc_whole(book, case_sheet: str, settings, now, progress, workers) -> Summary:
    grid = book.read([case_sheet], empty="")[case_sheet]
    layout = book.layout(case_sheet)
    try:
        result = compute_sheet(grid, settings.policy, cal=settings.cal, now=now, progress=progress,
                               workers=workers, reasons=settings.reasons, layout=layout)
    except RecalcError as exc:
        raise exc.in_sheet(case_sheet) from None
    # Formulas over the computed columns (the 汇总 sheet, the staff's own) are recalculated when Excel
    # opens it: calcPr fullCalcOnLoad, set once (workbook.xml is not rewritten while it is set).
    report = book.patch({case_sheet: SheetEdit(cells=result.cells, table_columns=result.table_columns)},
                        full_calc_on_load=True)
    result.summary.texts_clipped = report.texts_clipped
    result.summary.temps_removed = book.temps_removed
    return result.summary


def stderr_progress(label: str) -> Callable[[int, int], None]:
    """A one-line progress bar on stderr (redrawn in place on a terminal, milestones otherwise)."""
    tty = sys.stderr.isatty()
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = 100 if total == 0 else done * 100 // total
        if tty:
            bar = "█" * (pct // 4) + "·" * (25 - pct // 4)
            sys.stderr.write(f"\r{label} [{bar}] {done}/{total}")
            if done >= total:
                sys.stderr.write("\n")
        elif pct // 25 != last[0] // 25 or done >= total:
            sys.stderr.write(f"{label}: {done}/{total} ({pct}%)\n")
        last[0] = pct
        sys.stderr.flush()
    return show
