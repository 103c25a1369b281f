"""The case's stage: where a refund stands, read from the platform's own status text or from staff's
处理结果, and what that means for the clocks.

Six stages (:data:`STAGES`). The platforms word their statuses differently, so each platform has a
table of its wordings (:data:`STATUS_RULES`, one row per wording, each with an id and a source; the
sources are listed in docs/dev/stages.md). A wording that says a refund is in progress but names no
step we can rely on maps to no stage (``None``): the case then keeps every clock its timestamps give,
as before stages existed. Staff's 处理结果 (:data:`OUTCOME_WORDS`) wins over the platform's status.

Texts are compared after :func:`status_key`: full/half width, case, spaces and punctuation do not
matter, so 买家已经申请退款，等待卖家同意 and 买家已经申请退款, 等待卖家同意 are one key. Every lookup is
memoised: recalc reads the same few statuses on 100,000 rows.

The same module reads 货物状态 and 订单状态 into 退款时已发货 (:func:`shipped_from_status`), so the
RF-TB clocks start on rows an export filled.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Stage:
    id: str
    zh: str
    en: str
    open: bool          # False: finished or closed, no clock runs


SELLER, RETURN, RECEIVE, REFUSED, DONE, CLOSED = (
    "ST-SELLER", "ST-RETURN", "ST-RECEIVE", "ST-REFUSED", "ST-DONE", "ST-CLOSED")
STAGES: dict[str, Stage] = {s.id: s for s in (
    Stage(SELLER, "待商家处理", "waiting for the seller", True),
    Stage(RETURN, "待买家退货", "waiting for the buyer's return", True),
    Stage(RECEIVE, "待商家收货", "waiting for the seller to receive the return", True),
    Stage(REFUSED, "已拒绝", "refused by the seller", True),
    Stage(DONE, "已完结", "finished", False),
    Stage(CLOSED, "已关闭", "closed", False),
)}
TERMINAL = frozenset(s.id for s in STAGES.values() if not s.open)


@lru_cache(maxsize=4096)
def status_key(text) -> str:
    """'买家已经申请退款，等待卖家同意 ' -> '买家已经申请退款等待卖家同意'; 'WAIT_SELLER_AGREE' -> 'waitselleragree'."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"[\W_]+", "", s)


# --- the platforms' status wordings -----------------------------------------------------------

@dataclass(frozen=True)
class StatusRule:
    id: str
    text: str                  # the wording as the platform writes it
    stage: str | None          # a key of STAGES; None = a refund in progress at no step we rely on
    source: str                # key of SOURCES


# Where each wording was seen (full references in docs/dev/stages.md).
SOURCES = {
    "TB-API": "淘宝开放平台 taobao.refunds.receive.get 退款状态 enum (Refund.status), as in "
              "github.com/bububa/opentaobao model/trade/Refund.go and model/refund/Refund.go",
    "TM-API": "天猫 tmall.dispute.receive.get 退款状态 enum, github.com/bububa/opentaobao "
              "model/refund/TmallDisputeReceiveGetAPIRequest.go",
    "TB-ALIPAY": "older 支付宝/淘宝 refund status names, github.com/gmf520/osharp-v4 "
                 "src/OSharp.Web/Net/Alipay/RefundStatus.cs",
    "TB-SHORT": "the short names order tools show for the API's refund statuses: WAIT_SELLER_AGREE 等待卖家同意, "
                "WAIT_BUYER_RETURN_GOODS 等待买家退货, WAIT_SELLER_CONFIRM_GOODS 等待卖家确认收货 (public code mapping "
                "the codes to them, repository not named by the index)",
    "TB-TRADE": "淘宝 Trade.refund_status NO_REFUND(没有退款), blog.csdn.net/m0_62533040/article/details/121206156",
    "PDD-API": "拼多多开放平台 pdd.refund.information.get after_sales_status (售后状态) enum, "
               "open.pinduoduo.com/application/document/api?id=pdd.cloud.refund.information.get",
    "PDD-ALT": "PDD after_sales_status codes as a public browser tool words them (public code, repository not named "
               "by the index): 商家拒绝退款，退款关闭 / 退货完成，待退款 / 部分退款成功 / 未发货，退款成功",
    "JD-VOP": "京东 售后服务单 status codes (10 申请阶段 … 50 完成, 60 取消), docs.open.fenbeitong.com "
              "zidongmabiao/4101-cai-gou-zhuang-tai-ma.html and public JD-integration code",
    "DY-API": "抖店开放平台 after_sale_status enum (6-售后申请 … 53-逆向交易已完成) as in public 抖店 SDKs "
              "(e.g. the OpField descriptions of the official Java SDK's AfterSaleInfo)",
    "DY-SDK": "抖店 status display names, github.com/renhonghai/doudian-sdk src/Constants/AfterSaleStatusConstant.php",
    "STAGE": "our stage names, typed by staff",
    "U": "our reading: wording seen in shops' back offices but not confirmed in public material",
}

