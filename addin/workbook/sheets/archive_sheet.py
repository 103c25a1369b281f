"""结案归档 as grids: finished or closed cases whose last recorded event is older than N days (规则:
ARCH-1.days) move from 案件 to the 归档 sheet, with the same columns and two more at the right (归档时间,
原行号), so the move can be undone exactly: --undo puts the last batch back at the rows they came from.

Pure: grids in, grids out. The command (commands/archive.py) and the 结案归档 button write the result.
Values move as they are (a date stays a date, a 16-digit order id stays text); nothing is recomputed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from addin.core.stage import TERMINAL, stage_of
from addin.workbook.sheets.case_rows import case_from_row
from addin.workbook.sheets.case_sheet import find_case_header

META = ("归档时间", "原行号")


@dataclass
class ArchivePlan:
    cases: list[list]          # the whole 案件 grid after the move
    archive: list[list]        # the whole 归档 grid after the move
    rows: list[int]            # the 案件 rows moved (before the move), or restored (after it)
    first_changed: int         # the first 案件 row whose content changes (1-based); 0: none


def _width(grid: list[list]) -> int:
    return max((len(r) for r in grid), default=0)


def _last_event(case) -> dt.datetime | None:
    """The latest timestamp the row records (paid, signed, refunded, resolved …): the case's last event."""
    times = [getattr(case, f.name) for f in fields(case) if isinstance(getattr(case, f.name), dt.datetime)]
    return max(times, default=None)


def finished_rows(grid: list[list], days: int, now: dt.datetime, reasons=None) -> list[int]:
    """The case rows that are finished or closed (their stage) and whose last event is more than `days` ago."""
    header = find_case_header(grid)
    cols = [(key, c - 1) for key, c in header.inputs.items()]
    limit = now - dt.timedelta(days=days)
    out = []
    for r in range(header.row + 1, len(grid) + 1):
        values = grid[r - 1]
        raw = {k: values[i] for k, i in cols if i < len(values) and values[i] not in (None, "")}
        if not raw:
            continue
        parsed = case_from_row(raw, reasons)
        if parsed.problems or parsed.blank or stage_of(parsed.case).stage not in TERMINAL:
            continue
        last = _last_event(parsed.case)
        if last is not None and last < limit:
            out.append(r)
    return out


def plan_archive(cases: list[list], archive: list[list], rows: list[int], stamp: dt.datetime) -> ArchivePlan:
    """Move `rows` of `cases` to the end of `archive` (which gets the case header first, if empty)."""
    header = find_case_header(cases)
    width = max(_width(cases), len(cases[header.row - 1]))
    pad = lambda row: list(row) + [None] * (width - len(row))          # noqa: E731
    take = set(rows)
    kept = [row for r, row in enumerate(cases, 1) if r not in take]
    new_archive = [list(r) for r in archive if any(v not in (None, "") for v in r)]
    if not new_archive:
        new_archive = [pad(cases[header.row - 1]) + list(META)]
    new_archive += [pad(cases[r - 1]) + [stamp, r] for r in sorted(take)]
    return ArchivePlan(kept, new_archive, sorted(take), min(take) if take else 0)


def plan_restore(cases: list[list], archive: list[list]) -> ArchivePlan:
    """Put the last batch (the latest 归档时间) back at its 原行号 rows, in order."""
    if not archive:
        return ArchivePlan(cases, archive, [], 0)
    head = archive[0]
    try:
        at, orig = head.index(META[0]), head.index(META[1])
    except ValueError:
        return ArchivePlan(cases, archive, [], 0)
    body = [(i, row) for i, row in enumerate(archive[1:], 1) if len(row) > orig and row[orig] not in (None, "")]
    if not body:
        return ArchivePlan(cases, archive, [], 0)
    last = max(row[at] for _, row in body if isinstance(row[at], dt.datetime))
    batch = sorted(((int(row[orig]), i, row[:at]) for i, row in body if row[at] == last))
    out = [list(r) for r in cases]
    for r, _, values in batch:
        out.insert(min(r - 1, len(out)), _trim(values))
    taken = {i for _, i, _ in batch}
    rest = [archive[0]] + [row for i, row in enumerate(archive[1:], 1) if i not in taken]
    return ArchivePlan(out, rest, [r for r, _, _ in batch], min(r for r, _, _ in batch))


def _trim(row: list) -> list:
    row = list(row)
    while row and row[-1] in (None, ""):
        row.pop()
    return row
