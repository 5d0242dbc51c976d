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
from core.models import Customer, CustomerType, Notification, Role
from core.rebate_math import Period, period_of, previous_period
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
            sent = set((await session.scalars(
                select(Notification.dedupe_key).where(Notification.kind.in_((TIER, CLOSE)), Notification.ref_id.in_([d.id for d in dealers]))
            )).all())
            items: list[OutboxItem] = []
            for dealer in dealers:
                items += await _for_dealer(env, session, dealer, today, at, sent)
            written += len(await enqueue(session, items))
            await session.commit()
        after = dealers[-1].id


async def _for_dealer(
    env: RuleEnv, session: AsyncSession, dealer: Customer, today: date, at: datetime, sent: set[str]
) -> list[OutboxItem]:
    """The dealer's reminders due today; a period whose rows all exist is not computed again."""
    tz = zone(env.settings.timezone)
    people = [*([dealer.owner_id] if dealer.owner_id else []), *await dealer_users(session, dealer.id)]
    recipients = list((await env.composer.recipients(session, people)).values())
    items: list[OutboxItem] = []
    for policy in await policies_for(session, dealer.id, today):
        kind = period_kind(policy)
        current, last = period_of(today, kind), previous_period(period_of(today, kind), kind)
        due_tier = 0 <= current.days_left(today) < env.settings.rebate_remind_days
        if due_tier and not _all_sent(TIER, policy.id, dealer, current, recipients, sent):
            found = await statement(session, dealer.id, policy, current, tz)
            if found.next is not None:
                items += [_tier(to, dealer, found, today, at) for to in recipients]
        due_close = (today - last.end).days <= env.settings.rebate_close_notice_days
        if due_close and not _all_sent(CLOSE, policy.id, dealer, last, recipients, sent):
            found = await statement(session, dealer.id, policy, last, tz)
            if found.totals.net > 0:
                items += [_closed(to, dealer, found, at) for to in recipients]
    return items


def _all_sent(kind: str, policy_id: int, dealer: Customer, period: Period, recipients: list[Recipient], sent: set[str]) -> bool:
    return all(key(kind, policy_id, dealer, period, to) in sent for to in recipients)


def key(kind: str, policy_id: int, dealer: Customer, period: Period, to: Recipient) -> str:
    """One reminder per kind, policy, dealer, period and recipient. Finished rows are purged after
    FIELDCHAT_NOTIFY_RETENTION_DAYS (30), longer than either window (14 and 10 days by default), so
    every later sweep of the window still finds them."""
    return f"{kind}:{policy_id}:{dealer.id}:{period.key}:{to.user.id}"


def _key(kind: str, found: Statement, dealer: Customer, to: Recipient) -> str:
    return key(kind, found.policy.id, dealer, found.period, to)


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
