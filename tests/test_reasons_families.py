"""Reasons that survive rewording (issue 18, point 3): the platforms' public reason lists, the keyword
families (RW-n), the case-by-case reasons and the new 未收到货 (not delivered) reason.

The wordings below are the platforms' own lists as public code carries them (sources: each list's
comment and docs/dev/reasons.md), not texts made up for the test. Matching runs the real parser; the
workbook tests import a real 千牛 export into a `new-workbook` book, run recalc and read the cells back.
"""
from __future__ import annotations

import datetime as dt

import pytest

from addin.core.case import Case, REASON_ZH, REASONS
from addin.core.deadlines import deadlines_for
from addin.core.engine import compute_case
from addin.core.freight import decide
from addin.core.parse import CellError, to_reason
from addin.core.reason_families import FAMILIES, family_of
from addin.core.reasons import REASON_RULES, ReasonRule, normalise_reason, read_reason
from addin.workbook.commands.importer import import_exports
from addin.workbook.commands.recalc import recalc
from addin.workbook.files.reader import read_workbook
from addin.workbook.files.xlsx_patch import SheetEdit, patch_workbook
from tests.helpers.books import rows_by_order
from tests.helpers.clock import NOW_IMPORT
from tests.helpers.exports import export_rows, qn_line, write_export

# 淘宝/天猫 buyer 退款原因, as copied in public apps (index ids: 40163928756 and 24089757565 the 退货退款 list;
# 41502112000 adds 误拍/重拍, 有瑕疵换货; 363076690 a TH001-TH014 table; 14163228244, 2287463385 and
# 11113166444 the 未收到货 / 已收到货 lists; 14396223748 the 已收到货 list; 5259480460 少件(含缺少配件) ...).
TAOBAO = (
    "7天无理由退换货", "退运费", "做工问题", "缩水／褪色", "大小／尺寸与商品描述不符", "颜色／图案／款式与商品描述不符",
    "材质面料与商品描述不符", "少件／漏发", "卖家发错货", "包装／商品破损／污渍", "包装/商品损坏/污渍", "假冒品牌",
    "未按约定时间发货", "发票问题", "质量问题", "误拍/重拍", "有瑕疵换货",
    "卖家错发/漏发", "商品需要维修", "大小/尺寸与描述不符", "商品质量问题/做工问题", "收到假货/假冒品牌", "其他",
    "不喜欢/不想要", "空包裹", "快递/物流一直未送到", "快递/物流无跟踪记录", "货物破损已拒签",
    "实际商品与描述不符", "做工粗糙/有瑕疵", "收到商品时有破损/污渍/变形",
    "商品成分描述不符", "生产日期/保质期与商品描述不符", "图片/产地/批号/规格等描述不符",
    "商品瑕疵", "颜色/尺寸/参数不符", "收到商品时有划痕或破损",
    "大小尺寸与商品描述不符", "颜色/图案/款式不符", "少件（含缺少配件）",
)
# 京东 售后 apply reasons: willio1690/OMS app/ome/lib/return.php and
# app/erpapi/lib/wms/matrix/yjdf/request/reship.php (jd_reason_name); index id 24193521418.
JD = ("7天无理由退货退款", "商品损坏/包装脏污", "少/错商品", "发错货", "商品与页面描述不符", "质量问题", "不合适/不满意", "其他")
# 拼多多 buyer 售后原因 (index ids 38506263503, 31405150642, 179160813; 53697285690 is a 拼多多 merchant client
# whose question_type 103 is 不喜欢、效果不好).
PDD = ("多拍、错拍、不想要", "不喜欢、效果不好", "货物与描述不符", "大小/重量与商品描述不符", "标签/批次/包装/成分等与商品描述不符",
       "质量问题", "收到商品少件、破损或污渍", "商家发错货", "其他", "不想要了", "商品成分描述不符", "材质与商品描述不符",
       "大小尺寸与商品描述不符", "生产日期、保质期与商品描述不符", "假冒品牌")
