"""Form-control buttons (Developer > Insert > Button) as the parts Excel saves for them.

A button is three things in an .xlsm: a VML shape (its look, caption and macro, what older readers
use), a ctrlProp part (the control's properties) and a <control> element in the sheet XML (the
x14 anchor and the macro, what current Excel reads). openpyxl writes none of them; this module
makes the XML and :mod:`.xlsm` puts it into the package.

The buttons are set to "Don't move or size with cells" (Format Control > Properties), so inserting,
resizing or hiding columns never moves them out of the frozen corner. In the x14 <anchor> (ECMA-376
Part 1 §18.3.1.1) that is moveWithCells and sizeWithCells left out (both default to false, as in
openpyxl's ObjectAnchor). In VML it is the opposite of what
the element names say: Excel "reverses the meaning of the values true and false for the MoveWithCells
element" ([MS-OI29500] 2.1.1881, Part 4 §19.4.2.42), and writes <x:MoveWithCells/> plus
<x:SizeWithCells/> for an object that neither moves nor sizes (as exceljs does for its 'absolute'
position, lib/xlsx/xform/comment/style/vml-position-xform.js).
"""
from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

EMU_PER_PIXEL = 9525
FIRST_SHAPE_ID = 1025        # VML shape ids of a sheet's first drawing start at 1024 * idmap + 1


@dataclass(frozen=True)
class Button:
    caption: str
    macro: str               # a public Sub of the workbook's VBA project
    left: int                # pixels from the sheet's left edge
    top: int                 # pixels from the sheet's top edge
    width: int
    height: int


@dataclass(frozen=True)
class CellPoint:
    col: int                 # 0-based
    col_off: int             # pixels
    row: int                 # 0-based
    row_off: int


def locate(x: int, y: int, col_widths: list[int], row_heights: list[int]) -> CellPoint:
    """The cell (and offset inside it) under a pixel position."""
    col = 0
    while col < len(col_widths) - 1 and x >= col_widths[col]:
        x -= col_widths[col]
        col += 1
    row = 0
    while row < len(row_heights) - 1 and y >= row_heights[row]:
        y -= row_heights[row]
        row += 1
    return CellPoint(col, x, row, y)


def vml_drawing(buttons: list[Button], col_widths: list[int], row_heights: list[int]) -> str:
    shapes = []
    for n, b in enumerate(buttons):
        a = locate(b.left, b.top, col_widths, row_heights)
        z = locate(b.left + b.width, b.top + b.height, col_widths, row_heights)
        shapes.append(f"""
 <v:shape id="_x0000_s{FIRST_SHAPE_ID + n}" type="#_x0000_t201" style="position:absolute;margin-left:{b.left * 0.75}pt;margin-top:{b.top * 0.75}pt;width:{b.width * 0.75}pt;height:{b.height * 0.75}pt;z-index:{n + 1};mso-wrap-style:tight" o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">
  <v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>
  <o:lock v:ext="edit" rotation="t"/>
  <v:textbox style="mso-direction-alt:auto" o:singleclick="f">
   <div style="text-align:center"><font face="Microsoft YaHei" size="200" color="#000000">{escape(b.caption)}</font></div>
  </v:textbox>
  <x:ClientData ObjectType="Button">
   <x:MoveWithCells/>
   <x:SizeWithCells/>
   <x:Anchor>{a.col}, {a.col_off}, {a.row}, {a.row_off}, {z.col}, {z.col_off}, {z.row}, {z.row_off}</x:Anchor>
   <x:PrintObject>False</x:PrintObject>
   <x:AutoFill>False</x:AutoFill>
   <x:FmlaMacro>[0]!{escape(b.macro)}</x:FmlaMacro>
   <x:TextHAlign>Center</x:TextHAlign>
   <x:TextVAlign>Center</x:TextVAlign>
  </x:ClientData>
 </v:shape>""")
    return f"""<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
 <o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>
 <v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">
  <v:stroke joinstyle="miter"/>
  <v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>
  <o:lock v:ext="edit" shapetype="t"/>
 </v:shapetype>{"".join(shapes)}
</xml>
"""


def ctrl_prop() -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<formControlPr xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" '
            'objectType="Button" lockText="1"/>')


def sheet_controls(buttons: list[Button], rel_ids: list[str], col_widths: list[int], row_heights: list[int]) -> str:
    """The <controls> block of the sheet XML, wrapped as Excel 2010+ writes it."""
    items = []
    for n, (b, rid) in enumerate(zip(buttons, rel_ids)):
        a = locate(b.left, b.top, col_widths, row_heights)
        z = locate(b.left + b.width, b.top + b.height, col_widths, row_heights)
        items.append(
            f'<mc:AlternateContent><mc:Choice Requires="x14">'
            f'<control shapeId="{FIRST_SHAPE_ID + n}" r:id="{rid}" name={quoteattr(b.caption)}>'
            f'<controlPr defaultSize="0" print="0" autoFill="0" autoPict="0" macro={quoteattr("[0]!" + b.macro)}>'
            f'<anchor>'
            f'<from><xdr:col>{a.col}</xdr:col><xdr:colOff>{a.col_off * EMU_PER_PIXEL}</xdr:colOff>'
            f'<xdr:row>{a.row}</xdr:row><xdr:rowOff>{a.row_off * EMU_PER_PIXEL}</xdr:rowOff></from>'
            f'<to><xdr:col>{z.col}</xdr:col><xdr:colOff>{z.col_off * EMU_PER_PIXEL}</xdr:colOff>'
            f'<xdr:row>{z.row}</xdr:row><xdr:rowOff>{z.row_off * EMU_PER_PIXEL}</xdr:rowOff></to>'
            f'</anchor></controlPr></control></mc:Choice></mc:AlternateContent>')
    return ('<mc:AlternateContent><mc:Choice Requires="x14"><controls>' + "".join(items)
            + '</controls></mc:Choice></mc:AlternateContent>')
