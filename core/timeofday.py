"""Times of day as people type them ('8:30', '22:00-07:00', 'off'), and local-time arithmetic.

Quiet hours and the morning digest are wall-clock times in the user's own zone; these
helpers turn them into UTC moments, across midnight and daylight-saving changes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import InvalidInput

CLOCK = re.compile(r"^(\d{1,2})(?:[:：.h](\d{2}))?$")
SPAN = re.compile(r"^(.+?)\s*(?:-|–|—|~|～|to|至|到)\s*(.+)$")
OFF_WORDS = {"off", "none", "no", "关", "关闭", "无", "不"}


def parse_clock(text: str) -> time:
    """'8', '08:30', '8.30', '21h30', '8：30' → a time of day; '25:00' or '8:75' → InvalidInput."""
    m = CLOCK.match(text.strip().lower())
    if not m:
        raise InvalidInput("notify.error.clock", value=text.strip()[:20])
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 23 or minute > 59:
        raise InvalidInput("notify.error.clock", value=text.strip()[:20])
    return time(hour, minute)


def is_off(text: str) -> bool:
    return text.strip().lower() in OFF_WORDS


def parse_span(text: str) -> tuple[time, time] | None:
    """'22:00-07:00' → (22:00, 07:00); 'off' → None. A span may cross midnight, not be empty."""
    if is_off(text):
        return None
    m = SPAN.match(text.strip())
    if not m:
        raise InvalidInput("notify.error.span", value=text.strip()[:30])
    start, end = parse_clock(m.group(1)), parse_clock(m.group(2))
    if start == end:
        raise InvalidInput("notify.error.span_empty", value=text.strip()[:30])
    return start, end


def parse_optional_clock(text: str) -> time | None:
    return None if is_off(text) else parse_clock(text)


def clock_text(value: time | None) -> str:
    return value.strftime("%H:%M") if value is not None else "off"


def span_text(span: tuple[time, time] | None) -> str:
    return f"{clock_text(span[0])}-{clock_text(span[1])}" if span else "off"


def _at(day: datetime, clock: time, tz: ZoneInfo) -> datetime:
    """The UTC moment of `clock` on the local date of `day`."""
    return datetime.combine(day.date(), clock, tzinfo=tz).astimezone(UTC)


def in_span(moment: datetime, span: tuple[time, time] | None, tz: ZoneInfo) -> bool:
    if span is None:
        return False
    now = moment.astimezone(tz).time()
    start, end = span
    return start <= now < end if start < end else now >= start or now < end


def leave_span(moment: datetime, span: tuple[time, time] | None, tz: ZoneInfo) -> datetime:
    """`moment` itself if outside the span, else the span's next end (22:30 → 07:00 next morning)."""
    if not in_span(moment, span, tz):
        return moment
    assert span is not None
    local = moment.astimezone(tz)
    end = _at(local, span[1], tz)
    return end if end > moment else _at(local + timedelta(days=1), span[1], tz)


def next_clock(moment: datetime, clock: time, tz: ZoneInfo) -> datetime:
    """The first time the local clock shows `clock` at or after `moment`."""
    local = moment.astimezone(tz)
    today = _at(local, clock, tz)
    return today if today >= moment else _at(local + timedelta(days=1), clock, tz)