# 抖店 (鲁班 API) return reasons, all 13: willio1690/OMS app/erpapi/lib/shop/matrix/luban/request/aftersale.php.
DOUDIAN = ("收到商品少件 / 错件 / 空包裹", "不喜欢 / 效果不好", "功能故障", "商品材质 / 品牌 / 外观等描述不符",
           "生产日期 / 保质期 / 规格等描述不符", "其他", "大小／尺寸／重量与商品描述不符", "品种／规格／成分等描述不符",
           "少件／漏发", "商家发错货", "品种／产品／规格／成分等描述不符", "规格等描述不符", "做工粗糙 / 有瑕疵 / 有污渍")
# An ERP's after-sales import whose platform the code does not name (index id 9331298262; its 0 默认退货原因
# is the ERP's own placeholder, left out).
ERP = ("效果不好/不喜欢", "缺货", "不想要了", "尺码不合适", "大小尺寸与商品描述不符", "卖家发错货", "拍多了",
       "材质、面料与商品描述不符", "颜色、款式、图案与描述不符", "质量问题", "地址/电话信息填写错误",
       "商品信息拍错(规格/尺码/颜色等)", "未按约定时间发货", "快递一直未送到", "协商一致退款", "其他", "多拍/拍错/不想要",
       "发货速度不满意", "没用/少用优惠", "空包裹/少货", "付款之时起365天内,卖家未点击发货,自动退款给您")
LISTS = {"淘宝/天猫": TAOBAO, "京东": JD, "拼多多": PDD, "抖店": DOUDIAN, "ERP": ERP}


def test_every_public_list_maps_but_at_most_one_wording_in_fifty():
    wordings = [w for words in LISTS.values() for w in words]
    unknown = [w for w in wordings if read_reason(w) is None]
    assert len(wordings) >= 90
    assert len(unknown) * 50 <= len(wordings), unknown
    # 抖店's 13 are all known (the issue saw 9 of them refused)
    assert all(read_reason(w) for w in DOUDIAN)


@pytest.mark.parametrize("text,reason", [
    ("材质面料与商品描述不符", "misdescription"), ("缩水／褪色", "quality"), ("空包裹", "not_delivered"),
    ("快递/物流一直未送到", "not_delivered"), ("少件（含缺少配件）", "wrong_item"), ("误拍/重拍", "no_reason_return"),
    ("少/错商品", "wrong_item"), ("不合适/不满意", "no_reason_return"), ("商品损坏/包装脏污", "transit_damage"),
    ("不喜欢、效果不好", "no_reason_return"), ("做工粗糙 / 有瑕疵 / 有污渍", "quality"), ("功能故障", "quality"),
    ("收到商品少件 / 错件 / 空包裹", "wrong_item"), ("假冒品牌", "case_by_case"), ("发票问题", "case_by_case"),
    ("退运费", "case_by_case"), ("缺货", "case_by_case"), ("协商一致退款", "case_by_case"),
])
def test_the_public_wordings_read_as_the_rules_mean_them(text, reason):
    assert read_reason(text).reason == reason


