"""What staff type, read one way everywhere: the single set of cell parsers.

Recalc, the mail merge, the worksheet functions, the buttons, the 规则 sheet and the command line's
``--now`` all call these, so a spelling accepted in one place is accepted in every other. Pure: no
Excel, no files. Each parser takes a cell value as any runtime hands it over (str, int, float,
Decimal, bool, date, datetime, time, None-free) and returns a typed value, or raises
:class:`CellError` with a short Chinese and English reason that quotes the input (shortened).

Accepted spellings (tests/test_parse.py has the full table):

* money: ``89``, ``89.0``, ``'¥1,299.00'``, ``'￥89'``, ``'89元'``, ``'RMB 89'``, ``'８９'``, ``'１２．００'``;
  never negative;
* rates: ``0.3``, ``'30%'``, ``'３０％'``, ``30`` (a bare number above 1 is a percentage);
* dates and times: datetimes, dates, Excel serials, ``'2026-10-01 10:00'``, ``'2026/10/1 10:00:30'``,
  ``'2026.10.01'``, ``'2026年10月1日 10时20分'``, ``'20261001'``, ``'下午3:05'``, ISO ``T`` and a time-zone
  offset (``'2026-11-23T10:00+00:00'`` is 18:00 China time; results are naive China time);
* yes/no: 是/否, 有/无, 有图/无图, 对, 开/关, ✓/✗, √/×, y/n, yes/no, TRUE/FALSE, 1/0;
* stars: 1-5, ``'4星'``, ``'4分'``, ``'★★★☆☆'``, 好评/中评/差评;
* platform, reason, insurance, customer type: the names in :mod:`addin.core.case`;
* phone numbers: digits only, ``+86``/``0086`` and separators dropped;
* 处理结果 (outcome): a stage name or what staff say for it (已结案, 已退款, 已关闭, 已拒绝 …), see
  :data:`addin.core.stage.OUTCOME_WORDS`; 店长审批: 已批 / 驳回 and their synonyms.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .case import CUSTOMER_TYPES, INSURANCE, PLATFORMS
from .money import to_decimal
from .reasons import ReasonMatch, after_sales_type, read_reason
from .stage import OUTCOME_WORDS, STAGES, outcome_stage
from .timeparts import CHINA_TZ
from .errors import BilingualError

EXCEL_EPOCH = dt.datetime(1899, 12, 30)   # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug absorbed)
QUOTE_CHARS = 30                          # longer inputs are quoted as their first 30 characters + '…'


class CellError(BilingualError, ValueError):
    """A value that cannot be read, in Chinese (zh) and English (en)."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh, en, "cell")


def quote(value) -> str:
    """An input as an error message shows it: repr for text, shortened to QUOTE_CHARS characters."""
    if isinstance(value, str):
        return repr(value if len(value) <= QUOTE_CHARS else value[:QUOTE_CHARS] + "…")
    text = str(value)
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


# --- text normalisation --------------------------------------------------------------------------

# Full-width ASCII (Ｔ, ０, ？, ！ …) and the ideographic space fold to ASCII, like NFKC but far cheaper;
# ™ becomes a space (NFKC gives "TM", a forbidden-phrase hit).
_WIDE_TABLE = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20, 0x2122: 0x20}
# fold() only translates when a full-width letter or digit is present: full-width punctuation is in
# nearly every Chinese text, so the message checks accept both forms (，/, ？/? …) instead.
_WIDE = re.compile("[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u2122]")


def halfwidth(text: str) -> str:
    """Every full-width character to ASCII, trimmed: for reading a cell."""
    return text.translate(_WIDE_TABLE).strip()


def fold(text: str) -> str:
    """Full-width letters and digits (and then all full-width punctuation) to ASCII: for matching text."""
    return text.translate(_WIDE_TABLE) if _WIDE.search(text) else text


def is_blank(value) -> bool:
    """None, empty or only spaces, or NaN (from a numpy/pandas caller)."""
    if value is None:
        return True
    if value.__class__ is str:
        return not value.strip()
    return value.__class__ is float and math.isnan(value)


def to_text(value) -> str:
    """An id, name or number as staff see it: 13800138000.0 -> '13800138000', dates in ISO form."""
    if value.__class__ is str:       # the common case, first
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))       # order ids and phone numbers typed as numbers
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# --- numbers ------------------------------------------------------------------------------------

