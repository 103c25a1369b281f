"""rules.md §5 acceptance cases 1-33 as case rows, with the outputs each must produce.

One table serves two tests: the public API (tests/test_examples_api.py) and a workbook round trip
through `aftersales recalc` (tests/test_examples_workbook.py). Rows use Case field names; the
workbook test writes them under the Chinese headers. Expected values are output keys of
addin.workbook.sheets.case_rows.output_values; "deadline:<id>" keys are deadline instants (24:00 = next 00:00).
The texts staff read carry no rule ids; the ids an example cites are checked in 规则编号 (rule_ids).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal


def T(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def D24(day: str) -> dt.datetime:
    """'2026-10-06' -> the instant 2026-10-06 24:00."""
    return dt.datetime.fromisoformat(day) + dt.timedelta(days=1)


def Y(text: str) -> Decimal:
    return Decimal(text)


def row(order_id, platform, reason, **fields):
    return {"order_id": order_id, "platform": platform, "reason": reason, **fields}


# (example id, policy overrides, rows, expected per row)
EXAMPLES = [
    ("1", {}, [row("E1", "淘宝", "延迟发货", paid=89.00)], [{"comp_amount": Y("5.00"), "comp_rule": "COMP-TB"}]),
    ("2", {}, [row("E2", "淘宝", "延迟发货", paid=1299.00)], [{"comp_amount": Y("30.00")}]),
    ("3", {}, [row("E3", "淘宝", "延迟发货", paid=356.80)], [{"comp_amount": Y("17.84")}]),
    ("4", {}, [row("E4", "淘宝", "延迟发货", paid=16.55, special_category="是")], [{"comp_amount": Y("1.00")}]),
    ("5", {}, [row("E5", "天猫", "延迟发货", paid=89.00)], [{"comp_amount": Y("26.70"), "comp_rule": "COMP-TM"}]),
    ("6", {}, [row("E6a", "天猫", "延迟发货", paid=1200, buyer="tb_小王", paid_at=T("2026-10-01 10:00")),
               row("E6b", "天猫", "延迟发货", paid=900, buyer="tb_小王", paid_at=T("2026-10-01 20:00"))],
     [{"comp_amount": Y("360.00")}, {"comp_amount": Y("140.00")}]),
    ("7", {}, [row("E7", "天猫", "延迟发货", paid=12.00)], [{"comp_amount": Y("5.00")}]),
    ("8", {"COMP-JD.rate": "10%"},
     [row("E8", "淘宝", "延迟发货", paid=200.00, promise_rate="30%", promise_cap=500),
      row("E8jd", "京东", "延迟发货", paid=200.00, promise_rate="30%", promise_cap=500)],
     [{"comp_amount": Y("60.00"), "comp_rule": "COMP-PROM"},
      {"comp_amount": Y("20.00"), "comp_rule": "COMP-JD", "warnings~": "店铺承诺金额60.00高于平台规则",
       "rule_ids~": "提示: COMP-PROM"}]),
    ("9", {}, [row("E9a", "淘宝", "协商补偿", proposed=20), row("E9b", "淘宝", "协商补偿", proposed=35),
               row("E9c", "淘宝", "协商补偿", proposed=3)],
     [{"comp_amount": Y("20.00"), "approval": "否"}, {"comp_amount": Y("35.00"), "approval": "是"},
      {"comp_amount": Y("3.00"), "approval": "否", "warnings~": "提醒: 低于5.00元, 建议用优惠券",
       "rule_ids~": "提示: LAD-2"}]),
    ("10", {}, [row("E10", "淘宝", "七天无理由退货", action="挽留-拒绝", category="家居")],
     [{"errors~": "七天无理由退货不能拒绝", "rule_ids~": "错误: LAD-3"}]),
    ("11", {}, [row("E11a", "京东", "不当发布", paid=680.00), row("E11b", "京东", "不当发布", paid=2500.00)],
     [{"comp_amount": Y("68.00"), "comp_rule": "JD-COMP-1"}, {"comp_amount": Y("200.00")}]),
    ("12", {}, [row("E12", "京东", "赠品漏发", paid=399, gift_price=199, gift_has_sku="是")],
     [{"comp_amount": Y("119.70"), "comp_rule": "JD-COMP-2"}]),
    ("13", {}, [row("E13", "京东", "价保", ordered_at=T("2026-09-28 10:00"), signed_at=T("2026-09-30 12:00"),
                    price_drop=400, price_drop_at=T("2026-10-29 09:00")),
                row("E13pop", "京东", "价保", ordered_at=T("2026-09-28 10:00"), signed_at=T("2026-09-30 12:00"),
                    price_drop=400, price_drop_at=T("2026-10-29 09:00"), pp_days=30)],
     [{"comp_amount": Y("400.00"), "comp_rule": "JD-PP", "warnings~": "口径不一致",
       "rule_ids~": "提示: JD-PP", "deadline:JD-PP": D24("2026-10-30")},
      {"comp_amount": Y("0.00"), "deadline:JD-PP": T("2026-10-28 10:00")}]),
    ("14", {}, [row("E14", "淘宝", "七天无理由退货", signed_at=T("2026-09-29 15:20"))],
     [{"deadline:R7-2": D24("2026-10-06"), "deadline:R7-2.168h": T("2026-10-06 15:20"),
       "deadline:R7-2.bound": D24("2026-10-08")}]),
    ("15", {}, [row("E15", "淘宝", "七天无理由退货", signed_at=dt.date(2026, 9, 24))],
     [{"deadline:R7-2": D24("2026-10-01"), "deadline:R7-2.bound": D24("2026-10-08"), "no:R7-2.168h": True}]),
    ("16", {}, [row("E16", "淘宝", "七天无理由退货", return_received_at=dt.date(2026, 2, 12))],
     [{"deadline:R7-3": D24("2026-02-19"), "deadline:R7-3.bound": D24("2026-02-24"),
       "deadline:R7-3.penalty": D24("2026-02-27")}]),
    ("17", {}, [row("E17", "淘宝", "其他", refund_requested_at=T("2026-09-30 21:00"), shipped="否")],
     [{"deadline:RF-TB.unshipped": T("2026-10-02 21:00")}]),
    ("18", {}, [row("E18", "淘宝", "质量问题", refund_requested_at=T("2026-02-13 10:00"), shipped="是")],
     [{"deadline:RF-TB.alert": T("2026-02-16 10:00"), "deadline:RF-TB.shipped": T("2026-02-18 10:00")}]),
    ("19", {}, [row("E19", "淘宝", "七天无理由退货", refund_done_at=T("2026-10-01 11:00"), insurance="卖家赠送")],
     [{"deadline:INS-1": T("2026-10-04 11:00")}]),
    ("20", {}, [row("E20", "天猫", "未付款", ordered_at=T("2026-02-16 20:00"))],
     [{"deadline:PAY-TM": T("2026-02-19 20:00")}]),
    ("21", {}, [row("E21a", "淘宝", "延迟发货", promise_at=dt.date(2026, 9, 30), paid=100),
                row("E21b", "淘宝", "延迟发货", promise_at=dt.date(2026, 2, 13), paid=100)],
     [{"deadline:PROMISE": D24("2026-10-10")}, {"deadline:PROMISE": D24("2026-02-25")}]),
    ("22", {}, [row("E22", "淘宝", "其他", court_notice_at=dt.date(2026, 9, 28))],
     [{"deadline:P3-83": D24("2026-10-13")}]),
    ("23", {}, [row("E23a", "京东", "质量问题", jd_evidence_at=T("2026-10-01 14:01")),
                row("E23b", "京东", "质量问题", jd_evidence_at=T("2026-10-01 10:00")),
                row("E23c", "京东", "质量问题", jd_evidence_at=T("2026-10-01 17:30"))],
     [{"deadline:SLA-3.evidence": T("2026-10-02 09:01")}, {"deadline:SLA-3.evidence": T("2026-10-01 14:00")},
      {"deadline:SLA-3.evidence": T("2026-10-02 12:30")}]),
    ("24", {}, [row("E24", "京东", "其他", jd_closed_at=dt.date(2026, 2, 14))],
     [{"deadline:SLA-3.appeal": D24("2026-02-21")}]),
    ("25", {}, [row("E25", "淘宝", "中差评", review_at=dt.date(2026, 1, 20), review_stars=1),
                row("E25tm", "天猫", "中差评", review_at=dt.date(2026, 1, 20), review_stars=1)],
     [{"deadline:RV-6": D24("2026-02-19")}, {"no:RV-6": True, "warnings~": "不可修改"}]),
    ("26", {}, [row("E26", "淘宝", "其他", resolved_at=T("2026-10-01 16:00"), complaint_at=T("2026-10-01 09:20"))],
     [{"deadline:SLA-1.followup": T("2026-10-02 16:00"), "deadline:SLA-1.offline": T("2026-10-01 10:20")}]),
    ("27", {}, [row("E27", "淘宝", "七天无理由退货", free_shipping="是", insurance="无")],
     [{"out_payer": "卖家", "ret_payer": "买家", "re_payer": "-", "freight_rule": "F1"}]),
    ("28", {}, [row("E28", "淘宝", "七天无理由退货", free_threshold=99, order_total=110, returned_amount=50, postage=8)],
     [{"out_payer": "买家", "ret_payer": "买家", "freight_rule": "F3", "refund": Y("42.00")}]),
    ("29", {}, [row("E29", "淘宝", "七天无理由退货", free_shipping="是", insurance="卖家赠送", confirmed="否"),
                row("E29c", "淘宝", "七天无理由退货", free_shipping="是", insurance="卖家赠送", confirmed="是")],
     [{"ret_payer": "运费险", "freight_rule": "F1+F4"}, {"ret_payer": "买家", "freight_rule": "F1"}]),
    ("30", {}, [row("E30", "淘宝", "尺码不合适换货", free_shipping="是")],
     [{"ret_payer": "买家", "re_payer": "买家", "freight_rule": "F5"}]),
    ("30-split", {"F5.exchange": "split"}, [row("E30s", "淘宝", "尺码不合适换货", free_shipping="是")],
     [{"ret_payer": "买家", "re_payer": "卖家", "freight_rule": "F5.split"}]),
    ("31", {}, [row("E31", "淘宝", "质量问题", evidence="是", return_postage=12.00)],
     [{"seller_pays_buyer": Y("12.00"), "ret_payer": "卖家", "re_payer": "卖家", "freight_rule": "F6"}]),
    ("32", {}, [row("E32", "淘宝", "退款后仍发货", returned_amount=199)],
     [{"out_payer": "卖家", "ret_payer": "卖家", "freight_rule": "F11", "refund": Y("199.00")}]),
    ("33", {}, [row("E33", "淘宝", "七天无理由退货", free_shipping="是", address_mismatch="是", return_postage=18,
                    normal_return_postage=12)],
     [{"seller_pays_buyer": Y("6.00"), "freight_rule": "F1+F13"}]),
]


def check(expected: dict, out: dict) -> list[str]:
    """Differences between an expectation and output_values(...); '~' keys mean 'contains'."""
    problems = []
    for key, want in expected.items():
        if key.startswith("no:"):
            if out.get("deadline:" + key[3:]) is not None:
                problems.append(f"{key}: expected no such deadline")
            continue
        if key.endswith("~"):
            have = out.get(key[:-1]) or ""
            if want not in have:
                problems.append(f"{key[:-1]}: {want!r} not in {have!r}")
            continue
        have = out.get(key)
        if isinstance(want, Decimal) and have is not None:
            have = Decimal(str(have))
        if have != want:
            problems.append(f"{key}: expected {want!r}, got {have!r}")
    return problems
