"""Every edge of the compensation rules (rules.md §1.A, §1.C JD-PP, §0 order of operations).

Each test's docstring names the section its numbers come from. §0: percentage → ROUND(x,2) → minimum → cap,
so a raw amount that rounds to the minimum is not "below" it. Names with ``edge_unsettled`` test a
default the rules document leaves open (docs/dev/mutation.md lists them).
"""
import datetime as dt
from decimal import Decimal

import pytest

from addin.core.case import Case
from addin.core.compensation import (Compensation, MissingInput, compensation_for, jd_misdescription,
                                     jd_missing_gift, jd_pp_window, jd_price_protection, ladder, late_shipment,
                                     merge_tmall_cap, retention_check)
from addin.core.findings import Finding
from addin.core.policy import DEFAULT_POLICY

Y = Decimal
T = dt.datetime.fromisoformat


def policy(raw):
    p, errors = DEFAULT_POLICY.with_raw(raw)
    assert not errors
    return p


# --- COMP-TB: 5 %, minimum 5 (special categories 1), cap 30 -------------------------------------

@pytest.mark.parametrize("paid, amount, note", [
    ("99.80", "5.00", "99.80×5%=4.99; 低于最低5.00→5.00"),   # one fen below the minimum: raised
    ("99.99", "5.00", "99.99×5%=5.00"),                      # 4.9995 rounds to 5.00 first (§0): not below
    ("100.00", "5.00", "100.00×5%=5.00"),                    # exactly the minimum: nothing raised
    ("100.20", "5.01", "100.20×5%=5.01"),                    # one fen above
    ("599.80", "29.99", "599.80×5%=29.99"),                  # one fen below the cap
    ("600.00", "30.00", "600.00×5%=30.00"),                  # exactly the cap: not "capped"
    ("600.20", "30.00", "600.20×5%=30.01; 封顶30.00"),        # one fen above: capped
])
def test_taobao_minimum_and_cap_edges(paid, amount, note):
    """COMP-TB (§1.A): 5 %, minimum 5, cap 30; §0 order: percentage, ROUND, minimum, cap."""
    comp = late_shipment("TB", Y(paid))
    assert comp == Compensation(Y(amount), "COMP-TB", note=note, mandated=True)


@pytest.mark.parametrize("paid, amount, raised", [("19.80", "1.00", True), ("20.00", "1.00", False),
                                                  ("20.20", "1.01", False)])
def test_taobao_special_category_minimum_edges(paid, amount, raised):
    """COMP-TB (§1.A) "some categories: 1"; §5 example 4."""
    comp = late_shipment("TB", Y(paid), special_category=True)
    assert comp.amount == Y(amount) and comp.rule == "COMP-TB"
    assert ("低于最低1.00→1.00" in comp.note) is raised


# --- COMP-TM: 30 %, minimum 5, cap 500 ---------------------------------------------------------

@pytest.mark.parametrize("paid, amount, note", [
    ("16.64", "5.00", "16.64×30%=4.99; 低于最低5.00→5.00"),
    ("16.65", "5.00", "16.65×30%=5.00"),                     # 4.995 rounds half-up to 5.00: at the minimum
    ("16.67", "5.00", "16.67×30%=5.00"),
    ("1666.63", "499.99", "1666.63×30%=499.99"),
    ("1666.67", "500.00", "1666.67×30%=500.00"),             # exactly the cap after ROUND
    ("1666.70", "500.00", "1666.70×30%=500.01; 封顶500.00"),
    ("2000.00", "500.00", "2000.00×30%=600.00; 封顶500.00"),  # a single order above the cap
])
def test_tmall_minimum_and_cap_edges(paid, amount, note):
    """COMP-TM (§1.A): 30 %, minimum 5 per transaction, cap 500; §5 examples 5 and 7."""
    assert late_shipment("TM", Y(paid)) == Compensation(Y(amount), "COMP-TM", note=note, mandated=True)


# --- JD / PDD: the rate must be configured (COMP-DEF); then its minimum and cap ----------------

@pytest.mark.parametrize("platform, zh, row", [("JD", "京东", "京东延迟发货赔付比例(需配置)"),
                                               ("PDD", "拼多多", "拼多多延迟发货赔付比例(需配置)")])
