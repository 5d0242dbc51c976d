"""The agenda (日程): follow-ups due and open tasks for today, this week or this month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import local_date, period_end, start_of_day, zone
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.events import TaskCompleted
from core.models import ContactKind, Customer, Task, TaskStatus, utcnow
from core.permissions import Scope
from core.services.contact_log import clean_summary, log_contact
from core.uow import Actor, UnitOfWork

PERIODS = ("today", "week", "month")


@dataclass(frozen=True)
class AgendaItem:
    kind: str
    """follow_up (a customer's next contact), task, or visit (a planned visit task)."""
    ref_id: int
    title: str
    due_at: datetime
    overdue: bool
    customer_id: int | None = None


async def agenda(
    session: AsyncSession, *, user_id: int, period: str, timezone: str, now: datetime | None = None
) -> list[AgendaItem]:
    if period not in PERIODS:
        raise InvalidInput("error.period", value=period)
    now = now or utcnow()
    tz = zone(timezone)
    end = period_end(now, period, tz)
    today_start = start_of_day(local_date(now, tz), tz)
    items: list[AgendaItem] = []
    customers = await session.scalars(
        select(Customer)
        .where(Customer.owner_id == user_id, Customer.next_contact_at.is_not(None), Customer.next_contact_at < end)
        .order_by(Customer.next_contact_at)
        .limit(200)
    )
    for c in customers.all():
        assert c.next_contact_at is not None
        items.append(AgendaItem("follow_up", c.id, c.name, c.next_contact_at, c.next_contact_at < today_start, c.id))
    tasks = await session.scalars(
        select(Task)
        .where(Task.user_id == user_id, Task.status == TaskStatus.OPEN, Task.due_at < end)
        .order_by(Task.due_at)
        .limit(200)
    )
    for t in tasks.all():
        kind = "visit" if t.kind.value == "visit" else "task"
        items.append(AgendaItem(kind, t.id, t.title, t.due_at, t.due_at < now, t.customer_id))
    items.sort(key=lambda i: i.due_at)
    return items


async def complete_task(uow: UnitOfWork, *, actor: Actor, task_id: int, outcome: str) -> Task:
    task = await uow.session.get(Task, task_id)
    if task is None:
        raise NotFound("error.task_unknown")
    if task.user_id != actor.user.id:
        raise PermissionDenied()
    if task.status == TaskStatus.DONE:
        raise InvalidInput("error.task_done")
    task.status, task.done_at, task.outcome = TaskStatus.DONE, utcnow(), clean_summary(outcome)
    uow.audit(actor, "task.complete", "task", task.id)
    uow.record(TaskCompleted(task.id, actor.user.id))
    return task


async def complete_follow_up(
    uow: UnitOfWork, *, actor: Actor, scope: Scope, customer_id: int, outcome: str, timezone: str
) -> Customer:
    """Closing a follow-up logs what was done; the next one follows the grade's rhythm."""
    await log_contact(
        uow, actor=actor, scope=scope, customer_id=customer_id, kind=ContactKind.OTHER, summary=outcome, timezone=timezone
    )
    return await uow.session.get_one(Customer, customer_id)
