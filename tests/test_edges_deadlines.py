"""One test per deadline kind (every id of DEADLINE_KINDS) and the edges of each clock (rules.md §0 and §3).

§0: hour timers run from the exact timestamp, weekends and holidays count; day periods do not count the
start day and end at 24:00 of the last day (shown here as 00:00 of the next day); §203 moves only the
legal outer bound; working days follow the 2026 notice (P13). Names with ``edge_unsettled`` test a default
the rules document leaves open (docs/dev/mutation.md lists them).
"""
import datetime as dt

import pytest

from addin.core.calendar_cn import WorkCalendar
from addin.core.case import Case
from addin.core.deadlines import (DEADLINE_KINDS, Deadline, calendar_days, clock_hours, daily_clock, deadlines_for,
                                  legal_outer_bound, next_due, on_calendar, tmall_review_note, working_days)
from addin.core.policy import DEFAULT_POLICY

T = dt.datetime.fromisoformat
D = dt.date.fromisoformat


def D24(day: str) -> dt.datetime:
    """24:00 of a day = 00:00 of the next."""
    return T(day) + dt.timedelta(days=1)


def policy(raw):
    p, errors = DEFAULT_POLICY.with_raw(raw)
    assert not errors
    return p


def at(case, kind, pol=DEFAULT_POLICY):
    found = [d for d in deadlines_for(case, pol) if d.kind == kind]
    assert len(found) <= 1
    return found[0].at if found else None


# One case per kind, with the instant §3 / §5 gives for it.
KIND_EXAMPLES = {
    "R7-2": (Case(platform="TB", reason="no_reason_return", signed_at=T("2026-09-29 15:20")), D24("2026-10-06")),
    "R7-2.168h": (Case(platform="TB", reason="no_reason_return", signed_at=T("2026-09-29 15:20")),
                  T("2026-10-06 15:20")),
    "R7-2.bound": (Case(platform="TB", reason="no_reason_return", signed_at=T("2026-09-29 15:20")), D24("2026-10-08")),
    "R7-3": (Case(platform="TB", reason="quality", return_received_at=T("2026-02-12 00:00")), D24("2026-02-19")),
    "R7-3.bound": (Case(platform="TB", reason="quality", return_received_at=T("2026-02-12 00:00")), D24("2026-02-24")),
    "R7-3.penalty": (Case(platform="TB", reason="quality", return_received_at=T("2026-02-12 00:00")),
                     D24("2026-02-27")),
    "RF-TB.unshipped": (Case(platform="TB", reason="other", refund_requested_at=T("2026-09-30 21:00"), shipped=False),
                        T("2026-10-02 21:00")),
    "RF-TB.alert": (Case(platform="TB", reason="quality", refund_requested_at=T("2026-02-13 10:00"), shipped=True),
                    T("2026-02-16 10:00")),
    "RF-TB.shipped": (Case(platform="TB", reason="quality", refund_requested_at=T("2026-02-13 10:00"), shipped=True),
                      T("2026-02-18 10:00")),
    "SLA-4": (Case(platform="JD", reason="quality", refund_requested_at=T("2026-10-01 09:30")), T("2026-10-03 09:30")),
    "RF-RET.receive": (Case(platform="TB", reason="no_reason_return", return_shipped_at=T("2026-10-01 15:00")),
                       D24("2026-10-11")),
    "INS-1": (Case(platform="TB", reason="no_reason_return", refund_done_at=T("2026-10-01 11:00"), insurance="gifted"),
              T("2026-10-04 11:00")),
    "PAY-TM": (Case(platform="TM", reason="unpaid", ordered_at=T("2026-02-16 20:00")), T("2026-02-19 20:00")),
    "SLA-1.followup": (Case(platform="TB", reason="other", resolved_at=T("2026-10-01 16:00")), T("2026-10-02 16:00")),
    "SLA-1.offline": (Case(platform="TB", reason="other", complaint_at=T("2026-10-01 09:20")), T("2026-10-01 10:20")),
    "SLA-3.reply": (Case(platform="JD", reason="quality", jd_dispute_at=T("2026-10-01 10:00")), T("2026-10-02 10:00")),
    "SLA-3.evidence": (Case(platform="JD", reason="quality", jd_evidence_at=T("2026-10-01 14:01")),
                       T("2026-10-02 09:01")),
    "SLA-3.appeal": (Case(platform="JD", reason="other", jd_closed_at=T("2026-02-14 16:00")), D24("2026-02-21")),
    "P3-83": (Case(platform="TB", reason="other", court_notice_at=T("2026-09-28 00:00")), D24("2026-10-13")),
    "PROMISE": (Case(platform="TB", reason="late_shipment", promise_at=T("2026-09-30 00:00")), D24("2026-10-10")),
    "RV-6": (Case(platform="TB", reason="review", review_at=T("2026-01-20 10:00"), review_stars=1), D24("2026-02-19")),
    "RV-6.default": (Case(platform="TB", reason="other", trade_done_at=T("2026-10-01 10:00")), D24("2026-10-16")),
    "JD-PP": (Case(platform="JD", reason="price_protection", ordered_at=T("2026-09-28 10:00"),
                   signed_at=T("2026-09-30 12:00")), D24("2026-10-30")),
    # The platform's exported 超时时间 (docs/dev/stages.md): the instant itself, named by the case's stage.
    "PLAT-TIMEOUT.refund": (Case(platform="TB", outcome="ST-SELLER", platform_deadline=T("2026-10-03 10:00:07")),
                            T("2026-10-03 10:00:07")),
    "PLAT-TIMEOUT.close": (Case(platform="TB", outcome="ST-RETURN", platform_deadline=T("2026-10-03 10:00:07")),
                           T("2026-10-03 10:00:07")),
    "PLAT-TIMEOUT": (Case(platform="TB", platform_deadline=T("2026-10-03 10:00:07")), T("2026-10-03 10:00:07")),
}


