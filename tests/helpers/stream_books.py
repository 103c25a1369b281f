"""Case sheets written by XlsxWriter in the full layout, the way another program saves them (shared strings,
dates with a date format, formulas whose cached values are empty, a 合计 row), for the streamed recalc, texts
and run tests, and the message rows whose batch checks look across the sheet."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from addin.demo import bulk_rows
from addin.workbook.sheets.case_layout import case_columns

SMS = dict(platform="天猫", shop_name="小美家居", reason="延迟发货", item_name="台灯", ship_eta="11月25日")


def write_value(ws, r: int, c: int, value, date) -> None:
    """One case cell: a datetime with the `date` format, a text never as a formula (write_string), None not at all."""
    if isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, date)
    elif isinstance(value, str):
        ws.write_string(r, c, value)
    elif value is not None:
        ws.write(r, c, value)


def case_sheet(wb, keys: list[str], rows: list[dict], stale: dict[int, dict] = {}):
    """A 案件 sheet in `wb`: the template's headers of `keys` in row 1, then `rows` from row 2 (`stale`: sheet
    row -> text cells already there), each cell by write_value; a key not among `keys` is left out."""
    headers = {c.key: c.header for c in case_columns()}
    ws = wb.add_worksheet("案件")
    date = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for c, key in enumerate(keys):
        ws.write_string(0, c, headers[key])
    for r, row in enumerate(rows, start=1):
        for key, value in {**row, **stale.get(r + 1, {})}.items():
            if key in keys:
                write_value(ws, r, keys.index(key), value, date)
    return ws


def full_layout_book(path: Path, rows: list[dict], *, status: dict[int, str] = {}) -> Path:
    """The full layout written by XlsxWriter: shared strings, dates with a date format, a helper formula
    column at the right whose cached values are empty, a formula typed into 提示, and a 合计 row."""
    columns = case_columns()
    keys = [c.key for c in columns]
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("案件")
    date = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for c, col in enumerate(columns):
        ws.write_string(0, c, col.header)
    helper = len(columns)
    ws.write_string(0, helper, "我的备注")
    for r, row in enumerate(rows, start=1):
        for key, value in row.items():
            c = keys.index(key)
            write_value(ws, r, c, value, date)
        ws.write_formula(r, helper, f'=A{r + 1}&"-"&B{r + 1}')
    for r, word in status.items():
        ws.write_string(r - 1, keys.index("status"), word)
    ws.write_formula(3, keys.index("warnings"), '="看这里"')
    last = len(rows) + 1
    ws.write_string(last, 0, "合计")
    ws.write_formula(last, keys.index("comp_amount"), f"=SUM(H2:H{last})")
    wb.close()
    return path


def message_book(path: Path, rows: list[dict], *, keys: list[str] | None = None, status: dict[int, str] = {},
                    stale: dict[int, dict] = {}, reasons: list[tuple] = ()) -> Path:
    """Shared strings, dates with a date format, a formula in a text column and in 错误, a 合计 row;
    `keys`: the columns written (all of the template's by default); `stale`: row -> text cells already there;
    `reasons`: lines of a 原因对照 sheet (平台, 原因文字, 售后类型, 对应原因)."""
    keys = keys or [c.key for c in case_columns()]
    wb = xlsxwriter.Workbook(str(path))
    ws = case_sheet(wb, keys, rows, stale)
    for r, word in status.items():
        ws.write_string(r - 1, keys.index("status"), word)
    if "sms_reasons" in keys:
        ws.write_formula(3, keys.index("sms_reasons"), '="公式"')
    if "errors" in keys:
        ws.write_formula(4, keys.index("errors"), '="公式错误"')
    last = len(rows) + 1
    ws.write_string(last, 0, "合计")
    if "comp_amount" in keys:
        ws.write_formula(last, keys.index("comp_amount"), f"=SUM(H2:H{last})")
    if reasons:
        sheet = wb.add_worksheet("原因对照")
        for r, line in enumerate([("平台", "原因文字", "售后类型", "对应原因"), *reasons]):
            for c, value in enumerate(line):
                sheet.write_string(r, c, value)
    wb.close()
    return path


def message_rows() -> list[dict]:
    """Rows whose batch checks look across the sheet: one buyer's SMS twice far apart, 催付 to one order
    four times, one number over the daily cap, COMP-TM shared by a buyer's payments, a review."""
    paid_at = dt.datetime(2026, 11, 20, 10, 0)
    rows = bulk_rows(60)
    rows += [dict(SMS, order_id="D1", paid=100, buyer="tm_甲", phone="13800138001", sms_kind="发货延迟通知")]
    rows += bulk_rows(40)
    rows += [dict(SMS, order_id="D2", paid=120, buyer="tm_甲", phone="13800138001", sms_kind="发货延迟通知")]
    for i in range(4):
        rows += [dict(SMS, order_id="P7", reason="未付款", paid=50, buyer="tm_乙", phone="13900139007",
                      sms_kind="催付")] + bulk_rows(7)
    for i in range(6):
        rows.append(dict(SMS, order_id=f"Q{i}", paid=80, buyer=f"tm_丙{i}", phone="13700137000",
                         sms_kind="退货地址", reason="质量问题"))
    rows += [dict(SMS, order_id="T1", paid=1500, buyer="tm_老王", paid_at=paid_at)] + bulk_rows(30)
    rows += [dict(SMS, order_id="T2", paid=1000, buyer="tm_老王", paid_at=paid_at + dt.timedelta(hours=5),
                  phone="13800138002", sms_kind="发货延迟通知")]
    rows += [dict(order_id="R1", platform="京东", reason="中差评", review_stars=2, review_text="一般般", shop_name="小美家居")]
    return rows
