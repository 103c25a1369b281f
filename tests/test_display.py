"""Chinese first: what the add-in writes into cells follows the 规则 sheet's 显示语言; the 状态 column;
failed reply/SMS checks in 错误; the summary's figures. Real workbooks, built, run and read back."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal

import openpyxl
import pytest

from addin.cli import main
from addin.core.display import Display, error_lines, is_error_verdict
from addin.core.policy import DEFAULT_POLICY, PARAMS, PARAMS_BY_ID, SOURCES
from addin.core.status import STATUSES, row_status
from addin.excel import buttons
from addin.workbook.files.reader import read_workbook, sheet_names
from addin.workbook.files.xlsx_patch import col_letter
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_rows import check_lines
from addin.workbook.sheets.case_columns import INPUTS, MESSAGE_INPUTS, MESSAGE_OUTPUTS, OUTPUTS, find_header_row
from addin.workbook.commands.texts import generate_texts
from tests.helpers.fake_xlwings import BUTTON_HEADERS, FakeBook, case_rows
from tests.helpers.clock import NOW_DEMO, NOW_DEMO_ARG



@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    book = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    assert main(["demo", "--out", str(book), "--now", NOW_DEMO_ARG, "--quiet"]) == 0
    return book


def sheet_rows(path, sheet="案件"):
    """(headers, [row dict]) of a sheet as calamine reads it back."""
    grid = read_workbook(path, [sheet])[sheet]
    if sheet == "案件":
        header = find_header_row(grid)
        heads, body = grid[header.row - 1], grid[header.row:]
    else:
        heads, body = grid[0], grid[1:]
    heads = [str(h).rstrip("*") if h is not None else "" for h in heads]    # 订单号* = required
    return heads, [dict(zip(heads, row)) for row in body]


# --- the scan: no English and no rule ids in what the add-in wrote in 中文 mode ------------------------

# Allowed, because staff type or read them as they are: a cell address naming the input (H49「实付金额」),
# the vendor's ${variable} names (a shop names them when it applies for a template), the opt-out keywords
# carriers require (回T退订, 拒收请回复R), QQ, and the value 中文+English of the 显示语言 setting itself.
ALLOWED = re.compile(r"(?<![A-Za-z])[A-Z]{1,3}\d+(?=「)|\$\{[A-Za-z0-9_]+\}|回T退订|回复R|QQ|中文\+English")
LETTERS = re.compile(r"[A-Za-z]")
# Columns that hold ids, not words: rule ids (赔偿规则, 运费规则, 规则编号), and on the other sheets the
# parameter and source ids, batch ids, fingerprints, TemplateCodes and the vendor's receipt codes.
ID_COLUMNS = {"赔偿规则", "运费规则", "规则编号", "参数ID", "来源编号", "批次号", "号码指纹", "内容指纹", "模板CODE",
              "回执代码"}
INPUT_HEADERS = {c.header for c in INPUTS + MESSAGE_INPUTS}


def english_left(text: str, own: list[str]) -> str | None:
    """`text` without the row's own input values (buyer nicknames, reviews, shop and item names, order ids
    and phone numbers quoted or merged into it, also as the 30-character quotes of an error) and the
    allowed tokens; the rest if it still has an ASCII letter."""
    for value in sorted(own, key=len, reverse=True):
        for piece in (value, value[:30]):
            if len(piece) >= 2:
                text = text.replace(piece, "")
    text = ALLOWED.sub("", text)
    return text if LETTERS.search(text) else None


def test_demo_cells_in_chinese_mode_have_no_english_words_or_rule_ids(demo):
    found = []
    heads, rows = sheet_rows(demo)
    written = {c.header for c in OUTPUTS + MESSAGE_OUTPUTS} - ID_COLUMNS
    for n, row in enumerate(rows, start=2):
        own = [str(v) for k, v in row.items() if k in INPUT_HEADERS and v is not None]
        for head in written:
            value = row.get(head)
            if isinstance(value, str) and english_left(value, own):
                found.append(("案件", n, head, value))
    # 发送队列: its words (its texts are the 案件 sheet's); 发送记录: kind, status, and 说明 minus the file path
    for sheet, columns in (("发送队列", ("短信类型", "校验结果", "说明")), ("发送记录", ("短信类型", "状态", "说明"))):
        _, body = sheet_rows(demo, sheet)
        assert body, sheet
        for n, row in enumerate(body, start=2):
            for head in columns:
                value = row.get(head)
                if isinstance(value, str):
                    value = re.sub(r"^文件: .*$", "文件:", value)       # the exported file's own path
                    if english_left(value, []):
                        found.append((sheet, n, head, value))
    # the settings sheets the workbook starts with: 规则 (names, values, sources, alternatives), 日历, 原因对照
    for sheet in ("规则", "日历", "原因对照"):
        sheet_heads, body = sheet_rows(demo, sheet)
        for n, row in enumerate(body, start=2):
            for head in set(sheet_heads) - ID_COLUMNS:
                value = row.get(head)
                if isinstance(value, str) and english_left(value, []):
                    found.append((sheet, n, head, value))
    assert found == []


def test_the_scan_would_catch_english_and_rule_ids():
    assert english_left("七天无理由退货截止 [R7-2]", [])
    assert english_left("提醒: 需店长审批 / needs approval", [])
    assert english_left("参考: 全额退款 (COMP-REF)", [])
    assert english_left("签收后30天 (S0)", [])
    assert not english_left("「买家」tb_小王: 已退订", ["tb_小王"])       # the row's own input is not ours
    assert not english_left("催付短信须带退订方式 (如「回T退订」「拒收请回复R」)", [])


def test_rule_ids_stay_in_their_own_columns(demo):
    _, rows = sheet_rows(demo)
    r7 = next(r for r in rows if r["截止事项"] == "七天无理由退货截止")
    assert "R7-2" in r7["规则编号"] and "R7-2" not in (r7["全部时限"] or "")
    manual = next(r for r in rows if r["赔偿规则"] == "MANUAL")
    assert manual["规则编号"] == "手工金额替代: JD-COMP-1" and "JD-COMP-1" not in manual["赔偿说明"]
    routes = {r["回复类型"] for r in rows if r["回复类型"]}
    assert routes <= {"好评", "好评(长评/带图)", "中评", "差评", "人工确认"} and "差评" in routes
    assert {r["短信校验"] for r in rows if r["短信校验"]} <= {"通过", "提醒", "错误"}


# --- 中文+English ------------------------------------------------------------------------------------

def set_language(path, value):
    """Type a 显示语言 into the 规则 sheet, as staff would (the workbook was built by openpyxl)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["规则"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "UI.language")
    row[2].value = value
    wb.save(path)


