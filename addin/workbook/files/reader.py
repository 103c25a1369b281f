"""Fast read-only access to .xlsx/.xlsm sheets with python-calamine.

Grids are absolute: ``grid[0]`` is Excel row 1 and ``grid[r][0]`` is column A, so an index pair maps
straight to a cell address. Empty cells are ``None``; other values are what calamine returns
(str, float/int, bool, datetime/date/time/timedelta).
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable

Grid = list[list]
Source = str | os.PathLike | bytes   # a path, or the workbook's bytes (read once by addin.workbook.files.session)


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


def read_workbook(path: Source, names: Iterable[str], *, empty=None, label: str | None = None,
                  cache: dict[str, bytes] | None = None) -> dict[str, Grid]:
    """Read several sheets, opening the file once. `path` may also be the workbook's bytes (`label`
    then names it in errors). `cache`: inflated zip members by name (see xlsx_patch.package.Package),
    shared with the session's layout and patch so a big sheet's XML is inflated once, not per step.

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
    _restore_errors(path, result, empty, cache)
    return result


# A cell holding an Excel error (#N/A, #DIV/0! ...) is <c t="e"><v>#N/A</v></c> (ECMA-376 ST_CellType "e").
# python-calamine 0.9 hands such a cell over as "" (an empty cell), so a failed formula would read as a
# blank input; the error text is put back from the sheet's XML (addin.core.parse.excel_error names it).
_ERROR_CELL = re.compile(rb"<(?:[\w.-]+:)?c\s([^>]*?\bt=\"e\"[^>]*)>(.*?)</(?:[\w.-]+:)?c>", re.S)
_CELL_REF = re.compile(rb"\br=\"([A-Z]{1,3})([0-9]+)\"")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")


def error_cells(xml: bytes) -> list[tuple[int, int, str]]:
    """(row, column, error text) of each error cell in worksheet XML (or a stretch of its rows)."""
    if b't="e"' not in xml:
        return []
    out = []
    for m in _ERROR_CELL.finditer(xml):
        ref, value = _CELL_REF.search(m.group(1)), _VALUE.search(m.group(2))
        if ref is None or value is None:
            continue
        col = 0
        for ch in ref.group(1):
            col = col * 26 + ch - 64
        out.append((int(ref.group(2)), col, value.group(1).decode("utf-8", "replace").strip()))
    return out


def put_errors(grid: Grid, errors, empty=None, first_row: int = 1) -> None:
    """Write error texts into an absolute grid (grid[0] is row `first_row`) where the cell reads blank."""
    for row, col, text in errors:
        i = row - first_row
        if i < 0 or not text:
            continue
        while len(grid) <= i:
            grid.append([])
        cells = grid[i]
        if len(cells) < col:
            cells.extend([empty] * (col - len(cells)))
        if cells[col - 1] in ("", None):
            cells[col - 1] = text


def _restore_errors(source: Source, grids: dict[str, Grid], empty, cache: dict[str, bytes] | None = None) -> None:
    from addin.workbook.files.xlsx_patch.package import Package       # not needed inside Excel (see _calamine)
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else os.fspath(source))
    except (OSError, zipfile.BadZipFile):
        return                          # not a zip (an .xls): calamine's reading stands
    with zf:
        try:
            pkg = Package(zf, cache)
        except Exception:  # noqa: BLE001 - a package calamine could read but we cannot map: its reading stands
            return
        for name, grid in grids.items():
            part = pkg.sheets.get(name)
            if part:
                put_errors(grid, error_cells(pkg.read(part)), empty)


def _absolute_grid(sheet, empty=None, first_row: int = 1) -> Grid:
    """The sheet's rows from `first_row` on (1 = the whole sheet), each from column A."""
    start = sheet.start
    if start is None:  # empty sheet
        return []
    row0, col0 = start
    rows = sheet.to_python(skip_empty_area=True)
    width = col0 + max((len(r) for r in rows), default=0)
    grid: Grid = [[empty] * width for _ in range(row0 - (first_row - 1))]
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


