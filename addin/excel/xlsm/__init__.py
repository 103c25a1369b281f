"""The .xlsm staff start from: `aftersales new-workbook PATH` calls :func:`new_workbook`.

Built at run time, nothing binary is committed: the sheets come from
:func:`addin.workbook.sheets.new_book.make_workbook` (案件 laid out by addin.workbook.sheets.case_layout, 汇总 with its
charts, 使用说明, 规则, 日历, 原因对照, 模板, 发送队列, 发送记录, 日志), this module adds the xlwings.conf
sheet (with the interpreter that ran the command), the VBA project (macros/AfterSales.bas plus the
installed xlwings' standalone module, so the workbook needs no xlwings add-in and always matches the
Python side's xlwings version) and the form-control buttons in the frozen corner of the 案件 sheet
(header row, identity columns), where they never scroll away.
"""
from __future__ import annotations

import sys
import tempfile
from importlib import resources
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from addin.excel.vba.ovba import (WORKBOOK_BASE, WORKSHEET_BASE, Module, class_module, document_module,
                                  standard_module, vba_project_bin)
from addin.workbook.sheets.new_book import make_workbook

from .controls import Button
from .xlsm import make_xlsm
from addin.core.errors import BilingualError
from addin.workbook.sheets.catalogue import CASES, XLWINGS_CONF

UDF_MODULE = "addin.excel.udfs"
# (caption, VBA sub in AfterSales.bas, width in pixels). They must fit within the frozen columns.
# The day's order: import, recalc, texts, export, receipts, then check and archive; BUTTONS_PER_ROW in the
# first row, the rest in a second row under it (all inside the frozen corner's header cell).
BUTTONS_PER_ROW = 4
BUTTONS = (("导入平台导出", "ImportExports", 88), ("重新计算", "RecalculateCases", 64),
           ("生成回复与短信", "GenerateTexts", 96), ("导出短信", "ExportSms", 64), ("导入回执", "ImportReceipts", 64),
           ("检查", "ValidateCases", 44), ("结案归档", "ArchiveCases", 64))
HEADER_ROW_POINTS = 80       # room for two rows of buttons above the header text, which sits at the bottom
BUTTON_TOP, BUTTON_HEIGHT, BUTTON_GAP = 4, 28, 5

# The xlwings.conf sheet as xlwings' own quickstart lays it out (keys from A1 down, no gaps).
CONF_ROWS = (
    ("Interpreter_Win", "python"),
    ("Interpreter_Mac", ""),
    ("PYTHONPATH", ""),
    ("Conda Path", ""),
    ("Conda Env", ""),
    ("UDF Modules", UDF_MODULE),
    ("Debug UDFs", False),
    ("Use UDF Server", False),
    ("Show Console", False),
)
CONF_NOTES = (
    "说明 / Notes:",
    "Interpreter_Win: Python 的完整路径, 例如 C:\\Users\\you\\aftersales\\Scripts\\pythonw.exe; new-workbook "
    "已填入运行它的 Python / full path of the Python that has aftersales-addin installed; new-workbook fills in "
    "the one that ran it",
    "UDF Modules: 工作表函数所在模块 (AS_COMPENSATION 等), 在 xlwings 选项卡点「Import Functions」导入 "
    "/ the module with the worksheet functions; click Import Functions on the xlwings tab",
    "设置须从 A1 开始且中间不能有空行 / the settings must start in A1 with no blank rows",
)


class NotMacroName(BilingualError, ValueError):
    """new_workbook was given a name Excel would not open as a macro workbook."""

    def __init__(self, path: Path):
        super().__init__(f"新工作簿带宏(按钮), 文件名须以 .xlsm 结尾, 例如 {path.with_suffix('.xlsm').name}",
                         f"the new workbook has macros (the buttons), so its name must end in .xlsm, e.g. "
                         f"{path.with_suffix('.xlsm').name}", "not_xlsm",
                         message=f"{path.name}: the new workbook has macros, its name must end in .xlsm")


