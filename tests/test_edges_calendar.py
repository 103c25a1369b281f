"""The edges of the official calendar (rules.md §0 "Working days" and "2026 calendar", P13).

Every 2026 holiday block is checked at its first and last day and at the working days either side; the
make-up days are working days; then the order in which a year's source is chosen (日历 sheet, packages,
规则 sheet overrides, computed years) and the arithmetic at its edges (n = 0, a workday start, year ends).
"""
import datetime as dt

import pytest

from addin.core import calendar_cn
from addin.core.calendar_cn import (HOLIDAY, PROVISIONAL, WORKDAY, CalendarDay, CalendarUnknown, WorkCalendar,
                                    calendar_for, calendar_from_policy, package_days, prefill_years)
from addin.core.policy import DEFAULT_POLICY

D = dt.date.fromisoformat

# §0 2026 calendar: (first, last) day of each holiday block, with the working day before and after it.
BLOCKS_2026 = [("2026-01-01", "2026-01-03", "2025-12-31", "2026-01-04"),   # 01-04 is a make-up Sunday
               ("2026-02-15", "2026-02-23", "2026-02-14", "2026-02-24"),   # 02-14 a make-up Saturday
               ("2026-04-04", "2026-04-06", "2026-04-03", "2026-04-07"),
               ("2026-05-01", "2026-05-05", "2026-04-30", "2026-05-06"),
               ("2026-06-19", "2026-06-21", "2026-06-18", "2026-06-22"),
               ("2026-09-25", "2026-09-27", "2026-09-24", "2026-09-28"),
               ("2026-10-01", "2026-10-07", "2026-09-30", "2026-10-08")]
MAKEUP_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


@pytest.mark.parametrize("first, last, before, after", BLOCKS_2026)
def test_each_2026_holiday_block_at_its_edges(first, last, before, after):
    """§0 2026 calendar (P13): holidays rest from the first to the last day; the days either side work."""
    cal = WorkCalendar()
    day = D(first)
    while day <= D(last):
        assert not cal.is_workday(day), day
        day += dt.timedelta(days=1)
    assert cal.is_workday(D(before)) and cal.is_workday(D(after))
    assert cal.next_workday_on_or_after(D(first)) == D(after)
    assert cal.add_workdays(D(before), 1) == D(after)


@pytest.mark.parametrize("day", MAKEUP_2026)
def test_each_2026_make_up_day_is_a_working_weekend_day(day):
    """§0 2026 make-up workdays (调休): a Saturday or Sunday that works."""
    assert D(day).weekday() >= 5 and WorkCalendar().is_workday(D(day))


def test_ordinary_weekdays_and_weekends():
    cal = WorkCalendar()
    assert cal.is_workday(D("2026-11-06")) and not cal.is_workday(D("2026-11-07")) and not cal.is_workday(D("2026-11-08"))


def test_add_workdays_edges():
    """§0 working days: the start day is not counted; n = 0 is the start itself."""
    cal = WorkCalendar()
    assert cal.add_workdays(D("2026-10-01"), 0) == D("2026-10-01")
    assert cal.add_workdays(D("2026-11-06"), 1) == D("2026-11-09")      # Fri → Mon
    assert cal.add_workdays(D("2026-11-05"), 1) == D("2026-11-06")
    assert cal.add_workdays(D("2026-09-28"), 7) == D("2026-10-13")      # §5 example 22
    assert cal.add_workdays(D("2026-09-28"), 7) == D("2026-10-13")      # asked again: the same answer


def test_next_workday_on_or_after_a_workday_is_that_day():
    cal = WorkCalendar()
    assert cal.next_workday_on_or_after(D("2026-10-10")) == D("2026-10-10")    # the make-up Saturday
    assert cal.next_workday_on_or_after(D("2026-10-11")) == D("2026-10-12")
    assert cal.next_workday_on_or_after(D("2026-10-11")) == D("2026-10-12")


# --- where a year comes from --------------------------------------------------------------------

def test_official_sheet_rows_replace_the_whole_year():
    """The 日历 sheet with an official source wins: the year is exactly its rows, other weekdays work."""
    cal = WorkCalendar(rows=[CalendarDay(D("2026-10-09"), False, "国庆节", "国务院办公厅通知")])
    assert not cal.is_workday(D("2026-10-09")) and cal.is_workday(D("2026-10-01"))
    assert not cal.is_workday(D("2026-10-10"))                     # no make-up row: an ordinary Saturday
    assert (cal.year(2026).provisional, cal.year(2026).source) == (False, "日历")


def test_provisional_sheet_rows_fill_a_year_without_a_notice_but_not_one_with():
    """A 推算 row counts for a year no notice covers (marked provisional); a noticed year ignores it."""
    rows = [CalendarDay(D("2030-06-03"), False, "端午节", PROVISIONAL, True),
            CalendarDay(D("2026-06-22"), False, "端午节", PROVISIONAL, True)]
    cal = WorkCalendar(rows=rows)
    assert not cal.is_workday(D("2030-06-03")) and cal.year(2030).source == "日历 (推算)" and cal.year(2030).provisional
    assert cal.is_workday(D("2030-02-04"))                      # the rows replace the computed 春节 too
    assert cal.is_workday(D("2026-06-22")) and not cal.year(2026).provisional


