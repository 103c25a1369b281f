"""`aftersales recalc` (addin.workbook.commands.recalc.recalc) on real files built here and read back with the
real reader (calamine): lossless .xlsm write-back, bad rows, header finding, the 规则 sheet, the summary,
idempotence and atomicity.

Workbooks are built with openpyxl (the test's own simple layout, or the product's build_workbook /
new_workbook); recalc never rewrites them with openpyxl, so what comes back is what the patcher wrote.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from addin.excel.xlsm import BUTTONS, new_workbook
from addin.workbook.files.xlsx_patch import col_letter, zipcopy
from addin.workbook.files.reader import read_workbook
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_sheet import CaseSheetError
from addin.workbook.files.session import BookError
from addin.workbook.sheets.new_book import build_workbook
from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook
from tests.helpers.books import H, OUTPUT_HEADERS, case, files_in, load, make_book, out, read_back
from tests.helpers.clock import NOW_RECALC
from tests.helpers.zips import CASE_PART, cells_xml, members, outside_sheet_data, recompressed, write_members

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# --------------------------------------------------------------------------- the staff .xlsm

# new_workbook lays these out (addin.workbook.sheets.case_layout); the tests find each column by its header.
XLSM_ROWS = [
    dict(order_id="TB1", platform="淘宝", reason="延迟发货", paid=89, buyer="tb_小王",
         paid_at=dt.datetime(2026, 10, 8, 9, 12)),
    dict(order_id="TM1", platform="天猫", reason="延迟发货", paid=387.45, buyer='=HYPERLINK("http://x")'),
    dict(order_id="TB2", platform="淘宝", reason="七天无理由退货", signed_at=dt.datetime(2026, 9, 29, 15, 20),
         free_shipping="是"),
    dict(order_id="TB3", platform="淘宝", reason="延迟发货", paid="abc"),       # bad: 实付金额 in row 5
]
COMMENTS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<comments xmlns="{MAIN}"><authors><author>客服</author></authors><commentList><comment ref="E2" authorId="0"><text><r><rPr><b/><sz val="9"/><rFont val="宋体"/></rPr><t>客服:</t></r><r><rPr><sz val="9"/></rPr><t xml:space="preserve">老客户, 优先处理</t></r></text></comment></commentList></comments>"""
# The note's shape goes into the buttons' VML drawing: a sheet has one legacy drawing, as Excel saves it.
NOTE_SHAPE = """<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype><v:shape id="_x0000_s1029" type="#_x0000_t202" style="position:absolute;margin-left:300pt;margin-top:60pt;width:150pt;height:60pt;z-index:5;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>5, 15, 1, 10, 7, 15, 5, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>1</x:Row><x:Column>4</x:Column></x:ClientData></v:shape>"""
SPARKLINES = """<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"><x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:sparklineGroup displayEmptyCellsAs="gap"><x14:colorSeries rgb="FF376092"/><x14:colorNegative rgb="FFD00000"/><x14:colorAxis rgb="FF000000"/><x14:colorMarkers rgb="FFD00000"/><x14:colorFirst rgb="FFD00000"/><x14:colorLast rgb="FFD00000"/><x14:colorHigh rgb="FFD00000"/><x14:colorLow rgb="FFD00000"/><x14:sparklines><x14:sparkline><xm:f>案件!H2:H5</xm:f><xm:sqref>CO2</xm:sqref></x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext></extLst>"""


