"""One worked example per freight row F1-F15 (rules.md §2), and the edges of 包邮 and F3's threshold.

Each example checks the three payers (OUT / RET / RE), what the seller pays back to the buyer (卖家应退运费),
the F3 deduction and the goods refund, all read from §2's table and §5 examples 27-33. Names with
``edge_unsettled`` test a default the rules document leaves open (docs/dev/mutation.md lists them).
"""
from decimal import Decimal

import pytest

from addin.core.case import Case
from addin.core.compensation import MissingInput
from addin.core.findings import Finding
from addin.core.freight import BUYER, INSURER, NONE, SELLER, Freight, decide, facts_of
from addin.core.policy import DEFAULT_POLICY

Y = Decimal


def policy(raw):
    p, errors = DEFAULT_POLICY.with_raw(raw)
    assert not errors
    return p


def legs(fr: Freight):
    return fr.out, fr.ret, fr.re


def money(fr: Freight):
    return fr.seller_pays_buyer, fr.refund_deduction, fr.refund


# --- F1-F3: no-reason returns -----------------------------------------------------------------

def test_f1_free_shipping_return_seller_keeps_outbound_buyer_pays_return():
    """F1 (§2; §5 example 27): 包邮 7-day return: OUT seller (not deducted), RET buyer; full refund."""
    fr = decide(Case(platform="TB", reason="no_reason_return", free_shipping=True, returned_amount=Y("59.9")))
    assert (fr.rule, legs(fr), money(fr)) == ("F1", (SELLER, BUYER, NONE), (None, None, Y("59.90")))
    assert fr.note == "七天无理由退货(包邮), 退货运费买家承担" and fr.findings == ()
    assert (fr.payer_zh("out"), fr.payer_zh("ret"), fr.payer_zh("re")) == ("卖家", "买家", "-")


def test_f2_not_free_shipping_buyer_pays_both_and_postage_is_not_refunded():
    """F2 (§2): not 包邮: OUT buyer (postage not refunded), RET buyer."""
    fr = decide(Case(platform="TB", reason="no_reason_return", free_shipping=False, buyer_paid_postage=True,
                     postage=Y("10"), returned_amount=Y("80")))
    assert (fr.rule, legs(fr), money(fr)) == ("F2", (BUYER, BUYER, NONE), (None, None, Y("80.00")))
    assert fr.note == "七天无理由退货(非包邮), 来回运费买家承担, 邮费不退"


def test_f3_partial_return_below_the_threshold_deducts_the_postage_example_28():
    """F3 (§2; §5 example 28): free above 99; 60 + 50 bought, 50 returned; postage 8 → refund 42.00."""
    fr = decide(Case(platform="TB", reason="no_reason_return", free_threshold=Y("99"), order_total=Y("110"),
                     returned_amount=Y("50"), postage=Y("8")))
    assert (fr.rule, legs(fr), money(fr)) == ("F3", (BUYER, BUYER, NONE), (None, Y("8.00"), Y("42.00")))
    assert fr.note == "部分退货后不满包邮门槛, 去程运费可从退款中扣除"


def test_f3_without_the_template_postage_asks_for_it_and_deducts_nothing():
    """F3 (§2): the deduction is the postage; without it there is nothing to deduct yet."""
    fr = decide(Case(platform="TB", reason="no_reason_return", free_threshold=Y("99"), order_total=Y("110"),
                     returned_amount=Y("50")))
    assert (fr.rule, money(fr)) == ("F3", (None, None, Y("50.00")))
    assert fr.findings == (Finding("F3", "WARN", "需填写运费(模板邮费)才能计算扣款", "fill the template postage"),)


