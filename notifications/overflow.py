"""Overflow digests: what waits behind a chat's send limit goes out as one message, not one per slot.

WeCom drops app messages over 30 a minute or 1,000 an hour per member without an error, so
its adapter refuses a send over budget (`DeliveryError(retry_after)`) and the delivery loop
defers the row; the notifier's own `Limits` and a platform's 429 defer the same way. When
that happens to a user, the rows waiting for the same free slot are folded:

- Folded: kinds a user may mute (informational: new leads, pool warnings, stock and service
  notices, rebate reminders, approval progress and comments). Each line of the digest opens
  its row's own message with its buttons (`rm o<id>`), as in the morning digest.
- Sent alone, and first: kinds a user cannot mute (approval cards, edited after a decision,
  and outcomes; ticket assignments and SLA breaches; rebate claims; digests). They wait for
  the same slot with lower ids, and the outbox is claimed in (send time, id) order.

Exactly once: one transaction folds this worker's own deferred rows and the user's queued
rows due by the free slot (PostgreSQL: the morning digest's per-user advisory lock, and
`FOR UPDATE SKIP LOCKED` so rows another worker holds stay with it). Each folded row becomes
DIGESTED with `parent_id` naming the one digest that lists it; fewer than two rows fold
nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Notification, OutboxStatus
from core.services.notify_prefs import KINDS
from core.settings import Settings
from notifications.compose import Composer, Recipient
from notifications.digest import KIND, LOCK_SPACE, MAX_LINES, Folded, digest_replies, screen
from notifications.outbox import OutboxItem, enqueue

FOLDABLE = tuple(code for code, kind in KINDS.items() if kind.mutable)
MAX_ROWS = 10 * MAX_LINES
"""Rows folded at one refusal (ten digests of thirty lines); later ones fold at the next."""


async def fold_overflow(
    session: AsyncSession, composer: Composer, settings: Settings, *, worker: str, user_id: int,
    deferred: Sequence[int], ready: datetime, now: datetime, out: Folded,
) -> set[int]:
    """Fold what waits for `user_id` until `ready`; returns the ids of `deferred` (rows this worker
    claimed and put back) that are settled now, digested or dropped, so their outcome is moot."""
    if session.get_bind().dialect.name == "postgresql":
        if not await session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_SPACE, user_id))):
            return set()  # another worker folds this user now: these rows simply wait
    mine = and_(Notification.id.in_(deferred), Notification.status == OutboxStatus.SENDING, Notification.claimed_by == worker)
    queued = and_(Notification.status == OutboxStatus.QUEUED, Notification.send_after <= ready)
    rows = list(
        (
            await session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id, Notification.routine.is_(False), Notification.kind.in_(FOLDABLE), or_(mine, queued))
                .order_by(Notification.due_at, Notification.id)
                .limit(MAX_ROWS)
                .with_for_update(skip_locked=True)
            )
        ).all()
    )
    to = (await composer.recipients(session, [user_id])).get(user_id)
    seen = Folded()
    keep = await screen(session, rows, to, settings, seen)
    if len(keep) < 2 or to is None:
        await session.rollback()
        return set()
    size = math.ceil(len(keep) / math.ceil(len(keep) / MAX_LINES))  # even digests of ≤ MAX_LINES: 31 → 16 + 15
    chunks = [keep[i : i + size] for i in range(0, len(keep), size)]
    for chunk in chunks:  # one INSERT each: the id returned is surely the digest of this chunk
        ids = await enqueue(session, [_digest(to, chunk, ready, now)])
        if not ids:  # a digest of these rows exists already: leave them be
            await session.rollback()
            return set()
        for row in chunk:
            row.status, row.parent_id, row.lease_until = OutboxStatus.DIGESTED, ids[0], None
    settled = {row.id for row in rows} & set(deferred)
    await session.commit()
    out.digests += len(chunks)
    out.digested += len(keep)
    out.muted += seen.muted
    out.obsolete += seen.obsolete
    return settled


def _digest(to: Recipient, rows: list[Notification], ready: datetime, now: datetime) -> OutboxItem:
    v = to.voice
    return OutboxItem(
        user_id=to.user.id, kind=KIND, dedupe_key=f"{KIND}:overflow:{to.user.id}:{rows[0].id}", due_at=now,
        send_after=to.send_time(ready, routine=False), summary=v.t("notify.overflow.summary", count=len(rows)),
        replies=digest_replies(to, rows, header=v.t("notify.overflow.header", count=len(rows))),
    )
