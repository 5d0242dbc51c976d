"""The morning digest (晨报): a user's routine reminders that fell due, folded into one message.

Per user, in one transaction: the due routine rows are checked (muted kind, no longer
true), and the rest become one digest row (or, if only one is left, that row simply
goes out alone). The digest is an ordinary urgent outbox row, delivered like any other.
On PostgreSQL a per-user advisory lock lets only one worker fold a user at a time; on
SQLite the write lock already does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.messages import Choices, Reply, Text
from core.models import Notification, OutboxStatus
from core.services.notify_prefs import KINDS
from core.settings import Settings
from notifications.compose import Composer, Recipient
from notifications.outbox import OutboxItem, enqueue
from notifications.rules import Pending, still_true

KIND = "digest"
LOCK_SPACE = 4_242_018
"""pg_advisory_xact_lock(space, user_id): one folder per user at a time."""
MAX_USERS = 500
MAX_LINES = 30
MAX_BUTTONS = 8


@dataclass
class Folded:
    digests: int = 0
    digested: int = 0
    alone: int = 0
    muted: int = 0
    obsolete: int = 0


async def fold_due(
    sessionmaker: async_sessionmaker[AsyncSession], composer: Composer, settings: Settings, now: datetime
) -> Folded:
    """Fold every user's due routine rows; safe to run in several workers at once."""
    out = Folded()
    async with sessionmaker() as session:
        users = (
            await session.scalars(
                select(Notification.user_id)
                .where(Notification.status == OutboxStatus.QUEUED, Notification.routine.is_(True), Notification.send_after <= now)
                .group_by(Notification.user_id)
                .limit(MAX_USERS)
            )
        ).all()
    for user_id in users:
        async with sessionmaker() as session:
            await _fold_user(session, composer, settings, user_id, now, out)
    return out


async def _fold_user(
    session: AsyncSession, composer: Composer, settings: Settings, user_id: int, now: datetime, out: Folded
) -> None:
    if session.get_bind().dialect.name == "postgresql":
        locked = await session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_SPACE, user_id)))
        if not locked:
            return
    rows = list(
        (
            await session.scalars(
                select(Notification)
                .where(
                    Notification.user_id == user_id, Notification.status == OutboxStatus.QUEUED,
                    Notification.routine.is_(True), Notification.send_after <= now,
                )
                .order_by(Notification.due_at, Notification.id)
            )
        ).all()
    )
    to = (await composer.recipients(session, [user_id])).get(user_id)
    keep = await screen(session, rows, to, settings, out)
    if len(keep) == 1:
        keep[0].routine = False
        out.alone += 1
    elif keep and to is not None:
        ids = await enqueue(session, [_digest(to, keep, now)])
        if not ids:  # a digest of exactly these rows exists already: leave them be
            await session.rollback()
            return
        for row in keep:
            row.status, row.parent_id = OutboxStatus.DIGESTED, ids[0]
        out.digests += 1
        out.digested += len(keep)
    await session.commit()


async def screen(
    session: AsyncSession, rows: list[Notification], to: Recipient | None, settings: Settings, out: Folded
) -> list[Notification]:
    """Drop what must not go: for an inactive user, muted kinds, and what is no longer true."""
    if to is None:
        for row in rows:
            row.status, row.last_error = OutboxStatus.UNDELIVERABLE, "user inactive or unknown"
        return []
    keep: list[Notification] = []
    for row in rows:
        info = KINDS.get(row.kind)
        if info is not None and info.mutable and row.kind in to.prefs.muted:
            row.status = OutboxStatus.MUTED
            out.muted += 1
        else:
            keep.append(row)
    alive = await still_true(session, [Pending(r.id, r.kind, r.user_id, r.ref_id, r.due_at) for r in keep], settings)
    for row in keep:
        if row.id not in alive:
            row.status = OutboxStatus.OBSOLETE
            out.obsolete += 1
    return [row for row in keep if row.id in alive]


def _digest(to: Recipient, rows: list[Notification], now: datetime) -> OutboxItem:
    return OutboxItem(
        user_id=to.user.id, kind=KIND, dedupe_key=f"{KIND}:{to.user.id}:{rows[0].id}", due_at=now,
        send_after=to.send_time(now, routine=False),
        summary=to.voice.t("notify.digest.summary", count=len(rows)), replies=digest_replies(to, rows),
    )


def digest_replies(to: Recipient, rows: Sequence[Notification], *, header: str | None = None) -> tuple[Reply, ...]:
    """The morning digest (with the agenda button), or under `header` another fold of `rows`."""
    v = to.voice
    lines = [f"• {row.summary}" for row in rows[:MAX_LINES]]
    if len(rows) > MAX_LINES:
        lines.append(v.t("notify.digest.more", count=len(rows) - MAX_LINES))
    buttons = [v.button(row.summary[:48], "rm", f"o{row.id}") for row in rows[:MAX_BUTTONS]]
    if header is None:
        header = v.t("notify.digest.header", name=to.name, count=len(rows))
        buttons.append(v.button(v.t("menu.agenda"), "ag", "ptoday", style="primary"))
    return (Text(header + "\n" + "\n".join(lines)), Choices(v.t("notify.digest.open"), tuple(buttons)))
