"""Compensation owed per case (rules.md §1.A and JD-PP), with the rule that fired and the approval flag.

Order of operations (§0): percentage -> ROUND(x, 2) -> minimum -> cap. Platform-mandated amounts
(COMP-*, JD-COMP-*, JD-PP) are owed and so never wait for a manager; the LAD-2 ladder governs the
discretionary amounts an agent proposes or types by hand.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache
from decimal import Decimal

from .case import NO_REASON_EXCLUDED, PLATFORM_ZH, Case
from .findings import Finding
from .money import ZERO, excel_round, fmt_yuan, yuan
from .policy import DEFAULT_POLICY, PARAMS_BY_ID, Policy
from .timeparts import end_of_day_after, fmt_instant


@dataclass(frozen=True)
class Compensation:
    amount: Decimal | None          # None: nothing computable (no rule applies, or inputs missing)
    rule: str                       # rule id(s) that produced the amount, e.g. "COMP-TM" or "COMP-PROM"
    approval: bool = False          # LAD-2: a manager (店长) must approve
    note: str = ""                  # how the amount was reached, for the staff
    findings: tuple[Finding, ...] = ()
    computed: Decimal | None = None  # the rule's own amount when a manual override replaced it
    computed_rule: str | None = None  # ... and the rule that gave it (MANUAL rows cite it in 规则编号)
    mandated: bool = False           # owed under a platform rule (not capped by the ladder)


# --- late shipment --------------------------------------------------------------------------

def _percent_min_cap(paid: Decimal, rate: Decimal, minimum: Decimal | None, cap: Decimal | None):
    raw = excel_round(paid * rate, 2)
    steps = [f"{fmt_yuan(paid)}×{_percent(rate)}%={fmt_yuan(raw)}"]
    amount = raw
    if minimum is not None and amount < minimum:
        amount = yuan(minimum)
        steps.append(f"低于最低{fmt_yuan(minimum)}→{fmt_yuan(amount)}")
    if cap is not None and amount > cap:
        amount = yuan(cap)
        steps.append(f"封顶{fmt_yuan(cap)}")
    return amount, "; ".join(steps)


@lru_cache(maxsize=10_000)               # a policy's few rates, and staff's own promise rates: bounded
def _percent(rate: Decimal) -> str:
    """0.3 -> '30': a rate as the note shows it."""
    return f"{(rate * 100).normalize():f}"


# No public source for 抖店's late-shipment compensation: not guessed; a 提示 (not an error) says so.
DY_LATE_SHIPMENT = Compensation(None, "COMP-DY", note="抖店延迟发货赔付无公开依据, 未计算", findings=(Finding(
    "COMP-DY", "WARN", "抖店延迟发货赔付规则无公开来源, 未计算, 请按抖店后台的赔付处理",
    "no public source for Douyin's late-shipment compensation: not computed, follow the 抖店 back office"),))


def late_shipment(platform: str, paid: Decimal, *, special_category: bool = False,
                  promise_rate: Decimal | None = None, promise_cap: Decimal | None = None,
                  policy: Policy = DEFAULT_POLICY) -> Compensation:
    """COMP-TB / COMP-TM / configured JD and PDD rates, then the shop's own promise (COMP-PROM)."""
    if platform == "TM":
        rule = "COMP-TM"
        amount, note = _percent_min_cap(paid, policy["COMP-TM.rate"], policy["COMP-TM.min"], policy["COMP-TM.cap"])
    elif platform == "TB":
        rule = "COMP-TB"
        minimum = policy["COMP-TB.min_special"] if special_category else policy["COMP-TB.min"]
        amount, note = _percent_min_cap(paid, policy["COMP-TB.rate"], minimum, policy["COMP-TB.cap"])
    elif platform in ("JD", "PDD"):
        rule = f"COMP-{platform}"
        rate = policy[f"{rule}.rate"]
        if rate is None:
            return Compensation(None, "COMP-DEF", findings=(Finding(
                "COMP-DEF", "ERROR",
                f"{PLATFORM_ZH[platform]}延迟发货赔付比例未配置, 请在「规则」表「{PARAMS_BY_ID[rule + '.rate'].zh}」一行填写",
                f"{platform} late-shipment rate is not configured; set {rule}.rate on the 规则 sheet"),))
        amount, note = _percent_min_cap(paid, rate, policy[f"{rule}.min"], policy[f"{rule}.cap"])
    elif platform == "DY":
        return DY_LATE_SHIPMENT
    else:
        raise ValueError(platform)

    findings: list[Finding] = []
    if promise_rate is not None:
        promised, pnote = _percent_min_cap(paid, promise_rate, None, promise_cap)
        if promised > amount:
            if platform in ("TB", "TM"):
                # 就高原则 (P3 第十五条): the buyer gets the higher of rule and promise.
                return Compensation(promised, "COMP-PROM", note=f"店铺承诺 {pnote} 高于平台 {fmt_yuan(amount)}, 就高",
                                    mandated=True)
            findings.append(Finding("COMP-PROM", "INFO",
                                    f"店铺承诺金额{fmt_yuan(promised)}高于平台规则, 超出部分协商处理",
                                    f"shop promise {fmt_yuan(promised)} exceeds the platform rule; negotiate the excess"))
    return Compensation(amount, rule, note=note, findings=tuple(findings), mandated=True)


