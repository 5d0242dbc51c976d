"""Pool recycling warning (公海预警): the owner hears a day before an idle customer goes back to the pool.

Every idle customer is warned before it is recycled: one that is already past its moment
without a warning (the sweeps did not run, say) is warned now, and recycling waits a
full warning period after the warning's send time (see `warned`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Card, Field
from core.models import Customer, CustomerGrade, Notification
from core.services import pool
from core.services.pool import IdleCustomer
from core.settings import Settings
from notifications.compose import Recipient
from notifications.outbox import OutboxItem, enqueue
from notifications.rules.base import PAGE, Pending, Rule, RuleEnv

KIND = "pool_warning"


async def sweep(env: RuleEnv, at: datetime) -> int:
    warn = timedelta(hours=env.settings.pool_warn_hours)
    async with env.sessionmaker() as session:
        grades = await pool.grades(session)
    written = 0
    for grade in grades:
        after = 0
        while True:
            async with env.sessionmaker() as session:
                idle = await pool.idle_between(session, grade=grade, start=None, end=at + warn, after_id=after, limit=PAGE)
                if not idle:
                    break
                recipients = await env.composer.recipients(session, {c.owner_id for c in idle})
                items = [item(c, grade, recipients[c.owner_id], warn, at) for c in idle if c.owner_id in recipients]
                written += len(await enqueue(session, items))
                await session.commit()
            after = idle[-1].customer_id
    return written


def dedupe_key(c: IdleCustomer) -> str:
    return f"{KIND}:{c.customer_id}:{int(c.recycle_at.timestamp())}"


def item(c: IdleCustomer, grade: CustomerGrade, to: Recipient, warn: timedelta, at: datetime) -> OutboxItem:
    """Due `warn` before recycling (or now, if that has passed); recycling waits `warn` after it goes out."""
    v = to.voice
    due = max(c.recycle_at - warn, at)
    send = to.send_time(due, routine=False)
    when = v.fmt.datetime(max(c.recycle_at, send + warn))
    card = Card(
        v.t("notify.pool_warning.title", name=c.name),
        (
            Field(v.t("notify.pool_warning.when"), when),
            Field(v.t("notify.pool_warning.rule"), v.t("notify.pool_warning.rule_value", days=grade.recycle_days)),
        ),
        (
            v.button(v.t("notify.follow_up.log"), "vl", f"p{c.customer_id}", style="primary"),
            v.button(v.t("customer.check_in_here"), "ci", f"at{c.customer_id}"),
        ),
        ref=f"customer:{c.customer_id}",
    )
    return OutboxItem(
        user_id=to.user.id, kind=KIND, dedupe_key=dedupe_key(c), due_at=due, send_after=send,
        summary=v.t("notify.pool_warning.summary", name=c.name, when=when), replies=(card,), ref_id=c.customer_id,
    )


async def still_idle(session: AsyncSession, rows: Sequence[Pending], settings: Settings) -> set[int]:
    """Still owned by the recipient and not contacted since the warning was written."""
    ids = {r.ref_id for r in rows if r.ref_id is not None}
    touch = pool.last_touch()
    found = (
        await session.execute(
            select(Customer.id, Customer.owner_id, touch.label("touch"), CustomerGrade.recycle_days)
            .join(CustomerGrade, CustomerGrade.code == Customer.grade_code)
            .where(Customer.id.in_(ids))
        )
    ).all()
    current = {cid: (owner, last + timedelta(days=days)) for cid, owner, last, days in found}
    # The warning is due `warn` before recycling; a contact since moves recycling further out.
    latest = timedelta(hours=settings.pool_warn_hours, minutes=1)
    keep: set[int] = set()
    for r in rows:
        owner, recycle_at = current.get(r.ref_id or 0, (None, None))
        if owner == r.user_id and recycle_at is not None and recycle_at <= r.due_at + latest:
            keep.add(r.id)
    return keep


RULE = Rule(KIND, sweep=sweep, stale=still_idle, every=timedelta(minutes=10))


async def warned(session: AsyncSession, idle: Sequence[IdleCustomer]) -> dict[int, datetime]:
    """Customer → when its warning for this recycle moment goes (or went) out."""
    keys = {dedupe_key(c): c.customer_id for c in idle}
    found = await session.execute(
        select(Notification.dedupe_key, Notification.send_after).where(Notification.dedupe_key.in_(keys))
    )
    return {keys[key]: send for key, send in found.all()}
