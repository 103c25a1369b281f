"""The Chinese official calendar: holidays and 调休 make-up workdays, and time arithmetic on it.

Which days are holidays is decided year by year, from the best source that knows the year:

1. the workbook's 日历 sheet, rows with an official source (the admin typed the State Council
   notice): the year is exactly those rows, every other weekday a workday;
2. ``chinese-calendar``, which carries the notices (2004 to its last year; 1.11 ends at 2026), or
   ``holidays`` if it carries a notice the first does not have yet: official;
3. the 日历 sheet's rows marked 推算 for the year (prefilled when the workbook was built, staff may
   have edited them): provisional;
4. the statutory holidays ``holidays`` computes from the lunar calendar, with 补假 for those on a
   weekend (1950-2100): provisional, because the 调休 make-up days are only known from the notice;
5. nothing: :class:`CalendarUnknown`, naming the year and the 日历 sheet.

A deadline counted over a provisional year says so (:meth:`WorkCalendar.provisional_years`).
The 规则 sheet's older CAL.extra_holidays / CAL.extra_workdays still work: they override single
days, and a year they name counts as official (weekdays work, weekends rest, plus those days).

The core never reads a sheet: the workbook layer hands over plain :class:`CalendarDay` rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from .errors import BilingualError

ONE_DAY = dt.timedelta(days=1)
HOLIDAY, WORKDAY = "放假", "调休上班"
PROVISIONAL = "推算"
# The State Council notices chinese-calendar was built from, for the 来源 column (P13 and gmw.cn).
NOTICE_DATES = {2025: "2024-11-12", 2026: "2025-11-04"}


class CalendarUnknown(BilingualError, ValueError):
    def __init__(self, year: int):
        self.year = year
        super().__init__(f"没有{year}年的节假日数据: 请在「日历」表填写{year}年国务院通知的放假和调休上班日期, "
                         f"或请管理员升级节假日数据",
                         f"no holiday calendar for {year}: type {year}'s holidays and make-up workdays (State Council "
                         f"notice) into the 日历 sheet, or upgrade chinese-calendar", "calendar")


@dataclass(frozen=True)
class CalendarDay:
    """One row of the 日历 sheet: a holiday (放假) or a make-up workday (调休上班)."""
    day: dt.date
    workday: bool                 # True: 调休上班; False: 放假
    name: str = ""                # e.g. 春节
    source: str = ""              # 国务院办公厅通知 2025-11-04, or 推算
    provisional: bool = False     # computed, not from a notice

    @property
    def kind(self) -> str:
        return WORKDAY if self.workday else HOLIDAY


@dataclass(frozen=True)
class YearSource:
    days: dict                    # date -> is workday, for the days that differ from Mon-Fri
    provisional: bool
    source: str                   # where the year came from, for messages


# --- the packages ----------------------------------------------------------------------------------

def _package_label(module) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return f"{module} {version(module)}"
    except PackageNotFoundError:
        return module


@lru_cache(maxsize=1)
def _chinese_calendar_years() -> frozenset[int]:
    return frozenset(d.year for d in chinese_calendar.holidays) | frozenset(d.year for d in chinese_calendar.workdays)


def _notice_source(year: int, package: str) -> str:
    date = NOTICE_DATES.get(year)
    return f"国务院办公厅通知 {date}" if date else f"国务院办公厅通知 ({_package_label(package)})"


def _zh(name: str) -> str:
    """chinese-calendar's English holiday name ('Spring Festival') in Chinese (春节)."""
    try:
        return chinese_calendar.Holiday(name).chinese
    except ValueError:
        return name


def _from_chinese_calendar(year: int) -> tuple[CalendarDay, ...]:
    source = _notice_source(year, "chinese-calendar")
    days = [CalendarDay(d, False, _zh(n), source) for d, n in chinese_calendar.holidays.items() if d.year == year]
    days += [CalendarDay(d, True, _zh(n), source) for d, n in chinese_calendar.workdays.items() if d.year == year]
    return tuple(sorted(days, key=lambda c: c.day))


def _holidays_module():
    try:
        import holidays   # imported only for years chinese-calendar does not know
    except ImportError:
        return None
    return holidays