def test_jd_and_pdd_without_a_rate_give_no_amount_and_say_where_to_set_it(platform, zh, row):
    """COMP-DEF (§1.A): "For JD and PDD the user must configure the rate"."""
    comp = late_shipment(platform, Y("100"))
    assert comp.amount is None and comp.rule == "COMP-DEF" and not comp.mandated
    assert comp.findings == (Finding(
        "COMP-DEF", "ERROR", f"{zh}延迟发货赔付比例未配置, 请在「规则」表「{row}」一行填写",
        f"{platform} late-shipment rate is not configured; set COMP-{platform}.rate on the 规则 sheet"),)


@pytest.mark.parametrize("platform", ["JD", "PDD"])
@pytest.mark.parametrize("paid, amount, step", [
    ("59.80", "3.00", "低于最低3.00→3.00"), ("60.00", "3.00", None), ("60.20", "3.01", None),
    ("1999.80", "99.99", None), ("2000.00", "100.00", None), ("2000.20", "100.00", "封顶100.00"),
])
def test_jd_and_pdd_configured_minimum_and_cap_edges(platform, paid, amount, step):
    """COMP-DEF (§1.A): PDD "reportedly 5%, minimum 3, cap 100" (U), configured here for either platform."""
    p = policy({f"COMP-{platform}.rate": "5%", f"COMP-{platform}.min": 3, f"COMP-{platform}.cap": 100})
    comp = late_shipment(platform, Y(paid), policy=p)
    assert (comp.amount, comp.rule, comp.mandated) == (Y(amount), f"COMP-{platform}", True)
    assert comp.note.startswith(f"{Y(paid):.2f}×5%=")
    assert (step in comp.note) if step else ("低于" not in comp.note and "封顶" not in comp.note)


def test_jd_configured_rate_without_minimum_or_cap_is_the_bare_percentage():
    """COMP-DEF (§1.A): only the rate is required; a blank minimum/cap applies none."""
    comp = late_shipment("JD", Y("10000"), policy=policy({"COMP-JD.rate": "5%"}))
    assert comp.amount == Y("500.00") and comp.note == "10000.00×5%=500.00"
    assert late_shipment("PDD", Y("10"), policy=policy({"COMP-PDD.rate": "5%"})).amount == Y("0.50")


def test_an_unknown_platform_is_refused():
    with pytest.raises(ValueError):
        late_shipment("XX", Y("10"))


# --- COMP-PROM: the shop's own promise --------------------------------------------------------

def test_taobao_promise_above_the_rule_wins_and_its_own_cap_applies():
    """COMP-PROM (§1.A, P3 第十五条 就高): §5 example 8, then the promise's cap 500 at 2,000.00 paid."""
    comp = late_shipment("TB", Y("200"), promise_rate=Y("0.30"), promise_cap=Y("500"))
    assert comp == Compensation(Y("60.00"), "COMP-PROM", note="店铺承诺 200.00×30%=60.00 高于平台 10.00, 就高",
                                mandated=True)
    capped = late_shipment("TB", Y("2000"), promise_rate=Y("0.30"), promise_cap=Y("500"))
    assert capped.amount == Y("500.00") and capped.rule == "COMP-PROM"
    assert capped.note == "店铺承诺 2000.00×30%=600.00; 封顶500.00 高于平台 30.00, 就高"


def test_promise_without_cap_and_promise_equal_to_the_rule():
    """COMP-PROM (§1.A): the higher of the two; equal amounts leave the platform rule standing."""
    uncapped = late_shipment("TB", Y("2000"), promise_rate=Y("0.30"))
    assert uncapped.amount == Y("600.00") and uncapped.rule == "COMP-PROM"
    equal = late_shipment("TB", Y("100"), promise_rate=Y("0.05"))          # 5.00 vs 5.00
    assert equal.rule == "COMP-TB" and equal.amount == Y("5.00") and not equal.findings
    one_fen_more = late_shipment("TB", Y("100"), promise_rate=Y("0.0501"))  # 5.01 vs 5.00
    assert one_fen_more.rule == "COMP-PROM" and one_fen_more.amount == Y("5.01")
    lower = late_shipment("TM", Y("100"), promise_rate=Y("0.10"))          # 10.00 vs Tmall's 30.00
    assert lower.rule == "COMP-TM" and lower.amount == Y("30.00")


def test_tmall_promise_above_the_rule_also_wins():
    """COMP-PROM (§1.A): Taobao's 就高 (P3) covers Tmall too."""
    comp = late_shipment("TM", Y("100"), promise_rate=Y("0.50"))
    assert comp.rule == "COMP-PROM" and comp.amount == Y("50.00")