_CURRENCY_PREFIX = re.compile(r"^(?:rmb|cny)\s*", re.I)


# The largest amount read: far above any order, far below what the Decimal context (28 digits) can round
# to the fen. 1e27 yuan once stopped a whole recalc (InvalidOperation); now its cell is the row's error.
MAX_AMOUNT = Decimal("1e12")
# Thousands separators only every 3 digits before the point (the Chinese and English grouping): 1,299.00;
# 1.299,00 (the German way) or 1,2,3 would otherwise read as 1.299 or 123.
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def to_money(value) -> Decimal:
    """An amount in yuan; never negative, never above MAX_AMOUNT."""
    if value.__class__ is float and 0 <= value < 1e12:
        return Decimal(repr(value))    # the usual cell (calamine reads numbers as floats), kept cheap
    if isinstance(value, bool):
        raise CellError("金额不能是是/否", "an amount cannot be TRUE/FALSE")
    if isinstance(value, str) and is_excel_error(value):
        raise excel_error(value)
    if isinstance(value, (int, float, Decimal)):
        d = to_decimal(value)
    else:
        text = _CURRENCY_PREFIX.sub("", halfwidth(str(value)))
        text = text.replace("¥", "").replace("￥", "").replace("元", "").replace(" ", "")
        if "," in text:
            if not _GROUPED.fullmatch(text):
                raise CellError(f"无法识别金额 {quote(value)}: 千位分隔符只能每3位一个, 小数点用 . (如 1,299.00)",
                                f"not an amount: {quote(value)}; thousands separators go every 3 digits and the "
                                f"decimal point is '.' (1,299.00)")
            text = text.replace(",", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise CellError(f"无法识别金额 {quote(value)}, 请填数字, 如 89.00",
                            f"not an amount: {quote(value)}; type a number such as 89.00") from None
    if not d.is_finite():
        raise CellError(f"无法识别金额 {quote(value)}", f"not an amount: {quote(value)}")
    if d < 0:
        raise CellError(f"金额不能为负数 ({quote(value)})", f"amount cannot be negative ({quote(value)})")
    if d > MAX_AMOUNT:
        raise CellError(f"金额过大 ({quote(value)}), 请检查", f"amount too large ({quote(value)}); check it")
    return d


# --- Excel's error values ---------------------------------------------------------------------------

# What a formula cell shows when it fails. A saved file stores them as <c t="e"><v>#N/A</v></c> (ECMA-376
# §18.18.11 ST_CellType "e"); calamine hands such a cell over as "" (as if blank), so the reader puts the
# error text back (addin.workbook.files.reader); xlwings gives the same text with err_to_str=True.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


def is_excel_error(text: str) -> bool:
    return text[:1] == "#" and text.strip().upper() in EXCEL_ERRORS


def excel_error(text: str) -> CellError:
    code = text.strip().upper()
    return CellError(f"单元格是错误值 {code} (公式出错), 请修正", f"the cell holds the error {code} (a formula failed); fix it")


def to_rate(value) -> Decimal:
    """0.3, '30%', '３０％' -> Decimal('0.3'). A bare number above 1 is read as a percentage (30 -> 0.30)."""
    percent = isinstance(value, str) and halfwidth(value).endswith("%")
    try:
        number = to_money(halfwidth(value)[:-1] if percent else value)
    except CellError:
        raise CellError(f"无法识别比例 {quote(value)}, 请填 30% 或 0.3",
                        f"not a rate: {quote(value)}; type 30% or 0.3") from None
    rate = number / 100 if percent or number > 1 else number
    if rate > 1:
        raise CellError(f"比例须在0到100%之间 ({quote(value)})", f"rate must be between 0 and 100% ({quote(value)})")
    return rate


def to_int(value) -> int:
    """A whole number, not negative: 3, 3.0, '3', '３'."""
    try:
        d = to_money(value)
    except CellError:
        raise CellError(f"无法识别整数 {quote(value)}", f"not a whole number: {quote(value)}") from None
    if d != d.to_integral_value():
        raise CellError(f"须为整数 ({quote(value)})", f"must be a whole number ({quote(value)})")
    return int(d)


_NAMED_STARS = {"好评": 5, "中评": 3, "差评": 1}


def to_stars(value) -> int:
    """Review stars 1-5: 5, '4星', '4分', '★★★☆☆', 好评 (5) / 中评 (3) / 差评 (1)."""
    if isinstance(value, str):
        text = halfwidth(value).replace(" ", "")
        if text in _NAMED_STARS:
            return _NAMED_STARS[text]
        if text and set(text) <= {"★", "☆"}:
            n = text.count("★")
        else:
            n = to_int(text[:-1] if text.endswith(("星", "分")) else text)
    else:
        n = to_int(value)
    if not 1 <= n <= 5:
        raise CellError(f"星级须为1-5 ({quote(value)})", f"stars must be 1-5 ({quote(value)})")
    return n


# --- yes / no ------------------------------------------------------------------------------------

_TRUE = frozenset({"是", "有", "对", "开", "有图", "带图", "✓", "√", "✔", "y", "yes", "true", "1"})
_FALSE = frozenset({"否", "无", "没有", "关", "无图", "✗", "✘", "×", "x", "n", "no", "false", "0"})


def to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return value != 0
    text = halfwidth(str(value)).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"请填 是 或 否 (现为 {quote(value)})", f"type 是 (yes) or 否 (no), not {quote(value)}")


