"""One entry point for every adapter: a batch of cases in, a result per case out.

The UDFs, the buttons and the CLI all call :func:`compute_cases` (or :func:`compute_case` for one
row), so the same inputs give the same answer everywhere.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from .calendar_cn import CalendarUnknown, WorkCalendar, calendar_from_policy
from .case import Case
from .compensation import Compensation, MissingInput, compensation_for, merge_tmall_cap
from .deadlines import Deadline, deadlines_for, tmall_review_note
from .findings import Finding
from .freight import Freight, decide
from .policy import DEFAULT_POLICY, Policy
from .stage import TERMINAL, stage_of

# 抖店 has no public source for a refund time-out of its own (淘宝's RF-TB clocks are 淘宝's rule): an open
# 抖店 refund without the export's 超时时间 gets no platform clock, and 提示 says so.
DY_NO_REFUND_CLOCK = Finding("RF-DY", "WARN", "抖店退款超时规则无公开来源, 未推算平台时限; 请填「超时时间」",
                             "no public source for Douyin's refund time-outs: no platform deadline computed; "
                             "fill in 超时时间")


@dataclass
class CaseResult:
    compensation: Compensation | None = None
    deadlines: list[Deadline] = field(default_factory=list)
    freight: Freight | None = None
    findings: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)   # Case fields a rule needed but the row lacks
    stage: str | None = None        # the case's stage (addin.core.stage.STAGES), None when not known
    stage_rule: str | None = None   # the status-table row (PS-*) or OUTCOME (处理结果) it was read from
    reason: str | None = None       # the reason code the rules used (after 原因对照, the table and the families)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "ERROR"]


def provisional_finding(deadlines: list[Deadline]) -> Finding | None:
    """The 提示 note for deadlines counted over holidays that are 推算 (the year's notice is not out yet)."""
    years = sorted({y for d in deadlines for y in d.provisional_years})
    if not years:
        return None
    ys = "、".join(str(y) for y in years)
    return Finding("CAL", "WARN", f"截止日按推算的{ys}年假期计算(调休未公布), 以国务院通知为准",
                   f"deadline counted on computed {', '.join(map(str, years))} holidays (no official notice with "
                   f"the make-up workdays yet); check it against the notice")


@lru_cache(maxsize=1024)                 # an export repeats its few unknown statuses on many rows
def unknown_status_finding(text: str) -> Finding:
    """提示 for a platform status no table row knows: the clocks then run as the timestamps give them."""
    shown = text if len(text) <= 20 else text[:20] + "…"
    return Finding("ST-UNKNOWN", "WARN", f"未识别的退款状态「{shown}」, 时限按已填时间计算",
                   f"unknown refund status {shown!r}; deadlines follow the filled-in times")


def compute_case(case: Case, policy: Policy = DEFAULT_POLICY, cal: WorkCalendar | None = None) -> CaseResult:
    result = CaseResult(reason=case.reason)
    findings = result.findings
    if case.reason_note is not None:      # 售后原因 read by its words, or a reason the shop decides
        findings.append(case.reason_note)
    cal = cal or calendar_from_policy(policy)
    reading = stage_of(case)
    if reading.rule is not None:
        result.stage, result.stage_rule = reading.stage, reading.rule
    elif reading.unknown is not None:
        findings.append(unknown_status_finding(reading.unknown))
    # Three parts, each on its own: a missing input or an unknown calendar year stops only its part.
    try:
        result.compensation = compensation_for(case, policy)
        findings.extend(result.compensation.findings)
    except MissingInput as exc:
        result.missing.append(exc.field)
    except CalendarUnknown as exc:
        findings.append(Finding("CAL", "ERROR", exc.zh, exc.en))
    try:
        result.deadlines = deadlines = deadlines_for(case, policy, cal)
        if deadlines:
            provisional = provisional_finding(deadlines)
            if provisional:
                findings.append(provisional)
        if case.platform == "DY" and case.refund_requested_at and case.platform_deadline is None \
                and result.stage not in TERMINAL:
            findings.append(DY_NO_REFUND_CLOCK)
        note = tmall_review_note(case, policy)
        if note:
            findings.append(Finding("RV-6", "INFO", *note))
    except MissingInput as exc:
        result.missing.append(exc.field)
    except CalendarUnknown as exc:
        findings.append(Finding("CAL", "ERROR", exc.zh, exc.en))
    try:
        result.freight = decide(case, policy)
        if result.freight:
            findings.extend(result.freight.findings)
    except MissingInput as exc:
        result.missing.append(exc.field)
    except CalendarUnknown as exc:
        findings.append(Finding("CAL", "ERROR", exc.zh, exc.en))
    return result


def compute_cases(cases: list[Case], policy: Policy = DEFAULT_POLICY, cal: WorkCalendar | None = None,
                  tm_caps: dict[int, Compensation] | None = None, tm_items: list | None = None) -> list[CaseResult]:
    """Per-case results plus the cross-row rule: COMP-TM's cap is shared by one buyer's payments within 24 h.

    `cal`: the workbook's calendar (its 日历 sheet); None = the packages and the 规则 sheet's overrides.
    `tm_caps`: the COMP-TM amounts already merged over a larger batch these cases belong to (index in
    `cases` -> Compensation; see :func:`tmall_cap_items`); None = merge over these cases. `tm_items`:
    if given, gets (index, buyer, paid_at, amount before the merge) of each such case, to merge later
    over the larger batch."""
    cal = cal or calendar_from_policy(policy)
    results = [_compute_or_fail(c, policy, cal) for c in cases]
    tm = tmall_cap_items(cases, results)
    if tm_items is not None:
        tm_items.extend((i, cases[i].buyer, cases[i].paid_at, results[i].compensation) for i in tm)
    if tm_caps is not None:
        for i in tm:
            if i in tm_caps:
                results[i].compensation = tm_caps[i]
    elif len(tm) > 1:
        merged = merge_tmall_cap([(cases[i].buyer, cases[i].paid_at, results[i].compensation) for i in tm], policy)
        for i, comp in zip(tm, merged):
            results[i].compensation = comp
    return results


def _compute_or_fail(case: Case, policy: Policy, cal: WorkCalendar) -> CaseResult:
    """One case; an amount the Decimal context cannot hold (the parsers cap amounts, so only a figure
    computed out of range) fails this row only, never the batch."""
    try:
        return compute_case(case, policy, cal)
    except ArithmeticError as exc:          # decimal.InvalidOperation, Overflow ...
        return CaseResult(reason=case.reason, findings=[Finding(
            "CALC", "ERROR", f"金额超出可计算的范围, 请检查本行的金额 ({type(exc).__name__})",
            f"an amount is out of the range that can be computed; check this row's amounts ({type(exc).__name__})")])


def tmall_cap_items(cases: list[Case], results: list[CaseResult]) -> list[int]:
    """Indexes of the cases whose COMP-TM amount shares its buyer's cap (merge_tmall_cap's items):
    a COMP-TM compensation that no manual amount replaced."""
    return [i for i, (c, r) in enumerate(zip(cases, results))
            if r.compensation is not None and r.compensation.rule == "COMP-TM" and c.override is None]


def due_within(result: CaseResult, now: dt.datetime, hours: float = 24, *, horizon: dt.datetime | None = None) -> list[Deadline]:
    """The action and alert deadlines from `now` to `hours` later (`horizon`: that end, if the caller
    computed it once for a batch)."""
    if horizon is None:
        horizon = now + dt.timedelta(hours=hours)
    return [d for d in result.deadlines if now <= d.at <= horizon and d.info.level in ("action", "alert")]
