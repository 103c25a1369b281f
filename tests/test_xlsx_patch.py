"""Lossless write-back: addin.workbook.files.xlsx_patch.

The fixture is a hand-assembled .xlsm with the parts openpyxl loses on a round trip (VBA project,
form-control button, note, x14 data bar, sparklines, table, calcChain, shared formulas).
"""
from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from addin.workbook.files.xlsx_patch import cellxml, zipcopy
from addin.workbook.files.reader import read_sheet, sheet_names
from addin.workbook.files.xlsx_patch import PatchError, SheetEdit, patch_workbook, shift_formula
from tests.helpers.books import files_in, load
from tests.helpers.zips import NAMES, compare_books, member, outside_sheet_data, recompressed

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET1 = "xl/worksheets/sheet1.xml"
VBA_BYTES = bytes(range(256)) * 16

# --------------------------------------------------------------------------- fixture

SST = ["订单号", "金额", "下单时间", "补偿", "状态", "备注", "合计", "短信",
       "TB001", "TB002", "TB003", "TB004", "TB005", "旧", "参数", "值", "赔付比例"]


def s(text: str) -> int:
    return SST.index(text)


# cellXfs: 0 default, 1 bold, 2 date (builtin 22), 3 money + border, 4 fill + border + centred, 5 bold + fill
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="&quot;¥&quot;#,##0.00"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1"/><xf numFmtId="0" fontId="0" fillId="2" borderId="1" xfId="0" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center"/></xf><xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="1"><dxf><font><color rgb="FF9C0006"/></font></dxf></dxfs><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>"""


def _sheet1_rows() -> str:
    header = "".join(f'<c r="{col}1" s="1" t="s"><v>{s(name)}</v></c>'
                     for col, name in zip("ABCDEFGH", SST[:8]))
    rows = [f'<row r="1" spans="1:11" x14ac:dyDescent="0.25">{header}</row>']
    amounts = [100, 200.5, 387.45, 50, 99.9]
    for i, r in enumerate(range(2, 7)):
        cells = [f'<c r="A{r}" t="s"><v>{s(f"TB00{i + 1}")}</v></c>',
                 f'<c r="B{r}" s="3"><v>{amounts[i]}</v></c>',
                 f'<c r="C{r}" s="2"><v>{46023 + i}.5</v></c>']
        if r == 2:
            cells.append('<c r="D2"><f t="shared" ref="D2:D6" si="0">B2*0.3</f><v>30</v></c>')
        else:
            cells.append(f'<c r="D{r}"><f t="shared" si="0"/><v>{amounts[i] * 0.3}</v></c>')
        cells.append({2: '<c r="F2" s="1" t="inlineStr"><is><t>旧备注</t></is></c>',
                      3: f'<c r="F3" t="s"><v>{s("旧")}</v></c>',
                      4: "",
                      5: '<c r="F5" s="1"/>',
                      6: '<c r="F6"><v>7</v></c>'}[r])
        if r == 2:
            cells.append('<c r="G2"><f>SUM(B2:B6)</f><v>837.85</v></c>')
        if r <= 4:  # a 2-D shared formula J2:K4
            for col, prev in (("J", "B"), ("K", "C")):
                if (col, r) == ("J", 2):
                    cells.append('<c r="J2"><f t="shared" ref="J2:K4" si="1">$B2+B2*10+B$2</f><v>1200</v></c>')
                else:
                    cells.append(f'<c r="{col}{r}"><f t="shared" si="1"/><v>1</v></c>')
        row_attrs = ' s="5" customFormat="1"' if r == 4 else ""
        rows.append(f'<row r="{r}" spans="1:11"{row_attrs} x14ac:dyDescent="0.25">{"".join(cells)}</row>')
    rows.append('<row r="7" spans="1:11" ht="20" customHeight="1"/>')
    return "".join(rows)


SHEET1_HEAD = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}" xmlns:r="{REL}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xr:uid="{{00000000-0001-0000-0000-000000000000}}"><sheetPr codeName="Sheet1"/><dimension ref="A1:K7"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><cols><col min="1" max="1" width="18" customWidth="1"/><col min="5" max="5" width="12" style="4" customWidth="1"/></cols><sheetData>"""

SHEET1_TAIL = """</sheetData><mergeCells count="1"><mergeCell ref="M1:N1"/></mergeCells><conditionalFormatting sqref="B2:B6"><cfRule type="dataBar" priority="1"><dataBar><cfvo type="min"/><cfvo type="max"/><color rgb="FF638EC6"/></dataBar><extLst><ext uri="{B025F937-C7B1-47D3-B67F-A62EFF666E3E}"><x14:id>{8F3C2A10-0000-4000-8000-000000000001}</x14:id></ext></extLst></cfRule></conditionalFormatting><conditionalFormatting sqref="E2:E6"><cfRule type="cellIs" dxfId="0" priority="2" operator="equal"><formula>"需审批"</formula></cfRule></conditionalFormatting><dataValidations count="1"><dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" sqref="E2:E100"><formula1>"待处理,已生成,需审批"</formula1></dataValidation></dataValidations><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/><legacyDrawing r:id="rId2"/><mc:AlternateContent><mc:Choice Requires="x14"><controls><mc:AlternateContent><mc:Choice Requires="x14"><control shapeId="1025" r:id="rId3" name="Button 1"><controlPr defaultSize="0" print="0" autoFill="0" autoPict="0" macro="[0]!Recalc"><anchor moveWithCells="1" sizeWithCells="1"><from><xdr:col>12</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>2</xdr:row><xdr:rowOff>0</xdr:rowOff></from><to><xdr:col>13</xdr:col><xdr:colOff>400000</xdr:colOff><xdr:row>3</xdr:row><xdr:rowOff>100000</xdr:rowOff></to></anchor></controlPr></control></mc:Choice></mc:AlternateContent></controls></mc:Choice></mc:AlternateContent><tableParts count="1"><tablePart r:id="rId4"/></tableParts><extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}"><x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:cfRule type="dataBar" id="{8F3C2A10-0000-4000-8000-000000000001}"><x14:dataBar minLength="0" maxLength="100" gradient="0"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/><x14:negativeFillColor rgb="FFFF0000"/><x14:axisColor rgb="FF000000"/></x14:dataBar></x14:cfRule><xm:sqref>B2:B6</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"><x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:sparklineGroup displayEmptyCellsAs="gap"><x14:colorSeries rgb="FF376092"/><x14:colorNegative rgb="FFD00000"/><x14:colorAxis rgb="FF000000"/><x14:colorMarkers rgb="FFD00000"/><x14:colorFirst rgb="FFD00000"/><x14:colorLast rgb="FFD00000"/><x14:colorHigh rgb="FFD00000"/><x14:colorLow rgb="FFD00000"/><x14:sparklines><x14:sparkline><xm:f>案件!B2:B6</xm:f><xm:sqref>L2</xm:sqref></x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext></extLst></worksheet>"""

