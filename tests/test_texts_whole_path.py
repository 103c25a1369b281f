"""The shortcuts of `aftersales texts` and `run` on a case sheet read whole (below the streaming threshold;
docs/dev/speed.md, "texts and run, whole-sheet path") give what the long way gives: the sheet's XML kept
from the read (texts.load_book_whole) with its layout's cell scan deferred, against load_book and the full
layout; and run's merge computing the rules' results only (compute_sheet(outputs=False)), against the
merge computing every cell as texts does. Each comparison is of the written books, member by member."""
from __future__ import annotations

import shutil
from pathlib import Path

import xlsxwriter

from addin.demo import sample_approved, sample_rows
from addin.workbook.commands import compute as compute_module
from addin.workbook.commands import run as run_module
from addin.workbook.commands import texts
from addin.workbook.commands.compute import compute_sheet
from addin.workbook.commands.run import run_book
from addin.workbook.commands.texts import generate_texts, load_book, tmall_mates
from addin.workbook.files.reader import read_workbook
from addin.workbook.files.session import open_book
from addin.workbook.files.xlsx_patch import scan
from addin.workbook.sheets.case_layout import case_columns
from addin.workbook.sheets.case_sheet import find_case_header
from addin.workbook.sheets.new_book import build_workbook
from tests.helpers.clock import NOW_DEMO
from tests.helpers.texts_runs import whole_texts
from tests.helpers.zips import compare_books, members
from tests.helpers.stream_books import case_sheet, message_book, message_rows


