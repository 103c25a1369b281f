"""The big sheets' deflate (addin.workbook.files.xlsx_patch.fast_deflate): ISA-L where installed, zlib
without it (the browser). Either way a written book holds the same sheets, and its bytes depend only on
what was written, never on how the streamed sheet was cut into chunks (ISA-L's output alone would)."""
from __future__ import annotations

import random
import zlib

import pytest

from addin.demo import bulk_rows
from addin.workbook.commands import cores
from addin.workbook.commands import recalc_stream as streamed
from addin.workbook.commands.recalc import recalc
from addin.workbook.files.xlsx_patch import fast_deflate, zipcopy
from tests.helpers.clock import NOW_RECALC
from tests.helpers.stream_books import full_layout_book
from tests.helpers.zips import compare_books, members


def sheet_like(size: int) -> bytes:
    rng = random.Random(7)
    rows = []
    while sum(map(len, rows)) < size:
        r = len(rows) + 1
        rows.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>订单{rng.randrange(10**9)}</t></is></c>'
                    f'<c r="B{r}"><v>{rng.random() * 1000:.2f}</v></c></row>'.encode())
    return b"".join(rows)


def deflated(data: bytes, cuts: list[int]) -> tuple[bytes, int, int]:
    d = zipcopy.Deflater(fast_deflate.FAST_LEVEL)
    for a, b in zip([0] + cuts, cuts + [len(data)]):
        d.write(data[a:b])
    return d.finish(), d.crc, d.size


@pytest.mark.parametrize("engine", ["isal", "zlib"])
def test_the_deflated_bytes_follow_the_bytes_written_not_their_pieces(engine, monkeypatch):
    if engine == "zlib":
        monkeypatch.setattr(fast_deflate, "isal_zlib", None)
    monkeypatch.setattr(zipcopy.Deflater, "BLOCK", 50_000)
    data = sheet_like(400_000)
    rng = random.Random(1)
    cutting = [[], sorted(rng.sample(range(1, len(data)), 40)), list(range(7_000, len(data), 7_000)),
               list(range(50_000, len(data), 50_000))]
    outs = {deflated(data, cuts) for cuts in cutting}
    assert len(outs) == 1
    (out, crc, size), = outs
    assert zlib.decompressobj(-15).decompress(out) == data and crc == zlib.crc32(data) and size == len(data)


def test_isal_deflates_the_fast_level_where_it_is_installed():
    # A dependency of the package (pyproject.toml) wherever it has a wheel; without it the zlib path runs.
    assert fast_deflate.isal_zlib is not None
    assert type(fast_deflate.compressobj(fast_deflate.FAST_LEVEL)).__module__.startswith("isal")
    assert type(fast_deflate.compressobj(6)) is type(zlib.compressobj(6))    # small members: as before


def test_a_streamed_recalc_writes_the_same_book_with_isal_or_zlib_and_any_chunking(tmp_path, monkeypatch):
    src = full_layout_book(tmp_path / "src.xlsx", bulk_rows(300) + bulk_rows(200, seed=5))
    monkeypatch.setattr(cores, "PARALLEL_MIN_ROWS", 10)
    monkeypatch.setattr(streamed, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(zipcopy.Deflater, "BLOCK", 20_000)        # many blocks on a small sheet
    books = {}
    for engine in ("isal", "zlib"):
        if engine == "zlib":
            monkeypatch.setattr(fast_deflate, "isal_zlib", None)
        for chunk_bytes, workers in ((1 << 40, 1), (1, 1), (3_000, 2)):
            out = tmp_path / f"{engine}_{chunk_bytes}_{workers}.xlsx"
            recalc(src, out, now=NOW_RECALC, workers=workers, chunk_bytes=chunk_bytes)
            books[out] = out.read_bytes()
    by_engine = {e: {v for k, v in books.items() if k.name.startswith(e)} for e in ("isal", "zlib")}
    assert len(by_engine["isal"]) == 1 and len(by_engine["zlib"]) == 1    # bytes: the chunking never shows
    assert by_engine["isal"] != by_engine["zlib"]                          # two compressors ...
    first, *others = books
    for other in others:                                                    # ... the same book
        assert compare_books(members(first), members(other)) == {}, other.name
