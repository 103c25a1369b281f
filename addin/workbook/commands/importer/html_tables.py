"""An .xls that is really an HTML page with a <table> (how some back offices and ERPs save "Excel"
exports): its tables as rows of text cells, read with the standard library's html.parser.

Encoding: the BOM, else the page's own <meta charset> / content="...; charset=...", else strict UTF-8,
else strict GB18030 (GBK), as for a CSV (files.decode_text). A cell spanning columns (colspan) is
followed by blank cells, so the columns under it stay in place.
"""
from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

_SNIFF = re.compile(rb"<\s*(table|html|!doctype\s+html)\b", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936"}


def looks_like_html(data: bytes) -> bool:
    """The file starts (after a BOM and blank space) with an HTML tag and has a table somewhere."""
    head = data[:4096].lstrip(codecs.BOM_UTF8).lstrip()
    return head.startswith(b"<") and bool(_SNIFF.search(head)) and re.search(rb"<\s*table\b", data, re.I) is not None


def html_charset(data: bytes) -> str | None:
    """The encoding the page names for itself (gb2312 and gbk read as their superset gb18030), or None."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    m = _CHARSET.search(data[:8192])
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    if name in _GB:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list]] = []
        self._open: list[list[list]] = []      # tables being read (a table inside a cell nests)
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._open.append([])
        elif not self._open:
            return
        elif tag == "tr":
            self._open[-1].append([])
        elif tag in ("td", "th"):
            if not self._open[-1]:
                self._open[-1].append([])       # a cell before any <tr>
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.strip().isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._open:
            text = "".join(self._cell).strip()
            row = self._open[-1][-1]
            row.append(text or None)
            row.extend([None] * (min(self._span, 100) - 1))
            self._cell = None
        elif tag == "table" and self._open:
            self.tables.append(self._open.pop())

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(text: str) -> list[list[list]]:
    """Every table of the page (in the order they close), each a list of rows of text or None."""
    parser = _Tables()
    parser.feed(text)
    parser.close()
    while parser._open:                          # a page cut short: keep what was read
        parser.tables.append(parser._open.pop())
    return [t for t in parser.tables if any(any(c is not None for c in row) for row in t)]
