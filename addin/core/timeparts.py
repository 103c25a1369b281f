"""Small time helpers shared by the rules: day-based periods end at 24:00 (= next day 00:00)."""
from __future__ import annotations

import datetime as dt

# The workbook's clock. China has one time zone and no daylight saving, so a fixed offset is exact
# (and needs no tz database, which Windows and the browser may lack).
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "UTC+08:00")


def china_now() -> dt.datetime:
    """Now as naive China time, to the second, whatever the machine's own time zone."""
    return dt.datetime.now(CHINA_TZ).replace(tzinfo=None, microsecond=0)


def end_of_day_after(start: dt.date, days: int) -> dt.datetime:
    """P14 §201: start day not counted, the period ends at 24:00 on day start+days.

    24:00 is represented as 00:00 of the following day so that comparisons are exact.
    """
    return dt.datetime.combine(start + dt.timedelta(days=days + 1), dt.time(0))


def is_end_of_day(instant: dt.datetime) -> bool:
    return instant.time() == dt.time(0)


def fmt_instant(instant: dt.datetime) -> str:
    """'2026-10-06 24:00' for day-based ends, '2026-10-06 15:20' otherwise."""
    if is_end_of_day(instant):
        return f"{(instant - dt.timedelta(days=1)).date().isoformat()} 24:00"
    return instant.strftime("%Y-%m-%d %H:%M")
