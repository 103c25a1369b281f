"""The 状态 of a case row: one word, computed at recalc time with `now`.

Precedence, first that applies wins (so the seven words split the rows into seven groups):

1. 有错误   the row has an error: an unreadable or missing input, a rule error, or a failed reply/SMS
            check (错误 is not empty);
2. 已完结   the case is finished (its stage, addin.core.stage: 退款成功, or staff's 处理结果 已结案 …);
3. 已关闭   the case is closed (退款关闭, 买家撤销, 处理结果 已关闭 …). A finished or closed case has no
            deadline, so it is in no overdue / due-soon count;
4. 已逾期   the row's next deadline (下一截止: the earliest action or alert deadline, past or not) is
            before `now`;
5. 即将到期 the next deadline is at most 24 hours after `now`;
6. 需审批   the compensation needs the shop manager's approval (需店长审批 = 是);
7. 正常     anything else.

An error still shows 有错误 on a finished case: the row's inputs need fixing whatever its stage. A
deadline that passed stays the row's 下一截止 (the sheet reddens it), so a row is 已逾期 until the
case is done and its inputs no longer give that deadline. The word is the same in both display
languages, so filters and the 汇总 sheet's formulas (COUNTIF(状态, "已逾期")) work in both.
"""
from __future__ import annotations

import datetime as dt

from .stage import CLOSED as STAGE_CLOSED, DONE as STAGE_DONE

ERROR, FINISHED, CLOSED, OVERDUE, DUE_SOON, APPROVAL, OK = "有错误", "已完结", "已关闭", "已逾期", "即将到期", "需审批", "正常"
STATUSES = (ERROR, FINISHED, CLOSED, OVERDUE, DUE_SOON, APPROVAL, OK)          # in order of precedence
SOON = dt.timedelta(hours=24)
_STAGE_WORD = {STAGE_DONE: FINISHED, STAGE_CLOSED: CLOSED}


def row_status(has_error: bool, next_deadline: dt.datetime | None, approval: bool, now: dt.datetime,
               stage: str | None = None) -> str:
    """`stage`: the case's stage id (CaseResult.stage), None when not known."""
    if has_error:
        return ERROR
    if stage is not None:
        word = _STAGE_WORD.get(stage)
        if word is not None:
            return word
    if next_deadline is not None:
        if next_deadline < now:
            return OVERDUE
        if next_deadline <= now + SOON:
            return DUE_SOON
    return APPROVAL if approval else OK
