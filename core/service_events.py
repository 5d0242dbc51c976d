"""Domain events of the service area (tickets, parts, ratings, maintenance, telemetry).

Recorded by core services; notification handlers subscribe to them and write outbox rows
in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.events import Event


@dataclass(frozen=True)
class TicketCreated(Event):
    ticket_id: int
    customer_id: int
    source: str


@dataclass(frozen=True)
class TicketAssigned(Event):
    ticket_id: int
    engineer_id: int
    previous_engineer_id: int | None
    reason: str
    """Why this engineer, as data: 'km=3.2;skill=pump;load=2' (or 'manual')."""
    urgent: bool


@dataclass(frozen=True)
class TicketStatusChanged(Event):
    ticket_id: int
    old: str | None
    new: str
    user_id: int | None


@dataclass(frozen=True)
class SlaAtRisk(Event):
    """A response or resolution deadline is near: first the engineer is told, then the manager."""

    ticket_id: int
    which: str
    """respond or resolve."""
    stage: str
    """engineer (first warning) or manager (still not done, closer to the deadline)."""
    deadline: datetime
    engineer_id: int | None


@dataclass(frozen=True)
class PartsShortage(Event):
    part_id: int
    missing: int
    request_id: int
    ticket_id: int | None
    warehouse_id: int | None
    reason: str
    """shortage (a ticket waits for it) or restock (stock fell below safety)."""


@dataclass(frozen=True)
class LowRating(Event):
    rating_id: int
    ticket_id: int
    engineer_id: int | None
    worst: int


@dataclass(frozen=True)
class MaintenanceDue(Event):
    ticket_id: int
    equipment_id: int
    customer_id: int
    due_on: date


@dataclass(frozen=True)
class ThresholdBreached(Event):
    """A reading went over its threshold and opened a repair ticket (once while it is open)."""

    ticket_id: int
    equipment_id: int
    metric: str
    value: float
    threshold: float


@dataclass(frozen=True)
class TrendWarning(Event):
    """The recent trend reaches a threshold within the horizon: an early warning with a question."""

    equipment_id: int
    metric: str
    days_left: float
    threshold: float
    last_value: float
