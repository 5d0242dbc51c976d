"""How a rebate statement reads: the tiers (and whether their edges count), sales less refunds,
the tier reached, the rebate, and how far the next tier is. Shared by `/rebate` and the
rebate reminders."""

from __future__ import annotations

from decimal import Decimal

from conversations.messages import Action, Card, Field
from conversations.quote_cards import Speaker
from core.models import Customer
from core.rebate_math import Schedule
from core.services.rebates import Statement


def pct(value: Decimal) -> str:
    return format(value.normalize(), "f")


def tiers_text(s: Speaker, schedule: Schedule) -> str:
    sign = "≥" if schedule.inclusive else ">"
    rows = [f"{sign} {s.fmt.money(t.threshold, schedule.currency)} → {pct(t.rate_pct)} %" for t in schedule.tiers]
    edge = s.t("rebate.edges.inclusive" if schedule.inclusive else "rebate.edges.exclusive")
    return "\n".join(rows) + "\n" + edge


def next_text(s: Speaker, st: Statement) -> str:
    nxt, cur = st.next, st.schedule.currency
    if nxt is None:
        return s.t("rebate.next.top")
    gap = nxt.tier.threshold - st.totals.net
    key = "rebate.next.inclusive" if st.schedule.inclusive else "rebate.next.exclusive"
    return s.t(key, amount=s.fmt.money(gap, cur), rate=pct(nxt.tier.rate_pct), extra=s.fmt.money(nxt.extra, cur))


def statement_fields(s: Speaker, st: Statement) -> list[Field]:
    cur, money = st.schedule.currency, s.fmt.money
    fields = [
        Field(s.t("rebate.f.tiers"), tiers_text(s, st.schedule)),
        Field(s.t("rebate.f.scope"), st.category or s.t("rebate.all_products")),
        Field(s.t("rebate.f.sales"), money(st.totals.gross, cur)),
    ]
    if st.totals.refunds:
        fields.append(Field(s.t("rebate.f.refunds"), "−" + money(st.totals.refunds, cur)))
        fields.append(Field(s.t("rebate.f.net"), money(st.totals.net, cur)))
    reached = s.t("rebate.tier_reached", rate=pct(st.tier.rate_pct)) if st.tier else s.t("rebate.no_tier")
    fields += [Field(s.t("rebate.f.tier"), reached), Field(s.t("rebate.f.rebate"), money(st.rebate, cur))]
    fields.append(Field(s.t("rebate.f.next"), next_text(s, st)))
    return fields


def statement_card(s: Speaker, dealer: Customer, st: Statement, *, closed: bool, actions: tuple[Action, ...] = ()) -> Card:
    fields = statement_fields(s, st)
    if st.claim is not None:
        fields.append(Field(s.t("rebate.f.claim_status"), s.t("rebate.claim_line", number=st.claim.number, status=s.t("rebate.status." + st.claim.status.value))))
    key = "rebate.card.closed" if closed else "rebate.card.open"
    subtitle = s.t(key, start=s.fmt.date(st.period.start), end=s.fmt.date(st.period.end))
    title = s.t("rebate.card.title", dealer=dealer.name, policy=st.policy.name, period=st.period.key)
    return Card(title, tuple(fields), actions, subtitle=subtitle, ref=f"rebate:{dealer.id}:{st.policy.id}:{st.period.key}")
