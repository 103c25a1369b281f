"""The edges of the SMS rules (rules.md §4.1, SMS-1 … SMS-9): signature length 2/12, the 70/67 split, the first
7 characters, the send window's ends, the 22:00 cut-off, the reminder count, and a 催付 with two errors.

Names with ``edge_unsettled`` test a default the rules document leaves open (docs/dev/mutation.md lists them).
"""
import datetime as dt
from decimal import Decimal

import pytest

from addin.core.findings import Finding
from addin.core.policy import DEFAULT_POLICY
from addin.messages.sms import (KINDS_BY_ID, check_length, check_preferred_time, check_promises, check_signature,
                                check_sms, compose, format_signature, has_time_estimate, in_window, next_send_time,
                                resolve_kind, sms_length)

T = dt.datetime.fromisoformat
SHOP = "小美家居"
OK_BODY = "亲，您在小美家居拍下的沙发还未付款，今晚付款即可按时发货哦~回T退订"


def policy(raw):
    p, errors = DEFAULT_POLICY.with_raw(raw)
    assert not errors
    return p


def by_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


# --- SMS-1: the signature ---------------------------------------------------------------------------

@pytest.mark.parametrize("sig, ok", [("美", False), ("小美", True), ("小美家居旗舰店官方直营店", True),
                                     ("小美家居旗舰店官方直营店A", False)])
def test_signature_length_2_to_12(sig, ok):
    """SMS-1 (§4.1, P16): the signature is 2-12 characters."""
    assert len(sig) in (1, 2, 12, 13)
    got = check_signature(f"【{sig}】您好")
    if ok:
        assert got == []
    else:
        assert got == [Finding("SMS-1", "ERROR", f"签名「{sig}」须为2-12个字 (现{len(sig)}个)",
                               f"signature '{sig}' must be 2-12 characters (has {len(sig)})")]


def test_signature_without_symbols():
    """SMS-1 (§4.1): Chinese, English or digits, no symbols."""
    assert check_signature("【Mi家居2】您好") == []
    assert check_signature("【小美-家居】您好") == [Finding("SMS-1", "ERROR", "签名「小美-家居」只能含中文、英文、数字, 不能有符号",
                                                        "signature '小美-家居' may contain only Chinese, letters and digits")]
    empty = check_signature("【】您好")
    assert [f.zh for f in empty] == ["签名「」须为2-12个字 (现0个)"]          # no symbol error on an empty one


def test_signature_missing_misplaced_or_typed_twice():
    """SMS-1 (§4.1): 【signature】 opens the SMS; the platform adds it, so the body must not repeat it."""
    assert check_signature("您好") == [Finding("SMS-1", "ERROR", "缺少短信签名【…】", "no 【signature】 at the start")]
    assert check_signature("您好【小美家居】") == [Finding("SMS-1", "ERROR", "签名【…】必须在短信开头",
                                                       "the 【signature】 must open the SMS")]
    twice = Finding("SMS-1", "ERROR", "签名重复: 平台会自动加签名, 正文里不要再写【…】",
                    "signature typed twice: the platform adds it, do not type it in the body")
    assert check_signature("【小美家居】【小美家居】您好") == [twice]
    assert check_signature("【小美家居】 【别的】您好") == [twice]
    assert check_signature("【小美家居】您好, 【小美家居】祝好") == [twice]
    assert check_signature("【小美家居】您好, 小美家居祝好") == []


def test_signature_is_formatted_once_whatever_staff_type():
    assert format_signature(" 小美家居 ") == "【小美家居】" == format_signature("【小美家居】")
    assert compose("您好", "小美家居") == ("【小美家居】您好", "您好")
    assert compose("【小美家居】您好", None) == ("【小美家居】您好", "您好")
    assert compose("【小美家居】您好", "  ") == ("【小美家居】您好", "您好")
    assert compose("您好", "") == ("您好", "您好")


# --- SMS-2: length ----------------------------------------------------------------------------------

@pytest.mark.parametrize("n, parts", [(0, 0), (1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)])
def test_parts_at_each_boundary(n, parts):
    """SMS-2 (§4.1, P15): ≤70 one part, else ceil(n/67)."""
    assert sms_length("字" * n) == (n, parts)


