"""Lossless write-back of cell values into an .xlsx/.xlsm.

Only the XML part of each edited worksheet is rewritten; every other zip member is copied with its
compressed bytes untouched. That keeps what openpyxl loses on a round trip (VBA, form controls,
x14 data bars, sparklines, note shapes...). A few other parts change only when they must, and the
report says so: styles.xml (a date style for a datetime written into a non-date cell), calcChain.xml
dropped + fullCalcOnLoad (a formula was overwritten or deleted), workbook.xml/rels/[Content_Types]
(a new sheet, or the calcChain drop).

The sheet XML is patched as bytes (find/regex), never parsed into a DOM: unchanged stretches are
copied as slices, edited cells are located by their reference, and the new part is deflated on a
worker thread while the rows are being patched. See bench/patch_bench.py for timings.
"""
from __future__ import annotations

import datetime as dt
import contextlib
import functools
import gc
import math
import numbers
import os
import posixpath
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET


CellValue = None | str | int | float | Decimal | bool | dt.datetime | dt.date

MAX_ROW, MAX_COL = 1_048_576, 16_384
_MISSING = object()
_MAX_TEXT = 32_767  # Excel's cell text limit
_DEFLATE_LEVEL = 6

_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET_REL = _REL_NS + "/worksheet"
_WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_NEW_SHEET_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<dimension ref="A1"/><sheetData/></worksheet>'
)
_DATE_FORMATS = {"datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd"}
# Built-in number formats that are dates/times (incl. the CJK ones 27-36, 50-58).
_BUILTIN_DATE_FMTS = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59), *range(71, 82)}


class PatchError(Exception):
    """The workbook cannot be patched safely; nothing was written."""


@dataclass
class SheetEdit:
    cells: dict[tuple[int, int], CellValue]  # (row, col), both 1-based -> new value
    clear_rows_from: int | None = None  # delete every existing row >= this before writing cells


@dataclass
class PatchReport:
    sheets_patched: list[str] = field(default_factory=list)
    sheets_created: list[str] = field(default_factory=list)
    cells_written: int = 0
    rows_cleared: int = 0
    date_styles_added: int = 0  # cellXfs entries appended to styles.xml
    calc_chain_dropped: bool = False
    full_calc_on_load: bool = False  # set because a formula cell was overwritten or deleted
    shared_formulas_remastered: int = 0  # a surviving dependent became the master
    formulas_expanded: int = 0  # a surviving dependent became a standalone formula
    changed_members: list[str] = field(default_factory=list)  # zip members rewritten, added or dropped


# --------------------------------------------------------------------------- cell references

def col_letter(col: int) -> str:
    """1 -> 'A', 28 -> 'AB'."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_COL_LETTERS = [""] + [col_letter(c) for c in range(1, MAX_COL + 1)]
_COL_BYTES = [letters.encode() for letters in _COL_LETTERS]
_COL_INDEX = {letters: c for c, letters in enumerate(_COL_BYTES) if c}
_LETTERS_RE = re.compile(rb"[A-Z]+")
_REF_RE = re.compile(rb"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def _parse_ref(ref: bytes) -> tuple[int, int]:
    m = _REF_RE.fullmatch(ref.strip())
    col = _COL_INDEX.get(m.group(1).upper()) if m else None
    if col is None:
        raise PatchError(f"bad cell reference {ref!r}")
    return int(m.group(2)), col


def _parse_range(ref: bytes) -> tuple[int, int, int, int]:
    first, _, last = ref.partition(b":")
    r1, c1 = _parse_ref(first)
    r2, c2 = _parse_ref(last) if last else (r1, c1)
    return r1, c1, r2, c2


def _ref(row: int, col: int) -> str:
    return f"{_COL_LETTERS[col]}{row}"


# --------------------------------------------------------------------------- XML helpers

@functools.lru_cache(maxsize=None)
def _attr_re(name: bytes) -> re.Pattern:
    return re.compile(rb"(?<![\w:.-])" + re.escape(name) + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    m = _attr_re(name).search(attrs)
    if m is None:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def _set_attr(attrs: bytes, name: bytes, value: bytes) -> bytes:
    m = _attr_re(name).search(attrs)
    if m is None:
        return attrs.rstrip() + b" " + name + b'="' + value + b'"'
    return attrs[: m.start()] + name + b'="' + value + b'"' + attrs[m.end():]


def _root_prefix(xml: bytes, local: bytes) -> bytes:
    """The namespace prefix (b'' or b'x:') of the SpreadsheetML root element `local`."""
    m = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?" + local + rb"(?=[\s/>])([^>]*)>", xml)
    if m is None:
        raise PatchError(f"no <{local.decode()}> root element")
    prefix = m.group(1) or b""
    ns = _attr(m.group(2), b"xmlns:" + prefix if prefix else b"xmlns")
    if ns != _MAIN_NS:
        raise PatchError(f"<{local.decode()}> is not in the SpreadsheetML transitional namespace "
                         f"({(ns or b'none').decode()}); Strict Open XML is not supported")
    return prefix + b":" if prefix else b""


_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _xml_unescape(text: str) -> str:
    def sub(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "#":
            return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
        return _NAMED_ENTITIES[e]
    return _ENTITY_RE.sub(sub, text) if "&" in text else text


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr_escape(text: str) -> str:
    return _xml_escape(text).replace('"', "&quot;")


# Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
_ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads _xHHHH_ in text as an escaped character; a literal one is protected as _x005F_xHHHH_.
_X_ESCAPE_RE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def _text_xml(text: str) -> str:
    if not text.isprintable():  # cheap pre-check: tab/LF/CR and controls are not printable
        text = _ILLEGAL_XML_RE.sub("", text)
    if len(text) > _MAX_TEXT:
        raise ValueError(f"text of {len(text)} characters exceeds Excel's {_MAX_TEXT}-character cell limit")
    if "_x" in text:
        text = _X_ESCAPE_RE.sub(r"_x005F_\1", text)
    if "&" in text or "<" in text or ">" in text:
        text = _xml_escape(text)
    # A raw CR would be normalised to LF by XML parsers.
    return text.replace("\r", "&#13;") if "\r" in text else text


# --------------------------------------------------------------------------- values

@functools.lru_cache(maxsize=4096)
def _inline_string_tail(prefix: bytes, text: str) -> bytes:
    """Everything after `<c r=.. s=..` for a text cell (cached: computed columns repeat a lot)."""
    p = prefix
    return (b' t="inlineStr"><' + p + b'is><' + p + b't xml:space="preserve">' + _text_xml(text).encode()
            + b"</" + p + b"t></" + p + b"is></" + p + b"c>")


def _number_text(value) -> str:
    """Shortest exact text of a number for <v> (Decimal('26.70') -> '26.7')."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} to Excel")
        text = str(value)
        if "E" in text:
            text = format(value.normalize(), "f")
        elif "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if type(value) is int or isinstance(value, numbers.Integral):
        return str(int(value))
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"cannot write {value} to Excel")
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


