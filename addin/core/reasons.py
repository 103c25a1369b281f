"""Reason wording as the platforms write it -> the engine's reason code.

The exports and the buyers' own choices carry texts such as 七天无理由退换货, 少件/漏发 or
大小/尺寸与商品描述不符; the rules speak of ``no_reason_return``, ``wrong_item``, ``misdescription``.
:data:`REASON_RULES` is that table, one row per wording, each with an id. A row may also depend on the
after-sales type (七天无理由退换货 with 换货 is an exchange) or be limited to one platform. Staff add
their own rows in the workbook's 原因对照 sheet; those win over the built-in ones.

Texts are compared after :func:`normalise_reason`: full/half width, case, spaces, slashes and other
separators, 七/7 and punctuation do not matter, so 少件/漏发, 少件、漏发 and 少件 漏发 are one key.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .case import REASONS

# After-sales types (售后类型 / 退款类型 / JD 客户期望): canonical key -> how the platforms write it.
AFTER_SALES_TYPES: dict[str, tuple[str, ...]] = {
    "refund_only": ("仅退款", "退款", "售前退款", "未发货仅退款", "已发货仅退款", "退款不退货", "仅退款未发货",
                    "仅退款已发货", "refund only"),
    "return_refund": ("退货退款", "退货", "退款退货", "退货退款已发货", "return and refund", "return"),
    "exchange": ("换货", "退换货", "exchange"),
    "repair": ("维修", "上门维修", "返修", "repair"),
    "reship": ("补寄", "补发", "补发商品", "缺货补寄", "reship"),
}
AFTER_SALES_TYPE_ZH = {key: names[0] for key, names in AFTER_SALES_TYPES.items()}


@lru_cache(maxsize=4096)
def normalise_reason(text) -> str:
    """'  七天无理由退换货。' -> '7天无理由退换货'; '少件 / 漏发' -> '少件漏发'; '（）／' are the half-width forms."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    s = s.replace("七天", "7天").replace("七日", "7天").replace("7日", "7天")
    return re.sub(r"[\W_]+", "", s)          # every space, slash, bracket and punctuation mark


_TYPE_INDEX = {normalise_reason(name): key for key, names in AFTER_SALES_TYPES.items() for name in (key,) + names}


def after_sales_type(text) -> str | None:
    """The canonical after-sales type of a cell ('退货退款' -> 'return_refund'), or None."""
    if text is None:
        return None
    return _TYPE_INDEX.get(normalise_reason(text))


@dataclass(frozen=True)
class ReasonRule:
    id: str
    text: str                           # the wording, as a platform or staff write it
    reason: str                         # a key of addin.core.case.REASONS
    after_sales_type: str | None = None  # only with this type (a key of AFTER_SALES_TYPES); None = any
    platform: str | None = None          # only on this platform (TB/TM/JD/PDD); None = any
    source: str = ""                     # where the wording was seen (see README "Imports")


