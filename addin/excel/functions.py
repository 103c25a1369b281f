"""The worksheet functions (AS_*), as plain Python: Excel-shaped values in, Excel-shaped values out.

Every function works on one row and on whole columns: pass the header row and any number of data
rows, get one value per row back (a spilled column). Per-cell calls over COM cost milliseconds each,
so =AS_COMPENSATION(案件!$A$1:$BZ$1, 案件!A2:BZ5000) in one cell is the fast way; it is also the only
way for the Tmall cap that one buyer's payments share across rows (COMP-TM).

Nothing here imports xlwings: :mod:`addin.excel.udfs` (classic xlwings) and the xlwings Lite
``main.py`` wrap these functions with their runtime's decorators. ``zero_is_blank`` is for Lite,
whose Office.js hands empty cells over as 0.

A problem never raises into Excel: it comes back as cell text (:func:`values.error_text`), in the
display language of the 规则 block passed as `rules` (中文 without one).
"""
from __future__ import annotations

import datetime as dt
import functools
import inspect
from functools import lru_cache

from addin.core.calendar_cn import CalendarUnknown, WorkCalendar
from addin.core.deadlines import DEADLINE_KINDS, calendar_days, clock_hours, daily_clock, legal_outer_bound, working_days
from addin.core.display import Display, display_of
from addin.core.findings import verdict
from addin.core.timeparts import china_now
from addin.core.parse import CellError, to_instant, to_int, to_money
from addin.core.policy import DEFAULT_POLICY, Policy
from addin.messages.fields import FIELDS, normalize_row
from addin.messages.lint import lint
from addin.messages.render import TEMPLATE_ZH, RenderError, TemplateSet
from addin.messages.sms import check_sms, sms_length
from addin.workbook.sheets.calendar_sheet import calendar_from_grid
from addin.workbook.sheets.settings import policy_from_grid
from addin.workbook.sheets.case_rows import excel_instant
from addin.workbook.sheets.case_columns import DEADLINE_OUTPUTS, LOOKUP, OUTPUTS
from addin.workbook.sheets.catalogue import normalise_header

from .table import evaluate
from .cell_values import as_rows, error_text, map_cells, to_cell

FREIGHT_KEYS = ("out_payer", "ret_payer", "re_payer", "seller_pays_buyer", "refund", "freight_rule")
LEGS = {"out": "out_payer", "去程": "out_payer", "发货": "out_payer",
        "ret": "ret_payer", "return": "ret_payer", "退货": "ret_payer", "退回": "ret_payer",
        "re": "re_payer", "reship": "re_payer", "补发": "re_payer"}


def excel_safe(fn):
    """Any failure becomes one cell of text (Excel would otherwise show a bare #VALUE!), in the display
    language of the function's `rules` argument."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (CellError, CalendarUnknown) as exc:
            return error_text(exc.zh, exc.en, _show(signature, args, kwargs))
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            return error_text("参数有误, 请核对函数的参数", f"bad argument: {exc}", _show(signature, args, kwargs))
        except Exception as exc:  # noqa: BLE001 - a worksheet function must never show a traceback
            return error_text("计算失败, 请核对函数的参数", f"calculation failed ({type(exc).__name__}: {exc})",
                              _show(signature, args, kwargs))
    return wrapper


def _show(signature, args, kwargs) -> Display:
    """The Display of the call's `rules` argument (the 规则 block), 中文 when there is none or it is unreadable."""
    try:
        arguments = signature.bind_partial(*args, **kwargs).arguments
        return display_of(policy_of(arguments.get("rules"), arguments.get("zero_is_blank", False)))
    except Exception:  # noqa: BLE001 - only choosing the language of an error text
        return Display()


def _minute() -> dt.datetime:
    """'Now' for 状态, to the minute (so repeated calls within a minute share one computation)."""
    return china_now().replace(second=0)


def shaped(grid: list[list]):
    """A 1x1 result as a plain value (a single-cell formula), anything larger as the 2-D array to spill."""
    return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid


# --- policy from the 规则 sheet ----------------------------------------------------------------

def policy_of(rules, zero_is_blank: bool = False) -> Policy:
    """The optional last argument of every rule function: the 规则 sheet's 参数ID/值 block."""
    if rules is None:
        return DEFAULT_POLICY
    return _policy(tuple(tuple(r) for r in as_rows(rules, zero_is_blank)))


