"""What a worksheet holds besides cached values, read from its XML with a byte scan: which cells hold
formulas, the rightmost column in use, merged ranges and Excel Tables.

calamine (the reader) returns cached values only, so a formula whose cached value is "" or missing
(files from generators such as XlsxWriter or openpyxl) looks like an empty cell there. The writers
must not take such a column for free, nor overwrite the formula; this scan tells them.

Fast on big sheets: rows are visited by their closing tag and only their last cells are looked at;
formula cells are found by searching for <f>. A sheet whose cells lack r="" references falls back to
a full walk.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO, Callable

from .edits import PatchError
from .formulas import shift_formula
from .package import Package
from .refs import COL_INDEX, cells_beyond as _beyond, parse_range, parse_ref
from .tables import TableInfo, sheet_tables
from .xmlbytes import column_styles, get_attr, root_prefix, xml_unescape

_TAG_END = frozenset(b" \t\r\n/>")


@dataclass
class SheetLayout:
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> formula text
    array_ranges: list[tuple[int, int, int, int]] = field(default_factory=list)  # array formulas / data tables
    last_used_col: int = 0        # rightmost column with a value, formula, non-default style, merge or Table
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    tables: list[TableInfo] = field(default_factory=list)

    def formula_at(self, row: int, col: int) -> str | None:
        """The formula of a cell ('' when its text is not known), or None for a plain cell."""
        text = self.formulas.get((row, col))
        if text is not None:
            return text
        for r1, c1, r2, c2 in self.array_ranges:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return ""
        return None

    def formula_cells(self) -> set[tuple[int, int]]:
        """Every cell computed by a formula (array ranges expanded, up to a sane size)."""
        cells = set(self.formulas)
        for r1, c1, r2, c2 in self.array_ranges:
            if (r2 - r1 + 1) * (c2 - c1 + 1) <= 1_000_000:
                cells.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        return cells

    def add_tables(self, tables: list[TableInfo]) -> None:
        """The sheet's Tables: their columns are in use, as far right as they reach."""
        self.tables = tables
        for t in tables:
            self.last_used_col = max(self.last_used_col, t.ref[3])

    def table_with_header(self, row: int, cols) -> TableInfo | None:
        """The Table whose header row is `row` and which spans all of `cols`."""
        cols = list(cols)
        for t in self.tables:
            r1, c1, _, c2 = t.ref
            if t.header_rows and r1 == row and cols and all(c1 <= c <= c2 for c in cols):
                return t
        return None


def worksheet_part(pkg: Package, sheet: str) -> str:
    """The part of worksheet `sheet`; PatchError when there is none or it is a chart or dialog sheet."""
    if sheet not in pkg.sheets:
        raise PatchError(f"no sheet named {sheet!r}")
    part = pkg.sheets[sheet]
    if part is None:
        raise PatchError(f"sheet {sheet!r} is a chart or dialog sheet, not a worksheet")
    return part


def read_layout(src: BinaryIO, sheet: str, cache: dict[str, bytes] | None = None) -> SheetLayout:
    """The layout of worksheet `sheet` of the workbook read from `src` (a binary file object).
    `cache`: see Package (pass the same dict to write_patched to inflate the sheet once)."""
    with zipfile.ZipFile(src) as zf:
        pkg = Package(zf, cache)
        part = worksheet_part(pkg, sheet)
        layout = scan_sheet_xml(pkg.read(part), sheet)
        layout.add_tables(sheet_tables(pkg, part))
    return layout


