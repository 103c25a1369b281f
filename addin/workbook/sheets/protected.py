"""What the writers (recalc, texts, import) must leave alone on the case sheet, and where new columns may go.

* Rows that are not cases: an Excel Table's totals row, a row labelled 合计/总计/小计 (or Total), and a
  row whose computed cells hold formulas aggregating the column (=SUM(M2:M99), =SUBTOTAL(109,[赔偿金额])).
  They are never written, not even to clear them.
* Formula cells in the computed columns: never overwritten or cleared; the row's 提示 says so when the
  value we computed differs from what the formula shows.
* New columns go right of everything in use: values, formulas (even with no cached value), styled
  cells, merged ranges and Tables; and inside the case Table when it ends right there.

`layout` is what addin.workbook.files.xlsx_patch.scan read from the sheet XML; without one (the Excel
buttons, which see values only) only the label rule applies.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from addin.core.parse import is_blank

from addin.workbook.sheets.case_rows import case_from_row
from addin.workbook.sheets.case_columns import HeaderMap
from addin.workbook.files.xlsx_patch import col_letter
from addin.workbook.files.xlsx_patch.refs import COL_INDEX
from addin.workbook.files.xlsx_patch.scan import SheetLayout

# Labels of a totals row, compared without spaces, colons or a trailing unit in brackets.
TOTAL_LABELS = frozenset({"合计", "总计", "小计", "共计", "总合计", "合计金额", "本页合计", "本页小计", "累计",
                          "total", "totals", "subtotal", "grandtotal", "sum"})
_LABEL_NOISE_RE = re.compile(r"[\s\u3000:：]|[(（][^)）]*[)）]$")
_AGGREGATE_RE = re.compile(r"\b(?:SUM|SUBTOTAL|AGGREGATE|SUMIFS?|SUMPRODUCT|AVERAGE|AVERAGEIFS?|COUNTA?|COUNTIFS?|"
                           r"MAX|MIN)\s*\(", re.I)


# Every label holds 计, or a t or s (total, sum): a text with none of them is not one, whatever its noise.
_MAYBE_LABEL_RE = re.compile(r"[计tTsS]")


def is_total_label(value) -> bool:
    if value.__class__ is not str or len(value) > 20:
        return False
    return value in TOTAL_LABELS or (_MAYBE_LABEL_RE.search(value) is not None
                                     and _LABEL_NOISE_RE.sub("", value).lower() in TOTAL_LABELS)


# A1 ranges (H2:H99, $H$2:$H$99, H:H); a range within one row is a row's own helper (=SUM(D5:E5)).
_RANGE_RE = re.compile(r"(?<![A-Za-z0-9_.])\$?([A-Za-z]{1,3})\$?(\d*)\s*:\s*\$?([A-Za-z]{1,3})\$?(\d*)(?![A-Za-z0-9_(])")
_THIS_ROW_RE = re.compile(r"\[@|#this row", re.I)
_CELL_RE = re.compile(r"(?<![A-Za-z0-9_.])\$?[A-Za-z]{1,3}\$?(\d+)(?![A-Za-z0-9_(])")


def is_aggregate(formula: str, row: int | None = None, col: int | None = None) -> bool:
    """A formula that sums (counts, averages...) a range or a Table column, as a totals row does.
    With `row` (the formula's own row), a formula reading cells of that row (=SUM(D5:E5),
    =SUM(表1[@[实付金额]:[运费]]), =COUNTIF(A:A,A5)) is a helper of the row, not a total, unless its
    range covers its own cell `col` (=SUM(D2:D2) in D2 reads no other cell: a total with nothing above)."""
    if not _AGGREGATE_RE.search(formula):
        return False
    if row is None:
        return ":" in formula or "[" in formula
    if _THIS_ROW_RE.search(formula):
        return False                                  # a Table's row reference: [@运费]
    if "[" in formula:
        return True                                   # a whole Table column: [赔偿金额]
    if any(int(m.group(1)) == row for m in _CELL_RE.finditer(_RANGE_RE.sub(" ", formula))):
        return False                                  # reads a cell of its own row: =COUNTIF(A:A,A5)
    for m in _RANGE_RE.finditer(formula):
        r1, r2 = m.group(2), m.group(4)
        if not (r1 and r2 and int(r1) == int(r2) == row):
            return True                               # other rows, or a whole column (H:H)
        if col is not None and COL_INDEX.get(m.group(1).upper().encode(), 0) <= col \
                <= COL_INDEX.get(m.group(3).upper().encode(), 0):
            return True                               # its own cell: not a helper reading the row
    return False


@dataclass
class Protection:
    """Per case sheet: the rows and computed cells the writers leave alone."""
    not_case_rows: set[int] = field(default_factory=set)           # known up front (Tables, SUM rows)
    formulas: dict[int, dict[int, str]] = field(default_factory=dict)  # row -> {computed col -> formula}
    aggregate_rows: set[int] = field(default_factory=set)          # a SUM/SUBTOTAL anywhere in the row

    @classmethod
    def of(cls, layout: SheetLayout | None, header: HeaderMap, out_cols) -> "Protection":
        prot = cls()
        if layout is None:
            return prot
        out_cols = set(out_cols)
        for t in layout.tables:
            if t.totals_rows and t.ref[0] <= header.row <= t.ref[2]:
                prot.not_case_rows.update(t.totals_row_numbers)
        for (r, c) in layout.formula_cells():
            if r <= header.row:
                continue
            text = layout.formula_at(r, c) or ""
            aggregate = is_aggregate(text, r, c)
            if aggregate:
                prot.aggregate_rows.add(r)
            if c in out_cols:
                prot.formulas.setdefault(r, {})[c] = text
                if aggregate:
                    prot.not_case_rows.add(r)
        return prot

    def is_totals_row(self, r: int, values: list, *, look_for_label: bool = True) -> bool:
        """Known up front, summing a column in any cell, or (when `look_for_label`) labelled 合计/总计/...
        in any cell. The caller asks only for rows that are not valid cases, and looks for a label only
        where the platform or reason is missing, so a typed 合计 in a remark never hides a real case."""
        if r in self.not_case_rows or r in self.aggregate_rows:
            return True
        return look_for_label and has_total_label(values)

    def is_totals(self, r: int, values: list, raw: dict, parsed) -> bool:
        """recalc's rule for one row: a row that is not a valid case (`parsed`, from case_from_row on its
        filled input cells `raw`) and is a totals row (see is_totals_row)."""
        return bool(parsed.blank or parsed.problems) and self.is_totals_row(
            r, values, look_for_label="platform" not in raw or "reason" not in raw)


def has_total_label(values: list) -> bool:
    try:
        values = set(values)        # each distinct value once: a row is mostly blanks (a second at 100k x 90)
    except TypeError:
        pass                        # an unhashable cell value (not from calamine): every cell then
    return any(v.__class__ is str and 0 < len(v) <= 20 and is_total_label(v) for v in values)


def _has_new_label(values: list, not_labels: set) -> bool:
    """has_total_label, skipping the values already known to be no label (added to `not_labels` when the
    row has none). Exact: a label is a str, and a str equals only the same str."""
    try:
        distinct = set(values)
    except TypeError:
        return has_total_label(values)
    distinct -= not_labels
    for v in distinct:
        if v.__class__ is str and 0 < len(v) <= 20 and is_total_label(v):
            return True
    not_labels |= distinct
    return False


def totals_rows(grid: list[list], header: HeaderMap, layout: SheetLayout | None, reasons=None) -> list[int]:
    """Every row under the header that recalc leaves alone as a totals row, found without computing the
    cases (for writers that add rows: the importer). Only rows with a total label or an aggregate
    formula are parsed, so this is quick on big sheets."""
    prot = Protection.of(layout, header, ())
    found = {r for r in prot.not_case_rows if r > header.row}
    input_cols = [(key, c - 1) for key, c in header.inputs.items()]
    not_labels: set = set()         # values seen that are no label: each distinct value is looked at once
    for r in range(header.row + 1, len(grid) + 1):
        values = grid[r - 1]
        if r in found or not (r in prot.aggregate_rows or _has_new_label(values, not_labels)):
            continue
        raw = {key: values[i] for key, i in input_cols if i < len(values) and not is_blank(values[i])}
        if prot.is_totals(r, values, raw, case_from_row(raw, reasons)):
            found.add(r)
    # A SUM row below the last row with a value (its cached value empty) is still a totals row.
    found.update(r for r in prot.aggregate_rows if r > len(grid))
    return sorted(found)


@dataclass(frozen=True)
class Note:
    """A staff-facing remark, kept in both languages until it is shown."""
    zh: str
    en: str

    def text(self) -> str:
        return f"{self.zh} / {self.en}"


def formula_kept(ref: str, header: str) -> Note:
    return Note(f"{ref}「{header}」是公式, 未覆盖 (计算结果与之不同)",
                f"{ref} ({header}) holds a formula and was left as is (the computed value differs)")


@dataclass
class Placement:
    start: int | None                            # first column of the new columns (None: none to place)
    table_columns: dict[str, list[str]] = field(default_factory=dict)   # Table name -> headers added to it
    notes: list[Note] = field(default_factory=list)


def first_free_column(grid: list[list] | None, header: HeaderMap, layout: SheetLayout | None = None) -> int:
    """Where missing output columns start: right of everything used, not just of the header, so
    staff notes typed in unlabelled columns beside the table are never overwritten. With the sheet's
    layout, "used" also covers formulas whose cached value is empty, styled cells, merges and Tables;
    the layout alone (grid None, the streamed recalc) is enough, since it counts every cell with a value."""
    last_used = header.width
    for values in grid[header.row:] if grid is not None else ():
        for i in range(len(values) - 1, last_used - 1, -1):
            if not is_blank(values[i]):
                last_used = i + 1
                break
    if layout is not None:
        last_used = max(last_used, layout.last_used_col)
    return last_used + 1


def place_new_columns(grid: list[list] | None, header: HeaderMap, layout: SheetLayout | None, headers: list[str]) -> Placement:
    """Where columns with `headers` go: right of everything in use, and inside the case Table (whose
    header row is the case header) when that Table is the last thing in use."""
    place = Placement(first_free_column(grid, header, layout))
    if not headers or layout is None:
        return place
    table = layout.table_with_header(header.row, header.inputs.values())
    if table is None:
        return place
    if table.ref[3] + 1 == place.start:
        place.table_columns[table.name] = list(headers)
    else:
        place.notes.append(Note(f"表格「{table.name}」右侧已有内容, 新列从 {col_letter(place.start)} 列起放在表格之外",
                                f"Table {table.name!r} has content to its right, so the new columns start at "
                                f"{col_letter(place.start)}, outside the Table"))
    return place
