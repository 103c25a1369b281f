"""The shortcuts of the streamed texts (docs/dev/speed.md, "texts streamed: pass 0 and the reading cut
down"), each against the long way on a real file: pass 0 scans a chunk's cells for the layout only where
a formula is when no column is to be placed (FormulaScan); rows read apart are read renumbered
(pack_rows, renumbered), also a buyer's Tmall payments in the COMP-TM pre-pass; the one pass takes pass
0's kept chunks and reads the rest from where pass 0 stood (PassRecord, Inflater.copy); SheetStream.chunks
searches for the sheet's end once; MessageScan's r="..." check is one regex."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from addin.demo import bulk_rows
from addin.workbook.commands import message_scan
from addin.workbook.commands import recalc_stream as streamed
from addin.workbook.commands import texts_stream
from addin.workbook.commands.recalc import recalc
from addin.workbook.commands.texts import load_book
from addin.workbook.files.reader import RowsReader
from addin.workbook.files.session import open_book
from addin.workbook.files.xlsx_patch import PatchError
from addin.workbook.files.xlsx_patch import scan as layout_scan
from addin.workbook.files.xlsx_patch import row_cuts
from addin.workbook.files.xlsx_patch import stream as sheet_stream
from addin.workbook.files.xlsx_patch.stream import Inflater, SheetStream
from addin.workbook.sheets.case_layout import case_columns
from tests.helpers.books import case_records
from tests.helpers.clock import NOW_DEMO
from tests.helpers.stream_books import SMS, message_book, message_rows
from tests.helpers.texts_runs import streamed_texts, whole_texts
from tests.helpers.zips import compare_books

SHEET = "xl/worksheets/sheet1.xml"


def same_as_whole(tmp_path: Path, src: Path, monkeypatch, before=list, **kw) -> dict:
    whole = whole_texts(src, tmp_path / "whole.xlsx")
    before()
    summary = streamed_texts(src, tmp_path / "stream.xlsx", monkeypatch, **kw)
    assert compare_books(tmp_path / "whole.xlsx", tmp_path / "stream.xlsx") == {}
    assert summary == whole
    return summary


def chunks_of(src: Path, chunk_bytes: int) -> list:
    return list(SheetStream(src.read_bytes(), zipfile.ZipFile(src).getinfo(SHEET), chunk_bytes).chunks())


# --- pass 0's layout: formulas only, when nothing is to be placed ---------------------------------------

def test_pass_0_scans_only_the_chunks_with_a_formula_when_the_header_has_every_column(tmp_path, monkeypatch):
    """message_book has a formula in a text column (row 4), in 错误 (row 5) and a SUM in the 合计 row: the
    chunks holding them are scanned in full, the others are not, and the book is what the whole grid
    writes (those cells left alone). A sheet lacking a text column scans every chunk (where to put it)."""
    scanned = []
    real = layout_scan._scan_fast
    monkeypatch.setattr(layout_scan, "_scan_fast", lambda body, *a: scanned.append(body) or real(body, *a))
    summary = same_as_whole(tmp_path, message_book(tmp_path / "src.xlsx", message_rows()), monkeypatch,
                            before=scanned.clear, workers=1)
    assert summary["formulas_kept"] >= 1
    chunks = chunks_of(tmp_path / "src.xlsx", 3000)
    with_formula = [c for c in chunks if b"<f>" in c.xml or b"<f " in c.xml]
    assert 0 < len(with_formula) < len(chunks)
    assert len(scanned) == len(with_formula) and all(b"<f" in body for body in scanned)

    keys = [c.key for c in case_columns() if c.key not in ("sms_reasons", "reply_text")]
    rows = [{k: v for k, v in row.items() if k in keys} for row in message_rows()]
    same_as_whole(tmp_path, message_book(tmp_path / "lacking.xlsx", rows, keys=keys), monkeypatch,
                  before=scanned.clear, workers=1)
    assert len(scanned) >= len(chunks)              # every chunk: the new columns go right of all in use


# --- rows read apart, renumbered ------------------------------------------------------------------------

def test_rows_read_apart_read_as_the_whole_chunk_reads_them(tmp_path):
    """pack_rows on a real sheet: every other row and a few more, read renumbered, give each row the
    cells that reading the whole chunk gives it. A row whose number also ends a style or a text (row
    12: s="12", a cell reading 12") is renumbered by the regex, most rows by one replace."""
    src = message_book(tmp_path / "src.xlsx", message_rows())
    data = src.read_bytes()
    info = zipfile.ZipFile(src).getinfo(SHEET)
    stream = SheetStream(data, info, 1 << 30)
    [chunk] = list(stream.chunks())
    p = stream.prefix
    row12 = chunk.xml.index(b'<row r="12"')
    cell = chunk.xml.index(b"<c r=", row12)
    odd = b'<c r="ZZ12" s="12" t="inlineStr"><is><t>12"</t></is></c>'
    end = chunk.xml.index(b"</row>", row12)
    xml = chunk.xml[:end] + odd + chunk.xml[end:]
    chunk = sheet_stream.RowChunk(chunk.rows, xml)
    zf = zipfile.ZipFile(src)
    reader = RowsReader(stream.root_tag, p, zf.read("xl/styles.xml"), False, zf.read("xl/sharedStrings.xml"))
    whole = streamed.RowsView(chunk.rows[0], reader.read(chunk.xml, chunk.rows[0]))
    rows = sorted({r for r in chunk.rows if r % 2 == 0} | {3, 5, 12, chunk.rows[-1]})
    slow = []
    real = row_cuts._renumber_tags
    row_cuts._renumber_tags = lambda x, old, *a: slow.append(old) or real(x, old, *a)
    try:
        packed = row_cuts.pack_rows(chunk, rows, p)
    finally:
        row_cuts._renumber_tags = real
    assert packed.first == 1 and 12 in slow and len(slow) < len(rows) // 4 and cell > row12
    view = packed.read(reader)
    assert [view[r - 1] for r in rows] == [long_way(reader, chunk, rows, p)[r - 1] for r in rows]
    assert [view[r - 1] for r in rows] == [whole[r - 1] for r in rows]   # as wide: row 12's odd cell
    assert view[11][-1] == '12"'                    # the odd cell itself, read in its place
    consecutive = list(range(20, 40))
    packed = row_cuts.pack_rows(chunk, consecutive, p)
    assert packed.first == 20 and [packed.read(reader)[r - 1] for r in consecutive] == \
        [long_way(reader, chunk, consecutive, p)[r - 1] for r in consecutive]


def long_way(reader, chunk, rows: list[int], prefix: bytes):
    """The rows cut as they are and read from the first one on (calamine fills the rows between)."""
    return streamed.RowsView(rows[0], reader.read(row_cuts.cut_rows(chunk, rows, prefix), rows[0]))


def payments_far_apart() -> list[dict]:
    """A buyer's two Tmall payments 5 h apart and 120 rows apart (chunks apart at 3,000 bytes): 1,500 with
    no message, then 1,000 with an SMS printing the compensation; one cap of 500 over both (30 % each):
    the SMS says 50.00, not the 300.00 of the second payment alone."""
    paid_at = dt.datetime(2026, 11, 20, 10, 0)
    return bulk_rows(5) + [dict(SMS, order_id="T1", paid=1500, buyer="tm_老王", paid_at=paid_at)] + bulk_rows(120) \
        + [dict(SMS, order_id="T2", paid=1000, buyer="tm_老王", paid_at=paid_at + dt.timedelta(hours=5),
                phone="13800138002", sms_kind="发货延迟通知")] + bulk_rows(30)


def test_a_buyers_tmall_payments_read_apart_share_the_cap_as_in_the_whole_grid(tmp_path, monkeypatch):
    """The COMP-TM pre-pass reads a buyer's payments renumbered (they lie far apart): texts streamed and
    recalc streamed write what the whole grid writes, with the cap merged over both payments."""
    src = message_book(tmp_path / "src.xlsx", payments_far_apart())
    read = []
    real = row_cuts.renumbered
    monkeypatch.setattr(streamed, "renumbered", lambda pieces, p: read.append([r for r, _ in pieces]) or real(pieces, p))
    same_as_whole(tmp_path, src, monkeypatch, workers=1)      # one process: the readings are seen here
    assert any({7, 128} <= set(rows) for rows in read)         # both payments, read together
    sms = next(r["短信内容"] for r in case_records(tmp_path / "stream.xlsx") if r["订单号"] == "T2")
    assert "补偿50.00元" in sms

    read.clear()
    recalc(src, tmp_path / "recalc_stream.xlsx", now=NOW_DEMO, workers=1, chunk_bytes=3000)
    assert any({7, 128} <= set(rows) for rows in read)

    def not_streamable(*args, **kwargs):
        raise streamed.NotStreamable("the sheet read whole")
    monkeypatch.setattr(streamed, "recalc_streamed", not_streamable)
    recalc(src, tmp_path / "recalc_whole.xlsx", now=NOW_DEMO, workers=1)
    assert compare_books(tmp_path / "recalc_whole.xlsx", tmp_path / "recalc_stream.xlsx") == {}


# --- the one pass reads pass 0's chunks ------------------------------------------------------------------

@pytest.mark.parametrize("hold", [0, 7000, 1 << 30])
def test_the_one_pass_takes_pass_0s_chunks_and_reads_on_where_it_stood(tmp_path, monkeypatch, hold):
    """Pass 0 keeps its first chunks (up to texts_stream.HOLD_BYTES of XML) and where the stream stood
    after them: the one pass reads none of the sheet's row ends again, whatever is kept (nothing, some
    chunks, all), and writes what the whole grid writes; with staff's own 状态 column too (two passes)."""
    monkeypatch.setattr(texts_stream, "HOLD_BYTES", hold)
    src = message_book(tmp_path / "src.xlsx", message_rows())
    n = len(chunks_of(src, 3000))
    passes, resumed = [], []

    def counted(method, into):
        def wrapper(self, *a):
            into.append(0)
            for chunk in method(self, *a):
                into[-1] += 1
                yield chunk
        return wrapper
    monkeypatch.setattr(SheetStream, "chunks", counted(SheetStream.chunks, passes))
    monkeypatch.setattr(SheetStream, "cut_as", counted(SheetStream.cut_as, resumed))
    same_as_whole(tmp_path, src, monkeypatch, before=passes.clear, workers=1)
    assert passes.count(n) == 1 and max(c for c in passes if c != n) < n // 2    # one whole cut: pass 0's
    if hold == 0:
        assert resumed == [n]                     # nothing kept: every chunk read on from after the head
    elif hold == 7000:
        assert resumed and 0 < resumed[0] < n     # the first chunks kept, the rest read on
    else:
        assert resumed == []                      # every chunk kept

    staff = message_book(tmp_path / "staff.xlsx", message_rows(), status={90: "我自己的状态"})
    same_as_whole(tmp_path, staff, monkeypatch)
    assert [r["状态"] for r in case_records(tmp_path / "stream.xlsx")][88] == "我自己的状态"


def test_an_inflater_copied_midway_reads_on_as_the_original(tmp_path):
    """Inflater (inflate_pieces): its pieces make the member, deflated or stored; a copy taken between
    pieces reads the same rest; a damaged member is an error at the end, as before."""
    src = message_book(tmp_path / "src.xlsx", message_rows() * 3)
    data = src.read_bytes()
    info = zipfile.ZipFile(src).getinfo(SHEET)
    member = zipfile.ZipFile(src).read(SHEET)
    pieces = Inflater(data, info, piece=4096)
    head = [next(pieces) for _ in range(3)]
    twin = pieces.copy()
    rest = list(pieces)
    assert b"".join(head + rest) == member and len(rest) > 3
    assert list(twin) == rest

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(SHEET, member)
    stored = buf.getvalue()
    assert b"".join(Inflater(stored, zipfile.ZipFile(io.BytesIO(stored)).getinfo(SHEET), piece=5000)) == member

    bad = zipfile.ZipFile(io.BytesIO(stored)).getinfo(SHEET)
    bad.CRC ^= 1
    with pytest.raises(PatchError, match="damaged"):
        list(Inflater(stored, bad, piece=5000))


@pytest.mark.parametrize("piece", [7, 64, 1000])
def test_chunks_cut_alike_whatever_the_inflated_pieces(tmp_path, monkeypatch, piece):
    """SheetStream.chunks looks for </sheetData> only in what it has not searched yet: with small
    inflated pieces the end tag straddles their joins, and the chunks and the tail are still the sheet's."""
    src = message_book(tmp_path / "src.xlsx", message_rows())
    data, info = src.read_bytes(), zipfile.ZipFile(src).getinfo(SHEET)
    member = zipfile.ZipFile(src).read(SHEET)
    real = sheet_stream.inflate_pieces
    for chunk_bytes in (1, 3000, 1 << 30):
        expected = [c.rows for c in SheetStream(data, info, chunk_bytes).chunks()]
        monkeypatch.setattr(sheet_stream, "inflate_pieces", lambda d, i: real(d, i, piece))
        stream = SheetStream(data, info, chunk_bytes)
        chunks = list(stream.chunks())
        monkeypatch.setattr(sheet_stream, "inflate_pieces", real)
        assert [c.rows for c in chunks] == expected
        assert stream.head + b"".join(c.xml for c in chunks) + stream.tail == member
        assert stream.tail.startswith(b"</sheetData>")


def test_a_chunk_with_a_cell_not_placed_by_r_lists_every_row(tmp_path):
    """MessageScan's check that every cell starts with r="..." (one regex): a chunk with one that does
    not is listed whole, its 状态 taken for staff's own (the passes then read every row as the long way
    would); a chunk whose cells are all placed lists its message rows only."""
    src = message_book(tmp_path / "src.xlsx", message_rows())
    [chunk] = chunks_of(src, 1 << 30)
    with open_book(src, tmp_path / "x.xlsx", command="texts") as session:
        book = load_book(session)
        header = streamed.open_stream(session, book.case, book.settings, 1, 1 << 30).header
    scan = message_scan.MessageScan(header, b"", None)
    listed, staff = scan.feed(chunk)
    assert 0 < len(listed) < len(chunk.rows) - 1 and not staff
    at = chunk.xml.index(b'<c r="B40"')
    odd = sheet_stream.RowChunk(chunk.rows, chunk.xml[:at] + b'<c s="0"/>' + chunk.xml[at:])
    listed, staff = scan.feed(odd)
    assert listed == [r for r in chunk.rows if r > header.row] and staff
