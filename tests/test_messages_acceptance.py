"""rules.md §5 acceptance cases 34-40 (SMS, forbidden phrases, review replies)."""
import datetime as dt

from addin.core.policy import DEFAULT_POLICY
from addin.messages.lint import lint
from addin.messages.reviews import Review, check_reply, classify_review
from addin.messages.sms import check_sms

EX34 = "【小美家居】亲，您在小美家居拍下的北欧布艺沙发还未付款，库存紧张，今晚24点前付款即可按时发货哦~回T退订"


def rules(findings, level=None):
    return {f.rule for f in findings if level is None or f.level == level}


def test_34_reminder_passes():
    c = check_sms(EX34, "payment_reminder", shop_name="小美家居", item_name="北欧布艺沙发",
                  send_at=dt.datetime(2026, 10, 8, 12, 10), customer_type="office")
    assert (c.chars, c.parts) == (53, 1)
    assert c.findings == []
    assert c.verdict == "PASS"
    assert c.planned_send_at == dt.datetime(2026, 10, 8, 12, 10)


def test_35_shop_name_not_in_first_7():
    text = "【千牛通知】亲爱的顾客您好，您在小美家居拍下的宝贝还未付款…"
    c = check_sms(text, "payment_reminder", shop_name="小美家居", send_at=dt.datetime(2026, 10, 8, 12, 10))
    assert "SMS-3" in rules(c.findings, "ERROR")
    assert c.verdict == "ERROR"


MARKETING_NO_OPT_OUT = "【小美家居】国庆全场满199减20，老顾客再送精美礼品，详情请进店查看~"


def test_36_marketing_without_opt_out_at_2130():
    at = dt.datetime(2026, 10, 8, 21, 30)
    c = check_sms(MARKETING_NO_OPT_OUT, "marketing", shop_name="小美家居", send_at=at)
    assert {"SMS-5", "SMS-6"} <= rules(c.findings, "ERROR")
    assert c.planned_send_at == dt.datetime(2026, 10, 9, 8, 0)

    late, errors = DEFAULT_POLICY.with_raw({"SMS-6.end": "22:00"})
    assert not errors
    c = check_sms(MARKETING_NO_OPT_OUT, "marketing", shop_name="小美家居", send_at=at, policy=late)
    assert "SMS-6" not in rules(c.findings)
    assert "SMS-5" in rules(c.findings, "ERROR")
    assert c.planned_send_at == at


def test_37_reminder_of_71_chars_is_two_parts():
    text = EX34.replace("北欧布艺沙发", "北欧布艺沙发三人位客厅小户型现代简约科技布网红款")
    assert len(text) == 71
    c = check_sms(text, "payment_reminder", shop_name="小美家居", send_at=dt.datetime(2026, 10, 8, 12, 10),
                  customer_type="office")
    assert c.parts == 2
    assert "SMS-4" in rules(c.findings, "ERROR")


def test_38_forbidden_phrases():
    wait = lint("亲稍等")
    assert "LINT-01" in rules(wait, "ERROR") and "JD-HAR" not in rules(wait)
    snark = lint("你自己不会查?")
    assert "ERROR" in {f.level for f in snark}
    assert "JD-HAR" in rules(snark, "ERROR")
    assert any("12" in f.zh and "100" in f.zh for f in snark if f.rule == "JD-HAR")


def test_39_five_star_negative_text_is_a_bad_review():
    review = Review(5, "物流快,但是用了两天就漏水")
    assert classify_review(review).route == "manual"       # issue 23: praise then a leak, a person decides
    findings = check_reply(review, "感谢亲的好评~")
    assert "RV-3" in rules(findings, "ERROR")
    review = Review(5, "质量太差，用了两天就漏水")             # clearly negative: the 差评 reply
    assert classify_review(review).route == "bad"
    findings = check_reply(review, "感谢亲的好评~")
    assert "RV-3" in rules(findings, "ERROR")


def test_40_long_photo_review_bare_thanks():
    review = Review(5, "沙发收到了，" + "做工很细致，坐着很舒服，颜色和图片一样，" * 15, has_photos=True)
    assert len(review.text) >= 300
    assert classify_review(review).route == "good_long"
    assert "RV-1" in rules(check_reply(review, "谢谢"), "ERROR")
