"""Issue 21 (and 20's receipt points): 腾讯云 beside 阿里云, receipts that act on the case, numbers and
titles the carriers accept. Every test builds a real workbook and real vendor files, runs the command
and reads the files back."""
from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest

from addin.cli import main
from addin.messages import TemplateSet, merge_rows
from addin.messages.aliyun import Message
from addin.messages import tencent
from addin.messages.receipt_codes import failure, receipt_status
from addin.messages.vendor_templates import ApprovedTemplate, shorten_value
from addin.workbook.commands.outbox import export_outbox
from addin.workbook.commands.receipts import ReceiptFileError, import_receipts
from addin.workbook.commands.texts import generate_texts
from addin.workbook.files.reader import read_workbook
from addin.workbook.sheets.new_book import build_workbook

NOW = dt.datetime(2026, 11, 23, 10, 0)
SIG = "小美家居"
SHOP = dict(shop_name="小美家居", platform="天猫")
REFUND_TEXT = "亲，您的订单${orderNo}退款${amount}元已处理完成，${item}请留意到账~"
BOTH = {
    "refund_done": ApprovedTemplate("refund_done", "SMS_100000001", REFUND_TEXT, SIG, tencent_id="2001001",
                                    tencent_text="亲，您的订单{1}退款{2}元已处理完成，{3}请留意到账~"),
    "shipping_delay": ApprovedTemplate("shipping_delay", "SMS_100000002",
                                       "亲，您的订单${orderNo}需延迟发货，预计${eta}发出~", SIG, tencent_id="2001002",
                                       tencent_text="亲，预计{2}发出，您的订单{1}需延迟发货~",
                                       tencent_names=("orderNo", "eta")),
}
REFUND = dict(SHOP, order_id="3000000000000001", phone="13800138001", reason="七天无理由退货", returned_amount=129,
              free_shipping="是", return_received_at=dt.datetime(2026, 11, 22, 9, 0), sms_kind="退款完成",
              item_name="记忆棉枕头")
DELAY = dict(SHOP, order_id="3000000000000002", phone="13800138002", reason="延迟发货", paid=89,
             paid_at=dt.datetime(2026, 11, 18, 9, 0), sms_kind="发货延迟通知", ship_eta="11月25日", item_name="台灯")


def book_with(tmp_path, rows, approved=BOTH):
    return build_workbook(tmp_path / "cases.xlsx", rows, approved=approved)


def sheet(path, name):
    grid = read_workbook(path, [name])[name]
    return [dict(zip(grid[0], row)) for row in grid[1:]]


def merge_one(row, approved=BOTH):
    """One row through the merge alone (no rules: 应退货款 given as the workbook's recalc would)."""
    [result] = merge_rows([dict(row, refund_amount=129)], TemplateSet.defaults(), now=NOW, approved=approved)
    return result


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


# --- numbers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("phone, ok", [("13800138001", True), ("+86 138-0013-8001", True), ("1380013800", False),
                                       ("12800138001", False), ("0571-88886666", False)])
def test_only_an_11_digit_mainland_mobile_passes(phone, ok):
    result = merge_one(dict(REFUND, phone=phone))
    assert result.ok_to_send is ok
    if not ok:
        assert result.sms_verdict == "ERROR" and "不是大陆手机号" in result.sms_reasons_text


def test_a_10_digit_number_never_reaches_a_vendor_file(tmp_path):
    book = book_with(tmp_path, [dict(REFUND, phone="1380013800"), DELAY])
    for fmt in ("aliyun-xlsx", "tencent-xlsx"):
        report = export_outbox(book, tmp_path / fmt, fmt=fmt, now=NOW, resend=True)
        numbers = [row[0] for f in report.files for row in read_workbook(f, ["Sheet1"])["Sheet1"][1:]]
        assert numbers == ["13800138002"]
    generate_texts(book, now=NOW)
    [refund, _] = sheet(book, "案件")
    assert refund["短信校验"] == "错误" and "1380013800" in refund["短信校验说明"]


# --- titles ----------------------------------------------------------------------------------------

