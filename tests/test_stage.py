"""The case's stage (addin.core.stage): the platforms' status wordings, staff's 处理结果, the clocks each
stage runs, the platform's own 超时时间, 货物状态/订单状态 -> 退款时已发货, and 店长审批 ending 需审批.
Real cases through the real engine, read back as the workbook writes them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from addin.core.case import Case
from addin.core.compensation import compensation_for
from addin.core.deadlines import DEADLINE_KINDS, deadlines_for, next_due
from addin.core.display import Display
from addin.core.engine import compute_case, compute_cases
from addin.core.parse import CellError, to_manager_approval, to_outcome
from addin.core.stage import (CLOSED, DONE, RECEIVE, REFUSED, RETURN, SELLER, SHIPPED_RULES, SOURCES, STAGES,
                              STATUS_RULES, TIMEOUT_KIND, shipped_from_status, status_rule)
from addin.core.status import row_status
from addin.workbook.sheets.case_rows import case_from_row, output_values, rule_ids
from tests.helpers.clock import NOW_DEMO

REQUESTED = dt.datetime(2026, 11, 20, 9, 0)


def tb_case(**kw) -> Case:
    """A 天猫 refund asked after shipping, signed for, with a 35 yuan proposal: every clock can run."""
    values = dict(order_id="T1", platform="TM", reason="no_reason_return", paid=Decimal("89.00"),
                  signed_at=dt.datetime(2026, 11, 18, 15, 0), refund_requested_at=REQUESTED, shipped=True)
    values.update(kw)
    return Case(**values)


def kinds(case: Case) -> set[str]:
    return {d.kind for d in deadlines_for(case)}


# --- the platforms' status tables ------------------------------------------------------------------

# The wordings as each platform's public API documentation writes them (sources in docs/dev/stages.md).
REAL_WORDINGS = [
    # 淘宝/天猫 退款状态 (taobao.refunds.receive.get)
    ("TM", "买家已经申请退款，等待卖家同意", SELLER),
    ("TM", "卖家已经同意退款，等待买家退货", RETURN),
    ("TB", "买家已经退货，等待卖家确认收货", RECEIVE),
    ("TB", "卖家拒绝退款", REFUSED),
    ("TM", "退款成功", DONE),
    ("TM", "退款关闭", CLOSED),
    ("TB", "WAIT_SELLER_AGREE", SELLER),
    ("TB", "WAIT_BUYER_RETURN_GOODS", RETURN),
    ("TB", "WAIT_SELLER_CONFIRM_GOODS", RECEIVE),
    ("TB", "SELLER_REFUSE_BUYER", REFUSED),
    ("TB", "SUCCESS", DONE),
    ("TB", "CLOSED", CLOSED),
    # 拼多多 售后状态 (pdd.refund.information.get after_sales_status)
    ("PDD", "买家申请退款，待商家处理", SELLER),
    ("PDD", "退货退款，待商家处理", SELLER),
    ("PDD", "已同意退货退款,待用户发货", RETURN),
    ("PDD", "驳回退款，待买家处理", REFUSED),
    ("PDD", "退款成功", DONE),
    ("PDD", "买家撤销", CLOSED),
    ("PDD", "平台拒绝退款，退款关闭", CLOSED),
    ("PDD", "商家同意退款，退款中", DONE),
    ("PDD", "平台处理中", None),
    # 京东 售后服务单 status
    ("JD", "商家审核", SELLER),
    ("JD", "审核不通过", REFUSED),
    ("JD", "审核通过", RETURN),
    ("JD", "商家收货", RECEIVE),
    ("JD", "完成", DONE),
    ("JD", "取消", CLOSED),
    # 抖店 after_sale_status
    ("DY", "售后申请", SELLER),
    ("DY", "售后退货中", RETURN),
    ("DY", "售后已发货", RECEIVE),
    ("DY", "拒绝售后申请", REFUSED),
    ("DY", "售后成功", DONE),
    ("DY", "售后失败", CLOSED),
]


@pytest.mark.parametrize("platform, text, stage", REAL_WORDINGS)
def test_each_platforms_status_wording_reads_as_its_stage(platform, text, stage):
    rule = status_rule(platform, text)
    assert rule is not None and rule.stage == stage
    assert rule.id.startswith("PS-") and rule.source in SOURCES


@pytest.mark.parametrize("text", [
    "买家已经申请退款,等待卖家同意",            # half-width comma
    " 买家已经申请退款， 等待卖家同意 ",          # spaces
    "买家已经申请退款，等待卖家同意。",           # a full stop
])
def test_status_matching_ignores_width_punctuation_and_spaces(text):
    assert status_rule("TM", text).id == status_rule("TM", "买家已经申请退款，等待卖家同意").id == "PS-TB-01"


def test_api_codes_match_in_any_width_and_case():
    assert status_rule("TB", "ｗａｉｔ＿ｓｅｌｌｅｒ＿ａｇｒｅｅ").id == status_rule("TB", "WAIT_SELLER_AGREE").id == "PS-TB-07"


def test_a_wording_of_another_platform_is_read_when_the_tables_agree():
    assert status_rule(None, "退款成功").stage == DONE             # 淘宝 and 拼多多 agree
    assert status_rule("TM", "售后退货中").stage == RETURN          # a 抖店 wording on a 天猫 row
    assert status_rule("TM", "待商家收货").stage == RECEIVE         # the stage names, on every platform
    assert status_rule("TM", "正在审核中") is None


@pytest.mark.parametrize("text, stage, long", [("等待卖家同意", SELLER, "买家已经申请退款，等待卖家同意"),
                                               ("等待买家退货", RETURN, "卖家已经同意退款，等待买家退货"),
                                               ("等待卖家确认收货", RECEIVE, "买家已经退货，等待卖家确认收货")])
def test_the_short_status_names_read_as_the_long_ones(text, stage, long):
    # 等待买家退货: the seller has agreed; the internal alert to answer the request no longer runs, and
    # nothing says 未识别的退款状态.
    short, full = compute_case(tb_case(refund_status=text)), compute_case(tb_case(refund_status=long))
    assert status_rule("TB", text).stage == stage == short.stage == full.stage
    assert [(d.kind, d.at) for d in short.deadlines] == [(d.kind, d.at) for d in full.deadlines]
    assert "ST-UNKNOWN" not in rule_ids(short)
    unknown = compute_case(tb_case(refund_status="仲裁中"))        # what such a row got before
    assert "RF-TB.alert" in {d.kind for d in unknown.deadlines}
    assert ("RF-TB.alert" in {d.kind for d in short.deadlines}) == (stage == SELLER)


def test_every_table_row_has_a_known_stage_and_source():
    for rules in STATUS_RULES.values():
        for r in rules:
            assert r.stage is None or r.stage in STAGES
            assert r.source in SOURCES
    assert all(r.source in SOURCES for r in SHIPPED_RULES)


def test_an_unknown_status_keeps_todays_clocks_and_says_so():
    unknown = compute_case(tb_case(refund_status="仲裁中"))
    plain = compute_case(tb_case())
    assert unknown.stage is None and [d.kind for d in unknown.deadlines] == [d.kind for d in plain.deadlines]
    lines = Display().findings(unknown.findings)
    assert "未识别的退款状态「仲裁中」" in lines
    assert "ST-UNKNOWN" in rule_ids(unknown)


# --- staff's 处理结果 ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stage", [("已结案", DONE), ("已退款", DONE), (" 已完结 ", DONE), ("已关闭", CLOSED),
                                           ("买家撤销", CLOSED), ("已拒绝", REFUSED), ("待商家收货", RECEIVE)])
def test_outcome_parser(typed, stage):
    assert to_outcome(typed) == stage


def test_outcome_parser_refuses_what_it_does_not_know():
    with pytest.raises(CellError) as exc:
        to_outcome("看情况")
    assert "处理结果" in exc.value.zh and "已完结" in exc.value.zh


def test_staff_outcome_wins_over_the_platform_status():
    open_on_platform = tb_case(refund_status="买家已经退货，等待卖家确认收货", outcome=DONE)
    result = compute_case(open_on_platform)
    assert (result.stage, result.stage_rule) == (DONE, "OUTCOME") and result.deadlines == []
    reopened = compute_case(tb_case(refund_status="退款成功", outcome=RECEIVE,
                                    return_shipped_at=dt.datetime(2026, 11, 21, 12, 0)))
    assert reopened.stage == RECEIVE and "RF-RET.receive" in {d.kind for d in reopened.deadlines}


# --- the stage decides which clocks run ---------------------------------------------------------------

def test_waiting_for_the_seller_runs_the_sellers_response_clock():
    assert {"RF-TB.alert", "RF-TB.shipped", "R7-2"} <= kinds(tb_case(refund_status="买家已经申请退款，等待卖家同意"))


def test_waiting_for_the_return_drops_the_request_and_response_clocks():
    got = kinds(tb_case(refund_status="卖家已经同意退款，等待买家退货",
                        platform_deadline=dt.datetime(2026, 11, 30, 9, 0)))
    assert got == {"PLAT-TIMEOUT.close"}


def test_waiting_to_receive_runs_the_receive_and_refund_clocks():
    got = kinds(tb_case(refund_status="买家已经退货，等待卖家确认收货",
                        return_shipped_at=dt.datetime(2026, 11, 21, 12, 0),
                        return_received_at=dt.datetime(2026, 11, 23, 9, 0)))
    assert {"RF-RET.receive", "R7-3", "R7-3.penalty"} <= got
    assert not got & {"RF-TB.alert", "RF-TB.shipped", "R7-2", "R7-2.168h"}


def test_refused_keeps_the_buyers_window_but_not_the_sellers_response_clock():
    got = kinds(tb_case(refund_status="卖家拒绝退款"))
    assert "R7-2" in got and not got & {"RF-TB.alert", "RF-TB.shipped"}


def test_clocks_of_other_matters_keep_running_in_an_open_stage():
    got = kinds(tb_case(refund_status="卖家已经同意退款，等待买家退货", complaint_at=dt.datetime(2026, 11, 23, 9, 0)))
    assert "SLA-1.offline" in got


@pytest.mark.parametrize("status, word", [("退款成功", "已完结"), ("退款关闭", "已关闭"), ("买家撤销", "已关闭")])
def test_finished_and_closed_cases_carry_no_deadline_and_say_so(status, word):
    case = tb_case(platform="PDD" if status == "买家撤销" else "TM", refund_status=status,
                   platform_deadline=NOW_DEMO - dt.timedelta(days=2), complaint_at=NOW_DEMO - dt.timedelta(days=1))
    result = compute_case(case)
    assert result.deadlines == [] and next_due(result.deadlines) is None
    assert row_status(False, None, False, NOW_DEMO, stage=result.stage) == word
    out = output_values(result, now=NOW_DEMO)            # as recalc writes the row: no 下一截止, no 全部时限
    assert out["next_deadline"] is None and out["deadlines_all"] is None


def test_a_finished_row_read_from_the_sheet_has_no_deadline():
    """退款状态 is a column of the 案件 sheet already: the text reaches the Case as typed."""
    parsed = case_from_row({"order_id": "T9", "platform": "天猫", "reason": "七天无理由退货", "paid": 89.0,
                            "signed_at": dt.datetime(2026, 11, 1, 10, 0), "refund_status": "退款成功"})
    assert not parsed.problems and parsed.case.refund_status == "退款成功"
    result = compute_cases([parsed.case])[0]
    assert result.stage == DONE and output_values(result, now=NOW_DEMO)["next_deadline"] is None


# --- the platform's own clock ------------------------------------------------------------------------

@pytest.mark.parametrize("status, kind, item", [
    ("买家已经申请退款，等待卖家同意", "PLAT-TIMEOUT.refund", "平台超时自动退款"),
    ("卖家已经同意退款，等待买家退货", "PLAT-TIMEOUT.close", "平台超时自动关闭退款"),
    ("买家已经退货，等待卖家确认收货", "PLAT-TIMEOUT.refund", "平台超时自动退款"),
    (None, "PLAT-TIMEOUT", "平台超时处理"),
])
def test_the_platform_timeout_is_a_deadline_kind_named_by_the_stage(status, kind, item):
    at = dt.datetime(2026, 11, 21, 9, 0)               # before RF-TB's own clocks
    result = compute_case(tb_case(refund_status=status, platform_deadline=at))
    nd = next_due(result.deadlines)
    assert (nd.kind, nd.at) == (kind, at)
    assert Display().deadline_name(nd.kind) == item
    assert kind in rule_ids(result)                     # the audit column cites it
    assert DEADLINE_KINDS[kind].level == "action"


def test_next_deadline_is_the_earlier_of_the_platforms_and_ours():
    late = compute_case(tb_case(refund_status="买家已经申请退款，等待卖家同意",
                                platform_deadline=dt.datetime(2026, 12, 20, 9, 0)))
    assert next_due(late.deadlines).kind != "PLAT-TIMEOUT.refund"
    assert "PLAT-TIMEOUT.refund" in {d.kind for d in late.deadlines}


def test_a_platform_timeout_already_passed_reads_overdue():
    passed = NOW_DEMO - dt.timedelta(hours=5)
    case = Case(order_id="P1", platform="PDD", reason="quality", refund_status="买家申请退款，待商家处理",
                platform_deadline=passed)
    result = compute_case(case)
    out = output_values(result, now=NOW_DEMO)
    assert out["next_deadline"] == passed and out["next_deadline_item"] == "平台超时自动退款"
    assert out["status"] == "已逾期"


def test_every_open_stage_names_its_timeout_event():
    assert set(TIMEOUT_KIND) == {s for s, st in STAGES.items() if st.open} | {None}
    assert all(k in DEADLINE_KINDS for k in TIMEOUT_KIND.values())


# --- 货物状态 / 订单状态 -> 退款时已发货 ------------------------------------------------------------------

@pytest.mark.parametrize("texts, shipped", [
    (("买家已收到货",), True), (("买家已退货",), True), (("买家未收到货",), None),
    (("买家未收到货", "未发货"), False), (("买家未收到货", "已发货，待收货"), True),
    ((None, "未发货"), False), ((None, "待发货"), False), ((None, "已签收"), True),
    (("BUYER_RECEIVED",), True), ((None, "WAIT_SELLER_SEND_GOODS"), False), ((None, "交易成功"), True),
    ((None, None), None), (("不知道",), None),
])
def test_shipped_from_goods_and_order_status(texts, shipped):
    assert shipped_from_status(*texts) is shipped


def test_goods_status_starts_the_rf_clocks_when_shipped_is_blank():
    received = kinds(tb_case(shipped=None, goods_status="买家已收到货"))
    unshipped = kinds(tb_case(shipped=None, goods_status="买家未收到货", order_status="未发货"))
    unknown = kinds(tb_case(shipped=None, goods_status="买家未收到货"))
    assert "RF-TB.shipped" in received and "RF-TB.unshipped" in unshipped
    assert not unknown & {"RF-TB.shipped", "RF-TB.unshipped"}
    typed = kinds(tb_case(shipped=False, goods_status="买家已收到货"))          # what staff typed wins
    assert "RF-TB.unshipped" in typed and "RF-TB.shipped" not in typed


# --- 店长审批 ends 需审批 ----------------------------------------------------------------------------------

def goodwill(**kw) -> Case:
    return Case(order_id="G1", platform="TB", reason="goodwill", proposed=Decimal("50"), **kw)


def test_a_proposal_above_the_agents_authority_needs_approval():
    comp = compensation_for(goodwill())
    assert comp.approval and "需店长审批" in Display().findings(comp.findings)
    assert row_status(False, None, comp.approval, NOW_DEMO) == "需审批"


def test_approved_ends_needs_approval_and_the_amount_stands():
    comp = compensation_for(goodwill(manager_approval=to_manager_approval("已批")))
    assert not comp.approval and comp.amount == Decimal("50.00") and "店长已批" in comp.note
    assert not comp.findings
    assert output_values(compute_case(goodwill(manager_approval="approved")), now=NOW_DEMO)["status"] == "正常"


def test_rejected_ends_needs_approval_and_says_so():
    result = compute_case(goodwill(manager_approval=to_manager_approval(" 驳回 ")))
    out = output_values(result, now=NOW_DEMO)
    assert out["approval"] == "否" and out["status"] == "正常"
    assert "店长已驳回" in out["warnings"] and "需店长审批" not in out["warnings"]


def test_a_manual_amount_the_manager_approved_reads_approved():
    pending = compensation_for(Case(order_id="M1", platform="TB", reason="goodwill", override=Decimal("80")))
    approved = compensation_for(Case(order_id="M1", platform="TB", reason="goodwill", override=Decimal("80"),
                                     manager_approval="approved"))
    assert pending.approval and not approved.approval
    assert approved.amount == Decimal("80.00") and approved.rule == "MANUAL" and "店长已批" in approved.note


def test_manager_approval_parser_refuses_other_words():
    assert to_manager_approval("同意") == "approved" and to_manager_approval("不同意") == "rejected"
    with pytest.raises(CellError):
        to_manager_approval("再看看")
