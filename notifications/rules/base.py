"""What every rule gets: the database, the event bus, settings and a Composer; and what it gives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.events import EventBus
from core.settings import Settings
from notifications.compose import Composer

PAGE = 2000
"""Records per transaction in a sweep: keeps SQLite's write lock short for chat turns."""


@dataclass(frozen=True)
class RuleEnv:
    sessionmaker: async_sessionmaker[AsyncSession]
    bus: EventBus
    settings: Settings
    composer: Composer


@dataclass(frozen=True)
class Pending:
    """A queued row about to go out, as a staleness check sees it."""

    id: int
    kind: str
    user_id: int
    ref_id: int | None
    due_at: datetime


StaleCheck = Callable[[AsyncSession, Sequence[Pending], Settings], Awaitable[set[int]]]
"""Returns the ids, among the given rows of its kind, that are still true and worth sending."""


@dataclass(frozen=True)
class Rule:
    """One notification kind: its scheduled sweep (if any) and its check before sending (if any)."""

    kind: str
    sweep: Callable[[RuleEnv, datetime], Awaitable[int]] | None = None
    """Writes what is due as of a moment; returns the number of new outbox rows."""
    stale: StaleCheck | None = None
    every: timedelta | None = None
    """Scheduled sweeps of this rule run at most this often (None: on every tick); rules whose
    query cannot use an index (idleness, birthdays) need no minute-by-minute precision."""
