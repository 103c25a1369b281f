"""`aftersales`: the headless command line. Works on any machine, with or without Excel.

Every failure is one line in Chinese and English on stderr and exit code 2, never a traceback
(set AFTERSALES_DEBUG=1 to see one for an unexpected error).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

from addin.workbook.commands.outbox_formats import FORMATS

# Each command imports its own modules when it runs (recalc never loads the mail merge and Jinja2), so
# `aftersales --help` and a parse error cost only argparse. tests/test_cli.py checks what gets imported.

WAIT_DEFAULT = 30.0   # seconds a command waits for another run of ours on the same book


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
    from addin.core.parse import CellError, to_instant

    try:
        return to_instant(text)
    except CellError as exc:
        raise argparse.ArgumentTypeError(f"{exc.zh} / {exc.en}") from None


def stderr_progress(label: str) -> Callable[[int, int], None]:
    """A one-line progress bar on stderr (redrawn in place on a terminal, milestones otherwise)."""
    tty = sys.stderr.isatty()
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = 100 if total == 0 else done * 100 // total
        if tty:
            bar = "█" * (pct // 4) + "·" * (25 - pct // 4)
            sys.stderr.write(f"\r{label} [{bar}] {done}/{total}")
            if done >= total:
                sys.stderr.write("\n")
        elif pct // 25 != last[0] // 25 or done >= total:
            sys.stderr.write(f"{label}: {done}/{total} ({pct}%)\n")
        last[0] = pct
        sys.stderr.flush()
    return show


def _now(value: dt.datetime | None) -> dt.datetime:
    if value:
        return value
    from addin.core.timeparts import china_now

    return china_now()


def out_path(book: str, out: str | None) -> str | None:
    """--out: a file, or a folder (a path ending in / or \\) to write BOOK's name into. An existing folder
    named without the slash stays a clean refusal (the session's), so a typo never lands in a folder."""
    if out is None:
        return None
    if out.endswith(("/", "\\", os.sep)):
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / Path(book).name)
    return out


def written_line(written: bool, target: str, extra: str = "") -> str:
    """已写入 only when the file changed; 未改动 when the run left it byte for byte as it was."""
    if written:
        return f"已写入 written: {target}{extra}"
    return f"未改动 unchanged: {target} (没有需要写入的变化 nothing to write){extra}"


def cmd_recalc(args) -> int:
    from addin.workbook.commands.recalc import recalc

    started = time.perf_counter()
    progress = None if args.quiet else stderr_progress("计算 computing")
    out = out_path(args.book, args.out)
    summary = recalc(args.book, out, now=_now(args.now), progress=progress, wait=args.wait)
    for line in summary.lines():
        print(line)
    print(written_line(summary.written or out is not None, out or args.book,
                       f"   用时 time: {time.perf_counter() - started:.2f} s"))
    return 0


def cmd_texts(args) -> int:
    from addin.workbook.commands.texts import generate_texts

    args.out = out_path(args.book, args.out)
    n = generate_texts(args.book, args.out, now=_now(args.now), wait=args.wait)
    print(f"行数 rows: {n['rows']}   回复 replies: {n['replies']}   短信 SMS: {n['sms']}   "
          f"可发送 ready: {n['ready']}   有错误 with errors: {n['errors']}")
    if n.get("totals_rows"):
        print(f"合计行未改动 totals rows left alone: {n['totals_rows']}")
    if n.get("formulas_kept"):
        print(f"公式未覆盖 formulas kept in text columns: {n['formulas_kept']}")
    print(f"已写入 written: {args.out or args.book} (案件 + 发送队列)")
    return 0


