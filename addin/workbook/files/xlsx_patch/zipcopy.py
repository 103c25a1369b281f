"""Writing the new zip: members copied compressed-as-is, rewritten ones deflated; temp file + atomic rename."""
from __future__ import annotations

import os
import struct
import tempfile
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from . import fast_deflate
from .edits import PatchError, UnsupportedWorkbook

if TYPE_CHECKING:
    from .package import Package

_DEFLATE_LEVEL = 6
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP32_LIMIT = 0xFFFFFFFF


def _dos_datetime(date_time: tuple) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def _strip_zip64_extra(extra: bytes) -> bytes:
    """We only write zip32 records, so a zip64 extra field from the source would be wrong."""
    out, i = [], 0
    while i + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, i)
        if header_id != 1:
            out.append(extra[i:i + 4 + size])
        i += 4 + size
    return b"".join(out)


class Deflater:
    """Raw-deflates a part fed in chunks, on one worker thread: zlib and ISA-L release the GIL, so this
    overlaps with the row loop. Also computes the part's CRC-32 and size.

    The compressor is fed in blocks of BLOCK bytes whatever the pieces written: ISA-L's output (unlike
    zlib's) depends on where its input was cut, and the file must depend only on the bytes written (a
    streamed sheet's chunks follow the chunk size)."""

    BLOCK = 1 << 20

    def __init__(self, level: int = _DEFLATE_LEVEL, spill: BinaryIO | None = None):
        """`spill`: a file the deflated bytes go to as they are made (kept in memory without one)."""
        self._z = fast_deflate.compressobj(level)
        self.crc = self.size = 0
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._parts: list = []
        self._spill = spill
        self._held = bytearray()             # what is written but not yet a whole block

    def _compress(self, data: bytes) -> bytes:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        view, block = memoryview(data), self.BLOCK
        out = b"".join(self._z.compress(view[i:i + block]) for i in range(0, len(data), block))
        if self._spill is None:
            return out
        self._spill.write(out)
        return b""

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        block = self.BLOCK
        if self._held:                       # fill the held block first (a copy of at most a block)
            need = block - len(self._held)
            self._held += chunk[:need]
            if len(self._held) < block:
                return
            self._parts.append(self._pool.submit(self._compress, bytes(self._held)))
            self._held = bytearray()
            chunk = memoryview(chunk)[need:]
        whole = len(chunk) - len(chunk) % block
        if whole:                            # whole blocks straight from the piece, not copied
            self._parts.append(self._pool.submit(self._compress, memoryview(chunk)[:whole]))
        self._held += chunk[whole:]

    def finish(self) -> bytes:
        return b"".join(self.finish_pieces())

    def finish_pieces(self) -> list[bytes]:
        """The deflated part as the pieces it was made in (no copy of the whole)."""
        try:
            if self._held:
                self._parts.append(self._pool.submit(self._compress, bytes(self._held)))
                self._held = bytearray()
            pieces = [f.result() for f in self._parts]
            self._parts = []
            pieces.append(self._z.flush())
            if self._spill is not None:
                self._spill.write(pieces.pop())
            return [p for p in pieces if p]
        finally:
            self._pool.shutdown()

    def abandon(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class ZipWriter:
    """Minimal zip writer that can copy a member's compressed bytes verbatim from the source."""

    def __init__(self, fp, src_fp):
        self.fp, self.src_fp = fp, src_fp
        self.central: list[bytes] = []

    def copy(self, info: zipfile.ZipInfo) -> None:
        self.src_fp.seek(info.header_offset)
        header = self.src_fp.read(_LOCAL_HEADER.size)
        if header[:4] != b"PK\x03\x04":
            raise PatchError(f"bad local header for zip member {info.filename!r}")
        name_len, extra_len = struct.unpack_from("<HH", header, 26)
        self.src_fp.seek(name_len, os.SEEK_CUR)
        local_extra = _strip_zip64_extra(self.src_fp.read(extra_len))
        # Sizes go in the header, so no data descriptor (bit 3).
        self._header(info, info.compress_type, info.flag_bits & ~0x08, info.CRC, info.compress_size,
                     info.file_size, local_extra)
        remaining = info.compress_size
        while remaining:
            chunk = self.src_fp.read(min(remaining, 1 << 20))
            if not chunk:
                raise PatchError(f"zip member {info.filename!r} is truncated")
            self.fp.write(chunk)
            remaining -= len(chunk)

    def write(self, info: zipfile.ZipInfo, data: bytes) -> None:
        if info.compress_type == zipfile.ZIP_STORED:
            self.write_compressed(info, zipfile.ZIP_STORED, data, zlib.crc32(data), len(data))
        else:
            c = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -15)
            self.write_compressed(info, zipfile.ZIP_DEFLATED, c.compress(data) + c.flush(), zlib.crc32(data), len(data))

    def write_compressed(self, info: zipfile.ZipInfo, method: int, payload, crc: int, size: int) -> None:
        """`payload`: the compressed bytes, a list of pieces of them, or an object with len() and
        pieces() (stream.Spilled); written piece by piece."""
        if isinstance(payload, (bytes, bytearray)):
            payload = [payload]
        length = len(payload) if not isinstance(payload, list) else sum(map(len, payload))
        self._header(info, method, info.flag_bits & 0x800, crc, length, size, b"")
        for piece in (payload if isinstance(payload, list) else payload.pieces()):
            self.fp.write(piece)

    def _header(self, info: zipfile.ZipInfo, method: int, flags: int, crc: int, csize: int, usize: int,
                local_extra: bytes) -> None:
        if info.flag_bits & 0x1:
            raise UnsupportedWorkbook(f"zip member {info.filename!r} is encrypted")
        offset = self.fp.tell()
        if max(offset, csize, usize) > _ZIP32_LIMIT:
            raise UnsupportedWorkbook("the workbook is too large (zip64 is not supported)")
        name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        version = info.extract_version
        if version == 45 or (method == zipfile.ZIP_DEFLATED and version < 20):  # 45 = zip64, not written
            version = 20
        time, date = _dos_datetime(info.date_time)
        self.fp.write(_LOCAL_HEADER.pack(b"PK\x03\x04", version, 0, flags, method, time, date, crc, csize,
                                         usize, len(name), len(local_extra)) + name + local_extra)
        extra = _strip_zip64_extra(info.extra)
        self.central.append(_CENTRAL_HEADER.pack(
            b"PK\x01\x02", info.create_version, info.create_system, version, 0, flags, method, time, date,
            crc, csize, usize, len(name), len(extra), len(info.comment), 0, info.internal_attr,
            info.external_attr, offset) + name + extra + info.comment)

    def finish(self, comment: bytes) -> None:
        start = self.fp.tell()
        for record in self.central:
            self.fp.write(record)
        size = self.fp.tell() - start
        if len(self.central) > 0xFFFF or start + size > _ZIP32_LIMIT:
            raise UnsupportedWorkbook("the workbook is too large (zip64 is not supported)")
        self.fp.write(_END_RECORD.pack(b"PK\x05\x06", 0, 0, len(self.central), len(self.central), size, start,
                                       len(comment)) + comment)



