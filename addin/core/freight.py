"""Who pays the freight, per leg: outbound (OUT), return (RET), reship (RE). rules.md §2, F1-F15.

The decision table :data:`FREIGHT_RULES` is data: the first row whose conditions all hold decides
the three payers; F4 (shipping insurance) and F13 (return address differs) are overlays applied
after it. Amounts follow from the payers and the postage the row carries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .case import REASONS, Case
from .compensation import MissingInput
from .findings import Finding
from .money import ZERO, fmt_yuan, yuan
from .policy import DEFAULT_POLICY, FREE_DEFAULT, FREE_DEFAULT_NAME, Policy

SELLER, BUYER, INSURER, NONE, AS_PAID = "seller", "buyer", "insurer", "-", "as_paid"
PAYER_ZH = {SELLER: "卖家", BUYER: "买家", INSURER: "运费险", NONE: "-"}


@dataclass(frozen=True)
class FreightRule:
    id: str
    when: dict            # fact -> required value, or a set/tuple of allowed values
    out: str
    ret: str
    re: str
    zh: str
    source: str


_QUALITY_LIKE = ("quality", "misdescription")
FREIGHT_RULES: tuple[FreightRule, ...] = (
    FreightRule("F12", {"agreed_no_freight": True}, SELLER, SELLER, SELLER,
                "平台介入前已协商退货但未约定运费, 商家承担", "P3 第四十九条"),
    FreightRule("F14", {"platform": "JD", "reason": _QUALITY_LIKE}, SELLER, SELLER, SELLER,
                "京东: 描述不符/质量问题, 商家承担全部运费", "P4 第九条; P5 第五、十一、十七条"),
    FreightRule("F14", {"platform": "JD", "merchant_silent": True}, SELLER, SELLER, SELLER,
                "京东: 商家24小时未响应, 商家承担全部运费", "P4 第九条"),
    FreightRule("F11", {"reason": "shipped_after_refund"}, SELLER, SELLER, NONE,
                "申请退款后未经同意仍发货, 买家拒收, 商家承担去程和退回运费", "P3 第二十七、三十一条"),
    FreightRule("F8", {"reason": "wrong_item"}, SELLER, SELLER, SELLER,
                "错发漏发, 商家承担来回运费并补发", "S0; S3; P3 第四十九条"),
    FreightRule("F8", {"reason": "missing_gift"}, SELLER, NONE, SELLER,
                "漏发(赠品), 商家补发并承担运费", "S0; P3 第四十九条"),
    # Not in rules.md's table (our reading, L): S0 has the seller verify the carrier's proof of signing
    # and, if the buyer is right, agree the refund; nothing goes back, so no return leg; the goods never
    # reached the buyer, so the outbound and any reship are the seller's, as with transit damage (F9).
    FreightRule("F16", {"reason": "not_delivered"}, SELLER, NONE, SELLER,
                "未收到货/空包裹, 无退货; 去程和补发运费商家承担", "S0 常见售后场景「未收到货」「无商品(空包)」"),
    FreightRule("F9", {"reason": "transit_damage", "evidence": True}, SELLER, SELLER, SELLER,
                "物流破损(有凭证/当面拒收), 商家承担并向快递索赔", "P3 第十、三十七、八十一条"),
    FreightRule("F10", {"reason": ("transit_damage", "quality"), "evidence": False, "confirmed": True},
                NONE, BUYER, NONE, "确认收货后称破损且无凭证, 举证责任在买家", "P3 第七十六条"),
    FreightRule("F6", {"reason": _QUALITY_LIKE, "evidence": True}, SELLER, SELLER, SELLER,
                "质量问题(有凭证/已核实), 商家承担运输等必要费用", "P2 消法24; P5 第十七条"),
    FreightRule("F7", {"reason": _QUALITY_LIKE + ("transit_damage",), "evidence": False}, SELLER, BUYER, NONE,
                "称质量问题但无凭证且可二次销售, 退货运费买家承担(有运费险引导使用)", "S0; P3 第七、六十五条"),
    FreightRule("F15", {"reason": "carrier_not_used", "free_shipping": False}, SELLER, NONE, NONE,
                "未使用约定快递, 买家可要求退还邮费", "P3 第二十九条"),
    FreightRule("F3", {"reason": "no_reason_return", "partial_breaks_free": True}, BUYER, BUYER, NONE,
                "部分退货后不满包邮门槛, 去程运费可从退款中扣除", "P1 第十八条; P3 第五十三条"),
    FreightRule("F1", {"reason": "no_reason_return", "free_shipping": True}, SELLER, BUYER, NONE,
                "七天无理由退货(包邮), 退货运费买家承担", "P3 第五十三条; P2"),
    FreightRule("F2", {"reason": "no_reason_return", "free_shipping": False}, BUYER, BUYER, NONE,
                "七天无理由退货(非包邮), 来回运费买家承担, 邮费不退", "P3 第五十三条"),
    FreightRule("F5", {"reason": "no_reason_exchange"}, AS_PAID, BUYER, BUYER,
                "无理由/尺码换货, 退回和补发运费买家承担", "P3 第五十四条"),
)


@dataclass(frozen=True)
class Freight:
    rule: str                       # rule ids that decided, e.g. "F1+F4"
    out: str
    ret: str
    re: str
    seller_pays_buyer: Decimal | None = None   # postage the seller refunds or reimburses to the buyer
    refund_deduction: Decimal | None = None    # F3: postage deducted from the goods refund
    refund: Decimal | None = None              # goods refund after the deduction, when the returned value is known
    note: str = ""
    findings: tuple[Finding, ...] = field(default=())

    def payer_zh(self, leg: str) -> str:
        return PAYER_ZH[getattr(self, leg)]


_ASSUMED = {"yes": True, "no": False}


def facts_of(case: Case, assume_free: bool | None = None) -> dict:
    """The facts the table's conditions test. 包邮 comes from the row's cell, else from its order total
    and threshold, else from `assume_free` (the FREE.default setting); None: rules that need it do not match."""
    free = case.free_shipping
    if free is None and case.free_threshold is not None and case.order_total is not None:
        free = case.order_total >= case.free_threshold
    if free is None:
        free = assume_free
    breaks = False
    if free and case.free_threshold is not None and case.order_total is not None and case.returned_amount is not None:
        kept = case.order_total - case.returned_amount
        breaks = ZERO < kept < case.free_threshold
    return {"platform": case.platform, "reason": case.reason, "evidence": bool(case.evidence),
            "confirmed": bool(case.confirmed), "free_shipping": free, "partial_breaks_free": breaks,
            "agreed_no_freight": bool(case.agreed_no_freight), "merchant_silent": bool(case.merchant_silent)}


def _conditions(rule: FreightRule) -> tuple:
    """The rule's conditions as (fact, wanted value or values, whether it is a set of values)."""
    return tuple((key, want, isinstance(want, (tuple, set, frozenset))) for key, want in rule.when.items())


