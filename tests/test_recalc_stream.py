"""recalc streams the case sheet in chunks (addin.workbook.commands.recalc_stream): the file written must not depend on
the chunk size or the number of workers, byte for byte, including the rules that look across rows
(COMP-TM's cap shared by a buyer's payments in two chunks; a 状态 column that is staff's own)."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from addin.demo import bulk_rows
from addin.workbook.commands import cores
from addin.workbook.files.xlsx_patch import col_letter
from addin.workbook.commands import recalc_stream as streamed
from addin.workbook.sheets.case_layout import case_columns
from addin.workbook.files.reader import read_workbook
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_columns import find_header_row
from tests.helpers.clock import NOW_RECALC
from tests.helpers.stream_books import full_layout_book
from tests.helpers.zips import CASE_PART, cells_xml, compare_books, member

TM_BUYER = "tb_同一买家"


def tm_row(i: int) -> dict:
    return dict(order_id=f"TM{i}", platform="天猫", reason="延迟发货", paid=900, buyer=TM_BUYER,
                paid_at=dt.datetime(2026, 9, 20, 10 + i))


def run(src: Path, out: Path, monkeypatch, *, chunk_bytes: int | None, workers: int = 1):
    monkeypatch.setattr(cores, "PARALLEL_MIN_ROWS", 10)      # workers even for these small sheets
    monkeypatch.setattr(streamed, "PARALLEL_MIN_BYTES", 0)
    chunks = []
    summary = recalc(src, out, now=NOW_RECALC, workers=workers, chunk_bytes=chunk_bytes,
                     progress=lambda done, total: chunks.append(done))
    return summary, len(chunks)


def comp_amounts(path: Path) -> list:
    grid = read_workbook(path, ["案件"])["案件"]
    header = find_header_row(grid)
    comp, order = header.column_of("comp_amount"), header.column_of("order_id")
    return [row[comp - 1] for row in grid if str(row[order - 1]).startswith("TM")]


@pytest.fixture
def book(tmp_path) -> Path:
    # One buyer's three Tmall payments: at the top, in the middle and at the bottom, so a chunk per row
    # splits them; 30 % of 900 each, one cap of 500 between them.
    rows = [tm_row(0)] + bulk_rows(150) + [tm_row(1)] + bulk_rows(150, seed=3) + [tm_row(2)]
    return full_layout_book(tmp_path / "src.xlsx", rows)


def test_chunked_and_unchunked_recalc_write_the_same_bytes(book, tmp_path, monkeypatch):
    whole, per_row, two = tmp_path / "whole.xlsx", tmp_path / "per_row.xlsx", tmp_path / "two.xlsx"
    s1, n1 = run(book, whole, monkeypatch, chunk_bytes=1 << 40)
    s2, n2 = run(book, per_row, monkeypatch, chunk_bytes=1)         # a chunk per row
    s3, n3 = run(book, two, monkeypatch, chunk_bytes=2000, workers=2)
    assert n1 <= 2 < n3 < n2                                        # the sheet was cut as asked
    assert n2 < 2 * 303                 # one pass: pass 0 found the buyer's three rows (no rerun needed)
    assert s1 == s2 == s3 and s1.rows == 303 and s1.totals_rows == [305]
    assert whole.read_bytes() == per_row.read_bytes() == two.read_bytes()
    assert comp_amounts(per_row) == [270.0, 230.0, 0.0]             # the cap merged across chunks
    warnings = [c.key for c in case_columns()].index("warnings") + 1
    assert s1.formulas_kept == [f"{col_letter(warnings)}4"]             # the formula typed into 提示 is kept


def test_recalc_again_in_chunks_changes_nothing(book, tmp_path, monkeypatch):
    first, again = tmp_path / "first.xlsx", tmp_path / "again.xlsx"
    run(book, first, monkeypatch, chunk_bytes=1)
    summary, _ = run(first, again, monkeypatch, chunk_bytes=1)
    assert summary.cells_written == 0
    assert first.read_bytes() == again.read_bytes()


def test_a_staff_status_column_seen_late_is_left_alone_in_every_chunk(tmp_path, monkeypatch):
    # Row 280's 状态 holds a word of staff's own: the column is theirs, which the chunks before it could
    # not know; it must be left alone in all of them, as in one pass.
    src = full_layout_book(tmp_path / "src.xlsx", bulk_rows(300), status={280: "跟进中"})
    whole, per_row = tmp_path / "whole.xlsx", tmp_path / "per_row.xlsx"
    s1, _ = run(src, whole, monkeypatch, chunk_bytes=1 << 40)
    s2, _ = run(src, per_row, monkeypatch, chunk_bytes=1, workers=2)
    assert s1 == s2 and s1.skipped_columns == ["状态"]
    assert whole.read_bytes() == per_row.read_bytes()
    old, new = member(src, CASE_PART), member(per_row, CASE_PART)
    assert old.count(b'<c r="E') == new.count(b'<c r="E')           # not one 状态 cell written


# --------------------------------------------------------------------------- streamed = whole

def rewrite_members(path: Path, change) -> Path:
    """The workbook with change(name, bytes) -> bytes applied to each member."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, change(info.filename, zf.read(info))) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            zf.writestr(info, data)
    return path


