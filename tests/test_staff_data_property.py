"""Property: whatever staff put around their cases, recalc changes nothing but the computed cells.

Hypothesis builds random case workbooks with openpyxl: title rows above the header (some merged),
staff columns between and beside the case columns (text, numbers, formulas without cached values),
a helper formula column with no header, some output columns already present, blank rows, totals rows
(合计 label and =SUM), bad inputs, and sometimes an Excel Table over the cases (with or without a totals
row). For each, `recalc` must:

* leave every cell outside the computed columns byte for byte as it was (value, style, formula), and
  every cell of a totals row and every formula anywhere;
* change no zip member but the case sheet, except: xl/styles.xml may gain cellXfs entries (a date
  style for a datetime landing in a cell without one; the existing entries stay as they were), the
  case Table's part when new columns join it, and xl/workbook.xml's calcPr, which gets
  fullCalcOnLoad="1" (the book is saved without it, as Excel saves it) so formulas over the computed
  columns are recalculated when Excel opens the book;
* give the same bytes when run a second time.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableStyleInfo

from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_columns import OUTPUTS
from tests.helpers.books import H, read_back
from tests.helpers.clock import NOW_RECALC
from tests.helpers.zips import CALC_PR, CASE_PART, NAMES, cells_xml, compare_books, members

TODO_SHEET = r'<sheet name="今日待办"[^>]*/>'

INPUT_COLS = [H["order_id"], H["platform"], H["reason"], H["paid"]]
OUTPUT_NAMES = [c.header for c in OUTPUTS]
STAFF_NAMES = ["客服备注", "跟进人", "回访结果", "序号", "仓库"]
PLATFORMS = ["淘宝", "天猫", "拼多多", "快手"]                      # 快手 is not a platform: an error row
REASONS = ["延迟发货", "七天无理由退货", "协商补偿"]
PAIDS = [89, 387.45, 1299, "¥56", "abc", None]


@st.composite
def books(draw):
    spec = {}
    spec["above"] = draw(st.integers(0, 2))
    spec["title_merge"] = spec["above"] > 0 and draw(st.booleans())
    outputs = draw(st.lists(st.sampled_from(OUTPUT_NAMES[:3] + OUTPUT_NAMES[-2:]), max_size=3, unique=True))
    staff = draw(st.lists(st.sampled_from(STAFF_NAMES), max_size=3, unique=True))
    columns = INPUT_COLS + outputs
    for name in staff:                                           # staff columns anywhere among ours
        columns.insert(draw(st.integers(0, len(columns))), name)
    spec["columns"] = columns
    spec["staff_kind"] = {name: draw(st.sampled_from(["text", "number", "formula", "empty"])) for name in staff}
    spec["helper_formula"] = draw(st.booleans())                # unlabelled formulas right of the header
    spec["merge_header"] = bool(staff) and draw(st.booleans())  # a staff header merged over the next column
    kinds = draw(st.lists(st.sampled_from(["case", "case", "case", "blank", "total"]), min_size=1, max_size=7))
    spec["rows"] = [(kind, draw(st.sampled_from(PLATFORMS)), draw(st.sampled_from(REASONS)),
                     draw(st.sampled_from(PAIDS))) for kind in kinds]
    spec["total_label"] = draw(st.sampled_from(["合计", "Total", "本页共3单", None]))   # not always a known label
    spec["total_sums"] = draw(st.booleans())
    spec["table"] = (not spec["merge_header"]) and draw(st.sampled_from([None, None, "plain", "totals"]))
    spec["styled_far_right"] = draw(st.booleans())              # an empty cell with a fill, right of all
    spec["formula_in_output"] = bool(outputs) and draw(st.booleans())   # staff's own formula in a computed cell
    return spec


def build(path: Path, spec: dict) -> set[int]:
    """Write the workbook; returns the totals rows a reader can recognise (a known label, a SUM, or
    the Table's totals row)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    columns = spec["columns"]
    col = {name: i for i, name in enumerate(columns, start=1)}
    width = len(columns)
    for r in range(1, spec["above"] + 1):
        ws.cell(r, 1, f"小美家居 售后登记表 第{r}行")
    if spec["title_merge"]:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(3, width))
    head = spec["above"] + 1
    for name, c in col.items():
        ws.cell(head, c, name)
    rows = spec["rows"]
    if spec["table"] == "totals" and rows[-1][0] != "total":
        rows = rows + [("total", None, None, None)]
    first = head + 1
    last = head + len(rows)
    recognisable = {first + i for i, row in enumerate(rows) if row[0] == "total" and (
        spec["total_label"] in ("合计", "Total") or spec["total_sums"])}
    if spec["table"] == "totals":
        recognisable.add(last)
    for i, (kind, platform, reason, paid) in enumerate(rows):
        r = first + i
        if kind == "blank":
            continue
        if kind == "total":
            if spec["total_label"]:
                ws.cell(r, col[H["order_id"]], spec["total_label"])
            data_end = max(first, r - 1)
            for name in (H["paid"], "赔偿金额") if spec["total_sums"] else ():
                if name in col:
                    letter = get_column_letter(col[name])
                    ws.cell(r, col[name], f"=SUM({letter}{first}:{letter}{data_end})")
            continue
        ws.cell(r, col[H["order_id"]], f"T{r}")
        ws.cell(r, col[H["platform"]], platform)
        ws.cell(r, col[H["reason"]], reason)
        if paid is not None:
            ws.cell(r, col[H["paid"]], paid)
        for name, how in spec["staff_kind"].items():
            c = col[name]
            if how == "text":
                ws.cell(r, c, f"备注{r}")
            elif how == "number":
                ws.cell(r, c, r * 7)
            elif how == "formula":
                ws.cell(r, c, f'={get_column_letter(col[H["order_id"]])}{r}&"-跟进"')
    if spec["helper_formula"]:
        for r in range(first, last + 1):
            ws.cell(r, width + 1, f"=LEN({get_column_letter(col[H['order_id']])}{r})")
    if spec["merge_header"]:
        name = next(iter(spec["staff_kind"]))
        c = col[name]
        if c == width:                                   # merging over the next (empty) column
            ws.merge_cells(start_row=head, start_column=c, end_row=head, end_column=c + 1)
    if spec["formula_in_output"]:
        case_rows = [first + i for i, row in enumerate(rows) if row[0] == "case"]
        if case_rows:
            c = col[next(name for name in columns if name in OUTPUT_NAMES)]
            ws.cell(case_rows[0], c, f"={get_column_letter(col[H['paid']])}{case_rows[0]}*0.1")
    if spec["styled_far_right"]:
        ws.cell(first, width + 4).fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")
    if spec["table"]:
        ref = f"A{head}:{get_column_letter(width)}{last}"
        totals = spec["table"] == "totals"
        table = Table(displayName="Cases", ref=ref, totalsRowCount=1 if totals else None,
                      tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True))
        table.autoFilter = AutoFilter(ref=f"A{head}:{get_column_letter(width)}{last - 1 if totals else last}")
        ws.add_table(table)
    wb.calculation.fullCalcOnLoad = False        # as Excel saves it (openpyxl would set it)
    wb.save(path)
    return recognisable