def test_chinese_plus_english_brings_the_english_back(tmp_path):
    from addin.demo import sample_approved, sample_rows
    from addin.workbook.sheets.new_book import build_workbook

    path = build_workbook(tmp_path / "both.xlsx", sample_rows(), approved=sample_approved())
    set_language(path, "中文+English")
    summary = recalc(path, now=NOW_DEMO)
    generate_texts(path, now=NOW_DEMO)
    _, rows = sheet_rows(path)
    bad = next(r for r in rows if r["订单号"] and r["实付金额"] == "八十九")
    heads, _ = sheet_rows(path)
    paid = col_letter(heads.index("实付金额") + 1)                      # the layout puts 实付金额 where it likes
    assert bad["错误"] == (f"{paid}49「实付金额」: 无法识别金额 '八十九', 请填数字, 如 89.00 / not an amount: '八十九'; "
                         "type a number such as 89.00")
    assert bad["状态"] == "有错误"                                   # 状态 is the same word in both languages
    r7 = next(r for r in rows if (r["截止事项"] or "").startswith("七天无理由退货截止"))
    assert r7["截止事项"] == "七天无理由退货截止 / 7-day return request deadline"
    approval = next(r for r in rows if r["需店长审批"] == "是" and r["赔偿规则"] == "LAD-2")
    assert approval["提示"] == "提醒: 需店长审批 / needs the shop manager's approval" and approval["状态"] == "需审批"
    assert {r["回复类型"] for r in rows if r["回复类型"]} >= {"差评 / bad review", "中评 / medium review"}
    failed = next(r for r in rows if r["短信校验"] == "错误 / ERROR")
    assert failed["错误"].startswith("短信校验未通过 / SMS check failed: ") and " / " in failed["短信校验说明"]
    assert all(" / " in r["校验结果"] for r in sheet_rows(path, "发送队列")[1])
    assert summary.policy_changes == {"UI.language": "中文+English"}


