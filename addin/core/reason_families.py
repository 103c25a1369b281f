"""Reason families: what a wording means by its words, for the wordings no exact row knows.

The platforms reword their reason lists every year (材质面料与商品描述不符 today, 商品材质/品牌/外观等描述不符
on 抖店); an exact table cannot keep up. :data:`FAMILIES` is the fallback after the 原因对照 sheet and the
exact table (addin.core.reasons): the first family with one of its words in the (normalised) wording
decides, and the row says so in 提示 (按关键词归为「描述不符」) with the family id in 规则编号.

The order is the precedence, chosen on the platforms' public lists (docs/dev/reasons.md):
  * RW-1 case by case first: a wording that names 发票, 退运费, 假冒, 缺货 or 协商一致 is the shop's call
    whatever else it says;
  * RW-2 not delivered before RW-3 missing items: 空包裹/少货 is a parcel without the goods;
  * RW-4 misdescription before RW-7 no reason: 效果与商品描述不符 is the page's fault, 效果不好 is taste;
  * RW-5 quality before RW-6 damage: 做工粗糙/有瑕疵/有污渍 is a making fault, 包装/商品破损/污渍 is transit.
No family leads to late shipment: it pays compensation (COMP-TM/TB), so only an exact row or alias may
(a typo such as 延迟发货x stays an error to fix). Ids are RW-n (reason words), not RF-: RF- are the
refund clocks.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReasonFamily:
    id: str
    reason: str                 # a key of addin.core.case.REASONS (no_reason_return: see reason_of_family)
    words: tuple[str, ...]      # any of these in the wording (after reasons.normalise_reason) puts it here


F = ReasonFamily
FAMILIES: tuple[ReasonFamily, ...] = (
    F("RW-1", "case_by_case", ("退运费", "运费", "邮费", "发票", "假冒", "假货", "仿冒", "正品", "缺货", "无货",
                               "协商一致", "协商退款", "优惠", "价格", "虚假发货", "发货速度", "发货时间问题")),
    F("RW-2", "not_delivered", ("空包裹", "空包", "包裹为空", "未送到", "未送达", "一直未到", "无法送到", "无法送达",
                                "无跟踪", "停滞", "丢件", "快递丢失", "包裹丢失", "签收但未收到")),
    F("RW-3", "wrong_item", ("少件", "缺件", "错件", "漏发", "少发", "漏寄", "错发", "发错", "寄错", "少配件",
                             "缺少配件", "缺配件", "少货", "少错商品")),
    F("RW-4", "misdescription", ("描述不符", "不符", "不一致", "描述不实", "虚假宣传")),
    F("RW-5", "quality", ("质量", "瑕疵", "做工", "褪色", "掉色", "缩水", "起球", "故障", "变质", "发霉", "异物",
                          "过期", "开线", "走丝", "脱线", "漏水", "维修", "无法使用", "不能用")),
    F("RW-6", "transit_damage", ("破损", "污渍", "变形", "损坏", "脏污", "裂痕", "划痕", "压坏", "摔坏", "破碎",
                                 "磕碰", "凹陷")),
    F("RW-7", "no_reason_return", ("无理由", "不喜欢", "不想要", "不要了", "拍错", "错拍", "误拍", "拍多", "多拍",
                                   "重拍", "买错", "买多", "买少", "不合适", "效果不好", "填写错误")),
)
del F
FAMILY_BY_ID = {f.id: f for f in FAMILIES}


def family_of(norm: str) -> ReasonFamily | None:
    """The first family with one of its words in `norm` (a reasons.normalise_reason() text), or None.
    The words are written in that normal form already (tests check it): no slashes, half width."""
    for family in FAMILIES:
        for word in family.words:
            if word in norm:
                return family
    return None


def reason_of_family(family: ReasonFamily, norm: str, kind: str | None) -> str:
    """The family's reason for this wording: a no-reason wording is an exchange when the row's
    售后类型 is 换货 (`kind` == 'exchange') or the wording asks for one (换货, but not 退换货)."""
    if family.reason == "no_reason_return" and (kind == "exchange" or ("换货" in norm and "退换货" not in norm)):
        return "no_reason_exchange"
    return family.reason
