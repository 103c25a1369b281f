"""SMS the bulk-SMS vendors accept: approved templates, vendor files, the send log, receipts, sending.

Every test builds a real workbook, runs the real commands and reads the results back with calamine.
"""
import csv
import datetime as dt
import http.server
import json
import os
import threading
import urllib.parse

import openpyxl
import pytest

from addin.cli import main
from addin.core.policy import DEFAULT_POLICY
from addin.messages import TemplateSet, merge_rows
from addin.messages.aliyun import Message, batch_requests
from addin.messages.history import fingerprint
from addin.messages.vendor_templates import ApprovedTemplate
from addin.workbook.commands import outbox as outbox_module
from addin.workbook.commands.outbox import export_outbox
from addin.workbook.files.reader import read_workbook, sheet_names
from addin.workbook.commands.receipts import import_receipts
from addin.workbook.sheets.send_log import journal_path
from addin.workbook.commands.sms_send import Outcome, send_book
from addin.workbook.commands.texts import generate_texts
from tests.helpers.clock import NOW_DEMO
from tests.helpers.sms_books import APPROVED, DELAY, FOLLOW, REFUND, REMIND, SHOP, SIG, book_with, log_rows

def case_rows(path):
    grid = read_workbook(path, ["案件"])["案件"]
    return [dict(zip(grid[0], row)) for row in grid[1:]]


def rules_of(result) -> set[str]:
    """The rule ids of an SMS's findings (the texts carry none)."""
    return {f.rule for f in result.sms_reasons}


def merge_one(row, approved=APPROVED, policy=DEFAULT_POLICY):
    [result] = merge_rows([row], TemplateSet.defaults(), policy, now=NOW_DEMO, approved=approved)
    return result


# --- approved templates: filled, then every check on the final text --------------------------------

def test_length_and_parts_are_counted_on_the_filled_text_with_signature():
    row = dict(SHOP, phone="13800138004", order_id="3000004", sms_kind="催付", item_name="羊毛地毯",
               send_at=dt.datetime(2026, 11, 23, 12, 10))
    r = merge_one(row)
    assert r.sms_text == "【小美家居】亲，您拍下的羊毛地毯还未付款，付款后尽快为您发货~回T退订"
    assert r.sms_chars == len(r.sms_text) == 35 and r.sms_parts == 1 and r.sms_verdict == "PASS"
    assert r.sms_template_code == "SMS_100000004" and r.sms_params == {"item": "羊毛地毯"}
    # a long item name makes the filled 催付 two SMS: SMS-4 refuses it, counted on the final text
    long_item = "北欧布艺沙发三人位客厅小户型现代简约科技布网红款可拆洗加宽加厚"     # 31 characters
    r = merge_one(dict(row, item_name=long_item))
    assert r.sms_chars == 35 - 4 + 31 and r.sms_parts == 1          # 62: still one part
    r = merge_one(dict(row, item_name=long_item + "送抱枕"), approved={
        "payment_reminder": ApprovedTemplate("payment_reminder", "SMS_1", APPROVED["payment_reminder"].text + "，库存有限哦", SIG)})
    assert r.sms_chars == 62 + 3 + 6 and r.sms_parts == 2           # 71 on the filled text: two parts
    assert r.sms_verdict == "ERROR" and "SMS-4" in rules_of(r)


def test_first_seven_characters_and_opt_out_are_checked_on_the_approved_text():
    row = dict(SHOP, phone="13800138004", order_id="3000004", sms_kind="催付", item_name="羊毛地毯",
               send_at=dt.datetime(2026, 11, 23, 12, 10))
    other_signature = {"payment_reminder": ApprovedTemplate("payment_reminder", "SMS_1",
                                                            "亲，您拍下的${item}还未付款~回T退订", "千牛消息通知")}
    r = merge_one(row, approved=other_signature)
    assert r.sms_verdict == "ERROR" and "SMS-3" in rules_of(r) and "前7个字" in r.sms_reasons_text
    no_opt_out = {"payment_reminder": ApprovedTemplate("payment_reminder", "SMS_1", "亲，您拍下的${item}还未付款~", SIG)}
    assert "SMS-5" in rules_of(merge_one(row, approved=no_opt_out))


