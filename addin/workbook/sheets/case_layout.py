"""The 案件 sheet of a new workbook as staff see it: column order, topic groups, widths, input help.

Only new workbooks (`new-workbook`, `demo`) are laid out from here. recalc, the buttons and the
importer find every column by its header text, so a workbook with any other order (an older one
included) keeps working; `new-workbook NEW --from OLD` moves an old workbook's cases into this layout.

Left to right: the identity columns (frozen), a hidden column whose cells the xlwings Lite buttons
link to, the status block, the short results, the inputs by topic (Excel outline groups; the rarely
used ones start folded), and the long explanations at the far right.
"""
from __future__ import annotations

from dataclasses import dataclass

from addin.workbook.sheets.case_columns import (INPUTS, MESSAGE_INPUTS, MESSAGE_OUTPUTS, OUTPUTS, RECEIPT_OUTPUTS,
                                                Column)


@dataclass(frozen=True)
class Group:
    id: str
    zh: str                      # shown in the input prompts' titles and on the 使用说明 sheet
    keys: tuple[str, ...]        # schema keys, left to right
    outline: bool = True         # an Excel outline group (its first column stays visible when folded)
    collapsed: bool = False      # rarely used: starts folded


GROUPS: tuple[Group, ...] = (
    Group("identity", "案件", ("order_id", "platform", "reason", "buyer"), outline=False),
    Group("status", "状态", ("status", "next_deadline", "next_deadline_item", "comp_amount", "approval", "errors"),
          outline=False),
    Group("results", "结果明细", ("comp_rule", "reason_used", "refund", "ret_payer", "seller_pays_buyer", "out_payer",
                              "re_payer", "freight_rule")),
    Group("order", "订单", ("shop_name", "item_name", "paid", "paid_at", "ordered_at", "signed_at", "phone", "refund_id",
                          "after_sales_type", "refund_amount", "refund_status", "platform_deadline", "goods_status",
                          "order_status", "shipped_at", "tracking_no", "category",
                          "special_category", "virtual_goods")),
    Group("handling", "处理与赔偿", ("action", "proposed", "override", "manager_approval", "outcome")),
    Group("timing", "退款与退货时间", ("shipped", "refund_requested_at", "return_shipped_at", "return_received_at",
                                "refund_done_at", "trade_done_at", "promo_order")),
    Group("freight", "运费", ("free_shipping", "insurance", "confirmed", "dispute", "evidence", "postage",
                            "buyer_paid_postage", "return_postage", "normal_return_postage", "address_mismatch",
                            "free_threshold", "order_total", "returned_amount", "agreed_no_freight", "merchant_silent")),
    Group("disputes", "投诉与京东纠纷", ("jd_dispute_at", "jd_evidence_at", "jd_closed_at", "complaint_at", "resolved_at",
                                 "court_notice_at"), collapsed=True),
    Group("price", "价保与赠品", ("price_drop", "price_drop_at", "pp_days", "gift_price", "gift_has_sku"), collapsed=True),
    Group("promise", "店铺发货承诺", ("promise_at", "promise_workdays", "promise_rate", "promise_cap"), collapsed=True),
    Group("sms", "短信", ("sms_kind", "send_at", "customer_type", "sms_signature", "reminders_sent", "ship_eta",
                        "delay_reason", "return_address", "promo_text", "item_short", "sms_verdict", "sms_status",
                        "sms_chars", "sms_parts", "planned_send_at")),
    Group("review", "评价", ("review_at", "review_stars", "review_text", "has_photos", "review_route", "reply_verdict")),
    Group("notes", "说明", ("comp_note", "deadlines_all", "warnings", "reply_text", "reply_reasons", "sms_text",
                          "sms_reasons", "rule_ids"), outline=False),     # 规则编号 last: the audit column
)
FROZEN_GROUPS = ("identity",)    # these columns (and the Lite link column after them) never scroll away
LINK_COLUMN_AFTER = "buyer"      # the hidden column for the xlwings Lite buttons comes right after this one

# Widths (characters) where the layout wants other than the schema's default: a narrow status block, so
# that 错误 is within the first screen, and long explanations wide enough to read a line without wrap.
WIDTHS = {
    "order_id": 23, "platform": 7, "reason": 13, "buyer": 12,
    "status": 8, "next_deadline": 16, "next_deadline_item": 20, "comp_amount": 10, "approval": 10, "errors": 36,
    "comp_note": 44, "deadlines_all": 60, "warnings": 50, "reply_text": 50, "reply_reasons": 40, "sms_text": 60,
    "sms_reasons": 40, "review_text": 24, "return_address": 24,
}

