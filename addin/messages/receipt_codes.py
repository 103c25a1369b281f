"""Receipts of both vendors: the status they report, and what a failure means for staff.

Status (:func:`receipt_status`):

* 阿里云 QuerySendDetails and the console's 发送记录: ``SendStatus`` 1 等待回执 / 2 失败 / 3 成功, ErrCode
  ``DELIVERED`` on success (help.aliyun.com/document_detail/419277.html).
* 阿里云 SmsReport (the receipt message): ``success`` true/false, ``err_code`` (DELIVERED), ``err_msg``.
* 腾讯云 PullSmsSendStatus: ``ReportStatus`` SUCCESS/FAIL, ``Description`` DELIVRD on success
  (cloud.tencent.com/document/product/382/55977); the callback: ``report_status``, ``errmsg`` DELIVRD
  (tencentcloud.com/document/product/382/43547). DELIVRD is the carriers' own word for delivered
  (CMPP; 华为云 reports it too, support.huaweicloud.com/api-msgsms/sms_05_0051.html).

Failures (:func:`failure`) fall into what staff do next: 空号 → 核对手机号; 退订/黑名单 → the number goes
onto 退订名单; 频控 → 明天再发; 关机/停机 → 过两天再发或电话联系; 内容拦截 → 改模板. The codes below are
from the vendors' and carriers' public lists (docs/admin/短信服务商.md cites each); a code not listed is
read by the words of its message (空号, 退订, 黑名单, 流控 …), else reads 其他.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .history import STATUS_DELIVERED, STATUS_FAILED, STATUS_WAITING

DELIVERED_CODES = frozenset({"DELIVERED", "DELIVRD"})


@dataclass(frozen=True)
class Failure:
    id: str          # empty | optout | rate | off | content | other
    zh: str          # what it is
    action: str      # what staff do next


EMPTY = Failure("empty", "空号", "请核对手机号")
OPTOUT = Failure("optout", "用户退订", "已加入退订名单")
RATE = Failure("rate", "频控", "明天再发")
OFF = Failure("off", "关机或停机", "过两天再发或电话联系")
CONTENT = Failure("content", "内容被拦截", "请改模板或内容")
OTHER = Failure("other", "发送失败", "请在服务商控制台查看原因")

# code (upper case) -> failure. Sources: 阿里云 help.aliyun.com/document_detail/101347.html; 腾讯云
# cloud.tencent.com/document/product/382/3771 (1013-1026 频率, 1015 黑名单/退订, 1016 号码格式, -106, 002);
# the carriers' CMPP codes (cnblogs.com/yhdkzy/p/4238029.html; blog.csdn.net/qqxinxi/article/details/2138114);
# 华为云 support.huaweicloud.com/api-msgsms/sms_05_0051.html (BLACK, LIMIT …).
CODES: dict[str, Failure] = {
    **dict.fromkeys(("MK:0001", "DB:0101", "CB:0053", "CB:0001", "MI:0073", "MI:0210", "1016",
                     "MOBILE_NUMBER_ILLEGAL", "ISV.MOBILE_NUMBER_ILLEGAL"), EMPTY),
    **dict.fromkeys(("1015", "DB:0144", "MBBLACK", "DBBLACK", "BLACK", "TDBLACK", "TSBLACK", "BLKLIST",
                     "USER_REJECT", "ISV.BLACK_KEY_CONTROL_LIMIT_MOBILE"), OPTOUT),
    **dict.fromkeys(("1013", "1022", "1023", "1024", "1025", "1026", "IB:0008", "DB:0142", "MK:1041", "LIMIT",
                     "MILIMIT", "BEYONDN", "CTLIMIT", "ISV.BUSINESS_LIMIT_CONTROL", "ISV.DAY_LIMIT_CONTROL",
                     "BUSINESS_LIMIT_CONTROL"), RATE),
    **dict.fromkeys(("MK:0005", "MK:0013", "DB:0102", "MK:0023", "MK:0010", "EXPIRED", "UNDELIV", "002",
                     "MOBILE_NOT_ON_SERVICE"), OFF),
    **dict.fromkeys(("-106", "MK:0115", "MK:0014", "KEYWORD", "ISV.SMS_CONTENT_ILLEGAL"), CONTENT),
}
# The words of a message, in this order (a 黑名单 caused by a 退订 is both; 退订 wins).
WORDS: tuple[tuple[re.Pattern, Failure], ...] = (
    (re.compile(r"退订|黑名单|拒收|black", re.I), OPTOUT),
    (re.compile(r"空号|不存在|号码错误|号码无效|号码格式|illegal", re.I), EMPTY),
    (re.compile(r"流控|频率|超频|频次|超限|超过.{0,8}(限|上限)|日最大|limit", re.I), RATE),
    (re.compile(r"关机|停机|不在服务区|欠费|无法接通|not_on_service|expired", re.I), OFF),
    (re.compile(r"关键字|关键词|敏感|屏蔽|拦截|content", re.I), CONTENT),
)


def _text(value) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def receipt_status(status, code=None, message=None) -> str | None:
    """等待回执 / 成功 / 失败 from a status cell (SendStatus 1/2/3, SUCCESS/FAIL, success true/false,
    the console's words) and, where it says nothing, the code or message (DELIVERED / DELIVRD)."""
    if status is True or status is False:
        return STATUS_DELIVERED if status else STATUS_FAILED
    text = _text(status)
    low = text.lower()
    if text == "3" or "成功" in text or low in ("success", "delivered", "delivrd", "true"):
        return STATUS_DELIVERED
    if text == "2" or "失败" in text or low in ("failed", "fail", "false"):
        return STATUS_FAILED
    if text == "1" or "等待" in text or "发送中" in text or low in ("waiting", "sending"):
        return STATUS_WAITING
    codes = [_text(v).upper() for v in (code, message) if _text(v)]
    if any(c in DELIVERED_CODES for c in codes):
        return STATUS_DELIVERED
    if _text(code):
        return STATUS_FAILED
    return None


def failure(code=None, message=None) -> Failure:
    """What a failed receipt means for staff, from its code, else the words of its message or code."""
    for value in (code, message):
        hit = CODES.get(_text(value).upper())
        if hit is not None:
            return hit
    words = " ".join(_text(v) for v in (message, code))
    for pattern, hit in WORDS:
        if pattern.search(words):
            return hit
    return OTHER
