"""SMS checks, rules.md §4.1 (SMS-1 … SMS-9), on the text as the buyer receives it: 【签名】 + body.

Which kinds are transactional (our reading of P17/P18/P19, documented here because the spec leaves
it to us):

* P19 (工信部令第31号) regulates 商业性短信息: consent + an opt-out in every message. P18 (Tencent)
  requires 退订 in 营销短信, P17 (Huawei) restricts 推广短信 to 08:00-22:00. Notices about the buyer's
  own order are the vendors' 通知短信 category, which needs neither, and the buyer needs them promptly.
* ``marketing``: commercial → opt-out + send window, always.
* ``payment_reminder`` (催付): a sales push, not a notice. SMS-5 requires the opt-out by default
  (policy ``SMS-5.reminder_optout``); SMS-7 gives it preferred hours, so it also follows the window
  (policy ``SMS-6.reminder_window``).
* ``shipping_delay``, ``refund_done``, ``return_address``, ``insurance_payout``: notices about the
  buyer's order → transactional: no opt-out, no window. A notice that carries promotional wording
  gets a WARN (vendors then classify it as marketing).
* ``follow_up`` (回访): service about the buyer's own order → no opt-out; but it is never urgent, so
  we keep it inside the send window (our choice, not a rule).

An opted-out number is an ERROR for every kind by default (policy ``SMS-5.optout_blocks_notices``;
set it to 否 to only WARN on transactional notices, which P19 does not cover).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from ..core.findings import Finding, verdict
from ..core.policy import DEFAULT_POLICY, Policy
from ..core.parse import fold, to_phone
from .lint import lint


@dataclass(frozen=True)
class SmsKind:
    id: str
    zh: str
    transactional: bool        # 通知类: no opt-out needed
    window: bool | str         # send window applies: True/False, or a policy id (bool)
    opt_out: bool | str        # opt-out required: True/False, or a policy id (bool)

    def needs_window(self, policy: Policy) -> bool:
        return bool(policy[self.window]) if isinstance(self.window, str) else self.window

    def needs_opt_out(self, policy: Policy) -> bool:
        return bool(policy[self.opt_out]) if isinstance(self.opt_out, str) else self.opt_out


KINDS: tuple[SmsKind, ...] = (
    SmsKind("payment_reminder", "催付", False, "SMS-6.reminder_window", "SMS-5.reminder_optout"),
    SmsKind("shipping_delay", "发货延迟通知", True, False, False),
    SmsKind("refund_done", "退款完成", True, False, False),
    SmsKind("return_address", "退货地址", True, False, False),
    SmsKind("follow_up", "回访", True, True, False),
    SmsKind("insurance_payout", "运费险理赔", True, False, False),
    SmsKind("marketing", "营销", False, True, True),
)
KINDS_BY_ID: dict[str, SmsKind] = {k.id: k for k in KINDS}
# SMS-10: kinds that ask the buyer to act on a case, never sent once the case is over (addin.core.stage):
# a refund that succeeded still gets its 退款完成 notice and a 回访; a closed one (no refund) gets neither
# a 退款完成 nor a 运费险理赔 notice.
STAGE_BLOCKED: dict[str, frozenset[str]] = {
    "ST-DONE": frozenset({"payment_reminder", "shipping_delay", "return_address"}),
    "ST-CLOSED": frozenset({"payment_reminder", "shipping_delay", "return_address", "refund_done", "insurance_payout"}),
}
STAGE_WORD = {"ST-DONE": "已完结", "ST-CLOSED": "已关闭"}
_KIND_ALIASES = {**{k.zh: k for k in KINDS}, "催付短信": KINDS_BY_ID["payment_reminder"],
                 "延迟发货": KINDS_BY_ID["shipping_delay"], "发货延迟": KINDS_BY_ID["shipping_delay"],
                 "退款": KINDS_BY_ID["refund_done"], "退款通知": KINDS_BY_ID["refund_done"],
                 "运费险": KINDS_BY_ID["insurance_payout"], "营销短信": KINDS_BY_ID["marketing"],
                 "推广": KINDS_BY_ID["marketing"]}


def resolve_kind(value) -> SmsKind:
    """An SmsKind from its id or Chinese name; ValueError when unknown."""
    if isinstance(value, SmsKind):
        return value
    text = str(value).strip()
    kind = KINDS_BY_ID.get(text.lower()) or _KIND_ALIASES.get(text)
    if kind is None:
        raise ValueError(f"unknown SMS kind {value!r}")
    return kind


# --- SMS-1 signature ---------------------------------------------------------------------------

_SIG_AT_START = re.compile(r"^【([^【】]*)】")
_SIG_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")


@lru_cache(maxsize=1024)                # a shop has a signature or two; every SMS formats it twice
def format_signature(signature: str) -> str:
    """'小美家居' or '【小美家居】' -> '【小美家居】'."""
    return f"【{signature.strip().strip('【】').strip()}】"


def check_signature(received: str) -> list[Finding]:
    m = _SIG_AT_START.match(received)
    if not m:
        if "【" in received:
            return [Finding("SMS-1", "ERROR", "签名【…】必须在短信开头", "the 【signature】 must open the SMS")]
        return [Finding("SMS-1", "ERROR", "缺少短信签名【…】", "no 【signature】 at the start")]
    sig = m.group(1)
    out = []
    if not 2 <= len(sig) <= 12:
        out.append(Finding("SMS-1", "ERROR", f"签名「{sig}」须为2-12个字 (现{len(sig)}个)",
                           f"signature '{sig}' must be 2-12 characters (has {len(sig)})"))
    if sig and not _SIG_CHARS.fullmatch(sig):
        out.append(Finding("SMS-1", "ERROR", f"签名「{sig}」只能含中文、英文、数字, 不能有符号",
                           f"signature '{sig}' may contain only Chinese, letters and digits"))
    rest = received[m.end():]
    if rest.lstrip().startswith("【") or f"【{sig}】" in rest:
        out.append(Finding("SMS-1", "ERROR", "签名重复: 平台会自动加签名, 正文里不要再写【…】",
                           "signature typed twice: the platform adds it, do not type it in the body"))
    return out


# --- SMS-2 length and parts --------------------------------------------------------------------

def sms_length(text: str, policy: Policy = DEFAULT_POLICY) -> tuple[int, int]:
    """(characters, billed parts): every character counts 1; ≤70 → 1 part, else ceil(n/67)."""
    n = len(text)
    if n == 0:
        return 0, 0
    return n, 1 if n <= policy["SMS-2.single"] else math.ceil(n / policy["SMS-2.part"])


_NON_BMP = re.compile("[\U00010000-\U0010FFFF]")


def check_length(received: str, policy: Policy = DEFAULT_POLICY) -> tuple[int, int, list[Finding]]:
    chars, parts = sms_length(received, policy)
    out = []
    if _NON_BMP.search(received):
        shown = "".join(sorted(set(_NON_BMP.findall(received)))[:5])
        out.append(Finding("SMS-2", "ERROR", f"含表情等特殊字符「{shown}」: 表格的字数公式按2个字计, 字数对不上, 请删除",
                           f"non-BMP characters ('{shown}', e.g. emoji) count 2 in Excel LEN; remove them"))
    if chars > policy["SMS-2.max"]:
        out.append(Finding("SMS-2", "ERROR", f"{chars}字, 超过上限{policy['SMS-2.max']}字",
                           f"{chars} characters, above the {policy['SMS-2.max']} maximum"))
    elif parts > 1:
        out.append(Finding("SMS-2", "INFO", f"{chars}字, 按{parts}条计费", f"{chars} characters, billed as {parts} parts"))
    return chars, parts, out


# --- SMS-5 opt-out -----------------------------------------------------------------------------

# On the folded text (full-width → ASCII), any case: 回T退订, 回复TD退订, 回N退订, 回R拒收, 退订回T, 退订请回复TD,
# 拒收请回复R, 退订回N, TD退订 ... (P17, P18, P20). A lone "回T" without 退订/拒收 does not count.
_OPT_OUT = re.compile(
    r"(?:请?回复?|发送?)\s*(?:TD|T|N|R|0000)\s*(?:即可)?\s*(?:退订|拒收|退)"
    r"|(?:退订|拒收)\s*(?:请)?\s*(?:回复?|发送?)\s*(?:TD|T|N|R)(?![A-Z])"
    r"|(?<![A-Z])TD\s*退订|退订\s*(?:TD|T|N)(?![A-Z])",
    re.IGNORECASE,
)
_MARKETING_CUES = re.compile(r"优惠券|领券|满\d+减|上新|秒杀|特价|限时|抢购|折扣|(?<![\d.])\d(?:\.\d)?折|会员日|进店|新品")


def has_opt_out(text: str) -> bool:
    return bool(_OPT_OUT.search(fold(text)))


# --- SMS-6 / SMS-7 timing ----------------------------------------------------------------------

def _in_span(t: dt.time, start: dt.time, end: dt.time) -> bool:
    if start <= end:
        return start <= t <= end
    return t >= start or t <= end      # a window across midnight


def in_window(when: dt.datetime, policy: Policy = DEFAULT_POLICY) -> bool:
    return _in_span(when.time(), policy["SMS-6.start"], policy["SMS-6.end"])


def next_send_time(when: dt.datetime, policy: Policy = DEFAULT_POLICY) -> dt.datetime:
    """``when`` if inside the send window, else the next window start (today's or tomorrow's)."""
    if in_window(when, policy):
        return when
    start = dt.datetime.combine(when.date(), policy["SMS-6.start"])
    return start if start > when else start + dt.timedelta(days=1)


def _office_slots(policy: Policy) -> tuple[tuple[dt.time, dt.time], ...]:
    return ((policy["SMS-7.lunch_start"], policy["SMS-7.lunch_end"]),
            (policy["SMS-7.evening_start"], policy["SMS-7.evening_end"]))


def _hm(t) -> str:
    return t.strftime("%H:%M")


def check_preferred_time(when: dt.datetime, customer_type: str | None, policy: Policy = DEFAULT_POLICY) -> list[Finding]:
    """SMS-7 for 催付: office workers at lunch or before leaving work; students and others before 22:00."""
    t = when.time()
    if customer_type == "office":
        slots = _office_slots(policy)
        if not any(_in_span(t, a, b) for a, b in slots):
            text = " / ".join(f"{_hm(a)}-{_hm(b)}" for a, b in slots)
            return [Finding("SMS-7", "WARN", f"上班族催付建议在午休或下班前 ({text}) 发送, 计划时间{_hm(t)}",
                            f"office workers: send reminders at {text}; planned {_hm(t)}")]
    elif customer_type in ("student", "other"):
        end = policy["SMS-7.other_end"]
        if t > end:
            return [Finding("SMS-7", "WARN", f"学生及其他客户催付应在{_hm(end)}前发送", f"students and others: send before {_hm(end)}")]
    return []


# --- SMS-9 promises ----------------------------------------------------------------------------

# (id, pattern, zh, en): promises the shop cannot keep (S2, S0). Matched on folded text.
PROMISE_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("SMS-9.guarantee", r"保证[^，,。！!？?]{0,8}(?:收到|到货|送达|送到|到达|发货|发出)",
     "不要保证到货/发货时间, 改为「预计…」", "do not guarantee delivery; give an estimate"),
    ("SMS-9.certain", r"(?:肯定|一定|绝对|百分之?百|100[%％])[^，,。！!？?]{0,8}(?:收到|到货|送达|送到|到达)",
     "不要承诺一定送达, 改为「预计…」", "do not promise certain delivery; give an estimate"),
    ("SMS-9.next_day", r"(?:明天|今天|当天|次日)[^，,。！!？?]{0,3}(?:必|肯定|一定)(?:能|会|可以)?(?:收到|到|送达)",
     "不要承诺次日必达, 改为「预计…」", "do not promise next-day delivery; give an estimate"),
)
_PROMISES = tuple((pid, re.compile(p), zh, en) for pid, p, zh, en in PROMISE_RULES)

# An approximate time: 10月9日, 10/9, 9号, 48小时, 3个工作日, 两天, 明天, 周五, 18:00, 6点 ...
_TIME_EXPR = re.compile(
    r"\d{1,2}\s*[月/]\s*\d{1,2}\s*[日号]?|\d{1,2}\s*[日号]"
    r"|[\d.]+\s*个?\s*(?:小时|天|日|工作日|周|星期)|[一二两三四五六七八九十半]+\s*个?\s*(?:小时|天|日|工作日|周|星期)"
    r"|[今明后]天|今晚|明早|本周|这周|下周|周[一二三四五六日天]|星期[一二三四五六日天]|月底|月初"
    r"|\d{1,2}\s*[:：]\s*\d{2}|\d{1,2}\s*点"
)


def has_time_estimate(text: str) -> bool:
    return bool(_TIME_EXPR.search(fold(text)))


def check_promises(text: str, kind: SmsKind) -> list[Finding]:
    norm = fold(text)
    out = []
    for pid, rx, zh, en in _PROMISES:
        m = rx.search(norm)
        if m:
            out.append(Finding("SMS-9", "WARN", f"无法保证的承诺「{m.group(0)}」: {zh}", f"unkeepable promise '{m.group(0)}': {en}"))
    if kind.id == "shipping_delay" and not _TIME_EXPR.search(norm):
        out.append(Finding("SMS-9", "WARN", "延迟通知须写明大致揽件/发货时间 (如「预计10月9日前发出」)",
                           "a delay notice must state an approximate pick-up time"))
    return out


# --- all checks --------------------------------------------------------------------------------

@dataclass
class SmsCheck:
    text: str                              # as received: 【signature】 + body
    chars: int
    parts: int
    findings: list[Finding] = field(default_factory=list)
    planned_send_at: dt.datetime | None = None

    @property
    def verdict(self) -> str:
        return verdict(self.findings)


def compose(text: str, signature: str | None) -> tuple[str, str]:
    """(received, body). Without a signature the text is taken as received (signature included)."""
    if signature is None or not str(signature).strip():
        m = _SIG_AT_START.match(text)
        return text, text[m.end():] if m else text
    return format_signature(str(signature)) + text, text


def check_sms(text: str, kind, *, policy: Policy = DEFAULT_POLICY, signature: str | None = None,
              shop_name: str | None = None, item_name: str | None = None,
              send_at: dt.datetime | None = None, now: dt.datetime | None = None,
              customer_type: str | None = None, phone: str | None = None,
              opted_out=frozenset(), paid_amount: Decimal | None = None, reminders_sent: int = 0,
              memo: dict | None = None) -> SmsCheck:
    """Every SMS check for one message.

    ``text`` is the body when ``signature`` is given (the platform prepends 【signature】), else the
    full text as received. ``send_at`` is a planned time (outside the window → SMS-6 ERROR);
    without it the message goes ``now`` and is moved to the next window start (INFO).
    ``opted_out`` holds normalised phone numbers (see :func:`addin.core.parse.to_phone`).
    ``memo``: a dict the caller keeps for a batch with one policy; the checks that read only the text
    (signature, length, wording, promises, lint) then run once per distinct text.
    """
    kind = resolve_kind(kind)
    policy = policy or DEFAULT_POLICY
    received, body = compose(text, signature)
    reminder = kind.id == "payment_reminder"
    key = ("text", received, body, kind.id, shop_name, item_name) if reminder else ("text", received, body, kind.id)
    found = memo.get(key) if memo is not None else None
    if found is None:
        found = _text_checks(received, body, kind, policy, shop_name, item_name)
        if memo is not None:
            memo[key] = found
    chars, parts, head, tail = found
    findings = list(head)

    if phone and to_phone(phone) in opted_out:
        blocks = not kind.transactional or policy["SMS-5.optout_blocks_notices"]
        findings.append(Finding("SMS-5", "ERROR" if blocks else "WARN",
                                "该号码已退订, 不要发送" if blocks else "该号码已退订营销短信; 通知类可发, 请确认",
                                "number opted out: do not send" if blocks else "number opted out of marketing; notice allowed, confirm"))

    # SMS-6 window, SMS-7 preferred hours: the same for every message of the kind planned at that time
    timing_key = ("timing", kind.id, send_at, send_at and send_at.tzinfo, now, now and now.tzinfo,   # equal instants
                  customer_type if reminder else None)                             # in two zones print apart
    timing = memo.get(timing_key) if memo is not None else None
    if timing is None:
        timing = _timing_checks(kind, send_at, now, customer_type, policy)
        if memo is not None:
            memo[timing_key] = timing
    planned = timing[1]
    findings += timing[0]

    # SMS-8 frequency
    if reminder:
        large = paid_amount is not None and paid_amount >= policy["SMS-8.large_order"]
        allowed = policy["SMS-8.reminders_large"] if large else policy["SMS-8.reminders"]
        if reminders_sent >= allowed:
            findings.append(Finding("SMS-8", "WARN", f"本单已催付{reminders_sent}次 (上限{allowed}次{', 大单' if large else ''}), 不要再催",
                                    f"order already reminded {reminders_sent}x (limit {allowed}); do not send again"))

    findings += tail
    return SmsCheck(received, chars, parts, findings, planned)


def _timing_checks(kind: SmsKind, send_at, now, customer_type, policy: Policy) -> tuple[tuple[Finding, ...], dt.datetime | None]:
    """SMS-6 (the send window) and SMS-7 (a reminder's preferred hours): (findings, planned send time)."""
    findings: list[Finding] = []
    planned = send_at or now
    if planned is not None and kind.needs_window(policy):
        nxt = next_send_time(planned, policy)
        if nxt != planned:
            window = f"{_hm(policy['SMS-6.start'])}-{_hm(policy['SMS-6.end'])}"
            when = f"{nxt:%m-%d %H:%M}"
            if send_at is not None:
                findings.append(Finding("SMS-6", "ERROR", f"计划{send_at:%H:%M}不在发送时段{window}内, 最早可在{when}发送",
                                        f"planned {send_at:%H:%M} is outside the {window} window; next allowed {when}"))
            else:
                findings.append(Finding("SMS-6", "INFO", f"当前不在发送时段{window}, 顺延到{when}",
                                        f"outside the {window} window now; scheduled for {when}"))
            planned = nxt
    if planned is not None and kind.id == "payment_reminder":
        findings += check_preferred_time(planned, customer_type, policy)
    return tuple(findings), planned


def _text_checks(received: str, body: str, kind: SmsKind, policy: Policy, shop_name, item_name):
    """The checks that read only the text: (chars, parts, findings before the row's own checks, findings
    after them), in the order check_sms reports them."""
    head = check_signature(received)
    chars, parts, length_findings = check_length(received, policy)
    head += length_findings
    if kind.id == "payment_reminder":
        head += _check_reminder(received, body, parts, shop_name, item_name, policy)
    # SMS-5 opt-out text, promotional wording in a notice (the opt-out list is the row's own check)
    if kind.needs_opt_out(policy) and not has_opt_out(received):
        head.append(Finding("SMS-5", "ERROR", f"{kind.zh}短信须带退订方式 (如「回T退订」「拒收请回复R」)",
                            f"{kind.id} SMS needs an opt-out (回T退订 / 拒收请回复R / TD / N)"))
    if kind.transactional and _MARKETING_CUES.search(body):
        head.append(Finding("SMS-5", "WARN", "通知类短信含营销内容: 将按营销短信处理 (需退订和发送时段)",
                            "a notice with promotional wording is treated as marketing (opt-out + window)"))
    tail = check_promises(body, kind) + lint(body, scope="sms")
    return chars, parts, tuple(head), tuple(tail)


def _check_reminder(received: str, body: str, parts: int, shop_name, item_name, policy: Policy) -> list[Finding]:
    out = []
    n = policy["SMS-3.chars"]
    scope = received if policy["SMS-3.scope"] == "received" else body
    where = "含签名" if policy["SMS-3.scope"] == "received" else "正文"
    if not shop_name:
        out.append(Finding("SMS-3", "ERROR", "缺少「店铺名」, 无法检查催付短信 (在「规则」表填一次店铺名, 或逐行填写)", "shop_name missing: cannot check the reminder"))
    elif shop_name not in scope[:n]:
        out.append(Finding("SMS-3", "ERROR", f"催付短信前{n}个字 ({where}) 须出现店铺名「{shop_name}」",
                           f"shop name '{shop_name}' must appear in the first {n} characters"))
    if parts > 1:
        out.append(Finding("SMS-4", "ERROR", f"催付短信须一条说完 (≤{policy['SMS-2.single']}字), 现按{parts}条计",
                           f"a reminder must fit one SMS (≤{policy['SMS-2.single']} characters); now {parts} parts"))
    names_shop = bool(shop_name) and shop_name in received
    names_item = bool(item_name) and item_name[:6] in body    # templates may shorten long item names
    if not (names_shop or names_item):
        out.append(Finding("SMS-4", "ERROR", "催付短信须写明店铺名或所购商品", "a reminder must name the shop or the item"))
    return out
