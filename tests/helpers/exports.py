"""The platforms' after-sales exports in their own shapes, as staff download them: 千牛 (淘宝/天猫), 京麦 (京东)
and the 拼多多 merchant backend; a title line above the header, ="..." wrapped ids, numbers as text, a totals
line under the data; written as CSV (UTF-8 with BOM, GBK), UTF-16 text, .xlsx or a real .xls (xlwt)."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import xlwt

QN_HEAD = ["订单编号", "退款编号", "支付宝交易号", "订单付款时间", "商品编码", "退款完结时间", "买家会员名称", "买家实际支付金额",
           "宝贝标题", "买家退款金额", "手工退款/系统退款", "是否需要退货", "退款的申请时间", "超时时间", "退款状态", "货物状态",
           "退货物流信息", "发货物流信息", "客服介入状态", "卖家真实姓名", "卖家退货地址", "退货物流单号", "退货物流公司",
           "买家退款原因", "买家退款说明", "买家退货时间", "责任方", "售中或售后", "商家备注"]
JM_HEAD = ["服务单号", "申请单号", "订单号", "商品编号", "商品名称", "客户期望", "服务单状态", "申请时间", "客户账号", "客户姓名",
           "实付金额", "退款金额", "退款原因", "问题描述", "店铺名称"]
PDD_HEAD = ["售后编号", "订单编号", "商品名称", "商品规格", "售后类型", "售后原因", "售后状态", "订单状态", "退款金额(元)",
            "用户实付金额(元)", "申请时间", "发货时间", "退货运单号", "店铺名称"]


def qn_line(order, refund, reason, *, paid="89.00", refund_amount="89.00", returned="是", status="退款成功",
            buyer="tb_小王", applied="2026-10-10 10:00:00", tracking="SF1234567890123"):
    line = dict.fromkeys(QN_HEAD, "")
    line.update({"订单编号": f'="{order}"', "退款编号": f'="{refund}"', "订单付款时间": "2026-10-08 09:12:00",
                 "买家会员名称": buyer, "买家实际支付金额": paid, "宝贝标题": "加厚保暖袜 5双装", "买家退款金额": refund_amount,
                 "是否需要退货": returned, "退款的申请时间": applied, "退款状态": status, "退货物流单号": tracking,
                 "买家退款原因": reason, "售中或售后": "售后"})
    return [line[h] for h in QN_HEAD]


def jm_line(service, order, reason, expect="退货", status="待审核", paid="199.00"):
    line = dict.fromkeys(JM_HEAD, "")
    line.update({"服务单号": service, "订单号": order, "商品名称": "电热水壶", "客户期望": expect, "服务单状态": status,
                 "申请时间": "2026/10/10 10:00", "客户账号": "jd_buyer1", "实付金额": paid, "退款金额": paid,
                 "退款原因": reason, "问题描述": "买家的话", "店铺名称": "小美京东自营旗舰店"})
    return [line[h] for h in JM_HEAD]


def pdd_line(after_id, order, reason, kind="退货退款", status="待商家处理", amount="39.90", shipped="2026-10-09 08:00:00"):
    line = dict.fromkeys(PDD_HEAD, "")
    line.update({"售后编号": after_id, "订单编号": order, "商品名称": "收纳盒", "售后类型": kind, "售后原因": reason,
                 "售后状态": status, "订单状态": "已发货", "退款金额(元)": amount, "用户实付金额(元)": amount,
                 "申请时间": "2026-10-10 10:00:00", "发货时间": shipped, "退货运单号": "YT0001", "店铺名称": "小美家居"})
    return [line[h] for h in PDD_HEAD]


QN_LINES = [qn_line("3000212345678901234", "187654321098765432", "七天无理由退换货"),
            qn_line("3000212345678901235", "187654321098765433", "少件/漏发", refund_amount="30.00", returned="否",
                    status="等待卖家同意"),
            qn_line("3000212345678901236", "187654321098765434", "包装/商品破损/污渍", paid="129.00", refund_amount="129")]
JM_LINES = [jm_line("1530000011", "290000000001", "质量问题"), jm_line("1530000012", "290000000002", "七天无理由退货", "换货")]
PDD_LINES = [pdd_line("PA2610100001", "261010-123456789012345", "未按约定时间发货", "仅退款"),
             pdd_line("PA2610100002", "261010-123456789012346", "做工粗糙/有瑕疵"),
             pdd_line("PA2610100003", "261010-123456789012347", "七天无理由退换货", "换货")]
SHAPES = {"QN": (QN_HEAD, QN_LINES), "JM": (JM_HEAD, JM_LINES), "PDD": (PDD_HEAD, PDD_LINES)}


def export_rows(shape: str, lines=None) -> list[list]:
    head, default = SHAPES[shape]
    lines = default if lines is None else lines
    return [["售后导出 2026-10-12 10:00"], head, *lines, ["合计", *[""] * (len(head) - 1)]]


def write_export(path: Path, rows: list[list]) -> Path:
    kind = path.name.split(".", 1)[1]
    if kind in ("utf8bom.csv", "gbk.csv", "csv"):
        encoding = {"utf8bom.csv": "utf-8-sig", "gbk.csv": "gbk", "csv": "utf-8"}[kind]
        with open(path, "w", encoding=encoding, newline="") as fh:
            csv.writer(fh).writerows(rows)
    elif kind == "utf16.txt":             # Excel's "Unicode text": UTF-16 with BOM, tab-separated
        path.write_bytes("\r\n".join("\t".join(r) for r in rows).encode("utf-16"))
    elif kind == "xlsx":
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append([c.removeprefix('="').removesuffix('"') if isinstance(c, str) else c for c in r])
        wb.save(path)
    elif kind == "xls":
        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("Sheet1")
        for i, r in enumerate(rows):
            for j, c in enumerate(r):
                ws.write(i, j, c.removeprefix('="').removesuffix('"'))
        wb.save(str(path))
    return path
