"""Review routing and reply checks, rules.md §4.2 (RV-1 … RV-7).

Routes: ``good`` (short good review), ``good_long`` (≥ RV-1.long_chars characters or with photos:
a bare 谢谢 is not enough), ``medium``, ``bad``. Stars map as on JD (4-5★ 好评, 2-3★ 中评, 1★ 差评;
policy RV-4.*). RV-3: a good-star review whose text is clearly negative goes to ``bad``; one whose
text is mixed, or a bad-star review with only praise, goes to ``manual`` (人工确认: no reply drafted,
the reason on the row); the text is read by :mod:`.review_text`. RV-3 covers every good-star review
by default (RV-3.min_stars = 4), set 5 for the literal S4 reading.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.findings import Finding
from ..core.policy import DEFAULT_POLICY, Policy
from ..core.parse import fold
from .lint import lint
from .review_text import CUE_ZH, NEGATIVE_CUES, read_tone   # noqa: F401 (the cue table is reviews' data)

ROUTES = ("good", "good_long", "medium", "bad")       # each has a reply template
MANUAL = "manual"                                      # 人工确认: no template, no reply drafted
ROUTE_ZH = {"good": "好评", "good_long": "用心好评(长评/带图)", "medium": "中评", "bad": "差评", MANUAL: "人工确认"}

# RV-7 wording that insults or mocks the buyer (JD-HAR), as data: (id, pattern, level, zh, en).
SARCASM_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("RV-7.insult", r"脑子|智商|眼瞎|瞎了|神经病|有病吧?|穷就别|买不起|活该|奇葩|矫情|玻璃心|事儿多|爱买不买|不买拉倒|滚蛋|滚开",
     "ERROR", "侮辱/讽刺买家", "insults or mocks the buyer"),
    ("RV-7.mock", r"呵呵|好笑|搞笑|无语|懂不懂|会不会用|看不懂吗", "ERROR", "嘲讽/质问语气", "mocking or interrogating tone"),
    ("RV-7.accuse", r"职业差评师|差评师|恶意差评|敲诈|勒索", "WARN",
     "仅在确认是职业差评师时才可强硬, 否则不要指责买家", "only firm with a confirmed professional bad-reviewer (RV-5)"),
    ("RV-7.reward", r"(?:好评|改评|追评|修改评价|删除?评价|删评)[^。！!？?]{0,10}(?:返现|红包|奖励|现金|补偿)"
                    r"|(?:返现|红包|奖励)[^。！!？?]{0,10}(?:好评|改评|追评|修改评价|删评)",
     "WARN", "不要以奖励/返现换好评或改评 (未核实的平台规则, 不放进模板)",
     "do not offer rewards for (changing) reviews (unresearched platform rule; keep out of templates)"),
)
_SARCASM = tuple((sid, re.compile(p), lvl, zh, en) for sid, p, lvl, zh, en in SARCASM_RULES)
_SARCASM_ANY = re.compile("|".join(f"(?:{p})" for _, p, *_ in SARCASM_RULES))

_THANKS_FOR_GOOD = re.compile(r"(?:感谢|谢谢|多谢|感恩)[^，,。！!？?]{0,8}(?<!不)(?:好评|五星|5星|认可|喜欢|满意|夸奖|肯定)")
_APOLOGY = re.compile(r"抱歉|对不起|歉意|不便|不好的(?:体验|感受)|添麻烦|不满意|见谅")
# Bare thanks: what is left after removing these filler tokens is empty.
_BARE_TOKENS = re.compile(
    r"谢谢|感谢|多谢|感恩|thanks?|thank\s*you|亲爱的|亲亲|亲|宝宝|您的|你的|您|你|的|好评|支持|光临|惠顾|评价|啦|哦|噢|喔|呢|哈|呀|啊|"
    r"非常|十分|万分|大大|么么哒|哒|欢迎|再次|下次|再来|[\W\d_]", re.IGNORECASE)
# RV-2: a spec-like token in a reply (S4's own example wrote 1086P for 1080P).
_SPEC = re.compile(r"\d+(?:\.\d+)?\s*(?:[PpKk](?![a-zA-Z])|mAh|W(?![a-zA-Z])|Hz|GB|TB|G(?![a-zA-Z])|英寸|寸|升|L(?![a-zA-Z])|ml|mm|cm|匹)")


@dataclass(frozen=True)
class Review:
    stars: int
    text: str = ""
    has_photos: bool = False
    platform: str | None = None        # TB / TM / JD / PDD


@dataclass
class Routing:
    route: str
    findings: list[Finding] = field(default_factory=list)   # RV-3 reroute note, RV-5 info
    negative_cues: list[str] = field(default_factory=list)

    @property
    def rerouted(self) -> bool:
        return bool(self.negative_cues)


def negative_cues(text: str) -> list[str]:
    """Ids of the NEGATIVE_CUES that count in ``text`` (RV-3): not negated, hedged or about another shop."""
    return list(read_tone(text or "").cues)


def classify_review(review: Review, policy: Policy = DEFAULT_POLICY) -> Routing:
    """The route by stars (RV-4), unless the text disagrees: clearly negative text under good stars is a
    差评 (RV-3); mixed text under good stars, or only praise under bad stars, goes to a person (人工确认)."""
    policy = policy or DEFAULT_POLICY
    stars = review.stars
    if stars >= policy["RV-4.good_min_stars"]:
        tone = read_tone(review.text or "") if stars >= policy["RV-3.min_stars"] else None
        if tone is not None and tone.verdict == "negative":
            return Routing("bad", [Finding("RV-3", "INFO", f"{stars}星但内容是差评 ({_said(tone)}): 按差评处理",
                                           f"{stars}-star review with negative text ({', '.join(tone.cues)}): handled as a bad review"),
                                   _approval()], list(tone.cues))
        if tone is not None and tone.verdict == "mixed":
            return Routing(MANUAL, [_manual(f"{stars}星但提到{_said(tone)}", f"{stars}-star review mentioning "
                                            f"{', '.join(tone.cues)}")], list(tone.cues))
        long = len(review.text or "") >= policy["RV-1.long_chars"] or review.has_photos
        return Routing("good_long" if long else "good")
    if stars >= policy["RV-4.medium_min_stars"]:
        return Routing("medium")
    if read_tone(review.text or "").verdict == "positive":
        return Routing(MANUAL, [_manual(f"{stars}星但内容是好评", f"{stars}-star review with only praise in the text")])
    return Routing("bad", [_approval()])


def _said(tone) -> str:
    """The words that counted, as the note quotes them: 「掉色」「异味」 (three at most)."""
    return "".join(f"「{w}」" for w in tone.words[:3])


def _manual(zh: str, en: str) -> Finding:
    return Finding("RV-3", "WARN", f"{zh}: 请人工确认后回复, 未起草回复", f"{en}: a person decides the reply; none drafted")


def _approval() -> Finding:
    return Finding("RV-5", "INFO", "差评回复须由主管或熟悉产品的同事撰写/审核后再发布",
                   "bad-review replies are written or approved by a supervisor before posting")


def is_bare_thanks(reply: str) -> bool:
    return not _BARE_TOKENS.sub("", fold(reply or ""))


def check_reply(review: Review, reply_text: str | None, policy: Policy = DEFAULT_POLICY,
                routing: Routing | None = None) -> list[Finding]:
    """Findings for a reply to ``review``: RV-1, RV-3/RV-4 tone, RV-7, RV-2 spec note, RV-5, lint."""
    policy = policy or DEFAULT_POLICY
    routing = routing or classify_review(review, policy)
    findings = list(routing.findings)
    reply = (reply_text or "").strip()
    if not reply:
        return findings + [Finding("RV-1", "ERROR", "回复为空: 每条评价都要回复", "empty reply: every review gets one")]
    norm = fold(reply)

    if routing.route == "good_long":
        why = "带图" if review.has_photos else f"{len(review.text)}字"
        if is_bare_thanks(reply):
            findings.append(Finding("RV-1", "ERROR", f"用心的评价 ({why}) 不能只回「谢谢」, 请针对内容互动回复",
                                    f"a detailed review ({why}) must not get a bare thank-you; reply to its content"))
        elif len(reply) < policy["RV-1.min_reply_chars"]:
            findings.append(Finding("RV-1", "WARN", f"回复过短 ({len(reply)}字), 请针对评价内容互动",
                                    f"reply too short ({len(reply)} characters) for a detailed review"))
    if routing.route == MANUAL:                # staff wrote a reply to a doubtful review: no thanks for a 好评 at least
        m = _THANKS_FOR_GOOD.search(norm)
        if m:
            findings.append(Finding("RV-3", "ERROR", f"评价内容提到问题, 不能回「{m.group(0)}」: 先看清买家说的问题再回复",
                                    "the text mentions a problem: do not thank for a good review"))
    elif routing.route in ("medium", "bad"):
        m = _THANKS_FOR_GOOD.search(norm)
        if m:
            rule = "RV-3" if routing.rerouted else "RV-4"
            findings.append(Finding(rule, "ERROR", f"这是{'内容为差评的好评' if routing.rerouted else ROUTE_ZH[routing.route]}, "
                                                   f"不能回「{m.group(0)}」: 按差评处理, 先致歉再说明处理方案",
                                    f"{'negative text under good stars' if routing.rerouted else routing.route + ' review'}: "
                                    f"do not thank for a good review; apologise and address the problem"))
        elif not _APOLOGY.search(norm):
            findings.append(Finding("RV-4", "WARN", "中差评回复缺少诚恳致歉, 请就事论事回应1-2个具体问题",
                                    "a medium/bad-review reply should apologise sincerely and address 1-2 points"))
    for sid, rx, level, zh, en in (_SARCASM if _SARCASM_ANY.search(norm) else ()):
        m = rx.search(norm)
        if m:
            findings.append(Finding("RV-7", level, f"「{m.group(0)}」: {zh}", f"'{m.group(0)}': {en}"))
    if any(f.rule == "RV-7" and f.level == "ERROR" for f in findings):
        findings.append(Finding("JD-HAR", "ERROR", "京东「骚扰他人」风险: 回复中有侮辱/讽刺用语 (12-100分)",
                                "JD 'harassing others' risk: insulting or sarcastic reply (12-100 points)"))
    spec = _SPEC.search(norm)
    if spec:
        findings.append(Finding("RV-2", "INFO", f"回复含规格「{spec.group(0)}」, 发布前请核对 (如1080P误写成1086P)",
                                f"reply states a spec '{spec.group(0)}': check it before posting"))
    lint_findings = lint(reply, scope="reply")
    if any(f.rule == "JD-HAR" for f in findings):
        lint_findings = [f for f in lint_findings if f.rule != "JD-HAR"]   # one JD-HAR per reply
    return findings + lint_findings