def test_unknown_variable_refuses_the_template_naming_it():
    approved = {"follow_up": ApprovedTemplate("follow_up", "SMS_1", "亲，${item}好用吗？领券${coupon}", SIG)}
    r = merge_one(FOLLOW, approved=approved)
    assert r.sms_verdict == "ERROR" and r.sms_text is None and not r.ok_to_send
    [finding] = [f for f in r.sms_reasons if f.rule == "TPL-1"]
    assert "${coupon}" in finding.zh and "无法填写" in finding.zh and "${coupon}" in finding.en


def test_signature_typed_into_the_approved_text_is_refused():
    approved = {"follow_up": ApprovedTemplate("follow_up", "SMS_1", "【小美家居】亲，${item}好用吗？", SIG)}
    r = merge_one(FOLLOW, approved=approved)
    assert r.sms_verdict == "ERROR" and "TPL-2" in rules_of(r)


def test_variable_values_obey_the_vendor_limits():
    approved = {"return_address": ApprovedTemplate("return_address", "SMS_1", "亲，请将商品寄回：${address}，谢谢~", SIG)}
    row = dict(SHOP, phone="13800138005", sms_kind="退货地址", item_name="台灯")
    ok = merge_one(dict(row, return_address="浙江省杭州市余杭区文一西路1号 小美家居售后部"), approved=approved)
    assert ok.sms_verdict == "PASS" and ok.sms_params["address"] == "浙江省杭州市余杭区文一西路1号 小美家居售后部"
    phone_inside = merge_one(dict(row, return_address="杭州市文一西路1号 售后部 0571-88886666"), approved=approved)
    assert phone_inside.sms_verdict == "ERROR" and "VAR-2" in rules_of(phone_inside)
    assert "0571-88886666" in phone_inside.sms_reasons_text and not phone_inside.ok_to_send
    url_inside = merge_one(dict(row, return_address="详见 www.xiaomei.cn/return"), approved=approved)
    assert "VAR-2" in rules_of(url_inside)
    too_long = merge_one(dict(row, return_address="浙江省杭州市余杭区仓前街道文一西路1号海创园五号楼三层东侧小美家居售后部张师傅收"),
                         approved=approved)
    assert "VAR-1" in rules_of(too_long) and "上限35个字" in too_long.sms_reasons_text
    # ${orderNo} is an 其他号码 variable: letters and digits only
    bad_order = merge_one(dict(DELAY, order_id="3000-0002", compensation=26.7))
    assert "VAR-3" in rules_of(bad_order) and "${orderNo}" in bad_order.sms_reasons_text


def test_a_blank_field_a_variable_needs_is_a_row_error():
    r = merge_one(dict(DELAY, ship_eta=None, compensation=26.7))
    assert r.sms_verdict == "ERROR" and "${eta}" in r.sms_reasons_text and "ship_eta" in r.sms_reasons_text
    assert r.sms_text is None


# --- aliyun-xlsx / aliyun-batch-json / csv ---------------------------------------------------------

def test_aliyun_xlsx_has_the_template_columns_and_text_phone_numbers(tmp_path):
    book = book_with(tmp_path, [REFUND, DELAY, dict(DELAY, order_id="3000000000000005", phone="13800138005")])
    report = export_outbox(book, tmp_path / "out", fmt="aliyun-xlsx", now=NOW_DEMO)
    assert report.exported == 3
    by_code = {f.name.split("_")[2]: f for f in report.files}       # EXP-date-time_SMS_code_sig.xlsx
    assert set(by_code) == {"100000001", "100000002"}
    delay = read_workbook(by_code["100000002"], sheet_names(by_code["100000002"])[:1])
    [grid] = delay.values()
    assert grid[0] == ["手机号码", "orderNo", "eta", "amount"]         # named and ordered as the approved text
    assert grid[1] == ["13800138002", "3000000000000002", "11月25日", "26.70"]
    assert all(isinstance(v, str) for row in grid for v in row)    # text cells: no 1.38E+10, no 3E+15
    ws = openpyxl.load_workbook(by_code["100000002"]).active
    assert ws["A2"].data_type == "s" and ws["A2"].number_format == "@"
    [refund] = read_workbook(by_code["100000001"], ["Sheet1"]).values()
    assert refund == [["手机号码", "orderNo", "amount"], ["13800138001", "3000000000000001", "129"]]


