"""The one set of cell parsers (addin.core.parse): every accepted spelling, every refused one.

The accepted table is the union of what recalc's cells, the mail merge's fields and the 规则 sheet
accepted before they were merged into one module, plus the time-zone offset of --now.
"""
import datetime as dt
from decimal import Decimal

import pytest

from addin.core import parse
from addin.core.parse import CellError
from addin.core.policy import DEFAULT_POLICY
from addin.messages.fields import normalize_row
from addin.workbook.sheets.case_rows import case_from_row

D = Decimal
DT = dt.datetime

ACCEPTED = [
    # money
    ("money", 89, D("89")), ("money", 89.0, D("89")), ("money", "89", D("89")), ("money", "¥89.00", D("89.00")),
    ("money", "￥89", D("89")), ("money", "89元", D("89")), ("money", "１２．５０", D("12.50")),
    ("money", "１２．００", D("12.00")), ("money", "８９", D("89")), ("money", "1,299.00", D("1299.00")),
    ("money", "¥1,299.00", D("1299.00")), ("money", "1，299", D("1299")), ("money", " 356.80 ", D("356.80")),
    ("money", "RMB 89", D("89")), ("money", "cny89.5", D("89.5")), ("money", "¥ 40", D("40")),
    ("money", D("1.1"), D("1.1")), ("money", 0.1 + 0.2, D("0.30000000000000004")), ("money", 0, D("0")),
    # rates
    ("rate", "30%", D("0.3")), ("rate", "30％", D("0.3")), ("rate", "３０％", D("0.3")), ("rate", "25%", D("0.25")),
    ("rate", 0.3, D("0.3")), ("rate", "0.3", D("0.3")), ("rate", 30, D("0.3")), ("rate", "5", D("0.05")),
    ("rate", 1, D("1")), ("rate", "100%", D("1")),
    # whole numbers
    ("int", 3, 3), ("int", 3.0, 3), ("int", "3", 3), ("int", "３", 3), ("int", "72", 72), ("int", D("48"), 48),
    # stars
    ("stars", 5, 5), ("stars", 1.0, 1), ("stars", "4星", 4), ("stars", "4 星", 4), ("stars", "3分", 3),
    ("stars", "★★★☆☆", 3), ("stars", "★★★★★", 5), ("stars", "★", 1), ("stars", "好评", 5), ("stars", "中评", 3),
    ("stars", "差评", 1), ("stars", "５", 5),
    # yes / no
    *[("bool", v, True) for v in ("是", "有", "对", "开", "有图", "带图", "✓", "√", "✔", "Y", "y", "yes", "YES",
                                   "true", "TRUE", "1", True, 1, 2.0)],
    *[("bool", v, False) for v in ("否", "无", "没有", "关", "无图", "✗", "✘", "×", "x", "X", "n", "No", "false",
                                    "FALSE", "0", False, 0, 0.0)],
    # platform, insurance, customer type
    ("platform", "淘宝", "TB"), ("platform", "TMALL", "TM"), ("platform", "天猫 ", "TM"), ("platform", "京东", "JD"),
    ("platform", "pdd", "PDD"), ("platform", "拼多多", "PDD"), ("platform", "ＪＤ", "JD"), ("platform", "tb", "TB"),
    ("insurance", "买家购买", "bought"), ("insurance", "卖家赠送", "gifted"), ("insurance", "无", "none"),
    ("insurance", "是", "bought"),
    ("customer", "上班族", "office"), ("customer", "学生", "student"), ("customer", "宝妈", "other"),
    ("customer", "office", "office"),
    # reasons
    ("reason", "七天无理由", "no_reason_return"), ("reason", "不当发布", "misdescription"),
    ("reason", "延迟发货", "late_shipment"), ("reason", "Late Shipment", "late_shipment"),
    # phone numbers
    ("phone", "13800138000", "13800138000"), ("phone", 13800138000.0, "13800138000"),
    ("phone", "+86 138 0013 8000", "13800138000"), ("phone", "0086-138-0013-8000", "13800138000"),
    ("phone", "１３８００１３８０００", "13800138000"), ("phone", "138-0013-8000", "13800138000"),
    # text
    ("text", 13800138000.0, "13800138000"), ("text", " 订单 ", "订单"), ("text", dt.date(2026, 10, 1), "2026-10-01"),
]


