"""`aftersales texts` streams the case sheet (addin.workbook.commands.texts_stream): the book it writes is byte
for byte the one the whole-grid merge writes (texts.compute_texts, which the buttons use), whatever the
chunk size and the number of workers, including the batch checks that look across chunks (a duplicate
SMS to one buyer, 催付 counted per order, the vendor's daily cap per number), COMP-TM's shared cap,
formula cells and totals rows, stale texts on blank rows, and a 状态 column that is staff's own."""
from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest

from addin.demo import bulk_rows, sample_approved, sample_rows
from addin.workbook.commands import cores
from addin.workbook.commands import recalc_stream as streamed
from addin.workbook.commands import texts, texts_stream
from addin.workbook.commands.texts import generate_texts
from addin.workbook.sheets.case_layout import case_columns
from addin.workbook.sheets.new_book import build_workbook
from tests.helpers.books import case_records
from tests.helpers.clock import NOW_DEMO
from tests.helpers.stream_books import SMS, full_layout_book, message_book, message_rows
from tests.helpers.texts_runs import streamed_texts, whole_texts
from tests.helpers.zips import compare_books


@pytest.mark.parametrize("chunk_bytes, workers", [(1, 1), (3000, 2), (1 << 30, 1)])
def test_streamed_texts_write_what_the_whole_grid_merge_writes(tmp_path, monkeypatch, chunk_bytes, workers):
    rows = message_rows()
    rows[20] = {}                                                  # sheet row 22: blank, with a reply left over
    assert not {"sms_kind", "review_stars", "review_text"} & set(rows[8])
    stale = {22: {"reply_text": "旧回复"}, 10: {"sms_text": "旧短信", "sms_verdict": "通过"}}   # 10: no message now
    src = message_book(tmp_path / "src.xlsx", rows, stale=stale)
    whole = whole_texts(src, tmp_path / "whole.xlsx")
    summary = streamed_texts(src, tmp_path / "stream.xlsx", monkeypatch, chunk_bytes=chunk_bytes, workers=workers)
    assert list(compare_books(tmp_path / "whole.xlsx", tmp_path / "stream.xlsx")) == []
    assert summary == whole
    records = case_records(tmp_path / "stream.xlsx")
    notes = [r["短信校验说明"] or "" for r in records]
    assert any("已给同一买家发发货延迟通知短信" in n for n in notes)         # the duplicate, 40 rows later
    assert sum("上限" in n for n in notes) >= 1                           # the daily cap of one number
    assert whole["formulas_kept"] >= 1 and whole["ready"] >= 3

    # Again, on the written book (texts already there, checks in 错误): still the same bytes.
    whole2 = whole_texts(tmp_path / "whole.xlsx", tmp_path / "whole2.xlsx")
    summary2 = streamed_texts(tmp_path / "stream.xlsx", tmp_path / "stream2.xlsx", monkeypatch,
                              chunk_bytes=chunk_bytes, workers=workers)
    assert list(compare_books(tmp_path / "whole2.xlsx", tmp_path / "stream2.xlsx")) == []
    assert summary2 == whole2


def test_streamed_texts_write_each_chunk_once_merged_reading_its_rows_once(tmp_path, monkeypatch):
    """One pass (texts_stream._pipelined): a row's batch checks look at earlier rows only, so once a chunk
    and every chunk before it are merged its texts are final and it is written then, from the cells read
    for the merge. Two SMS to one phone (two buyers), chunks apart: the later one is the duplicate, as
    in the whole-grid merge; each message row is read once; the reading runs a few chunks ahead only."""
    first = dict(SMS, order_id="D1", paid=100, buyer="tm_甲", phone="13800138001", sms_kind="发货延迟通知")
    later = dict(first, order_id="D2", buyer="tm_乙")
    reviews = [dict(order_id=f"R{i}", platform="京东", reason="中差评", review_stars=1 + i % 5, review_text="还行",
                    shop_name="小美家居") for i in range(20)]
    src = message_book(tmp_path / "src.xlsx", bulk_rows(10) + [first] + reviews + [later] + bulk_rows(10))
    whole = whole_texts(src, tmp_path / "whole.xlsx")
    events = []
    read, write = texts_stream._message_inputs, texts_stream._texts_chunk
    monkeypatch.setattr(texts_stream, "_message_inputs", lambda c: events.append(("read", c.rows)) or read(c))
    monkeypatch.setattr(texts_stream, "_texts_chunk", lambda t: events.append(("write", t[0].rows)) or write(t))
    monkeypatch.setattr(texts_stream, "_merge_pass", None)           # not the two passes
    summary = streamed_texts(src, tmp_path / "stream.xlsx", monkeypatch, chunk_bytes=1, workers=1)
    assert list(compare_books(tmp_path / "whole.xlsx", tmp_path / "stream.xlsx")) == []
    assert summary == whole
    notes = {r["订单号"]: r["短信校验说明"] or "" for r in case_records(tmp_path / "stream.xlsx")}
    assert "已给同一买家发发货延迟通知短信" in notes["D2"] and "已给同一买家" not in notes["D1"]
    reads = [r for kind, rows in events if kind == "read" for r in rows]
    assert reads == sorted(set(reads)) and {12, 33} <= set(reads) and len(reads) > 20    # each once
    written = 0
    for kind, rows in events:
        if kind == "write":
            written = rows[-1]
            assert sum(1 for k, rs in events[:events.index((kind, rows))] if k == "read" and rs[0] > written) <= 2


