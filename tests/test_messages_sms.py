"""SMS-1 … SMS-9 checks (addin.messages.sms)."""
import datetime as dt
from decimal import Decimal

import pytest

from addin.core.policy import DEFAULT_POLICY
from addin.messages.sms import (KINDS, check_length, check_signature, check_sms, has_opt_out,
                                has_time_estimate, next_send_time, resolve_kind, sms_length)

NOON = dt.datetime(2026, 10, 8, 12, 10)
REMINDER = "【小美家居】亲，您在小美家居拍下的北欧布艺沙发还未付款，付款后尽快为您发货哦~回T退订"


def rules(findings, level=None):
    return {f.rule for f in findings if level is None or f.level == level}


# --- SMS-2 length ------------------------------------------------------------------------------

@pytest.mark.parametrize("n, parts", [(1, 1), (68, 1), (70, 1), (71, 2), (134, 2), (135, 3), (500, 8), (501, 8)])
def test_segment_boundaries(n, parts):
    assert sms_length("字" * n) == (n, parts)


def test_every_character_counts_one():
    assert sms_length("【店】a1，, Ｂ~")[0] == 10


def test_max_500():
    assert "SMS-2" not in rules(check_length("【小美家居】" + "好" * 494)[2], "ERROR")
    chars, parts, findings = check_length("【小美家居】" + "好" * 495)
    assert chars == 501 and "SMS-2" in rules(findings, "ERROR")


def test_multi_part_is_info_only():
    chars, parts, findings = check_length("【小美家居】" + "好" * 70)
    assert parts == 2 and [f.level for f in findings] == ["INFO"]


@pytest.mark.parametrize("emoji", ["😊", "👍", "🎉", "\U00020000"])  # emoji and a CJK Ext-B character
def test_non_bmp_is_refused(emoji):
    findings = check_length(f"【小美家居】亲，您的包裹已发出{emoji}")[2]
    assert "SMS-2" in rules(findings, "ERROR")


def test_bmp_symbols_are_fine():
    assert check_length("【小美家居】亲~ ★☆ ①②【】“”…")[2] == []


# --- SMS-1 signature ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, ok", [
    ("【小美家居】亲，您好", True),
    ("【XM家居2】亲，您好", True),
    ("【美】亲，您好", False),                     # 1 character
    ("【小美家居官方旗舰店全国连锁】亲", False),       # 13 characters
    ("【小美·家居】亲，您好", False),                 # symbol
    ("【小美家居!】亲，您好", False),
    ("亲，您好【小美家居】", False),                   # not at the start
    ("亲，您好", False),                               # missing
    ("【小美家居】【小美家居】亲，您好", False),          # typed twice
])
def test_signature(text, ok):
    assert (check_signature(text) == []) is ok


def test_signature_typed_again_in_body():
    c = check_sms("【小美家居】亲，您的退款已完成", "refund_done", signature="小美家居", now=NOON)
    assert "SMS-1" in rules(c.findings, "ERROR")
    assert c.text.startswith("【小美家居】【小美家居】")


def test_signature_param_with_or_without_brackets():
    for sig in ("小美家居", "【小美家居】"):
        c = check_sms("亲，您的退款已完成", "refund_done", signature=sig, now=NOON)
        assert c.text == "【小美家居】亲，您的退款已完成" and c.verdict == "PASS"


# --- SMS-3 / SMS-4 -----------------------------------------------------------------------------

def test_sms3_scope_body():
    text = "【小美家居】亲，您在小美家居拍下的沙发还未付款~回T退订"
    assert "SMS-3" not in rules(check_sms(text, "payment_reminder", shop_name="小美家居", send_at=NOON).findings)
    body_only, _ = DEFAULT_POLICY.with_raw({"SMS-3.scope": "body"})
    c = check_sms(text, "payment_reminder", shop_name="小美家居", send_at=NOON, policy=body_only)
    assert "SMS-3" in rules(c.findings, "ERROR")        # 亲，您在小美家 = first 7 of the body
    c = check_sms("【小美家居】亲，小美家居提醒您付款~回T退订", "payment_reminder", shop_name="小美家居",
                  send_at=NOON, policy=body_only)
    assert "SMS-3" not in rules(c.findings)


def test_sms3_needs_shop_name():
    assert "SMS-3" in rules(check_sms(REMINDER, "payment_reminder", send_at=NOON).findings, "ERROR")


def test_sms3_only_for_reminders():
    c = check_sms("【千牛通知】亲，您的退款已完成", "refund_done", shop_name="小美家居", now=NOON)
    assert "SMS-3" not in rules(c.findings)


