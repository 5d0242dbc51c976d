"""Rebate reminders (返利提醒): N days before a period closes, each dealer and its channel manager
hear how far the next tier is ("¥180,000 more this quarter reaches 3 %: +¥54,000"); once it
has closed, the rebate it earned (with the dealer's Claim button).

A sweep writes them; each row's key names the policy, dealer, period and recipient, so
every sweep after the first (in any worker) writes nothing new.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Action, Card
from conversations.rebate_cards import next_text, statement_fields
from core.clock import zone
from core.models import Customer, CustomerType, Role
from core.rebate_math import period_of, previous_period
from core.services.dealers import dealer_users
from core.services.rebates import Statement, open_claim, period_kind, policies_for, statement
from notifications.compose import Recipient
from notifications.outbox import OutboxItem, enqueue
from notifications.rules.base import PAGE, Rule, RuleEnv

TIER, CLOSE = "rebate_tier", "rebate_close"


async def sweep(env: RuleEnv, at: datetime) -> int:
    tz = zone(env.settings.timezone)
    today = at.astimezone(tz).date()
    written, after = 0, 0
    while True:
        async with env.sessionmaker() as session:
            dealers = (await session.scalars(
                select(Customer).where(Customer.type == CustomerType.DEALER, Customer.id > after).order_by(Customer.id).limit(PAGE)
            )).all()
            if not dealers:
                return written
            items: list[OutboxItem] = []
            for dealer in dealers:
                items += await _for_dealer(env, session, dealer, today, at)
            written += len(await enqueue(session, items))
            await session.commit()
        after = dealers[-1].id


async def _for_dealer(env: RuleEnv, session: AsyncSession, dealer: Customer, today: date, at: datetime) -> list[OutboxItem]:
    tz = zone(env.settings.timezone)
    people = [*([dealer.owner_id] if dealer.owner_id else []), *await dealer_users(session, dealer.id)]
    recipients = list((await env.composer.recipients(session, people)).values())
    items: list[OutboxItem] = []
    for policy in await policies_for(session, dealer.id, today):
        kind = period_kind(policy)
        current = period_of(today, kind)
        if 0 <= current.days_left(today) < env.settings.rebate_remind_days:
            found = await statement(session, dealer.id, policy, current, tz)
            if found.next is not None:
                items += [_tier(to, dealer, found, today, at) for to in recipients]
        last = previous_period(current, kind)
        if (today - last.end).days <= env.settings.rebate_close_notice_days:
            found = await statement(session, dealer.id, policy, last, tz)
            if found.totals.net > 0:
                items += [_closed(to, dealer, found, at) for to in recipients]
    return items


def _key(kind: str, found: Statement, dealer: Customer, to: Recipient) -> str:
    return f"{kind}:{found.policy.id}:{dealer.id}:{found.period.key}:{to.user.id}"


def _tier(to: Recipient, dealer: Customer, found: Statement, today: date, at: datetime) -> OutboxItem:
    v = to.voice
    head = v.t("notify.rebate_tier.title", dealer=dealer.name, period=found.period.key, days=found.period.days_left(today) + 1)
    text = next_text(v, found)
    card = Card(head, tuple(statement_fields(v, found)), (v.button(v.t("rebate.btn.show"), "rb", f"v{dealer.id}"),),
                subtitle=text, ref=f"rebate:{dealer.id}:{found.policy.id}:{found.period.key}")
    return OutboxItem(
        user_id=to.user.id, kind=TIER, dedupe_key=_key(TIER, found, dealer, to), due_at=at,
        send_after=to.send_time(at, routine=False), summary=f"{head} · {text}"[:300], replies=(card,), ref_id=dealer.id,
    )


def _closed(to: Recipient, dealer: Customer, found: Statement, at: datetime) -> OutboxItem:
    v = to.voice
    money = v.fmt.money(found.rebate, found.schedule.currency)
    head = v.t("notify.rebate_close.title", dealer=dealer.name, period=found.period.key, amount=money)
    actions: tuple[Action, ...] = (v.button(v.t("rebate.btn.show"), "rb", f"v{dealer.id}"),)
    if to.user.role == Role.DEALER and found.rebate > 0 and not open_claim(found.claim):
        claim = v.button(v.t("rebate.btn.claim", amount=money), "rb", f"c{found.policy.id}:{found.period.key}", style="primary")
        actions = (claim, *actions)
    card = Card(head, tuple(statement_fields(v, found)), actions, ref=f"rebate:{dealer.id}:{found.policy.id}:{found.period.key}")
    return OutboxItem(
        user_id=to.user.id, kind=CLOSE, dedupe_key=_key(CLOSE, found, dealer, to), due_at=at,
        send_after=to.send_time(at, routine=False), summary=head[:300], replies=(card,), ref_id=dealer.id,
    )


RULES = (Rule(TIER, sweep=sweep), Rule(CLOSE))
