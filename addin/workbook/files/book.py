"""What every command needs of an open workbook, whichever engine holds it (as xlwings puts one Book over
its engines): the guarded session on a saved file (addin.workbook.files.session.Book) and the Excel book
behind the buttons (addin.excel.book.BookIO) both offer it, so the settings and the case sheet are read
by the same code from either."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

Grid = list[list]


class OpenBook(Protocol):
    @property
    def sheet_names(self) -> list[str]:
        """The workbook's sheets, in tab order."""

    def read(self, names: Iterable[str], *, empty=None) -> dict[str, Grid]:
        """Each named sheet's values from A1 (grid[r-1][c-1] is cell (r, c)); `empty` stands for an
        empty cell."""