def test_every_deadline_kind_has_a_worked_example():
    assert set(KIND_EXAMPLES) == set(DEADLINE_KINDS)


@pytest.mark.parametrize("kind", sorted(KIND_EXAMPLES))
def test_each_deadline_kind(kind):
    """§3's deadline table and §5 examples 13-26 (the instants in KIND_EXAMPLES)."""
    case, expected = KIND_EXAMPLES[kind]
    assert at(case, kind) == expected
    d = next(d for d in deadlines_for(case) if d.kind == kind)
    assert d.info is DEADLINE_KINDS[kind]


def test_deadlines_come_in_time_order():
    case = Case(platform="TB", reason="no_reason_return", signed_at=T("2026-09-29 15:20"),
                resolved_at=T("2026-09-01 10:00"), complaint_at=T("2026-12-01 09:00"))
    got = deadlines_for(case)
    assert [d.at for d in got] == sorted(d.at for d in got)
    assert [d.kind for d in got] == ["SLA-1.followup", "R7-2.168h", "R7-2", "R7-2.bound", "SLA-1.offline"]


# --- R7-2: the 7-day return window ---------------------------------------------------------------

@pytest.mark.parametrize("signed, end", [("2026-11-02 00:00:00", "2026-11-09"), ("2026-11-02 23:59:59", "2026-11-09"),
                                         ("2026-11-03 00:00:00", "2026-11-10")])
def test_r7_2_window_depends_on_the_signing_day_only(signed, end):
    """R7-2 (§1.B, P1): from the day after signing, 7 calendar days, ends 24:00."""
    case = Case(platform="TB", reason="no_reason_return", signed_at=T(signed))
    assert at(case, "R7-2") == D24(end)
    assert at(case, "R7-2.168h") == T(signed) + dt.timedelta(hours=168)
    assert at(case, "R7-2.bound") is None            # the last day is a workday: no §203 extension


def test_r7_2_notes_and_the_date_only_signing():
    """R7-2 (§1.B; §5 example 15): a date without a time has no 168 h reading; the bound cites §203."""
    case = Case(platform="TB", reason="no_reason_return", signed_at=T("2026-09-24 00:00"), signed_has_time=False)
    got = {d.kind: d for d in deadlines_for(case)}
    assert set(got) == {"R7-2", "R7-2.bound"}
    assert got["R7-2"] == Deadline("R7-2", D24("2026-10-01"), "签收次日起算")
    assert got["R7-2.bound"] == Deadline("R7-2.bound", D24("2026-10-08"), "最后一天为休息日, 依民法典第203条顺延")
    timed = {d.kind: d for d in deadlines_for(Case(platform="TB", reason=None, signed_at=T("2026-09-29 15:20")))}
    assert timed["R7-2.168h"].note == "平台按小时可能更早关闭"


