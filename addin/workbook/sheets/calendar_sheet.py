"""The 日历 sheet: one row per holiday and per 调休 make-up workday, read into the core's calendar.

Columns (found by header, in any order): 日期, 类型 (放假 / 调休上班), 年份, 名称, 来源. A row whose 来源
says 推算 is provisional; any other row is taken as the State Council notice, and a year with such
rows is exactly those rows (see :mod:`addin.core.calendar_cn`). 年份 and 名称 are for people; the
date decides. A row that cannot be read is reported (like a bad 规则 value) and skipped.
"""
from __future__ import annotations

import datetime as dt

from addin.core.calendar_cn import (HOLIDAY, PROVISIONAL, WORKDAY, CalendarDay, WorkCalendar, calendar_from_policy,
                                    package_days, prefill_years)
from addin.core.parse import CellError, halfwidth, is_blank, quote, to_date
from addin.core.policy import Policy, PolicyError

from addin.workbook.sheets.catalogue import normalise_header
from addin.workbook.files.xlsx_patch import col_letter

_HEADS = {"date": ("日期", "date"), "kind": ("类型", "kind", "type"), "name": ("名称", "name", "节日"),
          "source": ("来源", "source")}
_KINDS = {**{w: False for w in (HOLIDAY, "放假", "假", "休", "休息", "节假日", "holiday", "off")},
          **{w: True for w in (WORKDAY, "上班", "班", "补班", "调休", "工作日", "workday", "work")}}
_PROVISIONAL_WORDS = (PROVISIONAL, "预估", "估算", "provisional", "estimated")


def calendar_rows(today: dt.date) -> list[list]:
    """The rows a new workbook's 日历 sheet starts with: the packages' days for last, this and next year."""
    rows = []
    for year in prefill_years(today):
        found = package_days(year)
        for d in (found[0] if found else ()):
            rows.append([d.day, d.kind, d.day.year, d.name, d.source])
    return rows


def _header(grid: list[list]) -> tuple[int, dict[str, int]] | None:
    for r, values in enumerate(grid[:10]):
        heads = [normalise_header(v) for v in values]
        where = {key: heads.index(name) for key, names in _HEADS.items() for name in names if name in heads}
        if "date" in where and "kind" in where:
            return r, where
    return None


def days_from_grid(grid: list[list]) -> tuple[tuple[CalendarDay, ...], list[PolicyError]]:
    """The 日历 sheet's rows as CalendarDay, and a bilingual error per row that cannot be read."""
    found = _header(grid or [])
    if found is None:
        return (), []
    head, where = found
    days, errors = [], []

    def cell(values, key):
        i = where.get(key)
        return values[i] if i is not None and i < len(values) else None

    for r, values in enumerate(grid[head + 1:], start=head + 2):
        date_raw, kind_raw = cell(values, "date"), cell(values, "kind")
        if is_blank(date_raw) and is_blank(kind_raw):
            continue
        where_zh = f"日历!{col_letter(where['date'] + 1)}{r}"
        try:
            day = to_date(date_raw)
        except CellError as exc:
            errors.append(PolicyError(where_zh, f"{exc.zh}, 此行已忽略", f"{exc.en}; row ignored"))
            continue
        kind = _KINDS.get(halfwidth(str(kind_raw or "")).lower())
        if kind is None:
            errors.append(PolicyError(where_zh, f"类型须为「放假」或「调休上班」(现为 {quote(kind_raw)}), 此行已忽略",
                                      f"类型 must be 放假 (holiday) or 调休上班 (make-up workday), not {quote(kind_raw)}; "
                                      f"row ignored"))
            continue
        source = "" if is_blank(cell(values, "source")) else str(cell(values, "source")).strip()
        name = "" if is_blank(cell(values, "name")) else str(cell(values, "name")).strip()
        provisional = any(w in source.lower() for w in _PROVISIONAL_WORDS)
        days.append(CalendarDay(day, kind, name, source, provisional))
    return tuple(days), errors


def calendar_from_grid(grid: list[list] | None, policy: Policy) -> tuple[WorkCalendar, list[PolicyError]]:
    """The workbook's calendar: its 日历 sheet (None: the workbook has none) and the 规则 sheet's overrides."""
    days, errors = days_from_grid(grid) if grid else ((), [])
    return calendar_from_policy(policy, days), errors
