"""The 今日待办 sheet: the open cases whose 下一截止 has passed or falls within 24 h, one line each in
deadline order, and under them a 交接班 summary to paste into 钉钉 or 企业微信.

Every recalc rebuilds it (the command line, whole and streamed, and the 重新计算 button) from the
TodoItems compute_rows collects (addin.workbook.commands.compute), so it lists exactly the rows whose
状态 figures count as overdue or due soon. A finished or closed case has no 下一截止 and never appears.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from addin.core.display import Display
from addin.core.todo import countdown, next_action
from addin.workbook.files.xlsx_patch import Formula, col_letter

HEADER = ("倒计时", "截止时间", "截止事项", "赔偿金额", "运费承担", "下一步", "订单号", "平台", "买家", "状态", "提醒", "案件行")
WIDTHS = (18, 17, 32, 10, 26, 44, 20, 7, 14, 9, 36, 9)
HEADER_ROW = 2           # row 1: the title with the time it was built
URGENT_LINES = 5         # urgent cases named in the 交接班 text


@dataclass
class TodoItem:
    row: int                       # the case's row on 案件
    at: dt.datetime                # 下一截止
    kind: str                      # its deadline kind id
    event: str                     # 截止事项 as the sheet shows it
    amount: Decimal | None         # what the event is about: 应退货款, else 实付金额
    compensation: Decimal | None   # 赔偿金额
    freight: str | None            # who pays which leg, e.g. 退货: 卖家
    order_id: str | None
    platform: str | None
    buyer: str | None
    status: str | None
    repeat: str | None = None      # the repeat-refunder note, if any


def _money(value) -> str:
    return f"¥{Decimal(value):,.2f}"


def event_text(item: TodoItem) -> str:
    """截止事项 with the amount it is about: 平台超时自动退款 ¥53.91."""
    return f"{item.event} {_money(item.amount)}" if item.amount else item.event


def todo_grid(items: list[TodoItem], now: dt.datetime, case_sheet: str, show: Display = Display(),
              totals=None) -> list[list]:
    """The sheet's rows from A1: title, header, one line per item (sorted by deadline), a blank row, then
    the 交接班 lines. The 案件行 cell is a HYPERLINK to the case row (a Formula with its shown text)."""
    items = sorted(items, key=lambda i: (i.at, i.row))
    title = show.pair(f"今日待办: 已逾期和24小时内到期的未结案件, 按截止时间排序 (更新于 {now:%Y-%m-%d %H:%M}, 每次重新计算时重建)",
                      f"today: open cases overdue or due within 24 h, by deadline (as of {now:%Y-%m-%d %H:%M})")
    rows: list[list] = [[title], list(HEADER)]
    sheet_ref = "'" + case_sheet.replace("'", "''") + "'"
    for it in items:
        link = Formula(f'HYPERLINK("#{sheet_ref}!A{it.row}","第{it.row}行")', f"第{it.row}行")
        rows.append([countdown(it.at, now, show), it.at, event_text(it), it.compensation, it.freight,
                     next_action(it.kind, show), it.order_id, it.platform, it.buyer, it.status, it.repeat, link])
    if not items:
        rows.append([show.pair("没有已逾期或24小时内到期的未结案件", "nothing overdue or due within 24 h")])
    rows.append([])
    rows.extend([line] for line in handover_lines(items, now, totals))
    return rows


def handover_lines(items: list[TodoItem], now: dt.datetime, totals=None) -> list[str]:
    """The 交接班 text, a few lines of plain Chinese ready to paste into a chat. `totals`: the recalc
    Summary (approvals and the compensation total), when known."""
    items = sorted(items, key=lambda i: (i.at, i.row))
    late = [i for i in items if i.at < now]
    soon = [i for i in items if i.at >= now]
    head = f"【交接班 {now:%m-%d %H:%M}】已逾期 {len(late)} 单, 24小时内到期 {len(soon)} 单"
    if totals is not None:
        head += f", 需店长审批 {totals.approvals} 单, 赔偿合计 {_money(totals.total_compensation)}"
    lines = ["交接班 (复制下面几行发到钉钉或企业微信)", head]
    for i in items[:URGENT_LINES]:
        who = " ".join(str(x) for x in (i.platform, i.order_id) if x)
        lines.append(f"· {countdown(i.at, now)} {who} {event_text(i)} → {next_action(i.kind)} (案件第{i.row}行)")
    if len(items) > URGENT_LINES:
        lines.append(f"· 另有 {len(items) - URGENT_LINES} 单见「今日待办」")
    repeats = sorted({i.repeat for i in items if i.repeat})
    lines.extend(f"· {r}" for r in repeats)
    if not items:
        lines.append("· 没有逾期或24小时内到期的案件")
    return lines


def todo_cells(grid: list[list], old: list[list] | None = None) -> dict[tuple[int, int], object]:
    """(row, col) -> value for a patch from A1, with None over any old cell the new grid does not cover."""
    cells = {(r, c): v for r, row in enumerate(grid, 1) for c, v in enumerate(row, 1) if v is not None}
    for r, row in enumerate(old or [], 1):
        for c, v in enumerate(row, 1):
            if v not in (None, "") and (r, c) not in cells:
                cells[(r, c)] = None
    return cells


def widths() -> dict[int, float]:
    return dict(enumerate(WIDTHS, 1))


def link_column() -> str:
    return col_letter(len(HEADER))