def test_jd_promise_above_the_rule_keeps_the_rule_amount_and_notes_the_excess():
    """COMP-PROM (§1.A, P4 第四十七条): on JD the platform rule governs; the excess is negotiated."""
    comp = late_shipment("JD", Y("200"), promise_rate=Y("0.30"), promise_cap=Y("500"),
                         policy=policy({"COMP-JD.rate": "10%"}))
    assert (comp.amount, comp.rule) == (Y("20.00"), "COMP-JD")
    assert comp.findings == (Finding("COMP-PROM", "INFO", "店铺承诺金额60.00高于平台规则, 超出部分协商处理",
                                     "shop promise 60.00 exceeds the platform rule; negotiate the excess"),)


# --- COMP-TM merged cap: one buyer's payments inside 24 h share 500 --------------------------

def tm(paid, buyer, at):
    return (buyer, T(at) if at else None, late_shipment("TM", Y(paid)))


def amounts(out):
    return [c.amount for c in out]


def test_merged_cap_splits_in_payment_order_example_6():
    """COMP-TM (§1.A) and §5 example 6: 360 + 270 = 630 → 500.00 in total."""
    out = merge_tmall_cap([tm(1200, "tb_王", "2026-10-01 10:00"), tm(900, "tb_王", "2026-10-01 20:00")])
    assert amounts(out) == [Y("360.00"), Y("140.00")]
    assert out[1].note == ("900.00×30%=270.00; 同一买家2笔24小时内付款合计630.00, 合并封顶500.00, 本单140.00")
    assert out[0].note.endswith("本单360.00")


def test_merged_cap_out_of_order_rows_edge_unsettled_default_consumed_in_payment_order():
    """COMP-TM (§1.A) gives the total (500) only; which payment gets the rest is our default: payment order."""
    out = merge_tmall_cap([tm(900, "tb_王", "2026-10-01 20:00"), tm(1200, "tb_王", "2026-10-01 10:00")])
    assert amounts(out) == [Y("140.00"), Y("360.00")]


def test_merged_cap_two_buyers_share_nothing():
    """COMP-TM (§1.A): the cap is "for the same buyer and seller"."""
    out = merge_tmall_cap([tm(1200, "tb_王", "2026-10-01 10:00"), tm(900, "tb_李", "2026-10-01 11:00"),
                           tm(900, "tb_李", "2026-10-01 12:00")])
    assert amounts(out) == [Y("360.00"), Y("270.00"), Y("230.00")]


def test_merged_cap_rows_without_a_buyer_or_time_edge_unsettled_default_never_merged():
    """COMP-TM (§1.A) merges "the same buyer": a row that names no buyer, or no payment time, is not merged."""
    items = [tm(1200, None, "2026-10-01 10:00"), tm(900, None, "2026-10-01 11:00"),
             tm(1200, "tb_王", None), tm(900, "tb_王", None)]
    assert amounts(merge_tmall_cap(items)) == [Y("360.00"), Y("270.00"), Y("360.00"), Y("270.00")]


@pytest.mark.parametrize("second, merged", [
    ("2026-10-02 09:59:59", True),     # one second inside 24 h
    ("2026-10-02 10:00:00", False),    # exactly 24 h apart
    ("2026-10-02 10:00:01", False),
])
def test_merged_cap_window_exactly_24h_edge_unsettled_default_not_merged(second, merged):
    """COMP-TM (§1.A): "payments inside 24 h merged"; exactly 24 h apart is read as not inside."""
    out = merge_tmall_cap([tm(1200, "tb_王", "2026-10-01 10:00"), tm(900, "tb_王", second)])
    assert amounts(out) == [Y("360.00"), Y("140.00") if merged else Y("270.00")]


def test_merged_cap_window_counts_from_the_first_payment_edge_unsettled():
    """COMP-TM (§1.A) does not say whether a chain 0 h, 20 h, 40 h is one group; ours: within 24 h of the first."""
    out = merge_tmall_cap([tm(1200, "b", "2026-10-01 00:00"), tm(900, "b", "2026-10-01 20:00"),
                           tm(900, "b", "2026-10-02 16:00")])
    assert amounts(out) == [Y("360.00"), Y("140.00"), Y("270.00")]