S = StatusRule
_TB_RULES = (
    S("PS-TB-01", "买家已经申请退款，等待卖家同意", SELLER, "TB-API"),
    S("PS-TB-02", "卖家已经同意退款，等待买家退货", RETURN, "TB-API"),
    S("PS-TB-03", "买家已经退货，等待卖家确认收货", RECEIVE, "TB-API"),
    S("PS-TB-04", "卖家拒绝退款", REFUSED, "TB-API"),
    S("PS-TB-05", "退款成功", DONE, "TB-API"),
    S("PS-TB-06", "退款关闭", CLOSED, "TB-API"),
    # ERP and order-sync tools export the API codes themselves
    S("PS-TB-07", "WAIT_SELLER_AGREE", SELLER, "TB-API"),
    S("PS-TB-08", "WAIT_BUYER_RETURN_GOODS", RETURN, "TB-API"),
    S("PS-TB-09", "WAIT_SELLER_CONFIRM_GOODS", RECEIVE, "TB-API"),
    S("PS-TB-10", "SELLER_REFUSE_BUYER", REFUSED, "TB-API"),
    S("PS-TB-11", "SUCCESS", DONE, "TB-API"),
    S("PS-TB-12", "CLOSED", CLOSED, "TB-API"),
    S("PS-TB-13", "没有退款", None, "TB-TRADE"),
    S("PS-TB-14", "NO_REFUND", None, "TB-TRADE"),
    # 天猫's dispute list adds exchange and address steps
    S("PS-TB-15", "等待卖家确认退货地址", SELLER, "TM-API"),
    S("PS-TB-16", "卖家确认收货,等待卖家发货", SELLER, "TM-API"),
    S("PS-TB-17", "等待买家确认重新邮寄的货物", None, "TM-API"),
    S("PS-TB-18", "卖家已发货,等待买家确认收货", None, "TM-API"),
    S("PS-TB-19", "换货关闭,转退货退款", None, "TM-API"),
    # older names of the same six statuses
    S("PS-TB-20", "退款协议等待卖家确认", SELLER, "TB-ALIPAY"),
    S("PS-TB-21", "卖家不同意协议，等待买家修改", REFUSED, "TB-ALIPAY"),
    S("PS-TB-22", "退款协议达成，等待买家退货", RETURN, "TB-ALIPAY"),
    S("PS-TB-23", "等待卖家收货", RECEIVE, "TB-ALIPAY"),
    S("PS-TB-24", "REFUND_SUCCESS", DONE, "TB-ALIPAY"),
    S("PS-TB-25", "REFUND_CLOSED", CLOSED, "TB-ALIPAY"),
    # the same statuses by their short names, as order tools and hand-kept sheets write them
    S("PS-TB-26", "等待卖家同意", SELLER, "TB-SHORT"),
    S("PS-TB-27", "等待买家退货", RETURN, "TB-SHORT"),
    S("PS-TB-28", "等待卖家确认收货", RECEIVE, "TB-SHORT"),
)
_PDD_RULES = (
    S("PS-PDD-01", "无售后", None, "PDD-API"),
    S("PS-PDD-02", "买家申请退款，待商家处理", SELLER, "PDD-API"),
    S("PS-PDD-03", "退货退款，待商家处理", SELLER, "PDD-API"),
    S("PS-PDD-04", "商家同意退款，退款中", DONE, "PDD-API"),      # the seller's part is done; the money is on its way
    S("PS-PDD-05", "平台同意退款，退款中", DONE, "PDD-API"),
    S("PS-PDD-06", "驳回退款，待买家处理", REFUSED, "PDD-API"),
    S("PS-PDD-07", "已同意退货退款,待用户发货", RETURN, "PDD-API"),
    S("PS-PDD-08", "平台处理中", None, "PDD-API"),
    S("PS-PDD-09", "平台拒绝退款，退款关闭", CLOSED, "PDD-API"),
    S("PS-PDD-10", "退款成功", DONE, "PDD-API"),
    S("PS-PDD-11", "买家撤销", CLOSED, "PDD-API"),
    S("PS-PDD-12", "买家逾期未处理，退款失败", CLOSED, "PDD-API"),
    S("PS-PDD-13", "买家逾期，超过有效期", CLOSED, "PDD-API"),
    S("PS-PDD-14", "换货补寄待商家处理", SELLER, "PDD-API"),
    S("PS-PDD-15", "换货补寄待用户处理", None, "PDD-API"),
    S("PS-PDD-16", "换货补寄成功", DONE, "PDD-API"),
    S("PS-PDD-17", "换货补寄失败", CLOSED, "PDD-API"),
    S("PS-PDD-18", "换货补寄待用户确认完成", None, "PDD-API"),
    S("PS-PDD-19", "待商家同意维修", SELLER, "PDD-API"),
    S("PS-PDD-20", "待用户确认发货", RETURN, "PDD-API"),
    S("PS-PDD-21", "维修关闭", CLOSED, "PDD-API"),
    S("PS-PDD-22", "维修成功", DONE, "PDD-API"),
    S("PS-PDD-23", "待用户确认收货", None, "PDD-API"),
    S("PS-PDD-24", "已同意拒收退款，待用户拒收", None, "PDD-API"),
    S("PS-PDD-25", "补寄待商家发货", SELLER, "PDD-API"),
    S("PS-PDD-26", "驳回退款， 待买家处理", REFUSED, "PDD-API"),     # the API text has this spacing too (same key)
    S("PS-PDD-27", "商家拒绝退款，退款关闭", CLOSED, "PDD-ALT"),
    S("PS-PDD-28", "退货完成，待退款", RECEIVE, "PDD-ALT"),
    S("PS-PDD-29", "部分退款成功", DONE, "PDD-ALT"),
    S("PS-PDD-30", "未发货，退款成功", DONE, "PDD-ALT"),
    S("PS-PDD-31", "已发货，退款成功", DONE, "PDD-ALT"),
)
_JD_RULES = (
    S("PS-JD-01", "申请阶段", SELLER, "JD-VOP"),
    S("PS-JD-02", "生成售后单", SELLER, "JD-VOP"),
    S("PS-JD-03", "审核不通过", REFUSED, "JD-VOP"),
    S("PS-JD-04", "客服审核", SELLER, "JD-VOP"),
    S("PS-JD-05", "商家审核", SELLER, "JD-VOP"),
    S("PS-JD-06", "审核通过", RETURN, "JD-VOP"),
    S("PS-JD-07", "京东收货", RECEIVE, "JD-VOP"),
    S("PS-JD-08", "商家收货", RECEIVE, "JD-VOP"),
    S("PS-JD-09", "京东处理", None, "JD-VOP"),
    S("PS-JD-10", "商家处理", RECEIVE, "JD-VOP"),       # after the goods are back: the seller's refund/repair step
    S("PS-JD-11", "用户确认", None, "JD-VOP"),
    S("PS-JD-12", "确认退货", None, "JD-VOP"),
    S("PS-JD-13", "完成", DONE, "JD-VOP"),
    S("PS-JD-14", "取消", CLOSED, "JD-VOP"),
    S("PS-JD-15", "申请售后失败", CLOSED, "JD-VOP"),
    # 服务单状态 as the merchant back office lists them (our reading, not confirmed in public material)
    S("PS-JD-16", "待审核", SELLER, "U"),
    S("PS-JD-17", "待收货", RECEIVE, "U"),
    S("PS-JD-18", "待处理", RECEIVE, "U"),
    S("PS-JD-19", "审核关闭", CLOSED, "U"),
    S("PS-JD-20", "待用户确认", None, "U"),
    S("PS-JD-21", "待客户反馈", None, "U"),
    S("PS-JD-22", "已完成", DONE, "U"),
    S("PS-JD-23", "已取消", CLOSED, "U"),
)
_DY_RULES = (
    S("PS-DY-01", "售后初始化", None, "DY-API"),
    S("PS-DY-02", "售后申请", SELLER, "DY-API"),
    S("PS-DY-03", "售后退货中", RETURN, "DY-API"),
    S("PS-DY-04", "售后待商家发货", SELLER, "DY-API"),
    S("PS-DY-05", "售后已发货", RECEIVE, "DY-API"),       # the buyer has sent the return
    S("PS-DY-06", "售后成功", DONE, "DY-API"),
    S("PS-DY-07", "售后商家已发货，待用户收货", None, "DY-API"),
    S("PS-DY-08", "售后用户已收货", DONE, "DY-API"),
    S("PS-DY-09", "拒绝售后申请", REFUSED, "DY-API"),
    S("PS-DY-10", "售后失败", CLOSED, "DY-API"),
    S("PS-DY-11", "售后退货拒绝", REFUSED, "DY-API"),
    S("PS-DY-12", "退货后拒绝退款", REFUSED, "DY-API"),
    S("PS-DY-13", "订单取消成功", DONE, "DY-API"),        # an unshipped order refunded by cancelling it
    S("PS-DY-14", "取消成功", DONE, "DY-API"),
    S("PS-DY-15", "逆向交易已完成", DONE, "DY-API"),
    S("PS-DY-16", "逆向交易完成", DONE, "DY-API"),
    S("PS-DY-17", "售后换货商家发货", None, "DY-API"),
    S("PS-DY-18", "售后换货用户收货", DONE, "DY-API"),
    S("PS-DY-19", "待商家同意", SELLER, "DY-SDK"),
    S("PS-DY-20", "待买家退货", RETURN, "DY-SDK"),
    S("PS-DY-21", "待商家二次同意", RECEIVE, "DY-SDK"),
    S("PS-DY-22", "换货待买家收货", None, "DY-SDK"),
    S("PS-DY-23", "换货成功", DONE, "DY-SDK"),
    S("PS-DY-24", "商家一次拒绝", REFUSED, "DY-SDK"),
    S("PS-DY-25", "商家二次拒绝", REFUSED, "DY-SDK"),
)
# The stage names themselves, on every platform (staff and our own sheets write them).
_ANY_RULES = tuple(S(f"PS-ANY-{i:02d}", s.zh, s.id, "STAGE") for i, s in enumerate(STAGES.values(), 1))
del S