def test_streamed_texts_add_the_text_columns_a_sheet_lacks(tmp_path, monkeypatch):
    inputs = [c.key for c in case_columns() if c.key in {"order_id", "platform", "shop_name", "reason", "buyer",
                                                         "phone", "paid", "paid_at", "item_name", "ship_eta",
                                                         "sms_kind", "review_stars", "review_text", "status",
                                                         "errors"}]
    rows = [{k: v for k, v in row.items() if k in inputs} for row in message_rows()]
    src = message_book(tmp_path / "src.xlsx", rows, keys=inputs, status={5: "我自己的状态"})
    whole = whole_texts(src, tmp_path / "whole.xlsx")
    summary = streamed_texts(src, tmp_path / "stream.xlsx", monkeypatch, chunk_bytes=2000, workers=2)
    assert list(compare_books(tmp_path / "whole.xlsx", tmp_path / "stream.xlsx")) == []
    assert summary == whole and whole["sms"] > 5


def test_streamed_texts_fall_back_to_two_passes_when_pass_0_misses_staff_status(tmp_path, monkeypatch):
    """A 状态 column with staff's own words is left alone, which the one pass knows only once every row was
    read. Should pass 0 not see such a word (here its test is switched off), the one pass stops at the
    chunk that has one and the two passes write the book: still what the whole-grid merge writes."""
    from addin.workbook.commands import message_scan
    src = message_book(tmp_path / "src.xlsx", message_rows(), status={90: "我自己的状态"})
    whole = whole_texts(src, tmp_path / "whole.xlsx")
    monkeypatch.setattr(message_scan.MessageScan, "_our_word", lambda self, attrs, content: True)
    passes = []
    real = texts_stream._merge_pass
    monkeypatch.setattr(texts_stream, "_merge_pass", lambda *a, **k: passes.append(1) or real(*a, **k))
    summary = streamed_texts(src, tmp_path / "stream.xlsx", monkeypatch, chunk_bytes=3000, workers=2)
    assert passes == [1]
    assert list(compare_books(tmp_path / "whole.xlsx", tmp_path / "stream.xlsx")) == []
    assert summary == whole
    assert [r["状态"] for r in case_records(tmp_path / "stream.xlsx")][88] == "我自己的状态"


def test_streamed_texts_on_the_template_book_with_its_table_and_outbox(tmp_path, monkeypatch):
    src = build_workbook(tmp_path / "src.xlsx", sample_rows(), approved=sample_approved())
    whole_texts(src, tmp_path / "whole.xlsx")
    streamed_texts(src, tmp_path / "stream.xlsx", monkeypatch, chunk_bytes=1, workers=2)
    assert list(compare_books(tmp_path / "whole.xlsx", tmp_path / "stream.xlsx")) == []
    # The book written by the streamed path, texts again: the 发送队列 keeps staff notes beside their line.
    shutil.copy(tmp_path / "stream.xlsx", tmp_path / "again.xlsx")
    whole_texts(tmp_path / "again.xlsx", tmp_path / "whole2.xlsx")
    streamed_texts(tmp_path / "again.xlsx", tmp_path / "stream2.xlsx", monkeypatch, chunk_bytes=1, workers=1)
    assert list(compare_books(tmp_path / "whole2.xlsx", tmp_path / "stream2.xlsx")) == []


