"""Builds a new case workbook (the layout staff start from), optionally filled with rows.

openpyxl is used only here, to create files from nothing; staff files are never rewritten with it
(it drops buttons, sparklines and note sizes: see shared/spec/workbook.md).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl.packaging.custom import StringProperty
from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import Outline

from addin.core.case import INSURANCE, PLATFORMS, REASONS
from addin.core.policy import PARAMS
from addin.core.reasons import AFTER_SALES_TYPES
from addin.core.timeparts import china_now
from addin.messages.render import template_rows
from addin.messages.sms import KINDS

from addin.workbook.sheets.calendar_sheet import calendar_rows
from addin.workbook.sheets.catalogue import (ACTIVITY_LOG, CALENDAR, CASES, GUIDE, IMPORT, OPTOUT, OUTBOX, POLICY,
                                             REASON_MAP, SEND_LOG, SUMMARY, TEMPLATES, TODO)
from addin.workbook.sheets.todo_sheet import widths as todo_widths
from addin.workbook.sheets.vendor_template_sheet import TEMPLATE_HEADER, approved_cells
from addin.workbook.files.book_id import PROPERTY as BOOK_ID_PROPERTY, new_book_id
from addin.workbook.sheets.reason_sheet import REASON_SHEET_EXAMPLES
from addin.workbook.sheets.guide_sheet import build_guide_sheet
from addin.workbook.sheets.case_layout import (APPROVAL, DUE_SOON, FROZEN_GROUPS, GROUPS, LINK_COLUMN_AFTER, OVERDUE, PLACED, STATUS_STYLES,
                     column_width, header_text, input_prompt, is_computed)
from addin.workbook.sheets.send_log import LOG_HEADER
from addin.workbook.sheets.summary_sheet import build_summary_sheet, define_column_names
from addin.workbook.files.xlsx_patch import MAX_ROW

NUMBER_FORMATS = {"money": "#,##0.00", "datetime": "yyyy-mm-dd hh:mm", "rate": "0%", "int": "0", "stars": "0"}
# Ids typed as digits stay text (a 16-digit order id would otherwise show as 3.00002E+15 and lose digits).
TEXT_FORMAT_KEYS = ("order_id", "refund_id", "phone", "tracking_no")
FILL_INPUT = PatternFill("solid", fgColor="DDEBF7")
FILL_REQUIRED = PatternFill("solid", fgColor="9BC2E6")
FILL_OUTPUT = PatternFill("solid", fgColor="E2EFDA")
FILL_STATUS = PatternFill("solid", fgColor="C6E0B4")
FILL_OVERRIDE = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
NO_WRAP = Alignment(wrap_text=False, vertical="top")

SHEETS_EXTRA = {
    TEMPLATES.name: TEMPLATE_HEADER,
    OUTBOX.name: OUTBOX.header,
    SEND_LOG.name: LOG_HEADER,
    ACTIVITY_LOG.name: ACTIVITY_LOG.header,
    OPTOUT.name: OPTOUT.header,
}


def put_text_safe(cell, value):
    """Set a value; text starting with '=' stays text (openpyxl would otherwise store a formula)."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _choices(table: dict[str, tuple[str, ...]]) -> str:
    return ",".join(names[0] for names in table.values())


def _fill(style: tuple) -> dict:
    """Conditional-format fill and font of one of layout.STATUS_STYLES."""
    _, fill, font, _ = style
    return dict(fill=PatternFill("solid", fgColor=fill, bgColor=fill), font=Font(color=font, bold=True))


@dataclass
class CaseSheet:
    where: dict[str, int]          # schema key -> 1-based column
    frozen_columns: int            # columns left of the freeze line


