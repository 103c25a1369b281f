"""The ready .xlsm staff start from (`aftersales new-workbook`)."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import openpyxl.utils.cell
import pytest
import python_calamine
from oletools.olevba import VBA_Parser

from addin.demo import sample_rows
from addin.excel.xlsm import BUTTONS, UDF_MODULE, NotMacroName, interpreter_settings, new_workbook
from addin.workbook.sheets.catalogue import CASES, XLWINGS_CONF, normalise_header
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_columns import OUTPUTS, find_header_row
from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook
from tests.helpers.zips import CASE_PART, member

SHEETS = ["案件", "汇总", "使用说明", "规则", "模板", "发送队列", "日志", XLWINGS_CONF.name]
# Run by LibreOffice's own python3 (it has the uno module): open the book, list VBA modules and buttons.
LO_CHECK = """
import os, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue

pipe = f"aftersales_test_{os.getpid()}"
office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", f"--accept=pipe,name={pipe};urp;"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    hidden = PropertyValue(Name="Hidden", Value=True)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(sys.argv[1]), "_blank", 0, (hidden,))
    libs = doc.BasicLibraries
    for name in libs.getElementNames():
        libs.loadLibrary(name)
        lib = libs.getByName(name)
        for mod in lib.getElementNames():
            print("module", name, mod, 'RunPython "import addin' in lib.getByName(mod))
    forms = doc.Sheets.getByIndex(0).DrawPage.Forms
    for i in range(forms.Count):
        form = forms.getByIndex(i)
        for j in range(form.Count):
            print("control", form.getByIndex(j).Label, [e.ScriptCode for e in form.getScriptEvents(j)])
    doc.close(True)
finally:
    office.terminate()
    office.wait()
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    return new_workbook(tmp_path_factory.mktemp("nw") / "售后.xlsm")


def test_opens_with_openpyxl_and_calamine_and_has_all_sheets(book):
    wb = openpyxl.load_workbook(book, keep_vba=True)
    assert all(name in wb.sheetnames for name in SHEETS)
    with python_calamine.CalamineWorkbook.from_path(str(book)) as cb:
        assert all(name in cb.sheet_names for name in SHEETS)
        header = cb.get_sheet_by_name(CASES.name).to_python()[0]
    assert find_header_row([header]).row == 1


def test_conf_sheet_names_the_udf_module(book):
    ws = openpyxl.load_workbook(book)[XLWINGS_CONF.name]
    settings = {}
    for row in ws.iter_rows(values_only=True):   # xlwings reads A1 down to the first blank cell
        if row[0] is None:
            break
        settings[row[0].upper()] = row[1]
    assert settings["UDF MODULES"] == UDF_MODULE == "addin.excel.udfs"
    assert settings["INTERPRETER_WIN"] == "python"


def test_drop_downs_formats_conditional_formats_and_frozen_header(book):
    ws = openpyxl.load_workbook(book)[CASES.name]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert any("淘宝" in f and "天猫" in f for f in lists)           # platform
    assert any("延迟发货" in f and "七天无理由退货" in f for f in lists)  # reason
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert any("NOW()" in (r.formula or [""])[0] for r in rules)        # overdue deadlines
    assert any('="是"' in (r.formula or [""])[0] for r in rules)        # needs approval
    assert ws.freeze_panes == "F2"          # the identity columns A-D and the hidden Lite link column E
    heads = {c.value: c.column_letter for c in ws[1]}
    assert ws.column_dimensions[heads["实付金额"]].number_format == "#,##0.00"
    assert ws.column_dimensions[heads["付款时间"]].number_format.startswith("yyyy-mm-dd")


