"""Splitting a big batch over the machine's cores: how many processes, rows dealt into shares, and
forked workers that inherit the batch instead of receiving a copy of it."""
from __future__ import annotations

import multiprocessing
import os
from typing import Callable

from addin.core.parse import is_blank, to_text

PARALLEL_MIN_ROWS = 20_000     # below this, starting a process costs more than it saves


def default_workers(workers: int | None = None) -> int:
    """The processes a command uses for a big sheet: as asked, else the machine's cores (at most 4)."""
    return workers or min(os.cpu_count() or 1, 4)


def shares_by_buyer(grid, buyer: int | None, row_numbers, workers: int) -> list[list[int]]:
    """Rows in `workers` shares of about equal size, each buyer's rows (column `buyer`) in one share, in
    sheet order: COMP-TM's cap is shared by a buyer's payments within 24 h."""
    groups: dict[str, list[int]] = {}
    loose: list[int] = []                      # no buyer: can go anywhere
    for r in row_numbers:
        values = grid[r - 1]
        key = values[buyer - 1] if buyer and buyer <= len(values) else None
        if is_blank(key):
            loose.append(r)
        else:
            groups.setdefault(to_text(key), []).append(r)
    return balanced(groups.values(), workers, loose)


def balanced(groups, workers: int, loose=()) -> list[list[int]]:
    """Groups of rows (each kept together) and loose rows dealt into `workers` shares of about equal size,
    each share in sheet order."""
    shares: list[list[int]] = [[] for _ in range(workers)]
    for rows in sorted(groups, key=len, reverse=True):   # biggest first, to the emptiest share
        min(shares, key=len).extend(rows)
    for r in loose:
        min(shares, key=len).append(r)
    return [sorted(share) for share in shares]


_FORKED: tuple | None = None     # (fn, state): what forked workers inherit while run_forked runs


def _forked_call(i: int):
    fn, state = _FORKED
    return fn(state, i)


def run_forked(fn, state, shares: int, mine: Callable[[], object]) -> list | None:
    """[mine(), fn(state, 1), ..., fn(state, shares - 1)]: share 0 is computed here by `mine`, the others
    in forked processes, which inherit `state` instead of receiving a copy (only their results come back).
    None where fork does not exist (Windows, the browser): the caller then computes in one process."""
    global _FORKED
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return None
    _FORKED = (fn, state)
    try:
        with ctx.Pool(shares - 1) as pool:
            pending = [pool.apply_async(_forked_call, (i,)) for i in range(1, shares)]
            first = mine()
            return [first] + [p.get() for p in pending]
    finally:
        _FORKED = None


