"""The row fields the messages core reads, in one table, and their normalisation.

The workbook layer maps its (Chinese) column headers to these names and passes one dict per row to
:func:`addin.messages.merge.merge_rows`. Templates see the same names (``{{ shop_name }}``), plus
any extra keys the row carries (custom columns), plus the derived names in :data:`DERIVED`.

A blank value (None, "", whitespace) is *absent*: a template that uses it fails for that row with a
bilingual "missing field" error instead of printing a blank or "None". Optional parts of a template
use ``{% if x is defined %}…{% endif %}`` or ``{{ x|default('…') }}``.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from ..core.case import PLATFORM_ZH, PLATFORMS
from ..core.money import to_decimal


@dataclass(frozen=True)
class Field:
    name: str
    type: str      # text | money | int | bool | datetime | stars | platform | customer | phone | sms_kind
    zh: str        # the usual column header
    en: str
    note: str = ""
    aliases: tuple[str, ...] = ()   # other keys accepted for it (the 案件 sheet's keys in addin.workbook.schema)


FIELDS: tuple[Field, ...] = (
    Field("shop_name", "text", "店铺名", "shop name", "short name as written in SMS (SMS-3 looks for it)"),
    Field("sms_signature", "text", "短信签名", "SMS signature", "with or without 【】; blank = shop_name"),
    Field("buyer_nick", "text", "买家昵称", "buyer nickname", "buyer-supplied: inserted literally", ("buyer",)),
    Field("phone", "phone", "手机号", "phone", "checked against the opt-out list"),
    Field("platform", "platform", "平台", "platform", "TB / TM / JD / PDD or 淘宝, 天猫, 京东, 拼多多"),
    Field("order_id", "text", "订单号", "order id", "SMS-8 counts reminders per order"),
    Field("item_name", "text", "商品名称", "item name"),
    Field("paid_amount", "money", "实付金额", "paid amount", "SMS-8 large-order threshold", ("paid",)),
    Field("refund_amount", "money", "退款金额", "refund amount", "", ("refund",)),
    Field("stars", "stars", "评分", "stars", "1-5, or 好评/中评/差评", ("review_stars",)),
    Field("review_text", "text", "评价内容", "review text", "buyer-supplied: inserted literally"),
    Field("has_photos", "bool", "有图", "has photos"),
    Field("sms_kind", "sms_kind", "短信类型", "SMS kind", "id or Chinese name, see sms.KINDS"),
    Field("send_at", "datetime", "计划发送时间", "planned send time", "blank = now"),
    Field("customer_type", "customer", "客户类型", "customer type", "office 上班族 / student 学生 / other 其他"),
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

# Names the merge adds to every template context (never read from the row).
DERIVED = {
    "platform_zh": "平台中文名 (淘宝/天猫/京东/拼多多)",
    "review_route": "good / good_long / medium / bad",
    "sms_kind_zh": "短信类型中文名",
}

CUSTOMER_TYPES = {
    "office": ("office", "上班族", "白领", "职员", "worker"),
    "student": ("student", "学生"),
    "other": ("other", "其他", "其它", "宝妈", "自由职业"),
}


class FieldError(ValueError):
    """A row value that cannot be read; names the field in Chinese and English."""

    def __init__(self, name: str, raw, reason_zh: str, reason_en: str):
        field = FIELDS_BY_NAME.get(name)
        label = f"{name} / {field.zh}" if field else name
        self.field = name
        self.zh = f"字段「{label}」的值 {raw!r} 无法识别: {reason_zh}"
        self.en = f"field '{name}' value {raw!r} cannot be read: {reason_en}"
        super().__init__(self.en)


# Full-width ASCII (Ｔ, ０, ？, ！ …) and the ideographic space fold to ASCII, like NFKC but far cheaper.
# Only full-width letters/digits (and ™) trigger it: full-width punctuation is in nearly every Chinese
# text, so the patterns accept both forms (，/, ？/? …) instead. ™ becomes a space (NFKC: "TM", a lint hit).
_WIDE = re.compile("[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u2122]")
_WIDE_TABLE = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20, 0x2122: 0x20}


def fold(text: str) -> str:
    """Full-width letters, digits and punctuation → ASCII, for matching (the text itself is not changed)."""
    return text.translate(_WIDE_TABLE) if _WIDE.search(text) else text


def is_blank(value) -> bool:
    if value is None:
        return True
    if value.__class__ is str:
        return not value.strip()
    return value.__class__ is float and math.isnan(value)


def _text(raw):
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw                           # e.g. ship_eta typed as a date: the template prints 10月9日
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))                 # 13800138000.0 / order ids read from Excel as numbers
    if isinstance(raw, str):
        return raw.strip()
    return str(raw)


def normalize_phone(raw) -> str:
    """Digits only, without +86/0086; full-width digits folded. Used for the opt-out list too."""
    text = fold(_text(raw))
    digits = re.sub(r"\D", "", text)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits


def _stars(raw) -> int:
    if isinstance(raw, str):
        text = fold(raw).strip()
        named = {"好评": 5, "中评": 3, "差评": 1}
        if text in named:
            return named[text]
        text = text.rstrip("星★分 ")
        if text and set(text) == {"★"}:
            return len(text)
        raw = text
    value = to_decimal(raw)
    if value != value.to_integral_value() or not 1 <= value <= 5:
        raise ValueError("not 1-5")
    return int(value)


def _bool(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        return raw != 0
    text = str(raw).strip().lower()
    if text in {"是", "有", "有图", "带图", "y", "yes", "true", "1", "对"}:
        return True
    if text in {"否", "无", "没有", "无图", "n", "no", "false", "0"}:
        return False
    raise ValueError("not yes/no")


def _datetime(raw) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        return raw.replace(tzinfo=None)
    if isinstance(raw, dt.date):
        return dt.datetime.combine(raw, dt.time())
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):  # Excel serial date
        return dt.datetime(1899, 12, 30) + dt.timedelta(days=float(raw))
    text = fold(str(raw)).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：时](\d{2})分?(?::(\d{2}))?)?", text)
    if not m:
        raise ValueError("not YYYY-MM-DD HH:MM")
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    return dt.datetime(y, mo, d, h, mi, s)


def _platform(raw) -> str:
    text = str(raw).strip().lower()
    for code, names in PLATFORMS.items():
        if text == code.lower() or text in names:
            return code
    raise ValueError("unknown platform")


def _customer(raw) -> str:
    text = str(raw).strip().lower()
    for code, names in CUSTOMER_TYPES.items():
        if text in names:
            return code
    raise ValueError("office/student/other")


def _money(raw) -> Decimal:
    if isinstance(raw, str):
        raw = raw.strip().replace(",", "").replace("¥", "").replace("￥", "").replace("元", "")
    return to_decimal(raw)


def _int(raw) -> int:
    value = _money(raw)
    if value != value.to_integral_value():
        raise ValueError("not a whole number")
    return int(value)


_PARSERS = {
    "text": _text, "money": _money, "int": _int, "bool": _bool, "datetime": _datetime, "stars": _stars,
    "platform": _platform, "customer": _customer, "phone": normalize_phone,
}


def normalize_row(row: dict) -> tuple[dict, list[FieldError]]:
    """Typed copy of a row without blank values, plus the values that could not be read.

    Aliases (:data:`ALIASES`, e.g. the 案件 sheet's ``buyer``/``paid``/``review_stars``) are read as
    their field. Unknown keys are kept as they are, so staff's own columns can be used in templates.
    ``sms_kind`` is only stripped here; :mod:`addin.messages.sms` resolves it.
    """
    out: dict = {}
    errors: list[FieldError] = []
    for key, raw in row.items():
        if is_blank(raw):
            continue
        if key in ALIASES:
            canonical = ALIASES[key]
            if not is_blank(row.get(canonical)):
                continue                       # the canonical key wins
            key = canonical
        field = FIELDS_BY_NAME.get(key)
        if field is None and not (isinstance(key, str) and key.isidentifier()):
            continue                           # not usable as a template name (e.g. an unnamed column)
        if field is None or field.type == "sms_kind":
            out[key] = raw.strip() if isinstance(raw, str) else raw
            continue
        try:
            out[key] = _PARSERS[field.type](raw)
        except (ValueError, TypeError, ArithmeticError) as exc:
            errors.append(FieldError(key, raw, "格式不对", str(exc)))
    if "platform" in out:
        out["platform_zh"] = PLATFORM_ZH[out["platform"]]
    return out, errors