# The 状态 words (part of the engine's status column) and their colours: (word, fill, font, meaning).
STATUS_STYLES = (
    ("已逾期", "FFC7CE", "9C0006", "下一截止已过: 红色"),
    ("即将到期", "FFEB9C", "9C5700", "24 小时内到期: 黄色"),
    ("需审批", "E4DFEC", "60497A", "需店长审批: 紫色"),
    ("有错误", "C00000", "FFFFFF", "这一行有错误: 深红底白字, 整行字变红"),
    ("正常", "C6EFCE", "006100", "无需处理: 绿色"),
    ("已完结", "EDEDED", "595959", "平台已退款或已结案, 无需处理: 灰色"),
    ("已关闭", "D9D9D9", "404040", "售后已关闭, 无需处理: 深灰"),
)
OVERDUE, DUE_SOON, APPROVAL = STATUS_STYLES[0], STATUS_STYLES[1], STATUS_STYLES[2]

_ALL = {c.key: c for c in INPUTS + MESSAGE_INPUTS + OUTPUTS + MESSAGE_OUTPUTS + RECEIPT_OUTPUTS}


def _placed() -> list[tuple[Group, Column]]:
    """Every schema column once, in layout order; a column no group names goes into a last 其他 group."""
    out, seen = [], set()
    for group in GROUPS:
        for key in group.keys:
            if key in _ALL and key not in seen:
                out.append((group, _ALL[key]))
                seen.add(key)
    rest = tuple(k for k in _ALL if k not in seen)
    if rest:
        other = Group("other", "其他", rest)
        out += [(other, _ALL[k]) for k in rest]
    return out


PLACED: list[tuple[Group, Column]] = _placed()


def case_columns() -> list[Column]:
    """The schema columns of a new 案件 sheet, left to right (the hidden link column is not a schema column)."""
    return [col for _, col in PLACED]


def column_width(col: Column) -> int:
    return WIDTHS.get(col.key, col.width)


def is_computed(col: Column) -> bool:
    return col in OUTPUTS or col in MESSAGE_OUTPUTS or col in RECEIPT_OUTPUTS


def header_text(col: Column) -> str:
    """The header a new workbook shows: required inputs end in '*' (the header finder ignores it)."""
    return f"{col.header}*" if col.required else col.header


# --- input help: the data-validation prompt Excel shows when a cell of the column is selected --------
# key -> (what it is / what to type, an example). Excel allows 32 characters of title and 255 of text.

KIND_HINT = {
    "money": "填数字(元), 可带 ¥ 或 元",
    "datetime": "填日期时间; 只填日期也可",
    "bool": "选 是 或 否; 空白=否",
    "int": "填整数",
    "rate": "填比例, 如 30% 或 0.3",
}

