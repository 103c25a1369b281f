"""`aftersales texts` works on the rows that carry a message only, and `aftersales run` does recalc, texts
and outbox in one read and one write with the same result as the three commands one after the other."""
import datetime as dt
import shutil

import openpyxl
import pytest

from addin.cli import main
from addin.demo import sample_approved, sample_rows
from addin.workbook.files.reader import read_workbook, sheet_names
from addin.workbook.commands.compute import compute_sheet
from addin.workbook.commands.recalc import recalc
from addin.workbook.commands.run import run_book
from addin.workbook.sheets.case_columns import find_header_row
from addin.workbook.sheets.new_book import build_workbook
from addin.workbook.commands.texts import generate_texts
from tests.helpers.books import case_records
from tests.helpers.clock import NOW_DEMO, NOW_DEMO_ARG
from tests.helpers.zips import compare_books

TMALL = dict(platform="天猫", shop_name="小美家居", reason="延迟发货", buyer="tm_老王")


# --- texts: the message rows only -------------------------------------------------------------------

def test_texts_leaves_rows_without_a_message_alone(tmp_path):
    path = build_workbook(tmp_path / "t.xlsx", [
        dict(TMALL, order_id="1", paid=100),                                          # no message
        dict(TMALL, order_id="2", paid=100, phone="13800138002", sms_kind="发货延迟通知", item_name="台灯",
             ship_eta="11月25日"),
        dict(order_id="3", platform="淘宝", reason="八十九"),                          # no message, a bad reason
        dict(order_id="4", platform="京东", reason="中差评", review_stars=2, review_text="一般般"),
    ])
    before = case_records(path)
    generate_texts(path, now=NOW_DEMO)
    after = case_records(path)
    assert after[0] == before[0] and after[2] == before[2]          # not computed, not written: 状态 stays empty
    assert before[2]["错误"] is None and before[0]["状态"] is None
    assert after[1]["短信内容"].startswith("【小美家居】") and after[1]["状态"] == "正常"
    assert after[3]["回复类型"] == "中评" and after[3]["状态"] == "有错误"     # the reply needs 店铺名, row 4 has none
    recalc(path, now=NOW_DEMO)                                           # recalc then fills every row
    assert [row["状态"] for row in case_records(path)] == ["正常", "正常", "有错误", "有错误"]
    assert "八十九" in case_records(path)[2]["错误"]


def test_the_shared_tmall_cap_reaches_the_sms_of_a_row_whose_mate_has_no_message(tmp_path):
    """COMP-TM: 30 % of each payment, one 500 yuan cap for a buyer's payments within 24 h. The first row
    (no message) takes 450 of it, so the second row's SMS must print 50, not the 300 it would get alone."""
    paid_at = dt.datetime(2026, 11, 20, 10, 0)
    path = build_workbook(tmp_path / "t.xlsx", [
        dict(TMALL, order_id="1", paid=1500, paid_at=paid_at),
        dict(order_id="9", platform="淘宝", reason="质量问题", buyer="tm_老王"),          # same buyer, not Tmall
        dict(TMALL, order_id="2", paid=1000, paid_at=paid_at + dt.timedelta(hours=5), phone="13800138002",
             sms_kind="发货延迟通知", item_name="台灯", ship_eta="11月25日"),
    ])
    generate_texts(path, now=NOW_DEMO)
    sms = case_records(path)[2]["短信内容"]
    assert "延迟发货补偿50.00元" in sms, sms
    recalc(path, now=NOW_DEMO)
    assert case_records(path)[2]["赔偿金额"] == 50 and case_records(path)[0]["赔偿金额"] == 450
    grid = read_workbook(path, ["案件"])["案件"]
    alone = compute_sheet([grid[0], grid[3]], now=NOW_DEMO)              # the second payment on its own
    assert alone.results[2].compensation.amount == 300


