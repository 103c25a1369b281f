"""The book's identity: an id set once inside the workbook, as a custom document property.

The send log's journal (addin.workbook.sheets.send_log) is named after it, not after the file name, so
a book saved under another name ("save as", a copy) still finds the entries a run could not write into
it: nothing is exported or sent twice. A custom document property (File > Info > Properties > Advanced
> Custom in Excel) travels with every save and copy of the file, unlike anything beside it. It lives in
the package part ``docProps/custom.xml`` (ECMA-376 Part 1 §22.3, relationship type
``.../officeDocument/2006/relationships/custom-properties``), which openpyxl writes as ``custom_doc_props``.
`new-workbook` and `demo` set it; an older book gets it at its first 发送记录 write (the patcher adds the
part, see :func:`set_book_id`).
"""
from __future__ import annotations

import io
import os
import re
import uuid
import zipfile

from addin.workbook.files.xlsx_patch.xmlbytes import attr_escape

PROPERTY = "AfterSalesBookId"
PART = "docProps/custom.xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"     # the format id every custom property carries
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_ID_RE = re.compile(rb"<(?:[\w.-]+:)?property\b[^>]*\bname=\"" + PROPERTY.encode()
                    + rb"\"[^>]*>\s*<(?:[\w.-]+:)?lpwstr>([0-9a-f]{32})</", re.S)


def new_book_id() -> str:
    return uuid.uuid4().hex


def read_book_id(source: bytes | str | os.PathLike) -> str | None:
    """The id stored in a workbook (its bytes or its path), or None (none yet, or not a zip)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source) as zf:
            name = next((n for n in zf.namelist() if n.lower() == PART.lower()), None)
            data = zf.read(name) if name else b""
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    m = _ID_RE.search(data)
    return m.group(1).decode() if m else None


def set_book_id(pkg, book_id: str) -> None:
    """Add the id to a Package being patched (addin.workbook.files.xlsx_patch.package.Package): into its
    custom properties part, or a new one with its relationship and content type."""
    prop = (f'<property fmtid="{_FMTID}" pid="PID" name="{PROPERTY}"><vt:lpwstr>{attr_escape(book_id)}'
            f'</vt:lpwstr></property>')
    if pkg.exists(PART):
        xml = pkg.read(PART)
        pids = [int(p) for p in re.findall(rb'\bpid="([0-9]+)"', xml)]
        element = prop.replace('"PID"', f'"{max(pids, default=1) + 1}"')
        if b"xmlns:vt=" not in xml:
            element = element.replace("<vt:lpwstr>", f'<vt:lpwstr xmlns:vt="{_VT}">', 1)
        pkg._insert_before_close(PART, b"Properties", element)
        return
    pkg.write(PART, ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                     f'xmlns:vt="{_VT}">' + prop.replace('"PID"', '"2"') + '</Properties>').encode())
    pkg.added.append(PART)
    rels = pkg.read("_rels/.rels")
    ids = set(re.findall(rb'\bId="([^"]+)"', rels))
    k = 1
    while f"rId{k}".encode() in ids:
        k += 1
    pkg._insert_before_close("_rels/.rels", b"Relationships",
                             f'<Relationship Id="rId{k}" Type="{_REL}" Target="{PART}"/>')
    pkg._insert_before_close(pkg.ct_part, b"Types", f'<Override PartName="/{PART}" ContentType="{_CT}"/>')
