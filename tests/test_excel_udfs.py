"""Every worksheet function, called as Excel calls it, compared with the rules core.

Excel-shaped inputs: a row of cells as a 1-D list and a block as a 2-D list; one cell as a scalar;
COM (classic xlwings) gives floats, datetimes and None; Office.js (xlwings Lite) gives ints for whole
numbers, serial numbers for dates and 0 for empty cells.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from addin.core.calendar_cn import calendar_from_policy
from addin.core.compensation import late_shipment
from addin.core.deadlines import calendar_days, daily_clock, legal_outer_bound, working_days
from addin.core.display import Display
from addin.core.engine import compute_cases
from addin.core.policy import DEFAULT_POLICY
from addin.excel import functions
from addin.excel import udfs
from addin.excel.cell_values import excel_serial
from addin.messages.lint import lint
from addin.messages.sms import check_sms, sms_length
from addin.workbook.sheets.case_rows import case_from_row, excel_instant
from addin.workbook.sheets.case_columns import LOOKUP, OUTPUTS
from addin.workbook.sheets.catalogue import normalise_header
from tests.helpers.excel_rows import HEADERS, OFFICE_ROWS, ROWS

T = dt.datetime
BILINGUAL = [["参数ID", "值"], ["UI.language", "中文+English"]]     # a 规则 block asking for both languages
FIELD = {i: LOOKUP[normalise_header(h)].key for i, h in enumerate(HEADERS)}


def core_results():
    """The core's own answer: every row through case_from_row and compute_cases, with no adapter at all."""
    parsed = [case_from_row({FIELD[i]: v for i, v in enumerate(row) if v is not None}) for row in ROWS]
    ok = [i for i, p in enumerate(parsed) if not p.blank and not p.problems]
    return dict(zip(ok, compute_cases([parsed[i].case for i in ok], DEFAULT_POLICY)))


def column(result) -> list:
    return [row[0] for row in result]


def amount(v):
    return float(v) if isinstance(v, Decimal) else v


@pytest.mark.parametrize("rows,zero_is_blank", [(ROWS, False), (OFFICE_ROWS, True)], ids=["com", "officejs"])
def test_compensation_columns_match_the_core(rows, zero_is_blank):
    expected = core_results()
    got = column(functions.compensation(HEADERS, rows, zero_is_blank=zero_is_blank))
    rules = column(functions.compensation_rule(HEADERS, rows, zero_is_blank=zero_is_blank))
    approval = column(functions.needs_approval(HEADERS, rows, zero_is_blank=zero_is_blank))
    for i in range(len(ROWS)):
        if i in expected and expected[i].compensation.amount is not None:
            comp = expected[i].compensation
            assert got[i] == amount(comp.amount) and rules[i] == comp.rule, i
            assert approval[i] == ("是" if comp.approval else "否")
    assert got[1] + got[2] == 500.0                 # COMP-TM: one buyer, 24 h, one 500 cap
    assert got[3] == 116.24                         # Excel's ROUND, not Python's round
    assert got[8] == ""                             # blank row
    assert "「售后原因」" in got[9] and "未识别的原因" in got[9] and "unknown" not in got[9]   # names the column, 中文


def test_single_row_single_cell_and_core_function_agree():
    # A row of cells arrives as a 1-D list; the result is one value, not an array.
    assert udfs.AS_COMPENSATION(HEADERS, ROWS[3]) == float(late_shipment("TM", Decimal("387.45")).amount)
    assert functions.compensation(HEADERS, OFFICE_ROWS[0], zero_is_blank=True) == 5.0
    # classic xlwings never sends 0 for an empty cell, so there a 0 is a typed 0 (and no date)
    assert "日期序号超出范围" in udfs.AS_COMPENSATION(HEADERS, OFFICE_ROWS[0])
    # Alone, the second Tmall payment gets its own cap; with its sibling it shares it.
    assert udfs.AS_COMPENSATION(HEADERS, ROWS[2]) == 270.0