@lru_cache(maxsize=8)
def _policy(grid: tuple[tuple, ...]) -> Policy:
    policy, _errors = policy_from_grid([list(r) for r in grid])   # bad entries keep defaults; 检查 lists them
    return policy


def calendar_of(calendar, policy: Policy, zero_is_blank: bool = False) -> WorkCalendar:
    """The optional argument after `rules`: the 日历 sheet (=日历!$A$1:$E$400), so the functions count
    the holidays the admin typed; without it, the holiday packages (and the 规则 sheet's overrides)."""
    grid = None if calendar is None else tuple(tuple(r) for r in as_rows(calendar, zero_is_blank))
    return _calendar(grid, policy)


@lru_cache(maxsize=8)
def _calendar(grid: tuple[tuple, ...] | None, policy: Policy) -> WorkCalendar:
    cal, _errors = calendar_from_grid(None if grid is None else [list(r) for r in grid], policy)
    return cal


# --- the case-table functions ------------------------------------------------------------------

def _table(headers, rows, rules, calendar, zero_is_blank):
    header_row = as_rows(headers, zero_is_blank)[0]
    data = as_rows(rows, zero_is_blank)
    policy = policy_of(rules, zero_is_blank)
    return evaluate(tuple(header_row), tuple(tuple(r) for r in data), policy, calendar_of(calendar, policy, zero_is_blank),
                    _minute())


def _cell(value):
    """As the 重新计算 button writes it: a 24:00 end shows as 23:59:59 of its own day."""
    return to_cell(excel_instant(value) if isinstance(value, dt.datetime) else value)


def _present(value, outcome, explain: bool = False):
    """The cell for one row: the value; or, where there is none, the row's error text when the row
    could not be read at all (or, with `explain`, when it has any error: why no amount)."""
    if value is None and outcome.errors and (explain or outcome.result is None):
        return outcome.errors
    return _cell(value)


def column_of(key: str, headers, rows, rules=None, calendar=None, *, zero_is_blank: bool = False,
              explain: bool = False):
    """One output column (an OUTPUTS key or 'deadline:<kind>'), one value per row."""
    outcomes = _table(headers, rows, rules, calendar, zero_is_blank)
    return shaped([[_present(o.values.get(key), o, explain)] for o in outcomes])


@excel_safe
def compensation(headers, rows, rules=None, calendar=None, *, zero_is_blank=False):
    """赔偿金额: the amount owed per row (platform rule, the agent's ladder, or the manual override)."""
    return column_of("comp_amount", headers, rows, rules, calendar, zero_is_blank=zero_is_blank, explain=True)


@excel_safe
def compensation_rule(headers, rows, rules=None, calendar=None, *, zero_is_blank=False):
    """赔偿规则: the rule id behind the amount (COMP-TB, COMP-TM, JD-COMP-1, LAD-2, MANUAL ...)."""
    return column_of("comp_rule", headers, rows, rules, calendar, zero_is_blank=zero_is_blank, explain=True)


@excel_safe
def compensation_note(headers, rows, rules=None, calendar=None, *, zero_is_blank=False):
    """赔偿说明: how the amount was reached."""
    return column_of("comp_note", headers, rows, rules, calendar, zero_is_blank=zero_is_blank)


@excel_safe
def needs_approval(headers, rows, rules=None, calendar=None, *, zero_is_blank=False):
    """需店长审批: 是 when the amount is above the agent's authority (LAD-2)."""
    return column_of("approval", headers, rows, rules, calendar, zero_is_blank=zero_is_blank)


def deadline_key(kind) -> str:
    text = normalise_header(kind)
    for col in DEADLINE_OUTPUTS:
        if text in {normalise_header(n) for n in (col.key[len("deadline:"):], col.header) + col.aliases}:
            return col.key
    raise CellError(f"未知时限类型 {kind!r}, 可选: {'、'.join(k.zh for k in DEADLINE_KINDS.values())}",
                    f"unknown deadline kind {kind!r}; choose one of: {', '.join(DEADLINE_KINDS)}")


@excel_safe
def deadline(kind, headers, rows, rules=None, calendar=None, *, zero_is_blank=False):
    """One deadline kind per row (e.g. "R7-2" or "七天无理由退货截止"); blank where it does not apply."""
    return column_of(deadline_key(kind), headers, rows, rules, calendar, zero_is_blank=zero_is_blank)


