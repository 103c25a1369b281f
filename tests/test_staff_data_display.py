"""Issue 8's protections together with issue 13's display, 状态 and figures: totals rows and formula
cells left alone, worded in the display language, counted as the sheet shows them; the calcPr flag
recalc sets through the session. Real workbooks, built, run and read back."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlsxwriter

from addin.cli import main
from addin.core.status import STATUSES
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_columns import find_header_row
from addin.workbook.commands.texts import generate_texts
from tests.helpers.books import BASIC_HEADER, H, THREE_CASES, make_book, out, read_back
from tests.helpers.clock import NOW_RECALC
from tests.helpers.zips import CALC_PR, formulas_of, member


def column_of(path: Path, header: str) -> int:
    """The column of a header on the case sheet (a required column's '*' stripped)."""
    grid = read_back(path)[0]
    heads = [str(h).rstrip("*") if h is not None else "" for h in grid[find_header_row(grid).row - 1]]
    return heads.index(header) + 1


def test_a_formula_note_goes_into_errors_when_tips_is_a_formula_too(tmp_path):
    path = make_book(tmp_path / "f.xlsx", BASIC_HEADER + ["赔偿金额", "提示", "错误", "状态"], THREE_CASES)
    wb = openpyxl.load_workbook(path)
    wb["案件"]["E3"] = "=D3*0.1"                   # staff's own amount for A2 (no cached value)
    wb["案件"]["F3"] = '=""'                       # and 提示 is a formula as well
    wb.save(path)
    summary = recalc(path, now=NOW_RECALC)
    assert formulas_of(path) == {"E3": "<f>D3*0.1</f>", "F3": '<f>""</f>'}     # both kept
    grid, hm = read_back(path)
    assert out(grid, hm, 3, "errors").endswith("E3「赔偿金额」是公式, 未覆盖 (计算结果与之不同)")  # 中文 only
    assert out(grid, hm, 3, "status") == "有错误"                 # 错误 is not empty, so 状态 says so
    assert summary.errors == 1 and summary.by_status["有错误"] == 1 and summary.formulas_kept == ["E3"]
    assert recalc(path, now=NOW_RECALC).cells_written == 0                # stable


def test_the_figures_count_what_a_kept_formula_cell_shows(tmp_path):
    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("案件")
    ws.write_row(0, 0, BASIC_HEADER + ["赔偿金额"])
    for r, (order, platform, paid) in enumerate((("A1", "淘宝", 89), ("A2", "天猫", 89), ("A3", "淘宝", 1299)), start=1):
        ws.write_row(r, 0, [order, platform, "延迟发货", paid])
    ws.write_formula(2, 4, "=40+60", None, 100)   # A2: staff's formula, showing 100 (its cached value)
    wb.close()
    summary = recalc(path, now=NOW_RECALC)
    assert summary.formulas_kept == ["E3"]
    grid, hm = read_back(path)
    amounts = [out(grid, hm, r, "comp_amount") for r in (2, 3, 4)]
    assert amounts[1] == 100
    # The total is what a SUM over the column gives (as 汇总 counts it), the formula's 100 included.
    assert summary.total_compensation == sum(Decimal(str(a)) for a in amounts)
    assert summary.by_platform["天猫"].compensation == Decimal("100")


def test_a_totals_row_does_not_make_the_status_column_foreign(tmp_path):
    rows = THREE_CASES + [{H["order_id"]: "合计", H["paid"]: 1477, "状态": "共3单"}]
    path = make_book(tmp_path / "t.xlsx", BASIC_HEADER + ["状态"], rows)
    summary = recalc(path, now=NOW_RECALC)
    assert summary.skipped_columns == [] and summary.totals_rows == [5]
    grid, hm = read_back(path)
    assert all(out(grid, hm, r, "status") in STATUSES for r in (2, 3, 4))   # our 状态 written
    assert out(grid, hm, 5, "status") == "共3单"                            # the totals row left alone


def test_texts_leaves_a_formula_in_errors_alone_when_a_check_fails(tmp_path):
    from addin.demo import sample_approved, sample_rows as demo_rows
    from addin.workbook.sheets.new_book import build_workbook

    path = build_workbook(tmp_path / "demo.xlsx", demo_rows(), approved=sample_approved())
    recalc(path, now=NOW_RECALC)
    errors_col, kind_col = column_of(path, "错误"), column_of(path, "短信类型")
    grid = read_back(path)[0]
    row = next(r for r, values in enumerate(grid, start=1) if values[kind_col - 1] == "退货地址")  # fails: no address
    wb = openpyxl.load_workbook(path)
    wb["案件"].cell(row, errors_col, '="见备注"')                   # staff's formula in that row's 错误
    wb.save(path)
    counts = generate_texts(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert grid[row - 1][hm.msg_outputs["sms_verdict"] - 1] == "错误"
    assert out(grid, hm, row, "status") == "有错误"                   # 状态 still written ...
    letter = openpyxl.utils.get_column_letter(errors_col)
    assert formulas_of(path)[f"{letter}{row}"] == '<f>"见备注"</f>'   # ... the formula in 错误 is not
    assert counts["formulas_kept"] == 1


def calc_pr(path: Path) -> bytes:
    return re.search(CALC_PR.encode(), member(path, "xl/workbook.xml")).group()


def test_recalc_sets_the_flag_through_the_session_and_not_on_a_refused_book(tmp_path):
    path = make_book(tmp_path / "b.xlsx", BASIC_HEADER, THREE_CASES)
    wb = openpyxl.load_workbook(path)
    wb.calculation.fullCalcOnLoad = False
    wb.save(path)
    owner = tmp_path / ("~$" + path.name)
    owner.write_bytes(b"owner")                             # open in Excel: nothing written, calcPr included
    before = path.read_bytes()
    assert main(["recalc", str(path), "--quiet", "--wait", "0"]) == 2
    assert path.read_bytes() == before and b'fullCalcOnLoad="1"' not in calc_pr(path)
    owner.unlink()
    recalc(path, now=NOW_RECALC)
    assert b'fullCalcOnLoad="1"' in calc_pr(path)
