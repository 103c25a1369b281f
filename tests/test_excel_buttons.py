"""The buttons' Python side against a recording stand-in for xlwings' Book/Sheet/Range.

What is proved: the number of range reads and writes does not grow with the rows, nothing outside the
computed columns is written (a staff-typed override column between computed columns included), the
status bar is updated, and the values written are the ones compute_sheet (the CLI's recalc) gives.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from addin.demo import sample_rows
from addin.excel import buttons
from addin.excel.blocks import column_runs, for_excel, plan_blocks
from addin.workbook.commands.compute import compute_sheet
from addin.workbook.sheets.case_columns import INPUTS, OUTPUTS
from tests.helpers.clock import NOW_BUTTONS
from tests.helpers.fake_xlwings import (BUTTON_HEADERS, NOTE_COL, OVERRIDE_COL, FakeBook, call_counts, fake_book,
                                        policy_grid)


# --- tests -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", [buttons.recalc_book, buttons.validate_book])
def test_reads_and_writes_do_not_grow_with_rows(action):
    small, large = fake_book(10), fake_book(1000)
    action(small, now=NOW_BUTTONS)
    action(large, now=NOW_BUTTONS)
    assert call_counts(small) == call_counts(large)
    reads, writes = call_counts(large)
    assert reads == 2          # the 规则 and 案件 sheets, one call each (used-range extents are not reads)
    assert writes <= 5
    # and one formula read per run of adjacent computed columns (赔偿金额+赔偿规则, 需店长审批+赔偿说明, 下一截止)
    assert len(small.rec.formula_reads) == len(large.rec.formula_reads) == 3


def test_recalc_writes_only_computed_columns_and_matches_compute_sheet():
    book = fake_book(30)
    before = book.grid("案件")
    buttons.recalc_book(book, now=NOW_BUTTONS)
    after = book.grid("案件")

    computed = {i + 1 for i, h in enumerate(after[0]) if h in {c.header for c in OUTPUTS}}
    input_headers = {c.header for c in INPUTS} | {"我的备注"}
    assert OVERRIDE_COL not in computed and NOTE_COL not in computed
    for sheet, r, c in book.rec.written_cells:
        if sheet == "案件":
            assert c in computed, (r, c, after[0][c - 1] if c <= len(after[0]) else None)
    # the typed override and the staff's own note are untouched, as is every input
    for r, (old, new) in enumerate(zip(before, after), start=1):
        for c, h in enumerate(before[0], start=1):
            if h in input_headers:
                assert new[c - 1] == old[c - 1], (r, h)

    from addin.workbook.sheets.settings import policy_from_grid
    expected = compute_sheet(before, policy_from_grid(policy_grid())[0], now=NOW_BUTTONS)
    for (r, c), value in expected.cells.items():
        got = after[r - 1][c - 1] if c - 1 < len(after[r - 1]) else None
        assert got == (float(value) if hasattr(value, "as_tuple") else value), (r, c)


@pytest.mark.parametrize("action", [buttons.recalc_book, buttons.validate_book])
def test_a_formula_in_a_computed_column_is_kept_by_the_buttons(action):
    """As `aftersales recalc` keeps it: the formula stays a formula, and the row says so."""
    book = fake_book(12)
    comp_col, note_col = BUTTON_HEADERS.index("赔偿金额") + 1, BUTTON_HEADERS.index("赔偿说明") + 1
    sheet = book.sheets["案件"]
    sheet.formulas[(2, comp_col)] = "=D2*0.1"         # staff's own rule for this row (TB, paid 89)
    sheet.cells[(2, comp_col)] = 8.9
    sheet.formulas[(3, note_col)] = '="见群聊"'
    sheet.cells[(3, note_col)] = "见群聊"
    summary = action(book, now=NOW_BUTTONS)
    assert sheet.formulas == {(2, comp_col): "=D2*0.1", (3, note_col): '="见群聊"'}
    assert sheet.cells[(2, comp_col)] == 8.9 and sheet.cells[(3, note_col)] == "见群聊"
    if action is buttons.recalc_book:
        heads = book.grid("案件")[0]
        tip = book.grid("案件")[1][heads.index("提示")]
        assert "「赔偿金额」是公式, 未覆盖" in tip
        assert summary.formulas_kept


def test_buttons_on_xlwings_lite_cannot_see_formulas_and_still_run():
    book = fake_book(6)
    book.sheets["案件"].no_formulas = True
    summary = buttons.recalc_book(book, now=NOW_BUTTONS)
    assert summary.rows == 6 and book.rec.formula_reads     # tried once, then went on without


def test_override_between_computed_columns_splits_the_blocks():
    book = fake_book(12)
    buttons.recalc_book(book, now=NOW_BUTTONS)
    case_writes = [(first, last) for sheet, first, last in book.rec.writes if sheet == "案件"]
    assert all(not (first[1] <= OVERRIDE_COL <= last[1]) for first, last in case_writes)
    assert all(not (first[1] <= NOTE_COL <= last[1]) for first, last in case_writes)


def test_status_bar_is_updated_and_ends_with_a_summary():
    book = fake_book(2500)
    buttons.recalc_book(book, now=NOW_BUTTONS)
    status = book.rec.status
    assert status[0].startswith("重新计算")
    assert any("1000/2500" in s for s in status)            # progress while computing
    assert status[-1].startswith("重新计算完成") and "行数 2500" in status[-1] and "已逾期 " in status[-1]


def test_validate_writes_only_the_errors_column():
    book = fake_book(12)
    buttons.validate_book(book, now=NOW_BUTTONS)
    errors_col = len(BUTTON_HEADERS) + 1 + [c.key for c in OUTPUTS if c.header not in BUTTON_HEADERS].index("errors")
    case_cells = {(r, c) for sheet, r, c in book.rec.written_cells if sheet == "案件"}
    assert case_cells and {c for _, c in case_cells} == {errors_col}
    assert book.grid("案件")[0][errors_col - 1] == "错误"
    assert "检查完成" in book.rec.status[-1]


def test_each_run_appends_one_log_line():
    book = fake_book(6)
    buttons.recalc_book(book, now=NOW_BUTTONS)
    buttons.validate_book(book, now=NOW_BUTTONS)
    log = book.grid("日志")
    assert [row[2] for row in log[1:]] == ["重新计算", "检查"]           # in the display language (中文)
    assert log[1][3] == 6 and log[1][5] == "默认"


def test_missing_case_sheet_is_a_bilingual_message():
    book = FakeBook({"Sheet1": [["x"]]})
    with pytest.raises(buttons.CaseSheetError) as err:
        buttons.recalc_book(book)
    assert "案件" in err.value.zh and "cases" in err.value.en


def test_sample_rows_through_the_button_match_the_cli_pipeline():
    """The demo's ~40 realistic rows (bad input included), laid out as the template lays them out."""
    from addin.workbook.sheets.case_layout import case_columns

    cols = case_columns()
    grid = [[c.header for c in cols]] + [[row.get(c.key) for c in cols] for row in sample_rows()]
    book = FakeBook({"案件": grid})
    buttons.recalc_book(book, now=NOW_BUTTONS)
    expected = compute_sheet(grid, now=NOW_BUTTONS)
    after = book.grid("案件")
    for (r, c), value in expected.cells.items():
        assert after[r - 1][c - 1] == (float(value) if hasattr(value, "as_tuple") else value)


