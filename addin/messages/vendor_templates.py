"""Approved vendor SMS templates (阿里云 短信模板): the shop's approved text, filled from the row.

In China an SMS goes out only as a template the vendor approved, in its ``${name}`` syntax, with an
approved signature; the shop fills the variables, it cannot send free text. Per SMS kind the 模板
sheet holds the vendor TemplateCode, the approved text exactly as approved and the signature
(:class:`ApprovedTemplate`). This module turns a row into the variable values and the final text:

* :data:`VARIABLES` maps each variable name a shop may use to a row field (``${orderNo}`` → order id,
  ``${amount}`` → the refund for a 退款 notice, the compensation otherwise, ...). It is the table a
  shop reads before applying for a template. A name that is not in it refuses the template, and every
  row of that kind gets an ERROR naming the variable (rule TPL-1).
* :data:`VAR_RULES` holds the vendor's limits per variable property (变量属性): length, allowed
  characters, no links or phone numbers unless the property is a phone number (rules VAR-1 … VAR-3).
  Sources: README "Bulk-SMS vendors" lists what was confirmed and where, and what is our reading.
* :func:`fill` gives the values (as the strings the vendor receives) and the body; the merge then runs
  every SMS check (length, parts, first 7 characters, opt-out, window, lint) on 【signature】 + body.

Pure: no Excel, no files.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.findings import Finding
from ..core.money import fmt_yuan
from ..core.policy import DEFAULT_POLICY, Policy
from ..core.parse import fold
from .render import MESSAGE_PAYER_ZH

# ${name}: the vendor's variable syntax (首字母为英文字母, 字母/数字/下划线).
VAR_PATTERN = re.compile(r"\$\{([^{}]*)\}")
_VAR_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class VarRule:
    """What the vendor accepts in a variable of one property (变量属性, TemplateRule code)."""
    attr: str              # the property code used in Aliyun's TemplateRule, e.g. "others"
    zh: str
    en: str
    max_chars: int | str   # a number, or a policy id
    pattern: str | None    # the whole value must match (None: any text)
    pattern_zh: str = ""
    pattern_en: str = ""
    contacts_allowed: bool = False     # phone numbers / links may appear in the value

    def limit(self, policy: Policy) -> int:
        return policy[self.max_chars] if isinstance(self.max_chars, str) else self.max_chars


VAR_RULES: dict[str, VarRule] = {r.attr: r for r in (
    VarRule("others", "其他", "free text", "SMS-VAR.max_chars", None),
    VarRule("other_number2", "其他号码", "other number", "SMS-VAR.max_chars", r"[A-Za-z0-9]+",
            "只能是字母和数字", "letters and digits only"),
    VarRule("money", "金额", "amount", "SMS-VAR.max_chars", r"\d+(?:\.\d{1,2})?",
            "只能是数字(可带两位小数), 不带¥/元", "digits with up to two decimals, no ¥ or 元"),
    VarRule("time", "时间", "time", "SMS-VAR.max_chars",
            r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?|\d{2}:\d{2}",
            "须为 2026-11-24 或 2026-11-24 10:00 这样的日期时间", "must be YYYY-MM-DD or YYYY-MM-DD hh:mm"),
    VarRule("phone_number2", "电话号码", "phone number", 15, r"1\d{10}|[0-9][0-9-]{3,13}[0-9]",
            "须为11位手机号或固话(数字和短横线)", "an 11-digit mobile or a landline (digits and dashes)",
            contacts_allowed=True),
)}


@dataclass(frozen=True)
class TemplateVar:
    """One variable name a shop may use in an approved template, and where its value comes from."""
    name: str                          # canonical name, e.g. "orderNo"
    source: str                        # row field (addin.messages.fields names, plus deadline_at)
    attr: str                          # key of VAR_RULES: the 变量属性 to choose when applying
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    by_kind: dict[str, str] = field(default_factory=dict)   # SMS kind -> source field for that kind
    shorten: bool = False              # a title-like text: cut to fit instead of failing (see shorten_value)


VARIABLES: tuple[TemplateVar, ...] = (
    TemplateVar("orderNo", "order_id", "other_number2", "订单号", "order id", ("order_no", "orderId", "order")),
    TemplateVar("amount", "compensation", "money", "金额: 退款通知为退款金额, 其余为赔偿金额",
                "amount: the refund in a refund notice, else the compensation", ("money",),
                {"refund_done": "refund_amount"}),
    TemplateVar("refund", "refund_amount", "money", "退款金额", "refund amount", ("refundAmount", "refund_amount")),
    TemplateVar("compensation", "compensation", "money", "赔偿金额", "compensation", ("comp", "compAmount")),
    TemplateVar("deadline", "deadline_at", "time", "本短信所说的截止时间 (运费险理赔为到账时限, 其余为下一截止)",
                "the deadline this SMS speaks of (insurance payout: INS-1, else the next deadline)", ("dueTime",)),
    TemplateVar("address", "return_address", "others", "退货地址", "return address", ("returnAddress",)),
    TemplateVar("shop", "shop_name", "others", "店铺名", "shop name", ("shopName", "shop_name")),
    TemplateVar("item", "item_name", "others", "商品名称", "item name", ("itemName", "item_name", "goods"), shorten=True),
    TemplateVar("eta", "ship_eta", "others", "预计发货时间", "expected dispatch", ("shipEta", "ship_eta")),
    TemplateVar("reason", "delay_reason", "others", "延迟原因", "delay reason", ("delayReason",)),
    TemplateVar("payer", "payer", "others", "退货运费承担方", "return freight payer", ()),
    TemplateVar("promo", "promo_text", "others", "活动内容", "promotion text", ("promoText",), shorten=True),
    TemplateVar("platform", "platform_zh", "others", "平台", "platform", ()),
)
_BY_NAME: dict[str, TemplateVar] = {n: v for v in VARIABLES for n in (v.name, *v.aliases)}


# 腾讯云's numbered variables: {1} … {N} (cloud.tencent.com/document/product/382/13299, 短信格式).
TENCENT_VAR = re.compile(r"\{(\d+)\}")
OVERFLOW_CUT, OVERFLOW_FAIL = "截短", "报错"     # what the 模板 sheet's 超长处理 says for a too-long title


@dataclass(frozen=True)
class ApprovedTemplate:
    kind: str                   # SMS kind id (addin.messages.sms.KINDS)
    code: str                   # 阿里云 TemplateCode, e.g. SMS_123456789 ("" when only 腾讯云 approved it)
    text: str                   # the approved text, ${name} variables, without the signature
    signature: str              # approved signature, without 【】
    # 腾讯云: the template id and its approved text with {1} … {N}; which variable fills {i} is the i-th
    # name of ``tencent_names`` (else the i-th ${name} of the 阿里云 text, the same message approved twice).
    tencent_id: str = ""
    tencent_text: str = ""
    tencent_names: tuple[str, ...] = ()
    max_chars: int | None = None         # the shop's own cap per variable for this template (else SMS-VAR)
    overflow: str = OVERFLOW_CUT         # a title over the cap: 截短 (cut, see shorten_value) or 报错

    @property
    def key(self) -> str:
        """The template a message is known by in the send log: the 阿里云 code, else the 腾讯云 id."""
        return self.code or self.tencent_id

    @property
    def source_text(self) -> str:
        """The text the final SMS is made from: the 阿里云 one, else 腾讯云's with {i} named."""
        if self.text or not self.tencent_text:
            return self.text
        order = self.tencent_order
        return TENCENT_VAR.sub(lambda m: "${%s}" % order[int(m.group(1)) - 1]
                               if 0 < int(m.group(1)) <= len(order) else m.group(0), self.tencent_text)

    @property
    def tencent_order(self) -> list[str]:
        """The variable names for {1} … {N}, in that order."""
        if self.tencent_names:
            return list(self.tencent_names)
        seen: list[str] = []
        for m in VAR_PATTERN.finditer(self.text):
            if m.group(1) not in seen:
                seen.append(m.group(1))
        return seen

    @property
    def tencent_count(self) -> int:
        return max((int(m.group(1)) for m in TENCENT_VAR.finditer(self.tencent_text)), default=0)

    @property
    def names(self) -> list[str]:
        """Variable names in order of first appearance (the vendor file's columns)."""
        seen: list[str] = []
        for m in VAR_PATTERN.finditer(self.source_text):
            if m.group(1) not in seen:
                seen.append(m.group(1))
        return seen

    def problems(self) -> list[Finding]:
        """Why this template cannot be filled: unknown variables, signature in the text, blanks (TPL-1/2)."""
        out = []
        if not self.code.strip() and not self.tencent_id.strip():
            out.append(Finding("TPL-2", "ERROR", "审核通过的模板缺少模板CODE", "approved template has no TemplateCode"))
        if not self.text.strip() and not self.tencent_text.strip():
            out.append(Finding("TPL-2", "ERROR", "缺少审核通过的模板内容", "approved template has no approved text"))
        out += self._tencent_problems()
        if not self.signature.strip():
            out.append(Finding("TPL-2", "ERROR", "审核通过的模板缺少短信签名", "approved template has no signature"))
        if any(c in t for c in "【】" for t in (self.text, self.tencent_text)):
            out.append(Finding("TPL-2", "ERROR", "模板内容里不要写【签名】: 平台会自动加签名",
                               "do not type the 【signature】 into the template text: the vendor adds it"))
        for name in self.names:
            if not _VAR_NAME.fullmatch(name):
                out.append(Finding("TPL-1", "ERROR", f"模板变量「${{{name}}}」不是合法变量名 (字母开头, 只含字母数字下划线)",
                                   f"template variable '${{{name}}}' is not a valid name (a letter, then letters, "
                                   f"digits, _)"))
            elif name not in _BY_NAME:
                known = ", ".join(v.name for v in VARIABLES)
                out.append(Finding("TPL-1", "ERROR", f"模板变量「${{{name}}}」无法填写: 不在变量对照表中 (可用: {known})",
                                   f"template variable '${{{name}}}' cannot be filled: not in the variable table "
                                   f"(known: {known})"))
        return out

    def _tencent_problems(self) -> list[Finding]:
        """腾讯云's {1} … {N} need a known variable each (from 腾讯云变量顺序 or the 阿里云 text)."""
        if not self.tencent_id.strip() and not self.tencent_text.strip():
            return []
        if not self.tencent_id.strip() or not self.tencent_text.strip():
            return [Finding("TPL-2", "ERROR", "腾讯云模板要同时填模板ID和审核通过的内容",
                            "a 腾讯云 template needs both its id and its approved text")]
        n, order = self.tencent_count, self.tencent_order
        if len(order) < n:
            return [Finding("TPL-2", "ERROR", f"腾讯云模板有{{1}}…{{{n}}}共{n}个变量, 但只知道{len(order)}个变量名: "
                                              f"请在「腾讯云变量顺序」按顺序填变量名 (如 orderNo eta)",
                            f"the 腾讯云 template has {n} variables but only {len(order)} names are known: list them "
                            f"in 腾讯云变量顺序 (e.g. orderNo eta)")]
        extra = [n for n in order[:n] if self.text and n not in VAR_PATTERN.findall(self.text)]
        if extra:
            return [Finding("TPL-2", "ERROR", f"腾讯云变量顺序里的「{extra[0]}」不在阿里云模板内容中, 两个模板应是同一条短信",
                            f"'{extra[0]}' of 腾讯云变量顺序 is not in the 阿里云 text: both should be the same message")]
        return []


