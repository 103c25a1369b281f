"""What earlier batches already exported or sent (from the 发送记录 send log), for the merge.

The workbook layer reads the log and builds a :class:`SendHistory`; the merge uses it so that

* a message already exported or sent is not queued again (unless the caller asks to resend), and
* SMS-8's caps count the log across batches and days: 催付 per order, and the vendor's limit per
  number, template and day (``SMS-8.daily_per_number``).

The log keeps no full phone number: a message is known by fingerprints (:func:`fingerprint`), the
same ones a receipt file is matched by. They only hide the number from the log view; the 案件 sheet
holds the numbers anyway, so they are not a secret.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ..core.parse import to_phone

# Statuses that count as "went out" (or may have): they block a re-export and count towards the caps.
STATUS_EXPORTED = "已导出"
STATUS_SENT = "已发送"
STATUS_DELIVERED = "成功"
STATUS_FAILED = "失败"
STATUS_WAITING = "等待回执"
STATUS_SENDING = "发送中"         # written before a request; an entry left so after a crash reads 未确认
STATUS_UNCONFIRMED = "未确认"     # a request whose answer never came: it may have gone; check the receipts
COUNTED = frozenset({STATUS_EXPORTED, STATUS_SENT, STATUS_DELIVERED, STATUS_WAITING, STATUS_SENDING,
                     STATUS_UNCONFIRMED})


@lru_cache(maxsize=16_384)              # a batch fingerprints the same texts again and again
def fingerprint(text: str) -> str:
    """A short stable hash (16 hex digits of SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def phone_fingerprint(phone) -> str:
    return fingerprint.__wrapped__(to_phone(phone))     # one number, one message: nothing to remember


def mask_phone(phone) -> str:
    """13800138000 -> 138****8000 (what the log shows)."""
    digits = to_phone(phone)
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"


def message_key(phone, template: str, text: str) -> tuple[str, str, str]:
    """Who, which template (vendor TemplateCode, else the kind id) and what: one message's identity."""
    return phone_fingerprint(phone), template, fingerprint(text)


@dataclass
class SendHistory:
    sent: dict[tuple[str, str, str], str] = field(default_factory=dict)   # message key -> batch id
    reminders: Counter = field(default_factory=Counter)                    # order id -> 催付 in the log
    daily: Counter = field(default_factory=Counter)                        # (phone fp, template, date) -> count
    failed: dict[tuple[str, str, str], str] = field(default_factory=dict)  # message key -> batch: the carrier said 失败

    def add(self, *, phone_fp: str, template: str, text_fp: str, kind: str | None, order_id: str | None,
            day: dt.date | None, batch: str, status: str, receipt: bool = False) -> None:
        """``receipt``: the status came from the vendor's receipt (a 失败 there went to the carrier and
        counts towards the day's cap; a 失败 answer to a request sent nothing)."""
        if status == STATUS_FAILED and receipt:
            self.failed.setdefault((phone_fp, template, text_fp), batch)
            if day is not None:
                self.daily[(phone_fp, template, day)] += 1
            return
        if status not in COUNTED:
            return
        self.sent.setdefault((phone_fp, template, text_fp), batch)
        if kind == "payment_reminder" and order_id:
            self.reminders[order_id] += 1
        if day is not None:
            self.daily[(phone_fp, template, day)] += 1
