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

from .history import STATUS_DELIVERED, STATUS_FAILED, STATUS_WAITING

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

# Header spellings of a receipt export: QuerySendDetails' field names and the console's Chinese ones.
RECEIPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "phone": ("phonenum", "phone number", "phonenumber", "手机号码", "手机号", "接收号码", "号码"),
    "status": ("sendstatus", "send status", "发送状态", "状态", "回执状态"),
    "code": ("errcode", "err code", "错误码", "状态码", "回执码", "运营商错误码", "失败原因"),
    "template": ("templatecode", "template code", "模板code", "模板编号", "模板"),
    "content": ("content", "短信内容", "内容"),
    "sent_at": ("senddate", "send date", "发送时间", "发送日期"),
    "received_at": ("receivedate", "receive date", "接收时间", "回执时间", "送达时间"),
    "out_id": ("outid", "out id", "外部流水号"),
}


def receipt_status(status, code) -> str | None:
    """等待回执 / 成功 / 失败 from SendStatus (1/2/3 or the console's words) and ErrCode."""
    text = "" if status is None else str(status).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if text == "3" or "成功" in text or text.lower() in ("success", "delivered"):
        return STATUS_DELIVERED
    if text == "2" or "失败" in text or text.lower() in ("failed", "fail"):
        return STATUS_FAILED
    if text == "1" or "等待" in text or "发送中" in text or text.lower() in ("waiting", "sending"):
        return STATUS_WAITING
    code_text = "" if code is None else str(code).strip().upper()
    if code_text == "DELIVERED":
        return STATUS_DELIVERED
    if code_text:
        return STATUS_FAILED
    return None