def cmd_run(args) -> int:
    from addin.workbook.commands.run import run_book

    started = time.perf_counter()
    progress = None if args.quiet else stderr_progress("计算 computing")
    args.out = out_path(args.book, args.out)
    report = run_book(args.book, args.out, now=_now(args.now), fmt=args.format, outbox_dir=args.outbox,
                      resend=args.resend, wait=args.wait, progress=progress)
    for line in report.summary.lines():
        print(line)
    n = report.texts
    print(f"回复与短信 texts: 行数 rows {n['rows']}   回复 replies {n['replies']}   短信 SMS {n['sms']}   "
          f"可发送 ready {n['ready']}   有错误 with errors {n['errors']}")
    out = report.outbox
    print(f"导出 export: 批次 batch {out.batch}   格式 format {out.fmt}   已导出 exported {out.exported}")
    for path in out.files:
        print(f"  -> {path}")
    _print_selection(out.selection)
    if not report.written:
        error = report.log_error
        print(f"错误 error: {_one_line(error.zh)}; 短信文件已写出, 发送记录暂存在 {report.journal}, 下次运行时写入 / "
              f"{_one_line(error.en)}; the SMS files were written and their send log is kept in {report.journal} "
              f"for the next run", file=sys.stderr)
        return 2
    print(f"已写入 written: {args.out or args.book} (案件 + 发送队列 + 发送记录)   "
          f"用时 time: {time.perf_counter() - started:.2f} s")
    return 0


def cmd_outbox(args) -> int:
    from addin.workbook.commands.outbox import export_outbox

    fmt = args.format
    report = export_outbox(args.book, args.out, fmt=fmt, now=_now(args.now), resend=args.resend, wait=args.wait,
                           retry_failed=args.retry_failed)
    print(f"批次 batch: {report.batch}   格式 format: {fmt}")
    print(f"已导出 exported: {report.exported} 条通过校验的短信 SMS that passed the checks")
    for path in report.files:
        print(f"  -> {path}")
    _print_selection(report.selection)
    _print_log_state(report, args.book)
    return 0


def _print_selection(sel) -> None:
    if sel.moved:
        print(f"顺延 moved: {sel.moved} 条不在发送时段, 已顺延到下一时段 (见文件名中的定时) / outside the send window, "
              f"moved to the next window start (see 定时 in the file name)")
    if sel.stale:
        rows = ", ".join(f"{r}行({t:%m-%d %H:%M})" for r, t in sel.stale[:10])
        print(f"未导出 not exported: {len(sel.stale)} 条计划时间已过 / planned time has passed: {rows}")
    if sel.no_template:
        rows = ", ".join(str(r) for r in sel.no_template[:20])
        print(f"未导出 not exported: {len(sel.no_template)} 条没有审核通过的模板(模板CODE), 只能导出 csv / no approved "
              f"template for the kind, csv only: 行 rows {rows}")
    if sel.already:
        print(f"跳过 skipped: {len(sel.already)} 条已导出或已发送 (--resend 可重发) / already exported or sent "
              f"(--resend to send again)")
    if getattr(sel, "failed", None):
        rows = ", ".join(str(r) for r, _ in sel.failed[:20])
        print(f"跳过 skipped: {len(sel.failed)} 条上次发送失败 (见发送记录和案件的短信状态; --retry-failed 可重发) / "
              f"failed last time (see the send log; --retry-failed to send again): 行 rows {rows}")


def _print_log_state(report, book) -> None:
    """Where the 发送记录 entries went: the sheet, or (the book could not be written) the journal."""
    error = report.log_error
    if error is not None:
        print(f"警告 warning: {_one_line(error.zh)}; 发送记录暂存在 {report.journal}, 下次运行时写入 / "
              f"{_one_line(error.en)}; the send log is kept in {report.journal} and written on the next run",
              file=sys.stderr)
    elif report.log_written:
        print(f"发送记录 send log: 已写入 written to {book} (发送记录)")
    else:
        print(f"发送记录 send log: 无新记录, 工作簿未改动 the book is unchanged: {book}")


def cmd_send(args) -> int:
    from addin.workbook.commands.sms_send import send_book

    if not (args.dry_run or args.yes):
        print("错误 error: 请选择 --dry-run (只预览) 或 --yes (真的发送) / choose --dry-run (preview) or --yes (send)",
              file=sys.stderr)
        return 2
    report = send_book(args.book, now=_now(args.now), dry_run=args.dry_run, resend=args.resend,
                       endpoint=args.endpoint, wait=args.wait)
    numbers = sum(len(json.loads(b["PhoneNumberJson"])) for b in report.requests)
    print(f"批次 batch: {report.batch}   请求 requests: {len(report.requests)}   号码 numbers: {numbers}")
    for body in report.requests[:20]:
        print(f"  SendBatchSms TemplateCode={body['TemplateCode']} 号码 numbers={len(json.loads(body['PhoneNumberJson']))}")
    if report.later:
        print(f"未到时间 not due yet: {len(report.later)} 条, 到时再运行 / run again then: "
              + ", ".join(f"{r}行({t:%m-%d %H:%M})" for r, t in report.later[:10]))
    _print_selection(report.selection)
    if report.dry_run:
        print("预览 dry run: 没有发送, 也没有写入 / nothing sent, nothing written")
        return 0
    print(f"已发送 sent: {report.count('已发送')}   失败 failed: {report.count('失败')}   "
          f"未确认 unconfirmed: {report.count('未确认')}")
    for body, outcome in zip(report.requests, report.outcomes):
        if outcome.status != "已发送":
            print(f"  {body['TemplateCode']}: {outcome.status} {outcome.code}")
    _print_log_state(report, args.book)
    return 0 if all(o.status == "已发送" for o in report.outcomes) else 1


