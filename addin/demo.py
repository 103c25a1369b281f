"""Realistic sample cases: every platform and reason, typical spellings, and a few bad rows.

Used by `aftersales demo` and by the benchmark (which repeats them with varied ids and amounts).
"""
from __future__ import annotations

import datetime as dt
import random

T = dt.datetime.fromisoformat

SHOPS = {"淘宝": "小美家居", "天猫": "小美家居旗舰店", "京东": "小美家居京东自营", "拼多多": "小美家居拼多多店"}
ITEMS = [("北欧布艺沙发", 1299.00), ("不锈钢电热水壶", 89.00), ("纯棉四件套", 356.80), ("记忆棉枕头", 129.00),
         ("加厚浴巾", 39.90), ("落地台灯", 199.00), ("收纳箱三件套", 59.90), ("儿童保温杯", 16.55)]
NICKS = ["tb_小王", "快乐的小猪", "=HYPERLINK(\"http://x\")", "雨天的猫", "jd_李女士", "多多用户8832", "@阿强",
         "{{ 7*7 }}小号", "Linda_1988", "张三丰"]
REVIEWS = [(5, "物流快, 包装好, 很满意", False), (5, "物流快,但是用了两天就漏水", False),
           (3, "一般般吧, 颜色和图片有点色差", False), (1, "质量太差了, 线头很多, 申请退货", True),
           (5, "非常好用! 做工精细, 颜色和图片一样, 客服小姐姐也很耐心, 第二次回购了, 推荐给朋友们, 已经介绍了两个同事来买, 大家都说好",
            True)]