_EPOCH_1900 = dt.date(1899, 12, 30).toordinal()
_EPOCH_1904 = dt.date(1904, 1, 1).toordinal()
_LEAP_BUG_END = dt.date(1900, 3, 1).toordinal()


def _excel_serial(value: dt.date, date1904: bool) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError(f"Excel has no time zones; pass a naive datetime, not {value!r}")
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    else:
        seconds = 0
    day = value.toordinal()
    if date1904:
        days = day - _EPOCH_1904
    else:
        # Excel counts the non-existent 1900-02-29, so serials before March 1900 are one less.
        days = day - _EPOCH_1900 - (day < _LEAP_BUG_END)
    if days < (0 if date1904 else 1):
        raise ValueError(f"{value!r} is before the workbook's date epoch")
    return repr(days + seconds / 86400) if seconds else str(days)


# --------------------------------------------------------------------------- formulas

_FORMULA_TOKEN_RE = re.compile(r"""
    "(?:[^"]|"")*"                                                # string literal
  | '(?:[^']|'')*'                                                # quoted sheet name
  | \[[^\]]*\]                                                    # structured ref / external book
  | (?<![\w.$])(\$?)([A-Za-z]{1,3})(\$?)([0-9]+)(?![\w.(\[!])     # A1, $A$1
  | (?<![\w.$])(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})(?![\w.(\[!])   # A:C
  | (?<![\w.$:])(\$?)([0-9]+):(\$?)([0-9]+)(?![\w.(\[!:])         # 2:5
""", re.X)


def shift_formula(formula: str, drow: int, dcol: int) -> str:
    """Translate the relative references of an A1 formula by (drow, dcol), as Excel does when a
    formula is copied; $-anchored parts stay. References pushed off the sheet become #REF!."""

    def shift_col(anchor: str, letters: str) -> str | None:
        col = _COL_INDEX.get(letters.upper().encode())
        if col is None:
            return None
        col = col if anchor else col + dcol
        return _COL_LETTERS[col] if 1 <= col <= MAX_COL else "#REF!"

    def shift_row(anchor: str, digits: str) -> str | None:
        row = int(digits)
        if not 1 <= row <= MAX_ROW:
            return None
        row = row if anchor else row + drow
        return str(row) if 1 <= row <= MAX_ROW else "#REF!"

    def sub(m: re.Match) -> str:
        g = m.groups()
        if g[1]:  # cell
            parts = (g[0], shift_col(g[0], g[1]), g[2], shift_row(g[2], g[3]))
        elif g[5]:  # column range
            parts = (g[4], shift_col(g[4], g[5]), ":" + g[6], shift_col(g[6], g[7]))
        elif g[9]:  # row range
            parts = (g[8], shift_row(g[8], g[9]), ":" + g[10], shift_row(g[10], g[11]))
        else:
            return m.group(0)
        if parts[1] is None or parts[3] is None:  # not a valid reference: a name, leave it
            return m.group(0)
        if "#REF!" in (parts[1], parts[3]):
            return "#REF!"
        return "".join(parts)

    return _FORMULA_TOKEN_RE.sub(sub, formula)


@dataclass
class _SharedGroup:
    row: int  # original master position
    col: int
    formula: str  # unescaped master formula text
    last_row: int  # bottom-right of the original ref
    last_col: int
    new_master: tuple[int, int] | None = None


# --------------------------------------------------------------------------- styles.xml

class _Styles:
    """cellXfs/numFmts of styles.xml, enough to tell date styles and add one."""

    def __init__(self, xml: bytes | None):
        self.xml = xml
        self.added_xfs: list[bytes] = []
        self.added_fmts: list[bytes] = []
        self._cache: dict[tuple[bytes | None, str], bytes] = {}
        self._is_date: dict[bytes | None, bool] = {}
        if xml is None:
            self.xfs, self.fmts = [], {}
            return
        p = self.p = _root_prefix(xml, b"styleSheet")
        self.xf_re = re.compile(rb"<" + p + rb"xf(?=[\s/>])([^>]*?)(/?)>")
        self.cellxfs_m = re.search(
            rb"<" + p + rb"cellXfs(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + p + rb"cellXfs>)", xml, re.S)
        self.numfmts_m = re.search(
            rb"<" + p + rb"numFmts(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + p + rb"numFmts>)", xml, re.S)
        body = (self.cellxfs_m.group(2) or b"") if self.cellxfs_m else b""
        self.xfs = [m.group(0) for m in re.finditer(
            rb"<" + p + rb"xf(?=[\s/>])[^>]*?(?:/>|>.*?</" + p + rb"xf>)", body, re.S)]
        self.fmts: dict[int, str] = {}
        if self.numfmts_m and self.numfmts_m.group(2):
            for m in re.finditer(rb"<" + p + rb"numFmt(?=[\s/>])([^>]*?)/?>", self.numfmts_m.group(2)):
                fid, code = _attr(m.group(1), b"numFmtId"), _attr(m.group(1), b"formatCode")
                if fid is not None and code is not None:
                    self.fmts[int(fid)] = _xml_unescape(code.decode())

    def _xf(self, style: int) -> bytes | None:
        xfs = self.xfs + self.added_xfs
        if 0 <= style < len(xfs):
            return xfs[style]
        return xfs[0] if xfs else None

    def is_date(self, style: bytes | None) -> bool:
        """Whether cellXfs entry `style` (an s attribute value, None = 0) has a date format."""
        if style not in self._is_date:
            self._is_date[style] = self._xf_is_date(int(style or 0))
        return self._is_date[style]

    def _xf_is_date(self, style: int) -> bool:
        xf = self._xf(style)
        if xf is None:
            return False
        fid = int(_attr(self.xf_re.match(xf).group(1), b"numFmtId") or 0)
        if fid in _BUILTIN_DATE_FMTS:
            return True
        return fid in self.fmts and _is_date_format(self.fmts[fid])

    def date_style(self, style: bytes | None, kind: str) -> bytes:
        """s value of an xf like `style` but with a date number format; added once if missing."""
        key = (style, kind)
        if key not in self._cache:
            self._cache[key] = b"%d" % self._find_or_add_xf(int(style or 0), _DATE_FORMATS[kind])
        return self._cache[key]

    def _find_or_add_xf(self, style: int, code: str) -> int:
        if self.xml is None or self.cellxfs_m is None:
            raise PatchError("the workbook has no styles part with cellXfs; cannot give a date a date style")
        fid = next((i for i, c in self.fmts.items() if c == code), None)
        if fid is None:
            fid = max([163, *self.fmts]) + 1
            self.fmts[fid] = code
            self.added_fmts.append(b"<" + self.p + b'numFmt numFmtId="%d" formatCode="%s"/>'
                                   % (fid, _attr_escape(code).encode()))
        base = self._xf(style) or b"<" + self.p + b'xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        m = self.xf_re.match(base)
        attrs = _set_attr(_set_attr(m.group(1), b"numFmtId", b"%d" % fid), b"applyNumberFormat", b"1")
        new = b"<" + self.p + b"xf" + attrs + m.group(2) + b">" + base[m.end():]
        key = _xf_key(self.xf_re, new)
        all_xfs = self.xfs + self.added_xfs
        for i, xf in enumerate(all_xfs):
            if _xf_key(self.xf_re, xf) == key:
                return i
        self.added_xfs.append(new)
        return len(all_xfs)

    def to_bytes(self) -> bytes | None:
        if not self.added_xfs:
            return None
        xml, p = self.xml, self.p
        # cellXfs comes after numFmts, so splice it first to keep the numFmts offsets valid.
        m = self.cellxfs_m
        count = b"%d" % (len(self.xfs) + len(self.added_xfs))
        xml = (xml[: m.start()] + b"<" + p + b"cellXfs" + _set_attr(m.group(1).rstrip(b"/"), b"count", count)
               + b">" + (m.group(2) or b"") + b"".join(self.added_xfs) + b"</" + p + b"cellXfs>" + xml[m.end():])
        if self.added_fmts:
            m = self.numfmts_m
            if m is None:  # numFmts must be the first child of styleSheet
                root = re.search(rb"<" + p + rb"styleSheet(?=[\s>])[^>]*>", xml)
                new = (b"<" + p + b'numFmts count="%d">' % len(self.added_fmts) + b"".join(self.added_fmts)
                       + b"</" + p + b"numFmts>")
                xml = xml[: root.end()] + new + xml[root.end():]
            else:
                new = (b"<" + p + b"numFmts" + _set_attr(m.group(1).rstrip(b"/"), b"count", b"%d" % len(self.fmts))
                       + b">" + (m.group(2) or b"") + b"".join(self.added_fmts) + b"</" + p + b"numFmts>")
                xml = xml[: m.start()] + new + xml[m.end():]
        return xml