def test_a_duplicate_sms_names_the_row_it_repeats(tmp_path):
    row = dict(TMALL, paid=100, phone="13800138002", sms_kind="发货延迟通知", item_name="台灯", ship_eta="11月25日")
    path = build_workbook(tmp_path / "t.xlsx", [dict(row, order_id="1"), dict(TMALL, order_id="5", paid=1),
                                                dict(row, order_id="2")])
    generate_texts(path, now=NOW_DEMO)
    notes = case_records(path)[2]["短信校验说明"]
    assert "第2行 (订单1) 已给同一买家发发货延迟通知短信, 本条跳过" in notes


# --- run: one read, one write -----------------------------------------------------------------------

@pytest.fixture()
def demo_books(tmp_path):
    base = build_workbook(tmp_path / "base.xlsx", sample_rows(), approved=sample_approved())
    seq, one = tmp_path / "seq.xlsx", tmp_path / "one.xlsx"
    shutil.copy(base, seq)
    shutil.copy(base, one)
    return tmp_path, seq, one


def test_run_writes_what_recalc_texts_and_outbox_write_one_after_the_other(demo_books, capsys):
    tmp, seq, one = demo_books
    now = NOW_DEMO_ARG
    assert main(["recalc", str(seq), "--now", now, "--quiet"]) == 0
    assert main(["texts", str(seq), "--now", now]) == 0
    assert main(["outbox", str(seq), "--now", now, "--out", str(tmp / "files")]) == 0
    assert main(["run", str(one), "--now", now, "--outbox", str(tmp / "files_run"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "已导出 exported 3" in out and "已写入 written" in out

    names = sheet_names(seq)
    assert sheet_names(one) == names
    a, b = read_workbook(seq, names), read_workbook(one, names)
    for name in names:
        if name == "发送记录":      # the same entries; their note names the folder each command wrote into
            assert [r[:13] for r in a[name]] == [r[:13] for r in b[name]]
            assert [r[13].replace("files", "") for r in a[name][1:]] == [r[13].replace("files_run", "")
                                                                         for r in b[name][1:]]
        else:
            assert a[name] == b[name], name
    assert list(compare_books(seq, one)) == ["xl/worksheets/sheet10.xml"]  # only 发送记录 (that note); 案件, 今日待办 equal
    files = sorted(p.name for p in (tmp / "files").iterdir())
    assert files == sorted(p.name for p in (tmp / "files_run").iterdir()) and len(files) == 3
    for f in files:
        assert read_workbook(tmp / "files" / f, ["Sheet1"]) == read_workbook(tmp / "files_run" / f, ["Sheet1"])

    assert main(["run", str(one), "--now", now, "--outbox", str(tmp / "again"), "--quiet"]) == 0
    assert "已导出 exported 0" in capsys.readouterr().out and not (tmp / "again").exists()   # logged: not again


def test_run_counts_the_status_its_own_checks_give(demo_books):
    tmp, _, one = demo_books
    report = run_book(one, now=NOW_DEMO, outbox_dir=tmp / "files")
    statuses = [row["状态"] for row in case_records(one)]
    assert report.summary.errors == statuses.count("有错误") == report.summary.by_status["有错误"]
    assert sum(row["错误"].startswith("短信校验未通过") for row in case_records(one) if row["错误"]) == 2
    assert report.texts["sms"] == 5 and report.outbox.exported == 3 and report.written


def test_run_refuses_a_book_open_in_excel_and_exports_nothing(demo_books, capsys):
    tmp, _, one = demo_books
    (tmp / f"~${one.name}").write_bytes(b"owner")
    before = one.read_bytes()
    assert main(["run", str(one), "--now", NOW_DEMO_ARG, "--outbox", str(tmp / "files"), "--quiet"]) == 2
    assert "Excel" in capsys.readouterr().err
    assert one.read_bytes() == before and not (tmp / "files").exists()


def test_run_with_a_book_changed_meanwhile_keeps_the_exported_entries_in_the_journal(demo_books, monkeypatch, capsys):
    """The files went out before the write; when the write is refused, the journal keeps their log entries
    so the next run neither loses nor repeats them."""
    from addin.workbook.files import session as session_module

    tmp, _, one = demo_books
    real_patch = session_module.Book.patch

    def saved_by_someone(self, edits, **kw):
        wb = openpyxl.load_workbook(one)
        wb.save(one)                                                # Excel saved it while we computed
        return real_patch(self, edits, **kw)

    monkeypatch.setattr(session_module.Book, "patch", saved_by_someone)
    assert main(["run", str(one), "--now", NOW_DEMO_ARG, "--outbox", str(tmp / "files"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "计算期间工作簿已被修改" in err and "sendlog.jsonl" in err
    assert len(list((tmp / "files").iterdir())) == 3
    monkeypatch.undo()
    assert main(["run", str(one), "--now", NOW_DEMO_ARG, "--outbox", str(tmp / "again"), "--quiet"]) == 0
    assert "已导出 exported 0" in capsys.readouterr().out                # the journal counted them
    log = read_workbook(one, ["发送记录"])["发送记录"]
    assert [r[9] for r in log[1:]] == ["已导出"] * 3                   # and they are on the sheet now


def test_the_merge_split_over_processes_gives_what_one_process_gives(tmp_path, monkeypatch):
    """Forked shares keep a buyer's, a phone number's and an order's rows together: duplicates, 催付 counts
    and the shared Tmall cap come out as in one process."""
    from addin.workbook.commands import texts as texts_module
    from addin.workbook.commands.texts import compute_texts

    paid_at = dt.datetime(2026, 11, 20, 10, 0)
    sms = dict(TMALL, phone="13800138002", sms_kind="发货延迟通知", item_name="台灯", ship_eta="11月25日")
    rows = sample_rows() + [
        dict(TMALL, order_id="1", paid=1500, paid_at=paid_at),
        dict(sms, order_id="2", paid=1000, paid_at=paid_at + dt.timedelta(hours=5)),
        dict(sms, order_id="3", paid=10, buyer="someone else"),                       # same phone: a duplicate
        dict(order_id="4", platform="淘宝", reason="未付款", shop_name="小美家居", phone="13900139004",
             sms_kind="催付", item_name="台灯", paid=99, customer_type="学生", reminders_sent=1),
        dict(order_id="4", platform="淘宝", reason="未付款", shop_name="小美家居", phone="13900139005",
             sms_kind="催付", item_name="台灯", paid=99, customer_type="学生"),   # the same order: SMS-8's count
    ]
    path = build_workbook(tmp_path / "t.xlsx", rows, approved=sample_approved())
    grid = read_workbook(path, ["案件"], empty="")["案件"]
    one = compute_texts(grid, now=NOW_DEMO)
    monkeypatch.setattr(texts_module, "PARALLEL_MIN_ROWS", 1)
    split = compute_texts(grid, now=NOW_DEMO, workers=3)
    assert split.cells == one.cells and split.outbox == one.outbox and split.summary == one.summary
    assert split.checks == one.checks
    assert {r: (m.sms_text, m.sms_verdict, m.sms_reasons_text, m.reply_text) for r, m in split.merged.items()} == \
        {r: (m.sms_text, m.sms_verdict, m.sms_reasons_text, m.reply_text) for r, m in one.merged.items()}
    shares = texts_module._merge_shares(texts_module._TextsJob(grid, None, None, set(), NOW_DEMO, None, None, None, {}, False,
                                                               find_header_row(grid)), set(range(2, len(grid) + 1)), 3)
    assert len(shares) == 3
    where = {r: i for i, share in enumerate(shares) for r in share}
    n = len(sample_rows()) + 1                   # the sheet row of the first added row
    assert where[n + 1] == where[n + 2] == where[n + 3] and where[n + 4] == where[n + 5]
    assert "延迟发货补偿50.00元" in split.merged[n + 2].sms_text
    assert "本条跳过" in split.merged[n + 3].sms_reasons_text
