"""`aftersales`: the headless command line. Works on any machine, with or without Excel.

Every failure is one line in Chinese and English on stderr and exit code 2, never a traceback
(set AFTERSALES_DEBUG=1 to see one for an unexpected error).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import traceback
from pathlib import Path

from addin.workbook.recalc import recalc, stderr_progress
from addin.workbook.reader import WorkbookReadError
from addin.workbook.session import BookError
from addin.workbook.xlsx_patch import PatchError

WAIT_DEFAULT = 30.0   # seconds recalc/texts wait for another run of ours on the same book


def _now(text: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(text) if text else dt.datetime.now().replace(microsecond=0)


def cmd_recalc(args) -> int:
    started = time.perf_counter()
    progress = None if args.quiet else stderr_progress("计算 computing")
    summary = recalc(args.book, args.out, now=_now(args.now), progress=progress, wait=args.wait)
    for line in summary.lines():
        print(line)
    print(f"已写入 written: {args.out or args.book}   用时 time: {time.perf_counter() - started:.2f} s")
    return 0


def cmd_texts(args) -> int:
    from addin.workbook.texts import generate_texts

    n = generate_texts(args.book, args.out, now=_now(args.now), wait=args.wait)
    print(f"行数 rows: {n['rows']}   回复 replies: {n['replies']}   短信 SMS: {n['sms']}   "
          f"可发送 ready: {n['ready']}   有错误 with errors: {n['errors']}")
    if n.get("totals_rows"):
        print(f"合计行未改动 totals rows left alone: {n['totals_rows']}")
    if n.get("formulas_kept"):
        print(f"公式未覆盖 formulas kept in text columns: {n['formulas_kept']}")
    print(f"已写入 written: {args.out or args.book} (案件 + 发送队列)")
    return 0


def cmd_outbox(args) -> int:
    from addin.workbook.texts import export_outbox

    n = export_outbox(args.book, args.csv, fmt=args.format, now=_now(args.now))
    print(f"已导出 exported: {n} 条通过校验的短信 SMS that passed the checks -> {args.csv}")
    return 0


def cmd_new_workbook(args) -> int:
    from addin.excel.template import new_workbook

    if Path(args.path).exists() and not args.force:
        print(f"错误 error: 文件已存在 / file exists: {args.path} (--force to overwrite)", file=sys.stderr)
        return 2
    print(f"新工作簿 new workbook: {new_workbook(args.path)}")
    return 0


def cmd_demo(args) -> int:
    from addin.demo import sample_rows
    from addin.workbook.template import build_workbook
    from addin.workbook.texts import export_outbox

    path = build_workbook(Path(args.out), sample_rows())
    print(f"示例工作簿 sample workbook: {path}")
    args.book, args.out, args.wait = str(path), None, WAIT_DEFAULT
    cmd_recalc(args)
    cmd_texts(args)
    csv_path = path.with_name(path.stem + "_outbox.csv")
    n = export_outbox(path, csv_path, now=_now(args.now))
    print(f"短信上传文件 SMS upload file: {csv_path} ({n} 条 messages)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aftersales", description="售后助手: 赔偿 / 时限 / 运费 / 回复与短信 (after-sales rules engine and mail merge)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("recalc", help="重新计算工作簿中的所有案件 / recalculate every case row")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--out", help="write here instead of updating the book in place")
    p.add_argument("--now", help="'now' for the due-within-24h count, ISO format (default: the clock)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--wait", type=float, default=WAIT_DEFAULT, metavar="SECONDS",
                   help=f"wait this long for another aftersales run on the same book (default {WAIT_DEFAULT:g})")
    p.set_defaults(func=cmd_recalc)

    p = sub.add_parser("texts", help="生成评价回复与短信并校验 / render review replies and SMS, check them, fill 发送队列")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--out", help="write here instead of updating the book in place")
    p.add_argument("--now", help="ISO time used as 'now' for send windows (default: the clock)")
    p.add_argument("--wait", type=float, default=WAIT_DEFAULT, metavar="SECONDS",
                   help=f"wait this long for another aftersales run on the same book (default {WAIT_DEFAULT:g})")
    p.set_defaults(func=cmd_texts)

    p = sub.add_parser("outbox", help="导出短信上传文件(仅通过校验的) / write the bulk-SMS upload CSV (passed messages only)")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--csv", required=True, help="the CSV file to write (UTF-8 with BOM)")
    p.add_argument("--format", choices=("text", "params"), default="text",
                   help="text: phone + full text; params: phone + signature + template kind + JSON parameters")
    p.add_argument("--now", help="ISO time used as 'now' for send windows (default: the clock)")
    p.set_defaults(func=cmd_outbox)

    p = sub.add_parser("new-workbook", help="生成员工使用的 .xlsm 工作簿 / write the ready .xlsm staff start from")
    p.add_argument("path", help="e.g. 售后.xlsm")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=cmd_new_workbook)

    p = sub.add_parser("demo", help="生成示例工作簿并计算 / build a sample workbook and recalculate it")
    p.add_argument("--out", default="out/demo_cases.xlsx")
    p.add_argument("--now", help="ISO time for the due-within-24h count")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    _console_never_fails()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BookError as exc:
        return _fail(exc.zh, exc.en)
    except FileNotFoundError as exc:
        return _fail(f"找不到文件: {exc.filename}", f"file not found: {exc.filename}")
    except PermissionError as exc:
        return _fail(f"文件被占用或无权限 (是否在Excel中打开?): {exc.filename}",
                     f"file is locked or not writable (open in Excel?): {exc.filename}")
    except (PatchError, WorkbookReadError) as exc:
        return _fail(f"无法处理工作簿 (文件损坏或不是 .xlsx/.xlsm?): {exc}",
                     f"cannot process the workbook (damaged, or not .xlsx/.xlsm?): {exc}")
    except OSError as exc:
        return _fail(f"读写文件失败: {exc.filename or ''} ({exc.strerror or exc})",
                     f"reading or writing a file failed: {exc.filename or ''} ({exc.strerror or exc})")
    except KeyboardInterrupt:
        return _fail("已中断, 工作簿未改动", "interrupted; the book was not changed")
    except Exception as exc:          # a bug: still one line, and the book was not written
        if os.environ.get("AFTERSALES_DEBUG"):
            traceback.print_exc()
        return _fail(f"内部错误, 工作簿未改动 ({type(exc).__name__}: {exc}); 请报告此问题",
                     f"internal error; the book was not changed ({type(exc).__name__}: {exc}); please report it")


def _fail(zh: str, en: str) -> int:
    print(f"错误 error: {_one_line(zh)} / {_one_line(en)}", file=sys.stderr)
    return 2


def _one_line(text: str, limit: int = 1000) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


def _console_never_fails() -> None:
    """A GBK (or other legacy) console cannot show every character we print (¥, ✓...): replace those
    instead of raising UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.errors or "strict") == "strict":
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


if __name__ == "__main__":
    sys.exit(main())