def build_case_sheet(ws, rows: list[dict] | None = None) -> CaseSheet:
    """案件: header, widths, outline groups, input prompts, drop-downs, formats and conditional formats
    (over whole columns, to row 1,048,576), frozen identity columns; returns where each column went."""
    where: dict[str, int] = {}
    i = 0
    link = 0
    groups: dict[str, list[int]] = {}
    for group, col in PLACED:
        i += 1
        where[col.key] = i
        groups.setdefault(group.id, []).append(i)
        cell = ws.cell(row=1, column=i, value=header_text(col))
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        if col.key == "override":
            cell.fill = FILL_OVERRIDE
        elif group.id == "status":
            cell.fill = FILL_STATUS
        elif is_computed(col):
            cell.fill = FILL_OUTPUT
        else:
            cell.fill = FILL_REQUIRED if col.required else FILL_INPUT
        ws.column_dimensions[get_column_letter(i)].width = column_width(col)
        if col.key == LINK_COLUMN_AFTER:
            i += 1
            link = i
            dim = ws.column_dimensions[get_column_letter(link)]
            dim.width, dim.hidden = 2, True
    last = i
    ws.row_dimensions[1].height = 32
    frozen = max(where[k] for g in GROUPS if g.id in FROZEN_GROUPS for k in g.keys)
    frozen = max(frozen, link)
    ws.freeze_panes = ws.cell(row=2, column=frozen + 1).coordinate
    _outline(ws, groups)
    _validations(ws, where)

    for r, values in enumerate(rows or [], start=2):
        for key, value in values.items():
            if key in where:
                put_text_safe(ws.cell(row=r, column=where[key]), value)
    # Formats on the column (for rows staff add later, and for the cells recalc creates) and on each filled cell.
    for _, col in PLACED:
        fmt = "@" if col.key in TEXT_FORMAT_KEYS else NUMBER_FORMATS.get(col.kind)
        letter = get_column_letter(where[col.key])
        if fmt:
            ws.column_dimensions[letter].number_format = fmt
        ws.column_dimensions[letter].alignment = NO_WRAP
        for r in range(2, len(rows or []) + 2):
            cell = ws.cell(row=r, column=where[col.key])
            if fmt and not (fmt == "@" and not isinstance(cell.value, str)):
                cell.number_format = fmt
            cell.alignment = NO_WRAP
    _conditional_formats(ws, where, last)
    ws.auto_filter.ref = f"A1:{get_column_letter(last)}1"
    ws.print_title_rows = "1:1"
    ws.print_title_cols = f"A:{get_column_letter(frozen)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    return CaseSheet(where, frozen)


def _outline(ws, groups: dict[str, list[int]]) -> None:
    """Each topic group an outline group: its first column stays visible (the summary column, on the left),
    the others fold under it; rarely used groups start folded."""
    ws.sheet_properties.outlinePr = Outline(summaryBelow=True, summaryRight=False)
    for group in GROUPS:
        columns = groups.get(group.id, [])
        if not group.outline or len(columns) < 2:
            continue
        for c in columns[1:]:
            dim = ws.column_dimensions[get_column_letter(c)]
            dim.outlineLevel = 1
            dim.hidden = group.collapsed
        if group.collapsed:
            ws.column_dimensions[get_column_letter(columns[0])].collapsed = True
    ws.sheet_format.outlineLevelCol = 1


def _validations(ws, where: dict[str, int]) -> None:
    """Input prompts on every input column (header cell and data cells), drop-downs where there is a list."""
    lists = {
        "platform": _choices(PLATFORMS), "reason": _choices(REASONS), "insurance": _choices(INSURANCE),
        "sms_kind": ",".join(k.zh for k in KINDS), "customer_type": "上班族,学生,其他",
        "after_sales_type": _choices(AFTER_SALES_TYPES),
    }
    # The platforms' own wordings are welcome in these (原因对照 maps them): a list to pick from, no refusal.
    open_lists = ("reason", "after_sales_type")
    for group, col in PLACED:
        if is_computed(col):
            continue
        letter = get_column_letter(where[col.key])
        title, prompt = input_prompt(group, col)
        formula = lists.get(col.key) or ("是,否" if col.kind == "bool" else None)
        if formula:
            dv = DataValidation(type="list", formula1=f'"{formula}"', allow_blank=True,
                                showErrorMessage=col.key not in open_lists, errorTitle="无效值",
                                error="请从下拉列表选择")
        else:
            dv = DataValidation(allow_blank=True)           # no rule: only the prompt
        dv.showInputMessage, dv.promptTitle, dv.prompt = True, title, prompt
        dv.add(f"{letter}2:{letter}{MAX_ROW}")
        ws.add_data_validation(dv)
        head = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=title, prompt=prompt)
        head.add(f"{letter}1")
        ws.add_data_validation(head)


