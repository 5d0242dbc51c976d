"""Contact records (联系记录): calls, visits and messages, and the next contact date they set."""

from __future__ import annotations

from datetime import datetime

from core.errors import InvalidInput, PermissionDenied
from core.events import ContactRecorded
from core.models import ContactKind, ContactRecord, Customer, utcnow
from core.permissions import Scope
from core.services.customers import readable, schedule_next_contact
from core.uow import Actor, UnitOfWork

MAX_SUMMARY = 2000


def clean_summary(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("error.summary_empty")
    if len(text) > MAX_SUMMARY:
        raise InvalidInput("error.too_long", limit=MAX_SUMMARY)
    return text


async def log_contact(
    uow: UnitOfWork,
    *,
    actor: Actor,
    scope: Scope,
    customer_id: int,
    kind: ContactKind,
    summary: str,
    timezone: str,
    next_step: str | None = None,
    next_contact_at: datetime | None = None,
    happened_at: datetime | None = None,
    visit_id: int | None = None,
) -> ContactRecord:
    customer = await readable(uow.session, scope, customer_id)
    if not scope.can_log_contact(customer):
        raise PermissionDenied("error.customer_not_yours")
    happened_at = happened_at or utcnow()
    if next_contact_at is not None and next_contact_at <= happened_at:
        raise InvalidInput("error.date_past")
    record = ContactRecord(
        customer_id=customer.id,
        user_id=actor.user.id,
        kind=kind,
        happened_at=happened_at,
        summary=clean_summary(summary),
        next_step=(next_step or "").strip()[:MAX_SUMMARY] or None,
        visit_id=visit_id,
    )
    uow.session.add(record)
    await _update_customer(uow, customer, happened_at, next_contact_at, timezone)
    record.next_contact_at = customer.next_contact_at
    await uow.session.flush()
    uow.audit(actor, "contact.log", "customer", customer.id, record_id=record.id, kind=kind.value)
    uow.record(ContactRecorded(record.id, customer.id, actor.user.id, customer.next_contact_at))
    return record


async def _update_customer(
    uow: UnitOfWork, customer: Customer, happened_at: datetime, next_contact_at: datetime | None, timezone: str
) -> None:
    if next_contact_at is not None:
        customer.last_contact_at = happened_at
        customer.next_contact_at, customer.next_contact_manual = next_contact_at, True
    else:
        customer.next_contact_manual = False
        await schedule_next_contact(uow.session, customer, contacted_at=happened_at, timezone=timezone)
