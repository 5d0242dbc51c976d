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


def notifier(container: Container, *senders: Any, **settings: Any) -> Notifier:
    """A notifier delivering through `senders` (the container's own one already subscribes to events)."""
    return Notifier(
        sessionmaker=container.sessionmaker, bus=container.deps.bus, settings=container.settings.model_copy(update=settings),
        codec=container.deps.codec, senders=Registry(*senders),
    )


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