def test_parts_follow_the_policy():
    p = policy({"SMS-2.single": 60, "SMS-2.part": 50})
    assert sms_length("字" * 60, p) == (60, 1) and sms_length("字" * 61, p) == (61, 2) and sms_length("字" * 101, p)[1] == 3


def test_length_findings_at_the_edges():
    """SMS-2 (§4.1): more than one part is INFO; above 500 an ERROR (not also the INFO); emoji an ERROR."""
    assert check_length("【小美】" + "好" * 66) == (70, 1, [])
    assert check_length("【小美】" + "好" * 67)[2] == [Finding("SMS-2", "INFO", "71字, 按2条计费", "71 characters, billed as 2 parts")]
    assert check_length("好" * 500)[2] == [Finding("SMS-2", "INFO", "500字, 按8条计费", "500 characters, billed as 8 parts")]
    assert check_length("好" * 501)[2] == [Finding("SMS-2", "ERROR", "501字, 超过上限500字", "501 characters, above the 500 maximum")]
    chars, parts, findings = check_length("【小美】亲😀😀👍")
    assert findings == [Finding("SMS-2", "ERROR", "含表情等特殊字符「👍😀」: 表格的字数公式按2个字计, 字数对不上, 请删除",
                                "non-BMP characters ('👍😀', e.g. emoji) count 2 in Excel LEN; remove them")]
    many = check_length("".join(chr(0x1F600 + i) for i in range(7)))[2][0]
    assert "「😀😁😂😃😄」" in many.zh                      # the first five shown


# --- SMS-3 / SMS-4: the payment reminder -------------------------------------------------------------

def reminder(text, **kw):
    kw.setdefault("shop_name", SHOP)
    return check_sms(text, "payment_reminder", **kw)


@pytest.mark.parametrize("text, ok", [
    ("【店】小美家居亲，您的订单还未付款哦~回T退订", True),      # the name ends at character 7
    ("【店】亲小美家居，您的订单还未付款哦~回T退订", False),      # ... at character 8
])
def test_shop_name_in_the_first_7_characters(text, ok):
    """SMS-3 (§4.1, S1 "前七个字出现卖家的名字"), counted on the text as received (signature included)."""
    got = by_rule(reminder(text).findings, "SMS-3")
    assert got == ([] if ok else [Finding("SMS-3", "ERROR", "催付短信前7个字 (含签名) 须出现店铺名「小美家居」",
                                          "shop name '小美家居' must appear in the first 7 characters")])


def test_first_7_characters_of_the_body_when_set():
    """SMS-3 (§4.1): "the user can switch this to body only"."""
    body = policy({"SMS-3.scope": "body"})
    got = reminder("亲亲亲小美家居您的订单还未付款~回T退订", signature="好店铺", policy=body).findings
    assert by_rule(got, "SMS-3") == []
    late = reminder("亲亲亲亲小美家居您的订单还未付款~回T退订", signature="好店铺", policy=body).findings
    assert [f.zh for f in by_rule(late, "SMS-3")] == ["催付短信前7个字 (正文) 须出现店铺名「小美家居」"]


def test_a_reminder_without_the_shop_name_cannot_be_checked():
    got = check_sms("【小美家居】亲，您的订单还未付款~回T退订", "payment_reminder").findings
    assert by_rule(got, "SMS-3") == [Finding("SMS-3", "ERROR", "缺少「店铺名」, 无法检查催付短信 (在「规则」表填一次店铺名, 或逐行填写)",
                                             "shop_name missing: cannot check the reminder")]


def test_a_reminder_with_two_errors_reports_both():
    """SMS-3 and SMS-4 (§4.1; §5 examples 35 and 37): 71 characters and the shop name too late."""
    text = "【千牛通知】亲爱的顾客您好，您在小美家居拍下的宝贝还未付款" + "哦" * 38 + "回T退订"
    assert len(text) == 71
    got = reminder(text, send_at=T("2026-10-08 12:10"))
    assert got.verdict == "ERROR" and (got.chars, got.parts) == (71, 2)
    assert [(f.rule, f.level) for f in got.findings if f.level == "ERROR"] == [("SMS-3", "ERROR"), ("SMS-4", "ERROR")]
    assert by_rule(got.findings, "SMS-4") == [Finding("SMS-4", "ERROR", "催付短信须一条说完 (≤70字), 现按2条计",
                                                      "a reminder must fit one SMS (≤70 characters); now 2 parts")]


