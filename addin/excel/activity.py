"""The 日志 sheet's line per button click, and the time and user it records."""
from __future__ import annotations

import datetime as dt
import getpass
import sys

from addin.core.timeparts import china_now
from addin.workbook.commands.summary import Summary
from addin.workbook.sheets.catalogue import ACTIVITY_LOG_SHEET_NAMES, find_sheet
from addin.workbook.sheets.settings import Settings

from .blocks import Block
from .book import BookIO


def current_time() -> dt.datetime:
    return china_now()


def clicked_by() -> str:
    """Who clicked, for the 日志 sheet; blank in the browser (xlwings Lite), where Pyodide reports a
    made-up "web_user" for everyone."""
    if sys.platform == "emscripten":
        return ""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on this runtime
        return ""
    return "" if user == "web_user" else user


def log_click(io: BookIO, names: list[str], action: str, s: Summary, settings: Settings, extra: list[str] = ()) -> None:
    """One line on the 日志 sheet: 时间, 操作人, 操作, 行数, 错误行, 规则版本, 说明."""
    log_sheet = find_sheet(names, ACTIVITY_LOG_SHEET_NAMES)
    if log_sheet is None:
        return
    show = settings.display
    rules = show.pair("默认", "default") if not s.policy_changes else \
        "; ".join(f"{k}={v}" for k, v in s.policy_changes.items())
    notes = [show.pair(f"写入 {s.cells_written} 格", f"{s.cells_written} cells written")]
    if s.added_columns:
        notes.append(show.pair(f"新增列: {', '.join(s.added_columns)}", f"added columns: {', '.join(s.added_columns)}"))
    notes += [show.pair(f"「{h}」列已有不是本工具写的内容, 未写入", f"the {h} column holds values this tool did not "
                                                                 f"write; not written") for h in s.skipped_columns]
    notes += settings.problem_lines(show)
    notes += extra
    row = io.last_row(log_sheet) + 1
    io.write(log_sheet, Block(row, 1, [[current_time(), clicked_by(), action, s.rows, s.errors, rules, "\n".join(notes)]]))