def test_legacy_overrides_make_a_year_official_and_win_day_by_day():
    """规则 sheet CAL.extra_holidays / CAL.extra_workdays: a year they name counts as official."""
    cal = WorkCalendar(extra_holidays=[D("2030-03-04")], extra_workdays=[D("2030-03-09")])
    assert not cal.is_workday(D("2030-03-04")) and cal.is_workday(D("2030-03-09"))
    assert cal.year(2030).provisional is False
    assert cal.year(2030).source == "规则 CAL.extra_holidays / CAL.extra_workdays"
    assert cal.is_workday(D("2030-02-04"))                      # the computed 春节 no longer applies
    both = WorkCalendar(extra_holidays=[D("2026-10-12")], extra_workdays=[D("2026-10-12")])
    assert both.is_workday(D("2026-10-12"))                     # a workday override wins
    assert not WorkCalendar(extra_holidays=[D("2026-10-12")]).is_workday(D("2026-10-12"))


def test_computed_years_are_provisional_and_named():
    """A year after the last notice: the statutory holidays computed from the lunar calendar, marked 推算."""
    cal = WorkCalendar()
    year = cal.year(2030)
    assert (year.provisional, year.source) == (True, PROVISIONAL)
    assert not cal.is_workday(D("2030-02-04")) and not cal.is_workday(D("2030-10-01"))
    assert cal.provisional_years(D("2026-05-01"), D("2026-06-01")) == ()
    assert cal.provisional_years(D("2026-12-01"), D("2030-01-05")) == (2027, 2028, 2029, 2030)
    assert cal.provisional_years(D("2026-12-01"), D("2030-01-05")) == (2027, 2028, 2029, 2030)


def test_a_year_no_source_knows_is_refused_with_a_bilingual_message():
    with pytest.raises(CalendarUnknown) as info:
        WorkCalendar().is_workday(D("2101-03-01"))
    err = info.value
    assert err.year == 2101 and err.kind == "calendar"
    assert err.zh == ("没有2101年的节假日数据: 请在「日历」表填写2101年国务院通知的放假和调休上班日期, "
                      "或请管理员升级节假日数据")
    assert err.en == str(err) == ("no holiday calendar for 2101: type 2101's holidays and make-up workdays "
                                  "(State Council notice) into the 日历 sheet, or upgrade chinese-calendar")


# --- the packages --------------------------------------------------------------------------------

def test_package_rows_for_2026_carry_the_notice_and_chinese_names():
    """P13: 2026 from the State Council notice of 2025-11-04."""
    days, provisional = package_days(2026)
    assert provisional is False
    by_day = {d.day: d for d in days}
    national = by_day[D("2026-10-01")]
    assert (national.workday, national.name, national.source, national.kind) == (
        False, "国庆节", "国务院办公厅通知 2025-11-04", HOLIDAY)
    assert by_day[D("2026-10-10")].kind == WORKDAY and by_day[D("2026-10-10")].workday
    assert [d.day for d in days] == sorted(d.day for d in days)
    assert package_days(2101) is None


def test_the_holidays_package_gives_an_official_year_from_its_notice_table(monkeypatch):
    """A year chinese-calendar lacks but `holidays` has a notice for is official, with its make-up days."""
    monkeypatch.setattr(calendar_cn, "_chinese_calendar_years", lambda: frozenset())
    package_days.cache_clear()
    try:
        days, provisional = package_days(2025)
        assert provisional is False
        workdays = sorted(d.day for d in days if d.workday)
        assert workdays == [D("2025-01-26"), D("2025-02-08"), D("2025-04-27"), D("2025-09-28"), D("2025-10-11")]
        assert {d.source for d in days} == {"国务院办公厅通知 2024-11-12"}
        assert any(d.name == "春节" and not d.workday for d in days)
    finally:
        package_days.cache_clear()


def test_notice_entries_of_the_following_year_and_single_entries(monkeypatch):
    """`holidays`' table may hold one entry instead of a tuple of them, and a make-up day in the year before."""
    from holidays.countries.china import ChinaStaticHolidays
    monkeypatch.setattr(ChinaStaticHolidays, "special_public_holidays",
                        {2040: ((1, 2, 1, 4),), 2041: (2, 1, 12, 29, 2040)}, raising=False)
    days, provisional = calendar_cn._from_holidays(2040)
    assert provisional is False
    assert sorted(d.day for d in days if d.workday) == [D("2040-01-04"), D("2040-12-29")]
    assert {d.source for d in days} == {"国务院办公厅通知 (holidays " + __import__("holidays").__version__ + ")"}
    assert {d.name for d in days if d.workday} == {WORKDAY}
    assert calendar_cn._from_holidays(2102) is None               # beyond the lunar table


def test_without_the_holidays_package_a_later_year_is_unknown(monkeypatch):
    monkeypatch.setattr(calendar_cn, "_holidays_module", lambda: None)
    assert calendar_cn._from_holidays(2030) is None


