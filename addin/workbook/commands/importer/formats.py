"""The platforms' after-sales exports, as data: one header-mapping table per export, each row with an id.

A row says which 案件 column (a key of addin.workbook.sheets.case_columns.INPUTS) takes which export column; the
first of its headers that the file has wins. Several rows may fill one 案件 column (拼多多's 退款成功时间, then
售后完成时间, then 同意退款时间): on each line the first row with a value wins. ``source`` names where the header was confirmed (the keys
of :data:`SOURCES`, listed in the README); ``""`` marks our assumption. Headers are compared after
:func:`~addin.workbook.sheets.case_columns.normalise_header`, so 退款金额（元） is 退款金额(元) is 退款金额.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldMap:
    id: str
    key: str                                   # 案件 column key
    headers: tuple[str, ...]                   # the export's names for it, first present wins
    source: str = ""                           # a key of SOURCES, "" = our assumption
    values: tuple[tuple[str, str], ...] = ()   # cell text -> what goes into the 案件 cell


@dataclass(frozen=True)
class ExportFormat:
    id: str
    zh: str
    en: str
    platforms: tuple[str, ...]                 # the first is the default when the file does not say
    marks: tuple[str, ...]                     # headers only this export has: one of them + the order id identify it
    fields: tuple[FieldMap, ...]

    @property
    def order_id(self) -> FieldMap:
        return next(f for f in self.fields if f.key == "order_id")


SOURCES = {
    "TB1": "investargetIT/peidi-backend djangoapi/finance/models.py (天猫 退款 export loaded into Django; verbose_name "
           "= the export's header)",
    "TB2": "public Laravel migration of a 淘宝 退款 export (tb_refunds: 买家会员名称 ... 退款原因标签) and a 42-column "
           "list of the 淘宝 退款 export in a public Chrome extension (find_string ids 12444148807, 42548244805)",
    "JD1": "zeasin/qihangerp-oms module/open/.../jd/domain/JdRefund.java: JD's after-sales API fields with their "
           "Chinese names (服务单号, 客户期望, 服务单状态, 问题描述 ...); the export's header text itself is assumed equal",
    "PD1": "public 拼多多 shop dashboard that imports the 售后 export by its headers 售后编号 + 订单编号, reading 申请时间, "
           "售后状态, 退款金额(元) (find_string id 70475105057)",
    "PD2": "拼多多 open API after-sales fields (niltor/open-pdd-net-sdk GetRefundInformationResponseModel.cs, "
           "zeasin/qihangerp-oms PddRefund.java): 售后类型 仅退款/退货退款/换货/补寄/维修, 售后原因",
    "PD3": "public scripts reading the 拼多多 order export: 用户实付金额(元), 商家实收金额(元), 发货时间, 确认收货时间",
    "PD4": "the same dashboard (PD1): the 售后 export's .xlsx has its rows on the sheet 售后信息; 订单状态 reads 未发货 "
           "on refunds before shipping; it dates the refund by 同意退款时间, 退款成功时间 or 售后完成时间",
    "DY1": "public script merging the 抖店 order, after-sales and settlement exports (find_string id 47165227665): the "
           "after-sales export's 订单号, 商品单号, 售后单号, 售后类型, 售后申请时间, 售后原因, 售后状态, 退货物流单号, 退货发货时间, "
           "同意售后申请时间, 商家退款时间, 售后关闭时间, 售后完结时间",
}

F = FieldMap
QIANNIU = ExportFormat(
    "QN", "千牛退款报表", "Qianniu refund report", ("TB", "TM"),
    marks=("退款编号", "买家退款金额", "退款的申请时间", "买家退款原因"),
    fields=(
        F("QN-01", "order_id", ("订单编号",), "TB1"),
        F("QN-02", "refund_id", ("退款编号",), "TB1"),
        F("QN-03", "buyer", ("买家会员名称", "买家会员名", "买家昵称"), "TB2"),
        F("QN-04", "paid", ("买家实际支付金额",), "TB1"),
        F("QN-05", "refund_amount", ("买家退款金额",), "TB1"),
        F("QN-06", "refund_requested_at", ("退款的申请时间",), "TB1"),
        F("QN-07", "refund_status", ("退款状态",), "TB1"),
        F("QN-08", "reason", ("买家退款原因",), "TB1"),
        F("QN-09", "after_sales_type", ("是否需要退货",), "TB1", (("是", "退货退款"), ("否", "仅退款"))),
        F("QN-10", "item_name", ("宝贝标题",), "TB1"),
        F("QN-11", "tracking_no", ("退货物流单号",), "TB2"),
        F("QN-12", "paid_at", ("订单付款时间",), "TB1"),
        F("QN-13", "refund_done_at", ("退款完结时间",), "TB1"),
        F("QN-14", "return_shipped_at", ("买家退货时间",), "TB2"),
        F("QN-15", "platform_deadline", ("超时时间",), "TB1"),
        F("QN-16", "goods_status", ("货物状态",), "TB1"),
    ))
JINGMAI = ExportFormat(
    "JM", "京麦服务单", "JD service orders", ("JD",),
    marks=("服务单号", "服务单状态", "客户期望"),
    fields=(
        F("JM-01", "order_id", ("订单号", "订单编号"), "JD1"),
        F("JM-02", "refund_id", ("服务单号",), "JD1"),
        F("JM-03", "buyer", ("客户账号",), "JD1"),
        F("JM-04", "paid", ("实付金额",), "JD1"),
        F("JM-05", "refund_amount", ("退款金额", "申请退款金额")),
        F("JM-06", "refund_requested_at", ("申请时间",), "JD1"),
        F("JM-07", "refund_status", ("服务单状态",), "JD1"),
        F("JM-08", "reason", ("退款原因", "申请原因", "问题描述"), "JD1"),   # 问题描述 is the buyer's own words
        F("JM-09", "after_sales_type", ("客户期望", "服务类型"), "JD1"),
        F("JM-10", "item_name", ("商品名称",), "JD1"),
        F("JM-11", "shop_name", ("店铺名称",)),
        F("JM-12", "tracking_no", ("运单号", "快递单号", "退货运单号")),
        F("JM-13", "platform_deadline", ("超时时间", "处理截止时间")),
    ))
PINDUODUO = ExportFormat(
    "PDD", "拼多多售后单", "Pinduoduo after-sales orders", ("PDD",),
    marks=("售后编号", "售后单号"),
    fields=(
        F("PDD-01", "order_id", ("订单编号", "订单号"), "PD1"),
        F("PDD-02", "refund_id", ("售后编号", "售后单号"), "PD1"),
        F("PDD-03", "buyer", ("用户ID", "买家昵称")),
        F("PDD-04", "paid", ("用户实付金额", "订单金额"), "PD3"),
        F("PDD-05", "refund_amount", ("退款金额", "申请退款金额"), "PD1"),
        F("PDD-06", "refund_requested_at", ("申请时间", "售后申请时间"), "PD1"),
        F("PDD-07", "refund_status", ("售后状态",), "PD1"),
        F("PDD-08", "reason", ("售后原因", "退款原因"), "PD2"),
        F("PDD-09", "after_sales_type", ("售后类型",), "PD2"),
        F("PDD-10", "item_name", ("商品名称", "商品"), "PD3"),
        F("PDD-11", "shop_name", ("店铺名称",)),
        F("PDD-12", "tracking_no", ("退货运单号", "退货物流单号")),
        F("PDD-13", "shipped_at", ("发货时间",), "PD3"),
        F("PDD-14", "signed_at", ("签收时间", "确认收货时间"), "PD3"),
        F("PDD-15", "order_status", ("订单状态",), "PD4"),
        F("PDD-16", "refund_done_at", ("退款成功时间",), "PD4"),
        F("PDD-17", "refund_done_at", ("售后完成时间",), "PD4"),
        F("PDD-18", "refund_done_at", ("同意退款时间",), "PD4"),     # the seller agreed: the money is on its way
        F("PDD-19", "platform_deadline", ("超时时间", "处理截止时间")),
    ))
DOUDIAN = ExportFormat(
    "DY", "抖店售后单", "Douyin after-sales orders", ("DY",),
    marks=("商品单号", "售后申请时间", "同意售后申请时间", "售后完结时间"),
    fields=(
        F("DY-01", "order_id", ("订单号", "主订单编号"), "DY1"),
        F("DY-02", "refund_id", ("售后单号",), "DY1"),
        F("DY-03", "after_sales_type", ("售后类型",), "DY1"),
        F("DY-04", "refund_requested_at", ("售后申请时间",), "DY1"),
        F("DY-05", "reason", ("售后原因",), "DY1"),
        F("DY-06", "refund_status", ("售后状态",), "DY1"),
        F("DY-07", "tracking_no", ("退货物流单号",), "DY1"),
        F("DY-08", "return_shipped_at", ("退货发货时间",), "DY1"),
        F("DY-09", "refund_done_at", ("商家退款时间",), "DY1"),
        F("DY-10", "refund_done_at", ("售后完结时间",), "DY1"),
        F("DY-11", "item_name", ("商品名称", "选购商品")),
        F("DY-12", "refund_amount", ("退款金额", "申请退款金额", "售后金额")),
        F("DY-13", "paid", ("订单实付金额", "实付金额", "用户实付")),
        F("DY-14", "buyer", ("买家昵称", "用户昵称")),
        F("DY-15", "shop_name", ("店铺名称",)),
        F("DY-16", "platform_deadline", ("超时时间", "处理截止时间")),
    ))
del F

EXPORT_FORMATS: tuple[ExportFormat, ...] = (QIANNIU, JINGMAI, PINDUODUO, DOUDIAN)