def write_atomic(src_fp: BinaryIO, dst: Path, zf: zipfile.ZipFile, pkg: Package, changed: dict[str, bytes],
                 sheets: dict[str, tuple[bytes, int, int]], mode: int | None = None) -> str:
    """Write the new package to a temp file next to dst, copying unchanged members from `src_fp` (the
    same open file the ZipFile reads, so both see one version of the source). Returns the temp path;
    on failure the temp file is removed."""
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(dst), suffix=TEMP_SUFFIX, dir=dst.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            writer = ZipWriter(out, src_fp)
            for info in pkg.infos:
                if info.filename in pkg.dropped:
                    continue
                if info.filename in sheets:
                    writer.write_compressed(info, zipfile.ZIP_DEFLATED, *sheets[info.filename])
                elif info.filename in changed:
                    writer.write(info, changed[info.filename])
                else:
                    writer.copy(info)
            template = pkg.infos[0]
            for part in pkg.added:
                info = zipfile.ZipInfo(part, template.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system, info.create_version = template.create_system, 20
                info.external_attr = template.external_attr
                if not part.isascii():
                    info.flag_bits |= 0x800
                if part in sheets:
                    writer.write_compressed(info, zipfile.ZIP_DEFLATED, *sheets[part])
                else:
                    writer.write(info, changed[part])
            writer.finish(zf.comment)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        discard_temp(tmp)
        raise
    return tmp


# Temp files are named .~BOOK.xlsx.XXXXXXXX.tmp beside the book; a run killed before its rename leaves
# one behind, which addin.workbook.files.session removes at the next run on that book.
TEMP_SUFFIX = ".tmp"


def temp_prefix(dst: Path) -> str:
    return f".~{dst.name}."


def replace_atomic(tmp: str, dst: Path) -> None:
    try:
        os.replace(tmp, dst)
    except BaseException:
        discard_temp(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename durable (POSIX)
        try:
            dir_fd = os.open(dst.parent, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)


def discard_temp(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
