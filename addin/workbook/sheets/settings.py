"""The workbook's own settings sheets, read the same way by recalc, texts and the buttons:
规则 (policy values), 日历 (holidays and make-up workdays) and 原因对照 (staff reason wordings).

Callers find the sheets with :func:`settings_sheets`, read them however their runtime reads (calamine
on a saved file, one range read per sheet inside Excel) and pass the grids to :func:`load_settings`.
A bad line on any of these sheets is reported and skipped, never fatal.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from addin.core.calendar_cn import WorkCalendar
from addin.core.display import Display, display_of
from addin.core.parse import is_blank
from addin.core.policy import DEFAULT_POLICY, Policy, PolicyError

from addin.workbook.files.book import OpenBook
from addin.workbook.sheets.calendar_sheet import calendar_from_grid
from addin.workbook.sheets.catalogue import (CALENDAR_SHEET_NAMES, POLICY_SHEET_NAMES, REASON_MAP, REASON_SHEET_NAMES,
                                             find_sheet, normalise_header)
from addin.workbook.sheets.reason_sheet import reason_table_from_grid

SETTINGS_SHEETS = {"policy": POLICY_SHEET_NAMES, "calendar": CALENDAR_SHEET_NAMES, "reasons": REASON_SHEET_NAMES}


def policy_from_grid(grid: list[list]) -> tuple[Policy, list[PolicyError]]:
    """The 规则 sheet: a header row with 参数ID and 值 (or id / value) columns; other columns are notes."""
    id_col = val_col = None
    for r, values in enumerate(grid[:10]):
        heads = [normalise_header(v) for v in values]
        for i, h in enumerate(heads):
            if h in ("参数id", "id", "参数"):
                id_col = i
            if h in ("值", "value", "取值"):
                val_col = i
        if id_col is not None and val_col is not None:
            pairs = [(row[id_col], None if is_blank(row[val_col]) else row[val_col]) for row in grid[r + 1:]
                     if len(row) > max(id_col, val_col) and not is_blank(row[id_col])]
            return DEFAULT_POLICY.with_raw(pairs)
        id_col = val_col = None
    return DEFAULT_POLICY, []


@dataclass
class Settings:
    policy: Policy
    cal: WorkCalendar
    reasons: object                                          # the 原因对照 ReasonTable
    policy_errors: list[str] = field(default_factory=list)   # 规则 and 日历 lines that could not be used (both languages)
    reason_errors: list[str] = field(default_factory=list)   # 原因对照 lines that could not be used (both languages)
    problems: list = field(default_factory=list)             # the same, as (where, zh, en)

    @property
    def display(self) -> Display:
        """How the add-in words what it writes into cells (the 规则 sheet's 显示语言)."""
        return display_of(self.policy)

    def problem_lines(self, show: Display | None = None) -> list[str]:
        """The bad settings lines, in the display language (for the 日志 sheet and the status bar)."""
        show = show or self.display
        return [f"{where}: {show.pair(zh, en)}" for where, zh, en in self.problems]


def settings_sheets(names: list[str]) -> dict[str, str | None]:
    """role (policy, calendar, reasons) -> the workbook's sheet for it, or None."""
    return {role: find_sheet(names, wanted) for role, wanted in SETTINGS_SHEETS.items()}


def read_settings(book: OpenBook) -> Settings:
    """The settings of an open book (a session on a file, or the Excel book behind the buttons)."""
    sheets = settings_sheets(book.sheet_names)
    grids = book.read([s for s in sheets.values() if s], empty="")
    return load_settings(sheets, grids.__getitem__)


def load_settings(sheets: dict[str, str | None], read: Callable[[str], list[list]]) -> Settings:
    """The settings from the sheets :func:`settings_sheets` found; `read(name)` returns a sheet's grid."""
    grid = {role: read(name) if name else None for role, name in sheets.items()}
    policy, policy_errors = policy_from_grid(grid["policy"]) if grid["policy"] else (DEFAULT_POLICY, [])
    cal, calendar_errors = calendar_from_grid(grid["calendar"], policy)
    reasons, reason_errors = reason_table_from_grid(grid["reasons"], sheets["reasons"] or REASON_MAP.name)
    problems = [(e.param_id, e.zh, e.en) for e in policy_errors + calendar_errors] + \
               [(e.cell, e.zh, e.en) for e in reason_errors]
    return Settings(policy, cal, reasons, [f"{e.param_id}: {e.zh} / {e.en}" for e in policy_errors + calendar_errors],
                    [e.text() for e in reason_errors], problems)
