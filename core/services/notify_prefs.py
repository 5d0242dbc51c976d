"""Notification kinds and each user's preferences: time zone, quiet hours, digest time, mutes.

Also the one rule for *when* a notification may go out, used both when a row is
written and when a user changes their settings (their queued rows are re-timed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import zone
from core.errors import InvalidInput
from core.models import Notification, NotificationPrefs, OutboxStatus, User, utcnow
from core.settings import Settings
from core.timeofday import leave_span, next_clock, parse_clock, parse_optional_clock, parse_span
from core.uow import Actor, UnitOfWork


@dataclass(frozen=True)
class Kind:
    code: str
    routine: bool
    """Routine kinds wait for the morning digest; the others are urgent and go at once."""
    mutable: bool = True


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("follow_up", routine=True),
        Kind("birthday", routine=True),
        Kind("pool_warning", routine=False),
        Kind("pool_recycled", routine=False),
        Kind("lead_assigned", routine=False),
        Kind("approval_request", routine=False, mutable=False),
        Kind("approval_reminder", routine=False, mutable=False),
        Kind("approval_escalated", routine=False, mutable=False),
        Kind("approval_outcome", routine=False, mutable=False),
        Kind("approval_progress", routine=False),
        Kind("approval_comment", routine=False),
        Kind("digest", routine=False, mutable=False),
        Kind("ticket_assigned", routine=False, mutable=False),
        Kind("ticket_sla", routine=False, mutable=False),
        Kind("parts_shortage", routine=False),
        Kind("low_rating", routine=False),
        Kind("maintenance_due", routine=False),
        Kind("threshold_breached", routine=False),
        Kind("trend_warning", routine=False),
        Kind("stock_low", routine=False),
        Kind("rebate_tier", routine=False),
        Kind("rebate_close", routine=False),
        Kind("rebate_claim", routine=False, mutable=False),
    )
}
"""Every notification kind; later features add theirs here (and a `notify.kind.<code>` text)."""


@dataclass(frozen=True)
class Prefs:
    user_id: int
    timezone: str
    quiet: tuple[time, time] | None
    digest_at: time | None
    muted: frozenset[str]
    custom: bool = False
    """The user changed something (False: every value is the configured default)."""

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def send_time(self, due: datetime, *, routine: bool) -> datetime:
        """When a notification due at `due` may go: routine ones at the next digest, none in quiet hours."""
        return _send_time(self.timezone, self.quiet, self.digest_at if routine else None, due)


@lru_cache(maxsize=65536)
def _send_time(timezone: str, quiet: tuple[time, time] | None, digest_at: time | None, due: datetime) -> datetime:
    """Shared by everyone with the same settings (a sweep asks it for thousands of rows)."""
    tz = zone(timezone)
    moment = next_clock(due, digest_at, tz) if digest_at else due
    return leave_span(moment, quiet, tz)


def defaults(settings: Settings) -> tuple[tuple[time, time] | None, time | None]:
    quiet = parse_span(settings.notify_quiet_hours)
    digest = None if settings.notify_digest_time.strip().lower() == "off" else parse_clock(settings.notify_digest_time)
    return quiet, digest


def _prefs(user: User, row: NotificationPrefs | None, settings: Settings) -> Prefs:
    timezone = user.timezone or settings.timezone
    if row is None:
        quiet, digest = defaults(settings)
        return Prefs(user.id, timezone, quiet, digest, frozenset())
    quiet_row = (row.quiet_start, row.quiet_end) if row.quiet_start and row.quiet_end else None
    return Prefs(user.id, timezone, quiet_row, row.digest_at, frozenset(row.muted or ()), custom=True)


async def load_prefs(session: AsyncSession, users: list[User], settings: Settings) -> dict[int, Prefs]:
    """Preferences of many users in one query (rules and delivery work in batches)."""
    ids = [u.id for u in users]
    rows = {r.user_id: r for r in (await session.scalars(select(NotificationPrefs).where(NotificationPrefs.user_id.in_(ids)))).all()}
    return {u.id: _prefs(u, rows.get(u.id), settings) for u in users}


async def prefs_of(session: AsyncSession, user: User, settings: Settings) -> Prefs:
    return (await load_prefs(session, [user], settings))[user.id]


async def _row(session: AsyncSession, user: User, settings: Settings) -> NotificationPrefs:
    row = await session.get(NotificationPrefs, user.id)
    if row is None:
        quiet, digest = defaults(settings)
        row = NotificationPrefs(
            user_id=user.id, quiet_start=quiet[0] if quiet else None, quiet_end=quiet[1] if quiet else None,
            digest_at=digest, muted=[],
        )
        session.add(row)
    return row


@cache
def _zone_names() -> dict[str, str]:
    """Lower-cased IANA names and their last parts ('berlin' → 'Europe/Berlin') when unambiguous."""
    names = available_timezones()
    by_city: dict[str, list[str]] = {}
    for name in names:
        by_city.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)
    found = {city: options[0] for city, options in by_city.items() if len(options) == 1}
    found.update({name.lower(): name for name in names})
    return found


def resolve_zone(text: str) -> str:
    """'Asia/Shanghai', 'asia/shanghai', 'Berlin' or 'new_york' → an IANA name; 'Mars/Phobos' → InvalidInput."""
    cleaned = text.strip().replace(" ", "_")
    name = _zone_names().get(cleaned.lower())
    if name is None:
        raise InvalidInput("error.timezone", value=text.strip()[:50])
    zone(name)
    return name


async def set_timezone(uow: UnitOfWork, *, actor: Actor, name: str, settings: Settings) -> Prefs:
    tz_name = resolve_zone(name)
    actor.user.timezone = tz_name
    uow.audit(actor, "notify.timezone", "user", actor.user.id, timezone=tz_name)
    return await retime(uow.session, actor.user, settings)


async def set_quiet(uow: UnitOfWork, *, actor: Actor, text: str, settings: Settings) -> Prefs:
    span = parse_span(text)
    row = await _row(uow.session, actor.user, settings)
    row.quiet_start, row.quiet_end = (span[0], span[1]) if span else (None, None)
    uow.audit(actor, "notify.quiet", "user", actor.user.id, quiet=text.strip()[:30])
    return await retime(uow.session, actor.user, settings)


async def set_digest(uow: UnitOfWork, *, actor: Actor, text: str, settings: Settings) -> Prefs:
    row = await _row(uow.session, actor.user, settings)
    row.digest_at = parse_optional_clock(text)
    uow.audit(actor, "notify.digest", "user", actor.user.id, digest=text.strip()[:10])
    return await retime(uow.session, actor.user, settings)


async def toggle_mute(uow: UnitOfWork, *, actor: Actor, kind: str, settings: Settings) -> Prefs:
    info = KINDS.get(kind)
    if info is None or not info.mutable:
        raise InvalidInput("notify.error.kind", value=kind[:40])
    row = await _row(uow.session, actor.user, settings)
    muted = set(row.muted or ())
    muted ^= {kind}
    row.muted = sorted(muted)
    uow.audit(actor, "notify.mute", "user", actor.user.id, kind=kind, muted=kind in muted)
    return await retime(uow.session, actor.user, settings)


async def retime(session: AsyncSession, user: User, settings: Settings) -> Prefs:
    """Move the user's queued rows to the times their new settings give."""
    await session.flush()
    prefs = await prefs_of(session, user, settings)
    rows = (
        await session.execute(
            select(Notification.id, Notification.due_at, Notification.routine).where(
                Notification.user_id == user.id, Notification.status == OutboxStatus.QUEUED, Notification.attempts == 0
            )
        )
    ).all()
    floor = utcnow()
    for row_id, due, routine in rows:
        when = prefs.send_time(max(due, floor) if not routine else due, routine=routine)
        await session.execute(update(Notification).where(Notification.id == row_id).values(send_after=when))
    return prefs
