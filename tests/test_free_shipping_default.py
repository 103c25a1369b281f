"""FREE.default (规则 sheet 「包邮未填时」): what a blank 包邮 cell means for the freight rules.

The platforms' exports carry no 包邮 column, so every imported no-reason return used to ask for it.
Exports are built in the platforms' shapes (tests/test_import.py's helpers), imported into a workbook
made by `aftersales new-workbook`, the 规则 sheet's cell is typed the way staff type it, and the real
recalc runs; the cells are read back.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter

from addin.core.engine import compute_case
from addin.core.freight import decide
from addin.core.policy import DEFAULT_POLICY, FREE_DEFAULT, PARAMS_BY_ID, Policy
from addin.core.reasons import REASON_RULES
from addin.excel import functions
from addin.workbook.commands.importer import import_exports
from addin.workbook.files.reader import read_workbook
from addin.workbook.commands.recalc import recalc
from addin.workbook.sheets.case_rows import case_from_row
from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook
from tests.helpers.books import rows_by_order
from tests.helpers.clock import NOW_IMPORT
from tests.helpers.exports import export_rows, jm_line, pdd_line, qn_line, write_export

ASSUMED_NOTE = "「包邮」未填, 按「规则」表「包邮未填时」视为包邮"
ASK_HINT = "「规则」表「包邮未填时」一行设置"


def set_rule(path: Path, param_id: str, value) -> None:
    """Type `value` into the 值 cell of the 规则 sheet's row for `param_id`, as staff would."""
    grid = read_workbook(path, ["规则"])["规则"]
    head = grid[0]
    row = next(i for i, r in enumerate(grid, start=1) if r and r[0] == param_id)
    patch_workbook(path, path, {"规则": SheetEdit(cells={(row, head.index("值") + 1): value})})


def every_reason_exports(tmp_path: Path) -> tuple[list[Path], dict[str, str]]:
    """One export line per row of the reason table: a 千牛 退款报表 for every wording 千牛 can carry
    (its only type column is 是否需要退货), a 拼多多 file for the exchange wordings (售后类型 换货),
    a 京麦 file for JD's own. Returns the files and order id -> the wording."""
    qn, pdd, jd, wording = [], [], [], {}
    for n, rule in enumerate(REASON_RULES):
        if rule.platform == "JD":
            order = f"2900{n:08d}"
            jd.append(jm_line(f"15300{n:05d}", order, rule.text, "退货"))
        elif rule.after_sales_type == "exchange":
            order = f"261010-{n:015d}"
            pdd.append(pdd_line(f"PA{n:05d}", order, rule.text, "换货"))
        else:
            assert rule.platform is None and rule.after_sales_type in (None, "return_refund"), rule
            order = f"30002123456789{n:05d}"
            qn.append(qn_line(order, f"18765432109876{n:04d}", rule.text))
        wording[order] = rule.text
    assert len(qn) == sum(r.platform is None and r.after_sales_type in (None, "return_refund") for r in REASON_RULES)
    assert len(wording) == len(REASON_RULES)                    # one order per row of the table, none lost
    files = [write_export(tmp_path / "退款报表.utf8bom.csv", export_rows("QN", qn)),
             write_export(tmp_path / "拼多多售后.xlsx", export_rows("PDD", pdd)),
             write_export(tmp_path / "京麦.gbk.csv", export_rows("JM", jd))]
    return files, wording


def test_the_setting_is_on_the_rules_sheet_and_reads_staff_spellings(new_book):
    param = PARAMS_BY_ID[FREE_DEFAULT]
    assert DEFAULT_POLICY[FREE_DEFAULT] == "ask" and param.text() == "逐行填写"
    rules = {r[0]: r for r in read_workbook(new_book, ["规则"])["规则"][1:]}
    assert rules[FREE_DEFAULT][1].startswith("包邮未填时") and rules[FREE_DEFAULT][2] == "逐行填写"
    for typed, want in (("包邮", "yes"), (" 是", "yes"), ("全部包邮", "yes"), ("yes", "yes"), ("不包邮", "no"),
                        ("否", "no"), ("非包邮", "no"), ("逐行填写", "ask"), ("ask", "ask")):
        policy, errors = DEFAULT_POLICY.with_raw({FREE_DEFAULT: typed})
        assert (policy[FREE_DEFAULT], errors) == (want, []), typed
    policy, errors = DEFAULT_POLICY.with_raw({FREE_DEFAULT: "看情况"})
    assert policy[FREE_DEFAULT] == "ask" and len(errors) == 1 and "逐行填写/包邮/不包邮" in errors[0].zh


