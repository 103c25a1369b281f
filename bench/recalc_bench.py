"""Benchmark: `aftersales recalc` vs an openpyxl load+save of the same workbook, at 10k and 100k rows.

Prints wall time and peak memory of each (each measured in a fresh process) and the ratio.
Goal (issue #2): 100k rows end to end under 5 s on a 2-core machine, at least 8x faster than openpyxl.

    python bench/recalc_bench.py [--rows 10000 100000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RECALC = """
import json, resource, sys, time, datetime as dt
t = time.perf_counter()
from addin.workbook.recalc import recalc
s = recalc(sys.argv[1], sys.argv[2], now=dt.datetime(2026, 10, 1, 12))
print(json.dumps({"seconds": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": s.rows, "errors": s.errors, "cells": s.cells_written}))
"""
OPENPYXL = """
import json, resource, sys, time
t = time.perf_counter()
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
wb.save(sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_book(path: Path, n: int) -> None:
    """A case workbook with n rows, written in openpyxl's streaming mode (fast, low memory)."""
    from openpyxl import Workbook

    from addin.demo import bulk_rows
    from addin.workbook.template import case_columns

    columns = case_columns()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("案件")
    ws.append([c.header for c in columns])
    keys = [c.key for c in columns]
    for row in bulk_rows(n):
        ws.append([row.get(k) for k in keys])
    wb.save(path)


def run(script: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--keep", help="keep the generated files in this folder")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="recalc_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>8} {'recalc s':>9} {'recalc MB':>10} {'openpyxl s':>11} {'openpyxl MB':>12} {'speed-up':>9}")
    for n in args.rows:
        src = folder / f"cases_{n}.xlsx"
        t = time.perf_counter()
        make_book(src, n)
        built = time.perf_counter() - t
        ours = run(RECALC, str(src), str(folder / f"recalc_{n}.xlsx"))
        theirs = run(OPENPYXL, str(src), str(folder / f"openpyxl_{n}.xlsx"))
        print(f"{n:>8} {ours['seconds']:>9.2f} {ours['rss_mb']:>10.0f} {theirs['seconds']:>11.2f} "
              f"{theirs['rss_mb']:>12.0f} {theirs['seconds'] / ours['seconds']:>8.1f}x"
              f"   (file {src.stat().st_size / 1e6:.1f} MB built in {built:.1f} s; {ours['rows']} rows, "
              f"{ours['errors']} with errors, {ours['cells']} cells written)")


if __name__ == "__main__":
    main()
