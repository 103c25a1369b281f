"""售后助手 AfterSales for xlwings Lite (Excel on Mac, Windows or the web; no local Python needed).

Paste this file into the xlwings Lite editor's main.py and requirements.txt next to it into the
requirements.txt tab, below Lite's own lines (keep its xlwings line). The worksheet functions are the
same as with classic xlwings (AS_COMPENSATION, AS_DEADLINE, ...); the buttons are shapes on the 案件
sheet hyperlinked to the cells named below: E1-E7, in the hidden column right of 买家 that a new
workbook keeps for them, so selecting a visible cell (a header, say) never runs a script.

Office.js hands empty cells to custom functions as 0, so every function here treats a 0 as empty
(zero_is_blank=True): type a manual amount of zero as 0.00 text if it ever matters.
"""

import xlwings as xw
from xlwings import arg, func, script

# python-calamine is not needed in Lite: Lite reads cells through Excel, and the add-in imports it only
# when it opens a saved file (the command line). Pyodide 0.28+ ships it anyway.
from addin.excel import buttons, steps
from addin.excel import functions as f

LITE = {"zero_is_blank": True}


# --- worksheet functions --------------------------------------------------------------------------

@func
def AS_COMPENSATION(headers, rows, rules=None, calendar=None):
    """赔偿金额 compensation per row (platform rule, LAD-2 ladder or manual override)."""
    return f.compensation(headers, rows, rules, calendar, **LITE)


@func
def AS_COMPENSATION_RULE(headers, rows, rules=None, calendar=None):
    """赔偿规则 the rule id behind each amount (COMP-TM, JD-COMP-1, LAD-2, MANUAL ...)."""
    return f.compensation_rule(headers, rows, rules, calendar, **LITE)


@func
def AS_COMPENSATION_NOTE(headers, rows, rules=None, calendar=None):
    """赔偿说明 how each amount was reached."""
    return f.compensation_note(headers, rows, rules, calendar, **LITE)


@func
def AS_NEEDS_APPROVAL(headers, rows, rules=None, calendar=None):
    """需店长审批 是/否 per row (LAD-2)."""
    return f.needs_approval(headers, rows, rules, calendar, **LITE)


@func
def AS_DEADLINE(kind, headers, rows, rules=None, calendar=None):
    """One deadline kind per row, e.g. "R7-2" or "七天无理由退货截止" (format the cells as dates)."""
    return f.deadline(kind, headers, rows, rules, calendar, **LITE)


@func
def AS_NEXT_DEADLINE(headers, rows, rules=None, calendar=None):
    """下一截止 the earliest action/alert deadline per row."""
    return f.next_deadline(headers, rows, rules, calendar, **LITE)


@func
def AS_FREIGHT_PAYER(leg, headers, rows, rules=None, calendar=None):
    """Who pays a freight leg per row: leg = "去程", "退货" or "补发"."""
    return f.freight_payer(leg, headers, rows, rules, calendar, **LITE)


@func
def AS_FREIGHT(headers, rows, rules=None, calendar=None):
    """6 columns per row: 去程/退货/补发运费承担, 卖家应退运费, 应退货款, 运费规则."""
    return f.freight(headers, rows, rules, calendar, **LITE)


@func
def AS_RESULT(column, headers, rows, rules=None, calendar=None):
    """Any computed column by its header, e.g. "卖家应退运费" or "提示"."""
    return f.result(column, headers, rows, rules, calendar, **LITE)


@func
def AS_OUTPUTS(headers, rows, rules=None, calendar=None):
    """Every computed column (what the 重新计算 button writes), as one spilled block."""
    return f.outputs(headers, rows, rules, calendar, **LITE)


@func
@arg("start", ndim=2)
@arg("hours", ndim=2)
def AS_HOURS_END(start, hours):
    """start + N hours, weekends and holidays included."""
    return f.hours_end(start, hours, **LITE)


