"""Jinja2 templates for review replies and SMS, run sandboxed.

* ``SandboxedEnvironment`` (staff edit templates on the 模板 sheet; no attribute tricks),
  ``StrictUndefined`` (a missing field is a bilingual error naming it, never a silent blank),
  autoescape off (plain text).
* Row values are inserted as values: a nickname ``{{ 7*7 }}`` or ``=HYPERLINK(…)`` comes out
  literally. Jinja never re-renders a value, so this holds by construction; a rendered text that
  starts with = + - @ gets an INFO so the workbook layer writes it as text, not as a formula.
* Each template is compiled once per :class:`TemplateSet` (and a broken one fails once, not per row).

Default templates: one ``<kind>.j2`` file per kind. The canonical copy is package data in
``addin/messages/defaults/`` (pyproject already ships ``**/*.j2``), so loading works from the repo,
from an editable install and from a wheel alike, with no path guessing. ``workbook_templates/messages/``
holds generated copies for staff to read: edit the files here, then run ``python tools/copies.py``
(tests/test_generated_copies.py fails while a copy differs).
"""
from __future__ import annotations

import datetime as dt
import re
import time
from contextvars import ContextVar
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Iterator, Mapping

from jinja2 import nodes
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..core.money import fmt_yuan, to_decimal
from .fields import FIELDS_BY_NAME
from .reviews import ROUTES
from .sms import KINDS
from addin.core.errors import BilingualError

REVIEW_KEYS = tuple(f"review_{r}" for r in ROUTES)
SMS_KEYS = tuple(k.id for k in KINDS)
TEMPLATE_KEYS = REVIEW_KEYS + SMS_KEYS
TEMPLATE_ZH = {"review_good": "好评回复", "review_good_long": "用心好评回复(长评/带图)", "review_medium": "中评回复",
               "review_bad": "差评回复", **{k.id: k.zh + "短信" for k in KINDS}}
FORMULA_START = ("=", "+", "-", "@")

MESSAGE_PAYER_ZH = {"buyer": "买家", "seller": "商家", "merchant": "商家", "insurer": "运费险", "insurance": "运费险",
            "split": "买卖双方各自"}


class RenderError(BilingualError):
    """A template that cannot be compiled or rendered for a row; bilingual, names the field."""

    def __init__(self, zh: str, en: str, field: str | None = None):
        super().__init__(zh, en, "template")
        self.field = field


# --- environment -------------------------------------------------------------------------------

def _fmt(value) -> str:
    """How a value prints in a message: 26.70 stays 26.70, 89.0 → 89, datetimes → 10月8日 12:10."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return f"{value.month}月{value.day}日 {value:%H:%M}" if value.time() != dt.time() else f"{value.month}月{value.day}日"
    if isinstance(value, dt.date):
        return f"{value.month}月{value.day}日"
    if isinstance(value, Decimal):   # 899.0 from Excel → 899; 26.70 stays 26.70; never 1E+2
        return str(int(value)) if value == value.to_integral_value() else format(value, "f")
    if value is None:
        return ""
    return str(value)


def _yuan(value) -> str:
    return fmt_yuan(to_decimal(value)) if not isinstance(value, str) else fmt_yuan(to_decimal(value.strip()))


def _short(value, n: int = 12) -> str:
    """At most n characters; longer text is cut and ends with …."""
    text = _fmt(value)
    return text if len(text) <= n else text[: max(n - 1, 1)] + "…"


def _payer_zh(value) -> str:
    text = _fmt(value)
    return MESSAGE_PAYER_ZH.get(text.strip().lower(), text)


def _date(value, fmt: str = "%m月%d日") -> str:
    return value.strftime(fmt) if isinstance(value, (dt.date, dt.datetime)) else _fmt(value)


# Every render is bounded, so a template staff typed (nested loops, "x" * 10**9) fails its own row and
# never holds the book's lock for ever: loop steps are counted (each {% for %} iterates through _steps),
# the clock is looked at every _CLOCK_EVERY steps, the output is cut off beyond MAX_OUTPUT characters,
# and * / ** may not build a huge text, list or number. The default templates use a few dozen steps.
MAX_STEPS = 100_000
MAX_SECONDS = 2.0
MAX_OUTPUT = 20_000          # characters; an SMS is at most a few hundred, a review reply about 500
_CLOCK_EVERY = 1_000
_BUDGET: ContextVar[list | None] = ContextVar("render_budget", default=None)   # [steps left, deadline]


class RenderLimit(Exception):
    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


def _steps(iterable):
    """The items of a template loop, each one counted against the render's budget."""
    budget = _BUDGET.get()
    for item in iterable:
        if budget is not None:
            budget[0] -= 1
            if budget[0] < 0:
                raise RenderLimit(f"循环超过 {MAX_STEPS} 步", f"loops ran more than {MAX_STEPS} steps")
            if budget[0] % _CLOCK_EVERY == 0 and time.monotonic() > budget[1]:
                raise RenderLimit(f"渲染超过 {MAX_SECONDS:g} 秒", f"rendering took more than {MAX_SECONDS:g} s")
        yield item


