"""The re-import's shortcuts (docs/dev/speed.md, Import: issue 22) give what the long way gives.

Each case below imports an export into a real book, changes the book the way staff or the other
commands do (nothing; lines changed and added; cells edited; rows cleared, archived, swapped; a recalc;
a column header removed so the import adds the column; a 合计 row), then imports again twice from
copies of that book: once as shipped, once with every shortcut replaced by the code it stands in for
(the long way). The summaries, the counts, the exit (error or not) and every byte of every sheet must
agree. The layout shortcut is also compared field by field with the full scan.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from addin.cli import main
from addin.core.parse import CellError, to_platform, to_text
from addin.workbook.commands.archive import archive_book
from addin.workbook.commands.importer import import_exports, upsert
from addin.workbook.commands.importer.files import clean_cell
from addin.workbook.files import session as session_module
from addin.workbook.files.reader import read_workbook
from addin.workbook.files.session import open_book
from addin.workbook.files.xlsx_patch import SheetEdit
from addin.workbook.files.xlsx_patch.scan import DeferredLayout, SheetLayout, read_layout, read_layout_deferred
from addin.workbook.sheets import protected
from addin.workbook.sheets.case_sheet import find_case_header
from tests.helpers.books import table_book
from tests.helpers.exports import export_rows, qn_line, write_export
from tests.helpers.zips import members

ORDERS = [f"30002000000000000{i:02d}" for i in range(1, 9)]


def _lines(changed: bool = False) -> list[list]:
    lines = [qn_line(o, f"1800000000000000{i:02d}", ("七天无理由退换货", "少件/漏发", "质量问题")[i % 3],
                     paid=f"{80 + i % 3}.00", refund_amount=f"{20 + i % 2}.00", status=("退款成功", "等待卖家同意")[i % 2],
                     buyer=f"tb_{i % 3}", applied=("2026-10-10 10:00:30", "2026-10-10 10:05", "2026-10-10")[i % 3])
             for i, o in enumerate(ORDERS)]
    if changed:
        # 21.00: another line's amount (a remembered comparison must be of this pair of values)
        lines[2] = qn_line(ORDERS[2], "180000000000000002", "质量问题", paid="82.00", refund_amount="21.00",
                           status="退款关闭", buyer="tb_2", applied="2026-10-10")
        lines.append(qn_line("3000200000000000099", "180000000000000099", "少件/漏发"))
    return lines


def _export(tmp_path: Path, name: str, changed: bool = False) -> Path:
    return write_export(tmp_path / f"{name}.gbk.csv", export_rows("QN", _lines(changed)))


def _case_rows(book: Path) -> tuple[list[list], dict[str, int]]:
    grid = read_workbook(book, ["案件"])["案件"]
    return grid, dict(find_case_header(grid).inputs)


def _patch_cases(book: Path, cells: dict) -> None:
    with open_book(book) as s:
        s.patch({"案件": SheetEdit(cells=cells)})


def _row_of(grid, cols, order) -> int:
    return next(r for r, row in enumerate(grid, start=1) if row[cols["order_id"] - 1] == order)


# --------------------------------------------------------------------------- what staff do between imports

def _nothing(book, tmp_path):
    pass


def _staff_edits(book, tmp_path):
    grid, cols = _case_rows(book)
    r = _row_of(grid, cols, ORDERS[1])
    _patch_cases(book, {(r, cols["buyer"]): "王小二", (r, cols["refund_amount"]): 5.5,
                        (_row_of(grid, cols, ORDERS[3]), cols["refund_status"]): None,
                        (_row_of(grid, cols, ORDERS[4]), cols["reason"]): "七天无理由",      # another wording
                        (_row_of(grid, cols, ORDERS[5]), cols["platform"]): "天猫",
                        (_row_of(grid, cols, ORDERS[7]), cols["order_id"]): ORDERS[7] + " "})   # typed by hand


def _rows_cleared(book, tmp_path):
    grid, cols = _case_rows(book)
    r = _row_of(grid, cols, ORDERS[2])
    _patch_cases(book, {(r, c): None for c in range(1, len(grid[r - 1]) + 1)})


def _rows_swapped(book, tmp_path):
    grid, cols = _case_rows(book)
    a, b = _row_of(grid, cols, ORDERS[0]), _row_of(grid, cols, ORDERS[6])
    cells = {}
    for c in range(1, len(grid[0]) + 1):
        cells[(a, c)], cells[(b, c)] = grid[b - 1][c - 1], grid[a - 1][c - 1]
    _patch_cases(book, cells)


def _recalc(book, tmp_path):
    assert main(["recalc", str(book), "--now", "2026-10-12 10:00", "--quiet"]) == 0


def _archived(book, tmp_path):
    _recalc(book, tmp_path)
    assert archive_book(book, now=dt.datetime(2027, 6, 1, 10, 0)).rows      # some rows did move


def _header_removed(book, tmp_path):
    """The 买家 header cleared, a note right of the used columns: the import adds the column after it."""
    grid, cols = _case_rows(book)
    header_row = find_case_header(grid).row
    _patch_cases(book, {(header_row, cols["buyer"]): None, (2, len(grid[0]) + 2): "备注: 别动"})


def _totals_row(book, tmp_path):
    grid, cols = _case_rows(book)
    last = max(r for r, row in enumerate(grid, start=1) if any(v not in (None, "") for v in row))
    _patch_cases(book, {(last + 1, cols["order_id"]): "合计", (last + 1, cols["refund_amount"]): 999.0})


CASES = {"unchanged": (_nothing, False), "lines changed and added": (_nothing, True),
         "staff edits": (_staff_edits, False), "staff edits and a changed export": (_staff_edits, True),
         "a row cleared": (_rows_cleared, True), "rows swapped": (_rows_swapped, True),
         "recalc between": (_recalc, False), "recalc and a changed export": (_recalc, True),
         "archived": (_archived, True), "a header removed": (_header_removed, False),
         "a totals row": (_totals_row, True)}


# --------------------------------------------------------------------------- the long way

def _id_long(value) -> str:
    value = clean_cell(value)
    return "" if value is None else to_text(value)


def _platform_long(cell, seen):
    try:
        return to_platform(cell)
    except CellError:
        return None


def _the_long_way(monkeypatch) -> None:
    monkeypatch.delattr(session_module.Book, "layout_deferred")      # the full layout, XML not kept
    monkeypatch.setattr(upsert, "_id", _id_long)
    monkeypatch.setattr(upsert, "_platform_code", _platform_long)
    monkeypatch.setattr(upsert, "_same_remembered",
                        lambda old, new, key, row_type, platform, reasons, seen:
                        upsert._same(old, new, key, row_type, platform, reasons))
    monkeypatch.setattr(protected, "_has_new_label", lambda values, seen: protected.has_total_label(values))


def _outcome(book: Path, export: Path, **options):
    try:
        report = import_exports(book, [export], **options)
    except Exception as exc:  # noqa: BLE001 - the refusal itself is compared
        return ("refused", type(exc).__name__, str(exc)), members(book)
    return (report.lines(), report.lines(dry_run=True), report.added, report.updated, report.unchanged,
            report.cells, report.record_cells, report.written), members(book)


@pytest.mark.parametrize("export_wins", [False, True])
@pytest.mark.parametrize("case", list(CASES))
def test_a_reimport_gives_what_the_long_way_gives(case, export_wins, new_book, tmp_path, monkeypatch):
    between, changed = CASES[case]
    first = _export(tmp_path, "first")
    import_exports(new_book, [first])
    between(new_book, tmp_path)
    again = _export(tmp_path, "again", changed)
    fast_book, long_book = (Path(shutil.copy(new_book, tmp_path / f"{n}.xlsm")) for n in ("fast", "long"))

    fast = _outcome(fast_book, again, export_wins=export_wins)
    with monkeypatch.context() as m:
        _the_long_way(m)
        long = _outcome(long_book, again, export_wins=export_wins)
    assert fast[0] == long[0]
    assert fast[1] == long[1]
    if case == "unchanged":                                 # the case the shortcuts are for: nothing written
        assert fast[0][2:] == (0, 0, 8, 0, 0, False) and fast[1] == members(new_book)
    if case.startswith("staff edits") and not export_wins:
        assert "保留人工修改" in "\n".join(fast[0][0])       # the kept edits are listed, as before


def test_the_long_way_is_not_the_shortcut(monkeypatch):
    """The comparison above compares two different code paths (else it could not fail)."""
    with monkeypatch.context() as m:
        _the_long_way(m)
        assert not hasattr(session_module.Book, "layout_deferred")
        assert upsert._id is _id_long and upsert._platform_code is _platform_long
    assert hasattr(session_module.Book, "layout_deferred") and upsert._id is not _id_long


# --------------------------------------------------------------------------- the deferred layout

def _fields(layout) -> tuple:
    return (layout.formulas, layout.array_ranges, layout.last_used_col, layout.merged,
            [(t.name, t.ref, t.totals_rows) for t in layout.tables], layout.formula_cells(),
            [layout.formula_at(r, c) for r in range(1, 12) for c in range(1, 12)])


def _layouts(book: Path, sheet: str = "案件"):
    data = book.read_bytes()
    import io
    return read_layout(io.BytesIO(data), sheet), read_layout_deferred(io.BytesIO(data), sheet)


def test_a_deferred_layout_answers_as_the_full_scan(new_book, tmp_path):
    import_exports(new_book, [_export(tmp_path, "first")])
    _patch_cases(new_book, {(3, 120): "右边的备注"})          # the rightmost used column: far right
    full, deferred = _layouts(new_book)
    assert isinstance(deferred, DeferredLayout)
    assert deferred.formula_cells() == set() and not deferred.scanned      # known without the scan
    assert deferred.table_with_header(1, [1, 2]) is None and not deferred.scanned
    assert _fields(deferred) == _fields(full)
    assert deferred.scanned and full.last_used_col == 120


def test_a_sheet_with_a_formula_or_a_table_gets_the_full_layout(tmp_path):
    book = table_book(tmp_path / "t.xlsx", totals=True, right_note="看这里")
    full, deferred = _layouts(book)
    assert isinstance(deferred, SheetLayout) and full.formulas      # a SUBTOTAL: scanned up front
    assert _fields(deferred) == _fields(full)
    plain = table_book(tmp_path / "p.xlsx", totals=False, right_note="看这里")
    full, deferred = _layouts(plain)
    assert isinstance(deferred, DeferredLayout) and deferred.tables      # the Table without the scan
    assert deferred.table_with_header(1, [1, 2]) == full.table_with_header(1, [1, 2]) is not None
    assert _fields(deferred) == _fields(full)