def test_sms4_names_shop_or_item():
    c = check_sms("【小美家居】亲，您有一笔订单还未付款哦~回T退订", "payment_reminder", shop_name="小美家居",
                  item_name="北欧布艺沙发", send_at=NOON)
    assert "SMS-4" not in rules(c.findings)              # the shop name is in the signature
    c = check_sms("【千牛通知】亲，您有一笔订单还未付款哦~回T退订", "payment_reminder", shop_name="小美家居",
                  item_name="北欧布艺沙发", send_at=NOON)
    assert "SMS-4" in rules(c.findings, "ERROR")
    c = check_sms("【千牛通知】亲，您拍下的北欧布艺沙发…还未付款~回T退订", "payment_reminder", shop_name="小美家居",
                  item_name="北欧布艺沙发三人位客厅", send_at=NOON)
    assert "SMS-4" not in rules(c.findings)              # a shortened item name still counts


# --- SMS-5 opt-out -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["回T退订", "回TD退订", "回复T退订", "回复TD退订", "退订回T", "退订回TD", "退订回N",
                                  "回N退订", "拒收请回复R", "拒收回R", "回R拒收", "TD退订", "退订请回复T",
                                  "回t退订", "回Ｔ退订", "回 T 退订", "退订回T。", "退订回T谢谢"])
def test_opt_out_variants(text):
    assert has_opt_out(f"【小美家居】上新啦，{text}")


@pytest.mark.parametrize("text", ["回T", "TDK", "欢迎回购", "退订", "退款已完成", "STD退订"])
def test_not_opt_out(text):
    assert not has_opt_out(f"【小美家居】{text}")


def test_reminder_opt_out_follows_policy():
    text = "【小美家居】亲，您在小美家居拍下的沙发还未付款哦~"
    assert "SMS-5" in rules(check_sms(text, "payment_reminder", shop_name="小美家居", send_at=NOON).findings, "ERROR")
    off, _ = DEFAULT_POLICY.with_raw({"SMS-5.reminder_optout": "否"})
    c = check_sms(text, "payment_reminder", shop_name="小美家居", send_at=NOON, policy=off)
    assert "SMS-5" not in rules(c.findings)


def test_notices_need_no_opt_out():
    c = check_sms("【小美家居】亲，您的退款89.00元已处理完成，请留意到账通知", "refund_done", now=NOON)
    assert c.verdict == "PASS"


def test_notice_with_promotion_warns():
    c = check_sms("【小美家居】亲，您的退款已完成，送您一张10元优惠券，欢迎进店选购", "refund_done", now=NOON)
    assert "SMS-5" in rules(c.findings, "WARN")


def test_opted_out_number_is_blocked():
    opted = {"13800138000"}
    c = check_sms(REMINDER, "payment_reminder", shop_name="小美家居", send_at=NOON,
                  phone="+86 138-0013-8000", opted_out=opted)
    assert "SMS-5" in rules(c.findings, "ERROR")
    # notices too, by default; WARN only when the policy says so
    c = check_sms("【小美家居】亲，您的退款已完成", "refund_done", now=NOON, phone="13800138000", opted_out=opted)
    assert "SMS-5" in rules(c.findings, "ERROR")
    soft, _ = DEFAULT_POLICY.with_raw({"SMS-5.optout_blocks_notices": "否"})
    c = check_sms("【小美家居】亲，您的退款已完成", "refund_done", now=NOON, phone="13800138000", opted_out=opted,
                  policy=soft)
    assert "SMS-5" in rules(c.findings, "WARN") and c.verdict == "WARN"
    c = check_sms(REMINDER, "payment_reminder", shop_name="小美家居", send_at=NOON, phone="13900000000",
                  opted_out=opted)
    assert "SMS-5" not in rules(c.findings)


# --- SMS-6 window ------------------------------------------------------------------------------

@pytest.mark.parametrize("hhmm, allowed", [("07:59", False), ("08:00", True), ("20:59", True), ("21:00", True),
                                           ("21:01", False), ("23:30", False), ("00:10", False)])
def test_window_default(hhmm, allowed):
    h, m = map(int, hhmm.split(":"))
    at = dt.datetime(2026, 10, 8, h, m)
    c = check_sms(REMINDER, "payment_reminder", shop_name="小美家居", send_at=at)
    assert ("SMS-6" in rules(c.findings, "ERROR")) is not allowed


def test_next_send_time():
    assert next_send_time(dt.datetime(2026, 10, 8, 6, 30)) == dt.datetime(2026, 10, 8, 8, 0)
    assert next_send_time(dt.datetime(2026, 10, 8, 21, 30)) == dt.datetime(2026, 10, 9, 8, 0)
    assert next_send_time(dt.datetime(2026, 10, 8, 9, 15)) == dt.datetime(2026, 10, 8, 9, 15)


def test_now_outside_window_is_rescheduled_not_an_error():
    c = check_sms(REMINDER, "payment_reminder", shop_name="小美家居", now=dt.datetime(2026, 10, 8, 22, 40))
    assert "SMS-6" in rules(c.findings, "INFO") and "SMS-6" not in rules(c.findings, "ERROR")
    assert c.planned_send_at == dt.datetime(2026, 10, 9, 8, 0)