@pytest.mark.parametrize("kind, raw, expected", ACCEPTED, ids=[f"{k}:{r!r}" for k, r, _ in ACCEPTED])
def test_accepted_spellings(kind, raw, expected):
    got = parse.PARSERS[kind](raw)
    assert got == expected and type(got) is type(expected)


DATES = [
    ("2026-10-01 10:00", DT(2026, 10, 1, 10), True),
    ("2026/10/1 10:00:30", DT(2026, 10, 1, 10, 0, 30), True),
    ("2026年10月1日 10:20", DT(2026, 10, 1, 10, 20), True),
    ("2026年10月1日 10时20分", DT(2026, 10, 1, 10, 20), True),
    ("2026年10月1日10时20分30秒", DT(2026, 10, 1, 10, 20, 30), True),
    ("2026年10月1日 10点", DT(2026, 10, 1, 10), True),
    ("2026年10月1号", DT(2026, 10, 1), False),
    ("2026年10月1日", DT(2026, 10, 1), False),
    ("2026.10.01", DT(2026, 10, 1), False),
    ("２０２６－１０－０１", DT(2026, 10, 1), False),
    ("20261001", DT(2026, 10, 1), False),
    ("20261001 1020", DT(2026, 10, 1, 10, 20), True),
    ("2026-10-01 下午3:05", DT(2026, 10, 1, 15, 5), True),
    ("2026-10-01 晚上9:30", DT(2026, 10, 1, 21, 30), True),
    ("2026-10-01 上午9:30", DT(2026, 10, 1, 9, 30), True),
    ("2026/10/1 3:05 PM", DT(2026, 10, 1, 15, 5), True),
    ("2026-10-01T10:00", DT(2026, 10, 1, 10), True),
    ("2026-10-01T10:00:00.250", DT(2026, 10, 1, 10), True),
    ("2026-11-23T10:00+00:00", DT(2026, 11, 23, 18), True),       # an offset: converted to China time
    ("2026-11-23T10:00Z", DT(2026, 11, 23, 18), True),
    ("2026-11-23 10:00+08:00", DT(2026, 11, 23, 10), True),
    ("2026-11-23T02:00-0500", DT(2026, 11, 23, 15), True),
    (46296, DT(2026, 10, 1), False),                                 # Excel serial
    (46296.4375, DT(2026, 10, 1, 10, 30), True),
    (dt.date(2026, 10, 1), DT(2026, 10, 1), False),
    (DT(2026, 10, 1, 8, 5), DT(2026, 10, 1, 8, 5), True),
    (DT(2026, 10, 1, 0, 5, tzinfo=dt.timezone.utc), DT(2026, 10, 1, 8, 5), True),
]


@pytest.mark.parametrize("raw, expected, has_time", DATES, ids=[repr(r) for r, _, _ in DATES])
def test_date_spellings(raw, expected, has_time):
    assert parse.to_datetime(raw) == (expected, has_time)


@pytest.mark.parametrize("raw, expected", [
    ("21:00", dt.time(21)), ("21：00", dt.time(21)), ("９:３０", dt.time(9, 30)), ("9点", dt.time(9)),
    ("下午3:30", dt.time(15, 30)), ("11:30:15", dt.time(11, 30, 15)), (0.5, dt.time(12)),
    (dt.time(8, 0), dt.time(8)), (DT(1899, 12, 30, 18, 30), dt.time(18, 30)),
])
def test_clock_spellings(raw, expected):
    assert parse.to_clock(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("2027-01-01, 2027-01-02", (dt.date(2027, 1, 1), dt.date(2027, 1, 2))),
    ("2027/1/2；2027/1/1", (dt.date(2027, 1, 1), dt.date(2027, 1, 2))),
    ("2027年1月1日、2027年1月1日", (dt.date(2027, 1, 1),)),
    (DT(2027, 1, 1), (dt.date(2027, 1, 1),)),
    ("", ()), (None, ()),
])
def test_date_lists(raw, expected):
    assert parse.to_date_list(raw) == expected