def sample_rows() -> list[dict]:
    """About 40 hand-written cases covering sections 1-3 of rules.md, plus bad input."""
    rows = [
        dict(platform="淘宝", reason="延迟发货", paid=89.00, paid_at=T("2026-10-08 09:12")),
        dict(platform="淘宝", reason="延迟发货", paid="¥1,299.00", paid_at=T("2026-10-08 10:00")),
        dict(platform="淘宝", reason="延迟发货", paid="356.80元", paid_at="2026/10/9 14:30"),
        dict(platform="淘宝", reason="延迟发货", paid=16.55, special_category="是", paid_at="2026年10月9日 8:05"),
        dict(platform="天猫", reason="延迟发货", paid=89.00, paid_at=T("2026-10-01 10:00")),
        dict(platform="天猫", reason="延迟发货", paid=1200, buyer="tb_小王", paid_at=T("2026-10-01 10:00")),
        dict(platform="天猫", reason="延迟发货", paid=900, buyer="tb_小王", paid_at=T("2026-10-01 20:00")),
        dict(platform="天猫", reason="延迟发货", paid="１２．００", paid_at=T("2026-10-02 11:00")),
        dict(platform="淘宝", reason="延迟发货", paid=200, promise_rate="30%", promise_cap=500,
             promise_at=T("2026-09-30 00:00")),
        dict(platform="京东", reason="延迟发货", paid=200),  # JD rate not configured: a clear error
        dict(platform="拼多多", reason="延迟发货", paid=59.9),  # likewise for PDD
        dict(platform="淘宝", reason="协商补偿", proposed=20, item_name="落地台灯"),
        dict(platform="淘宝", reason="与想象不符", proposed=35),
        dict(platform="天猫", reason="协商补偿", proposed=3),
        dict(platform="淘宝", reason="七天无理由退货", action="挽留-拒绝", category="家居", signed_at=T("2026-10-05 18:00"),
             free_shipping="是"),
        dict(platform="京东", reason="不当发布", paid=680.00),
        dict(platform="京东", reason="不当发布", paid=2500.00, override=300),
        dict(platform="京东", reason="赠品漏发", paid=399, gift_price=199, gift_has_sku="是"),
        dict(platform="京东", reason="价保", paid=2999, ordered_at=T("2026-09-28 10:00"), signed_at=T("2026-09-30 12:00"),
             price_drop=400, price_drop_at=T("2026-10-29 09:00")),
        dict(platform="淘宝", reason="七天无理由退货", signed_at=T("2026-09-29 15:20"), free_shipping="是", insurance="无"),
        dict(platform="淘宝", reason="七天无理由退货", signed_at="2026-09-24", free_shipping="否"),
        dict(platform="天猫", reason="七天无理由退货", return_received_at="2026-02-12", free_shipping="是",
             returned_amount=129),
        dict(platform="淘宝", reason="质量问题", refund_requested_at=T("2026-09-30 21:00"), shipped="否"),
        dict(platform="淘宝", reason="质量问题", refund_requested_at=T("2026-02-13 10:00"), shipped="是", evidence="是",
             return_postage=12.00),
        dict(platform="淘宝", reason="七天无理由退货", refund_done_at=T("2026-10-01 11:00"), insurance="卖家赠送",
             free_shipping="是", confirmed="否"),
        dict(platform="天猫", reason="未付款", ordered_at=T("2026-02-16 20:00"), sms_kind="催付", customer_type="上班族",
             send_at=T("2026-11-23 12:10"), paid=1299, item_name="北欧布艺沙发", shop_name="小美家居"),
        dict(platform="淘宝", reason="未付款", ordered_at=T("2026-11-22 21:40"), sms_kind="催付", customer_type="学生",
             send_at=T("2026-11-22 21:45"), paid=59.9, shop_name="小美家居"),
        dict(platform="天猫", reason="延迟发货", paid=356.8, sms_kind="发货延迟通知", ship_eta="11月25日",
             delay_reason="仓库爆单", shop_name="小美家居"),
        dict(platform="淘宝", reason="七天无理由退货", free_shipping="是", sms_kind="退货地址", shop_name="小美家居",
             return_address="浙江省杭州市余杭区仓前街道文一西路1号 小美家居售后部 0571-88886666"),
        dict(platform="淘宝", reason="质量问题", evidence="是", return_postage=12, refund_done_at=T("2026-11-21 10:00"),
             insurance="买家购买", sms_kind="运费险理赔", shop_name="小美家居"),
        dict(platform="淘宝", reason="中差评", review_at="2026-11-20", review_stars=5, review_text="物流快,但是用了两天就漏水"),
        dict(platform="天猫", reason="中差评", review_at="2026-11-20", review_stars=3, review_text="一般般吧, 颜色和图片有点色差"),
        dict(platform="淘宝", reason="其他", review_stars=5, has_photos="是", review_text=REVIEWS[4][1]),
        dict(platform="京东", reason="中差评", review_at="2026-11-19", review_stars=1,
             review_text="质量太差了, 线头很多, 申请退货 {{ 7*7 }}"),
        dict(platform="淘宝", reason="延迟发货", paid=129, promise_at="2026-02-13"),
        dict(platform="淘宝", reason="其他", court_notice_at="2026-09-28"),
        dict(platform="京东", reason="质量问题", jd_evidence_at=T("2026-10-01 14:01"), jd_dispute_at=T("2026-10-01 09:00")),
        dict(platform="京东", reason="其他", jd_closed_at="2026-02-14"),
        dict(platform="淘宝", reason="中差评", review_at="2026-01-20", review_stars="★☆☆☆☆"),
        dict(platform="淘宝", reason="其他", resolved_at=T("2026-10-01 16:00"), complaint_at=T("2026-10-01 09:20")),
        dict(platform="淘宝", reason="七天无理由退货", free_threshold=99, order_total=110, returned_amount=50, postage=8),
        dict(platform="淘宝", reason="尺码不合适换货", free_shipping="是"),
        dict(platform="淘宝", reason="退款后仍发货", returned_amount=199),
        dict(platform="淘宝", reason="七天无理由退货", free_shipping="是", address_mismatch="是", return_postage=18,
             normal_return_postage=12),
        dict(platform="天猫", reason="错发漏发", evidence="是", return_postage=10),
        dict(platform="京东", reason="质量问题", refund_requested_at=T("2026-11-21 15:00"), evidence="是"),
        dict(platform="淘宝", reason="物流破损", evidence="是", signed_at=T("2026-11-20 10:00")),
        # Bad input: each gets a bilingual error naming its cell; the other rows still compute.
        dict(platform="淘宝", reason="延迟发货", paid="八十九"),
        dict(platform="淘宝", reason="延迟发货", paid=-89),
        dict(platform="快手", reason="延迟发货", paid=89),
        dict(platform="天猫", reason="退货退款", paid=89),
        dict(platform="淘宝", reason="七天无理由退货", signed_at="十月五号"),
        dict(platform="天猫", reason="延迟发货", paid=89, paid_at=T("2026-10-05 10:00"), signed_at=T("2026-10-03 10:00")),
        dict(platform="淘宝", reason="延迟发货"),
        dict(platform=None, reason="延迟发货", paid=50),
    ]
    rng = random.Random(2026)
    for i, r in enumerate(rows, start=1):
        platform = r.get("platform") or "淘宝"
        item, price = ITEMS[i % len(ITEMS)]
        r.setdefault("order_id", f"{3 if platform in ('淘宝', '天猫') else 2}{2026_1001_0000 + i * 7919:015d}")
        r.setdefault("shop_name", SHOPS.get(platform, "小美家居"))
        r.setdefault("buyer", NICKS[i % len(NICKS)])
        r.setdefault("phone", f"13{rng.randrange(100000000, 999999999)}")
        r.setdefault("item_name", item)
        if r.get("platform") is None:
            r.pop("platform")
    return rows