# Platform code -> its wordings. 天猫 and 淘宝 share one refund system. "DY" (抖店) is keyed here so an
# export can be read before the platform list names it.
STATUS_RULES: dict[str, tuple[StatusRule, ...]] = {
    "TB": _TB_RULES, "TM": _TB_RULES, "JD": _JD_RULES, "PDD": _PDD_RULES, "DY": _DY_RULES}
_BY_PLATFORM: dict[str, dict[str, StatusRule]] = {
    p: {status_key(r.text): r for r in rules} for p, rules in STATUS_RULES.items()}
_ANY = {status_key(r.text): r for r in _ANY_RULES}


def _other_platforms(key: str, platform: str | None) -> StatusRule | None:
    """A wording of another platform's table (an export typed under the wrong platform, or no platform):
    used only when every table that knows it agrees on the stage."""
    hits = [t[key] for p, t in _BY_PLATFORM.items() if p != platform and key in t]
    return hits[0] if hits and len({h.stage for h in hits}) == 1 else None


@lru_cache(maxsize=4096)
def status_rule(platform: str | None, text: str) -> StatusRule | None:
    """The row of the status tables a platform's status text matches, or None if no row does."""
    key = status_key(text)
    table = _BY_PLATFORM.get(platform)
    if table is not None and key in table:
        return table[key]
    return _ANY.get(key) or _other_platforms(key, platform)