@pytest.mark.parametrize("returned, rule", [
    ("11.01", "F3"),     # kept 98.99: one fen below the threshold → breaks it
    ("11.00", "F1"),     # kept 99.00: exactly the threshold → still free shipping
    ("10.99", "F1"),     # kept 99.01
    ("109.99", "F3"),    # kept 0.01: the smallest partial return
    ("110.00", "F1"),    # kept 0: everything returned, nothing left to be "not free"
])
def test_f3_kept_value_edges(returned, rule):
    """F3 (§2): "a partial return breaks the free-shipping threshold": 0 < kept < threshold (free from 99)."""
    case = Case(platform="TB", reason="no_reason_return", free_threshold=Y("99"), order_total=Y("110"),
                returned_amount=Y(returned), postage=Y("8"))
    fr = decide(case)
    assert fr.rule == rule
    assert fr.refund == Y(returned) - (Y("8") if rule == "F3" else 0)
    assert facts_of(case)["partial_breaks_free"] is (rule == "F3")


@pytest.mark.parametrize("total, free", [("98.99", False), ("99.00", True), ("99.01", True)])
def test_free_shipping_threshold_exactly_at_edge_unsettled_default_at_threshold_is_free(total, free):
    """§2 input "item is free-shipping"; §5 example 28 says "free shipping above 99": an order of exactly 99.00 is
    read as free (满99包邮), one fen less is not."""
    case = Case(platform="TB", reason="no_reason_return", free_threshold=Y("99"), order_total=Y(total))
    assert facts_of(case)["free_shipping"] is free
    assert decide(case).rule == ("F1" if free else "F2")


def test_the_free_shipping_cell_wins_over_the_threshold_and_no_partial_break_when_not_free():
    """§2: the 包邮 input is the row's own; F3 only applies to a 包邮 order."""
    case = Case(platform="TB", reason="no_reason_return", free_shipping=False, free_threshold=Y("99"),
                order_total=Y("200"), returned_amount=Y("150"))
    assert facts_of(case)["free_shipping"] is False and decide(case).rule == "F2"
    partial = Case(platform="TB", reason="no_reason_return", free_shipping=True, free_threshold=Y("99"),
                   order_total=Y("110"))      # no returned value: nothing known to break
    assert facts_of(partial)["partial_breaks_free"] is False
    only_total = Case(platform="TB", reason="no_reason_return", order_total=Y("120"))   # no threshold: unknown
    assert facts_of(only_total)["free_shipping"] is None


# --- F4: shipping insurance -------------------------------------------------------------------

@pytest.mark.parametrize("insurance", ["gifted", "bought"])
def test_f4_insurance_reimburses_the_return_leg(insurance):
    """F4 (§2; §5 example 29): with 运费险, not 确认收货, not 售后维权: the insurer reimburses RET (≤72 h)."""
    fr = decide(Case(platform="TB", reason="no_reason_return", free_shipping=True, insurance=insurance))
    assert (fr.rule, legs(fr)) == ("F1+F4", (SELLER, INSURER, NONE))
    assert fr.note == "七天无理由退货(包邮), 退货运费买家承担; 运费险在退款完成后72小时内理赔给买家"
    assert fr.payer_zh("ret") == "运费险"


@pytest.mark.parametrize("confirmed, dispute", [(True, False), (False, True)])
def test_f4_no_insurance_after_confirmed_receipt_or_a_dispute(confirmed, dispute):
    """F4 (§2) and INS-1 (§1.B): not covered after 确认收货 or 售后维权: the buyer pays."""
    fr = decide(Case(platform="TB", reason="no_reason_return", free_shipping=True, insurance="gifted",
                     confirmed=confirmed, dispute=dispute))
    assert (fr.rule, legs(fr)) == ("F1", (SELLER, BUYER, NONE))
    assert fr.findings == (Finding("F4", "INFO", "已确认收货或售后维权, 运费险不赔, 买家自付",
                                   "insurance does not pay after confirmed receipt or an after-sales dispute"),)


def test_f4_applies_to_f2_and_f7_too_but_never_to_a_seller_paid_leg():
    """F4 (§2): "F1-F3 with 运费险"; F7's RET "buyer (or 运费险)"; a seller-paid return needs no insurance."""
    assert decide(Case(platform="TB", reason="no_reason_return", free_shipping=False, insurance="gifted")).rule == "F2+F4"
    f7 = decide(Case(platform="TB", reason="quality", insurance="bought"))
    assert (f7.rule, legs(f7)) == ("F7+F4", (SELLER, INSURER, NONE))
    f6 = decide(Case(platform="TB", reason="quality", evidence=True, insurance="bought"))
    assert (f6.rule, f6.ret) == ("F6", SELLER)


