"""Row <-> Case: the one conversion every adapter (headless recalc, buttons, UDFs) uses.

`case_from_row` turns raw cell values keyed by Case field into a Case, collecting a bilingual error
per bad cell; `output_values` turns a CaseResult into the values of the computed columns.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from addin.core.calendar_cn import WorkCalendar
from addin.core.case import Case
from addin.core.deadlines import next_due
from addin.core.engine import CaseResult, compute_cases
from addin.core.policy import Policy
from addin.core.freight import PAYER_ZH
from addin.core.parse import PARSERS, CellError, to_datetime, to_platform, to_reason

from .schema import INPUTS, OUTPUTS, Column

INPUT_BY_KEY: dict[str, Column] = {c.key: c for c in INPUTS}
OUTPUT_KEYS = tuple(c.key for c in OUTPUTS)
REQUIRED = tuple(c for c in INPUTS if c.required)
CASE_FIELDS = frozenset(f.name for f in fields(Case))   # other inputs (退款编号, 售后类型 ...) are checked, not computed on


@dataclass
class RowProblem:
    field: str          # Case field
    zh: str
    en: str


@dataclass
class ParsedRow:
    case: Case
    problems: list[RowProblem] = field(default_factory=list)
    blank: bool = False


def _platform_code(value) -> str | None:
    try:
        return to_platform(value) if value is not None else None
    except CellError:
        return None                    # reported as the platform cell's own problem


def case_from_row(raw: dict[str, object], reasons=None) -> ParsedRow:
    """raw: input key -> cell value as read (str, number, datetime, None).
    reasons: the workbook's 原因对照 rows (a ReasonTable); None = the built-in table only."""
    values: dict[str, object] = {}
    problems: list[RowProblem] = []
    # Blank = None, "" or only spaces (is_blank, inlined: this runs for every filled cell of the batch).
    raw = {k: v for k, v in raw.items() if v is not None and (v.__class__ is not str or v.strip())}
    if not raw:
        return ParsedRow(Case(), blank=True)
    for key, value in raw.items():
        col = INPUT_BY_KEY.get(key)
        if col is None:
            continue
        try:
            if col.kind == "datetime":
                instant, has_time = to_datetime(value)
                values[key] = instant
                if key == "signed_at":
                    values["signed_has_time"] = has_time
            elif col.kind == "reason":        # the wording may depend on the row's 售后类型 and platform
                values[key] = to_reason(value, raw.get("after_sales_type"), _platform_code(raw.get("platform")), reasons)
            else:
                values[key] = PARSERS[col.kind](value)
        except CellError as exc:
            problems.append(RowProblem(key, exc.zh, exc.en))   # long inputs come quoted short (parse.quote)
    for col in REQUIRED:
        if col.key not in values and not any(p.field == col.key for p in problems):
            problems.append(RowProblem(col.key, "必填, 不能为空", "required, cannot be empty"))
    # Cross-field sanity: a parcel cannot be signed for before it was paid.
    if values.get("signed_at") and values.get("paid_at") and values["signed_at"] < values["paid_at"]:
        problems.append(RowProblem("signed_at", "签收时间早于付款时间, 请核对", "signed before it was paid; check the dates"))
    if values.get("returned_amount") is not None and values.get("order_total") is not None \
            and values["returned_amount"] > values["order_total"]:
        problems.append(RowProblem("returned_amount", "退货商品金额大于订单总额", "returned amount exceeds the order total"))
    if not CASE_FIELDS.issuperset(values):
        values = {k: v for k, v in values.items() if k in CASE_FIELDS}
    return ParsedRow(Case(**values), problems)


def compute_parsed(parsed: list[ParsedRow], policy: Policy, cal: WorkCalendar | None = None) -> dict[int, CaseResult]:
    """Results of the rows that parsed cleanly, by index in `parsed` (blank and bad rows get none).
    One batch, so COMP-TM's shared cap sees all of a buyer's rows. `cal`: the workbook's 日历 calendar."""
    ok = [i for i, p in enumerate(parsed) if not p.blank and not p.problems]
    return dict(zip(ok, compute_cases([parsed[i].case for i in ok], policy, cal)))


def _yes_no(flag: bool) -> str:
    return "是" if flag else "否"


def _header_of(field_name: str) -> str:
    col = INPUT_BY_KEY.get(field_name)
    return f"「{col.header}」" if col else field_name


def output_values(result: CaseResult | None, problems_text: str = "", locate=_header_of) -> dict:
    """The computed columns for one row. A row with input problems gets only its error text.

    `locate(field)` names where a missing input lives (the workbook passes the cell address).
    """
    out: dict[str, object] = {k: None for k in OUTPUT_KEYS}
    if result is None:
        out["errors"] = problems_text or None
        return out
    comp = result.compensation
    if comp is not None:
        out["comp_amount"] = comp.amount
        out["comp_rule"] = comp.rule if comp.rule != "-" else None
        out["approval"] = _yes_no(comp.approval) if comp.amount is not None else None
        out["comp_note"] = comp.note or None
    nd = next_due(result.deadlines)        # the earliest, past or not: the sheet reddens overdue ones
    if nd is not None:
        out["next_deadline"] = nd.at
        out["next_deadline_item"] = f"{nd.info.zh} [{nd.kind}]"
    if result.deadlines:
        out["deadlines_all"] = "\n".join(d.text() for d in result.deadlines)
    for d in result.deadlines:
        out.setdefault(f"deadline:{d.kind}", d.at)
    fr = result.freight
    if fr is not None:
        out["out_payer"], out["ret_payer"], out["re_payer"] = (PAYER_ZH[fr.out], PAYER_ZH[fr.ret], PAYER_ZH[fr.re])
        out["seller_pays_buyer"] = fr.seller_pays_buyer
        out["refund"] = fr.refund
        out["freight_rule"] = fr.rule
    notes = [f.text() for f in result.findings if f.level != "ERROR"]
    if fr is not None and fr.note:
        notes.insert(0, fr.note)
    out["warnings"] = "\n".join(notes) or None
    errors = [f.text() for f in result.errors]
    if result.missing:
        names = "、".join(locate(m) for m in result.missing)
        errors.append(f"缺少计算所需的值: {names} / missing input needed by the rule: " + ", ".join(result.missing))
    out["errors"] = "\n".join(errors) or None
    return out


def excel_instant(instant: dt.datetime) -> dt.datetime:
    """24:00 ends are shown in Excel as 23:59:59 of the day itself, so the date column reads right."""
    if instant.time() == dt.time(0):
        return instant - dt.timedelta(seconds=1)
    return instant
