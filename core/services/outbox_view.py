"""Reading the notification outbox: admins' counts and lists, a retry, and a user's own reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput, NotFound, PermissionDenied
from core.models import Notification, OutboxStatus, Role, User, utcnow
from core.uow import Actor, UnitOfWork

RETRYABLE = (OutboxStatus.FAILED, OutboxStatus.UNDELIVERABLE)
MAX_PAGE = 200


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    status: str
    login: str
    user_name: str
    user_name_en: str | None
    summary: str
    due_at: datetime
    send_after: datetime
    attempts: int
    last_error: str | None
    platform: str | None
    sent_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for key in ("due_at", "send_after", "sent_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def status_of(text: str | None) -> OutboxStatus | None:
    if not text:
        return None
    try:
        return OutboxStatus(text.strip().lower())
    except ValueError:
        raise InvalidInput("notify.error.status", value=text[:20], known=", ".join(s.value for s in OutboxStatus)) from None


async def counts(session: AsyncSession) -> dict[str, dict[str, int]]:
    """{status: {kind: n}} over the whole outbox."""
    rows = await session.execute(
        select(Notification.status, Notification.kind, func.count()).group_by(Notification.status, Notification.kind)
    )
    out: dict[str, dict[str, int]] = {}
    for status, kind, n in rows.all():
        out.setdefault(OutboxStatus(status).value, {})[kind] = int(n)
    return out


async def listing(
    session: AsyncSession, *, status: OutboxStatus | None = None, kind: str | None = None, limit: int = 20,
    offset: int = 0, only_id: int | None = None,
) -> list[OutboxRow]:
    """Newest first; queued rows by when they will go."""
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput("notify.error.page", limit=MAX_PAGE)
    query = select(Notification, User.login, User.name, User.name_en).join(User, User.id == Notification.user_id)
    if status is not None:
        query = query.where(Notification.status == status)
    if kind:
        query = query.where(Notification.kind == kind[:40])
    if only_id is not None:
        query = query.where(Notification.id == only_id)
    order = Notification.send_after.asc() if status in (OutboxStatus.QUEUED, OutboxStatus.SENDING) else Notification.id.desc()
    rows = await session.execute(query.order_by(order, Notification.id).limit(limit).offset(offset))
    return [
        OutboxRow(
            n.id, n.kind, OutboxStatus(n.status).value, login, name, name_en, n.summary, n.due_at, n.send_after,
            n.attempts, n.last_error, n.platform, n.sent_at,
        )
        for n, login, name, name_en in rows.all()
    ]


async def retry(uow: UnitOfWork, *, actor: Actor | None, notification_id: int) -> Notification:
    """Put a failed or undeliverable row back in the queue (after the user bound a chat, say).

    `actor` None: the admin API, already authorised by its key.
    """
    if actor is not None and actor.user.role != Role.ADMIN:
        raise PermissionDenied()
    row = await uow.session.get(Notification, notification_id)
    if row is None:
        raise NotFound("notify.error.unknown", id=notification_id)
    result = await uow.session.execute(
        update(Notification)
        .where(Notification.id == row.id, Notification.status.in_(RETRYABLE))
        .values(status=OutboxStatus.QUEUED, send_after=utcnow(), attempts=0, lease_until=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        raise InvalidInput("notify.error.not_retryable", id=row.id, status=OutboxStatus(row.status).value)
    uow.audit(actor, "notify.retry", "notification", row.id)
    await uow.session.refresh(row)
    return row


async def own(session: AsyncSession, *, user_id: int, notification_id: int) -> Notification:
    """A notification addressed to this user (reopened from a digest)."""
    row = await session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFound("notify.error.unknown", id=notification_id)
    return row
