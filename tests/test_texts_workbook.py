"""`aftersales texts` / `aftersales outbox` on real workbook files: build, run, read back."""
import csv
import datetime as dt

import openpyxl
import pytest

from addin.workbook.files.reader import read_workbook
from addin.workbook.sheets.new_book import build_workbook
from addin.workbook.commands.outbox import export_outbox
from addin.workbook.commands.texts import generate_texts
from tests.helpers.books import case_records, read_back
from tests.helpers.clock import NOW_DEMO
from tests.helpers.sms_books import SHOP, TEXT_ROWS as ROWS
from tests.helpers.zips import CASE_PART, compare_books, member, members

@pytest.fixture()
def book(tmp_path):
    path = build_workbook(tmp_path / "cases.xlsx", ROWS)
    wb = openpyxl.load_workbook(path)
    wb["退订名单"].append(["138-0013-8002", "2026-11-01", "回T退订"])
    wb.save(path)
    return path


def read(path, sheet="案件"):
    return case_records(path) if sheet == "案件" else read_workbook(path, [sheet])[sheet]


def test_texts_fill_columns_and_outbox(book):
    summary = generate_texts(book, now=NOW_DEMO)
    assert summary["rows"] == len(ROWS)
    rows = read(book)
    remind, opted, delay, formula, five_star, insurance = rows

    assert remind["短信校验"] == "通过" and remind["短信内容"].startswith("【小美家居】")
    assert "小美家居" in remind["短信内容"][:7] and remind["短信条数"] == 1
    assert remind["建议发送时间"] == dt.datetime(2026, 11, 23, 12, 10)

    assert opted["短信校验"] == "错误" and "该号码已退订" in opted["短信校验说明"]
    assert delay["短信校验"] == "错误" and "「预计发货时间」" in delay["短信校验说明"] and delay["短信内容"] is None
    assert five_star["回复类型"] == "差评" and five_star["回复校验"] == "通过"     # 5 stars, negative text
    # a failed SMS check is an error of the row: 错误 says so in one line, 状态 is 有错误
    assert opted["错误"] == "短信校验未通过: 该号码已退订, 不要发送" and opted["状态"] == "有错误"
    assert delay["错误"].startswith("短信校验未通过: 模板「发货延迟通知短信」需要字段「预计发货时间」")
    assert remind["错误"] is None and remind["状态"] != "有错误"
    assert "11月24日 10:00前" in insurance["短信内容"]      # INS-1: 72 h after the refund
    assert remind["回复内容"] is None and formula["短信内容"] is None

    outbox = read(book, "发送队列")
    assert outbox[0][:4] == ["订单号", "手机号", "短信类型", "短信内容"]
    sent = {r[1]: r for r in outbox[1:]}
    assert set(sent) == {"13800138001", "13800138006"}     # only messages that passed
    assert sent["13800138001"][2] == "催付" and sent["13800138001"][6] == dt.datetime(2026, 11, 23, 12, 10)


def test_buyer_text_is_written_as_text_not_formula(book):
    generate_texts(book, now=NOW_DEMO)
    ws = openpyxl.load_workbook(book)["案件"]
    heads = {c.value.rstrip("*"): c.column for c in ws[1] if c.value}    # '*' marks a required column
    order = ws.cell(row=5, column=heads["订单号"])
    buyer = ws.cell(row=5, column=heads["买家"])
    assert order.data_type == "s" and order.value.startswith("=HYPERLINK")
    assert buyer.data_type == "s" and buyer.value.startswith("=cmd")
    reply = ws.cell(row=5, column=heads["回复内容"]).value
    assert reply == ("亲，很抱歉给您带来了不好的购物体验。您反馈的问题我们非常重视，小美家居售后已经在核实处理，会第一时间主动"
                     "联系您，给您一个满意的答复。之后购买的亲如遇到类似情况，也请随时联系在线客服，我们会尽全力为您解决。")
    # our template rendered with the shop's name, the buyer's "+{{ 7*7 }}" neither evaluated nor copied in ...
    sheet = member(book, CASE_PART).decode()
    assert "<f>" not in sheet and "<f " not in sheet       # ... and no cell became a formula


def test_review_text_is_never_evaluated_as_template(tmp_path):
    path = build_workbook(tmp_path / "t.xlsx", [ROWS[3]])
    wb = openpyxl.load_workbook(path)
    ws = wb["模板"]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "review_bad":
            row[2].value = "亲，您说「{{ review_text }}」，我们马上处理。{% if stars <= 2 %}非常抱歉。{% endif %}"
    wb.save(path)
    generate_texts(path, now=NOW_DEMO)
    [row] = read(path)
    assert row["回复内容"] == "亲，您说「+{{ 7*7 }} 质量太差了 -@SUM(A1)」，我们马上处理。非常抱歉。"