def _conditional_formats(ws, where: dict[str, int], last: int) -> None:
    """Overdue red, due within 24 h amber, needs approval purple; the 状态 word in its colour; rows with an
    error in red type. Over whole columns, so rows added later are covered."""
    def span(key: str) -> str:
        letter = get_column_letter(where[key])
        return f"{letter}2:{letter}{MAX_ROW}"

    due = get_column_letter(where["next_deadline"])
    approval = get_column_letter(where["approval"])
    errors = get_column_letter(where["errors"])
    ws.conditional_formatting.add(span("next_deadline"), FormulaRule(
        formula=[f"AND(ISNUMBER({due}2),{due}2<NOW())"], stopIfTrue=True, **_fill(OVERDUE)))
    ws.conditional_formatting.add(span("next_deadline"), FormulaRule(
        formula=[f"AND(ISNUMBER({due}2),{due}2<NOW()+1)"], **_fill(DUE_SOON)))
    ws.conditional_formatting.add(span("approval"), FormulaRule(formula=[f'{approval}2="是"'], **_fill(APPROVAL)))
    if "status" in where:
        status = get_column_letter(where["status"])
        for style in STATUS_STYLES:
            ws.conditional_formatting.add(span("status"), FormulaRule(
                formula=[f'{status}2="{style[0]}"'], stopIfTrue=True, **_fill(style)))
    ws.conditional_formatting.add(f"A2:{get_column_letter(last)}{MAX_ROW}",
                                  FormulaRule(formula=[f"LEN(${errors}2)>0"], font=Font(color="C00000")))