def test_a_70_character_reminder_fits():
    text = "【小美家居】亲，您的订单还未付款" + "哦" * 50 + "回T退订"
    assert len(text) == 70
    assert by_rule(reminder(text).findings, "SMS-4") == []


def test_a_reminder_names_the_shop_or_the_item():
    """SMS-4 (§4.1): name the shop or the item; long item names may be shortened to their first 6 characters."""
    no_name = Finding("SMS-4", "ERROR", "催付短信须写明店铺名或所购商品", "a reminder must name the shop or the item")
    text = "【好店】亲，您拍下的北欧布艺沙发还未付款~回T退订"
    assert no_name in reminder(text, shop_name="别家").findings
    assert no_name not in reminder(text, shop_name="别家", item_name="北欧布艺沙发三人位").findings
    assert no_name in reminder(text, shop_name="别家", item_name="南欧布艺沙发").findings
    assert no_name in reminder(text, shop_name=None).findings
    assert no_name not in reminder("【小美家居】亲，您的订单还未付款~回T退订").findings


# --- SMS-5: opt-out --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, needs", [("marketing", True), ("payment_reminder", True), ("refund_done", False),
                                         ("shipping_delay", False), ("follow_up", False)])
def test_which_kinds_need_an_opt_out(kind, needs):
    """SMS-5 (§4.1): marketing and, by default, 催付 need an opt-out; order notices do not."""
    text = "【小美家居】亲，小美家居的订单已处理，预计10月9日前发出"
    got = [f for f in check_sms(text, kind, shop_name=SHOP).findings if f.rule == "SMS-5" and f.level == "ERROR"]
    zh = KINDS_BY_ID[kind].zh
    assert got == ([Finding("SMS-5", "ERROR", f"{zh}短信须带退订方式 (如「回T退订」「拒收请回复R」)",
                            f"{kind} SMS needs an opt-out (回T退订 / 拒收请回复R / TD / N)")] if needs else [])
    if kind == "payment_reminder":
        off = check_sms(text, kind, shop_name=SHOP, policy=policy({"SMS-5.reminder_optout": "否"})).findings
        assert not [f for f in off if f.rule == "SMS-5"]


def test_an_opted_out_number_blocks_every_kind_by_default():
    """SMS-5 (§4.1): "Stop sending after an opt-out"; notices only warn when the 规则 sheet says so."""
    text = "【小美家居】您的退款已完成"
    block = Finding("SMS-5", "ERROR", "该号码已退订, 不要发送", "number opted out: do not send")
    assert block in check_sms(text, "refund_done", phone="138 0013 8000", opted_out={"13800138000"}).findings
    warn = check_sms(text, "refund_done", phone="13800138000", opted_out={"13800138000"},
                     policy=policy({"SMS-5.optout_blocks_notices": "否"})).findings
    assert Finding("SMS-5", "WARN", "该号码已退订营销短信; 通知类可发, 请确认",
                   "number opted out of marketing; notice allowed, confirm") in warn
    marketing = check_sms(text + "回T退订", "marketing", phone="13800138000", opted_out={"13800138000"},
                          policy=policy({"SMS-5.optout_blocks_notices": "否"}), send_at=T("2026-10-08 12:00")).findings
    assert block in marketing
    assert block not in check_sms(text, "refund_done", phone="13900139000", opted_out={"13800138000"}).findings


def test_a_notice_with_promotional_wording_is_warned():
    """SMS-5 (§4.1) via P19: a notice carrying promotions is commercial."""
    got = check_sms("【小美家居】您的退款已完成，进店领券满100减20", "refund_done").findings
    assert Finding("SMS-5", "WARN", "通知类短信含营销内容: 将按营销短信处理 (需退订和发送时段)",
                   "a notice with promotional wording is treated as marketing (opt-out + window)") in got
    assert check_sms("【小美家居】您的退款已完成", "refund_done").findings == []


# --- SMS-6: the send window -------------------------------------------------------------------------

@pytest.mark.parametrize("when, inside", [("2026-10-08 07:59:59", False), ("2026-10-08 08:00:00", True),
                                          ("2026-10-08 21:00:00", True), ("2026-10-08 21:00:01", False)])