def test_transactional_ignores_window():
    at = dt.datetime(2026, 10, 8, 23, 0)
    c = check_sms("【小美家居】亲，您的退款已完成", "refund_done", send_at=at)
    assert c.findings == [] and c.planned_send_at == at


def test_follow_up_keeps_to_window():
    c = check_sms("【小美家居】亲，您反馈的问题已处理好，现在使用还正常吗？", "follow_up",
                  send_at=dt.datetime(2026, 10, 8, 22, 0))
    assert "SMS-6" in rules(c.findings, "ERROR")


def test_reminder_window_switch():
    off, _ = DEFAULT_POLICY.with_raw({"SMS-6.reminder_window": "否"})
    c = check_sms(REMINDER, "payment_reminder", shop_name="小美家居", send_at=dt.datetime(2026, 10, 8, 21, 30),
                  policy=off)
    assert "SMS-6" not in rules(c.findings)


def test_kinds_table():
    ids = {k.id for k in KINDS}
    assert {"payment_reminder", "shipping_delay", "refund_done", "return_address", "follow_up",
            "insurance_payout", "marketing"} <= ids
    assert resolve_kind("催付").id == "payment_reminder"
    assert resolve_kind("运费险理赔").id == "insurance_payout"
    with pytest.raises(ValueError):
        resolve_kind("短信")
    transactional = {k.id for k in KINDS if k.transactional}
    assert "marketing" not in transactional and "payment_reminder" not in transactional
    assert "refund_done" in transactional


# --- SMS-7 preferred hours ---------------------------------------------------------------------

@pytest.mark.parametrize("hhmm, ctype, warn", [
    ("12:10", "office", False), ("11:30", "office", False), ("13:31", "office", True), ("17:45", "office", False),
    ("18:31", "office", True), ("09:00", "office", True), ("20:00", "student", False), ("09:00", "other", False),
    ("09:00", None, False),
])
def test_preferred_times(hhmm, ctype, warn):
    h, m = map(int, hhmm.split(":"))
    c = check_sms(REMINDER, "payment_reminder", shop_name="小美家居", send_at=dt.datetime(2026, 10, 8, h, m),
                  customer_type=ctype)
    assert ("SMS-7" in rules(c.findings, "WARN")) is warn


def test_students_before_22_under_the_late_window():
    late, _ = DEFAULT_POLICY.with_raw({"SMS-6.end": "23:00"})
    c = check_sms(REMINDER, "payment_reminder", shop_name="小美家居", send_at=dt.datetime(2026, 10, 8, 22, 30),
                  customer_type="student", policy=late)
    assert "SMS-7" in rules(c.findings, "WARN") and "SMS-6" not in rules(c.findings)


# --- SMS-8 frequency ---------------------------------------------------------------------------

@pytest.mark.parametrize("paid, sent, warn", [(Decimal("89"), 0, False), (Decimal("89"), 1, True),
                                              (Decimal("500"), 1, False), (Decimal("1299"), 2, True), (None, 1, True)])
def test_reminder_frequency(paid, sent, warn):
    c = check_sms(REMINDER, "payment_reminder", shop_name="小美家居", send_at=NOON, paid_amount=paid,
                  reminders_sent=sent)
    assert ("SMS-8" in rules(c.findings, "WARN")) is warn


# --- SMS-9 promises and delay estimates --------------------------------------------------------

@pytest.mark.parametrize("text", ["保证明天就能收到", "我们保证今天发货", "肯定能在后天送达", "明天一定到", "百分百次日送达"])
def test_unkeepable_promises(text):
    c = check_sms(f"【小美家居】亲，{text}", "shipping_delay", now=NOON)
    assert "SMS-9" in rules(c.findings, "WARN")


@pytest.mark.parametrize("text", ["预计10月9日前揽件发出", "预计2天内发出", "预计3个工作日内发货", "预计两天内发出",
                                  "预计明天下午揽收", "预计周五前发出", "预计9号发出", "预计18:00前揽件"])
def test_delay_notice_with_estimate(text):
    assert has_time_estimate(text)
    c = check_sms(f"【小美家居】亲，非常抱歉，您的宝贝需延迟发货，{text}", "shipping_delay", now=NOON)
    assert "SMS-9" not in rules(c.findings)


def test_delay_notice_without_estimate():
    c = check_sms("【小美家居】亲，非常抱歉，您的宝贝需延迟发货，我们会尽快发出", "shipping_delay", now=NOON)
    assert "SMS-9" in rules(c.findings, "WARN")
    # other notices need no estimate
    c = check_sms("【小美家居】亲，您的退款已完成", "refund_done", now=NOON)
    assert "SMS-9" not in rules(c.findings)


def test_lint_applies_to_sms():
    c = check_sms("【小美家居】亲，退款要等一下，不可以加急", "refund_done", now=NOON)
    assert {"LINT-02", "LINT-17"} <= rules(c.findings, "WARN")