def test_r7_2_hours_basis_alternative():
    """R7-2 (§1.B) ⚠ alternative: Taobao's 168 h from the exact signing time (when the time is known)."""
    hours = policy({"R7-2.basis": "hours"})
    case = Case(platform="TB", reason="no_reason_exchange", signed_at=T("2026-09-29 15:20"))
    got = {d.kind: d for d in deadlines_for(case, hours)}
    assert got["R7-2"] == Deadline("R7-2", T("2026-10-06 15:20"), "签收起168小时")
    assert "R7-2.168h" not in got and got["R7-2.bound"].at == D24("2026-10-08")
    date_only = Case(platform="TB", reason="no_reason_return", signed_at=T("2026-09-29 00:00"), signed_has_time=False)
    assert at(date_only, "R7-2", hours) == D24("2026-10-06")


def test_r7_2_only_for_no_reason_returns_and_exchanges():
    """R7-1 (§1.B): the 7-day window is the no-reason return's."""
    assert at(Case(platform="TB", reason="quality", signed_at=T("2026-09-29 15:20")), "R7-2") is None


# --- R7-3: refund after the return arrives --------------------------------------------------------

def test_r7_3_without_a_holiday_has_no_outer_bound():
    """R7-3 (§1.B): 7 days action, 15 days penalty; 2026-11-02 + 7 = Mon 11-09, a workday."""
    case = Case(platform="TB", reason="quality", return_received_at=T("2026-11-02 18:00"))
    assert (at(case, "R7-3"), at(case, "R7-3.bound"), at(case, "R7-3.penalty")) == (
        D24("2026-11-09"), None, D24("2026-11-17"))


# --- RF-TB: Taobao refund timers --------------------------------------------------------------------

@pytest.mark.parametrize("platform", ["TB", "TM"])
def test_rf_tb_timers_run_to_the_second(platform):
    """RF-TB (§1.B, P8): 48 h not shipped; shipped: alert 3 days, auto agree 5 days (virtual 3)."""
    t = T("2026-09-30 21:00:01")
    assert at(Case(platform=platform, refund_requested_at=t, shipped=False), "RF-TB.unshipped") == T("2026-10-02 21:00:01")
    shipped = Case(platform=platform, refund_requested_at=t, shipped=True)
    assert (at(shipped, "RF-TB.alert"), at(shipped, "RF-TB.shipped")) == (T("2026-10-03 21:00:01"), T("2026-10-05 21:00:01"))
    virtual = Case(platform=platform, refund_requested_at=t, shipped=True, virtual_goods=True)
    assert at(virtual, "RF-TB.shipped") == T("2026-10-03 21:00:01")


def test_rf_tb_needs_the_shipped_answer_and_is_taobao_only():
    """RF-TB (§1.B): the timer depends on whether the order shipped; JD has its own clocks."""
    t = T("2026-09-30 21:00")
    assert deadlines_for(Case(platform="TB", refund_requested_at=t)) == []
    assert deadlines_for(Case(platform="JD", refund_requested_at=t, shipped=False)) == []


def test_sla_4_only_for_a_jd_quality_case():
    """SLA-4 (§1.D, P5 第十六条): JD quality after-sales orders, 48 h."""
    t = T("2026-10-01 09:30")
    assert at(Case(platform="JD", reason="quality", refund_requested_at=t), "SLA-4") == T("2026-10-03 09:30")
    assert at(Case(platform="JD", reason="no_reason_return", refund_requested_at=t), "SLA-4") is None
    assert at(Case(platform="TB", reason="quality", refund_requested_at=t, shipped=True), "SLA-4") is None


# --- RF-RET, INS-1, PAY-TM --------------------------------------------------------------------------

@pytest.mark.parametrize("entered, end", [("2026-10-01 00:00:00", "2026-10-11"), ("2026-10-01 23:59:59", "2026-10-11"),
                                          ("2026-10-02 00:00:00", "2026-10-12")])
def test_rf_ret_receive_is_10_calendar_days(entered, end):
    """§3 "Taobao return receipt": buyer enters the tracking number, 10 days, day type calendar (§0: the
    start day is not counted, the period ends 24:00)."""
    assert at(Case(platform="TB", return_shipped_at=T(entered)), "RF-RET.receive") == D24(end)


def test_ins_1_only_with_insurance():
    """INS-1 (§1.B): 72 h after the refund completes, for a return with 运费险."""
    t = T("2026-10-01 11:00:30")
    assert at(Case(platform="TB", refund_done_at=t, insurance="bought"), "INS-1") == T("2026-10-04 11:00:30")
    assert at(Case(platform="TB", refund_done_at=t), "INS-1") is None


