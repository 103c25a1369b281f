"""The row fields the messages core reads, in one table, and their normalisation.

The workbook layer maps its (Chinese) column headers to these names and passes one dict per row to
:func:`addin.messages.merge.merge_rows`. Templates see the same names (``{{ shop_name }}``), plus
any extra keys the row carries (custom columns), plus the names the merge adds, never read from the
row: ``platform_zh`` (淘宝/天猫/京东/拼多多), ``review_route`` (good / good_long / medium / bad, in review
replies) and ``sms_kind_zh`` (短信类型中文名, in SMS).

A blank value (None, "", whitespace) is *absent*: a template that uses it fails for that row with a
bilingual "missing field" error instead of printing a blank or "None". Optional parts of a template
use ``{% if x is defined %}…{% endif %}`` or ``{{ x|default('…') }}``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.case import PLATFORM_ZH
from ..core.parse import PARSERS, CellError, is_blank, to_phone, to_text
from addin.core.errors import BilingualError


@dataclass(frozen=True)
class Field:
    name: str
    type: str      # text | money | int | bool | datetime | stars | platform | customer | phone | sms_kind
    zh: str        # the usual column header
    en: str
    note: str = ""
    aliases: tuple[str, ...] = ()   # other keys accepted for it (the 案件 sheet's keys in addin.workbook.sheets.case_columns)


FIELDS: tuple[Field, ...] = (
    Field("shop_name", "text", "店铺名", "shop name", "short name as written in SMS (SMS-3 looks for it)"),
    Field("sms_signature", "text", "短信签名", "SMS signature", "with or without 【】; blank = shop_name"),
    Field("buyer_nick", "text", "买家昵称", "buyer nickname", "buyer-supplied: inserted literally", ("buyer",)),
    Field("phone", "phone", "手机号", "phone", "checked against the opt-out list"),
    Field("platform", "platform", "平台", "platform", "TB / TM / JD / PDD or 淘宝, 天猫, 京东, 拼多多"),
    Field("order_id", "text", "订单号", "order id", "SMS-8 counts reminders per order"),
    Field("item_name", "text", "商品名称", "item name"),
    Field("item_short", "text", "短标题", "short title", "used in an SMS when 商品名称 is over the variable cap"),
    Field("paid_amount", "money", "实付金额", "paid amount", "SMS-8 large-order threshold", ("paid",)),
    Field("refund_amount", "money", "退款金额", "refund amount", "", ("refund",)),
    Field("stars", "stars", "评分", "stars", "1-5, or 好评/中评/差评", ("review_stars",)),
    Field("review_text", "text", "评价内容", "review text", "buyer-supplied: inserted literally"),
    Field("has_photos", "bool", "有图", "has photos"),
    Field("sms_kind", "sms_kind", "短信类型", "SMS kind", "id or Chinese name, see sms.KINDS"),
    Field("send_at", "datetime", "计划发送时间", "planned send time", "blank = now"),
    Field("customer_type", "customer", "客户类型", "customer type", "office 上班族 / student 学生 / other 其他 (core.case)"),
    Field("reminders_sent", "int", "已催付次数", "reminders already sent", "before this batch (SMS-8)"),
    Field("ship_eta", "text", "预计发货时间", "expected dispatch", "delay notices must state it (SMS-9)"),
    Field("delay_reason", "text", "延迟原因", "delay reason"),
    Field("return_address", "text", "退货地址", "return address"),
    Field("promo_text", "text", "活动内容", "promotion text", "marketing SMS"),
    # computed by the rules core, passed through to the templates
    Field("compensation", "money", "赔偿金额", "compensation", "", ("comp_amount",)),
    Field("deadline_text", "text", "时限说明", "deadline text"),
    Field("payer", "text", "运费承担方", "freight payer", "buyer/seller/insurer or Chinese", ("ret_payer",)),
)
FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
ALIASES: dict[str, str] = {a: f.name for f in FIELDS for a in f.aliases}


class FieldError(BilingualError, ValueError):
    """A row value that cannot be read; names the field in Chinese and English."""

    def __init__(self, name: str, reason_zh: str, reason_en: str):
        field = FIELDS_BY_NAME.get(name)
        super().__init__(f"「{field.zh if field else name}」: {reason_zh}", f"field '{name}': {reason_en}", "field")
        self.field = name


def _text(raw):
    """Text as typed; a date stays a date (ship_eta typed as a date: the template prints 10月9日). A number
    of 16 digits or more (an order id pasted into a General column) is refused: Excel kept only 15 of its
    digits, so it would print another order's id."""
    if isinstance(raw, float) and abs(raw) >= 1e15:
        raise CellError(f"是超过15位的数字, 末几位已丢失 ({to_text(raw)}); 请把该列设为文本, 重新粘贴原值",
                        f"a number of more than 15 digits has lost its last digits ({to_text(raw)}); "
                        f"format the column as text and paste the original again")
    return raw if isinstance(raw, dt.date) else to_text(raw)