def add_note_table_and_sparklines(path: Path) -> None:
    """Give the case sheet of a new_workbook .xlsm a note (comments + VML), a table over the case range
    (replacing the sheet's autofilter) and a sparkline group, with their rels and content types."""
    parts = members(path)
    heads = read_workbook(path, ["案件"])["案件"][0]
    ref = f"A1:{col_letter(len(heads))}{1 + len(XLSM_ROWS)}"
    columns = "".join(f'<tableColumn id="{i}" name="{h}"/>' for i, h in enumerate(heads, start=1))
    parts["xl/tables/table1.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<table xmlns="{MAIN}" id="1" name="Cases" '
        f'displayName="Cases" ref="{ref}" totalsRowShown="0"><autoFilter ref="{ref}"/><tableColumns '
        f'count="{len(heads)}">{columns}</tableColumns><tableStyleInfo name="TableStyleLight9" showFirstColumn="0" '
        f'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>').encode()
    parts["xl/comments1.xml"] = COMMENTS.encode()
    sheet, n = re.subn(r"<autoFilter [^>]*/>", "", parts[CASE_PART].decode())   # the table brings its own
    assert n == 1
    parts[CASE_PART] = sheet.replace("</worksheet>", '<tableParts count="1"><tablePart r:id="rIdTable1"/>'
                                                     "</tableParts>" + SPARKLINES + "</worksheet>").encode()
    book, n = re.subn(r"<definedNames>.*?</definedNames>", "", parts["xl/workbook.xml"].decode())  # _FilterDatabase
    assert n == 1
    parts["xl/workbook.xml"] = book.encode()
    rels = "xl/worksheets/_rels/sheet1.xml.rels"
    parts[rels] = parts[rels].replace(b"</Relationships>", (
        f'<Relationship Id="rIdComments" Type="{REL}/comments" Target="../comments1.xml"/>'
        f'<Relationship Id="rIdTable1" Type="{REL}/table" Target="../tables/table1.xml"/></Relationships>').encode())
    vml = "xl/drawings/vmlDrawingButtons.vml"
    parts[vml] = parts[vml].replace(b"</xml>", NOTE_SHAPE.encode() + b"</xml>")
    ct = "[Content_Types].xml"
    parts[ct] = parts[ct].replace(b"</Types>", (
        '<Override PartName="/xl/comments1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.comments+xml"/><Override PartName="/xl/tables/table1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/></Types>').encode())
    write_members(path, parts)


