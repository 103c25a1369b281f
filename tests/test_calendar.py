"""Deadlines past 2026: the 日历 sheet, the packages behind it, provisional years, and the unknown year.

Dates used: 2026-12-30 is a Wednesday. chinese-calendar 1.11 knows 2026 (the notice of 2025-11-04) but
not 2027; `holidays` computes 2027's statutory days (元旦 on Fri 01-01) but knows no 2027 notice, so 2027
is provisional (推算). Three working days from 12-30: 12-31, then (01-01 holiday, weekend) 01-04, 01-05.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from addin.core.calendar_cn import CalendarDay, WorkCalendar, package_days
from addin.core.case import Case
from addin.core.display import Display
from addin.core.engine import compute_case
from addin.excel import buttons
from addin.excel import functions
from addin.excel.cell_values import excel_serial
from addin.workbook.files.reader import read_sheet
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_columns import find_header_row
from addin.workbook.sheets.new_book import build_workbook

from tests.helpers.fake_xlwings import FakeBook

TODAY = dt.date(2026, 11, 30)
NOTICE_2027 = "国务院办公厅通知 2026-11-xx (test)"
# A notice as an admin would type it (hypothetical): 元旦 01-01..01-03 and Monday 01-04 off.
OFFICIAL_2027 = [(dt.datetime(2027, 1, d), "放假", 2027, "元旦", NOTICE_2027) for d in (1, 2, 3, 4)]


def promise_case(start: dt.datetime) -> Case:
    return Case(order_id="P1", platform="TB", reason="late_shipment", paid=Decimal(89), promise_at=start,
                promise_workdays=3)


# --- the core ------------------------------------------------------------------------------------

def test_three_working_days_from_2026_12_30_land_on_2027_01_05_marked_provisional():
    result = compute_case(promise_case(dt.datetime(2026, 12, 30)))
    [promise] = [d for d in result.deadlines if d.kind == "PROMISE"]
    assert promise.at == dt.datetime(2027, 1, 6)               # 24:00 on 2027-01-05
    assert promise.provisional_years == (2027,)
    assert "按推算假期" in Display().deadline(promise)
    [note] = [f for f in result.findings if f.rule == "CAL"]
    assert note.level == "WARN" and "推算" in note.zh and "2027" in note.zh and "2027" in note.en
    assert result.errors == []


def test_a_deadline_inside_an_official_year_is_not_marked():
    result = compute_case(promise_case(dt.datetime(2026, 9, 30)))     # rules.md example 21
    [promise] = [d for d in result.deadlines if d.kind == "PROMISE"]
    assert promise.at == dt.datetime(2026, 10, 11) and promise.provisional_years == ()
    assert not [f for f in result.findings if f.rule == "CAL"]


def test_official_rows_win_over_the_packages_and_end_the_provisional_mark():
    rows = tuple(CalendarDay(d.date(), False, name, source) for d, _, _, name, source in OFFICIAL_2027)
    cal = WorkCalendar(rows)
    result = compute_case(promise_case(dt.datetime(2026, 12, 30)), cal=cal)
    [promise] = [d for d in result.deadlines if d.kind == "PROMISE"]
    assert promise.at == dt.datetime(2027, 1, 7) and promise.provisional_years == ()   # 12-31, 01-05, 01-06
    # a typed year is exactly its rows: 2027-02-09, a computed 春节 补假 day, is now an ordinary Tuesday
    assert not WorkCalendar().is_workday(dt.date(2027, 2, 9)) and cal.is_workday(dt.date(2027, 2, 9))


def test_provisional_sheet_rows_count_but_never_beat_an_official_package_year():
    extra = CalendarDay(dt.date(2027, 1, 4), False, "试算", "推算", provisional=True)
    cal = WorkCalendar((extra,))
    assert not cal.is_workday(dt.date(2027, 1, 4)) and cal.year(2027).provisional
    stale = WorkCalendar((CalendarDay(dt.date(2026, 10, 9), False, "旧的推算", "推算", provisional=True),))
    assert stale.is_workday(dt.date(2026, 10, 9)) and not stale.year(2026).provisional   # chinese-calendar wins


def test_a_year_beyond_every_source_is_a_row_error_naming_the_year_and_the_sheet():
    result = compute_case(promise_case(dt.datetime(2100, 12, 30)))
    [error] = result.errors
    assert "2101" in error.zh and "日历" in error.zh and "2101" in error.en
    assert result.compensation.amount == Decimal("5.00")    # the rest of the row still computes (淘宝, 89: 5.00)


def test_packages_prefill_official_and_provisional_years():
    days_2026, provisional_2026 = package_days(2026)
    assert not provisional_2026
    assert {d.source for d in days_2026} == {"国务院办公厅通知 2025-11-04"}
    assert [d.day for d in days_2026 if d.workday] == [dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28),
                                                       dt.date(2026, 5, 9), dt.date(2026, 9, 20), dt.date(2026, 10, 10)]
    days_2027, provisional_2027 = package_days(2027)
    assert provisional_2027 and {d.source for d in days_2027} == {"推算"}
    assert all(not d.workday for d in days_2027)       # make-up days are unknown until the notice
    assert {d.name for d in days_2027} >= {"元旦", "春节", "劳动节", "国庆节"}
    assert package_days(2101) is None


# --- the workbook: 日历 sheet, recalc, typing the notice ------------------------------------------

def _book(tmp_path: Path, rows: list[dict]) -> Path:
    return build_workbook(tmp_path / "cases.xlsx", rows, today=TODAY)


def _outputs(path: Path) -> list[dict]:
    grid = read_sheet(path, "案件")
    hm = find_header_row(grid)
    cols = {**hm.inputs, **hm.outputs}
    return [{k: grid[r][c - 1] for k, c in cols.items()} for r in range(hm.row, len(grid)) if grid[r][0]]


def _type_rows(path: Path, rows) -> None:
    """What an admin does in Excel: type rows at the bottom of the 日历 sheet."""
    wb = load_workbook(path)
    ws = wb["日历"]
    for values in rows:
        ws.append(list(values))
    wb.save(path)


def test_new_workbooks_carry_the_calendar_sheet(tmp_path):
    path = _book(tmp_path, [])
    grid = read_sheet(path, "日历")
    assert grid[0] == ["日期", "类型", "年份", "名称", "来源"]
    years = {int(r[2]) for r in grid[1:]}
    assert years == {2025, 2026, 2027}
    sources = {y: {r[4] for r in grid[1:] if int(r[2]) == y} for y in years}
    assert sources[2025] == {"国务院办公厅通知 2024-11-12"} and sources[2026] == {"国务院办公厅通知 2025-11-04"}
    assert sources[2027] == {"推算"}
    assert [dt.date(2026, 2, 14), "调休上班"] in [r[:2] for r in grid[1:]]


def test_recalc_marks_provisional_and_typing_the_notice_changes_the_deadline(tmp_path):
    path = _book(tmp_path, [
        dict(order_id="P1", platform="淘宝", reason="延迟发货", paid=89, promise_at=dt.datetime(2026, 12, 30),
             promise_workdays=3),
        dict(order_id="P2", platform="淘宝", reason="延迟发货", paid=89, promise_at=dt.datetime(2100, 12, 30),
             promise_workdays=3),
        dict(order_id="P3", platform="淘宝", reason="延迟发货", paid=89, promise_at=dt.datetime(2026, 10, 8)),
    ])
    recalc(path, now=dt.datetime(2026, 12, 30, 9))
    p1, p2, p3 = _outputs(path)
    assert p1["next_deadline"] == dt.datetime(2027, 1, 5, 23, 59, 59)
    assert "推算" in p1["warnings"] and "2027" in p1["warnings"] and p1["errors"] is None
    assert "2101" in p2["errors"] and "日历" in p2["errors"] and p2["comp_amount"] == 5   # the rest still computes
    assert p3["errors"] is None and p3["comp_amount"] == 5 and "推算" not in (p3["warnings"] or "")

    _type_rows(path, OFFICIAL_2027)
    recalc(path, now=dt.datetime(2026, 12, 30, 9))
    p1, _, _ = _outputs(path)
    assert p1["next_deadline"] == dt.datetime(2027, 1, 6, 23, 59, 59)
    assert "推算" not in (p1["warnings"] or "")

    _type_rows(path, [(dt.datetime(2100, 12, 31), "放假", 2100, "测试", NOTICE_2027),
                      ("2101-01-03", "放假", 2101, "元旦", NOTICE_2027)])
    summary = recalc(path, now=dt.datetime(2026, 12, 30, 9))
    _, p2, _ = _outputs(path)
    # 2100-12-31 and (after the weekend) Monday 2101-01-03 are typed holidays: 01-04, 01-05, 01-06
    assert p2["errors"] is None and p2["next_deadline"] == dt.datetime(2101, 1, 6, 23, 59, 59)
    assert summary.errors == 0


def test_bad_calendar_rows_are_reported_and_skipped(tmp_path):
    path = _book(tmp_path, [dict(order_id="P1", platform="淘宝", reason="延迟发货", paid=89)])
    _type_rows(path, [("明年元旦", "放假", 2027, "元旦", NOTICE_2027), (dt.datetime(2027, 1, 4), "休假吧", 2027, "", "")])
    summary = recalc(path)
    problems = [e for e in summary.policy_errors if e.startswith("日历!")]
    assert len(problems) == 2 and "明年元旦" in problems[0] and "放假" in problems[1]
    assert summary.errors == 0


# --- the worksheet functions and the buttons see the same calendar ----------------------------------

def _calendar_grid(extra=()) -> list[list]:
    return [["日期", "类型", "年份", "名称", "来源"]] + [list(r) for r in extra]


def test_udf_errors_are_chinese_and_take_the_calendar_argument():
    start = dt.datetime(2100, 12, 30)
    out = functions.workdays_end(start, 3)
    assert out.startswith("#错误 没有2101年的节假日数据") and "日历" in out
    assert "参数有误" not in out
    provisional = functions.workdays_end(dt.datetime(2026, 12, 30), 3)
    assert provisional == excel_serial(dt.datetime(2027, 1, 5, 23, 59, 59))
    typed = functions.workdays_end(dt.datetime(2026, 12, 30), 3, None, _calendar_grid(OFFICIAL_2027))
    assert typed == excel_serial(dt.datetime(2027, 1, 6, 23, 59, 59))


def test_table_udf_button_and_recalc_agree_on_the_typed_calendar(tmp_path):
    headers = ["订单号", "平台", "售后原因", "实付金额", "承诺发货日期", "承诺工作日", "下一截止", "提示", "错误"]
    row = ["P1", "淘宝", "延迟发货", 89.0, dt.datetime(2026, 12, 30), 3.0, None, None, None]
    calendar = _calendar_grid(OFFICIAL_2027)
    udf = functions.next_deadline(headers, [row], None, calendar)
    udf_packages = functions.next_deadline(headers, [row])
    assert udf == excel_serial(dt.datetime(2027, 1, 6, 23, 59, 59))
    assert udf_packages == excel_serial(dt.datetime(2027, 1, 5, 23, 59, 59))
    warn = functions.result("提示", headers, [row])
    assert "推算" in warn and "推算" not in (functions.result("提示", headers, [row], None, calendar) or "")

    book = FakeBook({"案件": [headers, row], "日历": calendar})
    buttons.recalc_book(book, now=dt.datetime(2026, 12, 30, 9))
    written = book.grid("案件")[1]
    assert written[headers.index("下一截止")] == dt.datetime(2027, 1, 6, 23, 59, 59)
    assert "推算" not in (written[headers.index("提示")] or "")


@pytest.mark.parametrize("kind", ["放假", "休", "holiday"])
def test_calendar_kind_spellings(kind):
    from addin.workbook.sheets.calendar_sheet import days_from_grid
    days, errors = days_from_grid(_calendar_grid([("2027/1/4", kind, None, None, "推算")]))
    assert errors == [] and days == (CalendarDay(dt.date(2027, 1, 4), False, "", "推算", True),)


def test_remembered_answers_match_a_fresh_count_and_an_unknown_year_still_fails():
    """WorkCalendar remembers each working-day answer (a sheet asks the same ones on many rows): asked
    again, or by a new calendar, it says the same; a year nobody knows raises every time it is asked."""
    from addin.core.calendar_cn import CalendarUnknown

    cal = WorkCalendar()
    questions = [(dt.date(2026, 12, 30), n) for n in (0, 1, 3, 7)] + [(dt.date(2026, 9, 30), 7)]
    first = [cal.add_workdays(d, n) for d, n in questions]
    assert first == [cal.add_workdays(d, n) for d, n in questions] == \
        [WorkCalendar().add_workdays(d, n) for d, n in questions]
    assert first[2] == dt.date(2027, 1, 5)                              # 12-31, (holiday, weekend) 01-04, 01-05
    assert cal.next_workday_on_or_after(dt.date(2026, 10, 3)) == dt.date(2026, 10, 8) \
        == WorkCalendar().next_workday_on_or_after(dt.date(2026, 10, 3))   # National Day week
    assert cal.provisional_years(dt.date(2026, 12, 30), dt.date(2027, 1, 5)) == (2027,)
    for _ in range(2):
        with pytest.raises(CalendarUnknown):
            cal.add_workdays(dt.date(2199, 1, 1), 3)