def cmd_receipts(args) -> int:
    from addin.workbook.commands.receipts import import_receipts

    if bool(args.file) == bool(args.from_sheet):
        print("错误 error: 请给出回执文件, 或用 --from-sheet 读取「导入」表中粘贴的回执 (二选一) / give the receipt file "
              "or --from-sheet, one of the two", file=sys.stderr)
        return 2
    if args.file and not Path(args.file).is_file():
        print(f"错误 error: 找不到文件 / file not found: {args.file}", file=sys.stderr)
        return 2
    report = import_receipts(args.book, args.file, wait=args.wait, now=_now(args.now))
    print(f"回执行数 receipt rows: {report.rows}   匹配 matched: {report.matched}   更新 updated: {report.updated}")
    if report.unknown:
        rows = ", ".join(f"{r}行 {p}" for r, p in report.unknown[:20])
        print(f"未匹配 unknown: {len(report.unknown)} 条在发送记录中没有, 已作为新行记入 / not in the send log, added "
              f"as new rows: {rows}")
    if report.case_rows:
        print(f"案件 cases: {report.case_rows} 行的短信状态已更新 / rows whose 短信状态 changed")
    if report.opted_out:
        print(f"退订名单 opt-outs: 已加入 added {len(report.opted_out)} 个号码 numbers: {', '.join(report.opted_out[:20])}")
    if report.skipped:
        rows = ", ".join(f"{r}行 {why}" for r, why in report.skipped[:20])
        print(f"跳过 skipped: {len(report.skipped)} 行无法读取 / rows that cannot be read: {rows}")
    _print_log_state(report, args.book)
    return 0


def cmd_import(args) -> int:
    from addin.workbook.commands.importer import import_exports

    if not args.files and not args.from_sheet:
        print("错误 error: 请给出导出文件, 或加 --from-sheet 导入「导入」表中粘贴的内容 / give the export files, or "
              "--from-sheet for the rows pasted into the 导入 sheet", file=sys.stderr)
        return 2
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        print(f"错误 error: 找不到文件 / file not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    report = import_exports(args.book, args.files, platform=args.platform, dry_run=args.dry_run, wait=args.wait,
                            from_sheet=args.from_sheet, export_wins=args.export_wins)
    for line in report.lines(dry_run=args.dry_run):
        print(line)
    if args.dry_run:
        print(f"试运行, 未写入 dry run, nothing written ({report.cells} 个单元格会改变 cells would change)")
    elif report.written:
        print(f"已写入 written: {args.book} (案件 {report.cells} 个单元格 cells, 导入记录 import record "
              f"{report.record_cells})   "
              f"下一步 next: aftersales recalc {args.book}")
    else:
        print(f"无变化, 文件未改动 nothing changed, {args.book} not written")
    if args.from_sheet:
        print("「导入」表的内容保留 (再次导入不会重复); 粘贴下一份导出前请先清空该表 / the 导入 sheet is kept (importing it "
              "again adds nothing); clear it before pasting the next export")
    return 0


def cmd_archive(args) -> int:
    from addin.workbook.commands.archive import archive_book

    report = archive_book(args.book, undo=args.undo, now=_now(args.now), wait=args.wait)
    rows = ", ".join(map(str, report.rows[:20])) + (" …" if len(report.rows) > 20 else "")
    if args.undo:
        print(f"移回 restored: {len(report.rows)} 个案件回到「案件」(行 rows {rows or '-'})" if report.rows else
              "没有可移回的归档批次 / nothing to restore")
    else:
        print(f"归档 archived: {len(report.rows)} 个已完结/已关闭且超过{report.days}天的案件移到「归档」"
              f"(原行 rows {rows or '-'}); 撤销 undo: aftersales archive {args.book} --undo" if report.rows else
              f"没有要归档的案件 (已完结/已关闭且超过{report.days}天) / nothing to archive")
    print(written_line(report.written, args.book))
    return 0


