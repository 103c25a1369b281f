"""Excel Tables (ListObjects, xl/tables/tableN.xml): where they are, and growing one by columns.

A Table's header cells must equal its tableColumn names, or Excel repairs the file on open; so a
column is only added together with its header cell (checked in :func:`grow_table`).
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

    @property
    def data_rows(self) -> range:
        r1, _, r2, _ = self.ref
        return range(r1 + self.header_rows, r2 - self.totals_rows + 1)

    @property
    def totals_row_numbers(self) -> range:
        return range(self.ref[2] - self.totals_rows + 1, self.ref[2] + 1)


_ROOT_RE = re.compile(rb"<(?:[\w.-]+:)?table(?=[\s>])([^>]*)>")
_COLUMN_RE = re.compile(rb"<(?:[\w.-]+:)?tableColumn(?=[\s/>])([^>]*?)/?>")


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
    return TableInfo(xml_unescape(name.decode()), part, parse_range(ref),
                     int(get_attr(attrs, b"headerRowCount") or 1), int(get_attr(attrs, b"totalsRowCount") or 0),
                     columns)


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
    r1, c1, r2, c2 = table.ref
    taken = {n.lower() for n in table.columns}
    for i, name in enumerate(names, start=1):
        if not name or name.lower() in taken:
            raise PatchError(f"Table {table.name!r} already has a column named {name!r}")
        taken.add(name.lower())
        if header_cells.get(c2 + i) != name:
            raise PatchError(f"Table {table.name!r}: header cell {cell_ref(r1, c2 + i)} must read {name!r}")
    new_c2 = c2 + len(names)
    root = _ROOT_RE.search(xml)
    new_ref = f"{cell_ref(r1, c1)}:{cell_ref(r2, new_c2)}".encode()
    xml = xml[: root.start(1)] + set_attr(root.group(1), b"ref", new_ref) + xml[root.end(1):]

    auto = re.search(rb"<(?:[\w.-]+:)?autoFilter(?=[\s/>])([^>]*?)(/?)>", xml)
    if auto is not None and get_attr(auto.group(1), b"ref"):
        a1, ac1, a2, _ = parse_range(get_attr(auto.group(1), b"ref"))
        new = f"{cell_ref(a1, ac1)}:{cell_ref(a2, new_c2)}".encode()
        xml = xml[: auto.start(1)] + set_attr(auto.group(1), b"ref", new) + xml[auto.end(1):]

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