def test_aliyun_xlsx_splits_beyond_the_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(outbox_module, "NUMBERS_FILE_MAX_ROWS", 2)
    rows = [dict(DELAY, order_id=f"30000000000001{i:02d}", phone=f"138001381{i:02d}") for i in range(5)]
    report = export_outbox(book_with(tmp_path, rows), tmp_path / "out", fmt="aliyun-xlsx", now=NOW_DEMO)
    assert report.exported == 5 and len(report.files) == 3
    sizes = [len(read_workbook(f, ["Sheet1"])["Sheet1"]) - 1 for f in report.files]
    assert sizes == [2, 2, 1] and [f.stem[-1] for f in report.files] == ["1", "2", "3"]


def test_batch_json_bodies_are_sendbatchsms_requests(tmp_path):
    book = book_with(tmp_path, [REFUND, DELAY, dict(DELAY, order_id="3000000000000005", phone="13800138005")])
    report = export_outbox(book, tmp_path / "out", fmt="aliyun-batch-json", now=NOW_DEMO)
    bodies = {b["TemplateCode"]: b for f in report.files for b in json.loads(f.read_text(encoding="utf-8"))}
    assert set(bodies) == {"SMS_100000001", "SMS_100000002"}
    delay = bodies["SMS_100000002"]
    assert set(delay) == {"PhoneNumberJson", "SignNameJson", "TemplateCode", "TemplateParamJson"}
    assert json.loads(delay["PhoneNumberJson"]) == ["13800138002", "13800138005"]
    assert json.loads(delay["SignNameJson"]) == [SIG, SIG]
    assert json.loads(delay["TemplateParamJson"])[1] == {"orderNo": "3000000000000005", "eta": "11月25日",
                                                         "amount": "26.70"}


def test_at_most_100_numbers_per_request():
    messages = [Message(f"138{i:08d}", "SMS_1", SIG, {"item": "台灯"}) for i in range(250)]
    bodies = batch_requests(messages)
    assert [len(json.loads(b["PhoneNumberJson"])) for b in bodies] == [100, 100, 50]
    assert all(len(json.loads(b["TemplateParamJson"])) == len(json.loads(b["SignNameJson"])) for b in bodies)


def test_kinds_without_an_approved_template_go_to_csv_only(tmp_path):
    book = book_with(tmp_path, [DELAY, REFUND], approved={"shipping_delay": APPROVED["shipping_delay"]})
    report = export_outbox(book, tmp_path / "out", fmt="aliyun-xlsx", now=NOW_DEMO)
    assert report.exported == 1 and report.selection.no_template == [3]
    report = export_outbox(book, tmp_path / "out", fmt="csv", now=NOW_DEMO)
    assert report.exported == 1                              # the Jinja2 refund notice, in the free-text file
    with open(report.files[0], encoding="utf-8-sig", newline="") as fh:
        [head, row] = list(csv.reader(fh))
    assert row[0] == "13800138001" and row[1].startswith("【小美家居】") and row[3] == '="3000000000000001"'


def test_an_order_id_stored_as_a_rounded_number_is_never_sent(tmp_path):
    """An order id pasted into a General column became a number and lost its last digits (Excel keeps 15):
    the SMS would carry another order's id. The row's check fails naming 订单号, and nothing is exported."""
    rounded = float(3000000000000000017)                 # what Excel keeps of 3000000000000000017
    book = book_with(tmp_path, [dict(DELAY, order_id=rounded), REFUND])
    generate_texts(book, now=NOW_DEMO)
    delay = case_rows(book)[0]
    assert delay["状态"] == "有错误" and "订单号" in delay["错误"] and "15" in delay["错误"]
    report = export_outbox(book, tmp_path / "out", fmt="aliyun-xlsx", now=NOW_DEMO)
    assert report.exported == 1                                          # the refund notice only
    [file] = report.files
    assert [row[1] for row in read_workbook(file, ["Sheet1"])["Sheet1"][1:]] == ["3000000000000001"]


def test_a_stale_message_is_not_exported(tmp_path):
    stale = dict(REMIND, send_at=dt.datetime(2026, 11, 23, 9, 30))       # inside the window, but before now
    later = dict(REMIND, order_id="3000000000000009", phone="13800138009")
    report = export_outbox(book_with(tmp_path, [stale, later]), tmp_path / "out", fmt="aliyun-xlsx", now=NOW_DEMO)
    assert report.exported == 1 and report.selection.stale == [(2, dt.datetime(2026, 11, 23, 9, 30))]
    [file] = report.files
    assert "定时1123-1210" in file.name                          # when to set the 群发助手 定时发送
    assert read_workbook(file, ["Sheet1"])["Sheet1"][1][0] == "13800138009"


