"""Mail merge on a case workbook: review replies and SMS per row, checked, plus the 发送队列 outbox.

Templates come from the 模板 sheet (bundled defaults fill any kind it does not define), opted-out
numbers from the 退订名单 sheet. Rule outputs (compensation, deadline, payer) are computed afresh with
the same engine as recalc, so a template never prints a stale amount. Written back like recalc,
through the guarded session: only the case sheet's text columns, its 错误 and 状态 (a failed reply or
SMS check is an error of the row; recalc reads the check cells back and writes the same lines), the
outbox's generated columns (and, once, an empty 模板 sheet) change; totals rows and formula cells are
left alone, and staff columns right of the outbox's generated block are kept. Verdicts, routes and
reasons are worded by the workbook's display language.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from addin.core.calendar_cn import WorkCalendar
from addin.core.parse import is_blank, to_phone, to_text
from addin.core.policy import DEFAULT_POLICY, Policy
from addin.core.timeparts import china_now
from addin.messages.history import SendHistory
from addin.messages.merge import MergeResult, merge_rows
from addin.messages.render import TemplateSet, template_rows
from addin.messages.sms import KINDS_BY_ID, resolve_kind

from .approved_templates import APPROVED_HEADER, approved_from_grid
from .protected import place_new_columns
from .recalc import RecalcError, compute_sheet, excel_instant, require_case_sheet, same_value
from .rows import check_lines, output_values
from .schema import MESSAGE_OUTPUTS, HeaderMap, find_sheet, normalise_header
from .sendlog import LOG_SHEET_NAMES, SendLog, read_log
from .session import Book, open_book, save_atomic
from .settings import Settings, load_settings, settings_sheets
from .xlsx_patch import SheetEdit, gc_paused
from .xlsx_patch.layout import SheetLayout

TEMPLATE_SHEET_NAMES = ("模板", "templates")
OUTBOX_SHEET_NAMES = ("发送队列", "outbox")
OPTOUT_SHEET_NAMES = ("退订名单", "opt-out", "optout")
TEMPLATE_HEADER = ("类型", "模板ID", "模板内容(Jinja2)", "说明") + APPROVED_HEADER
OUTBOX_HEADER = ("订单号", "手机号", "短信类型", "短信内容", "字数", "条数", "计划发送时间", "校验结果", "说明", "案件行")
# The deadline kind an SMS speaks of, when it is not simply the row's next deadline.
SMS_DEADLINE = {"insurance_payout": "INS-1", "follow_up": "SLA-1.followup", "payment_reminder": "PAY-TM"}


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


@dataclass
class TextsResult:
    cells: dict[tuple[int, int], object]        # case sheet cells to write
    outbox: list[list]                          # 发送队列 rows, header first
    merged: dict[int, MergeResult]              # sheet row -> result
    header: HeaderMap
    summary: dict = field(default_factory=dict)
    table_columns: dict[str, list[str]] = field(default_factory=dict)   # case Table -> headers it gains


def _merge_row(grid_row: list, columns: list[tuple[str, int]]) -> dict:
    """The row's filled cells by field key ("" and spaces are blank)."""
    width = len(grid_row)
    return {key: v for key, c in columns
            if c <= width and (v := grid_row[c - 1]) is not None and (v.__class__ is not str or v.strip())}


def _add_rule_outputs(row: dict, rules_out: dict) -> None:
    """Fresh rule outputs for templates: {{ compensation }}, {{ payer }}, {{ refund_amount }}, {{ deadline_text }}."""
    for key in ("comp_amount", "ret_payer", "refund"):
        if rules_out.get(key) is not None:
            row[key] = rules_out[key]
    # {{ deadline_text }}: the deadline the SMS is about (the payout for a 运费险理赔 notice), else the next one.
    try:
        kind = resolve_kind(row["sms_kind"]).id if "sms_kind" in row else None
    except ValueError:
        kind = None                    # the merge reports the unknown kind
    at = rules_out.get(f"deadline:{SMS_DEADLINE[kind]}") if kind in SMS_DEADLINE else None
    at = at or rules_out.get("next_deadline")
    if at is not None:
        row["deadline_text"] = f"{at.month}月{at.day}日 {at:%H:%M}前"
        row["deadline_at"] = at                     # ${deadline} in an approved vendor template


