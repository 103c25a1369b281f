"""Sandboxed templates and the bundled defaults (addin.messages.render)."""
import datetime as dt
from decimal import Decimal

import pytest

from addin.messages.render import TEMPLATE_KEYS, RenderError, TemplateSet, check_all, template_rows


def test_defaults_cover_every_kind():
    ts = TemplateSet.defaults()
    assert set(TEMPLATE_KEYS) <= set(ts)
    assert check_all(ts) == {}


def render(text, **ctx):
    return TemplateSet({"t": text}).render("t", ctx)


def test_if_else_and_filters():
    t = "{% if compensation is defined %}补偿{{ compensation|yuan }}元{% else %}无补偿{% endif %}"
    assert render(t, compensation=Decimal("26.7")) == "补偿26.70元"
    assert render(t) == "无补偿"
    assert render("{{ x|default('72小时内') }}") == "72小时内"
    assert render("{{ name|short(5) }}", name="北欧布艺沙发三人位") == "北欧布艺…"
    assert render("{{ name|short(5) }}", name="沙发") == "沙发"
    assert render("{{ p|payer_zh }}", p="seller") == "商家"


def test_value_formatting():
    assert render("{{ a }}/{{ b }}/{{ c }}", a=89.0, b=26.7, c=Decimal("26.70")) == "89/26.7/26.70"
    assert render("{{ d }}", d=dt.datetime(2026, 10, 8, 12, 10)) == "10月8日 12:10"
    assert render("{{ d }}", d=dt.date(2026, 10, 9)) == "10月9日"


def test_plain_text_no_escaping():
    assert render("{{ a }}", a="<b>&\"'") == "<b>&\"'"


def test_missing_field_is_named():
    with pytest.raises(RenderError) as exc:
        render("亲，{{ item_name }}还未付款")
    assert exc.value.field == "item_name"
    assert "「商品名称」" in exc.value.zh and "item_name" not in exc.value.zh and "item_name" in exc.value.en


def test_missing_field_in_condition_is_an_error_too():
    with pytest.raises(RenderError):
        render("{% if compensation %}x{% endif %}")


@pytest.mark.parametrize("nick", ["{{ 7*7 }}", "{% for i in range(3) %}x{% endfor %}", "=HYPERLINK(\"http://x.cn\",\"点我\")",
                                  "+86", "-1", "@买家", "{# c #}"])
def test_values_are_inserted_literally(nick):
    assert render("亲爱的{{ buyer_nick }}您好", buyer_nick=nick) == f"亲爱的{nick}您好"


def test_sandbox_blocks_attribute_tricks():
    with pytest.raises(RenderError) as exc:
        render("{{ ''.__class__.__mro__ }}")
    assert "不允许" in exc.value.zh


def test_syntax_error_is_reported_once_and_cached():
    ts = TemplateSet({"t": "亲，{{ item_name }"})
    with pytest.raises(RenderError) as first:
        ts.render("t", {"item_name": "x"})
    with pytest.raises(RenderError) as second:
        ts.render("t", {"item_name": "x"})
    assert first.value is second.value
    assert "第1行" in first.value.zh


def test_compiled_once():
    ts = TemplateSet({"t": "{{ a }}"})
    assert ts.template("t") is ts.template("t")


def test_missing_template():
    with pytest.raises(RenderError):
        TemplateSet({}).render("review_good", {})


def test_overrides_keep_defaults_for_blank_cells():
    ts = TemplateSet.defaults().with_overrides({"review_good": "亲，谢谢您的支持！", "review_bad": "  ", "x": None})
    assert ts["review_good"] == "亲，谢谢您的支持！"
    assert ts["review_bad"] == TemplateSet.defaults()["review_bad"]


def test_template_rows_for_the_sheet():
    rows = template_rows()
    assert [r[1] for r in rows][:len(TEMPLATE_KEYS)] == list(TEMPLATE_KEYS)
    zh, key, body, note = next(r for r in rows if r[1] == "payment_reminder")
    assert zh == "催付短信" and body.startswith("亲，{{ shop_name }}") and "{#" not in body and "SMS-3" in note
    # a body read back from the sheet renders like the file
    ctx = {"shop_name": "小美家居", "item_name": "沙发"}
    assert TemplateSet({"payment_reminder": body}).render("payment_reminder", ctx) == \
        TemplateSet.defaults().render("payment_reminder", ctx)
