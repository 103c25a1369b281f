"""Nothing lost, nothing wrong in silence (issue 20): each numbered attack of the third round, on real
files built here, run through the real command line and read back. Point 8 and the receipts half of
point 11 are tested with the receipts (another branch).
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.workbook.files.reader import read_workbook
from tests.helpers.books import H, case, make_book, out, read_back, rows_by_order
from tests.helpers.clock import NOW_DEMO, NOW_RECALC as NOW
from tests.helpers.exports import QN_HEAD, export_rows, jm_line, qn_line, write_export

NOW_ISO = NOW.isoformat()


def run(*argv) -> tuple[int, str, str]:
    """The CLI as a user runs it: (exit code, stdout, stderr)."""
    so, se = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(se), contextlib.redirect_stdout(so):
        code = main([str(a) for a in argv])
    return code, so.getvalue(), se.getvalue()


@pytest.fixture
def book(new_book) -> Path:
    return new_book


# --- 1. a path through a folder that does not exist ------------------------------------------------

def test_a_path_through_a_missing_folder_never_replaces_a_staff_book(book, tmp_path):
    before = book.read_bytes()
    sneaky = tmp_path / "不存在" / ".." / book.name
    code, _, err = run("new-workbook", sneaky.with_suffix(".xlsm"), "--from", book)
    assert code == 2 and book.read_bytes() == before and "不能覆盖" in err
    code, _, err = run("new-workbook", sneaky)
    assert code == 2 and book.read_bytes() == before and "exists" in err
    code, _, err = run("demo", "--out", sneaky, "--now", NOW_ISO)
    assert code == 2 and book.read_bytes() == before and "not a sample workbook" in err
    assert not (tmp_path / "不存在").exists()             # no folder made on the way either


def test_the_same_file_by_another_spelling_is_the_same_file(book, tmp_path):
    from addin.workbook.files.session import same_file
    other = tmp_path / "x" / ".." / "." / book.name
    assert same_file(book, other) and same_file(other, book)
    assert not same_file(book, tmp_path / "另一个.xlsm")
    link = tmp_path / "link.xlsm"
    os.link(book, link)                                   # another name of the same file (as a case variant is
    assert same_file(book, link)                          # on a case-insensitive file system): samefile


# --- 5. an unclosed quote swallows the lines after it ----------------------------------------------

def test_an_unclosed_quote_is_refused_naming_the_line(book, tmp_path):
    lines = [qn_line(f"30002123456789012{i:02d}", f"1876543210987654{i:02d}", "七天无理由退换货") for i in range(6)]
    path = write_export(tmp_path / "退款.csv", export_rows("QN", lines))
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text[3] = text[3].replace(",tb_小王,", ',"tb_小王,', 1)      # line 4: a quote opened, never closed
    path.write_text("".join(text), encoding="utf-8")
    before = book.read_bytes()
    code, _, err = run("import", book, path)
    assert code == 2 and book.read_bytes() == before
    assert "第4行" in err and "line 4" in err and "引号" in err


# --- 7. a blank refund id, ids in E notation, amounts grouped another way --------------------------

def test_a_reexport_with_a_blank_refund_id_updates_the_same_row(book, tmp_path):
    first = write_export(tmp_path / "a.csv", export_rows("QN", [qn_line("3000212345678901234", "187654321098765432",
                                                                        "七天无理由退换货")]))
    assert run("import", book, first)[0] == 0
    again = write_export(tmp_path / "b.csv", export_rows("QN", [qn_line("3000212345678901234", "", "七天无理由退换货",
                                                                        status="退款关闭")]))
    code, output, _ = run("import", book, again)
    assert code == 0 and "新增 added: 0" in output
    [row] = rows_by_order(book).values()
    assert row["退款编号"] == "187654321098765432" and row["退款状态"] == "退款关闭"


def test_an_order_id_in_e_notation_is_refused_naming_the_line(book, tmp_path):
    line = qn_line("x", "187654321098765432", "七天无理由退换货")
    line[QN_HEAD.index("订单编号")] = "3.00021E+18"          # the CSV was opened and saved again in Excel
    path = write_export(tmp_path / "re-saved.csv", export_rows("QN", [line]))
    code, output, _ = run("import", book, path)
    assert "新增 added: 0" in output and "第3行" in output and "3.00021E+18" in output
    assert rows_by_order(book) == {}


@pytest.mark.parametrize("amount", ["1.299,00", "1,2,3", "12,34.5"])
def test_an_amount_grouped_another_way_is_refused(book, tmp_path, amount):
    path = write_export(tmp_path / "jd.csv", export_rows("JM", [jm_line("1530000011", "290000000001", "质量问题",
                                                                        paid=amount)]))
    code, output, _ = run("import", book, path)
    assert "新增 added: 0" in output and "第3行" in output and amount in output


def test_an_amount_grouped_by_thousands_still_reads(book, tmp_path):
    path = write_export(tmp_path / "jd.csv", export_rows("JM", [jm_line("1530000011", "290000000001", "质量问题",
                                                                        paid="1,299.00")]))
    assert run("import", book, path)[0] == 0
    assert rows_by_order(book)["290000000001"]["实付金额"] == 1299


# --- 10. an amount the Decimal context cannot hold ---------------------------------------------------

@pytest.mark.parametrize("paid", [1e27, "1e30", 1e300, "9" * 40])
def test_a_huge_amount_fails_its_row_only(tmp_path, paid):
    rows = [case("A1", "淘宝", "延迟发货", paid=paid), case("A2", "淘宝", "延迟发货", paid=89)]
    path = make_book(tmp_path / "cases.xlsx", [H["order_id"], H["platform"], H["reason"], H["paid"]], rows)
    code, _, err = run("recalc", path, "--now", NOW_ISO, "--quiet")
    assert "内部错误" not in err and code in (0, 1)
    grid, header = read_back(path)
    assert "实付金额" in out(grid, header, 2, "errors") and out(grid, header, 2, "status") == "有错误"
    assert out(grid, header, 3, "errors") in (None, "") and out(grid, header, 3, "comp_amount") not in (None, "")


# --- 11. a CSV field longer than csv's default limit ---------------------------------------------------

def test_a_csv_field_over_131072_characters_is_imported(book, tmp_path):
    line = qn_line("3000212345678901234", "187654321098765432", "七天无理由退换货")
    line[QN_HEAD.index("买家退款说明")] = "很长的说明" * 30_000          # 150,000 characters
    path = write_export(tmp_path / "long.csv", export_rows("QN", [line]))
    code, output, err = run("import", book, path)
    assert code == 0 and "内部错误" not in err and "新增 added: 1" in output


# --- 12. a full disk at start, a truncated export ------------------------------------------------------

@pytest.fixture
def full_disk(small_tmpfs):
    return small_tmpfs("400k")


def _fill(folder: Path) -> None:
    with contextlib.suppress(OSError), open(folder / "填满.bin", "wb") as fh:
        while True:
            fh.write(b"\0" * 4096)
            fh.flush()


def test_a_full_disk_at_start_names_the_book_and_leaves_no_lock(full_disk, tmp_path):
    src = make_book(tmp_path / "cases.xlsx", [H["order_id"], H["platform"], H["reason"], H["paid"]],
                    [case("A1", "淘宝", "延迟发货", paid=89)])
    path = Path(shutil.copy(src, full_disk / "cases.xlsx"))
    _fill(full_disk)
    before = path.read_bytes()
    code, _, err = run("recalc", path, "--now", NOW_ISO, "--quiet")
    assert code == 2 and "cases.xlsx" in err and "磁盘已满" in err and "disk is full" in err
    assert path.read_bytes() == before and sorted(os.listdir(full_disk)) == ["cases.xlsx", "填满.bin"]


def test_a_truncated_xlsx_export_is_called_incomplete(book, tmp_path):
    path = write_export(tmp_path / "退款.xlsx", export_rows("QN"))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])              # the download stopped halfway
    code, _, err = run("import", book, path)
    assert code == 2 and "不完整" in err and "incomplete" in err and "Word" not in err


# --- 4. an input cell holding an Excel error ----------------------------------------------------------

ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


def _with_errors(path: Path, cells: dict[tuple[int, str], str]) -> Path:
    """Put Excel error values (as Excel saves them: <c t="e"><v>#N/A</v></c>) into cells by (row, header)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["案件"]
    head = [c.value for c in ws[1]]
    for (row, name), code in cells.items():
        cell = ws.cell(row=row, column=head.index(name) + 1, value=code)
        cell.data_type = "e"
    wb.save(path)
    return path


def test_calamine_reads_each_excel_error_as_blank_and_the_reader_puts_it_back(tmp_path):
    wb = openpyxl.Workbook()
    for i, code in enumerate(ERRORS, start=1):
        wb.active.cell(row=i, column=1, value=code).data_type = "e"
    wb.save(tmp_path / "e.xlsx")
    import python_calamine
    raw = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "e.xlsx")).get_sheet_by_index(0).to_python()
    assert raw == [[""]] * 7                        # what calamine 0.9 gives: the error is lost
    assert read_workbook(tmp_path / "e.xlsx", ["Sheet"])["Sheet"] == [[c] for c in ERRORS]