# --- dates and times -----------------------------------------------------------------------------

# 10:20, 10:20:30(.5), 10时20分(30秒), 10点, 10時
_TIME = (r"(?P<H>\d{1,2})\s*(?::|时|時|點|点)\s*"
         r"(?:(?P<M>\d{1,2})\s*(?::\s*(?P<S>\d{1,2})(?:\.\d+)?|分\s*(?:(?P<S2>\d{1,2})\s*秒)?)?)?")
_TZ = r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?"
_DATE_PATTERNS = (
    # 2026-10-01 10:00, 2026/10/1 10:00:30, 2026.10.01, 2026年10月1日 10时20分, 2026-10-01T10:00+08:00
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
               r"(?:\s*T?\s*" + _TIME + ")?" + _TZ, re.I),
    # 20261001, 20261001 1020, 20261001T102030
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
               r"(?:\s*T?\s*(?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?" + _TZ, re.I),
)
_CLOCK = re.compile(_TIME)
_MORNING = ("上午", "早上", "凌晨", "am")
_AFTERNOON = ("下午", "晚上", "pm")


def _day_part(text: str) -> tuple[str, str | None]:
    """Take 上午/下午/晚上/中午 (or AM/PM) out of the text: (rest, 'am' | 'pm' | 'noon' | None)."""
    low = text.lower()
    for words, part in ((_AFTERNOON, "pm"), (_MORNING, "am"), (("中午",), "noon")):
        for w in words:
            if w in low:
                i = low.index(w)
                return (text[:i] + " " + text[i + len(w):]).strip(), part
    return text, None


def _hour(hour: int, part: str | None) -> int:
    if part == "pm" and hour < 12:
        return hour + 12
    if part == "am" and hour == 12:
        return 0
    if part == "noon" and hour < 6:     # 中午1点 = 13:00
        return hour + 12
    return hour


def _offset(tz: str) -> dt.timezone:
    if tz.upper() == "Z":
        return dt.timezone.utc
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))


def _china(instant: dt.datetime) -> dt.datetime:
    """An aware instant as naive China time (the workbook's clock)."""
    return instant.astimezone(CHINA_TZ).replace(tzinfo=None) if instant.tzinfo else instant


