"""The few calls the buttons make on an xlwings Book, and nothing else.

It offers what every command needs of an open book (addin.workbook.files.book.OpenBook). One ``.value`` read per sheet (the whole used range, from A1 so that grid[r-1][c-1] is cell (r, c)),
one ``.formula`` read per run of computed columns (so a formula there is never overwritten), one
``.value`` write per block, and the status bar. The same calls exist on classic xlwings (COM) and on
the xlwings Lite book a @script receives; the tests pass a recording stand-in.
"""
from __future__ import annotations

from .blocks import Block
from .cell_values import clean


class BookIO:
    def __init__(self, book):
        self.book = book
        self._status_ok = True

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def read(self, names, *, empty=None) -> dict[str, list[list]]:
        """Several sheets at once, as the session on a saved file reads them (addin.workbook.files.book):
        blank cells are None whatever `empty` asks (every reader of these grids takes both as blank)."""
        return {name: self.sheet(name) for name in names}

    def sheet(self, name: str, *, raw: bool = False) -> list[list]:
        """The sheet's values from A1 to the used range's last cell, as a list of rows. `raw`: the values
        as Excel gave them, without making blank text None (for the case sheet: the rules read "" and
        spaces as blank themselves, and cleaning a million cells would cost a third of a second)."""
        sheet = self.book.sheets[name]
        used = sheet.used_range
        n_rows, n_cols = used.row + used.shape[0] - 1, used.column + used.shape[1] - 1
        rng = sheet.range((1, 1), (n_rows, n_cols))
        # err_to_str: a cell showing #N/A, #DIV/0! ... comes as that text (xlwings >= 0.28; by default it
        # would be None, a blank input), and the rows name it (addin.core.parse.excel_error).
        values = rng.options(err_to_str=True).value if hasattr(rng, "options") else rng.value
        return as_grid(values, n_rows, n_cols, raw=raw)

    def formulas(self, name: str, top: int, left: int, bottom: int, right: int) -> list[list[str]] | None:
        """The formulas of a rectangle as Excel gives them (a formula reads "=…", any other cell its value as
        text), or None where the runtime cannot read formulas synchronously (xlwings Lite: its engine only
        has `await rng.get_formula()`)."""
        try:
            values = self.book.sheets[name].range((top, left), (bottom, right)).formula
        except Exception:  # noqa: BLE001 - NotImplementedError on Lite; whatever else the engine raises
            return None
        return as_grid(values, bottom - top + 1, right - left + 1, raw=True)

    def last_row(self, name: str) -> int:
        """The last used row: a log line goes below it."""
        used = self.book.sheets[name].used_range
        return used.row + used.shape[0] - 1

    def add_sheet(self, name: str) -> None:
        self.book.sheets.add(name, after=self.book.sheets[len(self.book.sheets) - 1])

    def write(self, name: str, block: Block) -> None:
        sheet = self.book.sheets[name]
        sheet.range((block.top, block.left), (block.bottom, block.right)).value = block.values

    def write_formulas(self, name: str, block: Block) -> None:
        """Formulas ("=…" texts) into a rectangle, through .formula (a .value write would be the same in
        Excel, but says what is meant: these cells are formulas on purpose)."""
        sheet = self.book.sheets[name]
        sheet.range((block.top, block.left), (block.bottom, block.right)).formula = block.values

    def status(self, text: str) -> None:
        """Excel's status bar; xlwings Lite has none, so there the text goes to the output pane."""
        if self._status_ok:
            try:
                self.book.app.status_bar = text
                return
            except Exception:  # noqa: BLE001 - the Lite engine raises for status_bar
                self._status_ok = False
        print(text)


def as_grid(values, n_rows: int, n_cols: int, raw: bool = False) -> list[list]:
    """xlwings gives a scalar for one cell and a flat list for one row or column: always rows here."""
    if n_rows == 1 and n_cols == 1:
        values = [[values]]
    elif n_rows == 1:
        values = [values]
    elif n_cols == 1:
        values = [[v] for v in values]
    if raw:
        return [row if row.__class__ is list else list(row) for row in values]
    # clean() inlined: a whole sheet is a million cells, and most need nothing done to them.
    return [[None if (v.__class__ is str and not v.strip()) or (v.__class__ is float and v != v) else v
             for v in row] if row.__class__ is list else [clean(v) for v in row] for row in values]
