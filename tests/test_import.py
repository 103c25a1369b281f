"""`aftersales import`: the platforms' exports in their own shapes, into a workbook from `new-workbook`.

Export files are built here the way the platforms hand them over (title line above the header, ="..."
wrapped ids, numbers as text, a totals line under the data; CSV in UTF-8 with BOM, GBK and UTF-16, .xlsx
and a real .xls written by xlwt), imported with the real code, read back with calamine and recalculated.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.core.reasons import AFTER_SALES_TYPE_ZH, REASON_RULES, ReasonRule, match_reason, normalise_reason
from addin.workbook.commands.importer import ExportFileError, import_exports
from addin.workbook.files.reader import read_workbook
from addin.workbook.sheets.reason_sheet import reason_table_from_grid
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_sheet import CaseSheetError
from addin.workbook.sheets.case_rows import case_from_row
from addin.workbook.sheets.case_columns import find_header_row
from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook
from tests.helpers.books import case_grid, rows_by_order, table_book
from tests.helpers.clock import NOW_IMPORT
from tests.helpers.exports import QN_LINES, SHAPES, export_rows, jm_line, pdd_line, qn_line, write_export
from tests.helpers.zips import CASE_PART, cells_xml, compare_books, members, table_part


def reason_errors(path: Path) -> list[str]:
    """Errors recalc wrote that concern the reason (the wording was not understood)."""
    return [r["错误"] for r in rows_by_order(path).values() if "错误" in r and "售后原因" in r["错误"]]


# --------------------------------------------------------------------------- each shape, each file kind

@pytest.mark.parametrize("shape,kind", [
    ("QN", "utf8bom.csv"), ("QN", "gbk.csv"), ("QN", "xlsx"), ("QN", "xls"),
    ("JM", "gbk.csv"), ("JM", "xlsx"), ("JM", "xls"),
    ("PDD", "utf8bom.csv"), ("PDD", "utf16.txt"), ("PDD", "xls"),
])
def test_each_platform_export_imports_into_a_new_workbook_and_recalcs(new_book, tmp_path, shape, kind):
    export = write_export(tmp_path / f"export.{kind}", export_rows(shape))
    report = import_exports(new_book, [export])
    n = len(SHAPES[shape][1])
    assert (report.added, report.updated, report.unchanged, report.refused) == (n, 0, 0, [])
    assert report.files[0].format.id == shape and report.files[0].lines == n      # title and totals lines skipped
    got = rows_by_order(new_book)
    assert len(got) == n
    if shape == "QN":
        row = got["3000212345678901234"]                  # 19 digits, text all the way
        assert row["退款编号"] == "187654321098765432" and row["平台"] == "淘宝" and row["买家"] == "tb_小王"
        assert row["售后原因"] == "七天无理由退换货" and row["售后类型"] == "退货退款"
        assert row["实付金额"] == 89.0 and row["退款金额"] == 89.0 and row["物流单号"] == "SF1234567890123"
        assert row["退款申请时间"] == dt.datetime(2026, 10, 10, 10, 0) and row["付款时间"] == dt.datetime(2026, 10, 8, 9, 12)
        assert got["3000212345678901235"]["售后类型"] == "仅退款"
    elif shape == "JM":
        row = got["290000000001"]
        assert (row["平台"], row["退款编号"], row["售后类型"], row["售后原因"], row["退款状态"]) == \
               ("京东", "1530000011", "退货", "质量问题", "待审核")
        assert row["买家"] == "jd_buyer1" and row["实付金额"] == 199.0
    else:
        row = got["261010-123456789012346"]
        assert (row["平台"], row["退款编号"], row["售后类型"], row["退款金额"]) == ("拼多多", "PA2610100002", "退货退款", 39.9)
        assert row["发货时间"] == dt.datetime(2026, 10, 9, 8, 0) and row["退款时已发货"] == "是"
    recalc(new_book, now=NOW_IMPORT)
    assert reason_errors(new_book) == []


def test_every_wording_in_the_reason_table_recalcs_to_its_reason(new_book, tmp_path):
    """One export line per row of REASON_RULES (JD rows in a 京麦 file, the rest in a 拼多多 file)."""
    jd, pdd, expected = [], [], {}
    for n, rule in enumerate(REASON_RULES):
        kind = AFTER_SALES_TYPE_ZH[rule.after_sales_type] if rule.after_sales_type else "退货退款"
        if rule.platform == "JD":
            order = f"2900{n:08d}"
            jd.append(jm_line(f"15300{n:05d}", order, rule.text, kind))
        else:
            order = f"261010-{n:015d}"
            pdd.append(pdd_line(f"PA{n:05d}", order, rule.text, kind))
        expected[order] = rule.reason
    files = [write_export(tmp_path / "jd.gbk.csv", export_rows("JM", jd)),
             write_export(tmp_path / "pdd.xlsx", export_rows("PDD", pdd))]
    report = import_exports(new_book, files)
    assert report.added == len(REASON_RULES) > 50 and not report.refused and not report.unknown_reasons
    recalc(new_book, now=NOW_IMPORT)
    assert reason_errors(new_book) == []
    grid = case_grid(new_book)
    header = find_header_row(grid)
    got = {}
    for row in grid[header.row:]:
        raw = {k: row[c - 1] for k, c in header.inputs.items() if row[c - 1] not in (None, "")}
        got[raw["order_id"]] = case_from_row(raw).case.reason
    assert got == expected


# --------------------------------------------------------------------------- upsert: same bytes, only export cells

def test_reimport_changes_nothing_not_even_the_bytes(new_book, tmp_path):
    export = write_export(tmp_path / "tb.gbk.csv", export_rows("QN"))
    import_exports(new_book, [export])
    recalc(new_book, now=NOW_IMPORT)
    before = new_book.read_bytes()
    report = import_exports(new_book, [export])
    assert (report.added, report.updated, report.unchanged, report.cells, report.written) == (0, 0, 3, 0, False)
    assert new_book.read_bytes() == before


def test_updated_export_changes_only_its_cells_and_the_staff_remark_survives(new_book, tmp_path):
    import_exports(new_book, [write_export(tmp_path / "tb.utf8bom.csv", export_rows("QN"))])
    recalc(new_book, now=NOW_IMPORT)
    grid = case_grid(new_book)
    head = grid[0]
    target = next(r for r, row in enumerate(grid, start=1) if row[0] == "3000212345678901235")
    # staff: a remark in a column of their own, the 处理方式 and the manual amount on the same row
    remark_col = len(head) + 1
    staff = {(1, remark_col): "备注", (target, remark_col): "已电话联系, 买家同意补发",
             (target, head.index("处理方式") + 1): "补发", (target, head.index("赔偿金额(手工)") + 1): 5}
    patch_workbook(new_book, new_book, {"案件": SheetEdit(cells=staff)})
    before_members, before = members(new_book), case_grid(new_book)

    lines = list(QN_LINES)
    lines[1] = qn_line("3000212345678901235", "187654321098765433", "少件/漏发", refund_amount="35.00", returned="否",
                       status="退款成功", buyer="")           # a blank cell in the export never erases
    report = import_exports(new_book, [write_export(tmp_path / "tb2.utf8bom.csv", export_rows("QN", lines))])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    after = case_grid(new_book)
    changed = {(r, c) for r in range(len(after)) for c in range(max(len(after[r]), len(before[r])))
               if (before[r][c] if c < len(before[r]) else None) != (after[r][c] if c < len(after[r]) else None)}
    assert changed == {(target - 1, head.index("退款金额")), (target - 1, head.index("退款状态"))}
    row = after[target - 1]
    assert row[head.index("退款金额")] == 35.0 and row[head.index("退款状态")] == "退款成功"
    assert row[remark_col - 1] == "已电话联系, 买家同意补发" and row[head.index("处理方式")] == "补发"
    assert row[head.index("赔偿金额(手工)")] == 5 and row[head.index("买家")] == "tb_小王"
    # the cases and, in the same write, the hidden 导入记录 sheet (what this import took, for the next one)
    record_part = "xl/" + re.search(r'Id="%s"[^>]*Target="([^"]+)"' % re.search(
        r'name="导入记录"[^>]*r:id="(rId\d+)"', members(new_book)["xl/workbook.xml"].decode())[1],
        members(new_book)["xl/_rels/workbook.xml.rels"].decode())[1]
    assert sorted(compare_books(before_members, new_book)) == sorted([CASE_PART, record_part])


def test_a_case_typed_without_refund_id_is_matched_and_completed(new_book, tmp_path):
    grid = case_grid(new_book)
    head = grid[0]
    typed = {(2, head.index("订单号") + 1): "261010-123456789012346", (2, head.index("平台") + 1): "拼多多",
             (2, head.index("售后原因") + 1): "质量问题", (2, head.index("处理方式") + 1): "已安抚"}
    patch_workbook(new_book, new_book, {"案件": SheetEdit(cells=typed)})
    report = import_exports(new_book, [write_export(tmp_path / "pdd.utf8bom.csv", export_rows("PDD"))])
    assert (report.added, report.updated) == (2, 1)
    row = rows_by_order(new_book)["261010-123456789012346"]
    assert row["退款编号"] == "PA2610100002" and row["处理方式"] == "已安抚"
    assert row["售后原因"] == "质量问题"       # 做工粗糙/有瑕疵 is the same reason: staff's wording stays


def test_dry_run_reports_and_writes_nothing(new_book, tmp_path, capsys):
    export = write_export(tmp_path / "tb.gbk.csv", export_rows("QN"))
    before = new_book.read_bytes()
    assert main(["import", str(new_book), str(export), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "将新增 added: 3" in out and "拒绝 refused: 0" in out and "dry run, nothing written" in out
    assert new_book.read_bytes() == before


def test_refused_lines_are_counted_with_their_reason(new_book, tmp_path, capsys):
    lines = [*QN_LINES, qn_line("", "187654321098765499", "质量问题"),
             qn_line("3000212345678901299", "187654321098765498", "质量问题", paid="八十九"),
             QN_LINES[0]]
    export = write_export(tmp_path / "tb.utf8bom.csv", export_rows("QN", lines))
    assert main(["import", str(new_book), str(export)]) == 0
    out = capsys.readouterr().out
    assert "新增 added: 3" in out and "拒绝 refused: 3" in out
    assert "第6行 line 6: 缺少订单号 / no order id" in out
    assert "第7行 line 7: 「买家实际支付金额」无法识别金额" in out
    assert "第8行 line 8: 与 " in out and "重复" in out and "duplicate" in out
    assert len(rows_by_order(new_book)) == 3


def test_unknown_reasons_are_named_and_staff_lines_map_them(new_book, tmp_path):
    lines = [pdd_line("PA1", "261010-1", "退运费"), pdd_line("PA2", "261010-2", "商品和图片不一样")]
    export = write_export(tmp_path / "pdd.utf8bom.csv", export_rows("PDD", lines))
    report = import_exports(new_book, [export])
    assert dict(report.unknown_reasons) == {"商品和图片不一样": 1}       # 退运费 is an example line of 原因对照
    recalc(new_book, now=NOW_IMPORT)
    errors = reason_errors(new_book)
    assert len(errors) == 1 and "未识别的原因「商品和图片不一样」: 请在「原因对照」表添加一行" in errors[0]
    grid = read_workbook(new_book, ["原因对照"])["原因对照"]
    patch_workbook(new_book, new_book, {"原因对照": SheetEdit(cells={(len(grid) + 1, 1): "拼多多", (len(grid) + 1, 2): "商品和图片不一样",
                                                            (len(grid) + 1, 4): "描述不符"})})
    recalc(new_book, now=NOW_IMPORT)
    assert reason_errors(new_book) == []


# --------------------------------------------------------------------------- platform

def test_platform_comes_from_the_file_or_the_option(new_book, tmp_path, capsys):
    tm = write_export(tmp_path / "天猫退款.utf8bom.csv", export_rows("QN"))
    assert import_exports(new_book, [tm]).files[0].platform == "TM"
    other = write_export(tmp_path / "export.utf8bom.csv", export_rows("QN", [QN_LINES[0]]))
    report = import_exports(new_book, [other], dry_run=True)
    assert report.files[0].platform == "TM" and report.unchanged == 1   # the workbook's cases are Tmall
    report = import_exports(new_book, [other], platform="淘宝", dry_run=True)
    # the same refund under another platform: its row is updated, never a second one (issue 18)
    assert report.files[0].platform == "TB" and report.added == 0 and report.updated == 1
    assert report.platform_changes == {("TM", "TB"): 1}
    assert {r["平台"] for r in rows_by_order(new_book).values()} == {"天猫"}


# --------------------------------------------------------------------------- bad files

def _docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return path


@pytest.mark.parametrize("make,words", [
    (lambda p: (p.write_bytes(b"\xff\xfe\xfd order,\x81\xff\n" * 3), p)[1], "无法识别文件编码"),
    (lambda p: (p.write_text("商品名称,数量\n袜子,2\n", encoding="utf-8"), p)[1], "找不到订单号列"),
    (lambda p: _docx(p), "不是导出的表格"),
    (lambda p: (p.write_bytes(b""), p)[1], "文件是空的"),
])
def test_a_bad_export_is_one_bilingual_line_exit_2_and_nothing_written(new_book, tmp_path, capsys, make, words):
    bad = make(tmp_path / "export.csv")
    good = write_export(tmp_path / "good.utf8bom.csv", export_rows("QN"))
    before = new_book.read_bytes()
    assert main(["import", str(new_book), str(good), str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("错误 error: ") and words in err and " / " in err
    assert new_book.read_bytes() == before


def test_an_order_id_saved_as_a_number_is_refused_not_rounded(new_book, tmp_path):
    rows = export_rows("PDD", [pdd_line("PA1", "261010-1", "质量问题")])
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.active.append(["PA2", 3000212345678901234, "收纳盒", "", "退货退款", "质量问题"])
    wb.save(tmp_path / "pdd.xlsx")
    report = import_exports(new_book, [tmp_path / "pdd.xlsx"])
    assert report.added == 1 and len(report.refused) == 1 and "超过15位已失真" in report.refused[0].zh


def test_new_rows_are_not_appended_below_a_totals_row(new_book, tmp_path):
    grid = case_grid(new_book)
    head = grid[0]
    patch_workbook(new_book, new_book, {"案件": SheetEdit(cells={
        (2, head.index("订单号") + 1): "A1", (2, head.index("平台") + 1): "淘宝", (2, head.index("售后原因") + 1): "质量问题",
        (3, 1): "合计", (3, head.index("实付金额") + 1): 89})})
    before = new_book.read_bytes()
    with pytest.raises(CaseSheetError, match="合计行"):
        import_exports(new_book, [write_export(tmp_path / "tb.utf8bom.csv", export_rows("QN"))])
    assert new_book.read_bytes() == before


def _case_book(path: Path, kind: str) -> Path:
    """Three cases (A1 淘宝, A2 天猫, A3 淘宝) under 订单号/平台/售后原因/实付金额, then per `kind` a totals row:
    an Excel Table's (table_totals), a 合计 row with =SUM (label), a bare =SUBTOTAL row (sum_only); or an
    Excel Table without one (table), or that Table with a staff note two rows below it (table_note)."""
    if kind.startswith("table"):
        table_book(path, totals=kind == "table_totals")
        if kind == "table_note":
            wb = openpyxl.load_workbook(path)
            wb["案件"]["A7"] = "备注: 周五前处理完"
            wb.save(path)
        return path
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["订单号", "平台", "售后原因", "实付金额"])
    for order, platform in (("A1", "淘宝"), ("A2", "天猫"), ("A3", "淘宝")):
        ws.append([order, platform, "延迟发货", 89])
    ws.append(["合计" if kind == "label" else None, None, None, "=SUM(D2:D4)" if kind == "label" else "=SUBTOTAL(9,D2:D4)"])
    wb.save(path)
    return path


def _row_cells(path: Path, row: int) -> dict[str, str]:
    return {ref: x for ref, x in cells_xml(members(path)[CASE_PART]).items() if int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) == row}


@pytest.mark.parametrize("kind", ["table_totals", "label", "sum_only"])
def test_an_import_never_writes_into_or_below_a_totals_row(tmp_path, capsys, kind):
    book = _case_book(tmp_path / "cases.xlsx", kind)
    export = write_export(tmp_path / "tb.utf8bom.csv", export_rows("QN"))     # three new refunds
    before = book.read_bytes()
    assert main(["import", str(book), str(export)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and ("合计行" in err or "汇总行" in err) and "row 5" in err and " / " in err
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.xlsx", "tb.utf8bom.csv"]   # no lock, no temp

    # Updating cases already in the sheet is fine: the totals row is not matched and not written.
    totals_row = _row_cells(book, 5)
    update = write_export(tmp_path / "tb2.utf8bom.csv", export_rows("QN", [qn_line("A1", "187654321098765432", "延迟发货")]))
    report = import_exports(book, [update])
    assert report.updated == 1 and report.added == 0 and report.written
    assert _row_cells(book, 5) == totals_row
    grid = case_grid(book)
    assert all(all(v in (None, "") for v in row) for row in grid[5:])           # nothing below it either
    assert grid[1][grid[0].index("退款编号")] == "187654321098765432"


def test_imported_rows_join_the_case_table(tmp_path):
    book = _case_book(tmp_path / "cases.xlsx", "table")
    report = import_exports(book, [write_export(tmp_path / "tb.utf8bom.csv", export_rows("QN"))])
    assert report.added == 3 and report.written
    grid = case_grid(book)
    assert len(grid) == 7 and grid[6][0] == "3000212345678901236"
    last = openpyxl.utils.get_column_letter(len(grid[0]))
    xml = table_part(book)
    assert re.search(rf'<table [^>]*ref="A1:{last}7"', xml)                     # rows and new columns are in it
    assert re.search(rf'<autoFilter ref="A1:{last}7"', xml)
    assert xml.count("<tableColumn ") == len(grid[0]) and "退款编号" in xml
    assert recalc(book, now=NOW_IMPORT).rows == 6


def test_imported_rows_outside_the_case_table_are_refused(tmp_path):
    book = _case_book(tmp_path / "cases.xlsx", "table_note")
    before = book.read_bytes()
    with pytest.raises(CaseSheetError, match="outside the Table") as caught:
        import_exports(book, [write_export(tmp_path / "tb.utf8bom.csv", export_rows("QN"))])
    assert caught.value.kind == "table_below" and book.read_bytes() == before


def test_an_import_refuses_a_book_open_in_excel(new_book, tmp_path, capsys):
    """Excel's next save would throw the imported rows away: refused up front, one line, exit 2, the
    new_book, its folder and the export untouched; a dry run, which writes nothing, still reports."""
    owner = tmp_path / ("~$" + new_book.name)
    owner.write_bytes(b"owner")
    export = write_export(tmp_path / "tb.utf8bom.csv", export_rows("QN"))
    before = new_book.read_bytes()
    assert main(["import", str(new_book), str(export)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Excel" in err and owner.name in err and " / " in err and "--out" not in err
    assert new_book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([new_book.name, owner.name, export.name])
    assert main(["import", str(new_book), str(export), "--dry-run"]) == 0
    assert "将新增 added: 3" in capsys.readouterr().out and new_book.read_bytes() == before


# --------------------------------------------------------------------------- typed sheets and the table itself

def test_the_case_sheet_reads_export_headers_pasted_straight_in(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["订单编号", "平台", "退款原因", "售后类型", "买家会员名", "买家实际支付金额", "申请时间", "退款金额(元)"])
    ws.append(["3000212345678901234", "淘宝", "七天无理由退换货", "换货", "tb_小王", "89.00", "2026-10-10 10:00", "89"])
    ws.append(["3000212345678901235", "拼多多", "商品与描述不符", "退货退款", "pdd_1", "59", "2026-10-10 10:00", "59"])
    wb.save(tmp_path / "pasted.xlsx")
    summary = recalc(tmp_path / "pasted.xlsx", now=NOW_IMPORT)
    grid = case_grid(tmp_path / "pasted.xlsx")
    header = find_header_row(grid)
    assert {"order_id", "reason", "after_sales_type", "buyer", "paid", "refund_requested_at", "refund_amount"} \
        <= set(header.inputs)
    parsed = [case_from_row({k: row[c - 1] for k, c in header.inputs.items()}) for row in grid[1:]]
    assert [p.case.reason for p in parsed] == ["no_reason_exchange", "misdescription"]
    assert parsed[0].case.buyer == "tb_小王" and parsed[0].case.paid == Decimal("89.00")
    assert summary.rows == 2


@pytest.mark.parametrize("text,kind,expected", [
    ("七天无理由退换货", None, "no_reason_return"), ("7天无理由退换货。", None, "no_reason_return"),
    ("７天无理由退换货", "换货", "no_reason_exchange"), ("七天无理由退货", "退货退款", "no_reason_return"),
    ("少件 / 漏发", None, "wrong_item"), ("少件、漏发", None, "wrong_item"), ("卖家发错货", None, "wrong_item"),
    ("包装／商品破损／污渍", None, "transit_damage"), ("未按约定时间发货！", None, "late_shipment"),
    ("商品信息描述不符", None, "misdescription"), ("大小/尺寸与商品描述不符", None, "misdescription"),
    ("质量问题", None, "quality"), ("做工粗糙 / 有瑕疵", None, "quality"), ("价格保护", None, "price_protection"),
    ("延迟发货", None, "late_shipment"), ("退货退款", None, None), ("客户嫌贵", None, None),
])
def test_wordings_are_normalised_before_matching(text, kind, expected):
    assert match_reason(text, kind) == expected


def test_staff_lines_win_and_bad_lines_are_reported():
    assert normalise_reason(" 少件 / 漏发。") == normalise_reason("少件、漏发") == "少件漏发"
    grid = [["原因对照"], ["平台", "原因文字", "售后类型", "对应原因"],
            ["拼多多", "少件/漏发", "", "物流破损"], ["", "嫌贵", "", "协商补偿"], ["快手", "x", "", "质量问题"],
            ["", "y", "", "不存在的原因"], ["", "z", "寄修", "质量问题"], ["", "半行", "", ""]]
    table, errors = reason_table_from_grid(grid)
    assert match_reason("少件/漏发", None, "PDD", table) == "transit_damage"    # the sheet wins, on its platform
    assert match_reason("少件/漏发", None, "TB", table) == "wrong_item"
    assert match_reason("嫌贵", extra=table) == "goodwill"
    assert [e.cell for e in errors] == ["原因对照!A5", "原因对照!D6", "原因对照!C7", "原因对照!8"]
    assert all(e.zh and e.en for e in errors)
    assert match_reason("嫌贵", extra=[ReasonRule("x", "嫌贵", "goodwill")]) == "goodwill"


def test_platform_option_must_be_a_platform(new_book, tmp_path):
    with pytest.raises(ExportFileError, match="--platform"):
        import_exports(new_book, [write_export(tmp_path / "tb.utf8bom.csv", export_rows("QN"))], platform="快手")