def test_a_second_export_exports_nothing_new_unless_resend(tmp_path):
    book = book_with(tmp_path, [REFUND, DELAY])
    assert export_outbox(book, tmp_path / "a", fmt="aliyun-xlsx", now=NOW_DEMO).exported == 2
    again = export_outbox(book, tmp_path / "b", fmt="aliyun-batch-json", now=NOW_DEMO + dt.timedelta(hours=1))
    assert again.exported == 0 and again.files == [] and len(again.selection.already) == 2
    assert not (tmp_path / "b").exists()
    log = log_rows(book)
    assert [r["状态"] for r in log] == ["已导出", "已导出"] and {r["手机号"] for r in log} == {"138****8001", "138****8002"}
    assert all("13800138001" not in str(v) for r in log for v in r.values())     # the log shows no full number
    # the 发送队列 after texts no longer lists them, and says why on the case row
    generate_texts(book, now=NOW_DEMO)
    assert len(read_workbook(book, ["发送队列"])["发送队列"]) == 1
    assert "已在批次EXP-20261123-100000导出" in case_rows(book)[0]["短信校验说明"]
    resent = export_outbox(book, tmp_path / "c", fmt="csv", now=NOW_DEMO, resend=True)
    assert resent.exported == 2 and len(log_rows(book)) == 4