# Sample approved vendor templates, clearly marked: "SMS_示例…" is not a real TemplateCode. A shop copies
# its own codes, approved texts and signature from the vendor console into the 模板 sheet instead.
SAMPLE_APPROVED = {
    "payment_reminder": ("SMS_示例01", "亲，您拍下的${item}还未付款，付款后我们会尽快为您安排发货哦~回T退订"),
    "shipping_delay": ("SMS_示例02", "亲，非常抱歉，您的订单${orderNo}因${reason}需延迟发货，预计${eta}揽件发出，给您添麻烦了~"),
    "refund_done": ("SMS_示例03", "亲，您的订单${orderNo}退款${amount}元已处理完成，将按原支付方式退回，请留意到账通知~"),
    "return_address": ("SMS_示例04", "亲，您的退货申请已同意，请将商品寄回：${address}，寄出后请在订单里填写快递单号~"),
    "insurance_payout": ("SMS_示例05", "亲，您的退货退款已完成，运费险理赔预计${deadline}前到账，请留意账户通知~"),
    "follow_up": ("SMS_示例06", "亲，您反馈的${item}问题已处理好，现在使用还正常吗？如有问题请随时联系我们~"),
}
SAMPLE_SIGNATURE = "小美家居"


def sample_approved() -> dict:
    """kind id -> ApprovedTemplate for the demo (examples, not real codes): each approved by 阿里云 (${name})
    and by 腾讯云 (the same text with {1} … {N}, template ids 示例1001 …)."""
    from addin.messages.vendor_templates import VAR_PATTERN, ApprovedTemplate
    out = {}
    for n, (kind, (code, text)) in enumerate(SAMPLE_APPROVED.items(), start=1):
        names: list[str] = []
        tencent_text = VAR_PATTERN.sub(lambda m: "{%d}" % (names.append(m.group(1)) or len(names)), text)
        out[kind] = ApprovedTemplate(kind, code, text, SAMPLE_SIGNATURE, tencent_id=f"示例{1000 + n}",
                                     tencent_text=tencent_text)
    return out


def bulk_rows(n: int, seed: int = 7) -> list[dict]:
    """n varied cases for benchmarks: the sample cases cycled with fresh ids, amounts and dates."""
    base = [r for r in sample_rows()]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        r = dict(base[i % len(base)])
        r["order_id"] = f"{4000000000000000 + i}"
        if isinstance(r.get("paid"), (int, float)) and r["paid"] > 0:
            r["paid"] = round(rng.uniform(9.9, 2999), 2)
        if isinstance(r.get("paid_at"), dt.datetime):
            r["paid_at"] = r["paid_at"] + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        out.append(r)
    return out