def merge_tmall_cap(items: list[tuple[str, dt.datetime | None, Compensation]],
                    policy: Policy = DEFAULT_POLICY) -> list[Compensation]:
    """COMP-TM cap across one buyer's payments less than 24 h apart.

    `items` are (buyer, paid_at, compensation) for Tmall late-shipment rows, in sheet order. Payments
    of one buyer are grouped when each falls within `merge_hours` of the group's first payment; the
    group shares one cap, consumed in payment order.
    """
    cap = yuan(policy["COMP-TM.cap"])
    window = dt.timedelta(hours=policy["COMP-TM.merge_hours"])
    out = [c for _, _, c in items]
    by_buyer: dict[str, list[int]] = {}
    for i, (buyer, paid_at, comp) in enumerate(items):
        if buyer and paid_at and comp.amount is not None and comp.rule == "COMP-TM":
            by_buyer.setdefault(buyer, []).append(i)
    for indexes in by_buyer.values():
        indexes.sort(key=lambda i: (items[i][1], i))
        group: list[int] = []
        for i in indexes + [None]:
            if i is not None and group and items[i][1] - items[group[0]][1] < window:
                group.append(i)
                continue
            if len(group) > 1:
                remaining = cap
                total = sum(out[j].amount for j in group)
                for j in group:
                    share = min(out[j].amount, remaining)
                    remaining -= share
                    if total > cap:
                        out[j] = replace(out[j], amount=share, note=out[j].note + (
                            f"; 同一买家{len(group)}笔24小时内付款合计{fmt_yuan(total)}, 合并封顶{fmt_yuan(cap)}, 本单{fmt_yuan(share)}"))
            group = [i] if i is not None else []
    return out


# --- JD rules ---------------------------------------------------------------------------------

def jd_misdescription(paid: Decimal, policy: Policy = DEFAULT_POLICY) -> Compensation:
    amount, note = _percent_min_cap(paid, policy["JD-COMP-1.rate"], None, policy["JD-COMP-1.cap"])
    return Compensation(amount, "JD-COMP-1", note=note + "; 商家承担来回运费", mandated=True)


def jd_missing_gift(main_paid: Decimal, gift_price: Decimal | None, has_sku: bool | None,
                    policy: Policy = DEFAULT_POLICY) -> Compensation:
    if has_sku or (has_sku is None and gift_price is not None):
        gift_price = _need(gift_price, "gift_price")
        cap = excel_round(main_paid * policy["JD-COMP-2.sku_cap_ratio"], 2)
        amount = min(yuan(gift_price), cap)
        return Compensation(amount, "JD-COMP-2", note=f"赠品价{fmt_yuan(gift_price)}与主商品30%={fmt_yuan(cap)}取较小者",
                            mandated=True)
    # No SKU and no declared value: at least N 京豆 (100 京豆 = 1 元), capped at 50% of the main item.
    beans_yuan = Decimal(policy["JD-COMP-2.beans"]) / 100
    cap = excel_round(main_paid * policy["JD-COMP-2.beans_cap_ratio"], 2)
    amount = min(yuan(beans_yuan), cap)
    return Compensation(amount, "JD-COMP-2", note=f"≥{policy['JD-COMP-2.beans']}京豆(折{fmt_yuan(beans_yuan)}元), "
                                                  f"封顶主商品50%={fmt_yuan(cap)}", mandated=True)


@dataclass(frozen=True)
class PriceProtectionWindow:
    basis: str                      # order | signing
    end: dt.datetime | None         # None: counted from signing and not signed yet (still eligible)
    label: str
    other_end: dt.datetime | None   # the other reading, shown when it disagrees
    other_label: str


