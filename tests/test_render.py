"""The new workbook and the demo as a person sees them: rendered by LibreOffice headless (PDF, then PNG with
poppler), and the 汇总 formulas recalculated by LibreOffice and compared with the command line's figures.

LibreOffice is installed from Debian packages when missing (root + apt-get, about a minute); where that
cannot be done these tests skip and say why (tests/lo_render.py).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from addin.cli import main
from addin.core.parse import CellError, to_platform
from addin.core.case import PLATFORM_ZH
from addin.demo import sample_rows
from addin.excel.xlsm import new_workbook
from addin.workbook.files.reader import read_workbook, sheet_names
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_columns import find_header_row
from addin.workbook.sheets.catalogue import SUMMARY
from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook

from tests.lo_render import Office, ensure_tools, pages, png, words
from tests.helpers.clock import NOW_DEMO, NOW_DEMO_ARG

SCREEN_PX = 1280


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Office:
    reason = ensure_tools()
    if reason:
        pytest.skip(reason)
    return Office(tmp_path_factory.mktemp("lo"))


# --------------------------------------------------------------------------- the new workbook, rendered

def test_new_workbook_renders_with_the_status_block_on_the_first_screen(office, tmp_path):
    book = new_workbook(tmp_path / "售后.xlsm", sample_rows())
    recalc(book, now=NOW_DEMO)
    pdf = office.pdf(book, tmp_path / "pdf")
    assert pages(pdf) == len(sheet_names(book))              # one page per sheet, 案件 first
    header = {}
    for w in words(pdf, 1):
        if w.y0 < 90 and w.text not in header:               # the header row (80 pt, the buttons above its text)
            header[w.text] = w
    assert header["订单号*"].x0 < 10
    for name in ("状态", "下一截止", "截止事项", "赔偿金额", "需店长审批", "错误"):
        assert header[name].x0 < SCREEN_PX, (name, header[name].x0)
    assert header["错误"].x0 + 100 < SCREEN_PX                  # and some of its text shows
    assert max(w.x1 for w in header.values()) > 5 * SCREEN_PX   # the rest of the columns are further right
    picture = png(pdf, 1, tmp_path / "first_screen.png", width=SCREEN_PX, height=720)
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 20_000
    guide = " ".join(w.text for w in words(pdf, 4))          # 案件, 今日待办, 汇总, 使用说明
    assert "录入或导入案件" in guide and "6." in guide


def test_an_empty_new_workbook_summary_evaluates_to_zeros(office, tmp_path):
    book = new_workbook(tmp_path / "空.xlsm")
    grid = read_workbook(office.recalculated(book, tmp_path / "calc"), [SUMMARY.name])[SUMMARY.name]
    lines = table(grid, "按平台")
    assert lines["合计"] == [0, 0, 0, 0, 0] and lines["淘宝"] == [0, 0, 0, 0, 0]
    assert isinstance(grid[1][1], dt.datetime)                # 统计时间 = NOW()


# --------------------------------------------------------------------------- the demo: 汇总 = the CLI

def table(grid: list[list], title: str, width: int = 5, last: str | None = None) -> dict[str, list]:
    """The lines of a 汇总 table (label -> its figures) under its title, down to the blank line after it
    (or down to the line labelled `last`, when the table has blank lines to fill in)."""
    start = next(i for i, row in enumerate(grid) if row and row[0] == title) + 2
    out = {}
    for row in grid[start:]:
        if last is None and not any(v not in (None, "") for v in row[:width + 1]):
            break
        label = row[0]
        if isinstance(label, (dt.datetime, dt.date)):
            label = label if isinstance(label, dt.date) and not isinstance(label, dt.datetime) else label.date()
        if label not in (None, ""):
            out[label] = [v for v in row[1:width + 1]]
        if label == last:
            break
    return out


def cli_figures(path: Path, now: dt.datetime) -> dict:
    """The recalculated 案件 sheet recounted as the 汇总 groups it (platforms and reasons by the drop-down
    name and its aliases, days as 已逾期 plus the next 14 days). The totals are also checked against the
    command line's own Summary in the test."""
    grid = read_workbook(path, ["案件"])["案件"]
    h = find_header_row(grid)

    def cell(row, key):
        col = h.inputs.get(key) or h.outputs.get(key)
        return row[col - 1] if col and col - 1 < len(row) else None

    end_of_day = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())
    groups: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: [0, Decimal("0"), 0, 0, 0]))
    days: dict = defaultdict(lambda: [0, Decimal("0"), 0])
    for row in grid[h.row:]:
        if cell(row, "order_id") in (None, "") and cell(row, "errors") in (None, ""):
            continue
        try:
            platform = PLATFORM_ZH[to_platform(cell(row, "platform"))]
        except (CellError, KeyError):
            platform = "其他/未填"
        reason = cell(row, "reason_used") or "未判定(有错误)"      # the reason the rules used
        comp = Decimal(str(cell(row, "comp_amount") or 0))
        approval = cell(row, "approval") == "是"
        due = cell(row, "next_deadline")
        due = due if isinstance(due, dt.datetime) else None
        overdue = due is not None and due < now
        today = due is not None and now <= due < end_of_day
        for table_name, key in (("platform", platform), ("reason", reason), ("shop", cell(row, "shop_name")),
                                ("total", "合计")):
            figures = groups[table_name][key]
            figures[0] += 1
            figures[1] += comp
            figures[2] += approval
            figures[3] += overdue
            figures[4] += today
        if overdue:
            day = "已逾期"
        elif due is not None:
            day = due.date()
        else:
            continue
        days[day][0] += 1
        days[day][1] += comp
        days[day][2] += approval
    return {"groups": groups, "days": days}


