"""Review routing and reply checks, rules.md §4.2 (addin.messages.reviews)."""
import pytest

from addin.core.policy import DEFAULT_POLICY
from addin.messages.reviews import MANUAL, Review, check_reply, classify_review


def rules(findings, level=None):
    return {f.rule for f in findings if level is None or f.level == level}


@pytest.mark.parametrize("stars, text, photos, route", [
    (5, "很好用", False, "good"),
    (4, "还行，物流快", False, "good"),
    (5, "好" * 49, False, "good"),
    (5, "好" * 50, False, "good_long"),
    (5, "好", True, "good_long"),
    (3, "一般", False, "medium"),
    (2, "不太满意", False, "medium"),
    (1, "差", False, "bad"),
])
def test_routes(stars, text, photos, route):
    assert classify_review(Review(stars, text, photos)).route == route


def test_long_threshold_from_policy():
    p, _ = DEFAULT_POLICY.with_raw({"RV-1.long_chars": 20})
    assert classify_review(Review(5, "好" * 20), p).route == "good_long"


@pytest.mark.parametrize("text", [
    "收到就坏了", "外包装破损严重", "质量太差了", "做工差", "准备退货", "用了一周就不能用了", "很失望",
    "苹果太小，而且不新鲜，而且个别苹果有瑕疵！",          # online_shopping_10_cats
])
def test_five_star_clearly_negative_goes_bad(text):
    routing = classify_review(Review(5, text))
    assert routing.route == "bad" and routing.rerouted
    assert "RV-3" in rules(routing.findings) and "RV-5" in rules(routing.findings)


@pytest.mark.parametrize("text, said", [
    ("物流快,但是用了两天就漏水", "「漏水」"), ("颜色不错，但是尺码不对", "「尺码不对」"), ("有很大的异味", "「异味」"),
    ("很好看，就是有点掉色", "「掉色」"), ("衣服穿着还可以，就是快递有点慢。", "「有点慢」"),
])
def test_five_star_mixed_goes_to_a_person(text, said):
    routing = classify_review(Review(5, text))
    assert routing.route == MANUAL
    [note] = routing.findings
    assert note.rule == "RV-3" and note.level == "WARN" and note.zh.startswith(f"5星但提到{said}")


@pytest.mark.parametrize("text", [
    "不错，很好用", "质量不差，价格也不贵", "和图片差不多", "不好意思评价晚了，很满意", "虽然有点贵，但是不影响使用，推荐",
    "不过价格有点小贵，总体满意", "补了差价也值", "性价比不差", "一点都不差", "不太差", "就是不一样",
    "孩子吃了烧退了，很好用", "用了这个滚筒洗衣机省心多了",
    "做工精细没有异味", "不掉色不起球", "无异味", "完好无破损", "没有划痕", "不会漏水",
    "质量很好，颜色漂亮，物流很快，包装有点破损",
])
def test_no_negative_false_positives(text):
    assert classify_review(Review(5, text)).route in ("good", "good_long")


def test_one_star_praise_goes_to_a_person_other_stars_unchanged():
    routing = classify_review(Review(1, "很好，很快"))
    assert routing.route == MANUAL and routing.findings[0].zh.startswith("1星但内容是好评")
    assert classify_review(Review(1, "东西不错，就是物流太慢了")).route == "bad"
    assert classify_review(Review(1, "")).route == "bad"
    assert classify_review(Review(3, "很好，很快")).route == "medium"


def test_rv3_star_threshold_policy():
    four = Review(4, "质量太差，用了两天就漏水")
    assert classify_review(four).route == "bad"            # default: every good-star review
    literal, _ = DEFAULT_POLICY.with_raw({"RV-3.min_stars": 5})
    assert classify_review(four, literal).route == "good"


@pytest.mark.parametrize("reply", ["谢谢", "谢谢亲！", "感谢您的好评~", "谢谢亲的支持哦😊", "Thanks!", "感谢！欢迎再次光临"])
def test_bare_thanks_on_long_review(reply):
    assert "RV-1" in rules(check_reply(Review(5, "好评" * 30), reply), "ERROR")


def test_bare_thanks_fine_on_short_review():
    assert check_reply(Review(5, "好"), "谢谢亲") == []


def test_short_reply_on_long_review_warns():
    assert "RV-1" in rules(check_reply(Review(5, "x" * 60), "沙发坐着舒服就好~"), "WARN")


def test_interactive_reply_passes():
    reply = "亲，看到您说沙发坐感很好、颜色和图片一致，我们特别开心！科技布面料日常用湿布轻擦就能保持干净哦~"
    assert check_reply(Review(5, "沙发很好" * 20, has_photos=True), reply) == []


def test_rv3_thank_you_reply_to_negative_five_star():
    findings = check_reply(Review(5, "质量太差，用了两天就漏水"), "感谢亲的好评~")
    assert "RV-3" in rules(findings, "ERROR")


def test_rv4_thanks_for_good_review_on_real_bad_review():
    findings = check_reply(Review(1, "质量太差"), "感谢您的支持和认可~")
    assert "RV-4" in rules(findings, "ERROR") and "RV-5" in rules(findings, "INFO")


def test_thanks_for_feedback_is_fine_on_bad_review():
    findings = check_reply(Review(2, "发货慢"), "感谢您的反馈，让您不满意了，非常抱歉，我们已催促仓库加急发出。")
    assert rules(findings, "ERROR") == set() and rules(findings, "WARN") == set()


def test_bad_review_reply_without_apology_warns():
    findings = check_reply(Review(2, "发货慢"), "我们已经在加快发货了。")
    assert "RV-4" in rules(findings, "WARN")


def test_good_bad_reply_only_info():
    reply = "亲，很抱歉给您带来不好的体验，您反馈的漏水问题我们已安排换新，客服会主动联系您。"
    findings = check_reply(Review(1, "漏水"), reply)
    assert rules(findings, "ERROR") == set() and rules(findings, "WARN") == set()
    assert "RV-5" in rules(findings, "INFO")


@pytest.mark.parametrize("reply, level", [
    ("你脑子有问题吧，自己不会用怪产品", "ERROR"),
    ("呵呵，买不起就别买", "ERROR"),
    ("爱买不买", "ERROR"),
    ("职业差评师请绕道", "WARN"),
    ("亲，改成好评返现5元红包哦", "WARN"),
])
def test_rv7(reply, level):
    findings = check_reply(Review(1, "不好用"), reply)
    assert "RV-7" in rules(findings, level)
    if level == "ERROR":
        assert "JD-HAR" in rules(findings, "ERROR")


def test_jd_har_once_when_lint_and_rv7_both_fire():
    findings = check_reply(Review(1, "不好用"), "你自己不会查?呵呵")
    assert [f.rule for f in findings].count("JD-HAR") == 1


def test_rv2_spec_info():
    findings = check_reply(Review(5, "屏幕挺好的"), "亲，您的选择非常明智，我们的屏幕是1086P高清屏哦")
    assert "RV-2" in rules(findings, "INFO")
    assert rules(findings, "ERROR") == set()


def test_lint_applies_to_replies():
    assert "LINT-01" in rules(check_reply(Review(5, "好"), "稍等，我看看"), "ERROR")


def test_empty_reply():
    assert "RV-1" in rules(check_reply(Review(5, "好"), "  "), "ERROR")
