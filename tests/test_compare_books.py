"""tests.helpers.zips.compare_books, which many tests trust to say two books are the same: it must see
each kind of difference, name the member and where in it the difference starts."""
from pathlib import Path

from tests.helpers.zips import CALC_PR, NAMES, compare_books, members, write_members

SHEET = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b'<workbook><calcPr calcId="1"/></workbook>',
         "xl/worksheets/sheet1.xml": SHEET, "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 vba"}


def book(path: Path) -> Path:
    return write_members(path, PARTS)


def test_the_same_book_twice_has_no_difference(tmp_path):
    assert compare_books(book(tmp_path / "a.xlsm"), book(tmp_path / "b.xlsm")) == {}
    assert compare_books(members(book(tmp_path / "a.xlsm")), book(tmp_path / "b.xlsm")) == {}   # a snapshot too


def test_an_xml_member_is_reported_at_its_first_different_element(tmp_path):
    a = book(tmp_path / "a.xlsm")
    b = write_members(tmp_path / "b.xlsm", {**PARTS, "xl/worksheets/sheet1.xml": SHEET.replace(b"<v>1<", b"<v>2<")})
    assert compare_books(a, b) == {"xl/worksheets/sheet1.xml": "element 4: b'<v>1</v>' != b'<v>2</v>'"}


def test_a_binary_member_is_reported_at_its_first_different_byte(tmp_path):
    b = write_members(tmp_path / "b.xlsm", {**PARTS, "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 VBA!"})
    assert compare_books(book(tmp_path / "a.xlsm"), b) == {"xl/vbaProject.bin": "byte 5 of 8 != of 9"}


def test_missing_added_and_reordered_members_are_reported_under_names(tmp_path):
    a = book(tmp_path / "a.xlsm")
    fewer = write_members(tmp_path / "fewer.xlsm", {n: d for n, d in PARTS.items() if n != "xl/vbaProject.bin"})
    assert compare_books(a, fewer) == {NAMES: "only in the first: ['xl/vbaProject.bin']; only in the second: []"}
    longer = write_members(tmp_path / "longer.xlsm", {**PARTS, "xl/workbook.xml": PARTS["xl/workbook.xml"] + b"<!---->"})
    assert compare_books(a, longer) == {"xl/workbook.xml": "3 elements != 4 elements"}
    reordered = write_members(tmp_path / "reordered.xlsm", dict(reversed(PARTS.items())))
    assert compare_books(a, reordered) == {NAMES: "the same members in another order"}


def test_ignored_elements_are_left_out_on_both_sides_and_nothing_else(tmp_path):
    a = book(tmp_path / "a.xlsm")
    b = write_members(tmp_path / "b.xlsm", {**PARTS, "xl/workbook.xml": b'<workbook><calcPr fullCalcOnLoad="1"/></workbook>'})
    assert list(compare_books(a, b)) == ["xl/workbook.xml"]
    assert compare_books(a, b, ignore={"xl/workbook.xml": CALC_PR}) == {}
    c = write_members(tmp_path / "c.xlsm", {**PARTS, "xl/workbook.xml": b'<workbook><calcPr/><x/></workbook>'})
    assert compare_books(a, c, ignore={"xl/workbook.xml": CALC_PR}) == {
        "xl/workbook.xml": "element 1: b'</workbook>' != b'<x/>'"}
