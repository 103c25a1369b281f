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
    if isinstance(value, str) and value and _may_parse(value[0]) and _EXCEL_WOULD_PARSE.match(value):
        return "'" + value
    return value


def _may_parse(first: str) -> bool:
    """Whether _EXCEL_WOULD_PARSE can match a text starting with `first` (a Chinese text cannot): a
    cheap test before the regex, for the hundred thousand texts of a big sheet."""
    return first in "=+-@.,:/%" or first.isdigit() or first.isspace()


def plan_blocks(cells: dict[tuple[int, int], object], columns, grid: list[list],
                keep: dict[tuple[int, int], str] | None = None) -> list[Block]:
    """The blocks that write `cells` (only ever inside `columns`), filling gaps from `grid`.

    `keep`: cells holding a formula staff typed ((row, col) -> "=…"); a block that covers one writes the
    formula itself back, so it stays a formula (never its value, never as text)."""
    allowed = set(columns)
    outside = [rc for rc in cells if rc[1] not in allowed]
    if outside:
        raise ValueError(f"cells outside the computed columns: {outside[:5]}")
    runs = column_runs(allowed)
    by_run: list[dict[int, dict[int, object]]] = [{} for _ in runs]    # run -> row -> column -> value
    run_of = {c: by_run[i] for i, (left, right) in enumerate(runs) for c in range(left, right + 1)}
    for (r, c), value in cells.items():
        rows = run_of[c]
        row = rows.get(r)
        if row is None:
            row = rows[r] = {}
        row[c] = value
    blocks = []
    for (left, right), rows in zip(runs, by_run):
        if not rows:
            continue
        values = []
        width = right - left + 1
        span = range(left, right + 1)
        for r in range(min(rows), max(rows) + 1):
            new = rows.get(r)
            if new is not None and len(new) == width and not (keep and any((r, c) in keep for c in span)):
                # every cell of the run is written
                values.append(list(map(for_excel, map(new.__getitem__, span))))
                continue
            current = grid[r - 1] if r - 1 < len(grid) else []
            line = current[left - 1:right]                  # the gaps: written back as they are
            if len(line) < width:
                line += [None] * (width - len(line))
            line = [None if v.__class__ is str and not v.strip() else for_excel(v) for v in line]
            for c, value in (new or {}).items():
                line[c - left] = for_excel(value)
            if keep:
                for c in span:
                    formula = keep.get((r, c))
                    if formula is not None:
                        line[c - left] = formula
            values.append(line)
        blocks.append(Block(min(rows), left, values))
    return blocks


def replace_all(rows: list[list], old: list[list], width: int | None = None) -> Block:
    """The new sheet content from A1, padded with blanks over whatever the old content covered (text
    Excel would parse, such as a 16-digit order id, sent as text). `width`: only so many columns."""
    height = max(len(rows), len(old), 1)
    width = width or max([len(r) for r in rows] + [len(r) for r in old] + [1])
    return Block(1, 1, [[(for_excel(rows[r][c]) if r < len(rows) and c < len(rows[r]) else None) for c in range(width)]
                        for r in range(height)])
