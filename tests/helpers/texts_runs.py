"""`aftersales texts` run two ways on a test book: the case grid read whole (as before streaming, and as the
buttons do) and streamed, forced however small the sheet; shared by the streamed texts' tests."""
from __future__ import annotations

from pathlib import Path

from addin.workbook.commands import cores
from addin.workbook.commands import recalc_stream as streamed
from addin.workbook.commands import texts, texts_stream
from addin.workbook.commands.texts import generate_texts, load_book
from addin.workbook.files.session import open_book
from tests.helpers.clock import NOW_DEMO


def whole_texts(src: Path, out: Path) -> dict:
    """texts as it was before streaming: the case grid read whole, compute_texts, one patch."""
    with open_book(src, out, command="texts") as session:
        book = load_book(session)
        result = book.texts(NOW_DEMO)
        session.patch(book.edits(result))
    return result.summary


def streamed_texts(src: Path, out: Path, monkeypatch, *, chunk_bytes: int = 3000, workers: int = 2) -> dict:
    """texts on the streamed path (asserted taken), with `chunk_bytes` chunks and `workers` processes."""
    monkeypatch.setattr(cores, "PARALLEL_MIN_ROWS", 2)          # workers even for these small sheets
    monkeypatch.setattr(streamed, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(streamed, "CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(streamed, "TEXTS_STREAM_MIN_BYTES", 0)    # streamed however small the sheet
    monkeypatch.setattr(texts, "default_workers", lambda _=None: workers)
    calls = []
    real = texts_stream.texts_streamed
    monkeypatch.setattr(texts_stream, "texts_streamed", lambda *a, **k: calls.append(1) or real(*a, **k))
    summary = generate_texts(src, out, now=NOW_DEMO)
    assert calls, "the streamed path was not taken"
    return summary