class _BoundedEnvironment(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_OUTPUT:
                    raise RenderLimit(f"结果超过 {MAX_OUTPUT} 个字符", f"the result exceeds {MAX_OUTPUT} characters")
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64 \
                and isinstance(left, (int, float, Decimal)) and abs(left) > 1:
            raise RenderLimit("乘方过大", "the power is too large")
        return super().call_binop(context, operator, left, right)


def _env() -> SandboxedEnvironment:
    env = _BoundedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                              finalize=_fmt, keep_trailing_newline=False)
    env.filters.update(yuan=_yuan, short=_short, payer_zh=_payer_zh, date=_date)
    env.globals["_steps"] = _steps
    return env


def _count_loops(tree: nodes.Template) -> nodes.Template:
    """Every {% for %} of a parsed template iterates through _steps (its budget counter)."""
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(nodes.Name("_steps", "load"), [loop.iter], [], None, None)
    return tree


ENV = _env()

_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def _label(name: str) -> str:
    field = FIELDS_BY_NAME.get(name)
    return field.zh if field else name


def compile_template(key: str, text: str):
    try:
        template = ENV.from_string(_count_loops(ENV.parse(text)))
    except TemplateSyntaxError as exc:
        raise RenderError(f"模板「{TEMPLATE_ZH.get(key, key)}」第{exc.lineno}行语法错误: {exc.message}",
                          f"template '{key}' line {exc.lineno}: syntax error: {exc.message}") from None
    # Jinja merges a ChainMap of globals into every render's context; a flat dict makes that ~3x cheaper.
    template.globals = dict(template.globals)
    return template


@lru_cache(maxsize=256)
def _compiled(key: str, text: str):
    """compile_template, shared by every TemplateSet of the process (each workbook run, button click or
    AS_RENDER cell builds its own set, mostly of the same texts): the Template, or the RenderError."""
    try:
        return compile_template(key, text)
    except RenderError as exc:
        return exc


# Globals a template may call without making its text depend on anything but its fields (lipsum is random).
_PURE_GLOBALS = frozenset({"range", "dict", "cycler", "joiner", "namespace"})


@lru_cache(maxsize=256)
def field_names(text: str) -> tuple[str, ...] | None:
    """The names a template reads from its context, or None when its text may depend on more than
    their values (a global such as lipsum()): then its renders are never shared between rows."""
    try:
        names = meta.find_undeclared_variables(ENV.parse(text))
    except TemplateError:
        return None
    if names & (set(ENV.globals) - _PURE_GLOBALS):
        return None
    return tuple(sorted(names))


_ABSENT = object()


class _Unshareable(Exception):
    pass


def _exact(value):
    """A key that is equal only for values that print the same: 26.7 and 26.70 are equal Decimals but
    different texts, 1 and 1.0 and True are equal numbers, an aware datetime keeps its offset."""
    cls = value.__class__
    if value is None or value is _ABSENT or cls in (str, int, bool):
        return cls, value
    if cls in (float, Decimal):
        return cls, repr(value)
    if cls in (dt.datetime, dt.date, dt.time):
        return cls, value.isoformat()
    raise _Unshareable


def _bounded_render(template, context: Mapping) -> str:
    token = _BUDGET.set([MAX_STEPS, time.monotonic() + MAX_SECONDS])
    try:
        parts, size = [], 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise RenderLimit(f"结果超过 {MAX_OUTPUT} 个字符", f"the result exceeds {MAX_OUTPUT} characters")
            parts.append(chunk)
        return "".join(parts)
    finally:
        _BUDGET.reset(token)