def test_with_the_setting_at_baoyou_every_imported_reason_recalcs_with_no_error(new_book, tmp_path):
    files, wording = every_reason_exports(tmp_path)
    report = import_exports(new_book, files)
    assert report.added == len(REASON_RULES) and not report.refused and not report.unknown_reasons
    set_rule(new_book, FREE_DEFAULT, "包邮")
    # 价格保护 needs the price drop, which no export carries (not a 包邮 question): staff type it.
    grid = read_workbook(new_book, ["案件"])["案件"]
    head = [str(h).rstrip("*") for h in grid[0]]
    drops = {(r, head.index("降价金额") + 1): 10 for r, row in enumerate(grid, start=1)
             if row[head.index("售后原因")] in ("价格保护", "商品降价")}
    assert len(drops) == len([x for x in REASON_RULES if x.reason == "price_protection"]) == 2
    patch_workbook(new_book, new_book, {"案件": SheetEdit(cells=drops)})
    recalc(new_book, now=NOW_IMPORT)
    rows = rows_by_order(new_book)
    assert len(rows) == len(REASON_RULES)
    errors = {order: row.get("错误") for order, row in rows.items()}
    assert errors == dict.fromkeys(wording), {wording[o]: e for o, e in errors.items() if e}
    no_reason = [r for r in rows.values() if r.get("运费规则", "").split("+")[0] in ("F1", "F5")]
    assert len(no_reason) == sum(r.reason in ("no_reason_return", "no_reason_exchange") for r in REASON_RULES)
    for row in no_reason:
        assert ASSUMED_NOTE in row["提示"] and FREE_DEFAULT in row["规则编号"], row
        assert (row["运费规则"] != "F1" or (row["去程运费承担"], row["退货运费承担"]) == ("卖家", "买家"))
    # A wording whose freight does not rest on 包邮 (e.g. wrong item) gets no such note.
    assert not any(ASSUMED_NOTE in r.get("提示", "") for r in rows.values() if r.get("运费规则", "").split("+")[0] == "F8")


def test_by_default_the_imported_no_reason_rows_ask_and_name_the_rules_row(new_book, tmp_path):
    lines = [qn_line("3000212345678900001", "187654321098700001", "七天无理由退换货"),
             qn_line("3000212345678900002", "187654321098700002", "7天无理由退货"),
             qn_line("3000212345678900003", "187654321098700003", "少件/漏发")]
    import_exports(new_book, [write_export(tmp_path / "退款报表.gbk.csv", export_rows("QN", lines))])
    recalc(new_book, now=NOW_IMPORT)
    rows = rows_by_order(new_book)
    head = read_workbook(new_book, ["案件"])["案件"][0]
    column = next(get_column_letter(i) for i, h in enumerate(head, start=1) if str(h).rstrip("*") == "包邮")
    for order in ("3000212345678900001", "3000212345678900002"):
        error = rows[order]["错误"]
        assert error.startswith(f"{column}2「包邮」") or error.startswith(f"{column}3「包邮」")
        assert "「包邮」: 计算需要此值, 请填写" in error and ASK_HINT in error
        assert "the rule needs" not in error           # 中文 is the default display language
        assert "运费规则" not in rows[order]
    assert "错误" not in rows["3000212345678900003"]     # wrong item: F8 needs no 包邮


def test_the_ask_message_is_bilingual_in_zh_en_mode(new_book, tmp_path):
    import_exports(new_book, [write_export(tmp_path / "退款报表.csv",
                                       export_rows("QN", [qn_line("3000212345678900009", "1876543210987009", "七天无理由退货")]))])
    set_rule(new_book, "UI.language", "中文+English")
    recalc(new_book, now=NOW_IMPORT)
    error = rows_by_order(new_book)["3000212345678900009"]["错误"]
    assert ASK_HINT in error and "set the shop-wide default in the 规则 sheet row 「包邮未填时」" in error


