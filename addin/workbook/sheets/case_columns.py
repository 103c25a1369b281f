"""The 案件 sheet's columns: found by header name (Chinese, with English aliases), never by letter.

Staff insert, move and rename-within-aliases columns freely; :func:`map_headers` finds them. Input
columns feed a :class:`~addin.core.case.Case` field; output columns are the only cells recalc writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from addin.core.deadlines import DEADLINE_KINDS
from addin.workbook.sheets.catalogue import normalise_header


@dataclass(frozen=True)
class Column:
    key: str                 # Case field (inputs) or output key
    header: str              # the Chinese header written in new workbooks
    kind: str                # text | money | rate | datetime | bool | int | stars | platform | reason | insurance
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 12          # column width in new workbooks


C = Column
INPUTS: tuple[Column, ...] = (
    C("order_id", "订单号", "text", ("订单编号", "order id", "order", "order_id"), True, 20),
    C("platform", "平台", "platform", ("platform", "渠道"), True, 8),
    C("reason", "售后原因", "reason", ("原因", "退款原因", "买家退款原因", "申请原因", "reason"), True, 14),
    # From the platforms' exports (aftersales import); rules do not read these, recalc only checks them.
    C("refund_id", "退款编号", "text", ("退款单号", "售后编号", "售后单号", "服务单号", "售后id", "refund id"), width=20),
    C("after_sales_type", "售后类型", "text", ("退款类型", "服务类型", "客户期望", "after-sales type", "after sales type"),
      width=10),
    C("refund_amount", "退款金额", "money", ("买家退款金额", "申请退款金额", "refund amount")),
    C("refund_status", "退款状态", "text", ("售后状态", "服务单状态", "refund status"), width=14),
    # The platform's own state of the case (addin.core.stage): its deadline for the current step, and the
    # goods and order status that tell whether the seller had shipped.
    C("platform_deadline", "超时时间", "datetime", ("平台超时时间", "超时截止时间", "platform deadline", "timeout"),
      width=17),
    C("goods_status", "货物状态", "text", ("goods status",), width=12),
    C("order_status", "订单状态", "text", ("order status",), width=10),
    C("tracking_no", "物流单号", "text", ("退货物流单号", "退货运单号", "tracking no", "tracking number"), width=18),
    C("shipped_at", "发货时间", "datetime", ("卖家发货时间", "shipped at"), width=17),
    C("shop_name", "店铺名", "text", ("店铺", "店铺名称", "shop", "shop name")),
    C("buyer", "买家", "text", ("买家昵称", "买家id", "旺旺", "买家会员名", "买家会员名称", "用户id", "客户账号", "buyer",
                              "nick", "buyer nick")),
    C("phone", "手机号", "text", ("手机", "电话", "联系电话", "phone", "mobile"), width=14),
    C("item_name", "商品名称", "text", ("商品", "宝贝", "宝贝标题", "商品标题", "item", "item name"), width=18),
    C("category", "类目", "text", ("商品类目", "category")),
    C("paid", "实付金额", "money", ("实付", "支付金额", "实际成交金额", "买家实际支付金额", "用户实付金额", "订单金额", "paid",
                                 "paid amount")),
    C("paid_at", "付款时间", "datetime", ("支付时间", "订单付款时间", "paid at"), width=17),
    C("ordered_at", "下单时间", "datetime", ("创建时间", "ordered at", "order time"), width=17),
    C("signed_at", "签收时间", "datetime", ("签收", "确认收货时间", "signed at"), width=17),
    C("special_category", "特殊类目", "bool", ("最低1元类目", "special category")),
    C("virtual_goods", "虚拟商品", "bool", ("virtual goods",)),
    C("shipped", "退款时已发货", "bool", ("已发货", "shipped")),
    C("refund_requested_at", "退款申请时间", "datetime", ("申请退款时间", "申请时间", "退款的申请时间", "售后申请时间",
                                                      "refund requested at"), width=17),
    C("return_shipped_at", "退货寄出时间", "datetime", ("退货单号填写时间", "买家退货时间", "return shipped at"), width=17),
    C("return_received_at", "退货签收时间", "datetime", ("收到退货时间", "return received at"), width=17),
    C("refund_done_at", "退款完成时间", "datetime", ("退款完结时间", "退款成功时间", "refund done at"), width=17),
    C("resolved_at", "解决时间", "datetime", ("处理完成时间", "resolved at"), width=17),
    C("complaint_at", "线下投诉时间", "datetime", ("投诉时间", "complaint at"), width=17),
    C("jd_dispute_at", "京东纠纷时间", "datetime", ("jd dispute at",), width=17),
    C("jd_evidence_at", "京东举证通知时间", "datetime", ("jd evidence at",), width=17),
    C("jd_closed_at", "京东纠纷关闭时间", "datetime", ("jd closed at",), width=17),
    C("court_notice_at", "起诉通知时间", "datetime", ("court notice at",), width=17),
    C("promise_at", "承诺发货日期", "datetime", ("承诺日期", "promise date"), width=14),
    C("promise_workdays", "承诺工作日", "int", ("promise workdays",)),
    C("review_at", "评价时间", "datetime", ("review at",), width=17),
    C("review_stars", "评价星级", "stars", ("星级", "评分", "stars")),
    C("trade_done_at", "交易成功时间", "datetime", ("trade done at",), width=17),
    C("promo_order", "大促订单", "bool", ("聚划算", "promo order")),
    C("promise_rate", "店铺承诺比例", "rate", ("承诺赔付比例", "promise rate")),
    C("promise_cap", "店铺承诺封顶", "money", ("承诺封顶", "promise cap")),
    C("price_drop", "降价金额", "money", ("差价", "price drop")),
    C("price_drop_at", "降价时间", "datetime", ("price drop at",), width=17),
    C("pp_days", "价保天数", "int", ("商品页价保天数", "price protection days")),
    C("gift_price", "赠品价格", "money", ("gift price",)),
    C("gift_has_sku", "赠品有SKU", "bool", ("gift has sku",)),
    C("proposed", "客服拟赔金额", "money", ("拟赔金额", "proposed amount")),
    C("action", "处理方式", "text", ("客服处理", "action")),
    C("override", "赔偿金额(手工)", "money", ("手工赔偿金额", "人工赔偿金额", "override amount", "manual amount")),
    # Staff's word on the case: 处理结果 (已结案, 已退款, 已关闭 …) sets its stage over the platform's status;
    # 店长审批 (已批 / 驳回) ends 需审批.
    C("outcome", "处理结果", "outcome", ("结案", "结案状态", "outcome"), width=10),
    C("manager_approval", "店长审批", "manager_approval", ("审批", "审批结果", "manager approval"), width=9),
    C("free_shipping", "包邮", "bool", ("是否包邮", "free shipping")),
    C("insurance", "运费险", "insurance", ("shipping insurance", "insurance")),
    C("confirmed", "已确认收货", "bool", ("确认收货", "confirmed")),
    C("dispute", "售后维权", "bool", ("维权", "dispute")),
    C("evidence", "有凭证", "bool", ("凭证", "evidence")),
    C("postage", "运费", "money", ("模板运费", "邮费", "postage")),
    C("buyer_paid_postage", "买家已付邮费", "bool", ("buyer paid postage",)),
    C("return_postage", "买家退货运费", "money", ("买家垫付运费", "return postage")),
    C("normal_return_postage", "正常退货运费", "money", ("normal return postage",)),
    C("address_mismatch", "退货地址不符", "bool", ("address mismatch",)),
    C("free_threshold", "包邮门槛", "money", ("满额包邮", "free shipping threshold")),
    C("order_total", "订单总额", "money", ("order total",)),
    C("returned_amount", "退货商品金额", "money", ("returned amount",)),
    C("agreed_no_freight", "协商退货未约定运费", "bool", ("agreed no freight",)),
    C("merchant_silent", "商家24小时未响应", "bool", ("merchant silent",)),
)

OUTPUTS: tuple[Column, ...] = (
    # One word per row (addin.core.status): 有错误 / 已完结 / 已关闭 / 已逾期 / 即将到期 / 需审批 / 正常, as of
    # the last recalc.
    C("status", "状态", "text", ("status", "row status"), width=9),
    C("comp_amount", "赔偿金额", "money", ("compensation", "comp amount"), width=10),
    C("comp_rule", "赔偿规则", "text", ("compensation rule",), width=11),
    C("approval", "需店长审批", "text", ("approval", "needs approval"), width=10),
    C("comp_note", "赔偿说明", "text", ("compensation note",), width=40),
    C("next_deadline", "下一截止", "datetime", ("next deadline",), width=17),
    C("next_deadline_item", "截止事项", "text", ("deadline item",), width=24),
    C("deadlines_all", "全部时限", "text", ("all deadlines",), width=50),
    C("out_payer", "去程运费承担", "text", ("outbound payer",), width=10),
    C("ret_payer", "退货运费承担", "text", ("return payer",), width=10),
    C("re_payer", "补发运费承担", "text", ("reship payer",), width=10),
    C("seller_pays_buyer", "卖家应退运费", "money", ("postage to refund",), width=10),
    C("refund", "应退货款", "money", ("goods refund",), width=10),
    C("freight_rule", "运费规则", "text", ("freight rule",), width=10),
    # The 售后原因 the rules used, as the drop-down names it (after 原因对照, the platforms' wordings and the
    # keyword families): what 汇总 and the summary count by.
    C("reason_used", "判定原因", "text", ("reason used",), width=10),
    C("warnings", "提示", "text", ("warnings",), width=40),
    C("errors", "错误", "text", ("errors", "error"), width=40),
    # Audit: the rule ids behind 全部时限, 提示 and 错误 (the texts themselves carry none).
    C("rule_ids", "规则编号", "text", ("rule ids", "依据规则"), width=30),
)
# Mail-merge inputs that are not rule inputs: read as typed and normalised by addin.messages.fields.
MESSAGE_INPUTS: tuple[Column, ...] = (
    C("sms_kind", "短信类型", "text", ("sms kind",), width=12),
    C("send_at", "计划发送时间", "datetime", ("send at", "planned send time"), width=17),
    C("customer_type", "客户类型", "text", ("customer type",)),
    C("review_text", "评价内容", "text", ("评价", "review text", "review"), width=30),
    C("has_photos", "有图", "bool", ("带图", "has photos")),
    C("sms_signature", "短信签名", "text", ("签名", "sms signature")),
    C("reminders_sent", "已催付次数", "int", ("reminders sent",)),
    C("ship_eta", "预计发货时间", "text", ("ship eta", "expected dispatch"), width=14),
    C("delay_reason", "延迟原因", "text", ("delay reason",)),
    C("return_address", "退货地址", "text", ("return address",), width=24),
    C("promo_text", "活动内容", "text", ("promo text", "promotion"), width=20),
    # A short form of 商品名称 for SMS whose variable cap it is over (addin.messages.vendor_templates.fill).
    C("item_short", "短标题", "text", ("商品短标题", "short title"), width=14),
)
# Written by the mail merge (`aftersales texts`), never by recalc.
MESSAGE_OUTPUTS: tuple[Column, ...] = (
    C("review_route", "回复类型", "text", ("reply route",), width=10),
    C("reply_text", "回复内容", "text", ("reply", "reply text"), width=40),
    C("reply_verdict", "回复校验", "text", ("reply check",), width=9),
    C("reply_reasons", "回复校验说明", "text", ("reply check notes",), width=40),
    C("sms_text", "短信内容", "text", ("sms", "sms text"), width=40),
    C("sms_chars", "短信字数", "int", ("sms length",), width=8),
    C("sms_parts", "短信条数", "int", ("sms parts", "segments"), width=8),
    C("sms_verdict", "短信校验", "text", ("sms check",), width=9),
    C("sms_reasons", "短信校验说明", "text", ("sms check notes",), width=40),
    C("planned_send_at", "建议发送时间", "datetime", ("planned send", "next send time"), width=17),
)
# Written by `aftersales receipts` only (the vendor's word on the last SMS of the row), never by recalc or texts.
RECEIPT_OUTPUTS: tuple[Column, ...] = (
    C("sms_status", "短信状态", "text", ("sms status", "回执状态"), width=24),
)
# A column per deadline kind is optional: staff who want e.g. 七天无理由退货截止 as its own column add it.
DEADLINE_OUTPUTS: tuple[Column, ...] = tuple(
    C(f"deadline:{k.id}", k.zh, "datetime", (k.id, k.en), width=17) for k in DEADLINE_KINDS.values())
del C





def _lookup() -> dict[str, Column]:
    table: dict[str, Column] = {}
    for col in INPUTS + OUTPUTS + DEADLINE_OUTPUTS + MESSAGE_INPUTS + MESSAGE_OUTPUTS + RECEIPT_OUTPUTS:
        for name in (col.header, col.key) + col.aliases:
            key = normalise_header(name)
            if key in table and table[key] is not col:
                raise AssertionError(f"header {name!r} is ambiguous")
            table[key] = col
    return table


LOOKUP = _lookup()


@dataclass
class HeaderMap:
    row: int                          # 1-based header row
    inputs: dict[str, int]            # Case field -> 1-based column
    outputs: dict[str, int]           # output key -> 1-based column (only those present)
    msg_inputs: dict[str, int]        # mail-merge input key -> column
    msg_outputs: dict[str, int]       # mail-merge output key -> column
    duplicates: list[tuple[int, int]]  # (first, second) columns naming the same column: an error
    width: int                        # columns in the header row
    receipt_outputs: dict[str, int] = field(default_factory=dict)   # written by receipts only (短信状态)

    def column_of(self, key: str) -> int | None:
        return self.inputs.get(key) or self.outputs.get(key)


_GROUP = {**{c.key: "outputs" for c in OUTPUTS + DEADLINE_OUTPUTS}, **{c.key: "msg_inputs" for c in MESSAGE_INPUTS},
          **{c.key: "msg_outputs" for c in MESSAGE_OUTPUTS}, **{c.key: "receipt_outputs" for c in RECEIPT_OUTPUTS}}


def map_headers(row_values: list, row: int) -> HeaderMap:
    groups: dict[str, dict[str, int]] = {"inputs": {}, "outputs": {}, "msg_inputs": {}, "msg_outputs": {},
                                         "receipt_outputs": {}}
    dups = []
    last = 0
    for i, value in enumerate(row_values, start=1):
        if value not in (None, ""):
            last = i
        col = LOOKUP.get(normalise_header(value))
        if col is None:
            continue
        target = groups[_GROUP.get(col.key, "inputs")]
        if col.key in target:
            dups.append((target[col.key], i))
            continue
        target[col.key] = i
    return HeaderMap(row, groups["inputs"], groups["outputs"], groups["msg_inputs"], groups["msg_outputs"], dups, last,
                     groups["receipt_outputs"])


def find_header_row(grid: list[list], scan: int = 15) -> HeaderMap | None:
    """The first row (of the first `scan`) naming at least two known input columns."""
    for r, values in enumerate(grid[:scan], start=1):
        hm = map_headers(values, r)
        if len(hm.inputs) >= 2:
            return hm
    return None


