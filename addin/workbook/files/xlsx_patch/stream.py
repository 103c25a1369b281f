"""A worksheet part as a stream: inflated piece by piece and cut into chunks of whole rows.

Memory is bounded by the chunk, not the sheet: a 1,048,576-row sheet is ~1 GB of XML, its zip member
a tenth of that. The head (everything up to `<sheetData>`) and the tail (from `</sheetData>`: merged
cells, conditional formats...) are kept whole; they are small next to the rows.
"""
from __future__ import annotations

import collections
import copy
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from . import fast_deflate
from .edits import PatchError, UnsupportedWorkbook
from .xmlbytes import get_attr, root_prefix, xml_unescape

PIECE = 1 << 20              # inflate this much at a time
_ROW_R_RE_CACHE: dict[bytes, re.Pattern] = {}


class NotStreamable(PatchError):
    """The sheet's rows cannot be cut safely (rows without r="", an empty <sheetData/>): process it whole."""


def member_bytes(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """The stored (compressed) bytes of zip member `info` inside the package `data`, without copying."""
    if info.flag_bits & 0x1:
        raise UnsupportedWorkbook(f"zip member {info.filename!r} is encrypted")
    start = info.header_offset
    if data[start:start + 4] != b"PK\x03\x04":
        raise PatchError(f"bad local header for zip member {info.filename!r}")
    name_len, extra_len = struct.unpack_from("<HH", data, start + 26)
    begin = start + 30 + name_len + extra_len
    return memoryview(data)[begin:begin + info.compress_size]


def inflate_pieces(data: bytes, info: zipfile.ZipInfo, piece: int = PIECE) -> Iterator[bytes]:
    """The member's uncompressed bytes, about `piece` at a time, CRC-checked at the end."""
    return Inflater(data, info, piece)


class Inflater:
    """inflate_pieces' iterator, whose place can be copied (`copy`: zlib's decompressor with it), so a
    later pass can carry on from where an earlier one stopped keeping what it read (SheetStream.copy)."""

    def __init__(self, data: bytes, info: zipfile.ZipInfo, piece: int = PIECE):
        self.raw, self.info, self.piece = member_bytes(data, info), info, piece
        self.crc = self.size = self.pos = 0
        self.ended = False
        if info.compress_type == zipfile.ZIP_STORED:
            self.z = None
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            self.z = zlib.decompressobj(-15)
        else:
            raise UnsupportedWorkbook(f"zip member {info.filename!r} uses compression method {info.compress_type}")

    def __iter__(self) -> "Inflater":
        return self

    def copy(self) -> "Inflater":
        twin = copy.copy(self)
        twin.z = self.z.copy() if self.z is not None else None
        return twin

    def __next__(self) -> bytes:
        while not self.ended:
            out, last = self._step()
            if out:
                self.crc, self.size = zlib.crc32(out, self.crc), self.size + len(out)
            if last:
                self.ended = True
                if (self.crc, self.size) != (self.info.CRC, self.info.file_size):
                    raise PatchError(f"zip member {self.info.filename!r} is damaged (bad CRC or size)")
            if out:
                return out
        raise StopIteration

    def _step(self) -> tuple[bytes, bool]:
        """The next bytes (maybe none), and whether they are the last."""
        raw, piece, z = self.raw, self.piece, self.z
        if z is None:
            if self.pos >= len(raw):
                return b"", True
            self.pos += piece
            return bytes(raw[self.pos - piece:self.pos]), False
        try:
            if not z.eof and (self.pos < len(raw) or z.unconsumed_tail):
                src = z.unconsumed_tail or raw[self.pos:self.pos + piece]
                if not z.unconsumed_tail:
                    self.pos += piece
                return z.decompress(src, piece), False
            return z.flush(), True
        except zlib.error as e:
            raise PatchError(f"zip member {self.info.filename!r} is damaged: {e}") from None


def rows_upto(xml: bytes, prefix: bytes, last: int) -> bytes:
    """The leading <row> elements of `xml` whose number is at most `last`."""
    for m in re.finditer(rb"<" + re.escape(prefix) + rb'row r="([0-9]+)"', xml):
        if int(m.group(1)) > last:
            return xml[:m.start()]
    return xml


@dataclass
class RowChunk:
    rows: list[int]           # the row numbers of its <row> elements, ascending
    xml: bytes                # whole <row> elements, nothing else


class SheetStream:
    """head, then :meth:`chunks`, then tail. `chunk_bytes`: cut after the first row that ends past this
    many bytes (1 = a chunk per row; the cuts never change what is written)."""

    def __init__(self, data: bytes, info: zipfile.ZipInfo, chunk_bytes: int):
        self.chunk_bytes = max(1, chunk_bytes)
        self._pieces = inflate_pieces(data, info)
        self._buf = b""
        self.head = self._read_head()
        self.prefix = prefix = root_prefix(self.head, b"worksheet")
        m = re.search(rb"<" + re.escape(prefix) + rb"worksheet(?=[\s>])[^>]*>", self.head)
        self.root_tag = m.group(0)              # with its namespace declarations
        self.tail = b""
        self._row_close = b"</" + prefix + b"row>"
        self._sheet_close = b"</" + prefix + b"sheetData>"
        self.last_row = 0

    def _more(self) -> bool:
        piece = next(self._pieces, None)
        if piece is None:
            return False
        self._buf += piece
        return True

    def _read_head(self) -> bytes:
        opener = re.compile(rb"<(?:[\w.-]+:)?sheetData(?=[\s/>])[^>]*?(/?)>")
        while True:
            m = opener.search(self._buf)
            if m is not None:
                if m.group(1):
                    raise NotStreamable("empty <sheetData/>")
                head, self._buf = self._buf[:m.end()], self._buf[m.end():]
                return head
            if not self._more():
                raise PatchError("the sheet has no <sheetData>")

    def chunks(self) -> Iterator[RowChunk]:
        close, end_tag = self._row_close, self._sheet_close
        seen = 0                    # the buffer up to here holds no end tag: not searched again
        while True:
            stop = self._buf.find(end_tag, seen)
            limit = stop if stop >= 0 else len(self._buf)
            cut = self._buf.find(close, max(0, self.chunk_bytes - len(close)), limit)
            if cut >= 0 and cut + len(close) < limit:
                cut += len(close)
                body, self._buf = self._buf[:cut], self._buf[cut:]
                seen = 0
                yield self._chunk(body)
                continue
            if stop >= 0:
                body, self._buf = self._buf[:stop], self._buf[stop:]
                if body.strip():
                    yield self._chunk(body)
                while self._more():
                    pass
                self.tail, self._buf = self._buf, b""
                return
            seen = max(0, len(self._buf) - len(end_tag) + 1)
            if not self._more():
                raise PatchError("unterminated <sheetData>")

    def copy(self) -> "SheetStream":
        """This stream from where it stands, to be read on apart (between chunks: chunks() keeps its place
        in the stream's own fields)."""
        twin = copy.copy(self)
        twin._pieces = self._pieces.copy()
        return twin

    def cut_as(self, cuts: list) -> Iterator[RowChunk]:
        """What chunks() gives from where the stream stands, on a member whose chunks() an earlier pass cut
        into `cuts` ((length of its XML, its rows) per chunk, as PassRecord keeps them): the same chunks,
        without looking for the row ends or reading the row numbers again (the earlier pass checked them)."""
        for length, rows in cuts:
            while len(self._buf) < length:
                if not self._more():
                    raise PatchError("the sheet is shorter than the pass before read it")
            body, self._buf = self._buf[:length], self._buf[length:]
            if rows:
                self.last_row = rows[-1]
            yield RowChunk(rows, body)
        while (stop := self._buf.find(self._sheet_close)) < 0:     # chunks() drops blanks before it
            if not self._more():
                raise PatchError("unterminated <sheetData>")
        while self._more():
            pass
        self.tail, self._buf = self._buf[stop:], b""

    def _chunk(self, body: bytes) -> RowChunk:
        p = self.prefix
        pattern = _ROW_R_RE_CACHE.get(p)
        if pattern is None:
            pattern = _ROW_R_RE_CACHE[p] = re.compile(rb"<" + re.escape(p) + rb'row r="([0-9]+)"')
        rows = [int(r) for r in pattern.findall(body)]
        # Every row must carry r="..." first (Excel, LibreOffice, openpyxl, XlsxWriter all write it so).
        if len(rows) != len(re.findall(rb"<" + re.escape(p) + rb"row(?=[\s/>])", body)):
            raise NotStreamable("rows without r=")
        if rows and (rows[0] <= self.last_row or any(a >= b for a, b in zip(rows, rows[1:]))):
            raise PatchError(f"rows are not in ascending order near row {rows[0]}")
        if rows:
            self.last_row = rows[-1]
        return RowChunk(rows, body)


class PassRecord:
    """What a pass over a sheet's chunks (`record`) keeps for a second pass over the same sheet (`replay`):
    the first chunks themselves, up to `budget` bytes of XML, then where the stream stood after them (a
    copy, its inflater with it) and the (length, rows) of every later chunk, so the second pass neither
    inflates the kept part again nor looks for the row ends anywhere (SheetStream.cut_as)."""

    def __init__(self, budget: int):
        self.room = budget
        self.held: collections.deque[RowChunk] = collections.deque()
        self.resume: "SheetStream | None" = None
        self.cuts: list = []

    def record(self, stream: "SheetStream") -> Iterator[RowChunk]:
        """stream.chunks(), recorded as they come."""
        chunks = stream.chunks()
        while True:
            at = stream.copy() if self.resume is None else None
            chunk = next(chunks, None)
            if chunk is None:
                return
            if self.resume is None and len(chunk.xml) <= self.room:
                self.held.append(chunk)
                self.room -= len(chunk.xml)
            else:
                if self.resume is None:
                    self.resume = at
                rows = chunk.rows       # a run of consecutive rows kept as a range (a few bytes, not a list)
                compact = range(rows[0], rows[-1] + 1) if rows and rows[-1] - rows[0] + 1 == len(rows) else rows
                self.cuts.append((len(chunk.xml), compact))
            yield chunk

    def replay(self) -> Iterator[RowChunk]:
        """The recorded pass's chunks again (each kept chunk let go as it is handed over)."""
        while self.held:
            yield self.held.popleft()
        if self.resume is not None:
            yield from self.resume.cut_as(self.cuts)


# --------------------------------------------------------------------------- writing

STREAM_LEVEL = fast_deflate.FAST_LEVEL   # deflate level of a streamed sheet: ISA-L's (fast_deflate) or zlib's 1


class SheetWriter:
    """Deflates a rewritten sheet as its pieces come (on a worker thread: zlib releases the GIL) and
    puts the head in front at the end, so the head's <dimension> can be settled after the last row.

    The head is deflated on its own and sync-flushed (byte-aligned, not final), then the body's stream
    follows: two deflate streams joined that way are one valid stream (as pigz joins its blocks), and
    the CRC of the whole is combined from the two. The output depends only on the bytes written, never
    on how they were cut into pieces."""

    def __init__(self, level: int = STREAM_LEVEL):
        from .zipcopy import Deflater
        self.level = level
        self._spill = tempfile.TemporaryFile(prefix="aftersales-sheet-")
        self._body = Deflater(level, spill=self._spill)

    def write(self, piece: bytes) -> None:
        self._body.write(piece)

    def finish(self, head: bytes) -> tuple["Spilled", int, int]:
        """(deflated member, CRC-32, size) of head + everything written. The body's deflated bytes wait
        in a temp file (a full sheet's member is a few hundred MB), so memory follows the chunk."""
        self._body.finish_pieces()
        z = fast_deflate.compressobj(self.level)
        front = z.compress(head) + z.flush(zlib.Z_SYNC_FLUSH)
        crc = crc32_combine(zlib.crc32(head), self._body.crc, self._body.size)
        return Spilled(front, self._spill, self._spill.tell()), crc, len(head) + self._body.size

    def abandon(self) -> None:
        self._body.abandon()
        self._spill.close()


@dataclass
class Spilled:
    """Deflated bytes: `front`, then the first `length` bytes of `file` (closed once read)."""
    front: bytes
    file: object
    length: int

    def __len__(self) -> int:
        return len(self.front) + self.length

    def pieces(self) -> Iterator[bytes]:
        yield self.front
        self.file.seek(0)
        remaining = self.length
        while remaining:
            block = self.file.read(min(remaining, PIECE))
            if not block:
                raise PatchError("the deflated sheet's temp file is truncated")
            remaining -= len(block)
            yield block
        self.file.close()


def _gf2_times(mat: list[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A + B from crc(A), crc(B) and len(B) (zlib's crc32_combine, which Python's zlib lacks)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]     # the operator for one zero bit
    even = _gf2_square(odd)                              # two zero bits
    odd = _gf2_square(even)                              # four
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def column_cells(body: bytes, prefix: bytes, columns: tuple[bytes, ...]) -> dict[bytes, list[tuple[int, bytes, bytes, int]]]:
    """Column letters -> (row, attributes, content, offset) of each of its cells among whole <row>
    elements, found with one regex scan for all the columns (cells written with r="..." first, as every
    common writer does)."""
    found: dict[bytes, list] = {c: [] for c in columns}
    for m in _column_re(prefix, columns).finditer(body):
        found[m.group(1)].append((int(m.group(2)), m.group(3), m.group(4) or b"", m.start()))
    return found


_COLUMN_RE_CACHE: dict[tuple, re.Pattern] = {}


def _column_re(prefix: bytes, columns: tuple[bytes, ...]) -> re.Pattern:
    key = (prefix, columns)
    if key not in _COLUMN_RE_CACHE:
        p = re.escape(prefix)
        _COLUMN_RE_CACHE[key] = re.compile(rb"<" + p + rb'c r="(' + b"|".join(columns) + rb')([0-9]+)"([^>]*?)(?:/>|>(.*?)</'
                                           + p + rb"c>)", re.S)
    return _COLUMN_RE_CACHE[key]


def cell_in(body: bytes, prefix: bytes, letters: bytes, start: int, end: int) -> tuple[bytes, bytes] | None:
    """(attributes, content) of the cell of column `letters` within body[start:end] (one row), or None."""
    m = _column_re(prefix, (letters,)).search(body, start, end)
    return (m.group(3), m.group(4) or b"") if m else None


_T_RE = re.compile(rb"<(?:[\w.-]+:)?t(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?t>", re.S)
_RPH_RE = re.compile(rb"<((?:[\w.-]+:)?)rPh(?=[\s>]).*?</\1rPh>", re.S)
_V_RE = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?v>", re.S)


def cell_text(attrs: bytes, content: bytes, sst: list[bytes] | None) -> str:
    """A quick reading of one cell's XML as text (its attributes and content), for a first pass that
    only looks at a column or two: strings (shared, inline, formula results) and numbers as written.
    Not a full reader (dates stay serials, escapes such as _x000D_ stay): calamine reads the cases."""
    kind = get_attr(attrs, b"t")
    if kind == b"s":
        m = _V_RE.search(content)
        i = int(m.group(1)) if m and m.group(1).strip().isdigit() else -1
        content = sst[i] if sst is not None and 0 <= i < len(sst) else b""
        kind = b"inlineStr"
    if kind == b"inlineStr":
        content = _RPH_RE.sub(b"", content)
        return xml_unescape(b"".join(_T_RE.findall(content)).decode("utf-8", "replace"))
    m = _V_RE.search(content)
    return xml_unescape(m.group(1).decode("utf-8", "replace")) if m else ""