def test_a_typed_baoyou_no_beats_the_setting(new_book, tmp_path):
    lines = [qn_line("3000212345678900011", "187654321098700011", "七天无理由退换货"),
             qn_line("3000212345678900012", "187654321098700012", "七天无理由退换货")]
    import_exports(new_book, [write_export(tmp_path / "退款报表.xlsx", export_rows("QN", lines))])
    set_rule(new_book, FREE_DEFAULT, "包邮")
    grid = read_workbook(new_book, ["案件"])["案件"]
    head = [str(h).rstrip("*") for h in grid[0]]
    r = next(i for i, row in enumerate(grid, start=1) if row[head.index("订单号")] == "3000212345678900012")
    patch_workbook(new_book, new_book, {"案件": SheetEdit(cells={(r, head.index("包邮") + 1): "否"})})
    recalc(new_book, now=NOW_IMPORT)
    rows = rows_by_order(new_book)
    typed, assumed = rows["3000212345678900012"], rows["3000212345678900011"]
    assert "错误" not in typed and typed["运费规则"] == "F2" and typed["去程运费承担"] == "买家"
    assert ASSUMED_NOTE not in typed.get("提示", "") and FREE_DEFAULT not in typed.get("规则编号", "")
    assert assumed["运费规则"] == "F1" and ASSUMED_NOTE in assumed["提示"]
    # and the setting 不包邮 with a typed 是: the typed cell wins again
    set_rule(new_book, FREE_DEFAULT, "不包邮")
    patch_workbook(new_book, new_book, {"案件": SheetEdit(cells={(r, head.index("包邮") + 1): "是"})})
    recalc(new_book, now=NOW_IMPORT)
    rows = rows_by_order(new_book)
    assert rows["3000212345678900012"]["运费规则"] == "F1" and FREE_DEFAULT not in rows["3000212345678900012"].get("规则编号", "")
    assert rows["3000212345678900011"]["运费规则"] == "F2" and "视为不包邮" in rows["3000212345678900011"]["提示"]


# --------------------------------------------------------------------------- core and worksheet functions

HEADERS = ["订单号", "平台", "售后原因", "实付金额", "签收时间", "包邮"]
ROWS = [["A1", "淘宝", "七天无理由退货", 89, "2026-10-08 10:00", None],
        ["A2", "淘宝", "七天无理由退货", 89, "2026-10-08 10:00", "否"],
        ["A3", "天猫", "尺码不合适换货", 89, "2026-10-08 10:00", None],
        ["A4", "淘宝", "少件/漏发", 89, "2026-10-08 10:00", None]]
RULES = [["参数ID", "名称", "值"], [FREE_DEFAULT, "包邮未填时", "包邮"], ["F5.exchange", "无理由换货运费", "各付一程"]]


def _case(row):
    return case_from_row({k: v for k, v in zip(("order_id", "platform", "reason", "paid", "signed_at", "free_shipping"), row)
                          if v is not None}).case


@pytest.mark.parametrize("setting,expected", [
    ("ask", [None, ("F2", "买家", "买家", "-"), ("F5", "买家", "买家", "买家"), ("F8", "卖家", "卖家", "卖家")]),
    ("yes", [("F1", "卖家", "买家", "-"), ("F2", "买家", "买家", "-"), ("F5.split", "卖家", "买家", "卖家"),
             ("F8", "卖家", "卖家", "卖家")]),
])
def test_the_worksheet_function_gives_the_core_answer(setting, expected):
    policy = Policy({FREE_DEFAULT: setting, "F5.exchange": "split"})
    rules = RULES if setting == "yes" else [RULES[0], RULES[2]]
    got = functions.freight(HEADERS, ROWS, rules)
    errors = functions.result("错误", HEADERS, ROWS, rules)
    for row, want, cells in zip(ROWS, expected, got):
        case = _case(row)
        if want is None:
            result = compute_case(case, policy)
            assert result.freight is None and result.missing == ["free_shipping"]
            assert cells == [""] * 6
            assert errors[0][0] == "「包邮」: 计算需要此值, 请填写; 全店都包邮(或都不包邮)可在「规则」表「包邮未填时」一行设置"
            continue
        fr = decide(case, policy)
        assert (fr.rule, fr.payer_zh("out"), fr.payer_zh("ret"), fr.payer_zh("re")) == want
        assert (cells[5], cells[0], cells[1], cells[2]) == want
        assert errors[ROWS.index(row)][0] == ""
        assumed = [f for f in fr.findings if f.rule == FREE_DEFAULT]
        assert bool(assumed) == (setting == "yes" and row[5] is None and want[0] != "F8")
    if setting == "yes":
        notes = functions.result("提示", HEADERS, ROWS, RULES)
        assert "视为包邮" in notes[0][0] and "视为包邮" not in str(notes[1][0]) and "视为包邮" not in str(notes[3][0])