def new_workbook(path: str | Path, rows: list[dict] | None = None, *, interpreter: dict[str, str] | None = None,
                 prepare=None, name: str | Path | None = None, settings: dict | None = None) -> Path:
    """Write the ready .xlsm (optionally with case rows) and return its path.

    interpreter: xlwings.conf values (Interpreter_Win / Interpreter_Mac); default: the Python running this.
    prepare(wb): called on the openpyxl workbook before it is saved (the upgrade from an old workbook
    fills its other sheets there). name: the file's final name when `path` is a temp file that will be
    renamed to it (the CLI saves through addin.workbook.files.session.new_book); it must end in .xlsm.
    settings: 规则 values set at creation (parameter id -> parsed value; see make_workbook)."""
    path = Path(path)
    if Path(name or path).suffix.lower() != ".xlsm":
        raise NotMacroName(Path(name or path))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb, case_sheet = make_workbook(rows, settings=settings)
    if prepare is not None:
        prepare(wb)
    wb.code_name = "ThisWorkbook"
    _add_conf_sheet(wb, interpreter_settings() if interpreter is None else interpreter)
    code_names = {}
    for n, ws in enumerate(wb.worksheets, start=1):
        ws.sheet_properties.codeName = code_names[ws.title] = f"Sheet{n}"
    case = wb[CASES.name]
    _make_room_for_buttons(case)
    col_widths, row_heights = _pixel_grid(case)
    buttons = _buttons()
    frozen_px = sum(col_widths[:case_sheet.frozen_columns])
    need = max(b.left + b.width for b in buttons)
    if need > frozen_px or max(b.top + b.height for b in buttons) > row_heights[0]:
        # a layout change must keep them in the frozen corner, above nothing but the header cell
        raise AssertionError(f"the buttons need {need} px, the frozen columns have {frozen_px}")
    with tempfile.TemporaryDirectory() as tmp:
        sheets_only = Path(tmp) / "sheets.xlsx"
        wb.save(sheets_only)
        make_xlsm(sheets_only, path, vba_project_bin(vba_modules(list(code_names.values()))), CASES.name,
                  buttons, col_widths, row_heights)
    return path


def interpreter_settings(platform: str = sys.platform, executable: str = sys.executable) -> dict[str, str]:
    """The xlwings.conf interpreter for the Python running this command: on Windows pythonw.exe beside it
    (no console window flashes up) when it exists; on a Mac the interpreter itself; elsewhere nothing
    (Excel does not run there; the default `python` stays)."""
    if not executable:
        return {}
    if platform == "win32":
        exe = Path(executable)
        windowless = exe.with_name("pythonw.exe")
        return {"Interpreter_Win": str(windowless if windowless.exists() else exe)}
    if platform == "darwin":
        return {"Interpreter_Mac": executable}
    return {}


def vba_modules(sheet_code_names: list[str]) -> list[Module]:
    """ThisWorkbook and one module per sheet (Excel binds them by codeName), ours, and xlwings' standalone."""
    xlwings_dir = _xlwings_dir()
    ours = resources.files("addin.excel.vba").joinpath("AfterSales.bas").read_text(encoding="ascii")
    return ([document_module("ThisWorkbook", WORKBOOK_BASE)]
            + [document_module(name, WORKSHEET_BASE) for name in sheet_code_names]
            + [standard_module(ours),
               standard_module((xlwings_dir / "xlwings.bas").read_text(encoding="ascii")),
               class_module((xlwings_dir / "addin" / "Dictionary.cls").read_text(encoding="ascii"))])


def _xlwings_dir() -> Path:
    import xlwings   # the installed version: its VBA module must match the Python package it calls

    folder = Path(xlwings.__file__).parent
    if not (folder / "xlwings.bas").exists():
        raise FileNotFoundError(f"xlwings.bas not found in {folder}; reinstall xlwings (pip install xlwings)")
    return folder


def _add_conf_sheet(wb, interpreter: dict[str, str]) -> None:
    ws = wb.create_sheet(XLWINGS_CONF.name)
    for r, (key, value) in enumerate(CONF_ROWS, start=1):
        ws.cell(row=r, column=1, value=key)
        ws.cell(row=r, column=2, value=interpreter.get(key, value))
    for r, note in enumerate(CONF_NOTES, start=len(CONF_ROWS) + 3):
        ws.cell(row=r, column=1, value=note).font = Font(italic=True, color="595959")
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 60


def _make_room_for_buttons(ws) -> None:
    """A taller header row with its text at the bottom, so the buttons sit above it and stay frozen."""
    ws.row_dimensions[1].height = HEADER_ROW_POINTS


def _pixel_grid(ws) -> tuple[list[int], list[int]]:
    """Column widths and the first rows' heights in pixels (Excel: 7 px per character + 5 of padding)."""
    widths = []
    for col in range(1, ws.max_column + 1):
        dim = ws.column_dimensions[get_column_letter(col)]
        widths.append(0 if dim.hidden else int((dim.width or 8.43) * 7 + 5))
    heights = [round((ws.row_dimensions[r].height or 15) * 4 / 3) for r in range(1, 4)]
    return widths, heights


def _buttons() -> list[Button]:
    out = []
    for start in range(0, len(BUTTONS), BUTTONS_PER_ROW):
        left, top = BUTTON_GAP, BUTTON_TOP + (start // BUTTONS_PER_ROW) * (BUTTON_HEIGHT + BUTTON_GAP)
        for caption, macro, width in BUTTONS[start:start + BUTTONS_PER_ROW]:
            out.append(Button(caption, macro, left, top, width, BUTTON_HEIGHT))
            left += width + BUTTON_GAP
    return out
