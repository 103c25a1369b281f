"""One after-sales case, already normalised (typed values), and the vocabularies it uses.

The workbook and UDF adapters turn cell values into a :class:`Case`; the rules never see a cell.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal

from .findings import Finding

# Platform codes and what staff type for them.
PLATFORMS: dict[str, tuple[str, ...]] = {
    "TB": ("淘宝", "淘宝网", "taobao", "tb", "c店", "淘宝c店"),
    "TM": ("天猫", "tmall", "tm", "天猫商城"),
    "JD": ("京东", "jd", "jd.com", "京东pop", "京东自营"),
    "PDD": ("拼多多", "pdd", "pinduoduo", "多多"),
    # 抖店 (抖音电商): only the rules that are national law or platform-neutral compute for it; a rule with no
    # public source for 抖店 is not guessed, the row says so in 提示 (COMP-DY, RF-DY).
    "DY": ("抖店", "抖音", "抖音小店", "抖音电商", "抖店商家", "douyin", "dy"),
}
PLATFORM_ZH = {"TB": "淘宝", "TM": "天猫", "JD": "京东", "PDD": "拼多多", "DY": "抖店"}

# Reason codes: Chinese name first (the drop-down value), then the aliases staff use.
REASONS: dict[str, tuple[str, ...]] = {
    "late_shipment": ("延迟发货", "发货超时", "超时发货", "晚发货", "late shipment"),
    "price_protection": ("价保", "降价补差", "保价", "price protection"),
    "missing_gift": ("赠品漏发", "漏发赠品", "赠品未发", "missing gift"),
    "misdescription": ("描述不符", "不当发布", "与描述不符", "misdescription"),
    "no_reason_return": ("七天无理由退货", "七天无理由", "7天无理由", "无理由退货", "不喜欢", "尺码不合适退货",
                         "no-reason return"),
    "no_reason_exchange": ("无理由换货", "尺码不合适换货", "换尺码", "换货", "size exchange"),
    "quality": ("质量问题", "质量", "quality"),
    "wrong_item": ("错发漏发", "错发", "漏发", "wrong item"),
    "transit_damage": ("物流破损", "快递破损", "破损", "transit damage"),
    # The parcel never arrived or arrived empty (S0 "未收到货" / "无商品(空包)"): no return leg, the seller
    # pays the freight (F16), the refund clock runs as for a shipped order (see deadlines).
    "not_delivered": ("未收到货", "物流未送达", "快递未送达", "空包裹", "not delivered"),
    "shipped_after_refund": ("退款后仍发货", "拒收", "违规发货", "shipped after refund"),
    "carrier_not_used": ("未按约定快递", "未用指定快递", "carrier not used"),
    "goodwill": ("协商补偿", "与想象不符", "安抚补偿", "不要赠品", "goodwill"),
    "unpaid": ("未付款", "催付", "unpaid"),
    "review": ("中差评", "评价处理", "差评", "review"),
    # Reasons the platforms list but leave to each shop (发票问题, 退运费, 假冒品牌, 缺货 ...): no rule computes
    # them; the row says 需人工判断 in 提示 instead of an error (addin.core.reasons).
    "case_by_case": ("需人工判断", "人工判断", "按店铺规定", "case by case"),
    "other": ("其他", "其它", "其他原因", "other"),
}
REASON_ZH = {code: names[0] for code, names in REASONS.items()}   # reason code -> its Chinese name

INSURANCE = {"none": ("无", "没有", "否", "none", "no"),
             "bought": ("买家购买", "已购买", "买家买", "bought", "是", "有"),
             "gifted": ("卖家赠送", "赠送", "商家赠送", "gifted")}

# Customer types for the payment reminder's preferred hours (SMS-7).
CUSTOMER_TYPES = {
    "office": ("上班族", "白领", "职员", "worker"),
    "student": ("学生",),
    "other": ("其他", "其它", "宝妈", "自由职业"),
}

# Categories excluded from the 7-day no-reason return (P1 第六/七条), matched inside the category text.
NO_REASON_EXCLUDED = ("定制", "生鲜", "鲜活", "易腐", "报纸", "期刊", "数字化商品", "已拆封数码", "虚拟")


@dataclass
class Case:
    """Inputs of one row. Every field is optional: each rule says which ones it needs."""
    order_id: str | None = None
    platform: str | None = None            # TB | TM | JD | PDD | DY
    reason: str | None = None              # a key of REASONS
    reason_note: Finding | None = None           # Finding for 提示 on how 售后原因 was read (keyword family, case by case)
    buyer: str | None = None               # buyer id or nickname, groups Tmall payments (COMP-TM cap)
    shop_name: str | None = None
    phone: str | None = None
    item_name: str | None = None
    paid: Decimal | None = None            # actual paid amount, postage excluded
    paid_at: dt.datetime | None = None
    ordered_at: dt.datetime | None = None
    signed_at: dt.datetime | None = None   # 签收
    signed_has_time: bool = True           # False when staff typed only a date (no 168 h reading then)
    special_category: bool = False         # Taobao categories with a 1-yuan minimum
    category: str | None = None
    virtual_goods: bool = False
    shipped: bool | None = None            # shipped before the refund request?
    refund_requested_at: dt.datetime | None = None
    return_shipped_at: dt.datetime | None = None   # buyer entered the return tracking number
    return_received_at: dt.datetime | None = None  # seller received the returned goods
    refund_done_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    complaint_at: dt.datetime | None = None         # offline complaint received
    jd_dispute_at: dt.datetime | None = None
    jd_evidence_at: dt.datetime | None = None
    jd_closed_at: dt.datetime | None = None
    court_notice_at: dt.datetime | None = None      # P3 第八十三条
    promise_at: dt.datetime | None = None           # day the "N 个工作日内发货" promise was made
    promise_workdays: int | None = None
    review_at: dt.datetime | None = None
    review_stars: int | None = None
    trade_done_at: dt.datetime | None = None        # 交易成功
    promo_order: bool = False                        # 聚划算 / 双11 / 双12 unpaid timer
    # compensation inputs
    promise_rate: Decimal | None = None              # shop's own late-shipment promise (COMP-PROM)
    promise_cap: Decimal | None = None
    price_drop: Decimal | None = None
    price_drop_at: dt.datetime | None = None
    pp_days: int | None = None                       # price-protection period on the product page (POP, from order)
    gift_price: Decimal | None = None
    gift_has_sku: bool | None = None
    proposed: Decimal | None = None                  # agent's proposed goodwill amount (LAD-2)
    action: str | None = None                        # agent's handling, e.g. 挽留-拒绝 (LAD-3)
    override: Decimal | None = None                  # 赔偿金额(手工): typed by staff, always wins
    # freight inputs
    free_shipping: bool | None = None
    insurance: str = "none"                          # none | bought | gifted
    confirmed: bool = False                          # buyer already 确认收货
    dispute: bool = False                            # 售后维权 (insurance no longer pays)
    evidence: bool = False
    postage: Decimal | None = None                   # outbound postage (template or paid)
    buyer_paid_postage: bool = False
    return_postage: Decimal | None = None            # what the buyer paid for the return
    normal_return_postage: Decimal | None = None     # to the listed ship-from place (F13)
    address_mismatch: bool = False
    free_threshold: Decimal | None = None            # free shipping above this order total (F3)
    order_total: Decimal | None = None
    returned_amount: Decimal | None = None           # value of the items returned
    agreed_no_freight: bool = False                  # F12: return agreed, freight not specified
    merchant_silent: bool = False                    # F14: JD merchant silent for 24 h
    # the case's stage and the platform's own clock (addin.core.stage)
    refund_status: str | None = None                 # 退款状态 / 售后状态 / 服务单状态 as the platform exports it
    outcome: str | None = None                       # 处理结果 typed by staff: a stage id (ST-DONE ...), wins
    platform_deadline: dt.datetime | None = None     # 超时时间: when the platform acts on its own
    goods_status: str | None = None                  # 货物状态 (买家未收到货 / 买家已收到货 / 买家已退货)
    order_status: str | None = None                  # 订单状态 (未发货 / 已发货 ...): fills `shipped` when blank
    manager_approval: str | None = None              # 店长审批: approved | rejected (ends 需店长审批)


def case_of(values: dict) -> Case:
    """Case(**values), built by one dict update instead of 57 keyword arguments: the workbook builds one
    per row. The fields not in `values` read their defaults from the class (every default is a plain
    value, which the dataclass keeps as a class attribute). `values` must hold Case fields only."""
    case = object.__new__(Case)
    case.__dict__.update(values)
    return case


assert all(getattr(Case, f.name) == f.default for f in fields(Case)), "case_of needs plain defaults"