@pytest.fixture(scope="module")
def staff_xlsm_master(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("xlsm") / "master.xlsm"
    new_workbook(path, XLSM_ROWS)                     # VBA project, 4 form buttons, drop-downs, CF, frozen header
    add_note_table_and_sparklines(path)
    return path


@pytest.fixture
def staff_xlsm(staff_xlsm_master, tmp_path) -> Path:
    return Path(shutil.copy(staff_xlsm_master, tmp_path / "cases.xlsm"))


# --------------------------------------------------------------------------- lossless .xlsm

def test_the_staff_xlsm_opens_and_has_what_openpyxl_would_lose(staff_xlsm):
    ws = load(staff_xlsm)["案件"]
    assert ws["E2"].comment.text == "客服:老客户, 优先处理"
    last = col_letter(len(read_workbook(staff_xlsm, ["案件"])["案件"][0]))
    assert list(ws.tables) == ["Cases"] and ws.tables["Cases"].ref == f"A1:{last}5"
    assert ws.data_validations.dataValidation and len(ws.conditional_formatting) >= 3
    parts = members(staff_xlsm)
    assert parts["xl/vbaProject.bin"][:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # an OLE compound file
    assert parts[CASE_PART].count(b"<control ") == len(BUTTONS) and b"<x14:sparklineGroups" in parts[CASE_PART]
    grid, header = read_back(staff_xlsm)                                     # calamine reads it too
    assert header.row == 1 and [row[0] for row in grid[1:]] == ["TB1", "TM1", "TB2", "TB3"]


def test_recalc_rewrites_only_the_case_sheet_xml(staff_xlsm, tmp_path):
    before = tmp_path / "before.xlsm"
    shutil.copy(staff_xlsm, before)
    summary = recalc(staff_xlsm, now=NOW_RECALC)
    assert summary.added_columns == []

    # the rest: stored bytes copied verbatim; 今日待办 (the second sheet of a new book) is rebuilt by every recalc
    assert recompressed(before, staff_xlsm) == [CASE_PART, "xl/worksheets/sheet2.xml"]
    a, b = members(before)[CASE_PART], members(staff_xlsm)[CASE_PART]
    assert a != b
    assert outside_sheet_data(a) == outside_sheet_data(b)                 # buttons, DV, CF, table, sparklines
    # inside sheetData, only cells of the computed columns differ
    grid, header = read_back(staff_xlsm)
    computed = {col_letter(c) for c in header.outputs.values()}
    cells_a, cells_b = cells_xml(a), cells_xml(b)
    assert summary.cells_written == len({ref for ref in cells_b if cells_b[ref] != cells_a.get(ref)})
    kept = {ref for ref in cells_a if re.match(r"[A-Z]+", ref).group() not in computed}
    assert {ref: cells_b.get(ref) for ref in kept} == {ref: cells_a[ref] for ref in kept}
    assert {ref for ref in cells_b if ref not in cells_a} <= {ref for ref in cells_b
                                                               if re.match(r"[A-Z]+", ref).group() in computed}


def test_recalc_output_still_opens_with_note_table_and_buttons(staff_xlsm):
    recalc(staff_xlsm, now=NOW_RECALC)
    ws = load(staff_xlsm)["案件"]
    assert ws["E2"].comment.text == "客服:老客户, 优先处理" and list(ws.tables) == ["Cases"]
    with zipfile.ZipFile(staff_xlsm) as zf:
        assert zf.testzip() is None


def test_xlsm_values_are_computed_and_the_bad_row_named(staff_xlsm):
    summary = recalc(staff_xlsm, now=NOW_RECALC)
    grid, header = read_back(staff_xlsm)
    assert out(grid, header, 2, "comp_amount") == 5.0                    # 淘宝 延迟发货 89 -> 5.00 (example 1)
    assert out(grid, header, 2, "comp_rule") == "COMP-TB" and out(grid, header, 2, "approval") == "否"
    assert out(grid, header, 3, "comp_amount") == 116.24                 # 387.45 x 30%, rounded like Excel
    # signed 09-29 15:20: the platform's 168 h reading, 10-06 15:20, comes first (rules.md example 14)
    assert out(grid, header, 4, "next_deadline_item") == "七天无理由168小时(平台口径预警)"
    assert out(grid, header, 4, "next_deadline") == dt.datetime(2026, 10, 6, 15, 20)
    assert out(grid, header, 4, "freight_rule") == "F1"
    error = out(grid, header, 5, "errors")
    paid = col_letter(header.inputs["paid"])                             # the layout puts 实付金额 where it likes
    assert error.startswith(f"{paid}5「实付金额」") and "无法识别金额" in error and " / " not in error    # 中文 by default
    assert out(grid, header, 5, "comp_amount") is None
    assert (summary.rows, summary.computed, summary.errors) == (4, 3, 1)


# --------------------------------------------------------------------------- bad rows

BAD_HEADER = [H["order_id"], H["platform"], H["reason"], H["paid"], H["paid_at"], H["signed_at"]]
# A 订单号, B 平台, C 售后原因, D 实付金额, E 付款时间, F 签收时间
BAD_ROWS = [
    case("G1", "淘宝", "延迟发货", paid=89),                                                  # 2 good
    case("X3", None, "延迟发货", paid=89),                                                    # 3
    case("X4", "淘宝", "延迟发货", paid="abc"),                                               # 4
    case("X5", "快手", "延迟发货", paid=89),                                                  # 5
    case("X6", "天猫", "客户嫌贵", paid=89),                                                  # 6
    case("X7", "淘宝", "延迟发货", paid=-89),                                                 # 7
    case("X8", "天猫", "延迟发货", paid=89, paid_at=dt.datetime(2026, 10, 5, 10),
         signed_at=dt.datetime(2026, 10, 3, 10)),                                             # 8
    case("X9", "淘宝", "七天无理由退货", signed_at="十月五号"),                                # 9
    case(None, "淘宝", "延迟发货", paid=89),                                                  # 10
    case("G2", "天猫", "延迟发货", paid=89),                                                  # 11 good
]
# row -> (cell, Chinese text, English text) the 错误 cell must hold
BAD_EXPECTED = {
    3: ("B3「平台」", "必填, 不能为空", "required, cannot be empty"),
    4: ("D4「实付金额」", "无法识别金额", "not an amount: 'abc'"),
    5: ("B5「平台」", "未知平台 '快手'", "unknown platform"),
    6: ("C6「售后原因」", "未识别的原因「客户嫌贵」: 请在「原因对照」表添加一行", "unknown reason '客户嫌贵'"),
    7: ("D7「实付金额」", "金额不能为负数", "amount cannot be negative"),
    8: ("F8「签收时间」", "签收时间早于付款时间", "signed before it was paid"),
    9: ("F9「签收时间」", "无法识别日期 '十月五号'", "not a date"),
    10: ("A10「订单号」", "必填, 不能为空", "required, cannot be empty"),
}


@pytest.fixture
def bad_book(tmp_path) -> Path:
    return make_book(tmp_path / "bad.xlsx", BAD_HEADER, BAD_ROWS)


def test_each_bad_row_gets_an_error_naming_the_cell(bad_book):
    summary = recalc(bad_book, now=NOW_RECALC)
    grid, header = read_back(bad_book)
    for row, (cell, zh, en) in BAD_EXPECTED.items():
        error = out(grid, header, row, "errors")
        assert error is not None and error.startswith(cell + ": "), (row, error)
        assert zh in error and en not in error and " / " not in error, (row, error)   # no setting: 中文
        assert out(grid, header, row, "comp_amount") is None and out(grid, header, row, "status") == "有错误"
    assert len(out(grid, header, 6, "errors")) < 120          # one short line, not the list of every reason
    assert (summary.rows, summary.errors, summary.computed) == (10, len(BAD_EXPECTED), 2)
    assert summary.by_status["有错误"] == len(BAD_EXPECTED) and summary.by_status["正常"] == 2


def test_bad_row_errors_carry_the_english_when_the_rules_sheet_asks(tmp_path):
    path = make_book(tmp_path / "bad_en.xlsx", BAD_HEADER, BAD_ROWS, rules={"UI.language": "中文+English"})
    recalc(path, now=NOW_RECALC)
    grid, header = read_back(path)
    for row, (cell, zh, en) in BAD_EXPECTED.items():
        error = out(grid, header, row, "errors")
        assert error.startswith(cell + ": ") and zh in error and f" / {en}" in error[error.index(zh):], (row, error)


def test_good_rows_next_to_bad_ones_still_compute(bad_book):
    recalc(bad_book, now=NOW_RECALC)
    grid, header = read_back(bad_book)
    assert out(grid, header, 2, "comp_amount") == 5.0 and out(grid, header, 2, "errors") is None
    assert out(grid, header, 11, "comp_amount") == 26.7 and out(grid, header, 11, "errors") is None


def test_input_cells_are_left_exactly_as_typed(bad_book):
    def inputs(path):
        grid, header = read_back(path)
        cols = sorted(header.inputs.values())
        xml = cells_xml(members(path)[CASE_PART])
        return ([[row[c - 1] for c in cols] for row in grid],
                {ref: x for ref, x in xml.items() if re.match(r"[A-Z]+", ref).group() in {col_letter(c) for c in cols}})

    before = inputs(bad_book)
    recalc(bad_book, now=NOW_RECALC)
    assert inputs(bad_book) == before


def test_money_spellings_parse_and_compute(tmp_path):
    spellings = ["¥356.80", "356.80元", "３５６．８０", "RMB 356.8", 356.8]
    rows = [case(f"M{i}", "淘宝", "延迟发货", paid=s) for i, s in enumerate(spellings)]
    path = make_book(tmp_path / "money.xlsx", BAD_HEADER, rows)
    summary = recalc(path, now=NOW_RECALC)
    grid, header = read_back(path)
    assert summary.errors == 0
    assert [out(grid, header, r, "comp_amount") for r in range(2, 2 + len(spellings))] == [17.84] * len(spellings)


def test_date_spellings_parse_the_same_as_real_dates(tmp_path):
    day = dt.date(2026, 10, 8)
    serial = (day - dt.date(1899, 12, 30)).days            # 46303
    with_time = ["2026年10月8日 9:12", dt.datetime(2026, 10, 8, 9, 12), serial + (9 * 60 + 12) / 1440,
                 "2026-10-08 09:12"]
    date_only = ["2026/10/8", serial, day, "2026.10.08"]
    rows = [case(f"D{i}", "淘宝", "七天无理由退货", signed_at=v, free_shipping="是")
            for i, v in enumerate(with_time + date_only)]
    path = make_book(tmp_path / "dates.xlsx", BAD_HEADER + [H["free_shipping"]], rows)
    summary = recalc(path, now=NOW_RECALC)
    grid, header = read_back(path)
    assert summary.errors == 0
    timed = {out(grid, header, r, "deadlines_all") for r in range(2, 2 + len(with_time))}
    untimed = {out(grid, header, r, "deadlines_all") for r in range(2 + len(with_time), 2 + len(rows))}
    assert len(timed) == 1 and len(untimed) == 1                           # every spelling means the same
    (timed,), (untimed,) = timed, untimed
    assert "七天无理由168小时(平台口径预警) 2026-10-15 09:12" in timed    # signed with a time: the 168 h alert
    assert "七天无理由退货截止 2026-10-15 24:00" in untimed and "168小时" not in untimed   # a bare date: no 168 h alert
    assert "[" not in timed + untimed                                      # no rule ids in the text ...
    assert out(grid, header, 2, "rule_ids") == "全部时限: R7-2.168h, R7-2"    # ... they are in 规则编号
    assert out(grid, header, 2 + len(with_time), "rule_ids") == "全部时限: R7-2"
    assert grid[1][header.inputs["signed_at"] - 1] == "2026年10月8日 9:12"   # and the typed text is kept


# --------------------------------------------------------------------------- override column

def test_override_amount_wins_and_the_typed_value_is_kept(tmp_path):
    header = [H["order_id"], H["platform"], H["reason"], H["paid"], H["override"]]
    assert H["override"] == "赔偿金额(手工)"
    rows = [case("O1", "淘宝", "延迟发货", paid=89, override=12.5),
            case("O2", "淘宝", "延迟发货", paid=89, override="¥40"),
            case("O3", "淘宝", "延迟发货", paid=89)]
    path = make_book(tmp_path / "override.xlsx", header, rows)
    typed = {ref: x for ref, x in cells_xml(members(path)[CASE_PART]).items() if ref[0] == "E"}
    recalc(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert [out(grid, hm, r, "comp_amount") for r in (2, 3, 4)] == [12.5, 40.0, 5.0]
    assert [out(grid, hm, r, "comp_rule") for r in (2, 3, 4)] == ["MANUAL", "MANUAL", "COMP-TB"]
    assert "手工金额" in out(grid, hm, 2, "comp_note") and "5.00" in out(grid, hm, 2, "comp_note")
    assert out(grid, hm, 3, "approval") == "是"                            # 40 > 30: above staff authority
    assert [out(grid, hm, r, "override") for r in (2, 3, 4)] == [12.5, "¥40", None]
    assert {ref: x for ref, x in cells_xml(members(path)[CASE_PART]).items() if ref[0] == "E"} == typed


def test_override_wins_even_when_the_rule_lacks_an_input(tmp_path):
    """README: a value typed into 赔偿金额(手工) wins. A late-shipment row without 实付金额 cannot compute the
    rule's amount, but the manual 50 is what staff decided: it should show, rule MANUAL."""
    header = [H["order_id"], H["platform"], H["reason"], H["paid"], H["override"]]
    path = make_book(tmp_path / "override.xlsx", header, [case("O1", "淘宝", "延迟发货", override=50)])
    recalc(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert (out(grid, hm, 2, "comp_amount"), out(grid, hm, 2, "comp_rule")) == (50.0, "MANUAL")


# --------------------------------------------------------------------------- idempotence and out=

def test_second_recalc_writes_the_same_bytes(staff_xlsm):
    recalc(staff_xlsm, now=NOW_RECALC)
    first = staff_xlsm.read_bytes()
    again = recalc(staff_xlsm, now=NOW_RECALC)
    assert staff_xlsm.read_bytes() == first
    assert again.cells_written == 0 and again.added_columns == []


def test_out_leaves_the_source_untouched_and_matches_in_place(staff_xlsm, tmp_path):
    source = staff_xlsm.read_bytes()
    copy = tmp_path / "out.xlsm"
    recalc(staff_xlsm, copy, now=NOW_RECALC)
    assert staff_xlsm.read_bytes() == source
    recalc(staff_xlsm, now=NOW_RECALC)                                           # the same job in place
    assert copy.read_bytes() == staff_xlsm.read_bytes()


def test_changed_input_updates_the_stale_output(tmp_path):
    header = [H["order_id"], H["platform"], H["reason"], H["paid"]]
    path = make_book(tmp_path / "b.xlsx", header, [case("C1", "淘宝", "延迟发货", paid=89)])
    recalc(path, now=NOW_RECALC)
    patch_workbook(path, path, {"案件": SheetEdit({(2, 4): 1299})})         # staff correct the amount
    summary = recalc(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert out(grid, hm, 2, "comp_amount") == 30.0 and summary.cells_written == 2       # 赔偿金额 and 赔偿说明
    assert out(grid, hm, 2, "comp_note") == "1299.00×5%=64.95; 封顶30.00"


# --------------------------------------------------------------------------- finding the header

def test_header_under_a_title_with_moved_alias_and_staff_columns(tmp_path):
    header = ["备注", "Platform", "order id", "Reason", "paid amount", "compensation", "客服跟进",
              "compensation rule", "errors"]
    rows = [{"备注": "加急", "Platform": "天猫", "order id": "T1", "Reason": "延迟发货", "paid amount": 89,
             "客服跟进": "已联系"},
            {"order id": "T2", "Platform": "淘宝", "Reason": "延迟发货", "paid amount": "abc", "客服跟进": "待回电"},
            {"compensation": 99, "客服跟进": "旧记录"}]          # no case inputs: a stale amount, a staff note
    path = make_book(tmp_path / "moved.xlsx", header, rows, above=[["小美家居 售后登记表 2026年10月"], []])
    summary = recalc(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert hm.row == 3
    assert grid[0][0] == "小美家居 售后登记表 2026年10月" and all(v is None for v in grid[0][1:])
    assert grid[3][5:9] == [26.7, "已联系", "COMP-TM", None]               # F amount, G staff, H rule, I errors
    assert grid[4][5:7] == [None, "待回电"] and grid[4][8].startswith("E5「实付金额」")
    assert grid[5][5] is None                                              # the stale amount is cleared
    assert [row[6] for row in grid] == [None, None, "客服跟进", "已联系", "待回电", "旧记录"]   # never written
    assert [row[0] for row in grid[3:]] == ["加急", None, None]
    # the missing outputs go after the last header (I), starting with 状态 in J and 需店长审批 in K
    assert grid[2][9:11] == [H["status"], H["approval"]] and grid[3][9:11] == ["正常", "否"]
    assert summary.added_columns == [h for h in OUTPUT_HEADERS if h not in ("赔偿金额", "赔偿规则", "错误")]


def test_missing_output_columns_are_appended_with_headers_and_filled(tmp_path):
    header = [H["order_id"], H["platform"], H["reason"], H["paid"]]
    path = make_book(tmp_path / "bare.xlsx", header, [case("B1", "淘宝", "延迟发货", paid=1299)])
    summary = recalc(path, now=NOW_RECALC)
    assert summary.added_columns == OUTPUT_HEADERS
    grid, hm = read_back(path)
    assert grid[0] == header + OUTPUT_HEADERS                               # E.. in schema order
    assert grid[1][4:8] == ["正常", 30.0, "COMP-TB", "否"]
    assert recalc(path, now=NOW_RECALC).added_columns == []                          # found by name next time


def test_appended_columns_do_not_overwrite_unlabelled_staff_notes(tmp_path):
    header = [H["order_id"], H["platform"], H["reason"], H["paid"]]
    path = make_book(tmp_path / "notes.xlsx", header, [case("N1", "淘宝", "延迟发货", paid=89)])
    patch_workbook(path, path, {"案件": SheetEdit({(2, 6): "周三回访过"})})    # a jotted note in F, no header
    recalc(path, now=NOW_RECALC)
    grid, _ = read_back(path)
    assert grid[1][5] == "周三回访过"


# --------------------------------------------------------------------------- blank rows

BASIC = [H["order_id"], H["platform"], H["reason"], H["paid"]] + OUTPUT_HEADERS


def test_outputs_of_a_row_that_became_blank_are_cleared(tmp_path):
    rows = [case(f"S{i}", "淘宝", "延迟发货", paid=89) for i in range(3)]
    path = make_book(tmp_path / "stale.xlsx", BASIC, rows)
    recalc(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert out(grid, hm, 3, "comp_amount") == 5.0 and out(grid, hm, 3, "comp_note")
    patch_workbook(path, path, {"案件": SheetEdit({(3, c): None for c in range(1, 5)})})   # staff clear row 3
    summary = recalc(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert summary.rows == 2
    assert all(out(grid, hm, 3, key) is None for key in hm.outputs)
    assert out(grid, hm, 2, "comp_amount") == out(grid, hm, 4, "comp_amount") == 5.0


def test_blank_rows_in_the_middle_are_skipped(tmp_path):
    rows = [case("K1", "淘宝", "延迟发货", paid=89), None,
            case("  ", " ", None),                                              # whitespace only: blank too
            case("K2", "天猫", "延迟发货", paid=89)]
    path = make_book(tmp_path / "gaps.xlsx", BASIC, rows)
    summary = recalc(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert (summary.rows, summary.errors) == (2, 0)
    assert all(out(grid, hm, r, key) is None for r in (3, 4) for key in hm.outputs)
    assert out(grid, hm, 2, "comp_amount") == 5.0 and out(grid, hm, 5, "comp_amount") == 26.7


# --------------------------------------------------------------------------- the 规则 sheet

def _set_policy(path: Path, values: dict[str, object]) -> None:
    """Type values into the 值 column of build_workbook's 规则 sheet (a lossless patch, as Excel would)."""
    grid = read_workbook(path, ["规则"])["规则"]
    value_col = grid[0].index("值") + 1
    row_of = {row[0]: r for r, row in enumerate(grid, start=1)}
    edits, next_row = {}, len(grid) + 1
    for pid, value in values.items():
        if pid not in row_of:                                   # an id the sheet does not list: a new row
            row_of[pid], next_row = next_row, next_row + 1
            edits[(row_of[pid], 1)] = pid
        edits[(row_of[pid], value_col)] = value
    patch_workbook(path, path, {"规则": SheetEdit(edits)})


POLICY_ROWS = [dict(order_id="P1", platform="淘宝", reason="延迟发货", paid=89),
               dict(order_id="P2", platform="淘宝", reason="延迟发货", paid=1299)]


def test_policy_sheet_override_changes_results(tmp_path):
    path = build_workbook(tmp_path / "policy.xlsx", POLICY_ROWS)
    assert recalc(path, now=NOW_RECALC).policy_changes == {}                       # the defaults as written
    grid, hm = read_back(path)
    assert [out(grid, hm, r, "comp_amount") for r in (2, 3)] == [5.0, 30.0]
    _set_policy(path, {"COMP-TB.rate": "10%", "COMP-TB.cap": 100})
    summary = recalc(path, now=NOW_RECALC)
    grid, hm = read_back(path)
    assert summary.policy_changes == {"COMP-TB.rate": Decimal("0.1"), "COMP-TB.cap": Decimal("100")}
    assert summary.policy_errors == []
    assert [out(grid, hm, r, "comp_amount") for r in (2, 3)] == [8.9, 100.0]   # 89x10%; 1299x10% capped at 100


def test_bad_policy_values_are_reported_and_defaults_used(tmp_path):
    path = build_workbook(tmp_path / "policy.xlsx", POLICY_ROWS)
    _set_policy(path, {"COMP-TB.rate": "10%", "COMP-TB.cap": "abc", "NO-SUCH.param": 3})
    summary = recalc(path, now=NOW_RECALC)
    assert summary.policy_changes == {"COMP-TB.rate": Decimal("0.1")}
    errors = summary.policy_errors
    assert len(errors) == 2
    assert errors[0].startswith("COMP-TB.cap: ") and "使用默认值" in errors[0] and "using default" in errors[0]
    assert errors[1].startswith("NO-SUCH.param: ") and "unknown parameter id" in errors[1]
    assert any("COMP-TB.cap" in line for line in summary.lines())
    grid, hm = read_back(path)
    assert [out(grid, hm, r, "comp_amount") for r in (2, 3)] == [8.9, 30.0]    # default cap 30 still applies


# --------------------------------------------------------------------------- summary

def test_summary_counts_with_a_fixed_now(tmp_path):
    header = [H["order_id"], H["platform"], H["reason"], H["paid"], H["proposed"], H["ordered_at"]]
    hours = dt.timedelta(hours=1)
    rows = [case("S1", "淘宝", "延迟发货", paid=89),                           # 5.00
            case("S2", "天猫", "延迟发货", paid=89),                           # 26.70
            case("S3", "淘宝", "协商补偿", proposed=35),                       # 35.00, needs approval (> 30)
            case("S4", "天猫", "未付款", ordered_at=NOW_RECALC - 60 * hours),         # PAY-TM closes in 12 h: due
            case("S5", "天猫", "未付款", ordered_at=NOW_RECALC - 100 * hours),        # already past: not due
            case("S6", "天猫", "未付款", ordered_at=NOW_RECALC),                      # 72 h away: not due
            case("S7", "淘宝", "延迟发货", paid="abc")]                        # error
    path = make_book(tmp_path / "summary.xlsx", header, rows)
    summary = recalc(path, now=NOW_RECALC)
    assert (summary.rows, summary.computed, summary.errors) == (7, 6, 1)
    assert summary.total_compensation == Decimal("66.70")
    assert summary.approvals == 1
    assert summary.due_24h == 1
    assert "￥66.70" in summary.lines()[1]


# --------------------------------------------------------------------------- atomicity

def _copy_fails_on_third_member(monkeypatch):
    real, calls = zipcopy.ZipWriter.copy, []

    def copy(self, info):
        calls.append(info.filename)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(self, info)
    monkeypatch.setattr(zipcopy.ZipWriter, "copy", copy)


def _replace_fails(monkeypatch):
    def refuse(src, dst):
        raise PermissionError("the file is open in Excel")
    monkeypatch.setattr(zipcopy.os, "replace", refuse)


@pytest.mark.parametrize("fail", [_copy_fails_on_third_member, _replace_fails])
@pytest.mark.parametrize("to_copy", [False, True], ids=["in-place", "out"])
def test_a_failed_write_leaves_the_original_and_no_temp_file(bad_book, tmp_path, monkeypatch, fail, to_copy):
    before, listing = bad_book.read_bytes(), files_in(tmp_path)
    fail(monkeypatch)
    with pytest.raises(BookError) as exc:
        recalc(bad_book, tmp_path / "out.xlsx" if to_copy else None, now=NOW_RECALC)
    assert exc.value.kind == "write_failed" and ".tmp" not in str(exc.value)   # names the book, not the temp
    assert bad_book.read_bytes() == before
    assert files_in(tmp_path) == listing                                  # no .tmp, no lock, no half-written out


def test_no_header_row_is_an_error_and_nothing_is_written(tmp_path):
    path = make_book(tmp_path / "nohead.xlsx", ["名字", "金额"], [{"名字": "x", "金额": 1}])
    before = path.read_bytes()
    with pytest.raises(CaseSheetError) as exc:
        recalc(path, now=NOW_RECALC)
    assert "找不到表头行" in exc.value.zh and "no header row" in exc.value.en
    assert path.read_bytes() == before and files_in(tmp_path) == {"nohead.xlsx"}


# --------------------------------------------------------------------------- buyer text

def test_formula_like_buyer_text_stays_text(tmp_path):
    nicks = ['=HYPERLINK("http://evil")', "+86 138 0000 0000", "@阿强", "-5+1", "=cmd|' /C calc'!A0"]
    header = [H["order_id"], H["platform"], H["reason"], H["paid"], H["buyer"]]
    rows = [case(f"N{i}", "淘宝", "延迟发货", paid=89, buyer=n) for i, n in enumerate(nicks)]
    rows.append(case("N9", "=1+1", "延迟发货", paid=89, buyer="=SUM(1)"))      # its error quotes '=1+1'
    path = make_book(tmp_path / "nicks.xlsx", header, rows)
    recalc(path, now=NOW_RECALC)
    xml = cells_xml(members(path)[CASE_PART])
    grid, hm = read_back(path)
    buyers = [out(grid, hm, r, "buyer") for r in range(2, 2 + len(rows))]
    assert buyers == nicks + ["=SUM(1)"]
    for r in range(2, 2 + len(rows)):
        assert "<f" not in xml[f"E{r}"], xml[f"E{r}"]
        assert out(grid, hm, r, "comp_amount") == (5.0 if r < 2 + len(nicks) else None)
    error_ref = f"{col_letter(hm.outputs['errors'])}{1 + len(rows)}"
    assert "'=1+1'" in out(grid, hm, 1 + len(rows), "errors") and "<f" not in xml[error_ref]
    ws = load(path)["案件"]
    assert [ws.cell(r, 5).data_type for r in range(2, 2 + len(rows))] == ["s"] * len(rows)
    assert ws.cell(1 + len(rows), hm.outputs["errors"]).data_type == "s"


# --------------------------------------------------------------------------- parallel workers

def test_workers_give_the_same_cells_and_summary(tmp_path, monkeypatch):
    """recalc splits big sheets over forked workers; the file must not depend on how many."""
    from addin.demo import bulk_rows
    from addin.workbook.commands import cores

    monkeypatch.setattr(cores, "PARALLEL_MIN_ROWS", 10)     # split even this small sheet
    tm_cap = [dict(order_id=f"TM{i}", platform="天猫", reason="延迟发货", paid=900, buyer="tb_同一买家",
                   paid_at=dt.datetime(2026, 10, 1, 10 + i)) for i in range(3)]   # one buyer: one 500 cap
    rows = bulk_rows(400) + tm_cap
    src = build_workbook(tmp_path / "src.xlsx", rows)
    one, two = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    s1 = recalc(src, one, now=NOW_RECALC, workers=1)
    s2 = recalc(src, two, now=NOW_RECALC, workers=2)
    assert s1 == s2 and s1.rows == len(rows)
    assert one.read_bytes() == two.read_bytes()
    grid, header = read_back(two)
    amounts = [out(grid, header, r, "comp_amount") for r in range(len(rows) - 1, len(rows) + 2)]
    assert amounts == [270.0, 230.0, 0.0]                           # 30% each, capped together at 500