@dataclass
class Filled:
    params: dict[str, str]            # variable name -> value as sent (TemplateParam)
    body: str | None                  # the approved text with the values in; None when a value is missing
    findings: list[Finding]


def _source(var: TemplateVar, kind: str) -> str:
    return var.by_kind.get(kind, var.source)


def format_value(value, attr: str) -> str:
    """A row value as the vendor receives it: money 26.70 / 89, times 2026-11-24 10:00, text stripped."""
    if attr == "money" and isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        text = fmt_yuan(Decimal(str(value)))
        return text[:-3] if text.endswith(".00") else text
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}" if attr == "time" or value.time() != dt.time() else f"{value:%Y-%m-%d}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return MESSAGE_PAYER_ZH.get(text.lower(), text) if attr == "others" else text


# Contact details a variable must not carry (vendors block them; put fixed ones into the approved text).
_URL = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|cn|net|top|cc|vip|xyz)\b|\b\d{1,3}(?:\.\d{1,3}){3}\b",
                  re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|400-?\d{3}-?\d{4})(?!\d)")
_QQ_WX = re.compile(r"(?:qq|微信|vx|wechat)\s*[:：号]?\s*[A-Za-z0-9_-]{5,}", re.IGNORECASE)


def check_value(name: str, value: str, rule: VarRule, policy: Policy = DEFAULT_POLICY,
                limit: int | None = None) -> list[Finding]:
    """The vendor's limits on one variable value (VAR-1 length, VAR-2 contact details, VAR-3 format)."""
    out = []
    limit = limit if limit is not None else rule.limit(policy)
    if len(value) > limit:
        out.append(Finding("VAR-1", "ERROR", f"变量${{{name}}}「{value}」{len(value)}个字, 超过{rule.zh}类变量上限{limit}个字",
                           f"variable ${{{name}}} '{value}' has {len(value)} characters, above the {limit} allowed "
                           f"for a variable of this kind ({rule.en})"))
    folded = fold(value)
    if not rule.contacts_allowed:
        hit = _URL.search(folded) or _PHONE.search(folded) or _QQ_WX.search(folded)
        if hit:
            out.append(Finding("VAR-2", "ERROR", f"变量${{{name}}}含链接或联系方式「{hit.group(0)}」: 平台不允许变量带链接/电话/QQ/微信, "
                                                 f"固定的联系方式请写进模板正文",
                               f"variable ${{{name}}} carries a link or contact '{hit.group(0)}': vendors refuse links, "
                               f"phone numbers, QQ or WeChat in variables; put fixed contacts into the template text"))
    if rule.pattern and not re.fullmatch(rule.pattern, folded):
        out.append(Finding("VAR-3", "ERROR", f"变量${{{name}}}「{value}」格式不对: {rule.pattern_zh}",
                           f"variable ${{{name}}} '{value}' has the wrong format: {rule.pattern_en}"))
    return out