def test_language_setting_spellings_and_old_workbooks():
    for text in ("中文+English", "中文+英文", "双语", " 中英文 ", "zh+en", "ＺＨ＋ＥＮ"):
        policy, errors = DEFAULT_POLICY.with_raw({"UI.language": text})
        assert policy["UI.language"] == "中文+English" and not errors, text
    policy, errors = DEFAULT_POLICY.with_raw({"UI.language": "日本語"})
    assert policy["UI.language"] == "中文" and "中文/中文+English" in errors[0].zh     # reported, default kept
    assert DEFAULT_POLICY["UI.language"] == "中文"                 # a workbook without the row: 中文


# --- the 规则 sheet ------------------------------------------------------------------------------------

def test_rules_sheet_shows_sources_by_name_and_chinese_alternatives(demo):
    _, rows = sheet_rows(demo, "规则")
    by_id = {r["参数ID"]: r for r in rows}
    assert by_id["COMP-TB.rate"]["来源"] == "淘宝延迟发货规则(网页)" and by_id["COMP-TB.rate"]["来源编号"] == "P6"
    assert by_id["JD-COMP-1.rate"]["来源"] == "京东开放平台商品类问题纠纷处理标准 第十一条"
    assert by_id["R7-2.basis"]["值"] == "自然日" and by_id["R7-2.basis"]["分歧时的备选"].startswith("168小时")
    assert by_id["UI.language"]["值"] == "中文"
    for p in PARAMS:                                              # every source id has a name
        assert all(s.strip() in SOURCES for s in p.source.split(",") if s.strip()), p.id
        assert not p.alternative or not re.search(r"[A-Za-z]{2,}", p.alternative.replace("English", "")), p.id


def test_switch_words_and_the_old_codes_both_read():
    for raw, want in (("自然日", "calendar"), ("168小时", "hours"), ("hours", "hours"), ("各付一程", "split"),
                      ("buyer", "buyer"), ("下单后", "order"), ("仅正文", "body")):
        key = next(k for k in ("R7-2.basis", "F5.exchange", "JD-PP.basis", "SMS-3.scope")
                   if want in PARAMS_BY_ID[k].parse.options)
        policy, errors = DEFAULT_POLICY.with_raw({key: raw})
        assert policy[key] == want and not errors, raw
        assert not LETTERS.search(PARAMS_BY_ID[key].text(want))         # the sheet shows the word, not the code


# --- 状态 ----------------------------------------------------------------------------------------------

def test_status_precedence():
    due_soon, past, later = NOW_DEMO + dt.timedelta(hours=3), NOW_DEMO - dt.timedelta(minutes=1), NOW_DEMO + dt.timedelta(days=3)
    assert row_status(True, past, True, NOW_DEMO) == "有错误"
    assert row_status(False, past, True, NOW_DEMO) == "已逾期"
    assert row_status(False, due_soon, True, NOW_DEMO) == "即将到期"
    assert row_status(False, NOW_DEMO + dt.timedelta(hours=24), False, NOW_DEMO) == "即将到期"   # 24 h inclusive
    assert row_status(False, later, True, NOW_DEMO) == "需审批"
    assert row_status(False, later, False, NOW_DEMO) == row_status(False, None, False, NOW_DEMO) == "正常"
    assert row_status(True, None, False, NOW_DEMO, stage="ST-DONE") == "有错误"        # an error still shows
    assert row_status(False, past, True, NOW_DEMO, stage="ST-DONE") == "已完结"
    assert row_status(False, None, True, NOW_DEMO, stage="ST-CLOSED") == "已关闭"
    assert row_status(False, past, False, NOW_DEMO, stage="ST-RETURN") == "已逾期"       # an open stage: its clocks
    assert STATUSES == ("有错误", "已完结", "已关闭", "已逾期", "即将到期", "需审批", "正常")


def test_status_follows_now(tmp_path, demo):
    book = shutil.copy(demo, tmp_path / "later.xlsx")
    early = recalc(book, now=dt.datetime(2026, 2, 1, 9, 0))           # before the February deadlines
    late = recalc(book, now=NOW_DEMO)
    assert late.overdue > early.overdue
    _, rows = sheet_rows(book)
    assert {r["状态"] for r in rows if r["订单号"] or r["平台"]} <= set(STATUSES)


