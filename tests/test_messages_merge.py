"""merge_rows(): the workbook layer's entry point (addin.messages.merge)."""
import datetime as dt

import pytest

from addin.core.policy import DEFAULT_POLICY
from addin.messages import FIELDS, MergeResult, TemplateSet, merge_rows
from addin.messages.sms import KINDS
from tests.helpers.clock import NOW_SMS_EXAMPLE

SHOP = dict(shop_name="小美家居", platform="天猫", phone="13800138000", buyer_nick="tb_小王", order_id="3812345678901234567",
            item_name="北欧布艺沙发三人位", paid_amount=899.0, customer_type="上班族")
TYPICAL = dict(SHOP, ship_eta="10月9日前", refund_amount=899, return_address="浙江省杭州市余杭区文一西路1号 小美家居售后收 0571-88886666",
               promo_text="国庆全场满199减20", deadline_text="10月4日 11:00前", payer="buyer", compensation=269.7)


def rules(findings, level=None):
    return {f.rule for f in findings if level is None or f.level == level}


def merge(rows, templates=None, policy=None, now=NOW_SMS_EXAMPLE, opted_out=()):
    return merge_rows(rows, templates or TemplateSet.defaults(), policy or DEFAULT_POLICY, now=now, opted_out=opted_out)


def test_fields_table():
    names = [f.name for f in FIELDS]
    assert len(names) == len(set(names))
    for required in ("shop_name", "buyer_nick", "phone", "item_name", "platform", "order_id", "paid_amount", "stars",
                     "review_text", "has_photos", "sms_kind", "send_at", "customer_type", "compensation",
                     "deadline_text", "payer"):
        assert required in names
    assert all(f.zh and f.en for f in FIELDS)


@pytest.mark.parametrize("kind", [k.id for k in KINDS])
def test_default_sms_templates_pass_with_typical_values(kind):
    [r] = merge([dict(TYPICAL, sms_kind=kind)])
    assert r.sms_verdict == "PASS", r.sms_reasons_text
    assert r.ok_to_send and r.sms_text.startswith("【小美家居】")
    if kind == "payment_reminder":
        assert r.sms_parts == 1 and "小美家居" in r.sms_text[:7] and "回T退订" in r.sms_text


def test_default_reminder_fits_one_sms_with_a_long_item_name():
    [r] = merge([dict(SHOP, sms_kind="催付", item_name="北欧布艺沙发三人位客厅小户型现代简约科技布网红款")])
    assert r.sms_parts == 1 and r.sms_verdict == "PASS"


@pytest.mark.parametrize("stars, text, photos, route", [
    (5, "很好", False, "good"), (5, "沙发很舒服" * 12, True, "good_long"), (3, "一般般吧", False, "medium"),
    (1, "发货太慢了", False, "bad"), (5, "质量太差，用了两天就漏水", False, "bad"),
])
def test_default_review_templates_pass(stars, text, photos, route):
    [r] = merge([dict(SHOP, stars=stars, review_text=text, has_photos=photos)])
    assert r.review_route == route
    assert r.reply_verdict == "PASS", r.reply_reasons_text
    assert r.sms_verdict is None and r.sms_text is None and not r.ok_to_send


@pytest.mark.parametrize("stars, text, note", [
    (5, "物流快,但是用了两天就漏水", "5星但提到「漏水」"), (4, "很好看，就是有点掉色", "4星但提到「掉色」"),
    (1, "很好，很快", "1星但内容是好评"),
])
def test_doubtful_review_goes_to_a_person_without_a_reply(stars, text, note):
    [r] = merge([dict(SHOP, stars=stars, review_text=text)])
    assert r.review_route == "manual" and r.reply_text is None and r.reply_verdict == "WARN"
    assert r.reply_reasons_text.startswith(f"提醒: {note}: 请人工确认后回复")


def test_case_sheet_keys_are_aliases():
    row = dict(shop_name="小美家居", buyer="tb_小王", phone="13800138000", item_name="沙发", paid=899, review_stars=1,
               review_text="坏了", comp_amount=26.7, ret_payer="seller", sms_kind="退货地址", return_address="杭州")
    ts = TemplateSet.defaults().with_overrides({"review_bad": "{{ buyer_nick }}亲，很抱歉，补偿{{ compensation|yuan }}元"})
    [r] = merge([row], templates=ts)
    assert r.review_route == "bad" and r.reply_text == "tb_小王亲，很抱歉，补偿26.70元"
    assert "退货运费由商家承担" in r.sms_text


def test_row_without_review_or_sms():
    [r] = merge([dict(SHOP)])
    assert r == MergeResult(0)


def test_review_and_sms_in_one_row():
    [r] = merge([dict(SHOP, stars="好评", review_text="好", sms_kind="回访")])
    assert r.review_route == "good" and r.sms_kind == "follow_up" and r.ok_to_send