@excel_safe
def next_deadline(headers, rows, rules=None, calendar=None, *, zero_is_blank=False):
    """下一截止: the earliest action or alert deadline per row."""
    return column_of("next_deadline", headers, rows, rules, calendar, zero_is_blank=zero_is_blank)


@excel_safe
def freight_payer(leg, headers, rows, rules=None, calendar=None, *, zero_is_blank=False):
    """Who pays one freight leg: "去程" (out), "退货" (return) or "补发" (reship)."""
    key = LEGS.get(normalise_header(leg))
    if key is None:
        raise CellError(f"未知运费段 {leg!r}, 可选: 去程/退货/补发", f"unknown freight leg {leg!r}; choose out/ret/re")
    return column_of(key, headers, rows, rules, calendar, zero_is_blank=zero_is_blank)


@excel_safe
def freight(headers, rows, rules=None, calendar=None, *, zero_is_blank=False):
    """Six columns per row: 去程/退货/补发运费承担, 卖家应退运费, 应退货款, 运费规则."""
    outcomes = _table(headers, rows, rules, calendar, zero_is_blank)
    # A row without a freight decision shows why in its first cell, like the single-column functions.
    return shaped([[_present(o.values.get(FREIGHT_KEYS[0]), o)] + [_cell(o.values.get(k)) for k in FREIGHT_KEYS[1:]]
                   for o in outcomes])


@excel_safe
def result(column, headers, rows, rules=None, calendar=None, *, zero_is_blank=False):
    """Any computed column by its header, e.g. "卖家应退运费", "提示", "全部时限"."""
    col = LOOKUP.get(normalise_header(column))
    if col is None or not (col in OUTPUTS or col in DEADLINE_OUTPUTS):
        names = "/".join(c.header for c in OUTPUTS)
        raise CellError(f"未知输出列 {column!r}, 可选: {names}", f"unknown output column {column!r}; choose one of: {names}")
    return column_of(col.key, headers, rows, rules, calendar, zero_is_blank=zero_is_blank)


@excel_safe
def outputs(headers, rows, rules=None, calendar=None, *, zero_is_blank=False):
    """Every computed column, in the 案件 sheet's order: what the 重新计算 button writes, as one array."""
    outcomes = _table(headers, rows, rules, calendar, zero_is_blank)
    return shaped([[_cell(o.values.get(c.key)) for c in OUTPUTS] for o in outcomes])


# --- the clocks (one start, one length) ----------------------------------------------------------

def _clock(fn, start, length, zero_is_blank, show: Display = Display()):
    def one(s, n):
        if s is None:
            return ""
        try:
            return _cell(fn(to_instant(s), n))
        except (CellError, CalendarUnknown) as exc:
            return error_text(exc.zh, exc.en, show)
    return shaped(map_cells(one, as_rows(start, zero_is_blank), as_rows(length)))


@excel_safe
def hours_end(start, hours, *, zero_is_blank=False):
    """Start + N hours, weekends and holidays included (platform timers)."""
    return _clock(lambda s, n: clock_hours(s, float(to_money(n))), start, hours, zero_is_blank)


@excel_safe
def days_end(start, days, *, zero_is_blank=False):
    """N calendar days, the start day not counted, ending 24:00 (shown as 23:59:59)."""
    return _clock(lambda s, n: calendar_days(s.date(), to_int(n)), start, days, zero_is_blank)


@excel_safe
def legal_end(start, days, rules=None, calendar=None, *, zero_is_blank=False):
    """N days extended past a closing rest day (民法典 §203), on the official calendar (or the 日历 sheet)."""
    policy = policy_of(rules, zero_is_blank)
    cal = calendar_of(calendar, policy, zero_is_blank)
    return _clock(lambda s, n: legal_outer_bound(s.date(), to_int(n), cal), start, days, zero_is_blank, display_of(policy))


@excel_safe
def workdays_end(start, days, rules=None, calendar=None, *, zero_is_blank=False):
    """N working days with 调休 make-up days, the start day not counted, ending 24:00."""
    policy = policy_of(rules, zero_is_blank)
    cal = calendar_of(calendar, policy, zero_is_blank)
    return _clock(lambda s, n: working_days(s.date(), to_int(n), cal), start, days, zero_is_blank, display_of(policy))


