"""One entry point for the workbook layer and the Excel buttons: rows in, rendered + checked messages out.

    results = merge_rows(rows, TemplateSet.defaults(), policy, now=datetime.now(), opted_out={"138…"})

Each row is a dict keyed by the names in :data:`addin.messages.fields.FIELDS`. A row gets a review
reply when it has ``stars`` or ``review_text``, and an SMS when it has ``sms_kind``. A problem in one
row (a blank field a template needs, a broken template, an unreadable value) never raises: it is an
ERROR finding on that row's reply or SMS. Rule ids besides rules.md's: ``FIELD`` (row value missing or
unreadable), ``TPL`` (template missing, broken or failing), ``ROW`` (unexpected internal error).

Batch rules: an SMS to the same buyer (phone, else nickname) of the same kind as an earlier sendable
row is a duplicate (WARN, not sent); 催付 per order are counted over ``reminders_sent`` (or the send
log's count, whichever is larger) + earlier sendable rows of the batch (SMS-8).

Approved vendor templates (``approved``: kind id -> :class:`~.vendor_templates.ApprovedTemplate`)
replace the Jinja2 template for their kind: the body is the approved text with its ${variables}
filled from the row, the signature is the approved one, and every check runs on the final text.
``history`` (:class:`~.history.SendHistory`, from the send log) makes a message that was already
exported or sent not sendable again (unless ``resend``) and adds the log's counts to SMS-8's caps.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable

from ..core.display import ZH_EN, Display
from ..core.findings import Finding, verdict
from ..core.gcpause import gc_paused
from ..core.policy import DEFAULT_POLICY, SHOP_NAME, Policy
from ..core.parse import is_blank, to_phone
from .fields import FieldError, normalize_row
from .history import SendHistory, message_key
from .render import RenderError, TemplateSet, starts_like_formula
from .reviews import MANUAL, Review, check_reply, classify_review
from .sms import STAGE_BLOCKED, STAGE_WORD, check_sms, compose, resolve_kind
from .vendor_templates import ApprovedTemplate, fill

REVIEW_INPUTS = ("stars", "review_stars", "review_text")
# A number SMS can reach in mainland China: 11 digits, 1 then 3-9 (landlines and 10-digit typos cannot).
MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
_BOTH = Display(ZH_EN)


@dataclass(slots=True)          # no __dict__: a 100k-row batch keeps one small object per row
class MergeResult:
    row: int                                   # index in the input list
    review_route: str | None = None            # good | good_long | medium | bad | manual; None: no review in the row
    reply_text: str | None = None
    reply_verdict: str | None = None           # PASS | WARN | ERROR; None: no review
    reply_reasons: list[Finding] = field(default_factory=list)
    sms_kind: str | None = None                # kind id; None: no SMS in the row
    sms_text: str | None = None                # as received: 【signature】 + body
    sms_chars: int | None = None
    sms_parts: int | None = None
    sms_verdict: str | None = None             # PASS | WARN | ERROR; None: no SMS
    sms_reasons: list[Finding] = field(default_factory=list)
    planned_send_at: dt.datetime | None = None  # send_at (or now) moved into the send window
    ok_to_send: bool = False                   # SMS rendered, no ERROR, not a batch duplicate, not sent before
    sms_template_code: str | None = None       # vendor TemplateCode when an approved template made the text
    sms_signature: str | None = None           # the signature the text carries, without 【】
    sms_params: dict[str, str] | None = None   # approved template: variable -> value as sent
    sms_key: tuple[str, str, str] | None = None  # (phone fingerprint, template, text fingerprint), see history
    sent_before: str | None = None             # batch id of the send log entry for this very message
    failed_before: str | None = None           # batch id of this very message's failed receipt (not queued again
                                               # unless retry_failed)

    # The reasons in both languages, for logs and tests; the workbook words them by its display setting.
    @property
    def reply_reasons_text(self) -> str:
        return _BOTH.findings(self.reply_reasons) or ""

    @property
    def sms_reasons_text(self) -> str:
        return _BOTH.findings(self.sms_reasons) or ""


def _field_finding(err: FieldError) -> Finding:
    return Finding("FIELD", "ERROR", err.zh, err.en)


def _tpl_finding(err: RenderError) -> Finding:
    return Finding("FIELD" if err.field else "TPL", "ERROR", err.zh, err.en)


def _formula_note(text: str) -> list[Finding]:
    if starts_like_formula(text):
        return [Finding("TPL", "INFO", "文本以 = + - @ 开头: 写入表格时须作为文本, 不能当公式",
                        "text starts with = + - @: write it to Excel as text, never as a formula")]
    return []


class _Batch:
    """What earlier rows of the batch already queued (dedup, SMS-8 counts), and what earlier batches sent."""

    def __init__(self, approved: dict[str, ApprovedTemplate] | None = None, history: SendHistory | None = None,
                 resend: bool = False, sheet_rows: list[int] | None = None, retry_failed: bool = False):
        self.retry_failed = retry_failed
        self.sheet_rows = sheet_rows                      # input index -> workbook row, for the notes
        self.approved = approved or {}                    # kind id -> approved vendor template
        self.history = history or SendHistory()           # earlier batches, from the send log
        self.resend = resend
        self.sent: dict[tuple[str, str], tuple[int, str]] = {}   # (buyer key, kind) -> (row, order id)
        self.reminders: dict[str, int] = {}              # order_id -> reminders queued in this batch
        self.daily: dict[tuple, int] = {}                # (phone fp, template, day) -> queued in this batch
        # Work shared by rows with the same values (one policy per batch): cell readings, review routes
        # and reply checks, and the SMS checks that read only the text.
        self.values: dict = {}
        self.routes: dict = {}
        self.replies: dict = {}
        self.sms_texts: dict = {}
        self.kinds: dict = {}                             # the 短信类型 cell's text -> SmsKind


def merge_rows(rows: list[dict], templates: TemplateSet, policy: Policy | None = None, *,
               now: dt.datetime, opted_out: Iterable[str] = (), approved: dict[str, ApprovedTemplate] | None = None,
               history: SendHistory | None = None, resend: bool = False,
               sheet_rows: list[int] | None = None, retry_failed: bool = False) -> list[MergeResult]:
    """`sheet_rows`: the workbook row of each input row; a duplicate's note then names the row
    (第12行) instead of its place in the batch (本批第3条). `retry_failed`: a message whose receipt
    said 失败 is queued again (otherwise it is held back with a note)."""
    run = MergeRun(templates, policy, now=now, opted_out=opted_out, approved=approved, history=history,
                   resend=resend, retry_failed=retry_failed, sheet_rows=sheet_rows is not None)
    return run.add(rows, sheet_rows)


class MergeRun:
    """:func:`merge_rows` over a batch handed in pieces, in order (the streamed texts hands it a chunk of
    the sheet at a time): the batch checks see every earlier piece's rows, so the results are the same
    as one merge_rows call over all the rows. `sheet_rows`: each piece comes with its workbook rows."""

    def __init__(self, templates: TemplateSet, policy: Policy | None = None, *, now: dt.datetime,
                 opted_out: Iterable[str] = (), approved: dict[str, ApprovedTemplate] | None = None,
                 history: SendHistory | None = None, resend: bool = False, retry_failed: bool = False,
                 sheet_rows: bool = False):
        self.policy = policy or DEFAULT_POLICY
        self.templates = templates if templates is not None else TemplateSet.defaults()
        self.opted = frozenset(to_phone(p) for p in opted_out if not is_blank(p))
        self.now = now
        self.batch = _Batch(approved, history, resend, [] if sheet_rows else None, retry_failed)
        self.count = 0                 # rows merged so far: the next row's index in the batch

    def add(self, rows: list[dict], sheet_rows: list[int] | None = None) -> list[MergeResult]:
        batch, templates, policy, now, opted = self.batch, self.templates, self.policy, self.now, self.opted
        if batch.sheet_rows is not None:
            batch.sheet_rows.extend(sheet_rows)
        results = []
        with gc_paused():              # many small objects, no cycles: a full collection midway costs 20 %
            for i, row in enumerate(rows, self.count):
                try:
                    results.append(_merge_one(i, row, templates, policy, now, opted, batch))
                except Exception as exc:   # a row must never stop the batch
                    results.append(_crashed(i, row, exc))
        self.count += len(rows)
        return results


def _crashed(i: int, row, exc: Exception) -> MergeResult:
    bad = Finding("ROW", "ERROR", "本行处理时程序出错, 请把此行发给维护人员 (显示语言设为中文+English可见详情)",
                  f"internal error on this row: {type(exc).__name__}: {exc}")
    result = MergeResult(i)
    has_review = has_sms = True                       # when the row cannot even be read, flag both
    if isinstance(row, dict):
        has_review = any(not is_blank(row.get(k)) for k in REVIEW_INPUTS)
        has_sms = not is_blank(row.get("sms_kind"))
    if has_review or not has_sms:
        result.reply_verdict, result.reply_reasons = "ERROR", [bad]
    if has_sms:
        result.sms_verdict, result.sms_reasons = "ERROR", [bad]
    return result


def _merge_one(i: int, row: dict, templates: TemplateSet, policy: Policy, now: dt.datetime,
               opted: frozenset, batch: _Batch) -> MergeResult:
    result = MergeResult(i)
    has_review = False
    for k in REVIEW_INPUTS:
        if not is_blank(row.get(k)):
            has_review = True
            break
    has_sms = not is_blank(row.get("sms_kind"))
    if not (has_review or has_sms):          # most case rows: nothing to write, nothing to check
        return result
    values, errors = normalize_row(row, batch.values)
    if "shop_name" not in values and policy[SHOP_NAME]:
        # A blank 店铺名 cell is the shop set once on the 规则 sheet: the signature and the reminder's shop name.
        values["shop_name"] = policy[SHOP_NAME]
    field_findings = [_field_finding(e) for e in errors]
    if has_review:
        _merge_review(result, values, field_findings, templates, policy, {e.field for e in errors}, batch)
    if has_sms:
        _merge_sms(result, values, field_findings, templates, policy, now, opted, batch)
    return result


def _merge_review(result: MergeResult, values: dict, field_findings: list[Finding],
                  templates: TemplateSet, policy: Policy, bad_fields: set[str], batch: _Batch) -> None:
    reasons = list(field_findings)
    if "stars" not in values:
        if "stars" not in bad_fields:
            reasons.append(Finding("FIELD", "ERROR", "缺少「评价星级」, 无法判断回复类型",
                                   "stars missing: cannot route the review"))
        result.reply_verdict, result.reply_reasons = "ERROR", reasons
        return
    key = (values["stars"], str(values.get("review_text", "")), bool(values.get("has_photos", False)),
           values.get("platform"))
    known = batch.routes.get(key)
    if known is None:
        review = Review(*key)
        known = batch.routes[key] = (review, classify_review(review, policy))
    review, routing = known
    result.review_route = routing.route
    if routing.route == MANUAL:               # 人工确认: no reply drafted, the reason is the check's note
        result.reply_reasons = reasons + routing.findings
        result.reply_verdict = verdict(result.reply_reasons)
        return
    try:
        reply = templates.render(f"review_{routing.route}", values, review_route=routing.route,
                                 has_photos=review.has_photos)
    except RenderError as exc:
        reasons += routing.findings + [_tpl_finding(exc)]
    else:
        result.reply_text = reply
        checked = batch.replies.get((key, reply))
        if checked is None:
            checked = batch.replies[(key, reply)] = tuple(check_reply(review, reply, policy, routing))
        reasons += checked
        reasons += _formula_note(reply)
    result.reply_reasons = reasons
    result.reply_verdict = verdict(reasons)


def _merge_sms(result: MergeResult, values: dict, field_findings: list[Finding], templates: TemplateSet,
               policy: Policy, now: dt.datetime, opted: frozenset, batch: _Batch) -> None:
    reasons = list(field_findings)
    try:
        kind = batch.kinds.get(values["sms_kind"]) or batch.kinds.setdefault(values["sms_kind"],
                                                                             resolve_kind(values["sms_kind"]))
    except ValueError:
        reasons.append(Finding("FIELD", "ERROR", f"短信类型「{values['sms_kind']}」无法识别",
                               f"unknown SMS kind {values['sms_kind']!r}"))
        result.sms_verdict, result.sms_reasons = "ERROR", reasons
        return
    result.sms_kind = kind.id
    stage = values.get("case_stage")             # the case's stage, where the rules read one (texts)
    if stage in STAGE_BLOCKED and kind.id in STAGE_BLOCKED[stage]:
        reasons.append(Finding("SMS-10", "ERROR", f"案件{STAGE_WORD[stage]}, 不再发送{kind.zh}短信",
                               f"the case is {'finished' if stage == 'ST-DONE' else 'closed'}: no {kind.id} SMS"))
    approved = batch.approved.get(kind.id)
    if approved is not None:                      # the vendor's approved text, ${variables} from the row
        filled = fill(approved, values, policy)
        result.sms_template_code, result.sms_params = approved.key, filled.params
        reasons += filled.findings
        if filled.body is None:
            result.sms_reasons, result.sms_verdict = reasons, "ERROR"
            return
        body, signature = filled.body, approved.signature
    else:
        try:
            body = templates.render(kind.id, values, sms_kind_zh=kind.zh)
        except RenderError as exc:
            result.sms_reasons = reasons + [_tpl_finding(exc)]
            result.sms_verdict = "ERROR"
            return
        signature = values.get("sms_signature") or values.get("shop_name")

    phone = values.get("phone") or None
    if not phone:
        reasons.append(Finding("FIELD", "ERROR", "缺少「手机号」, 无法发送", "phone missing: cannot send"))
    elif not MAINLAND_MOBILE.fullmatch(phone):
        reasons.append(Finding("FIELD", "ERROR", f"手机号「{phone}」不是大陆手机号 (11位, 1开头, 第二位3-9), 请核对",
                               f"phone '{phone}' is not a mainland mobile number (11 digits, 1[3-9]...): check it"))
    order_id = values.get("order_id")
    history = batch.history
    template_key = approved.key if approved is not None else kind.id
    queued = batch.reminders.get(order_id, 0) if kind.id == "payment_reminder" and order_id else 0
    key = message_key(phone, template_key, compose(body, signature)[0]) if phone else None
    before = history.sent.get(key) if key and not batch.resend else None
    failed = history.failed.get(key) if key and before is None and not batch.retry_failed else None
    logged = history.reminders.get(order_id, 0) if kind.id == "payment_reminder" and order_id and before is None else 0
    check = check_sms(body, kind, policy=policy, signature=signature, shop_name=values.get("shop_name"),
                      item_name=values.get("item_name"), send_at=values.get("send_at"), now=now,
                      customer_type=values.get("customer_type"), phone=phone, opted_out=opted,
                      paid_amount=values.get("paid_amount"),
                      reminders_sent=max(values.get("reminders_sent", 0), logged) + queued, memo=batch.sms_texts)
    reasons += check.findings
    day_key = (key[0], template_key, (check.planned_send_at or now).date()) if key else None
    if before is not None:
        reasons.append(Finding("SMS-8", "INFO", f"这条短信已在批次{before}导出或发送, 不再重复发送",
                               f"this SMS was already exported or sent in batch {before}; not queued again "
                               f"(use --resend to send it again)"))
    elif failed is not None:
        reasons.append(Finding("SMS-8", "INFO", f"这条短信在批次{failed}发送失败 (见发送记录), 要再发请用 --retry-failed",
                               f"this SMS failed in batch {failed} (see the send log); use --retry-failed to send it "
                               f"again"))
    if before is None and day_key is not None:
        daily = history.daily.get(day_key, 0) + batch.daily.get(day_key, 0)
        cap = policy["SMS-8.daily_per_number"]
        if daily >= cap:
            reasons.append(Finding("SMS-8", "ERROR", f"该号码{day_key[2]:%m-%d}已有{daily}条同模板短信 (上限{cap}条/天), 平台会拒发",
                                   f"this number already gets {daily} SMS of this template on {day_key[2]:%m-%d} "
                                   f"(vendor limit {cap} a day); the vendor would refuse it"))

    buyer = phone or values.get("buyer_nick")
    duplicate_of = batch.sent.get((buyer, kind.id)) if buyer else None
    if duplicate_of is not None:
        order = duplicate_of[1] or "-"
        if batch.sheet_rows is not None:
            row = batch.sheet_rows[duplicate_of[0]]
            where_zh, where_en = f"第{row}行", f"row {row}"
        else:
            n = duplicate_of[0] + 1
            where_zh, where_en = f"本批第{n}条", f"item {n} of the batch"
        reasons.append(Finding("SMS-8", "WARN", f"{where_zh} (订单{order}) 已给同一买家发{kind.zh}短信, 本条跳过",
                               f"duplicate: {where_en} (order {order}) already sends this buyer a {kind.id} SMS; skipped"))
    sms_verdict = verdict(reasons)
    ok = sms_verdict != "ERROR" and duplicate_of is None and before is None and failed is None
    if ok:
        if buyer:
            batch.sent[(buyer, kind.id)] = (result.row, order_id)
        if kind.id == "payment_reminder" and order_id:
            batch.reminders[order_id] = queued + 1
        if day_key is not None:
            batch.daily[day_key] = batch.daily.get(day_key, 0) + 1

    result.sms_text, result.sms_chars, result.sms_parts = check.text, check.chars, check.parts
    result.sms_reasons, result.sms_verdict = reasons, sms_verdict
    result.planned_send_at, result.ok_to_send = check.planned_send_at, ok
    result.sms_signature = signature.strip().strip("【】").strip() if signature else None
    result.sms_key, result.sent_before, result.failed_before = key, before, failed
