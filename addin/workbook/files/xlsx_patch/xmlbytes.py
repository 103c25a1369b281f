"""Byte-level XML helpers: attributes found and set by regex, escaping, the SpreadsheetML root."""
from __future__ import annotations

import functools
import re

from .edits import PatchError, UnsupportedWorkbook

MAX_TEXT = 32_767  # Excel's cell text limit
CLIP_MARK = "…(已截断 truncated)"   # ends a text cut to MAX_TEXT (session.clip_long_texts)
_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"  # ISO 29500 Strict: valid, not supported

@functools.lru_cache(maxsize=None)
def _attr_re(name: bytes) -> re.Pattern:
    return re.compile(rb"(?<![\w:.-])" + re.escape(name) + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def get_attr(attrs: bytes, name: bytes) -> bytes | None:
    m = _attr_re(name).search(attrs)
    if m is None:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def column_styles(head: bytes, p: bytes) -> list[tuple[int, int, bytes | None]]:
    """(min, max, style or None) of each <col> element in a sheet's XML head (`p`: its namespace prefix)."""
    found = []
    for m in re.finditer(rb"<" + p + rb"col(?=[\s/>])([^>]*)>", head):
        lo, hi, style = (get_attr(m.group(1), name) for name in (b"min", b"max", b"style"))
        if lo and hi:
            found.append((int(lo), int(hi), style))
    return found


def set_attr(attrs: bytes, name: bytes, value: bytes) -> bytes:
    m = _attr_re(name).search(attrs)
    if m is None:
        return attrs.rstrip() + b" " + name + b'="' + value + b'"'
    return attrs[: m.start()] + name + b'="' + value + b'"' + attrs[m.end():]


def root_prefix(xml: bytes, local: bytes) -> bytes:
    """The namespace prefix (b'' or b'x:') of the SpreadsheetML root element `local`."""
    m = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?" + local + rb"(?=[\s/>])([^>]*)>", xml)
    if m is None:
        raise PatchError(f"no <{local.decode()}> root element")
    prefix = m.group(1) or b""
    ns = get_attr(m.group(2), b"xmlns:" + prefix if prefix else b"xmlns")
    if ns == STRICT_NS:
        raise UnsupportedWorkbook("the workbook is saved as Strict Open XML, which is not supported; "
                                  "save it as an ordinary Excel Workbook (.xlsx)")
    if ns != _MAIN_NS:
        raise PatchError(f"<{local.decode()}> is not in the SpreadsheetML namespace ({(ns or b'none').decode()})")
    return prefix + b":" if prefix else b""


_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def xml_unescape(text: str) -> str:
    def sub(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "#":
            return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
        return _NAMED_ENTITIES[e]
    return _ENTITY_RE.sub(sub, text) if "&" in text else text


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr_escape(text: str) -> str:
    return xml_escape(text).replace('"', "&quot;")


# Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
_ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads _xHHHH_ in text as an escaped character; a literal one is protected as _x005F_xHHHH_.
_X_ESCAPE_RE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def text_xml(text: str) -> str:
    if not text.isprintable():  # cheap pre-check: tab/LF/CR and controls are not printable
        text = _ILLEGAL_XML_RE.sub("", text)
    if len(text) > MAX_TEXT:
        raise ValueError(f"text of {len(text)} characters exceeds Excel's {MAX_TEXT}-character cell limit")
    if "_x" in text:
        text = _X_ESCAPE_RE.sub(r"_x005F_\1", text)
    if "&" in text or "<" in text or ">" in text:
        text = xml_escape(text)
    # A raw CR would be normalised to LF by XML parsers.
    return text.replace("\r", "&#13;") if "\r" in text else text