def test_pay_tm_promotion_edge_unsettled_default_30_minutes():
    """PAY-TM (§1.B, S3): 聚划算 / 双11 / 双12 close "after 15-30 min": the default is the later, 30 min."""
    case = Case(platform="TM", reason="unpaid", ordered_at=T("2026-11-11 00:00:05"), promo_order=True)
    got = [d for d in deadlines_for(case) if d.kind == "PAY-TM"]
    assert got == [Deadline("PAY-TM", T("2026-11-11 00:30:05"), "大促订单")]
    assert at(case, "PAY-TM", policy({"PAY-TM.promo_minutes": 15})) == T("2026-11-11 00:15:05")


def test_pay_tm_is_tmall_unpaid_only():
    """PAY-TM (§1.B): Tmall closes unpaid orders after 72 h."""
    t = T("2026-02-16 20:00")
    assert at(Case(platform="TB", reason="unpaid", ordered_at=t), "PAY-TM") is None
    assert at(Case(platform="TM", reason="quality", ordered_at=t), "PAY-TM") is None


# --- SLA-3: the JD dispute clocks -----------------------------------------------------------------

@pytest.mark.parametrize("start, end", [
    ("2026-10-01 08:59:59", "2026-10-01 13:00:00"),   # before opening: counts from 09:00
    ("2026-10-01 09:00:00", "2026-10-01 13:00:00"),
    ("2026-10-01 13:59:59", "2026-10-01 17:59:59"),
    ("2026-10-01 14:00:00", "2026-10-01 18:00:00"),   # ends exactly at the close
    ("2026-10-01 14:00:01", "2026-10-02 09:00:01"),   # one second over: the rest from 09:00 next day
    ("2026-10-01 17:59:00", "2026-10-02 12:59:00"),
    ("2026-10-01 18:00:00", "2026-10-02 13:00:00"),   # at the close: nothing left today
    ("2026-10-01 23:30:00", "2026-10-02 13:00:00"),
])
def test_sla_3_evidence_daily_clock_edges(start, end):
    """SLA-3 (§1.D, §3): 4 h on a 09:00-18:00 clock every day, holidays included; past 18:00 the rest
    continues from 09:00 next day (§5 example 23)."""
    case = Case(platform="JD", reason="quality", jd_evidence_at=T(start))
    assert at(case, "SLA-3.evidence") == T(end)


def test_sla_3_daily_clock_longer_than_a_day():
    """SLA-3 (§3): a span longer than one day's 9 hours carries over more than once (policy: 20 h)."""
    assert daily_clock(T("2026-10-01 10:00"), 20, dt.time(9), dt.time(18)) == T("2026-10-03 12:00")
    assert daily_clock(T("2026-10-01 10:00"), 8, dt.time(9), dt.time(18)) == T("2026-10-01 18:00")


def test_sla_3_reply_and_appeal():
    """SLA-3 (§1.D, P4): merchant reply 24 h (clock); appeals 7 自然日 (calendar, holidays included)."""
    assert at(Case(platform="JD", jd_dispute_at=T("2026-09-30 23:59:59")), "SLA-3.reply") == T("2026-10-01 23:59:59")
    assert at(Case(platform="JD", jd_closed_at=T("2026-09-30 23:59")), "SLA-3.appeal") == D24("2026-10-07")


# --- working days (P3-83, PROMISE) ---------------------------------------------------------------------

def test_promise_counts_working_days_with_the_make_up_saturdays():
    """§3 "3个工作日内发货" and §5 example 21: 02-13 → 02-25 (02-14 is a make-up workday)."""
    case = Case(platform="TB", reason="late_shipment", promise_at=T("2026-02-13 18:00"))
    got = next(d for d in deadlines_for(case) if d.kind == "PROMISE")
    assert got == Deadline("PROMISE", D24("2026-02-25"), "3个工作日")
    five = Case(platform="TB", reason="late_shipment", promise_at=T("2026-09-30 10:00"), promise_workdays=5)
    assert [(d.at, d.note) for d in deadlines_for(five)] == [(D24("2026-10-13"), "5个工作日")]