@pytest.mark.parametrize("rows,zero_is_blank", [(ROWS, False), (OFFICE_ROWS, True)], ids=["com", "officejs"])
def test_deadlines_match_the_core(rows, zero_is_blank):
    expected = core_results()
    for kind in ("R7-2", "R7-2.168h", "R7-2.bound"):
        got = column(functions.deadline(kind, HEADERS, rows, zero_is_blank=zero_is_blank))
        for i, res in expected.items():
            want = next((d.at for d in res.deadlines if d.kind == kind), None)
            assert got[i] == (excel_serial(excel_instant(want)) if want else ""), (kind, i)
    by_name = column(functions.deadline("七天无理由退货截止", HEADERS, rows, zero_is_blank=zero_is_blank))
    assert by_name == column(functions.deadline("R7-2", HEADERS, rows, zero_is_blank=zero_is_blank))
    nxt = column(functions.next_deadline(HEADERS, rows, zero_is_blank=zero_is_blank))
    assert nxt[4] == excel_serial(T(2026, 10, 6, 15, 20))    # 168 h after signing comes first


@pytest.mark.parametrize("rows,zero_is_blank", [(ROWS, False), (OFFICE_ROWS, True)], ids=["com", "officejs"])
def test_freight_matches_the_core(rows, zero_is_blank):
    expected = core_results()
    block = functions.freight(HEADERS, rows, zero_is_blank=zero_is_blank)
    payer = {"去程": column(functions.freight_payer("去程", HEADERS, rows, zero_is_blank=zero_is_blank)),
             "退货": column(functions.freight_payer("退货", HEADERS, rows, zero_is_blank=zero_is_blank)),
             "补发": column(functions.freight_payer("re", HEADERS, rows, zero_is_blank=zero_is_blank))}
    zh = {"seller": "卖家", "buyer": "买家", "insurer": "运费险", "-": "-"}
    for i, res in expected.items():
        fr = res.freight
        if fr is None:
            assert block[i][1:] == ["", "", "", "", ""]
            continue
        assert block[i] == [zh[fr.out], zh[fr.ret], zh[fr.re], amount(fr.seller_pays_buyer) or "",
                            amount(fr.refund) if fr.refund is not None else "", fr.rule]
        assert [payer["去程"][i], payer["退货"][i], payer["补发"][i]] == [zh[fr.out], zh[fr.ret], zh[fr.re]]
    assert block[4][:3] == ["卖家", "运费险", "-"] and block[4][5] == "F1+F4"
    assert block[5][3] == 12.0                                  # quality with evidence: seller refunds return postage


def test_outputs_and_result_give_the_button_columns():
    block = functions.outputs(HEADERS, ROWS)
    keys = [c.key for c in OUTPUTS]
    assert len(block) == len(ROWS) and all(len(r) == len(OUTPUTS) for r in block)
    refunds = column(functions.result("卖家应退运费", HEADERS, ROWS))
    assert refunds[:9] == [r[keys.index("seller_pays_buyer")] for r in block[:9]]
    assert refunds[9] == block[9][keys.index("errors")]     # an unreadable row says why, in every function
    assert column(functions.result("errors", HEADERS, ROWS)) == [r[keys.index("errors")] for r in block]
    assert functions.result("不存在", HEADERS, ROWS).startswith("#错误 未知输出列")


def test_rules_argument_changes_the_policy():
    rules = [["参数ID", "名称", "值"], ["LAD-2.approval_above", "审批线", 50.0], [None, None, None]]
    assert udfs.AS_NEEDS_APPROVAL(HEADERS, ROWS[6]) == "是"          # 35 > 30 by default
    assert udfs.AS_NEEDS_APPROVAL(HEADERS, ROWS[6], rules) == "否"
    jd = [["参数ID", "值"], ["COMP-JD.rate", "30%"]]
    row = ["J2", "京东", "延迟发货", 200.0] + [None] * 9
    assert "京东延迟发货赔付比例" in udfs.AS_COMPENSATION(HEADERS, row)      # not configured: says which setting
    assert udfs.AS_COMPENSATION(HEADERS, row, jd) == 60.0


def test_clock_functions_match_the_core():
    cal = calendar_from_policy(DEFAULT_POLICY)
    start = T(2026, 9, 30, 10)
    serial = excel_serial(start)
    assert udfs.AS_HOURS_END(start, 48) == excel_serial(T(2026, 10, 2, 10))
    assert udfs.AS_HOURS_END("2026/9/30 10:00", 48.0) == excel_serial(T(2026, 10, 2, 10))
    assert udfs.AS_DAYS_END(serial, 7) == excel_serial(excel_instant(calendar_days(start.date(), 7)))
    assert udfs.AS_LEGAL_END(start, 7.0) == excel_serial(excel_instant(legal_outer_bound(start.date(), 7, cal)))
    assert udfs.AS_WORKDAYS_END(int(serial), 7) == excel_serial(excel_instant(working_days(start.date(), 7, cal)))
    jd = daily_clock(T(2026, 10, 1, 14, 1), 4, dt.time(9), dt.time(18))
    assert udfs.AS_JD_CLOCK_END(T(2026, 10, 1, 14, 1), 4) == excel_serial(jd)
    # a column of starts spills a column of ends; an empty (0 in Office.js) start stays empty
    assert functions.days_end([[serial], [0]], 7, zero_is_blank=True) == [
        [excel_serial(excel_instant(calendar_days(start.date(), 7)))], [""]]
    assert udfs.AS_DAYS_END("not a date", 7).startswith("#错误 无法识别日期")