TITLE = "北欧风实木餐桌椅组合 小户型家用长方形饭桌 一桌四椅 胡桃色 1.2米加厚款式"     # 39 characters


def test_a_long_title_is_cut_at_a_word_boundary_instead_of_failing():
    assert len(TITLE) == 39
    result = merge_one(dict(REFUND, item_name=TITLE))
    assert result.ok_to_send
    assert result.sms_params["item"] == "北欧风实木餐桌椅组合 小户型家用长方形饭桌 一桌四椅 胡桃色…"
    assert len(result.sms_params["item"]) <= 35
    note = [f for f in result.sms_reasons if f.rule == "VAR-1"]
    assert note and note[0].level == "INFO" and "已按词截短" in note[0].zh


def test_the_short_title_staff_fill_wins():
    result = merge_one(dict(REFUND, item_name=TITLE, item_short="实木餐桌椅 1.2米"))
    assert result.ok_to_send and result.sms_params["item"] == "实木餐桌椅 1.2米"


def test_a_title_without_spaces_is_cut_mid_word_and_the_shop_cap_applies():
    assert shorten_value("超长的没有空格的中文商品标题" * 3, 12) == "超长的没有空格的中文商…"
    capped = {"refund_done": ApprovedTemplate("refund_done", "SMS_1", REFUND_TEXT, SIG, max_chars=12)}
    assert merge_one(dict(REFUND, item_name="记忆棉枕头 护颈 慢回弹 成人"), capped).sms_params["item"] == "记忆棉枕头 护颈…"


def test_the_template_can_ask_for_an_error_instead():
    strict = {"refund_done": ApprovedTemplate("refund_done", "SMS_1", REFUND_TEXT, SIG, overflow="报错")}
    result = merge_one(dict(REFUND, item_name=TITLE), strict)
    assert not result.ok_to_send and "超过其他类变量上限35个字" in result.sms_reasons_text


def test_the_template_sheet_rules_are_read_back(tmp_path):
    book = book_with(tmp_path, [dict(REFUND, item_name=TITLE)])
    wb = openpyxl.load_workbook(book)
    ws = wb["模板"]
    heads = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "refund_done":
            row[heads.index("超长处理")].value = "报错"
    wb.save(book)
    generate_texts(book, now=NOW)
    assert sheet(book, "案件")[0]["短信校验"] == "错误"


# --- 腾讯云 files --------------------------------------------------------------------------------------

def test_tencent_xlsx_has_the_numbered_variables_in_general_cells(tmp_path):
    book = book_with(tmp_path, [REFUND, DELAY])
    report = export_outbox(book, tmp_path / "out", fmt="tencent-xlsx", now=NOW)
    names = sorted(f.name for f in report.files)
    assert names == ["EXP-20261123-100000_腾讯云_2001001_小美家居.xlsx", "EXP-20261123-100000_腾讯云_2001002_小美家居.xlsx"]
    delay = read_workbook(tmp_path / "out" / names[1], ["Sheet1"])["Sheet1"]
    # {1} = orderNo, {2} = eta, as 腾讯云变量顺序 says (the approved text uses {2} first)
    assert delay == [["手机号码", "变量{1}", "变量{2}"], ["13800138002", "3000000000000002", "11月25日"]]
    ws = openpyxl.load_workbook(tmp_path / "out" / names[0]).active
    assert ws["A2"].number_format == "General" and ws["A2"].data_type == "s"
    refund = [c.value for c in ws[2]]
    assert refund == ["13800138001", "3000000000000001", "129", "记忆棉枕头"]
    log = sheet(book, "发送记录")
    assert [r["模板CODE"] for r in log] == ["SMS_100000001", "SMS_100000002"]      # known by one key per message
    again = export_outbox(book, tmp_path / "aliyun", fmt="aliyun-xlsx", now=NOW)  # the same messages, logged
    assert again.exported == 0 and len(again.selection.already) == 2


