"""The mail merge's rows on a case sheet, shared by texts (the grid read whole, which the buttons use) and
the streamed texts (addin.workbook.commands.texts_stream): a row's merge input with the rule outputs
templates print, the text columns of a merged row, the 发送队列 line of a message ready to send, and
the cells that change."""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter

from addin.core.deadlines import next_due
from addin.core.engine import CaseResult
from addin.core.freight import PAYER_ZH as FREIGHT_PAYER_ZH
from addin.core.parse import to_phone
from addin.messages.merge import MergeResult
from addin.messages.sms import KINDS_BY_ID, resolve_kind

from addin.workbook.sheets.case_columns import HeaderMap
from addin.workbook.sheets.case_rows import excel_instant
from addin.workbook.sheets.case_sheet import same_value

# The deadline kind an SMS speaks of, when it is not simply the row's next deadline.
SMS_DEADLINE = {"insurance_payout": "INS-1", "follow_up": "SLA-1.followup", "payment_reminder": "PAY-TM"}


@dataclass
class TextsResult:
    cells: dict[tuple[int, int], object]        # case sheet cells to write
    outbox: list[list]                          # 发送队列 rows, header first
    merged: dict[int, MergeResult]              # sheet row -> result
    header: HeaderMap
    summary: dict = field(default_factory=dict)
    table_columns: dict[str, list[str]] = field(default_factory=dict)   # case Table -> headers it gains
    checks: dict[int, list[str]] = field(default_factory=dict)          # row -> 错误 lines of its failed checks
    # row -> (手机号 cell, 订单号 cell) of each message ready to go, where the case grid was not read whole
    # (the streamed run); None: outbox.select reads them from the grid.
    ready_cells: dict[int, tuple] | None = None


class RowReader:
    """A row's filled cells by field key ("" and spaces are blank), for the mail merge."""

    def __init__(self, columns: list[tuple[str, int]]):
        self.keys = [k for k, _ in columns]
        self.index = [c - 1 for _, c in columns]
        self.width = max(self.index, default=-1) + 1
        self.pick = itemgetter(*self.index) if len(self.index) > 1 else None

    def __call__(self, values: list) -> dict:
        if self.pick is not None and len(values) >= self.width:
            cells = self.pick(values)            # one C call for the ~70 input columns
        else:
            cells = [values[i] if i < len(values) else None for i in self.index]
        return {k: v for k, v in zip(self.keys, cells)
                if v is not None and v != "" and (v.__class__ is not str or v.strip())}


def add_rule_outputs(row: dict, result: CaseResult) -> None:
    """Fresh rule outputs for templates: {{ compensation }}, {{ payer }}, {{ refund_amount }},
    {{ deadline_text }}; the values output_values gives those columns, taken straight from `result`."""
    comp, fr = result.compensation, result.freight
    if result.stage is not None:
        row["case_stage"] = result.stage          # a finished or closed case gets no reminder (SMS-10)
    if comp is not None and comp.amount is not None:
        row["comp_amount"] = comp.amount
    if fr is not None:
        row["ret_payer"] = FREIGHT_PAYER_ZH[fr.ret]
        if fr.refund is not None:
            row["refund"] = fr.refund
    # {{ deadline_text }}: the deadline the SMS is about (the payout for a 运费险理赔 notice), else the next one.
    try:
        kind = resolve_kind(row["sms_kind"]).id if "sms_kind" in row else None
    except ValueError:
        kind = None                    # the merge reports the unknown kind
    at = next((d.at for d in result.deadlines if d.kind == SMS_DEADLINE[kind]), None) if kind in SMS_DEADLINE else None
    if at is None:
        nd = next_due(result.deadlines)
        at = nd.at if nd is not None else None
    if at is not None:
        row["deadline_text"] = f"{at.month}月{at.day}日 {at:%H:%M}前"
        row["deadline_at"] = at                     # ${deadline} in an approved vendor template


def row_values(res: MergeResult, show) -> dict:
    """The text columns of a merged row, worded by the workbook's display language."""
    return {
        "review_route": show.route(res.review_route), "reply_text": res.reply_text,
        "reply_verdict": show.verdict(res.reply_verdict), "reply_reasons": show.findings(res.reply_reasons),
        "sms_text": res.sms_text, "sms_chars": res.sms_chars, "sms_parts": res.sms_parts,
        "sms_verdict": show.verdict(res.sms_verdict), "sms_reasons": show.findings(res.sms_reasons),
        "planned_send_at": excel_instant(res.planned_send_at) if res.planned_send_at else None,
    }


def count_result(counts: dict, res: MergeResult) -> None:
    """texts' figures (rows, replies, sms, ready, errors) with one merged row added."""
    counts["rows"] += res.reply_verdict is not None or res.sms_verdict is not None
    counts["replies"] += res.reply_text is not None
    counts["sms"] += res.sms_text is not None
    counts["errors"] += "ERROR" in (res.reply_verdict, res.sms_verdict)
    counts["ready"] += res.ok_to_send


def outbox_line(r: int, row: dict, res: MergeResult, order_value, show) -> list:
    """The 发送队列 line of a message ready to send (`order_value`: the 订单号 cell), the sheet row last."""
    return [order_value or None, to_phone(row["phone"]) if "phone" in row else None, KINDS_BY_ID[res.sms_kind].zh,
            res.sms_text, res.sms_chars, res.sms_parts, res.planned_send_at, show.verdict(res.sms_verdict),
            show.findings(res.sms_reasons), r]


# A row gets a review reply when it has stars or a review text, an SMS when it has a kind.
MESSAGE_TRIGGERS = ("review_stars", "review_text", "sms_kind")


def write_changed(cells: dict, r: int, current: list, out_columns: dict[str, int], values: dict) -> None:
    """Queue the row's text columns that differ from what the sheet holds (missing values clear)."""
    width = len(current)
    for key, c in out_columns.items():
        value = values.get(key)
        old = current[c - 1] if c <= width else None
        if value is None and (old is None or old == ""):     # the common case: nothing there, nothing to write
            continue
        if not same_value(old, value):
            cells[(r, c)] = value


def write_changed_from(cells: dict, r: int, olds: tuple, out_columns: dict[str, int], values: dict) -> None:
    """write_changed from the row's text cells alone (`olds`: current[c - 1] for each column of
    `out_columns`, in its order; None past the row's end), which is what `run`'s workers send back."""
    for (key, c), old in zip(out_columns.items(), olds):
        value = values.get(key)
        if value is None and (old is None or old == ""):
            continue
        if not same_value(old, value):
            cells[(r, c)] = value