def _from_holidays(year: int) -> tuple[tuple[CalendarDay, ...], bool] | None:
    """(days, provisional) from the `holidays` package's China calendar, or None if it cannot compute the year.

    A year in its table of State Council notices (special days off with the workday they were
    swapped with) is official; any other year is the statutory holidays plus 补假: provisional.
    """
    holidays = _holidays_module()
    if holidays is None:
        return None
    computed = holidays.China(years=[year], language="zh_CN")
    if not any("春节" in name for name in computed.values()):
        return None                       # beyond its lunar table (after 2100)
    try:
        from holidays.countries.china import ChinaStaticHolidays
        notices = ChinaStaticHolidays.special_public_holidays
    except (ImportError, AttributeError):  # its layout changed: use it as computed only
        notices = {}
    provisional = year not in notices
    source = PROVISIONAL if provisional else _notice_source(year, "holidays")
    days = [CalendarDay(d, False, name, source, provisional) for d, name in computed.items()]
    for notice_year in (year, year + 1):  # a make-up day can fall in the year before the holiday
        entries = notices.get(notice_year, ())
        for entry in (entries if entries and isinstance(entries[0], tuple) else (entries,)):
            if len(entry) >= 4 and isinstance(entry[2], int):
                workday = dt.date(entry[4] if len(entry) > 4 else notice_year, entry[2], entry[3])
                if workday.year == year:
                    days.append(CalendarDay(workday, True, WORKDAY, source))
    return tuple(sorted(days, key=lambda c: c.day)), provisional


@lru_cache(maxsize=256)
def package_days(year: int) -> tuple[tuple[CalendarDay, ...], bool] | None:
    """The packages' rows for one year and whether they are provisional; None when no package knows it."""
    if year in _chinese_calendar_years():
        return _from_chinese_calendar(year), False
    return _from_holidays(year)


# --- the calendar ----------------------------------------------------------------------------------

class WorkCalendar:
    """Working days from the 日历 sheet's rows, the packages and the legacy 规则 sheet overrides."""

    def __init__(self, rows=(), extra_holidays=(), extra_workdays=()):
        self.rows = tuple(rows)
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self._sheet: dict[tuple[int, bool], dict[dt.date, bool]] = {}   # (year, provisional) -> days
        for r in self.rows:
            self._sheet.setdefault((r.day.year, r.provisional), {})[r.day] = r.workday
        self._extra_years = {d.year for d in self.extra_holidays | self.extra_workdays}
        self._years: dict[int, YearSource] = {}
        self._answers: dict = {}        # add_workdays, next_workday_on_or_after, provisional_years
        self._key = (self.rows, self.extra_holidays, self.extra_workdays)

    def __hash__(self):
        return hash(self._key)

    def __eq__(self, other):
        return isinstance(other, WorkCalendar) and self._key == other._key

    def year(self, year: int) -> YearSource:
        """Where the year's holidays come from (see the module docstring for the order)."""
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = self._resolve(year)
        return found

    def _resolve(self, year: int) -> YearSource:
        if (year, False) in self._sheet:
            return YearSource(self._sheet[year, False], False, "日历")
        package = package_days(year)
        if package is not None and not package[1]:
            return YearSource({d.day: d.workday for d in package[0]}, False, package[0][0].source)
        if year in self._extra_years:
            return YearSource({}, False, "规则 CAL.extra_holidays / CAL.extra_workdays")
        if (year, True) in self._sheet:
            return YearSource(self._sheet[year, True], True, "日历 (推算)")
        if package is not None:
            return YearSource({d.day: d.workday for d in package[0]}, True, PROVISIONAL)
        raise CalendarUnknown(year)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        special = self.year(day.year).days.get(day)
        return day.weekday() < 5 if special is None else special

    # The calendar never changes once built, and a sheet's deadlines count from a few hundred distinct
    # days, so each answer below is remembered per question (bounded; an unknown year is never kept).

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (start itself not counted)."""
        key = (start, n)
        day = self._answers.get(key)
        if day is None:
            day, left = start, n
            while left > 0:
                day += ONE_DAY
                if self.is_workday(day):
                    left -= 1
            self._remember(key, day)
        return day

    def next_workday_on_or_after(self, day: dt.date) -> dt.date:
        found = self._answers.get(day)
        if found is None:
            found = day
            while not self.is_workday(found):
                found += ONE_DAY
            self._remember(day, found)
        return found

    def provisional_years(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        """The years between the two days whose holidays are provisional (推算)."""
        key = ("provisional", first.year, last.year)
        years = self._answers.get(key)
        if years is None:
            years = tuple(y for y in range(first.year, last.year + 1) if self.year(y).provisional)
            self._remember(key, years)
        return years

    def _remember(self, key, answer) -> None:
        if len(self._answers) > 10_000:          # bounded: a worker computes the whole sheet
            self._answers.clear()
        self._answers[key] = answer


@lru_cache(maxsize=32)
def calendar_for(rows: tuple = (), extra_holidays: tuple = (), extra_workdays: tuple = ()) -> WorkCalendar:
    return WorkCalendar(rows, extra_holidays, extra_workdays)


def calendar_from_policy(policy, rows: tuple = ()) -> WorkCalendar:
    """The calendar for a workbook: its 日历 rows (if any) and the 规则 sheet's legacy overrides."""
    return calendar_for(tuple(rows), tuple(policy["CAL.extra_holidays"]), tuple(policy["CAL.extra_workdays"]))


def prefill_years(today: dt.date) -> range:
    """The years a new workbook's 日历 sheet lists: last year, this year and next year."""
    return range(today.year - 1, today.year + 2)
