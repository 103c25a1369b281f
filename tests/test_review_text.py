"""Reading a review's text (addin.messages.review_text, issue 23): cue words with negation, hedges, turns.
Sentences marked (语料) are quotes from online_shopping_10_cats (SophonPlus/ChineseNlpCorpus)."""
import pytest

from addin.messages.review_text import NEGATIVE_CUES, POSITIVE_CUES, clauses, read_tone

# For each negative cue id: sentences where it counts, and sentences with its word where it does not.
CUE_EXAMPLES = {
    "leak": (["收到东西候里面竟然漏液了，还有虫子", "用了两天就漏水"], ["不会漏水", "没有漏液~保质期都在2019年"]),
    "broken": (["书拿到手的时候书面是坏的.比较不爽!", "外包装破损严重"],
               ["完好无破损", "套了几层网袋，没有坏的，苹果新鲜", "拿回家女儿乐坏了，很喜欢。"]),
    "return": (["显示真的很差，退货了", "准备退货"], ["担心要退货，结果很合适"]),
    "bad_quality": (["印刷质量极差 缺页 重复页 活像盗版书", "做工差"], ["质量不差", "一点也不差"]),
    "unusable": (["可惜用不了电信卡", "用了一周就不能用了"], ["没有不好用的地方"]),
    "fault": (["非常差劲买回了放在电脑上放感觉很卡不爽", "总是死机"],
              ["很棒，很顺畅不卡顿，拍照效果不错，好评！", "系统流畅，无卡顿", "一点也不卡"]),
    "not_good": (["只要到书店看一个标题就可以了。内容不怎么样。", "没有想象中好"], ["不是不怎么样，是很好"]),
    "disappointed": (["这本书就是垃圾，一点用处都没有。", "很失望"],
                     ["物流很快，还没有使用，应该不会失望", "超大的，手都拿不过来，希望质量不会令人失望！"]),
    "defect": (["机子有瑕疵，对京东无话可说", "颜色深的衣服掉色"],
               ["做工精细没有异味", "不掉色不起球", "无异味", "没有划痕", "给爸爸买的，外观无瑕疵。先用着看",
                "一用清扬,没有头皮屑。非常不错。", "划痕一点都没有", "本以为会有异味，结果没有"]),
    "wrong_items": (["少发了一个配件", "苹果好小，发错了"], ["目前还没发现问题，感觉还行", "没有少发漏发"]),
    "not_as_described": (["感觉不是正品，二维码也不能显示，不满意", "与实物不一样，颜色不怎么好看！"],
                         ["速度挺快，还没用，不知道是不是正品"]),
    "size": (["物流蛮快，快递哥服务态度好。内存太小", "裤子太长而且裤脚有点大"], ["不太大，正合适"]),
    "taste": (["有点难看，下次再也不买了！！！！", "苹果太酸"], ["一点也不难吃", "不酸"]),
    "slow": (["我订货有１０天了，怎么还没到啊？", "发货太慢"], ["物流不慢", "担心太慢，结果第二天就到了"]),
    "price": (["有法国人的浪漫,就是现在又降价了,郁闷", "太贵了"], ["价格不贵", "一点也不贵"]),
}


def test_every_cue_has_examples_and_ids_are_unique():
    ids = [cid for cid, *_ in NEGATIVE_CUES]
    assert len(set(ids)) == len(ids) and set(ids) == set(CUE_EXAMPLES)
    assert len({cid for cid, _ in POSITIVE_CUES}) == len(POSITIVE_CUES)


@pytest.mark.parametrize("cue, text", [(c, t) for c, (yes, _) in CUE_EXAMPLES.items() for t in yes])
def test_cue_counts(cue, text):
    assert cue in read_tone(text).cues


@pytest.mark.parametrize("cue, text", [(c, t) for c, (_, no) in CUE_EXAMPLES.items() for t in no])
def test_cue_negated_hedged_or_elsewhere(cue, text):
    assert cue not in read_tone(text).cues


# The negation patterns, and more of the kind from the corpus: no negative cue counts.
@pytest.mark.parametrize("text", [
    "做工精细没有异味", "不掉色不起球", "无异味", "完好无破损", "没有划痕", "不会漏水",
    "毫无破损", "一点也不卡", "并不卡顿", "未发现瑕疵", "从没死机过", "绝不掉色", "没有任何异味", "异味也没有",
    "画面清晰，音质好，不卡顿。值得入手",            # (语料)
    "试用了挺好，顺滑不打结，是正品",                  # (语料)
    "一直用滋源的 我觉得还不错 头皮不会发痒",          # (语料)
    "担心会漏水，用了一周没问题", "本以为会有异味", "如果坏了怎么办", "别家的都掉色，这家的很好",
])
def test_negated_cues_do_not_count(text):
    assert read_tone(text).cues == ()


@pytest.mark.parametrize("text", ["没几天就坏了", "没想到这么快就坏了", "不到一周就漏水"])
def test_words_that_only_look_like_negators(text):
    assert read_tone(text).verdict == "negative"


def test_clauses_split_at_punctuation_and_turns():
    assert clauses("颜色好看，但是掉色。不过便宜") == [("颜色好看", 1), ("掉色", 2), ("便宜", 2)]
    assert clauses("质量不错但有异味") == [("质量不错", 1), ("有异味", 2)]
    assert clauses("很好,可惜,漏水了") == [("很好", 1), ("漏水了", 2)]        # a lone turn turns the next clause
    assert clauses("但愿不漏水") == [("但愿不漏水", 1)]


@pytest.mark.parametrize("text, verdict", [
    ("质量太差了", "negative"),
    ("太小了，不新鲜", "negative"),                       # two complaints, no praise
    ("有很大的异味", "mixed"),                             # one mild complaint alone: a person reads it
    ("物流快,但是用了两天就漏水", "mixed"),                # the turn weighs the leak: at least as heavy as the praise
    ("颜色不错，但是尺码不对", "mixed"),
    ("衣服穿着还可以，就是快递有点慢。", "mixed"),          # (语料)
    ("虽然有点贵，但是不影响使用，推荐", "positive"),        # a concession does not count
    ("质量很好，颜色漂亮，物流很快，包装有点破损", "mostly_positive"),
    ("不错，很好用", "positive"),
    ("收到了", "none"),
])
def test_verdicts(text, verdict):
    assert read_tone(text).verdict == verdict


def test_negated_praise_is_a_complaint_and_quoted_from_its_negator():
    tone = read_tone("不是很满意")
    assert tone.cues == ("not_good",) and tone.words == ("不是很满意",)
    assert read_tone("不新鲜，不甜").verdict == "negative"
    assert read_tone("苹果很小，也不甜，说超难吃有点过，可是确实不好吃").verdict == "negative"   # (语料)
