"""The Python side of the workbook buttons on a 10k-row book: CPU seconds of 重新计算 and 生成回复与短信.

    python bench/buttons_bench.py [--rows 10000] [--rounds 3]

The book is a new workbook's sheets (addin.workbook.sheets.new_book) with generated cases (addin.demo.bulk_rows,
the benchmark rows of bench/recalc_bench.py), handed to the buttons through the recording stand-in for
xlwings' Book/Range that tests/test_excel_buttons.py uses. What the stand-in itself spends (building the
lists Excel would hand over on a read, storing the cells of a write) is timed apart and left out: the
figure is everything the add-in does between the one read of each sheet and the block writes, the
cleaning of the values read included. Issue 12's goal: under 1 s of CPU for each button at 10k rows.
Each button runs on a fresh copy of the book: 重新计算 first on the fresh cases ("fresh"), then again on
its own output ("again"), and 生成回复与短信 on the recalculated book, as staff click them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers.fake_xlwings import FakeBook, FakeRange  # noqa: E402  (the recording stand-in)

NOW = dt.datetime(2026, 10, 1, 12, 0)


def book_grids(n: int) -> dict[str, list[list]]:
    """Every sheet of a new workbook holding n generated cases, as Excel would hand them over."""
    from addin.demo import bulk_rows
    from addin.workbook.files.reader import read_workbook, sheet_names
    from addin.workbook.sheets.new_book import build_workbook

    with tempfile.TemporaryDirectory() as tmp:
        path = build_workbook(Path(tmp) / "cases.xlsx", bulk_rows(n))
        return read_workbook(path, sheet_names(path))


class StandInClock:
    """CPU time spent inside the stand-in's reads and writes (Excel's side, not ours)."""

    def __init__(self):
        self.seconds = 0.0
        prop = FakeRange.value
        clock = self

        def get(rng):
            t = time.process_time()
            try:
                return prop.fget(rng)
            finally:
                clock.seconds += time.process_time() - t

        def put(rng, values):
            t = time.process_time()
            try:
                prop.fset(rng, values)
            finally:
                clock.seconds += time.process_time() - t

        FakeRange.value = property(get, put)


def timed(action, grids: dict[str, list[list]], clock: StandInClock) -> tuple[float, float, FakeBook]:
    """(our CPU seconds, the stand-in's, the book after) for one click."""
    book = FakeBook({name: [list(row) for row in grid] for name, grid in grids.items()})
    clock.seconds = 0.0
    t = time.process_time()
    action(book, now=NOW)
    total = time.process_time() - t
    return total - clock.seconds, clock.seconds, book


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from addin.excel import buttons

    clock = StandInClock()
    grids = book_grids(args.rows)
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; {args.rows:,} case rows, "
          f"{len(grids['案件'][0])} columns; CPU seconds of the Python side (the stand-in's own time left out), "
          f"best and median of {args.rounds} rounds")
    fresh = timed(buttons.recalc_book, grids, clock)[2]
    recalculated = {name: fresh.grid(name) for name in grids}
    cases = {
        "重新计算 (fresh)": (buttons.recalc_book, grids),
        "重新计算 (again)": (buttons.recalc_book, recalculated),
        "生成回复与短信": (buttons.texts_book, recalculated),
    }
    for label, (action, book) in cases.items():
        runs = [timed(action, book, clock) for _ in range(args.rounds)]
        ours = [r[0] for r in runs]
        best = min(ours)
        print(f"  {label:<16} {best:6.2f} s best, {statistics.median(ours):6.2f} s median   "
              f"(stand-in {statistics.median(r[1] for r in runs):.2f} s; reads {len(runs[-1][2].rec.reads)}, "
              f"writes {len(runs[-1][2].rec.writes)})   goal under 1 s: {'met' if best < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