def build_policy_sheet(ws, values: dict | None = None) -> None:
    """规则: one row per parameter; sources by name (the ids, for audit, in the last column).
    `values`: parameter id -> a value already parsed by the parameter (new-workbook's --shop ...), written
    into 值 instead of the default."""
    values = values or {}
    for i, h in enumerate(POLICY.header, start=1):
        c = ws.cell(row=1, column=i, value=h)
        c.font, c.fill = BOLD, FILL_INPUT
    for r, p in enumerate(PARAMS, start=2):
        line = (p.id, p.zh, p.text(values.get(p.id)), p.text(), p.source_text() or None, p.alternative or None,
                p.source or None)
        for i, v in enumerate(line, start=1):
            ws.cell(row=r, column=i, value=v)
        ws.cell(row=r, column=3).fill = FILL_OVERRIDE
    for letter, width in zip("ABCDEFG", (26, 44, 14, 14, 40, 44, 10)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def set_policy_values(ws, values: dict) -> None:
    """Write parsed values into the 值 column of an existing 规则 sheet's rows (by 参数ID, column A)."""
    by_id = {p.id: p for p in PARAMS}
    for row in ws.iter_rows(min_row=2, max_col=3):
        param = by_id.get(row[0].value)
        if param is not None and param.id in values:
            row[2].value = param.text(values[param.id])


def build_calendar_sheet(ws, today: dt.date) -> None:
    """日历: the official holidays and make-up workdays around `today`, then the computed (推算) ones."""
    for i, h in enumerate(CALENDAR.header, start=1):
        c = ws.cell(row=1, column=i, value=h)
        c.font, c.fill = BOLD, FILL_INPUT
    for r, values in enumerate(calendar_rows(today), start=2):
        for i, v in enumerate(values, start=1):
            ws.cell(row=r, column=i, value=v)
        ws.cell(row=r, column=1).number_format = "yyyy-mm-dd"
    ws.column_dimensions["A"].number_format = "yyyy-mm-dd"
    dv = DataValidation(type="list", formula1='"放假,调休上班"', allow_blank=True, showErrorMessage=True,
                        errorTitle="无效值", error="请选择 放假 或 调休上班 / choose 放假 or 调休上班")
    dv.add(f"B2:B{MAX_ROW}")
    ws.add_data_validation(dv)
    for letter, width in zip("ABCDE", (12, 10, 7, 16, 34)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def build_reason_sheet(ws) -> None:
    """原因对照: staff's own reason wordings (平台 and 售后类型 blank = any), with a few examples."""
    for i, h in enumerate(REASON_MAP.header, start=1):
        c = ws.cell(row=1, column=i, value=h)
        c.font, c.fill = BOLD, FILL_INPUT
    for r, values in enumerate(REASON_SHEET_EXAMPLES, start=2):
        for i, v in enumerate(values, start=1):
            ws.cell(row=r, column=i, value=v or None)
    for validation, letter in ((_choices(PLATFORMS), "A"), (_choices(AFTER_SALES_TYPES), "C"), (_choices(REASONS), "D")):
        dv = DataValidation(type="list", formula1=f'"{validation}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="无效值", error="请从下拉列表选择 / choose from the list")
        dv.add(f"{letter}2:{letter}{MAX_ROW}")
        ws.add_data_validation(dv)
    for letter, width in zip("ABCDE", (10, 36, 12, 16, 40)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"




def make_workbook(rows: list[dict] | None = None, *, extra_sheets=SHEETS_EXTRA, today: dt.date | None = None,
                  approved: dict | None = None, settings: dict | None = None) -> tuple[Workbook, CaseSheet]:
    """A new workbook in memory: 案件 (and rows), 汇总, 使用说明, 规则, 日历 (around `today`, default: the
    date now), 原因对照 and the message/log sheets.

    ``approved``: kind id -> ApprovedTemplate, written into the 模板 sheet's vendor columns. ``settings``:
    规则 values set at creation (parameter id -> parsed value: 店铺名, 默认平台, 包邮未填时)."""
    wb = Workbook()
    # The book's identity (the send log's journal is named after it): set once, here, and kept by every save.
    wb.custom_doc_props.append(StringProperty(name=BOOK_ID_PROPERTY, value=new_book_id()))
    ws = wb.active
    ws.title = CASES.name
    case = build_case_sheet(ws, rows)
    define_column_names(wb, CASES.name, case.where)
    shops = list(dict.fromkeys(str(r["shop_name"]) for r in rows or [] if r.get("shop_name")))
    build_summary_sheet(wb.create_sheet(SUMMARY.name), shops=shops)
    build_guide_sheet(wb.create_sheet(GUIDE.name))
    build_policy_sheet(wb.create_sheet(POLICY.name), settings)
    build_calendar_sheet(wb.create_sheet(CALENDAR.name), today or china_now().date())
    build_reason_sheet(wb.create_sheet(REASON_MAP.name))
    for name, heads in extra_sheets.items():
        sheet = wb.create_sheet(name)
        for i, h in enumerate(heads, start=1):
            sheet.cell(row=1, column=i, value=h).font = BOLD
        if name == TEMPLATES.name:   # the bundled defaults, ready for staff to edit, and the approved vendor templates
            for r, values in enumerate(template_rows(), start=2):
                tpl = (approved or {}).get(values[1])
                extra = approved_cells(tpl)
                for i, v in enumerate((*values, *extra), start=1):
                    put_text_safe(sheet.cell(row=r, column=i), v).alignment = Alignment(wrap_text=True, vertical="top")
            for letter, w in zip("ABCDEFGHIJKL", (18, 18, 70, 40, 16, 60, 14, 14, 60, 18, 12, 10)):
                sheet.column_dimensions[letter].width = w
        for i, w in enumerate(SHEET_WIDTHS.get(name, ()), start=1):   # times and texts readable, no ###
            sheet.column_dimensions[get_column_letter(i)].width = w
    todo = wb.create_sheet(TODO.name, 1)                 # right after 案件: the first thing staff open
    todo.cell(row=1, column=1, value="今日待办: 点「重新计算」后生成").font = BOLD
    for i, w in todo_widths().items():
        todo.column_dimensions[get_column_letter(i)].width = w
    todo.column_dimensions["B"].number_format = "yyyy-mm-dd hh:mm"     # 截止时间: recalc adds no style of its own
    todo.column_dimensions["D"].number_format = "¥#,##0.00"            # 赔偿金额
    paste = wb.create_sheet(IMPORT.name)
    paste.cell(row=1, column=1, value=IMPORT_HINT).font = BOLD
    paste.column_dimensions["A"].width = 24
    return wb, case


# What the 导入 sheet says until staff paste an export over it (row 1 is then the export's header).
IMPORT_HINT = "把平台导出表(或短信回执)的内容含表头粘贴到A1, 再点「导入平台导出」(或「导入回执」); 下次粘贴前先清空本表"

# Column widths (characters) of the message sheets, so 计划发送时间 and 时间 show as dates, not ###.
SHEET_WIDTHS = {
    OUTBOX.name: (20, 14, 10, 60, 6, 6, 17, 9, 30, 7),
    SEND_LOG.name: (16, 17, 14, 12, 20, 10, 14, 12, 12, 9, 10, 17, 17, 30),
    ACTIVITY_LOG.name: (17, 10, 14, 7, 7, 20, 40),
    OPTOUT.name: (14, 17, 16),
}


def build_workbook(path: str | Path, rows: list[dict] | None = None, *, extra_sheets=SHEETS_EXTRA,
                   today: dt.date | None = None, approved: dict | None = None) -> Path:
    """:func:`make_workbook` saved as an .xlsx at `path`."""
    wb, _ = make_workbook(rows, extra_sheets=extra_sheets, today=today, approved=approved)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