# --- F5: exchanges --------------------------------------------------------------------------

def test_f5_exchange_default_buyer_pays_return_and_reship():
    """F5 (§2) default P3 第五十四条; §5 example 30: OUT as paid, RET buyer, RE buyer."""
    fr = decide(Case(platform="TB", reason="no_reason_exchange", free_shipping=True))
    assert (fr.rule, legs(fr), money(fr)) == ("F5", (SELLER, BUYER, BUYER), (None, None, None))
    assert fr.note == "无理由/尺码换货, 退回和补发运费买家承担"
    not_free = decide(Case(platform="TB", reason="no_reason_exchange", free_shipping=False))
    assert legs(not_free) == (BUYER, BUYER, BUYER)


def test_f5_split_alternative_only_for_free_shipping_items():
    """F5 (§2) alternative S3: 包邮 → split (seller pays RE); 非包邮 → the buyer pays both ways."""
    split = policy({"F5.exchange": "split"})
    fr = decide(Case(platform="TB", reason="no_reason_exchange", free_shipping=True), split)
    assert (fr.rule, legs(fr)) == ("F5.split", (SELLER, BUYER, SELLER))
    assert fr.note == "包邮款换货各付一程(规则表设置): 买家付退回, 卖家付补发"
    not_free = decide(Case(platform="TB", reason="no_reason_exchange", free_shipping=False), split)
    assert (not_free.rule, legs(not_free)) == ("F5", (BUYER, BUYER, BUYER))


# --- F6-F10: quality, wrong items, damage -------------------------------------------------------

def test_f6_quality_with_evidence_seller_pays_all_and_refunds_the_buyers_postage():
    """F6 (§2; §5 example 31): seller pays OUT (refunding postage the buyer paid), RET and RE."""
    fr = decide(Case(platform="TB", reason="quality", evidence=True, return_postage=Y("12"),
                     buyer_paid_postage=True, postage=Y("6"), returned_amount=Y("199")))
    assert (fr.rule, legs(fr), money(fr)) == ("F6", (SELLER, SELLER, SELLER), (Y("18.00"), None, Y("199.00")))
    assert fr.note == ("质量问题(有凭证/已核实), 商家承担运输等必要费用; 退还买家垫付退货运费12.00; 退还买家已付邮费6.00")
    only_return = decide(Case(platform="TB", reason="quality", evidence=True, return_postage=Y("12")))
    assert only_return.seller_pays_buyer == Y("12.00")
    paid_flag_no_amount = decide(Case(platform="TB", reason="quality", evidence=True, buyer_paid_postage=True))
    assert paid_flag_no_amount.seller_pays_buyer is None
    amount_not_paid = decide(Case(platform="TB", reason="quality", evidence=True, postage=Y("6")))
    assert amount_not_paid.seller_pays_buyer is None          # the seller paid the outbound leg itself


def test_f6_applies_to_misdescription_on_taobao():
    """F6 (§2): quality-like reasons (描述不符) with evidence."""
    fr = decide(Case(platform="TB", reason="misdescription", evidence=True))
    assert (fr.rule, legs(fr)) == ("F6", (SELLER, SELLER, SELLER))


def test_f7_quality_claimed_without_evidence_buyer_pays_the_return():
    """F7 (§2): no evidence, not verifiable, resalable: OUT seller, RET buyer (or 运费险)."""
    fr = decide(Case(platform="TB", reason="quality", return_postage=Y("12"), returned_amount=Y("99")))
    assert (fr.rule, legs(fr), money(fr)) == ("F7", (SELLER, BUYER, NONE), (None, None, Y("99.00")))
    assert fr.note == "称质量问题但无凭证且可二次销售, 退货运费买家承担(有运费险引导使用)"
    damage = decide(Case(platform="TB", reason="transit_damage"))
    assert damage.rule == "F7"