def test_merged_cap_total_exactly_500_is_untouched_and_one_fen_over_is_capped():
    """COMP-TM (§1.A): capped at 500 in total; 300 + 200 = 500 is at the cap, 300 + 200.01 over it."""
    at_cap = [tm(1000, "b", "2026-10-01 10:00"), tm("666.67", "b", "2026-10-01 11:00")]
    out = merge_tmall_cap(at_cap)
    assert amounts(out) == [Y("300.00"), Y("200.00")]
    assert [c.note for c in out] == [c.note for _, _, c in at_cap]       # nothing said: not capped
    over = merge_tmall_cap([tm(1000, "b", "2026-10-01 10:00"), tm("666.70", "b", "2026-10-01 11:00")])
    assert amounts(over) == [Y("300.00"), Y("200.00")]
    assert "合计500.01, 合并封顶500.00, 本单200.00" in over[1].note


def test_merged_cap_third_payment_gets_nothing_once_the_cap_is_used():
    """COMP-TM (§1.A): three payments inside 24 h share one 500."""
    out = merge_tmall_cap([tm(1200, "b", "2026-10-01 10:00"), tm(900, "b", "2026-10-01 12:00"),
                           tm(300, "b", "2026-10-01 14:00")])
    assert amounts(out) == [Y("360.00"), Y("140.00"), Y("0.00")]
    assert "同一买家3笔" in out[2].note


def test_merged_cap_a_single_order_keeps_its_own_cap_note():
    """COMP-TM (§1.A): one order above the cap is capped by late_shipment itself, not merged."""
    single = tm(2000, "b", "2026-10-01 10:00")
    out = merge_tmall_cap([single])
    assert out == [single[2]] and out[0].amount == Y("500.00")


def test_merged_cap_only_counts_tmall_rule_amounts():
    """COMP-TM (§1.A): a COMP-PROM amount (the shop's promise) or a row without an amount is not merged."""
    promise = late_shipment("TM", Y("1200"), promise_rate=Y("0.40"))        # 480 COMP-PROM
    none = Compensation(None, "COMP-TM")
    items = [("b", T("2026-10-01 10:00"), promise), ("b", T("2026-10-01 11:00"), none),
             tm(900, "b", "2026-10-01 12:00")]
    assert amounts(merge_tmall_cap(items)) == [Y("480.00"), None, Y("270.00")]


def test_merged_cap_follows_the_policy_window_and_cap():
    """COMP-TM (§1.A) numbers are settings: a 48 h window and a 400 cap."""
    p = policy({"COMP-TM.merge_hours": 48, "COMP-TM.cap": 400})
    items = [("b", T("2026-10-01 10:00"), late_shipment("TM", Y("1000"), policy=p)),
             ("b", T("2026-10-03 09:00"), late_shipment("TM", Y("1000"), policy=p))]
    assert amounts(merge_tmall_cap(items, p)) == [Y("300.00"), Y("100.00")]


# --- JD-COMP-1: 10 %, cap 200 ------------------------------------------------------------------

@pytest.mark.parametrize("paid, amount, capped", [("1999.90", "199.99", False), ("2000.00", "200.00", False),
                                                  ("2000.10", "200.00", True), ("680", "68.00", False)])
def test_jd_misdescription_cap_edges(paid, amount, capped):
    """JD-COMP-1 (§1.A, P5 第十一条): 10 % of the paid amount, cap 200; §5 example 11."""
    comp = jd_misdescription(Y(paid))
    assert (comp.amount, comp.rule, comp.mandated) == (Y(amount), "JD-COMP-1", True)
    assert comp.note.endswith("; 商家承担来回运费") and ("封顶200.00" in comp.note) is capped


# --- JD-COMP-2: missing gift -----------------------------------------------------------------

@pytest.mark.parametrize("gift, amount", [("119.69", "119.69"), ("119.70", "119.70"), ("119.71", "119.70"),
                                          ("199", "119.70")])
def test_jd_missing_gift_with_sku_capped_at_30_percent(gift, amount):
    """JD-COMP-2 (§1.A, P5 第二十四条): the gift's price, capped at 30 % of the main item; §5 example 12."""
    comp = jd_missing_gift(Y("399"), Y(gift), True)
    assert (comp.amount, comp.rule, comp.mandated) == (Y(amount), "JD-COMP-2", True)
    assert comp.note == f"赠品价{Y(gift):.2f}与主商品30%=119.70取较小者"


@pytest.mark.parametrize("main, amount", [("100", "5.00"), ("10.02", "5.00"), ("10.00", "5.00"),
                                          ("9.98", "4.99")])
