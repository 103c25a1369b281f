"""What staff type, and the bilingual error when it cannot be read."""
import datetime as dt
from decimal import Decimal

import pytest

from addin.workbook.cells import CellError, to_bool, to_datetime, to_money, to_platform, to_reason, to_stars
from addin.workbook.rows import case_from_row


@pytest.mark.parametrize("raw, expected", [
    (89, "89"), (89.0, "89"), ("89", "89"), ("¥89.00", "89.00"), ("￥89", "89"), ("89元", "89"),
    ("１２．５０", "12.50"), ("1,299.00", "1299.00"), (" 356.80 ", "356.80"), (Decimal("1.1"), "1.1"),
    (0.1 + 0.2, "0.30000000000000004"),
])
def test_money_spellings(raw, expected):
    assert to_money(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["八十九", "-89", -1, "abc", True, "1e400x"])
def test_bad_money_is_a_bilingual_error(raw):
    with pytest.raises(CellError) as info:
        to_money(raw)
    assert info.value.zh and info.value.en


@pytest.mark.parametrize("raw, expected, has_time", [
    ("2026-10-01 10:00", dt.datetime(2026, 10, 1, 10), True),
    ("2026/10/1 10:00:30", dt.datetime(2026, 10, 1, 10, 0, 30), True),
    ("2026年10月1日 10:20", dt.datetime(2026, 10, 1, 10, 20), True),
    ("2026年10月1日", dt.datetime(2026, 10, 1), False),
    ("2026.10.01", dt.datetime(2026, 10, 1), False),
    ("２０２６－１０－０１", dt.datetime(2026, 10, 1), False),
    ("20261001", dt.datetime(2026, 10, 1), False),
    ("2026-10-01 下午3:05", dt.datetime(2026, 10, 1, 15, 5), True),
    (46296, dt.datetime(2026, 10, 1), False),                  # Excel serial
    (46296.4375, dt.datetime(2026, 10, 1, 10, 30), True),
    (dt.date(2026, 10, 1), dt.datetime(2026, 10, 1), False),
    (dt.datetime(2026, 10, 1, 8, 5), dt.datetime(2026, 10, 1, 8, 5), True),
])
def test_date_spellings(raw, expected, has_time):
    assert to_datetime(raw) == (expected, has_time)


@pytest.mark.parametrize("raw", ["十月五号", "2026-02-30", "10/1", -5, "2026-13-01"])
def test_bad_dates(raw):
    with pytest.raises(CellError):
        to_datetime(raw)


def test_vocabularies():
    assert [to_platform(x) for x in ("淘宝", "TMALL", "京东", "pdd", "天猫 ")] == ["TB", "TM", "JD", "PDD", "TM"]
    assert to_reason("七天无理由") == "no_reason_return" and to_reason("不当发布") == "misdescription"
    assert [to_bool(x) for x in ("是", "否", "Y", "n", 1, 0.0, "√", True)] == [True, False, True, False, True, False, True, True]
    assert [to_stars(x) for x in (5, "4星", "★★★☆☆", 1.0)] == [5, 4, 3, 1]
    with pytest.raises(CellError) as info:
        to_platform("抖音")
    assert "淘宝/天猫/京东/拼多多" in info.value.zh


def test_row_problems_name_each_field_and_cross_checks():
    parsed = case_from_row({"order_id": "1", "platform": "天猫", "reason": "延迟发货", "paid": "abc",
                            "paid_at": "2026-10-05 10:00", "signed_at": "2026-10-03"})
    fields = sorted(p.field for p in parsed.problems)
    assert fields == ["paid", "signed_at"]
    assert case_from_row({"order_id": None, "platform": " ", "reason": None}).blank
    missing = case_from_row({"order_id": "1", "platform": None, "reason": "延迟发货"})
    assert [p.field for p in missing.problems] == ["platform"]
