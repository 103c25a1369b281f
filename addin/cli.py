"""`aftersales`: the headless command line. Works on any machine, with or without Excel."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from addin.workbook.recalc import RecalcError, recalc, stderr_progress


def _now(text: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(text) if text else dt.datetime.now().replace(microsecond=0)


def cmd_recalc(args) -> int:
    started = time.perf_counter()
    progress = None if args.quiet else stderr_progress("计算 computing")
    summary = recalc(args.book, args.out, now=_now(args.now), progress=progress)
    for line in summary.lines():
        print(line)
    print(f"已写入 written: {args.out or args.book}   用时 time: {time.perf_counter() - started:.2f} s")
    return 0


def cmd_demo(args) -> int:
    from addin.demo import sample_rows
    from addin.workbook.template import build_workbook

    path = build_workbook(Path(args.out), sample_rows())
    print(f"示例工作簿 sample workbook: {path}")
    args.book, args.out = str(path), None
    return cmd_recalc(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aftersales", description="售后计算: 赔偿 / 时限 / 运费 (after-sales rules engine)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("recalc", help="重新计算工作簿中的所有案件 / recalculate every case row")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--out", help="write here instead of updating the book in place")
    p.add_argument("--now", help="'now' for the due-within-24h count, ISO format (default: the clock)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_recalc)

    p = sub.add_parser("demo", help="生成示例工作簿并计算 / build a sample workbook and recalculate it")
    p.add_argument("--out", default="out/demo_cases.xlsx")
    p.add_argument("--now", help="ISO time for the due-within-24h count")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except RecalcError as exc:
        print(f"错误 error: {exc.zh}\n{exc.en}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"错误 error: 找不到文件 / file not found: {exc.filename}", file=sys.stderr)
        return 2
    except PermissionError as exc:
        print(f"错误 error: 文件被占用或无权限(是否在Excel中打开?) / file is locked or not writable "
              f"(open in Excel?): {exc.filename}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
