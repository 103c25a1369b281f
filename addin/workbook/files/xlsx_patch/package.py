"""The OPC package: the workbook part, its sheets and rels, content types, calcChain; adding a sheet."""
from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from .edits import PatchError
from .xmlbytes import attr_escape, get_attr, set_attr

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET_REL = _REL_NS + "/worksheet"
_WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
NEW_SHEET_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<dimension ref="A1"/><sheetData/></worksheet>'
)


def new_sheet_xml(widths: dict[int, float] | None = None) -> bytes:
    """An empty worksheet, with column widths (1-based column -> characters) when given."""
    if not widths:
        return NEW_SHEET_XML
    cols = "".join(f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>' for c, w in sorted(widths.items()))
    return NEW_SHEET_XML.replace(b"<sheetData/>", f"<cols>{cols}</cols><sheetData/>".encode())


class Package:
    """Locates the workbook, its sheets and related parts, and edits the small package XML parts."""

    def __init__(self, zf: zipfile.ZipFile, cache: dict[str, bytes] | None = None):
        """`cache`: parts already inflated from this same package (shared by the callers that read the
        same bytes twice, e.g. the layout scan and the patch of one sheet); parts read are added to it."""
        self.zf = zf
        self.cache = cache if cache is not None else {}
        self.infos = zf.infolist()
        self.by_lower = {i.filename.lower(): i.filename for i in self.infos}
        self.parts: dict[str, bytes] = {}  # current bytes of the parts we read or edit
        self.original: dict[str, bytes] = {}
        root_rels = self.rels("_rels/.rels", "")
        wb = next((t for _, typ, t in root_rels if typ.endswith("/officeDocument")), None)
        if wb is None:
            raise PatchError("not a SpreadsheetML package: no officeDocument relationship")
        self.wb_part = wb
        self.wb_rels_part = rels_path(wb)
        self.ct_part = self.member("[Content_Types].xml")
        self.wb_rels = self.rels(self.wb_rels_part, wb)
        self.rel_targets = {rid: (typ, target) for rid, typ, target in self.wb_rels}
        wb_xml = self.read(wb)
        pr = re.search(rb"<(?:[\w.-]+:)?workbookPr(?=[\s/>])([^>]*)>", wb_xml)
        self.date1904 = bool(pr) and get_attr(pr.group(1), b"date1904") in (b"1", b"true")
        self.sheets: dict[str, str | None] = {}  # name -> worksheet part (None: not a worksheet)
        self.sheet_ids: list[int] = []
        sheets = [el for el in self.xml_tree(wb).iter() if el.tag.rsplit("}", 1)[-1] == "sheets"]
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

    def member(self, name: str) -> str:
        return self.by_lower.get(name.lower(), name)

    def exists(self, name: str) -> bool:
        return name.lower() in self.by_lower or name in self.parts

    def read(self, name: str) -> bytes:
        name = self.member(name)
        if name not in self.parts:
            try:
                data = self.cache.get(name)
                if data is None:
                    data = self.cache[name] = self.zf.read(name)
                self.parts[name] = self.original[name] = data
            except KeyError:
                raise PatchError(f"the package has no part {name!r}") from None
            except (zipfile.BadZipFile, zlib.error, EOFError) as e:    # bad CRC, truncated member
                raise PatchError(f"zip member {name!r} is damaged: {e}") from None
        return self.parts[name]

    def xml_tree(self, name: str) -> ET.Element:
        """A small package part (workbook.xml, rels, a table) parsed; damaged XML is a PatchError."""
        try:
            return ET.fromstring(self.read(name))
        except ET.ParseError as e:
            raise PatchError(f"{name} is not well-formed XML: {e}") from None

    def write(self, name: str, data: bytes) -> None:
        self.parts[self.member(name)] = data

    def rels(self, rels_part: str, source: str) -> list[tuple[str, str, str]]:
        out = []
        for el in self.xml_tree(rels_part).iter(f"{{{_PKG_REL_NS}}}Relationship"):
            target = el.get("Target", "")
            if el.get("TargetMode") != "External":
                target = unquote(target)
                target = target[1:] if target.startswith("/") else posixpath.normpath(
                    posixpath.join(posixpath.dirname(source), target))
            out.append((el.get("Id"), el.get("Type", ""), target))
        return out

    def add_sheet(self, name: str, hidden: bool = False) -> str:
        """Register a new empty worksheet (hidden: state="hidden"); returns its part name."""
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
        state = ' state="hidden"' if hidden else ""
        el = f'<{p}sheet{decl} name="{attr_escape(name)}" sheetId="{sheet_id}"{state} {rprefix}:id="{rid}"/>'
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
                self.dropped.add(self.member(part))
            dropped = True
        self.set_full_calc_on_load()
        return dropped

    def set_full_calc_on_load(self) -> None:
        """calcPr fullCalcOnLoad="1": Excel recalculates every formula when it opens the file. workbook.xml
        is left as it is when the flag is set already (1 or true), so a second run writes the same bytes."""
        wb = self.read(self.wb_part)
        m = re.search(rb"<([\w.-]+:)?calcPr(?=[\s/>])([^>]*?)(/?)>", wb)
        if m:
            if get_attr(m.group(2), b"fullCalcOnLoad") in (b"1", b"true"):
                return
            tag = (b"<" + (m.group(1) or b"") + b"calcPr" + set_attr(m.group(2), b"fullCalcOnLoad", b"1")
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


def rels_path(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