def prefixed_1904(name: str, data: bytes) -> bytes:
    """Sheet XML with an x: namespace prefix on every element; the workbook on the 1904 date system."""
    if name == "xl/worksheets/sheet1.xml":
        import re
        data = re.sub(rb"<(/?)(?![?x]:)([A-Za-z])", rb"<\1x:\2", data)
        return data.replace(b'xmlns="http://schemas', b'xmlns:x="http://schemas', 1)
    if name == "xl/workbook.xml":
        return data.replace(b"<x:workbookPr", b"<x:workbookPr date1904=\"1\"") if b"<x:workbookPr" in data \
            else data.replace(b"<workbookPr", b'<workbookPr date1904="1"')
    return data


@pytest.mark.parametrize("kind", ["xlsxwriter", "prefixed_1904"])
def test_the_streamed_recalc_writes_what_the_whole_sheet_recalc_writes(kind, tmp_path, monkeypatch):
    """The old path (the sheet read and patched whole, still used for rows without r="") and the streamed
    one write the same sheet XML and the same figures, on shared strings, formulas, a namespace prefix
    and the 1904 date system."""
    rows = [tm_row(0)] + bulk_rows(120) + [tm_row(1)]
    src = full_layout_book(tmp_path / "src.xlsx", rows)
    if kind == "prefixed_1904":
        rewrite_members(src, prefixed_1904)
    streamed_out, whole_out = tmp_path / "streamed.xlsx", tmp_path / "whole.xlsx"
    s1, chunks = run(src, streamed_out, monkeypatch, chunk_bytes=3000)
    assert chunks > 10 and (b"<x:row " in member(src, CASE_PART)) == (kind == "prefixed_1904")

    def not_streamable(*args, **kwargs):
        raise streamed.NotStreamable("forced")
    monkeypatch.setattr(streamed, "recalc_streamed", not_streamable)
    s2 = recalc(src, whole_out, now=NOW_RECALC, workers=1)
    assert s1 == s2 and s1.rows == 122
    assert compare_books(streamed_out, whole_out) == {}


def test_a_change_near_the_end_is_written_with_the_rows_before_it_as_they_were(book, tmp_path, monkeypatch):
    """After a recalc, one input near the bottom changes: the chunks before it are not rewritten but
    deflated as they were read, and the file equals the one-chunk run's."""
    first = tmp_path / "first.xlsx"
    run(book, first, monkeypatch, chunk_bytes=1)

    def last_tm_paid_800(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        i = data.rindex(b"<v>900</v>")
        return data[:i] + b"<v>800</v>" + data[i + len(b"<v>900</v>"):]
    rewrite_members(first, last_tm_paid_800)
    whole, per_row = tmp_path / "whole.xlsx", tmp_path / "per_row.xlsx"
    s1, _ = run(first, whole, monkeypatch, chunk_bytes=1 << 40)
    s2, _ = run(first, per_row, monkeypatch, chunk_bytes=1, workers=2)
    before, after = cells_xml(member(first, CASE_PART)), cells_xml(member(per_row, CASE_PART))
    assert s1 == s2 and s1.cells_written == len({ref for ref in after if after[ref] != before.get(ref)}) == 3
    assert whole.read_bytes() == per_row.read_bytes()
    assert comp_amounts(per_row) == [270.0, 230.0, 0.0]          # 30 % of 800 is 240: still capped at 500


def test_the_tmall_cap_is_right_even_when_pass_0_misses_the_rows(book, tmp_path, monkeypatch):
    """The check after the pass: should pass 0 not recognise a buyer's rows (a spelling only the full
    reading understands), the cap merged over what the chunks computed still decides, by a second pass."""
    whole, per_row = tmp_path / "whole.xlsx", tmp_path / "per_row.xlsx"
    run(book, whole, monkeypatch, chunk_bytes=1 << 40)
    monkeypatch.setattr(streamed._TmallIndex, "feed", lambda self, body, cells=None: {})
    _, calls = run(book, per_row, monkeypatch, chunk_bytes=1, workers=2)
    assert calls > 2 * 303                                           # it took the second pass
    assert whole.read_bytes() == per_row.read_bytes()
    assert comp_amounts(per_row) == [270.0, 230.0, 0.0]
