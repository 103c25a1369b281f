"""The SMS and review rows the message tests share: a shop's cases of each SMS kind with sample approved
vendor templates (SMS_1000000xx: not real codes), the texts tests' rows, a book built from them, and its send log."""
from __future__ import annotations

import datetime as dt

from addin.messages.vendor_templates import ApprovedTemplate
from addin.workbook.files.reader import read_workbook
from addin.workbook.sheets.new_book import build_workbook

SHOP = dict(shop_name="小美家居", platform="天猫")
SIG = "小美家居"
APPROVED = {
    "refund_done": ApprovedTemplate("refund_done", "SMS_100000001",
                                    "亲，您的订单${orderNo}退款${amount}元已处理完成，请留意到账~", SIG),
    "shipping_delay": ApprovedTemplate("shipping_delay", "SMS_100000002",
                                       "亲，您的订单${orderNo}需延迟发货，预计${eta}发出，补偿${amount}元~", SIG),
    "follow_up": ApprovedTemplate("follow_up", "SMS_100000003", "亲，您反馈的${item}问题已处理好，使用还正常吗？", SIG),
    "payment_reminder": ApprovedTemplate("payment_reminder", "SMS_100000004",
                                         "亲，您拍下的${item}还未付款，付款后尽快为您发货~回T退订", SIG),
}
REFUND = dict(SHOP, order_id="3000000000000001", phone="13800138001", reason="七天无理由退货", returned_amount=129,
              free_shipping="是", return_received_at=dt.datetime(2026, 11, 22, 9, 0), sms_kind="退款完成",
              item_name="记忆棉枕头")
DELAY = dict(SHOP, order_id="3000000000000002", phone="13800138002", reason="延迟发货", paid=89,
             paid_at=dt.datetime(2026, 11, 18, 9, 0), sms_kind="发货延迟通知", ship_eta="11月25日", item_name="台灯")
FOLLOW = dict(SHOP, order_id="3000000000000003", phone="13800138003", reason="其他", sms_kind="回访", item_name="电热水壶")
REMIND = dict(SHOP, order_id="3000000000000004", phone="13800138004", reason="未付款", paid=399, sms_kind="催付",
              item_name="羊毛地毯", customer_type="学生", send_at=dt.datetime(2026, 11, 23, 12, 10))


def book_with(tmp_path, rows, approved=APPROVED, name="cases.xlsx"):
    return build_workbook(tmp_path / name, rows, approved=approved)


def log_rows(path):
    grid = read_workbook(path, ["发送记录"])["发送记录"]
    return [dict(zip(grid[0], row)) for row in grid[1:]]


TEXT_ROWS = [
    # 2: payment reminder, passes
    dict(SHOP, order_id="3000001", phone="13800138001", reason="未付款", ordered_at=dt.datetime(2026, 11, 22, 21, 0),
         sms_kind="催付", item_name="北欧布艺沙发", paid=1299, customer_type="上班族", send_at=dt.datetime(2026, 11, 23, 12, 10)),
    # 3: same number is on the 退订名单 sheet
    dict(SHOP, order_id="3000002", phone="13800138002", reason="未付款", ordered_at=dt.datetime(2026, 11, 22, 21, 0),
         sms_kind="催付", item_name="羊毛地毯", paid=399, customer_type="上班族", send_at=dt.datetime(2026, 11, 23, 12, 10)),
    # 4: shipping-delay notice without the expected dispatch date the template needs
    dict(SHOP, order_id="3000003", phone="13800138003", reason="延迟发货", paid=100, sms_kind="发货延迟通知",
         item_name="加厚浴巾", delay_reason="仓库爆单"),
    # 5: buyer text that looks like a formula and like template syntax
    dict(SHOP, order_id="=HYPERLINK(\"http://x\")", buyer="=cmd|' /c calc'!A0", reason="中差评", review_stars=1,
         review_at="2026-11-20", review_text="+{{ 7*7 }} 质量太差了 -@SUM(A1)"),
    # 6: 5-star review with clearly negative words goes to the bad-review reply (RV-3)
    dict(SHOP, order_id="3000005", reason="中差评", review_stars=5, review_at="2026-11-20", review_text="质量太差，用了两天就漏水"),
    # 7: insurance payout notice speaks of the INS-1 deadline
    dict(SHOP, order_id="3000006", phone="13800138006", reason="质量问题", evidence="是", paid=88, return_postage=12,
         refund_done_at=dt.datetime(2026, 11, 21, 10, 0), insurance="买家购买", sms_kind="运费险理赔", item_name="台灯"),
]
