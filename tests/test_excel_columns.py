"""Worksheet functions given a column (issue 19, point 5).

xlwings hands a one-column range to Python as a flat list unless the argument is declared ndim=2, and
a flat list reads as one row: =AS_SMS_CHECK(D2:D500, "催付") spilled across 499 columns. The functions
that take a column now declare ndim=2 (classic udfs.py and the Lite main.py); the tests pass values
shaped as xlwings passes them with and without that declaration.
"""
from __future__ import annotations

import ast
import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from addin.excel import udfs
from addin.excel.cell_values import to_cell

ROOT = Path(__file__).resolve().parents[1]
LITE_MAIN = ROOT / "workbook_templates" / "xlwings_lite" / "main.py"


def as_xlwings_passes(column: list, ndim2: bool):
    """A one-column range of `column` as xlwings hands it to a UDF: a scalar for one cell and a flat list
    for one column (default), or always a list of rows with ndim=2 (xlwings' conversion options)."""
    if ndim2:
        return [[v] for v in column]
    return column[0] if len(column) == 1 else list(column)


def _declared(path: Path) -> dict[str, set[str]]:
    """function name -> the argument names its decorators declare ndim=2 (read from the source)."""
    out: dict[str, set[str]] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for dec in node.decorator_list:
            if isinstance(dec, ast.Call) and getattr(dec.func, "attr", getattr(dec.func, "id", "")) == "arg" \
                    and any(k.arg == "ndim" and getattr(k.value, "value", None) == 2 for k in dec.keywords):
                out.setdefault(node.name, set()).add(dec.args[0].value)
    return out


@pytest.mark.parametrize("path", [ROOT / "addin" / "excel" / "udfs.py", LITE_MAIN], ids=["classic", "lite"])
def test_column_arguments_are_declared_two_dimensional(path):
    declared = _declared(path)
    assert declared == {name: set(args) for name, args in udfs.COLUMN_ARGS.items()}


TEXTS = ["【小美家居】亲，您的退款已完成，拒收请回复R", "亲，快付款吧", None, "x" * 80]


def test_a_column_of_texts_gives_a_column_of_results():
    column = as_xlwings_passes(TEXTS, ndim2=True)
    chars = udfs.AS_SMS_CHARS(column)
    assert chars == [[len(TEXTS[0])], [6], [0], [80]]
    assert udfs.AS_SMS_PARTS(column) == [[1], [1], [0], [2]]
    checks = udfs.AS_SMS_CHECK(column, as_xlwings_passes(["退款完成"], True), "小美家居")
    assert len(checks) == 4 and all(len(row) == 1 for row in checks)
    assert checks[2] == [""]
    lint = udfs.AS_LINT(column)
    assert len(lint) == 4 and all(len(row) == 1 for row in lint)
    # what the same column gave before the declaration: one row, spilling across
    assert len(udfs.AS_SMS_CHARS(as_xlwings_passes(TEXTS, ndim2=False))) == 1


def test_a_single_cell_still_gives_a_single_value():
    assert udfs.AS_SMS_CHARS(as_xlwings_passes(["亲，快付款吧"], True)) == 6
    assert udfs.AS_HOURS_END(as_xlwings_passes([dt.datetime(2026, 10, 3, 9)], True), [[48]]) == \
        to_cell(dt.datetime(2026, 10, 5, 9))


def test_date_functions_take_a_column_of_starts():
    starts = as_xlwings_passes([dt.datetime(2026, 10, 3, 9), dt.datetime(2026, 10, 4, 9), None], True)
    ends = udfs.AS_HOURS_END(starts, [[24]])
    assert ends == [[to_cell(dt.datetime(2026, 10, 4, 9))], [to_cell(dt.datetime(2026, 10, 5, 9))], [""]]
    for fn in (udfs.AS_DAYS_END, udfs.AS_LEGAL_END, udfs.AS_WORKDAYS_END, udfs.AS_JD_CLOCK_END):
        out = fn(starts, [[3]])
        assert len(out) == 3 and all(len(row) == 1 for row in out), fn.__name__


def test_lite_main_gives_the_same_column(tmp_path):
    spec = importlib.util.spec_from_file_location("lite_main_cols", LITE_MAIN)
    main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(main)
    column = as_xlwings_passes(["亲，快付款吧", 0, "x" * 80], True)      # Office.js: an empty cell is 0
    assert main.AS_SMS_PARTS(column) == [[1], [0], [2]]
