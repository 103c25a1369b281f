"""Case sheets built with openpyxl and read back with the product's reader (calamine), the way staff's
books look and the way staff would see them."""
from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from addin.workbook.files.reader import read_workbook
from addin.workbook.sheets.case_columns import INPUTS, OUTPUTS, HeaderMap, find_header_row
from addin.workbook.sheets.new_book import put_text_safe

H = {c.key: c.header for c in INPUTS + OUTPUTS}          # Case field / output key -> Chinese header
OUTPUT_HEADERS = [c.header for c in OUTPUTS]


# --------------------------------------------------------------------------- building

def make_book(path: Path, header: list[str], rows: list[dict | None], *, above: list[list] = (),
              rules: dict | None = None) -> Path:
    """A plain .xlsx: optional rows above the header, the header, then one row per dict (keyed by header
    text; None = a blank row). Numbers stay General (so a serial is read as a number, not a date).
    `rules`: 规则 sheet values by id (no 规则 sheet without it)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    if rules:
        policy = wb.create_sheet("规则")
        policy.append(["参数ID", "值"])
        for key, value in rules.items():
            policy.append([key, value])
    for values in above:
        ws.append(list(values))
    ws.append(header)
    first = ws.max_row + 1
    for r, values in enumerate(rows, start=first):
        for name, value in (values or {}).items():
            put_text_safe(ws.cell(row=r, column=header.index(name) + 1), value)   # '=..' stays text
    wb.save(path)
    return path


def case(order_id, platform, reason, **fields) -> dict:
    """A case row keyed by Chinese header, from Case field names (None = leave the cell empty)."""
    values = dict(order_id=order_id, platform=platform, reason=reason, **fields)
    return {H[k]: v for k, v in values.items() if v is not None}


BASIC_HEADER = [H["order_id"], H["platform"], H["reason"], H["paid"]]
THREE_CASES = [case("A1", "淘宝", "延迟发货", paid=89), case("A2", "天猫", "延迟发货", paid=89),
               case("A3", "淘宝", "延迟发货", paid=1299)]


def table_book(path: Path, *, totals: bool, header: list[str] = BASIC_HEADER, rows=THREE_CASES, right_note: str | None = None) -> Path:
    """The cases as an Excel Table named 案件表 (A1 to the last header), optionally with a totals row that
    sums 实付金额 (and 赔偿金额 when present) with SUBTOTAL, as Excel's Total Row does."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(header)
    for values in rows:
        ws.append([values.get(h) for h in header])
    last = len(rows) + 1
    if totals:
        last += 1
        ws.cell(last, 1, "合计")
        for name in (H["paid"], "赔偿金额"):
            if name in header:
                ws.cell(last, header.index(name) + 1, f"=SUBTOTAL(109,案件表[{name}])")
    if right_note:
        ws.cell(2, len(header) + 2, right_note)            # staff jotted a note one column right of the Table
    ref = f"A1:{openpyxl.utils.get_column_letter(len(header))}{last}"
    table = Table(displayName="案件表", ref=ref, totalsRowCount=1 if totals else None,
                  tableStyleInfo=TableStyleInfo(name="TableStyleMedium2", showRowStripes=True))
    if totals:
        table.tableColumns = [TableColumn(id=i, name=h, totalsRowFunction="sum" if h in (H["paid"], "赔偿金额") else None,
                                          totalsRowLabel="合计" if i == 1 else None)
                              for i, h in enumerate(header, start=1)]
    last_data = last - 1 if totals else last
    table.autoFilter = AutoFilter(ref=f"A1:{openpyxl.utils.get_column_letter(len(header))}{last_data}")
    ws.add_table(table)
    wb.save(path)
    return path


# --------------------------------------------------------------------------- reading back

def read_back(path: Path) -> tuple[list[list], HeaderMap]:
    """The case sheet as calamine reads it, and its header map."""
    grid = read_workbook(path, ["案件"])["案件"]
    return grid, find_header_row(grid)


def out(grid, header, row: int, key: str):
    """The value of output (or input) column `key` in Excel row `row`."""
    col = header.column_of(key)
    values = grid[row - 1]
    return values[col - 1] if col - 1 < len(values) else None


def case_records(path: Path) -> list[dict]:
    """The case sheet's rows under its header, as {header text: value}."""
    grid, header = read_back(path)
    heads = [str(v) for v in grid[header.row - 1]]
    return [dict(zip(heads, row)) for row in grid[header.row:]]


def case_grid(path: Path) -> list[list]:
    """The 案件 sheet; header texts without the '*' that marks a required column."""
    grid = read_workbook(path, ["案件"])["案件"]
    grid[0] = [h.rstrip("*") if isinstance(h, str) else h for h in grid[0]]
    return grid


def rows_by_order(path: Path) -> dict[str, dict]:
    """Order id -> the row's non-empty cells by header (required marks dropped)."""
    grid = case_grid(path)
    head = grid[0]
    return {row[head.index("订单号")]: {h: v for h, v in zip(head, row) if v not in (None, "")} for row in grid[1:]
            if row[head.index("订单号")] not in (None, "")}


def load(path: Path) -> openpyxl.Workbook:
    """openpyxl's reading of a book (to check what calamine does not read: notes, tables, validation)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # extLst / x14 / data-validation-extension warnings
        return openpyxl.load_workbook(path, keep_vba=True)


def files_in(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()}