def test_working_days_over_a_provisional_year_say_so():
    """§0 working days need the year's notice; a year computed without one is marked (推算)."""
    official = [d for d in deadlines_for(Case(court_notice_at=T("2026-09-28 00:00"))) if d.kind == "P3-83"][0]
    assert official.provisional_years == ()
    cal = WorkCalendar()
    far = on_calendar("P3-83", D("2030-03-01"), working_days(D("2030-03-01"), 7, cal), cal)
    assert far.provisional_years == (2030,)


def test_the_clock_helpers_at_their_edges():
    """§0: hours from the exact timestamp; days end 24:00; §203 moves the outer bound past rest days."""
    assert clock_hours(T("2026-10-01 10:00"), 0.5) == T("2026-10-01 10:30")
    assert calendar_days(D("2026-10-01"), 0) == D24("2026-10-01")
    cal = WorkCalendar()
    assert legal_outer_bound(D("2026-09-24"), 7, cal) == D24("2026-10-08")     # 10-01 … 10-07 holiday
    assert legal_outer_bound(D("2026-11-02"), 7, cal) == D24("2026-11-09")     # a Monday: unchanged
    assert legal_outer_bound(D("2026-10-03"), 7, cal) == D24("2026-10-10")     # Sat 10-10 is a make-up workday
    assert working_days(D("2026-09-28"), 7, cal) == D24("2026-10-13")


# --- RV-6: reviews ----------------------------------------------------------------------------------

@pytest.mark.parametrize("stars, editable", [(1, True), (3, True), (4, False), (5, False)])
def test_rv_6_star_threshold_edge_unsettled_default_3_stars_or_fewer(stars, editable):
    """RV-6 (§4.2; §3 "after a 中/差评"): rules.md gives no star mapping; ours is JD's (1 差, 2-3 中, 4-5 好)."""
    case = Case(platform="TB", reason="review", review_at=T("2026-01-20 10:00"), review_stars=stars)
    got = [d for d in deadlines_for(case) if d.kind == "RV-6"]
    assert got == ([Deadline("RV-6", D24("2026-02-19"), "仅可修改一次")] if editable else [])
    tmall = Case(platform="TM", reason="review", review_at=T("2026-01-20 10:00"), review_stars=stars)
    assert at(tmall, "RV-6") is None
    assert tmall_review_note(tmall) == (("天猫评价不可修改", "Tmall reviews cannot be edited") if editable else None)
    assert tmall_review_note(case) is None


def test_rv_6_follows_the_shops_good_review_setting():
    """RV-6 after a review below 好评: a shop that counts only 5 stars as 好评 (规则 RV-4.good_min_stars = 5)
    sees the edit window after a 4-star review too, as its reply routes do."""
    policy, problems = DEFAULT_POLICY.with_raw({"RV-4.good_min_stars": 5})
    assert problems == []
    case = Case(platform="TB", reason="review", review_at=T("2026-01-20 10:00"), review_stars=4)
    assert [d.kind for d in deadlines_for(case, policy) if d.kind == "RV-6"] == ["RV-6"]
    assert [d.kind for d in deadlines_for(case) if d.kind == "RV-6"] == []
    tmall = Case(platform="TM", reason="review", review_at=T("2026-01-20 10:00"), review_stars=4)
    assert tmall_review_note(tmall, policy) == ("天猫评价不可修改", "Tmall reviews cannot be edited")
    assert tmall_review_note(tmall) is None


def test_rv_6_needs_stars_and_the_default_good_review_only_without_a_review():
    """RV-6 (§3): the edit window follows a 中/差评; the default 好评 comes 15 days after 交易成功 if none was left."""
    assert at(Case(platform="TB", review_at=T("2026-01-20 10:00")), "RV-6") is None
    assert tmall_review_note(Case(platform="TM", review_at=T("2026-01-20 10:00"))) is None
    reviewed = Case(platform="TB", trade_done_at=T("2026-10-01 10:00"), review_at=T("2026-10-02 10:00"), review_stars=5)
    assert at(reviewed, "RV-6.default") is None


# --- JD-PP as a deadline ---------------------------------------------------------------------------

def test_jd_pp_deadline_only_for_jd_price_protection_with_a_time():
    """JD-PP (§1.C, §3): default S0 (30 days after signing); not signed yet: no end to show."""
    pop = Case(platform="JD", reason="price_protection", ordered_at=T("2026-09-28 10:00"), pp_days=30)
    assert at(pop, "JD-PP") == T("2026-10-28 10:00")
    unsigned = Case(platform="JD", reason="price_protection", ordered_at=T("2026-09-28 10:00"))
    assert at(unsigned, "JD-PP") is None
    assert at(Case(platform="TB", reason="price_protection", signed_at=T("2026-09-30 12:00")), "JD-PP") is None
    assert deadlines_for(Case(platform="JD", reason="price_protection")) == []