def compute_texts(case_grid: list[list], policy: Policy = DEFAULT_POLICY, templates: TemplateSet | None = None,
                  opted_out: set[str] = frozenset(), now: dt.datetime | None = None, *,
                  cal: WorkCalendar | None = None, reasons=None, approved: dict | None = None,
                  history: SendHistory | None = None, resend: bool = False,
                  layout: SheetLayout | None = None) -> TextsResult:
    """``cal`` and ``reasons``: the workbook's 日历 and 原因对照 (see settings.py); ``approved`` (kind ->
    approved vendor template) and ``history`` (the send log) go to merge_rows. ``layout`` (from the
    sheet XML) as for :func:`~addin.workbook.recalc.compute_sheet`: totals rows and formula cells are
    left alone, new columns go right of everything in use (inside the case Table)."""
    with gc_paused():
        return _compute_texts(case_grid, policy, templates or TemplateSet.defaults(), opted_out,
                              now or china_now(), cal, reasons, layout,
                              dict(approved=approved, history=history, resend=resend))


def _compute_texts(case_grid, policy, templates, opted_out, now, cal, reasons, layout, merge_options) -> TextsResult:
    sheet = compute_sheet(case_grid, policy, cal=cal, now=now, reasons=reasons, layout=layout)
    header = sheet.header
    out_columns = dict(header.msg_outputs)
    cells: dict[tuple[int, int], object] = {}
    missing = [col for col in MESSAGE_OUTPUTS if col.key not in out_columns]
    place = place_new_columns(case_grid, header, layout, [col.header for col in missing])
    for i, col in enumerate(missing):
        out_columns[col.key] = place.start + i
        cells[(header.row, place.start + i)] = col.header
    not_cases = set(sheet.summary.totals_rows)
    msg_cols = set(out_columns.values())
    kept = {(r, c) for (r, c) in layout.formula_cells() if r > header.row and c in msg_cols} if layout else set()
    columns = [(k, c) for group in (header.inputs, header.msg_inputs) for k, c in group.items()]
    case_rows, rows = [], []
    for r in range(header.row + 1, len(case_grid) + 1):
        if r in not_cases:
            continue
        row = _merge_row(case_grid[r - 1], columns)
        if not row:       # a blank row: clear texts left from when it had a case
            _write_changed(cells, r, case_grid[r - 1], out_columns, {})
            continue
        if r in sheet.results and ("sms_kind" in row or "review_text" in row or "review_stars" in row):
            _add_rule_outputs(row, output_values(sheet.results[r]))
        case_rows.append(r)
        rows.append(row)
    results = merge_rows(rows, templates, policy, now=now, opted_out=opted_out, **merge_options)
    show = sheet.show
    # 错误 and 状态 as recalc writes them, with the lines for the checks of this run (existing columns only:
    # recalc adds missing ones).
    row_columns = {k: sheet.out_columns[k] for k in ("errors", "status")
                   if k in header.outputs and k in sheet.out_columns}
    cells.update({rc: v for rc, v in sheet.cells.items() if rc[1] in row_columns.values()})
    kept |= {(r, c) for r, cols in sheet.protection.formulas.items() for c in cols if c in row_columns.values()}

    outbox = [list(OUTBOX_HEADER)]
    counts = {"rows": len(case_rows), "replies": 0, "sms": 0, "ready": 0, "errors": 0}
    for r, row, res in zip(case_rows, rows, results):
        values = {
            "review_route": show.route(res.review_route), "reply_text": res.reply_text,
            "reply_verdict": show.verdict(res.reply_verdict), "reply_reasons": show.findings(res.reply_reasons),
            "sms_text": res.sms_text, "sms_chars": res.sms_chars, "sms_parts": res.sms_parts,
            "sms_verdict": show.verdict(res.sms_verdict), "sms_reasons": show.findings(res.sms_reasons),
            "planned_send_at": excel_instant(res.planned_send_at) if res.planned_send_at else None,
        }
        _write_changed(cells, r, case_grid[r - 1], out_columns, values)
        checks = check_lines(values, show)
        if row_columns and checks != sheet.checks.get(r, []):     # the checks changed since the sheet was written
            out = sheet.row_output(r, case_grid[r - 1], checks)
            for rc in [(r, c) for c in row_columns.values()]:
                cells.pop(rc, None)
            _write_changed(cells, r, case_grid[r - 1], row_columns, out)
        counts["replies"] += res.reply_text is not None
        counts["sms"] += res.sms_text is not None
        counts["errors"] += "ERROR" in (res.reply_verdict, res.sms_verdict)
        if res.ok_to_send:
            counts["ready"] += 1
            order_col = header.inputs.get("order_id")
            outbox.append([(case_grid[r - 1][order_col - 1] or None) if order_col else None,
                           to_phone(row["phone"]) if "phone" in row else None, KINDS_BY_ID[res.sms_kind].zh,
                           res.sms_text, res.sms_chars, res.sms_parts, res.planned_send_at, show.verdict(res.sms_verdict),
                           show.findings(res.sms_reasons), r])
    merged = dict(zip(case_rows, results))
    counts["formulas_kept"] = sum(1 for key in kept if key in cells)
    for key in kept:                   # a formula in a text column (or 错误, 状态) is never overwritten
        cells.pop(key, None)
    counts["totals_rows"] = len(not_cases)
    return TextsResult(cells, outbox, merged, header, counts, place.table_columns)


