"""阿里云 短信服务 (Dysmsapi 2017-05-25): request bodies, the 群发助手 numbers file, receipt statuses.

Pure data shaping, no network; the SDK call lives in :mod:`addin.workbook.commands.sms_send`. What each
name and number here rests on (README "Bulk-SMS vendors" cites the pages):

* SendBatchSms takes ``PhoneNumberJson``, ``SignNameJson`` (one signature per number),
  ``TemplateCode`` and ``TemplateParamJson`` (one object per number), each a JSON array in a string,
  and at most 100 numbers per call (help.aliyun.com SendBatchSms, document 102364).
* QuerySendDetails (and the console's 发送记录) report ``SendStatus`` 1 = 等待回执, 2 = 发送失败,
  3 = 发送成功, with the carrier's ``ErrCode`` (``DELIVERED`` on success), ``PhoneNum``,
  ``TemplateCode``, ``Content``, ``SendDate``, ``ReceiveDate``, ``OutId``.
* The 群发助手 numbers file: phone number first, then one column per template variable (its 下载范例).
"""
from __future__ import annotations

import json
from dataclasses import dataclass


SEND_BATCH_MAX = 100          # numbers per SendBatchSms call
NUMBERS_FILE_MAX_ROWS = 50_000  # rows per 群发助手 numbers file (the figure; see README)
NUMBERS_FILE_PHONE = "手机号码"


@dataclass(frozen=True)
class Message:
    """One SMS ready for the vendor: who, which template, with what values."""
    phone: str                    # normalised, digits only
    template_code: str
    signature: str                # without 【】
    params: dict[str, str]        # variable -> value, in the template's order


def batch_requests(messages: list[Message], limit: int = SEND_BATCH_MAX) -> list[dict[str, str]]:
    """SendBatchSms request bodies for messages of one TemplateCode, at most ``limit`` numbers each."""
    codes = {m.template_code for m in messages}
    if len(codes) > 1:
        raise ValueError(f"one TemplateCode per SendBatchSms request, got {sorted(codes)}")
    out = []
    for i in range(0, len(messages), limit):
        chunk = messages[i:i + limit]
        out.append({
            "PhoneNumberJson": json.dumps([m.phone for m in chunk]),
            "SignNameJson": json.dumps([m.signature for m in chunk], ensure_ascii=False),
            "TemplateCode": chunk[0].template_code,
            "TemplateParamJson": json.dumps([m.params for m in chunk], ensure_ascii=False),
        })
    return out


def numbers_file_rows(names: list[str], messages: list[Message]) -> list[list[str]]:
    """The 群发助手 file: 手机号码, then one column per template variable, in the template's order."""
    return [[NUMBERS_FILE_PHONE, *names]] + [[m.phone, *(m.params[n] for n in names)] for m in messages]


# --- receipts ----------------------------------------------------------------------------------

# Header spellings of a receipt file: 阿里云 QuerySendDetails' and SmsReport's field names (phone_number,
# send_time, report_time, success, err_code, err_msg, biz_id, out_id), 腾讯云 PullSmsSendStatus' (PhoneNumber,
# SerialNo, ReportStatus, Description, UserReceiveTime) and its callback's (mobile, report_status, errmsg,
# description, sid, user_receive_time), and the consoles' Chinese headers.
RECEIPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "phone": ("phonenum", "phone number", "phonenumber", "mobile", "手机号码", "手机号", "接收号码", "号码"),
    "status": ("sendstatus", "send status", "reportstatus", "report status", "success", "发送状态", "状态",
               "回执状态"),
    "code": ("errcode", "err code", "errmsg", "错误码", "状态码", "回执码", "运营商错误码", "失败原因"),
    "message": ("err msg", "description", "错误信息", "状态说明", "失败描述"),
    "template": ("templatecode", "template code", "模板code", "模板编号", "模板"),
    "content": ("content", "短信内容", "内容"),
    "sent_at": ("senddate", "send date", "send time", "发送时间", "发送日期"),
    "received_at": ("receivedate", "receive date", "report time", "userreceivetime", "user receive time",
                    "接收时间", "回执时间", "送达时间"),
    "out_id": ("outid", "out id", "外部流水号"),
    "serial": ("serialno", "serial no", "sid", "bizid", "biz id", "流水号", "回执id"),
}


def receipt_status(status, code) -> str | None:
    """等待回执 / 成功 / 失败 (kept for callers of this module; both vendors: receipt_codes.receipt_status)."""
    from .receipt_codes import receipt_status as both
    return both(status, code)
