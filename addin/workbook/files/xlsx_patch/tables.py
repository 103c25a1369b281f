"""Excel Tables (ListObjects, xl/tables/tableN.xml): where they are, and growing one by columns or rows.

A Table's header cells must equal its tableColumn names, or Excel repairs the file on open; so a
column is only added together with its header cell (checked in :func:`grow_table`). Rows are only
added to a Table without a totals row (:func:`extend_table_rows`): the totals row is its last row,
and new rows would have to go above it, moving it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .edits import PatchError
from .package import rels_path
from .refs import cell_ref, parse_range
from .xmlbytes import attr_escape, get_attr, set_attr, xml_unescape

TABLE_REL = "/table"


@dataclass
class TableInfo:
    name: str                         # displayName: what formulas and Excel's UI call it
    part: str                         # zip member, e.g. xl/tables/table1.xml
    ref: tuple[int, int, int, int]    # first row, first col, last row, last col (header and totals included)
    header_rows: int = 1              # headerRowCount
    totals_rows: int = 0              # totalsRowCount: rows at the bottom that are the totals row
    columns: list[str] = field(default_factory=list)
    calculated: list[str] = field(default_factory=list)   # columns with a calculatedColumnFormula

    @property
    def data_rows(self) -> range:
        r1, _, r2, _ = self.ref
        return range(r1 + self.header_rows, r2 - self.totals_rows + 1)

    @property
    def totals_row_numbers(self) -> range:
        return range(self.ref[2] - self.totals_rows + 1, self.ref[2] + 1)


_ROOT_RE = re.compile(rb"<(?:[\w.-]+:)?table(?=[\s>])([^>]*)>")
_COLUMN_RE = re.compile(rb"<(?:[\w.-]+:)?tableColumn(?=[\s/>])([^>]*?)/?>")
_CALCULATED_RE = re.compile(rb"<(?:[\w.-]+:)?tableColumn(?=[\s>])([^>]*?[^/])>(?:(?!</(?:[\w.-]+:)?tableColumn>).)*?"
                            rb"<(?:[\w.-]+:)?calculatedColumnFormula(?=[\s>])", re.S)


def parse_table(xml: bytes, part: str) -> TableInfo:
    root = _ROOT_RE.search(xml)
    if root is None:
        raise PatchError(f"{part} has no <table> element")
    attrs = root.group(1)
    ref = get_attr(attrs, b"ref")
    if ref is None:
        raise PatchError(f"{part}: the table has no ref")
    name = get_attr(attrs, b"displayName") or get_attr(attrs, b"name") or b""
    columns = [xml_unescape((get_attr(m.group(1), b"name") or b"").decode()) for m in _COLUMN_RE.finditer(xml)]
    calculated = [xml_unescape((get_attr(m.group(1), b"name") or b"").decode()) for m in _CALCULATED_RE.finditer(xml)]
    return TableInfo(xml_unescape(name.decode()), part, parse_range(ref),
                     int(get_attr(attrs, b"headerRowCount") or 1), int(get_attr(attrs, b"totalsRowCount") or 0),
                     columns, calculated)


def sheet_tables(pkg, sheet_part: str) -> list[TableInfo]:
    """The Tables on a worksheet, from its rels (an unreadable table part is skipped, not fatal)."""
    rels_part = rels_path(sheet_part)
    if not pkg.exists(rels_part):
        return []
    tables = []
    for _, typ, target in pkg.rels(rels_part, sheet_part):
        if typ.endswith(TABLE_REL) and pkg.exists(target):
            tables.append(parse_table(pkg.read(target), pkg.member(target)))
    return tables


def grow_table(xml: bytes, table: TableInfo, names: list[str], header_cells: dict[int, object]) -> bytes:
    """The table part with `names` appended as columns at its right edge. `header_cells` maps column ->
    the value written into the header row; each new column's must equal its name."""
    if table.header_rows < 1:
        raise PatchError(f"Table {table.name!r} has no header row; cannot add named columns to it")
    r1, _, _, c2 = table.ref
    taken = {n.lower() for n in table.columns}
    for i, name in enumerate(names, start=1):
        if not name or name.lower() in taken:
            raise PatchError(f"Table {table.name!r} already has a column named {name!r}")
        taken.add(name.lower())
        if header_cells.get(c2 + i) != name:
            raise PatchError(f"Table {table.name!r}: header cell {cell_ref(r1, c2 + i)} must read {name!r}")
    xml = _resize(xml, table, last_col=c2 + len(names))
    cols = re.search(rb"<([\w.-]+:)?tableColumns(?=[\s>])([^>]*)>", xml)
    close = re.search(rb"</(?:[\w.-]+:)?tableColumns>", xml)
    if cols is None or close is None:
        raise PatchError(f"{table.part} has no <tableColumns>")
    ids = [int(i) for m in _COLUMN_RE.finditer(xml) if (i := get_attr(m.group(1), b"id")) is not None]
    p = cols.group(1) or b""
    next_id = max(ids, default=0) + 1
    added = b"".join(b"<" + p + b'tableColumn id="%d" name="%s"/>' % (next_id + i, _column_name(n))
                     for i, n in enumerate(names))
    count = b"%d" % (len(table.columns) + len(names))
    xml = xml[: close.start()] + added + xml[close.start():]
    return xml[: cols.start(2)] + set_attr(cols.group(2), b"count", count) + xml[cols.end(2):]


def _column_name(name: str) -> bytes:
    # Excel stores a line break in a column name as _x000a_ (and _x000d_ for CR).
    return attr_escape(name.replace("\r", "_x000d_").replace("\n", "_x000a_")).encode()


def extend_table_rows(xml: bytes, table: TableInfo, last_row: int) -> bytes:
    """The table part with its ref (and autoFilter) reaching down to `last_row`: rows appended below
    its data become part of it. Refused for a Table with a totals row (that row must stay last)."""
    if table.totals_rows:
        raise PatchError(f"Table {table.name!r} has a totals row; rows cannot be appended below it")
    return xml if last_row <= table.ref[2] else _resize(xml, table, last_row=last_row)


def _resize(xml: bytes, table: TableInfo, *, last_row: int | None = None, last_col: int | None = None) -> bytes:
    """The table part with the bottom row and/or right column of its ref, and of its AutoFilter's ref,
    moved (the AutoFilter of a Table with a totals row ends above it, and keeps its own bottom row
    when only columns are added)."""
    r1, c1, r2, c2 = table.ref
    root = _ROOT_RE.search(xml)
    new_ref = f"{cell_ref(r1, c1)}:{cell_ref(last_row or r2, last_col or c2)}".encode()
    xml = xml[: root.start(1)] + set_attr(root.group(1), b"ref", new_ref) + xml[root.end(1):]
    auto = re.search(rb"<(?:[\w.-]+:)?autoFilter(?=[\s/>])([^>]*?)(/?)>", xml)
    if auto is not None and get_attr(auto.group(1), b"ref"):
        a1, ac1, a2, ac2 = parse_range(get_attr(auto.group(1), b"ref"))
        new = f"{cell_ref(a1, ac1)}:{cell_ref(last_row or a2, last_col or ac2)}".encode()
        xml = xml[: auto.start(1)] + set_attr(auto.group(1), b"ref", new) + xml[auto.end(1):]
    return xml
