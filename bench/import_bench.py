"""Benchmark: `aftersales import` of a 千牛-shaped GBK refund report into a new workbook, and again (the
daily re-import, nothing changes); then, after a recalc of that book, again (the re-import then reads
the computed columns too). Each run in-process, best of --repeat, CPU seconds (user + system of the
process and any it started; wall seconds in brackets); the export and the workbook are generated once
into bench/out/.

    python bench/import_bench.py [--rows 5000 20000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"

HEAD = ["订单编号", "退款编号", "支付宝交易号", "订单付款时间", "商品编码", "退款完结时间", "买家实际支付金额", "宝贝标题",
        "买家退款金额", "手工退款/系统退款", "是否需要退货", "退款的申请时间", "超时时间", "退款状态", "货物状态",
        "发货物流信息", "客服介入状态", "卖家真实姓名", "买家退款原因", "买家退款说明", "部分退款/全部退款", "买家会员名称",
        "退货物流单号", "买家退货时间"]
STATUSES = ("买家已经申请退款，等待卖家同意", "卖家已经同意退款，等待买家退货", "买家已经退货，等待卖家确认收货",
            "卖家拒绝退款", "退款成功", "退款关闭")
REASONS = ("七天无理由退换货", "少件/漏发", "包装/商品破损/污渍", "质量问题", "材质面料与商品描述不符", "未按约定时间发货")


def export(path: Path, rows: int) -> Path:
    base = dt.datetime(2026, 10, 1, 9, 0)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEAD)
    for i in range(rows):
        t = base + dt.timedelta(minutes=7 * i % 20000)
        line = dict.fromkeys(HEAD, "")
        line.update({"订单编号": f'="{3000200000000000000 + i}"', "退款编号": f'="{180000000000000000 + i}"',
                     "订单付款时间": (t - dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S"),
                     "买家实际支付金额": f"{50 + i % 300}.00", "宝贝标题": "加厚保暖袜 5双装",
                     "买家退款金额": f"{20 + i % 50}.00", "是否需要退货": "是" if i % 2 else "否",
                     "退款的申请时间": t.strftime("%Y-%m-%d %H:%M:%S"),
                     "超时时间": (t + dt.timedelta(days=5)).strftime("%Y-%m-%d %H:%M:%S"),
                     "退款状态": STATUSES[i % 6], "货物状态": "买家已收到货", "买家退款原因": REASONS[i % 6],
                     "买家会员名称": f"tb_{i % 997}"})
        w.writerow([line[h] for h in HEAD])
    path.write_bytes(buf.getvalue().encode("gb18030"))
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[5000, 20000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from addin.workbook.commands.importer import import_exports
    from addin.workbook.sheets.new_book import build_workbook

    OUT.mkdir(parents=True, exist_ok=True)
    blank = build_workbook(OUT / "import_blank.xlsx", today=dt.date(2026, 10, 1))
    from addin.workbook.commands.recalc import recalc
    print(f"{'rows':>7} {'first import CPU s':>20} {'re-import CPU s':>17} {'ratio':>6} "
          f"{'after recalc CPU s':>20} {'ratio':>6}")
    for rows in args.rows:
        src = export(OUT / f"qianniu_{rows}.csv", rows)
        first, again, recalced = [], [], []
        for _ in range(args.repeat):
            book = OUT / f"import_{rows}.xlsx"
            shutil.copy(blank, book)
            first.append(_timed(lambda: import_exports(book, [src], platform="天猫")))
            again.append(_timed(lambda: import_exports(book, [src], platform="天猫")))
            recalc(book, now=dt.datetime(2026, 10, 12, 10, 0))
            recalced.append(_timed(lambda: import_exports(book, [src], platform="天猫")))
        (cpu1, wall1), (cpu2, wall2), (cpu3, wall3) = min(first), min(again), min(recalced)
        print(f"{rows:>7} {cpu1:>11.2f} ({wall1:.2f}) {cpu2:>9.2f} ({wall2:.2f}) {cpu2 / cpu1:>6.2f} "
              f"{cpu3:>12.2f} ({wall3:.2f}) {cpu3 / cpu1:>6.2f}")


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _timed(run) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run."""
    cpu, wall = _cpu(), time.perf_counter()
    run()
    return _cpu() - cpu, time.perf_counter() - wall


if __name__ == "__main__":
    main()
