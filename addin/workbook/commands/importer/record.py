"""The 导入记录 sheet: per imported case, what the last import took from the export, per 案件 column.

A re-import compares each 案件 cell with it: a cell that still holds what the export said last time was
not touched by staff, and the export's new value may replace it; a cell that holds something else was
changed by staff since, and is kept (upsert.py decides and reports). The sheet is hidden and lives in
the book, so it travels with every copy and "save as". Rows are keyed by order id + refund id (the
importer's key); the header is 订单号, 退款编号, then one column per 案件 column, by its Chinese header.
A blank record cell means the import never took a value for that cell.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable

from addin.core.parse import PARSERS, CellError, is_blank, to_datetime, to_platform, to_text

from addin.workbook.sheets.case_rows import INPUT_BY_KEY
from addin.workbook.sheets.catalogue import IMPORT_RECORD, find_sheet, normalise_header
from addin.workbook.files.xlsx_patch import SheetEdit
from .files import clean_cell

KEY_COLUMNS = ("order_id", "refund_id")          # the row's key, not recorded values
_BY_HEADER = {normalise_header(c.header): k for k, c in INPUT_BY_KEY.items() if k not in KEY_COLUMNS}


def same_as_recorded(cell, recorded, key: str) -> bool:
    """Whether a 案件 cell holds exactly the recorded value: the same text (another wording of the same
    reason is another text), the same number, the same instant to the second. Both blank is the same."""
    if is_blank(cell) or is_blank(recorded):
        return is_blank(cell) and is_blank(recorded)
    if cell == recorded and type(cell) is type(recorded):
        return True
    kind = INPUT_BY_KEY[key].kind
    if kind in ("text", "reason"):
        return to_text(cell) == to_text(recorded)
    try:
        if kind == "datetime":
            a, b = (to_datetime(v)[0] for v in (cell, recorded))
            return abs((a - b).total_seconds()) < 1
        if kind == "platform":
            return to_platform(cell) == to_platform(recorded)
        return PARSERS[kind](cell) == PARSERS[kind](recorded)
    except CellError:
        return to_text(cell) == to_text(recorded)


class _Missing:
    """A value to record only where the record has none."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _id(value) -> str:
    value = clean_cell(value)
    return "" if value is None else to_text(value)


class ImportRecord:
    """The record of one book, read only when the import needs it (a cell differs from the export, or
    there is something to write: a re-import of an unchanged export never reads it), and the updates
    this import makes to it."""

    def __init__(self, sheet: str | None = None, load: Callable[[], list[list]] | None = None):
        self.sheet = sheet                       # its name in the book (None: the book has none yet)
        self._load = load
        self.loaded = sheet is None
        self.grid: list[list] = []
        self.columns: dict[str, int] = {}        # 案件 key -> 1-based column
        self.rows: dict[tuple[str, str], int] = {}   # case key -> 1-based row
        self.updates: dict[tuple[str, str], list[tuple[dict, dict]]] = {}   # key -> (missing, values), in order
        self._also: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}   # other keys the case may be under

    @classmethod
    def in_book(cls, names: list[str], read: Callable[[str], list[list]]) -> "ImportRecord":
        """The record of a book with sheets `names`; `read(name)` gives a sheet's grid when it is needed."""
        sheet = find_sheet(names, IMPORT_RECORD.aliases)
        return cls(sheet, (lambda: read(sheet)) if sheet else None)

    def _ensure(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        self.grid = grid = self._load() or []
        head = grid[0] if grid else []
        for c, h in enumerate(head, start=1):
            key = _BY_HEADER.get(normalise_header(h))
            if key is not None and key not in self.columns:
                self.columns[key] = c
        for r, line in enumerate(grid[1:], start=2):
            order = _id(line[0]) if line else ""
            if order:
                self.rows.setdefault((order, _id(line[1]) if len(line) > 1 else ""), r)   # a duplicate: the first

    def _row(self, key: tuple[str, str]) -> int | None:
        return next((self.rows[k] for k in (key, *self._also.get(key, ())) if k in self.rows), None)

    def values(self, key: tuple[str, str], *also: tuple[str, str]) -> dict[str, object] | None:
        """What the last import took for the case `key` (or recorded under one of `also`), blank cells
        left out; None: the record has no row for it."""
        self._ensure()
        r = next((self.rows[k] for k in (key, *also) if k in self.rows), None)
        if r is None:
            return None
        line = self.grid[r - 1]
        width = len(line)
        return {k: v for k, c in self.columns.items() if c <= width and not is_blank(v := line[c - 1])}

    def update(self, key: tuple[str, str], values: dict[str, object], *also: tuple[str, str],
               missing: dict[str, object] | None = None) -> None:
        """Record `values` (案件 key -> the export's value) for the case `key`, and `missing` only where the
        record has nothing yet (cells that already said what the export says: a value recorded for them
        earlier stays, so a cell staff changed to the export's value is not taken for the import's).
        `also`: other keys the case may be recorded under (typed without the refund id the export gave)."""
        # kept as given (no copy, no filtering): a re-import that changes nothing never looks at them again
        self.updates.setdefault(key, []).append((missing or {}, values))
        if also:
            self._also[key] = also

    def edit(self, cases_changed: bool = True) -> SheetEdit:
        """The cells of the sheet that change (none when every update is recorded already). When the cases
        did not change and the record was never needed, it is not read: nothing differed from it."""
        cells: dict[tuple[int, int], object] = {}
        if not cases_changed and not self.loaded:
            return SheetEdit(cells=cells)
        self._ensure()
        columns = dict(self.columns)
        width = max((len(line) for line in self.grid), default=0)
        if not self.grid:
            for c, name in enumerate(IMPORT_RECORD.header, start=1):
                cells[(1, c)] = name
            width = len(IMPORT_RECORD.header)
        next_row = len(self.grid) + 1 if self.grid else 2
        for key, given in self.updates.items():
            values: dict[str, object] = {}
            for missing, took in given:
                values.update((k, _Missing(v)) for k, v in missing.items())
                values.update(took)
            for k in KEY_COLUMNS:
                values.pop(k, None)
            r = self._row(key)
            line = self.grid[r - 1] if r else []
            if r is None:
                r, next_row = next_row, next_row + 1
            if not line or _id(line[1] if len(line) > 1 else None) != key[1]:
                cells[(r, 1)], cells[(r, 2)] = key[0], key[1] or None
            for k, v in values.items():
                only_if_blank = isinstance(v, _Missing)
                if only_if_blank:
                    v = v.value
                c = columns.get(k)
                if not line and c is not None:        # a case new to the record: every value, nothing to compare
                    cells[(r, c)] = v
                    continue
                if c is None:                         # a column the record has not had yet
                    width += 1
                    c = columns[k] = width
                    cells[(1, c)] = INPUT_BY_KEY[k].header
                old = line[c - 1] if c <= len(line) else None
                if only_if_blank and not is_blank(old):
                    continue
                if old != v and not same_as_recorded(old, v, k):     # != first: the cheap common case
                    cells[(r, c)] = v
        return SheetEdit(cells=cells, new_sheet_hidden=True,
                         new_sheet_widths={c: 14 for c in range(1, width + 1)} if not self.grid else {})


def shown(value) -> str:
    """A value as the import summary quotes it: times to the minute, 89.0 as 89, long text cut."""
    if is_blank(value):
        return "(空)"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time(0) else value.strftime("%Y-%m-%d")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return format(Decimal(str(value)).normalize(), "f")       # 89.00 and 89.0 alike: 89
    text = to_text(value)
    return text if len(text) <= 30 else text[:30] + "…"
