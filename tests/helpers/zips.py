"""A book read as what it is, a zip of XML parts: its members, their stored bytes, its cells' XML, and
compare_books, which compares two books member by member."""
from __future__ import annotations

import os
import re
import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path

CASE_PART = "xl/worksheets/sheet1.xml"      # the 案件 sheet in every book the tests build
NAMES = "(member names)"                     # where compare_books reports members missing or reordered
XML_SUFFIXES = (".xml", ".rels", ".vml")
CALC_PR = r"<calcPr[^>]*/>"                   # workbook.xml's calcPr: recalc sets fullCalcOnLoad there

Book = Path | Mapping[str, bytes]            # a file, or members() of it taken before it was changed


def members(path: Path) -> dict[str, bytes]:
    """Every member's bytes, in zip order."""
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def write_members(path: Path, parts: Mapping[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A book from its members (as members() gives them, perhaps changed), in that order."""
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def raw_members(path: Path) -> list[tuple[str, bytes, int]]:
    """(name, compressed bytes, CRC) of every member, in zip order."""
    found = []
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for info in zf.infolist():
            fh.seek(info.header_offset)
            name_len, extra_len = struct.unpack_from("<HH", fh.read(30), 26)
            fh.seek(name_len + extra_len, os.SEEK_CUR)
            found.append((info.filename, fh.read(info.compress_size), info.CRC))
    return found


def recompressed(before: Path, after: Path) -> list[str]:
    """The members `after` does not store byte for byte as `before` does (compressed bytes and CRC), in zip
    order: what a writer that copies the rest verbatim touched. Both must hold the same names in order."""
    old, new = raw_members(before), raw_members(after)
    assert [m[0] for m in old] == [m[0] for m in new], "not the same members in the same order"
    return [a[0] for a, b in zip(old, new) if a[1:] != b[1:]]


def table_part(path: Path) -> str:
    """The XML of the book's (first) Excel Table."""
    return next(v.decode() for k, v in members(path).items() if k.startswith("xl/tables/"))


def cells_xml(sheet_xml: bytes) -> dict[str, str]:
    """Cell reference -> the cell's XML, for every <c> in sheetData."""
    return {m.group(1).decode(): m.group(0).decode()
            for m in re.finditer(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', sheet_xml, re.S)}


def outside_sheet_data(sheet_xml: bytes) -> tuple[bytes, bytes]:
    """What precedes <sheetData> (with <dimension> blanked) and what follows </sheetData>."""
    start, end = sheet_xml.index(b"<sheetData>"), sheet_xml.index(b"</sheetData>")
    return re.sub(rb"<dimension [^>]*/>", b"<dimension/>", sheet_xml[:start]), sheet_xml[end:]


def formulas_of(path: Path) -> dict[str, str]:
    """Cell -> its <f> element, for every formula on the case sheet."""
    return {ref: m.group(0) for ref, xml in cells_xml(members(path)[CASE_PART]).items()
            if (m := re.search(r"<f[ >/].*?(?:</f>|/>)", xml))}


# --------------------------------------------------------------------------- comparing two books

def xml_elements(data: bytes) -> list[bytes]:
    """An XML member cut at its tag boundaries without losing a byte (joined, they give it back): the unit
    in which a difference is reported, as XlsxWriter's _xml_to_list does (without its whitespace trim)."""
    return re.split(rb"(?<=>)(?=<)", data)


def _first_difference(name: str, a: bytes, b: bytes, drop: str | None) -> str | None:
    if name.endswith(XML_SUFFIXES):
        xa, xb = xml_elements(a), xml_elements(b)
        if drop:
            xa, xb = ([e for e in x if not re.fullmatch(drop.encode(), e)] for x in (xa, xb))
        for i, (ea, eb) in enumerate(zip(xa, xb)):
            if ea != eb:
                return f"element {i}: {ea[:200]!r} != {eb[:200]!r}"
        return None if len(xa) == len(xb) else f"{len(xa)} elements != {len(xb)} elements"
    if a == b:
        return None
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"byte {at} of {len(a)} != of {len(b)}"


def compare_books(a: Book, b: Book, *, ignore: Mapping[str, str] | None = None) -> dict[str, str]:
    """Two books member by member, as XlsxWriter's comparison tests do (_compare_xlsx_files in its
    xlsxwriter/test/helperfunctions.py): first the member names and their order, then each member's
    bytes, an XML member element by element. {} when they are the same; else member -> where it first
    differs, and NAMES -> which names are missing or reordered.
    `ignore`: member -> a regex of whole XML elements left out on both sides (e.g. r"<calcPr[^>]*/>")."""
    a = members(a) if isinstance(a, Path) else a
    b = members(b) if isinstance(b, Path) else b
    found: dict[str, str] = {}
    if list(a) != list(b):
        only_a, only_b = [n for n in a if n not in b], [n for n in b if n not in a]
        found[NAMES] = f"only in the first: {only_a}; only in the second: {only_b}" if only_a or only_b \
            else "the same members in another order"
    for name in (n for n in a if n in b):
        difference = _first_difference(name, a[name], b[name], (ignore or {}).get(name))
        if difference:
            found[name] = difference
    return found