# Where a title may be cut: after a space or a separator (淘宝 titles group their keywords by spaces).
_BREAK = re.compile(r"[\s,，、/|;；:：()（）\[\]【】+·-]")
ELLIPSIS = "…"


def shorten_value(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in …: at the last word boundary in the
    second half of what fits, else mid-word (a Chinese title without spaces)."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 1)
    head = text[:room]
    cuts = [m.start() for m in _BREAK.finditer(text[:room + 1]) if m.start() >= room // 2]
    if cuts:
        head = text[:cuts[-1]]
    return head.rstrip(" ,，、/|;；:：-·(（") + ELLIPSIS


# The 案件 column staff fill with a short form of a variable's field (短标题 for 商品名称).
SHORT_FORMS = {"item_name": "item_short"}


def _limit(template: ApprovedTemplate, rule: VarRule, policy: Policy) -> int:
    cap = rule.limit(policy)
    return min(cap, template.max_chars) if template.max_chars else cap


def fill(template: ApprovedTemplate, values: dict, policy: Policy = DEFAULT_POLICY) -> Filled:
    """The variable values and the filled body for one row (``values``: normalised row fields).

    A title-like variable (商品名称, 活动内容) over the cap is shortened instead of failing the message,
    unless the template's 超长处理 says 报错: the row's 短标题 when staff filled one (cut too if still too
    long), else the title cut at a word boundary with … (an INFO says so)."""
    findings = template.problems()
    if findings:
        return Filled({}, None, findings)
    params: dict[str, str] = {}
    for name in template.names:
        var = _BY_NAME[name]
        source = _source(var, template.kind)
        raw = values.get(source)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            findings.append(Finding("FIELD", "ERROR", f"模板变量${{{name}}}需要「{var.zh}」, 本行为空",
                                    f"template variable ${{{name}}} needs {var.en} ({source}), which is blank in "
                                    f"this row"))
            continue
        rule = VAR_RULES[var.attr]
        value = format_value(raw, var.attr)
        limit = _limit(template, rule, policy)
        if len(value) > limit and var.shorten and template.overflow != OVERFLOW_FAIL:
            value, note = _shortened(var, name, value, values, limit)
            findings.append(note)
        params[name] = value
        findings += check_value(name, value, rule, policy, limit)
    if len(params) < len(template.names):
        return Filled(params, None, findings)
    body = VAR_PATTERN.sub(lambda m: params[m.group(1)], template.source_text)
    return Filled(params, body, findings)


def _shortened(var: TemplateVar, name: str, value: str, values: dict, limit: int) -> tuple[str, Finding]:
    short = values.get(SHORT_FORMS.get(var.source, ""))
    short = str(short).strip() if short is not None and str(short).strip() else None
    new = shorten_value(short or value, limit)
    how_zh = "用本行的短标题" if short and new == short else ("用短标题并截短" if short else "已按词截短")
    how_en = "the row's 短标题 used" if short and new == short else ("短标题 cut" if short else "cut at a word boundary")
    return new, Finding("VAR-1", "INFO", f"{var.zh}{len(value)}个字, 超过变量上限{limit}个字, {how_zh}: 「{new}」",
                        f"{var.en} has {len(value)} characters, above the {limit} allowed: {how_en}: '{new}'")