def plain_book(path: Path, rows: list[dict], keys: list[str] | None = None, note_at: int | None = None) -> Path:
    """No formula anywhere (the layout's cell scan can then wait); `keys`: the columns written; `note_at`: a
    staff note in that column of row 2, right of the header (new columns must go right of it)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = case_sheet(wb, keys or [c.key for c in case_columns()], rows)
    if note_at is not None:
        ws.write_string(1, note_at - 1, "员工备注")
    wb.close()
    return path


BOOK_ID = r"<(?:[\w.-]+:)?lpwstr>[0-9a-f]{32}</(?:[\w.-]+:)?lpwstr>"     # the book's random id
INPUTS = {"order_id", "platform", "shop_name", "reason", "buyer", "phone", "paid", "paid_at", "item_name",
          "ship_eta", "sms_kind", "review_stars", "review_text"}


def books(tmp_path: Path) -> dict[str, tuple[Path, bool]]:
    """name -> (book, whether its layout may skip the cell scan)."""
    rows = message_rows()
    few = [c.key for c in case_columns() if c.key in INPUTS]
    return {"formulas": (message_book(tmp_path / "formulas.xlsx", rows), False),
            "plain": (plain_book(tmp_path / "plain.xlsx", rows), True),
            "missing columns": (plain_book(tmp_path / "missing.xlsx", rows, few, note_at=len(few) + 3), False),
            "template": (build_workbook(tmp_path / "template.xlsx", sample_rows() + rows, approved=sample_approved()),
                         None)}


def test_texts_on_a_sheet_read_whole_write_what_the_long_way_writes(tmp_path, monkeypatch):
    scans = []
    real_scan = scan.scan_sheet_xml
    monkeypatch.setattr(scan, "scan_sheet_xml", lambda *a: scans.append(1) or real_scan(*a))
    for name, (src, deferred) in books(tmp_path).items():
        for rnd in ("fresh", "again"):
            long_sum = whole_texts(src, tmp_path / f"{name}_{rnd}_long.xlsx")
            scans.clear()
            short_sum = generate_texts(src, tmp_path / f"{name}_{rnd}_short.xlsx", now=NOW_DEMO)
            assert compare_books(tmp_path / f"{name}_{rnd}_long.xlsx", tmp_path / f"{name}_{rnd}_short.xlsx") == {}, \
                (name, rnd)
            assert short_sum == long_sum
            if deferred is not None:             # the shortcut was taken where it may be, and only there
                assert (not scans) == deferred, (name, rnd, scans)
            src = tmp_path / f"{name}_{rnd}_short.xlsx"
        assert long_sum["sms"] >= 3, name


def test_the_rules_alone_give_the_results_the_full_computation_gives(tmp_path):
    src = message_book(tmp_path / "src.xlsx", message_rows())
    grid = read_workbook(src, ["案件"], empty="")["案件"]
    header = find_case_header(grid)
    rows = texts.message_rows(grid, header)
    rows = set(rows) | tmall_mates(grid, header, rows) | {len(grid)}          # and the 合计 row
    with open_book(src, write=False) as session:
        layout = session.layout("案件")
    full = compute_sheet(grid, rows=rows, layout=layout, now=NOW_DEMO, repeat_refunders=False)
    alone = compute_sheet(grid, rows=rows, layout=layout, now=NOW_DEMO, repeat_refunders=False, outputs=False)
    assert alone.results == full.results and len(full.results) >= 15
    assert alone.summary.totals_rows == full.summary.totals_rows != []
    assert alone.cells == {} and full.cells


def test_run_on_a_sheet_read_whole_writes_what_the_long_way_writes(tmp_path, monkeypatch):
    """The long way: load_book (full layout, XML inflated again) and the merge computing every cell."""
    rows = sample_rows() + message_rows()
    for name, src in (("template", build_workbook(tmp_path / "t.xlsx", rows, approved=sample_approved())),
                      ("formulas", message_book(tmp_path / "x.xlsx", message_rows())),
                      ("plain", plain_book(tmp_path / "p.xlsx", rows))):
        got = {}
        for how in ("long", "short"):
            monkeypatch.undo()
            calls = []
            real = compute_module.compute_sheet
            monkeypatch.setattr(texts, "compute_sheet", lambda *a, **k: calls.append(k.get("outputs")) or real(*a, **k))
            if how == "long":
                monkeypatch.setattr(run_module, "load_book_whole", lambda session, loaded=None: load_book(session))
                monkeypatch.setattr(texts, "compute_sheet", lambda *a, **k: calls.append(True) or real(*a, **{
                    **k, "outputs": True}))
            files = tmp_path / "files"                    # the same folder: 发送记录 names it
            shutil.rmtree(files, ignore_errors=True)
            report = run_book(src, tmp_path / f"{name}_{how}.xlsx", now=NOW_DEMO, outbox_dir=files, workers=1)
            got[how] = (report, {f.name: members(f) if f.suffix == ".xlsx" else f.read_bytes()
                                 for f in sorted(files.iterdir())} if files.exists() else {})
            assert calls and all(c is (how == "long") for c in calls), (name, how, calls)
        assert compare_books(tmp_path / f"{name}_long.xlsx", tmp_path / f"{name}_short.xlsx",
                             ignore={"docProps/custom.xml": BOOK_ID}) == {}, name
        (a, fa), (b, fb) = got["long"], got["short"]
        assert a.texts == b.texts and a.summary.lines() == b.summary.lines()
        assert a.summary.cells_written == b.summary.cells_written
        strip = lambda fs: {n: ({k: v for k, v in m.items() if k != "docProps/core.xml"} if isinstance(m, dict) else m)
                            for n, m in fs.items()}                                      # noqa: E731
        assert strip(fa) == strip(fb)
        if name == "template":
            assert a.outbox.exported >= 3


def test_texts_and_run_on_a_small_sheet_read_each_sheet_once(tmp_path, monkeypatch):
    """The streamed attempt has read the settings, templates and log when it finds the sheet small; the
    fallback then reads only the case sheet (it read them all a second time before)."""
    from addin.workbook.files.session import Book
    src = build_workbook(tmp_path / "t.xlsx", sample_rows() + message_rows(), approved=sample_approved())
    real = Book.read
    for name, command in (("texts", lambda: generate_texts(src, tmp_path / "texts.xlsx", now=NOW_DEMO)),
                          ("run", lambda: run_book(src, tmp_path / "run.xlsx", now=NOW_DEMO,
                                                   outbox_dir=tmp_path / "files", workers=1))):
        read: list[str] = []
        monkeypatch.setattr(Book, "read", lambda self, names, **k: read.extend(names) or real(self, names, **k))
        command()
        assert read.count("案件") == 1 and "规则" in read, (name, read)
        assert len(read) == len(set(read)), (name, read)
