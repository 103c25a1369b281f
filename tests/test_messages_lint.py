"""Forbidden-phrase lint, rules.md §4.3 (addin.messages.lint)."""
import random
import re
from pathlib import Path

import pytest

from addin.core.findings import Finding
from addin.core.parse import fold
from addin.messages.lint import HARASSMENT_NOTE, LINT_RULES, lint
from addin.messages.prefilter import Prefiltered, required_literals
from addin.messages.render import TemplateSet


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


# --- the literal pre-check gives the verdicts of the plain regexes -----------------------------------

# The team's Chinese CS documents (../shared/seeds beside the checkout), when they are there.
SEEDS = next((p / "shared" / "seeds" for p in Path(__file__).resolve().parents if (p / "shared" / "seeds").is_dir()),
             None)


def reference_lint(text, scope="reply"):
    """The straightforward implementation: every rule's regex searched on the folded text."""
    if not text:
        return []
    norm = fold(text)
    found, harassment = [], False
    for rule in LINT_RULES:
        if rule.scope not in ("all", scope):
            continue
        m = re.search(rule.pattern, norm, re.IGNORECASE if rule.ignore_case else 0)
        if m:
            hit = m.group(0) if len(m.group(0)) <= 20 else m.group(0)[:20] + "…"
            found.append(Finding(rule.id, rule.level, f"禁忌用语「{hit}」: {rule.zh}", f"forbidden phrase '{hit}': {rule.en}"))
            harassment |= rule.harassment
    if harassment:
        found.append(Finding("JD-HAR", "ERROR", *HARASSMENT_NOTE))
    return found


def corpus(n: int = 2500) -> list[str]:
    """Texts that hit, nearly hit and miss every rule: the default templates, every seed document's
    lines (Chinese CS material, when the shared folder is there), and random texts built from the rules'
    own literals, their near misses (a character dropped or changed), full-width and upper/lower case
    letters, digits, emoji and punctuation."""
    texts = [t for t in TemplateSet.defaults().values()]
    if SEEDS is not None:
        for path in sorted(SEEDS.glob("*.txt")):
            texts += [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    pieces = sorted({s for rule in LINT_RULES for s in (required_literals(rule.pattern) or ())}
                    | {"TM", "tm", "Tm", "ＴＭ", "TMD", "他妈", "TMALL", "TM-3", "x.TM", "不行的话", "等一下午", "😊", "👍",
                       "😊😊😊", "不可思议", "不客气", "保证质量", "我们", "您", "你", "还", "都", "不会", "吗", "？", "?", "的", "。", "！",
                       "检测", "合格", "质检", "产品", "有", "出", "别家", "假货", "垃圾", "666", " ", "\n", "-", "_", "/"})
    rnd = random.Random(12)
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(1, 6)):
            piece = rnd.choice(pieces)
            if len(piece) > 1 and rnd.random() < 0.3:                 # a near miss
                i = rnd.randrange(len(piece))
                piece = piece[:i] + rnd.choice(["", "x", "不", "亲", "。"]) + piece[i + 1:]
            parts.append(piece)
            if rnd.random() < 0.5:
                parts.append(rnd.choice(["亲", "，", "我们", "A", "1", "！", "谢谢", "哦", ""]))
        texts.append("".join(parts))
    return texts


def test_lint_matches_the_straightforward_implementation_on_a_corpus():
    texts = corpus()
    hits = 0
    for text in texts:
        for scope in ("reply", "sms"):
            expected = reference_lint(text, scope)
            assert lint(text, scope=scope) == expected, text
            hits += bool(expected)
    assert hits > len(texts) // 4          # the corpus exercises the rules, not only clean texts
    assert {f.rule for t in texts for f in reference_lint(t)} >= {r.id for r in LINT_RULES}


def test_prefilter_finds_what_the_regex_finds():
    """Every regex the messages checks gate with a pre-check: the same match (or none) on the corpus."""
    from addin.messages import reviews, sms, vendor_templates

    patterns = [(r.pattern, re.IGNORECASE if r.ignore_case else 0) for r in LINT_RULES]
    patterns += [(p, 0) for _, p in reviews.NEGATIVE_CUES] + [(p, 0) for _, p, *_ in reviews.SARCASM_RULES]
    patterns += [(p, 0) for _, p, *_ in sms.PROMISE_RULES]
    patterns += [(rx.pattern, rx.flags) for rx in (sms._OPT_OUT, sms._MARKETING_CUES, sms._TIME_EXPR, reviews._SPEC,
                                                   reviews._APOLOGY, reviews._THANKS_FOR_GOOD, vendor_templates._URL,
                                                   vendor_templates._PHONE, vendor_templates._QQ_WX)]
    patterns += [(r"(?i)abc", 0), (r"(?i:ab)c|d", 0), (r"\bk", re.IGNORECASE), (r"ß|ſ", re.IGNORECASE), (r"x{2,3}y", 0),
                 (r"(a|b)(c|d)e", 0), (r"a(?=b)c", 0), (r"[^a]b", 0)]
    texts = corpus(600) + ["ABC", "aBc", "KELVIN \u212a", "ſ", "ß", "xxy", "ade", "ac", "cb", "Ab"]
    for pattern, flags in patterns:
        gated, plain = Prefiltered(pattern, flags), re.compile(pattern, flags)
        for text in texts + [fold(t) for t in texts]:
            got, want = gated.search(text), plain.search(text)
            assert (got and got.span()) == (want and want.span()), (pattern, text)


def test_required_literals():
    assert required_literals(r"(?:对不起|不好意思|抱歉)呢") == {"对不起呢", "不好意思呢", "抱歉呢"}
    assert required_literals(r"不行(?!的话)|不可以") == {"不行", "不可以"}
    assert required_literals(r"TM(?:D)?", re.IGNORECASE) == {"tm"}
    assert required_literals(r"^[\W\d_]+$") is None                  # nothing literal to look for: the regex runs
    assert required_literals(r"a?b?") is None
    assert required_literals(r"(?i:ab)c") == {"c"}                    # an inline flag: only the part outside