R = ReasonRule
# Sources: Q = 千牛 退款管理 export / Taobao seller dispute list (public code, README); A = buyer-side reason lists
# of the platforms as copied into public apps; U = our reading (wording not confirmed in public material).
REASON_RULES: tuple[ReasonRule, ...] = (
    # 7-day no-reason: a return, or an exchange when the after-sales type says so
    R("RS-01", "七天无理由退换货", "no_reason_return", source="Q"),
    R("RS-02", "七天无理由退换货", "no_reason_exchange", "exchange", source="Q"),
    R("RS-03", "七天无理由退货", "no_reason_return", source="A"),
    R("RS-04", "七天无理由退货", "no_reason_exchange", "exchange", source="A"),
    R("RS-05", "七天无理由换货", "no_reason_exchange", source="A"),
    R("RS-06", "七天无理由", "no_reason_exchange", "exchange", source="U"),
    R("RS-07", "不喜欢/不想要", "no_reason_return", source="A"),
    R("RS-08", "我不想要了", "no_reason_return", source="Q"),
    R("RS-09", "不想要了", "no_reason_return", source="A"),
    R("RS-10", "效果不好/不喜欢", "no_reason_return", source="A"),
    R("RS-11", "拍错/多拍", "no_reason_return", source="Q"),
    R("RS-12", "多拍/拍错/不想要", "no_reason_return", source="A"),
    R("RS-13", "多拍/错拍/不想要/不喜欢", "no_reason_return", source="A"),
    R("RS-14", "大小/尺寸不合适", "no_reason_exchange", "exchange", source="A"),
    # wrong or missing items
    R("RS-20", "少件/漏发", "wrong_item", source="Q"),
    R("RS-21", "少件/漏发/少配件", "wrong_item", source="A"),
    R("RS-22", "包裹少件/漏发", "wrong_item", source="Q"),
    R("RS-23", "卖家发错货", "wrong_item", source="Q"),
    R("RS-24", "商家发错货", "wrong_item", source="A"),
    R("RS-25", "发错货", "wrong_item", source="A"),
    R("RS-26", "漏发/错发", "wrong_item", source="A"),
    R("RS-27", "包裹错发", "wrong_item", source="Q"),
    R("RS-28", "商品漏发", "wrong_item", source="A"),
    # damage in transit (F9/F10 decide who pays with the evidence flag)
    R("RS-30", "包装/商品破损/污渍", "transit_damage", source="Q"),
    R("RS-31", "包装/商品破损/污渍/裂痕/变形", "transit_damage", source="Q"),
    R("RS-32", "包装/商品破损", "transit_damage", source="A"),
    R("RS-33", "商品破损", "transit_damage", source="A"),
    R("RS-34", "商品破损/少件", "transit_damage", source="U"),
    R("RS-35", "商品破损少件等", "transit_damage", source="Q"),
    R("RS-36", "主商品破损", "transit_damage", source="Q"),
    R("RS-37", "配件破损", "transit_damage", source="Q"),
    R("RS-38", "包裹破损", "transit_damage", source="Q"),
    R("RS-39", "货物破损已拒签", "transit_damage", source="Q"),
    R("RS-40", "收到商品破损/污渍等", "transit_damage", source="A"),
    # late shipment
    R("RS-45", "未按约定时间发货", "late_shipment", source="Q"),
    R("RS-46", "承诺未做到(未按约定时间发货)", "late_shipment", source="A"),
    R("RS-47", "未按时间发货", "late_shipment", source="A"),
    # misdescription: the product page said otherwise
    R("RS-50", "商品信息描述不符", "misdescription", source="Q"),
    R("RS-51", "商品与描述不符", "misdescription", source="A"),
    R("RS-52", "商品描述不符", "misdescription", source="A"),
    R("RS-53", "收到商品与描述不符", "misdescription", source="A"),
    R("RS-54", "实物与商品描述不符", "misdescription", source="A"),
    R("RS-55", "大小/尺寸与商品描述不符", "misdescription", source="A"),
    R("RS-56", "颜色/图案/款式与商品描述不符", "misdescription", source="A"),
    R("RS-57", "材质与商品描述不符", "misdescription", source="U"),
    R("RS-58", "大小/尺寸/重量与商品描述不符", "misdescription", source="A"),
    R("RS-59", "功能/效果与商品描述不符", "misdescription", source="A"),
    R("RS-60", "尺码/颜色/材质与商品描述不符", "misdescription", source="U"),
    R("RS-61", "收到的商品与描述不符(大小/尺寸/颜色/图案/款式/材质面料等)", "misdescription", source="A"),
    R("RS-62", "大小尺寸不符", "misdescription", source="Q"),
    R("RS-63", "材质面料不符", "misdescription", source="Q"),
    R("RS-64", "款式颜色不符", "misdescription", source="Q"),
    R("RS-65", "容量/参数与描述不符", "misdescription", source="Q"),
    R("RS-66", "规格/参数与商品不符", "misdescription", source="A"),
    R("RS-67", "商品与页面描述不符", "misdescription", "return_refund", "JD", source="U"),
    R("RS-68", "版本/批次/颜色/容量等与商品描述不符", "misdescription", source="A"),
    R("RS-69", "生产日期/保质期与商品描述不符", "misdescription", source="A"),
    # quality
    R("RS-70", "质量问题", "quality", source="Q"),
    R("RS-71", "商品质量问题", "quality", source="A"),
    R("RS-72", "做工粗糙/有瑕疵", "quality", source="A"),
    R("RS-73", "做工问题", "quality", source="Q"),
    R("RS-74", "功能性故障或商品质量问题", "quality", source="A"),
    R("RS-75", "商品故障/过期/变质等质量问题", "quality", source="A"),
    R("RS-76", "商品变质/发霉/有异物", "quality", source="A"),
    R("RS-77", "性能故障", "quality", source="Q"),
    R("RS-78", "褪色/缩水/起球", "quality", source="Q"),
    R("RS-79", "食物变质", "quality", source="Q"),
    # price protection (JD-PP)
    R("RS-85", "价格保护", "price_protection", source="U"),
    R("RS-86", "商品降价", "price_protection", source="U"),
)
del R