@pytest.mark.parametrize("code", ERRORS)
def test_an_excel_error_in_any_input_names_the_cell_and_the_error(tmp_path, code):
    header = [H[k] for k in ("order_id", "platform", "reason", "paid", "signed_at", "promise_rate", "override",
                             "buyer")]
    rows = [case(f"A{i}", "淘宝", "延迟发货", paid=89, signed_at=NOW, promise_rate="60%", override=10, buyer="小王")
            for i in range(5)]
    path = make_book(tmp_path / "cases.xlsx", header, rows)
    targets = ["实付金额", "签收时间", "店铺承诺比例", "赔偿金额(手工)", "买家"]
    _with_errors(path, {(r, name): code for r, name in zip(range(2, 7), targets)})
    run("recalc", path, "--now", NOW_ISO, "--quiet")
    grid, hdr = read_back(path)
    for r, name in zip(range(2, 7), targets):
        error = out(grid, hdr, r, "errors") or ""
        assert name in error and code in error and out(grid, hdr, r, "status") == "有错误", (name, error)


# --- 6. send: a 5xx answer proves nothing; the journal follows the book, not its name -------------------

class _Answers(__import__("http.server").server.BaseHTTPRequestHandler):
    """A SendBatchSms endpoint answering each request with the next (status, JSON body) of `plan`."""
    plan: list = []
    seen: list = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, body = self.plan[min(len(self.seen), len(self.plan) - 1)]
        self.seen.append(status)
        data = __import__("json").dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def answers(monkeypatch):
    import http.server
    import threading
    _Answers.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "test-key-id")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "test-secret")
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status, body, logged, again", [
    (500, {"Code": "InternalError", "Message": "The request processing has failed due to some unknown error.",
           "RequestId": "R1"}, "未确认", 0),
    (503, {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "R2"}, "未确认", 0),
    (400, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控", "RequestId": "R3"}, "失败", 1)])
def test_only_an_answer_that_proves_nothing_went_allows_a_resend(tmp_path, answers, status, body, logged, again):
    pytest.importorskip("alibabacloud_dysmsapi20170525")
    from tests.helpers.sms_books import DELAY, book_with, log_rows
    SMS_NOW = NOW_DEMO
    _Answers.plan = [(status, body), (200, {"Code": "OK", "Message": "OK", "BizId": "900^1", "RequestId": "R"})]
    path = book_with(tmp_path, [DELAY])
    assert main(["send", str(path), "--yes", "--endpoint", answers, "--now", SMS_NOW.isoformat()]) == 1
    assert _Answers.seen == [status] and [r["状态"] for r in log_rows(path)] == [logged]
    main(["send", str(path), "--yes", "--endpoint", answers, "--now", SMS_NOW.isoformat()])
    assert len(_Answers.seen) == 1 + again                # 未确认 waits for a receipt or --resend


def test_the_journal_follows_the_book_saved_under_another_name(tmp_path):
    from addin.workbook.commands import outbox as outbox_module
    from addin.workbook.commands.outbox import export_outbox
    from tests.helpers.sms_books import DELAY, REFUND, book_with, log_rows
    SMS_NOW = NOW_DEMO
    path = book_with(tmp_path, [DELAY, REFUND])
    owner = tmp_path / ("~$" + path.name)
    real_write = outbox_module.write_numbers_xlsx

    def excel_opens_the_book_meanwhile(target, rows):
        real_write(target, rows)
        owner.write_text("x")

    outbox_module.write_numbers_xlsx = excel_opens_the_book_meanwhile
    try:
        first = export_outbox(path, tmp_path / "out1", now=SMS_NOW)
    finally:
        outbox_module.write_numbers_xlsx = real_write
    assert first.exported == 2 and first.log_pending          # the log could not be written into the book
    owner.unlink()
    copy = Path(shutil.copy(path, tmp_path / "售后-另存.xlsx"))   # Excel's "save as": the same book, another name
    again = export_outbox(copy, tmp_path / "out2", now=SMS_NOW)
    assert again.exported == 0 and len(again.selection.already) == 2
    assert [r["状态"] for r in log_rows(copy)] == ["已导出", "已导出"]


def test_an_older_book_gets_its_identity_with_its_first_log_write(tmp_path):
    import zipfile as zf_module
    from addin.workbook.commands.outbox import export_outbox
    from addin.workbook.files.book_id import read_book_id
    from tests.helpers.sms_books import DELAY, book_with
    SMS_NOW = NOW_DEMO
    path = book_with(tmp_path, [DELAY])
    wb = openpyxl.load_workbook(path)
    wb.custom_doc_props = type(wb.custom_doc_props)()      # as books made before ids were
    wb.save(path)
    assert read_book_id(path) is None
    assert export_outbox(path, tmp_path / "out", now=SMS_NOW).log_written
    book_id = read_book_id(path)
    assert book_id and len(book_id) == 32
    assert openpyxl.load_workbook(path).custom_doc_props["AfterSalesBookId"].value == book_id   # a valid part
    with zf_module.ZipFile(path) as zf:
        assert zf.testzip() is None


# --- 9. a template that would run for ever ---------------------------------------------------------------

@pytest.mark.parametrize("template", [
    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}亲",
    "{% for i in range(99999) %}{% for j in range(99999) %}{{ j }}{% endfor %}{% endfor %}",
    "{{ '好' * 1000000000 }}",
    "{{ 9 ** 9999999 }}"])
