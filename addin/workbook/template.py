"""Builds a new case workbook (the layout staff start from), optionally filled with rows.

openpyxl is used only here, to create files from nothing; staff files are never rewritten with it
(it drops buttons, sparklines and note sizes: see shared/spec/workbook.md).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from addin.core.case import INSURANCE, PLATFORMS, REASONS
from addin.core.policy import PARAMS
from addin.core.reasons import AFTER_SALES_TYPES
from addin.core.timeparts import china_now
from addin.messages.render import template_rows
from addin.messages.sms import KINDS

from .calendar_sheet import CALENDAR_HEADER, calendar_rows
from .reason_sheet import REASON_SHEET_EXAMPLES, REASON_SHEET_HEADER
from .schema import INPUTS, MESSAGE_INPUTS, MESSAGE_OUTPUTS, OUTPUTS, Column
from .sendlog import LOG_HEADER
from .texts import OUTBOX_HEADER, TEMPLATE_HEADER

NUMBER_FORMATS = {"money": "#,##0.00", "datetime": "yyyy-mm-dd hh:mm", "rate": "0%", "int": "0", "stars": "0"}
FILL_INPUT = PatternFill("solid", fgColor="DDEBF7")
FILL_OUTPUT = PatternFill("solid", fgColor="E2EFDA")
FILL_OVERRIDE = PatternFill("solid", fgColor="FFF2CC")
FILL_RED = PatternFill("solid", fgColor="F8CBAD")
FILL_AMBER = PatternFill("solid", fgColor="FFE699")
BOLD = Font(bold=True)

# The columns a new workbook shows first; the rest of INPUTS follow (staff may hide what they don't use).
LEADING = ("order_id", "platform", "reason", "shop_name", "buyer", "phone", "item_name", "paid", "paid_at",
           "ordered_at", "signed_at")
SHEETS_EXTRA = {
    "模板": TEMPLATE_HEADER,
    "发送队列": OUTBOX_HEADER,
    "发送记录": LOG_HEADER,
    "日志": ("时间", "操作人", "操作", "行数", "错误行", "规则版本", "说明"),
    "退订名单": ("手机号", "退订时间", "来源"),
}


def put_text_safe(cell, value):
    """Set a value; text starting with '=' stays text (openpyxl would otherwise store a formula)."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def case_columns() -> list[Column]:
    by_key = {c.key: c for c in INPUTS}
    return ([by_key[k] for k in LEADING] + [c for c in INPUTS if c.key not in LEADING] + list(MESSAGE_INPUTS)
            + list(OUTPUTS) + list(MESSAGE_OUTPUTS))


def _choices(table: dict[str, tuple[str, ...]]) -> str:
    return ",".join(names[0] for names in table.values())


def build_case_sheet(ws, rows: list[dict] | None = None) -> dict[str, int]:
    """Header, formats, drop-downs and conditional formats on the 案件 sheet; returns key -> column."""
    columns = case_columns()
    where: dict[str, int] = {}
    n_rows = max(len(rows or []), 1) + 2000   # validation and formats reach well past the data
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        computed = col in OUTPUTS or col in MESSAGE_OUTPUTS
        cell.fill = FILL_OVERRIDE if col.key == "override" else FILL_OUTPUT if computed else FILL_INPUT
        ws.column_dimensions[get_column_letter(i)].width = col.width
        where[col.key] = i
    ws.freeze_panes = "D2"
    ws.row_dimensions[1].height = 32

    validations = {
        "platform": _choices(PLATFORMS), "reason": _choices(REASONS), "insurance": _choices(INSURANCE),
        "sms_kind": ",".join(k.zh for k in KINDS), "customer_type": "上班族,学生,其他",
        "after_sales_type": _choices(AFTER_SALES_TYPES),
    }
    # The platforms' own wordings are welcome in these (原因对照 maps them): a list to pick from, no refusal.
    open_lists = ("reason", "after_sales_type")
    for col in columns:
        letter = get_column_letter(where[col.key])
        formula = validations.get(col.key) or ("是,否" if col.kind == "bool" and col in INPUTS + MESSAGE_INPUTS else None)
        if formula:
            dv = DataValidation(type="list", formula1=f'"{formula}"', allow_blank=True,
                                showErrorMessage=col.key not in open_lists,
                                errorTitle="无效值", error="请从下拉列表选择 / choose from the list")
            dv.add(f"{letter}2:{letter}{n_rows}")
            ws.add_data_validation(dv)

    for r, values in enumerate(rows or [], start=2):
        for key, value in values.items():
            if key in where:
                put_text_safe(ws.cell(row=r, column=where[key]), value)
    # Formats on the column (for rows staff add later, and for the cells recalc creates) and on each filled cell.
    wrapped = ("comp_note", "deadlines_all", "warnings", "errors", "reply_text", "reply_reasons", "sms_text",
               "sms_reasons", "review_text")
    for col in columns:
        fmt = NUMBER_FORMATS.get(col.kind)
        letter = get_column_letter(where[col.key])
        if fmt:
            ws.column_dimensions[letter].number_format = fmt
        if col.key in wrapped:
            ws.column_dimensions[letter].alignment = Alignment(wrap_text=True, vertical="top")
        for r in range(2, len(rows or []) + 2):
            if fmt:
                ws.cell(row=r, column=where[col.key]).number_format = fmt
            if col.key in wrapped:
                ws.cell(row=r, column=where[col.key]).alignment = Alignment(wrap_text=True, vertical="top")

    last = get_column_letter(len(columns))
    due = get_column_letter(where["next_deadline"])
    approval = get_column_letter(where["approval"])
    errors = get_column_letter(where["errors"])
    span = f"A2:{last}{n_rows}"
    # Overdue deadlines red, due within 24 h amber, rows needing approval amber on the approval cell.
    ws.conditional_formatting.add(f"{due}2:{due}{n_rows}", FormulaRule(
        formula=[f'AND(ISNUMBER({due}2),{due}2<NOW())'], fill=FILL_RED, stopIfTrue=True))
    ws.conditional_formatting.add(f"{due}2:{due}{n_rows}", FormulaRule(
        formula=[f'AND(ISNUMBER({due}2),{due}2<NOW()+1)'], fill=FILL_AMBER))
    ws.conditional_formatting.add(f"{approval}2:{approval}{n_rows}", FormulaRule(
        formula=[f'{approval}2="是"'], fill=FILL_AMBER, font=Font(bold=True)))
    ws.conditional_formatting.add(span, FormulaRule(formula=[f'LEN(${errors}2)>0'], font=Font(color="C00000")))
    ws.auto_filter.ref = f"A1:{last}1"
    return where