def test_jd_missing_gift_without_sku_is_500_beans_capped_at_half_the_item(main, amount):
    """JD-COMP-2 (§1.A): no SKU and no declared value: ≥500 京豆 (= 5.00 元), capped at 50 % of the main item."""
    comp = jd_missing_gift(Y(main), None, False)
    assert (comp.amount, comp.rule, comp.mandated) == (Y(amount), "JD-COMP-2", True)
    assert comp.note == f"≥500京豆(折5.00元), 封顶主商品50%={Y(main) / 2:.2f}"


def test_jd_missing_gift_beans_follow_the_policy():
    """JD-COMP-2 (§1.A): 100 京豆 = 1 元; 800 京豆 → 8.00."""
    assert jd_missing_gift(Y("100"), None, None, policy({"JD-COMP-2.beans": 800})).amount == Y("8.00")


def test_jd_missing_gift_sku_flag_blank_edge_unsettled_default_price_means_sku():
    """JD-COMP-2 (§1.A) splits on "has a SKU"; with the flag blank a typed gift price is read as the SKU case,
    no price as the 京豆 case."""
    assert jd_missing_gift(Y("399"), Y("50"), None).amount == Y("50.00")
    assert jd_missing_gift(Y("399"), None, None).amount == Y("5.00")
    assert jd_missing_gift(Y("399"), Y("50"), False).amount == Y("5.00")   # no SKU: the beans, whatever the price
    with pytest.raises(MissingInput) as info:
        jd_missing_gift(Y("399"), None, True)
    assert info.value.field == "gift_price" and str(info.value) == "gift_price"


# --- JD-PP: price protection -------------------------------------------------------------------

def pp_case(drop_at, **kw):
    kw.setdefault("signed_at", T("2026-09-30 12:00"))
    return Case(platform="JD", reason="price_protection", ordered_at=T("2026-09-28 10:00"),
                price_drop=Y("400"), price_drop_at=T(drop_at), **kw)


@pytest.mark.parametrize("drop_at, eligible", [("2026-10-30 23:59:59", True), ("2026-10-31 00:00:00", False)])
def test_jd_pp_signing_window_ends_at_24_00_of_day_30(drop_at, eligible):
    """JD-PP (§1.C) default S0: "签收后30天内"; §0: the day after signing is day 1, the period ends at 24:00."""
    comp = jd_price_protection(pp_case(drop_at))
    assert (comp.amount, comp.rule, comp.mandated) == (Y("400.00") if eligible else Y("0.00"), "JD-PP", True)
    if eligible:
        assert comp.note == "签收后30天截至2026-10-30 24:00, 退差价400.00(已付款订单返京东账户)"
    else:
        assert comp.note == "签收后30天截至2026-10-30 24:00, 降价在期外, 不可价保"


@pytest.mark.parametrize("drop_at, eligible", [("2026-10-28 09:59:59", True), ("2026-10-28 10:00:00", False)])
def test_jd_pp_product_page_window_exactly_720h_edge_unsettled_default_end_excluded(drop_at, eligible):
    """JD-PP (§1.C, P10): POP 30 days "from order submission" = 720 h; a drop at exactly 720 h is out (our reading)."""
    comp = jd_price_protection(pp_case(drop_at, pp_days=30))
    assert comp.amount == (Y("400.00") if eligible else Y("0.00"))
    assert comp.note.startswith("商品页30天价保(下单起720小时)截至2026-10-28 10:00")


def test_jd_pp_readings_that_disagree_are_flagged_both_ways():
    """JD-PP (§1.C) ⚠ and §5 example 13: S0 eligible, POP 720 h not; and the reverse."""
    comp = jd_price_protection(pp_case("2026-10-29 09:00"))
    assert comp.findings == (Finding("JD-PP", "WARN", "口径不一致: 按第三方店铺30天价保(下单起720小时)(截至2026-10-28 10:00)不可价保",
                                     "readings disagree: under 第三方店铺30天价保(下单起720小时) the buyer is not eligible"),)
    reverse = jd_price_protection(pp_case("2026-10-20 09:00", pp_days=7))        # page 7 days: not eligible
    assert reverse.amount == Y("0.00")
    assert reverse.findings == (Finding("JD-PP", "WARN", "口径不一致: 按签收后30天(截至2026-10-30 24:00)可价保",
                                        "readings disagree: under 签收后30天 the buyer is eligible"),)
    agree = jd_price_protection(pp_case("2026-10-20 09:00"))
    assert agree.findings == ()


