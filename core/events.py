"""Domain events (past tense) and the bus that hands them to subscribers.

Subscribers run inside the unit of work that recorded the event, before its commit, so
that what they write (outbox rows, say) commits or rolls back with the change itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Event:
    pass


@dataclass(frozen=True)
class ChatBound(Event):
    user_id: int
    platform: str


@dataclass(frozen=True)
class VisitCheckedIn(Event):
    visit_id: int
    customer_id: int
    user_id: int
    inside_fence: bool
    trust_flags: tuple[str, ...]


@dataclass(frozen=True)
class VisitCheckedOut(Event):
    visit_id: int
    customer_id: int
    user_id: int


@dataclass(frozen=True)
class ContactRecorded(Event):
    record_id: int
    customer_id: int
    user_id: int
    next_contact_at: datetime | None


@dataclass(frozen=True)
class LeadCreated(Event):
    lead_id: int
    created_by_id: int | None


@dataclass(frozen=True)
class LeadAssigned(Event):
    lead_id: int
    assignee_id: int
    reason: str


@dataclass(frozen=True)
class CustomerClaimed(Event):
    customer_id: int
    user_id: int


@dataclass(frozen=True)
class CustomerReleased(Event):
    customer_id: int
    previous_owner_id: int
    by_user_id: int | None
    """None: recycled automatically after too long without contact."""


@dataclass(frozen=True)
class CustomerCreated(Event):
    customer_id: int


@dataclass(frozen=True)
class CustomerChanged(Event):
    """Name, owner, location or grade changed: search indexes refresh on this."""

    customer_id: int


@dataclass(frozen=True)
class TaskCompleted(Event):
    task_id: int
    user_id: int


Handler = Callable[["AsyncSession", Any], Awaitable[None]]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[Event], handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def handlers_for(self, event: Event) -> list[Handler]:
        found: list[Handler] = []
        for cls in type(event).__mro__:
            found.extend(self._handlers.get(cls, ()))  # type: ignore[arg-type]
        return found
