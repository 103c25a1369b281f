"""`aftersales new-workbook NEW.xlsm --from OLD.xlsx`: an existing workbook's content in the new layout.

The old file is only read (through a read-only session: calamine on one read of its bytes), never
written. What is carried, all by header text:
* 案件: every case row's inputs (the computed columns are left for the next recalc, which fills them
  in the new layout), and the staff's own columns (headers the add-in does not know), after the last
  column of the new layout, so no note is lost; totals rows (as recalc recognises them) are not cases
  and are not carried, only counted;
* 规则: the 值 of each 参数ID; 原因对照, 退订名单, 发送记录, 日志: their rows; 模板: per 模板ID the filled cells
  (edited templates, approved vendor templates); 日历: the rows whose date and kind the new sheet lacks.
* 导入记录 (hidden; what each import took from the exports): copied as it is, still hidden, so the next
  import still tells the cells staff corrected (importer/record.py).
* 发送队列 is not carried: `texts` rebuilds it. Other sheets are listed in the report, not carried.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openpyxl.styles import Font

from addin.core.parse import is_blank, to_text

from addin.workbook.sheets.catalogue import (ACTIVITY_LOG, ACTIVITY_LOG_SHEET_NAMES, CALENDAR, CALENDAR_SHEET_NAMES, CASES,
                                             GUIDE, IMPORT_RECORD, LOG_SHEET_NAMES, OPTOUT, OPTOUT_SHEET_NAMES, OUTBOX_SHEET_NAMES, POLICY,
                                             POLICY_SHEET_NAMES, REASON_MAP, REASON_SHEET_NAMES, SEND_LOG, SUMMARY,
                                             TEMPLATE_SHEET_NAMES, TEMPLATES, XLWINGS_CONF, find_sheet, normalise_header)
from addin.workbook.sheets.protected import totals_rows
from addin.workbook.sheets.reason_sheet import reason_table_from_grid
from addin.workbook.sheets.case_sheet import CaseSheetError, find_case_header, require_case_sheet
from addin.workbook.sheets.case_columns import INPUTS, LOOKUP, MESSAGE_INPUTS
from addin.workbook.files.session import Book
from addin.workbook.sheets.new_book import put_text_safe
from addin.workbook.files.xlsx_patch import col_letter

_INPUT_KEYS = {c.key for c in INPUTS + MESSAGE_INPUTS}
_TEXT_IDS = ("order_id", "refund_id", "phone", "tracking_no")
# How each settings sheet is carried: (names, new sheet, how, key header)
_SHEETS = (
    (POLICY_SHEET_NAMES, POLICY.name, "values", "参数ID"),
    (TEMPLATE_SHEET_NAMES, TEMPLATES.name, "cells", "模板ID"),
    (CALENDAR_SHEET_NAMES, CALENDAR.name, "missing", "日期"),
    (REASON_SHEET_NAMES, REASON_MAP.name, "replace", None),
    (OPTOUT_SHEET_NAMES, OPTOUT.name, "append", None),
    (LOG_SHEET_NAMES, SEND_LOG.name, "append", None),
    (ACTIVITY_LOG_SHEET_NAMES, ACTIVITY_LOG.name, "append", None),
    (IMPORT_RECORD.aliases, IMPORT_RECORD.name, "copy", None),      # no such sheet in a new book: see carry_into
)


@dataclass
class Carried:
    rows: list[dict] = field(default_factory=list)              # schema key -> value, one per case
    staff_headers: list[str] = field(default_factory=list)      # columns the add-in does not know
    staff_values: list[list] = field(default_factory=list)      # per case, in staff_headers order
    sheets: dict[str, list[list]] = field(default_factory=dict)  # new sheet name -> old grid
    left: list[str] = field(default_factory=list)               # old sheets not carried
    totals_rows: list[int] = field(default_factory=list)        # old 案件 rows that are not cases (合计 ...)
    changed: dict[str, int] = field(default_factory=dict)        # sheet -> cells or rows carried (after carry_into)
    not_carried: list[str] = field(default_factory=list)        # per old 案件 column: what did not come along


def _cell(key: str | None, value):
    """A value as the new sheet should hold it: whole-number ids back to digits (calamine reads 3.0e14).
    An id of 16+ digits stored as a number already lost digits: it stays a number, so the checks that
    refuse such ids still see it (as text it would pass for a real id)."""
    if isinstance(value, str) and not value.strip():
        return None
    if key in _TEXT_IDS and isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else value
    if isinstance(value, float) and value.is_integer() and key not in _TEXT_IDS:
        return int(value)
    return value


def read_old(book: Book) -> Carried:
    """Everything `new-workbook --from` carries out of the old workbook, opened read-only through the
    session (`open_book(OLD, write=False)`): one read of its bytes; the case sheet by name, its header
    found as recalc finds it (a missing or duplicated header is an error, so no column is dropped)."""
    names = book.sheet_names
    case_sheet = require_case_sheet(names, book.name)
    wanted = {new: find_sheet(names, old_names) for old_names, new, _, _ in _SHEETS}
    grids = book.read([case_sheet] + [n for n in wanted.values() if n], empty="")
    grid = grids[case_sheet]
    try:
        header = find_case_header(grid)
    except CaseSheetError as exc:
        raise exc.in_sheet(case_sheet) from None
    out = Carried()
    keys: dict[int, str] = {}
    staff: dict[int, str] = {}
    for i, text in enumerate(grid[header.row - 1], start=1):
        if is_blank(text):
            continue
        col = LOOKUP.get(normalise_header(text))
        if col is None:
            staff[i] = str(text).strip()
        elif col.key in _INPUT_KEYS and col.key not in keys.values():
            keys[i] = col.key
    # Totals rows (合计 lines, a Table's Total Row, SUM rows) are not cases: carried, their sums would
    # become fixed numbers among the cases. Found as recalc finds them, with the old book's 原因对照.
    reasons, _ = reason_table_from_grid(grids.get(wanted[REASON_MAP.name]) if wanted[REASON_MAP.name] else None)
    out.totals_rows = totals_rows(grid, header, book.layout(case_sheet), reasons)
    not_cases = set(out.totals_rows)
    # Notes typed in a column whose header cell is empty are the staff's too: carried under a header
    # naming the old column, so nothing typed is left behind without a word.
    for r, values in enumerate(grid[header.row:], start=header.row + 1):
        for i in range(1, len(values) + 1) if r not in not_cases else ():
            if i not in staff and not is_blank(values[i - 1]) and is_blank(_at(grid[header.row - 1], i)):
                staff[i] = f"{col_letter(i)}列(无标题)"
    staff = dict(sorted(staff.items()))
    out.staff_headers = list(staff.values())
    for r, values in enumerate(grid[header.row:], start=header.row + 1):
        if r in not_cases:
            continue
        row = {key: _cell(key, values[i - 1]) for i, key in keys.items() if i <= len(values)}
        row = {k: v for k, v in row.items() if v is not None}
        extra = [_cell(None, values[i - 1]) if i <= len(values) else None for i in staff]
        if row or any(v is not None for v in extra):
            out.rows.append(row)
            out.staff_values.append(extra)
    out.not_carried = _not_carried(book, case_sheet, header.row, grid, keys, staff, not_cases)
    for new, old in wanted.items():
        if old:
            out.sheets[new] = grids[old]
    used = {case_sheet, *(n for n in wanted.values() if n)}
    skip = {normalise_header(n) for n in OUTBOX_SHEET_NAMES + XLWINGS_CONF.aliases + SUMMARY.aliases + GUIDE.aliases}
    out.left = [n for n in names if n not in used and normalise_header(n) not in skip]
    return out


def _not_carried(book: Book, sheet: str, header_row: int, grid, keys: dict[int, str], staff: dict[int, str],
                 not_cases: set[int]) -> list[str]:
    """What of the old 案件 sheet the new book will not have, per column, worded for the command's output:
    a column of ours that the add-in computes (状态, 赔偿金额 ...: recalc fills the new one), and, in the
    columns carried, formulas (carried as their values), notes, fills, hyperlinks and drop-down lists
    (only values are carried). Read with openpyxl from the bytes already read (never written)."""
    import io
    import openpyxl

    head = grid[header_row - 1]
    lines = []
    for i, text in enumerate(head, start=1):
        if i in keys or i in staff or is_blank(text):
            continue
        filled = sum(1 for r, row in enumerate(grid[header_row:], start=header_row + 1)
                     if r not in not_cases and i <= len(row) and not is_blank(row[i - 1]))
        if filled:
            lines.append(f"「{str(text).strip()}」: 计算列, {filled} 格未搬, 由 recalc 重新计算 / a computed column: "
                         f"{filled} cells not carried, recalc computes them again")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(book.data), rich_text=False)
    except Exception:  # noqa: BLE001 - a book calamine read but openpyxl cannot: say so rather than stop
        return lines + ["未能检查公式、批注、填充色、超链接和下拉列表 / formulas, notes, fills, hyperlinks and drop-downs "
                        "could not be checked"]
    ws = wb[sheet]
    names = {**{i: str(head[i - 1]).strip() for i in keys}, **staff}
    counts: dict[int, dict[str, int]] = {}
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            c = cell.column
            if c not in names or cell.row in not_cases:
                continue
            found = counts.setdefault(c, {})
            if cell.data_type == "f":
                found["公式→值 formulas as values"] = found.get("公式→值 formulas as values", 0) + 1
            if cell.comment is not None:
                found["批注 notes"] = found.get("批注 notes", 0) + 1
            if cell.hyperlink is not None:
                found["超链接 hyperlinks"] = found.get("超链接 hyperlinks", 0) + 1
            if cell.fill is not None and cell.fill.fill_type not in (None, "none"):
                found["填充色 fills"] = found.get("填充色 fills", 0) + 1
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for c in range(rng.min_col, rng.max_col + 1):
                if c in names and rng.max_row > header_row:
                    found = counts.setdefault(c, {})
                    found["下拉列表/数据验证 drop-downs"] = found.get("下拉列表/数据验证 drop-downs", 0) + 1
    for c in sorted(counts):
        if counts[c]:
            what = ", ".join(f"{k} {n}" for k, n in counts[c].items())
            lines.append(f"「{names[c]}」: 只搬了值, 未搬 not carried (only values): {what}")
    return lines


def _at(values: list, col: int):
    return values[col - 1] if col <= len(values) else None


def _header_index(values: list) -> dict[str, int]:
    return {normalise_header(v): i for i, v in enumerate(values) if not is_blank(v)}


def carry_into(wb, carried: Carried) -> None:
    """Write what was carried into a new workbook (openpyxl, before it is saved); 案件 rows are already in
    it (make_workbook's rows), this adds the staff columns and the settings sheets."""
    ws = wb[CASES.name]
    if carried.staff_headers:
        first = ws.max_column + 1
        for j, head in enumerate(carried.staff_headers):
            ws.cell(row=1, column=first + j, value=head).font = Font(bold=True)
            for r, values in enumerate(carried.staff_values, start=2):
                if values[j] is not None:
                    put_text_safe(ws.cell(row=r, column=first + j), values[j])
        carried.changed["案件(自有列)"] = len(carried.staff_headers)
    for _, new, how, key in _SHEETS:
        old = carried.sheets.get(new)
        if not old or new not in wb.sheetnames:
            continue
        carried.changed[new] = _merge(wb[new], old, how, key)
    record = carried.sheets.get(IMPORT_RECORD.name)
    if record and IMPORT_RECORD.name not in wb.sheetnames:
        ws = wb.create_sheet(IMPORT_RECORD.name)
        ws.sheet_state = "hidden"
        for r, values in enumerate(record, start=1):
            for c, value in enumerate(values, start=1):
                if (value := _cell(None, value)) is not None:
                    put_text_safe(ws.cell(row=r, column=c), value)
        carried.changed[IMPORT_RECORD.name] = max(len(record) - 1, 0)


def _merge(ws, old: list[list], how: str, key: str | None) -> int:
    """Carry the old sheet's rows into the new one by header; returns rows (or cells) carried."""
    new_head = [c.value for c in ws[1]]
    new_index = _header_index(new_head)
    old_index = _header_index(old[0]) if old else {}
    pairs = [(oi, new_index[h]) for h, oi in old_index.items() if h in new_index]
    rows = [r for r in old[1:] if any(not is_blank(v) for v in r)]
    if how in ("append", "replace"):
        start = 2 if how == "replace" else ws.max_row + 1
        if how == "replace":
            ws.delete_rows(2, ws.max_row)
        for n, values in enumerate(rows):
            for oi, ni in pairs:
                if oi < len(values):
                    put_text_safe(ws.cell(row=start + n, column=ni + 1), _cell(None, values[oi]))
        return len(rows)
    k_old, k_new = old_index.get(normalise_header(key)), new_index.get(normalise_header(key))
    if k_old is None or k_new is None:
        return 0
    by_key = {_key(ws.cell(row=r, column=k_new + 1).value): r for r in range(2, ws.max_row + 1)}
    count = 0
    if how == "missing":            # 日历: rows (日期 + 类型) the new sheet lacks
        kind_new, kind_old = new_index.get("类型"), old_index.get("类型")
        have = {(_key(ws.cell(row=r, column=k_new + 1).value),
                 ws.cell(row=r, column=kind_new + 1).value if kind_new is not None else None)
                for r in range(2, ws.max_row + 1)}
        for values in rows:
            mark = (_key(values[k_old]), values[kind_old] if kind_old is not None and kind_old < len(values) else None)
            if mark[0] is None or mark in have:
                continue
            r = ws.max_row + 1
            for oi, ni in pairs:
                if oi < len(values):
                    ws.cell(row=r, column=ni + 1, value=_cell(None, values[oi]))
            ws.cell(row=r, column=k_new + 1).number_format = "yyyy-mm-dd"
            count += 1
        return count
    # 规则: only the 值 the staff changed (值 ≠ 默认值 in the old sheet), so a default that a newer version
    # corrected is not pinned to the old one.
    targets = [new_index[normalise_header("值")]] if how == "values" and normalise_header("值") in new_index else None
    old_default = old_index.get(normalise_header("默认值"))
    old_value = old_index.get(normalise_header("值"))
    for values in rows:
        r = by_key.get(_key(values[k_old] if k_old < len(values) else None))
        if r is None:
            continue
        if how == "values" and old_default is not None and old_value is not None and max(old_default, old_value) < len(values) \
                and to_text(values[old_value]) == to_text(values[old_default]):
            continue
        for oi, ni in pairs:
            if oi >= len(values) or is_blank(values[oi]) or ni == k_new:
                continue
            if targets is not None and ni not in targets:
                continue
            cell = ws.cell(row=r, column=ni + 1)
            value = _cell(None, values[oi])
            if cell.value != value:
                put_text_safe(cell, value)
                count += 1
    return count


def _key(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip() or None
    return value
