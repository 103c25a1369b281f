"""The approved vendor templates on the 模板 sheet: per SMS kind, TemplateCode + approved text + signature.

The 模板 sheet's rows are keyed by 模板ID (the kind id, e.g. ``payment_reminder``). Columns beside the
Jinja2 template hold what the vendors approved for that kind: 阿里云's 模板CODE and text with ${name}
variables, the signature, and 腾讯云's 模板ID and text with {1}…{N} plus the variable names for them
in order (blank: the ${name}s of the 阿里云 text, when the same message was approved by both). Two
more say what to do with a title over the cap: 变量字数上限 (the shop's own, lower cap) and 超长处理
(截短, the default, or 报错). A row whose vendor cells are all blank keeps the Jinja2 template (and its
messages can only go to the csv export). Older books without the newer columns read as before.
"""
from __future__ import annotations

import re

from addin.messages.sms import resolve_kind
from addin.messages.vendor_templates import OVERFLOW_CUT, OVERFLOW_FAIL, ApprovedTemplate

from addin.core.parse import is_blank, to_text
from addin.workbook.sheets.catalogue import normalise_header

# (attribute, header written in new workbooks, other accepted headers)
APPROVED_COLUMNS = (
    ("code", "模板CODE", ("模板code", "templatecode", "template code", "模板编号")),
    ("text", "审核通过的模板内容", ("审核通过内容", "approved text", "approved template", "模板内容(审核通过)")),
    ("signature", "短信签名", ("签名", "sign name", "signname", "signature")),
    ("tencent_id", "腾讯云模板ID", ("腾讯云模板id", "tencent template id")),
    ("tencent_text", "腾讯云模板内容", ("腾讯云审核通过的模板内容", "tencent template text")),
    ("tencent_names", "腾讯云变量顺序", ("腾讯云变量", "tencent variables")),
    ("max_chars", "变量字数上限", ("变量上限", "variable cap")),
    ("overflow", "超长处理", ("变量超长", "overflow")),
)
# The cells that make a row an approved template (the two rules alone do not).
_TEMPLATE_CELLS = ("code", "text", "signature", "tencent_id", "tencent_text")
APPROVED_HEADER = tuple(h for _, h, _ in APPROVED_COLUMNS)
# The 模板 sheet: the Jinja2 templates per kind, then the approved vendor template's columns.
TEMPLATE_HEADER = ("类型", "模板ID", "模板内容(Jinja2)", "说明") + APPROVED_HEADER


def approved_from_grid(grid: list[list] | None) -> dict[str, ApprovedTemplate]:
    """kind id -> ApprovedTemplate, from the 模板 sheet rows that have any vendor cell filled.

    A row with only some cells filled still makes a template: its problems (no code, no signature)
    are then ERRORs on every row of that kind instead of a silent fall-back to free text."""
    if not grid:
        return {}
    heads = [normalise_header(v) for v in grid[0]]
    id_col = next((i for i, h in enumerate(heads) if h in ("模板id", "template id", "id")), None)
    where = {}
    for attr, header, aliases in APPROVED_COLUMNS:
        names = {normalise_header(n) for n in (header, *aliases)}
        where[attr] = next((i for i, h in enumerate(heads) if h in names), None)
    if id_col is None or (where["text"] is None and where["tencent_text"] is None):
        return {}
    out = {}
    for row in grid[1:]:
        def cell(i):
            return row[i] if i is not None and i < len(row) and not is_blank(row[i]) else None
        kind_cell = cell(id_col)
        values = {attr: cell(i) for attr, i in where.items()}
        if kind_cell is None or all(values[a] is None for a in _TEMPLATE_CELLS):
            continue
        try:
            kind = resolve_kind(to_text(kind_cell)).id
        except ValueError:
            continue                     # a review template row or an unknown key: not an SMS kind
        text = {a: (to_text(values[a]).strip() if values[a] is not None else "") for a in values}
        out[kind] = ApprovedTemplate(kind, text["code"], str(values["text"]).strip() if values["text"] is not None else "",
                                     text["signature"].strip("【】 "), tencent_id=text["tencent_id"],
                                     tencent_text=text["tencent_text"],
                                     tencent_names=tuple(n for n in re.split(r"[\s,，、;；${}]+", text["tencent_names"]) if n),
                                     max_chars=_cap(values["max_chars"]),
                                     overflow=OVERFLOW_FAIL if OVERFLOW_FAIL in text["overflow"] else OVERFLOW_CUT)
    return out


def _cap(value) -> int | None:
    """变量字数上限: a positive whole number, else none (the rule's SMS-VAR.max_chars applies)."""
    try:
        n = int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None


def approved_cells(tpl: ApprovedTemplate | None) -> tuple:
    """The vendor cells of a 模板 row, in APPROVED_COLUMNS' order (a new workbook writes them)."""
    if tpl is None:
        return ()
    return (tpl.code, tpl.text, tpl.signature, tpl.tencent_id, tpl.tencent_text, " ".join(tpl.tencent_names),
            tpl.max_chars, tpl.overflow if tpl.overflow != OVERFLOW_CUT else None)