def _xf_key(xf_re: re.Pattern, xf: bytes):
    m = xf_re.match(xf)
    attrs = sorted(re.findall(rb"([\w:.-]+)\s*=\s*\"([^\"]*)\"", m.group(1)))
    return attrs, xf[m.end():]


_DATE_FMT_NOISE_RE = re.compile(r'"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]|AM/PM|A/P', re.I)


def _is_date_format(code: str) -> bool:
    section = _DATE_FMT_NOISE_RE.sub("", code.split(";")[0])
    return bool(re.search(r"[dmyhs]", section, re.I))


# --------------------------------------------------------------------------- worksheet XML

@contextlib.contextmanager
def gc_paused():
    """Big batches allocate millions of small objects and free none until the end; the cyclic
    collector would rescan them all again and again (a quarter of the run time at 100k rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.lru_cache(maxsize=256)
def _span_bounds(spans: bytes) -> tuple[int, int]:
    """First and last column of a row's spans attribute ("1:20" or "1:5 7:9")."""
    nums = [int(x) for x in re.findall(rb"\d+", spans)] or [MAX_COL, 0]
    return nums[0], nums[-1]


class _SheetPatcher:
    """Rewrites one worksheet's XML. The output is built by splicing: `out` collects unchanged
    slices of the sheetData body and new pieces, `last` is the body offset copied so far."""

    def __init__(self, xml: bytes, name: str, edit: SheetEdit, styles: _Styles, date1904: bool,
                 report: PatchReport):
        self.xml, self.name, self.edit = xml, name, edit
        self.styles, self.date1904, self.report = styles, date1904, report
        self.p = p = _root_prefix(xml, b"worksheet")
        self.ps = p.decode()
        self.cell_re = re.compile(
            rb"<" + p + rb"c(?=[\s/>])(?:\s+r=\"([A-Z]{1,3})[0-9]+\")?([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        self.f_re = re.compile(rb"<" + p + rb"f(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + p + rb"f>)", re.S)
        self.cell_tag, self.cell_open, self.cell_close = b"<" + p + b"c", b"<" + p + b'c r="', b"</" + p + b"c>"
        self.f_tag = b"<" + p + b"f"
        self.v_open, self.v_close = b"><" + p + b"v>", b"</" + p + b"v></" + p + b"c>"
        self.col_keys = [self.cell_open + letters for letters in _COL_BYTES]
        self.styles_of: dict[bytes, bytes | None] = {}  # cell attributes -> s value (few distinct)
        self.formula_changed = False
        self.broken: dict[bytes, _SharedGroup] = {}
        self.zone_end = 0  # last row that may hold a dependent of a broken shared formula
        self.skipped = 0  # None edits of cells that do not exist: nothing to write
        self._col_style_cache: dict[int, bytes | None] = {}
        self.by_row: dict[int, list[tuple[int, CellValue]]] = defaultdict(list)
        with gc_paused():  # 100k+ small tuples would trigger full collections over the caller's data too
            for (row, col), value in edit.cells.items():
                self.by_row[row].append((col, value))
        # Bounding box of the edits, for <dimension> (None edits included: harmless).
        self.box = None
        for row, cells in self.by_row.items():
            cells.sort()  # (row, col) keys are unique, so values are never compared
            if not (1 <= row <= MAX_ROW and 1 <= cells[0][0] and cells[-1][0] <= MAX_COL):
                raise ValueError(f"sheet {name!r}: a cell in row {row} is outside the sheet")
        if self.by_row:
            self.box = (min(self.by_row), min(c[0][0] for c in self.by_row.values()),
                        max(self.by_row), max(c[-1][0] for c in self.by_row.values()))

    def run(self, emit: Callable[[bytes], None]) -> bool:
        """Feed the new sheet XML to `emit` in chunks; False if nothing changed (then what was
        emitted is to be discarded)."""
        xml, p = self.xml, self.p
        m = re.search(rb"<" + p + rb"sheetData(?=[\s/>])[^>]*?(/?)>", xml)
        if m is None:
            raise PatchError(f"sheet {self.name!r} has no <sheetData>")
        if m.group(1):
            start = end = m.end()
            head = xml[: m.start()] + m.group(0)[:-2].rstrip() + b">"
            tail_tag = b"</" + p + b"sheetData>"
        else:
            start = m.end()
            end = xml.find(b"</" + p + b"sheetData>", start)
            if end < 0:
                raise PatchError(f"sheet {self.name!r}: unterminated <sheetData>")
            head, tail_tag = xml[:start], b""
        body = xml[start:end]
        if re.search(rb"<[!?]", body):
            raise PatchError(f"sheet {self.name!r}: comments/CDATA inside <sheetData> are not supported")
        self._check_arrays(body)
        self.col_styles = self._col_styles(xml[: m.start()])
        emit(self._update_dimension(head))
        if not self._patch_rows(body, emit):
            return False
        emit(tail_tag + xml[end:])
        self.report.cells_written += len(self.edit.cells) - self.skipped
        return True

    # -- rows

    def _patch_rows(self, body: bytes, emit: Callable[[bytes], None]) -> bool:
        """Emit the new sheetData body; returns whether anything changed."""
        p = self.p
        out: list[bytes] = []
        emitted = False
        row_open, row_close = b"<" + p + b"row", b"</" + p + b"row>"
        pending = sorted(self.by_row)
        pi, npending = 0, len(pending)
        clear = self.edit.clear_rows_from
        last = pos = prev_row = 0
        while True:
            i = body.find(row_open, pos)
            if i < 0:
                break
            a = i + len(row_open)
            j = body.find(b">", a)
            if j < 0 or body[a:a + 1] not in b" \t\r\n/>":
                raise PatchError(f"sheet {self.name!r}: malformed <row> at offset {i}")
            attrs = body[a:j]
            if attrs.endswith(b"/"):
                attrs, cs, ce = attrs[:-1], None, None
                end = j + 1
            else:
                cs = j + 1
                ce = body.find(row_close, cs)
                if ce < 0:
                    raise PatchError(f"sheet {self.name!r}: unterminated <row>")
                end = ce + len(row_close)
            if attrs[:4] == b' r="':  # the usual form; _attr handles the rest
                rownum = int(attrs[4:attrs.index(b'"', 4)])
            else:
                r = _attr(attrs, b"r")
                rownum = int(r) if r else prev_row + 1
            if rownum <= prev_row:
                raise PatchError(f"sheet {self.name!r}: rows are not in ascending order at row {rownum}")
            if clear is not None and rownum >= clear:
                self._clear_rows(body, i)
                out.append(body[last:i])
                last = len(body)
                break
            prev_row = rownum
            while pi < npending and pending[pi] < rownum:
                new = self._new_row(pending[pi])
                if new:
                    out.append(body[last:i])
                    out.append(new)
                    last = i
                pi += 1
            if pi < npending and pending[pi] == rownum:
                edits = self.by_row[rownum]
                pi += 1
            elif self.broken and rownum <= self.zone_end:
                edits = []
            else:
                pos = end
                continue
            if cs is None:  # an empty <row/>
                new = self._new_row(rownum, attrs) if edits else b""
                if new:
                    out.append(body[last:i])
                    out.append(new)
                    last = end
            else:
                last = self._patch_row(rownum, attrs, body, a, j, cs, ce, edits, out, last)
            pos = end
            if len(out) > 32768:  # hand over to the compressor as we go (big chunks: fewer GIL hand-offs)
                emit(b"".join(out))
                out.clear()
                emitted = True
        new_rows = [new for new in map(self._new_row, pending[pi:]) if new]
        if new_rows:
            out.append(body[last:])
            last = len(body)
            out.extend(new_rows)
        if not out and not emitted:
            return False
        out.append(body[last:])
        emit(b"".join(out))
        return True

    def _clear_rows(self, body: bytes, start: int) -> None:
        dropped = body[start:]
        self.report.rows_cleared += len(re.findall(rb"<" + self.p + rb"row(?=[\s/>])", dropped))
        if self.f_re.search(dropped):
            self.formula_changed = True

    def _new_row(self, rownum: int, attrs: bytes | None = None) -> bytes:
        """A row holding the edits of `rownum` (attrs: of an existing empty <row/>)."""
        row_style = self._row_style(attrs) if attrs else None
        cells = []
        for col, value in self.by_row[rownum]:
            if value is None or value == "":
                self.skipped += 1
            else:
                cells.append(self.cell_open + b'%s%d"' % (_COL_BYTES[col], rownum)
                             + self._cell_rest(rownum, col, value, self._new_cell_style(row_style, col)))
        if not cells:
            return b""
        if attrs is None:
            attrs = b' r="%d"' % rownum
        else:
            attrs = self._widen_spans(attrs, self.by_row[rownum][0][0], self.by_row[rownum][-1][0])
        return b"<" + self.p + b"row" + attrs + b">" + b"".join(cells) + b"</" + self.p + b"row>"

    def _patch_row(self, rownum: int, attrs: bytes, body: bytes, a: int, j: int, cs: int, ce: int,
                   edits: list[tuple[int, CellValue]], out: list[bytes], last: int) -> int:
        """Splice the edits of one row (attributes at body[a:j], cells at body[cs:ce])."""
        row_style = self._row_style(attrs)
        if edits and b"spans" in attrs:
            new_attrs = self._widen_spans(attrs, edits[0][0], edits[-1][0])
            if new_attrs is not attrs:
                out.append(body[last:a])
                out.append(new_attrs)
                last = j
        # The fast path needs every cell to start with `<c r="`, and must not meet a shared-formula
        # master (ref=): overwriting one turns later cells of the same row into survivors to fix.
        if not (self.broken and rownum <= self.zone_end) and body.find(b"ref=", cs, ce) < 0 and (
                body.count(self.cell_tag, cs, ce) == body.count(self.cell_open, cs, ce)):
            return self._edit_cells_direct(rownum, body, cs, ce, edits, row_style, out, last)
        return self._edit_cells_scanning(rownum, body, cs, ce, edits, row_style, out, last)

    def _edit_cells_direct(self, rownum, body, cs, ce, edits, row_style, out, last) -> int:
        """Fast path, for rows whose cells all start with `<c r="`: find each edited cell by its
        reference instead of walking every cell. Kept lean: it runs for every edited cell."""
        pos = cs
        row_key = b'%d"' % rownum
        col_keys, styles_of, f_tag, find = self.col_keys, self.styles_of, self.f_tag, body.find
        append, cell_rest, cell_close = out.append, self._cell_rest, self.cell_close
        at_end = False  # no existing cell after pos: the remaining edits are all appended
        for col, value in edits:
            key = col_keys[col] + row_key
            q = -1 if at_end else find(key, pos, ce)
            if q < 0:
                if value is None or (type(value) is str and not value):
                    self.skipped += 1
                    continue
                q = ce if at_end else self._insertion_point(body, pos, ce, col)
                at_end = q == ce
                append(body[last:q])
                append(key + cell_rest(rownum, col, value, self._new_cell_style(row_style, col)))
                last = pos = q
                continue
            gt = find(b">", q)
            if body[gt - 1] == 0x2F:  # self-closing <c .../>
                attrs, end = body[q + len(key):gt - 1], gt + 1
            else:
                end = find(cell_close, gt)
                if find(f_tag, gt, end) >= 0:
                    self._formula_overwritten(rownum, col, body[gt + 1:end])
                end += len(cell_close)
                attrs = body[q + len(key):gt]
            style = styles_of.get(attrs, _MISSING)
            if style is _MISSING:
                style = styles_of[attrs] = _attr(attrs, b"s")
            append(body[last:q])
            append(key + cell_rest(rownum, col, value, style))
            last = pos = end
        return last

    def _insertion_point(self, body: bytes, pos: int, ce: int, col: int) -> int:
        """Offset of the first cell after `pos` whose column is beyond `col` (or the row end)."""
        n = len(self.cell_open)
        # Computed columns usually sit right of every filled input: test the row's last cell first.
        q = body.rfind(self.cell_open, pos, ce)
        if q < 0:
            return ce
        m = _LETTERS_RE.match(body, q + n)
        found = _COL_INDEX.get(m.group()) if m else None
        if found is not None and found < col:
            return ce
        while True:
            q = body.find(self.cell_open, pos, ce)
            if q < 0:
                return ce
            m = _LETTERS_RE.match(body, q + n)
            found = _COL_INDEX.get(m.group()) if m else None
            if found is None:
                raise PatchError(f"sheet {self.name!r}: bad cell reference {body[q:q + n + 12]!r}")
            if found > col:
                return q
            pos = q + n

    def _edit_cells_scanning(self, rownum, body, cs, ce, edits, row_style, out, last) -> int:
        """General path: walk every cell of the row (cells without r, attributes in any order,
        dependents of a broken shared formula)."""
        n, k = len(edits), 0
        next_col = edits[0][0] if n else MAX_COL + 1
        zone = bool(self.broken) and rownum <= self.zone_end
        prev = 0
        for m in self.cell_re.finditer(body, cs, ce):
            letters = m.group(1)
            col = _COL_INDEX.get(letters) if letters else self._cell_col(m.group(2), prev)
            if col is None:
                raise PatchError(f"sheet {self.name!r}: bad cell reference in row {rownum}")
            prev = col
            if col < next_col and not zone:
                continue
            while col > next_col:  # edited cells missing before this one
                value = edits[k][1]
                if value is None or value == "":
                    self.skipped += 1
                else:
                    out.append(body[last:m.start()])
                    out.append(self._new_cell(rownum, next_col, value, row_style))
                    last = m.start()
                k += 1
                next_col = edits[k][0] if k < n else MAX_COL + 1
            if col == next_col:
                out.append(body[last:m.start()])
                out.append(self.cell_open + b'%s%d"' % (_COL_BYTES[col], rownum)
                           + self._replacement_rest(rownum, col, edits[k][1], m.group(2), m.group(3)))
                last = m.end()
                k += 1
                next_col = edits[k][0] if k < n else MAX_COL + 1
                zone = bool(self.broken) and rownum <= self.zone_end
            elif zone:
                new = self._survivor(rownum, col, body, m)
                if new is not None:
                    out.append(body[last:m.start()])
                    out.append(new)
                    last = m.end()
        tail = []
        for col, value in edits[k:]:  # after the last existing cell
            if value is None or value == "":
                self.skipped += 1
            else:
                tail.append(self._new_cell(rownum, col, value, row_style))
        if tail:
            out.append(body[last:ce])
            out.append(b"".join(tail))
            last = ce
        return last

    # -- cells

    def _cell_col(self, attrs: bytes, prev: int) -> int | None:
        r = _attr(attrs, b"r")
        return _parse_ref(r)[1] if r else prev + 1

    def _new_cell(self, rownum: int, col: int, value: CellValue, row_style: bytes | None) -> bytes:
        return (self.cell_open + b'%s%d"' % (_COL_BYTES[col], rownum)
                + self._cell_rest(rownum, col, value, self._new_cell_style(row_style, col)))

    def _replacement_rest(self, rownum: int, col: int, value: CellValue, attrs: bytes, inner: bytes | None) -> bytes:
        """What follows `<c r="..."` in the new XML of an existing cell: same style (s), new value.
        Other attributes (t, cm, vm of the old value) are dropped."""
        if inner and self.f_tag in inner:
            self._formula_overwritten(rownum, col, inner)
        return self._cell_rest(rownum, col, value, _attr(attrs, b"s"))

    def _formula_overwritten(self, rownum: int, col: int, inner: bytes) -> None:
        fm = self.f_re.search(inner)
        if fm:
            self.formula_changed = True
            self._break_shared(rownum, col, fm)

    def _cell_rest(self, row: int, col: int, value: CellValue, style: bytes | None) -> bytes:
        """What follows `<c r="..."` for a new value: style attribute, type, value.
        The most common types are tested first, by exact type, because this runs for every cell."""
        kind = type(value)
        if kind is str and value:
            tail = _inline_string_tail(self.p, value)
        elif kind is float:
            if value - value != 0:  # inf or nan
                raise ValueError(f"cannot write {value} to cell {self.name}!{_ref(row, col)}")
            text = b"%d" % value if value.is_integer() and -1e16 < value < 1e16 else repr(value).encode()
            tail = self.v_open + text + self.v_close
        elif kind is int:
            tail = self.v_open + b"%d" % value + self.v_close
        elif kind is Decimal:
            tail = self.v_open + _number_text(value).encode() + self.v_close
        elif value is None or kind is str:  # None and "" clear the value, keep the style
            return b' s="' + style + b'"/>' if style else b"/>"
        elif kind is bool:
            tail = b' t="b"' + self.v_open + (b"1" if value else b"0") + self.v_close
        elif isinstance(value, dt.date):
            if not self.styles.is_date(style):
                style = self.styles.date_style(style, "datetime" if isinstance(value, dt.datetime) else "date")
            tail = self.v_open + _excel_serial(value, self.date1904).encode() + self.v_close
        elif isinstance(value, str):
            return self._cell_rest(row, col, str(value), style)
        elif isinstance(value, numbers.Real):
            tail = self.v_open + _number_text(value).encode() + self.v_close
        else:
            raise TypeError(f"cannot write {type(value).__name__} value {value!r} to cell "
                            f"{self.name}!{_ref(row, col)}")
        return b' s="' + style + b'"' + tail if style else tail

    def _row_style(self, attrs: bytes) -> bytes | None:
        if b"customFormat" in attrs and _attr(attrs, b"customFormat") in (b"1", b"true"):
            return _attr(attrs, b"s")
        return None

    def _new_cell_style(self, row_style: bytes | None, col: int) -> bytes | None:
        """Style of a new cell: the row's if it is custom-formatted, else the column's."""
        if row_style is not None:
            return row_style
        if col not in self._col_style_cache:
            self._col_style_cache[col] = next((s for lo, hi, s in self.col_styles if lo <= col <= hi), None)
        return self._col_style_cache[col]

    def _col_styles(self, head: bytes) -> list[tuple[int, int, bytes]]:
        found = []
        for m in re.finditer(rb"<" + self.p + rb"col(?=[\s/>])([^>]*)>", head):
            lo, hi, style = (_attr(m.group(1), name) for name in (b"min", b"max", b"style"))
            if lo and hi and style:
                found.append((int(lo), int(hi), style))
        return found

    # -- shared and array formulas

    def _break_shared(self, rownum: int, col: int, fm: re.Match) -> None:
        fattrs = fm.group(1)
        ref, si = _attr(fattrs, b"ref"), _attr(fattrs, b"si")
        if _attr(fattrs, b"t") != b"shared" or ref is None or si is None:
            return
        _, _, r2, c2 = _parse_range(ref)
        text = _xml_unescape((fm.group(2) or b"").decode())
        self.broken[si] = _SharedGroup(rownum, col, text, r2, c2)
        self.zone_end = max(self.zone_end, r2)

    def _survivor(self, rownum: int, col: int, body: bytes, m: re.Match) -> bytes | None:
        """Rewrite a dependent of a shared formula whose master was overwritten: the first one
        becomes the master (ref from it to the old bottom-right); later ones outside that range
        become standalone formulas."""
        inner = m.group(3)
        if not inner or b"si=" not in inner:
            return None
        fm = self.f_re.search(inner)
        if fm is None:
            return None
        fattrs = fm.group(1)
        group = self.broken.get(_attr(fattrs, b"si") or b"")
        if group is None or _attr(fattrs, b"t") != b"shared" or _attr(fattrs, b"ref") is not None:
            return None
        p, si = self.ps, _attr(fattrs, b"si").decode()
        text = _xml_escape(shift_formula(group.formula, rownum - group.row, col - group.col))
        if group.new_master is None:
            group.new_master = (rownum, col)
            ref = f"{_ref(rownum, col)}:{_ref(group.last_row, group.last_col)}"
            new_f = f'<{p}f t="shared" ref="{ref}" si="{si}">{text}</{p}f>'
            self.report.shared_formulas_remastered += 1
        elif rownum >= group.new_master[0] and col >= group.new_master[1]:
            return None  # inside the new master's range: still a valid dependent
        else:
            new_f = f"<{p}f>{text}</{p}f>"
            self.report.formulas_expanded += 1
        return (body[m.start():m.start(3)] + inner[: fm.start()] + new_f.encode() + inner[fm.end():]
                + body[m.end(3):m.end()])

    def _check_arrays(self, body: bytes) -> None:
        """Refuse to overwrite part of an array formula or data table (Excel would reject the file)."""
        clear = self.edit.clear_rows_from
        for m in re.finditer(rb"<" + self.p + rb"f(?=\s)[^>]*?\bt=\"(?:array|dataTable)\"[^>]*>", body):
            ref = _attr(m.group(0), b"ref")
            if ref is None:
                continue
            r1, c1, r2, c2 = _parse_range(ref)
            if clear is not None and r1 < clear <= r2:
                raise PatchError(f"sheet {self.name!r}: clearing from row {clear} cuts the array formula "
                                 f"{ref.decode()}")
            for row in range(r1, min(r2, MAX_ROW) + 1):
                for col, _ in self.by_row.get(row, ()):
                    if c1 <= col <= c2 and (row, col) != (r1, c1):
                        raise PatchError(f"sheet {self.name!r}: {_ref(row, col)} is inside the array formula "
                                         f"{ref.decode()}; only its top-left cell can be overwritten")

    # -- dimension / spans

    def _widen_spans(self, attrs: bytes, lo: int, hi: int) -> bytes:
        spans = _attr(attrs, b"spans")
        if not spans:
            return attrs
        first, last = _span_bounds(spans)
        if first <= lo and hi <= last:
            return attrs
        return _set_attr(attrs, b"spans", b"%d:%d" % (min(first, lo), max(last, hi)))

    def _update_dimension(self, head: bytes) -> bytes:
        m = re.search(rb"<" + self.p + rb"dimension(?=[\s/>])([^>]*?)/?>", head)
        ref = _attr(m.group(1), b"ref") if m else None
        if ref is None:
            return head
        try:
            r1, c1, r2, c2 = _parse_range(ref)
        except PatchError:
            return head
        if self.edit.clear_rows_from is not None:
            r2 = max(r1, min(r2, self.edit.clear_rows_from - 1))
        if self.box:
            r1, c1 = min(r1, self.box[0]), min(c1, self.box[1])
            r2, c2 = max(r2, self.box[2]), max(c2, self.box[3])
        new = f"{_ref(r1, c1)}:{_ref(r2, c2)}" if (r1, c1) != (r2, c2) else _ref(r1, c1)
        if new.encode() == ref:
            return head
        attrs = _set_attr(m.group(1), b"ref", new.encode())
        return head[: m.start(1)] + attrs + head[m.end(1):]


# --------------------------------------------------------------------------- package (OPC) level

class _Package:
    """Locates the workbook, its sheets and related parts, and edits the small package XML parts."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.infos = zf.infolist()
        self.by_lower = {i.filename.lower(): i.filename for i in self.infos}
        self.parts: dict[str, bytes] = {}  # current bytes of the parts we read or edit
        self.original: dict[str, bytes] = {}
        root_rels = self._rels("_rels/.rels", "")
        wb = next((t for _, typ, t in root_rels if typ.endswith("/officeDocument")), None)
        if wb is None:
            raise PatchError("not a SpreadsheetML package: no officeDocument relationship")
        self.wb_part = wb
        self.wb_rels_part = _rels_path(wb)
        self.ct_part = self._member("[Content_Types].xml")
        self.wb_rels = self._rels(self.wb_rels_part, wb)
        self.rel_targets = {rid: (typ, target) for rid, typ, target in self.wb_rels}
        wb_xml = self.read(wb)
        pr = re.search(rb"<(?:[\w.-]+:)?workbookPr(?=[\s/>])([^>]*)>", wb_xml)
        self.date1904 = bool(pr) and _attr(pr.group(1), b"date1904") in (b"1", b"true")
        self.sheets: dict[str, str | None] = {}  # name -> worksheet part (None: not a worksheet)
        self.sheet_ids: list[int] = []
        sheets = [el for el in ET.fromstring(wb_xml).iter() if el.tag.rsplit("}", 1)[-1] == "sheets"]
        for el in (child for parent in sheets for child in parent):
            rid = el.get(f"{{{_REL_NS}}}id")
            typ, target = self.rel_targets.get(rid, ("", None))
            self.sheets[el.get("name")] = target if typ.endswith("/worksheet") else None
            self.sheet_ids.append(int(el.get("sheetId", 0)))
        self.styles_part = next((t for typ, t in self.rel_targets.values() if typ.endswith("/styles")), None)
        self.calc_chain = next(((rid, t) for rid, (typ, t) in self.rel_targets.items()
                                if typ.endswith("/calcChain")), None)
        self.dropped: set[str] = set()
        self.added: list[str] = []

    def _member(self, name: str) -> str:
        return self.by_lower.get(name.lower(), name)

    def exists(self, name: str) -> bool:
        return name.lower() in self.by_lower or name in self.parts

    def read(self, name: str) -> bytes:
        name = self._member(name)
        if name not in self.parts:
            try:
                self.parts[name] = self.original[name] = self.zf.read(name)
            except KeyError:
                raise PatchError(f"the package has no part {name!r}") from None
        return self.parts[name]

    def write(self, name: str, data: bytes) -> None:
        self.parts[self._member(name)] = data

    def _rels(self, rels_part: str, source: str) -> list[tuple[str, str, str]]:
        out = []
        for el in ET.fromstring(self.read(rels_part)).iter(f"{{{_PKG_REL_NS}}}Relationship"):
            target = el.get("Target", "")
            if el.get("TargetMode") != "External":
                target = unquote(target)
                target = target[1:] if target.startswith("/") else posixpath.normpath(
                    posixpath.join(posixpath.dirname(source), target))
            out.append((el.get("Id"), el.get("Type", ""), target))
        return out

    def add_sheet(self, name: str) -> str:
        """Register a new empty worksheet; returns its part name."""
        if not name or len(name) > 31 or re.search(r"[\[\]:*?/\\]", name) or name[0] == "'" \
                or name[-1] == "'" or name.lower() == "history":
            raise ValueError(f"{name!r} is not a valid Excel sheet name")
        clash = next((n for n in self.sheets if n.lower() == name.lower()), None)
        if clash is not None:
            raise PatchError(f"sheet {name!r} does not exist but {clash!r} does (names are case-insensitive)")
        base = posixpath.join(posixpath.dirname(self.wb_part), "worksheets")
        n = 1
        while self.exists(f"{base}/sheet{n}.xml"):
            n += 1
        part = f"{base}/sheet{n}.xml"
        k = 1
        while f"rId{k}" in self.rel_targets:
            k += 1
        rid = f"rId{k}"
        self.rel_targets[rid] = (_WORKSHEET_REL, part)
        sheet_id = max(self.sheet_ids, default=0) + 1
        self.sheet_ids.append(sheet_id)
        self.sheets[name] = part

        wb = self.read(self.wb_part)
        m = re.search(rb"</([\w.-]+:)?sheets>", wb)
        if m is None:
            raise PatchError("workbook.xml has no <sheets> element")
        root = re.search(rb"<(?:[\w.-]+:)?workbook(?=[\s>])([^>]*)>", wb)
        rp = re.search(rb"xmlns:([\w.-]+)\s*=\s*[\"']" + re.escape(_REL_NS.encode()) + rb"[\"']", root.group(1))
        decl = "" if rp else f' xmlns:r="{_REL_NS}"'
        rprefix = rp.group(1).decode() if rp else "r"
        p = (m.group(1) or b"").decode()
        el = f'<{p}sheet{decl} name="{_attr_escape(name)}" sheetId="{sheet_id}" {rprefix}:id="{rid}"/>'
        self.write(self.wb_part, wb[: m.start()] + el.encode() + wb[m.start():])

        target = posixpath.relpath(part, posixpath.dirname(self.wb_part))
        self._insert_before_close(self.wb_rels_part, b"Relationships",
                                  f'<Relationship Id="{rid}" Type="{_WORKSHEET_REL}" Target="{target}"/>')
        self._insert_before_close(self.ct_part, b"Types",
                                  f'<Override PartName="/{part}" ContentType="{_WORKSHEET_CT}"/>')
        self.added.append(part)
        return part

    def _insert_before_close(self, part: str, local: bytes, element: str) -> None:
        xml = self.read(part)
        m = re.search(rb"</([\w.-]+:)?" + local + rb">", xml)
        if m is None:
            raise PatchError(f"{part} has no </{local.decode()}>")
        if m.group(1):
            element = element.replace("<", "<" + m.group(1).decode(), 1)
        self.write(part, xml[: m.start()] + element.encode() + xml[m.start():])

    def force_full_calc(self) -> bool:
        """Drop calcChain (stale once a formula changed) and make Excel recalculate on open.
        Returns whether a calcChain part was dropped."""
        dropped = False
        if self.calc_chain is not None:
            rid, part = self.calc_chain
            rels = self.read(self.wb_rels_part)
            rels = re.sub(rb"<(?:[\w.-]+:)?Relationship(?=\s)[^>]*?(?<![\w:.-])Id=[\"']" + re.escape(rid.encode())
                          + rb"[\"'][^>]*?(?:/>|>\s*</(?:[\w.-]+:)?Relationship>)", b"", rels, count=1)
            self.write(self.wb_rels_part, rels)
            ct = self.read(self.ct_part)
            ct = re.sub(rb"<(?:[\w.-]+:)?Override(?=\s)[^>]*?PartName=[\"']/" + re.escape(part.encode())
                        + rb"[\"'][^>]*?(?:/>|>\s*</(?:[\w.-]+:)?Override>)", b"", ct, count=1, flags=re.I)
            self.write(self.ct_part, ct)
            if self.exists(part):
                self.dropped.add(self._member(part))
            dropped = True
        wb = self.read(self.wb_part)
        m = re.search(rb"<([\w.-]+:)?calcPr(?=[\s/>])([^>]*?)(/?)>", wb)
        if m:
            tag = (b"<" + (m.group(1) or b"") + b"calcPr" + _set_attr(m.group(2), b"fullCalcOnLoad", b"1")
                   + m.group(3) + b">")
            wb = wb[: m.start()] + tag + wb[m.end():]
        else:
            p = re.search(rb"<([\w.-]+:)?workbook(?=[\s>])", wb).group(1) or b""
            # calcPr's place in CT_Workbook: before the first of these, else before </workbook>.
            nxt = re.search(rb"<" + re.escape(p) + rb"(?:oleSize|customWorkbookViews|pivotCaches|smartTagPr|"
                            rb"smartTagTypes|webPublishing|fileRecoveryPr|webPublishObjects|extLst)(?=[\s/>])"
                            rb"|</" + re.escape(p) + rb"workbook>", wb)
            wb = wb[: nxt.start()] + b"<" + p + b'calcPr fullCalcOnLoad="1"/>' + wb[nxt.start():]
        self.write(self.wb_part, wb)
        return dropped


def _rels_path(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


# --------------------------------------------------------------------------- zip writing

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP32_LIMIT = 0xFFFFFFFF


def _dos_datetime(date_time: tuple) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def _strip_zip64_extra(extra: bytes) -> bytes:
    """We only write zip32 records, so a zip64 extra field from the source would be wrong."""
    out, i = [], 0
    while i + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, i)
        if header_id != 1:
            out.append(extra[i:i + 4 + size])
        i += 4 + size
    return b"".join(out)


class _Deflater:
    """Raw-deflates a part fed in chunks, on one worker thread: zlib releases the GIL, so this
    overlaps with the row loop. Also computes the part's CRC-32 and size."""

    def __init__(self):
        self._z = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -15)
        self.crc = self.size = 0
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._parts: list = []

    def _compress(self, chunk: bytes) -> bytes:
        self.crc = zlib.crc32(chunk, self.crc)
        self.size += len(chunk)
        return self._z.compress(chunk)

    def write(self, chunk: bytes) -> None:
        if chunk:
            self._parts.append(self._pool.submit(self._compress, chunk))

    def finish(self) -> bytes:
        try:
            return b"".join([f.result() for f in self._parts]) + self._z.flush()
        finally:
            self._pool.shutdown()

    def abandon(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class _ZipWriter:
    """Minimal zip writer that can copy a member's compressed bytes verbatim from the source."""

    def __init__(self, fp, src_fp):
        self.fp, self.src_fp = fp, src_fp
        self.central: list[bytes] = []

    def copy(self, info: zipfile.ZipInfo) -> None:
        self.src_fp.seek(info.header_offset)
        header = self.src_fp.read(_LOCAL_HEADER.size)
        if header[:4] != b"PK\x03\x04":
            raise PatchError(f"bad local header for zip member {info.filename!r}")
        name_len, extra_len = struct.unpack_from("<HH", header, 26)
        self.src_fp.seek(name_len, os.SEEK_CUR)
        local_extra = _strip_zip64_extra(self.src_fp.read(extra_len))
        # Sizes go in the header, so no data descriptor (bit 3).
        self._header(info, info.compress_type, info.flag_bits & ~0x08, info.CRC, info.compress_size,
                     info.file_size, local_extra)
        remaining = info.compress_size
        while remaining:
            chunk = self.src_fp.read(min(remaining, 1 << 20))
            if not chunk:
                raise PatchError(f"zip member {info.filename!r} is truncated")
            self.fp.write(chunk)
            remaining -= len(chunk)

    def write(self, info: zipfile.ZipInfo, data: bytes) -> None:
        if info.compress_type == zipfile.ZIP_STORED:
            self.write_compressed(info, zipfile.ZIP_STORED, data, zlib.crc32(data), len(data))
        else:
            c = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -15)
            self.write_compressed(info, zipfile.ZIP_DEFLATED, c.compress(data) + c.flush(), zlib.crc32(data), len(data))

    def write_compressed(self, info: zipfile.ZipInfo, method: int, payload: bytes, crc: int, size: int) -> None:
        self._header(info, method, info.flag_bits & 0x800, crc, len(payload), size, b"")
        self.fp.write(payload)

    def _header(self, info: zipfile.ZipInfo, method: int, flags: int, crc: int, csize: int, usize: int,
                local_extra: bytes) -> None:
        if info.flag_bits & 0x1:
            raise PatchError(f"zip member {info.filename!r} is encrypted")
        offset = self.fp.tell()
        if max(offset, csize, usize) > _ZIP32_LIMIT:
            raise PatchError("the workbook is too large (zip64 is not supported)")
        name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        version = info.extract_version
        if version == 45 or (method == zipfile.ZIP_DEFLATED and version < 20):  # 45 = zip64, not written
            version = 20
        time, date = _dos_datetime(info.date_time)
        self.fp.write(_LOCAL_HEADER.pack(b"PK\x03\x04", version, 0, flags, method, time, date, crc, csize,
                                         usize, len(name), len(local_extra)) + name + local_extra)
        extra = _strip_zip64_extra(info.extra)
        self.central.append(_CENTRAL_HEADER.pack(
            b"PK\x01\x02", info.create_version, info.create_system, version, 0, flags, method, time, date,
            crc, csize, usize, len(name), len(extra), len(info.comment), 0, info.internal_attr,
            info.external_attr, offset) + name + extra + info.comment)

    def finish(self, comment: bytes) -> None:
        start = self.fp.tell()
        for record in self.central:
            self.fp.write(record)
        size = self.fp.tell() - start
        if len(self.central) > 0xFFFF or start + size > _ZIP32_LIMIT:
            raise PatchError("the workbook is too large (zip64 is not supported)")
        self.fp.write(_END_RECORD.pack(b"PK\x05\x06", 0, 0, len(self.central), len(self.central), size, start,
                                       len(comment)) + comment)


