"""The 案件 sheet as every command finds and reads it: which sheet, which header row, where each input
cell is, what recalc may write over; and the error that stops a whole book (CaseSheetError)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from addin.core.parse import is_blank
from addin.core.status import STATUSES
from addin.workbook.files.session import BookError
from addin.workbook.files.xlsx_patch import col_letter
from addin.workbook.sheets.case_columns import OUTPUTS, HeaderMap, find_header_row
from addin.workbook.sheets.catalogue import CASE_SHEET_NAMES, find_sheet
from addin.workbook.sheets.case_rows import INPUT_BY_KEY
from addin.workbook.sheets.protected import Protection

HEADER_OF = {c.key: c.header for c in OUTPUTS}       # output key -> its header text


class CaseSheetError(BookError):
    """The case sheet as a whole cannot be processed (no case sheet, no header row, duplicate headers)."""

    def __init__(self, zh: str, en: str, kind: str = "recalc"):
        super().__init__(zh, en, kind)

    def in_sheet(self, sheet: str) -> "CaseSheetError":
        return CaseSheetError(f"工作表「{sheet}」: {self.zh}", f"sheet {sheet!r}: {self.en}", self.kind)


def require_case_sheet(names: list[str], book: str = "") -> str:
    """The case sheet, by name or alias only: never "the first sheet" (it may be a raw export)."""
    found = find_sheet(names, CASE_SHEET_NAMES)
    if found is None:
        raise CaseSheetError(f"找不到案件工作表 (应命名为 {'/'.join(CASE_SHEET_NAMES)}); {book} 中的工作表: {', '.join(names)}",
                          f"no case sheet (it must be named {' / '.join(CASE_SHEET_NAMES)}); sheets in {book}: "
                          f"{', '.join(names)}", "no_sheet")
    return found


def cell_locator(header: HeaderMap, r: int):
    """locate(field) for row r: 'H49「实付金额」', or the header and that the column is missing."""
    def addr(field_name: str) -> str:
        col = header.inputs.get(field_name)
        head = INPUT_BY_KEY[field_name].header
        return f"{col_letter(col)}{r}「{head}」" if col else f"「{head}」列不存在"
    return addr


def foreign_status_column(grid: list[list], header: HeaderMap, protection: Protection | None = None) -> bool:
    """Whether the sheet's 状态 column holds anything but our five words: then it is staff's own
    column of that name and recalc leaves it alone. Totals rows (a count of 状态 in a 合计 row) and
    formula cells, which recalc never writes, do not count."""
    c = header.outputs.get("status")
    if c is None:
        return False
    prot = protection or Protection()
    return any(c <= len(values) and foreign_status_at(r, values, c, prot)
               for r, values in enumerate(grid[header.row:], start=header.row + 1))


def foreign_status_at(r: int, values: list, c: int, prot: Protection) -> bool:
    """Whether row r's 状态 cell (column c) holds words recalc did not write there."""
    v = values[c - 1]
    return not is_blank(v) and str(v).strip() not in STATUSES and c not in prot.formulas.get(r, ()) \
        and not prot.is_totals_row(r, values)


def same_value(old, new) -> bool:
    """Whether a cell already holds the value (so it need not be rewritten)."""
    if new is None:
        return is_blank(old)
    if isinstance(new, Decimal) and isinstance(old, (int, float)) and not isinstance(old, bool):
        return Decimal(repr(float(old))) == new
    if isinstance(new, dt.datetime) and isinstance(old, dt.datetime):
        return abs((old - new).total_seconds()) < 1
    if type(new) in (int, float) and type(old) in (int, float):    # calamine reads 56 back as 56.0
        return old == new
    return type(old) is type(new) and old == new


def find_case_header(grid: list[list]) -> HeaderMap:
    """The header row, or a CaseSheetError: none found, or two cells naming the same column."""
    header = find_header_row(grid)
    if header is None:
        raise CaseSheetError("找不到表头行: 前15行中没有包含「订单号」「平台」「售后原因」等列名的行",
                          "no header row: none of the first 15 rows names known columns such as 订单号/平台/售后原因",
                          "no_header")
    if header.duplicates:
        values = grid[header.row - 1]
        pairs_zh, pairs_en = [], []
        for a, b in header.duplicates:
            ra, rb = f"{col_letter(a)}{header.row}", f"{col_letter(b)}{header.row}"
            pairs_zh.append(f"{ra}「{values[a - 1]}」与 {rb}「{values[b - 1]}」")
            pairs_en.append(f"{ra} ({values[a - 1]}) and {rb} ({values[b - 1]})")
        raise CaseSheetError("表头重复, 同一列出现两次: " + "; ".join(pairs_zh) + "。请删除或改名其中一个",
                          "duplicate headers name the same column: " + "; ".join(pairs_en) + "; delete or rename one",
                          "duplicate_header")
    return header
