"""`aftersales send BOOK --dry-run|--yes`: send the ready SMS with 阿里云's official SDK (SendBatchSms).

The SDK (``alibabacloud-dysmsapi20170525``) is an optional extra: ``pip install 'aftersales-addin[aliyun]'``.
The AccessKey comes only from the environment variables the SDK's credentials library reads,
``ALIBABA_CLOUD_ACCESS_KEY_ID`` and ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` (plus
``ALIBABA_CLOUD_SECURITY_TOKEN`` for an STS token), never from the workbook. The endpoint is the SDK's
default (dysmsapi.aliyuncs.com, HTTPS) unless ``--endpoint`` names another (a test server,
``http://127.0.0.1:8080``).

What goes: the messages `outbox` would export in a vendor format whose planned time has come (later
ones wait for a later run), grouped by TemplateCode, at most 100 numbers a request. Each request is
written to the send-log journal as 发送中 (fsynced) before it is made and as 已发送 (with the BizId) or
失败 (with the vendor's code: only a 4xx answer proves nothing went) after; a 5xx answer or an exception
with no answer leaves 未确认, which is never sent again automatically. So after a crash the
log says which messages went, and a re-run sends only the rest (see :mod:`.sendlog`).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from addin.messages.aliyun import SEND_BATCH_MAX, batch_requests
from addin.messages.history import STATUS_FAILED, STATUS_SENDING, STATUS_SENT, STATUS_UNCONFIRMED

from addin.workbook.commands.outbox import LogState, Ready, Selection, log_entry, select, write_log
from addin.workbook.files.session import open_book
from addin.workbook.commands.texts import load_book
from addin.core.errors import BilingualError

KEY_ID_ENV = "ALIBABA_CLOUD_ACCESS_KEY_ID"
KEY_SECRET_ENV = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
TOKEN_ENV = "ALIBABA_CLOUD_SECURITY_TOKEN"
DEFAULT_ENDPOINT = "dysmsapi.aliyuncs.com"


class SendError(BilingualError):
    """Sending cannot start (no SDK, no keys); bilingual."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh, en, "send")


@dataclass
class Outcome:
    status: str                  # 已发送 | 失败 | 未确认
    code: str | None             # BizId on success, else the vendor's Code or the exception


@dataclass
class SendReport(LogState):
    batch: str = ""
    requests: list[dict] = field(default_factory=list)      # the SendBatchSms bodies (sent or, dry run, not)
    outcomes: list[Outcome] = field(default_factory=list)   # one per request actually made
    selection: Selection = field(default_factory=Selection)
    later: list[tuple[int, dt.datetime]] = field(default_factory=list)   # (row, planned) not due yet
    dry_run: bool = True

    def count(self, status: str) -> int:
        return sum(len(json.loads(body["PhoneNumberJson"])) for body, o in zip(self.requests, self.outcomes)
                   if o.status == status)


def aliyun_client(endpoint: str | None = None):
    """A Dysmsapi client from the SDK, keyed from the environment only."""
    try:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as openapi_models
    except ImportError:
        raise SendError("未安装阿里云短信 SDK: pip install 'aftersales-addin[aliyun]'",
                        "the Aliyun SMS SDK is not installed: pip install 'aftersales-addin[aliyun]'") from None
    key_id, secret = os.environ.get(KEY_ID_ENV), os.environ.get(KEY_SECRET_ENV)
    if not key_id or not secret:
        raise SendError(f"请先设置环境变量 {KEY_ID_ENV} 和 {KEY_SECRET_ENV} (AccessKey 不写在工作簿里)",
                        f"set the environment variables {KEY_ID_ENV} and {KEY_SECRET_ENV} first (keys never go "
                        f"into the workbook)")
    endpoint = endpoint or DEFAULT_ENDPOINT
    protocol = "HTTPS"
    for scheme in ("http://", "https://"):
        if endpoint.lower().startswith(scheme):
            protocol, endpoint = scheme[:-3].upper(), endpoint[len(scheme):]
    config = openapi_models.Config(access_key_id=key_id, access_key_secret=secret,
                                   security_token=os.environ.get(TOKEN_ENV) or None,
                                   endpoint=endpoint.rstrip("/"), protocol=protocol)
    return Client(config)