def test_send_window_ends_edge_unsettled_default_both_ends_inside(when, inside):
    """SMS-6 (§4.1) default 08:00-21:00; whether 21:00:00 itself may send is not settled: ours, yes."""
    assert in_window(T(when)) is inside
    got = check_sms("【小美家居】上新啦~回T退订", "marketing", send_at=T(when))
    errors = by_rule(got.findings, "SMS-6")
    if inside:
        assert errors == [] and got.planned_send_at == T(when)
    else:
        nxt = "10-08 08:00" if T(when).hour < 8 else "10-09 08:00"
        assert errors == [Finding("SMS-6", "ERROR", f"计划{T(when):%H:%M}不在发送时段08:00-21:00内, 最早可在{nxt}发送",
                                  f"planned {T(when):%H:%M} is outside the 08:00-21:00 window; next allowed {nxt}")]
        assert got.planned_send_at == T("2026-" + nxt)


@pytest.mark.parametrize("when, inside", [("2026-10-08 21:30:00", True), ("2026-10-08 22:00:00", True),
                                          ("2026-10-08 22:00:01", False)])
def test_send_window_with_the_22_00_alternative(when, inside):
    """SMS-6 (§4.1) alternative 08:00-22:00 (P17; §5 example 36 passes at 21:30 under it)."""
    alt = policy({"SMS-6.end": "22:00"})
    assert in_window(T(when), alt) is inside


def test_next_send_time_before_and_after_the_window():
    assert next_send_time(T("2026-10-08 07:00")) == T("2026-10-08 08:00")
    assert next_send_time(T("2026-10-08 23:00")) == T("2026-10-09 08:00")
    assert next_send_time(T("2026-10-08 12:00")) == T("2026-10-08 12:00")


def test_a_window_across_midnight():
    night = policy({"SMS-6.start": "20:00", "SMS-6.end": "02:00"})
    assert in_window(T("2026-10-08 23:00"), night) and in_window(T("2026-10-08 01:59"), night)
    assert in_window(T("2026-10-08 20:00"), night) and in_window(T("2026-10-08 02:00"), night)
    assert not in_window(T("2026-10-08 12:00"), night) and not in_window(T("2026-10-08 02:00:01"), night)
    assert next_send_time(T("2026-10-08 12:00"), night) == T("2026-10-08 20:00")


def test_sending_now_outside_the_window_is_moved_not_refused():
    """SMS-6 (§4.1): without a planned time the message waits for the next window start (INFO)."""
    got = check_sms("【小美家居】上新啦~回T退订", "marketing", now=T("2026-10-08 22:15"))
    assert by_rule(got.findings, "SMS-6") == [Finding("SMS-6", "INFO", "当前不在发送时段08:00-21:00, 顺延到10-09 08:00",
                                                      "outside the 08:00-21:00 window now; scheduled for 10-09 08:00")]
    assert got.planned_send_at == T("2026-10-09 08:00")
    assert check_sms("【小美家居】上新啦~回T退订", "marketing").planned_send_at is None


def test_which_kinds_keep_the_window():
    """SMS-6 (§4.1) covers non-transactional SMS; 回访 too (our choice); 催付 by the policy switch."""
    late = T("2026-10-08 23:00")
    assert by_rule(check_sms("【小美家居】您的退款已完成", "refund_done", send_at=late).findings, "SMS-6") == []
    assert by_rule(check_sms("【小美家居】请评价本次服务", "follow_up", send_at=late).findings, "SMS-6")
    text = "【小美家居】亲，您的订单还未付款~回T退订"
    assert by_rule(reminder(text, send_at=late).findings, "SMS-6")
    off = policy({"SMS-6.reminder_window": "否"})
    assert not by_rule(reminder(text, send_at=late, policy=off).findings, "SMS-6")


# --- SMS-7: preferred reminder times, the 22:00 cut-off ------------------------------------------------