def test_a_kind_only_tencent_approved_goes_to_tencent_only(tmp_path):
    only = {"shipping_delay": ApprovedTemplate("shipping_delay", "", "", SIG, tencent_id="2001002",
                                               tencent_text="亲，您的订单{1}需延迟发货，预计{2}发出~",
                                               tencent_names=("orderNo", "eta"))}
    book = book_with(tmp_path, [DELAY], approved=only)
    generate_texts(book, now=NOW)
    assert sheet(book, "案件")[0]["短信内容"] == "【小美家居】亲，您的订单3000000000000002需延迟发货，预计11月25日发出~"
    assert export_outbox(book, tmp_path / "a", fmt="aliyun-xlsx", now=NOW).selection.no_template == [2]
    assert export_outbox(book, tmp_path / "t", fmt="tencent-xlsx", now=NOW).exported == 1


def test_tencent_files_split_under_the_size_limit_and_requests_hold_200_numbers(monkeypatch):
    rows = [[f"138{i:08d}", "3000000000000001", "台灯"] for i in range(450)]
    parts = tencent.split_by_size(rows, limit=tencent.estimated_bytes(rows[0]) * 200)
    assert [len(p) for p in parts] == [200, 200, 50]
    messages = [Message(r[0], "", SIG, {"orderNo": "1", "eta": "11月25日"}) for r in rows]
    messages[0] = Message(rows[0][0], "", SIG, {"orderNo": "2", "eta": "11月25日"})
    bodies = tencent.send_requests("2001002", ["orderNo", "eta"], messages)
    assert [len(b["PhoneNumberSet"]) for b in bodies] == [1, 200, 200, 49]
    assert bodies[0]["PhoneNumberSet"] == ["+8613800000000"] and bodies[0]["TemplateParamSet"] == ["2", "11月25日"]


# --- receipts -------------------------------------------------------------------------------------

@pytest.mark.parametrize("status, code, message, want", [
    (3, "DELIVERED", None, "成功"), (2, "MK:0001", None, "失败"), (1, None, None, "等待回执"),
    ("SUCCESS", None, "DELIVRD", "成功"), ("FAIL", None, "MK:0001", "失败"),
    ("true", "DELIVERED", "用户接收成功", "成功"), (False, "isv.BUSINESS_LIMIT_CONTROL", "触发流控", "失败"),
    (None, "DELIVRD", None, "成功"), (None, None, None, None)])
def test_each_receipt_status(status, code, message, want):
    assert receipt_status(status, code, message) == want


@pytest.mark.parametrize("code, message, want", [
    ("MK:0001", None, "empty"), ("1015", None, "optout"), (None, "用户已退订", "optout"),
    ("isv.BUSINESS_LIMIT_CONTROL", None, "rate"), ("XX:9", "触发号码天级流控", "rate"), ("MK:0005", None, "off"),
    ("-106", None, "content"), ("ZZ:1", None, "other")])
def test_failure_codes_map_to_what_staff_do(code, message, want):
    assert failure(code, message).id == want


def _exported_book(tmp_path, fmt):
    book = book_with(tmp_path, [REFUND, DELAY])
    export_outbox(book, tmp_path / "out", fmt=fmt, now=NOW)
    return book