def test_package_is_macro_enabled_with_buttons_bound_to_the_subs(book):
    with zipfile.ZipFile(book) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        vml = z.read("xl/drawings/vmlDrawingButtons.vml").decode()
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "xl/vbaProject.bin" in names and 'codeName="ThisWorkbook"' in workbook
    subs = VBA_Parser(str(book))
    code = {name: src for _, _, name, src in subs.extract_macros()}
    for caption, macro, _ in BUTTONS:
        assert f'macro="[0]!{macro}"' in sheet and f"[0]!{macro}</x:FmlaMacro>" in vml and caption in vml
        assert f"Public Sub {macro}()" in code["AfterSales.bas"]
    assert sheet.index("<legacyDrawing") < sheet.index("<mc:AlternateContent")
    assert len(re.findall(r"ctrlProps/ctrlProp\d\.xml", rels)) == len(BUTTONS)
    assert "RunPython" in code["xlwings.bas"] and "Function RunPython" in code["xlwings.bas"]


def test_recalc_runs_on_it_after_rows_are_added(book, tmp_path):
    """Staff type rows into the new workbook; `aftersales recalc` fills the computed columns."""
    filled = tmp_path / "filled.xlsm"
    heads = {normalise_header(c.value): c.column for c in openpyxl.load_workbook(book, read_only=True)[CASES.name][1]
             if c.value}                                       # 订单号* : the '*' marks a required column
    typed = {"订单号": ("TB1", "TM1"), "平台": ("淘宝", "天猫"), "售后原因": ("延迟发货", "延迟发货"),
             "实付金额": (89, 387.45)}
    cells = {(r, heads[h]): v for h, values in typed.items() for r, v in enumerate(values, start=2)}
    patch_workbook(book, filled, {CASES.name: SheetEdit(cells=cells)})   # what Excel would save, losslessly
    summary = recalc(filled, now=dt.datetime(2026, 10, 3, 9))
    assert summary.rows == 2 and summary.errors == 0
    with python_calamine.CalamineWorkbook.from_path(str(filled)) as cb:
        grid = cb.get_sheet_by_name(CASES.name).to_python()
    amount = grid[0].index(next(c.header for c in OUTPUTS if c.key == "comp_amount"))
    assert [grid[1][amount], grid[2][amount]] == [5.0, 116.24]   # Excel rounding: 387.45 x 30% = 116.24
    assert VBA_Parser(str(filled)).detect_vba_macros()          # the patch kept the VBA project ...
    sheet = member(filled, CASE_PART).decode()                 # ... and the buttons
    assert "<legacyDrawing" in sheet and sheet.count("<control ") == len(BUTTONS)


def test_sample_rows_version_recalculates(tmp_path):
    path = new_workbook(tmp_path / "demo.xlsm", sample_rows())
    summary = recalc(path, now=dt.datetime(2026, 10, 3, 9))
    assert (summary.rows, summary.errors) == (len(sample_rows()), 11)       # the demo's 11 bad rows
    assert summary.computed == summary.rows - summary.errors


@pytest.mark.skipif(not (shutil.which("soffice") and Path("/usr/lib/python3/dist-packages/uno.py").exists()),
                    reason="LibreOffice with Python-UNO not installed")
def test_libreoffice_imports_the_vba_modules_and_the_buttons(book):
    """A second, independent reader of MS-OVBA and of form controls (run on a machine with LibreOffice)."""
    out = subprocess.run(["/usr/bin/python3", "-c", LO_CHECK, str(book)], capture_output=True, text=True, timeout=180,
                         env={"PYTHONPATH": "/usr/lib/python3/dist-packages", "PATH": "/usr/bin:/bin",
                              "HOME": str(book.parent)}).stdout
    assert "module VBAProject AfterSales True" in out
    assert all(f"module VBAProject {m} " in out for m in ("xlwings", "Dictionary", "ThisWorkbook", "Sheet1"))
    for caption, macro, _ in BUTTONS:
        assert f"control {caption} " in out and f"VBAProject.AfterSales.{macro}?" in out