@pytest.mark.parametrize("when, warn", [("21:59:59", False), ("22:00:00", False), ("22:00:01", True)])
def test_students_before_22_00(when, warn):
    """SMS-7 (§4.1, S1 "晚上10点前"): students and others before 22:00."""
    t = T("2026-10-08 " + when)
    for customer in ("student", "other"):
        got = check_preferred_time(t, customer)
        assert got == ([Finding("SMS-7", "WARN", "学生及其他客户催付应在22:00前发送", "students and others: send before 22:00")]
                       if warn else [])
    off = policy({"SMS-6.reminder_window": "否"})
    via = reminder("【小美家居】亲，您的订单还未付款~回T退订", send_at=t, customer_type="student", policy=off)
    assert bool(by_rule(via.findings, "SMS-7")) is warn


@pytest.mark.parametrize("when, warn", [("11:29", True), ("11:30", False), ("13:30", False), ("13:31", True),
                                        ("16:59", True), ("17:00", False), ("18:30", False), ("18:31", True)])
def test_office_workers_at_lunch_or_before_leaving(when, warn):
    """SMS-7 (§4.1): office workers 11:30-13:30 and 17:00-18:30 (our clock times for S1's words)."""
    got = check_preferred_time(T("2026-10-08 " + when), "office")
    assert got == ([Finding("SMS-7", "WARN", f"上班族催付建议在午休或下班前 (11:30-13:30 / 17:00-18:30) 发送, 计划时间{when}",
                            f"office workers: send reminders at 11:30-13:30 / 17:00-18:30; planned {when}")]
                   if warn else [])


def test_no_customer_type_no_preference():
    assert check_preferred_time(T("2026-10-08 03:00"), None) == []
    assert check_preferred_time(T("2026-10-08 23:00"), "unknown") == []


def test_the_preferred_time_is_checked_after_the_window_moved_it():
    """SMS-6 then SMS-7: a reminder 'now' at 23:00 moves to 08:00, which an office worker is warned about."""
    got = reminder("【小美家居】亲，您的订单还未付款~回T退订", now=T("2026-10-08 23:00"), customer_type="office")
    assert [f.rule for f in got.findings if f.rule in ("SMS-6", "SMS-7")] == ["SMS-6", "SMS-7"]
    assert "计划时间08:00" in by_rule(got.findings, "SMS-7")[0].zh


# --- SMS-8: how often ----------------------------------------------------------------------------------

@pytest.mark.parametrize("paid, sent, warn", [
    (None, 0, None), (None, 1, "本单已催付1次 (上限1次), 不要再催"),
    ("499.99", 1, "本单已催付1次 (上限1次), 不要再催"),
    ("500.00", 1, None), ("500.00", 2, "本单已催付2次 (上限2次, 大单), 不要再催"),
])
def test_one_reminder_per_order_two_for_a_large_order_edge_unsettled_default_500_is_large(paid, sent, warn):
    """SMS-8 (§4.1): one 催付 per order, a second for large orders (threshold configurable; 500.00 itself counts)."""
    got = by_rule(reminder("【小美家居】亲，您的订单还未付款~回T退订", reminders_sent=sent,
                           paid_amount=Decimal(paid) if paid else None).findings, "SMS-8")
    if warn is None:
        assert got == []
    else:
        limit = 2 if "大单" in warn else 1
        assert got == [Finding("SMS-8", "WARN", warn,
                               f"order already reminded {sent}x (limit {limit}); do not send again")]


def test_reminder_count_is_only_for_reminders():
    got = check_sms("【小美家居】上新啦~回T退订", "marketing", reminders_sent=5, send_at=T("2026-10-08 12:00"))
    assert by_rule(got.findings, "SMS-8") == []


# --- SMS-9: promises -----------------------------------------------------------------------------------

def test_unkeepable_promises_and_the_delay_notice_time():
    """SMS-9 (§4.1): no "保证明天就能收到"; a delay notice states an approximate pick-up time."""
    kind = KINDS_BY_ID["shipping_delay"]
    got = check_promises("保证明天就能收到，预计10月9日发出", kind)
    assert got == [Finding("SMS-9", "WARN", "无法保证的承诺「保证明天就能收到」: 不要保证到货/发货时间, 改为「预计…」",
                           "unkeepable promise '保证明天就能收到': do not guarantee delivery; give an estimate")]
    assert check_promises("非常抱歉，仓库爆单，发货会晚一些", kind) == [Finding(
        "SMS-9", "WARN", "延迟通知须写明大致揽件/发货时间 (如「预计10月9日前发出」)",
        "a delay notice must state an approximate pick-up time")]
    assert check_promises("非常抱歉，发货会晚一些", KINDS_BY_ID["refund_done"]) == []
    assert has_time_estimate("预计3个工作日内发出") and not has_time_estimate("尽快发出")