VML = """<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout><v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype><v:shape id="_x0000_s1025" type="#_x0000_t201" style="position:absolute;margin-left:600pt;margin-top:20pt;width:80pt;height:24pt;z-index:1" o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto"><v:fill color2="buttonFace [67]" o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/><v:textbox style="mso-direction-alt:auto" o:singleclick="f"><div style="text-align:center"><font face="Calibri" size="220" color="#000000">重算</font></div></v:textbox><x:ClientData ObjectType="Button"><x:Anchor>12, 0, 2, 0, 13, 40, 3, 10</x:Anchor><x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill><x:FmlaMacro>[0]!Recalc</x:FmlaMacro><x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype><v:shape id="_x0000_s1026" type="#_x0000_t202" style="position:absolute;margin-left:300pt;margin-top:10pt;width:150pt;height:60pt;z-index:2;visibility:visible" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>6, 15, 1, 10, 9, 15, 5, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>1</x:Row><x:Column>5</x:Column><x:Visible/></x:ClientData></v:shape></xml>"""

CT_WS = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
PARTS = {
    "[Content_Types].xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT_WS}"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="{CT_WS}"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/><Override PartName="/xl/comments1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/><Override PartName="/xl/tables/table1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/><Override PartName="/xl/ctrlProps/ctrlProp1.xml" ContentType="application/vnd.ms-excel.controlproperties+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>""",
    "_rels/.rels": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""",
    "docProps/app.xml": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel</Application><TitlesOfParts><vt:vector size="2" baseType="lpstr"><vt:lpstr>案件</vt:lpstr><vt:lpstr>规则</vt:lpstr></vt:vector></TitlesOfParts></Properties>""",
    "docProps/core.xml": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>客服</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created></cp:coreProperties>""",
    "xl/workbook.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}"><fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/><workbookPr codeName="ThisWorkbook" defaultThemeVersion="166925"/><bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="12300"/></bookViews><sheets><sheet name="案件" sheetId="1" r:id="rId1"/><sheet name="规则" sheetId="2" r:id="rId2"/></sheets><definedNames><definedName name="Rate">规则!$B$2</definedName></definedNames><calcPr calcId="191029"/></workbook>""",
    "xl/_rels/workbook.xml.rels": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/><Relationship Id="rId4" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId5" Type="{REL}/calcChain" Target="calcChain.xml"/><Relationship Id="rId6" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>""",
    SHEET1: SHEET1_HEAD + _sheet1_rows() + SHEET1_TAIL,
    "xl/worksheets/_rels/sheet1.xml.rels": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/comments" Target="../comments1.xml"/><Relationship Id="rId2" Type="{REL}/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/><Relationship Id="rId3" Type="{REL}/ctrlProp" Target="../ctrlProps/ctrlProp1.xml"/><Relationship Id="rId4" Type="{REL}/table" Target="../tables/table1.xml"/></Relationships>""",
    "xl/worksheets/sheet2.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1" t="s"><v>{s("参数")}</v></c><c r="B1" t="s"><v>{s("值")}</v></c></row><row r="2"><c r="A2" t="s"><v>{s("赔付比例")}</v></c><c r="B2"><v>0.3</v></c></row></sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>""",
    "xl/sharedStrings.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="{MAIN}" count="{len(SST) + 3}" uniqueCount="{len(SST)}">{"".join(f"<si><t>{t}</t></si>" for t in SST)}</sst>""",
    "xl/styles.xml": STYLES,
    "xl/calcChain.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<calcChain xmlns="{MAIN}"><c r="D2" i="1"/><c r="D3"/><c r="D4"/><c r="D5"/><c r="D6"/><c r="G2"/><c r="J2"/><c r="K2"/><c r="J3"/><c r="K3"/><c r="J4"/><c r="K4"/></calcChain>""",
    "xl/comments1.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<comments xmlns="{MAIN}"><authors><author>客服</author></authors><commentList><comment ref="F2" authorId="0"><text><r><rPr><b/><sz val="9"/><rFont val="宋体"/></rPr><t>客服:</t></r><r><rPr><sz val="9"/></rPr><t xml:space="preserve">请核对</t></r></text></comment></commentList></comments>""",
    "xl/drawings/vmlDrawing1.vml": VML,
    "xl/ctrlProps/ctrlProp1.xml": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<formControlPr xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" objectType="Button" lockText="1"/>""",
    "xl/tables/table1.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<table xmlns="{MAIN}" id="1" name="Cases" displayName="Cases" ref="A1:H6" totalsRowShown="0"><autoFilter ref="A1:H6"/><tableColumns count="8">{"".join(f'<tableColumn id="{i + 1}" name="{n}"/>' for i, n in enumerate(SST[:8]))}</tableColumns><tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>""",
    "xl/vbaProject.bin": VBA_BYTES,
}


def write_zip(path: Path, parts: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, (2026, 1, 2, 3, 4, 6))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data.encode() if isinstance(data, str) else data)
    return path


@pytest.fixture
def xlsm(tmp_path) -> Path:
    return write_zip(tmp_path / "cases.xlsm", PARTS)


# --------------------------------------------------------------------------- helpers

def cell_xml(sheet_xml: bytes, ref: str) -> str:
    m = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)'.encode(), sheet_xml, re.S)
    return m.group(0).decode() if m else ""


# --------------------------------------------------------------------------- lossless copy

