"""Forbidden-phrase lint, rules.md §4.3 (addin.messages.lint)."""
import re

import pytest

from addin.messages.lint import LINT_RULES, lint


def rules(findings, level=None):
    return {f.rule for f in findings if level is None or f.level == level}


def test_table_is_data_with_ids_and_sources():
    ids = [r.id for r in LINT_RULES]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"LINT-\d\d", i) for i in ids)
    for r in LINT_RULES:
        assert r.level in {"INFO", "WARN", "ERROR"} and r.source and r.zh and r.en
        re.compile(r.pattern)


@pytest.mark.parametrize("text, rule, level", [
    ("亲稍等", "LINT-01", "ERROR"),
    ("请稍等哦", "LINT-01", "ERROR"),
    ("您等一下，我去问问", "LINT-02", "WARN"),
    ("对不起呢", "LINT-03", "WARN"),
    ("不好意思呢亲", "LINT-03", "WARN"),
    ("抱歉呢", "LINT-03", "WARN"),
    ("你要不要脸", "LINT-04", "ERROR"),
    ("你有没有数", "LINT-05", "ERROR"),
    ("你去投诉去,欢迎!", "LINT-06", "ERROR"),
    ("你还不会?", "LINT-07", "ERROR"),
    ("你自己不会查?", "LINT-08", "ERROR"),
    ("卧槽，又是你", "LINT-09", "ERROR"),
    ("我TM真服了", "LINT-10", "ERROR"),
    ("TM的", "LINT-10", "ERROR"),
    ("我ＴＭ", "LINT-10", "ERROR"),          # full-width
    ("我tm", "LINT-10", "ERROR"),
    ("这款暂时缺货了", "LINT-13", "WARN"),
    ("这不是我们的问题,我们不能负责哦", "LINT-14", "ERROR"),
    ("不可能,我们的产品都是经过检测的", "LINT-15", "ERROR"),
    ("你没有看清楚售后政策", "LINT-16", "WARN"),
    ("您不能退款", "LINT-16", "WARN"),
    ("这个不行", "LINT-17", "WARN"),
    ("不可以改价", "LINT-17", "WARN"),
    ("别家的都是假货", "LINT-18", "WARN"),
    ("我保证明天发货", "LINT-19", "WARN"),
])
def test_forbidden(text, rule, level):
    assert rule in rules(lint(text), level)


def test_replacement_in_message():
    f = next(f for f in lint("亲稍等") if f.rule == "LINT-01")
    assert "我现在马上帮您查询哦" in f.zh and "稍等" in f.zh


@pytest.mark.parametrize("text", ["你要不要脸", "你有没有数", "你去投诉去", "你还不会?", "你自己不会查?", "卧槽", "我TM"])
def test_jd_harassment_flag(text):
    found = lint(text)
    assert "JD-HAR" in rules(found, "ERROR")
    assert [f.rule for f in found].count("JD-HAR") == 1


def test_waiting_phrases_without_harassment():
    assert "JD-HAR" not in rules(lint("亲稍等，不行的"))


@pytest.mark.parametrize("text", [
    "不客气，这是我们应该做的",
    "不客气哦亲",
    "太不可思议了，效果真好",
    "我现在马上帮您查询哦",
    "感谢您的耐心等候，这是我为您查询到的结果哦",
    "正在努力为您查询中，请您耐心等待",
    "等了一下午的快递终于到了",
    "天猫TMALL官方旗舰店",
    "TMALL正品",
    "型号TM-300已补货",
    "XTM3 旗舰款",
    "品牌™正品保障",
    "如果不行的话我们给您换货",
    "质量保证，放心购买",
    "非常抱歉给您带来不便，我马上帮您处理",
    "亲，非常感谢您的好评，期待您再次光临~",
])
def test_no_false_positives(text):
    assert lint(text) == []


def test_emoji_and_digit_only_replies():
    assert "LINT-11" in rules(lint("666"), "WARN")
    assert "LINT-11" in rules(lint("👍👍"), "WARN")
    assert "LINT-12" in rules(lint("好的😊😊😊"), "WARN")
    assert lint("666", scope="sms") == []          # whole-text rule is for chat/review replies only
    assert lint("好的，订单号123456已发货") == []


def test_empty():
    assert lint("") == [] and lint(None) == []
