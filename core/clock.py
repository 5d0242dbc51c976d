"""Time helpers: local dates in a user's time zone, and the grade-based follow-up rhythm."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import InvalidInput


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("error.timezone", value=name) from None


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """Midnight of a local date, as an aware UTC datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def follow_up_due(last_contact: datetime, interval_days: int, tz: ZoneInfo) -> datetime:
    """Contacted on 31 August with a 3-day rhythm → due on 3 September (local midnight)."""
    return start_of_day(local_date(last_contact, tz) + timedelta(days=interval_days), tz)


def period_end(now: datetime, period: str, tz: ZoneInfo) -> datetime:
    """End (exclusive) of today, this week (Mon–Sun) or this month, in the user's zone."""
    today = local_date(now, tz)
    if period == "week":
        end = today + timedelta(days=7 - today.weekday())
    elif period == "month":
        end = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    else:
        end = today + timedelta(days=1)
    return start_of_day(end, tz)
