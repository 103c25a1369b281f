"""Deadlines per case (rules.md §3): hour clocks, calendar days with the legal outer bound, working days.

Each deadline kind is one row of :data:`DEADLINE_KINDS` (id, labels, what it counts from). The
functions are pure and take plain datetimes, so a UDF can call one kind directly;
:func:`deadlines_for` runs every kind whose inputs the case has.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar_cn import WorkCalendar, calendar_from_policy
from .case import Case
from .compensation import jd_pp_window
from .policy import DEFAULT_POLICY, Policy
from .stage import STAGE_DROPS, TERMINAL, TIMEOUT_KIND, TIMEOUT_NOTE, case_shipped, stage_of
from .timeparts import end_of_day_after


@dataclass(frozen=True)
class DeadlineKind:
    id: str          # cited in the output; the rule id of rules.md plus a suffix where one rule has several
    zh: str
    en: str
    level: str       # action | alert | bound | penalty  (only 'action' and 'alert' count as "due")


DEADLINE_KINDS: dict[str, DeadlineKind] = {k.id: k for k in (
    DeadlineKind("R7-2", "七天无理由退货截止", "7-day return request deadline", "action"),
    DeadlineKind("R7-2.168h", "七天无理由168小时(平台口径预警)", "7-day return, platform 168 h reading", "alert"),
    DeadlineKind("R7-2.bound", "七天无理由法定外限(§203顺延)", "7-day return, legal outer bound", "bound"),
    DeadlineKind("R7-3", "收到退货后退款截止", "refund after the return arrives", "action"),
    DeadlineKind("R7-3.bound", "退款法定外限(§203顺延)", "refund, legal outer bound", "bound"),
    DeadlineKind("R7-3.penalty", "退款超15天处罚线", "refund penalty threshold", "penalty"),
    DeadlineKind("RF-TB.unshipped", "未发货退款自动退款", "auto refund, not shipped", "action"),
    DeadlineKind("RF-TB.alert", "退款处理内部预警", "refund internal alert", "alert"),
    DeadlineKind("RF-TB.shipped", "已发货退款自动同意", "auto agree, shipped", "action"),
    DeadlineKind("SLA-4", "京东质量售后单审核", "JD quality after-sales review", "action"),
    DeadlineKind("RF-RET.receive", "买家寄回后收货期限", "receive the buyer's return", "action"),
    DeadlineKind("INS-1", "运费险理赔到账", "shipping-insurance payout due", "action"),
    DeadlineKind("PAY-TM", "未付款订单关闭", "unpaid order closes", "alert"),
    DeadlineKind("SLA-1.followup", "回访截止", "follow-up visit due", "action"),
    DeadlineKind("SLA-1.offline", "线下投诉回复", "offline complaint reply due", "action"),
    DeadlineKind("SLA-3.reply", "京东纠纷商家回复", "JD dispute merchant reply", "action"),
    DeadlineKind("SLA-3.evidence", "京东举证截止(09:00-18:00时钟)", "JD evidence (09:00-18:00 clock)", "action"),
    DeadlineKind("SLA-3.appeal", "京东申诉截止", "JD appeal deadline", "action"),
    DeadlineKind("P3-83", "淘宝起诉凭证(7个工作日)", "Taobao court-case proof (7 working days)", "action"),
    DeadlineKind("PROMISE", "承诺发货截止(工作日)", "promised shipping (working days)", "action"),
    DeadlineKind("RV-6", "买家可修改评价截止", "buyer may edit the review until", "alert"),
    DeadlineKind("RV-6.default", "默认好评时间", "system default good review", "alert"),
    DeadlineKind("JD-PP", "京东价保截止", "JD price protection ends", "alert"),
    # The platform's own 超时时间 (addin.core.stage): what happens then depends on the case's stage.
    DeadlineKind("PLAT-TIMEOUT.refund", "平台超时自动退款", "platform time-out: automatic refund", "action"),
    DeadlineKind("PLAT-TIMEOUT.close", "平台超时自动关闭退款", "platform time-out: the refund closes", "action"),
    DeadlineKind("PLAT-TIMEOUT", "平台超时处理", "platform time-out", "action"),
)}


@dataclass(frozen=True)
class Deadline:
    kind: str
    at: dt.datetime          # the instant; day-based ends are 00:00 of the next day (= 24:00)
    note: str = ""
    provisional_years: tuple[int, ...] = ()   # counted over holidays that are 推算 (no notice yet)

    @property
    def info(self) -> DeadlineKind:
        return DEADLINE_KINDS[self.kind]


PROVISIONAL_NOTE = "按推算假期"


def on_calendar(kind: str, start: dt.date, at: dt.datetime, cal: WorkCalendar, note: str = "") -> Deadline:
    """A deadline counted on the holiday calendar from `start`, marked when a year it crossed is provisional."""
    return Deadline(kind, at, note, cal.provisional_years(start, at.date() - dt.timedelta(days=1)))


# --- the three kinds of clock ----------------------------------------------------------------

def clock_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """Platform timers run from the exact timestamp; weekends and holidays count (§0)."""
    return start + dt.timedelta(hours=hours)


def calendar_days(start: dt.date, days: int) -> dt.datetime:
    """Action deadline: start day not counted, ends 24:00 on the last day, never extended."""
    return end_of_day_after(start, days)


def legal_outer_bound(start: dt.date, days: int, cal: WorkCalendar) -> dt.datetime:
    """§203: when the last day is a rest day, the period ends on the day after the rest ends."""
    last = start + dt.timedelta(days=days)
    return end_of_day_after(cal.next_workday_on_or_after(last), 0)


def working_days(start: dt.date, n: int, cal: WorkCalendar) -> dt.datetime:
    """N 工作日 with 调休: the start day not counted, ends 24:00 on the n-th working day."""
    return end_of_day_after(cal.add_workdays(start, n), 0)


def daily_clock(start: dt.datetime, hours: float, open_at: dt.time, close_at: dt.time) -> dt.datetime:
    """JD evidence clock: only 09:00-18:00 counts, every day including holidays (SLA-3)."""
    remaining = dt.timedelta(hours=hours)
    t = start
    while True:
        day_open = dt.datetime.combine(t.date(), open_at)
        day_close = dt.datetime.combine(t.date(), close_at)
        if t < day_open:
            t = day_open
        if t >= day_close:
            t = dt.datetime.combine(t.date() + dt.timedelta(days=1), open_at)
            continue
        if t + remaining <= day_close:
            return t + remaining
        remaining -= day_close - t
        t = dt.datetime.combine(t.date() + dt.timedelta(days=1), open_at)


# --- per case --------------------------------------------------------------------------------

def deadlines_for(case: Case, policy: Policy = DEFAULT_POLICY, cal: WorkCalendar | None = None) -> list[Deadline]:
    """Every deadline the case's filled-in timestamps give, in time order, as the case's stage runs them:
    none for a finished or closed case; an open stage drops the clocks of the steps it left behind and
    adds the platform's own 超时时间 (addin.core.stage)."""
    stage = stage_of(case).stage
    if stage in TERMINAL:
        return []
    cal = cal or calendar_from_policy(policy)
    out: list[Deadline] = []
    add = out.append
    reason, platform = case.reason, case.platform

    if case.signed_at and (reason in ("no_reason_return", "no_reason_exchange") or reason is None):
        days = policy["R7-1.days"]
        signed_day = case.signed_at.date()
        if policy["R7-2.basis"] == "hours" and case.signed_has_time:
            add(Deadline("R7-2", clock_hours(case.signed_at, 24 * days), "签收起168小时"))
        else:
            add(Deadline("R7-2", calendar_days(signed_day, days), "签收次日起算"))
            if case.signed_has_time:
                add(Deadline("R7-2.168h", clock_hours(case.signed_at, 24 * days), "平台按小时可能更早关闭"))
        bound = legal_outer_bound(signed_day, days, cal)
        if bound != calendar_days(signed_day, days):
            add(on_calendar("R7-2.bound", signed_day, bound, cal, "最后一天为休息日, 依民法典第203条顺延"))

    if case.return_received_at:
        day = case.return_received_at.date()
        add(Deadline("R7-3", calendar_days(day, policy["R7-3.days"])))
        bound = legal_outer_bound(day, policy["R7-3.days"], cal)
        if bound != calendar_days(day, policy["R7-3.days"]):
            add(on_calendar("R7-3.bound", day, bound, cal))
        add(Deadline("R7-3.penalty", calendar_days(day, policy["R7-3.penalty_days"])))

    if case.refund_requested_at and platform in ("TB", "TM"):
        t = case.refund_requested_at
        shipped, note = case_shipped(case), ""      # typed, or read from 货物状态 / 订单状态
        if shipped is None and reason == "not_delivered":
            # The platforms offer 空包裹 / 物流一直未送到 / 无跟踪记录 only on shipped orders, and S0's 未收到货
            # cases are parcels on their way: the shipped clock runs unless 退款时已发货 says 否.
            shipped, note = True, "按未收到货视为已发货"
        if shipped is False:
            add(Deadline("RF-TB.unshipped", clock_hours(t, policy["RF-TB.unshipped_hours"])))
        elif shipped:
            days = policy["RF-TB.virtual_days"] if case.virtual_goods else policy["RF-TB.shipped_days"]
            add(Deadline("RF-TB.alert", clock_hours(t, 24 * policy["RF-TB.alert_days"]), note))
            add(Deadline("RF-TB.shipped", clock_hours(t, 24 * days), note))
    if case.refund_requested_at and platform == "JD" and reason == "quality":
        add(Deadline("SLA-4", clock_hours(case.refund_requested_at, policy["SLA-4.hours"])))

    if case.return_shipped_at:
        # §3 "Taobao return receipt": 10 days of day type calendar, so counted as days (§0), not as 240 h
        add(Deadline("RF-RET.receive", calendar_days(case.return_shipped_at.date(), policy["RF-RET.receive_days"])))

    if case.refund_done_at and case.insurance != "none":
        add(Deadline("INS-1", clock_hours(case.refund_done_at, policy["INS-1.hours"])))

    if case.ordered_at and reason == "unpaid" and platform == "TM":
        if case.promo_order:
            add(Deadline("PAY-TM", case.ordered_at + dt.timedelta(minutes=policy["PAY-TM.promo_minutes"]), "大促订单"))
        else:
            add(Deadline("PAY-TM", clock_hours(case.ordered_at, policy["PAY-TM.hours"])))

    if case.resolved_at:
        add(Deadline("SLA-1.followup", clock_hours(case.resolved_at, policy["SLA-1.followup_hours"])))
    if case.complaint_at:
        add(Deadline("SLA-1.offline", clock_hours(case.complaint_at, policy["SLA-1.offline_hours"])))

    if case.jd_dispute_at:
        add(Deadline("SLA-3.reply", clock_hours(case.jd_dispute_at, policy["SLA-3.reply_hours"])))
    if case.jd_evidence_at:
        add(Deadline("SLA-3.evidence", daily_clock(case.jd_evidence_at, policy["SLA-3.evidence_hours"],
                                                   policy["SLA-3.clock_start"], policy["SLA-3.clock_end"])))
    if case.jd_closed_at:
        add(Deadline("SLA-3.appeal", calendar_days(case.jd_closed_at.date(), policy["SLA-3.appeal_days"])))

    if case.court_notice_at:
        start = case.court_notice_at.date()
        add(on_calendar("P3-83", start, working_days(start, policy["P3-83.workdays"], cal), cal))

    if case.promise_at:
        n = case.promise_workdays or policy["PROMISE.workdays"]
        start = case.promise_at.date()
        add(on_calendar("PROMISE", start, working_days(start, n, cal), cal, f"{n}个工作日"))

    if case.review_at and case.review_stars is not None and case.review_stars < policy["RV-4.good_min_stars"] and platform != "TM":
        add(Deadline("RV-6", calendar_days(case.review_at.date(), policy["RV-6.edit_days"]), "仅可修改一次"))
    if case.trade_done_at and case.review_at is None:
        add(Deadline("RV-6.default", calendar_days(case.trade_done_at.date(), policy["RV-6.default_good_days"])))

    if reason == "price_protection" and platform == "JD" and (case.ordered_at or case.signed_at):
        end = jd_pp_window(case, policy).end
        if end:
            add(Deadline("JD-PP", end))

    if case.platform_deadline:
        add(Deadline(TIMEOUT_KIND[stage], case.platform_deadline, TIMEOUT_NOTE[stage]))
    drops = STAGE_DROPS.get(stage)
    if drops:
        out = [d for d in out if d.kind not in drops]
    out.sort(key=lambda d: d.at)
    return out


def next_due(deadlines: list[Deadline], now: dt.datetime | None = None) -> Deadline | None:
    """The earliest action or alert deadline not yet past (or the earliest overall if `now` is None)."""
    due = [d for d in deadlines if d.info.level in ("action", "alert") and (now is None or d.at >= now)]
    return min(due, key=lambda d: d.at) if due else None


def tmall_review_note(case: Case, policy: Policy = DEFAULT_POLICY) -> tuple[str, str] | None:
    """RV-6: Tmall reviews cannot be edited at all; (zh, en). A review below 好评 (RV-4.good_min_stars)."""
    if case.platform == "TM" and case.review_at and case.review_stars is not None \
            and case.review_stars < policy["RV-4.good_min_stars"]:
        return "天猫评价不可修改", "Tmall reviews cannot be edited"
    return None


__all__ = ["DEADLINE_KINDS", "Deadline", "deadlines_for", "next_due", "clock_hours", "calendar_days",
           "legal_outer_bound", "working_days", "daily_clock"]
