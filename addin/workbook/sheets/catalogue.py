"""Every sheet of the staff workbook in one place: the name a new workbook gives it, the names it is
found by (staff may rename a sheet within these; matched after normalise_header), and, where the
sheet has a fixed one, its header row. Other modules take the names from here, never as literals."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Sheet:
    name: str                          # as a new workbook names it
    aliases: tuple[str, ...]           # every name it is found by, normalised (lower case)
    header: tuple[str, ...] = ()       # the header row, where the sheet has a fixed one


CASES = Sheet("案件", ("案件", "cases", "case", "售后", "售后案件"))
POLICY = Sheet("规则", ("规则", "policy", "rules"),
               ("参数ID", "名称", "值", "默认值", "来源", "分歧时的备选", "来源编号"))
CALENDAR = Sheet("日历", ("日历", "calendar", "节假日", "holidays"), ("日期", "类型", "年份", "名称", "来源"))
REASON_MAP = Sheet("原因对照", ("原因对照", "reasons", "reason map"), ("平台", "原因文字", "售后类型", "对应原因", "说明"))
TEMPLATES = Sheet("模板", ("模板", "templates"))          # header: vendor_template_sheet.TEMPLATE_HEADER
OUTBOX = Sheet("发送队列", ("发送队列", "outbox"),
               ("订单号", "手机号", "短信类型", "短信内容", "字数", "条数", "计划发送时间", "校验结果", "说明", "案件行"))
SEND_LOG = Sheet("发送记录", ("发送记录", "send log", "sendlog"))     # header: send_log.LOG_HEADER
OPTOUT = Sheet("退订名单", ("退订名单", "opt-out", "optout"), ("手机号", "退订时间", "来源"))
ACTIVITY_LOG = Sheet("日志", ("日志", "log"),                          # one line per button click
                     ("时间", "操作人", "操作", "行数", "错误行", "规则版本", "说明"))
SUMMARY = Sheet("汇总", ("汇总", "summary"))
GUIDE = Sheet("使用说明", ("使用说明", "guide"))
TODO = Sheet("今日待办", ("今日待办", "todo", "today"))             # rebuilt by every recalc (sheets/todo_sheet.py)
ARCHIVE = Sheet("归档", ("归档", "archive"))                          # finished cases moved off 案件 (commands/archive.py)
IMPORT = Sheet("导入", ("导入", "import", "粘贴导入"))                  # a platform export pasted in, header included
# Hidden: per imported case, what the last import took from the export (commands/importer/record.py)
IMPORT_RECORD = Sheet("导入记录", ("导入记录", "import record"), ("订单号", "退款编号"))
XLWINGS_CONF = Sheet("xlwings.conf", ("xlwings.conf",))

# The header of the csv a bulk-SMS console takes (`outbox --format csv`).
UPLOAD_HEADER = ("手机号码", "短信内容", "计划发送时间", "订单号")

CASE_SHEET_NAMES = CASES.aliases
POLICY_SHEET_NAMES = POLICY.aliases
CALENDAR_SHEET_NAMES = CALENDAR.aliases
REASON_SHEET_NAMES = REASON_MAP.aliases
TEMPLATE_SHEET_NAMES = TEMPLATES.aliases
OUTBOX_SHEET_NAMES = OUTBOX.aliases
LOG_SHEET_NAMES = SEND_LOG.aliases
OPTOUT_SHEET_NAMES = OPTOUT.aliases
ACTIVITY_LOG_SHEET_NAMES = ACTIVITY_LOG.aliases


def normalise_header(text) -> str:
    """'  赔偿金额（手工） ' -> '赔偿金额(手工)'; case, spaces and full-width brackets do not matter."""
    if text is None:
        return ""
    s = str(text).strip().lower().replace("（", "(").replace("）", ")").replace("：", ":")
    s = re.sub(r"[\s_]+", " ", s)
    s = re.sub(r"\s*([()])\s*", r"\1", s)
    s = re.sub(r"\((元|rmb|cny)\)$", "", s)        # exports' unit suffix: 退款金额(元) is 退款金额
    return s.replace("*", "").strip()


def find_sheet(names: list[str], wanted: tuple[str, ...]) -> str | None:
    """The first of `names` whose normalised form is among `wanted` (a sheet's aliases), in `wanted`'s order."""
    by_norm = {normalise_header(n): n for n in names}
    for w in wanted:
        if w in by_norm:
            return by_norm[w]
    return None
