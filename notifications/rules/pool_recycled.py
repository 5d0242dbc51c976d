"""Pool recycling (公海回收): idle customers return to the pool; their owner and the owner's manager hear of it.

Only after the owner's warning went out a full warning period ago (pool_warning writes
one for every idle customer). The sweep calls the pool service; the notices come from
the `CustomerReleased` events it records (automatic releases only), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Choices, Reply, Text
from core.events import CustomerReleased
from core.models import Customer, CustomerGrade, Notification, User
from core.services import pool
from core.services.pool import IdleCustomer
from core.uow import UnitOfWork
from notifications.compose import Composer, Recipient
from notifications.outbox import OutboxItem, enqueue
from notifications.rules import pool_warning
from notifications.rules.base import Rule, RuleEnv

KIND = "pool_recycled"
BATCH = 500


async def sweep(env: RuleEnv, at: datetime) -> int:
    """Recycle every idle customer whose owner was warned long enough ago; returns the notices written."""
    async with env.sessionmaker() as session:
        grades = await pool.grades(session)
    recycled: list[int] = []
    for grade in grades:
        after = 0
        while True:
            async with UnitOfWork(env.sessionmaker, env.bus) as uow:
                idle = await pool.idle_between(uow.session, grade=grade, start=None, end=at, after_id=after, limit=BATCH)
                if not idle:
                    break
                ready = await _warned_enough(uow.session, env, idle, at)
                recycled += [cid for cid, _ in await pool.recycle_idle(uow, now=at, grade=grade, ids=ready)]
                await uow.commit()
            after = idle[-1].customer_id
    if not recycled:
        return 0
    async with env.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).where(Notification.kind == KIND, Notification.ref_id.in_(recycled))
        )
    return int(count or 0)


async def _warned_enough(session: AsyncSession, env: RuleEnv, idle: list[IdleCustomer], at: datetime) -> list[int]:
    """Customers whose warning went out a full warning period ago, or whose owner cannot be warned."""
    warn = timedelta(hours=env.settings.pool_warn_hours)
    sent = await pool_warning.warned(session, idle)
    reachable = await env.composer.recipients(session, {c.owner_id for c in idle})
    return [
        c.customer_id for c in idle
        if (c.customer_id in sent and sent[c.customer_id] + warn <= at) or c.owner_id not in reachable
    ]


def handler(composer: Composer) -> Callable[[AsyncSession, CustomerReleased], Awaitable[None]]:
    """The bus subscriber: notices for automatic releases, in the releasing transaction."""

    async def on_released(session: AsyncSession, event: CustomerReleased) -> None:
        if event.by_user_id is not None:
            return
        row = (
            await session.execute(
                select(Customer.name, Customer.name_en, Customer.released_at, CustomerGrade.recycle_days)
                .join(CustomerGrade, CustomerGrade.code == Customer.grade_code)
                .where(Customer.id == event.customer_id)
            )
        ).first()
        owner = await session.get(User, event.previous_owner_id)
        if row is None or row.released_at is None or owner is None:
            return
        targets = [owner.id, *([owner.manager_id] if owner.manager_id else [])]
        recipients = await composer.recipients(session, targets)
        await enqueue(session, [item(event, recipients[uid], row, owner) for uid in targets if uid in recipients])

    return on_released


def item(event: CustomerReleased, to: Recipient, customer: Any, owner: User) -> OutboxItem:
    v, cid = to.voice, event.customer_id
    name = customer.name_en if v.locale == "en" and customer.name_en else customer.name
    days = customer.recycle_days
    if to.user.id == owner.id:
        text = v.t("notify.pool_recycled.owner", name=name, days=days)
    else:
        text = v.t("notify.pool_recycled.manager", name=name, days=days, owner=owner.display_name(v.locale))
    replies: tuple[Reply, ...] = (
        Text(text),
        Choices(v.t("notify.pool_recycled.prompt"), (v.button(v.t("pool.open_card"), "cu", f"v:{cid}"),)),
    )
    released_at: datetime = customer.released_at
    return OutboxItem(
        user_id=to.user.id, kind=KIND, dedupe_key=f"{KIND}:{cid}:{to.user.id}:{int(released_at.timestamp())}",
        due_at=released_at, send_after=to.send_time(released_at, routine=False),
        summary=v.t("notify.pool_recycled.summary", name=name), replies=replies, ref_id=cid,
    )


RULE = Rule(KIND, sweep=sweep, every=timedelta(minutes=10))