def render_template(key: str, template, context: Mapping) -> str:
    try:
        return _bounded_render(template, context).strip()
    except RenderLimit as exc:
        raise RenderError(f"模板「{TEMPLATE_ZH.get(key, key)}」{exc.zh}, 已停止 (请简化模板)",
                          f"template '{key}': {exc.en}; stopped (simplify the template)") from None
    except UndefinedError as exc:
        m = _UNDEFINED_NAME.search(str(exc))
        name = (m.group(1) or m.group(2)) if m else str(exc)
        raise RenderError(f"模板「{TEMPLATE_ZH.get(key, key)}」需要字段「{_label(name)}」, 本行为空",
                          f"template '{key}' needs field '{name}', which is blank in this row", name) from None
    except SecurityError as exc:
        raise RenderError(f"模板「{TEMPLATE_ZH.get(key, key)}」含不允许的操作: {exc}",
                          f"template '{key}' uses a forbidden operation: {exc}") from None
    except (TemplateError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise RenderError(f"模板「{TEMPLATE_ZH.get(key, key)}」渲染失败: {exc}",
                          f"template '{key}' failed to render: {exc}") from None


# --- template sets -----------------------------------------------------------------------------

def _read_defaults() -> dict[str, str]:
    folder = resources.files(__package__) / "defaults"
    return {entry.name[:-3]: entry.read_text(encoding="utf-8")
            for entry in folder.iterdir() if entry.name.endswith(".j2")}


class TemplateSet(Mapping[str, str]):
    """kind → template text (keys: :data:`TEMPLATE_KEYS`; extra keys are allowed). Compiles lazily, once."""

    _defaults: dict[str, str] | None = None

    _SHARED_MAX = 50_000            # renders remembered per set (then it starts again)

    def __init__(self, texts: Mapping[str, str]):
        self._texts = {k: v for k, v in texts.items() if v is not None}
        self._compiled: dict[str, object] = {}      # key -> Template or RenderError
        self._names: dict[str, tuple[str, ...] | None] = {}   # key -> the fields its text depends on
        self._rendered: dict[tuple, object] = {}    # (key, field values) -> text or RenderError

    @classmethod
    def defaults(cls) -> "TemplateSet":
        if cls._defaults is None:
            cls._defaults = _read_defaults()
        return cls(cls._defaults)

    def with_overrides(self, texts: Mapping[str, str | None]) -> "TemplateSet":
        """A new set where the given keys replace ours; blank values keep ours (an empty 模板 cell)."""
        merged = dict(self._texts)
        merged.update({k: v for k, v in texts.items() if v is not None and str(v).strip()})
        return TemplateSet(merged)

    def __getitem__(self, key: str) -> str:
        return self._texts[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def template(self, key: str):
        """The compiled template; raises RenderError (cached) when missing or broken."""
        hit = self._compiled.get(key)
        if hit is None:
            if key not in self._texts:
                hit = RenderError(f"没有「{TEMPLATE_ZH.get(key, key)}」模板 ({key})", f"no template for '{key}'")
            else:
                hit = _compiled(key, self._texts[key])
            self._compiled[key] = hit
        if isinstance(hit, RenderError):
            raise hit
        return hit

    def render(self, key: str, context: Mapping, **extra) -> str:
        """The template filled from `context` plus the names in `extra` (which win). Rows whose values
        of the names the template reads are the same get the same text (a template's output depends on
        nothing else), so each distinct one is rendered once."""
        template = self.template(key)
        names = self._names.get(key, _ABSENT)
        if names is _ABSENT:
            names = self._names[key] = field_names(self._texts[key])
        if names is None:
            return render_template(key, template, {**context, **extra} if extra else context)
        values = [extra[n] if n in extra else context.get(n, _ABSENT) for n in names]
        try:
            memo = (key, *[v if v.__class__ is str or v is None or v is _ABSENT else _exact(v) for v in values])
        except _Unshareable:
            memo = None
        hit = self._rendered.get(memo) if memo is not None else None
        if hit is None:
            # Only the names it reads: a small context is cheaper for Jinja to set up than the whole row.
            small = {n: v for n, v in zip(names, values) if v is not _ABSENT}
            try:
                hit = render_template(key, template, small)
            except RenderError as exc:
                hit = exc
            if memo is not None:
                if len(self._rendered) >= self._SHARED_MAX:
                    self._rendered.clear()
                self._rendered[memo] = hit
        if isinstance(hit, RenderError):
            raise hit
        return hit


def check_all(templates: TemplateSet) -> dict[str, RenderError]:
    """Compile every template once (for a 模板 sheet check button): key -> error."""
    errors = {}
    for key in templates:
        try:
            templates.template(key)
        except RenderError as exc:
            errors[key] = exc
    return errors


_LEADING_COMMENT = re.compile(r"\A\{#\s*(.*?)\s*#\}\n?", re.S)


def template_rows(templates: TemplateSet | None = None) -> list[tuple[str, str, str, str]]:
    """Rows for the 模板 sheet: (类型, 模板ID, 模板内容(Jinja2), 说明); the leading {# … #} becomes 说明."""
    templates = templates if templates is not None else TemplateSet.defaults()
    rows = []
    for key in [k for k in TEMPLATE_KEYS if k in templates] + sorted(set(templates) - set(TEMPLATE_KEYS)):
        text = templates[key]
        m = _LEADING_COMMENT.match(text)
        note, body = (m.group(1), text[m.end():]) if m else ("", text)
        rows.append((TEMPLATE_ZH.get(key, key), key, body.strip(), note))
    return rows


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