def read_layout_deferred(src: BinaryIO, sheet: str, cache: dict[str, bytes] | None = None,
                         errors: Callable[[Exception], Exception] | None = None) -> "DeferredLayout | SheetLayout":
    """read_layout for a caller that may need only the formulas and Tables (the import, and texts and
    run on a sheet read whole): on a sheet whose XML holds no formula element they are known without the
    cell scan, which then runs only if something else is asked for. `errors` maps a PatchError/ValueError
    of that late scan to what the caller raises (read_layout's own errors are raised here, as before)."""
    with zipfile.ZipFile(src) as zf:
        pkg = Package(zf, cache)
        part = worksheet_part(pkg, sheet)
        xml = pkg.read(part)
        p = root_prefix(xml, b"worksheet")
        if _has_formula(xml, p) or _sheet_data(xml, p, sheet) is None:
            layout = scan_sheet_xml(xml, sheet)
            layout.add_tables(sheet_tables(pkg, part))
            return layout
        return DeferredLayout(xml, sheet, sheet_tables(pkg, part), errors)


def _has_formula(xml: bytes, p: bytes) -> bool:
    """Whether the XML may hold a formula (<f>, <f ...>, <f/>); a false yes costs only the full scan."""
    tag = b"<" + p + b"f"
    i = xml.find(tag)
    while i >= 0:
        if xml[i + len(tag):i + len(tag) + 1] in (b" ", b"\t", b"\r", b"\n", b"/", b">"):
            return True
        i = xml.find(tag, i + 1)
    return False


def _sheet_data(xml: bytes, p: bytes, name: str) -> re.Match | None:
    """The <sheetData> tag, checked as scan_sheet_xml checks it (its errors raised now); None when empty."""
    m = re.search(rb"<" + p + rb"sheetData(?=[\s/>])[^>]*?(/?)>", xml)
    if m is None:
        raise PatchError(f"sheet {name!r} has no <sheetData>")
    if m.group(1):
        return None
    if xml.find(b"</" + p + b"sheetData>", m.end()) < 0:
        raise PatchError(f"sheet {name!r}: unterminated <sheetData>")
    return m


class DeferredLayout:
    """A SheetLayout of a sheet without formulas whose cell scan (rightmost used column, merges) runs
    on first need: formula_at, formula_cells, tables and table_with_header answer without it, the same
    as the scanned layout would (no formula element: no formula, no array range)."""

    def __init__(self, xml: bytes, name: str, tables: list[TableInfo], errors=None):
        self._xml, self._name, self.tables, self._errors = xml, name, tables, errors
        self._full: SheetLayout | None = None
        self.formulas: dict = {}
        self.array_ranges: list = []

    @property
    def scanned(self) -> bool:
        return self._full is not None

    def formula_at(self, row: int, col: int) -> str | None:
        return None

    def formula_cells(self) -> set[tuple[int, int]]:
        return set()

    def table_with_header(self, row: int, cols) -> TableInfo | None:
        return SheetLayout.table_with_header(self, row, cols)

    def full(self) -> SheetLayout:
        if self._full is None:
            try:
                layout = scan_sheet_xml(self._xml, self._name)
            except (PatchError, ValueError) as exc:
                raise (self._errors(exc) if self._errors else exc) from None
            layout.add_tables(self.tables)
            self._full, self._xml = layout, b""
        return self._full

    def __getattr__(self, name):          # last_used_col, merged: from the scan
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)


def scan_sheet_xml(xml: bytes, name: str = "") -> SheetLayout:
    p = root_prefix(xml, b"worksheet")
    m = re.search(rb"<" + p + rb"sheetData(?=[\s/>])[^>]*?(/?)>", xml)
    if m is None:
        raise PatchError(f"sheet {name!r} has no <sheetData>")
    if m.group(1):
        body, tail = b"", xml[m.end():]
    else:
        end = xml.find(b"</" + p + b"sheetData>", m.end())
        if end < 0:
            raise PatchError(f"sheet {name!r}: unterminated <sheetData>")
        body, tail = xml[m.end():end], xml[end:]
    scan = LayoutScan(xml[: m.start()], p)
    scan.feed(body, whole=True)
    return scan.finish(tail)


