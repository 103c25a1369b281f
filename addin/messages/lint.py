"""Forbidden-phrase lint (rules.md §4.3 禁忌用语), applied to every review reply and SMS.

The rules are data (:data:`LINT_RULES`). Full-width ASCII is folded first (:func:`addin.core.parse.fold`), so
ＴＭ and ？ match like TM and ?; ™ is not read as TM. Patterns are written against false positives:

* 不行 / 不可以 are matched as whole phrases, never a bare 不 or 不可 (不客气, 不可思议 stay clean).
* 稍等 is matched only as that phrase; 等候 / 耐心等待 are fine. 等一下 is not 等一下午.
* Latin slang (TM, TMD) only fires when no Latin letter, digit, '-', '_', '.' or '/' touches it:
  天猫TMALL, TM-300, XTM3 or model numbers stay clean, 我TM / TM的 fire.

Rows flagged ``harassment`` are 讽刺/质问/挑衅/不文明 wording that JD punishes as 骚扰他人 (JD-HAR,
12-100 points, S0), also in review replies; they add one JD-HAR finding per text.

Not checkable from a single text (left to supervisors): "a result given after a long wait without
an apology" and "long fixed templates" (S0).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..core.findings import Finding
from ..core.parse import fold
from .prefilter import Prefiltered

_ASCII_EDGE_BEFORE = r"(?<![A-Za-z0-9_./-])"
_ASCII_EDGE_AFTER = r"(?![A-Za-z0-9_./-])"


@dataclass(frozen=True)
class LintRule:
    id: str
    pattern: str          # regex on the folded text
    level: str            # INFO | WARN | ERROR
    zh: str               # replacement / note for staff
    en: str
    source: str
    harassment: bool = False   # JD-HAR risk
    ignore_case: bool = False
    scope: str = "all"         # all | reply (chat/review reply only, not SMS)
    # Strings one of which every match contains (case-folded when ignore_case), for the literal
    # pre-check (prefilter.py); None: no such strings, the regex always runs. The tests check each.
    needs: tuple[str, ...] | None = None


_R = LintRule
LINT_RULES: tuple[LintRule, ...] = (
    _R("LINT-01", r"稍等", "ERROR", "改为「我现在马上帮您查询哦」", "say 'I'm checking it for you right now'",
       "S0 禁忌用语 (S3 请买家稍等 breaks it)",
       needs=("稍等",)),
    _R("LINT-02", r"等一下(?!午)", "WARN", "改为「我现在马上帮您查询哦」", "say 'I'm checking it for you right now'",
       "S0 禁忌用语",
       needs=("等一下",)),
    _R("LINT-03", r"(?:对不起|不好意思|抱歉)呢", "WARN", "用完整的致歉句, 如「非常抱歉给您带来不便, 我马上帮您处理」",
       "use a full apology sentence", "S0",
       needs=("对不起呢", "不好意思呢", "抱歉呢")),
    _R("LINT-04", r"要不要脸", "ERROR", "改为「您稍微辛苦一下, 小客服现在立刻去帮您查询噢」",
       "insulting; offer help instead", "S0", harassment=True,
       needs=("要不要脸",)),
    _R("LINT-05", r"有没有数", "ERROR", "改为「您稍微辛苦一下, 小客服现在立刻去帮您查询噢」",
       "provocative; offer help instead", "S0", harassment=True,
       needs=("有没有数",)),
    _R("LINT-06", r"去投诉去|(?:尽管|随便)(?:你|您)?去?投诉|欢迎(?:你|您)?去?投诉", "ERROR",
       "不要挑衅投诉, 改为「您反馈的问题我们已高度重视, 我先帮您核实清楚」", "do not dare the buyer to complain", "S0",
       harassment=True,
       needs=("投诉",)),
    _R("LINT-07", r"(?:你|您)(?:还|都)不会(?:[?？吗吧]|用|查|弄|看|操作)", "ERROR",
       "改为「您稍微辛苦一下, 小客服现在立刻去帮您查询噢」", "sarcastic; offer help instead", "S0", harassment=True,
       needs=("还不会", "都不会")),
    _R("LINT-08", r"(?:你|您)?自己不会(?:查|看)", "ERROR", "改为「您稍微辛苦一下, 小客服现在立刻去帮您查询噢」",
       "sarcastic ('can't you look it up yourself?'); offer help instead", "S0", harassment=True,
       needs=("自己不会查", "自己不会看")),
    _R("LINT-09", r"卧槽|我靠|我艹|握草", "ERROR", "不文明用语, 删除 (可改「噢, 天哪」)", "profanity; remove", "S0",
       harassment=True,
       needs=("卧槽", "我靠", "我艹", "握草")),
    _R("LINT-10", _ASCII_EDGE_BEFORE + r"TM(?:D)?" + _ASCII_EDGE_AFTER + r"|他妈的?", "ERROR",
       "不文明用语, 删除", "profanity (TM); remove", "S0", harassment=True, ignore_case=True,
       needs=("tm", "他妈")),
    _R("LINT-11", r"^[\W\d_]+$", "WARN", "不要只回表情或数字, 用完整句子回复", "do not answer with emoji or digits only",
       "S0 固定回复", scope="reply"),
    _R("LINT-12", r"[\U0001F300-\U0001FAFF\u2600-\u27BF]{3,}", "WARN", "连串表情, 改用文字", "string of emoji",
       "S0 固定回复"),
    _R("LINT-13", r"缺货", "WARN", "不要只说缺货: 给出替代款或退款方案", "offer an alternative or a refund", "S3",
       needs=("缺货",)),
    _R("LINT-14", r"不是我们的问题|(?:我们)?不(?:能|会)负责|与我们无关|跟我们没关系", "ERROR",
       "不推卸责任, 委婉说明原因并给出处理方案", "do not shift blame; explain tactfully and offer a fix", "S3",
       needs=("不是我们的问题", "不能负责", "不会负责", "与我们无关", "跟我们没关系")),
    _R("LINT-15", r"不可能[^。！!？?]{0,12}(?:检测|质检|合格)|(?:产品|商品|质量)[^。！!？?]{0,4}不可能(?:有|出)",
       "ERROR", "改为「非常抱歉给您带来不便, 我马上帮您解决」", "say sorry and offer to fix it", "S2",
       needs=("不可能",)),
    _R("LINT-16", r"(?:你|您)没有?看清楚|(?:你|您)不能(?:退款|退货|退换)", "WARN",
       "用「我们」代替「你」, 给出可选方案", "use 'we' instead of 'you' and offer options", "S2",
       needs=("看清楚", "不能退")),
    _R("LINT-17", r"不行(?!的话)|不可以", "WARN", "用肯定的方式表达否定 (如「我们可以为您…」)",
       "say no in an affirmative form", "S1",
       needs=("不行", "不可以")),
    _R("LINT-18", r"(?:别家|别人家|其他家|同行)(?:的)?[^。！!？?]{0,6}(?:假货|垃圾|山寨|质量差|不行)", "WARN",
       "不要诋毁同行", "do not disparage competitors", "S1",
       needs=("别家", "别人家", "其他家", "同行")),
    _R("LINT-19", r"我们?(?:向您|跟您|给您)?保证|保证(?:明天|今天|当天|一定|马上)", "WARN", "不做保证, 给出预计时间",
       "no guarantees; give an estimate", "S2",
       needs=("保证",)),
)
del _R

HARASSMENT_NOTE = ("京东「骚扰他人」风险 (轻微扣12分, 严重25分, 特别严重100分), 评价回复同样适用",
                   "JD 'harassing others' risk (JD-HAR: 12 / 25 / 100 points), review replies included")


# Each rule behind its literal pre-check (prefilter.py): a clean text costs a few substring tests
# instead of 19 alternatives tried at every character; the results are those of the plain regexes.
_COMPILED = tuple((rule, Prefiltered(rule.pattern, re.IGNORECASE if rule.ignore_case else 0, rule.needs))
                  for rule in LINT_RULES)
_ANY_FOLD = any(rx.fold for _, rx in _COMPILED)


def normalize(text: str) -> str:
    return fold(text)


def lint(text: str | None, *, scope: str = "reply") -> list[Finding]:
    """Findings for the forbidden phrases in ``text``. scope: "reply" (chat/review reply) or "sms"."""
    if not text:
        return []
    return list(_lint(text, scope))


@lru_cache(maxsize=20_000)          # a batch repeats its template texts; Findings are immutable
def _lint(text: str, scope: str) -> tuple[Finding, ...]:
    norm = normalize(text)
    folded = norm.casefold() if _ANY_FOLD else None
    findings: list[Finding] = []
    harassment = False
    for rule, rx in _COMPILED:
        if rule.scope != "all" and rule.scope != scope:
            continue
        m = rx.search(norm, folded)
        if not m:
            continue
        hit = m.group(0) if len(m.group(0)) <= 20 else m.group(0)[:20] + "…"
        findings.append(Finding(rule.id, rule.level, f"禁忌用语「{hit}」: {rule.zh}",
                                f"forbidden phrase '{hit}': {rule.en}"))
        harassment |= rule.harassment
    if harassment:
        findings.append(Finding("JD-HAR", "ERROR", *HARASSMENT_NOTE))
    return tuple(findings)