def jd_pp_window(case: Case, policy: Policy = DEFAULT_POLICY) -> PriceProtectionWindow:
    """JD-PP: default = the product page's period (POP, hours from order), else S0's 30 days after signing."""

    def pop_end(days):
        return case.ordered_at + dt.timedelta(hours=24 * days) if case.ordered_at else None

    def signing_end(days):
        return end_of_day_after(case.signed_at.date(), days) if case.signed_at else None

    days = policy["JD-PP.days"]
    pop_label = "商品页{0}天价保(下单起{1}小时)" if case.pp_days is not None else "第三方店铺{0}天价保(下单起{1}小时)"
    if case.pp_days is not None or policy["JD-PP.basis"] == "order":
        pop_days = case.pp_days if case.pp_days is not None else days
        window = PriceProtectionWindow("order", pop_end(pop_days), pop_label.format(pop_days, pop_days * 24),
                                       signing_end(days), f"签收后{days}天")
        if window.end is None:
            raise MissingInput("ordered_at")
        return window
    return PriceProtectionWindow("signing", signing_end(days), f"签收后{days}天",
                                 pop_end(days), pop_label.format(days, days * 24))


def jd_price_protection(case: Case, policy: Policy = DEFAULT_POLICY) -> Compensation:
    drop, drop_at = _need(case.price_drop, "price_drop"), _need(case.price_drop_at, "price_drop_at")
    w = jd_pp_window(case, policy)
    end, label, other_end, other_label = w.end, w.label, w.other_end, w.other_label
    if end is None:
        eligible, why = True, "未签收, 可价保"
    else:
        eligible = drop_at < end
        why = f"{label}截至{fmt_instant(end)}"
    findings = []
    if other_end is not None and (drop_at < other_end) != eligible:
        findings.append(Finding("JD-PP", "WARN",
                                f"口径不一致: 按{other_label}(截至{fmt_instant(other_end)}){'可' if not eligible else '不可'}价保",
                                f"readings disagree: under {other_label} the buyer is {'' if not eligible else 'not '}eligible"))
    if not eligible:
        return Compensation(yuan(ZERO), "JD-PP", note=f"{why}, 降价在期外, 不可价保", findings=tuple(findings), mandated=True)
    return Compensation(yuan(drop), "JD-PP", note=f"{why}, 退差价{fmt_yuan(drop)}(已付款订单返京东账户)",
                        findings=tuple(findings), mandated=True)


# --- the agent's discretion (LAD-2) and retention (LAD-3) --------------------------------------

NEEDS_APPROVAL = Finding("LAD-2", "WARN", "需店长审批", "needs the shop manager's approval")
MANAGER_REJECTED = Finding("LAD-2", "WARN", "店长已驳回", "the shop manager rejected this amount")
APPROVED, REJECTED = "approved", "rejected"     # Case.manager_approval (店长审批: 已批 / 驳回)


def manager_decision(comp: Compensation, decision: str | None) -> Compensation:
    """店长审批 ends 需店长审批: 已批 -> the amount stands, approved; 驳回 -> no longer pending, and the row
    says 店长已驳回 in 提示. Nothing changes without a decision or an amount."""
    if decision is None or comp.amount is None or (decision == APPROVED and not comp.approval):
        return comp
    word = "店长已批" if decision == APPROVED else "店长已驳回"
    findings = tuple(f for f in comp.findings if f != NEEDS_APPROVAL)
    if decision == REJECTED:
        findings += (MANAGER_REJECTED,)
    note = comp.note.replace("需店长审批", word) if "需店长审批" in comp.note else comp.note
    return replace(comp, approval=False, note=note, findings=findings)


def ladder(amount: Decimal, policy: Policy = DEFAULT_POLICY, rule: str = "LAD-2") -> Compensation:
    """LAD-2: 5-30 on the agent's authority, above 30 needs the shop manager, below 5 -> use a coupon."""
    amount = yuan(amount)
    if amount > policy["LAD-2.approval_above"]:
        return Compensation(amount, rule, approval=True,
                            note=f"超过{fmt_yuan(policy['LAD-2.approval_above'])}元, 需店长审批",
                            findings=(NEEDS_APPROVAL,))
    if amount < policy["LAD-2.min"]:
        return Compensation(amount, rule, note=f"低于{_plain(policy['LAD-2.min'])}元, 建议改用优惠券",
                            findings=(Finding("LAD-2", "WARN", f"低于{fmt_yuan(policy['LAD-2.min'])}元, 建议用优惠券",
                                              "below the minimum: use the coupon step instead"),))
    return Compensation(amount, rule,
                        note=f"客服权限内({_plain(policy['LAD-2.min'])}-{_plain(policy['LAD-2.approval_above'])}元)")


def _plain(amount: Decimal) -> str:
    """5 -> '5', 7.50 -> '7.5': a threshold as it reads in a sentence."""
    return f"{Decimal(amount).normalize():f}"