# --- kinds and the memo ----------------------------------------------------------------------------------

def test_kinds_by_id_name_or_alias():
    assert resolve_kind("MARKETING").id == "marketing"
    assert resolve_kind(" 催付 ").id == resolve_kind("催付短信").id == "payment_reminder"
    assert resolve_kind(KINDS_BY_ID["refund_done"]) is KINDS_BY_ID["refund_done"]
    with pytest.raises(ValueError, match="unknown SMS kind '群发'"):
        resolve_kind("群发")


def test_the_memo_gives_the_same_answers_for_a_batch():
    """A batch shares the text checks per distinct text; the answers do not change."""
    memo = {}
    texts = ["【小美家居】" + OK_BODY, "【千牛通知】亲，您的订单还未付款~回T退订", "【小美家居】" + OK_BODY]
    shops = [SHOP, SHOP, "别家"]
    for text, shop in zip(texts, shops):
        with_memo = reminder(text, shop_name=shop, memo=memo, send_at=T("2026-10-08 12:10"), customer_type="office")
        plain = reminder(text, shop_name=shop, send_at=T("2026-10-08 12:10"), customer_type="office")
        assert with_memo.findings == plain.findings and (with_memo.chars, with_memo.parts) == (plain.chars, plain.parts)
    assert by_rule(reminder(texts[2], shop_name="别家", memo=memo).findings, "SMS-3")   # the shop is part of the key


def test_example_34_passes():
    """§5 example 34: 53 characters, one part, shop name within 7, opt-out present, 12:10 to an office worker."""
    text = "【小美家居】亲，您在小美家居拍下的北欧布艺沙发还未付款，库存紧张，今晚24点前付款即可按时发货哦~回T退订"
    got = reminder(text, send_at=T("2026-10-08 12:10"), customer_type="office")
    assert (got.chars, got.parts, got.verdict, got.text) == (53, 1, "PASS", text)


def test_a_reminder_keeps_its_signature_and_length_findings():
    """SMS-1 and SMS-2 apply to a 催付 as to any SMS (its own SMS-3/4 checks come on top)."""
    got = reminder("亲，小美家居提醒您的订单还未付款~回T退订")
    assert [f.rule for f in got.findings][:1] == ["SMS-1"]


def test_every_check_reads_the_workbooks_policy():
    """SMS-2 part size, SMS-7 cut-off: 规则 sheet numbers reach check_sms."""
    p = policy({"SMS-2.single": 20, "SMS-2.part": 10, "SMS-7.other_end": "21:00", "SMS-6.reminder_window": "否"})
    got = reminder("【小美家居】亲，您的订单还未付款~回T退订", policy=p, send_at=T("2026-10-08 21:30"),
                   customer_type="student")
    assert got.parts == 3
    assert by_rule(got.findings, "SMS-7") == [Finding("SMS-7", "WARN", "学生及其他客户催付应在21:00前发送",
                                                      "students and others: send before 21:00")]
    assert check_length("字" * 21, p)[1] == 3


def test_chat_only_wording_rules_do_not_apply_to_an_sms():
    """§4.3: "digits only" is a chat-reply rule (LINT-11); an SMS body of digits is not linted for it."""
    assert not [f for f in check_sms("【小美家居】123456", "refund_done").findings if f.rule.startswith("LINT")]


def test_a_window_of_a_single_minute():
    one = policy({"SMS-6.start": "08:00", "SMS-6.end": "08:00"})
    assert in_window(T("2026-10-08 08:00"), one) and not in_window(T("2026-10-08 12:00"), one)


def test_the_memo_keeps_each_customer_types_timing_apart():
    memo = {}
    off = policy({"SMS-6.reminder_window": "否"})
    text = "【小美家居】亲，您的订单还未付款~回T退订"
    office = reminder(text, send_at=T("2026-10-08 21:30"), customer_type="office", memo=memo, policy=off)
    student = reminder(text, send_at=T("2026-10-08 21:30"), customer_type="student", memo=memo, policy=off)
    assert by_rule(office.findings, "SMS-7") and not by_rule(student.findings, "SMS-7")
