"""Forbidden-phrase lint, rules.md §4.3 (addin.messages.lint)."""
import random
import re
from pathlib import Path

import pytest

from addin.core.findings import Finding
from addin.core.parse import fold
from addin.messages.lint import HARASSMENT_NOTE, LINT_RULES, lint
from addin.messages.prefilter import Prefiltered
from addin.messages.render import TemplateSet


def rules(findings, level=None):
    return {f.rule for f in findings if level is None or f.level == level}


def test_table_is_data_with_ids_and_sources():
    ids = [r.id for r in LINT_RULES]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"LINT-\d\d", i) for i in ids)
    for r in LINT_RULES:
        assert r.level in {"INFO", "WARN", "ERROR"} and r.source and r.zh and r.en
        re.compile(r.pattern)


FORBIDDEN = [
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
]


@pytest.mark.parametrize("text, rule, level", FORBIDDEN)
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
    """Texts that hit, nearly hit and miss every rule: the default templates, each rule's forbidden examples, every seed document's
    lines (Chinese CS material, when the shared folder is there), and random texts built from the rules'
    own literals, their near misses (a character dropped or changed), full-width and upper/lower case
    letters, digits, emoji and punctuation."""
    texts = [t for t in TemplateSet.defaults().values()] + [t for t, *_ in FORBIDDEN]   # every rule hit at least once
    if SEEDS is not None:
        for path in sorted(SEEDS.glob("*.txt")):
            texts += [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    pieces = sorted({s for rule in LINT_RULES for s in (rule.needs or ())}
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
    """Each lint rule behind its declared pre-check: the same match (or none) as the plain regex on the corpus."""
    texts = corpus(600)
    for rule in LINT_RULES:
        flags = re.IGNORECASE if rule.ignore_case else 0
        gated, plain = Prefiltered(rule.pattern, flags, rule.needs), re.compile(rule.pattern, flags)
        for text in texts + [fold(t) for t in texts]:
            got, want = gated.search(text), plain.search(text)
            assert (got and got.span()) == (want and want.span()), (rule.id, text)


def without(text, needs, ignore_case):
    """`text` with every occurrence of the `needs` strings broken (a character replaced by □)."""
    rx = re.compile("|".join(map(re.escape, needs)), re.IGNORECASE if ignore_case else 0)
    while m := rx.search(text):
        text = text[:m.start()] + "□" + text[m.start() + 1:]
    assert not any(s in (text.casefold() if ignore_case else text) for s in needs)
    return text


def pattern_texts(rule, n=3000):
    """Random texts built from the pieces of the rule's own pattern (its runs of Chinese and of Latin
    letters, not its declared strings): some pieces in the pattern's order with some skipped (which
    walks its alternatives and optional parts), others picked anywhere, with filler around them."""
    runs = re.findall(r"[A-Za-z]+|[^\x00-\x7f]+", rule.pattern)
    pieces = runs + [r[i:j] for r in runs for i in range(len(r)) for j in range(i + 1, len(r) + 1) if len(r) <= 6]
    filler = ["", "", "", "亲", "的", "，", "。", "x", "1", " ", "-", "我们", "您", "你"]
    rnd = random.Random(rule.id)
    texts = []
    for _ in range(n):
        parts = [rnd.choice(filler)]
        for _ in range(rnd.randint(1, 3)):
            if rnd.random() < 0.6:
                start = rnd.randrange(len(runs))
                parts += [r for r in runs[start:start + rnd.randint(1, 6)] if rnd.random() < 0.6]
            else:
                parts.append(rnd.choice(pieces))
            parts.append(rnd.choice(filler))
        text = "".join(parts)
        texts.append(text.lower() if rnd.random() < 0.3 else text)
    return texts


@pytest.mark.parametrize("rule", [r for r in LINT_RULES if r.needs], ids=lambda r: r.id)
def test_declared_needs_are_required(rule):
    """A rule's declared strings are really required: no text lacking all of them matches the pattern.
    Every text that matches (the rule's examples, the corpus, random texts from the pattern's own
    pieces) is checked again with each occurrence of the declared strings broken."""
    flags = re.IGNORECASE if rule.ignore_case else 0
    plain = re.compile(rule.pattern, flags)
    texts = [fold(t) for t, rule_id, _ in FORBIDDEN if rule_id == rule.id] + corpus(300) + pattern_texts(rule)
    matched = [t for t in texts if plain.search(t)]
    assert len(matched) >= 20, rule.id                      # the sample exercises the pattern
    for text in matched:
        stripped = without(text, rule.needs, rule.ignore_case)
        assert not plain.search(stripped), (rule.id, text, stripped)


def test_without_declared_strings_a_rule_always_runs_its_regex():
    # LINT-11/12 are classes and repeats: nothing literal to declare, so no rule may be skipped for them
    assert [r.id for r in LINT_RULES if r.needs is None] == ["LINT-11", "LINT-12"]
    assert Prefiltered(r"^[\W\d_]+$").possible("任何文字")


def test_prefiltered_folds_case_and_refuses_unusable_needs():
    gated = Prefiltered(r"(?i)tm", needs=("tm",))                     # an inline flag counts too
    assert gated.fold and gated.search("我TM").span() == (1, 3) and gated.search("我TN") is None
    assert Prefiltered(r"K", re.IGNORECASE, ("k",)).search("\u212a")   # Kelvin sign: casefold gives k
    with pytest.raises(ValueError):
        Prefiltered(r"TM", re.IGNORECASE, ("TM",))                     # never found in the folded text
    with pytest.raises(ValueError):
        Prefiltered(r"a?", needs=("",))
    with pytest.raises(ValueError):
        Prefiltered(r"a", needs=())
