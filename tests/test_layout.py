"""The 案件 sheet staff live in (addin.workbook.sheets.case_layout, template), the 汇总 and 使用说明 sheets, and the
upgrade of an older workbook: built with the product's code, read back with openpyxl and calamine."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from addin.cli import main
from addin.demo import sample_rows
from addin.workbook.sheets.case_layout import GROUPS, KIND_HINT, STATUS_STYLES, case_columns
from addin.workbook.files.reader import read_workbook
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_columns import (INPUTS, MESSAGE_INPUTS, MESSAGE_OUTPUTS, OUTPUTS, RECEIPT_OUTPUTS,
                                                find_header_row)
from addin.workbook.sheets.catalogue import SUMMARY, normalise_header
from addin.workbook.sheets.summary_sheet import NAMED_COLUMNS
from addin.workbook.sheets.new_book import build_workbook, put_text_safe
from addin.workbook.files.xlsx_patch import MAX_ROW, col_letter
from tests.helpers.books import load
from tests.helpers.zips import CALC_PR, NAMES, compare_books, members
from tests.helpers.clock import NOW_DEMO

HEADER = {c.key: c.header for c in INPUTS + MESSAGE_INPUTS + OUTPUTS + MESSAGE_OUTPUTS + RECEIPT_OUTPUTS}
SCREEN_PX = 1280


def px(width: float) -> int:
    """Excel's column width in pixels at the default font: 7 px per character and 5 of padding."""
    return int(width * 7 + 5)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("layout") / "book.xlsx", sample_rows(), today=dt.date(2026, 11, 23))


@pytest.fixture(scope="module")
def case(book):
    return load(book)["案件"]


def heads(ws) -> dict[str, int]:
    """normalised header -> column (the '*' of a required column dropped)."""
    return {normalise_header(c.value): c.column for c in ws[1] if c.value}


# --------------------------------------------------------------------------- layout

def test_identity_columns_then_the_status_block_then_topics_then_long_texts(case):
    row = [c.value for c in case[1]]
    assert row[:4] == ["订单号*", "平台*", "售后原因*", "买家"]
    assert row[4] is None and case.column_dimensions["E"].hidden          # the Lite buttons' link column
    assert row[5:11] == ["状态", "下一截止", "截止事项", "赔偿金额", "需店长审批", "错误"]
    long_texts = next(g for g in GROUPS if g.id == "notes").keys
    assert row[-len(long_texts):] == [HEADER[k] for k in long_texts]     # explanations at the far right
    assert case.freeze_panes == "F2"
    # every schema column exactly once, so nothing the engine reads or writes is missing
    listed = [normalise_header(v) for v in row if v]
    assert sorted(listed) == sorted(normalise_header(c.header) for c in case_columns())
    assert len(case_columns()) == len(INPUTS + MESSAGE_INPUTS + OUTPUTS + MESSAGE_OUTPUTS + RECEIPT_OUTPUTS)


def test_the_status_block_fits_the_first_screen(case):
    h = heads(case)
    widths = [0 if case.column_dimensions[col_letter(c)].hidden else px(case.column_dimensions[col_letter(c)].width)
              for c in range(1, h["错误"] + 1)]
    assert sum(widths[:-1]) < SCREEN_PX and sum(widths) <= SCREEN_PX, widths


def test_required_columns_are_marked_and_still_found_by_header(case):
    row = [c.value for c in case[1]]
    required = {c.header for c in INPUTS if c.required}
    assert {v[:-1] for v in row if v and v.endswith("*")} == required
    header = find_header_row([row])
    assert {"order_id", "platform", "reason"} <= set(header.inputs)
    top = case.cell(row=1, column=1)
    assert top.fill.fgColor.rgb != case.cell(row=1, column=4).fill.fgColor.rgb   # required: a darker blue


def test_topic_groups_are_excel_outline_groups_and_rare_ones_start_folded(case):
    h = heads(case)
    assert case.sheet_properties.outlinePr.summaryRight is False
    for group in GROUPS:
        columns = [h[normalise_header(HEADER[k])] for k in group.keys if k in HEADER]
        dims = [case.column_dimensions[col_letter(c)] for c in columns]
        if not group.outline:
            assert all(d.outlineLevel == 0 and not d.hidden for d in dims), group.id
            continue
        assert dims[0].outlineLevel == 0 and not dims[0].hidden               # the group's visible column
        assert all(d.outlineLevel == 1 for d in dims[1:]), group.id
        assert all(d.hidden == group.collapsed for d in dims[1:]), group.id
        assert dims[0].collapsed == group.collapsed, group.id
    assert {g.id for g in GROUPS if g.collapsed} == {"disputes", "price", "promise"}