def test_an_export_with_nothing_new_says_the_book_is_unchanged(tmp_path, capsys):
    """The second `outbox` exports nothing: it must not claim to have written the send log."""
    book = book_with(tmp_path, [REFUND, DELAY])
    assert main(["outbox", str(book), "--out", str(tmp_path / "a"), "--now", NOW_DEMO.isoformat()]) == 0
    assert "已写入 written to" in capsys.readouterr().out
    stamp = book.read_bytes()
    assert main(["outbox", str(book), "--out", str(tmp_path / "b"), "--now", NOW_DEMO.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "已写入" not in out and "工作簿未改动 the book is unchanged" in out and book.read_bytes() == stamp


def test_a_staff_edit_makes_a_new_message(tmp_path):
    book = book_with(tmp_path, [DELAY])
    export_outbox(book, tmp_path / "a", now=NOW_DEMO)
    wb = openpyxl.load_workbook(book)
    ws = wb["案件"]
    heads = [(c.value or "").rstrip("*") for c in ws[1]]     # 订单号* = required
    ws.cell(row=2, column=heads.index("预计发货时间") + 1, value="11月26日")
    wb.save(book)
    assert export_outbox(book, tmp_path / "b", now=NOW_DEMO).exported == 1


# --- SMS-8 caps count the log across batches and days -----------------------------------------------

def _set_policy(path, param, value):
    wb = openpyxl.load_workbook(path)
    for row in wb["规则"].iter_rows(min_row=2):
        if row[0].value == param:
            row[2].value = value
    wb.save(path)


def test_caps_count_the_log_across_two_days(tmp_path):
    day1, day2 = NOW_DEMO, NOW_DEMO + dt.timedelta(days=1)
    first = dict(REMIND, send_at=day1.replace(hour=12, minute=10))
    book = book_with(tmp_path, [first, FOLLOW])
    _set_policy(book, "SMS-8.daily_per_number", 1)
    assert export_outbox(book, tmp_path / "d1", fmt="csv", now=day1).exported == 2

    # day 2: a second 催付 for the same order (staff changed the time and the item text), and a second
    # 回访 to the same number, planned for day 1 like the first: each is checked against what the log holds
    wb = openpyxl.load_workbook(book)
    ws = wb["案件"]
    heads = [(c.value or "").rstrip("*") for c in ws[1]]     # 订单号* = required
    ws.cell(row=2, column=heads.index("计划发送时间") + 1, value=day2.replace(hour=12, minute=10))
    ws.cell(row=2, column=heads.index("商品名称") + 1, value="羊毛地毯(加厚)")
    ws.append([{"订单号": "3000000000000013", "平台": "天猫", "售后原因": "其他", "店铺名": "小美家居",
                "手机号": "13800138003", "短信类型": "回访", "商品名称": "落地台灯", "计划发送时间": day1.replace(hour=15)}
               .get(h) for h in heads])
    wb.save(book)
    generate_texts(book, now=day2)
    rows = case_rows(book)
    remind, follow, second_follow = rows[0], rows[1], rows[2]
    # per order: day 1's 催付 in the log counts: a second one is over SMS-8's one per order
    assert remind["短信校验说明"] == "提醒: 本单已催付1次 (上限1次), 不要再催"
    # per number and template and day: day 1 already had the 回访 to 13800138003 (cap set to 1)
    assert second_follow["短信校验"] == "错误" and "上限1条/天" in second_follow["短信校验说明"]
    assert second_follow["错误"].startswith("短信校验未通过: 该号码") and second_follow["状态"] == "有错误"
    assert follow["短信校验说明"] and "已在批次" in follow["短信校验说明"]
    report = export_outbox(book, tmp_path / "d2", fmt="csv", now=day2)
    assert report.exported == 1           # only the re-planned 催付 (with its WARN), nothing over the daily cap


# --- receipts -------------------------------------------------------------------------------------

def _sent_texts(book):
    return {r["手机号"]: r for r in log_rows(book)}


def test_receipts_update_statuses_and_keep_unknown_rows(tmp_path):
    book = book_with(tmp_path, [REFUND, DELAY])
    export_outbox(book, tmp_path / "out", fmt="aliyun-xlsx", now=NOW_DEMO)
    generate_texts(book, now=NOW_DEMO)                             # the texts, as the vendor reports them back
    texts = {r["手机号"]: r["短信内容"] for r in case_rows(book)}
    assert all(t.startswith("【小美家居】") for t in texts.values())
    receipt = tmp_path / "回执.csv"
    with open(receipt, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["PhoneNum", "SendStatus", "ErrCode", "TemplateCode", "Content", "SendDate", "ReceiveDate", "OutId"])
        w.writerow(["13800138001", 3, "DELIVERED", "SMS_100000001", texts["13800138001"], "2026-11-23 10:00:05",
                    "2026-11-23 10:00:09", ""])
        w.writerow(["13800138002", 2, "MOBILE_NOT_ON_SERVICE", "SMS_100000002", texts["13800138002"],
                    "2026-11-23 10:00:05", "2026-11-23 10:00:30", ""])
        w.writerow(["13900139000", 3, "DELIVERED", "SMS_100000002", "【小美家居】别处发的", "2026-11-23 09:00:00",
                    "2026-11-23 09:00:03", ""])
    report = import_receipts(book, receipt)
    assert (report.rows, report.matched, report.updated) == (3, 2, 2)
    assert report.unknown == [(4, "139****9000")]
    log = _sent_texts(book)
    assert log["138****8001"]["状态"] == "成功" and log["138****8001"]["回执代码"] == "DELIVERED"
    assert log["138****8001"]["回执时间"] == dt.datetime(2026, 11, 23, 10, 0, 9)
    assert log["138****8002"]["状态"] == "失败" and log["138****8002"]["回执代码"] == "MOBILE_NOT_ON_SERVICE"
    assert log["139****9000"]["批次号"] == "回执导入" and log["139****9000"]["状态"] == "成功"
    again = import_receipts(book, receipt)                   # the same file twice changes nothing
    assert (again.matched, again.updated, again.unknown) == (3, 0, [])
    assert len(log_rows(book)) == 3


def test_receipts_from_the_console_export_as_xlsx_with_chinese_headers(tmp_path):
    book = book_with(tmp_path, [DELAY])
    export_outbox(book, tmp_path / "out", now=NOW_DEMO)
    wb = openpyxl.Workbook()
    wb.active.append(["接收号码", "模板CODE", "发送时间", "发送状态", "错误码"])
    wb.active.append(["13800138002", "SMS_100000002", "2026-11-23 10:01:00", "发送成功", "DELIVERED"])
    wb.active.append([None, "SMS_100000002", "2026-11-23 10:01:00", "发送成功", "DELIVERED"])
    wb.save(tmp_path / "发送记录导出.xlsx")
    report = import_receipts(book, tmp_path / "发送记录导出.xlsx")
    assert report.matched == 1 and report.skipped == [(3, "没有手机号 / no phone number")]
    assert log_rows(book)[0]["状态"] == "成功"


# --- sending with the SDK ---------------------------------------------------------------------------

class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
        self.requests.append({**{k: v[0] for k, v in query.items()}, **form,
                              "action": self.headers.get("x-acs-action"), "version": self.headers.get("x-acs-version"),
                              "authorization": self.headers.get("Authorization", "")})
        answer = json.dumps({"Code": "OK", "Message": "OK", "BizId": f"900^{len(self.requests)}",
                             "RequestId": "R"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture()
def sms_server(monkeypatch):
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "test-key-id")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "test-secret")
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.requests
    server.shutdown()
    server.server_close()


def test_send_calls_sendbatchsms_with_the_template_code_and_parameters(tmp_path, sms_server, capsys):
    pytest.importorskip("alibabacloud_dysmsapi20170525")
    url, received = sms_server
    book = book_with(tmp_path, [DELAY, dict(DELAY, order_id="3000000000000005", phone="13800138005")])
    assert main(["send", str(book), "--dry-run", "--endpoint", url, "--now", NOW_DEMO.isoformat()]) == 0
    assert received == [] and log_rows(book) == []                # a dry run sends and writes nothing
    assert main(["send", str(book), "--yes", "--endpoint", url, "--now", NOW_DEMO.isoformat()]) == 0
    [request] = received
    assert request["action"] == "SendBatchSms" and request["version"] == "2017-05-25"
    assert request["TemplateCode"] == "SMS_100000002"
    assert json.loads(request["PhoneNumberJson"]) == ["13800138002", "13800138005"]
    assert json.loads(request["SignNameJson"]) == [SIG, SIG]
    assert json.loads(request["TemplateParamJson"]) == [
        {"orderNo": "3000000000000002", "eta": "11月25日", "amount": "26.70"},
        {"orderNo": "3000000000000005", "eta": "11月25日", "amount": "26.70"}]
    assert "test-key-id" in request["authorization"]          # the key from the environment, signed by the SDK
    assert [(r["状态"], r["回执代码"]) for r in log_rows(book)] == [("已发送", "900^1")] * 2
    assert "已发送 sent: 2" in capsys.readouterr().out
    assert main(["send", str(book), "--yes", "--endpoint", url, "--now", NOW_DEMO.isoformat()]) == 0
    assert len(received) == 1                                   # nothing is sent twice


def test_send_without_keys_is_a_clear_message(tmp_path, monkeypatch, capsys):
    pytest.importorskip("alibabacloud_dysmsapi20170525")
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", raising=False)
    book = book_with(tmp_path, [DELAY])
    before = book.read_bytes()
    assert main(["send", str(book), "--yes", "--now", NOW_DEMO.isoformat()]) == 2
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in capsys.readouterr().err and book.read_bytes() == before


def test_a_crash_mid_batch_leaves_a_log_and_a_rerun_sends_only_the_rest(tmp_path):
    book = book_with(tmp_path, [DELAY, REFUND, FOLLOW])       # three templates: three requests
    calls = []

    def crashing(body):
        calls.append(body["TemplateCode"])
        if len(calls) == 2:
            raise KeyboardInterrupt                         # killed while the second request is out
        return Outcome("已发送", f"biz{len(calls)}")

    with pytest.raises(KeyboardInterrupt):
        send_book(book, now=NOW_DEMO, dry_run=False, sender=crashing)
    statuses = {r["模板CODE"]: r["状态"] for r in log_rows(book)}
    assert statuses == {calls[0]: "已发送", calls[1]: "未确认"}     # which went, and which may have gone
    assert not journal_path(book).exists()

    rerun = []
    report = send_book(book, now=NOW_DEMO, dry_run=False, sender=lambda body: rerun.append(body["TemplateCode"])
                       or Outcome("已发送", "biz"))
    assert len(rerun) == 1 and rerun[0] not in calls        # resumes: no duplicate, the unconfirmed one waits
    assert len(report.selection.already) == 2


def test_the_journal_keeps_the_log_when_excel_opens_the_book_meanwhile(tmp_path, monkeypatch):
    book = book_with(tmp_path, [DELAY, REFUND])
    owner = tmp_path / ("~$" + book.name)
    real_write = outbox_module.write_numbers_xlsx

    def write_then_excel_opens_the_book(path, rows):
        real_write(path, rows)
        owner.write_bytes(b"staff")                   # Excel opened the book while the files were written

    with monkeypatch.context() as m:
        m.setattr(outbox_module, "write_numbers_xlsx", write_then_excel_opens_the_book)
        report = export_outbox(book, tmp_path / "out", now=NOW_DEMO)
    assert report.exported == 2 and report.log_pending and report.log_error.kind == "locked"
    assert journal_path(book).exists() and report.journal == journal_path(book)
    assert log_rows(book) == [] and len(list((tmp_path / "out").iterdir())) == 2
    owner.unlink()                                    # Excel closed it
    # the next run merges the journal: nothing is exported twice, nothing is lost
    again = export_outbox(book, tmp_path / "out2", now=NOW_DEMO)
    assert again.exported == 0 and len(again.selection.already) == 2 and not again.log_pending
    assert [r["状态"] for r in log_rows(book)] == ["已导出", "已导出"] and not journal_path(book).exists()


def test_the_journal_keeps_the_log_when_the_book_is_saved_meanwhile(tmp_path, monkeypatch):
    """Someone saves the book while the send runs: the log is not written over their save; the journal
    keeps it, and the next command writes it."""
    book = book_with(tmp_path, [DELAY])

    def sender(body):
        os.utime(book, ns=(0, 0))                     # the book on disk is no longer the one that was read
        return Outcome("已发送", "biz1")

    report = send_book(book, now=NOW_DEMO, dry_run=False, sender=sender)
    assert report.log_pending and report.log_error.kind == "changed" and journal_path(book).exists()
    assert log_rows(book) == []
    receipt = tmp_path / "r.csv"
    receipt.write_text("PhoneNum,SendStatus,ErrCode,TemplateCode\n13800138002,3,DELIVERED,SMS_100000002\n",
                       encoding="utf-8")
    done = import_receipts(book, receipt)             # merges the journal, then applies the receipt
    assert not done.log_pending and done.matched == 1 and not journal_path(book).exists()
    assert [(r["状态"], r["回执代码"]) for r in log_rows(book)] == [("成功", "DELIVERED")]


def test_a_receipt_update_survives_a_book_that_cannot_be_written(tmp_path, monkeypatch):
    """A receipt changes the status of an existing log row: when the book cannot be written, the journal
    holds that update too (not only new rows), and the next command writes it."""
    from addin.workbook.files.xlsx_patch import patch as patch_module

    book = book_with(tmp_path, [DELAY])
    send_book(book, now=NOW_DEMO, dry_run=False, sender=lambda body: Outcome("已发送", "biz1"))
    receipt = tmp_path / "r.csv"
    receipt.write_text("PhoneNum,SendStatus,ErrCode,TemplateCode,ReceiveDate\n"
                       "13800138002,3,DELIVERED,SMS_100000002,2026-11-23 10:01:00\n", encoding="utf-8")

    def refuse(*args):
        raise PermissionError(13, "in use by another program")     # Windows: Excel holds the file

    with monkeypatch.context() as m:
        m.setattr(patch_module, "replace_atomic", refuse)
        pending = import_receipts(book, receipt)
    assert pending.log_pending and pending.log_error.kind == "write_failed" and pending.updated == 1
    assert [r["状态"] for r in log_rows(book)] == ["已发送"] and journal_path(book).exists()
    assert export_outbox(book, tmp_path / "out", now=NOW_DEMO).exported == 0          # any command writes it now
    [row] = log_rows(book)
    assert (row["状态"], row["回执代码"], row["回执时间"]) == ("成功", "DELIVERED", dt.datetime(2026, 11, 23, 10, 1))
    assert not journal_path(book).exists()


@pytest.mark.parametrize("command", ["outbox", "send", "receipts"])
def test_the_log_writers_refuse_a_book_open_in_excel(tmp_path, capsys, monkeypatch, command):
    """Excel (or WPS) has the book open: its next save would drop our 发送记录 rows, so nothing is
    exported, sent or logged; one bilingual line, exit 2, no journal, no files."""
    from addin.workbook.commands import sms_send

    book = book_with(tmp_path, [DELAY, REFUND])
    (tmp_path / ("~$" + book.name)).write_bytes(b"owner")
    receipt = tmp_path / "r.csv"
    receipt.write_text("PhoneNum,SendStatus,ErrCode\n13800138002,3,DELIVERED\n", encoding="utf-8")
    sent = []
    monkeypatch.setattr(sms_send, "sdk_sender", lambda client: sent.append)
    monkeypatch.setattr(sms_send, "aliyun_client", lambda endpoint: None)
    before = book.read_bytes()
    args = {"outbox": ["outbox", str(book), "--out", str(tmp_path / "out")],
            "send": ["send", str(book), "--yes"],
            "receipts": ["receipts", str(book), str(receipt)]}[command]
    assert main([*args, "--now", NOW_DEMO.isoformat()] if command != "receipts" else args) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Excel" in err and "~$" in err and " / " in err
    assert "--out" not in err                         # these commands have no --out for the book
    assert book.read_bytes() == before and not sent and not journal_path(book).exists()
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([book.name, "~$" + book.name, "r.csv"])


def test_an_unanswered_request_in_the_journal_reads_unconfirmed(tmp_path):
    book = book_with(tmp_path, [DELAY])
    send_book(book, now=NOW_DEMO, dry_run=False, sender=lambda body: Outcome("已发送", "biz1"))
    [entry] = log_rows(book)
    # a later run that was killed after writing 发送中 and before any answer
    line = {"batch": "SND-X", "at": NOW_DEMO.isoformat(), "phone": "138****8009", "phone_fp": fingerprint("13800138009"),
            "order_id": "3000000000000009", "kind": "回访", "template": "SMS_100000003", "signature": SIG,
            "text_fp": "abc", "status": "发送中", "code": None, "receipt_at": None, "planned": None, "note": None}
    journal_path(book).write_text(json.dumps(line, ensure_ascii=False) + "\n" + '{"batch": "cut sh', encoding="utf-8")
    export_outbox(book, tmp_path / "out", now=NOW_DEMO)
    log = log_rows(book)
    assert [r["状态"] for r in log] == [entry["状态"], "未确认"] and not journal_path(book).exists()


def test_the_readme_worked_example(tmp_path):
    approved = {"shipping_delay": ApprovedTemplate(
        "shipping_delay", "SMS_478520001", "亲，非常抱歉，您的订单${orderNo}因${reason}需延迟发货，预计${eta}揽件发出，给您添麻烦了~",
        "小美家居")}
    row = dict(SHOP, order_id="3000202610231732", phone="13408421828", reason="延迟发货", sms_kind="发货延迟通知",
               ship_eta="11月25日", delay_reason="仓库爆单", item_name="台灯")
    book = book_with(tmp_path, [row], approved=approved, name="BOOK.xlsx")
    generate_texts(book, now=NOW_DEMO)
    [case] = case_rows(book)
    assert case["短信内容"] == "【小美家居】亲，非常抱歉，您的订单3000202610231732因仓库爆单需延迟发货，预计11月25日揽件发出，给您添麻烦了~"
    assert (case["短信字数"], case["短信条数"], case["短信校验"]) == (64, 1, "通过")
    assert main(["outbox", str(book), "--out", str(tmp_path / "out"), "--now", NOW_DEMO.isoformat()]) == 0
    file = tmp_path / "out" / "EXP-20261123-100000_SMS_478520001_小美家居.xlsx"
    assert read_workbook(file, ["Sheet1"])["Sheet1"] == [["手机号码", "orderNo", "reason", "eta"],
                                                          ["13408421828", "3000202610231732", "仓库爆单", "11月25日"]]
    [entry] = log_rows(book)
    assert (entry["批次号"], entry["手机号"], entry["模板CODE"], entry["状态"]) == (
        "EXP-20261123-100000", "134****1828", "SMS_478520001", "已导出")


def test_staff_columns_beside_the_log_survive(tmp_path):
    from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook

    book = book_with(tmp_path, [DELAY])
    export_outbox(book, tmp_path / "a", now=NOW_DEMO)
    patch_workbook(book, book, {"发送记录": SheetEdit({(1, 15): "客服备注", (2, 15): "已电话确认", (2, 16): "小王"})})
    export_outbox(book, tmp_path / "b", now=NOW_DEMO, resend=True)          # appends a row
    generate_texts(book, now=NOW_DEMO)
    text = case_rows(book)[0]["短信内容"]
    receipt = tmp_path / "r.csv"
    receipt.write_text(f"PhoneNum,SendStatus,ErrCode,Content\n13800138002,3,DELIVERED,{text}\n", encoding="utf-8")
    import_receipts(book, receipt)                                     # updates a status cell
    grid = read_workbook(book, ["发送记录"])["发送记录"]
    assert grid[0][14] == "客服备注" and grid[1][14:16] == ["已电话确认", "小王"]
    assert len(grid) == 3 and grid[2][9] == "成功" and grid[1][9] == "已导出"