# --------------------------------------------------------------------------- entry point

def patch_workbook(src: str | os.PathLike, dst: str | os.PathLike, edits: dict[str, SheetEdit], *,
                   full_calc_on_load: bool = False) -> PatchReport:
    """Write `edits` into a copy of workbook `src` saved atomically as `dst` (which may be `src`).

    full_calc_on_load: also make Excel recalculate every formula when it opens the file (the values the
    formulas read changed, e.g. a 汇总 sheet over the computed columns). workbook.xml changes only if the
    flag is not set yet, so a second run writes the same bytes.

    Raises PatchError (or ValueError/TypeError for bad values) before anything is written."""
    src, dst = Path(src), Path(dst)
    report = PatchReport()
    try:
        zf = zipfile.ZipFile(src)
    except zipfile.BadZipFile as e:
        raise PatchError(f"{src} is not an .xlsx/.xlsm zip package (password-protected?): {e}") from None
    with zf:
        pkg = _Package(zf)
        styles = _Styles(pkg.read(pkg.styles_part) if pkg.styles_part and pkg.exists(pkg.styles_part) else None)
        formula_changed = False
        sheets: dict[str, tuple[bytes, int, int]] = {}  # rewritten worksheet parts, deflated
        for name, edit in edits.items():
            if name not in pkg.sheets:
                part = pkg.add_sheet(name)
                pkg.write(part, _NEW_SHEET_XML)
                report.sheets_created.append(name)
            part = pkg.sheets[name]
            if part is None:
                raise PatchError(f"sheet {name!r} is a chart or dialog sheet, not a worksheet")
            if not edit.cells and edit.clear_rows_from is None:
                continue
            patcher = _SheetPatcher(pkg.read(part), name, edit, styles, pkg.date1904, report)
            deflater = _Deflater()
            try:
                changed_sheet = patcher.run(deflater.write)
            except BaseException:
                deflater.abandon()
                raise
            if changed_sheet:
                sheets[pkg._member(part)] = (deflater.finish(), deflater.crc, deflater.size)
                report.sheets_patched.append(name)
            else:
                deflater.abandon()
            formula_changed |= patcher.formula_changed
        if formula_changed or full_calc_on_load:
            report.calc_chain_dropped = pkg.force_full_calc()
            report.full_calc_on_load = True
        new_styles = styles.to_bytes()
        if new_styles is not None:
            pkg.write(pkg.styles_part, new_styles)
            report.date_styles_added = len(styles.added_xfs)

        changed = {name: data for name, data in pkg.parts.items() if name not in sheets and (
                   name in pkg.added or data is not pkg.original[name] and data != pkg.original[name])}
        report.changed_members = sorted([*changed, *sheets, *pkg.dropped])
        tmp = _write_atomic(src, dst, zf, pkg, changed, sheets)
    _replace(tmp, src, dst)
    return report


