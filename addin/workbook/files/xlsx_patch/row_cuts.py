"""Whole <row> elements cut out of a chunk of sheet XML (a chunk holds whole rows and nothing else), spliced
back, and packed for calamine: the streamed texts reads a chunk's message rows alone, recalc's Tmall
pre-pass a buyer's payments (addin.workbook.commands.message_scan, recalc_stream)."""
from __future__ import annotations

import re
from dataclasses import dataclass


def cut_rows(chunk, rows: list[int], prefix: bytes) -> bytes:
    """The <row> elements of `rows` (ascending, all in `chunk`), cut from the chunk's XML: a chunk holds
    whole <row> elements and nothing else, so a row runs from its start to the next row's start."""
    if len(rows) == len(chunk.rows):
        return chunk.xml
    body = chunk.xml
    return b"".join([body[a:b] for a, b in row_spans(body, rows, prefix)])


def row_spans(body: bytes, rows: list[int], prefix: bytes) -> list[tuple[int, int]]:
    """Where each of `rows` (ascending, all in `body`, whole <row> elements) starts and ends in `body`."""
    opener = b"<" + prefix + b'row r="'
    spans = []
    at = 0
    for r in rows:                  # ascending: each row is looked for after the one before
        start = body.find(b"%s%d\"" % (opener, r), at)
        if start < 0:
            raise ValueError(f"row {r} is not in the chunk")
        end = body.find(opener, start + 1)
        at = end = end if end >= 0 else len(body)
        spans.append((start, end))
    return spans


def splice_rows(body: bytes, spans: list[tuple[int, int]], new: bytes, prefix: bytes) -> bytes:
    """`body` with the rows at `spans` replaced by those of `new` (as many <row> elements, in order)."""
    opener = b"<" + prefix + b'row r="'
    out, last, pos = [], 0, 0
    for k, (a, b) in enumerate(spans):
        nxt = new.find(opener, pos + 1) if k + 1 < len(spans) else len(new)
        out += (body[last:a], new[pos:nxt])
        pos, last = nxt, b
    out.append(body[last:])
    return b"".join(out)


@dataclass
class PackedRows:
    """Some rows of a chunk (`rows`, ascending) cut out as <row> elements numbered first, first + 1, ...
    in `xml` (pack_rows): calamine builds a dense grid from the first row it reads to the last, so rows
    read apart (a chunk's message rows, a buyer's Tmall payments) would cost it every row between them."""
    rows: list[int]
    xml: bytes
    first: int

    def read(self, reader) -> "PackedView":
        return PackedView(self.rows, reader.read(self.xml, self.first))


class PackedView:
    """The cells of PackedRows as read, indexed as the whole grid would be (grid[r - 1] is row r)."""
    __slots__ = ("at", "grid")

    def __init__(self, rows: list[int], grid: list):
        self.at, self.grid = {r: i for i, r in enumerate(rows)}, grid

    def __getitem__(self, i: int) -> list:
        k = self.at.get(i + 1)
        return self.grid[k] if k is not None and k < len(self.grid) else []

    def __len__(self) -> int:
        return max(self.at, default=0)


def pack_rows(chunk, rows: list[int], prefix: bytes, spans: list[tuple[int, int]] | None = None) -> PackedRows:
    """The <row> elements of `rows` (ascending, all in `chunk`; `spans`: theirs, when known) as PackedRows:
    cut as they are when they follow one another, else renumbered 1, 2, ... (renumbered)."""
    body = chunk.xml
    if not rows or rows[-1] - rows[0] + 1 == len(rows):
        xml = b"".join([body[a:b] for a, b in spans]) if spans is not None else cut_rows(chunk, rows, prefix)
        return PackedRows(rows, xml, rows[0] if rows else 1)
    spans = spans if spans is not None else row_spans(body, rows, prefix)
    return PackedRows(rows, renumbered([(r, body[a:b]) for r, (a, b) in zip(rows, spans)], prefix), 1)


def renumbered(pieces: list[tuple[int, bytes]], prefix: bytes) -> bytes:
    """The <row> elements of `pieces` ((row number, its XML), each a whole row) numbered 1, 2, ..., their
    cells' references with them. A row whose number ends only its own reference and its cells' (every
    cell with r="..." first, nothing else ending so) is renumbered by one replace; any other by a regex
    over its tags' r attributes. A cell whose reference names another row is an invalid file, read
    streamed as cut_rows reads it (the row it names), not renumbered."""
    opener, cell = b"<" + prefix + b'row r="', b"<" + prefix + b'c r="'
    out = []
    for i, (r, xml) in enumerate(pieces, start=1):
        old, new = b'%d"' % r, b'%d"' % i
        if xml.startswith(opener + old) and xml.count(old) == xml.count(cell) + 1:
            out.append(xml.replace(old, new))
        else:
            out.append(_renumber_tags(xml, r, i, prefix))
    return b"".join(out)


_REF_ATTR: dict[bytes, re.Pattern] = {}


def _renumber_tags(xml: bytes, old: int, new: int, prefix: bytes) -> bytes:
    pattern = _REF_ATTR.get(prefix)
    if pattern is None:
        p = re.escape(prefix)
        pattern = _REF_ATTR[prefix] = re.compile(rb'(<' + p + rb'(?:row|c)(?=\s)[^>]*?\sr=")([A-Z]{0,3})([0-9]+)"')
    number = b"%d" % old

    def renumber(m: re.Match) -> bytes:
        return m.group(0) if m.group(3) != number else b'%s%s%d"' % (m.group(1), m.group(2), new)
    return pattern.sub(renumber, xml)