def test_a_staff_column_named_status_is_left_alone(tmp_path):
    path = tmp_path / "own_status.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["订单号", "平台", "售后原因", "实付金额", "状态"])
    ws.append(["S1", "淘宝", "延迟发货", 89, "已电话联系"])
    ws.append(["S2", "淘宝", "延迟发货", 120, None])
    wb.save(path)
    summary = recalc(path, now=NOW_DEMO)
    heads, rows = sheet_rows(path)
    assert [r["状态"] for r in rows] == ["已电话联系", None]            # staff's own words, never overwritten
    assert summary.skipped_columns == ["状态"] and heads.count("状态") == 1
    assert rows[0]["赔偿金额"] == 5.0                                   # everything else still computed


# --- failed checks feed 错误 and 状态; texts and recalc agree ---------------------------------------------

def test_texts_then_recalc_then_texts_is_stable(tmp_path, demo):
    book = shutil.copy(demo, tmp_path / "stable.xlsx")
    generate_texts(book, now=NOW_DEMO)
    after_texts = book.read_bytes()
    _, rows = sheet_rows(book)
    failed = [r for r in rows if r["短信校验"] == "错误"]
    assert len(failed) == 2 and all(r["状态"] == "有错误" and "短信校验未通过: " in r["错误"] for r in failed)
    recalc(book, now=NOW_DEMO)                                           # recalc reads the checks back ...
    assert book.read_bytes() == after_texts                            # ... and writes nothing: same lines
    generate_texts(book, now=NOW_DEMO)
    assert book.read_bytes() == after_texts


