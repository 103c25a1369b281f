"""Where the streamed recalc's CPU goes: one recalc in one process (workers=1), its main steps timed by
wrapping them (CPU seconds, process_time; the steps nest as indented).

    python bench/recalc_phases.py [--rows 100000] [--case fresh|again]

The book is bench/recalc_bench.py's; "again" first recalculates it into a temp file (not timed).
What the table leaves out (inflating the stream, deflating the result, pass 0's cutting into chunks,
the header) is the rest of the total.
"""
from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--case", choices=["fresh", "again"], default="fresh")
    args = parser.parse_args()
    import addin.workbook.commands.compute as compute
    import addin.workbook.commands.recalc_stream as rs
    from addin.cli import now_arg
    from addin.workbook.commands.recalc import recalc
    from addin.workbook.files.reader import RowsReader
    from addin.workbook.files.xlsx_patch.sheet import SheetPatcher
    from bench.recalc_bench import NOW, OUT, make_book

    spent: collections.Counter = collections.Counter()

    def wrap(owner, name: str, label: str) -> None:
        fn = getattr(owner, name)

        def timed(*a, **k):
            t = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[label] += time.process_time() - t
        setattr(owner, name, timed)

    steps = [(rs, "_scan_chunk", "pass 0: layout scan and Tmall candidates"),
             (rs._TmallIndex, "caps", "Tmall pre-pass (repeat buyers' COMP-TM)"),
             (RowsReader, "read", "calamine reads (chunks and the pre-pass)"),
             (rs, "compute_rows", "compute_rows (parse, rules, texts, diff)"),
             (compute, "compute_parsed", "  the rules (engine)"),
             (compute, "output_values", "  output_values (the cells' texts)"),
             (SheetPatcher, "patch_rows", "patching the rows' XML")]
    for owner, name, label in steps:
        wrap(owner, name, label)
    src = OUT / f"cases_{args.rows}.xlsx"
    if not src.exists():
        make_book(src, args.rows)
    now = now_arg(NOW)
    with tempfile.TemporaryDirectory(prefix="aftersales-phases-") as tmp:
        book = src
        if args.case == "again":
            book = Path(tmp) / "again.xlsx"
            recalc(src, book, now=now, workers=1)
            spent.clear()
        t = time.process_time()
        recalc(book, Path(tmp) / "out.xlsx", now=now, workers=1)
        total = time.process_time() - t
    print(f"{args.rows:,} rows, {args.case}: {total:.2f} s CPU in one process")
    print("| step | CPU s | share |")
    print("| --- | ---: | ---: |")
    for _, _, label in steps:
        print(f"| {label} | {spent[label]:.2f} | {100 * spent[label] / total:.0f} % |")


if __name__ == "__main__":
    main()