# --- run: recalc and the merge on one stream -----------------------------------------------------------

def test_streamed_run_writes_what_the_whole_grid_run_writes(tmp_path, monkeypatch):
    """`run` streamed (RunTexts on recalc's pass) against `run` reading the grid whole: the book, the
    vendor files, the summary and texts' figures are the same."""
    from addin.workbook.commands import run as run_module
    from addin.workbook.commands.recalc_stream import NotStreamable
    from addin.workbook.commands.run import run_book
    from tests.helpers.zips import members

    def whole(*a, **k):
        raise NotStreamable("the grid read whole, as before")

    def take(how: str) -> None:
        """The whole-grid run, or the streamed one on two workers with small chunks, however small the sheet."""
        monkeypatch.undo()
        monkeypatch.setattr(cores, "PARALLEL_MIN_ROWS", 2)
        monkeypatch.setattr(streamed, "PARALLEL_MIN_BYTES", 0)
        if how == "whole":
            monkeypatch.setattr(run_module, "compute_streamed", whole)
        else:
            monkeypatch.setattr(streamed, "CHUNK_BYTES", 3000)
            monkeypatch.setattr(streamed, "TEXTS_STREAM_MIN_BYTES", 0)

    rows = sample_rows() + message_rows()
    for name, src in (("template", build_workbook(tmp_path / "t.xlsx", rows, approved=sample_approved())),
                      ("xlsxwriter", full_layout_book(tmp_path / "x.xlsx", rows))):
        reports = {}
        for how in ("whole", "stream"):
            take(how)
            out = tmp_path / f"{name}_{how}.xlsx"
            reports[how] = run_book(src, out, now=NOW_DEMO, outbox_dir=tmp_path / f"{name}_{how}_files", workers=2)
        whole_members, stream_members = (members(tmp_path / f"{name}_{how}.xlsx") for how in ("whole", "stream"))
        log_sheet = [n for n in whole_members if whole_members[n] != stream_members[n]]
        # Only 发送记录 may differ: its note names the folder each run wrote into.
        assert len(log_sheet) <= 1, log_sheet
        a, b = reports["whole"], reports["stream"]
        assert a.texts == b.texts and a.outbox.exported == b.outbox.exported
        # The same figures (the groups of a line come in the order the rows were computed: whole, two shares).
        assert [sorted(line.split("; ")) for line in a.summary.lines()] == \
            [sorted(line.split("; ")) for line in b.summary.lines()]
        assert a.summary.cells_written == b.summary.cells_written
        files = sorted(p.name for p in (tmp_path / f"{name}_whole_files").iterdir()) \
            if (tmp_path / f"{name}_whole_files").exists() else []
        assert files == (sorted(p.name for p in (tmp_path / f"{name}_stream_files").iterdir()) if files else [])
        for f in files:              # the vendor's xlsx says when it was written (docProps/core.xml): not compared
            w, s = (members(tmp_path / f"{name}_{how}_files" / f) for how in ("whole", "stream"))
            assert {n: v for n, v in w.items() if n != "docProps/core.xml"} == \
                {n: v for n, v in s.items() if n != "docProps/core.xml"}
        # streamed, run keeps only the results outbox.select looks at: it selects the same messages
        assert a.outbox.selection == b.outbox.selection
        if name == "template":
            assert a.outbox.exported >= 3 and log_sheet
            # again on the books just written: the messages now in 发送记录 are held back as sent before
            again = {}
            for how in ("whole", "stream"):
                take(how)
                again[how] = run_book(tmp_path / f"{name}_{how}.xlsx", tmp_path / f"{name}_{how}_again.xlsx",
                                      now=NOW_DEMO, outbox_dir=tmp_path / f"{name}_{how}_again_files", workers=2)
            sel_a, sel_b = again["whole"].outbox.selection, again["stream"].outbox.selection
            assert len(sel_a.already) >= 3 and sel_a == sel_b


# --- COMP-TM's cap when pass 0 does not link a buyer's payments ------------------------------------------

LATE_PAID_AT = dt.datetime(2026, 11, 20, 10, 0)


