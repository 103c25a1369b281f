"""What a review's text says, for RV-3: negative and positive cue words read clause by clause, with
negation, hedges and turns (issue 23).

* The text is cut into clauses at Chinese/ASCII punctuation and at a turn word (但是, 不过, 可惜 …).
* A cue word does not count when a negator stands before it in its clause (没有异味, 不掉色, 完好无破损,
  不会漏水, 一点也不卡) or a plain 没有 after it (划痕一点都没有), nor when the clause is a worry, a guess
  or about another shop (担心会漏水, 本以为会有异味, 别家的都掉色).
* A negated positive word is a negative one (不新鲜, 不是很满意, 没有想象中好).
* A clause after a turn weighs double: 外观好看，但是漏水 reads negative, 有点贵，但是好用 positive.

Every table is data with ids; the ids are what the tests and RV-3's note cite.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..core.parse import fold

# Negative cue words, as data: (id, how the RV-3 note names it, weight, pattern); weight 2: the word
# alone says the purchase went wrong (坏了, 漏水, 假货), 1: a complaint a happy buyer also makes (有点慢, 偏小). The negation, hedge and scope
# checks below apply to every one, so a pattern need not guard against 不/没有 itself.
NEGATIVE_CUES: tuple[tuple[str, str, int, str], ...] = (
    ("leak", "漏水漏气", 2, r"漏水|漏气|漏电|渗水|漏油|漏液|漏了|洒了|倒出来"),
    ("broken", "损坏", 2, r"(?<![乐高兴笑美累饿气])坏了|坏掉|坏的|坏果|烂了|烂掉|烂的|损坏|破损|破了|碎了|裂了|开裂|裂缝|断了|掉漆|变形|瘪了|压坏|摔坏"),
    ("return", "要退换", 2, r"退货|退款|退回去?|换货|要求换|投诉"),
    ("bad_quality", "质量差", 2, r"(?:很|太|真|好|特别|非常|极|超|巨|比较|相当|最)差|差劲|差评|差差|(?:质量|做工|服务|态度|效果|包装|物流|信号|音质|体验|口感|品质|屏幕|手感|性能)(?:很|太|真|特别|比较|有点|非常)?差(?!不多|价)"),
    ("unusable", "不能用", 2, r"不好用|不能用|用不了|没法用|无法使用|不能使用|不工作|不制冷|不加热|不出水|开不了机|开不了|充不进|充不上|不亮了?|不能开机|没反应|连不上|打不开|用不上"),
    ("fault", "故障", 1, r"死机|卡顿|很卡|太卡|卡死|重启|黑屏|花屏|闪退|发烫|断流|掉线|没信号|杂音|噪音大|耗电|不灵敏|失灵|反应慢|断网"),
    ("not_good", "不好", 1, r"没有(?:想象|预期|图片|描述|宣传|说的)[^，]{0,4}(?:好|大|甜|新鲜|快)|不怎么样|不咋样|不咋地|一般般|(?:质量|做工|效果|味道|体验|口感|感觉|品质|性价比|服务|包装|东西|产品|商品|货)(?:也?很?一般|不好|不行)|不行|不如"),
    ("disappointed", "不满意", 2, r"不满意?|失望|后悔|上当|被骗|骗人|骗子|欺骗|坑人|坑爹|太坑|垃圾|假货|假的|次品|劣质|山寨|翻新|智商税|不值|无语|郁闷|恶心|气人|生气|窝火|闹心|糟糕|悲剧|忽悠|黑心|奸商|再也不|不会再|最后一次|别买|慎买|不推荐|不建议|谁买谁|烂透|太烂|很烂|真烂"),
    ("defect", "瑕疵", 1, r"掉色|褪色|染色|起球|脱线|开线|线头|异味|有味道?|很臭|好臭|臭味|刺鼻|发霉|霉了|过期|临期|瑕疵|划痕|划伤|污渍|脏了|很脏|色差|缩水|起皱|掉毛|掉渣|虫眼|有虫|生虫|头皮屑|很痒|发痒|过敏|干枯|毛躁|打结"),
    ("wrong_items", "少发错发", 2, r"少发|漏发|错发|发错|少件|缺件|少了一|发的不是"),
    ("not_as_described", "与描述不符", 2, r"(?:与|和|跟)(?:描述|图片|图|实物|宣传|介绍|说明|照片)[^，]{0,3}(?:不符|不一样|不一致|差距|差别|相差)|不符|货不对板|不是正品|不像正品|没有宣传"),
    ("size", "尺码/大小不对", 1, r"(?:太|偏)(?:大|小|长|短|紧|肥|瘦|薄)了?|尺码不对|号码不对|不合身|个头(?:很|太|偏|比较)?小"),
    ("taste", "难吃难用", 1, r"(?:太|很|好|特别|有点)(?:酸|涩|苦)|难吃|难喝|难看|难闻|难用|难受"),
    ("slow", "太慢", 1, r"(?:太|好|很|非常|真|特别|巨|超|有点|比较)慢|慢死|慢得|等了[^，]{0,4}(?:天|周|星期)|还没(?:收到|到|发货)|没收到|迟迟"),
    ("price", "太贵", 1, r"(?:太|很|好|真|偏|有点|比较|超|死)贵|降价|价格(?:太|很|偏|有点|比较)?(?:高|贵)|价格波动"),
)
# Positive cue words: (id, pattern). Negated (不新鲜, 不是很满意) they count as negative.
POSITIVE_CUES: tuple[tuple[str, str], ...] = (
    ("good", r"不错|还可以|还行|可以的|挺大|干净|一流|合理|杠杠的|很好|挺好|真好|蛮好|太好|非常好|特别好|比较好|极好|还好|好用|好看|好吃|好喝|好闻|好评|五星|5星|满分"),
    ("satisfied", r"满意|喜欢|推荐|值得|也值|很值|值了|超值|物超所值|不影响|划算|实惠|便宜|性价比(?:比较|很|挺|超)?高|正品|正宗|放心|信赖|回购|一如既往|惊喜|开心|感谢|谢谢"),
    ("quality", r"新鲜|舒服|舒适|漂亮|精致|精美|结实|耐用|合身|柔软|清晰|流畅|顺滑|香|甜|好使|实用|方便|轻薄|大气|完美|完好|完整|齐全"),
    ("praise", r"给力|赞|棒|牛|优秀|专业|热情|周到|耐心|贴心|及时|速度快|就是快|很快|挺快|超快|飞快|发货快|物流快|送货快|快速|神速"),
)
# Words that negate a cue after them in the same clause, optionally with a few filler words between.
NEGATORS = ("没有", "没", "无", "不", "不会", "未", "毫无", "一点也不", "一点都不", "并不", "绝不", "从不", "从没", "从来没",
            "并没有", "不再", "不存在", "零", "并非")
_FILLERS = (r"有|让人|让我|令人|令我|叫人|任何|一点点?|一丝|丝毫|半点|什么|出现过?|发现|看到|闻到|感觉到?|觉得|会|再|太|怎么|是|明显的?|很|啥|的|那么|"
            r"这么|特别|一处|一个|都|也|过|被|算|能|像|够|大|如|存在")
# Phrases that hold a negator but do not negate what follows (没几天就坏了, 没想到会漏水, 不小心): masked first.
NOT_NEGATORS = r"没几天|没多久|没用几[天次]|没过多久|没两天|没一会|没想到|没料到|不到|不久|不一会|不小心|不知道?|不得不|不仅|不但|不管|不光|无论|无奈|不料|不用说|无法|不能|别人|别家|别的|无意"
# A cue after one of these in its clause is a worry, a guess, a condition or another shop, not this purchase.
HEDGES = r"不知道?是|希望|但愿|期待|担心|担忧|怕|以为|如果|万一|要是|假如|会不会|是不是|有没有|是否|防止|以免|避免|预防|别家|别人家|其他家|其它家|别的(?:店|家|牌子)|以前买的|之前买的|上次买的|实体店|外面买"
# A concession (虽然有点贵，但是…): its complaints do not count, the clause after the turn does.
CONCESSIONS = r"^(?:虽然|虽说|虽|尽管|即使|哪怕)"
# Turn words: the clause after one weighs double.
TURNS = r"但是|(?<![不])但(?!愿)|不过(?!如此)|可是|可惜|然而|只是|就是(?=[^好棒赞])|(?<![冷退忘])却|美中不足|唯一的?(?:缺点|不足|遗憾|不好)"
_SPLIT = re.compile(r"[,，.。!！?？;；:：~～、…\s/\\()（）\[\]【】\"“”'‘’*]+")

_NEG_RX = tuple((cid, w, re.compile(p)) for cid, _zh, w, p in NEGATIVE_CUES)
_POS_RX = tuple((cid, re.compile(p)) for cid, p in POSITIVE_CUES)
_NEGATED_BEFORE = re.compile(rf"(?:{'|'.join(sorted(NEGATORS, key=len, reverse=True))})(?:{_FILLERS}){{0,3}}$")
_NEGATED_AFTER = re.compile(r"^(?:也|都|的|了|情况|问题|现象|什么|一点|完全|根本|基本|几乎|是|之类|等)*(?:没有|没|无|不存在|全无)"
                            r"(?:出现|发现|看到|过)?$")
_NOT_NEG = re.compile(NOT_NEGATORS)
_HEDGE = re.compile(HEDGES)
_TURN = re.compile(TURNS)
_CONCESSION = re.compile(CONCESSIONS)
_LIST_JOIN = re.compile(r"[和或与及也]?")
CUE_ZH = {cid: zh for cid, zh, *_ in NEGATIVE_CUES}


@dataclass(frozen=True)
class Tone:
    """What the text says. ``verdict``: none (no cue at all), positive (only praise), mostly_positive,
    mixed, negative; the negative cue ids and words that counted, and the weight of each side (a clause
    counts once per side: its strongest negative word, 2 for a strong one, doubled after a turn)."""
    verdict: str
    cues: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    negative: int = 0
    positive: int = 0


def clauses(text: str) -> list[tuple[str, int]]:
    """(clause, weight): cut at punctuation and turn words; a clause after a turn weighs 2 (also when
    the turn word stands alone: 但是，漏水)."""
    out: list[tuple[str, int]] = []
    carry = False
    for part in _SPLIT.split(fold(text or "")):
        pieces = _TURN.split(part) if part else []
        for k, piece in enumerate(pieces):
            turned = carry or k > 0
            if piece:
                out.append((piece, 2 if turned else 1))
                carry = False
            elif k > 0:
                carry = True                 # a turn word at the end of the part turns the next clause
    return out


def _negation(clause: str, start: int, end: int) -> int | None:
    """Where the negator of the cue at clause[start:end] begins (a negator after it: ``end``), or None."""
    masked = _NOT_NEG.sub(lambda m: "□" * len(m.group(0)), clause[:start])
    before = _NEGATED_BEFORE.search(masked)
    if before:
        return before.start()
    return end if _NEGATED_AFTER.match(clause[end:]) else None


@lru_cache(maxsize=20_000)
def read_tone(text: str) -> Tone:
    cues: list[str] = []
    words: list[str] = []
    neg = pos = 0
    for clause, weight in clauses(text):
        conceded = bool(_CONCESSION.search(clause))
        taken: list[tuple[int, int]] = []         # spans already read, so 不满意 is not also 满意 negated
        negated_to = None                         # end of the last negated cue: 没有少发漏发 negates both
        clause_neg, clause_pos = 0, False
        for cid, strength, rx in _NEG_RX:
            for m in rx.finditer(clause):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                taken.append(m.span())
                if (conceded or _HEDGE.search(clause, 0, m.start()) or _negation(clause, m.start(), m.end()) is not None
                        or (negated_to is not None and _LIST_JOIN.fullmatch(clause, negated_to, m.start()))):
                    negated_to = m.end()
                    continue
                clause_neg = max(clause_neg, strength)
                if cid not in cues:
                    cues.append(cid)
                if m.group(0) not in words:
                    words.append(m.group(0))
        for cid, rx in _POS_RX:
            for m in rx.finditer(clause):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                taken.append(m.span())
                at = _negation(clause, m.start(), m.end())
                if at is not None:
                    if not (conceded or _HEDGE.search(clause, 0, m.start())) and at < m.start():     # 不新鲜, 不是很满意; 满意没有? asks
                        clause_neg = max(clause_neg, 1)
                        if "not_good" not in cues:
                            cues.append("not_good")
                        word = clause[at:m.end()]
                        if word not in words:
                            words.append(word)
                else:
                    clause_pos = True
        neg += weight * clause_neg
        pos += weight * clause_pos
    if not neg:
        return Tone("positive" if pos else "none", positive=pos)
    # Clearly negative: no praise anywhere and a strong word or two complaints (垃圾; 太小，不新鲜). One mild
    # complaint alone, or complaints at least as heavy as the praise, is for a person to read; praise that
    # outweighs the complaints is a happy buyer (很好用，物流快，包装有点破损). Tuned on the dev half of the
    # corpus (docs/dev/reviews.md).
    if not pos:
        verdict = "negative" if neg >= 2 else "mixed"
    else:
        verdict = "mixed" if neg >= pos else "mostly_positive"
    return Tone(verdict, tuple(cues), tuple(words), neg, pos)
