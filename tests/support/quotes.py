"""Helpers for approval tests: a submitted quote of a given size, and a recording fake adapter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from conversations.delivery import DeliveryError, Sent
from conversations.inbound import Capabilities
from conversations.messages import Card, Reply
from core.events import EventBus
from core.models import User, utcnow
from core.permissions import scope_for
from core.services import approvals, quotes
from core.services.approval_rules import default_rules, rules_in_force
from core.uow import Actor, UnitOfWork

RULES = default_rules(Decimal(100000), Decimal(500000), Decimal(15))


async def submitted_quote(
    sessionmaker, world, catalog, *, sku: str = "X1000", qty: int = 2, discount: str = "0", login: str = "rep",
    customer: str = "hengli", options: Sequence[int] = (), bus: EventBus | None = None,
) -> int:
    """A quote drafted and submitted through the services (the dialog is tested elsewhere)."""
    now = utcnow()
    async with UnitOfWork(sessionmaker, bus or EventBus()) as uow:
        user = await uow.session.get_one(User, world.uid(login))
        actor, scope = Actor(user, "test"), await scope_for(uow.session, user)
        quote = await quotes.create_draft(uow, actor=actor, scope=scope, customer_id=world.cid(customer), today=now.date(), valid_days=30)
        await quotes.add_line(
            uow, actor=actor, quote_id=quote.id, product_id=catalog[sku].id, quantity=Decimal(qty),
            option_ids=options, discount_pct=Decimal(discount),
        )
        rules = await rules_in_force(uow.session, RULES)
        await approvals.submit(uow, actor=actor, scope=scope, quote_id=quote.id, rules=rules, now=now, today=now.date())
        await uow.commit()
        return quote.id


@dataclass
class RecordingAdapter:
    """Stands in for a platform's message API: remembers what was sent and every edit."""

    name: str
    caps: Capabilities = field(default_factory=lambda: Capabilities(can_edit=True))
    sent: list[tuple[str, str, list[Reply]]] = field(default_factory=list)
    edits: list[tuple[str, str, list[Reply]]] = field(default_factory=list)
    fail_edits: DeliveryError | None = None

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        message_id = f"{self.name}-m{len(self.sent) + 1}"
        self.sent.append((chat_id, message_id, list(replies)))
        return Sent(chat_id, (message_id,))

    async def edit(self, chat_id: str, message_id: str, replies: Sequence[Reply]) -> None:
        if self.fail_edits is not None:
            raise self.fail_edits
        self.edits.append((chat_id, message_id, list(replies)))

    def edited_cards(self) -> list[Card]:
        return [r for _, _, replies in self.edits for r in replies if isinstance(r, Card)]

    def router(self) -> None:
        return None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
