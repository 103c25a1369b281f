"""Reason wording as the platforms write it -> the engine's reason code.

The exports and the buyers' own choices carry texts such as 七天无理由退换货, 少件/漏发 or
大小/尺寸与商品描述不符; the rules speak of ``no_reason_return``, ``wrong_item``, ``misdescription``.
:data:`REASON_RULES` is that table, one row per wording, each with an id. A row may also depend on the
after-sales type (七天无理由退换货 with 换货 is an exchange) or be limited to one platform. Staff add
their own rows in the workbook's 原因对照 sheet; those win over the built-in ones. A wording no row knows
is read by its words (addin.core.reason_families: …描述不符 is misdescription), and the row says so.
Order: 原因对照 > exact table > family. Reasons the platforms list but leave to the shop (发票问题, 退运费,
假冒品牌, 缺货 ...) read as ``case_by_case``: a 提示 需人工判断, never an error. Sources: docs/dev/reasons.md.

Texts are compared after :func:`normalise_reason`: full/half width, case, spaces, slashes and other
separators, 七/7 and punctuation do not matter, so 少件/漏发, 少件、漏发 and 少件 漏发 are one key.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .case import REASON_ZH, REASONS
from .findings import Finding
from .reason_families import family_of, reason_of_family

# After-sales types (售后类型 / 退款类型 / JD 客户期望): canonical key -> how the platforms write it.
AFTER_SALES_TYPES: dict[str, tuple[str, ...]] = {
    "refund_only": ("仅退款", "退款", "售前退款", "未发货仅退款", "已发货仅退款", "退款不退货", "仅退款未发货",
                    "仅退款已发货", "refund only"),
    # 拦截退货 (a shipped parcel called back: 抖店 aftersale_type 9 in public ERP code, index id 20486656837; 拼多多's
    # export assumed to word it the same), 拒收退货 (the buyer refused the parcel: an ERP's return types, index id
    # 38412796909) and 档口退货 (an ERP's stall return, our reading): the goods come back, so a return.
    "return_refund": ("退货退款", "退货", "退款退货", "退货退款已发货", "拦截退货", "拒收退货", "档口退货",
                      "return and refund", "return"),
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
# The platforms' public lists (docs/dev/reasons.md has each list in full, with where it was found):
#   L-TB  淘宝/天猫 buyer 退款原因, as copied in public apps (index ids 40163928756, 24089757565, 41502112000,
#         363076690, 14163228244, 14396223748, 5259480460)
#   L-JD  京东 售后 apply reasons: willio1690/OMS app/ome/lib/return.php (jd_reason_name) and
#         app/erpapi/lib/wms/matrix/yjdf/request/reship.php; index id 24193521418
#   L-PDD 拼多多 buyer 售后原因, as copied in public apps (index ids 38506263503, 179160813) and a 拼多多 merchant
#         client (index id 53697285690: 不喜欢、效果不好 = question_type 103)
#   L-DY  抖店 (鲁班 API) return reasons: willio1690/OMS app/erpapi/lib/shop/matrix/luban/request/aftersale.php
#         getReturnResaon (13 reasons)
#   L-ERP an ERP's after-sales import whose platform the code does not name (index id 9331298262)
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
    R("RS-57", "材质与商品描述不符", "misdescription", source="L-PDD"),
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
    # --- the platforms' public lists (issue 18) ---------------------------------------------------------
    # 淘宝/天猫, 退货退款 and 已收到货 lists
    R("RS-100", "材质面料与商品描述不符", "misdescription", source="L-TB"),
    R("RS-101", "缩水/褪色", "quality", source="L-TB"),
    R("RS-102", "误拍/重拍", "no_reason_return", source="L-TB"),
    R("RS-103", "有瑕疵换货", "quality", source="L-TB"),
    R("RS-104", "包装/商品损坏/污渍", "transit_damage", source="L-TB"),
    R("RS-105", "卖家错发/漏发", "wrong_item", source="L-TB"),
    R("RS-106", "商品需要维修", "quality", source="L-TB"),
    R("RS-107", "大小/尺寸与描述不符", "misdescription", source="L-TB"),
    R("RS-108", "商品质量问题/做工问题", "quality", source="L-TB"),
    R("RS-109", "实际商品与描述不符", "misdescription", source="L-TB"),
    R("RS-110", "收到商品时有破损/污渍/变形", "transit_damage", source="L-TB"),
    R("RS-111", "商品成分描述不符", "misdescription", source="L-TB"),
    R("RS-112", "图片/产地/批号/规格等描述不符", "misdescription", source="L-TB"),
    R("RS-113", "颜色/图案/款式不符", "misdescription", source="L-TB"),
    R("RS-114", "少件(含缺少配件)", "wrong_item", source="L-TB"),
    # 淘宝/天猫 仅退款 with 未收到货: the parcel was shipped (only shipped orders offer these) but not received
    R("RS-120", "空包裹", "not_delivered", source="L-TB"),
    R("RS-121", "快递/物流一直未送到", "not_delivered", source="L-TB"),
    R("RS-122", "快递/物流无跟踪记录", "not_delivered", source="L-TB"),
    # 京东
    R("RS-130", "少/错商品", "wrong_item", source="L-JD"),
    R("RS-131", "不合适/不满意", "no_reason_return", source="L-JD"),
    R("RS-132", "商品损坏/包装脏污", "transit_damage", source="L-JD"),
    R("RS-133", "商品与页面描述不符", "misdescription", source="L-JD"),
    R("RS-134", "7天无理由退货退款", "no_reason_return", source="L-JD"),
    # 抖店 (its 13 return reasons; 少件/漏发, 商家发错货, 大小/尺寸/重量与商品描述不符 and 其他 are above)
    R("RS-140", "收到商品少件/错件/空包裹", "wrong_item", source="L-DY"),     # mixed: F8 covers all three
    R("RS-141", "不喜欢/效果不好", "no_reason_return", source="L-DY"),       # also 拼多多's 不喜欢、效果不好
    R("RS-142", "功能故障", "quality", source="L-DY"),
    R("RS-143", "商品材质/品牌/外观等描述不符", "misdescription", source="L-DY"),
    R("RS-144", "生产日期/保质期/规格等描述不符", "misdescription", source="L-DY"),
    R("RS-145", "品种/规格/成分等描述不符", "misdescription", source="L-DY"),
    R("RS-146", "品种/产品/规格/成分等描述不符", "misdescription", source="L-DY"),
    R("RS-147", "规格等描述不符", "misdescription", source="L-DY"),
    R("RS-148", "做工粗糙/有瑕疵/有污渍", "quality", source="L-DY"),       # a making fault, not transit
    # 拼多多
    R("RS-150", "多拍、错拍、不想要", "no_reason_return", source="L-PDD"),
    R("RS-151", "货物与描述不符", "misdescription", source="L-PDD"),
    R("RS-152", "大小/重量与商品描述不符", "misdescription", source="L-PDD"),
    R("RS-153", "标签/批次/包装/成分等与商品描述不符", "misdescription", source="L-PDD"),
    R("RS-154", "收到商品少件、破损或污渍", "transit_damage", source="L-PDD"),  # as RS-34/35: damage first
    # a buyer's own slip before shipping, like 拍错 (a no-reason refund)
    R("RS-160", "地址/电话信息填写错误", "no_reason_return", source="L-ERP"),
    # Case by case: the lists carry them, no rule settles them; the shop decides (提示 需人工判断: ...)
    R("RS-170", "退运费", "case_by_case", source="L-TB"),
    R("RS-171", "发票问题", "case_by_case", source="L-TB"),
    R("RS-172", "假冒品牌", "case_by_case", source="L-TB"),
    R("RS-173", "收到假货/假冒品牌", "case_by_case", source="L-TB"),
    R("RS-174", "缺货", "case_by_case", source="L-ERP"),
    R("RS-175", "协商一致退款", "case_by_case", source="L-ERP"),
    R("RS-176", "与商家协商一致退款", "case_by_case", source="A"),
    R("RS-177", "没用/少用优惠", "case_by_case", source="L-ERP"),
    R("RS-178", "发货速度不满意", "case_by_case", source="L-ERP"),
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


@dataclass(frozen=True)
class ReasonMatch:
    """How a wording was read: the reason, the id of the row or family that decided (原因对照!n, RS-nn,
    RC-..., RW-n), and what 提示 says about it (a family's 按关键词归为…, a case-by-case 需人工判断: …)."""
    reason: str
    rule: str
    note: Finding | None = None


def _quoted(text) -> str:
    """The wording as staff typed it, trimmed and kept short for 提示."""
    text = " ".join(str(text).split())
    return text if len(text) <= 20 else text[:20] + "…"


def _case_by_case_note(rule_id: str, text) -> Finding:
    names = {normalise_reason(n) for n in ("case_by_case",) + REASONS["case_by_case"]}
    if normalise_reason(text) in names:
        return Finding(rule_id, "WARN", "需人工判断, 由本店决定", "decided case by case by the shop")
    topic = _quoted(text)
    return Finding(rule_id, "WARN", f"需人工判断: {topic}", f"decided case by case by the shop: {topic}")


def _family_match(text, norm: str, kind: str | None) -> ReasonMatch | None:
    family = family_of(norm)
    if family is None:
        return None
    code = reason_of_family(family, norm, kind)
    if code == "case_by_case":
        return ReasonMatch(code, family.id, _case_by_case_note(family.id, text))
    return ReasonMatch(code, family.id, Finding(family.id, "INFO", f"按关键词归为「{REASON_ZH[code]}」",
                                                f"read as {code} by its words"))


class ReasonTable:
    """The built-in rows plus staff rows (from the 原因对照 sheet), which are looked at first; then the
    keyword families (addin.core.reason_families) for a wording no row knows."""

    def __init__(self, extra: Iterable[ReasonRule] = ()):
        self.extra = tuple(extra)
        self._staff = _index(reversed(self.extra))     # the last staff row for a key wins, as in a sheet
        self._cache: dict[tuple, ReasonMatch | None] = {}

    def rule_for(self, text, after_sales_type_text=None, platform: str | None = None) -> ReasonRule | None:
        """The row that maps this wording exactly, or None. Order: staff rows, then built-in; within each,
        the row for this platform and type, then this platform any type, then any platform this type, then any."""
        norm = normalise_reason(text)
        kind = after_sales_type(after_sales_type_text)
        for index in (self._staff, _BUILT_IN):
            for p in ((platform, None) if platform else (None,)):
                for t in ((kind, None) if kind else (None,)):
                    found = index.get((p, norm, t))
                    if found:
                        return found
        return None

    def match(self, text, after_sales_type_text=None, platform: str | None = None) -> ReasonMatch | None:
        """How this wording reads: an exact row (staff first), else a keyword family, else None.
        Remembered per distinct (text, type, platform): recalc asks once per row of a 100k-row sheet."""
        key = (text, after_sales_type_text, platform)
        try:
            return self._cache[key]
        except KeyError:
            pass
        rule = self.rule_for(text, after_sales_type_text, platform)
        if rule is not None:
            note = _case_by_case_note(rule.id, text) if rule.reason == "case_by_case" else None
            found = ReasonMatch(rule.reason, rule.id, note)
        elif after_sales_type(text) is not None:
            found = None                  # a bare type (退货退款) is not a reason: parse.to_reason says so
        else:
            found = _family_match(text, normalise_reason(text), after_sales_type(after_sales_type_text))
        if len(self._cache) < 8192:
            self._cache[key] = found
        return found


DEFAULT_REASON_TABLE = ReasonTable()


def _table(extra) -> ReasonTable:
    if extra is None:
        return DEFAULT_REASON_TABLE
    return extra if isinstance(extra, ReasonTable) else ReasonTable(extra)


def read_reason(text, after_sales_type=None, platform: str | None = None,
                extra: ReasonTable | Iterable[ReasonRule] | None = None) -> ReasonMatch | None:
    """How a platform's or staff's wording reads (see ReasonTable.match), or None when nothing maps it.

    after_sales_type: the row's 售后类型 text (换货, 退货退款 ...); platform: TB | TM | JD | PDD;
    extra: the workbook's 原因对照 rows (a ReasonTable, or ReasonRule rows), which win.
    """
    return _table(extra).match(text, after_sales_type, platform)


def match_reason(text, after_sales_type=None, platform: str | None = None,
                 extra: ReasonTable | Iterable[ReasonRule] | None = None) -> str | None:
    """The engine's reason code for a wording (read_reason's reason), or None when nothing maps it."""
    found = _table(extra).match(text, after_sales_type, platform)
    return found.reason if found else None