def test_every_input_column_prompts_what_to_type_with_an_example(case):
    h = heads(case)
    prompts: dict[str, dict[str, object]] = {}
    for dv in case.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            prompts.setdefault(re.match(r"[A-Z]+", rng).group(), {})[rng] = dv
    for col in INPUTS + MESSAGE_INPUTS:
        letter = col_letter(h[normalise_header(col.header)])
        ranges = prompts[letter]
        assert set(ranges) == {f"{letter}1", f"{letter}2:{letter}{MAX_ROW}"}, col.header   # header and whole column
        for dv in ranges.values():
            assert dv.showInputMessage and dv.prompt and dv.promptTitle, col.header
            assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32               # Excel's limits
            assert "例: " in dv.prompt and col.header in dv.promptTitle
            if col.required:
                assert dv.prompt.startswith("必填")
            if col.kind in KIND_HINT:
                assert KIND_HINT[col.kind] in dv.prompt
    for key in ("platform", "reason", "insurance", "sms_kind", "free_shipping"):
        letter = col_letter(h[normalise_header(HEADER[key])])
        assert prompts[letter][f"{letter}2:{letter}{MAX_ROW}"].type == "list", key
    for col in OUTPUTS + MESSAGE_OUTPUTS + RECEIPT_OUTPUTS:    # computed columns: nothing to type
        assert col_letter(h[normalise_header(col.header)]) not in prompts


def test_validations_and_conditional_formats_reach_the_last_row(book):
    wb = load(book)
    for name in ("案件", "日历", "原因对照"):
        for dv in wb[name].data_validations.dataValidation:
            for rng in str(dv.sqref).split():
                assert rng.endswith("1") and ":" not in rng or rng.endswith(str(MAX_ROW)), (name, rng)
    ranges = [str(cf.sqref) for cf in wb["案件"].conditional_formatting]
    assert ranges and all(r.endswith(str(MAX_ROW)) for r in ranges)


def test_overdue_due_soon_and_approval_have_distinct_colours(case):
    h = heads(case)
    due, approval, status = (col_letter(h[k]) for k in ("下一截止", "需店长审批", "状态"))
    fills = {}
    for cf in case.conditional_formatting:
        for rule in cf.rules:
            if rule.dxf.fill is None:
                continue                             # the error rows' red type: a font only
            fills[(str(cf.sqref).split(":")[0], rule.formula[0])] = rule.dxf.fill.fgColor.rgb[-6:]
    overdue = fills[(f"{due}2", f"AND(ISNUMBER({due}2),{due}2<NOW())")]
    soon = fills[(f"{due}2", f"AND(ISNUMBER({due}2),{due}2<NOW()+1)")]
    needs = fills[(f"{approval}2", f'{approval}2="是"')]
    assert len({overdue, soon, needs}) == 3
    assert (overdue, soon, needs) == (STATUS_STYLES[0][1], STATUS_STYLES[1][1], STATUS_STYLES[2][1])
    words = {fills[(f"{status}2", f'{status}2="{word}"')] for word, *_ in STATUS_STYLES}
    assert len(words) == len(STATUS_STYLES)                   # each 状态 word its own colour


def test_no_wrapped_cells_make_rows_tall(case):
    assert not any(c.alignment.wrap_text for row in case.iter_rows(min_row=2) for c in row)
    assert not any(d.alignment and d.alignment.wrap_text for d in case.column_dimensions.values())
    assert all(case.row_dimensions[r].height in (None, 15) for r in range(2, case.max_row + 1))


def test_ids_are_text_columns(case):
    h = heads(case)
    for name in ("订单号", "手机号", "退款编号", "物流单号"):
        assert case.column_dimensions[col_letter(h[name])].number_format == "@", name


# --------------------------------------------------------------------------- 汇总 and 使用说明

