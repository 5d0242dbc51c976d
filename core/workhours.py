"""Working time: Monday to Friday between the configured hours, in the company's zone.

Approval reminders count working hours, so a quote submitted on Friday evening is not
"overdue" on Monday morning. Public holidays are not known here.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKEND = (5, 6)


def working_hours_between(start: datetime, end: datetime, tz: ZoneInfo, day_start: int, day_end: int) -> float:
    """Hours of working time in [start, end), both aware datetimes."""
    if end <= start:
        return 0.0
    total = timedelta()
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        if day.weekday() not in WEEKEND:
            opens = datetime.combine(day, time(day_start), tzinfo=tz)
            closes = datetime.combine(day, time(day_end), tzinfo=tz) if day_end < 24 else opens.replace(hour=0) + timedelta(days=1)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600