# --- staff's 处理结果 ---------------------------------------------------------------------------

# Stage id -> what staff type in 处理结果 (the stage name first: the drop-down value).
OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    DONE: ("已完结", "完结", "已结案", "结案", "已完成", "完成", "已退款", "退款成功", "已赔付", "已处理", "已解决"),
    CLOSED: ("已关闭", "关闭", "退款关闭", "已撤销", "撤销", "买家撤销", "已取消", "取消"),
    REFUSED: ("已拒绝", "拒绝", "拒绝退款", "已驳回"),
    SELLER: ("待商家处理", "待处理", "处理中"),
    RETURN: ("待买家退货", "待退货", "等待退货"),
    RECEIVE: ("待商家收货", "待收货", "买家已退货"),
}
_OUTCOME = {status_key(w): stage for stage, words in OUTCOME_WORDS.items() for w in words}


def outcome_stage(text) -> str | None:
    """The stage staff's 处理结果 sets ('已结案' -> 'ST-DONE'), or None for a word we do not know."""
    return _OUTCOME.get(status_key(text))


# --- the stage of a case --------------------------------------------------------------------

@dataclass(frozen=True)
class StageReading:
    stage: str | None          # a key of STAGES, or None: no stage known, today's clocks
    rule: str | None           # the id behind it: a PS-* row, or OUTCOME for staff's 处理结果
    unknown: str | None = None  # the platform status text no row matched (the row says so in 提示)


