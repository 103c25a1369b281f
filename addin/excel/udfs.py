"""Worksheet functions for classic xlwings (Windows Excel with the xlwings add-in or standalone module).

The workbook's xlwings.conf sheet names this module under "UDF Modules" (addin.excel.udfs); xlwings'
"Import Functions" then creates one Excel function per definition below, named as the Python function,
hence the upper-case names. Each is a one-line wrapper around :mod:`addin.excel.functions`, which holds
the logic and is shared with the xlwings Lite main.py.

Arguments: `headers` is the 案件 header row (=案件!$A$1:$BZ$1), `rows` one row or a whole block of
rows; `rules` (optional) the 规则 sheet (=规则!$A$1:$C$200) when the shop changed a rate or limit;
`calendar` (optional) the 日历 sheet (=日历!$A$1:$E$400), so working days follow the holidays typed there.
Results spill down, one value per row.

A one-column range reaches Python as a flat list unless the argument says otherwise, and a flat list
reads as one row (=AS_SMS_CHECK(D2:D500, …) would spill across 499 columns). So the arguments that
take a column of values are declared ``ndim=2`` (xlwings' @arg: always a list of rows, a single cell
too); see https://docs.xlwings.org/en/latest/udfs.html ("ndim") and, for Lite,
https://lite.xlwings.org/custom_functions ("Dimension of arguments"). COLUMN_ARGS lists them; the Lite
main.py declares the same.
"""
from __future__ import annotations

import xlwings as xw

from . import functions as f

# The arguments that take a column (or any block) of values, one result per cell: declared ndim=2 below.
COLUMN_ARGS = {
    "AS_HOURS_END": ("start", "hours"), "AS_DAYS_END": ("start", "days"), "AS_LEGAL_END": ("start", "days"),
    "AS_WORKDAYS_END": ("start", "days"), "AS_JD_CLOCK_END": ("start", "hours"), "AS_SMS_CHARS": ("text",),
    "AS_SMS_PARTS": ("text",), "AS_SMS_CHECK": ("text", "kind", "signature", "shop_name"), "AS_LINT": ("text",),
}


@xw.func(category="AfterSales")
def AS_COMPENSATION(headers, rows, rules=None, calendar=None):
    """赔偿金额 compensation per row (platform rule, LAD-2 ladder or manual override)."""
    return f.compensation(headers, rows, rules, calendar)


@xw.func(category="AfterSales")
def AS_COMPENSATION_RULE(headers, rows, rules=None, calendar=None):
    """赔偿规则 the rule id behind each amount (COMP-TM, JD-COMP-1, LAD-2, MANUAL ...)."""
    return f.compensation_rule(headers, rows, rules, calendar)


@xw.func(category="AfterSales")
def AS_COMPENSATION_NOTE(headers, rows, rules=None, calendar=None):
    """赔偿说明 how each amount was reached."""
    return f.compensation_note(headers, rows, rules, calendar)


@xw.func(category="AfterSales")
def AS_NEEDS_APPROVAL(headers, rows, rules=None, calendar=None):
    """需店长审批 是/否 per row (LAD-2)."""
    return f.needs_approval(headers, rows, rules, calendar)


@xw.func(category="AfterSales")
def AS_DEADLINE(kind, headers, rows, rules=None, calendar=None):
    """One deadline kind per row, e.g. "R7-2" or "七天无理由退货截止" (format the cells as dates)."""
    return f.deadline(kind, headers, rows, rules, calendar)


@xw.func(category="AfterSales")
def AS_NEXT_DEADLINE(headers, rows, rules=None, calendar=None):
    """下一截止 the earliest action/alert deadline per row."""
    return f.next_deadline(headers, rows, rules, calendar)


@xw.func(category="AfterSales")
def AS_FREIGHT_PAYER(leg, headers, rows, rules=None, calendar=None):
    """Who pays a freight leg per row: leg = "去程", "退货" or "补发"."""
    return f.freight_payer(leg, headers, rows, rules, calendar)


@xw.func(category="AfterSales")
def AS_FREIGHT(headers, rows, rules=None, calendar=None):
    """6 columns per row: 去程/退货/补发运费承担, 卖家应退运费, 应退货款, 运费规则."""
    return f.freight(headers, rows, rules, calendar)


@xw.func(category="AfterSales")
def AS_RESULT(column, headers, rows, rules=None, calendar=None):
    """Any computed column by its header, e.g. "卖家应退运费" or "提示"."""
    return f.result(column, headers, rows, rules, calendar)


@xw.func(category="AfterSales")
def AS_OUTPUTS(headers, rows, rules=None, calendar=None):
    """Every computed column (what the 重新计算 button writes), as one spilled block."""
    return f.outputs(headers, rows, rules, calendar)


@xw.func(category="AfterSales")
@xw.arg("start", ndim=2)
@xw.arg("hours", ndim=2)
def AS_HOURS_END(start, hours):
    """start + N hours, weekends and holidays included."""
    return f.hours_end(start, hours)


@xw.func(category="AfterSales")
@xw.arg("start", ndim=2)
@xw.arg("days", ndim=2)
def AS_DAYS_END(start, days):
    """N calendar days after start's day, ending 24:00 (shown 23:59:59)."""
    return f.days_end(start, days)


@xw.func(category="AfterSales")
@xw.arg("start", ndim=2)
@xw.arg("days", ndim=2)
def AS_LEGAL_END(start, days, rules=None, calendar=None):
    """N days, extended past a closing rest day (民法典 §203)."""
    return f.legal_end(start, days, rules, calendar)


@xw.func(category="AfterSales")
@xw.arg("start", ndim=2)
@xw.arg("days", ndim=2)
def AS_WORKDAYS_END(start, days, rules=None, calendar=None):
    """N working days (official holidays and 调休 make-up days), ending 24:00."""
    return f.workdays_end(start, days, rules, calendar)


@xw.func(category="AfterSales")
@xw.arg("start", ndim=2)
@xw.arg("hours", ndim=2)
def AS_JD_CLOCK_END(start, hours, rules=None):
    """N hours counted only 09:00-18:00 (JD evidence, SLA-3)."""
    return f.jd_clock_end(start, hours, rules)


@xw.func(category="AfterSales")
@xw.arg("text", ndim=2)
def AS_SMS_CHARS(text):
    """SMS characters as billed (every character counts 1)."""
    return f.sms_chars(text)


@xw.func(category="AfterSales")
@xw.arg("text", ndim=2)
def AS_SMS_PARTS(text, rules=None):
    """Billed SMS parts: 1 up to 70 characters, else ceil(n/67)."""
    return f.sms_parts(text, rules)


@xw.func(category="AfterSales")
@xw.arg("text", ndim=2)
@xw.arg("kind", ndim=2)
@xw.arg("signature", ndim=2)
@xw.arg("shop_name", ndim=2)
def AS_SMS_CHECK(text, kind, signature=None, shop_name=None, rules=None):
    """通过 / 提醒 / 错误 with reasons for an SMS of a kind (催付, 退款完成 ...)."""
    return f.sms_check(text, kind, signature, shop_name, rules)


@xw.func(category="AfterSales")
@xw.arg("text", ndim=2)
def AS_LINT(text):
    """Forbidden phrases (禁忌用语) in a reply or SMS."""
    return f.lint_text(text)


@xw.func(category="AfterSales")
def AS_RENDER(template, headers, rows):
    """A reply or SMS per row from a template (Jinja2 text, or a default such as "退款完成短信")."""
    return f.render(template, headers, rows)