def test_f8_wrong_item_seller_pays_every_leg_and_warns_until_verified():
    """F8 (§2): 错发/漏发, verified: seller pays OUT, RET, RE."""
    verified = decide(Case(platform="TB", reason="wrong_item", evidence=True, return_postage=Y("10"),
                           returned_amount=Y("45")))
    assert (verified.rule, legs(verified), money(verified)) == ("F8", (SELLER, SELLER, SELLER),
                                                                (Y("10.00"), None, Y("45.00")))
    assert verified.findings == ()
    unverified = decide(Case(platform="TB", reason="wrong_item"))
    assert unverified.findings == (Finding("F8", "WARN", "错发漏发待核实(无凭证), 核实后才由商家承担",
                                           "wrong/missing item not yet verified"),)


def test_f8_missing_gift_is_a_reship_without_a_return_leg():
    """F8 (§2) "reship the missing part": a missing gift has nothing to send back."""
    fr = decide(Case(platform="TB", reason="missing_gift", evidence=True))
    assert (fr.rule, legs(fr), fr.refund) == ("F8", (SELLER, NONE, SELLER), None)


def test_f9_transit_damage_with_evidence_seller_pays_all():
    """F9 (§2): 物流破损 with photos or a refusal at the door: seller pays (and claims from the carrier)."""
    fr = decide(Case(platform="TB", reason="transit_damage", evidence=True, return_postage=Y("15")))
    assert (fr.rule, legs(fr), fr.seller_pays_buyer) == ("F9", (SELLER, SELLER, SELLER), Y("15.00"))


@pytest.mark.parametrize("reason", ["transit_damage", "quality"])
def test_f10_damage_claimed_after_confirmed_receipt_without_evidence(reason):
    """F10 (§2): after 确认收货, no evidence: RET buyer (burden of proof on the buyer); no OUT or RE."""
    fr = decide(Case(platform="TB", reason=reason, confirmed=True, return_postage=Y("12"), returned_amount=Y("30")))
    assert (fr.rule, legs(fr), money(fr)) == ("F10", (NONE, BUYER, NONE), (None, None, Y("30.00")))
    assert fr.note == "确认收货后称破损且无凭证, 举证责任在买家"


# --- F11-F15 ---------------------------------------------------------------------------------

def test_f11_seller_shipped_after_the_refund_request_bears_both_legs():
    """F11 (§2; §5 example 32): OUT seller, RET seller; full refund."""
    fr = decide(Case(platform="TB", reason="shipped_after_refund", returned_amount=Y("199"), return_postage=Y("9")))
    assert (fr.rule, legs(fr), money(fr)) == ("F11", (SELLER, SELLER, NONE), (Y("9.00"), None, Y("199.00")))


@pytest.mark.parametrize("reason", ["no_reason_return", "quality", "no_reason_exchange"])
def test_f12_return_agreed_before_intervention_without_freight_terms_seller_pays(reason):
    """F12 (§2, P3 第四十九条): agreed, freight not specified → seller pays OUT, RET, RE (whatever the reason)."""
    fr = decide(Case(platform="TB", reason=reason, agreed_no_freight=True, free_shipping=False,
                     return_postage=Y("10"), insurance="gifted"))
    assert (fr.rule, legs(fr), fr.seller_pays_buyer) == ("F12", (SELLER, SELLER, SELLER), Y("10.00"))
    assert fr.note.startswith("平台介入前已协商退货但未约定运费, 商家承担")


@pytest.mark.parametrize("paid, normal, extra", [("18", "12", "6.00"), ("12.01", "12", "0.01"),
                                                 ("12", "12", None), ("11.99", "12", None)])
