"""Follow-up due (跟进提醒): a customer's next contact date has come → its owner, with buttons.

The sweep reads owned customers whose next contact fell due within the look-back window
and that have no reminder for that date yet, a page at a time in (due, id) order, and
writes one routine reminder each (they wait for the morning digest). One reminder per
customer and date: postponing or logging the contact moves the date, and a later
reminder follows the new one; a reminder whose date moved before it went out is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Card, Field
from core.models import Customer, Notification
from core.settings import Settings
from notifications.compose import Recipient
from notifications.outbox import OutboxItem, enqueue
from notifications.rules.base import PAGE, Pending, Rule, RuleEnv

KIND = "follow_up"
POSTPONE_DAYS = (1, 3, 7)


async def sweep(env: RuleEnv, at: datetime) -> int:
    since = at - timedelta(days=env.settings.notify_follow_up_lookback_days)
    cursor: tuple[datetime, int] = (since, 0)
    written = 0
    while True:
        async with env.sessionmaker() as session:
            rows = await _due_page(session, since, at, cursor)
            if not rows:
                return written
            recipients = await env.composer.recipients(session, {r.owner_id for r in rows})
            items = [item(r, recipients[r.owner_id]) for r in rows if r.owner_id in recipients]
            written += len(await enqueue(session, items))
            await session.commit()
        cursor = (rows[-1].next_contact_at, rows[-1].id)


async def _due_page(session: AsyncSession, since: datetime, at: datetime, cursor: tuple[datetime, int]) -> Sequence[Any]:
    after_due, after_id = cursor
    reminded = exists().where(
        Notification.kind == KIND, Notification.ref_id == Customer.id, Notification.due_at == Customer.next_contact_at
    )
    query = (
        select(
            Customer.id, Customer.name, Customer.name_en, Customer.code, Customer.owner_id, Customer.next_contact_at,
            Customer.last_contact_at,
        )
        .where(
            Customer.next_contact_at > since, Customer.next_contact_at <= at, Customer.next_contact_at >= after_due,
            or_(Customer.next_contact_at > after_due, and_(Customer.next_contact_at == after_due, Customer.id > after_id)),
            Customer.owner_id.is_not(None), ~reminded,
        )
        .order_by(Customer.next_contact_at, Customer.id)
        .limit(PAGE)
    )
    return (await session.execute(query)).all()


def item(row: Any, to: Recipient) -> OutboxItem:
    v, cid = to.voice, row.id
    name = row.name_en if v.locale == "en" and row.name_en else row.name
    due = v.date(row.next_contact_at)
    last = v.date(row.last_contact_at) if row.last_contact_at else v.t("notify.never")
    actions = (
        v.button(v.t("notify.follow_up.log"), "vl", f"p{cid}", style="primary"),
        v.button(v.t("customer.check_in_here"), "ci", f"at{cid}"),
        *(v.button(v.t("notify.follow_up.postpone", days=d), "fu", f"{d}d{cid}") for d in POSTPONE_DAYS),
    )
    card = Card(
        v.t("notify.follow_up.title", name=name),
        (Field(v.t("notify.follow_up.due"), due), Field(v.t("notify.follow_up.last"), last)),
        actions, subtitle=row.code, ref=f"customer:{cid}",
    )
    return OutboxItem(
        user_id=to.user.id, kind=KIND, dedupe_key=f"{KIND}:{cid}:{int(row.next_contact_at.timestamp())}",
        due_at=row.next_contact_at, send_after=to.send_time(row.next_contact_at, routine=True),
        summary=v.t("notify.follow_up.summary", name=name, due=due), replies=(card,), routine=True, ref_id=cid,
    )


async def still_due(session: AsyncSession, rows: Sequence[Pending], settings: Settings) -> set[int]:
    """Still owned by the recipient and still due on that date (not logged, postponed or recycled)."""
    ids = {r.ref_id for r in rows if r.ref_id is not None}
    current = {
        cid: (owner, due)
        for cid, owner, due in (
            await session.execute(select(Customer.id, Customer.owner_id, Customer.next_contact_at).where(Customer.id.in_(ids)))
        ).all()
    }
    return {r.id for r in rows if current.get(r.ref_id or 0) == (r.user_id, r.due_at)}


RULE = Rule(KIND, sweep=sweep, stale=still_due)