# Family by family: wordings from the lists above it must catch, and tempting ones it must leave.
FAMILY_EXAMPLES = {
    "RW-1": (("假冒品牌", "收到假货/假冒品牌", "没用/少用优惠", "发货速度不满意", "退运费"),
             ("未按约定时间发货", "质量问题", "不想要了")),
    "RW-2": (("空包裹", "快递/物流无跟踪记录", "快递一直未送到", "空包裹/少货"),
             ("货物破损已拒签", "少件／漏发", "未按约定时间发货")),
    "RW-3": (("少/错商品", "少件（含缺少配件）", "卖家错发/漏发", "商家发错货"),
             ("商品信息拍错(规格/尺码/颜色等)", "误拍/重拍", "收到商品少件 / 错件 / 空包裹")),
    "RW-4": (("材质面料与商品描述不符", "颜色/尺寸/参数不符", "规格等描述不符", "商品与页面描述不符"),
             ("不喜欢 / 效果不好", "做工粗糙/有瑕疵", "包装/商品破损/污渍")),
    "RW-5": (("缩水／褪色", "功能故障", "商品瑕疵", "做工粗糙 / 有瑕疵 / 有污渍", "商品需要维修"),
             ("包装/商品破损/污渍", "生产日期/保质期与商品描述不符", "不合适/不满意")),
    "RW-6": (("包装/商品破损/污渍", "收到商品时有划痕或破损", "商品损坏/包装脏污", "货物破损已拒签"),
             ("做工粗糙/有瑕疵", "7天无理由退货退款", "少件／漏发")),
    "RW-7": (("误拍/重拍", "不合适/不满意", "多拍、错拍、不想要", "7天无理由退换货", "商品信息拍错(规格/尺码/颜色等)", "地址/电话信息填写错误"),
             ("颜色、款式、图案与描述不符", "功能故障", "空包裹")),
}


@pytest.mark.parametrize("family_id", [f.id for f in FAMILIES])
def test_each_family_catches_its_wordings_and_leaves_the_others(family_id):
    caught, left = FAMILY_EXAMPLES[family_id]
    for text in caught:
        assert family_of(normalise_reason(text)).id == family_id, text
    for text in left:
        found = family_of(normalise_reason(text))
        assert found is None or found.id != family_id, text


def test_family_words_are_in_normal_form_and_families_name_engine_reasons():
    for family in FAMILIES:
        assert family.reason in REASONS and family.reason != "late_shipment"    # it pays money: exact rows only
        assert all(normalise_reason(w) == w for w in family.words), family.id


def test_the_families_alone_agree_with_the_exact_rows_of_the_public_lists():
    """Rewording-proof: drop the exact row and the words still give the same reason, except the mixed
    wordings whose exact row settles a tie (listed)."""
    ties = {"RS-140", "RS-154"}      # 少件/错件/空包裹; 少件、破损或污渍
    rows = [r for r in REASON_RULES if r.source.startswith("L-") and r.reason in {f.reason for f in FAMILIES}]
    assert len(rows) >= 40
    differ = {r.id for r in rows if (f := family_of(normalise_reason(r.text))) is None or f.reason != r.reason}
    assert differ == ties


def test_a_staff_line_wins_over_the_table_and_the_families():
    staff = [ReasonRule("原因对照!5", "空包裹", "wrong_item"), ReasonRule("原因对照!6", "快递长时间未送达", "transit_damage")]
    assert read_reason("空包裹", extra=staff).reason == "wrong_item"
    found = read_reason("快递长时间未送达", extra=staff)
    assert (found.reason, found.rule, found.note) == ("transit_damage", "原因对照!6", None)
    found = read_reason("快递长时间未送达")           # without the line: the family (WeChat's wording, not in the table)
    assert (found.reason, found.rule) == ("not_delivered", "RW-2") and "按关键词归为「未收到货」" in found.note.zh


def test_a_type_or_an_unknown_text_is_still_refused():
    for text in ("退货退款", "付款之时起365天内,卖家未点击发货,自动退款给您", "延迟发货x"):
        with pytest.raises(CellError):
            to_reason(text)


def test_the_new_reasons_have_chinese_names_in_the_drop_down_vocabulary():
    assert REASON_ZH["not_delivered"] == "未收到货" and REASON_ZH["case_by_case"] == "需人工判断"
    assert to_reason("未收到货") == "not_delivered" and to_reason("需人工判断") == "case_by_case"


# --- what not delivered implies --------------------------------------------------------------------

T0 = dt.datetime(2026, 10, 10, 10, 0)


def test_not_delivered_has_no_return_leg_and_the_seller_pays():
    fr = decide(Case(platform="TB", reason="not_delivered", postage=None))
    assert (fr.rule, fr.out, fr.ret, fr.re) == ("F16", "seller", "-", "seller")
    assert [f.rule for f in fr.findings] == ["F16"]           # verify the carrier's proof first (S0)
    assert decide(Case(platform="TB", reason="not_delivered", evidence=True)).findings == ()
    # No 包邮 question: the freight does not rest on it.
    assert compute_case(Case(platform="TM", reason="not_delivered")).missing == []