def retention_check(case: Case) -> Finding | None:
    """LAD-3: a retention offer is fine, refusing a valid 7-day return is not (P1 第三十一条)."""
    if case.reason != "no_reason_return" or not case.action:
        return None
    if "拒绝" not in case.action and "不同意" not in case.action:
        return None
    category = case.category or ""
    if any(word in category for word in NO_REASON_EXCLUDED):
        return None
    return Finding("LAD-3", "ERROR", "七天无理由退货不能拒绝, 可以挽留但必须同意退货",
                   "a valid 7-day no-reason return cannot be refused; offer retention but accept the return")


# --- per case --------------------------------------------------------------------------------

def compensation_for(case: Case, policy: Policy = DEFAULT_POLICY) -> Compensation:
    """The amount owed for one case. Needs case.reason; raises MissingInput naming the missing input,
    unless staff typed the amount by hand (赔偿金额(手工)): their amount wins even when the rule cannot
    be computed."""
    try:
        comp = _rule_amount(case, policy)
    except MissingInput:
        if case.override is None:
            raise
        comp = Compensation(None, "-")

    if comp.mandated and case.proposed is not None and comp.amount is not None and case.proposed != comp.amount:
        comp = replace(comp, findings=comp.findings + (Finding(
            "LAD-2", "INFO", f"客服拟赔{fmt_yuan(case.proposed)}与平台规则金额不同, 以规则为准, 需要多赔请填手工金额",
            "the proposed amount differs from the platform rule; the rule wins unless an override is typed"),))

    retention = retention_check(case)
    if retention:
        comp = replace(comp, findings=comp.findings + (retention,))

    if case.override is not None:
        manual = yuan(case.override)
        over_authority = manual > policy["LAD-2.approval_above"] and not (comp.mandated and comp.amount is not None
                                                                           and manual <= comp.amount)
        comp = replace(comp, amount=manual, rule="MANUAL", computed=comp.amount, computed_rule=comp.rule,
                       approval=over_authority,
                       note=f"手工金额{fmt_yuan(manual)}优先(规则计算: "
                            f"{fmt_yuan(comp.amount) if comp.amount is not None else '无'})"
                            + ("; 超过客服权限, 需店长审批" if over_authority else ""))
    return manager_decision(comp, case.manager_approval)


def _rule_amount(case: Case, policy: Policy) -> Compensation:
    """What the rules give for the case's reason and platform, before proposals and overrides."""
    reason, platform = case.reason, case.platform
    if reason == "late_shipment" and platform == "DY":
        comp = DY_LATE_SHIPMENT                 # needs no amount: nothing is computed
    elif reason == "late_shipment":
        comp = late_shipment(platform, _need(case.paid, "paid"), special_category=case.special_category,
                             promise_rate=case.promise_rate, promise_cap=case.promise_cap, policy=policy)
    elif reason == "misdescription" and platform == "JD":
        comp = jd_misdescription(_need(case.paid, "paid"), policy)
    elif reason == "missing_gift" and platform == "JD":
        comp = jd_missing_gift(_need(case.paid, "paid"), case.gift_price, case.gift_has_sku, policy)
    elif reason == "price_protection":
        if platform != "JD":
            comp = ladder(_need(case.price_drop, "price_drop"), policy, rule="COMP-REF")
            comp = replace(comp, note="退差价/优惠券/赠品; " + comp.note)
        else:
            comp = jd_price_protection(case, policy)
    elif reason == "missing_gift" and case.gift_price is not None:
        comp = ladder(case.gift_price, policy, rule="COMP-REF")
        comp = replace(comp, note="补发赠品或按赠品价补偿; " + comp.note)
    elif case.proposed is not None:
        comp = ladder(case.proposed, policy)
    else:
        comp = Compensation(None, "-", note=_SUGGEST.get(reason, ""))
    return comp


# What the seeds suggest where no rule computes an amount (COMP-REF), shown as a hint.
_SUGGEST = {
    "quality": "参考: 补发+10元无门槛券, 或全额退款",
    "transit_damage": "参考: 全额退款, 或补发+5元券",
    "goodwill": "参考: 与想象不符补损5-15元; 不要赠品5-10元",
    "misdescription": "参考: 与想象不符补损5-15元",
    "wrong_item": "补发或退款, 来回运费商家承担",
    "not_delivered": "参考: 核实物流和签收凭证, 属实则致歉并同意退款或补发",   # S0 场景「未收到货/空包」
}


def _need(value, name: str):
    if value is None:
        raise MissingInput(name)
    return value


class MissingInput(ValueError):
    """A rule needs a field the row does not have; the adapter names the cell."""

    def __init__(self, field_name: str):
        super().__init__(field_name)
        self.field = field_name