def test_only_the_sheet_xml_changes(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    report = patch_workbook(xlsm, dst, {"案件": SheetEdit({
        (2, 5): "待处理", (3, 5): "需审批", (2, 6): "新备注", (3, 6): Decimal("26.70"), (2, 8): "短信 1",
    })})
    assert report.changed_members == [SHEET1]
    assert report.sheets_patched == ["案件"] and report.cells_written == 5
    assert not (report.calc_chain_dropped or report.full_calc_on_load or report.date_styles_added)

    assert recompressed(xlsm, dst) == [SHEET1]  # the rest: compressed bytes copied verbatim
    assert list(compare_books(xlsm, dst)) == [SHEET1]
    with zipfile.ZipFile(xlsm) as a, zipfile.ZipFile(dst) as b:
        assert [i.date_time for i in a.infolist()] == [i.date_time for i in b.infolist()]
        assert b.testzip() is None
    assert member(dst, "xl/vbaProject.bin") == VBA_BYTES

    old, new = member(xlsm, SHEET1), member(dst, SHEET1)
    assert outside_sheet_data(old) == outside_sheet_data(new)
    assert new.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns=')
    for element in (b'<legacyDrawing r:id="rId2"/>', b'<control shapeId="1025" r:id="rId3" name="Button 1">',
                    b'<tableParts count="1"><tablePart r:id="rId4"/></tableParts>', b"<x14:sparklineGroups",
                    b'<x14:dataBar minLength="0"', b"<dataValidations", b'<mergeCell ref="M1:N1"/>'):
        assert new.count(element) == 1, element
    # untouched rows are copied as they were
    assert re.search(rb'<row r="4".*?</row>', old, re.S).group(0) == re.search(rb'<row r="4".*?</row>', new, re.S).group(0)


def test_values_read_back(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    values = {(2, 5): "待处理", (3, 5): Decimal("26.70"), (5, 5): 42, (6, 5): 0.1 + 0.2, (2, 8): True,
              (3, 8): False, (4, 8): " 前后空格 ", (5, 8): "行1\n行2", (6, 8): Decimal("-0.00"),
              (2, 6): None, (6, 6): "<b>&amp;</b>", (9, 3): "新行"}
    patch_workbook(xlsm, dst, {"案件": SheetEdit(values)})
    expected = {**values, (3, 5): 26.7, (6, 8): 0}

    grid = read_sheet(dst, "案件")
    for (r, c), v in expected.items():
        assert grid[r - 1][c - 1] == v, (r, c)
    assert grid[1][0] == "TB001" and grid[2][1] == 200.5  # untouched cells

    ws = load(dst)["案件"]
    for (r, c), v in expected.items():
        assert ws.cell(r, c).value == v, (r, c)
    xml = member(dst, SHEET1)
    assert cell_xml(xml, "E3") == '<c r="E3" s="4"><v>26.7</v></c>'
    assert cell_xml(xml, "F2") == '<c r="F2" s="1"/>'  # value gone, style kept


def test_styles_are_kept(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    patch_workbook(xlsm, dst, {"案件": SheetEdit({(2, 6): "x", (5, 6): "y", (3, 2): 1, (2, 5): "a", (4, 5): "b",
                                                  (4, 8): "c", (3, 8): "d"})})
    xml = member(dst, SHEET1)
    assert 's="1"' in cell_xml(xml, "F2")  # existing cell keeps its bold style
    assert 's="1"' in cell_xml(xml, "F5")  # styled blank cell
    assert 's="3"' in cell_xml(xml, "B3")  # money format + border
    assert 's="4"' in cell_xml(xml, "E2")  # new cell: column E's style
    assert 's="5"' in cell_xml(xml, "E4") and 's="5"' in cell_xml(xml, "H4")  # row 4 is custom-formatted
    assert " s=" not in cell_xml(xml, "H3")
    ws = load(dst)["案件"]
    assert ws["F2"].font.b and ws["F5"].font.b
    assert ws["B3"].number_format == '"¥"#,##0.00' and ws["B3"].border.left.style == "thin"
    assert ws["E2"].fill.fgColor.rgb == "FFFFFF00" and ws["E2"].alignment.horizontal == "center"
    assert ws["H4"].fill.fgColor.rgb == "FFFFFF00" and ws["H4"].font.b


def test_cells_are_ordered_and_dimension_spans_grow(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    patch_workbook(xlsm, dst, {"案件": SheetEdit({(2, 9): "I", (2, 5): "E", (2, 15): "O", (10, 2): 1, (7, 3): 3})})
    xml = member(dst, SHEET1)
    row2 = re.search(rb'<row r="2".*?</row>', xml, re.S).group(0).decode()
    refs = re.findall(r'<c r="([A-Z]+)2"', row2)
    assert refs == ["A", "B", "C", "D", "E", "F", "G", "I", "J", "K", "O"]
    assert row2.startswith('<row r="2" spans="1:15"')
    assert b'<dimension ref="A1:O10"/>' in xml
    assert re.search(rb'<row r="7" spans="1:11" ht="20" customHeight="1"><c r="C7"><v>3</v></c></row>'
                     rb'<row r="10"><c r="B10"><v>1</v></c></row></sheetData>', xml)
    assert read_sheet(dst, "案件")[9][1] == 1


def test_patching_is_deterministic_and_idempotent(xlsm, tmp_path):
    edits = {"案件": SheetEdit({(2, 5): "a", (3, 8): dt.datetime(2026, 3, 4, 5, 6), (2, 4): 1})}
    a, b = tmp_path / "a.xlsm", tmp_path / "b.xlsm"
    patch_workbook(xlsm, a, edits)
    patch_workbook(xlsm, b, edits)
    assert a.read_bytes() == b.read_bytes()
    report = patch_workbook(a, a, edits)  # again, in place
    assert a.read_bytes() == b.read_bytes()
    assert report.date_styles_added == 0 and report.changed_members == [SHEET1]


# --------------------------------------------------------------------------- value encoding

def test_formula_like_text_stays_text(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    texts = ["=1+1", "@SUM(A1)", "+86 138 0000 0000", "-5", "=HYPERLINK(\"http://x\")"]
    patch_workbook(xlsm, dst, {"案件": SheetEdit({(r, 8): t for r, t in enumerate(texts, start=2)})})
    xml = member(dst, SHEET1)
    for r, t in enumerate(texts, start=2):
        assert "<f>" not in cell_xml(xml, f"H{r}") and 't="inlineStr"' in cell_xml(xml, f"H{r}")
    grid = read_sheet(dst, "案件")
    ws = load(dst)["案件"]
    for r, t in enumerate(texts, start=2):
        assert grid[r - 1][7] == t
        assert ws.cell(r, 8).value == t and ws.cell(r, 8).data_type == "s"


def test_text_escaping(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    patch_workbook(xlsm, dst, {"案件": SheetEdit({(2, 8): "a\x00b\x07c\ufffe", (3, 8): "x\r\ny",
                                                  (4, 8): "_x0041_ literal", (5, 8): "😀 emoji"})})
    grid = read_sheet(dst, "案件")
    assert grid[1][7] == "abc"  # XML-illegal control characters dropped
    assert grid[2][7] == "x\r\ny"
    assert grid[3][7] == "_x0041_ literal"  # Excel would otherwise read _x0041_ as "A"
    assert grid[4][7] == "😀 emoji"


def test_numbers_are_written_exactly(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    values = [Decimal("26.70"), Decimal("1E+3"), Decimal("0.000001"), 3.0, 1e-7, 123456789012345678, 2.5e20]
    patch_workbook(xlsm, dst, {"案件": SheetEdit({(2 + i, 9): v for i, v in enumerate(values)})})
    xml = member(dst, SHEET1)
    texts = [re.search(r"<v>(.*?)</v>", cell_xml(xml, f"I{2 + i}")).group(1) for i in range(len(values))]
    assert texts == ["26.7", "1000", "0.000001", "3", "1e-07", "123456789012345678", "2.5e+20"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), Decimal("NaN"), object(), dt.time(1, 2),
                                 dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), "x" * 32768])
def test_bad_values_raise_and_write_nothing(xlsm, tmp_path, bad):
    before = xlsm.read_bytes()
    with pytest.raises((ValueError, TypeError)):
        patch_workbook(xlsm, xlsm, {"案件": SheetEdit({(2, 5): bad})})
    assert xlsm.read_bytes() == before
    assert files_in(tmp_path) == {"cases.xlsm"}


def test_dates_get_a_date_style_once(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    when = dt.datetime(2026, 3, 4, 5, 6)
    edits = {"案件": SheetEdit({(2, 8): when, (3, 8): when, (4, 9): dt.date(2026, 5, 1),
                                (3, 3): dt.datetime(2026, 1, 1, 12, 0), (5, 2): when})}
    report = patch_workbook(xlsm, dst, edits)
    # H2/H3 unstyled -> one new datetime xf; I4 gets row 4's style + date; C3 already a date; B5 money -> new
    assert report.date_styles_added == 3
    styles = member(dst, "xl/styles.xml")
    assert b'<cellXfs count="9">' in styles
    assert styles.count(b'formatCode="yyyy-mm-dd hh:mm"') == 1 and styles.count(b'formatCode="yyyy-mm-dd"') == 1
    assert b'<numFmts count="3">' in styles
    xml = member(dst, SHEET1)
    assert 's="2"' in cell_xml(xml, "C3")
    grid = read_sheet(dst, "案件")
    ws = load(dst)["案件"]
    assert grid[1][7] == grid[2][7] == when == ws["H2"].value == ws["H3"].value
    assert grid[3][8] == dt.date(2026, 5, 1) and ws["I4"].value.date() == dt.date(2026, 5, 1)
    assert ws["I4"].font.b and ws["I4"].number_format == "yyyy-mm-dd"  # cloned from row 4's xf
    assert ws["B5"].border.left.style == "thin" and ws["B5"].number_format == "yyyy-mm-dd hh:mm"
    assert grid[2][2] == dt.datetime(2026, 1, 1, 12, 0)

    again = patch_workbook(dst, dst, edits)  # second run: the cells already have date styles
    assert again.date_styles_added == 0
    assert member(dst, "xl/styles.xml") == styles


def test_date1904_workbooks(tmp_path):
    parts = dict(PARTS)
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace('<workbookPr ', '<workbookPr date1904="1" ')
    src = write_zip(tmp_path / "mac.xlsm", parts)
    patch_workbook(src, src, {"案件": SheetEdit({(2, 8): dt.date(1904, 1, 2)})})
    assert "<v>1</v>" in cell_xml(member(src, SHEET1), "H2")


def test_excel_serials():
    assert cellxml.excel_serial(dt.date(1900, 1, 1), False) == "1"
    assert cellxml.excel_serial(dt.date(1900, 2, 28), False) == "59"
    assert cellxml.excel_serial(dt.date(1900, 3, 1), False) == "61"  # Excel's phantom 1900-02-29 is 60
    assert cellxml.excel_serial(dt.datetime(2026, 1, 1, 12), False) == "46023.5"


# --------------------------------------------------------------------------- formulas

def test_overwriting_a_formula_drops_calc_chain(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    report = patch_workbook(xlsm, dst, {"案件": SheetEdit({(2, 7): 123})})
    assert report.calc_chain_dropped and report.full_calc_on_load
    assert sorted(report.changed_members) == sorted(
        ["[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/calcChain.xml", "xl/workbook.xml", SHEET1])
    with zipfile.ZipFile(dst) as zf:
        assert "xl/calcChain.xml" not in zf.namelist()
        assert b"calcChain" not in zf.read("xl/_rels/workbook.xml.rels")
        assert b"calcChain" not in zf.read("[Content_Types].xml")
        assert b'<calcPr calcId="191029" fullCalcOnLoad="1"/>' in zf.read("xl/workbook.xml")
    assert cell_xml(member(dst, SHEET1), "G2") == '<c r="G2"><v>123</v></c>'
    assert load(dst)["案件"]["G2"].value == 123


def test_full_calc_on_load_sets_only_the_flag_once(xlsm, tmp_path):
    """Asked for (recalc: formulas elsewhere read the values it writes): calcPr gets fullCalcOnLoad, and
    nothing else outside the sheet changes: no formula changed, so calcChain stays."""
    dst = tmp_path / "out.xlsm"
    report = patch_workbook(xlsm, dst, {"案件": SheetEdit({(2, 5): "待处理"})}, full_calc_on_load=True)
    assert report.full_calc_on_load and not report.calc_chain_dropped
    assert report.changed_members == ["xl/workbook.xml", SHEET1]
    assert member(dst, "xl/workbook.xml") == member(xlsm, "xl/workbook.xml").replace(
        b'<calcPr calcId="191029"/>', b'<calcPr calcId="191029" fullCalcOnLoad="1"/>')
    assert member(dst, "xl/calcChain.xml") == member(xlsm, "xl/calcChain.xml")
    again = patch_workbook(dst, dst, {"案件": SheetEdit({(2, 5): "待处理"})}, full_calc_on_load=True)
    assert again.changed_members == [SHEET1]                   # set already: workbook.xml as it is
    # A flag spelled true (as other writers save it) counts as set; a workbook without calcPr gets one.
    parts = dict(PARTS)
    parts["xl/workbook.xml"] = PARTS["xl/workbook.xml"].replace('<calcPr calcId="191029"/>',
                                                                 '<calcPr calcId="191029" fullCalcOnLoad="true"/>')
    src = write_zip(tmp_path / "true.xlsm", parts)
    assert patch_workbook(src, src, {"案件": SheetEdit({(2, 5): "x"})}, full_calc_on_load=True).changed_members == [SHEET1]
    parts["xl/workbook.xml"] = PARTS["xl/workbook.xml"].replace('<calcPr calcId="191029"/>', "")
    src = write_zip(tmp_path / "none.xlsm", parts)
    patch_workbook(src, src, {"案件": SheetEdit({(2, 5): "x"})}, full_calc_on_load=True)
    assert member(src, "xl/workbook.xml").endswith(b'</definedNames><calcPr fullCalcOnLoad="1"/></workbook>')


def test_shared_formula_master_overwritten(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    report = patch_workbook(xlsm, dst, {"案件": SheetEdit({(2, 4): 0, (2, 10): 0, (3, 10): 0})})
    assert report.shared_formulas_remastered == 2 and report.formulas_expanded == 1
    xml = member(dst, SHEET1)
    assert cell_xml(xml, "D3") == '<c r="D3"><f t="shared" ref="D3:D6" si="0">B3*0.3</f><v>60.15</v></c>'
    assert cell_xml(xml, "D4").startswith('<c r="D4"><f t="shared" si="0"/><v>')  # still a dependent
    assert cell_xml(xml, "K2") == '<c r="K2"><f t="shared" ref="K2:K4" si="1">$B2+C2*10+C$2</f><v>1</v></c>'
    assert cell_xml(xml, "J4") == '<c r="J4"><f>$B4+B4*10+B$2</f><v>1</v></c>'
    ws = load(dst)["案件"]  # openpyxl expands shared formulas from their master
    assert [ws[f"D{r}"].value for r in range(2, 7)] == [0, "=B3*0.3", "=B4*0.3", "=B5*0.3", "=B6*0.3"]
    assert ws["K2"].value == "=$B2+C2*10+C$2"
    assert ws["K3"].value == "=$B3+C3*10+C$2"
    assert ws["K4"].value == "=$B4+C4*10+C$2"
    assert ws["J4"].value == "=$B4+B4*10+B$2"


def test_shared_formula_all_cells_overwritten(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    report = patch_workbook(xlsm, dst, {"案件": SheetEdit({(r, 4): r for r in range(2, 7)})})
    assert report.shared_formulas_remastered == 0
    assert b'si="0"' not in member(dst, SHEET1)


def test_array_formula_cells_are_protected(tmp_path):
    parts = dict(PARTS)
    parts[SHEET1] = parts[SHEET1].replace('<c r="G2"><f>SUM(B2:B6)</f>',
                                          '<c r="G2"><f t="array" ref="G2:G3">B2:B3*2</f>')
    src = write_zip(tmp_path / "arr.xlsm", parts)
    with pytest.raises(PatchError, match="array formula"):
        patch_workbook(src, src, {"案件": SheetEdit({(3, 7): 1})})
    patch_workbook(src, src, {"案件": SheetEdit({(2, 7): 1})})  # the master may be overwritten


@pytest.mark.parametrize("formula, drow, dcol, expected", [
    ("B2*0.3", 1, 0, "B3*0.3"),
    ("$B2+B$2+$B$2+B2", 2, 1, "$B4+C$2+$B$2+C4"),
    ("SUM(A1:B2)+LOG10(A1)+ATAN2(1,2)", 1, 1, "SUM(B2:C3)+LOG10(B2)+ATAN2(1,2)"),
    ('"A1"&A1&\'My Sheet\'!A1&规则!B2', 1, 0, '"A1"&A2&\'My Sheet\'!A2&规则!B3'),
    ("SUM(A:A)+SUM(1:2)+SUM($A:B)", 1, 1, "SUM(B:B)+SUM(2:3)+SUM($A:C)"),
    ("Cases[[#This Row],[Q1]]*Rate+_xlfn.XLOOKUP(A1,B:B,C:C)", 1, 0,
     "Cases[[#This Row],[Q1]]*Rate+_xlfn.XLOOKUP(A2,B:B,C:C)"),
    ("XFD1+A1048576", 0, 1, "#REF!+B1048576"),
    ("TRUE+ABCD1+R1C1", 1, 1, "TRUE+ABCD1+R1C1"),
])
def test_shift_formula(formula, drow, dcol, expected):
    assert shift_formula(formula, drow, dcol) == expected


# --------------------------------------------------------------------------- rows and sheets

def test_clear_rows_from(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    report = patch_workbook(xlsm, dst, {"案件": SheetEdit({(4, 1): "新", (5, 2): 5, (2, 8): "留"}, clear_rows_from=4)})
    assert report.rows_cleared == 4  # rows 4, 5, 6 and the empty row 7
    assert report.calc_chain_dropped  # the cleared rows held formulas
    grid = read_sheet(dst, "案件")
    assert len(grid) == 5
    assert grid[3] == ["新"] + [None] * 10 and grid[4][:2] == [None, 5]
    assert grid[1][7] == "留" and grid[2][0] == "TB002"
    xml = member(dst, SHEET1)
    assert b'<dimension ref="A1:K5"/>' in xml
    assert re.findall(rb'<row r="(\d+)"', xml) == [b"1", b"2", b"3", b"4", b"5"]
    assert load(dst)["案件"].max_row == 5


def test_clear_only(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    report = patch_workbook(xlsm, dst, {"案件": SheetEdit({}, clear_rows_from=2)})
    assert report.rows_cleared == 6
    assert read_sheet(dst, "案件") == [SST[:8]]
    assert b'<dimension ref="A1:K1"/>' in member(dst, SHEET1)


def test_missing_sheet_is_created(xlsm, tmp_path):
    dst = tmp_path / "out.xlsm"
    report = patch_workbook(xlsm, dst, {"日志 & log": SheetEdit({(1, 1): "时间", (1, 2): "行数", (2, 1): dt.datetime(2026, 1, 2, 3, 4),
                                                               (2, 2): 12})})
    assert report.sheets_created == ["日志 & log"]
    assert "xl/worksheets/sheet3.xml" in report.changed_members
    assert sheet_names(dst) == ["案件", "规则", "日志 & log"]
    grid = read_sheet(dst, "日志 & log")
    assert grid == [["时间", "行数"], [dt.datetime(2026, 1, 2, 3, 4), 12]]
    wb = load(dst)
    assert wb.sheetnames == ["案件", "规则", "日志 & log"]
    assert wb["日志 & log"]["A2"].value == dt.datetime(2026, 1, 2, 3, 4)
    with zipfile.ZipFile(dst) as zf:
        assert zf.namelist()[-1] == "xl/worksheets/sheet3.xml"
        assert zf.getinfo("xl/worksheets/sheet3.xml").date_time == (2026, 1, 2, 3, 4, 6)
        assert '<sheet name="日志 &amp; log" sheetId="3" r:id="rId7"/></sheets>'.encode() in zf.read("xl/workbook.xml")
        assert b'Target="worksheets/sheet3.xml"' in zf.read("xl/_rels/workbook.xml.rels")
        assert b'PartName="/xl/worksheets/sheet3.xml"' in zf.read("[Content_Types].xml")
    differ = compare_books(xlsm, dst)
    assert differ.pop(NAMES) == "only in the first: []; only in the second: ['xl/worksheets/sheet3.xml']"
    assert set(differ) == set(report.changed_members) - {"xl/worksheets/sheet3.xml"}   # the rest as it was


@pytest.mark.parametrize("name", ["a/b", "x" * 32, "History", "案件"[:0]])
def test_invalid_new_sheet_names(xlsm, name):
    with pytest.raises(ValueError):
        patch_workbook(xlsm, xlsm, {name: SheetEdit({(1, 1): 1})})


def test_sheet_name_differing_only_in_case(tmp_path):
    src = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Log"
    wb.save(src)
    with pytest.raises(PatchError, match="case-insensitive"):
        patch_workbook(src, src, {"LOG": SheetEdit({(1, 1): 1})})


def test_cells_and_rows_without_r_and_prefixed_namespace(tmp_path):
    parts = dict(PARTS)
    parts[SHEET1] = (f'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
                     '<x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c></x:row>'
                     '<x:row><x:c s="1"><x:v>3</x:v></x:c><x:c r="D2"><x:v>4</x:v></x:c></x:row>'
                     '</x:sheetData></x:worksheet>')
    src = write_zip(tmp_path / "odd.xlsm", parts)
    patch_workbook(src, src, {"案件": SheetEdit({(1, 2): "b", (2, 1): 30, (2, 3): "c", (3, 1): 5})})
    xml = member(src, SHEET1).decode()
    assert '<x:c r="A2" s="1"><x:v>30</x:v></x:c><x:c r="C2" t="inlineStr">' in xml
    assert "<x:row r=\"3\"><x:c r=\"A3\"><x:v>5</x:v></x:c></x:row></x:sheetData>" in xml
    assert read_sheet(src, "案件") == [["a", "b", None, None], [30, None, "c", 4], [5, None, None, None]]


def test_unsupported_namespace_is_refused(tmp_path):
    parts = dict(PARTS)
    parts[SHEET1] = parts[SHEET1].replace(MAIN, "http://purl.oclc.org/ooxml/spreadsheetml/main", 1)
    src = write_zip(tmp_path / "strict.xlsm", parts)
    with pytest.raises(PatchError, match="Strict"):
        patch_workbook(src, src, {"案件": SheetEdit({(1, 1): 1})})


def test_not_a_zip(tmp_path):
    src = tmp_path / "enc.xlsx"
    src.write_bytes(b"\xd0\xcf\x11\xe0 encrypted workbooks are OLE files")
    with pytest.raises(PatchError, match="password|97-2003"):
        patch_workbook(src, src, {"x": SheetEdit({})})


def test_openpyxl_written_workbook(tmp_path):
    """Files written by openpyxl (no spans, inline strings, cells in order) patch fine too."""
    src = tmp_path / "o.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "发送队列"
    ws.append(["手机号", "内容", "结果"])
    ws.append(["13800000000", "您好", None])
    wb.save(src)
    patch_workbook(src, src, {"发送队列": SheetEdit({(2, 3): "通过", (3, 1): "13900000000"})})
    assert read_sheet(src, "发送队列") == [["手机号", "内容", "结果"], ["13800000000", "您好", "通过"],
                                       ["13900000000", None, None]]


# --------------------------------------------------------------------------- atomicity

def test_crash_mid_write_leaves_source_untouched(xlsm, tmp_path, monkeypatch):
    before = xlsm.read_bytes()

    def boom(self, comment):
        raise RuntimeError("disk full")

    monkeypatch.setattr(zipcopy.ZipWriter, "finish", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        patch_workbook(xlsm, xlsm, {"案件": SheetEdit({(2, 5): "x"})})
    with pytest.raises(RuntimeError, match="disk full"):
        patch_workbook(xlsm, tmp_path / "other.xlsm", {"案件": SheetEdit({(2, 5): "x"})})
    assert xlsm.read_bytes() == before
    assert files_in(tmp_path) == {"cases.xlsm"}


def test_failed_replace_leaves_no_temp_file(xlsm, tmp_path, monkeypatch):
    before = xlsm.read_bytes()

    def refuse(src, dst):
        raise PermissionError("file is open in Excel")

    monkeypatch.setattr(zipcopy.os, "replace", refuse)
    with pytest.raises(PermissionError):
        patch_workbook(xlsm, xlsm, {"案件": SheetEdit({(2, 5): "x"})})
    assert xlsm.read_bytes() == before
    assert files_in(tmp_path) == {"cases.xlsm"}


def test_permissions_are_kept(xlsm, tmp_path):
    os.chmod(xlsm, 0o640)
    patch_workbook(xlsm, xlsm, {"案件": SheetEdit({(2, 5): "x"})})
    assert os.stat(xlsm).st_mode & 0o777 == 0o640


# --------------------------------------------------------------------------- layout scan and Tables

def test_layout_of_the_staff_sheet(xlsm):
    from addin.workbook.files.xlsx_patch.scan import read_layout
    with open(xlsm, "rb") as fh:
        layout = read_layout(fh, "案件")
    # the shared formulas' dependents get the master's text moved to their cell
    assert layout.formulas[(2, 4)] == "B2*0.3" and layout.formulas[(5, 4)] == "B5*0.3"
    assert layout.formulas[(4, 11)] == "$B4+C4*10+C$2" and layout.formulas[(2, 7)] == "SUM(B2:B6)"
    assert len(layout.formulas) == 1 + 5 + 6
    # used: cells up to K, the merge M1:N1 and the Table A1:H6; F5 is styled like nothing else in F
    assert layout.last_used_col == 14 and layout.merged == [(1, 13, 1, 14)]
    (table,) = layout.tables
    assert (table.name, table.ref, table.columns) == ("Cases", (1, 1, 6, 8), SST[:8])
    assert layout.table_with_header(1, [1, 3]) is table and layout.table_with_header(2, [1]) is None


def test_layout_counts_styled_empty_cells_but_not_column_default_ones():
    from addin.workbook.files.xlsx_patch.scan import scan_sheet_xml
    head = f'<worksheet xmlns="{MAIN}"><cols><col min="7" max="7" style="4"/></cols><sheetData>'
    default = scan_sheet_xml((head + '<row r="1"><c r="A1"><v>1</v></c><c r="G1" s="4"/></row></sheetData></worksheet>').encode())
    styled = scan_sheet_xml((head + '<row r="1"><c r="A1"><v>1</v></c><c r="H1" s="4"/></row></sheetData></worksheet>').encode())
    assert default.last_used_col == 1 and styled.last_used_col == 8


def test_layout_without_references_and_with_a_prefix_and_array_formulas():
    from addin.workbook.files.xlsx_patch.scan import scan_sheet_xml
    xml = (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
           '<x:row><x:c><x:v>1</x:v></x:c><x:c><x:f>A1*2</x:f></x:c></x:row>'
           '<x:row><x:c t="inlineStr"><x:is><x:r><x:rPr><x:color rgb="FFFF0000"/></x:rPr><x:t>红</x:t></x:r></x:is></x:c>'
           '<x:c r="E2"><x:f t="array" ref="E2:F3">A1:B2*2</x:f><x:v>2</x:v></x:c></x:row>'
           '</x:sheetData></x:worksheet>').encode()
    layout = scan_sheet_xml(xml)
    assert layout.formulas == {(1, 2): "A1*2", (2, 5): "A1:B2*2"} and layout.last_used_col == 5
    assert layout.formula_at(3, 6) == "" and layout.formula_at(3, 7) is None
    assert (3, 6) in layout.formula_cells()


def _table_xml(**attrs) -> bytes:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return (f'<table xmlns="{MAIN}" id="1" name="T" displayName="T" ref="A1:B4"{extra}><autoFilter ref="A1:B3"/>'
            '<tableColumns count="2"><tableColumn id="1" name="订单号"/><tableColumn id="3" name="平台" '
            'totalsRowFunction="count"/></tableColumns><tableStyleInfo name="TableStyleLight9"/></table>').encode()


def test_grow_table_adds_named_columns_with_fresh_ids():
    from addin.workbook.files.xlsx_patch.tables import grow_table, parse_table
    xml = _table_xml(totalsRowCount="1")
    table = parse_table(xml, "xl/tables/table1.xml")
    assert table.totals_rows == 1 and list(table.totals_row_numbers) == [4] and list(table.data_rows) == [2, 3]
    grown = grow_table(xml, table, ["赔偿金额", "A&B"], {3: "赔偿金额", 4: "A&B"}).decode()
    assert 'ref="A1:D4"' in grown and '<autoFilter ref="A1:D3"/>' in grown and '<tableColumns count="4">' in grown
    assert '<tableColumn id="4" name="赔偿金额"/><tableColumn id="5" name="A&amp;B"/></tableColumns>' in grown
    assert 'totalsRowFunction="count"' in grown and "TableStyleLight9" in grown


@pytest.mark.parametrize("names,header,message", [
    (["平台"], {3: "平台"}, "already has a column"),
    (["赔偿金额"], {3: "赔偿"}, "must read"),
])
def test_grow_table_refuses_what_excel_would_repair(names, header, message):
    from addin.workbook.files.xlsx_patch.tables import grow_table, parse_table
    xml = _table_xml()
    with pytest.raises(PatchError, match=message):
        grow_table(xml, parse_table(xml, "t.xml"), names, header)


def test_extend_table_rows_moves_the_bottom_of_ref_and_autofilter():
    from addin.workbook.files.xlsx_patch.tables import extend_table_rows, parse_table
    xml = _table_xml().replace(b'ref="A1:B4"><autoFilter ref="A1:B3"/>', b'ref="A1:B3"><autoFilter ref="A1:B3"/>')
    table = parse_table(xml, "t.xml")
    grown = extend_table_rows(xml, table, 6).decode()
    assert 'ref="A1:B6"' in grown and '<autoFilter ref="A1:B6"/>' in grown and '<tableColumns count="2">' in grown
    assert extend_table_rows(xml, table, 3) is xml                       # already reaches that row
    totals = _table_xml(totalsRowCount="1")
    with pytest.raises(PatchError, match="totals row"):
        extend_table_rows(totals, parse_table(totals, "t.xml"), 8)


def test_parse_table_names_the_calculated_columns():
    from addin.workbook.files.xlsx_patch.tables import parse_table
    xml = _table_xml().replace('<tableColumn id="1" name="订单号"/>'.encode(),
                               '<tableColumn id="1" name="倍"><calculatedColumnFormula>[@x]*2'
                               '</calculatedColumnFormula></tableColumn>'.encode())
    assert parse_table(xml, "t.xml").calculated == ["倍"] and parse_table(_table_xml(), "t.xml").calculated == []


def test_patch_grows_a_table_by_rows_and_columns_at_once(xlsm, tmp_path):
    out = tmp_path / "grown.xlsm"
    report = patch_workbook(xlsm, out, {"案件": SheetEdit({(1, 9): "新列", (7, 1): "TB9", (8, 9): 2},
                                                         table_columns={"Cases": ["新列"]}, table_rows={"Cases": 8})})
    assert report.tables_grown == ["Cases"]
    assert load(out)["案件"].tables["Cases"].ref == "A1:I8"


def test_patch_grows_a_table_with_its_header_cells(xlsm, tmp_path):
    out = tmp_path / "grown.xlsm"
    report = patch_workbook(xlsm, out, {"案件": SheetEdit({(1, 9): "新列", (2, 9): 1}, table_columns={"Cases": ["新列"]})})
    assert report.tables_grown == ["Cases"] and "xl/tables/table1.xml" in report.changed_members
    table = member(out, "xl/tables/table1.xml").decode()
    assert 'ref="A1:I6"' in table and '<tableColumn id="9" name="新列"/>' in table
    assert load(out)["案件"].tables["Cases"].ref == "A1:I6"


def test_column_tables_match_col_letter():
    """The tables built at import from the alphabet's products give every column's letters and back."""
    from addin.workbook.files.xlsx_patch.refs import COL_BYTES, COL_INDEX, COL_LETTERS, MAX_COL, col_letter
    assert len(COL_LETTERS) == len(COL_BYTES) == MAX_COL + 1 and COL_LETTERS[0] == ""
    assert all(COL_LETTERS[c] == col_letter(c) for c in range(1, MAX_COL + 1))
    assert (COL_LETTERS[26], COL_LETTERS[27], COL_LETTERS[702], COL_LETTERS[703], COL_LETTERS[-1]) == \
        ("Z", "AA", "ZZ", "AAA", "XFD")
    assert all(COL_INDEX[COL_BYTES[c]] == c for c in range(1, MAX_COL + 1)) and len(COL_INDEX) == MAX_COL


# --------------------------------------------------------------------------- one piece per row

def _random_sheet(rng, prefix: str = "") -> tuple[bytes, dict]:
    """A sheet of rows in every form the writer meets (styled and self-closing cells, whitespace between
    cells, formulas, shared formulas, cells without r, custom-formatted rows, spans), and edits over it."""
    p = prefix + ":" if prefix else ""
    cols = [1, 2, 3, 5, 6, 7, 8, 26, 27, 28, 52, 93, 94, 95, 703]
    values_pool = ["正常", "已逾期", "a<b & c", "", None, Decimal("30.00"), Decimal("-0.50"), 7, 0, 2.5, 1e20, True,
                   False, dt.datetime(2026, 10, 3, 18, 30), dt.date(2026, 10, 5), "=SUM(A1)", "x" * 40]
    rows, cells = [], {}
    for r in range(1, 121):
        kind = rng.random()
        present = sorted(rng.sample(cols, rng.randint(0, 9)))
        parts = []
        for i, c in enumerate(present):
            ref = f"{openpyxl.utils.get_column_letter(c)}{r}"
            style = f' s="{rng.choice([1, 2, 3, 4])}"' if rng.random() < 0.4 else ""
            body = rng.choice([f"<{p}v>{rng.randint(0, 999)}</{p}v>",
                               f'<{p}is><{p}t>旧{c}</{p}t></{p}is>', None, f"<{p}f>A{r}*2</{p}f><{p}v>2</{p}v>"])
            t = ' t="inlineStr"' if body and "<" + p + "is>" in body else ""
            if kind < 0.03 and i == 0:                      # a cell without r: the scanning path
                parts.append(f"<{p}c{style}><{p}v>1</{p}v></{p}c>")
            elif kind < 0.06 and i == 0:                    # a shared formula's master: the scanning path
                parts.append(f'<{p}c r="{ref}"><{p}f t="shared" ref="{ref}:{ref}" si="{r}">B{r}</{p}f></{p}c>')
            else:
                parts.append(f'<{p}c r="{ref}"{style}{t}/>' if body is None else
                             f'<{p}c r="{ref}"{style}{t}>{body}</{p}c>')
            if rng.random() < 0.1:
                parts.append(rng.choice(["\n", "  ", "\r\n\t"]))
        attrs = f' r="{r}"' + (' spans="1:8"' if rng.random() < 0.5 else "") + \
            (' s="4" customFormat="1"' if rng.random() < 0.1 else "")
        rows.append(f"<{p}row{attrs}>{''.join(parts)}</{p}row>" if parts or rng.random() < 0.5 else f"<{p}row{attrs}/>")
        if rng.random() < 0.8:
            edited = sorted(rng.sample(cols, rng.randint(1, 8)))
            for c in edited:
                cells[(r, c)] = rng.choice(values_pool)
    ns = f'xmlns{":" + prefix if prefix else ""}="{MAIN}"'
    xml = (f'<?xml version="1.0"?><{p}worksheet {ns}><{p}dimension ref="A1:B2"/><{p}cols><{p}col min="5" max="6" '
           f'style="3"/></{p}cols><{p}sheetData>{"".join(rows)}</{p}sheetData></{p}worksheet>')
    return xml.encode(), cells


@pytest.mark.parametrize("seed", range(12))
def test_rows_spliced_in_one_piece_give_the_bytes_of_the_run_path(seed, monkeypatch):
    """The one-piece splice (_spliced_row) against the run path it stands in for: the same sheet XML,
    the same count of cells written, the same formula and date-style bookkeeping, on random sheets."""
    import random

    from addin.workbook.files.xlsx_patch import PatchReport
    from addin.workbook.files.xlsx_patch.sheet import SheetPatcher
    from addin.workbook.files.xlsx_patch.styles import Styles

    xml, cells = _random_sheet(random.Random(seed), prefix="x" if seed % 4 == 3 else "")

    def patch():
        styles, report = Styles(STYLES.encode()), PatchReport()
        patcher = SheetPatcher(xml, "案件", SheetEdit(dict(cells)), styles, False, report)
        out: list[bytes] = []
        changed = patcher.run(out.append)
        return (b"".join(out), changed, report.cells_written, patcher.formula_changed, patcher.skipped,
                styles.added_xfs, dict(patcher.broken))

    calls = []
    spliced = SheetPatcher._spliced_row

    def counting(self, *args):
        new = spliced(self, *args)
        calls.append(new is not None)
        return new

    monkeypatch.setattr(SheetPatcher, "_spliced_row", counting)
    one_piece = patch()
    monkeypatch.setattr(SheetPatcher, "_spliced_row", lambda self, *args: None)
    runs = patch()
    assert one_piece == runs
    assert sum(calls) > 20                                  # most rows took the one-piece splice
    assert one_piece[2] > 0 and b"inlineStr" in one_piece[0]