def test_missing_field_is_a_row_error():
    rows = [dict(SHOP, sms_kind="发货延迟通知"), dict(TYPICAL, sms_kind="发货延迟通知", phone="13900000000")]
    first, second = merge(rows)
    assert first.sms_verdict == "ERROR" and not first.ok_to_send and first.sms_text is None
    assert "FIELD" in rules(first.sms_reasons, "ERROR")
    assert "ship_eta" in first.sms_reasons_text and "预计发货时间" in first.sms_reasons_text
    assert second.sms_verdict == "PASS"


def test_blank_cells_count_as_missing():
    [r] = merge([dict(SHOP, item_name="  ", sms_kind="催付")])
    assert r.sms_verdict == "ERROR" and "item_name" in r.sms_reasons_text


def test_broken_template_errors_every_row_but_never_raises():
    ts = TemplateSet.defaults().with_overrides({"payment_reminder": "亲，{{ shop_name }拍下的宝贝还未付款"})
    results = merge([dict(SHOP, sms_kind="催付", phone=f"1380013800{i}") for i in range(3)], templates=ts)
    assert all(r.sms_verdict == "ERROR" and "TPL" in rules(r.sms_reasons) for r in results)


def test_unreadable_values():
    [r] = merge([dict(SHOP, stars="很好", review_text="好")])
    assert r.reply_verdict == "ERROR" and "stars" in r.reply_reasons_text
    [r] = merge([dict(SHOP, sms_kind="短信轰炸")])
    assert r.sms_verdict == "ERROR" and "短信轰炸" in r.sms_reasons_text
    [r] = merge([dict(SHOP, sms_kind="催付", send_at="明天中午")])
    assert r.sms_verdict == "ERROR" and "send_at" in r.sms_reasons_text
    [r] = merge([dict(SHOP, review_text="好")])
    assert r.reply_verdict == "ERROR" and "stars" in r.reply_reasons_text


def test_missing_phone():
    [r] = merge([dict(SHOP, phone=None, sms_kind="催付")])
    assert r.sms_verdict == "ERROR" and not r.ok_to_send and "phone" in r.sms_reasons_text


def test_nickname_injection_stays_literal():
    ts = TemplateSet.defaults().with_overrides({"review_good": "{{ buyer_nick }}，感谢您的支持，期待再次光临{{ shop_name }}~",
                                                 "refund_done": "亲爱的{{ buyer_nick }}，您的退款已完成"})
    [r] = merge([dict(SHOP, buyer_nick="{{ 7*7 }}{% if 1 %}x{% endif %}", stars=5, review_text="好", sms_kind="退款完成")],
                templates=ts)
    assert r.reply_text.startswith("{{ 7*7 }}{% if 1 %}x{% endif %}，") and "49" not in r.reply_text
    assert "亲爱的{{ 7*7 }}" in r.sms_text


def test_formula_like_nick_stays_text():
    ts = TemplateSet.defaults().with_overrides({"review_good": "{{ buyer_nick }}，感谢您的支持~"})
    nick = '=HYPERLINK("http://evil.example","点我领红包")'
    [r] = merge([dict(SHOP, buyer_nick=nick, stars=5, review_text="好")], templates=ts)
    assert r.reply_text == nick + "，感谢您的支持~"
    assert "TPL" in rules(r.reply_reasons, "INFO") and r.reply_verdict == "PASS"


def test_review_text_with_template_syntax_is_not_rendered():
    ts = TemplateSet.defaults().with_overrides({"review_good_long": "亲，您说「{{ review_text|short(30) }}」，谢谢您的用心分享，我们会继续努力~"})
    [r] = merge([dict(SHOP, stars=5, review_text="{{ config }}" + "好" * 60)], templates=ts)
    assert "{{ config }}" in r.reply_text


def test_opted_out_number():
    [r] = merge([dict(SHOP, sms_kind="催付")], opted_out={"138 0013 8000"})
    assert r.sms_verdict == "ERROR" and not r.ok_to_send and "SMS-5" in rules(r.sms_reasons, "ERROR")


def test_phone_as_excel_number_matches_opt_out_list():
    [r] = merge([dict(SHOP, phone=13800138000.0, sms_kind="催付")], opted_out={"+8613800138000"})
    assert not r.ok_to_send


def test_duplicates_in_a_batch_are_skipped():
    rows = [dict(SHOP, sms_kind="催付"), dict(SHOP, sms_kind="催付", order_id="2"), dict(SHOP, sms_kind="回访")]
    a, b, c = merge(rows)
    assert a.ok_to_send and not b.ok_to_send and c.ok_to_send
    assert b.sms_verdict == "WARN" and "第1条" in b.sms_reasons_text and SHOP["order_id"] in b.sms_reasons_text


def test_duplicate_of_an_unsendable_row_is_sent():
    rows = [dict(SHOP, sms_kind="催付", item_name=None), dict(SHOP, sms_kind="催付")]
    a, b = merge(rows)
    assert not a.ok_to_send and b.ok_to_send