def _write_atomic(src: Path, dst: Path, zf: zipfile.ZipFile, pkg: _Package, changed: dict[str, bytes],
                  sheets: dict[str, tuple[bytes, int, int]]) -> str:
    """Write the new package to a temp file next to dst; returns its path (removed on failure)."""
    fd, tmp = tempfile.mkstemp(prefix=f".~{dst.name}.", suffix=".tmp", dir=dst.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as src_fp:
            writer = _ZipWriter(out, src_fp)
            for info in pkg.infos:
                if info.filename in pkg.dropped:
                    continue
                if info.filename in sheets:
                    writer.write_compressed(info, zipfile.ZIP_DEFLATED, *sheets[info.filename])
                elif info.filename in changed:
                    writer.write(info, changed[info.filename])
                else:
                    writer.copy(info)
            template = pkg.infos[0]
            for part in pkg.added:
                info = zipfile.ZipInfo(part, template.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system, info.create_version = template.create_system, 20
                info.external_attr = template.external_attr
                if not part.isascii():
                    info.flag_bits |= 0x800
                if part in sheets:
                    writer.write_compressed(info, zipfile.ZIP_DEFLATED, *sheets[part])
                else:
                    writer.write(info, changed[part])
            writer.finish(zf.comment)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, stat.S_IMODE(os.stat(dst if dst.exists() else src).st_mode))
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _replace(tmp: str, src: Path, dst: Path) -> None:
    try:
        os.replace(tmp, dst)
    except BaseException:
        _unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename durable (POSIX)
        try:
            dir_fd = os.open(dst.parent, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