def test_plan_blocks_fills_gaps_and_refuses_outside_cells():
    grid = [["h1", "h2", "h3", "h4"], [1, 2, 3, 4], [5, 6, 7, 8]]
    blocks = plan_blocks({(2, 1): "a", (3, 2): "b", (3, 4): "c"}, [1, 2, 4], grid)
    assert [(b.top, b.left, b.values) for b in blocks] == [(2, 1, [["a", 2], [5, "b"]]), (3, 4, [["c"]])]
    with pytest.raises(ValueError):
        plan_blocks({(2, 3): "x"}, [1, 2, 4], grid)
    assert column_runs([9, 3, 4, 5, 7, 10]) == [(3, 5), (7, 7), (9, 10)]


@pytest.mark.parametrize("value, sent", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+86 138", "'+86 138"), ("-@SUM(A1)", "'-@SUM(A1)"),
    ("@tb_小王", "'@tb_小王"), ("13800138000", "'13800138000"), ("2026-11-23", "'2026-11-23"),
    ("亲，感谢您的好评", "亲，感谢您的好评"), ("PASS", "PASS"), (12.5, 12.5),
])
def test_text_excel_would_parse_is_sent_with_the_text_prefix(value, sent):
    assert for_excel(value) == sent


def test_texts_button_writes_text_columns_and_the_outbox():
    from addin.workbook.commands.texts import compute_texts

    def book_with_sms(n):
        book = fake_book(n)
        sheet = book.sheets["案件"]
        extra = {"店铺名": "小美家居", "短信类型": "回访", "商品名称": "电热水壶", "手机号": None}
        width = len(BUTTON_HEADERS)
        for j, (head, value) in enumerate(extra.items(), start=width + 1):
            sheet.cells[(1, j)] = head
            for r in range(2, n + 2):
                sheet.cells[(r, j)] = value or f"1380013{r:04d}"
        return book

    small, big = book_with_sms(10), book_with_sms(400)
    before = small.grid("案件")
    result = buttons.texts_book(small, now=NOW_BUTTONS)
    buttons.texts_book(big, now=NOW_BUTTONS)
    assert call_counts(small) == call_counts(big)
    case_cols = {c for _, c in result.cells}
    assert all(c in case_cols for sheet, r, c in small.rec.written_cells if sheet == "案件")
    from addin.workbook.sheets.settings import policy_from_grid
    expected = compute_texts(before, policy_from_grid(policy_grid())[0], now=NOW_BUTTONS)
    after = small.grid("案件")
    assert result.summary["sms"] == 10 and result.summary["ready"] == 10
    for (r, c), value in expected.cells.items():
        assert after[r - 1][c - 1] == value
    outbox = small.grid("发送队列")
    assert outbox[0][:4] == ["订单号", "手机号", "短信类型", "短信内容"] and len(outbox) == 11
    assert small.rec.status[-1].startswith("生成完成")