def to_datetime(value) -> tuple[dt.datetime, bool]:
    """(instant, has_time), naive China time. A date without a time is midnight with has_time False."""
    if value.__class__ is dt.datetime and value.tzinfo is None and not value.microsecond:
        return value, True           # the common case, as calamine reads a date cell
    if isinstance(value, dt.datetime):
        return _china(value).replace(microsecond=0), True
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0)), False
    if isinstance(value, bool):
        raise CellError("日期不能是是/否", "a date cannot be TRUE/FALSE")
    if isinstance(value, (int, float, Decimal)):
        serial = float(value)
        if not 1 <= serial < 2958466:  # Excel's valid range, 1900-01-01 .. 9999-12-31
            raise CellError(f"日期序号超出范围 ({quote(value)})", f"date serial out of range ({quote(value)})")
        instant = EXCEL_EPOCH + dt.timedelta(days=serial)
        instant = (instant + dt.timedelta(seconds=0.5)).replace(microsecond=0)  # float noise
        return instant, serial != int(serial)
    text, part = _day_part(re.sub(r"\s+", " ", halfwidth(str(value))))
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(text)
        if not m:
            continue
        groups = m.groupdict()
        seconds = groups.get("S") or groups.get("S2")
        try:
            instant = dt.datetime(int(m["y"]), int(m["m"]), int(m["d"]), _hour(int(m["H"] or 0), part),
                                  int(m["M"] or 0), int(seconds or 0))
        except ValueError:
            raise CellError(f"日期不存在 {quote(value)}", f"no such date: {quote(value)}") from None
        if m["tz"]:
            instant = _china(instant.replace(tzinfo=_offset(m["tz"])))
        return instant, m["H"] is not None
    raise CellError(f"无法识别日期 {quote(value)}, 请用 2026-10-01 10:00 格式",
                    f"not a date: {quote(value)}; use 2026-10-01 10:00")


def to_instant(value) -> dt.datetime:
    """The datetime alone (a date alone is its midnight)."""
    return to_datetime(value)[0]


def to_date(value) -> dt.date:
    return to_datetime(value)[0].date()


def to_date_list(value) -> tuple[dt.date, ...]:
    """'2027-01-01, 2027-01-02', '2027/1/1；2027/1/2' or one date cell -> sorted dates. Blank -> ()."""
    if is_blank(value):
        return ()
    if not isinstance(value, str):
        return (to_date(value),)
    parts = re.split(r"[,;、\s]+", halfwidth(value))
    return tuple(sorted({to_date(p) for p in parts if p}))