# --- next_due --------------------------------------------------------------------------------------

def test_next_due_skips_bounds_penalties_and_the_past_but_keeps_a_deadline_due_right_now():
    """§3: the action deadline is what staff act on; the §203 bound and the penalty line are not 'due'."""
    case = Case(platform="TB", reason="quality", return_received_at=T("2026-02-12 00:00"))
    got = deadlines_for(case)
    assert next_due(got).kind == "R7-3"
    assert next_due(got, now=D24("2026-02-19")).kind == "R7-3"                      # exactly at the deadline
    assert next_due(got, now=D24("2026-02-19") + dt.timedelta(seconds=1)) is None   # only bound and penalty left
    assert next_due([]) is None
    alert = Case(platform="TB", refund_requested_at=T("2026-02-13 10:00"), shipped=True)
    assert next_due(deadlines_for(alert)).kind == "RF-TB.alert"                      # an alert counts as due


def test_working_day_deadlines_mark_the_year_of_their_last_day_only():
    """§0: a deadline ending 2026-12-31 24:00 counts no day of 2027 (推算); one ending 2027-01-01 24:00 does."""
    cal = WorkCalendar()
    end_2026 = on_calendar("P3-83", D("2026-12-20"), D24("2026-12-31"), cal)
    assert (end_2026.provisional_years, end_2026.note) == ((), "")
    assert on_calendar("P3-83", D("2026-12-20"), D24("2027-01-01"), cal).provisional_years == (2027,)
    court = [d for d in deadlines_for(Case(court_notice_at=T("2026-09-28 00:00"))) if d.kind == "P3-83"][0]
    assert court.note == ""


def test_jd_pp_deadline_follows_the_policy_basis():
    """JD-PP (§1.C): with the basis set to the order, 30 days = 720 h from the order."""
    case = Case(platform="JD", reason="price_protection", ordered_at=T("2026-09-28 10:00"),
                signed_at=T("2026-09-30 12:00"))
    assert at(case, "JD-PP", policy({"JD-PP.basis": "order"})) == T("2026-10-28 10:00")


def test_the_platform_time_out_says_what_happens_then():
    """docs/dev/stages.md: the 超时时间's note names the event of the stage."""
    got = {d.kind: d.note for d in deadlines_for(KIND_EXAMPLES["PLAT-TIMEOUT.close"][0])}
    assert got == {"PLAT-TIMEOUT.close": "买家未退货, 退款自动关闭"}


def test_a_finished_case_runs_no_clock_and_a_return_stage_drops_the_request_clocks():
    """docs/dev/stages.md: a closed or finished case has no deadline; once the return is under way the 7-day
    request window (R7-2) is behind it."""
    signed = dict(platform="TB", reason="no_reason_return", signed_at=T("2026-09-29 15:20"))
    assert deadlines_for(Case(outcome="ST-DONE", **signed)) == []
    kinds = {d.kind for d in deadlines_for(Case(outcome="ST-RETURN", return_shipped_at=T("2026-10-01 15:00"), **signed))}
    assert kinds == {"RF-RET.receive"}


def test_a_not_delivered_refund_runs_the_shipped_clock_unless_told_otherwise():
    """RF-TB (§1.B): 未收到货 is offered on shipped orders only, so a blank 退款时已发货 means shipped."""
    t = T("2026-02-13 10:00")
    got = {d.kind: d for d in deadlines_for(Case(platform="TB", reason="not_delivered", refund_requested_at=t))}
    assert got["RF-TB.shipped"] == Deadline("RF-TB.shipped", T("2026-02-18 10:00"), "按未收到货视为已发货")
    assert got["RF-TB.alert"] == Deadline("RF-TB.alert", T("2026-02-16 10:00"), "按未收到货视为已发货")
    told = {d.kind for d in deadlines_for(Case(platform="TB", reason="not_delivered", refund_requested_at=t, shipped=False))}
    assert told == {"RF-TB.unshipped"}
    typed = {d.kind: d.note for d in deadlines_for(Case(platform="TB", reason="quality", refund_requested_at=t,
                                                        shipped=True))}
    assert typed == {"RF-TB.alert": "", "RF-TB.shipped": ""}