def test_f13_return_address_mismatch_seller_pays_only_the_extra(paid, normal, extra):
    """F13 (§2; §5 example 33): buyer pays the normal cost, seller the extra (never a negative extra)."""
    fr = decide(Case(platform="TB", reason="no_reason_return", free_shipping=True, address_mismatch=True,
                     return_postage=Y(paid), normal_return_postage=Y(normal)))
    assert (fr.rule, legs(fr)) == ("F1+F13", (SELLER, BUYER, NONE))
    assert fr.seller_pays_buyer == (Y(extra) if extra else None)
    assert fr.note.endswith(f"; 退货地址与发货地不符, 卖家补差{extra or '0.00'}")


def test_f13_needs_both_postages_and_overlays_insurance_too():
    """F13 (§2): the extra needs the paid and the normal return postage; it also applies when 运费险 pays RET."""
    fr = decide(Case(platform="TB", reason="no_reason_return", free_shipping=True, address_mismatch=True,
                     return_postage=Y("18")))
    assert fr.rule == "F1+F13" and fr.seller_pays_buyer is None
    assert fr.findings == (Finding("F13", "WARN", "退货地址不符, 需填写实付退货运费和正常运费以计算差额",
                                   "address mismatch: fill the paid and the normal return postage"),)
    insured = decide(Case(platform="TB", reason="no_reason_return", free_shipping=True, address_mismatch=True,
                          insurance="gifted", return_postage=Y("18"), normal_return_postage=Y("12")))
    assert (insured.rule, insured.seller_pays_buyer) == ("F1+F4+F13", Y("6.00"))
    seller_leg = decide(Case(platform="TB", reason="quality", evidence=True, address_mismatch=True,
                             return_postage=Y("18"), normal_return_postage=Y("12")))
    assert (seller_leg.rule, seller_leg.seller_pays_buyer) == ("F6", Y("18.00"))   # the seller pays it all anyway


@pytest.mark.parametrize("reason", ["quality", "misdescription"])
def test_f14_jd_quality_or_misdescription_merchant_pays_everything_even_without_evidence(reason):
    """F14 (§2, P4 第九条, P5): JD counterfeit / 描述不符 / 质量: merchant pays OUT, RET, RE."""
    fr = decide(Case(platform="JD", reason=reason, return_postage=Y("14"), returned_amount=Y("300")))
    assert (fr.rule, legs(fr), money(fr)) == ("F14", (SELLER, SELLER, SELLER), (Y("14.00"), None, Y("300.00")))
    assert fr.note == "京东: 描述不符/质量问题, 商家承担全部运费; 退还买家垫付退货运费14.00"


def test_f14_jd_merchant_silent_for_24h_pays_everything():
    """F14 (§2): "merchant silent for 24 h" on JD, whatever the reason."""
    fr = decide(Case(platform="JD", reason="no_reason_return", merchant_silent=True, free_shipping=True))
    assert (fr.rule, legs(fr)) == ("F14", (SELLER, SELLER, SELLER))
    assert fr.note == "京东: 商家24小时未响应, 商家承担全部运费"
    taobao = decide(Case(platform="TB", reason="no_reason_return", merchant_silent=True, free_shipping=True))
    assert taobao.rule == "F1"                                # F14 is JD's rule


def test_f15_promised_carrier_not_used_buyer_claims_the_postage_back():
    """F15 (§2, P3 第二十九条): not 包邮, buyer signed: the buyer may claim the postage back."""
    fr = decide(Case(platform="TB", reason="carrier_not_used", free_shipping=False, buyer_paid_postage=True,
                     postage=Y("10")))
    assert (fr.rule, legs(fr), money(fr)) == ("F15", (SELLER, NONE, NONE), (Y("10.00"), None, None))
    assert fr.note == "未使用约定快递, 买家可要求退还邮费; 退还买家已付邮费10.00"
    assert decide(Case(platform="TB", reason="carrier_not_used", free_shipping=True)) is None


# --- what decides when 包邮 is blank (FREE.default) --------------------------------------------