def test_a_fixed_sms_clears_its_error_line(tmp_path, demo):
    book = shutil.copy(demo, tmp_path / "fixed.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["案件"]
    heads = [(c.value or "").rstrip("*") for c in ws[1]]     # 订单号* = required
    for row in ws.iter_rows(min_row=2):
        if row[heads.index("短信类型")].value == "退货地址":
            row[heads.index("退货地址")].value = "杭州市文一西路1号 小美家居售后部"     # no phone, short enough
    wb.save(book)
    generate_texts(book, now=NOW_DEMO)
    _, rows = sheet_rows(book)
    fixed = next(r for r in rows if r["短信类型"] == "退货地址")
    assert fixed["短信校验"] == "通过" and fixed["错误"] is None and fixed["状态"] == "正常"
    recalc(book, now=NOW_DEMO)
    assert next(r for r in sheet_rows(book)[1] if r["短信类型"] == "退货地址")["错误"] is None


def test_check_lines_read_every_form_a_cell_was_written_in():
    show = Display()
    assert check_lines({"sms_verdict": "错误", "sms_reasons": "提醒: x\n错误: 缺少「手机号」, 无法发送"}, show) == [
        "短信校验未通过: 缺少「手机号」, 无法发送"]
    two = check_lines({"reply_verdict": "错误 / ERROR", "reply_reasons": "错误: a / b\n错误: c / d"}, Display("中文+English"))
    assert two == ["回复校验未通过 / reply check failed: a / b (共2项, 见「回复校验说明」 / 2 problems, see 回复校验说明)"]
    # written before the display setting existed
    legacy = check_lines({"sms_verdict": "ERROR", "sms_reasons": "[ERROR] SMS-5: 该号码已退订, 不要发送 / number opted out"}, show)
    assert legacy == ["短信校验未通过: 该号码已退订, 不要发送 / number opted out"]
    assert check_lines({"sms_verdict": "错误"}, show) == ["短信校验未通过: 见「短信校验说明」"]
    assert check_lines({"sms_verdict": "通过", "reply_verdict": "提醒"}, show) == []
    assert is_error_verdict("错误") and is_error_verdict("ERROR") and not is_error_verdict("通过")
    assert error_lines("提示: 1\n错误: 2") == ["2"]


# --- the summary: figures defined by the cells, so formulas can give the same ---------------------------

def test_summary_figures_are_counts_of_the_written_cells(tmp_path, demo):
    book = shutil.copy(demo, tmp_path / "figures.xlsx")
    summary = recalc(book, now=NOW_DEMO)
    _, rows = sheet_rows(book)
    cases = [r for r in rows if any(r.get(c.header) not in (None, "") for c in INPUTS)]
    assert summary.rows == len(cases)
    assert summary.by_status == {s: sum(r["状态"] == s for r in cases) for s in STATUSES}
    assert summary.errors == summary.by_status["有错误"]
    # overdue / due today count 下一截止 against now, as the 汇总 sheet's formulas do, whatever the 状态
    # (a row with an error can be overdue too: 状态 says 有错误 first)
    due = [r["下一截止"] for r in cases if r["下一截止"]]
    end_of_today = dt.datetime.combine(NOW_DEMO.date() + dt.timedelta(days=1), dt.time())
    assert summary.overdue == sum(d < NOW_DEMO for d in due) >= summary.by_status["已逾期"]
    assert summary.due_today == sum(NOW_DEMO <= d < end_of_today for d in due)

    def figures(group):
        amount = sum((Decimal(str(r["赔偿金额"])) for r in group if r["赔偿金额"] is not None), Decimal("0.00"))
        return (len(group), amount, sum(r["需店长审批"] == "是" for r in group),
                sum(r["下一截止"] is not None and r["下一截止"] < NOW_DEMO for r in group),
                sum(r["下一截止"] is not None and NOW_DEMO <= r["下一截止"] < end_of_today for r in group))

    def key(v):
        return "(空)" if v in (None, "") else str(v)

    for table, column in ((summary.by_platform, "平台"), (summary.by_reason, "判定原因"), (summary.by_shop, "店铺名")):
        keys = {key(r[column]) for r in cases}
        assert set(table) == keys
        for k in keys:
            f = table[k]
            assert (f.cases, f.compensation, f.approvals, f.overdue, f.due_today) == \
                figures([r for r in cases if key(r[column]) == k]), (column, k)
    days = {r["下一截止"].date() for r in cases if r["下一截止"]}
    assert set(summary.by_day) == days
    for day in days:
        f = summary.by_day[day]
        assert (f.cases, f.compensation, f.approvals, f.overdue, f.due_today) == \
            figures([r for r in cases if r["下一截止"] and r["下一截止"].date() == day]), day
    assert summary.due_today == 1 and summary.overdue == 16 and summary.by_platform["淘宝"].cases == 31


# --- the buttons ---------------------------------------------------------------------------------------

def test_buttons_follow_the_language_setting():
    rules = [["参数ID", "名称", "值"], ["UI.language", "显示语言", "中文+English"]]
    book = FakeBook({"案件": [BUTTON_HEADERS] + case_rows(6), "规则": rules,
                     "日志": [["时间", "操作人", "操作", "行数", "错误行", "规则版本", "说明"]]})
    buttons.recalc_book(book, now=NOW_DEMO)
    assert book.rec.status[-1].startswith("重新计算完成 / recalculated: ") and "overdue" in book.rec.status[-1]
    log = book.grid("日志")
    assert log[1][2] == "重新计算 / recalc"
    chinese = FakeBook({"案件": [BUTTON_HEADERS] + case_rows(6),
                        "日志": [["时间", "操作人", "操作", "行数", "错误行", "规则版本", "说明"]]})
    buttons.recalc_book(chinese, now=NOW_DEMO)
    assert not LETTERS.search(chinese.rec.status[-1]) and chinese.grid("日志")[1][2] == "重新计算"


def test_worksheet_functions_give_the_buttons_status_and_errors(demo, monkeypatch):
    """AS_RESULT("状态"/"错误") over the demo's rows, message columns included, as the sheet has them
    (a formula names the column, the sheet the cell)."""
    from addin.excel import functions

    monkeypatch.setattr(functions, "_minute", lambda: NOW_DEMO)
    grid = read_workbook(demo, ["案件"])["案件"]
    heads, body = grid[0], grid[1:]
    status = [row[0] for row in functions.result("状态", heads, body)]
    errors = [row[0] for row in functions.result("错误", heads, body)]
    assert status == [row[heads.index("状态")] for row in body]
    assert errors == [re.sub(r"^[A-Z]+\d+「", "「", row[heads.index("错误")]) if row[heads.index("错误")] else ""
                      for row in body]
    assert sum(e.startswith("短信校验未通过") for e in errors) == 2
