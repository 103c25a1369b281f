"""The 今日待办 sheet as a patch (the command line) and as cell blocks (the buttons): rebuilt from the
Summary's TodoItems by every recalc, and left alone when it would read the same (so a recalc that
changes nothing leaves the file as it was)."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from itertools import zip_longest

from addin.core.display import Display
from addin.workbook.files.reader import RowsReader, WorkbookReadError
from addin.workbook.files.xlsx_patch import Formula, PatchError, SheetEdit
from addin.workbook.files.xlsx_patch.package import Package
from addin.workbook.files.xlsx_patch.scan import worksheet_part
from addin.workbook.files.xlsx_patch.stream import NotStreamable, SheetStream
from addin.workbook.sheets.catalogue import TODO, find_sheet
from addin.workbook.sheets.todo_sheet import todo_cells, todo_grid, widths


def _shown(value):
    """A cell as a reader sees it once written (a formula's cached text, numbers as float)."""
    if isinstance(value, Formula):
        return value.cached
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


# A 今日待办 sheet of this much XML or more is compared with the new one chunk by chunk (_sheet_rows): read
# whole, one of ~170,000 rows (the full sheet's) took the main process ~450 MB for a moment, run's peak.
STREAM_MIN_BYTES = 8 << 20
CHUNK_BYTES = 4 << 20


def _trimmed_row(row: list) -> list:
    cells = [_shown(v) if v != "" else None for v in row]
    return cells[:max((i + 1 for i, v in enumerate(cells) if v is not None), default=0)]


def same_grid(new, old) -> bool:
    """Whether the two grids (or iterables of rows) read the same: each row as a reader sees it, without
    its blank cells at the end, and blank rows at the end left out. Row by row, so neither is copied."""
    for a, b in zip_longest(new, old, fillvalue=()):      # a missing row reads as a blank one
        if _trimmed_row(a) != _trimmed_row(b):
            return False
    return True


class _ReadWhole(Exception):
    """The sheet is read whole instead (small, shared strings, rows without r=, or unreadable so)."""


def _sheet_reader(book, name: str):
    """(SheetStream, RowsReader) of sheet `name` of the open `book`; _ReadWhole for a small sheet."""
    data = getattr(book, "data", None)
    if not isinstance(data, (bytes, bytearray)):
        raise _ReadWhole
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            pkg = Package(zf)
            info = zf.getinfo(pkg.member(worksheet_part(pkg, name)))
            if info.file_size < STREAM_MIN_BYTES:
                raise _ReadWhole
            styles = pkg.read(pkg.styles_part) if pkg.styles_part and pkg.exists(pkg.styles_part) else None
            date1904 = pkg.date1904
        stream = SheetStream(data, info, CHUNK_BYTES)
        return stream, RowsReader(stream.root_tag, stream.prefix, styles, date1904, None,
                                   getattr(book, "name", "the workbook"), name)
    except (PatchError, NotStreamable, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise _ReadWhole from exc


def _sheet_rows(stream: SheetStream, reader: RowsReader):
    """The sheet's rows from row 1, as book.read gives them (but "" for an empty cell: same_grid reads ""
    and None alike), read a chunk at a time; _ReadWhole where that cannot be done."""
    try:
        at = 1                                  # the next row to give
        for chunk in stream.chunks():
            if not chunk.rows:
                continue
            if b't="s"' in chunk.xml:          # shared strings: not parsed for this (the case sheet's are many)
                raise _ReadWhole
            rows = reader.read(chunk.xml, at)[:chunk.rows[-1] - at + 1]
            yield from rows
            for _ in range(chunk.rows[-1] - at + 1 - len(rows)):     # blank rows calamine did not give
                yield []
            at = chunk.rows[-1] + 1
    except (PatchError, NotStreamable, WorkbookReadError) as exc:
        raise _ReadWhole from exc


def _reads_same(book, name: str, grid: list[list]) -> bool:
    """Whether sheet `name` of the open `book` reads as `grid`; a big sheet read chunk by chunk."""
    try:
        return same_grid(grid, _sheet_rows(*_sheet_reader(book, name)))
    except _ReadWhole:
        return same_grid(grid, book.read([name])[name])


def todo_sheet_grid(summary, now: dt.datetime, case_sheet: str, show: Display) -> list[list]:
    return todo_grid(summary.todo, now, case_sheet, show, totals=summary)


def todo_edits(book, summary, case_sheet: str, now: dt.datetime, show: Display) -> dict[str, SheetEdit]:
    """{今日待办: SheetEdit} for a guarded session's patch, or {} when the sheet already reads the same."""
    name = find_sheet(book.sheet_names, TODO.aliases)
    grid = todo_sheet_grid(summary, now, case_sheet, show)
    if name and _reads_same(book, name, grid):
        return {}
    return {name or TODO.name: SheetEdit(cells=todo_cells(grid), clear_rows_from=1, new_sheet_widths=widths())}