POLICY_HEADER = ("参数ID", "名称", "值", "默认值", "来源", "分歧时的备选", "来源编号")


def build_policy_sheet(ws) -> None:
    """规则: one row per parameter; sources by name (the ids, for audit, in the last column)."""
    for i, h in enumerate(POLICY_HEADER, start=1):
        c = ws.cell(row=1, column=i, value=h)
        c.font, c.fill = BOLD, FILL_INPUT
    for r, p in enumerate(PARAMS, start=2):
        values = (p.id, p.zh, p.text(), p.text(), p.source_text() or None, p.alternative or None, p.source or None)
        for i, v in enumerate(values, start=1):
            ws.cell(row=r, column=i, value=v)
        ws.cell(row=r, column=3).fill = FILL_OVERRIDE
    for letter, width in zip("ABCDEFG", (26, 44, 14, 14, 40, 44, 10)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def build_calendar_sheet(ws, today: dt.date) -> None:
    """日历: the official holidays and make-up workdays around `today`, then the computed (推算) ones."""
    for i, h in enumerate(CALENDAR_HEADER, start=1):
        c = ws.cell(row=1, column=i, value=h)
        c.font, c.fill = BOLD, FILL_INPUT
    for r, values in enumerate(calendar_rows(today), start=2):
        for i, v in enumerate(values, start=1):
            ws.cell(row=r, column=i, value=v)
        ws.cell(row=r, column=1).number_format = "yyyy-mm-dd"
    ws.column_dimensions["A"].number_format = "yyyy-mm-dd"
    dv = DataValidation(type="list", formula1='"放假,调休上班"', allow_blank=True, showErrorMessage=True,
                        errorTitle="无效值", error="请选择 放假 或 调休上班 / choose 放假 or 调休上班")
    dv.add("B2:B2000")
    ws.add_data_validation(dv)
    for letter, width in zip("ABCDE", (12, 10, 7, 16, 34)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def build_reason_sheet(ws) -> None:
    """原因对照: staff's own reason wordings (平台 and 售后类型 blank = any), with a few examples."""
    for i, h in enumerate(REASON_SHEET_HEADER, start=1):
        c = ws.cell(row=1, column=i, value=h)
        c.font, c.fill = BOLD, FILL_INPUT
    for r, values in enumerate(REASON_SHEET_EXAMPLES, start=2):
        for i, v in enumerate(values, start=1):
            ws.cell(row=r, column=i, value=v or None)
    for validation, letter in ((_choices(PLATFORMS), "A"), (_choices(AFTER_SALES_TYPES), "C"), (_choices(REASONS), "D")):
        dv = DataValidation(type="list", formula1=f'"{validation}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="无效值", error="请从下拉列表选择 / choose from the list")
        dv.add(f"{letter}2:{letter}500")
        ws.add_data_validation(dv)
    for letter, width in zip("ABCDE", (10, 36, 12, 16, 40)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def build_workbook(path: str | Path, rows: list[dict] | None = None, *, extra_sheets=SHEETS_EXTRA,
                   today: dt.date | None = None, approved: dict | None = None) -> Path:
    """A new .xlsx with 案件 (and rows), 规则, 日历 (around `today`, default: the date now), 原因对照 and
    the message/log sheets.

    ``approved``: kind id -> ApprovedTemplate, written into the 模板 sheet's vendor columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = "案件"
    build_case_sheet(ws, rows)
    build_policy_sheet(wb.create_sheet("规则"))
    build_calendar_sheet(wb.create_sheet("日历"), today or china_now().date())
    build_reason_sheet(wb.create_sheet("原因对照"))
    for name, heads in extra_sheets.items():
        sheet = wb.create_sheet(name)
        for i, h in enumerate(heads, start=1):
            sheet.cell(row=1, column=i, value=h).font = BOLD
        if name == "模板":   # the bundled defaults, ready for staff to edit, and the approved vendor templates
            for r, values in enumerate(template_rows(), start=2):
                tpl = (approved or {}).get(values[1])
                extra = (tpl.code, tpl.text, tpl.signature) if tpl else ()
                for i, v in enumerate((*values, *extra), start=1):
                    put_text_safe(sheet.cell(row=r, column=i), v).alignment = Alignment(wrap_text=True, vertical="top")
            for letter, width in zip("ABCDEFG", (18, 18, 70, 40, 16, 60, 14)):
                sheet.column_dimensions[letter].width = width
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
