"""The figures of a recalculated case sheet, in total and by platform, reason, shop and day.

Each figure is defined by the cells recalc writes, so a formula over the 案件 columns (the 汇总
sheet) gives the same number as the command line, as long as it is evaluated at the same `now`:

* cases:        non-blank case rows;
* compensation: the sum of 赔偿金额;
* approvals:    rows whose 需店长审批 is 是 (approvals pending);
* errors:       rows whose 状态 is 有错误;
* overdue:      rows whose 状态 is 已逾期 (no error, 下一截止 before `now`);
* due_today:    rows whose 状态 is 即将到期 and whose 下一截止 falls on `now`'s date (no error, not yet
                past, at the latest 23:59:59 today as the cell shows a 24:00 end);
* by_status:    rows per 状态 word (the five words split the rows).

Groups: by_platform, by_reason and by_shop by the cell's text as typed (trimmed; "(空)" for a blank
cell), which is what COUNTIFS/SUMIFS match on (Excel compares text without regard to case; here the
text is compared exactly); by_day by the date of 下一截止 as the cell shows it (rows without one are
in no day).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from addin.core.parse import is_blank, to_text
from addin.core.status import DUE_SOON, ERROR, OVERDUE, STATUSES

BLANK_KEY = "(空)"


@dataclass
class Figures:
    cases: int = 0
    compensation: Decimal = Decimal("0.00")
    approvals: int = 0
    errors: int = 0
    overdue: int = 0
    due_today: int = 0

    def add(self, other: "Figures") -> None:
        self.cases += other.cases
        self.compensation += other.compensation
        self.approvals += other.approvals
        self.errors += other.errors
        self.overdue += other.overdue
        self.due_today += other.due_today


def group_key(value) -> str:
    return BLANK_KEY if is_blank(value) else to_text(value)


@dataclass
class Tally:
    total: Figures = field(default_factory=Figures)
    by_status: Counter = field(default_factory=Counter)
    by_platform: dict[str, Figures] = field(default_factory=dict)
    by_reason: dict[str, Figures] = field(default_factory=dict)
    by_shop: dict[str, Figures] = field(default_factory=dict)
    by_day: dict[dt.date, Figures] = field(default_factory=dict)

    def add_row(self, *, platform, reason, shop, next_deadline: dt.datetime | None, amount: Decimal | None,
                approval: bool, status: str, now: dt.datetime) -> None:
        """One case row: its typed 平台/售后原因/店铺名, and 下一截止 as written (24:00 ends as 23:59:59)."""
        row = Figures(1, amount if amount is not None else Decimal("0.00"), int(approval), int(status == ERROR),
                      int(status == OVERDUE),
                      int(status == DUE_SOON and next_deadline is not None and next_deadline.date() == now.date()))
        self.total.add(row)
        self.by_status[status] += 1
        for table, key in ((self.by_platform, group_key(platform)), (self.by_reason, group_key(reason)),
                           (self.by_shop, group_key(shop))):
            table.setdefault(key, Figures()).add(row)
        if next_deadline is not None:
            self.by_day.setdefault(next_deadline.date(), Figures()).add(row)

    def merge(self, other: "Tally") -> None:
        self.total.add(other.total)
        self.by_status.update(other.by_status)
        for mine, theirs in ((self.by_platform, other.by_platform), (self.by_reason, other.by_reason),
                             (self.by_shop, other.by_shop), (self.by_day, other.by_day)):
            for key, figures in theirs.items():
                mine.setdefault(key, Figures()).add(figures)

    def status_counts(self) -> dict[str, int]:
        """Every 状态 word, in order of precedence, with its count (0 included)."""
        return {s: self.by_status.get(s, 0) for s in STATUSES}