def test_helpers_name_the_package_and_translate_holiday_names():
    assert calendar_cn._package_label("holidays").startswith("holidays ")
    assert calendar_cn._package_label("no-such-package-xyz") == "no-such-package-xyz"
    assert calendar_cn._zh("National Day") == "国庆节" and calendar_cn._zh("Not a holiday") == "Not a holiday"
    assert calendar_cn._notice_source(2026, "chinese-calendar") == "国务院办公厅通知 2025-11-04"


# --- calendars as values ---------------------------------------------------------------------------

def test_calendars_with_the_same_days_are_equal_and_cached():
    rows = (CalendarDay(D("2026-10-09"), False),)
    assert WorkCalendar(rows) == WorkCalendar(rows) and hash(WorkCalendar(rows)) == hash(WorkCalendar(rows))
    assert WorkCalendar(rows) != WorkCalendar() and WorkCalendar() != "calendar"
    assert WorkCalendar(extra_holidays=[D("2026-10-12")]) != WorkCalendar(extra_workdays=[D("2026-10-12")])
    assert calendar_for(rows) is calendar_for(rows)


def test_the_policy_overrides_reach_the_calendar():
    policy, errors = DEFAULT_POLICY.with_raw({"CAL.extra_holidays": "2026-10-12", "CAL.extra_workdays": "2026-10-11"})
    assert not errors
    cal = calendar_from_policy(policy)
    assert not cal.is_workday(D("2026-10-12")) and cal.is_workday(D("2026-10-11"))
    with_rows = calendar_from_policy(DEFAULT_POLICY, rows=[CalendarDay(D("2026-10-09"), False)])
    assert not with_rows.is_workday(D("2026-10-09"))


def test_a_new_workbook_lists_last_this_and_next_year():
    assert prefill_years(D("2026-05-01")) == range(2025, 2028)


def test_many_questions_keep_their_answers_right():
    """The answers are remembered (bounded); past the bound they are still right."""
    cal = WorkCalendar()
    start = D("2026-01-01")
    for i in range(10_050):
        cal.add_workdays(start, i % 5 + 1) if i % 2 else cal.next_workday_on_or_after(start + dt.timedelta(days=i % 300))
        if i % 5 == 0:
            start += dt.timedelta(days=1)
    assert len(cal._answers) <= 10_001
    assert cal.add_workdays(D("2026-09-28"), 7) == D("2026-10-13")


def test_the_chinese_calendar_rows_themselves():
    """P13 via chinese-calendar, read directly (package_days keeps them once per process)."""
    days = calendar_cn._from_chinese_calendar(2026)
    holidays = sorted(d.day for d in days if not d.workday)
    workdays = sorted(d.day for d in days if d.workday)
    assert workdays == [D(day) for day in MAKEUP_2026]
    expected = []
    for first, last, _, _ in BLOCKS_2026:
        day = D(first)
        while day <= D(last):
            expected.append(day)
            day += dt.timedelta(days=1)
    assert holidays == expected
    assert {d.source for d in days} == {"国务院办公厅通知 2025-11-04"} and not any(d.provisional for d in days)
    assert all(d.workday is False for d in days if d.day in expected)
    older = calendar_cn._from_chinese_calendar(2024)            # a year without a notice date on file
    assert {d.source for d in older} == {calendar_cn._notice_source(2024, "chinese-calendar")}
    assert older[0].source.startswith("国务院办公厅通知 (chinese-calendar ")
    names = {d.day: d.name for d in days}
    assert (names[D("2026-10-01")], names[D("2026-02-15")], names[D("2026-10-10")]) == ("国庆节", "春节", "国庆节")
    assert [d.day for d in days] == sorted(d.day for d in days)


def test_a_computed_year_from_the_holidays_package_is_marked_provisional_row_by_row():
    days, provisional = calendar_cn._from_holidays(2030)
    assert provisional is True
    assert {d.source for d in days} == {PROVISIONAL} and all(d.provisional for d in days)
    assert not any(d.workday for d in days)                      # no make-up days without a notice
    assert D("2030-02-04") in {d.day for d in days}


def test_a_package_answer_without_the_spring_festival_is_no_answer(monkeypatch):
    """Beyond its lunar table `holidays` still lists the solar holidays; without 春节 the year is unknown."""
    class Fake:
        @staticmethod
        def China(years, language):
            return {dt.date(years[0], 1, 1): "元旦", dt.date(years[0], 10, 1): "国庆节"}
    monkeypatch.setattr(calendar_cn, "_holidays_module", lambda: Fake)
    assert calendar_cn._from_holidays(2102) is None


def test_without_the_notice_table_every_computed_year_is_provisional(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "holidays.countries.china", None)      # its layout changed: import fails
    days, provisional = calendar_cn._from_holidays(2025)
    assert provisional is True and not any(d.workday for d in days)


def test_where_each_year_came_from():
    cal = WorkCalendar()
    assert (cal.year(2026).provisional, cal.year(2026).source) == (False, "国务院办公厅通知 2025-11-04")
    assert cal.year(2026).provisional is False
    assert hash(WorkCalendar()) != hash(WorkCalendar(extra_holidays=[D("2026-10-12")]))
