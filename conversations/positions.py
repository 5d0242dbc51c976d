"""A shared location as a `Fix`, and kept in a dialog (JSON) until the user taps what it is for:
the customer checked in at, or the ticket an engineer arrives at."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversations.inbound import LocationEvent
from core.geo import Fix, Point


def fix_of(event: LocationEvent, received_at: datetime) -> Fix:
    """The position as reported (WGS-84), taken when the platform says, else when it arrived."""
    return Fix(event.point(), event.accuracy_m, event.live, event.source, event.taken_at or received_at, received_at, event.datum)


def kept(fix: Fix) -> dict[str, Any]:
    return {
        "lat": fix.point.lat, "lon": fix.point.lon, "acc": fix.accuracy_m, "live": fix.live, "src": fix.source,
        "at": fix.taken_at.isoformat(), "rcv": fix.received_at.isoformat(), "datum": fix.datum,
    }


def restored(data: dict[str, Any], received_at: datetime | None = None) -> Fix:
    """The kept position (already WGS-84); `received_at` replaces when it arrived (a check-in
    counts from the tap that names the customer)."""
    arrived = received_at or datetime.fromisoformat(data["rcv"])
    return Fix(
        Point(float(data["lat"]), float(data["lon"])), data["acc"], bool(data["live"]), str(data["src"]),
        datetime.fromisoformat(data["at"]), arrived, str(data.get("datum", "wgs84")),
    )