_PARSERS = {**PARSERS, "text": _text}


# How normalize_row reads a row key, built once per key: (name, how, parser, is an alias), where how is
# _SKIP (not usable as a template name, e.g. an unnamed column), _KEEP (kept as typed, stripped),
# _TEXT (a text field) or _PARSE (read by the field's parser).
_SKIP, _KEEP, _TEXT, _PARSE = range(4)
_PLAN: dict = {}
_TEXT_FIELDS = frozenset(f.name for f in FIELDS if f.type == "text")      # read as typed under their own name
# Values whose reading is shared by the rows of a batch (a float amount is read faster than looked up;
# a phone number is unique to its row and to_phone is quick).
_CACHEABLE = frozenset({str, int, bool, dt.datetime})


def _plan(key):
    canonical = ALIASES.get(key, key)
    field = FIELDS_BY_NAME.get(canonical)
    alias = key in ALIASES
    if field is None:
        plan = (key, _KEEP, None, False) if isinstance(key, str) and key.isidentifier() else (key, _SKIP, None, False)
    elif field.type == "sms_kind":
        plan = (canonical, _KEEP, None, alias)
    elif field.type == "text":
        plan = (canonical, _TEXT, _text, alias)
    else:
        plan = (canonical, _PARSE, _PARSERS[field.type], alias)
    if isinstance(key, str):
        _PLAN[key] = plan
    return plan


def normalize_row(row: dict, cache: dict | None = None) -> tuple[dict, list[FieldError]]:
    """Typed copy of a row without blank values, plus the values that could not be read.

    Aliases (:data:`ALIASES`, e.g. the 案件 sheet's ``buyer``/``paid``/``review_stars``) are read as
    their field. Unknown keys are kept as they are, so staff's own columns can be used in templates.
    ``sms_kind`` is only stripped here; :mod:`addin.messages.sms` resolves it.

    ``cache`` (a dict the caller keeps for a batch) remembers each distinct value's reading, so a
    shop name or an address repeated on every row is parsed once.
    """
    out: dict = {}
    errors: list[FieldError] = []
    plans, texts = _PLAN, _TEXT_FIELDS
    for key, raw in row.items():
        if raw is None:
            continue
        cls = raw.__class__
        if cls is str and key in texts:       # most fields: text as typed (to_text of a str is its strip)
            value = raw.strip()
            if value:
                out[key] = value
            continue
        plan = plans.get(key) or _plan(key)
        if plan[1] is _TEXT and cls is str:    # a text field under an alias
            value = raw.strip()
            if value and not (plan[3] and not is_blank(row.get(plan[0]))):   # blank, or the canonical key wins
                out[plan[0]] = value
            continue
        name, how, parse, alias = plan
        if (cls is str and not raw.strip()) or (cls is float and raw != raw) or how is _SKIP:   # is_blank
            continue
        if alias and not is_blank(row.get(name)):
            continue                           # the canonical key wins
        if how is _KEEP:
            out[name] = raw.strip() if isinstance(raw, str) else raw
            continue
        if cache is not None and cls in _CACHEABLE and parse is not to_phone and parse is not _text:
            memo = (parse, cls, raw)           # the class too: 1, 1.0 and True are equal keys
            value = cache.get(memo, _MISSING)
            if value is _MISSING:
                try:
                    value = parse(raw)
                except CellError as exc:
                    value = exc
                cache[memo] = value
        else:
            try:
                value = parse(raw)
            except CellError as exc:
                value = exc
        if isinstance(value, CellError):
            errors.append(FieldError(name, value.zh, value.en))
        else:
            out[name] = value
    if "platform" in out:
        out["platform_zh"] = PLATFORM_ZH[out["platform"]]
    return out, errors


_MISSING = object()