def linked_payments(first: dict) -> list[dict]:
    """A buyer's two Tmall payments 5 h apart, 40 rows apart: the first (`first`'s cells over a late
    shipment of 1,500) has no message, the second (1,000) an SMS whose template prints the compensation.
    30 % of each, one cap of 500 between them: the SMS must say 50, not the 300 of the second alone."""
    return bulk_rows(5) + [dict(SMS, order_id="T1", paid=1500, buyer="tm_老王", paid_at=LATE_PAID_AT, **first)] \
        + bulk_rows(40) + [dict(SMS, order_id="T2", paid=1000, buyer="tm_老王", paid_at=LATE_PAID_AT + dt.timedelta(hours=5),
                                phone="13800138002", sms_kind="发货延迟通知")]


def sms_of(path: Path, order_id: str) -> str:
    return next(r["短信内容"] for r in case_records(path) if r["订单号"] == order_id)


def test_streamed_texts_read_a_reason_with_its_after_sales_type_in_pass_0(tmp_path, monkeypatch):
    """A 原因对照 line for one 售后类型 only: "拖延了" is 其他 in general but 延迟发货 for a 仅退款. Pass 0 must
    read the wording with the row's type, or it does not link the buyer's payments and the SMS prints
    the second payment's amount alone."""
    rows = linked_payments(dict(reason="拖延了", after_sales_type="仅退款"))
    src = message_book(tmp_path / "src.xlsx", rows,
                          reasons=[("天猫", "拖延了", "", "其他"), ("天猫", "拖延了", "仅退款", "延迟发货")])
    whole = whole_texts(src, tmp_path / "whole.xlsx")
    summary = streamed_texts(src, tmp_path / "stream.xlsx", monkeypatch, chunk_bytes=1, workers=2)
    assert "补偿50.00元" in sms_of(tmp_path / "whole.xlsx", "T2")
    assert list(compare_books(tmp_path / "whole.xlsx", tmp_path / "stream.xlsx")) == []
    assert summary == whole


