"""Cells to write -> a few rectangular blocks, one per run of adjacent computed columns.

A write per cell over COM costs milliseconds; one array write per block costs about the same as one
cell. The computed columns are not always adjacent (staff insert their own columns, such as the
赔偿金额(手工) override, between them), so each run of adjacent computed columns is its own block and
the columns between runs are never written. Inside a block, a cell that does not change is written
back with the value it already has.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Text Excel would not keep as typed when assigned to Range.Value: formulas (=, +, -, @ lead-ins, also
# buyer nicknames and review text) and digit strings (order ids, phone numbers lose digits as numbers).
_EXCEL_WOULD_PARSE = re.compile(r"^[=+\-@]|^[\d\s.,:/%-]+$")


@dataclass(frozen=True)
class Block:
    top: int                 # 1-based row of values[0]
    left: int                # 1-based column of values[0][0]
    values: list[list]

    @property
    def bottom(self) -> int:
        return self.top + len(self.values) - 1

    @property
    def right(self) -> int:
        return self.left + len(self.values[0]) - 1


def column_runs(columns) -> list[tuple[int, int]]:
    """[3, 4, 5, 7, 9, 10] -> [(3, 5), (7, 7), (9, 10)]."""
    runs: list[tuple[int, int]] = []
    for c in sorted(set(columns)):
        if runs and c == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    return runs


def for_excel(value):
    """Decimal is not a type xlwings can send; money goes as float (what Excel stores anyway).

    Text that Excel would turn into a formula or a number gets the apostrophe prefix, which Excel
    stores as "this cell is text" and does not show.
    """
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and _EXCEL_WOULD_PARSE.match(value):
        return "'" + value
    return value


def plan_blocks(cells: dict[tuple[int, int], object], columns, grid: list[list]) -> list[Block]:
    """The blocks that write `cells` (only ever inside `columns`), filling gaps from `grid`."""
    outside = [rc for rc in cells if rc[1] not in set(columns)]
    if outside:
        raise ValueError(f"cells outside the computed columns: {outside[:5]}")
    blocks = []
    for left, right in column_runs(columns):
        rows = [r for r, c in cells if left <= c <= right]
        if not rows:
            continue
        top, bottom = min(rows), max(rows)
        values = [[for_excel(cells[(r, c)] if (r, c) in cells else _current(grid, r, c))
                   for c in range(left, right + 1)] for r in range(top, bottom + 1)]
        blocks.append(Block(top, left, values))
    return blocks


def _current(grid: list[list], row: int, col: int):
    if row - 1 < len(grid) and col - 1 < len(grid[row - 1]):
        return grid[row - 1][col - 1]
    return None