class RowsReader:
    """Cell values of a stretch of a worksheet's rows, given as their XML (whole <row> elements), read
    by calamine like the whole sheet would be: the streamed recalc reads a sheet chunk by chunk this
    way, so memory follows the chunk. Each chunk is wrapped into a minimal workbook with the book's
    styles (dates are told by their style) and date system; shared strings are written into the cells
    as inline strings (the same rich-text element), so the shared-string table is parsed once."""

    def __init__(self, root_tag: bytes, prefix: bytes, styles: bytes | None, date1904: bool,
                 shared_strings: bytes | None = None, label: str = "the workbook", sheet: str = ""):
        self.prefix, self.label, self.sheet = prefix, label, sheet
        self.root_tag = root_tag
        self.sst = _shared_strings(shared_strings, prefix) if shared_strings else None
        p = re.escape(prefix)
        self._sst_cell = re.compile(rb"<" + p + rb"c(\s[^>]*?)\bt=\"s\"([^>]*)>\s*<" + p + rb"v>\s*([0-9]+)\s*</"
                                    + p + rb"v>\s*</" + p + rb"c>")
        self._fixed = _mini_parts(styles, date1904)

    def read(self, rows_xml: bytes, first_row: int, *, empty="") -> Grid:
        """Rows first_row, first_row + 1, ... as lists from column A (shorter when calamine has no more)."""
        calamine = _calamine()
        if self.sst is not None and b't="s"' in rows_xml:
            rows_xml = self._inline_shared(rows_xml)
        p = self.prefix
        sheet = self.root_tag + b"<" + p + b"sheetData>" + rows_xml + b"</" + p + b"sheetData></" + p + b"worksheet>"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            for name, part in self._fixed:
                zf.writestr(name, part)
            zf.writestr("xl/worksheets/sheet1.xml", sheet)
        buf.seek(0)
        try:
            with calamine.CalamineWorkbook.from_filelike(buf) as wb:
                grid = _absolute_grid(wb.get_sheet_by_index(0), empty, first_row)
        except calamine.CalamineError as exc:
            raise WorkbookReadError(self.label, exc, sheet=self.sheet) from exc
        put_errors(grid, error_cells(rows_xml), empty, first_row)
        return grid

    def _inline_shared(self, xml: bytes) -> bytes:
        sst, p = self.sst, self.prefix

        def inline(m: re.Match) -> bytes:
            i = int(m.group(3))
            if i >= len(sst):
                return m.group(0)          # calamine reports it as it would for the whole sheet
            return (b"<" + p + b"c" + m.group(1) + b't="inlineStr"' + m.group(2) + b"><" + p + b"is>" + sst[i]
                    + b"</" + p + b"is></" + p + b"c>")
        return self._sst_cell.sub(inline, xml)


_SI_RE = re.compile(rb"<((?:[\w.-]+:)?)si(?:\s[^>]*)?(?:/>|>(.*?)</(?:[\w.-]+:)?si>)", re.S)


def _shared_strings(xml: bytes, prefix: bytes) -> list[bytes]:
    """Each <si>'s content (CT_Rst: <t> or rich-text runs), its tags in the sheet's namespace prefix."""
    out = []
    for m in _SI_RE.finditer(xml):
        inner, own = m.group(2) or b"", m.group(1)
        if own != prefix:
            inner = re.sub(rb"<(/?)" + re.escape(own) + rb"(?=[A-Za-z])", rb"<\1" + prefix, inner)
        out.append(inner)
    return out


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _mini_parts(styles: bytes | None, date1904: bool) -> list[tuple[str, bytes]]:
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    parts = [
        ("[Content_Types].xml",
         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
         + ('<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            if styles else "") + "</Types>"),
        ("_rels/.rels",
         '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        ("xl/workbook.xml",
         f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">{pr}'
         '<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        ("xl/_rels/workbook.xml.rels",
         '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
         + (f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>' if styles else "")
         + "</Relationships>"),
    ]
    out = [(name, text.encode()) for name, text in parts]
    if styles:
        out.append(("xl/styles.xml", styles))
    return out