def test_texts_button_uses_the_approved_templates_and_the_send_log(tmp_path: Path):
    """The button gives what `aftersales texts` gives: approved vendor text, and no re-queue of logged SMS."""
    from addin.messages.vendor_templates import ApprovedTemplate
    from addin.workbook.commands.outbox import export_outbox
    from addin.workbook.files.reader import read_workbook, sheet_names
    from addin.workbook.sheets.new_book import build_workbook
    from addin.workbook.commands.texts import generate_texts

    approved = {"follow_up": ApprovedTemplate("follow_up", "SMS_1", "亲，您反馈的${item}问题已处理好~", "小美家居")}
    rows = [dict(order_id=f"300000{i}", platform="天猫", reason="其他", shop_name="小美家居", phone=f"1380013800{i}",
                 sms_kind="回访", item_name="台灯") for i in range(3)]
    path = build_workbook(tmp_path / "b.xlsx", rows, approved=approved)
    export_outbox(path, tmp_path / "out", now=NOW_BUTTONS, )           # logs all three as 已导出
    rows.append(dict(rows[0], order_id="3000009", phone="13800138009"))
    path2 = build_workbook(tmp_path / "c.xlsx", rows, approved=approved)
    grids = read_workbook(path, sheet_names(path))
    grids["案件"] = read_workbook(path2, ["案件"])["案件"]
    book = FakeBook(grids, fullname=str(tmp_path / "c.xlsx"))
    result = buttons.texts_book(book, now=NOW_BUTTONS)
    assert [res.sms_text for res in result.merged.values()] == ["【小美家居】亲，您反馈的台灯问题已处理好~"] * 4
    assert len(book.grid("发送队列")) == 2                                     # only the new number is queued
    generate_texts(path2, now=NOW_BUTTONS)                                        # the CLI on a book without that log
    assert len(read_workbook(path2, ["发送队列"])["发送队列"]) == 5


def test_texts_button_keeps_staff_notes_beside_their_message():
    """The 生成回复与短信 button, like `aftersales texts`, rebuilds 发送队列 without wiping the staff's own
    columns to its right, and a note stays beside its message when another message comes in above it."""
    book = fake_book(3)
    sheet = book.sheets["案件"]
    sheet.cells[(3, 1)] = "3000202610215894"                  # a real 16-digit order id: text in the queue too
    width = len(BUTTON_HEADERS)
    for j, head in enumerate(("店铺名", "短信类型", "商品名称", "手机号"), start=width + 1):
        sheet.cells[(1, j)] = head
    for r in range(2, 5):
        sheet.cells.update({(r, width + 1): "小美家居", (r, width + 3): "电热水壶", (r, width + 4): f"1380013{r:04d}"})
    sheet.cells[(3, width + 2)] = sheet.cells[(4, width + 2)] = "回访"
    buttons.texts_book(book, now=NOW_BUTTONS)
    queue = book.sheets["发送队列"]
    assert [queue.cells.get((r, 1)) for r in (2, 3)] == ["3000202610215894", "TM2"]
    queue.cells.update({(1, 12): "跟进人", (2, 12): "小王已回访", (3, 12): "=公式备注"})
    sheet.cells[(2, width + 2)] = "回访"                         # TB0, above them, gets one too
    buttons.texts_book(book, now=NOW_BUTTONS)
    assert [(queue.cells.get((r, 1)), queue.cells.get((r, 12))) for r in (1, 2, 3, 4)] == \
        [("订单号", "跟进人"), ("TB0", None), ("3000202610215894", "小王已回访"), ("TM2", "=公式备注")]