def _rules_by_reason() -> dict:
    """Candidate rows per reason, in table order (a row without a reason condition applies to all),
    each with its conditions (see _conditions)."""
    index = {}
    for reason in list(REASONS) + [None]:
        index[reason] = tuple((r, _conditions(r)) for r in FREIGHT_RULES if "reason" not in r.when
                              or reason == r.when["reason"] or (isinstance(r.when["reason"], tuple)
                                                                and reason in r.when["reason"]))
    return index


_CANDIDATES = _rules_by_reason()
_ALL_RULES = tuple((r, _conditions(r)) for r in FREIGHT_RULES)


def _matches(facts: dict, conditions: tuple) -> bool:
    """Whether the facts meet a rule's conditions (_conditions: key, wanted value or set, is it a set)."""
    for key, want, many in conditions:
        have = facts.get(key)
        if many:
            if have not in want:
                return False
        elif have != want:
            return False
    return True


def _first_match(case: Case, facts: dict) -> FreightRule | None:
    for candidate, conditions in _CANDIDATES.get(case.reason, _ALL_RULES):
        if _matches(facts, conditions):
            return candidate
    return None


def decide(case: Case, policy: Policy = DEFAULT_POLICY) -> Freight | None:
    """The freight decision, or None when the reason involves no shipping legs (e.g. late shipment)."""
    facts = facts_of(case)
    rule = _first_match(case, facts)
    assumed = None                  # the FREE.default setting's value, when the decision rests on it
    if facts["free_shipping"] is None and (rule is None or rule.out == AS_PAID):
        setting = _ASSUMED.get(policy[FREE_DEFAULT])
        if setting is not None:
            facts, assumed = facts_of(case, setting), setting
            rule = _first_match(case, facts)
    if rule is None:
        if case.reason in ("no_reason_return", "no_reason_exchange", "carrier_not_used") and facts["free_shipping"] is None:
            raise MissingInput("free_shipping")
        return None
    ids, notes, findings = [rule.id], [rule.zh], []
    if assumed is not None:
        word = "包邮" if assumed else "不包邮"
        findings.append(Finding(FREE_DEFAULT, "INFO", f"「包邮」未填, 按「规则」表「{FREE_DEFAULT_NAME}」视为{word}",
                                f"包邮 blank: taken as {'free shipping' if assumed else 'not free shipping'} "
                                f"by the 规则 sheet row 「{FREE_DEFAULT_NAME}」"))
    out, ret, re_ = rule.out, rule.ret, rule.re
    if out == AS_PAID:
        out = SELLER if facts["free_shipping"] else BUYER
    if rule.id == "F5" and policy["F5.exchange"] == "split" and facts["free_shipping"]:
        # S3: 卖家包邮款式各自承担一半 -- the buyer sends it back, the seller pays the reship.
        re_, notes = SELLER, ["包邮款换货各付一程(规则表设置): 买家付退回, 卖家付补发"]
        ids[0] = "F5.split"
    if rule.id == "F8" and not case.evidence:
        findings.append(Finding("F8", "WARN", "错发漏发待核实(无凭证), 核实后才由商家承担",
                                "wrong/missing item not yet verified"))
    if rule.id == "F16" and not case.evidence:
        findings.append(Finding("F16", "WARN", "未收到货待核实: 查物流轨迹和签收底单",
                                "not delivered: check the tracking and the proof of signing"))

    seller_pays = ZERO
    deduction = None
    # F4: shipping insurance reimburses the buyer's return leg (not after 确认收货 or 售后维权).
    if ret == BUYER and case.insurance != "none":
        if case.confirmed or case.dispute:
            findings.append(Finding("F4", "INFO", "已确认收货或售后维权, 运费险不赔, 买家自付",
                                    "insurance does not pay after confirmed receipt or an after-sales dispute"))
        else:
            ret = INSURER
            ids.append("F4")
            notes.append(f"运费险在退款完成后{policy['INS-1.hours']}小时内理赔给买家")
    # F13: return address differs from the listed ship-from place: the seller pays the extra.
    if case.address_mismatch and ret in (BUYER, INSURER):
        ids.append("F13")
        if case.return_postage is not None and case.normal_return_postage is not None:
            extra = max(ZERO, yuan(case.return_postage) - yuan(case.normal_return_postage))
            seller_pays += extra
            notes.append(f"退货地址与发货地不符, 卖家补差{fmt_yuan(extra)}")
        else:
            findings.append(Finding("F13", "WARN", "退货地址不符, 需填写实付退货运费和正常运费以计算差额",
                                    "address mismatch: fill the paid and the normal return postage"))
    if ret == SELLER and case.return_postage is not None:
        seller_pays += yuan(case.return_postage)
        notes.append(f"退还买家垫付退货运费{fmt_yuan(case.return_postage)}")
    if out == SELLER and case.buyer_paid_postage and case.postage is not None:
        seller_pays += yuan(case.postage)
        notes.append(f"退还买家已付邮费{fmt_yuan(case.postage)}")
    if rule.id == "F3":
        if case.postage is None:
            findings.append(Finding("F3", "WARN", "需填写运费(模板邮费)才能计算扣款", "fill the template postage"))
        else:
            deduction = yuan(case.postage)
    refund = None
    if case.returned_amount is not None and case.reason in ("no_reason_return", "quality", "misdescription",
                                                            "transit_damage", "wrong_item", "shipped_after_refund"):
        refund = yuan(case.returned_amount) - (deduction or ZERO)
    return Freight("+".join(ids), out, ret, re_, seller_pays_buyer=seller_pays or None,
                   refund_deduction=deduction, refund=refund,
                   note="; ".join(notes), findings=tuple(findings))
