"""The open Excel book as the session the commands work on, so `import`, `outbox` and `receipts` run
unchanged behind the buttons.

The commands read and write a saved file through addin.workbook.files.session.Book: sheet_names,
read, layout(sheet) and one patch(edits) at the end. This adapter offers the same over
:class:`~addin.excel.book.BookIO`: reads are the buttons' one-call-per-sheet reads, the layout is the
formulas Excel reports for the sheet's used range (none in xlwings Lite, which cannot read formulas
synchronously), and patch writes each edited cell's value, one call per run of adjacent cells (runs of
the same columns on consecutive rows share one call). Excel Tables are not grown from here: a sheet
holding one is refused when an edit would reach past its used range (the command line grows them).
"""
from __future__ import annotations

from pathlib import Path

from addin.core.errors import BilingualError
from addin.workbook.files.xlsx_patch import PatchReport, SheetEdit
from addin.workbook.files.xlsx_patch.scan import SheetLayout

from .blocks import Block, for_excel
from .book import BookIO


class ExcelSession(BookIO):
    def __init__(self, book):
        super().__init__(book)
        fullname = getattr(book, "fullname", "") or getattr(book, "name", "") or "book.xlsx"
        self.name = fullname                 # what messages name (the session's Book.name)
        self.source = Path(fullname)         # the send log's journal goes beside it
        self.writes = 0                      # cells written by patch (the buttons' summaries)

    def layout(self, sheet: str) -> SheetLayout:
        """The formulas of the sheet's used range (one .formula read); no formulas where the runtime
        cannot read them (Lite), where a formula in a cell the command writes is overwritten."""
        used = self.book.sheets[sheet].used_range
        bottom, right = used.row + used.shape[0] - 1, used.column + used.shape[1] - 1
        block = self.formulas(sheet, 1, 1, bottom, right) or []
        formulas = {(r, c): text for r, row in enumerate(block, 1) for c, text in enumerate(row, 1)
                    if text.__class__ is str and text.startswith("=")}
        return SheetLayout(formulas=formulas, last_used_col=right)

    def patch(self, edits: dict[str, SheetEdit], **_options) -> PatchReport:
        report = PatchReport()
        names = self.sheet_names
        for sheet, edit in edits.items():
            if not edit.cells:
                continue
            if sheet not in names:
                self.add_sheet(sheet)
                names.append(sheet)
                report.sheets_created.append(sheet)
                if edit.new_sheet_hidden:         # 导入记录: as the command line makes it (state="hidden")
                    try:
                        self.book.sheets[sheet].visible = False
                    except Exception:  # noqa: BLE001 - a runtime that cannot hide a sheet: it stays visible
                        pass
            else:
                self._refuse_table_growth(sheet, edit)
            for block in cell_blocks(edit.cells):
                self.write(sheet, block)
            report.sheets_patched.append(sheet)
            report.cells_written += len(edit.cells)
        self.writes += report.cells_written
        return report

    def _refuse_table_growth(self, sheet: str, edit: SheetEdit) -> None:
        try:
            tables = list(self.book.sheets[sheet].tables)
        except Exception:  # noqa: BLE001 - no Tables on this runtime (or the stand-in): nothing to grow
            return
        if not tables:
            return
        used = self.book.sheets[sheet].used_range
        bottom, right = used.row + used.shape[0] - 1, used.column + used.shape[1] - 1
        if any(r > bottom or c > right for r, c in edit.cells):
            raise BilingualError(f"「{sheet}」里有Excel表格(Table), 按钮不会扩展表格, 未写入; 请关闭工作簿后用命令行运行",
                                 f"the {sheet} sheet holds an Excel Table, which the buttons do not grow; nothing "
                                 f"was written; close the book and use the command line", "table")


def cell_blocks(cells: dict[tuple[int, int], object]) -> list[Block]:
    """The cells as rectangles to write: each row's runs of adjacent columns, and a run repeated on the
    next rows (new rows below a sheet, a log's new lines) joined into one block. Never a cell outside
    `cells`, so a staff cell between two edited ones is left as it is."""
    rows: dict[int, list[int]] = {}
    for r, c in cells:
        rows.setdefault(r, []).append(c)
    runs: dict[tuple[int, int], list[int]] = {}     # (left, right) -> rows, in order
    for r in sorted(rows):
        cols = sorted(rows[r])
        start = prev = cols[0]
        for c in cols[1:] + [None]:
            if c is not None and c == prev + 1:
                prev = c
                continue
            runs.setdefault((start, prev), []).append(r)
            if c is not None:
                start = prev = c
    blocks = []
    for (left, right), rs in runs.items():
        top = rs[0]
        for i, r in enumerate(rs):
            last = i + 1 == len(rs) or rs[i + 1] != r + 1
            if last:
                blocks.append(Block(top, left, [[for_excel(cells[(row, c)]) for c in range(left, right + 1)]
                                                for row in range(top, r + 1)]))
                if i + 1 < len(rs):
                    top = rs[i + 1]
    return sorted(blocks, key=lambda b: (b.top, b.left))