def sdk_sender(client) -> Callable[[dict], Outcome]:
    """One SendBatchSms call per body; the SDK's own retries are off (the API is not idempotent)."""
    from alibabacloud_dysmsapi20170525 import models as sms_models
    from darabonba.runtime import RuntimeOptions      # what the 4.x client itself uses

    runtime = RuntimeOptions(autoretry=False, connect_timeout=5000, read_timeout=10000)

    def send(body: dict) -> Outcome:
        request = sms_models.SendBatchSmsRequest(
            phone_number_json=body["PhoneNumberJson"], sign_name_json=body["SignNameJson"],
            template_code=body["TemplateCode"], template_param_json=body["TemplateParamJson"])
        try:
            answer = client.send_batch_sms_with_options(request, runtime).body
        except Exception as exc:        # noqa: BLE001 - the SDK raises its own types for HTTP and network errors
            return failed_or_unconfirmed(exc)
        if answer.code == "OK":
            return Outcome(STATUS_SENT, answer.biz_id)
        return Outcome(STATUS_FAILED, f"{answer.code}: {answer.message}"[:200])

    return send


def failed_or_unconfirmed(exc: Exception) -> Outcome:
    """What an SDK exception proves. Only a 4xx answer with the vendor's error code (the SDK's
    ClientException / ThrottlingException: status_code, code, data = the JSON body; alibabacloud_tea_openapi
    client.py) proves the request was refused, so 失败, which a later send may retry. A 5xx (ServerException:
    the gateway failed, perhaps after handing the batch on), a timeout or a dropped connection proves
    nothing: 未确认, never sent again automatically (the API is not idempotent)."""
    code, data = getattr(exc, "code", None), getattr(exc, "data", None)
    status = getattr(exc, "status_code", None)
    if status is None and isinstance(data, dict):
        status = data.get("statusCode")
    try:
        status = int(status) if status is not None else None
    except (TypeError, ValueError):
        status = None
    if code and isinstance(data, dict) and status is not None and 400 <= status < 500:
        return Outcome(STATUS_FAILED, str(code))
    shown = f"HTTP {status} {code}" if status is not None else f"{type(exc).__name__}: {exc}"
    return Outcome(STATUS_UNCONFIRMED, shown[:200])


def send_book(path: str | Path, *, now: dt.datetime | None = None, dry_run: bool = True, resend: bool = False,
              endpoint: str | None = None, sender: Callable[[dict], Outcome] | None = None,
              wait: float = 0.0) -> SendReport:
    """Send (or, dry run, only build) the SendBatchSms requests for the messages due now. One guarded
    session on the book: a real send is refused before anything goes out when Excel has the book open
    (see addin.workbook.files.session); a dry run only reads it."""
    path = Path(path)
    now = now or dt.datetime.now().replace(microsecond=0)
    with open_book(path, write=not dry_run, wait=wait, command="send", out_hint=False) as session:
        book = load_book(session)
        texts = book.texts(now, resend=resend)
        sel = select(book, texts, now, vendor=True)
        due = [r for r in sel.ready if r.planned <= now]
        later = [(r.row, r.planned) for r in sel.ready if r.planned > now]
        batch = f"SND-{now:%Y%m%d-%H%M%S}"
        groups: dict[str, list[Ready]] = {}
        for ready in due:
            groups.setdefault(ready.result.sms_template_code, []).append(ready)
        plan: list[tuple[dict, list[Ready]]] = []
        for group in groups.values():
            for i in range(0, len(group), SEND_BATCH_MAX):
                chunk = group[i:i + SEND_BATCH_MAX]
                plan.append((batch_requests([r.message() for r in chunk])[0], chunk))
        report = SendReport(batch=batch, requests=[b for b, _ in plan], selection=sel, later=later, dry_run=dry_run)
        if dry_run or not plan:
            if not dry_run and book.log.recovered:      # a dry run writes nothing, not even a recovered journal
                write_log(session, book.log, [], report)
            return report
        sender = sender or sdk_sender(aliyun_client(endpoint))
        log = book.log
        entries = []
        try:
            for body, group in plan:
                sending = [log_entry(batch, now, r, STATUS_SENDING, None) for r in group]
                log.journal_write(sending)                         # durable before the request goes out
                entries += sending
                outcome = sender(body)
                report.outcomes.append(outcome)
                for e in sending:
                    e.status, e.code = outcome.status, outcome.code
                log.journal_write(sending)
        finally:
            for e in entries:
                if e.status == STATUS_SENDING:
                    e.status = STATUS_UNCONFIRMED
            write_log(session, log, entries, report)
    return report