def test_summary_formulas_read_the_case_columns_by_name(book):
    wb = load(book)
    case = wb["案件"]
    h = heads(case)
    for key, name in NAMED_COLUMNS.items():
        ref = wb.defined_names[name].attr_text
        letter = col_letter(h[normalise_header(HEADER[key])])
        assert ref == f"'案件'!${letter}$2:${letter}${MAX_ROW}", name
    ws = wb[SUMMARY.name]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert ws["B2"].value == "=NOW()"
    assert any("SUMIFS(案件_赔偿金额,案件_平台," in f for f in formulas)
    assert any("COUNTIFS(案件_判定原因,\"质量问题\"," in f for f in formulas)     # the reason the rules used
    assert any('案件_下一截止,"<"&$B$2' in f for f in formulas)
    assert ws["A4"].value == "待人工确认的评价" and ws["B4"].value == '=COUNTIFS(案件_回复类型,"人工确认*",案件_状态,"<>")'
    labels = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    assert {"按平台", "按售后原因", "按店铺 (在A列填店铺名)", "按日期 (下一截止)", "合计", "其他/未填"} <= set(labels)
    assert {"小美家居", "小美家居旗舰店", "小美家居京东自营", "小美家居拼多多店"} <= set(labels)   # the rows' shops


def rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last word, target part) of a package part."""
    folder, name = part.rsplit("/", 1)
    root = ElementTree.fromstring(z.read(f"{folder}/_rels/{name}.rels"))
    out = {}
    for rel in root:
        target = rel.get("Target")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"{folder}/{target}")
        out[rel.get("Id")] = (rel.get("Type").rsplit("/", 1)[-1], target)
    return out


def summary_charts(path: Path) -> list[str]:
    """The chart parts the 汇总 sheet's drawing shows, followed through the package's relationships."""
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rid = re.search(r'<sheet [^>]*name="汇总"[^>]*r:id="(\w+)"', workbook).group(1)
        sheet = rels(z, "xl/workbook.xml")[rid][1]
        drawings = [t for kind, t in rels(z, sheet).values() if kind == "drawing"]
        assert len(drawings) == 1 and "<drawing " in z.read(sheet).decode()
        charts = [t for kind, t in rels(z, drawings[0]).values() if kind == "chart"]
        return [z.read(c).decode() for c in sorted(charts)]


def test_summary_has_native_charts(book):
    charts = summary_charts(book)
    assert len(charts) == 3
    titles = "".join(charts)
    for title in ("各平台赔偿金额", "各售后原因案件数", "每日到期案件"):
        assert title in titles
    assert all(c.count("'汇总'!$") + c.count("汇总!$") >= 2 for c in charts)   # series and categories read 汇总


def test_guide_sheet_has_the_workflow_in_six_steps(book):
    ws = load(book)["使用说明"]
    titles = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    steps = [t for t in titles if t and re.match(r"\d\. ", t)]
    assert [s[:2] for s in steps] == ["1.", "2.", "3.", "4.", "5.", "6."]
    text = " ".join(str(ws.cell(row=r, column=2).value) for r in range(1, ws.max_row + 1))
    for button in ("重新计算", "检查", "生成回复与短信", "导出短信"):
        assert f"「{button}」" in text
    for command in ("aftersales recalc", "aftersales import", "aftersales texts", "aftersales outbox"):
        assert command in text
    assert [w for w, *_ in STATUS_STYLES] == [t for t in titles if t in {w for w, *_ in STATUS_STYLES}]


def test_workbook_sheets_in_order(book):
    assert load(book).sheetnames[:7] == ["案件", "今日待办", "汇总", "使用说明", "规则", "日历", "原因对照"]


# --------------------------------------------------------------------------- older workbooks

# The column order of workbooks made before this layout: these first, then the rest of INPUTS, the message
# inputs, the computed columns and the message outputs (without 状态).
OLD_LEADING = ("order_id", "platform", "reason", "shop_name", "buyer", "phone", "item_name", "paid", "paid_at",
               "ordered_at", "signed_at")


def old_order() -> list:
    by_key = {c.key: c for c in INPUTS}
    return ([by_key[k] for k in OLD_LEADING] + [c for c in INPUTS if c.key not in OLD_LEADING] + list(MESSAGE_INPUTS)
            + [c for c in OUTPUTS if c.key != "status"] + list(MESSAGE_OUTPUTS))


def make_old_book(path: Path, rows: list[dict], *, staff_column: bool = False, settings: bool = False) -> Path:
    """A workbook as Excel saved it before: the old order, no fullCalcOnLoad flag; optionally a staff column
    and settings sheets (a changed 规则 value, an opt-out)."""
    columns = old_order()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    for i, col in enumerate(columns, start=1):
        ws.cell(row=1, column=i, value=col.header)
    if staff_column:
        ws.cell(row=1, column=len(columns) + 1, value="客服备注")
    for r, values in enumerate(rows, start=2):
        for i, col in enumerate(columns, start=1):
            if col.key in values:
                put_text_safe(ws.cell(row=r, column=i), values[col.key])
        if staff_column:
            ws.cell(row=r, column=len(columns) + 1, value=f"备注{r}")
    if settings:
        policy = wb.create_sheet("规则")
        policy.append(["参数ID", "名称", "值", "默认值"])
        policy.append(["COMP-TB.rate", "淘宝延迟发货赔付比例", "35%", "5%"])        # changed by the shop
        policy.append(["COMP-TB.min", "淘宝延迟发货最低赔付", "5", "5"])             # left at its default
        optout = wb.create_sheet("退订名单")
        optout.append(["手机号", "退订时间", "来源"])
        optout.append(["13800000001", "2026-10-01", "短信回复T"])
    wb.calculation.fullCalcOnLoad = False      # as Excel saves it
    wb.save(path)
    return path


def values_by_order(path: Path) -> dict[str, dict[str, object]]:
    """order id -> {output key: value} for every computed column, as calamine reads it; an error names its
    cell by column letter, which differs between layouts, so the letter is left out."""
    grid = read_workbook(path, ["案件"])["案件"]
    header = find_header_row(grid)
    out = {}
    for row in grid[header.row:]:
        order = row[header.inputs["order_id"] - 1]
        values = {key: row[c - 1] if c - 1 < len(row) else None for key, c in header.outputs.items()}
        if isinstance(values.get("errors"), str):
            values["errors"] = re.sub(r"\b[A-Z]{1,3}(\d+「)", r"\1", values["errors"])
        out[order] = values
    return out


def test_an_old_order_workbook_still_recalcs_losslessly(tmp_path):
    rows = sample_rows()
    old = make_old_book(tmp_path / "old.xlsx", rows)
    before = members(old)
    summary = recalc(old, now=NOW_DEMO)
    after = members(old)
    assert summary.rows == len(rows) and summary.added_columns == ["状态"]       # the one column it lacked
    # the case sheet; calcPr; a date style for 下一截止 in cells that had none (the patcher's documented change);
    # and the 今日待办 sheet recalc adds (a new member, its relationship and content type, its <sheet> entry)
    todo = r'<sheet name="今日待办"[^>]*/>'
    assert set(compare_books(before, after)) == {"xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml",
                                                 NAMES, "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    assert set(compare_books(before, after, ignore={"xl/workbook.xml": CALC_PR + "|" + todo})) == {
        "xl/worksheets/sheet1.xml", "xl/styles.xml", NAMES, "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml"}                                                         # only calcPr changed ...
    assert b'fullCalcOnLoad="1"' in after["xl/workbook.xml"]                         # ... to recalc on open
    recalc(old, now=NOW_DEMO)
    assert compare_books(after, old) == {}                                             # twice: same bytes
    # the same cases in the new layout give the same computed values
    new = build_workbook(tmp_path / "new.xlsx", rows, today=NOW_DEMO.date())
    recalc(new, now=NOW_DEMO)
    assert values_by_order(old) == values_by_order(new)


def test_new_workbook_from_an_old_one_moves_cases_columns_and_settings(tmp_path, capsys):
    rows = sample_rows()[:12]
    old = make_old_book(tmp_path / "旧.xlsx", rows, staff_column=True, settings=True)
    old_bytes = old.read_bytes()
    target = tmp_path / "新.xlsm"
    assert main(["new-workbook", str(target), "--from", str(old)]) == 0
    out = capsys.readouterr().out
    assert "案件 cases 12" in out and "客服备注" in out and "旧文件未改动" in out
    assert old.read_bytes() == old_bytes                                   # the old file is only read
    wb = load(target)
    ws = wb["案件"]
    assert [c.value for c in ws[1]][:4] == ["订单号*", "平台*", "售后原因*", "买家"]
    h = heads(ws)
    assert ws.cell(row=1, column=ws.max_column).value == "客服备注"          # staff's column at the far right
    assert [ws.cell(row=r, column=h["客服备注"]).value for r in (2, 13)] == ["备注2", "备注13"]
    assert ws.cell(row=2, column=h["订单号"]).value == rows[0]["order_id"]
    policy = {r[0]: (r[2], r[3]) for r in wb["规则"].iter_rows(min_row=2, values_only=True)}
    assert policy["COMP-TB.rate"][0] == "35%"                                # the shop's change is carried
    assert policy["COMP-TB.min"][0] == policy["COMP-TB.min"][1]               # a default stays the new default
    optout = [r for r in wb["退订名单"].iter_rows(min_row=2, values_only=True)]
    assert optout == [("13800000001", "2026-10-01", "短信回复T")]
    recalc(old, now=NOW_DEMO)
    recalc(target, now=NOW_DEMO)
    old_values, new_values = values_by_order(old), values_by_order(target)
    assert new_values == old_values


def test_new_workbook_from_an_old_one_carries_notes_in_a_column_without_header(tmp_path, capsys):
    """Staff notes typed in a column whose header cell is empty are carried too (under a header naming
    the old column), not dropped without a word."""
    rows = sample_rows()[:3]
    old = make_old_book(tmp_path / "旧.xlsx", rows, staff_column=True)
    wb = openpyxl.load_workbook(old)
    ws = wb["案件"]
    blank = ws.max_column + 2                     # one empty column, then notes with no header
    ws.cell(3, blank, "已电话联系, 周五回访")
    letter = openpyxl.utils.get_column_letter(blank)
    wb.save(old)
    target = tmp_path / "新.xlsm"
    assert main(["new-workbook", str(target), "--from", str(old)]) == 0
    printed = capsys.readouterr().out
    head = f"{letter}列(无标题)"
    assert head in printed
    ws = load(target)["案件"]
    h = heads(ws)
    assert [ws.cell(row=r, column=h[normalise_header(head)]).value for r in (2, 3, 4)] == [None, "已电话联系, 周五回访", None]
    assert [ws.cell(row=r, column=h["客服备注"]).value for r in (2, 3, 4)] == ["备注2", "备注3", "备注4"]


def test_new_workbook_from_an_old_one_does_not_turn_a_rounded_id_into_text(tmp_path):
    """An order id the old book holds as a number of 16+ digits has already lost digits; carried as the
    text '3000212345678901248' it would look right and slip past every check. It stays a number (the
    mail merge then refuses it); a shorter numeric id becomes its digits as text."""
    rows = sample_rows()[:2]
    old = make_old_book(tmp_path / "旧.xlsx", rows)
    wb = openpyxl.load_workbook(old)
    ws = wb["案件"]
    col = [c.value for c in ws[1]].index("订单号") + 1
    ws.cell(2, col).value = 3000212345678901234                  # Excel keeps 3.00021234567890e18
    ws.cell(3, col).value = 290000000001
    wb.save(old)
    target = tmp_path / "新.xlsm"
    assert main(["new-workbook", str(target), "--from", str(old)]) == 0
    ws = load(target)["案件"]
    h = heads(ws)
    assert isinstance(ws.cell(2, h["订单号"]).value, float)
    assert ws.cell(3, h["订单号"]).value == "290000000001"


def test_new_workbook_from_an_old_one_does_not_carry_its_totals_rows(tmp_path, capsys):
    rows = sample_rows()[:3]
    old = make_old_book(tmp_path / "旧.xlsx", rows)
    wb = openpyxl.load_workbook(old)
    ws = wb["案件"]
    heads = [c.value for c in ws[1]]
    total_row = ws.max_row + 1
    ws.cell(total_row, heads.index("订单号") + 1, "合计")
    paid = openpyxl.utils.get_column_letter(heads.index("实付金额") + 1)
    ws.cell(total_row, heads.index("实付金额") + 1, f"=SUM({paid}2:{paid}{total_row - 1})")
    wb.save(old)
    target = tmp_path / "新.xlsm"
    assert main(["new-workbook", str(target), "--from", str(old)]) == 0
    printed = capsys.readouterr().out
    assert "案件 cases 3" in printed and f"合计行未复制 totals rows not carried: 1 (行 rows {total_row})" in printed
    orders = [r[0] for r in openpyxl.load_workbook(target)["案件"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert orders == [r["order_id"] for r in rows]                     # the cases, and no 合计 line


def test_new_workbook_refuses_a_name_that_is_not_xlsm(tmp_path, capsys):
    target = tmp_path / "售后.xlsx"
    assert main(["new-workbook", str(target)]) == 2
    err = capsys.readouterr().err
    assert ".xlsm" in err and "售后.xlsm" in err
    assert not target.exists() and not list(tmp_path.iterdir())


def test_new_workbook_never_replaces_the_old_one(tmp_path, capsys):
    old = tmp_path / "book.xlsm"
    shutil.copy(make_old_book(tmp_path / "old.xlsx", sample_rows()[:2]), old)
    before = old.read_bytes()
    assert main(["new-workbook", str(old), "--from", str(old), "--force"]) == 2
    assert old.read_bytes() == before and "不能覆盖" in capsys.readouterr().err
