"""A1 cell references: column letters <-> numbers, cells and ranges."""
from __future__ import annotations

import functools
import itertools
import re
import string

from .edits import PatchError

MAX_ROW, MAX_COL = 1_048_576, 16_384
_AZ = string.ascii_uppercase


def col_letter(col: int) -> str:
    """1 -> 'A', 28 -> 'AB'."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# Every column's letters, in order: A-Z, AA-ZZ, then AAA up to XFD (the same as col_letter; built from
# products of the alphabet, which costs a third of calling col_letter 16,384 times at start-up).
COL_LETTERS = [""] + [*_AZ, *map("".join, itertools.product(_AZ, repeat=2)),
                      *map("".join, itertools.product(_AZ, repeat=3))][:MAX_COL]
COL_BYTES = [letters.encode() for letters in COL_LETTERS]
COL_INDEX = {letters: c for c, letters in enumerate(COL_BYTES) if c}
_REF_RE = re.compile(rb"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def parse_ref(ref: bytes) -> tuple[int, int]:
    m = _REF_RE.fullmatch(ref.strip())
    col = COL_INDEX.get(m.group(1).upper()) if m else None
    if col is None:
        raise PatchError(f"bad cell reference {ref!r}")
    return int(m.group(2)), col


def parse_range(ref: bytes) -> tuple[int, int, int, int]:
    first, _, last = ref.partition(b":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    return r1, c1, r2, c2


def cell_ref(row: int, col: int) -> str:
    return f"{COL_LETTERS[col]}{row}"


@functools.lru_cache(maxsize=512)
def cells_beyond(p: bytes, col: int) -> re.Pattern:
    """A regex for a cell tag (prefix `p`, r="..." as its first attribute) whose column is beyond `col`;
    the regex engine, not Python, then skips the cells to its left."""
    letters = COL_LETTERS[col] if col else ""
    alts = [b"[A-Z]" * k for k in range(len(letters) + 1, 4)]          # more letters: further right
    for i, ch in enumerate(letters):                                  # same length, greater at position i
        if ch != "Z":
            rest = len(letters) - i - 1
            alts.append(letters[:i].encode() + b"[" + chr(ord(ch) + 1).encode() + b"-Z]" + b"[A-Z]" * rest)
    return re.compile(rb"<" + re.escape(p) + rb'c r="(' + b"|".join(alts) + rb')[0-9]')