def same(sheet: list, cli: list) -> bool:
    return len(sheet) == len(cli) and all(abs(float(a) - float(b)) < 0.005 for a, b in zip(sheet, cli))


def test_demo_summary_formulas_evaluate_to_the_cli_figures_and_render(office, tmp_path, capsys):
    demo = tmp_path / "demo.xlsx"
    assert main(["demo", "--out", str(demo), "--now", NOW_DEMO_ARG, "--quiet"]) == 0
    summary = recalc(demo, now=NOW_DEMO)                     # the CLI's own summary (nothing left to write)
    cli = cli_figures(demo, NOW_DEMO)
    # 统计时间 (B2, =NOW() in the workbook) set to the CLI's --now, written as Excel would save it
    fixed = tmp_path / "fixed" / "demo.xlsx"
    fixed.parent.mkdir()
    patch_workbook(demo, fixed, {SUMMARY.name: SheetEdit(cells={(2, 2): NOW_DEMO})})
    grid = read_workbook(office.recalculated(fixed, tmp_path / "calc"), [SUMMARY.name])[SUMMARY.name]
    assert not [v for row in grid for v in row if isinstance(v, str) and (v.startswith("#") or v.startswith("Err:"))]

    platforms = table(grid, "按平台")
    total = platforms.pop("合计")
    assert same(total, [summary.rows, summary.total_compensation, summary.approvals, summary.overdue,
                        summary.due_today])                 # the figures the CLI prints
    assert same(total, cli["groups"]["total"]["合计"])
    assert total[3] == 16                                 # the demo's past deadlines are counted as overdue
    for label, figures in platforms.items():
        assert same(figures, cli["groups"]["platform"].get(label, [0, 0, 0, 0, 0])), label
    reasons = table(grid, "按售后原因")
    for label, figures in reasons.items():
        assert same(figures, cli["groups"]["reason"].get(label, [0, 0, 0, 0, 0])), label
    shops = table(grid, "按店铺 (在A列填店铺名)", last="其他店铺/未填")
    assert same(shops.pop("其他店铺/未填"), [0, 0, 0, 0, 0])
    assert set(shops) == set(cli["groups"]["shop"])
    for label, figures in shops.items():
        assert same(figures, cli["groups"]["shop"][label]), label
    days = table(grid, "按日期 (下一截止)", width=3)
    assert same(days.pop("已逾期"), cli["days"]["已逾期"])
    assert list(days) == [NOW_DEMO.date() + dt.timedelta(days=k) for k in range(14)]
    for day, figures in days.items():
        assert same(figures, cli["days"].get(day, [0, 0, 0])), day
    assert sum(f[0] for f in days.values()) == sum(v[0] for k, v in cli["days"].items()
                                                   if k != "已逾期" and k < NOW_DEMO.date() + dt.timedelta(days=14))

    pdf = office.pdf(fixed, tmp_path / "pdf")
    text = " ".join(w.text for w in words(pdf, 3))
    for title in ("各平台赔偿金额", "各售后原因案件数", "每日到期案件"):   # the charts are drawn
        assert title in text.replace(" ", "")
    assert png(pdf, 3, tmp_path / "summary.png").stat().st_size > 20_000


