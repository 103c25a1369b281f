"""Formula text: moving relative references (shared-formula dependents), shared-group bookkeeping."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .refs import COL_INDEX, COL_LETTERS, MAX_COL, MAX_ROW

_FORMULA_TOKEN_RE = re.compile(r"""
    "(?:[^"]|"")*"                                                # string literal
  | '(?:[^']|'')*'                                                # quoted sheet name
  | \[[^\]]*\]                                                    # structured ref / external book
  | (?<![\w.$])(\$?)([A-Za-z]{1,3})(\$?)([0-9]+)(?![\w.(\[!])     # A1, $A$1
  | (?<![\w.$])(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})(?![\w.(\[!])   # A:C
  | (?<![\w.$:])(\$?)([0-9]+):(\$?)([0-9]+)(?![\w.(\[!:])         # 2:5
""", re.X)


def shift_formula(formula: str, drow: int, dcol: int) -> str:
    """Translate the relative references of an A1 formula by (drow, dcol), as Excel does when a
    formula is copied; $-anchored parts stay. References pushed off the sheet become #REF!."""

    def shift_col(anchor: str, letters: str) -> str | None:
        col = COL_INDEX.get(letters.upper().encode())
        if col is None:
            return None
        col = col if anchor else col + dcol
        return COL_LETTERS[col] if 1 <= col <= MAX_COL else "#REF!"

    def shift_row(anchor: str, digits: str) -> str | None:
        row = int(digits)
        if not 1 <= row <= MAX_ROW:
            return None
        row = row if anchor else row + drow
        return str(row) if 1 <= row <= MAX_ROW else "#REF!"

    def sub(m: re.Match) -> str:
        g = m.groups()
        if g[1]:  # cell
            parts = (g[0], shift_col(g[0], g[1]), g[2], shift_row(g[2], g[3]))
        elif g[5]:  # column range
            parts = (g[4], shift_col(g[4], g[5]), ":" + g[6], shift_col(g[6], g[7]))
        elif g[9]:  # row range
            parts = (g[8], shift_row(g[8], g[9]), ":" + g[10], shift_row(g[10], g[11]))
        else:
            return m.group(0)
        if parts[1] is None or parts[3] is None:  # not a valid reference: a name, leave it
            return m.group(0)
        if "#REF!" in (parts[1], parts[3]):
            return "#REF!"
        return "".join(parts)

    return _FORMULA_TOKEN_RE.sub(sub, formula)


@dataclass
class SharedGroup:
    row: int  # original master position
    col: int
    formula: str  # unescaped master formula text
    last_row: int  # bottom-right of the original ref
    last_col: int
    new_master: tuple[int, int] | None = None
