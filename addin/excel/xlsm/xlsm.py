"""Turn the .xlsx openpyxl wrote into an .xlsm: the VBA project, and buttons on one sheet.

Zip members are rewritten as text where they must change ([Content_Types].xml, the workbook's and
the button sheet's XML and relationships) and added where new (vbaProject.bin, the VML drawing, the
control properties); everything else is copied as it is.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from . import controls
from .controls import Button

MACRO_ENABLED = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
WORKBOOK_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",)
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_VML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
REL_CTRL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/ctrlProp"
NS = {"r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
      "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "x14": "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"}
# Where <legacyDrawing> and <controls> go: before the first of these (CT_Worksheet's element order).
AFTER_CONTROLS = ("<webPublishItems", "<tableParts", "<extLst", "</worksheet>")
AFTER_LEGACY = ("<legacyDrawingHF", "<drawingHF", "<picture", "<oleObjects", "<controls") + AFTER_CONTROLS


def make_xlsm(src: Path, dst: Path, vba_project: bytes, sheet_name: str, buttons: list[Button],
              col_widths: list[int], row_heights: list[int]) -> None:
    with zipfile.ZipFile(src) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    sheet_part = _sheet_part(parts, sheet_name)

    types = parts["[Content_Types].xml"].decode()
    for old in WORKBOOK_TYPES:
        types = types.replace(old, MACRO_ENABLED)
    defaults = ('<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>')
    overrides = "".join(f'<Override PartName="/xl/ctrlProps/ctrlProp{n}.xml" '
                        f'ContentType="application/vnd.ms-excel.controlproperties+xml"/>'
                        for n in range(1, len(buttons) + 1))
    types = types.replace("<Default ", defaults + "<Default ", 1).replace("</Types>", overrides + "</Types>")
    parts["[Content_Types].xml"] = types.encode()

    parts["xl/vbaProject.bin"] = vba_project
    parts["xl/_rels/workbook.xml.rels"] = _add_rels(parts["xl/_rels/workbook.xml.rels"].decode(),
                                                    [("rIdVbaProject", REL_VBA, "vbaProject.bin")]).encode()

    if buttons:
        vml_rel, ctrl_rels = "rIdButtonsVml", [f"rIdButton{n}" for n in range(1, len(buttons) + 1)]
        parts["xl/drawings/vmlDrawingButtons.vml"] = controls.vml_drawing(buttons, col_widths, row_heights).encode()
        for n in range(1, len(buttons) + 1):
            parts[f"xl/ctrlProps/ctrlProp{n}.xml"] = controls.ctrl_prop().encode()
        rels_part = _rels_part(sheet_part)
        rels = parts.get(rels_part, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         b'</Relationships>').decode()
        parts[rels_part] = _add_rels(rels, [(vml_rel, REL_VML, "../drawings/vmlDrawingButtons.vml")] + [
            (rid, REL_CTRL, f"../ctrlProps/ctrlProp{n}.xml") for n, rid in enumerate(ctrl_rels, start=1)]).encode()
        xml = parts[sheet_part].decode()
        xml = _declare_namespaces(xml)
        xml = _insert_before(xml, AFTER_LEGACY, f'<legacyDrawing r:id="{vml_rel}"/>')
        xml = _insert_before(xml, AFTER_CONTROLS, controls.sheet_controls(buttons, ctrl_rels, col_widths, row_heights))
        parts[sheet_part] = xml.encode()

    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


def _sheet_part(parts: dict[str, bytes], sheet_name: str) -> str:
    """The zip member of a sheet, found through workbook.xml and its relationships."""
    workbook = parts["xl/workbook.xml"].decode()
    m = re.search(r'<sheet [^>]*name="' + re.escape(sheet_name) + r'"[^>]*r:id="([^"]+)"', workbook)
    if not m:
        raise KeyError(sheet_name)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(r'<Relationship [^>]*Id="' + re.escape(m.group(1)) + r'"[^>]*Target="([^"]+)"', rels) \
        or re.search(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="' + re.escape(m.group(1)) + '"', rels)
    path = target.group(1)
    return path.lstrip("/") if path.startswith("/") else posixpath.normpath(posixpath.join("xl", path))


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return f"{folder}/_rels/{name}.rels"


def _add_rels(xml: str, rels: list[tuple[str, str, str]]) -> str:
    new = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in rels)
    return xml.replace("</Relationships>", new + "</Relationships>")


def _declare_namespaces(xml: str) -> str:
    start = xml.index("<worksheet")
    end = xml.index(">", start)
    tag = xml[start:end]
    extra = "".join(f' xmlns:{p}="{uri}"' for p, uri in NS.items() if f"xmlns:{p}=" not in tag)
    return xml[:end] + extra + xml[end:]


def _insert_before(xml: str, anchors: tuple[str, ...], fragment: str) -> str:
    at = min(i for i in (xml.find(a) for a in anchors) if i >= 0)
    return xml[:at] + fragment + xml[at:]
