"""Benchmark: `aftersales recalc` vs an openpyxl load+save of the same workbook, at 10k and 100k rows.

Prints wall time and peak memory of each (each measured in a fresh process) and the ratio, for a
freshly generated workbook and again for the recalculated one (the daily re-run).
Goal (issue #2): 100k rows end to end under 5 s on a 2-core machine, at least 8x faster than openpyxl.

    python bench/recalc_bench.py [--rows 10000 100000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# `aftersales recalc` as staff run it (the CLI entry point, quiet), timed from interpreter start
# by the caller; the child reports its own peak memory.
RECALC = """
import json, resource, sys
from addin.cli import main
code = main(["recalc", sys.argv[1], "--out", sys.argv[2], "--quiet", "--now", "2026-10-01T12:00"])
print(json.dumps({"code": code, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
OPENPYXL = """
import json, resource, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
wb.save(sys.argv[2])
print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_book(path: Path, n: int) -> None:
    """A case workbook with n rows, written in openpyxl's streaming mode (fast, low memory)."""
    from openpyxl import Workbook

    from addin.demo import bulk_rows
    from addin.workbook.layout import case_columns

    columns = case_columns()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("案件")
    ws.append([c.header for c in columns])
    keys = [c.key for c in columns]
    for row in bulk_rows(n):
        ws.append([row.get(k) for k in keys])
    wb.save(path)


def run(script: str, *args: str) -> dict:
    """Run a script in a fresh interpreter; wall time from process start to exit, and peak memory."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    # The last line is ours (the CLI's summary lines come before it).
    return {"seconds": seconds, **json.loads(out.stdout.strip().splitlines()[-1]), "stdout": out.stdout}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--keep", help="keep the generated files in this folder")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="recalc_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}. Wall time per run in a fresh process.")
    print("fresh: outputs empty (the first recalc, every output cell written); "
          "again: the recalculated file run again (the daily re-run, unchanged cells not rewritten)\n")
    print(f"{'rows':>8} {'case':>6} {'recalc s':>9} {'recalc MB':>10} {'openpyxl s':>11} {'openpyxl MB':>12} "
          f"{'speed-up':>9}  cells written")
    for n in args.rows:
        src = folder / f"cases_{n}.xlsx"
        make_book(src, n)
        done = folder / f"recalc_{n}.xlsx"
        for case, book, out in (("fresh", src, done), ("again", done, folder / f"recalc2_{n}.xlsx")):
            ours = run(RECALC, str(book), str(out))
            theirs = run(OPENPYXL, str(book), str(folder / f"openpyxl_{case}_{n}.xlsx"))
            written = next((ln.split(":")[-1].strip() for ln in ours["stdout"].splitlines() if "cells written" in ln), "?")
            print(f"{n:>8} {case:>6} {ours['seconds']:>9.2f} {ours['rss_mb']:>10.0f} {theirs['seconds']:>11.2f} "
                  f"{theirs['rss_mb']:>12.0f} {theirs['seconds'] / ours['seconds']:>8.1f}x  {written}"
                  f"  ({book.stat().st_size / 1e6:.1f} MB file)")


if __name__ == "__main__":
    main()
