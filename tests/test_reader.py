"""Fast read: addin.workbook.files.reader (python-calamine)."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from addin.workbook.files.reader import SheetNotFoundError, read_sheet, read_workbook, sheet_names


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws["C3"] = "订单"  # data starts at an offset: calamine's range begins at C3
    ws["E3"] = 1.5
    ws["D4"] = dt.datetime(2026, 1, 2, 3, 4)
    ws["C5"] = True
    ws["F5"] = 7
    ws["D5"] = dt.date(2026, 5, 1)
    ws["D5"].number_format = "yyyy-mm-dd"
    ws["E5"] = dt.time(9, 30)
    ws["E4"] = "=1+1"  # a formula without a cached value reads as empty
    wb.create_sheet("规则")["A1"] = "比例"
    wb["规则"]["B1"] = 0.3
    wb.create_sheet("空")
    wb.save(path)
    return path


def test_sheet_names(book):
    assert sheet_names(book) == ["案件", "规则", "空"]


def test_grid_is_absolute(book):
    grid = read_sheet(book, "案件")
    assert len(grid) == 5
    assert all(len(row) == 6 for row in grid)  # A..F, padded to equal width
    assert grid[0] == grid[1] == [None] * 6  # rows 1-2 are above the data
    assert grid[2] == [None, None, "订单", None, 1.5, None]
    assert grid[3][3] == dt.datetime(2026, 1, 2, 3, 4)
    assert grid[4][2] is True and grid[4][5] == 7
    assert grid[4][3] == dt.date(2026, 5, 1)
    assert grid[4][4] == dt.time(9, 30)


def test_empty_cells_are_none(book):
    grid = read_sheet(book, "案件")
    assert "" not in {v for row in grid for v in row if isinstance(v, str)}
    assert grid[3][4] is None


def test_read_workbook_opens_once_for_several_sheets(book):
    grids = read_workbook(book, ["规则", "案件", "空"])
    assert list(grids) == ["规则", "案件", "空"]
    assert grids["规则"] == [["比例", 0.3]]
    assert grids["空"] == []


def test_missing_sheet(book):
    with pytest.raises(SheetNotFoundError) as err:
        read_sheet(book, "日志")
    assert isinstance(err.value, KeyError)
    assert "'日志' not found" in str(err.value) and "案件, 规则, 空" in str(err.value)