def to_clock(value) -> dt.time:
    """A time of day: '21:00', '21：00', '9点', '下午3:30', a time cell or Excel's day fraction."""
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and 0 <= value < 1:
        minutes = round(float(value) * 24 * 60)       # Excel time fraction
        return dt.time(minutes // 60, minutes % 60)
    text, part = _day_part(halfwidth(str(value)))
    m = _CLOCK.fullmatch(text)
    try:
        if not m:
            raise ValueError
        return dt.time(_hour(int(m["H"]), part), int(m["M"] or 0), int(m["S"] or m["S2"] or 0))
    except ValueError:
        raise CellError(f"无法识别时刻 {quote(value)}, 请填 21:00 格式",
                        f"not a time of day: {quote(value)}; type it as 21:00") from None


# --- vocabularies ----------------------------------------------------------------------------------

class _Vocab(dict):
    """Spelling (folded, lower case) -> code; hashable by identity, so lookups can be cached."""
    __hash__ = object.__hash__

    def __init__(self, table: dict[str, tuple[str, ...]], zh: str, en: str, choices: str):
        super().__init__({halfwidth(name).lower(): code for code, names in table.items() for name in (code,) + names})
        self.zh, self.en, self.choices = zh, en, choices


@lru_cache(maxsize=1024)
def _lookup(value, vocab: _Vocab) -> str:
    key = halfwidth(str(value)).lower()
    if key in vocab:
        return vocab[key]
    raise CellError(f"未知{vocab.zh} {quote(value)}, 可选: {vocab.choices}",
                    f"unknown {vocab.en} {quote(value)}; choose one of: {vocab.choices}")


_PLATFORM = _Vocab(PLATFORMS, "平台", "platform", "淘宝/天猫/京东/拼多多/抖店")
_INSURANCE = _Vocab(INSURANCE, "运费险类型", "insurance kind", "无/买家购买/卖家赠送")
_CUSTOMER = _Vocab(CUSTOMER_TYPES, "客户类型", "customer type", "上班族/学生/其他")
_APPROVAL = _Vocab({"approved": ("已批", "批准", "已批准", "同意", "已同意", "通过", "已通过", "审批通过", "是", "approve"),
                    "rejected": ("驳回", "已驳回", "拒绝", "已拒绝", "不同意", "不批", "未通过", "否", "reject")},
                   "店长审批", "manager approval", "已批/驳回")


def to_platform(value) -> str:
    return _lookup(value, _PLATFORM)


def to_reason(value, after_sales_type_text=None, platform: str | None = None, extra=None) -> str:
    """The reason code for a platform's or staff's wording (see addin.core.reasons), with the row's
    售后类型 and platform code where known and the workbook's 原因对照 rows (`extra`)."""
    return to_reason_match(value, after_sales_type_text, platform, extra).reason


def to_reason_match(value, after_sales_type_text=None, platform: str | None = None, extra=None) -> ReasonMatch:
    """As to_reason, with how the wording was read (the rule or keyword family, and its 提示 note)."""
    found = read_reason(value, after_sales_type_text, platform, extra)
    if found is not None:
        return found
    text = str(value).strip()
    if len(text) > QUOTE_CHARS:
        text = text[:QUOTE_CHARS] + "…"
    if after_sales_type(str(value).strip()):
        raise CellError(f"「{text}」是售后类型, 不是原因: 请填写原因, 或在「原因对照」表添加一行",
                        f"{text!r} is an after-sales type, not a reason: type the reason, or add a line to 原因对照")
    raise CellError(f"未识别的原因「{text}」: 请在「原因对照」表添加一行", f"unknown reason {text!r}: add a line to the 原因对照 sheet")


_OUTCOME_CHOICES = "/".join(STAGES[stage].zh for stage in OUTCOME_WORDS)


def to_outcome(value) -> str:
    """处理结果 -> the stage id it sets ('已结案' -> 'ST-DONE'); width, spaces and punctuation do not matter."""
    stage = outcome_stage(value)
    if stage is None:
        raise CellError(f"未知处理结果 {quote(value)}, 可选: {_OUTCOME_CHOICES}(或已结案/已退款等)",
                        f"unknown outcome {quote(value)}; choose one of: {_OUTCOME_CHOICES}")
    return stage


def to_manager_approval(value) -> str:
    """店长审批: 'approved' (已批) or 'rejected' (驳回)."""
    return _lookup(value, _APPROVAL)


def to_insurance(value) -> str:
    return _lookup(value, _INSURANCE)


def to_customer(value) -> str:
    return _lookup(value, _CUSTOMER)


def to_phone(value) -> str:
    """Digits only, without +86/0086; full-width digits folded. Never fails: the opt-out list matches on it."""
    if value.__class__ is str and len(value) < 13 and value.isascii() and value.isdigit():
        return value                   # already a number as we keep it (the mail merge asks again per check)
    digits = re.sub(r"\D", "", halfwidth(to_text(value)))
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    if len(digits) == 15 and digits.startswith("0086"):
        return digits[4:]
    return digits


def _word(value) -> str:
    return halfwidth(str(value)).replace(" ", "").lower()


def one_of(*options: str, labels: dict[str, str] | None = None, aliases: dict[str, str] | None = None):
    """A parser for a 规则-sheet switch: it returns one of `options`. It accepts the options themselves,
    the word the sheet shows for each (`labels`: option -> e.g. calendar -> 自然日) and other spellings
    (`aliases`: spelling -> option); spaces, width and case do not matter."""
    labels = labels or {}
    table = {**{_word(a): o for a, o in (aliases or {}).items()}, **{_word(w): o for o, w in labels.items()},
             **{_word(o): o for o in options}}
    shown = "/".join(labels.get(o, o) for o in options)

    def parse(value) -> str:
        option = table.get(_word(value))
        if option is None:
            raise CellError(f"须为 {shown} 之一 (现为 {quote(value)})", f"must be one of {', '.join(options)}: {quote(value)}")
        return option
    parse.options = options  # type: ignore[attr-defined]
    parse.labels = labels    # type: ignore[attr-defined]
    return parse


def optional(parser):
    """The parser, or None for a blank or 未配置 (a policy value that is not configured)."""
    def parse(value):
        if value is None or halfwidth(str(value)) in {"", "未配置", "none", "None"}:
            return None
        return parser(value)
    return parse


# Parsers by column kind (addin.workbook.sheets.case_columns / addin.messages.fields name their columns' kinds).
PARSERS = {
    "text": to_text, "money": to_money, "rate": to_rate, "int": to_int, "stars": to_stars, "bool": to_bool,
    "datetime": to_instant, "platform": to_platform, "reason": to_reason, "insurance": to_insurance,
    "customer": to_customer, "phone": to_phone, "outcome": to_outcome, "manager_approval": to_manager_approval,
}
