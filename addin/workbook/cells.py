"""Turning what staff type into typed values, with a bilingual error naming the cell when that fails.

Shared by the headless reader and the Excel adapters (xlwings hands over floats, Office.js ints,
empty cells as None or 0), so every entry path accepts the same spellings:
'¥89.00', '89元', '８９', 1,299.00; dates as datetimes, Excel serials or text such as
'2026/10/1 10:00', '2026年10月1日 10:00', '2026.10.01'.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from decimal import Decimal, InvalidOperation

from addin.core.case import INSURANCE, PLATFORMS
from addin.core.money import to_decimal
from addin.core.policy import parse_bool, parse_rate
from addin.core.reasons import after_sales_type, match_reason

EXCEL_EPOCH = dt.datetime(1899, 12, 30)   # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug absorbed)
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


class CellError(ValueError):
    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


def col_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def halfwidth(text: str) -> str:
    return text.translate(_FULLWIDTH).strip()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- per kind ----------------------------------------------------------------------------------

def to_money(value) -> Decimal:
    if isinstance(value, bool):
        raise CellError("金额不能是是/否", "an amount cannot be TRUE/FALSE")
    if isinstance(value, (int, float, Decimal)):
        d = to_decimal(value)
    else:
        text = halfwidth(str(value))
        text = re.sub(r"^(rmb|cny)\s*", "", text, flags=re.I)
        text = text.replace("¥", "").replace("￥", "").replace(",", "").replace("元", "").replace(" ", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise CellError(f"无法识别金额 {value!r}, 请填数字, 如 89.00", f"not an amount: {value!r}; type a number such as 89.00") from None
    if not d.is_finite():
        raise CellError(f"无法识别金额 {value!r}", f"not an amount: {value!r}")
    if d < 0:
        raise CellError(f"金额不能为负数 ({value})", f"amount cannot be negative ({value})")
    return d


def to_rate(value) -> Decimal:
    try:
        rate = parse_rate(halfwidth(value) if isinstance(value, str) else value)
    except (ValueError, ArithmeticError):
        raise CellError(f"无法识别比例 {value!r}, 请填 30% 或 0.3", f"not a rate: {value!r}; type 30% or 0.3") from None
    if rate < 0 or rate > 1:
        raise CellError(f"比例须在0到100%之间 ({value})", f"rate must be between 0 and 100% ({value})")
    return rate


def to_int(value) -> int:
    try:
        d = to_money(value)
    except CellError:
        raise CellError(f"无法识别整数 {value!r}", f"not a whole number: {value!r}") from None
    if d != d.to_integral_value():
        raise CellError(f"须为整数 ({value})", f"must be a whole number ({value})")
    return int(d)


def to_stars(value) -> int:
    if isinstance(value, str):
        text = halfwidth(value)
        if text and set(text) <= {"★", "☆"}:
            return text.count("★")
        text = text.replace("星", "").replace("分", "")
        value = text
    n = to_int(value)
    if not 1 <= n <= 5:
        raise CellError(f"星级须为1-5 ({value})", f"stars must be 1-5 ({value})")
    return n


def to_bool(value) -> bool:
    if isinstance(value, str) and halfwidth(value) in {"✓", "√", "✔"}:
        return True
    if isinstance(value, str) and halfwidth(value) in {"✗", "×", "x", "X"}:
        return False
    try:
        return parse_bool(halfwidth(value) if isinstance(value, str) else value)
    except ValueError:
        raise CellError(f"请填 是 或 否 (现为 {value!r})", f"type 是 (yes) or 否 (no), not {value!r}") from None


_DATE_PATTERNS = (
    # 2026-10-01 10:00[:00], 2026/10/1 10:00, 2026.10.01, 2026年10月1日 10时20分
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
               r"(?:[\sT]*(?P<H>\d{1,2})\s*[:时點点]\s*(?P<M>\d{1,2})?\s*(?:[:分]\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?)?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\s*(?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?"),
)


def to_datetime(value) -> tuple[dt.datetime, bool]:
    """(instant, has_time). A date without a time is midnight with has_time False."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0), True
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0)), False
    if isinstance(value, bool):
        raise CellError("日期不能是是/否", "a date cannot be TRUE/FALSE")
    if isinstance(value, (int, float, Decimal)):
        serial = float(value)
        if not 1 <= serial < 2958466:  # Excel's valid range, 1900-01-01 .. 9999-12-31
            raise CellError(f"日期序号超出范围 ({value})", f"date serial out of range ({value})")
        instant = EXCEL_EPOCH + dt.timedelta(days=serial)
        instant = (instant + dt.timedelta(seconds=0.5)).replace(microsecond=0)  # float noise
        return instant, serial != int(serial)
    text = halfwidth(str(value))
    text = re.sub(r"\s+", " ", text).replace("上午", "").strip()
    pm = "下午" in text or "晚上" in text
    text = text.replace("下午", "").replace("晚上", "").strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(text)
        if not m:
            continue
        try:
            hour = int(m.group("H")) if m.group("H") else 0
            if pm and hour < 12:
                hour += 12
            instant = dt.datetime(int(m.group("y")), int(m.group("m")), int(m.group("d")), hour,
                                  int(m.group("M") or 0), int(m.group("S") or 0))
        except ValueError:
            raise CellError(f"日期不存在 {value!r}", f"no such date: {value!r}") from None
        return instant, m.group("H") is not None
    raise CellError(f"无法识别日期 {value!r}, 请用 2026-10-01 10:00 格式",
                    f"not a date: {value!r}; use 2026-10-01 10:00") from None