REFUSED = [
    ("money", "八十九"), ("money", "-89"), ("money", -1), ("money", "abc"), ("money", True), ("money", "1e400x"),
    ("money", "NaN"), ("money", float("inf")), ("money", ""),
    ("rate", "150%"), ("rate", "abc"), ("rate", "-5%"), ("rate", True),
    ("int", "3.5"), ("int", "三"), ("int", -2),
    ("stars", 0), ("stars", 6), ("stars", "☆☆☆☆☆"), ("stars", "很好"), ("stars", "4.5"),
    ("bool", "也许"), ("bool", "maybe"),
    ("platform", "快手"), ("reason", "看心情"), ("insurance", "保险公司"), ("customer", "老板"),
    ("datetime", "十月五号"), ("datetime", "2026-02-30"), ("datetime", "10/1"), ("datetime", -5),
    ("datetime", "2026-13-01"), ("datetime", "明天中午"), ("datetime", True), ("datetime", "2026-10-01 25:00"),
]


@pytest.mark.parametrize("kind, raw", REFUSED, ids=[f"{k}:{r!r}" for k, r in REFUSED])
def test_refused_spellings_are_bilingual_errors(kind, raw):
    with pytest.raises(CellError) as info:
        parse.PARSERS[kind](raw)
    zh, en = info.value.zh, info.value.en
    assert en[0].isascii() and en[0].isalpha()                     # the English half is English
    assert isinstance(raw, bool) or (str(raw) in zh and str(raw) in en)   # both name what was refused
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.zh)


@pytest.mark.parametrize("raw", ["25:00", "abc", "9"])
def test_bad_clock(raw):
    with pytest.raises(CellError):
        parse.to_clock(raw)


def test_long_input_is_quoted_shortened():
    text = "八十九块钱" * 20
    with pytest.raises(CellError) as info:
        parse.to_money(text)
    assert "'" + text[:30] + "…'" in info.value.zh and text[:31] not in info.value.zh


@pytest.mark.parametrize("text", ["抖音", "抖店", "抖音小店", " 抖音电商 ", "Douyin"])
def test_douyin_names_staff_type_read_as_doudian(text):
    # staff call the platform by the app's name (抖音) as often as by the merchant back end's (抖店)
    assert parse.to_platform(text) == "DY"


def test_platform_error_lists_the_choices():
    with pytest.raises(CellError) as info:
        parse.to_platform("快手")
    assert "淘宝/天猫/京东/拼多多" in info.value.zh


# --- every entry path uses the same parsers ------------------------------------------------------

def test_recalc_merge_and_policy_agree():
    """A spelling accepted for recalc is accepted by the merge and the 规则 sheet, and means the same."""
    case = case_from_row({"order_id": "1", "platform": "天猫", "reason": "延迟发货", "paid": "RMB 1,299.00",
                          "paid_at": "2026年10月1日 10时20分", "review_stars": "好评"})
    assert not case.problems
    values, errors = normalize_row({"paid_amount": "RMB 1,299.00", "send_at": "2026年10月1日 10时20分",
                                    "stars": "★★★★★", "has_photos": "✓", "phone": "+86 138 0013 8000"})
    assert errors == []
    assert values["paid_amount"] == case.case.paid == D("1299.00")
    assert values["send_at"] == case.case.paid_at == DT(2026, 10, 1, 10, 20)
    assert values["stars"] == case.case.review_stars == 5
    assert values["has_photos"] is True and values["phone"] == "13800138000"
    policy, errs = DEFAULT_POLICY.with_raw({"COMP-TB.cap": "RMB 1,299.00", "SMS-6.end": "21：30", "COMP-TM.rate": "３０％",
                                            "SMS-5.reminder_optout": "✗", "CAL.extra_holidays": "2027年1月1日"})
    assert errs == []
    assert policy["COMP-TB.cap"] == D("1299.00") and policy["SMS-6.end"] == dt.time(21, 30)
    assert policy["COMP-TM.rate"] == D("0.3") and policy["SMS-5.reminder_optout"] is False
    assert policy["CAL.extra_holidays"] == (dt.date(2027, 1, 1),)


def test_merge_errors_carry_the_parser_reason():
    _, errors = normalize_row({"send_at": "明天中午", "paid_amount": "八十九"})
    assert {e.field for e in errors} == {"send_at", "paid_amount"}
    assert all("「" in e.zh and e.en.startswith("field '") for e in errors)