def test_a_tencent_receipt_file_updates_the_log_the_case_rows_and_the_optout_list(tmp_path):
    book = _exported_book(tmp_path, "tencent-xlsx")
    stamp = int(dt.datetime(2026, 11, 23, 10, 0, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
    receipt = write_csv(tmp_path / "腾讯云回执.csv",
                        ["PhoneNumber", "SerialNo", "ReportStatus", "Description", "UserReceiveTime"],
                        [["+8613800138001", "5000:1", "SUCCESS", "DELIVRD", stamp],
                         ["+8613800138002", "5000:2", "FAIL", "1015", stamp + 20]])
    report = import_receipts(book, receipt, now=NOW)
    assert (report.matched, report.updated, report.unknown, report.case_rows) == (2, 2, [], 2)
    log = {r["手机号"]: r for r in sheet(book, "发送记录")}
    assert log["138****8001"]["状态"] == "成功" and log["138****8001"]["回执代码"] == "DELIVRD"
    assert log["138****8001"]["回执时间"] == dt.datetime(2026, 11, 23, 10, 0, 9)
    assert log["138****8002"]["状态"] == "失败" and log["138****8002"]["回执代码"] == "1015"
    cases = sheet(book, "案件")
    assert cases[0]["短信状态"] == "已送达 11-23 10:00 (退款完成)"
    assert cases[1]["短信状态"] == "失败: 用户退订, 已加入退订名单 (发货延迟通知)"
    assert [r["手机号"] for r in sheet(book, "退订名单")] == ["13800138002"] and report.opted_out == ["138****8002"]
    again = import_receipts(book, receipt, now=NOW + dt.timedelta(hours=1))
    assert (again.updated, again.unknown, again.case_rows, again.opted_out) == (0, [], 0, [])
    assert len(sheet(book, "发送记录")) == 2 and len(sheet(book, "退订名单")) == 1


def test_an_aliyun_smsreport_file_fails_an_empty_number_and_says_check_it(tmp_path):
    book = _exported_book(tmp_path, "aliyun-xlsx")
    receipt = write_csv(tmp_path / "SmsReport.csv",
                        ["phone_number", "send_time", "report_time", "success", "err_code", "err_msg", "biz_id",
                         "out_id"],
                        [["13800138001", "2026-11-23 10:00:01", "2026-11-23 10:00:05", "false", "MK:0001", "空号",
                          "900^1", ""],
                         ["13800138002", "2026-11-23 10:00:01", "2026-11-23 10:00:07", "false",
                          "isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控", "900^2", ""]])
    report = import_receipts(book, receipt, now=NOW)
    assert report.updated == 2
    cases = sheet(book, "案件")
    assert cases[0]["短信状态"] == "失败: 空号, 请核对手机号 (退款完成)"
    assert cases[1]["短信状态"] == "失败: 频控, 明天再发 (发货延迟通知)"


def test_a_failed_sms_is_exported_again_only_with_retry_failed(tmp_path, capsys):
    book = _exported_book(tmp_path, "aliyun-xlsx")
    receipt = write_csv(tmp_path / "r.csv", ["phone_number", "success", "err_code", "report_time"],
                        [["13800138002", "false", "MK:0005", "2026-11-23 10:00:07"]])
    import_receipts(book, receipt, now=NOW)
    later = NOW + dt.timedelta(hours=1)
    assert main(["outbox", str(book), "--out", str(tmp_path / "b"), "--now", later.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "已导出 exported: 0" in out and "1 条上次发送失败" in out and "行 rows 3" in out
    report = export_outbox(book, tmp_path / "c", now=later, retry_failed=True)
    assert report.exported == 1
    [file] = report.files
    assert read_workbook(file, ["Sheet1"])["Sheet1"][1][0] == "13800138002"


def test_a_failure_counts_towards_the_days_cap(tmp_path):
    book = _exported_book(tmp_path, "aliyun-xlsx")
    wb = openpyxl.load_workbook(book)
    for row in wb["规则"].iter_rows(min_row=2):
        if row[0].value == "SMS-8.daily_per_number":
            row[2].value = 1
    wb.save(book)
    import_receipts(book, write_csv(tmp_path / "r.csv", ["phone_number", "success", "err_code", "report_time"],
                                    [["13800138002", "false", "MK:0005", "2026-11-23 10:00:07"]]), now=NOW)
    report = export_outbox(book, tmp_path / "c", now=NOW + dt.timedelta(hours=1), retry_failed=True)
    assert report.exported == 0
    generate_texts(book, now=NOW + dt.timedelta(hours=1))
    assert "上限1条/天" in sheet(book, "案件")[1]["短信校验说明"]


def test_an_older_waiting_receipt_never_overwrites_a_final_one(tmp_path):
    book = _exported_book(tmp_path, "aliyun-xlsx")
    header = ["PhoneNum", "SendStatus", "ErrCode", "TemplateCode", "ReceiveDate"]
    import_receipts(book, write_csv(tmp_path / "a.csv", header,
                                    [["13800138001", 3, "DELIVERED", "SMS_100000001", "2026-11-23 10:05:00"]]), now=NOW)
    report = import_receipts(book, write_csv(tmp_path / "b.csv", header, [
        ["13800138001", 1, "", "SMS_100000001", "2026-11-23 10:01:00"],                # non-final
        ["13800138001", 2, "MK:0005", "SMS_100000001", "2026-11-23 10:02:00"]]), now=NOW)   # older final
    assert report.updated == 0
    entry = {r["手机号"]: r for r in sheet(book, "发送记录")}["138****8001"]
    assert entry["状态"] == "成功" and entry["回执时间"] == dt.datetime(2026, 11, 23, 10, 5)


def test_unknown_receipts_without_content_or_template_are_added_once(tmp_path):
    book = _exported_book(tmp_path, "aliyun-xlsx")
    receipt = write_csv(tmp_path / "r.csv", ["PhoneNum", "SendStatus", "ErrCode", "SendDate"],
                        [["13900139000", 3, "DELIVERED", "2026-11-23 09:00:00"],
                         ["13900139001", 2, "MK:0001", "2026-11-23 09:00:00"]])
    assert len(import_receipts(book, receipt, now=NOW).unknown) == 2
    for _ in range(2):
        again = import_receipts(book, receipt, now=NOW + dt.timedelta(days=1))
        assert (again.unknown, again.updated, again.matched) == ([], 0, 2)
    assert len(sheet(book, "发送记录")) == 4


def test_a_field_over_131072_characters_is_read_and_a_bad_file_is_a_clear_error(tmp_path):
    book = _exported_book(tmp_path, "aliyun-xlsx")
    receipt = write_csv(tmp_path / "r.csv", ["PhoneNum", "SendStatus", "ErrCode", "Content"],
                        [["13900139000", 3, "DELIVERED", "长" * 140_000]])
    assert len(import_receipts(book, receipt, now=NOW).unknown) == 1
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ReceiptFileError) as err:
        import_receipts(book, broken, now=NOW)
    assert "broken.xlsx" in err.value.zh and "broken.xlsx" in err.value.en
    assert main(["receipts", str(book), str(broken)]) != 0


def test_the_worked_example_for_tencent(tmp_path):
    """docs/admin/短信服务商.md, 完整例子: the same 发货延迟通知 through 腾讯云, file and receipt."""
    text = "亲，非常抱歉，您的订单${orderNo}因${reason}需延迟发货，预计${eta}揽件发出，给您添麻烦了~"
    approved = {"shipping_delay": ApprovedTemplate(
        "shipping_delay", "SMS_478520001", text, "小美家居", tencent_id="1234567",
        tencent_text="亲，非常抱歉，您的订单{1}因{2}需延迟发货，预计{3}揽件发出，给您添麻烦了~")}
    row = dict(SHOP, order_id="3000202610231732", phone="13408421828", reason="延迟发货", sms_kind="发货延迟通知",
               ship_eta="11月25日", delay_reason="仓库爆单", item_name="台灯")
    book = book_with(tmp_path, [row], approved=approved)
    assert main(["outbox", str(book), "--format", "tencent-xlsx", "--out", str(tmp_path / "out"),
                 "--now", NOW.isoformat()]) == 0
    file = tmp_path / "out" / "EXP-20261123-100000_腾讯云_1234567_小美家居.xlsx"
    assert read_workbook(file, ["Sheet1"])["Sheet1"] == [["手机号码", "变量{1}", "变量{2}", "变量{3}"],
                                                          ["13408421828", "3000202610231732", "仓库爆单", "11月25日"]]
    assert sheet(book, "发送记录")[0]["模板CODE"] == "SMS_478520001"
    receipt = write_csv(tmp_path / "腾讯云回执.csv",
                        ["PhoneNumber", "SerialNo", "ReportStatus", "Description", "UserReceiveTime"],
                        [["+8613408421828", "5000:1045710669157053657849499619", "SUCCESS", "DELIVRD", 1795399209]])
    assert main(["receipts", str(book), str(receipt)]) == 0
    [entry] = sheet(book, "发送记录")
    assert (entry["状态"], entry["回执代码"], entry["回执时间"]) == ("成功", "DELIVRD", dt.datetime(2026, 11, 23, 10, 0, 9))
    assert sheet(book, "案件")[0]["短信状态"] == "已送达 11-23 10:00 (发货延迟通知)"