def test_not_delivered_runs_the_shipped_refund_clock_unless_staff_say_not_shipped():
    kinds = {d.kind: d.at for d in deadlines_for(Case(platform="TB", reason="not_delivered", refund_requested_at=T0))}
    assert kinds == {"RF-TB.alert": T0 + dt.timedelta(days=3), "RF-TB.shipped": T0 + dt.timedelta(days=5)}
    typed = deadlines_for(Case(platform="TB", reason="not_delivered", refund_requested_at=T0, shipped=False))
    assert [d.kind for d in typed] == ["RF-TB.unshipped"]
    # Another reason with 退款时已发货 blank still starts no clock (unchanged).
    assert deadlines_for(Case(platform="TB", reason="quality", refund_requested_at=T0)) == []


def test_case_by_case_gives_a_short_note_and_no_error():
    for text in ("发票问题", "假冒品牌", "退运费", "缺货", "协商一致退款"):
        case = Case(platform="TB", reason=read_reason(text).reason, reason_note=read_reason(text).note,
                    paid=None, refund_requested_at=T0)
        result = compute_case(case)
        assert result.errors == [] and result.missing == [] and result.freight is None, text
        assert [f.zh for f in result.findings] == [f"需人工判断: {text}"]


# --- end to end: a 千牛 export, recalc, the cells read back ----------------------------------------

def test_recalc_writes_the_family_note_the_case_by_case_note_and_the_not_delivered_freight(new_book, tmp_path):
    lines = [qn_line("3000212345678901001", "187654321098701001", "快递长时间未送达", returned="否"),
             qn_line("3000212345678901002", "187654321098701002", "商品的质量问题"),
             qn_line("3000212345678901003", "187654321098701003", "发票问题", returned="否"),
             qn_line("3000212345678901004", "187654321098701004", "快递/物流一直未送到", returned="否",
                     status="买家已经申请退款，等待卖家同意"),      # still open: its clocks run
             qn_line("3000212345678901005", "187654321098701005", "空包裹", returned="否")]
    report = import_exports(new_book, [write_export(tmp_path / "退款报表.gbk.csv", export_rows("QN", lines))])
    assert report.added == 5 and not report.unknown_reasons
    # 原因对照: the shop says 空包裹 is a wrong item (its line wins over the table)
    grid = read_workbook(new_book, ["原因对照"])["原因对照"]
    patch_workbook(new_book, new_book, {"原因对照": SheetEdit(cells={(len(grid) + 1, 2): "空包裹", (len(grid) + 1, 4): "错发漏发"})})
    recalc(new_book, now=NOW_IMPORT)
    rows = rows_by_order(new_book)
    assert not any("错误" in r for r in rows.values()), {o: r.get("错误") for o, r in rows.items()}
    family = rows["3000212345678901001"]
    assert "按关键词归为「未收到货」" in family["提示"] and "RW-2" in family["规则编号"]
    assert family["运费规则"] == "F16" and family["退货运费承担"] == "-" and family["去程运费承担"] == "卖家"
    quality = rows["3000212345678901002"]
    assert "按关键词归为「质量问题」" in quality["提示"] and "RW-5" in quality["规则编号"]
    manual = rows["3000212345678901003"]
    assert "需人工判断: 发票问题" in manual["提示"] and "RS-171" in manual["规则编号"] and "运费规则" not in manual
    exact = rows["3000212345678901004"]
    assert "按关键词" not in exact.get("提示", "") and exact["运费规则"] == "F16"
    assert "已发货退款自动同意" in exact["全部时限"]            # the shipped clock from the request time
    staff = rows["3000212345678901005"]
    assert staff["运费规则"].startswith("F8") and "按关键词" not in staff.get("提示", "")
