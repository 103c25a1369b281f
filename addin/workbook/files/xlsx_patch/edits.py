"""What a patch is asked to do and what it reports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal



class Formula(str):
    """A formula to write (the text without "="), with the value Excel shows until it recalculates
    (`cached`, text): readers that do not calculate (calamine) see that value. Used for the 今日待办
    sheet's HYPERLINK cells; computed columns never hold one."""

    def __new__(cls, formula: str, cached: str = ""):
        self = super().__new__(cls, formula)
        self.cached = cached
        return self


CellValue = None | str | int | float | Decimal | bool | dt.datetime | dt.date | Formula


class PatchError(Exception):
    """The workbook cannot be patched safely; nothing was written."""


class UnsupportedWorkbook(PatchError):
    """A valid workbook using something this writer does not handle (Strict Open XML, encryption, zip64
    sizes, comments inside sheetData). Said as such, never as "damaged"."""


@dataclass
class SheetEdit:
    cells: dict[tuple[int, int], CellValue]  # (row, col), both 1-based -> new value
    clear_rows_from: int | None = None  # delete every existing row >= this before writing cells
    # Excel Table name -> headers of columns appended at its right edge (the Table's ref, autoFilter and
    # tableColumns grow; the header cells must be among `cells` with exactly these texts).
    table_columns: dict[str, list[str]] = field(default_factory=dict)
    # Excel Table name -> the last row its data now reaches (rows appended below it join it; a Table
    # with a totals row is refused).
    table_rows: dict[str, int] = field(default_factory=dict)
    # The sheet part already rewritten and deflated by the caller (the streamed recalc: see
    # addin.workbook.files.xlsx_patch.stream); `cells` then only holds the header cells of new Table columns.
    streamed: "StreamedSheet | None" = None
    # Column widths (1-based column -> characters) for a sheet this edit creates (a new sheet has none).
    new_sheet_widths: dict[int, float] = field(default_factory=dict)
    # A sheet this edit creates is hidden (state="hidden": Excel's 取消隐藏 shows it again); an existing
    # sheet keeps whatever state staff gave it.
    new_sheet_hidden: bool = False


@dataclass
class StreamedSheet:
    payload: object           # the deflated part: bytes, a list of pieces, or stream.Spilled
    crc: int
    size: int                 # uncompressed
    cells_written: int = 0


@dataclass
class PatchReport:
    sheets_patched: list[str] = field(default_factory=list)
    sheets_created: list[str] = field(default_factory=list)
    cells_written: int = 0
    rows_cleared: int = 0
    date_styles_added: int = 0  # cellXfs entries appended to styles.xml
    calc_chain_dropped: bool = False
    full_calc_on_load: bool = False  # calcPr fullCalcOnLoad set: a formula cell was overwritten or deleted, or the caller asked
    shared_formulas_remastered: int = 0  # a surviving dependent became the master
    formulas_expanded: int = 0  # a surviving dependent became a standalone formula
    tables_grown: list[str] = field(default_factory=list)  # Tables given new columns
    texts_clipped: int = 0  # texts cut to Excel's 32,767-character cell limit (by addin.workbook.files.session)
    changed_members: list[str] = field(default_factory=list)  # zip members rewritten, added or dropped
