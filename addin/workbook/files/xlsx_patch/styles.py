"""styles.xml: which cellXfs are dates, and adding a date style when a date lands in a non-date cell."""
from __future__ import annotations

import re

from .edits import PatchError
from .xmlbytes import attr_escape, get_attr, root_prefix, set_attr, xml_unescape

_DATE_FORMATS = {"datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd"}
# Built-in number formats that are dates/times (incl. the CJK ones 27-36, 50-58).
_BUILTIN_DATE_FMTS = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59), *range(71, 82)}


class Styles:
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
        p = self.p = root_prefix(xml, b"styleSheet")
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
                fid, code = get_attr(m.group(1), b"numFmtId"), get_attr(m.group(1), b"formatCode")
                if fid is not None and code is not None:
                    self.fmts[int(fid)] = xml_unescape(code.decode())

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
        fid = int(get_attr(self.xf_re.match(xf).group(1), b"numFmtId") or 0)
        if fid in _BUILTIN_DATE_FMTS:
            return True
        return fid in self.fmts and _is_date_format(self.fmts[fid])

    def date_style(self, style: bytes | None, kind: str) -> bytes:
        """s value of an xf like `style` but with a date number format; added once if missing."""
        key = (style, kind)
        if key not in self._cache:
            self._cache[key] = b"%d" % self._find_or_add_xf(int(style or 0), _DATE_FORMATS[kind])
        return self._cache[key]

    def _find_or_add_xf(self, style: int, code: str, add: bool = True) -> int | None:
        """Index of an xf like `style` with number format `code`: an existing one, else (if `add`) a new one."""
        if self.xml is None or self.cellxfs_m is None:
            raise PatchError("the workbook has no styles part with cellXfs; cannot give a date a date style")
        fid = next((i for i, c in self.fmts.items() if c == code), None)
        if fid is None:
            if not add:
                return None
            fid = max([163, *self.fmts]) + 1
            self.fmts[fid] = code
            self.added_fmts.append(b"<" + self.p + b'numFmt numFmtId="%d" formatCode="%s"/>'
                                   % (fid, attr_escape(code).encode()))
        base = self._xf(style) or b"<" + self.p + b'xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        m = self.xf_re.match(base)
        attrs = set_attr(set_attr(m.group(1), b"numFmtId", b"%d" % fid), b"applyNumberFormat", b"1")
        new = b"<" + self.p + b"xf" + attrs + m.group(2) + b">" + base[m.end():]
        key = _xf_key(self.xf_re, new)
        all_xfs = self.xfs + self.added_xfs
        for i, xf in enumerate(all_xfs):
            if _xf_key(self.xf_re, xf) == key:
                return i
        if not add:
            return None
        self.added_xfs.append(new)
        return len(all_xfs)

    def deferred(self) -> "DeferredStyles":
        """A copy for a worker process (see DeferredStyles)."""
        copy = DeferredStyles.__new__(DeferredStyles)
        copy.__dict__.update(self.__dict__)
        copy._cache, copy._is_date, copy.wanted = {}, {}, []
        return copy

    def resolve(self, piece: bytes, wanted: list[tuple[bytes | None, str]]) -> bytes:
        """`piece` (sheet XML from a DeferredStyles copy) with its markers replaced by real style indexes,
        added here in the order the rows asked for them (so the numbering does not depend on the workers)."""
        for style, kind in wanted:
            piece = piece.replace(date_marker(style, kind), self.date_style(style, kind))
        return piece

    def to_bytes(self) -> bytes | None:
        if not self.added_xfs:
            return None
        xml, p = self.xml, self.p
        # cellXfs comes after numFmts, so splice it first to keep the numFmts offsets valid.
        m = self.cellxfs_m
        count = b"%d" % (len(self.xfs) + len(self.added_xfs))
        xml = (xml[: m.start()] + b"<" + p + b"cellXfs" + set_attr(m.group(1).rstrip(b"/"), b"count", count)
               + b">" + (m.group(2) or b"") + b"".join(self.added_xfs) + b"</" + p + b"cellXfs>" + xml[m.end():])
        if self.added_fmts:
            m = self.numfmts_m
            if m is None:  # numFmts must be the first child of styleSheet
                root = re.search(rb"<" + p + rb"styleSheet(?=[\s>])[^>]*>", xml)
                new = (b"<" + p + b'numFmts count="%d">' % len(self.added_fmts) + b"".join(self.added_fmts)
                       + b"</" + p + b"numFmts>")
                xml = xml[: root.end()] + new + xml[root.end():]
            else:
                new = (b"<" + p + b"numFmts" + set_attr(m.group(1).rstrip(b"/"), b"count", b"%d" % len(self.fmts))
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


def date_marker(style: bytes | None, kind: str) -> bytes:
    """Stands for a date style not in styles.xml yet; NUL never occurs in sheet XML."""
    return b"\x00" + (style or b"") + b"\x01" + kind.encode() + b"\x00"


class DeferredStyles(Styles):
    """Styles for a worker process that rewrites rows of a sheet while others rewrite the rest. A date
    style the book already has is used as is; one that would have to be added is written as a marker
    (date_marker) and listed in `wanted`, and the main process adds it once (Styles.resolve), so every
    worker's rows get the same index."""

    wanted: list

    def date_style(self, style: bytes | None, kind: str) -> bytes:
        key = (style, kind)
        if key not in self._cache:
            found = self._find_or_add_xf(int(style or 0), _DATE_FORMATS[kind], add=False)
            if found is None:
                self.wanted.append(key)
                self._cache[key] = date_marker(style, kind)
            else:
                self._cache[key] = b"%d" % found
        return self._cache[key]

    def take_wanted(self) -> list:
        """The markers used since the last call (a chunk's), and forget them: the next chunk may
        come from another worker."""
        wanted, self.wanted = self.wanted, []
        for key in wanted:
            self._cache.pop(key, None)
        return wanted