# new-workbook's shop settings: option -> (规则 parameter id, the question asked once in a terminal).
SHOP_OPTIONS = (
    ("shop", "SHOP.name", "店铺名 (短信签名和催付短信用; 可留空) / shop name: "),
    ("platform", "SHOP.platform", "默认平台 淘宝/天猫/京东/拼多多/抖店 (千牛报表按它区分淘宝天猫; 可留空) / default platform: "),
    ("free_shipping", "FREE.default", "全店包邮吗? 包邮/不包邮/逐行填写 (默认 逐行填写) / free shipping shop-wide: "),
)


def shop_settings(args, ask: Callable[[str], str] | None) -> dict:
    """The 规则 values new-workbook sets from --shop / --platform / --free-shipping; the ones not given are
    asked once through `ask` (input, when stdin is a terminal; None never asks: tests, CI, pipes).
    A value the parameter cannot read raises CellError (or is asked again, up to 3 times)."""
    from addin.core.parse import CellError
    from addin.core.policy import PARAMS_BY_ID

    out = {}
    for option, param_id, question in SHOP_OPTIONS:
        param = PARAMS_BY_ID[param_id]
        given = getattr(args, option, None)
        if given is not None:
            out[param_id] = param.parse(given)
            continue
        for _ in range(3 if ask else 0):
            answer = ask(question).strip()
            if not answer:
                break
            try:
                out[param_id] = param.parse(answer)
                break
            except CellError as exc:
                print(f"  {exc.zh} / {exc.en}")
    return {k: v for k, v in out.items() if v is not None}


def cmd_new_workbook(args) -> int:
    from addin.core.parse import CellError
    from addin.excel.xlsm import NotMacroName, interpreter_settings, new_workbook
    from addin.workbook.commands.summary import first_few
    from addin.workbook.files.session import new_book, open_book, same_file

    target = Path(args.path)
    if target.suffix.lower() != ".xlsm":
        exc = NotMacroName(target)
        return _fail(exc.zh, exc.en)
    carried, prepare = None, None
    if args.source:
        from addin.workbook.commands.upgrade import carry_into, read_old

        source = Path(args.source)
        if same_file(target, source):
            return _fail(f"新工作簿不能覆盖旧的: {args.path}", f"the new workbook cannot replace the old one: {args.path}")
        with open_book(source, write=False) as old:                 # only read, never written
            carried = read_old(old)
        prepare = lambda wb: carry_into(wb, carried)   # noqa: E731 - fills the new book before it is saved
    # 店铺名, 默认平台, 包邮未填时: from the options, else asked once in a terminal (never when upgrading --from:
    # the old 规则 sheet has them).
    ask = input if sys.stdin is not None and sys.stdin.isatty() and not args.source else None
    try:
        settings = shop_settings(args, ask)
    except CellError as exc:
        return _fail(f"选项值无法识别: {exc.zh}", f"cannot read an option: {exc.en}")
    if settings and prepare is not None:
        from addin.workbook.sheets.catalogue import POLICY
        from addin.workbook.sheets.new_book import set_policy_values

        carry = prepare
        prepare = lambda wb: (carry(wb), set_policy_values(wb[POLICY.name], settings))   # noqa: E731
    # An existing file is refused unless --force; overwriting one goes through the same guards as
    # every other write (not while Excel has it open, not under another run of ours).
    with new_book(target, overwrite=args.force, wait=args.wait, command="new-workbook") as tmp:
        new_workbook(tmp, carried.rows if carried else None, prepare=prepare, name=target, settings=settings)
    print(f"新工作簿 new workbook: {target}")
    if settings:
        from addin.core.policy import PARAMS_BY_ID

        print("规则 settings: " + ", ".join(f"{PARAMS_BY_ID[k].zh.split(':')[0]} {PARAMS_BY_ID[k].text(v)}"
                                           for k, v in settings.items()))
    for key, value in interpreter_settings().items():
        print(f"xlwings.conf {key}: {value}")
    if carried:
        print(f"从 from {args.source}: 案件 cases {len(carried.rows)}" + "".join(
            f", {name} {n}" for name, n in carried.changed.items()))
        if carried.staff_headers:
            print("自有列 staff columns (放在最右边 at the far right): " + ", ".join(carried.staff_headers))
        if carried.not_carried:
            print("未带到新工作簿 not carried to the new book (请在旧文件中查看 see the old file):")
            for line in carried.not_carried:
                print(f"  {line}")
        if carried.totals_rows:
            print(f"合计行未复制 totals rows not carried: {len(carried.totals_rows)} (行 rows {first_few(carried.totals_rows)})")
        if carried.left:
            print("未复制的工作表 sheets not carried (请手工复制 copy by hand if needed): " + ", ".join(carried.left))
        print(f"旧文件未改动 the old file is unchanged. 下一步 next: aftersales recalc {target}")
    return 0