def test_jd_pp_not_signed_is_still_eligible_and_order_basis_needs_the_order_time():
    """JD-PP (§1.C) S0: "订单还没有签收或者签收后30天内"."""
    comp = jd_price_protection(pp_case("2026-12-31 09:00", signed_at=None))
    assert comp.amount == Y("400.00") and comp.note.startswith("未签收, 可价保")
    with pytest.raises(MissingInput) as info:
        jd_pp_window(Case(platform="JD", signed_at=T("2026-09-30 12:00"), pp_days=30))
    assert info.value.field == "ordered_at"


def test_jd_pp_order_basis_from_the_policy():
    """JD-PP (§1.C): the basis is a setting; "order" counts the policy's days in hours from the order."""
    w = jd_pp_window(pp_case("2026-10-01 00:00"), policy({"JD-PP.basis": "order", "JD-PP.days": 7}))
    assert (w.basis, w.end, w.label) == ("order", T("2026-10-05 10:00"), "第三方店铺7天价保(下单起168小时)")
    assert (w.other_end, w.other_label) == (T("2026-10-08 00:00"), "签收后7天")
    s = jd_pp_window(pp_case("2026-10-01 00:00"))
    assert (s.basis, s.end, s.other_end, s.other_label) == ("signing", T("2026-10-31 00:00"), T("2026-10-28 10:00"),
                                                            "第三方店铺30天价保(下单起720小时)")


def test_jd_pp_needs_the_drop_and_its_time():
    with pytest.raises(MissingInput) as a:
        jd_price_protection(Case(platform="JD", price_drop_at=T("2026-10-01 00:00")))
    with pytest.raises(MissingInput) as b:
        jd_price_protection(Case(platform="JD", price_drop=Y("1")))
    assert (a.value.field, b.value.field) == ("price_drop", "price_drop_at")


# --- LAD-2: the agent's own authority 5-30 ----------------------------------------------------

@pytest.mark.parametrize("amount, approval, warn", [
    ("4.99", False, True), ("5.00", False, False), ("5.01", False, False),
    ("29.99", False, False), ("30.00", False, False), ("30.01", True, True),
    ("29.995", False, False),    # rounds to 30.00 first: within authority
    ("30.005", True, True),      # rounds to 30.01: over
    ("4.995", False, False),     # rounds to 5.00
])
def test_ladder_band_edges_5_and_30(amount, approval, warn):
    """LAD-2 (§1.A): 5-30 on the agent's authority; >30 needs 店长 approval; <5 warns (§5 example 9)."""
    comp = ladder(Y(amount))
    assert comp.amount == Decimal(amount).quantize(Y("0.01"), rounding="ROUND_HALF_UP")
    assert comp.approval is approval and comp.rule == "LAD-2"
    assert bool(comp.findings) is warn
    if approval:
        assert comp.note == "超过30.00元, 需店长审批"
        assert comp.findings == (Finding("LAD-2", "WARN", "需店长审批", "needs the shop manager's approval"),)
    elif warn:
        assert comp.note == "低于5元, 建议改用优惠券"
        assert comp.findings == (Finding("LAD-2", "WARN", "低于5.00元, 建议用优惠券",
                                         "below the minimum: use the coupon step instead"),)
    else:
        assert comp.note == "客服权限内(5-30元)"


def test_ladder_names_the_rule_it_is_asked_for():
    assert ladder(Y("10"), rule="COMP-REF").rule == "COMP-REF"
    assert ladder(Y("7.5"), policy({"LAD-2.min": "7.50"})).note == "客服权限内(7.5-30元)"


# --- per case: proposals, overrides, retention ------------------------------------------------

def test_a_proposal_that_differs_from_a_mandated_amount_gets_an_info():
    """LAD-2 (§1.A): platform-mandated amounts are not capped by the ladder; the rule wins over a proposal."""
    comp = compensation_for(Case(platform="TB", reason="late_shipment", paid=Y("89"), proposed=Y("10")))
    assert comp.amount == Y("5.00") and comp.findings == (Finding(
        "LAD-2", "INFO", "客服拟赔10.00与平台规则金额不同, 以规则为准, 需要多赔请填手工金额",
        "the proposed amount differs from the platform rule; the rule wins unless an override is typed"),)
    same = compensation_for(Case(platform="TB", reason="late_shipment", paid=Y("89"), proposed=Y("5.00")))
    assert same.findings == ()