def test_buttons_sit_in_the_frozen_corner_and_do_not_move_or_size_with_cells(book):
    """Within the frozen header row and identity columns (so they never scroll away), set to "don't move or
    size with cells" in both the VML (MoveWithCells/SizeWithCells present: Excel reads them reversed,
    MS-OI29500 2.1.1881) and the x14 anchor (no moveWithCells/sizeWithCells attribute: false)."""
    ws = openpyxl.load_workbook(book)[CASES.name]
    frozen_cols = openpyxl.utils.cell.coordinate_to_tuple(ws.freeze_panes)[1] - 1          # F2 -> 5
    vml, sheet = member(book, "xl/drawings/vmlDrawingButtons.vml").decode(), member(book, CASE_PART).decode()
    shapes = re.findall(r"<x:ClientData ObjectType=\"Button\">(.*?)</x:ClientData>", vml, re.S)
    assert len(shapes) == len(BUTTONS)
    for data in shapes:
        assert "<x:MoveWithCells/>" in data and "<x:SizeWithCells/>" in data
        anchor = [int(v) for v in re.search(r"<x:Anchor>(.*?)</x:Anchor>", data).group(1).split(",")]
        left_col, _, top_row, _, right_col, _, bottom_row, _ = anchor
        assert right_col < frozen_cols and top_row == bottom_row == 0      # columns A-E, row 1
    anchors = re.findall(r"<anchor[^>]*>(.*?)</anchor>", sheet, re.S)
    assert len(anchors) == len(BUTTONS) and "moveWithCells" not in sheet and "sizeWithCells" not in sheet
    for a in anchors:
        cols = [int(c) for c in re.findall(r"<xdr:col>(\d+)</xdr:col>", a)]
        rows = [int(r) for r in re.findall(r"<xdr:row>(\d+)</xdr:row>", a)]
        assert max(cols) < frozen_cols and rows == [0, 0]


def test_interpreter_is_the_python_that_ran_the_command(tmp_path):
    scripts = tmp_path / "Scripts"
    scripts.mkdir()
    (scripts / "python.exe").write_bytes(b"")
    assert interpreter_settings("win32", str(scripts / "python.exe")) == {"Interpreter_Win": str(scripts / "python.exe")}
    (scripts / "pythonw.exe").write_bytes(b"")       # beside it: no console window flashing up
    assert interpreter_settings("win32", str(scripts / "python.exe")) == {"Interpreter_Win": str(scripts / "pythonw.exe")}
    assert interpreter_settings("darwin", "/Users/a/.venv/bin/python") == {"Interpreter_Mac": "/Users/a/.venv/bin/python"}
    assert interpreter_settings("linux", "/usr/bin/python3") == {}
    path = new_workbook(tmp_path / "w.xlsm", interpreter=interpreter_settings("win32", str(scripts / "python.exe")))
    conf = {row[0]: row[1] for row in openpyxl.load_workbook(path)[XLWINGS_CONF.name].iter_rows(values_only=True) if row[0]}
    assert conf["Interpreter_Win"] == str(scripts / "pythonw.exe") and conf["Interpreter_Mac"] is None


def test_new_workbook_refuses_a_name_excel_would_not_open_with_macros(tmp_path):
    with pytest.raises(NotMacroName) as err:
        new_workbook(tmp_path / "售后.xlsx")
    assert ".xlsm" in err.value.zh and "售后.xlsm" in err.value.en and not list(tmp_path.iterdir())


def test_each_button_gives_the_status_bar_back_to_excel():
    """The summary stays on the status bar a while; then Application.StatusBar = False restores Excel's."""
    code = (Path(__file__).resolve().parents[1] / "addin" / "excel" / "vba" / "AfterSales.bas").read_text(encoding="ascii")
    subs = re.findall(r"Public Sub (\w+)\(\)(.*?)End Sub", code, re.S)
    bodies = dict(subs)
    for _, macro, _ in BUTTONS:
        lines = [ln.strip() for ln in bodies[macro].strip().splitlines()]
        assert lines[0].startswith("RunPython ") and lines[-1] == "ScheduleStatusReset", macro
    assert "Application.StatusBar = False" in bodies["ResetStatusBar"]
    assert re.search(r'Application\.OnTime Now \+ TimeSerial\(0, 0, STATUS_SECONDS\), .*AfterSales\.ResetStatusBar"',
                     code)