def test_policy_error_quotes_the_value_in_chinese():
    _, errs = DEFAULT_POLICY.with_raw({"COMP-TB.rate": "一半"})
    assert errs[0].zh.startswith("无法识别比例 '一半'") and "使用默认值" in errs[0].zh


def test_row_problems_name_each_field_and_cross_checks():
    parsed = case_from_row({"order_id": "1", "platform": "天猫", "reason": "延迟发货", "paid": "abc",
                            "paid_at": "2026-10-05 10:00", "signed_at": "2026-10-03"})
    fields = sorted(p.field for p in parsed.problems)
    assert fields == ["paid", "signed_at"]
    assert case_from_row({"order_id": None, "platform": " ", "reason": None}).blank
    missing = case_from_row({"order_id": "1", "platform": None, "reason": "延迟发货"})
    assert [p.field for p in missing.problems] == ["platform"]


def test_a_batch_memo_reads_each_value_as_the_plain_parsers_do():
    """recalc remembers each distinct (column, value) reading over a batch: 1, 1.0, True and Decimal('1')
    compare equal but read differently, a reason depends on the row's 售后类型 and platform, and an
    unreadable value gives its error every time it comes back."""
    rows = [{"order_id": "1", "platform": "淘宝", "reason": "延迟发货", "paid": 1.0, "signed_at": dt.date(2026, 10, 1)},
            {"order_id": "2", "platform": "淘宝", "reason": "延迟发货", "paid": True, "signed_at": DT(2026, 10, 1)},
            {"order_id": "3", "platform": "淘宝", "reason": "延迟发货", "paid": 1, "special_category": 1.0},
            {"order_id": "4", "platform": "淘宝", "reason": "延迟发货", "paid": D("1"), "special_category": True},
            {"order_id": "5", "platform": "京东", "reason": "仅退款", "after_sales_type": "退货退款"},
            {"order_id": "6", "platform": "京东", "reason": "仅退款"},
            {"order_id": "7", "platform": "淘宝", "reason": "退货退款"},
            {"order_id": "8", "platform": "淘宝", "reason": "延迟发货", "paid": "八十九", "signed_at": "十月五号"},
            {"order_id": "9", "platform": "淘宝", "reason": "延迟发货", "paid": "八十九", "signed_at": "十月五号"},
            {"order_id": "10", "platform": "快手", "reason": "延迟发货"}, {"order_id": "11", "platform": "快手"}]
    memo: dict = {}
    for row in rows + rows:                 # the second pass reads everything from the memo
        plain, remembered = case_from_row(row), case_from_row(row, memo=memo)
        assert (remembered.case, remembered.problems, remembered.blank) == (plain.case, plain.problems, plain.blank)
    assert case_from_row(rows[1], memo=memo).problems[0].zh == "金额不能是是/否"
    assert case_from_row(rows[0], memo=memo).case.signed_has_time is False
    assert case_from_row(rows[1], memo=memo).case.signed_has_time is True
    assert {k: v for k, v in memo["platform"].items() if isinstance(v, str)} == {"淘宝": "TB", "京东": "JD"}
    assert isinstance(memo["platform"]["快手"], CellError)             # an unreadable value remembered as its error
    assert len(memo["paid"]) == 5       # 1.0, True, 1 and Decimal 1 kept apart by type; "八十九" once for two rows


def test_a_batch_memo_holds_no_cycle_a_paused_collector_would_keep():
    """recalc pauses the cyclic collector for the whole run, so a cell error remembered by the batch memo
    must not hold the frame that read it (its traceback or context did, and a worker's memory grew with
    the sheet): once the memo is dropped, everything in it is freed by reference counting alone."""
    import gc
    import weakref

    from addin.workbook.sheets.case_rows import case_from_row

    was = gc.isenabled()
    gc.disable()
    try:
        memo: dict = {}
        parsed = case_from_row({"paid_at": "明天下午", "paid": "abc元", "platform": "淘宝"}, None, memo)
        assert {p.field for p in parsed.problems} >= {"paid_at", "paid"}
        kept = [weakref.ref(v) for seen in memo.values() for v in seen.values() if isinstance(v, Exception)]
        assert len(kept) == 2
        del memo, parsed
        assert [ref() for ref in kept] == [None, None]
    finally:
        if was:
            gc.enable()
