"""Benchmark: patch 8 computed columns of a 100k x 20 sheet, vs an openpyxl load+save round trip.

    python bench/patch_bench.py [--rows 100000] [--skip-openpyxl]

Half of the edited columns already hold values (overwrite), half are blank in the source (cells are
created), which is what the first and later recalculations of a staff workbook look like.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from decimal import Decimal

import openpyxl

from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook

COLS = 20  # A..L inputs; M..T computed (edited): M..P hold old values, Q..T are still blank


def build(path: str, rows: int) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("案件")
    ws.append([f"列{c}" for c in range(1, COLS + 1)])
    start = dt.datetime(2026, 1, 1, 9, 30)
    for r in range(2, rows + 2):
        row = [f"TB{r:09d}", "淘宝", "延迟发货", r % 500 + 0.5, start + dt.timedelta(minutes=r), r,
               f"买家{r % 97}", "备注文字", r * 3, "北京", True, r / 7]
        row += [f"old{r}", r * 0.1, "旧", r] + [None] * 4
        ws.append(row)
    wb.save(path)


def edits(rows: int) -> dict[str, SheetEdit]:
    """Per-row values, mostly distinct (like real computed columns), so no cache flatters the result."""
    cells = {}
    statuses = ("待处理", "已生成", "需审批")
    start = dt.datetime(2026, 2, 1, 10, 0)
    for r in range(2, rows + 2):
        cells[(r, 13)] = f"赔付¥{r % 50}"
        cells[(r, 14)] = Decimal(r % 100_000) / 100
        cells[(r, 15)] = f"亲，订单TB{r:09d}的补偿已处理 <退款> & 感谢"
        cells[(r, 16)] = r * 2
        cells[(r, 17)] = start + dt.timedelta(minutes=r)
        cells[(r, 18)] = statuses[r % 3]
        cells[(r, 19)] = r / 7
        cells[(r, 20)] = r % 3 == 0
    return {"案件": SheetEdit(cells)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--skip-openpyxl", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "cases.xlsx")
        t = time.perf_counter()
        build(src, args.rows)
        print(f"built {args.rows} x {COLS} in {time.perf_counter() - t:.1f} s ({os.path.getsize(src) / 1e6:.1f} MB)")
        e = edits(args.rows)
        dst = os.path.join(tmp, "patched.xlsx")
        t = time.perf_counter()
        report = patch_workbook(src, dst, e)
        print(f"patch_workbook: {time.perf_counter() - t:.2f} s ({report.cells_written} cells, "
              f"{os.path.getsize(dst) / 1e6:.1f} MB)")
        t = time.perf_counter()
        patch_workbook(dst, dst, e)
        print(f"patch_workbook again, in place (all cells exist now): {time.perf_counter() - t:.2f} s")
        if not args.skip_openpyxl:
            t = time.perf_counter()
            wb = openpyxl.load_workbook(src)
            wb.save(os.path.join(tmp, "openpyxl.xlsx"))
            print(f"openpyxl load+save (no edits): {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
