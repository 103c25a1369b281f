"""Mail merge on a case workbook: review replies and SMS per row, checked, plus the 发送队列 outbox.

Templates come from the 模板 sheet (bundled defaults fill any kind it does not define), opted-out
numbers from the 退订名单 sheet. Rule outputs (compensation, deadline, payer) are computed afresh with
the same engine as recalc, so a template never prints a stale amount. Written back like recalc,
through the guarded session: only the case sheet's text columns and the outbox's generated columns
(and, once, an empty 模板 sheet) change; totals rows and formula cells are left alone, and staff
columns right of the outbox's generated block are kept.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from addin.core.policy import DEFAULT_POLICY, Policy
from addin.messages.fields import normalize_phone
from addin.messages.merge import MergeResult, merge_rows
from addin.messages.render import TemplateSet, template_rows
from addin.messages.sms import KINDS_BY_ID, resolve_kind

from .cells import is_blank, to_text
from .protected import place_new_columns
from .recalc import RecalcError, compute_sheet, excel_instant, policy_from_grid, require_case_sheet, same_value
from .rows import output_values
from .schema import MESSAGE_OUTPUTS, POLICY_SHEET_NAMES, HeaderMap, find_sheet, normalise_header
from .session import Book, open_book
from .xlsx_patch import SheetEdit, gc_paused
from .xlsx_patch.layout import SheetLayout

TEMPLATE_SHEET_NAMES = ("模板", "templates")
OUTBOX_SHEET_NAMES = ("发送队列", "outbox")
OPTOUT_SHEET_NAMES = ("退订名单", "opt-out", "optout")
TEMPLATE_HEADER = ("类型", "模板ID", "模板内容(Jinja2)", "说明")
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
            phone = normalize_phone(value)
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


def compute_texts(case_grid: list[list], policy: Policy = DEFAULT_POLICY, templates: TemplateSet | None = None,
                  opted_out: set[str] = frozenset(), now: dt.datetime | None = None, *,
                  layout: SheetLayout | None = None) -> TextsResult:
    """`layout` (from the sheet XML) as for :func:`~addin.workbook.recalc.compute_sheet`: totals rows and
    formula cells are left alone, new columns go right of everything in use (inside the case Table)."""
    with gc_paused():
        return _compute_texts(case_grid, policy, templates or TemplateSet.defaults(), opted_out,
                              now or dt.datetime.now().replace(microsecond=0), layout)


def _compute_texts(case_grid, policy, templates, opted_out, now, layout) -> TextsResult:
    sheet = compute_sheet(case_grid, policy, now=now, layout=layout)
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
    results = merge_rows(rows, templates, policy, now=now, opted_out=opted_out)

    outbox = [list(OUTBOX_HEADER)]
    counts = {"rows": len(case_rows), "replies": 0, "sms": 0, "ready": 0, "errors": 0}
    for r, row, res in zip(case_rows, rows, results):
        values = {
            "review_route": res.review_route, "reply_text": res.reply_text, "reply_verdict": res.reply_verdict,
            "reply_reasons": res.reply_reasons_text or None, "sms_text": res.sms_text, "sms_chars": res.sms_chars,
            "sms_parts": res.sms_parts, "sms_verdict": res.sms_verdict, "sms_reasons": res.sms_reasons_text or None,
            "planned_send_at": excel_instant(res.planned_send_at) if res.planned_send_at else None,
        }
        _write_changed(cells, r, case_grid[r - 1], out_columns, values)
        counts["replies"] += res.reply_text is not None
        counts["sms"] += res.sms_text is not None
        counts["errors"] += "ERROR" in (res.reply_verdict, res.sms_verdict)
        if res.ok_to_send:
            counts["ready"] += 1
            order_col = header.inputs.get("order_id")
            outbox.append([(case_grid[r - 1][order_col - 1] or None) if order_col else None,
                           normalize_phone(row["phone"]) if "phone" in row else None, KINDS_BY_ID[res.sms_kind].zh,
                           res.sms_text, res.sms_chars, res.sms_parts, res.planned_send_at, res.sms_verdict,
                           res.sms_reasons_text or None, r])
    merged = dict(zip(case_rows, results))
    counts["formulas_kept"] = sum(1 for key in kept if key in cells)
    for key in kept:                   # a formula in a text column is never overwritten
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
class _Loaded:
    names: list[str]
    case: str
    grids: dict[str, list[list]]
    policy: Policy
    templates: TemplateSet
    opted_out: set[str]
    template_sheet: str | None
    outbox_sheet: str | None
    layout: SheetLayout


def _load(book: Book) -> _Loaded:
    names = book.sheet_names
    case = require_case_sheet(names, book.name)
    wanted = {k: find_sheet(names, v) for k, v in (("policy", POLICY_SHEET_NAMES), ("templates", TEMPLATE_SHEET_NAMES),
                                                    ("optout", OPTOUT_SHEET_NAMES), ("outbox", OUTBOX_SHEET_NAMES))}
    grids = book.read([case] + [n for n in wanted.values() if n], empty="")
    policy, _ = policy_from_grid(grids[wanted["policy"]]) if wanted["policy"] else (DEFAULT_POLICY, [])
    templates = templates_from_grid(grids.get(wanted["templates"]))
    opted = optouts_from_grid(grids.get(wanted["optout"]))
    return _Loaded(names, case, grids, policy, templates, opted, wanted["templates"], wanted["outbox"],
                   book.layout(case))


def _texts_of(loaded: _Loaded, now) -> TextsResult:
    try:
        return compute_texts(loaded.grids[loaded.case], loaded.policy, loaded.templates, loaded.opted_out, now,
                             layout=loaded.layout)
    except RecalcError as exc:
        raise exc.in_sheet(loaded.case) from None


def generate_texts(path: str | Path, out: str | Path | None = None, *, now: dt.datetime | None = None,
                   wait: float = 0.0) -> dict:
    """`aftersales texts`: fill the reply/SMS columns and rebuild the 发送队列 sheet, losslessly."""
    with open_book(path, out, wait=wait, command="texts") as book:
        loaded = _load(book)
        result = _texts_of(loaded, now)
        outbox_name = loaded.outbox_sheet or "发送队列"
        edits = {loaded.case: SheetEdit(cells=result.cells, table_columns=result.table_columns),
                 outbox_name: SheetEdit(cells=replace_block(loaded.grids.get(loaded.outbox_sheet), result.outbox))}
        # An empty 模板 sheet gets the defaults once, so staff can see and edit them.
        template_grid = loaded.grids.get(loaded.template_sheet) if loaded.template_sheet else None
        if not loaded.template_sheet or not template_grid or len(template_grid) <= 1:
            rows = [list(TEMPLATE_HEADER)] + [list(r) for r in template_rows(loaded.templates)]
            edits[loaded.template_sheet or "模板"] = SheetEdit(cells=replace_block(template_grid, rows))
        book.patch(edits)
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
UPLOAD_PARAMS_HEADER = ("手机号码", "短信签名", "模板类型", "模板参数", "计划发送时间", "订单号")


def export_outbox(path: str | Path, csv_path: str | Path, *, fmt: str = "text", now: dt.datetime | None = None) -> int:
    """`aftersales outbox`: an upload file for a bulk-SMS service with only the messages that passed.

    fmt "text": 手机号码,短信内容 (the full text, signature included) plus order and planned time.
    fmt "params": 手机号码,短信签名,模板类型,模板参数(JSON) for services that send by approved template.
    """
    with open_book(path, write=False, command="outbox") as book:
        loaded = _load(book)
    result = _texts_of(loaded, now)
    book = loaded
    header = result.header
    rows = [list(UPLOAD_PARAMS_HEADER if fmt == "params" else UPLOAD_HEADER)]
    for r, res in sorted(result.merged.items()):
        if not res.ok_to_send:
            continue
        grid_row = book.grids[book.case][r - 1]
        phone = normalize_phone(grid_row[header.inputs["phone"] - 1])
        order = _text(grid_row[header.inputs["order_id"] - 1]) if "order_id" in header.inputs else ""
        if fmt == "params":
            params = {k: _text(grid_row[c - 1]) for k, c in header.inputs.items()
                      if k in ("shop_name", "item_name", "order_id") and not is_blank(grid_row[c - 1])}
            signature = res.sms_text.split("】")[0].lstrip("【") if res.sms_text.startswith("【") else ""
            rows.append([phone, signature, res.sms_kind, json.dumps(params, ensure_ascii=False),
                         res.planned_send_at, order])
        else:
            rows.append([phone, res.sms_text, res.planned_send_at, order])
    write_csv(Path(csv_path), rows)
    return len(rows) - 1


def write_csv(path: Path, rows: list[list]) -> None:
    """The upload file: UTF-8 with BOM (Excel and the SMS sites' importers then read Chinese right),
    times as YYYY-MM-DD HH:MM, blanks empty; written beside the target and renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        for row in rows:
            writer.writerow(["" if v is None else v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime) else v
                             for v in row])
    tmp.replace(path)


def _text(value) -> str:
    """An id or number as staff see it (13800138000.0 -> '13800138000'); blank -> ''."""
    return "" if value is None else to_text(value)