HELP: dict[str, tuple[str, str]] = {
    "order_id": ("平台订单号, 按文本填写(不会变成科学计数)", "3000202610231732"),
    "platform": ("从下拉选: 淘宝 / 天猫 / 京东 / 拼多多", "天猫"),
    "reason": ("从下拉选, 也可填平台原话(在「原因对照」表对应)", "延迟发货"),
    "buyer": ("买家昵称或ID; 天猫同一买家24小时内的赔付共用上限", "tb_小王"),
    "refund_id": ("退款编号/服务单号/售后编号, 导入时自动填", "202610230001"),
    "after_sales_type": ("仅退款 / 退货退款 / 换货 / 维修 / 补寄", "退货退款"),
    "refund_amount": ("买家申请的退款金额", "89.00"),
    "refund_status": ("平台上的退款状态, 照抄即可; 退款成功/退款关闭的案件不再提醒", "退款成功"),
    "platform_deadline": ("平台导出的超时时间: 到时平台自动退款或关闭", "2026-10-12 09:12"),
    "goods_status": ("平台导出的货物状态, 照抄即可", "买家已收到货"),
    "order_status": ("平台导出的订单状态, 照抄即可", "已发货"),
    "tracking_no": ("退货物流单号", "SF1234567890"),
    "shipped_at": ("卖家发货时间", "2026-10-09 15:00"),
    "shop_name": ("店铺名; 短信和汇总按它区分店铺", "小美家居旗舰店"),
    "phone": ("买家手机号, 发短信用", "13800138000"),
    "item_name": ("商品名称", "纯棉四件套"),
    "category": ("商品类目; 定制/生鲜等类目不支持七天无理由", "家居"),
    "paid": ("买家实付金额, 不含运费", "89.00"),
    "paid_at": ("付款时间; 延迟发货赔付从这里起算", "2026-10-08 09:12"),
    "ordered_at": ("下单时间", "2026-10-08 09:10"),
    "signed_at": ("买家签收时间; 七天无理由从签收次日算", "2026-10-12 18:00"),
    "special_category": ("淘宝最低赔1元的特殊类目选 是", "否"),
    "virtual_goods": ("虚拟商品选 是", "否"),
    "shipped": ("买家申请退款时是否已发货; 决定自动退款时限", "是"),
    "refund_requested_at": ("买家申请退款的时间", "2026-10-10 21:00"),
    "return_shipped_at": ("买家填写退货单号的时间", "2026-10-11 10:00"),
    "return_received_at": ("卖家收到退货的时间", "2026-10-13 14:00"),
    "refund_done_at": ("退款完成时间; 运费险理赔时限从这里起算", "2026-10-14 10:00"),
    "resolved_at": ("线下投诉处理完成的时间", "2026-10-01 16:00"),
    "complaint_at": ("收到线下投诉的时间", "2026-10-01 09:20"),
    "jd_dispute_at": ("京东纠纷单生成时间", "2026-10-01 09:00"),
    "jd_evidence_at": ("京东通知举证的时间; 举证按 9:00-18:00 计时", "2026-10-01 14:01"),
    "jd_closed_at": ("京东纠纷关闭时间", "2026-10-05"),
    "court_notice_at": ("收到起诉通知的时间", "2026-09-28"),
    "promise_at": ("店铺作出发货承诺的日期", "2026-10-08"),
    "promise_workdays": ("承诺几个工作日内发货", "3"),
    "review_at": ("评价时间", "2026-11-20"),
    "review_stars": ("评价星级, 可填 4、4星、★★★★☆ 或 好评/中评/差评", "3"),
    "trade_done_at": ("交易成功时间", "2026-10-20 10:00"),
    "promo_order": ("聚划算/双11/双12 等大促订单选 是", "否"),
    "promise_rate": ("店铺自己承诺的延迟发货赔付比例", "30%"),
    "promise_cap": ("店铺承诺赔付的封顶金额", "500"),
    "price_drop": ("降价差额(元)", "400"),
    "price_drop_at": ("商品降价的时间", "2026-10-29 09:00"),
    "pp_days": ("商品页写的价保天数", "30"),
    "gift_price": ("漏发赠品的价格", "199"),
    "gift_has_sku": ("赠品是否有独立SKU", "是"),
    "proposed": ("客服打算给的安抚金额; 超过上限需店长审批", "20"),
    "action": ("客服的处理, 如 挽留-拒绝", "挽留-拒绝"),
    "override": ("手工确定的赔偿金额, 填了就以它为准(仍检查审批)", "30.00"),
    "manager_approval": ("店长审批结果: 已批 / 驳回; 填了就不再显示需审批", "已批"),
    "outcome": ("结案后填 已结案 / 已关闭 / 已拒绝; 优先于平台的退款状态", "已结案"),
    "free_shipping": ("商品是否包邮", "是"),
    "insurance": ("无 / 买家购买 / 卖家赠送", "卖家赠送"),
    "confirmed": ("买家是否已确认收货(之后运费险不赔)", "否"),
    "dispute": ("是否已发起售后维权(之后运费险不赔)", "否"),
    "evidence": ("买家是否有凭证(照片/检测报告)", "是"),
    "postage": ("发货运费(模板运费或实付运费)", "8"),
    "buyer_paid_postage": ("买家下单时是否付了运费", "否"),
    "return_postage": ("买家寄回实付的运费", "12.00"),
    "normal_return_postage": ("寄回发货地的正常运费", "12.00"),
    "address_mismatch": ("买家寄回地址与发货地不符选 是", "否"),
    "free_threshold": ("满多少元包邮", "99"),
    "order_total": ("整单金额", "110"),
    "returned_amount": ("退回商品的金额", "50"),
    "agreed_no_freight": ("协商退货但没约定运费选 是", "否"),
    "merchant_silent": ("京东商家24小时未响应选 是", "否"),
    "sms_kind": ("从下拉选要发的短信", "发货延迟通知"),
    "item_short": ("商品名称太长时短信里用的短名称 (空白: 自动按词截短)", "实木餐桌 1.2米"),
    "send_at": ("计划发送时间; 空白=马上", "2026-11-23 12:10"),
    "customer_type": ("上班族 / 学生 / 其他; 决定催付的时段", "上班族"),
    "review_text": ("买家评价原文", "物流快, 包装好"),
    "has_photos": ("评价带图选 是", "否"),
    "sms_signature": ("短信签名, 不带【】", "小美家居"),
    "reminders_sent": ("已经发过几次催付", "0"),
    "ship_eta": ("预计发货时间, 照短信里要写的样子", "11月25日"),
    "delay_reason": ("延迟发货的原因", "仓库爆单"),
    "return_address": ("退货地址(短信用)", "浙江省杭州市余杭区文一西路1号"),
    "promo_text": ("活动内容(短信用)", "满199减20"),
}


def input_prompt(group: Group, col: Column) -> tuple[str, str]:
    """(title, text) of the column's input prompt: what to type and an example, within Excel's limits."""
    what, example = HELP.get(col.key, (col.header, ""))
    lines = [("必填. " if col.required else "") + what]
    hint = KIND_HINT.get(col.kind)
    if hint:
        lines.append(hint)
    if example:
        lines.append(f"例: {example}")
    title = f"{group.zh}·{col.header}"
    return title[:32], "\n".join(lines)[:255]