def _cells_by_column(path: Path) -> dict[str, str]:
    return cells_xml(members(path)[CASE_PART])


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group()
    return openpyxl.utils.column_index_from_string(letters)


def _cellxfs(styles: bytes) -> bytes:
    m = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    return m.group(1) if m else b""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_recalc_changes_only_computed_cells(spec):
    folder = Path(tempfile.mkdtemp(prefix="aftersales-prop-"))
    try:
        original = folder / "original.xlsx"
        expected_totals = build(original, spec)
        book = folder / "cases.xlsx"
        shutil.copy(original, book)
        summary = recalc(book, now=NOW_RECALC)

        grid, header = read_back(book)
        computed = set(header.outputs.values())
        totals = set(summary.totals_rows)
        assert expected_totals <= totals, (sorted(expected_totals), sorted(totals), spec)
        before, after = _cells_by_column(original), _cells_by_column(book)
        for ref, xml in before.items():
            row = int(re.search(r"\d+", ref).group())
            if _column(ref) not in computed or row in totals or "<f" in xml:
                assert after.get(ref) == xml, (ref, xml, after.get(ref), spec)
        for ref in set(after) - set(before):                     # new cells only in computed columns
            assert _column(ref) in computed and int(re.search(r"\d+", ref).group()) not in totals, (ref, spec)
        added = computed - {c for c in computed if before.get(f"{get_column_letter(c)}{header.row}")}
        used = [_column(ref) for ref in before] + [openpyxl.utils.column_index_from_string(m.decode()) for m in
                                                   re.findall(rb'<mergeCell ref="[A-Z]+\d+:([A-Z]+)\d+"',
                                                              members(original)[CASE_PART])]
        if added:                                                # new columns: right of everything in use
            assert min(added) > max(used), (sorted(added), max(used), spec)

        old, new = members(original), members(book)
        # workbook.xml: only calcPr, and the <sheet> of 今日待办, which recalc adds to a book without it (with
        # its part, relationship and content type: the one member added, so NAMES says so)
        changed = set(compare_books(old, new, ignore={"xl/workbook.xml": CALC_PR + "|" + TODO_SHEET}))
        added = set(new) - set(old)
        assert len(added) == 1 and next(iter(added)).startswith("xl/worksheets/") and set(old) <= set(new)
        allowed = {CASE_PART, "xl/styles.xml", NAMES, "xl/_rels/workbook.xml.rels", "[Content_Types].xml"} \
            | {n for n in old if n.startswith("xl/tables/")}
        assert changed <= allowed, (changed, spec)
        assert b'fullCalcOnLoad="1"' in re.search(CALC_PR.encode(), new["xl/workbook.xml"]).group()
        if "xl/styles.xml" in changed:                          # only new cellXfs entries, appended
            assert _cellxfs(new["xl/styles.xml"]).startswith(_cellxfs(old["xl/styles.xml"]))
            assert re.sub(rb"<cellXfs.*?</cellXfs>", b"", old["xl/styles.xml"], flags=re.S) == \
                re.sub(rb"<cellXfs.*?</cellXfs>", b"", new["xl/styles.xml"], flags=re.S) or b"<numFmt " in new["xl/styles.xml"]
        with zipfile.ZipFile(book) as zf:
            assert zf.testzip() is None

        first = book.read_bytes()
        again = recalc(book, now=NOW_RECALC)
        assert book.read_bytes() == first and again.cells_written == 0, spec
    finally:
        shutil.rmtree(folder, ignore_errors=True)