def test_an_endless_template_fails_its_row_only(tmp_path, template):
    from addin.workbook.commands.texts import generate_texts
    from addin.workbook.sheets.new_book import build_workbook
    from tests.helpers.books import case_records
    from tests.helpers.sms_books import TEXT_ROWS as ROWS
    TEXTS_NOW = NOW_DEMO
    path = build_workbook(tmp_path / "t.xlsx", ROWS)
    wb = openpyxl.load_workbook(path)
    for row in wb["模板"].iter_rows(min_row=2):
        if row[1].value == "payment_reminder":
            row[2].value = template
    wb.save(path)
    generate_texts(path, now=TEXTS_NOW)                    # returns: nothing runs until killed
    rows = case_records(path)
    reminders = [r for r in rows if r["短信类型"] == "催付"]
    assert reminders and all(r["短信校验"] == "错误" and "已停止" in r["短信校验说明"] and r["短信内容"] is None
                             for r in reminders)
    assert any(r["短信内容"] for r in rows if r["短信类型"] not in (None, "催付"))   # other kinds still render


# --- 2. new-workbook --from says per column what it did not carry ------------------------------------------

def test_upgrade_lists_per_column_what_was_not_carried(tmp_path):
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    header = [H["order_id"], H["platform"], H["reason"], H["paid"], H["status"], "跟进人"]
    old = make_book(tmp_path / "旧.xlsx", header, [case("A1", "淘宝", "延迟发货", paid=89), case("A2", "淘宝", "延迟发货",
                                                                                              paid=89)])
    wb = openpyxl.load_workbook(old)
    ws = wb["案件"]
    ws["E2"], ws["E3"] = "正常", "已逾期"                     # 状态: ours, not an input
    ws["F2"] = "=A2&\"-跟进\""                                 # a staff formula
    ws["F3"] = "小王"
    ws["F3"].comment = Comment("周一回电", "店长")
    ws["F3"].fill = PatternFill("solid", start_color="FFFF00")
    ws["F3"].hyperlink = "https://example.com/ticket/1"
    dv = DataValidation(type="list", formula1='"小王,小李"')
    dv.add("F2:F100")
    ws.add_data_validation(dv)
    wb.save(old)
    code, output, err = run("new-workbook", tmp_path / "新.xlsm", "--from", old)
    assert code == 0, err
    lines = [line for line in output.splitlines() if line.startswith("  「")]
    status = next(line for line in lines if line.startswith("  「状态」"))
    assert "2 格未搬" in status
    staff = next(line for line in lines if line.startswith("  「跟进人」"))
    for word in ("公式→值 formulas as values 1", "批注 notes 1", "超链接 hyperlinks 1", "填充色 fills 1", "下拉列表"):
        assert word in staff, (word, staff)
