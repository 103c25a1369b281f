"""A block of case rows as Excel hands it to the worksheet functions: as COM (classic xlwings) gives it,
floats, datetimes and None, and as Office.js (xlwings Lite) gives it, ints for whole numbers, serial
numbers for dates and 0 for empty cells."""
from __future__ import annotations

import datetime as dt

from addin.excel.cell_values import excel_serial

T = dt.datetime
HEADERS = ["订单号", "平台", "售后原因", "实付金额", "付款时间", "买家", "签收时间", "包邮", "运费险", "客服拟赔金额",
           "赔偿金额(手工)", "买家退货运费", "有凭证"]
ROWS = [   # as COM hands them over
    ["TB1", "淘宝", "延迟发货", 89.0, T(2026, 10, 8, 9, 12), None, None, None, None, None, None, None, None],
    ["TM1", "天猫", "延迟发货", 1200.0, T(2026, 10, 1, 10), "tb_小王", None, None, None, None, None, None, None],
    ["TM2", "天猫", "延迟发货", 900.0, T(2026, 10, 1, 20), "tb_小王", None, None, None, None, None, None, None],
    ["TM3", "天猫", "延迟发货", 387.45, T(2026, 10, 5, 8), None, None, None, None, None, None, None, None],
    ["R1", "淘宝", "七天无理由退货", None, None, None, T(2026, 9, 29, 15, 20), "是", "买家购买", None, None, None, None],
    ["Q1", "淘宝", "质量问题", 59.9, None, None, None, None, None, None, None, 12.0, "是"],
    ["G1", "淘宝", "协商补偿", None, None, None, None, None, None, 35.0, None, None, None],
    ["J1", "京东", "不当发布", 2500.0, None, None, None, None, None, None, 300.0, None, None],
    [None] * 13,
    ["X1", "淘宝", "没有这个原因", 10.0, None, None, None, None, None, None, None, None, None],
]


def office_js(value):
    """How Office.js would hand the same cell to xlwings Lite."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        serial = excel_serial(value)
        return int(serial) if serial.is_integer() else serial
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


OFFICE_ROWS = [[office_js(v) for v in row] for row in ROWS]
