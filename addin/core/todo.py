"""What the 今日待办 list says about one deadline: how long is left (or how long it is late) and what to
do now, as short plain Chinese (English after " / " in 中文+English). Pure: no workbook, no clock."""
from __future__ import annotations

import datetime as dt

from .display import Display

# Deadline kind (addin.core.deadlines.DEADLINE_KINDS) -> what the clerk does before it passes.
NEXT_ACTION: dict[str, tuple[str, str]] = {
    "R7-2": ("七天无理由期限将过, 之后的无理由退货可按规则拒绝", "7-day window closing; later no-reason returns may be refused"),
    "R7-2.168h": ("七天无理由按168小时算已到, 核对签收时间", "7-day window (168 h) reached; check the signing time"),
    "R7-3": ("已收到退货, 尽快退款", "return received: refund now"),
    "RF-TB.unshipped": ("未发货退款: 同意退款或立即发货", "refund before shipping: agree or ship now"),
    "RF-TB.alert": ("处理买家的退款申请", "answer the refund request"),
    "RF-TB.shipped": ("已发货退款: 同意, 或拒绝并上传凭证", "refund after shipping: agree, or refuse with proof"),
    "SLA-4": ("审核京东售后单", "review the JD after-sales order"),
    "RF-RET.receive": ("确认收货并退款, 或拒绝并举证", "confirm receipt and refund, or refuse with proof"),
    "INS-1": ("核对运费险理赔是否到账", "check the shipping-insurance payout"),
    "PAY-TM": ("催付: 订单即将关闭", "remind to pay: the order closes"),
    "SLA-1.followup": ("回访买家", "call the buyer back"),
    "SLA-1.offline": ("回复线下投诉", "answer the offline complaint"),
    "SLA-3.reply": ("回复京东纠纷", "reply to the JD dispute"),
    "SLA-3.evidence": ("上传京东举证材料", "upload the JD evidence"),
    "SLA-3.appeal": ("提交京东申诉", "file the JD appeal"),
    "P3-83": ("提交起诉凭证", "submit the court-case proof"),
    "PROMISE": ("按承诺发货", "ship as promised"),
    "RV-6": ("评价修改期将过, 联系买家", "review edit window closing: contact the buyer"),
    "RV-6.default": ("默认好评前回访买家", "contact the buyer before the default review"),
    "JD-PP": ("价保期将过, 处理价保申请", "price protection ends: settle it"),
    "PLAT-TIMEOUT.refund": ("同意退款, 或拒绝并举证; 否则平台自动退款", "agree, or refuse with proof; else the platform refunds"),
    "PLAT-TIMEOUT.close": ("买家未退货, 退款将关闭; 可提醒买家", "no return sent: the refund closes; remind the buyer"),
    "PLAT-TIMEOUT": ("在平台超时前处理", "act before the platform's time-out"),
}
DEFAULT_ACTION = ("处理后填写处理结果", "act, then fill in 处理结果")


def next_action(kind: str, show: Display = Display()) -> str:
    return show.pair(*NEXT_ACTION.get(kind, DEFAULT_ACTION))


def _span(delta: dt.timedelta) -> tuple[str, str]:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return (f"{days}天{hours}小时" if hours else f"{days}天"), (f"{days} d {hours} h" if hours else f"{days} d")
    if hours:
        return f"{hours}小时", f"{hours} h"
    return f"{max(mins, 1)}分钟", f"{max(mins, 1)} min"


def countdown(at: dt.datetime, now: dt.datetime, show: Display = Display()) -> str:
    """已超时3小时 / 还剩5小时 / 还剩40分钟 (to the minute, rounded down; at least 1 minute)."""
    if at < now:
        zh, en = _span(now - at)
        return show.pair(f"已超时{zh}", f"{en} late")
    zh, en = _span(at - now)
    return show.pair(f"还剩{zh}", f"{en} left")
