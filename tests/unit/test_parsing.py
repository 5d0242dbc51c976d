"""What people type: dates, lead messages, coordinates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from conversations.forms import parse_date
from core.clock import follow_up_due, zone
from core.errors import InvalidInput
from core.geo import Point, distance_m, inside_fence
from core.services.lead_parse import normalise_phone, parse_lead_text

TODAY = date(2026, 8, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-09-03", date(2026, 9, 3)), ("9/3", date(2026, 9, 3)), ("9月3日", date(2026, 9, 3)),
        ("明天", date(2026, 9, 1)), ("后天", date(2026, 9, 2)), ("3天后", date(2026, 9, 3)),
        ("+7", date(2026, 9, 7)), ("in 3 days", date(2026, 9, 3)), ("tomorrow", date(2026, 9, 1)),
        ("1/5", date(2027, 1, 5)),
    ],
)
def test_dates_people_type(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "next blue moon", "2026-08-01", "2031-01-01", "13/45"])
def test_bad_dates_are_refused_with_a_reason(text):
    with pytest.raises(InvalidInput):
        parse_date(text, TODAY)


def test_key_customer_contacted_on_31_august_is_due_on_3_september():
    shanghai = zone("Asia/Shanghai")
    contacted = datetime(2026, 8, 31, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
    due = follow_up_due(contacted, 3, shanghai)
    assert due.astimezone(shanghai).date() == date(2026, 9, 3)


@pytest.mark.parametrize(
    ("message", "company", "contact", "phone", "need"),
    [
        ("王经理 13812345678 苏州恒力机械 需要10台水泵", "苏州恒力机械", "王经理", "13812345678", "需要10台水泵"),
        ("李女士，无锡华光电气有限公司，13700001111", "无锡华光电气有限公司", "李女士", "13700001111", None),
        ("Mr. Smith, 13912345678, Acme Machinery Co. needs 5 pumps", "Acme Machinery Co.", "Mr. Smith", "13912345678", "5 pumps"),
    ],
)
def test_one_message_lead(message, company, contact, phone, need):
    draft = parse_lead_text(message)
    assert (draft.company_name, draft.contact_name, draft.phone, draft.need) == (company, contact, phone, need)


def test_phone_numbers_are_checked():
    assert normalise_phone("138 1234 5678") == "+8613812345678"
    with pytest.raises(InvalidInput):
        normalise_phone("12345")


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (0, 181), (0, 0), (float("nan"), 1), ("x", 1)])
def test_impossible_coordinates_are_refused(lat, lon):
    with pytest.raises(InvalidInput):
        Point.checked(lat, lon)


def test_geofence_is_ellipsoidal():
    site = Point(31.3236, 120.7260)
    for metres, inside in ((299, True), (301, False)):
        p = _north_of(site, metres)
        assert inside_fence(distance_m(site, p), 300) is inside
    for metres, inside in ((499.5, True), (500.5, False)):
        p = _north_of(site, metres)
        assert inside_fence(distance_m(site, p), 500) is inside


def _north_of(site: Point, metres: float) -> Point:
    from geopy.distance import geodesic

    dest = geodesic(meters=metres).destination((site.lat, site.lon), 0)
    return Point(dest.latitude, dest.longitude)
