"""Helpers for notification tests: a notifier over recording adapters, and moments in Shanghai time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bootstrap import Container
from core.models import Notification, utcnow
from notifications.service import Notifier
from tests.support.recording import Registry

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(days: int, hour: int, minute: int = 0) -> datetime:
    """`days` from today at hh:mm in Shanghai (the world's zone), as UTC."""
    day = utcnow().astimezone(SHANGHAI).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)


def notifier(container: Container, *senders: Any, limits: Any = None, **settings: Any) -> Notifier:
    """A notifier delivering through `senders` (the container's own one already subscribes to events)."""
    return Notifier(
        sessionmaker=container.sessionmaker, bus=container.deps.bus, settings=container.settings.model_copy(update=settings),
        codec=container.deps.codec, senders=Registry(*senders), limits=limits,
    )


class FakeClock:
    """A monotonic clock that moves only when told (for the rate limiter)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def rows(container: Container, **where: Any) -> list[Notification]:
    async with container.sessionmaker() as s:
        query = select(Notification).order_by(Notification.id)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return list((await s.scalars(query)).all())


async def press(chat: Any, container: Container, flow: str, arg: str) -> Any:
    """Tap a stateless button (as a notification's buttons are) without having it on screen."""
    from conversations.inbound import ActionEvent

    return await chat.send(ActionEvent(container.deps.codec.encode(flow, "-", arg)))


async def queue(container: Container, user_id: int, text: str, *, due: datetime | None = None, kind: str = "lead_assigned",
                routine: bool = False, key: str | None = None) -> int:
    """Write one plain notification row, timed by the recipient's preferences as a rule would."""
    from conversations.messages import Text
    from notifications.compose import Composer
    from notifications.outbox import OutboxItem, enqueue

    due = due or utcnow()
    async with container.sessionmaker() as s:
        to = (await Composer(container.settings, container.deps.codec).recipients(s, [user_id]))[user_id]
        item = OutboxItem(user_id=user_id, kind=kind, dedupe_key=key or f"test:{user_id}:{text}", due_at=due,
                          send_after=to.send_time(due, routine=routine), summary=text, replies=(Text(text),), routine=routine)
        (row_id,) = await enqueue(s, [item])
        await s.commit()
    return row_id
