"""Row <-> Case: the one conversion every adapter (headless recalc, buttons, UDFs) uses.

`case_from_row` turns raw cell values keyed by Case field into a Case, collecting a bilingual error
per bad cell; `output_values` turns a CaseResult into the values of the computed columns, worded by
the workbook's :class:`~addin.core.display.Display`, with the row's 状态.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from addin.core.calendar_cn import WorkCalendar
from addin.core.case import REASON_ZH, Case, case_of
from addin.core.deadlines import DEADLINE_KINDS, next_due
from addin.core.display import Display, error_lines, is_error_verdict
from addin.core.engine import CaseResult, compute_cases
from addin.core.policy import FREE_DEFAULT_NAME, Policy
from addin.core.freight import PAYER_ZH
from addin.core.parse import PARSERS, CellError, excel_error, is_excel_error, to_datetime, to_platform, to_reason_match
from addin.core.status import row_status
from addin.core.timeparts import china_now

from addin.workbook.sheets.case_columns import INPUTS, OUTPUTS, Column

INPUT_BY_KEY: dict[str, Column] = {c.key: c for c in INPUTS}
_KIND_OF: dict[str, str] = {c.key: c.kind for c in INPUTS}
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


def _filled(value):
    """The value, or None for a blank one (None, "" or only spaces)."""
    return None if value is None or (value.__class__ is str and not value.strip()) else value


def _parse_cell(key: str, kind: str, value, raw: dict, reasons):
    """One filled input cell read: (value, has_time) for a date, else its value; raises CellError."""
    if kind == "datetime":
        return to_datetime(value)
    if kind == "reason":                    # the wording may depend on the row's 售后类型 and platform
        return to_reason_match(value, _filled(raw.get("after_sales_type")),
                               _platform_code(_filled(raw.get("platform"))), reasons)
    return PARSERS[kind](value)


# Kinds whose reading is cheaper than looking it up (text is a strip; phone numbers are unique per row).
_NOT_REMEMBERED = frozenset({"text", "phone"})
_MEMO_LIMIT = 10_000          # readings remembered per column before the memo starts afresh (memory: a chunk of rows)


def _memo_key(value):
    """A cell value as a dict key that tells 1, 1.0, True and Decimal('1') apart (they compare equal)."""
    return value if value.__class__ is str else (value.__class__, value)


def case_from_row(raw: dict[str, object], reasons=None, memo: dict | None = None) -> ParsedRow:
    """raw: input key -> cell value as read (str, number, datetime, None).
    reasons: the workbook's 原因对照 rows (a ReasonTable); None = the built-in table only.
    memo: a dict the caller keeps over a batch of rows read with the same `reasons`: each distinct
    value of a column (a platform, a reason, a date) is then read once (the parsers are pure)."""
    values: dict[str, object] = {}
    problems: list[RowProblem] = []
    filled = False
    for key, value in raw.items():
        # Blank = None, "" or only spaces (is_blank, inlined: this runs for every filled cell of the batch).
        if value is None:
            continue
        if value.__class__ is str:
            text = value.strip()
            if not text:
                continue
            if text[0] == "#" and is_excel_error(text):      # #N/A, #DIV/0! ...: never read as blank or as text
                filled = True
                exc = excel_error(text)
                problems.append(RowProblem(key, exc.zh, exc.en))
                continue
        filled = True
        kind = _KIND_OF.get(key)
        if kind is None:
            continue
        if kind == "text" and value.__class__ is str:     # to_text, inlined: ids and names on every row
            if key in CASE_FIELDS:
                values[key] = text
            continue
        if memo is None or kind in _NOT_REMEMBERED:
            try:
                got = _parse_cell(key, kind, value, raw, reasons)
            except CellError as exc:
                problems.append(RowProblem(key, exc.zh, exc.en))   # long inputs come quoted short (parse.quote)
                continue
        else:
            k = value if value.__class__ is str else _memo_key(value)
            if kind == "reason":
                k = (k, _memo_key(_filled(raw.get("after_sales_type"))), _memo_key(_filled(raw.get("platform"))))
            seen = memo.get(key)
            if seen is None:
                seen = memo[key] = {}
            got = seen.get(k, seen)
            if got is seen:                   # not read yet in this batch
                if len(seen) > _MEMO_LIMIT:
                    seen.clear()
                try:
                    got = seen[k] = _parse_cell(key, kind, value, raw, reasons)
                except CellError as exc:
                    # kept without traceback or context: those hold this frame, and so this memo, in a
                    # cycle that the paused collector would never free (a worker's memory grew by the sheet)
                    exc.__traceback__ = exc.__context__ = exc.__cause__ = None
                    got = seen[k] = exc
            if isinstance(got, CellError):
                problems.append(RowProblem(key, got.zh, got.en))
                continue
        if key not in CASE_FIELDS:            # other inputs (退款编号, 售后类型 ...) are checked, not computed on
            continue
        if kind == "datetime":
            values[key] = got[0]
            if key == "signed_at":
                values["signed_has_time"] = got[1]
        elif kind == "reason":                # a ReasonMatch: the code, and what 提示 says of the reading
            values[key] = got.reason
            if got.note is not None:
                values["reason_note"] = got.note
        else:
            values[key] = got
    if not filled:
        return ParsedRow(Case(), blank=True)
    for col in REQUIRED:
        if col.key not in values and not any(p.field == col.key for p in problems):
            problems.append(RowProblem(col.key, "必填, 不能为空", "required, cannot be empty"))
    # Cross-field sanity: a parcel cannot be signed for before it was paid.
    if values.get("signed_at") and values.get("paid_at") and values["signed_at"] < values["paid_at"]:
        problems.append(RowProblem("signed_at", "签收时间早于付款时间, 请核对", "signed before it was paid; check the dates"))
    if values.get("returned_amount") is not None and values.get("order_total") is not None \
            and values["returned_amount"] > values["order_total"]:
        problems.append(RowProblem("returned_amount", "退货商品金额大于订单总额", "returned amount exceeds the order total"))
    return ParsedRow(case_of(values), problems)


def compute_parsed(parsed: list[ParsedRow], policy: Policy, cal: WorkCalendar | None = None,
                   tm_caps: dict[int, object] | None = None, tm_items: list | None = None) -> dict[int, CaseResult]:
    """Results of the rows that parsed cleanly, by index in `parsed` (blank and bad rows get none).
    One batch, so COMP-TM's shared cap sees all of a buyer's rows. `cal`: the workbook's 日历 calendar.
    `tm_caps` and `tm_items` as for compute_cases, by index in `parsed`."""
    ok = [i for i, p in enumerate(parsed) if not p.blank and not p.problems]
    caps = None if tm_caps is None else {j: tm_caps[i] for j, i in enumerate(ok) if i in tm_caps}
    items = None if tm_items is None else []
    results = dict(zip(ok, compute_cases([parsed[i].case for i in ok], policy, cal, caps, items)))
    if items:
        tm_items.extend((ok[j], *rest) for j, *rest in items)
    return results


def _yes_no(flag: bool) -> str:
    return "是" if flag else "否"


def _header_of(field_name: str) -> str:
    col = INPUT_BY_KEY.get(field_name)
    return f"「{col.header}」" if col else field_name


def problem_line(where: str, problem: RowProblem, show: Display) -> str:
    """'H49「实付金额」: 无法识别金额 '八十九', 请填数字, 如 89.00': which cell, what is wrong, what to type."""
    return f"{where}: {show.pair(problem.zh, problem.en)}"


MISSING = ("计算需要此值, 请填写", "the rule needs this value; fill it in")
# Inputs with a shop-wide default on the 规则 sheet: the message also names that row.
MISSING_BY_FIELD = {"free_shipping": (
    f"计算需要此值, 请填写; 全店都包邮(或都不包邮)可在「规则」表「{FREE_DEFAULT_NAME}」一行设置",
    f"the rule needs this value; fill it in, or set the shop-wide default in the 规则 sheet row "
    f"「{FREE_DEFAULT_NAME}」")}
_DEADLINE_KEY = {kind: f"deadline:{kind}" for kind in DEADLINE_KINDS}   # output key of each deadline column
_NO_OUTPUTS = dict.fromkeys(OUTPUT_KEYS)      # every computed column empty: each row's output starts as a copy


def output_values(result: CaseResult | None, problems=(), locate=_header_of, *, show: Display = Display(),
                  now: dt.datetime | None = None, checks=()) -> dict:
    """The computed columns for one row. A row with input problems gets only its error text and 状态.

    `problems`: lines naming the unreadable cells (:func:`problem_line`); `checks`: the lines for its
    failed reply/SMS checks (:func:`check_lines`), which go into 错误 too. `locate(field)` names where a
    missing input lives (the workbook passes the cell address). `now` dates 状态 (default: the clock).
    """
    out: dict[str, object] = _NO_OUTPUTS.copy()
    errors = list(problems)
    nd = None
    approval = False
    if result is not None:
        comp = result.compensation
        if comp is not None:
            out["comp_amount"] = comp.amount
            out["comp_rule"] = comp.rule if comp.rule != "-" else None
            out["approval"] = _yes_no(comp.approval) if comp.amount is not None else None
            out["comp_note"] = comp.note or None
            approval = comp.approval and comp.amount is not None
        deadlines = result.deadlines
        if deadlines:
            nd = next_due(deadlines)           # the earliest, past or not: the sheet reddens overdue ones
            if nd is not None:
                out["next_deadline"] = nd.at
                out["next_deadline_item"] = show.deadline_name(nd.kind)
            out["deadlines_all"] = "\n".join(map(show.deadline, deadlines))
            for d in deadlines:
                out.setdefault(_DEADLINE_KEY[d.kind], d.at)
        fr = result.freight
        if fr is not None:
            out["out_payer"], out["ret_payer"], out["re_payer"] = (PAYER_ZH[fr.out], PAYER_ZH[fr.ret], PAYER_ZH[fr.re])
            out["seller_pays_buyer"] = fr.seller_pays_buyer
            out["refund"] = fr.refund
            out["freight_rule"] = fr.rule
        findings = result.findings
        notes = [show.finding(f) for f in findings if f.level != "ERROR"] if findings else []
        if fr is not None and fr.note:
            notes.insert(0, fr.note)
        out["warnings"] = "\n".join(notes) or None
        if findings:
            errors += [show.finding(f, level=False) for f in findings if f.level == "ERROR"]
        if result.missing:
            errors += [f"{locate(m)}: {show.pair(*MISSING_BY_FIELD.get(m, MISSING))}" for m in result.missing]
        out["rule_ids"] = rule_ids(result)
        if result.reason is not None:
            out["reason_used"] = REASON_ZH.get(result.reason, result.reason)
    errors += checks
    out["errors"] = "\n".join(errors) or None
    if result is not None or errors:
        out["status"] = row_status(bool(errors), nd.at if nd else None, approval, now or china_now(),
                                   stage=result.stage if result is not None else None)
    return out


def rule_ids(result: CaseResult) -> str | None:
    """规则编号, the audit column: the rule ids behind 全部时限, 提示 and 错误, line for line in the order
    those columns list them (提示 after its freight note, whose rule is 运费规则), plus the rule a
    manual amount replaced. Ids stay out of the texts staff read; this column keeps them."""
    parts = []
    comp = result.compensation
    if comp is not None and comp.rule == "MANUAL" and comp.computed_rule not in (None, "-"):
        parts.append(f"手工金额替代: {comp.computed_rule}")
    if result.stage_rule is not None:
        parts.append(f"阶段: {result.stage_rule}")
    if result.deadlines:
        parts.append(f"全部时限: {', '.join([d.kind for d in result.deadlines])}")
    findings = result.findings
    if findings:
        groups = (("提示", [f.rule for f in findings if f.level != "ERROR"]),
                  ("错误", [f.rule for f in findings if f.level == "ERROR"]))
        parts += [f"{label}: {', '.join(ids)}" for label, ids in groups if ids]
    return "; ".join(parts) or None


# The mail merge's verdict and reasons columns whose failures also go into 错误: (verdict key, reasons
# key, what is checked (zh, en), the reasons column's header).
CHECKS = (("reply_verdict", "reply_reasons", ("回复", "reply"), "回复校验说明"),
          ("sms_verdict", "sms_reasons", ("短信", "SMS"), "短信校验说明"))


def check_lines(cells, show: Display) -> list[str]:
    """The 错误 lines for the row's failed reply and SMS checks, from the cells the mail merge wrote
    (`cells`: message output key -> value). `aftersales texts` calls it with the values it writes,
    recalc with the values the sheet holds, so the two always put the same lines into 错误:
    '短信校验未通过: 缺少「手机号」, 无法发送'."""
    lines = []
    for verdict_key, reasons_key, (zh, en), reasons_header in CHECKS:
        if not is_error_verdict(cells.get(verdict_key)):
            continue
        errors = error_lines(cells.get(reasons_key))
        head = show.pair(f"{zh}校验未通过", f"{en} check failed")
        if not errors:
            lines.append(f"{head}: " + show.pair(f"见「{reasons_header}」", f"see {reasons_header}"))
            continue
        more = f" ({show.pair(f'共{len(errors)}项, 见「{reasons_header}」', f'{len(errors)} problems, see {reasons_header}')})" \
            if len(errors) > 1 else ""
        lines.append(f"{head}: {errors[0]}{more}")
    return lines


def excel_instant(instant: dt.datetime) -> dt.datetime:
    """24:00 ends are shown in Excel as 23:59:59 of the day itself, so the date column reads right."""
    if instant.time() == _MIDNIGHT:
        return instant - _ONE_SECOND
    return instant


_MIDNIGHT, _ONE_SECOND = dt.time(0), dt.timedelta(seconds=1)
