"""Orders, as far as quotes need them: an approved, still valid quote becomes one order."""

from __future__ import annotations

from datetime import date, datetime

from core.db import locked
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.models import Order, Quote, QuoteStatus
from core.quote_events import QuoteConverted
from core.services.opportunities import quote_ordered
from core.uow import Actor, UnitOfWork


async def convert(uow: UnitOfWork, *, actor: Actor, quote_id: int, now: datetime, today: date) -> Order:
    quote = await uow.session.get(Quote, quote_id)
    if quote is None:
        raise NotFound("quote.error.unknown")
    if quote.owner_id != actor.user.id:
        raise PermissionDenied("quote.error.not_yours")
    quote = await locked(uow.session, Quote, quote_id)
    if quote.status == QuoteStatus.ORDERED:
        raise InvalidInput("quote.error.already_ordered")
    if quote.status != QuoteStatus.APPROVED:
        raise InvalidInput("quote.error.not_approved", status=quote.status.value)
    if quote.valid_until is not None and quote.valid_until < today:
        raise InvalidInput("quote.error.expired", date=quote.valid_until.isoformat())
    order = Order(
        number=f"SO-{today.year}-{quote.id:05d}", quote_id=quote.id, customer_id=quote.customer_id,
        owner_id=quote.owner_id, total=quote.total, currency=quote.currency, status="open", created_at=now,
    )
    uow.session.add(order)
    quote.status, quote.version = QuoteStatus.ORDERED, quote.version + 1
    await uow.session.flush()
    await quote_ordered(uow.session, quote, now)
    uow.audit(actor, "quote.order", "quote", quote.id, order=order.number)
    uow.record(QuoteConverted(quote.id, order.id, actor.user.id))
    return order
