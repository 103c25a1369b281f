"""The Chinese official calendar: holidays and 调休 make-up workdays, and time arithmetic on it.

Working days come from the `chinese-calendar` package (the State Council notices, 2004-2026),
plus the 规则 sheet's CAL.extra_holidays / CAL.extra_workdays, so a manager can enter next
year's notice before the package catches up. A year that neither knows is refused rather than
guessed: Mon-Fri would be wrong around every holiday.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


class CalendarUnknown(ValueError):
    def __init__(self, year: int):
        super().__init__(f"no official holiday calendar for {year}")
        self.year = year
        self.zh = f"没有{year}年的法定节假日数据, 请在规则表填写 CAL.extra_holidays / CAL.extra_workdays"
        self.en = f"no official holiday calendar for {year}; fill CAL.extra_holidays / CAL.extra_workdays on the 规则 sheet"


class WorkCalendar:
    def __init__(self, extra_holidays=(), extra_workdays=()):
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self._extra_years = {d.year for d in self.extra_holidays | self.extra_workdays}

    @staticmethod
    @lru_cache(maxsize=4096)
    def _package_is_workday(day: dt.date) -> bool:
        return chinese_calendar.is_workday(day)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return self._package_is_workday(day)
        except NotImplementedError:
            if day.year in self._extra_years:  # the manager entered this year's notice
                return day.weekday() < 5
            raise CalendarUnknown(day.year) from None

    def is_rest_day(self, day: dt.date) -> bool:
        return not self.is_workday(day)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (start itself not counted)."""
        day = start
        while n > 0:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def next_workday_on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_workday(day):
            day += ONE_DAY
        return day


@lru_cache(maxsize=32)
def calendar_for(extra_holidays: tuple = (), extra_workdays: tuple = ()) -> WorkCalendar:
    return WorkCalendar(extra_holidays, extra_workdays)


def calendar_from_policy(policy) -> WorkCalendar:
    return calendar_for(tuple(policy["CAL.extra_holidays"]), tuple(policy["CAL.extra_workdays"]))
