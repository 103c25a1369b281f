"""Unit behaviour of the core pieces that the worked examples do not pin down."""
import datetime as dt
from decimal import Decimal

import pytest

from addin.core.calendar_cn import CalendarUnknown, WorkCalendar
from addin.core.deadlines import daily_clock, legal_outer_bound, working_days
from addin.core.money import excel_round
from addin.core.policy import DEFAULT_POLICY, PARAMS

D = dt.date


def test_excel_round_half_away_from_zero_on_decimal_value():
    # 387.45 * 0.3 = 116.235 exactly; Python's round(116.235, 2) gives 116.23 on the float, Excel 116.24
    assert round(387.45 * 0.3, 2) == 116.23
    assert excel_round(Decimal("387.45") * Decimal("0.3")) == Decimal("116.24")
    assert excel_round(2.675) == Decimal("2.68")          # float 2.675 is 2.67499..., Excel shows 2.68
    assert excel_round(-2.5, 0) == Decimal("-3")
    assert excel_round(Decimal("0.005")) == Decimal("0.01")


def test_2026_calendar_matches_the_state_council_notice():
    cal = WorkCalendar()
    holidays = [D(2026, 1, 1), D(2026, 1, 3), D(2026, 2, 15), D(2026, 2, 23), D(2026, 4, 4), D(2026, 4, 6),
                D(2026, 5, 1), D(2026, 5, 5), D(2026, 6, 19), D(2026, 6, 21), D(2026, 9, 25), D(2026, 9, 27),
                D(2026, 10, 1), D(2026, 10, 7)]
    makeup = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]
    assert not any(cal.is_workday(d) for d in holidays)
    assert all(cal.is_workday(d) for d in makeup)
    assert not cal.is_workday(D(2026, 10, 11))          # an ordinary Sunday
    assert cal.is_workday(D(2026, 10, 9))


def test_a_year_beyond_every_source_is_refused_until_the_policy_supplies_it():
    with pytest.raises(CalendarUnknown) as info:
        WorkCalendar().add_workdays(D(2100, 12, 30), 5)      # `holidays` computes the lunar calendar to 2100
    assert info.value.year == 2101 and "2101" in info.value.zh and "日历" in info.value.zh
    # the 规则 sheet's legacy CAL.extra_holidays still make a year official: weekdays work, plus those days
    cal = WorkCalendar(extra_holidays=[D(2101, 1, 3)], extra_workdays=[])
    # 2101-01-01 is a Saturday: Mon 01-03 a holiday, so the first working day after 12-31 is Tue 01-04
    assert working_days(D(2100, 12, 31), 1, cal) == dt.datetime(2101, 1, 5)
    assert cal.provisional_years(D(2101, 1, 1), D(2101, 1, 4)) == ()


def test_legal_outer_bound_skips_weekends_too():
    # 2026-11-14 is a Saturday: a 7-day period from 11-07 ends on Monday 11-16 (24:00)
    assert legal_outer_bound(D(2026, 11, 7), 7, WorkCalendar()) == dt.datetime(2026, 11, 17)


@pytest.mark.parametrize("start, expected", [
    ("2026-10-01 07:30", "2026-10-01 13:00"),   # before opening: the clock starts at 09:00
    ("2026-10-01 18:30", "2026-10-02 13:00"),   # after closing: next day 09:00
    ("2026-10-01 14:00", "2026-10-01 18:00"),   # exactly to the close
])
def test_jd_daily_clock_edges(start, expected):
    got = daily_clock(dt.datetime.fromisoformat(start), 4, dt.time(9), dt.time(18))
    assert got == dt.datetime.fromisoformat(expected)


def test_policy_overrides_parse_staff_spellings_and_report_bad_ones():
    policy, errors = DEFAULT_POLICY.with_raw({"COMP-TM.rate": "25%", "SMS-6.end": "22:00", "COMP-TB.cap": "¥40",
                                              "LAD-2.approval_above": "abc", "NO-SUCH.param": 1})
    assert policy["COMP-TM.rate"] == Decimal("0.25")
    assert policy["SMS-6.end"] == dt.time(22, 0)
    assert policy["COMP-TB.cap"] == Decimal("40")
    assert policy["LAD-2.approval_above"] == Decimal("30")   # bad value: default kept
    assert sorted(e.param_id for e in errors) == ["LAD-2.approval_above", "NO-SUCH.param"]
    assert policy.changed().keys() == {"COMP-TM.rate", "SMS-6.end", "COMP-TB.cap"}


def test_every_param_default_survives_its_own_text_round_trip():
    # What the 规则 sheet shows for a default must read back as that default.
    for p in PARAMS:
        if p.default is None:
            continue
        assert p.parse(p.text()) == p.default, p.id


def test_ladder_and_insurance_notes_quote_the_policy_values():
    from addin.core.case import Case
    from addin.core.compensation import ladder
    from addin.core.freight import decide

    policy, errors = DEFAULT_POLICY.with_raw({"LAD-2.min": 8, "LAD-2.approval_above": 50, "INS-1.hours": 48})
    assert not errors
    assert ladder(Decimal("6"), policy).note.startswith("低于8元")
    assert ladder(Decimal("20"), policy).note == "客服权限内(8-50元)"
    fr = decide(Case(platform="TB", reason="no_reason_return", free_shipping=True, insurance="gifted"), policy)
    assert "退款完成后48小时内" in fr.note


def test_a_typed_amount_wins_even_where_the_rule_lacks_an_input():
    from addin.core.case import Case
    from addin.core.compensation import MissingInput, compensation_for

    # a late-shipment row without 实付金额: the rule cannot say an amount ...
    with pytest.raises(MissingInput):
        compensation_for(Case(platform="TB", reason="late_shipment"))
    # ... but the amount staff typed stands, cited as MANUAL, with no rule amount behind it
    comp = compensation_for(Case(platform="TB", reason="late_shipment", override=Decimal("20")))
    assert (comp.amount, comp.rule, comp.computed, comp.approval) == (Decimal("20.00"), "MANUAL", None, False)
    assert "规则计算: 无" in comp.note
    # above the agent's authority (LAD-2: 30 元) it still needs the manager
    big = compensation_for(Case(platform="TB", reason="late_shipment", override=Decimal("50")))
    assert (big.rule, big.approval) == ("MANUAL", True)
