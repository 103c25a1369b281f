"""The 原因对照 sheet: staff's own reason wordings, over the built-in table (addin.core.reasons).

Columns (found by header, title rows above allowed): 平台 (blank = any), 原因文字, 售后类型 (blank = any),
对应原因 (one of the reasons of the 售后原因 drop-down, or its alias). A line that cannot be used is
reported and skipped; it never stops a recalc.
"""
from __future__ import annotations

from dataclasses import dataclass

from addin.core.parse import CellError, is_blank, to_platform
from addin.core.reasons import AFTER_SALES_TYPE_ZH, ReasonRule, ReasonTable, after_sales_type, match_reason

from addin.workbook.sheets.catalogue import normalise_header
from addin.workbook.files.xlsx_patch import col_letter

# What a new workbook starts with: real wordings the built-in table leaves to the shop's judgement.
REASON_SHEET_EXAMPLES = (
    ("", "退运费", "", "其他", "示例: 买家只要求退运费; 可改可删"),
    ("拼多多", "不喜欢、效果不好", "", "七天无理由退货", "示例: 拼多多的措辞"),
    ("京东", "商品与页面描述不符", "", "描述不符", "示例: 京东服务单的原因"),
)
_HEADS = {"平台": "platform", "platform": "platform", "原因文字": "text", "原因": "text", "reason text": "text",
          "售后类型": "type", "after-sales type": "type", "对应原因": "reason", "reason": "reason"}


@dataclass
class ReasonSheetError:
    cell: str
    zh: str
    en: str

    def text(self) -> str:
        return f"{self.cell}: {self.zh} / {self.en}"


def reason_table_from_grid(grid: list[list] | None, sheet: str = "原因对照") -> tuple[ReasonTable, list[ReasonSheetError]]:
    """The workbook's reason table: its 原因对照 lines (checked) over the built-in rows."""
    if not grid:
        return ReasonTable(), []
    for r, values in enumerate(grid[:10]):
        cols = {_HEADS[h]: i for i, h in enumerate(normalise_header(v) for v in values) if h in _HEADS}
        if "text" in cols and "reason" in cols:
            break
    else:
        return ReasonTable(), [ReasonSheetError(sheet, "找不到「原因文字」「对应原因」表头, 已忽略此表",
                                                "no 原因文字/对应原因 header row; sheet ignored")]
    rules, errors = [], []

    def cell(row, key):
        i = cols.get(key)
        return row[i] if i is not None and i < len(row) and not is_blank(row[i]) else None

    for n, row in enumerate(grid[r + 1:], start=r + 2):
        text, target = cell(row, "text"), cell(row, "reason")
        if text is None and target is None:
            continue
        where = f"{sheet}!{n}"
        if text is None or target is None:
            errors.append(ReasonSheetError(where, "原因文字和对应原因都要填", "both 原因文字 and 对应原因 are needed"))
            continue
        code = match_reason(target)          # a reason name of the drop-down or one of its aliases
        if code is None:
            errors.append(ReasonSheetError(f"{sheet}!{col_letter(cols['reason'] + 1)}{n}",
                                           f"未知的对应原因「{target}」, 请从「售后原因」下拉选项中选",
                                           f"unknown reason {target!r}; pick one of the 售后原因 drop-down"))
            continue
        platform = cell(row, "platform")
        try:
            platform = to_platform(platform) if platform is not None else None
        except CellError as exc:
            errors.append(ReasonSheetError(f"{sheet}!{col_letter(cols['platform'] + 1)}{n}", exc.zh, exc.en))
            continue
        kind_text = cell(row, "type")
        kind = after_sales_type(kind_text) if kind_text is not None else None
        if kind_text is not None and kind is None:
            choices = "/".join(AFTER_SALES_TYPE_ZH.values())
            errors.append(ReasonSheetError(f"{sheet}!{col_letter(cols['type'] + 1)}{n}",
                                           f"未知售后类型「{kind_text}」, 可选: {choices}",
                                           f"unknown after-sales type {kind_text!r}; one of {choices}"))
            continue
        rules.append(ReasonRule(f"{sheet}!{n}", str(text), code, kind, platform, source="staff"))
    return ReasonTable(rules), errors
