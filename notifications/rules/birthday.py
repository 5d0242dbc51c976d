"""Contact birthdays (客户生日): on the day, in the owner's zone, a routine line in the morning digest.

29 February birthdays are remembered on 28 February in other years.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import extract, or_, select

from conversations.messages import Card, Field
from core.clock import start_of_day
from core.models import Contact, Customer
from notifications.compose import Recipient
from notifications.outbox import OutboxItem, enqueue
from notifications.rules.base import PAGE, Rule, RuleEnv

KIND = "birthday"
ZONE_SPREAD = timedelta(hours=14)
"""Local dates anywhere on Earth lie within ±14 h of UTC."""


def celebrated_on(birthday: date, year: int) -> date:
    if birthday.month == 2 and birthday.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birthday.replace(year=year)


def _candidate_days(at: datetime) -> set[tuple[int, int]]:
    days = {(at + delta).date() for delta in (-ZONE_SPREAD, timedelta(0), ZONE_SPREAD)}
    pairs = {(d.month, d.day) for d in days}
    if any(d.month == 2 and d.day == 28 and not calendar.isleap(d.year) for d in days):
        pairs.add((2, 29))
    return pairs


async def sweep(env: RuleEnv, at: datetime) -> int:
    pairs = _candidate_days(at)
    month, day = extract("month", Contact.birthday), extract("day", Contact.birthday)
    after, written = 0, 0
    while True:
        async with env.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(Contact.id, Contact.name, Contact.title, Contact.birthday, Customer.id.label("customer_id"),
                           Customer.name.label("customer"), Customer.owner_id)
                    .join(Customer, Customer.id == Contact.customer_id)
                    .where(Customer.owner_id.is_not(None), Contact.id > after,
                           or_(*((month == m) & (day == d) for m, d in sorted(pairs))))
                    .order_by(Contact.id)
                    .limit(PAGE)
                )
            ).all()
            if not rows:
                return written
            recipients = await env.composer.recipients(session, {r.owner_id for r in rows})
            items = [item(r, recipients[r.owner_id], at) for r in rows if r.owner_id in recipients]
            written += len(await enqueue(session, [i for i in items if i is not None]))
            await session.commit()
        after = rows[-1].id


def item(row: Any, to: Recipient, at: datetime) -> OutboxItem | None:
    """None unless it is the birthday in the owner's own zone today."""
    tz = to.prefs.tz
    today = at.astimezone(tz).date()
    if celebrated_on(row.birthday, today.year) != today:
        return None
    v = to.voice
    age = today.year - row.birthday.year if row.birthday.year > 1900 else None
    fields = [Field(v.t("notify.birthday.customer"), row.customer)]
    if row.title:
        fields.append(Field(v.t("notify.birthday.title_field"), row.title))
    if age:
        fields.append(Field(v.t("notify.birthday.age"), str(age)))
    card = Card(
        v.t("notify.birthday.title", name=row.name), tuple(fields),
        (v.button(v.t("notify.follow_up.log"), "vl", f"p{row.customer_id}"),), ref=f"customer:{row.customer_id}",
    )
    due = start_of_day(today, tz)
    return OutboxItem(
        user_id=to.user.id, kind=KIND, dedupe_key=f"{KIND}:{row.id}:{today.year}", due_at=due,
        send_after=to.send_time(due, routine=True), summary=v.t("notify.birthday.summary", name=row.name, customer=row.customer),
        replies=(card,), routine=True, ref_id=row.customer_id,
    )


RULE = Rule(KIND, sweep=sweep, every=timedelta(minutes=30))
