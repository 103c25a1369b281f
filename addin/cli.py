"""`aftersales`: the headless command line. Works on any machine, with or without Excel."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from addin.core.parse import CellError, to_instant
from addin.core.timeparts import china_now
from addin.workbook.importer.files import ExportFileError
from addin.workbook.recalc import RecalcError, recalc, stderr_progress
from addin.workbook.reader import WorkbookReadError
from addin.workbook.xlsx_patch import PatchError


def console_safe() -> None:
    """Never crash on the console's encoding: a GBK console or a redirected file on Chinese Windows
    (PYTHONIOENCODING=gbk/cp936) shows '?' for what it cannot encode instead of raising."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError, OSError):   # not a text stream we can reconfigure
            pass


def now_arg(text: str) -> dt.datetime:
    """--now: the spellings a date cell accepts, and a time-zone offset (converted to China time)."""
    try:
        return to_instant(text)
    except CellError as exc:
        raise argparse.ArgumentTypeError(f"{exc.zh} / {exc.en}") from None


def _now(value: dt.datetime | None) -> dt.datetime:
    return value or china_now()


def cmd_recalc(args) -> int:
    started = time.perf_counter()
    progress = None if args.quiet else stderr_progress("计算 computing")
    summary = recalc(args.book, args.out, now=_now(args.now), progress=progress)
    for line in summary.lines():
        print(line)
    print(f"已写入 written: {args.out or args.book}   用时 time: {time.perf_counter() - started:.2f} s")
    return 0


def cmd_texts(args) -> int:
    from addin.workbook.texts import generate_texts

    n = generate_texts(args.book, args.out, now=_now(args.now))
    print(f"行数 rows: {n['rows']}   回复 replies: {n['replies']}   短信 SMS: {n['sms']}   "
          f"可发送 ready: {n['ready']}   有错误 with errors: {n['errors']}")
    print(f"已写入 written: {args.out or args.book} (案件 + 发送队列)")
    return 0


def cmd_outbox(args) -> int:
    from addin.workbook.texts import export_outbox

    n = export_outbox(args.book, args.csv, fmt=args.format, now=_now(args.now))
    print(f"已导出 exported: {n} 条通过校验的短信 SMS that passed the checks -> {args.csv}")
    return 0


def cmd_import(args) -> int:
    from addin.workbook.importer import import_exports

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        print(f"错误 error: 找不到文件 / file not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    report = import_exports(args.book, args.files, platform=args.platform, dry_run=args.dry_run)
    for line in report.lines(dry_run=args.dry_run):
        print(line)
    if args.dry_run:
        print(f"试运行, 未写入 dry run, nothing written ({report.cells} 个单元格会改变 cells would change)")
    elif report.written:
        print(f"已写入 written: {args.book} (案件, {report.cells} 个单元格 cells)   "
              f"下一步 next: aftersales recalc {args.book}")
    else:
        print(f"无变化, 文件未改动 nothing changed, {args.book} not written")
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
    args.book, args.out = str(path), None
    cmd_recalc(args)
    cmd_texts(args)
    csv_path = path.with_name(path.stem + "_outbox.csv")
    n = export_outbox(path, csv_path, now=_now(args.now))
    print(f"短信上传文件 SMS upload file: {csv_path} ({n} 条 messages)")
    return 0


NOW_HELP = ("'now' in China time for due-within-24h and send windows: 2026-11-23 10:00, 2026年11月23日 10时, "
            "or ISO with an offset such as 2026-11-23T02:00+00:00 (default: the clock)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aftersales", description="售后助手: 赔偿 / 时限 / 运费 / 回复与短信 (after-sales rules engine and mail merge)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("recalc", help="重新计算工作簿中的所有案件 / recalculate every case row")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--out", help="write here instead of updating the book in place")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_recalc)

    p = sub.add_parser("texts", help="生成评价回复与短信并校验 / render review replies and SMS, check them, fill 发送队列")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--out", help="write here instead of updating the book in place")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    p.set_defaults(func=cmd_texts)

    p = sub.add_parser("outbox", help="导出短信上传文件(仅通过校验的) / write the bulk-SMS upload CSV (passed messages only)")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--csv", required=True, help="the CSV file to write (UTF-8 with BOM)")
    p.add_argument("--format", choices=("text", "params"), default="text",
                   help="text: phone + full text; params: phone + signature + template kind + JSON parameters")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    p.set_defaults(func=cmd_outbox)

    p = sub.add_parser("import", help="导入平台的售后/退款导出表 / import the platforms' after-sales or refund exports")
    p.add_argument("book", help=".xlsx or .xlsm with a 案件 sheet")
    p.add_argument("files", nargs="+", help=".csv (UTF-8, GBK, UTF-16), .xlsx or .xls as downloaded from 千牛, 京麦 or 拼多多")
    p.add_argument("--platform", default="auto", help="auto (from the file) | 淘宝 | 天猫 | 京东 | 拼多多")
    p.add_argument("--dry-run", action="store_true", help="show what would be added/updated/refused, write nothing")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("new-workbook", help="生成员工使用的 .xlsm 工作簿 / write the ready .xlsm staff start from")
    p.add_argument("path", help="e.g. 售后.xlsm")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=cmd_new_workbook)

    p = sub.add_parser("demo", help="生成示例工作簿并计算 / build a sample workbook and recalculate it")
    p.add_argument("--out", default="out/demo_cases.xlsx")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    console_safe()
    args = build_parser().parse_args(argv)
    book = getattr(args, "book", None)
    if book is not None and not Path(book).is_file():
        print(f"错误 error: 找不到文件 / file not found: {book}", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except ExportFileError as exc:
        print(f"错误 error: {exc.zh} / {exc.en}", file=sys.stderr)
        return 2
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
    except (PatchError, WorkbookReadError) as exc:
        print(f"错误 error: 无法处理工作簿(文件损坏或不是 .xlsx/.xlsm?) / cannot process the workbook "
              f"(damaged, or not .xlsx/.xlsm?): {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
