"""Service-level deadlines per priority, from the `FIELDCHAT_SERVICE_SLA` text."""

from __future__ import annotations

from datetime import datetime, timedelta

PRIORITIES = ("urgent", "high", "normal", "low")


def parse_sla(text: str) -> dict[str, tuple[float, float]]:
    """'urgent=2/24,normal=8/72' → {'urgent': (2.0, 24.0), …}; every priority must be given, respond ≤ resolve."""
    found: dict[str, tuple[float, float]] = {}
    for part in text.split(","):
        name, _, hours = part.strip().partition("=")
        respond, _, resolve = hours.partition("/")
        try:
            pair = (float(respond), float(resolve))
        except ValueError:
            raise ValueError(f"bad SLA entry {part.strip()!r}; write priority=respond_hours/resolve_hours") from None
        if name.strip() not in PRIORITIES or not 0 < pair[0] <= pair[1]:
            raise ValueError(f"bad SLA entry {part.strip()!r}; priorities are {', '.join(PRIORITIES)}")
        found[name.strip()] = pair
    missing = [p for p in PRIORITIES if p not in found]
    if missing:
        raise ValueError(f"SLA missing for {', '.join(missing)}")
    return found


def deadlines(text: str, priority: str, start: datetime) -> tuple[datetime, datetime]:
    """(respond by, resolve by) for a ticket of `priority` opened at `start`."""
    respond, resolve = parse_sla(text)[priority]
    return start + timedelta(hours=respond), start + timedelta(hours=resolve)
