"""The xlwings Lite main.py: the same functions as classic xlwings, with Office.js' 0-for-empty, and
scripts that run the buttons' book functions (on Linux the Lite decorators are pass-throughs)."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from addin.excel import activity, steps
from addin.excel import functions
from addin.excel import udfs
from tests.helpers.excel_rows import HEADERS, OFFICE_ROWS, ROWS
from tests.helpers.fake_xlwings import fake_book

LITE = Path(__file__).resolve().parents[1] / "workbook_templates" / "xlwings_lite"


@pytest.fixture(scope="module")
def main():
    spec = importlib.util.spec_from_file_location("lite_main", LITE / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lite_exposes_the_same_functions_as_classic_xlwings(main):
    classic = sorted(n for n in dir(udfs) if n.startswith("AS_"))
    assert sorted(n for n in dir(main) if n.startswith("AS_")) == classic
    for name in classic:
        assert getattr(main, name).__doc__ == getattr(udfs, name).__doc__, name


def test_lite_reads_office_js_zeros_as_empty(main):
    assert main.AS_COMPENSATION(HEADERS, OFFICE_ROWS) == functions.compensation(HEADERS, ROWS)
    assert main.AS_DEADLINE("R7-2", HEADERS, OFFICE_ROWS) == udfs.AS_DEADLINE("R7-2", HEADERS, ROWS)
    assert main.AS_FREIGHT(HEADERS, OFFICE_ROWS) == udfs.AS_FREIGHT(HEADERS, ROWS)
    assert main.AS_SMS_PARTS([["x" * 80], [0]]) == [[2], [0]]


def test_lite_scripts_run_the_buttons(main):
    book = fake_book(20)
    main.recalc(book)
    assert book.rec.status[-1].startswith("重新计算完成")
    main.validate(book)
    assert book.rec.status[-1].startswith("检查完成")


def test_lite_export_writes_the_vendor_files_as_sheets(main, monkeypatch, tmp_path):
    """The browser cannot save files: 导出短信 writes each vendor file's rows to a sheet of its own (the
    same rows as the files `aftersales outbox` writes: tests/test_excel_steps.py) and logs them."""
    from tests.helpers.fake_xlwings import demo_book, fake_of
    from tests.helpers.clock import NOW_DEMO

    monkeypatch.setattr(steps, "in_browser", lambda: True)
    monkeypatch.setattr(steps, "current_time", lambda: NOW_DEMO)
    book = fake_of(demo_book(tmp_path))
    main.export_sms(book)
    sheets = [s.name for s in book.sheets if s.name.startswith("短信文件")]
    assert sheets and book.grid(sheets[0])[0][0] == "手机号码"
    assert "已写入工作表 短信文件1_阿里云" in book.rec.status[-1]


def test_lite_import_and_receipts_read_the_paste_sheet(main, monkeypatch, tmp_path):
    from tests.helpers.fake_xlwings import demo_book, fake_of

    monkeypatch.setattr(steps.sys, "platform", "emscripten")      # no file dialog in the browser
    book = fake_of(demo_book(tmp_path))
    main.import_exports(book)
    assert book.rec.status[-1].startswith("「导入」表是空的")
    main.import_receipts(book)
    assert "「导入」表里不是短信回执" in book.rec.status[-1]


def test_requirements_are_pure_python_and_skip_calamine():
    lines = [ln.split("#")[0].strip() for ln in (LITE / "requirements.txt").read_text().splitlines()]
    packages = [ln for ln in lines if ln]
    assert packages == ["jinja2", "chinese-calendar", "holidays"]   # holidays: py3-none-any, needs python-dateutil (pure)


def test_lite_runs_without_python_calamine():
    """Pyodide has no python-calamine: main.py and the buttons must import and run without it."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['python_calamine'] = None\n"   # any import of it now raises ImportError
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('lite_main', {str(LITE / 'main.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "from tests.helpers.fake_xlwings import fake_book\n"
        "book = fake_book(5); m.recalc(book); m.generate_texts(book)\n"
        "print(book.rec.status[-1])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=LITE.parents[1], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("生成完成")


def test_lite_buttons_link_to_hidden_cells_not_to_the_headers(main, tmp_path):
    """Selecting a header (or any visible cell) must never run a script: the shapes link to E1-E7, in the
    blank hidden column a new workbook keeps right of the identity columns."""
    import openpyxl

    from addin.workbook.sheets.new_book import build_workbook

    source = (LITE / "main.py").read_text(encoding="utf-8")
    cells = re.findall(r'@script\(button="\[(\w+)\]案件!([A-Z]+)(\d+)"\)', source)
    assert [name for name, _, _ in cells] == ["btnRecalc", "btnTexts", "btnExport", "btnCheck", "btnImport",
                                             "btnReceipts", "btnArchive"]
    ws = openpyxl.load_workbook(build_workbook(tmp_path / "b.xlsx"))["案件"]
    for _, column, row in cells:
        assert ws.column_dimensions[column].hidden and ws[f"{column}1"].value is None
        assert ws[f"{column}{row}"].value is None
    assert ws.freeze_panes == "F2"                     # and the column is inside the frozen corner


def test_log_user_is_blank_in_the_browser(monkeypatch):
    monkeypatch.setattr(activity.getpass, "getuser", lambda: "web_user")       # what Pyodide reports
    assert activity.clicked_by() == ""
    monkeypatch.setattr(activity.getpass, "getuser", lambda: "小王")
    assert activity.clicked_by() == "小王"
    monkeypatch.setattr(activity.sys, "platform", "emscripten")
    assert activity.clicked_by() == ""


def test_xlwings_is_not_required_in_the_browser():
    """Lite brings its own xlwings: the package must not ask Pyodide for another (an older pin fails the install)."""
    pyproject = (LITE.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    dependencies = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0]    # tomllib is 3.11+ only
    xlwings = re.findall(r'^\s*"(xlwings[^"]*)"', dependencies, re.M)
    assert len(xlwings) == 1 and "sys_platform != 'emscripten'" in xlwings[0].replace('"', "'")
    text = (LITE / "requirements.txt").read_text(encoding="utf-8")
    assert "BELOW" in text and "keep Lite's xlwings line" in text


def test_the_lite_path_imports_neither_openpyxl_nor_calamine_nor_xlwings():
    """The wheel leaves them out in the browser (sys_platform == 'emscripten' markers in pyproject.toml), so
    the modules Lite's main.py runs must not import them."""
    import subprocess
    import sys

    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('openpyxl', 'python_calamine', 'xlwings'):\n"
            "            raise ImportError('not in the browser: ' + name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "import addin.excel.buttons, addin.excel.functions, addin.excel.steps\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    for name in ("openpyxl", "python-calamine", "xlwings"):
        line = next(l for l in pyproject.splitlines() if l.strip().startswith(f'"{name}'))
        assert "sys_platform != 'emscripten'" in line, name