@excel_safe
def jd_clock_end(start, hours, rules=None, *, zero_is_blank=False):
    """JD evidence clock: N hours counted only between 09:00 and 18:00 (SLA-3)."""
    policy = policy_of(rules, zero_is_blank)
    return _clock(lambda s, n: daily_clock(s, float(to_money(n)), policy["SLA-3.clock_start"],
                                           policy["SLA-3.clock_end"]), start, hours, zero_is_blank, display_of(policy))


# --- text checks ---------------------------------------------------------------------------------

def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


@excel_safe
def sms_chars(text, *, zero_is_blank=False):
    """Characters as the SMS gateway counts them (signature included when the text has it)."""
    return shaped(map_cells(lambda t: sms_length(_text(t))[0], as_rows(text, zero_is_blank)))


@excel_safe
def sms_parts(text, rules=None, *, zero_is_blank=False):
    """Billed SMS parts: 1 up to 70 characters, else ceil(n / 67) (SMS-2)."""
    policy = policy_of(rules, zero_is_blank)
    return shaped(map_cells(lambda t: sms_length(_text(t), policy)[1], as_rows(text, zero_is_blank)))


def _findings_text(findings, show: Display = Display()) -> str:
    """The verdict word (通过 / 提醒 / 错误), then one line per finding."""
    return "\n".join([show.verdict(verdict(findings))] + [show.finding(f) for f in findings])


@excel_safe
def sms_check(text, kind, signature=None, shop_name=None, rules=None, *, zero_is_blank=False):
    """通过 / 提醒 / 错误 and the reasons: signature, length, opt-out, promises, forbidden phrases."""
    policy = policy_of(rules, zero_is_blank)
    show = display_of(policy)

    def one(t, k, sig, shop):
        if t is None:
            return ""
        check = check_sms(_text(t), _text(k), policy=policy, signature=sig and _text(sig),
                          shop_name=shop and _text(shop))
        return _findings_text(check.findings, show)
    grids = [as_rows(a, zero_is_blank) for a in (text, kind, signature, shop_name)]
    return shaped(map_cells(one, *grids))


@excel_safe
def lint_text(text, *, zero_is_blank=False):
    """Forbidden phrases (禁忌用语) in a reply or SMS: 通过, or the phrases and what to say instead."""
    return shaped(map_cells(lambda t: "" if t is None else _findings_text(lint(_text(t))),
                            as_rows(text, zero_is_blank)))


# --- template render -----------------------------------------------------------------------------

def _field_names(headers) -> list[str | None]:
    """Header -> the name a template uses: a message field (店铺名 -> shop_name), a 案件 column key
    (买家 -> buyer, read by the messages layer as buyer_nick), or the header itself ({{ 自定义列 }})."""
    by_label = {normalise_header(n): f.name for f in FIELDS for n in (f.name, f.zh)}
    names = []
    for h in headers:
        label = normalise_header(h)
        col = LOOKUP.get(label)
        names.append(by_label.get(label) or (col.key if col else None) or (str(h).strip() if h is not None else None))
    return names


RENDER_KEY = "公式中的模板"     # how AS_RENDER's template is named in its error texts


def _template(template) -> TemplateSet:
    """A default template by id or Chinese name (refund_done, 退款完成短信), else the text itself."""
    text = _text(template).strip()
    defaults = TemplateSet.defaults()
    for key in defaults:
        if text in (key, TEMPLATE_ZH.get(key)):
            return TemplateSet({RENDER_KEY: defaults[key]})
    return TemplateSet({RENDER_KEY: text})


@excel_safe
def render(template, headers, rows, *, zero_is_blank=False):
    """A review reply or SMS per row from a template (Jinja2 text, or a default's id / Chinese name)."""
    templates = _template(template)
    names = _field_names(as_rows(headers, zero_is_blank)[0])

    def one(row):
        raw = {n: v for n, v in zip(names, row) if n is not None and v is not None}
        if not raw:
            return ""
        values, problems = normalize_row(raw)
        try:
            return templates.render(RENDER_KEY, values)
        except RenderError as exc:
            return "\n".join([error_text(exc.zh, exc.en)] + [error_text(p.zh, p.en) for p in problems])
    return shaped([[one(row)] for row in as_rows(rows, zero_is_blank)])


__all__ = ["compensation", "compensation_rule", "compensation_note", "needs_approval", "deadline", "next_deadline",
           "freight_payer", "freight", "result", "outputs", "hours_end", "days_end", "legal_end", "workdays_end",
           "jd_clock_end", "sms_chars", "sms_parts", "sms_check", "lint_text", "render"]