def _vocab(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out = {}
    for code, names in table.items():
        for name in (code,) + names:
            out[halfwidth(name).lower()] = code
    return out


class _Vocab(dict):
    __hash__ = object.__hash__   # hashable by identity, so lookups can be cached per (value, table)


_PLATFORM = _Vocab(_vocab(PLATFORMS))
_INSURANCE = _Vocab(_vocab(INSURANCE))


@lru_cache(maxsize=1024)
def _from_vocab(value, vocab: dict[str, str], what_zh: str, what_en: str, choices: str) -> str:
    key = halfwidth(str(value)).lower()
    if key in vocab:
        return vocab[key]
    raise CellError(f"未知{what_zh} {value!r}, 可选: {choices}", f"unknown {what_en} {value!r}; choose one of: {choices}")


def to_platform(value) -> str:
    return _from_vocab(value, _PLATFORM, "平台", "platform", "淘宝/天猫/京东/拼多多")


def to_reason(value, after_sales_type_text=None, platform: str | None = None, extra=None) -> str:
    """The reason code for a platform's or staff's wording (see addin.core.reasons), with the row's
    售后类型 and platform code where known and the workbook's 原因对照 rows (`extra`)."""
    code = match_reason(value, after_sales_type_text, platform, extra)
    if code is not None:
        return code
    text = str(value).strip()
    if after_sales_type(text):
        raise CellError(f"「{text}」是售后类型, 不是原因: 请填写原因, 或在「原因对照」表添加一行",
                        f"{text!r} is an after-sales type, not a reason: type the reason, or add a line to 原因对照")
    raise CellError(f"未识别的原因「{text}」: 请在「原因对照」表添加一行", f"unknown reason {text!r}: add a line to the 原因对照 sheet")


def to_insurance(value) -> str:
    return _from_vocab(value, _INSURANCE, "运费险类型", "insurance kind", "无/买家购买/卖家赠送")


def to_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))       # order ids and phone numbers typed as numbers
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value).strip()


CONVERTERS = {
    "text": to_text, "money": to_money, "rate": to_rate, "int": to_int, "stars": to_stars, "bool": to_bool,
    "platform": to_platform, "reason": to_reason, "insurance": to_insurance,
}
