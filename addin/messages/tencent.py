"""腾讯云 短信 (SMS 2021-01-11): the console's bulk-send file and the API's limits. Pure data shaping.

What each number here rests on (docs/admin/短信服务商.md cites the pages):

* The console's 群发 file: the recipient's number, then one column per template variable {1} … {N},
  at most 30 MB (tencentcloud.com/document/product/382/35462, "Sending Messages": "Recipient's Mobile
  Number, SMS Content Variable 1 … N … The maximum form size supported is 30 MB").
* SendSms: ``PhoneNumberSet`` at most 200 numbers a request, one ``TemplateParamSet`` for all of them
  (cloud.tencent.com/document/api/382/55981; error 1046 "单次提交的手机号个数超过200个",
  cloud.tencent.com/document/product/382/3771). So messages with different values go in different
  requests: :func:`send_requests` groups them. The optional ``send`` path does not use this yet.
* Numbers as E.164, ``+86`` then the 11 digits (the same SendSms page).
"""
from __future__ import annotations

from .aliyun import Message

SEND_SMS_MAX = 200                       # numbers per SendSms request
FILE_MAX_BYTES = 30 * 1024 * 1024        # the console's upload limit for a bulk file
NUMBERS_FILE_PHONE = "手机号码"


def variable_header(n: int) -> list[str]:
    """The header of the variable columns: 变量{1} … 变量{N} (the console's template names them by number)."""
    return [f"变量{{{i}}}" for i in range(1, n + 1)]


def numbers_file_rows(order: list[str], messages: list[Message]) -> list[list[str]]:
    """The bulk file: the number, then the value of {1} … {N} (``order``: the variable name of each)."""
    return [[NUMBERS_FILE_PHONE, *variable_header(len(order))]] + [
        [m.phone, *(m.params[name] for name in order)] for m in messages]


def estimated_bytes(row: list[str]) -> int:
    """An upper bound of what a row adds to the file (its text as UTF-8 plus the cell markup, before
    the zip compression that makes the real file smaller)."""
    return sum(len(str(v).encode("utf-8")) + 40 for v in row) + 30


def split_by_size(rows: list[list[str]], limit: int = FILE_MAX_BYTES) -> list[list[list[str]]]:
    """Data rows in parts whose estimated size stays under ``limit`` (each part gets the header again)."""
    parts: list[list[list[str]]] = [[]]
    size = 0
    for row in rows:
        n = estimated_bytes(row)
        if parts[-1] and size + n > limit:
            parts.append([])
            size = 0
        parts[-1].append(row)
        size += n
    return parts


def send_requests(template_id: str, order: list[str], messages: list[Message]) -> list[dict]:
    """SendSms request bodies: the messages with the same signature and values share a request, at
    most 200 numbers each (the API takes one TemplateParamSet per request)."""
    groups: dict[tuple, list[Message]] = {}
    for m in messages:
        groups.setdefault((m.signature, tuple(m.params[n] for n in order)), []).append(m)
    out = []
    for (signature, values), group in groups.items():
        for i in range(0, len(group), SEND_SMS_MAX):
            out.append({"PhoneNumberSet": [f"+86{m.phone}" for m in group[i:i + SEND_SMS_MAX]],
                        "TemplateId": template_id, "SignName": signature, "TemplateParamSet": list(values)})
    return out
