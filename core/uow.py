"""One unit of work per request: a session, the acting user, and the events recorded."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.events import Event, EventBus
from core.models import AuditEntry, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who does something, and from where (for permissions and the audit log)."""

    user: User
    platform: str


@dataclass
class UnitOfWork:
    sessionmaker: async_sessionmaker[AsyncSession]
    bus: EventBus = field(default_factory=EventBus)
    session: AsyncSession = field(init=False)
    events: list[Event] = field(init=False, default_factory=list)

    async def __aenter__(self) -> UnitOfWork:
        self.session = self.sessionmaker()
        self.events = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            await self.session.rollback()
        await self.session.close()

    def record(self, event: Event) -> None:
        self.events.append(event)

    def audit(self, actor: Actor | None, action: str, entity: str, entity_id: int | None, **detail: Any) -> None:
        self.session.add(
            AuditEntry(
                user_id=actor.user.id if actor else None,
                platform=actor.platform if actor else "system",
                action=action,
                entity=entity,
                entity_id=entity_id,
                detail=detail,
            )
        )

    async def commit(self) -> list[Event]:
        """Run subscribers inside the transaction, then commit; returns the events published."""
        published: list[Event] = []
        while self.events:
            event = self.events.pop(0)
            published.append(event)
            for handler in self.bus.handlers_for(event):
                await handler(self.session, event)
        await self.session.commit()
        return published

    async def rollback(self) -> None:
        self.events.clear()
        await self.session.rollback()