class LayoutScan:
    """The layout of a sheet read piece by piece (whole <row> elements at a time), for the streamed
    recalc: the head (up to <sheetData>), then the rows, then the tail (merged cells). Pieces may be
    scanned apart (in worker processes: :meth:`piece`) and merged in sheet order (:meth:`merge`); a
    shared formula whose master lies in an earlier piece gets its text then."""

    def __init__(self, head: bytes, prefix: bytes):
        self.p = prefix
        self.col_styles = [(lo, hi, style or b"0") for lo, hi, style in column_styles(head, prefix)]
        self.layout = SheetLayout()
        self.masters: dict = {}          # shared formulas: si -> (row, col, text), across pieces

    def feed(self, body: bytes, whole: bool = False) -> None:
        """`whole`: the body is every row of the sheet, whose rows may lack r="" (then counted)."""
        self.merge(self.piece(body, whole))

    def piece(self, body: bytes, whole: bool = False) -> tuple[SheetLayout, dict]:
        """One piece scanned on its own: its layout and its shared-formula masters (with "pending":
        the dependents whose master it lacks)."""
        layout, masters = SheetLayout(), {"pending": []}
        try:
            _scan_fast(body, self.p, self.col_styles, layout, masters)
        except _NeedsWalk:
            layout, masters = SheetLayout(), {"pending": []}
            _scan_walk(body, self.p, self.col_styles, layout, masters)
        return layout, masters

    def merge(self, scanned: tuple[SheetLayout, dict]) -> None:
        """Add a piece's scan (pieces in sheet order)."""
        layout, masters = scanned
        for row, col, si in masters.pop("pending"):
            if si in self.masters:
                mr, mc, mtext = self.masters[si]
                layout.formulas[(row, col)] = shift_formula(mtext, row - mr, col - mc)
        self.masters.update(masters)
        total = self.layout
        total.formulas.update(layout.formulas)
        total.array_ranges.extend(layout.array_ranges)
        total.last_used_col = max(total.last_used_col, layout.last_used_col)

    def finish(self, tail: bytes) -> SheetLayout:
        layout = self.layout
        for ref in re.findall(rb"<" + self.p + rb"mergeCell(?=\s)[^>]*?\bref=[\"']([^\"']+)[\"']", tail):
            rng = parse_range(ref)
            layout.merged.append(rng)
            layout.last_used_col = max(layout.last_used_col, rng[3])
        return layout


class FormulaScan(LayoutScan):
    """LayoutScan for a caller that has no column to place (streamed texts whose header holds every
    column it writes): it needs the formulas and merged ranges, not the rightmost used column, so a
    piece without a formula element is not scanned cell by cell. A piece with one is scanned in full;
    last_used_col is then not the sheet's and must not be asked for."""

    def piece(self, body: bytes, whole: bool = False) -> tuple[SheetLayout, dict]:
        if _has_formula(body, self.p):
            return super().piece(body, whole)
        return SheetLayout(), {"pending": []}


class _NeedsWalk(Exception):
    """A cell without an r="" reference: its column is only known by counting."""


def _default_style(col_styles, col: int) -> bytes:
    return next((s for lo, hi, s in col_styles if lo <= col <= hi), b"0")


def _is_used(attrs: bytes, self_closing: bool, col: int, col_styles) -> bool:
    """A cell with content (value, formula, inline string) or a style other than its column's."""
    return not self_closing or (get_attr(attrs, b"s") or b"0") != _default_style(col_styles, col)


