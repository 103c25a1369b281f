"""Fast read-only access to .xlsx/.xlsm sheets with python-calamine.

Grids are absolute: ``grid[0]`` is Excel row 1 and ``grid[r][0]`` is column A, so an index pair maps
straight to a cell address. Empty cells are ``None``; other values are what calamine returns
(str, float/int, bool, datetime/date/time/timedelta).
"""
from __future__ import annotations

import io
import os
from collections.abc import Iterable

Grid = list[list]
Source = str | os.PathLike | bytes   # a path, or the workbook's bytes (read once by addin.workbook.session)


class SheetNotFoundError(KeyError):
    """The workbook has no sheet with the requested name."""

    def __init__(self, path: str | os.PathLike, name: str, available: list[str]):
        super().__init__(name)
        self.path, self.name, self.available = os.fspath(path), name, available

    def __str__(self) -> str:
        return f"sheet {self.name!r} not found in {self.path}; sheets: {', '.join(self.available)}"


class WorkbookReadError(Exception):
    """The file is not a workbook calamine can read (damaged, encrypted, not .xlsx/.xlsm)."""

    def __init__(self, path, cause: Exception, sheet: str | None = None):
        where = f" (sheet {sheet!r})" if sheet else ""
        super().__init__(f"{os.fspath(path)}{where}: {type(cause).__name__}: {cause}")
        self.path, self.cause, self.sheet = os.fspath(path), cause, sheet


def _open(source: Source, label: str | None = None):
    calamine = _calamine()
    try:
        if isinstance(source, (bytes, bytearray)):
            return calamine.CalamineWorkbook.from_filelike(io.BytesIO(source))
        return calamine.CalamineWorkbook.from_path(os.fspath(source))
    except calamine.CalamineError as exc:
        raise WorkbookReadError(label or _label(source), exc) from exc


def _label(source: Source) -> str:
    return "the workbook" if isinstance(source, (bytes, bytearray)) else os.fspath(source)


def _calamine():
    # Imported on first use: inside Excel (xlwings Lite runs on Pyodide, which has no calamine wheel) the
    # grids come from Excel itself and this module is only needed for its helpers.
    import python_calamine
    return python_calamine


def sheet_names(path: Source, *, label: str | None = None) -> list[str]:
    with _open(path, label) as wb:
        return list(wb.sheet_names)


def read_sheet(path: str | os.PathLike, sheet_name: str) -> Grid:
    return read_workbook(path, [sheet_name])[sheet_name]


def read_workbook(path: Source, names: Iterable[str], *, empty=None, label: str | None = None) -> dict[str, Grid]:
    """Read several sheets, opening the file once. `path` may also be the workbook's bytes (`label`
    then names it in errors).

    `empty` is the value of an empty cell. Pass ``""`` (what calamine itself returns) where the caller
    treats "" and None alike: it skips a pass over every cell, about a second at 100k rows x 90 columns.
    """
    label = label or _label(path)
    calamine = _calamine()
    with _open(path, label) as wb:
        available = list(wb.sheet_names)
        result = {}
        for name in names:
            if name not in available:
                raise SheetNotFoundError(label, name, available)
            try:
                result[name] = _absolute_grid(wb.get_sheet_by_name(name), empty)
            except calamine.CalamineError as exc:       # the sheet's XML is damaged
                raise WorkbookReadError(label, exc, sheet=name) from exc
        return result


def _absolute_grid(sheet, empty=None) -> Grid:
    start = sheet.start
    if start is None:  # empty sheet
        return []
    row0, col0 = start
    rows = sheet.to_python(skip_empty_area=True)
    width = col0 + max((len(r) for r in rows), default=0)
    grid: Grid = [[empty] * width for _ in range(row0)]
    if empty == "" and col0 == 0 and all(len(r) == width for r in rows):
        grid.extend(rows)          # calamine's rows as they are: already absolute and rectangular
        return grid
    lead = [empty] * col0
    for row in rows:
        cells = lead + ([None if v == "" else v for v in row] if empty is None else row)
        if len(cells) < width:
            cells.extend([empty] * (width - len(cells)))
        grid.append(cells)
    return grid
