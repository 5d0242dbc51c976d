"""Follow-up due (跟进提醒): a customer's next contact date has come → its owner, with buttons.

The sweep reads owned customers whose next contact fell due within the look-back window,
a page at a time in (due, id) order, skips those reminded for that date already, and
writes one routine reminder each (they wait for the morning digest). One reminder per
customer and date: postponing or logging the contact moves the date, and a later
reminder follows the new one; a reminder whose date moved before it went out is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import translate
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
    written, known = 0, cast(dict[int, Recipient | None], {})
    while True:
        async with env.sessionmaker() as session:
            rows = await _due_page(session, since, at, cursor)
            if not rows:
                return written
            fresh = await _not_reminded(session, rows)
            recipients = await env.composer.recipients(session, {r.owner_id for r in fresh}, known)
            items = [item(r, recipients[r.owner_id]) for r in fresh if r.owner_id in recipients]
            written += len(await enqueue(session, items)) if items else 0
            await session.commit()
        cursor = (rows[-1].next_contact_at, rows[-1].id)


async def _due_page(session: AsyncSession, since: datetime, at: datetime, cursor: tuple[datetime, int]) -> Sequence[Any]:
    """The next page of owned customers due in (since, at], in (due, id) order after `cursor`."""
    after_due, after_id = cursor
    query = (
        select(
            Customer.id, Customer.name, Customer.name_en, Customer.code, Customer.owner_id, Customer.next_contact_at,
            Customer.last_contact_at,
        )
        .where(
            Customer.next_contact_at > since, Customer.next_contact_at <= at, Customer.next_contact_at >= after_due,
            or_(Customer.next_contact_at > after_due, and_(Customer.next_contact_at == after_due, Customer.id > after_id)),
            Customer.owner_id.is_not(None),
        )
        .order_by(Customer.next_contact_at, Customer.id)
        .limit(PAGE)
    )
    return (await session.execute(query)).all()


async def _not_reminded(session: AsyncSession, rows: Sequence[Any]) -> list[Any]:
    """The page's customers with no reminder for that date yet.

    Looked up by the unique de-duplication keys, not NOT EXISTS in the page query: the
    outbox grows during the sweep, and a planner working from a young table's statistics
    would scan it again for every page (or every customer).
    """
    keys = {dedupe_key(r.id, r.next_contact_at): r for r in rows}
    found = set((await session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys)))).all())
    return [r for key, r in keys.items() if key not in found]


def dedupe_key(customer_id: int, due: datetime) -> str:
    return f"{KIND}:{customer_id}:{int(due.timestamp())}"


@lru_cache(maxsize=8)
def _labels(locale: str) -> dict[str, str]:
    """The card's fixed words, once per language (a sweep writes tens of thousands of cards)."""
    keys = ("notify.follow_up.log", "customer.check_in_here", "notify.never", "notify.follow_up.due", "notify.follow_up.last")
    words = {key: translate(locale, key) for key in keys}
    words.update({f"+{d}": translate(locale, "notify.follow_up.postpone", days=d) for d in POSTPONE_DAYS})
    return words


def item(row: Any, to: Recipient) -> OutboxItem:
    v, cid = to.voice, row.id
    words = _labels(v.locale)
    name = row.name_en if v.locale == "en" and row.name_en else row.name
    due = v.date(row.next_contact_at)
    last = v.date(row.last_contact_at) if row.last_contact_at else words["notify.never"]
    actions = (
        v.button(words["notify.follow_up.log"], "vl", f"p{cid}", style="primary"),
        v.button(words["customer.check_in_here"], "ci", f"at{cid}"),
        *(v.button(words[f"+{d}"], "fu", f"{d}d{cid}") for d in POSTPONE_DAYS),
    )
    card = Card(
        v.t("notify.follow_up.title", name=name),
        (Field(words["notify.follow_up.due"], due), Field(words["notify.follow_up.last"], last)),
        actions, subtitle=row.code, ref=f"customer:{cid}",
    )
    return OutboxItem(
        user_id=to.user.id, kind=KIND, dedupe_key=dedupe_key(cid, row.next_contact_at),
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