def test_a_totals_row_on_the_case_sheet_is_not_counted_again_by_the_summary(office, tmp_path):
    """Staff add a 合计 row under the cases: recalc leaves it alone (no 状态), and the 汇总 formulas count
    only rows with a 状态, so its SUM is not added to the compensation a second time."""
    import openpyxl

    book = tmp_path / "合计.xlsx"
    assert main(["demo", "--out", str(book), "--now", NOW_DEMO_ARG, "--quiet"]) == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["案件"]
    heads = [(c.value or "").rstrip("*") for c in ws[1]]
    last = ws.max_row
    comp = heads.index("赔偿金额") + 1
    letter = openpyxl.utils.get_column_letter(comp)
    ws.cell(row=last + 1, column=heads.index("订单号") + 1, value="合计")
    ws.cell(row=last + 1, column=comp, value=f"=SUM({letter}2:{letter}{last})")
    wb.save(book)
    summary = recalc(book, now=NOW_DEMO)
    assert summary.totals_rows == [last + 1]
    fixed = tmp_path / "fixed.xlsx"
    patch_workbook(book, fixed, {SUMMARY.name: SheetEdit(cells={(2, 2): NOW_DEMO})})
    grid = read_workbook(office.recalculated(fixed, tmp_path / "calc"), [SUMMARY.name])[SUMMARY.name]
    total = table(grid, "按平台")["合计"]
    assert same(total, [summary.rows, summary.total_compensation, summary.approvals, summary.overdue,
                        summary.due_today])
    assert total[1] == 1704.73 and summary.rows == 55


def test_the_summary_counts_reviews_left_to_a_person(office, tmp_path):
    """Issue 23: 汇总's 待人工确认的评价 counts the rows the mail merge routed 人工确认, recalculated by LibreOffice."""
    from addin.workbook.sheets.new_book import build_workbook
    from addin.workbook.commands.texts import generate_texts

    shop = dict(shop_name="小美家居", platform="天猫", reason="中差评", review_at="2026-11-20")
    rows = [dict(shop, order_id="1", review_stars=5, review_text="很好看，就是有点掉色"),
            dict(shop, order_id="2", review_stars=1, review_text="很好，很快"),
            dict(shop, order_id="3", review_stars=5, review_text="很好看"),
            dict(shop, order_id="4", review_stars=5, review_text="质量太差了")]
    book = build_workbook(tmp_path / "评价.xlsx", rows)
    recalc(book, now=NOW_DEMO)
    generate_texts(book, now=NOW_DEMO)
    grid = read_workbook(office.recalculated(book, tmp_path / "calc"), [SUMMARY.name])[SUMMARY.name]
    assert grid[3][:2] == ["待人工确认的评价", 2]