OUTCOME = "OUTCOME"
NO_STAGE = StageReading(None, None)


@lru_cache(maxsize=4096)
def _reading(platform: str | None, status: str | None, outcome: str | None) -> StageReading:
    if outcome is not None:
        return StageReading(outcome, OUTCOME)
    rule = status_rule(platform, status)
    if rule is None:
        return StageReading(None, None, status)
    return StageReading(rule.stage, rule.id)


def stage_of(case) -> StageReading:
    """The case's stage: staff's 处理结果 (Case.outcome, a stage id) wins over the platform status text
    (Case.refund_status); neither = no stage."""
    if case.outcome is None and case.refund_status is None:
        return NO_STAGE
    return _reading(case.platform, case.refund_status, case.outcome)


# --- which clocks the stage runs ------------------------------------------------------------

# Clocks of steps a stage has left behind. Only these are dropped: every other clock the row's
# timestamps give keeps running (when unsure, today's clocks stay).
_BUYER_REQUEST = frozenset({"R7-2", "R7-2.168h", "R7-2.bound"})            # the request was made (and agreed)
_SELLER_RESPONSE = frozenset({"RF-TB.unshipped", "RF-TB.alert", "RF-TB.shipped", "SLA-4"})   # the seller answered
STAGE_DROPS: dict[str, frozenset[str]] = {
    SELLER: frozenset(),                                  # the seller's response clock runs
    RETURN: _BUYER_REQUEST | _SELLER_RESPONSE,            # the buyer's return clock runs
    RECEIVE: _BUYER_REQUEST | _SELLER_RESPONSE,           # the seller's receive / refund clock runs
    REFUSED: _SELLER_RESPONSE,                            # the buyer may still ask again within 7 days
}

# The platform's 超时时间 as a deadline kind, by stage: what happens when it passes.
TIMEOUT_KIND: dict[str | None, str] = {
    SELLER: "PLAT-TIMEOUT.refund",      # the seller did not answer: 淘宝 refunds (RF-TB)
    RETURN: "PLAT-TIMEOUT.close",       # the buyer did not send the return: the refund closes
    RECEIVE: "PLAT-TIMEOUT.refund",     # the seller did not confirm receipt: the platform refunds (RF-RET)
    REFUSED: "PLAT-TIMEOUT.close",      # the buyer did not answer the refusal: the refund closes
    None: "PLAT-TIMEOUT",               # stage unknown: the platform's deadline, event not known
}
TIMEOUT_NOTE: dict[str | None, str] = {
    SELLER: "卖家未处理: 仅退款自动退款, 退货退款自动同意退货",
    RETURN: "买家未退货, 退款自动关闭",
    RECEIVE: "卖家未确认收货, 平台自动退款",
    REFUSED: "买家未处理, 退款自动关闭",
    None: "平台导出的超时时间",
}


# --- 货物状态 / 订单状态 -> 退款时已发货 ------------------------------------------------------------

@dataclass(frozen=True)
class ShippedRule:
    id: str
    text: str
    shipped: bool | None       # None: the wording does not tell
    source: str


