"""The 状态 of a case row: one word, computed at recalc time with `now`.

Precedence, first that applies wins (so the five words split the rows into five groups):

1. 有错误   the row has an error: an unreadable or missing input, a rule error, or a failed reply/SMS
            check (错误 is not empty);
2. 已逾期   the row's next deadline (下一截止: the earliest action or alert deadline, past or not) is
            before `now`;
3. 即将到期 the next deadline is at most 24 hours after `now`;
4. 需审批   the compensation needs the shop manager's approval (需店长审批 = 是);
5. 正常     anything else.

A deadline that passed stays the row's 下一截止 (the sheet reddens it), so a row is 已逾期 until the
case is done and its inputs no longer give that deadline. The word is the same in both display
languages, so filters and the 汇总 sheet's formulas (COUNTIF(状态, "已逾期")) work in both.
"""
from __future__ import annotations

import datetime as dt

ERROR, OVERDUE, DUE_SOON, APPROVAL, OK = "有错误", "已逾期", "即将到期", "需审批", "正常"
STATUSES = (ERROR, OVERDUE, DUE_SOON, APPROVAL, OK)          # in order of precedence
SOON = dt.timedelta(hours=24)


def row_status(has_error: bool, next_deadline: dt.datetime | None, approval: bool, now: dt.datetime) -> str:
    if has_error:
        return ERROR
    if next_deadline is not None:
        if next_deadline < now:
            return OVERDUE
        if next_deadline <= now + SOON:
            return DUE_SOON
    return APPROVAL if approval else OK