@pytest.mark.parametrize("override, approval", [("360.00", False), ("360.01", True)])
def test_override_up_to_a_mandated_amount_needs_no_manager(override, approval):
    """LAD-2 (§1.A): COMP-* amounts are owed (no approval); a typed amount above them is discretionary (>30)."""
    comp = compensation_for(Case(platform="TM", reason="late_shipment", paid=Y("1200"), override=Y(override)))
    assert (comp.amount, comp.rule, comp.computed, comp.computed_rule, comp.approval) == (
        Y(override), "MANUAL", Y("360.00"), "COMP-TM", approval)
    assert comp.note == f"手工金额{override}优先(规则计算: 360.00)" + ("; 超过客服权限, 需店长审批" if approval else "")


@pytest.mark.parametrize("override, approval", [("30.00", False), ("30.01", True)])
def test_override_of_a_discretionary_amount_follows_the_30_yuan_line(override, approval):
    """LAD-2 (§1.A): >30 needs 店长 approval."""
    comp = compensation_for(Case(platform="TB", reason="goodwill", proposed=Y("10"), override=Y(override)))
    assert comp.approval is approval and comp.computed == Y("10.00") and comp.computed_rule == "LAD-2"


def test_rule_amounts_per_reason():
    """§1.A routes: JD 不当发布 (JD-COMP-1), JD 赠品 (JD-COMP-2), price drops off JD and gifts off JD (COMP-REF)."""
    assert compensation_for(Case(platform="JD", reason="misdescription", paid=Y("680"))).amount == Y("68.00")
    assert compensation_for(Case(platform="JD", reason="missing_gift", paid=Y("399"), gift_price=Y("199"),
                                 gift_has_sku=True)).amount == Y("119.70")
    drop = compensation_for(Case(platform="TB", reason="price_protection", price_drop=Y("35")))
    assert (drop.rule, drop.approval) == ("COMP-REF", True) and drop.note.startswith("退差价/优惠券/赠品; 超过30.00元")
    gift = compensation_for(Case(platform="TB", reason="missing_gift", gift_price=Y("8")))
    assert (gift.rule, gift.amount) == ("COMP-REF", Y("8.00")) and gift.note.startswith("补发赠品或按赠品价补偿; ")
    jd_drop = compensation_for(pp_case("2026-10-20 00:00"))
    assert (jd_drop.rule, jd_drop.amount) == ("JD-PP", Y("400.00"))
    hint = compensation_for(Case(platform="TB", reason="quality"))
    assert (hint.amount, hint.rule, hint.note) == (None, "-", "参考: 补发+10元无门槛券, 或全额退款")
    assert compensation_for(Case(platform="TB", reason="other")).note == ""
    with pytest.raises(MissingInput) as info:
        compensation_for(Case(platform="JD", reason="misdescription"))
    assert info.value.field == "paid"


def test_a_typed_amount_stands_where_the_rule_has_no_input():
    comp = compensation_for(Case(platform="TM", reason="late_shipment", override=Y("20")))
    assert (comp.amount, comp.rule, comp.computed, comp.computed_rule) == (Y("20.00"), "MANUAL", None, "-")


@pytest.mark.parametrize("action, category, refused", [
    ("挽留-拒绝", "家居", True), ("不同意退货", None, True), ("挽留-同意", "家居", False),
    ("挽留-拒绝", "定制家具", False), ("挽留-拒绝", "生鲜水果", False), (None, None, False), ("", None, False),
])
def test_retention_may_not_refuse_a_valid_7_day_return(action, category, refused):
    """LAD-3 (§1.A) and R7-1's exclusions (custom-made, fresh ...); §5 example 10."""
    case = Case(platform="TB", reason="no_reason_return", action=action, category=category)
    finding = retention_check(case)
    if refused:
        assert finding == Finding("LAD-3", "ERROR", "七天无理由退货不能拒绝, 可以挽留但必须同意退货",
                                  "a valid 7-day no-reason return cannot be refused; offer retention but accept the return")
        assert finding in compensation_for(case).findings
    else:
        assert finding is None
    assert retention_check(Case(platform="TB", reason="quality", action="拒绝")) is None