def cmd_demo(args) -> int:
    from addin.demo import sample_approved, sample_rows
    from addin.workbook.commands.outbox import export_outbox
    from addin.workbook.files.session import new_book, resolve_path
    from addin.workbook.sheets.new_book import make_workbook

    path = Path(args.out)
    if resolve_path(path).exists() and not _is_demo_book(resolve_path(path)):      # a staff file given as --out is never replaced
        return _fail(f"{path} 已存在且不是示例工作簿, 示例不会覆盖它; 请换一个 --out 路径",
                     f"{path} exists and is not a sample workbook, so the demo does not replace it; "
                     f"choose another --out path")
    with new_book(path, overwrite=True, wait=WAIT_DEFAULT, command="demo") as tmp:   # the demo's own file
        wb, _ = make_workbook(sample_rows(), approved=sample_approved())
        wb.properties.keywords = DEMO_MARK
        wb.save(tmp)
    print(f"示例工作簿 sample workbook: {path} (模板CODE 为示例 SMS_示例…, 不是真实代码 / sample codes, not real ones)")
    args.book, args.out, args.wait = str(path), None, WAIT_DEFAULT
    cmd_recalc(args)
    cmd_texts(args)
    out_dir = path.with_name(path.stem + "_outbox")
    report = export_outbox(path, out_dir, fmt="aliyun-xlsx", now=_now(args.now), wait=args.wait)
    print(f"短信群发文件 bulk-SMS files: {out_dir} ({report.exported} 条 messages, {len(report.files)} 个文件 files)")
    _print_selection(report.selection)
    _print_log_state(report, path)
    # the same messages as 腾讯云 files, for shops that send there (a shop uses one vendor, so they are
    # logged once: by the 阿里云 export above)
    tencent = export_outbox(path, out_dir, fmt="tencent-xlsx", now=_now(args.now), wait=args.wait, resend=True,
                            log=False)
    print(f"腾讯云群发文件 Tencent Cloud files: {len(tencent.files)} 个文件 files ({tencent.exported} 条 messages)")
    return 0


DEMO_MARK = "aftersales-demo"          # in the demo's docProps/core.xml keywords: the file it may rebuild
DEMO_DEFAULT = "out/demo_cases.xlsx"