def test_text_functions_match_the_messages_core():
    texts = ["【小美家居】亲，您的退款已处理完成", "x" * 80, "请稍等，我去查一下", None]
    grid = [[t] for t in texts]
    assert udfs.AS_SMS_CHARS(grid) == [[sms_length(t or "")[0]] for t in texts]
    assert udfs.AS_SMS_PARTS(grid) == [[sms_length(t or "")[1]] for t in texts]
    assert udfs.AS_SMS_PARTS("x" * 80) == 2
    check = udfs.AS_SMS_CHECK(texts[0], "退款完成")
    want = check_sms(texts[0], "退款完成")
    show = Display()
    assert check.split("\n")[0] == show.verdict(want.verdict) and all(show.finding(f) in check for f in want.findings)
    # one kind for a column of texts; the signature argument prepends 【…】
    column_check = udfs.AS_SMS_CHECK([["您的退款已处理"], ["快来付款"]], "催付", "小美家居", "小美家居")
    assert len(column_check) == 2 and column_check[1][0].startswith("错误\n")
    lint_out = udfs.AS_LINT(texts[2])
    assert lint_out.startswith("错误\n") and show.finding(lint(texts[2])[0]) in lint_out
    assert udfs.AS_LINT("感谢您的支持") == "通过"
    # with the 规则 block set to 中文+English, the verdict and the reasons carry the English too
    both = udfs.AS_SMS_CHECK("快来付款", "催付", "小美家居", "小美家居", BILINGUAL)
    assert both.startswith("错误 / ERROR\n") and "须带退订方式" in both and " / payment_reminder SMS needs an opt-out" in both
    assert udfs.AS_LINT([[None], ["稍等"]])[0] == [""]


def test_render_uses_the_messages_templates():
    headers = ["订单号", "店铺名", "买家", "商品名称", "自定义说明"]
    rows = [["A1", "小美家居", "{{ 7*7 }}", "不锈钢电热水壶", "周五前"], ["A2", None, "tb_x", "枕头", None]]
    out = udfs.AS_RENDER("亲 {{ buyer_nick }}，{{ shop_name }}的{{ item_name }}预计{{ 自定义说明 }}发出", headers, rows)
    assert out[0] == ["亲 {{ 7*7 }}，小美家居的不锈钢电热水壶预计周五前发出"]     # buyer text stays literal
    assert out[1][0].startswith("#错误") and "「店铺名」" in out[1][0]
    follow_up = udfs.AS_RENDER("回访短信", headers, rows[0])
    assert "小美家居" in follow_up and "不锈钢电热水" in follow_up


def test_errors_are_text_in_the_display_language_never_tracebacks():
    assert udfs.AS_COMPENSATION(["x", "y"], [[1, 2]]).startswith("#错误 ")
    unknown = udfs.AS_DEADLINE("no-such-kind", HEADERS, ROWS)
    assert unknown.startswith("#错误 未知时限类型") and "七天无理由退货截止" in unknown and "error" not in unknown
    assert " / error: unknown deadline kind" in udfs.AS_DEADLINE("no-such-kind", HEADERS, ROWS, BILINGUAL)
    assert udfs.AS_FREIGHT_PAYER("sideways", HEADERS, ROWS).startswith("#错误 未知运费段")
    assert udfs.AS_SMS_CHECK([["a"], ["b"]], [["催付", "回访"]]) == "#错误 区域大小不一致: 2行1列 与 2行2列"
    assert "range sizes differ" in udfs.AS_SMS_CHECK([["a"], ["b"]], [["催付", "回访"]], None, None, BILINGUAL)


def test_every_classic_udf_wraps_a_function():
    names = [n for n in dir(udfs) if n.startswith("AS_")]
    assert len(names) == 20
    for name in names:
        assert getattr(udfs, name).__doc__, name