def test_blank_free_shipping_asks_unless_the_policy_answers():
    """§2 input "item is free-shipping": without it F1/F2/F5/F15 cannot be chosen; the 规则 sheet may answer."""
    case = Case(platform="TB", reason="no_reason_return")
    with pytest.raises(MissingInput) as info:
        decide(case)
    assert info.value.field == "free_shipping"
    fr = decide(case, policy({"FREE.default": "yes"}))
    assert fr.rule == "F1" and fr.findings == (Finding(
        "FREE.default", "INFO", "「包邮」未填, 按「规则」表「包邮未填时」视为包邮",
        "包邮 blank: taken as free shipping by the 规则 sheet row 「包邮未填时」"),)
    no = decide(case, policy({"FREE.default": "no"}))
    assert no.rule == "F2" and no.findings[0].zh.endswith("视为不包邮")
    assert no.findings[0].en == "包邮 blank: taken as not free shipping by the 规则 sheet row 「包邮未填时」"
    exchange = decide(Case(platform="TB", reason="no_reason_exchange"), policy({"FREE.default": "yes"}))
    assert exchange.out == SELLER                             # "as paid": the assumed 包邮
    asked = decide(Case(platform="TB", reason="no_reason_exchange"))       # RET and RE do not depend on 包邮
    assert (asked.rule, legs(asked), asked.findings) == ("F5", (BUYER, BUYER, BUYER), ())
    with pytest.raises(MissingInput):
        decide(Case(platform="TB", reason="carrier_not_used"))


def test_reasons_without_shipping_legs_give_no_decision():
    """§2 covers returns, exchanges and reships; a late shipment has no freight decision."""
    assert decide(Case(platform="TB", reason="late_shipment")) is None
    assert decide(Case(platform="TB", reason="goodwill", free_shipping=True)) is None
    assert decide(Case(platform="TB", reason=None, free_shipping=True)) is None


def test_a_known_free_shipping_answer_is_never_replaced_by_the_setting():
    """§2: the row's own 包邮 wins; the 规则 sheet's answer is only for a blank cell."""
    fr = decide(Case(platform="TB", reason="no_reason_exchange", free_shipping=False), policy({"FREE.default": "yes"}))
    assert (fr.rule, fr.out, fr.findings) == ("F5", BUYER, ())


def test_a_reason_outside_the_vocabulary_is_matched_against_the_whole_table():
    """§2's table read top to bottom: F12 holds for any reason; JD's quality row does not catch other reasons."""
    assert decide(Case(platform="TB", reason="mystery", agreed_no_freight=True)).rule == "F12"
    assert decide(Case(platform="JD", reason="mystery")) is None


def test_the_candidate_rows_per_reason_are_the_table_rows_that_admit_it_in_order():
    """§2: a row applies to a reason when it names that reason (or one of its reasons), or names none."""
    from addin.core import freight
    from addin.core.case import REASONS

    index = freight._rules_by_reason()
    assert set(index) == set(REASONS) | {None}
    for reason, rows in index.items():
        expected = []
        for rule in freight.FREIGHT_RULES:
            want = rule.when.get("reason", reason)
            if want == reason or (isinstance(want, tuple) and reason in want):
                expected.append(rule)
        assert [r for r, _ in rows] == expected, reason
        for rule, conditions in rows:
            assert conditions == tuple((k, v, isinstance(v, tuple)) for k, v in rule.when.items())
    assert [r.id for r, _ in index["no_reason_return"]] == ["F12", "F14", "F3", "F1", "F2"]


def test_f16_not_delivered_seller_reships_and_checks_the_tracking_first():
    """F16 (docs/rules.md's freight table, added after rules.md §2): not delivered: the seller pays OUT and RE;
    without evidence it is still to be verified."""
    fr = decide(Case(platform="TB", reason="not_delivered"))
    assert (fr.rule, legs(fr)) == ("F16", (SELLER, NONE, SELLER))
    assert fr.findings == (Finding("F16", "WARN", "未收到货待核实: 查物流轨迹和签收底单",
                                   "not delivered: check the tracking and the proof of signing"),)
    assert decide(Case(platform="TB", reason="not_delivered", evidence=True)).findings == ()