def test_reminder_count_per_order():
    small = dict(SHOP, paid_amount=89, sms_kind="催付")
    [r] = merge([dict(small, reminders_sent=1)])
    assert "SMS-8" in rules(r.sms_reasons, "WARN")
    [r] = merge([dict(small, paid_amount="1,299.00", reminders_sent=1)])
    assert "SMS-8" not in rules(r.sms_reasons)
    # same order, two buyers' phones (e.g. a corrected number): the second is the order's second reminder
    a, b = merge([small, dict(small, phone="13900000000")])
    assert "SMS-8" not in rules(a.sms_reasons) and "SMS-8" in rules(b.sms_reasons, "WARN")


def test_send_window_and_planned_time():
    rows = [dict(SHOP, sms_kind="营销", promo_text="国庆满199减20", send_at="2026-10-08 21:30"),
            dict(SHOP, sms_kind="营销", promo_text="国庆满199减20", phone="13900000000")]
    planned, now_late = merge(rows, now=dt.datetime(2026, 10, 8, 22, 5))
    assert planned.sms_verdict == "ERROR" and "SMS-6" in rules(planned.sms_reasons, "ERROR")
    assert planned.planned_send_at == dt.datetime(2026, 10, 9, 8, 0) and not planned.ok_to_send
    assert now_late.ok_to_send and now_late.planned_send_at == dt.datetime(2026, 10, 9, 8, 0)
    late, _ = DEFAULT_POLICY.with_raw({"SMS-6.end": "22:00"})
    [r] = merge(rows[:1], policy=late)
    assert r.sms_verdict == "PASS" and r.planned_send_at == dt.datetime(2026, 10, 8, 21, 30)


def test_date_cell_in_a_text_field_prints_as_a_date():
    [r] = merge([dict(TYPICAL, sms_kind="发货延迟通知", ship_eta=dt.datetime(2026, 10, 9))])
    assert "预计10月9日揽件发出" in r.sms_text and r.sms_verdict == "PASS"


def test_transactional_sent_now_at_night():
    [r] = merge([dict(TYPICAL, sms_kind="退款完成")], now=dt.datetime(2026, 10, 8, 23, 40))
    assert r.ok_to_send and r.planned_send_at == dt.datetime(2026, 10, 8, 23, 40)


def test_signature_column():
    [r] = merge([dict(SHOP, sms_kind="退款完成", refund_amount=10, sms_signature="【小美】")])
    assert r.sms_text.startswith("【小美】亲")
    [r] = merge([dict(SHOP, shop_name="小美家居官方旗舰店全国连锁店", sms_kind="退款完成", refund_amount=10)])
    assert "SMS-1" in rules(r.sms_reasons, "ERROR")


def test_emoji_in_item_name_blocks_the_sms():
    [r] = merge([dict(TYPICAL, item_name="沙发🛋️", sms_kind="退款完成")])
    assert r.sms_verdict == "ERROR" and "SMS-2" in rules(r.sms_reasons, "ERROR")


def test_internal_error_becomes_a_row_error(monkeypatch):
    import addin.messages.merge as m

    def boom(*a, **k):
        raise RuntimeError("boom")
    monkeypatch.setattr(m, "check_sms", boom)
    rows = [dict(SHOP, sms_kind="催付"), dict(SHOP, stars=5, review_text="好")]
    a, b = merge(rows)
    assert a.sms_verdict == "ERROR" and "ROW" in rules(a.sms_reasons) and a.reply_verdict is None
    assert b.reply_verdict == "PASS"
    [c] = merge([None])
    assert c.reply_verdict == "ERROR" and c.sms_verdict == "ERROR"


def test_never_raises_on_odd_rows():
    rows = [{}, {"stars": object()}, {"sms_kind": 3}, {"sms_kind": "催付", "paid_amount": "abc"},
            {"stars": 5, "review_text": 12345}, {"stars": 9}]
    results = merge(rows)
    assert len(results) == len(rows)
    assert results[0] == MergeResult(0)
    assert all(r.reply_verdict == "ERROR" for r in (results[1], results[5]))
    assert results[2].sms_verdict == "ERROR" and results[3].sms_verdict == "ERROR"


def test_a_large_batch_gives_every_row_its_own_result():
    """1,000 rows of every kind and route: one result per row, in order (speed: bench/merge_bench.py)."""
    rows = []
    kinds = [k.id for k in KINDS]
    for i in range(1_000):
        rows.append(dict(TYPICAL, phone=f"138{i:08d}", order_id=str(i), stars=(5, 4, 3, 1)[i % 4],
                         review_text="沙发很舒服" * (i % 15), has_photos=i % 7 == 0, sms_kind=kinds[i % len(kinds)]))
    results = merge(rows)
    assert [r.row for r in results] == list(range(1_000))
    assert all(r.reply_verdict and r.sms_verdict for r in results)
    # every phone differs, so no row is a batch duplicate of another
    assert not any("duplicate" in r.sms_reasons_text for r in results)
    assert {r.sms_kind for r in results} == set(kinds)
