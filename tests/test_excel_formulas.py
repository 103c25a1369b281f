"""A generated workbook whose cells hold AS_ formulas, evaluated by a real formula engine (`formulas`),
gives the values the 重新计算 button and `aftersales recalc` (compute_sheet) give."""
from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula

formulas = pytest.importorskip("formulas")

from addin.demo import sample_rows  # noqa: E402
from addin.excel import functions, udfs  # noqa: E402
from addin.excel.cell_values import to_cell  # noqa: E402
from addin.workbook.files.reader import read_sheet  # noqa: E402
from addin.workbook.commands.compute import compute_sheet  # noqa: E402
from addin.workbook.sheets.case_rows import excel_instant  # noqa: E402
from addin.workbook.sheets.case_columns import OUTPUTS  # noqa: E402
from addin.workbook.sheets.new_book import build_workbook  # noqa: E402
from tests.helpers.clock import NOW_BUTTONS




def _plain(arg):
    """formulas hands over Ranges (numpy arrays with an 'empty' token); xlwings hands over lists and None."""
    value = getattr(arg, "value", arg)
    if isinstance(value, np.ndarray):
        return [[None if str(v) == "empty" else v.item() if hasattr(v, "item") else v for v in row]
                for row in value.tolist()]
    return value


def _register():
    functions = formulas.get_functions()
    for name in [n for n in dir(udfs) if n.startswith("AS_")]:
        udf = getattr(udfs, name)

        def call(*args, _udf=udf):
            result = _udf(*[_plain(a) for a in args])
            return np.array(result, dtype=object) if isinstance(result, list) else result
        functions[name] = call


def _cell_value(v):
    v = v.tolist() if isinstance(v, np.ndarray) else v
    while isinstance(v, list):
        v = v[0]
    return v


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    _register()
    folder = tmp_path_factory.mktemp("formulas")
    rows = sample_rows()[:24]
    plain = build_workbook(folder / "cases.xlsx", rows)
    grid = read_sheet(plain, "案件")
    n = len(rows)

    wb = openpyxl.load_workbook(plain)
    ws = wb["案件"]
    last = get_column_letter(ws.max_column)
    heads = f"$A$1:${last}$1"
    first_free = ws.max_column + 2
    left, right = get_column_letter(first_free), get_column_letter(first_free + len(OUTPUTS) - 1)
    # one array formula over every row: AS_OUTPUTS spills the computed block, as in Excel 365
    ws[f"{left}2"] = ArrayFormula(f"{left}2:{right}{n + 1}", f"=AS_OUTPUTS({heads},A2:{last}{n + 1})")
    # and per-row single-cell formulas
    per_row = {"comp": first_free + len(OUTPUTS) + 1, "next": first_free + len(OUTPUTS) + 2,
               "r72": first_free + len(OUTPUTS) + 3, "ret": first_free + len(OUTPUTS) + 4}
    for r in range(2, n + 2):
        ws.cell(row=r, column=per_row["comp"], value=f"=AS_COMPENSATION({heads},A{r}:{last}{r})")
        ws.cell(row=r, column=per_row["next"], value=f"=AS_NEXT_DEADLINE({heads},A{r}:{last}{r})")
        ws.cell(row=r, column=per_row["r72"], value=f'=AS_DEADLINE("R7-2",{heads},A{r}:{last}{r})')
        ws.cell(row=r, column=per_row["ret"], value=f'=AS_FREIGHT_PAYER("退货",{heads},A{r}:{last}{r})')
    ws["A40"], ws["B40"] = "2026-09-30 10:00", "=AS_WORKDAYS_END(A40,7)"
    ws["C40"], ws["D40"] = "=AS_SMS_PARTS(D40)", "字" * 80
    with_formulas = folder / "formulas.xlsx"
    wb.save(with_formulas)

    # 状态 depends on 'now': the functions read the clock, the test pins it to the buttons' NOW_BUTTONS
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(functions, "_minute", lambda: NOW_BUTTONS)
        solution = formulas.ExcelModel().loads(str(with_formulas)).finish().calculate()
    values = {}
    for key, cell in solution.items():
        if "]案件'!" not in key:
            continue
        ref = key.split("!")[-1]
        if ":" in ref:        # an array range: spread its values over its cells
            start, _ = ref.split(":")
            col0, row0 = openpyxl.utils.cell.coordinate_from_string(start)
            block = np.atleast_2d(cell.value)
            for i, row in enumerate(block):
                for j, v in enumerate(row):
                    values[(row0 + i, openpyxl.utils.column_index_from_string(col0) + j)] = v
        else:
            col, row = openpyxl.utils.cell.coordinate_from_string(ref)
            values[(row, openpyxl.utils.column_index_from_string(col))] = _cell_value(cell.value)
    return grid, n, first_free, per_row, values


def _as_button_writes(value):
    return to_cell(excel_instant(value) if isinstance(value, dt.datetime) else value)


def test_array_formula_equals_compute_sheet(evaluated):
    grid, n, first_free, _, values = evaluated
    sheet = compute_sheet(grid, now=NOW_BUTTONS)
    header = sheet.header
    out_cols = {**header.outputs, **sheet.new_columns}
    checked = 0
    for r in range(2, n + 2):
        for j, col in enumerate(OUTPUTS):
            got = values[(r, first_free + j)]
            want = _as_button_writes(sheet.cells.get((r, out_cols[col.key]), grid[r - 1][out_cols[col.key] - 1]
                                                      if out_cols[col.key] - 1 < len(grid[r - 1]) else None))
            if col.key == "errors" and isinstance(want, str):
                # the button names the cell (K5「签收时间」), a formula the column (「签收时间」)
                want = __import__("re").sub(r"[A-Z]+\d+「", "「", want)
            assert got == want, (r, col.header)
            checked += 1
    assert checked == n * len(OUTPUTS)


def test_single_cell_formulas_equal_compute_sheet(evaluated):
    grid, n, _, per_row, values = evaluated
    sheet = compute_sheet(grid)
    out_cols = {**sheet.header.outputs, **sheet.new_columns}
    compared = 0
    for r in range(2, n + 2):
        res = sheet.results.get(r)
        if res is None:   # an unreadable row: every function shows the reason, naming the column
            assert all(str(values[(r, c)]).startswith("「") for c in per_row.values()), r
            continue
        amount = sheet.cells.get((r, out_cols["comp_amount"]))
        if amount is not None and not _is_tm_merged(res):
            assert values[(r, per_row["comp"])] == float(amount), r
            compared += 1
        r72 = next((d.at for d in res.deadlines if d.kind == "R7-2"), None)
        assert values[(r, per_row["r72"])] == (_as_button_writes(r72) if r72 else "")
        assert values[(r, per_row["next"])] == _as_button_writes(sheet.cells.get((r, out_cols["next_deadline"])))
        assert values[(r, per_row["ret"])] == _as_button_writes(sheet.cells.get((r, out_cols["ret_payer"])))
    assert compared >= 8


def _is_tm_merged(result) -> bool:
    """A row alone cannot know its sibling payments: the shared Tmall cap needs the whole column."""
    return "合并封顶" in (result.compensation.note if result.compensation else "")


def test_clock_and_text_formulas(evaluated):
    *_, values = evaluated
    assert values[(40, 2)] == udfs.AS_WORKDAYS_END("2026-09-30 10:00", 7)
    assert values[(40, 3)] == 2