H = ShippedRule
SHIPPED_RULES: tuple[ShippedRule, ...] = (
    # 淘宝 货物状态 (Refund.good_status): BUYER_NOT_RECEIVED is also what an in-transit parcel shows, so it
    # does not tell whether the seller had shipped.
    H("SH-01", "买家未收到货", None, "TB-API"),
    H("SH-02", "买家已收到货", True, "TB-API"),
    H("SH-03", "买家已退货", True, "TB-API"),
    H("SH-04", "BUYER_NOT_RECEIVED", None, "TB-API"),
    H("SH-05", "BUYER_RECEIVED", True, "TB-API"),
    H("SH-06", "BUYER_RETURNED_GOODS", True, "TB-API"),
    # 淘宝 交易状态 (Refund.order_status)
    H("SH-07", "等待卖家发货,即:买家已付款", False, "TB-API"),
    H("SH-08", "买家已付款，等待卖家发货", False, "U"),
    H("SH-09", "等待卖家发货", False, "TB-API"),
    H("SH-10", "卖家部分发货", True, "TB-API"),
    H("SH-11", "等待买家确认收货,即:卖家已发货", True, "TB-API"),
    H("SH-12", "卖家已发货，等待买家确认", True, "U"),
    H("SH-13", "等待买家确认收货", True, "TB-API"),
    H("SH-14", "买家已签收,货到付款专用", True, "TB-API"),
    H("SH-15", "交易成功", True, "TB-API"),
    H("SH-16", "WAIT_SELLER_SEND_GOODS", False, "TB-API"),
    H("SH-17", "WAIT_BUYER_CONFIRM_GOODS", True, "TB-API"),
    H("SH-18", "TRADE_FINISHED", True, "TB-API"),
    H("SH-19", "SELLER_CONSIGNED_PART", True, "TB-API"),
    H("SH-20", "TRADE_BUYER_SIGNED", True, "TB-API"),
    # 拼多多 订单状态 (order_status 1 待发货 / 2 已发货待签收 / 3 已签收) and shipping_status (0 未发货 / 1 已发货)
    H("SH-21", "未发货", False, "PDD-API"),
    H("SH-22", "待发货", False, "PDD-API"),
    H("SH-23", "已发货", True, "PDD-API"),
    H("SH-24", "已发货待签收", True, "PDD-API"),
    H("SH-25", "已发货，待收货", True, "U"),
    H("SH-26", "已揽收", True, "PDD-API"),
    H("SH-27", "已签收", True, "PDD-API"),
    H("SH-28", "已收货", True, "U"),
    # 拼多多 user_shipping_status: the buyer's own choice of 未收到货 / 已收到货
    H("SH-29", "未收到货", None, "PDD-API"),
    H("SH-30", "已收到货", True, "PDD-API"),
)
del H
_SHIPPED = {status_key(r.text): r for r in SHIPPED_RULES}


@lru_cache(maxsize=1024)
def shipped_rule(text) -> ShippedRule | None:
    return _SHIPPED.get(status_key(text))


def shipped_from_status(*texts) -> bool | None:
    """退款时已发货 from the export's 货物状态 / 订单状态 texts: the first that tells (True or False)
    wins; None when none does (blank, unknown, or 买家未收到货 alone)."""
    for text in texts:
        if text is None:
            continue
        rule = shipped_rule(text)
        if rule is not None and rule.shipped is not None:
            return rule.shipped
    return None


def case_shipped(case) -> bool | None:
    """The case's 退款时已发货: typed by staff, else read from 货物状态 / 订单状态."""
    if case.shipped is not None:
        return case.shipped
    if case.goods_status is None and case.order_status is None:
        return None
    return shipped_from_status(case.goods_status, case.order_status)


def _ids_unique() -> bool:
    ids = [r.id for rules in (_TB_RULES, _PDD_RULES, _JD_RULES, _DY_RULES, _ANY_RULES, SHIPPED_RULES) for r in rules]
    return len(ids) == len(set(ids))


assert _ids_unique(), "status and shipped rule ids must be unique"
assert all(len({r.stage for r in rules if status_key(r.text) == status_key(o.text)}) == 1
           for rules in STATUS_RULES.values() for o in rules), "one wording, one stage per platform"