def test_template_sheet_edits_win_and_missing_field_is_a_row_error(tmp_path):
    path = build_workbook(tmp_path / "t.xlsx", ROWS[:1])
    wb = openpyxl.load_workbook(path)
    for row in wb["模板"].iter_rows(min_row=2):
        if row[1].value == "payment_reminder":
            row[2].value = "{{ shop_name }}提醒: {{ item_name }}待付款, {{ coupon_code }} 回T退订"
    wb.save(path)
    generate_texts(path, now=NOW_DEMO)
    [row] = read(path)
    assert row["短信校验"] == "错误" and "coupon_code" in row["短信校验说明"]
    assert row["短信内容"] is None                          # never a text with a silent blank
    assert len(read(path, "发送队列")) == 1                 # header only


def test_outbox_csv_only_passed_messages(book, tmp_path):
    report = export_outbox(book, tmp_path / "upload", fmt="csv", now=NOW_DEMO)
    [out] = report.files
    assert report.exported == 2 and out.parent == tmp_path / "upload" and out.suffix == ".csv"
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["手机号码", "短信内容", "计划发送时间", "订单号"]
    assert [r[0] for r in rows[1:]] == ["13800138001", "13800138006"]
    # the order id as ="..." so that Excel opens it as text (Microsoft KB Q66033)
    assert rows[1][1].startswith("【小美家居】") and rows[1][2] == "2026-11-23 12:10" and rows[1][3] == '="3000001"'


def test_texts_twice_gives_the_same_file_and_keeps_other_sheets(book):
    generate_texts(book, now=NOW_DEMO)
    first, before = book.read_bytes(), members(book)
    generate_texts(book, now=NOW_DEMO)
    assert book.read_bytes() == first
    assert compare_books(before, book) == {}


def test_appended_text_columns_leave_unlabelled_staff_notes_alone(tmp_path):
    from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["订单号", "平台", "售后原因", "店铺名", "手机号", "短信类型", "商品名称"])
    ws.append(["3000001", "天猫", "未付款", "小美家居", "13800138001", "催付", "北欧布艺沙发"])
    wb.save(tmp_path / "bare.xlsx")
    path = tmp_path / "bare.xlsx"
    patch_workbook(path, path, {"案件": SheetEdit({(2, 9): "周三回访过"})})    # a note in I, no header
    generate_texts(path, now=NOW_DEMO)
    grid = read_workbook(path, ["案件"])["案件"]
    assert grid[1][8] == "周三回访过"
    assert grid[0][9] == "回复类型" and grid[1][9 + 4].startswith("【小美家居】")   # columns start at J


def test_texts_of_a_row_emptied_by_staff_are_cleared(book):
    from addin.workbook.sheets.case_columns import INPUTS, MESSAGE_INPUTS
    from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook

    generate_texts(book, now=NOW_DEMO)
    heads = read_workbook(book, ["案件"])["案件"][0]
    inputs = {c.header for c in INPUTS + MESSAGE_INPUTS}
    empty_row_2 = {(2, i): None for i, h in enumerate(heads, start=1) if h in inputs}
    patch_workbook(book, book, {"案件": SheetEdit(empty_row_2)})
    generate_texts(book, now=NOW_DEMO)
    values = dict(zip(heads, read_workbook(book, ["案件"])["案件"][1]))
    assert values["短信内容"] is None and values["短信校验"] is None and values["建议发送时间"] is None


def test_doubtful_review_is_left_to_a_person(tmp_path):
    rows = [dict(SHOP, order_id="3000010", reason="中差评", review_stars=5, review_at="2026-11-20",
                 review_text="很好看，就是有点掉色"),
            dict(SHOP, order_id="3000011", reason="中差评", review_stars=5, review_at="2026-11-20", review_text="很好看")]
    path = build_workbook(tmp_path / "cases.xlsx", rows)
    generate_texts(path, now=NOW_DEMO)
    wb = openpyxl.load_workbook(path)       # staff wrote a reply into the doubtful row: the next run clears it
    ws = wb["案件"]
    header = read_back(path)[1]
    col = [c.value for c in ws[header.row]].index("回复内容") + 1
    ws.cell(row=header.row + 1, column=col, value="旧的回复")
    wb.save(path)
    generate_texts(path, now=NOW_DEMO)
    doubtful, happy = read(path)
    assert doubtful["回复类型"] == "人工确认" and doubtful["回复内容"] is None and doubtful["回复校验"] == "提醒"
    assert doubtful["回复校验说明"].startswith("提醒: 5星但提到「掉色」: 请人工确认后回复")
    assert happy["回复类型"] == "好评" and happy["回复内容"] == ("亲，感谢您的好评和支持！能让您满意是小美家居最开心的事，"
                                                       "使用中有任何问题随时联系我们，期待您再次光临哦~")
