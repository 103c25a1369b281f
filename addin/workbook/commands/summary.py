"""What recalc (and run, and the buttons) did to a case sheet, as the figures staff read in the console
and the status bar. The figures are defined in addin.workbook.sheets.tally, on the cells recalc writes,
so the 汇总 sheet's formulas give the same numbers."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from addin.workbook.sheets.protected import Note
from addin.workbook.sheets.tally import Tally


@dataclass
class Summary:
    """What recalc did, as of `now`. The figures (overdue, due_today, by_status and the by_* breakdowns)
    are defined in :mod:`addin.workbook.sheets.tally`: each counts the cells recalc wrote (状态, 下一截止,
    赔偿金额, 需店长审批), so the 汇总 sheet's formulas give the same numbers."""
    rows: int = 0                 # non-blank case rows
    computed: int = 0             # rows without errors
    errors: int = 0               # rows with an error (状态 有错误)
    total_compensation: Decimal = Decimal("0.00")
    approvals: int = 0            # rows whose 需店长审批 is 是
    due_24h: int = 0              # rows with an action or alert deadline within 24 h of `now` (any of its deadlines)
    overdue: int = 0              # rows whose 下一截止 is before `now` (as the 汇总 sheet counts them)
    due_today: int = 0            # rows whose 下一截止 is from `now` to the end of today
    by_status: dict = field(default_factory=dict)            # 状态 word -> rows, all five words
    by_platform: dict = field(default_factory=dict)          # typed 平台 -> Figures
    by_reason: dict = field(default_factory=dict)            # typed 售后原因 -> Figures
    by_shop: dict = field(default_factory=dict)              # typed 店铺名 -> Figures
    by_day: dict = field(default_factory=dict)               # date of 下一截止 -> Figures
    now: dt.datetime | None = None                           # the time 状态 was computed at
    policy_changes: dict = field(default_factory=dict)
    policy_errors: list[str] = field(default_factory=list)
    reason_errors: list[str] = field(default_factory=list)   # 原因对照 lines that could not be used
    cells_written: int = 0
    added_columns: list[str] = field(default_factory=list)
    skipped_columns: list[str] = field(default_factory=list)  # computed columns that hold staff's own values
    totals_rows: list[int] = field(default_factory=list)      # rows that are not cases, left alone
    formulas_kept: list[str] = field(default_factory=list)    # computed cells holding a formula, not written
    notes: list[Note] = field(default_factory=list)           # about the sheet as a whole
    texts_clipped: int = 0
    temps_removed: int = 0
    todo: list = field(default_factory=list)                  # TodoItem lines of the 今日待办 sheet
    written: bool = True                                      # False: the book was left as it was (未改动)

    def note_settings(self, settings) -> None:
        """The lines of the settings sheets (规则, 日历, 原因对照) that could not be used."""
        self.policy_errors, self.reason_errors = settings.policy_errors, settings.reason_errors

    def take(self, tally: Tally) -> None:
        total = tally.total
        self.rows, self.errors, self.computed = total.cases, total.errors, total.cases - total.errors
        self.total_compensation, self.approvals = total.compensation, total.approvals
        self.overdue, self.due_today = total.overdue, total.due_today
        self.by_status = tally.status_counts()
        self.by_platform, self.by_reason, self.by_shop, self.by_day = \
            tally.by_platform, tally.by_reason, tally.by_shop, tally.by_day

    def _overdue_errors(self) -> str:
        """Overdue rows whose 状态 reads 有错误 (an error goes first), said with the one overdue figure."""
        n = self.overdue - self.by_status.get("已逾期", self.overdue)
        return f" (其中有错误 {n} 行 of them with errors)" if n > 0 else ""

    def lines(self) -> list[str]:
        when = f" ({self.now:%Y-%m-%d %H:%M})" if self.now else ""
        out = [f"行数 rows: {self.rows}   已计算 computed: {self.computed}   有错误 with errors: {self.errors}",
               f"赔偿合计 total compensation: ￥{self.total_compensation:,.2f}   需店长审批 needing approval: {self.approvals}",
               f"已逾期 overdue: {self.overdue}{self._overdue_errors()}   今日到期 due today: {self.due_today}   "
               f"24小时内到期 deadlines due within 24 h: {self.due_24h}{when}",
               # 已逾期 and 即将到期 are counted on the line above, once (by 下一截止, as the 汇总 sheet does): the
               # 状态 word gives 有错误 first, so a count of 已逾期 words would be a second, smaller figure. Here
               # they are one share, so that the line still adds up to the rows.
               "状态 status: " + _status_line(self.by_status),
               "按平台 by platform: " + "; ".join(f"{k} {f.cases}单 ￥{f.compensation:,.2f} 逾期{f.overdue}"
                                                 for k, f in self.by_platform.items()),
               f"写入单元格 cells written: {self.cells_written}"]
        if self.added_columns:
            out.append("新增输出列 added output columns: " + ", ".join(self.added_columns))
        out.extend(f"未写入 not written: 「{h}」列已有不是本工具写的内容, 请改名该列 / the {h} column holds values this "
                   f"tool did not write; rename it" for h in self.skipped_columns)
        if self.totals_rows:
            out.append(f"合计行未改动 totals rows left alone: {len(self.totals_rows)} (行 rows {first_few(self.totals_rows)})")
        if self.formulas_kept:
            out.append(f"公式未覆盖 formulas kept in computed columns: {len(self.formulas_kept)} "
                       f"({first_few(self.formulas_kept)})")
        out.extend(note.text() for note in self.notes)
        if self.texts_clipped:
            out.append(f"超长文本已截断 texts cut to Excel's 32,767-character limit: {self.texts_clipped}")
        if self.temps_removed:
            out.append(f"已清理上次中断留下的临时文件 temp files of an interrupted run removed: {self.temps_removed}")
        if self.policy_changes:
            out.append("规则表改动 policy overrides: " + ", ".join(f"{k}={v}" for k, v in self.policy_changes.items()))
        out.extend(f"日历表错误 calendar error: {e}" if e.startswith("日历!") else f"规则表错误 policy error: {e}"
                   for e in self.policy_errors)
        out.extend(f"原因对照表错误 reason sheet error: {e}" for e in self.reason_errors)
        return out


_ON_THE_LINE_ABOVE = ("已逾期", "即将到期")


def _status_line(by_status: dict) -> str:
    """有错误 11, 已完结 0, 已关闭 0, 逾期或即将到期 17 (见上 above), 需审批 2, 正常 25: every row once."""
    parts, urgent = [], sum(by_status.get(word, 0) for word in _ON_THE_LINE_ABOVE)
    for word, n in by_status.items():
        if word == _ON_THE_LINE_ABOVE[0]:
            parts.append(f"逾期或即将到期 {urgent} (见上 above)")
        elif word not in _ON_THE_LINE_ABOVE:
            parts.append(f"{word} {n}")
    return ", ".join(parts)


def first_few(items: list, n: int = 8) -> str:
    """'3, 7, 12, … (+40)': a list shortened for one console line."""
    shown = ", ".join(str(x) for x in items[:n])
    return shown + (f", … (+{len(items) - n})" if len(items) > n else "")