def _vocabulary_rules() -> tuple[ReasonRule, ...]:
    """The engine's own names and aliases (延迟发货, 质量问题, quality ...) match too, on any platform."""
    return tuple(ReasonRule(f"RC-{code}", name, code, source="ours") for code, names in REASONS.items()
                 for name in (code,) + names)


def _index(rules: Iterable[ReasonRule]) -> dict[tuple, ReasonRule]:
    out: dict[tuple, ReasonRule] = {}
    for rule in rules:
        out.setdefault((rule.platform, normalise_reason(rule.text), rule.after_sales_type), rule)
    return out


_BUILT_IN = _index(REASON_RULES + _vocabulary_rules())


class ReasonTable:
    """The built-in rows plus staff rows (from the 原因对照 sheet), which are looked at first."""

    def __init__(self, extra: Iterable[ReasonRule] = ()):
        self.extra = tuple(extra)
        self._staff = _index(reversed(self.extra))     # the last staff row for a key wins, as in a sheet
        self._cache: dict[tuple, ReasonRule | None] = {}

    def rule_for(self, text, after_sales_type_text=None, platform: str | None = None) -> ReasonRule | None:
        """The row that maps this wording, or None. Order: staff rows, then built-in; within each, the
        row for this platform and type, then this platform any type, then any platform this type, then any."""
        key = (text, after_sales_type_text, platform)
        try:
            return self._cache[key]
        except KeyError:
            pass
        norm = normalise_reason(text)
        kind = after_sales_type(after_sales_type_text)
        found = None
        for index in (self._staff, _BUILT_IN):
            for p in ((platform, None) if platform else (None,)):
                for t in ((kind, None) if kind else (None,)):
                    found = index.get((p, norm, t))
                    if found:
                        break
                if found:
                    break
            if found:
                break
        if len(self._cache) < 8192:
            self._cache[key] = found
        return found


DEFAULT_REASON_TABLE = ReasonTable()


def match_reason(text, after_sales_type=None, platform: str | None = None,
                 extra: ReasonTable | Iterable[ReasonRule] | None = None) -> str | None:
    """The engine's reason code for a platform's or staff's wording, or None when nothing maps it.

    after_sales_type: the row's 售后类型 text (换货, 退货退款 ...); platform: TB | TM | JD | PDD;
    extra: the workbook's 原因对照 rows (a ReasonTable, or ReasonRule rows), which win.
    """
    if extra is None:
        table = DEFAULT_REASON_TABLE
    elif isinstance(extra, ReasonTable):
        table = extra
    else:
        table = ReasonTable(extra)
    rule = table.rule_for(text, after_sales_type, platform)
    return rule.reason if rule else None