def _scan_fast(body: bytes, p: bytes, col_styles, layout: SheetLayout, masters: dict) -> None:
    cell_tag = b"<" + p + b"c"
    # Every cell must carry r="..." first (Excel, LibreOffice, openpyxl, XlsxWriter all do); else walk.
    # Two counts settle it unless other <c...> tags (<color> in rich text) are about: then one regex.
    if body.count(cell_tag) != body.count(cell_tag + b' r="') and \
            re.search(re.escape(cell_tag) + rb'(?=[\s/>])(?! r=")', body):
        raise _NeedsWalk
    # The rightmost used cell: search only for cells beyond the best column found so far, so the regex
    # engine (not Python) skips the millions of cells to its left.
    best, pos = layout.last_used_col, 0
    while True:
        m = _beyond(p, best).search(body, pos)
        if m is None:
            break
        col = COL_INDEX[m.group(1)]
        gt = body.find(b">", m.end())
        attrs = body[m.start() + len(cell_tag):gt]
        if _is_used(attrs, attrs.endswith(b"/"), col, col_styles):
            best = col
        pos = m.end()
    layout.last_used_col = best

    f_tag, f_close = b"<" + p + b"f", b"</" + p + b"f>"
    n = len(cell_tag)
    find, rfind = body.find, body.rfind
    pos = 0
    while True:                                   # every <f>: its cell is the nearest <c> before it
        i = find(f_tag, pos)
        if i < 0:
            break
        if body[i + len(f_tag)] not in _TAG_END:
            pos = i + 1
            continue
        q = i
        while True:
            q = rfind(cell_tag, 0, q)
            if q < 0:
                raise PatchError("a formula outside any cell")
            if body[q + n] in _TAG_END:
                break
        m = _REF_AT.match(body, q + n)
        row, col = int(m.group(2)), COL_INDEX[m.group(1)]
        pos = _record_formula(body, i, len(f_tag), f_close, row, col, masters, layout)


_REF_AT = re.compile(rb' r="([A-Z]{1,3})([0-9]+)"')


def _record_formula(body: bytes, i: int, tag_len: int, f_close: bytes, row: int, col: int, masters,
                    layout: SheetLayout) -> int:
    """Record the <f> at body[i]; returns the offset after it."""
    gt = body.find(b">", i)
    fattrs = body[i + tag_len:gt]
    if fattrs.endswith(b"/"):
        text, after = "", gt + 1
    else:
        close = body.find(f_close, gt)
        if close < 0:
            raise PatchError(f"unterminated formula in row {row}")
        text, after = xml_unescape(body[gt + 1:close].decode("utf-8", "replace")), close + len(f_close)
    kind = get_attr(fattrs, b"t")
    if kind == b"shared":
        si = get_attr(fattrs, b"si") or b""
        if get_attr(fattrs, b"ref") is not None:
            masters[si] = (row, col, text)
        elif si in masters:
            mr, mc, mtext = masters[si]
            text = shift_formula(mtext, row - mr, col - mc)
        elif "pending" in masters:          # its master lies in an earlier piece (LayoutScan.merge)
            masters["pending"].append((row, col, si))
    elif kind in (b"array", b"dataTable"):
        ref = get_attr(fattrs, b"ref")
        if ref:
            layout.array_ranges.append(parse_range(ref))
    layout.formulas[(row, col)] = text
    return after


def _scan_walk(body: bytes, p: bytes, col_styles, layout: SheetLayout, masters: dict) -> None:
    """Every row and cell, counting positions where r="" is missing (rare writers; a piece of a streamed
    sheet always has its rows' r="", so only its cells may be counted)."""
    row_re = re.compile(rb"<" + p + rb"row(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + p + rb"row>)", re.S)
    cell_re = re.compile(rb"<" + p + rb"c(?=[\s/>])([^>]*?)(/>|>(.*?)</" + p + rb"c>)", re.S)
    f_tag, f_close = b"<" + p + b"f", b"</" + p + b"f>"
    row = 0
    for rm in row_re.finditer(body):
        r = get_attr(rm.group(1), b"r")
        row = int(r) if r else row + 1
        col = 0
        for cm in cell_re.finditer(rm.group(2) or b""):
            ref = get_attr(cm.group(1), b"r")
            col = parse_ref(ref)[1] if ref else col + 1
            if _is_used(cm.group(1), cm.group(2) == b"/>", col, col_styles):
                layout.last_used_col = max(layout.last_used_col, col)
            inner = cm.group(3) or b""
            i = inner.find(f_tag)
            if i >= 0 and inner[i + len(f_tag)] in _TAG_END:
                _record_formula(inner, i, len(f_tag), f_close, row, col, masters, layout)