def _write_changed(cells: dict, r: int, current: list, out_columns: dict[str, int], values: dict) -> None:
    """Queue the row's text columns that differ from what the sheet holds (missing values clear)."""
    for key, c in out_columns.items():
        value = values.get(key)
        if not same_value(current[c - 1] if c <= len(current) else None, value):
            cells[(r, c)] = value


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

    def texts(self, now: dt.datetime | None, resend: bool = False) -> TextsResult:
        """Every row's reply and SMS, with the approved vendor templates and the send log's history;
        totals rows and formula cells of the case sheet left alone (its layout)."""
        try:
            return compute_texts(self.grids[self.case], self.policy, self.templates, self.opted_out, now,
                                 cal=self.settings.cal, reasons=self.settings.reasons, approved=self.approved,
                                 history=self.log.history(), resend=resend, layout=self.session.layout(self.case))
        except RecalcError as exc:
            raise exc.in_sheet(self.case) from None

    @property
    def names(self) -> list[str]:
        return self.session.sheet_names

    @property
    def policy(self) -> Policy:
        return self.settings.policy


def load_book(book: Book) -> MergeBook:
    """The sheets the mail merge reads, from the open session `book` (see addin.workbook.session)."""
    names = book.sheet_names
    case = require_case_sheet(names, book.name)
    sheets = settings_sheets(names)
    wanted = {k: find_sheet(names, v) for k, v in (("templates", TEMPLATE_SHEET_NAMES), ("optout", OPTOUT_SHEET_NAMES),
                                                    ("log", LOG_SHEET_NAMES), ("outbox", OUTBOX_SHEET_NAMES))}
    grids = book.read([case] + [n for n in (*wanted.values(), *sheets.values()) if n], empty="")
    settings = load_settings(sheets, grids.__getitem__)
    templates = templates_from_grid(grids.get(wanted["templates"]))
    opted = optouts_from_grid(grids.get(wanted["optout"]))
    approved = approved_from_grid(grids.get(wanted["templates"]))
    return MergeBook(book, case, grids, settings, templates, opted, wanted["templates"], wanted["outbox"], approved,
                     read_log(names, grids, book.source, settings.display))


def generate_texts(path: str | Path, out: str | Path | None = None, *, now: dt.datetime | None = None,
                   wait: float = 0.0) -> dict:
    """`aftersales texts`: fill the reply/SMS columns and rebuild the 发送队列 sheet, losslessly."""
    with open_book(path, out, wait=wait, command="texts") as session:
        book = load_book(session)
        result = book.texts(now)
        outbox_name = book.outbox_sheet or "发送队列"
        edits = {book.case: SheetEdit(cells=result.cells, table_columns=result.table_columns),
                 outbox_name: SheetEdit(cells=replace_block(book.grids.get(book.outbox_sheet), result.outbox))}
        # An empty 模板 sheet gets the defaults once, so staff can see and edit them.
        template_grid = book.grids.get(book.template_sheet) if book.template_sheet else None
        if not book.template_sheet or not template_grid or len(template_grid) <= 1:
            rows = [list(TEMPLATE_HEADER)] + [list(r) for r in template_rows(book.templates)]
            edits[book.template_sheet or "模板"] = SheetEdit(cells=replace_block(template_grid, rows))
        session.patch(edits)
    return result.summary


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


UPLOAD_HEADER = ("手机号码", "短信内容", "计划发送时间", "订单号")
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
