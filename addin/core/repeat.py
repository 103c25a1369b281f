"""Repeat refunders: the same buyer or the same phone number with N refund requests within a window
of days (规则: REP-1.refunds, REP-1.days). Looks across rows, so it runs on the whole sheet's refund
events (addin.workbook.commands.compute collects them); pure, no I/O."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class RefundEvent:
    row: int
    buyer: str | None
    phone: str | None
    at: dt.datetime          # 退款申请时间


def refund_event(row: int, case) -> RefundEvent | None:
    """A case counts as a refund when it has a 退款申请时间 and a buyer or a phone number."""
    at = getattr(case, "refund_requested_at", None)
    if at is None or not (case.buyer or case.phone):
        return None
    return RefundEvent(row, (case.buyer or "").strip() or None, (case.phone or "").strip() or None, at)


def repeat_refunders(events: list[RefundEvent], refunds: int, days: int) -> dict[int, tuple[str, int]]:
    """row -> (who, the most refunds of that buyer or phone within any `days`-day window), for the rows of
    buyers/phones that reached `refunds` in some window. `refunds` < 2 switches the check off."""
    if refunds < 2 or not events:
        return {}
    groups: dict[tuple[str, str], list[RefundEvent]] = defaultdict(list)
    for e in events:
        if e.buyer:
            groups[("买家", e.buyer)].append(e)
        if e.phone:
            groups[("手机号", e.phone)].append(e)
    span = dt.timedelta(days=days)
    out: dict[int, tuple[str, int]] = {}
    for (label, key), group in sorted(groups.items()):
        group.sort(key=lambda e: (e.at, e.row))
        best, lo = 0, 0
        for hi, e in enumerate(group):
            while e.at - group[lo].at > span:
                lo += 1
            best = max(best, hi - lo + 1)
        if best >= refunds:
            for e in group:
                who = f"{label} {key}"
                if e.row not in out or out[e.row][1] < best:
                    out[e.row] = (who, best)
    return out


def repeat_note(who: str, count: int, days: int) -> tuple[str, str]:
    return (f"重复退款: {who} {days}天内退款{count}次, 请核实后再处理",
            f"repeat refunder: {who}, {count} refunds within {days} days; check before agreeing")
