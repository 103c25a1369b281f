"""A minimal writer for Microsoft Compound File Binary (MS-CFB, version 3): the container of vbaProject.bin.

Only what a VBA project needs: storages and streams written once, 512-byte sectors, streams under
4096 bytes in the mini stream (64-byte mini sectors), no DIFAT sectors (up to ~6.8 MB of content).
Each storage's children form a red-black tree balanced by construction, so the file is valid for
strict readers and not only for lenient ones.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
ENTRY = 128
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list["_Entry"] = field(default_factory=list)
    id: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN


def _sort_key(name: str):
    # MS-CFB 2.6.4: shorter names first, then a case-insensitive comparison
    return len(name.encode("utf-16-le")), name.upper()


def _tree(entries: list[_Entry], depth: int = 0, max_depth: int | None = None) -> int:
    """Link the sorted siblings as a balanced search tree; returns the root's id.

    The nodes on the deepest level are red, all others black: every path from the root to a leaf
    then passes the same number of black nodes, and no red node has a red child.
    """
    if not entries:
        return NOSTREAM
    if max_depth is None:
        max_depth = len(entries).bit_length() - 1
    mid = len(entries) // 2
    node = entries[mid]
    node.left = _tree(entries[:mid], depth + 1, max_depth)
    node.right = _tree(entries[mid + 1:], depth + 1, max_depth)
    node.color = RED if depth == max_depth and depth > 0 else BLACK
    return node.id


def _sectors(data: bytes, size: int) -> int:
    return (len(data) + size - 1) // size


def compound_file(streams: dict[str, bytes]) -> bytes:
    """The file holding `streams`, keyed by path ("PROJECT", "VBA/dir", "VBA/Module1")."""
    root = _Entry("Root Entry", ROOT)
    for path, data in streams.items():
        parent = root
        *storages, name = path.split("/")
        for storage in storages:
            found = next((e for e in parent.children if e.name == storage and e.kind == STORAGE), None)
            if found is None:
                found = _Entry(storage, STORAGE)
                parent.children.append(found)
            parent = found
        parent.children.append(_Entry(name, STREAM, data))

    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entry.id = len(entries)
        entries.append(entry)
        entry.children.sort(key=lambda e: _sort_key(e.name))
        for child in entry.children:
            number(child)
    number(root)
    for entry in entries:
        entry.child = _tree(entry.children)

    # Small streams go to the mini stream, the others get sectors of their own.
    mini = bytearray()
    minifat: list[int] = []
    big = [e for e in entries if e.kind == STREAM and len(e.data) >= MINI_CUTOFF]
    for e in entries:
        if e.kind == STREAM and 0 < len(e.data) < MINI_CUTOFF:
            e.start = len(minifat)
            count = _sectors(e.data, MINI_SECTOR)
            minifat += list(range(e.start + 1, e.start + count)) + [ENDOFCHAIN]
            mini += e.data.ljust(count * MINI_SECTOR, b"\0")

    n_dir = _sectors(b"\0" * (len(entries) * ENTRY), SECTOR)
    n_minifat = _sectors(b"\0" * (len(minifat) * 4), SECTOR)
    n_mini = _sectors(mini, SECTOR)
    n_big = sum(_sectors(e.data, SECTOR) for e in big)
    content = n_dir + n_minifat + n_mini + n_big
    n_fat = 1
    while n_fat * (SECTOR // 4) < content + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for a header-only DIFAT (about 6.8 MB)")

    fat: list[int] = [FATSECT] * n_fat
    body = bytearray()

    def place(data: bytes) -> int:
        """Append data in whole sectors chained in the FAT; returns the first sector."""
        if not data:
            return ENDOFCHAIN
        first = len(fat)
        count = _sectors(data, SECTOR)
        fat.extend(list(range(first + 1, first + count)) + [ENDOFCHAIN])
        body.extend(data.ljust(count * SECTOR, b"\0"))
        return first

    dir_start = len(fat)
    fat.extend(list(range(dir_start + 1, dir_start + n_dir)) + [ENDOFCHAIN])
    body.extend(b"\0" * (n_dir * SECTOR))          # filled in once every start sector is known
    minifat_start = place(b"".join(struct.pack("<I", v) for v in minifat).ljust(n_minifat * SECTOR, b"\xff"))
    root.start = place(bytes(mini))
    root.data = bytes(mini)
    for e in big:
        e.start = place(e.data)

    directory = b"".join(_entry_bytes(e) for e in entries)
    directory = directory.ljust(n_dir * SECTOR, b"\0")
    empty = _entry_bytes(_Entry("", 0))
    directory = b"".join(directory[i:i + ENTRY] if i < len(entries) * ENTRY else empty
                         for i in range(0, len(directory), ENTRY))
    body[:n_dir * SECTOR] = directory

    fat_bytes = b"".join(struct.pack("<I", v) for v in fat).ljust(n_fat * SECTOR, b"\xff")
    difat = list(range(n_fat)) + [FREESECT] * (109 - n_fat)
    header = (SIGNATURE + b"\0" * 16 + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, MINI_CUTOFF,
                            minifat_start if minifat else ENDOFCHAIN, n_minifat, ENDOFCHAIN, 0)
              + b"".join(struct.pack("<I", v) for v in difat))
    return header + fat_bytes + bytes(body)


def _entry_bytes(e: _Entry) -> bytes:
    if e.kind == 0:   # an unused slot
        return b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM) + b"\0" * 36 \
            + struct.pack("<IQ", 0, 0)
    name = e.name.encode("utf-16-le")
    if len(name) > 62:
        raise ValueError(f"name too long for a compound file entry: {e.name!r}")
    size = len(e.data) if e.kind in (STREAM, ROOT) else 0
    start = e.start if size else (0 if e.kind == STORAGE else ENDOFCHAIN)
    return (name.ljust(64, b"\0") + struct.pack("<HBBIII", len(name) + 2, e.kind, e.color, e.left, e.right, e.child)
            + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))
