"""The approved vendor templates on the 模板 sheet: per SMS kind, TemplateCode + approved text + signature.

The 模板 sheet's rows are keyed by 模板ID (the kind id, e.g. ``payment_reminder``). Three columns
beside the Jinja2 template hold what the vendor approved for that kind; a row whose three cells are
all blank keeps the Jinja2 template (and its messages can only go to the csv export).
"""
from __future__ import annotations

from addin.messages.sms import resolve_kind
from addin.messages.vendor_templates import ApprovedTemplate

from addin.core.parse import is_blank, to_text
from addin.workbook.sheets.catalogue import normalise_header

# (attribute, header written in new workbooks, other accepted headers)
APPROVED_COLUMNS = (
    ("code", "模板CODE", ("模板code", "templatecode", "template code", "模板编号")),
    ("text", "审核通过的模板内容", ("审核通过内容", "approved text", "approved template", "模板内容(审核通过)")),
    ("signature", "短信签名", ("签名", "sign name", "signname", "signature")),
)
APPROVED_HEADER = tuple(h for _, h, _ in APPROVED_COLUMNS)
# The 模板 sheet: the Jinja2 templates per kind, then the approved vendor template's columns.
TEMPLATE_HEADER = ("类型", "模板ID", "模板内容(Jinja2)", "说明") + APPROVED_HEADER


def approved_from_grid(grid: list[list] | None) -> dict[str, ApprovedTemplate]:
    """kind id -> ApprovedTemplate, from the 模板 sheet rows that have any of the three cells filled.

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
    if id_col is None or where["text"] is None:
        return {}
    out = {}
    for row in grid[1:]:
        def cell(i):
            return row[i] if i is not None and i < len(row) and not is_blank(row[i]) else None
        kind_cell = cell(id_col)
        values = {attr: cell(i) for attr, i in where.items()}
        if kind_cell is None or all(v is None for v in values.values()):
            continue
        try:
            kind = resolve_kind(to_text(kind_cell)).id
        except ValueError:
            continue                     # a review template row or an unknown key: not an SMS kind
        out[kind] = ApprovedTemplate(kind, to_text(values["code"]) if values["code"] is not None else "",
                                     str(values["text"]).strip() if values["text"] is not None else "",
                                     to_text(values["signature"]).strip("【】 ") if values["signature"] is not None else "")
    return out