def _is_demo_book(path: Path) -> bool:
    """A workbook `demo` built (its mark in the document properties), or the demo's default file."""
    import zipfile
    if path.resolve() == Path(DEMO_DEFAULT).resolve():
        return True
    try:
        with zipfile.ZipFile(path) as zf:
            return DEMO_MARK.encode() in zf.read("docProps/core.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


NOW_HELP = ("'now' in China time for due-within-24h and send windows: 2026-11-23 10:00, 2026年11月23日 10时, "
            "or ISO with an offset such as 2026-11-23T02:00+00:00 (default: the clock)")


def _add_wait(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wait", type=float, default=WAIT_DEFAULT, metavar="SECONDS",
                   help=f"wait this long for another aftersales run on the same book (default {WAIT_DEFAULT:g})")


# argparse's usage errors, in Chinese (its own English follows them): the ones staff meet.
_USAGE_ZH = (
    (re.compile(r"the following arguments are required: (.*)"), r"缺少参数: \1"),
    (re.compile(r"unrecognized arguments: (.*)"), r"无法识别的参数: \1"),
    (re.compile(r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)"), r"参数 \1 的值无效: \2 (可选: \3)"),
    (re.compile(r"argument (\S+): invalid (?:int|float) value: (.*)"), r"参数 \1 需要数字: \2"),
    (re.compile(r"argument (\S+): expected one argument"), r"参数 \1 后面要跟一个值"),
)

_OUR_TYPE_ERROR = re.compile(r"argument (\S+): ([^/]*[\u4e00-\u9fff][^/]*?) / (.*)")


class _Parser(argparse.ArgumentParser):
    """A usage error is one bilingual line and exit code 2, like every other failure of a command."""

    def error(self, message: str):
        zh = en = message
        ours = _OUR_TYPE_ERROR.fullmatch(message)      # our --now reader says it in both languages already
        if ours:
            zh, en = f"参数 {ours[1]}: {ours[2]}", f"argument {ours[1]}: {ours[3]}"
        for pattern, text in () if ours else _USAGE_ZH:
            if pattern.fullmatch(message):
                zh = pattern.sub(text, message)
                break
        _fail(f"命令参数有误: {zh}; 用法见 {self.prog} --help", f"{en}; see {self.prog} --help")
        sys.exit(2)


# Each option's help, Chinese first (staff read the Chinese; the English stays after " / ").
_HELP_ZH = {'show this help message and exit': '显示本帮助后退出', '.xlsx or .xlsm': '工作簿 (.xlsx 或 .xlsm)', 'write here instead of updating the book in place': '写到这个文件或文件夹(以 / 结尾), 不改原工作簿', "'now' in China time": '「现在」(北京时间), 用于判断逾期、24小时内到期和发送时段', 'no progress bar': '不显示进度条', 'wait this long': '另一个售后助手任务在处理同一工作簿时最多等这么多秒', 'write the book here instead of updating it in place': '工作簿写到这个文件或文件夹(以 / 结尾), 不改原工作簿', 'the SMS files: aliyun-xlsx (default), aliyun-batch-json or csv': '短信文件格式', 'folder for the SMS files (default: BOOK_outbox beside the book written)': '短信文件放在这个文件夹 (默认: 工作簿旁的 BOOK_outbox)', 'export messages the send log already has again': '发送记录里已有的短信也再导出一次', 'aliyun-xlsx (default)': '文件格式', 'export again the messages whose receipt said 失败': '回执为失败的短信也再导出', 'folder for the files (default: BOOK_outbox beside the book)': '文件放在这个文件夹 (默认: 工作簿旁的 BOOK_outbox)', 'show the requests; send and write nothing': '只预览请求, 不发送也不写入', 'really send (keys from ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET)': '真的发送 (密钥取自 ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET)', 'send messages the send log already has again': '发送记录里已有的短信也再发一次', 'API endpoint (default dysmsapi.aliyuncs.com over HTTPS; http://host:port too)': '接口地址', "the vendor's 发送记录 / 回执 export, .csv or .xlsx": '短信平台导出的发送记录/回执 (.csv 或 .xlsx)', '.xlsx or .xlsm with a 案件 sheet': '有「案件」表的工作簿 (.xlsx 或 .xlsm)', '.csv (UTF-8, GBK, UTF-16), .xlsx or .xls as downloaded from 千牛, 京麦, 拼多多 or 抖店': '从千牛、京麦、拼多多或抖店下载的导出表', 'auto (from the file) | 淘宝 | 天猫 | 京东 | 拼多多 | 抖店': '平台: auto(按文件判断, 否则用「规则」表的默认平台) | 淘宝 | 天猫 | 京东 | 拼多多 | 抖店', 'show what would be added/updated/refused, write nothing': '试运行: 只显示会新增/更新/拒绝什么, 不写入', 'e.g. 售后.xlsm (must end in .xlsm: it has macros)': '例如 售后.xlsm (带宏, 须以 .xlsm 结尾)', 'overwrite an existing file (not while it is open in Excel)': '覆盖已有文件 (Excel 打开时不会覆盖)', "copy the cases (by header), the staff's own columns and the settings sheets of an existing workbook into the new layout; OLD is only read": '把旧工作簿的案件、自有列和设置表搬进新版式; 旧文件只读不改'}


def _chinese_first(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        text = action.help or ""
        if text and not re.match(r"[\u4e00-\u9fff]", text):
            zh = next((z for en, z in _HELP_ZH.items() if text.startswith(en)), None)
            if zh:
                action.help = f"{zh} / {text}"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="aftersales", description="售后助手: 赔偿 / 时限 / 运费 / 回复与短信 (after-sales rules engine and mail merge)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("recalc", help="重新计算工作簿中的所有案件 / recalculate every case row")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--out", help="write here instead of updating the book in place")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_wait(p)
    p.set_defaults(func=cmd_recalc)

    p = sub.add_parser("texts", help="生成评价回复与短信并校验 / render review replies and SMS, check them, fill 发送队列")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--out", help="write here instead of updating the book in place")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    _add_wait(p)
    p.set_defaults(func=cmd_texts)

    formats = "\n".join(f"  {name:<18} {text}" for name, text in FORMATS.items())
    p = sub.add_parser("run", help="一次完成: 重新计算 + 回复与短信 + 导出短信 / recalc, texts and outbox in one read and "
                                   "one write", formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="重新计算, 生成回复与短信, 导出可发送的短信并记入「发送记录」, 工作簿只读一次写一次 / "
                                   "recalc + texts + outbox: the book is read once and written once.\n\n"
                                   f"formats:\n{formats}")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--out", help="write the book here instead of updating it in place")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    p.add_argument("--format", choices=tuple(FORMATS), default="aliyun-xlsx",
                   help="the SMS files: aliyun-xlsx (default), aliyun-batch-json or csv")
    p.add_argument("--outbox", metavar="DIR", help="folder for the SMS files (default: BOOK_outbox beside the book written)")
    p.add_argument("--resend", action="store_true", help="export messages the send log already has again")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_wait(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("outbox", help="导出短信群发文件(仅通过校验且未到时的) / write the bulk-SMS vendor files",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="导出短信群发文件, 并把导出的短信记入「发送记录」/ write the vendor files and log "
                                   f"them in the 发送记录 sheet.\n\nformats:\n{formats}")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("--format", choices=FORMATS, default="aliyun-xlsx",
                   help="aliyun-xlsx (default), aliyun-batch-json, tencent-xlsx or csv")
    p.add_argument("--out", help="folder for the files (default: BOOK_outbox beside the book)")
    p.add_argument("--resend", action="store_true", help="export messages the send log already has again")
    p.add_argument("--retry-failed", action="store_true",
                   help="export again the messages whose receipt said 失败 (left out otherwise)")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    _add_wait(p)
    p.set_defaults(func=cmd_outbox)

    p = sub.add_parser("send", help="用阿里云短信SDK直接发送 / send with the Aliyun SMS SDK (SendBatchSms)")
    p.add_argument("book", help=".xlsx or .xlsm")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="show the requests; send and write nothing")
    mode.add_argument("--yes", action="store_true", help="really send (keys from ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET)")
    p.add_argument("--resend", action="store_true", help="send messages the send log already has again")
    p.add_argument("--endpoint", help="API endpoint (default dysmsapi.aliyuncs.com over HTTPS; http://host:port too)")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    _add_wait(p)
    p.set_defaults(func=cmd_send)

    p = sub.add_parser("receipts", help="导入短信回执/发送记录, 更新发送状态 / import the vendor's receipts into 发送记录")
    p.add_argument("book", help=".xlsx or .xlsm")
    p.add_argument("file", nargs="?", help="服务商的发送记录/回执文件 .csv 或 .xlsx / the vendor's 发送记录 / 回执 export")
    p.add_argument("--from-sheet", action="store_true",
                   help="读取工作簿「导入」表中粘贴的回执(含表头) / the receipts pasted into the book's 导入 sheet")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    _add_wait(p)
    p.set_defaults(func=cmd_receipts)

    p = sub.add_parser("import", help="导入平台的售后/退款导出表 / import the platforms' after-sales or refund exports")
    p.add_argument("book", help=".xlsx or .xlsm with a 案件 sheet")
    p.add_argument("files", nargs="*", help="千牛/京麦/拼多多/抖店下载的 .csv (UTF-8, GBK, UTF-16), .xlsx 或 .xls / the exports "
                                            "as downloaded")
    p.add_argument("--from-sheet", action="store_true",
                   help="也导入工作簿「导入」表中粘贴的导出内容(含表头; 内容保留, 再次导入不会重复) / also the rows pasted into "
                        "the book's 导入 sheet (kept; importing them again adds nothing)")
    p.add_argument("--platform", default="auto", help="auto (from the file) | 淘宝 | 天猫 | 京东 | 拼多多 | 抖店")
    p.add_argument("--dry-run", action="store_true", help="show what would be added/updated/refused, write nothing")
    p.add_argument("--export-wins", action="store_true",
                   help="人工修改过的单元格也用导出值覆盖(逐个列出) / cells staff changed since the last import "
                        "take the export's values too (each one listed)")
    _add_wait(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("archive", help="结案归档: 已完结/已关闭且超过规则表天数的案件移到「归档」, --undo 移回 / "
                                       "move finished cases to the 归档 sheet (--undo moves them back)",
                       description="把已完结/已关闭、最后一次记录超过N天(规则表 ARCH-1.days)的案件从「案件」移到「归档」, "
                                   "列相同, 另加归档时间和原行号; --undo 把最近一批移回原来的行 / move finished or "
                                   "closed cases older than N days to the 归档 sheet; --undo puts the last batch back")
    p.add_argument("book", help="工作簿 .xlsx 或 .xlsm / the workbook")
    p.add_argument("--undo", action="store_true", help="把最近一次归档的案件移回原行 / move the last batch back")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    _add_wait(p)
    p.set_defaults(func=cmd_archive)

    p = sub.add_parser("new-workbook", help="生成员工使用的 .xlsm 工作簿 / write the ready .xlsm staff start from")
    p.add_argument("path", help="e.g. 售后.xlsm (must end in .xlsm: it has macros)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file (not while it is open in Excel)")
    p.add_argument("--from", dest="source", metavar="OLD",
                   help="copy the cases (by header), the staff's own columns and the settings sheets of an existing "
                        "workbook into the new layout; OLD is only read")
    p.add_argument("--shop", help="店铺名 on the 规则 sheet: the SMS signature and reminders use it where 店铺名 is blank")
    p.add_argument("--platform", help="默认平台 on the 规则 sheet: 淘宝 | 天猫 | 京东 | 拼多多 | 抖店 (a 千牛 file is 淘宝 or 天猫)")
    p.add_argument("--free-shipping", dest="free_shipping",
                   help="包邮未填时 on the 规则 sheet: 包邮 | 不包邮 | 逐行填写 (yes | no | ask)")
    _add_wait(p)
    p.set_defaults(func=cmd_new_workbook)

    p = sub.add_parser("demo", help="生成示例工作簿并计算 / build a sample workbook and recalculate it")
    p.add_argument("--out", default=DEMO_DEFAULT, help=f"示例工作簿的位置 / where to write it (default {DEMO_DEFAULT})")
    p.add_argument("--now", type=now_arg, help=NOW_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)
    _chinese_first(parser)
    for sub_parser in sub.choices.values():
        _chinese_first(sub_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    console_safe()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return _fail("已中断; 工作簿不会处于写了一半的状态", "interrupted; the book is never left half-written")
    except Exception as exc:
        return _report(exc)


def _report(exc: Exception) -> int:
    """A failed command as one line and exit code 2: the checks in the order of the old except clauses."""
    from addin.core.errors import BilingualError

    if isinstance(exc, BilingualError):       # every error said to staff (a book, an export, a cell …)
        return _fail(exc.zh, exc.en)
    if isinstance(exc, FileNotFoundError):
        return _fail(f"找不到文件: {exc.filename}", f"file not found: {exc.filename}")
    if isinstance(exc, PermissionError):
        return _fail(f"文件被占用或无权限 (是否在Excel中打开?): {exc.filename}",
                     f"file is locked or not writable (open in Excel?): {exc.filename}")
    from addin.workbook.files.reader import WorkbookReadError
    from addin.workbook.files.xlsx_patch.edits import PatchError

    if isinstance(exc, (PatchError, WorkbookReadError)):
        return _fail(f"无法处理工作簿 (文件损坏或不是 .xlsx/.xlsm?): {exc}",
                     f"cannot process the workbook (damaged, or not .xlsx/.xlsm?): {exc}")
    if isinstance(exc, OSError):
        return _fail(f"读写文件失败: {exc.filename or ''} ({exc.strerror or exc})",
                     f"reading or writing a file failed: {exc.filename or ''} ({exc.strerror or exc})")
    # a bug: still one line, and the book was not written
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


if __name__ == "__main__":
    sys.exit(main())
