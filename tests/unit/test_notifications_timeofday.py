"""Quiet hours and digest times: what people type, and the moments it gives across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.errors import InvalidInput
from core.services.notify_prefs import Prefs, resolve_zone
from core.timeofday import in_span, leave_span, next_clock, parse_clock, parse_optional_clock, parse_span

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def sh(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SH)


@pytest.mark.parametrize(("text", "expected"), [("8", time(8)), ("08:30", time(8, 30)), ("8.30", time(8, 30)),
                                                ("21h30", time(21, 30)), ("8：05", time(8, 5)), ("0:00", time(0))])
def test_clock_accepts_what_people_type(text, expected):
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["25:00", "8:75", "24:00", "eight", "", "8:5", "-1"])
def test_clock_refuses_what_is_not_a_time_of_day(text):
    with pytest.raises(InvalidInput) as err:
        parse_clock(text)
    assert err.value.code == "notify.error.clock"


def test_spans_cross_midnight_and_can_be_off():
    assert parse_span("22:00-07:00") == (time(22), time(7))
    assert parse_span("22:00 to 7") == (time(22), time(7))
    assert parse_span("21:00～08:00") == (time(21), time(8))
    assert parse_span("off") is None and parse_span("关闭") is None
    assert parse_optional_clock("off") is None and parse_optional_clock("8:30") == time(8, 30)
    for bad, code in (("25:00-07:00", "notify.error.clock"), ("22:00", "notify.error.span"), ("08:00-08:00", "notify.error.span_empty")):
        with pytest.raises(InvalidInput) as err:
            parse_span(bad)
        assert err.value.code == code


def test_a_moment_in_quiet_hours_waits_for_their_end():
    quiet = (time(22), time(7))
    assert in_span(sh(1, 22), quiet, SH) and in_span(sh(2, 6, 59), quiet, SH) and not in_span(sh(2, 7), quiet, SH)
    assert leave_span(sh(1, 22, 30), quiet, SH) == sh(2, 7)          # late evening → next morning
    assert leave_span(sh(2, 3), quiet, SH) == sh(2, 7)               # small hours → same morning
    assert leave_span(sh(2, 12), quiet, SH) == sh(2, 12)             # daytime: unchanged
    assert leave_span(sh(2, 12), None, SH) == sh(2, 12)
    day_quiet = (time(12), time(14))
    assert leave_span(sh(2, 13), day_quiet, SH) == sh(2, 14)


def test_next_clock_is_today_or_tomorrow_in_the_users_zone():
    assert next_clock(sh(1, 0), time(8), SH) == sh(1, 8)
    assert next_clock(sh(1, 8), time(8), SH) == sh(1, 8)
    assert next_clock(sh(1, 9), time(8), SH) == sh(2, 8)


def test_quiet_hours_follow_daylight_saving_in_the_users_zone():
    # Berlin leaves summer time on 25 Oct 2026: quiet hours still end at 07:00 local, now 06:00 UTC.
    quiet = (time(22), time(7))
    before = datetime(2026, 10, 24, 23, 0, tzinfo=BERLIN)
    assert leave_span(before, quiet, BERLIN) == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)


def test_send_time_puts_routine_reminders_at_the_digest_and_urgent_ones_after_quiet_hours():
    prefs = Prefs(1, "Asia/Shanghai", (time(21), time(8)), time(8, 30), frozenset())
    assert prefs.send_time(sh(1, 0), routine=True) == sh(1, 8, 30)
    assert prefs.send_time(sh(1, 22), routine=False) == sh(2, 8)     # a reminder due at 22:00 waits
    assert prefs.send_time(sh(1, 15), routine=False) == sh(1, 15)
    no_digest = Prefs(1, "Asia/Shanghai", (time(21), time(8)), None, frozenset())
    assert no_digest.send_time(sh(1, 0), routine=True) == sh(1, 8)
    early = Prefs(1, "Asia/Shanghai", (time(21), time(8)), time(7), frozenset())
    assert early.send_time(sh(1, 0), routine=True) == sh(1, 8)        # a digest time inside quiet hours waits too


def test_time_zone_names_are_checked_and_forgiving_about_case_and_city_names():
    assert resolve_zone("Europe/Berlin") == "Europe/Berlin"
    assert resolve_zone("asia/shanghai") == "Asia/Shanghai"
    assert resolve_zone("Berlin") == "Europe/Berlin" and resolve_zone("new york") == "America/New_York"
    for bad in ("Mars/Phobos", "", "../etc/passwd", "Shanghai/Asia"):
        with pytest.raises(InvalidInput) as err:
            resolve_zone(bad)
        assert err.value.code == "error.timezone"