def test_each_route_uses_the_workbooks_own_numbers():
    """Every §1.A number is a 规则 sheet setting: each route of compensation_for must read the given policy."""
    p = policy({"LAD-2.approval_above": 50, "JD-COMP-1.cap": 100, "JD-COMP-2.beans": 800, "JD-PP.basis": "order"})
    assert compensation_for(Case(platform="TB", reason="goodwill", proposed=Y("40")), p).approval is False
    assert compensation_for(Case(platform="TB", reason="price_protection", price_drop=Y("40")), p).approval is False
    assert compensation_for(Case(platform="TB", reason="missing_gift", gift_price=Y("40")), p).approval is False
    assert compensation_for(Case(platform="JD", reason="misdescription", paid=Y("2000")), p).amount == Y("100.00")
    gift = Case(platform="JD", reason="missing_gift", paid=Y("100"), gift_has_sku=False, gift_price=Y("50"))
    assert compensation_for(gift, p).amount == Y("8.00")             # no SKU: the beans, not the typed price
    assert compensation_for(pp_case("2026-10-29 09:00"), p).amount == Y("0.00")   # 720 h from the order
    promise = Case(platform="TB", reason="late_shipment", paid=Y("2000"), promise_rate=Y("0.30"), promise_cap=Y("500"))
    assert compensation_for(promise).amount == Y("500.00")


def test_each_route_names_the_missing_input():
    for case, field in [(Case(platform="TB", reason="late_shipment"), "paid"),
                        (Case(platform="JD", reason="missing_gift"), "paid"),
                        (Case(platform="TB", reason="price_protection"), "price_drop")]:
        with pytest.raises(MissingInput) as info:
            compensation_for(case)
        assert info.value.field == field


def test_a_gift_price_on_another_reason_is_not_a_gift_claim():
    comp = compensation_for(Case(platform="TB", reason="quality", gift_price=Y("8")))
    assert (comp.amount, comp.rule) == (None, "-")


def test_jd_gift_caps_round_to_the_fen_before_comparing():
    """JD-COMP-2 (§1.A) with §0's ROUND(x,2): 30 % of 399.99 = 119.997 → 120.00; 50 % of 9.99 = 4.995 → 5.00."""
    assert jd_missing_gift(Y("399.99"), Y("199"), True).amount == Y("120.00")
    assert jd_missing_gift(Y("9.99"), None, False).amount == Y("5.00")


def test_jd_pp_readings_disagree_exactly_at_the_other_end():
    """JD-PP (§1.C): a drop exactly at 720 h is out under POP (our reading) while S0 still pays: flagged."""
    comp = jd_price_protection(pp_case("2026-10-28 10:00"))
    assert comp.amount == Y("400.00") and [f.rule for f in comp.findings] == ["JD-PP"]
    w = jd_pp_window(pp_case("2026-10-01 00:00"), policy({"JD-PP.basis": "order"}))
    assert jd_price_protection(pp_case("2026-10-29 09:00"), policy({"JD-PP.basis": "order"})).amount == Y("0.00")
    assert w.basis == "order"


def test_an_unknown_platform_is_named():
    with pytest.raises(ValueError, match="^XX$"):
        late_shipment("XX", Y("10"))


# --- 店长审批: the manager's decision ends 需店长审批 (workbook feature on top of LAD-2) --------------------

def test_manager_decision_approves_or_rejects_a_pending_amount():
    """LAD-2 (§1.A): >30 needs 店长 approval; once decided the row no longer waits."""
    from addin.core.compensation import APPROVED, MANAGER_REJECTED, NEEDS_APPROVAL, REJECTED, manager_decision

    pending = ladder(Y("35"))
    assert pending.findings == (NEEDS_APPROVAL,)
    ok = manager_decision(pending, APPROVED)
    assert (ok.amount, ok.approval, ok.note, ok.findings) == (Y("35.00"), False, "超过30.00元, 店长已批", ())
    no = manager_decision(pending, REJECTED)
    assert (no.approval, no.note, no.findings) == (False, "超过30.00元, 店长已驳回", (MANAGER_REJECTED,))
    assert MANAGER_REJECTED == Finding("LAD-2", "WARN", "店长已驳回", "the shop manager rejected this amount")
    within = ladder(Y("20"))
    assert manager_decision(within, APPROVED) == within                  # nothing was pending
    rejected_within = manager_decision(within, REJECTED)
    assert (rejected_within.note, rejected_within.findings) == ("客服权限内(5-30元)", (MANAGER_REJECTED,))
    assert manager_decision(pending, None) == pending
    low = manager_decision(ladder(Y("3")), REJECTED)                  # the coupon warning stays
    assert [f.zh for f in low.findings] == ["低于5.00元, 建议用优惠券", "店长已驳回"]
    assert manager_decision(Compensation(None, "-", approval=True), REJECTED).findings == ()
    case = Case(platform="TB", reason="goodwill", proposed=Y("35"), manager_approval=APPROVED)
    assert compensation_for(case).approval is False and compensation_for(case).note == "超过30.00元, 店长已批"