@func
@arg("start", ndim=2)
@arg("days", ndim=2)
def AS_DAYS_END(start, days):
    """N calendar days after start's day, ending 24:00 (shown 23:59:59)."""
    return f.days_end(start, days, **LITE)


@func
@arg("start", ndim=2)
@arg("days", ndim=2)
def AS_LEGAL_END(start, days, rules=None, calendar=None):
    """N days, extended past a closing rest day (民法典 §203)."""
    return f.legal_end(start, days, rules, calendar, **LITE)


@func
@arg("start", ndim=2)
@arg("days", ndim=2)
def AS_WORKDAYS_END(start, days, rules=None, calendar=None):
    """N working days (official holidays and 调休 make-up days), ending 24:00."""
    return f.workdays_end(start, days, rules, calendar, **LITE)


@func
@arg("start", ndim=2)
@arg("hours", ndim=2)
def AS_JD_CLOCK_END(start, hours, rules=None):
    """N hours counted only 09:00-18:00 (JD evidence, SLA-3)."""
    return f.jd_clock_end(start, hours, rules, **LITE)


@func
@arg("text", ndim=2)
def AS_SMS_CHARS(text):
    """SMS characters as billed (every character counts 1)."""
    return f.sms_chars(text, **LITE)


@func
@arg("text", ndim=2)
def AS_SMS_PARTS(text, rules=None):
    """Billed SMS parts: 1 up to 70 characters, else ceil(n/67)."""
    return f.sms_parts(text, rules, **LITE)


@func
@arg("text", ndim=2)
@arg("kind", ndim=2)
@arg("signature", ndim=2)
@arg("shop_name", ndim=2)
def AS_SMS_CHECK(text, kind, signature=None, shop_name=None, rules=None):
    """通过 / 提醒 / 错误 with reasons for an SMS of a kind (催付, 退款完成 ...)."""
    return f.sms_check(text, kind, signature, shop_name, rules, **LITE)


@func
@arg("text", ndim=2)
def AS_LINT(text):
    """Forbidden phrases (禁忌用语) in a reply or SMS."""
    return f.lint_text(text, **LITE)


@func
def AS_RENDER(template, headers, rows):
    """A reply or SMS per row from a template (Jinja2 text, or a default such as "退款完成短信")."""
    return f.render(template, headers, rows, **LITE)


# --- buttons: a shape named in [brackets] on the 案件 sheet, hyperlinked to the (hidden) cell after it ----

@script(button="[btnRecalc]案件!E1")
def recalc(book: xw.Book):
    """重新计算: recompute every case row."""
    buttons.recalc_book(book)


@script(button="[btnTexts]案件!E2")
def generate_texts(book: xw.Book):
    """生成回复与短信: review replies and SMS, and the 发送队列 sheet."""
    buttons.texts_book(book)


@script(button="[btnExport]案件!E3")
def export_sms(book: xw.Book):
    """导出短信: the vendor files 模板 asks for, one sheet each (短信文件1_阿里云 …: the browser cannot save
    files; save each sheet as the file to upload), logged in 发送记录."""
    buttons.run_on(book, steps.outbox_book)


@script(button="[btnCheck]案件!E4")
def validate(book: xw.Book):
    """检查: check every row and the 规则 sheet; only the 错误 column is written."""
    buttons.validate_book(book)


@script(button="[btnImport]案件!E5")
def import_exports(book: xw.Book):
    """导入平台导出: the export pasted into the 导入 sheet (header included) into 案件 (the browser cannot
    open local files). The pasted rows stay; importing them again adds nothing."""
    buttons.run_on(book, steps.import_book)


@script(button="[btnReceipts]案件!E6")
def import_receipts(book: xw.Book):
    """导入回执: the vendor's receipts pasted into the 导入 sheet (header included) into 发送记录 and 短信状态."""
    buttons.run_on(book, steps.receipts_book)


@script(button="[btnArchive]案件!E7")
def archive_cases(book: xw.Book):
    """结案归档: finished cases older than 规则 ARCH-1.days move to 归档."""
    buttons.run_on(book, buttons.archive_cases_book)