def test_streamed_run_merges_again_when_recalc_reruns_for_the_tmall_cap(tmp_path, monkeypatch):
    """Should pass 0 not link a buyer's payments at all (a spelling only the full reading understands;
    here its scan is switched off), recalc's check after its pass runs the pass again with the cap
    merged over the sheet; the mail merge must run again with it too, or the SMS keeps the 300 its
    chunk computed alone."""
    from addin.workbook.commands import run as run_module
    from addin.workbook.commands.recalc_stream import NotStreamable
    from addin.workbook.commands.run import run_book
    from tests.helpers.zips import members

    src = message_book(tmp_path / "src.xlsx", linked_payments({}))
    monkeypatch.setattr(run_module, "compute_streamed", lambda *a, **k: (_ for _ in ()).throw(NotStreamable("whole")))
    whole = run_book(src, tmp_path / "whole.xlsx", now=NOW_DEMO, fmt="csv", outbox_dir=tmp_path / "whole_files",
                     workers=1)
    monkeypatch.undo()
    monkeypatch.setattr(cores, "PARALLEL_MIN_ROWS", 2)
    monkeypatch.setattr(streamed, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(streamed, "CHUNK_BYTES", 3000)
    monkeypatch.setattr(streamed, "TEXTS_STREAM_MIN_BYTES", 0)
    merges = []
    real_written = texts_stream.RunTexts.written
    monkeypatch.setattr(texts_stream.RunTexts, "written", lambda self, *a: merges.append(1) or real_written(self, *a))
    monkeypatch.setattr(streamed._TmallIndex, "feed", lambda self, body, cells=None: {})
    stream = run_book(src, tmp_path / "stream.xlsx", now=NOW_DEMO, fmt="csv", outbox_dir=tmp_path / "stream_files",
                      workers=2)
    assert "补偿50.00元" in sms_of(tmp_path / "stream.xlsx", "T2")
    a, b = members(tmp_path / "whole.xlsx"), members(tmp_path / "stream.xlsx")
    # 发送记录's note names the folder, and the book's id (docProps/custom.xml) is new to each book
    assert len([n for n in a if a[n] != b[n] and n != "docProps/custom.xml"]) <= 1
    assert whole.texts == stream.texts and whole.outbox.exported == stream.outbox.exported == 5
    [f] = (tmp_path / "whole_files").iterdir()
    assert "补偿50.00元" in f.read_text(encoding="utf-8-sig")
    assert f.read_bytes() == (tmp_path / "stream_files" / f.name).read_bytes()
    assert len(merges) == 2                                      # the pass, and its merge, ran again with the merged cap


def test_texts_read_a_small_sheet_whole_and_a_big_one_in_chunks(tmp_path, monkeypatch):
    """Below recalc_stream.TEXTS_STREAM_MIN_BYTES of sheet XML the grid is read whole (less CPU there);
    from it on, chunk by chunk; the same book either way."""
    src = message_book(tmp_path / "src.xlsx", message_rows())
    size = zipfile.ZipFile(src).getinfo("xl/worksheets/sheet1.xml").file_size
    wholes = []
    real = texts.load_book_whole
    monkeypatch.setattr(texts, "load_book_whole", lambda *a: wholes.append(1) or real(*a))
    for limit, out in ((size + 1, "whole.xlsx"), (size, "stream.xlsx")):
        monkeypatch.setattr(streamed, "TEXTS_STREAM_MIN_BYTES", limit)
        generate_texts(src, tmp_path / out, now=NOW_DEMO)
    assert wholes == [1]                         # the first alone read the grid whole
    assert list(compare_books(tmp_path / "whole.xlsx", tmp_path / "stream.xlsx")) == []


# --- run: 错误/状态 computed again where the merge changed a row's failed checks ---------------------------

def run_both(src: Path, tmp_path: Path, name: str, monkeypatch) -> tuple:
    """`run` reading the grid whole, and streamed (3,000-byte chunks, two workers): (reports, books)."""
    from addin.workbook.commands import run as run_module
    from addin.workbook.commands.recalc_stream import NotStreamable
    from addin.workbook.commands.run import run_book

    with monkeypatch.context() as m:
        m.setattr(run_module, "compute_streamed", lambda *a, **k: (_ for _ in ()).throw(NotStreamable("whole")))
        whole = run_book(src, tmp_path / f"{name}_whole.xlsx", now=NOW_DEMO, fmt="csv",
                         outbox_dir=tmp_path / f"{name}_whole_files", workers=1)
    with monkeypatch.context() as m:
        m.setattr(cores, "PARALLEL_MIN_ROWS", 2)
        m.setattr(streamed, "PARALLEL_MIN_BYTES", 0)
        m.setattr(streamed, "CHUNK_BYTES", 3000)
        m.setattr(streamed, "TEXTS_STREAM_MIN_BYTES", 0)
        stream = run_book(src, tmp_path / f"{name}_stream.xlsx", now=NOW_DEMO, fmt="csv",
                          outbox_dir=tmp_path / f"{name}_stream_files", workers=2)
    return (whole, stream), (tmp_path / f"{name}_whole.xlsx", tmp_path / f"{name}_stream.xlsx")


def test_streamed_run_computes_again_the_rows_whose_checks_the_merge_changed(tmp_path, monkeypatch):
    """recalc's workers compute 错误 and 状态 with the failed-check lines the sheet holds (the last run's);
    where this run's merge says otherwise (a check failing now, one the sheet says failed that passes
    now) the main process computes the row again. The book must be the whole-grid run's, its figures too,
    on a book with no texts yet and on the book that run wrote (the sheet's lines then mostly right)."""
    from tests.helpers.zips import members

    redone: list[int] = []
    real = texts_stream._checked_again
    monkeypatch.setattr(texts_stream, "_checked_again", lambda job, held, rows, *a: redone.extend(rows)
                        or real(job, held, rows, *a))
    rows = message_rows()
    # N1: an SMS without a phone number on an overdue row (in 今日待办, with 状态 as the check gives it)
    more = bulk_rows(20)
    no_phone = len(rows) + 8
    more[8] = dict({k: v for k, v in more[8].items() if k != "phone"}, order_id="N1", sms_kind="催付")
    rows += more
    fixed = next(i for i, row in enumerate(rows) if row.get("order_id") == "D1")
    stale = {fixed + 2: {"sms_verdict": "错误", "sms_reasons": "错误: 缺少「手机号」, 无法发送"}}
    src = message_book(tmp_path / "src.xlsx", rows, stale=stale)
    book = src
    for name in ("first", "again"):
        redone.clear()
        (whole, stream), (a, b) = run_both(book, tmp_path, name, monkeypatch)
        wm, sm = members(a), members(b)
        # 发送记录's note names the folder; the book's id (docProps/custom.xml) is new to each book
        assert len([n for n in wm if wm[n] != sm[n] and n != "docProps/custom.xml"]) <= 1
        assert whole.texts == stream.texts and whole.outbox.exported == stream.outbox.exported
        assert [sorted(line.split("; ")) for line in whole.summary.lines()] == \
            [sorted(line.split("; ")) for line in stream.summary.lines()]
        assert [(t.row, t.status) for t in whole.summary.todo] == [(t.row, t.status) for t in stream.summary.todo]
        records = {r["订单号"]: r for r in case_records(b)}
        assert "短信校验未通过" in (records["N1"]["错误"] or "") and records["N1"]["状态"] == "有错误"
        assert any(t.row == no_phone + 2 for t in stream.summary.todo)
        assert "短信校验未通过" not in (records["D1"]["错误"] or "")
        if name == "first":
            assert {no_phone + 2, fixed + 2} <= set(redone)     # both directions were computed again
        book = b


def test_a_row_taken_back_from_the_tally_leaves_the_figures_of_never_counting_it():
    """Tally.subtract (the rows run computes again): counted with one 状态, taken back and counted with
    another, the figures are those of counting it once with the second."""
    from decimal import Decimal
    from addin.workbook.sheets.tally import Tally

    def row(tally, status, amount, platform="天猫"):
        tally.add_row(platform=platform, reason="延迟发货", shop="小美家居", next_deadline=NOW_DEMO, amount=amount,
                      approval=False, status=status, now=NOW_DEMO)

    once, redone, wrong, right = Tally(), Tally(), Tally(), Tally()
    for t in (once, redone):
        row(t, "正常", Decimal("5.00"), "淘宝")
        row(t, "正常", Decimal("7.50"))
    row(once, "有错误", Decimal("26.81"))
    row(redone, "正常", Decimal("26.81"))
    row(wrong, "正常", Decimal("26.81"))
    row(right, "有错误", Decimal("26.81"))
    redone.merge(right)
    redone.subtract(wrong)
    assert redone.status_counts() == once.status_counts()
    assert redone.total == once.total and redone.by_platform == once.by_platform
    assert list(redone.by_platform) == list(once.by_platform)


def test_streamed_run_writes_from_the_text_cells_alone_as_from_the_whole_row(tmp_path, monkeypatch):
    """`run`'s workers send back a held row's text cells alone (`_Held.olds`), not the row, and the main
    process reads again, from the chunk's XML, the rows it computes again. On a real book (no texts yet,
    then the book run wrote, whose text cells are there to compare with), each held row's changed text
    cells from its text cells alone are those write_changed gives from the row as the worker read it,
    and the rows read again are the worker's rows cell for cell."""
    from addin.workbook.commands.texts_rows import write_changed

    real_hold, real_write, real_from = texts_stream.RunTexts.hold, texts_stream.RunTexts._write_held, \
        texts_stream.write_changed_from
    real_again = texts_stream._checked_again
    full: dict = {}
    seen = {"rows": 0, "filled": 0, "again": 0}

    def hold(self, chunk, view, part, rows):            # in the workers: the whole rows travel back too
        held = real_hold(self, chunk, view, part, rows)
        held.full = {r: view[r - 1] for r in held.olds}
        return held

    def write_held(self, chunk, done, *a):
        full.clear()
        full.update(done.held.full)
        return real_write(self, chunk, done, *a)

    def write_from(cells, r, olds, out_columns, values):
        long_way: dict = {}
        write_changed(long_way, r, full[r], out_columns, values)
        real_from(cells, r, olds, out_columns, values)
        assert {k: v for k, v in cells.items() if k[0] == r} == long_way
        seen["rows"] += 1
        seen["filled"] += any(v not in (None, "") for v in olds)

    def checked_again(job, held, rows, checks, part, grid):
        assert [grid[r - 1] for r in rows] == [full[r] for r in rows]
        seen["again"] += len(rows)
        return real_again(job, held, rows, checks, part, grid)

    monkeypatch.setattr(texts_stream.RunTexts, "hold", hold)
    monkeypatch.setattr(texts_stream.RunTexts, "_write_held", write_held)
    monkeypatch.setattr(texts_stream, "write_changed_from", write_from)
    monkeypatch.setattr(texts_stream, "_checked_again", checked_again)
    rows = message_rows() + bulk_rows(20)
    book = message_book(tmp_path / "src.xlsx", rows)
    for name in ("first", "again"):
        seen.update(rows=0, filled=0, again=0)
        _, (_, book) = run_both(book, tmp_path, name, monkeypatch)
        assert seen["rows"] >= 10
        if name == "first":
            assert seen["again"] > 0 and seen["filled"] < seen["rows"]
        else:
            assert seen["filled"] >= 10       # run's own texts there: compared cell by cell
