"""The figures of a recalculated case sheet, in total and by platform, reason, shop and day.

Each figure is defined by the cells recalc writes, so a formula over the 案件 columns (the 汇总
sheet) gives the same number as the command line, as long as it is evaluated at the same `now`:

* cases:        non-blank case rows;
* compensation: the sum of 赔偿金额;
* approvals:    rows whose 需店长审批 is 是 (approvals pending);
* errors:       rows whose 状态 is 有错误;
* overdue:      rows whose 下一截止 is before `now` (whatever their 状态: a row with an error can be
                overdue too), which is what the 汇总 sheet's COUNTIFS(下一截止,"<"&统计时间) counts live;
* due_today:    rows whose 下一截止 is from `now` to the end of `now`'s date (at the latest 23:59:59 today,
                as the cell shows a 24:00 end): COUNTIFS(下一截止,">="&统计时间,下一截止,"<"&INT(统计时间)+1);
* by_status:    rows per 状态 word (the five words split the rows).

Groups: by_platform, by_reason and by_shop by the cell's text as typed (trimmed; "(空)" for a blank
cell), which is what COUNTIFS/SUMIFS match on (Excel compares text without regard to case; here the
text is compared exactly); by_day by the date of 下一截止 as the cell shows it (rows without one are
in no day).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from addin.core.parse import is_blank, to_text
from addin.core.status import ERROR, STATUSES

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
    if value.__class__ is str:
        text = value.strip()
        return text or BLANK_KEY
    return BLANK_KEY if is_blank(value) else to_text(value)


class Tally:
    """Counts rows by (平台, 售后原因, 店铺名, day, 状态, approval, due today): one dict update per row, the
    figures are added up per group at the end (there are few distinct combinations)."""

    def __init__(self):
        self._rows: Counter = Counter()
        self._amounts: dict[tuple, Decimal] = {}

    def add_row(self, *, platform, reason, shop, next_deadline: dt.datetime | None, amount: Decimal | None,
                approval: bool, status: str, now: dt.datetime) -> None:
        """One case row: its typed 平台/售后原因/店铺名, and 下一截止 as written (24:00 ends as 23:59:59)."""
        day = next_deadline.date() if next_deadline is not None else None
        overdue = next_deadline is not None and next_deadline < now
        # group_key, inlined for the usual typed text (this runs for every row)
        key = (platform.strip() or BLANK_KEY if platform.__class__ is str else group_key(platform),
               reason.strip() or BLANK_KEY if reason.__class__ is str else group_key(reason),
               shop.strip() or BLANK_KEY if shop.__class__ is str else group_key(shop), day, status, approval, overdue,
               next_deadline is not None and not overdue and day == now.date())
        self._rows[key] += 1
        if amount:
            self._amounts[key] = self._amounts.get(key, Decimal("0.00")) + amount

    def merge(self, other: "Tally") -> None:
        self._rows.update(other._rows)
        for key, amount in other._amounts.items():
            self._amounts[key] = self._amounts.get(key, Decimal("0.00")) + amount

    def subtract(self, other: "Tally") -> None:
        """Take back rows counted in `other` (counted here too): `run` computes a row again when its mail
        merge changed the row's 状态, and counts it as computed then (texts_stream._checked_again)."""
        for key, n in other._rows.items():
            left = self._rows[key] - n
            if left:
                self._rows[key] = left
                if key in other._amounts:
                    self._amounts[key] -= other._amounts[key]
            else:
                del self._rows[key]
                self._amounts.pop(key, None)

    def _figures(self, group: int | None) -> dict:
        """Figures per value of one part of the key (None: one total, under the key None)."""
        out: dict = {}
        for key, n in self._rows.items():
            platform, reason, shop, day, status, approval, overdue, due_today = key
            name = None if group is None else key[group]
            if group == 3 and name is None:
                continue                            # no 下一截止: in no day
            f = out.get(name)
            if f is None:
                f = out[name] = Figures()
            f.add(Figures(n, self._amounts.get(key, Decimal("0.00")), n * approval, n * (status == ERROR),
                          n * overdue, n * due_today))
        return out

    @property
    def total(self) -> Figures:
        return self._figures(None).get(None, Figures())

    @property
    def by_platform(self) -> dict[str, Figures]:
        return self._figures(0)

    @property
    def by_reason(self) -> dict[str, Figures]:
        return self._figures(1)

    @property
    def by_shop(self) -> dict[str, Figures]:
        return self._figures(2)

    @property
    def by_day(self) -> dict[dt.date, Figures]:
        return dict(sorted(self._figures(3).items()))

    def status_counts(self) -> dict[str, int]:
        """Every 状态 word, in order of precedence, with its count (0 included)."""
        counts = Counter()
        for key, n in self._rows.items():
            counts[key[4]] += n
        return {s: counts.get(s, 0) for s in STATUSES}
