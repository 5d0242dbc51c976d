"""Rebate claims through the approval notifications: the same card kinds as quotes (so that every
copy is recorded and edited once the step is decided), the dealer's progress and outcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.claim_cards import claim_approval_card, claim_status_card
from conversations.messages import Reply, Text
from conversations.quote_cards import step_role
from core.dealer_events import (
    ClaimApprovalDelegated,
    ClaimApprovalEscalated,
    ClaimApprovalReminderDue,
    ClaimApprovalRequested,
    ClaimStepDecided,
    RebateClaimDecided,
)
from core.events import EventBus
from core.models import StepStatus, utcnow
from core.services.claim_views import load_claim_view
from notifications.compose import Composer, Recipient
from notifications.outbox import OutboxItem, enqueue
from notifications.rules.approvals import ESCALATED, PROGRESS, REMINDER, REQUEST
from notifications.rules.base import Rule

OUTCOME = "rebate_claim"
Build = Callable[[Recipient], tuple[str, tuple[Reply, ...]]]


async def _write(session: AsyncSession, composer: Composer, kind: str, key: str, users: Sequence[int], ref: int, build: Build) -> None:
    now, items = utcnow(), []
    for to in (await composer.recipients(session, list(dict.fromkeys(users)))).values():
        summary, replies = build(to)
        items.append(OutboxItem(
            user_id=to.user.id, kind=kind, dedupe_key=f"{kind}:{key}:{to.user.id}", due_at=now,
            send_after=to.send_time(now, routine=False), summary=summary, replies=replies, ref_id=ref,
        ))
    await enqueue(session, items)


class StepEvent(Protocol):
    @property
    def step_id(self) -> int: ...

    @property
    def claim_id(self) -> int: ...


E = TypeVar("E", bound=StepEvent)


def _card(composer: Composer, kind: str, intro: str | None, who: Callable[[E], list[int | None]]) -> Callable[[AsyncSession, E], Awaitable[None]]:
    """The claim's approval card to whoever must decide now: the approver (and delegate), or after a
    reminder or an escalation, with a line saying why it comes again."""

    async def handle(session: AsyncSession, event: E) -> None:
        view = await load_claim_view(session, event.claim_id)
        step = next(s for s in view.steps if s.id == event.step_id)
        if step.status != StepStatus.PENDING:
            return

        def build(to: Recipient) -> tuple[str, tuple[Reply, ...]]:
            v = to.voice
            summary = v.t("rebate.approval.title", number=view.claim.number, amount=v.fmt.money(view.claim.amount, view.claim.currency))
            card = claim_approval_card(view, step, v, composer.codec)
            return summary, ((Text(v.t(intro, name=view.name(step.approver_id, v.locale))), card) if intro else (card,))

        await _write(session, composer, kind, str(step.id), [u for u in who(event) if u is not None], step.id, build)

    return handle


def _approver_and_delegate(e: ClaimApprovalRequested) -> list[int | None]:
    return [e.approver_id, e.delegate_id]


def _delegate(e: ClaimApprovalDelegated) -> list[int | None]:
    return [e.delegate_id]


def _approver(e: ClaimApprovalReminderDue) -> list[int | None]:
    return [e.approver_id]


def _superior(e: ClaimApprovalEscalated) -> list[int | None]:
    return [e.superior_id]


def _progress(composer: Composer) -> Callable[[AsyncSession, ClaimStepDecided], Awaitable[None]]:
    async def handle(session: AsyncSession, event: ClaimStepDecided) -> None:
        view = await load_claim_view(session, event.claim_id)
        nxt = view.current
        if event.status != StepStatus.APPROVED.value or nxt is None:
            return

        def build(to: Recipient) -> tuple[str, tuple[Reply, ...]]:
            v = to.voice
            text = v.t("notify.approval.progress", number=view.claim.number, by=view.name(event.decided_by_id, v.locale),
                       name=view.name(nxt.approver_id, v.locale), role=step_role(v, nxt))
            return text, (Text(text),)

        await _write(session, composer, PROGRESS, str(event.step_id), [event.requester_id], event.claim_id, build)

    return handle


def _outcome(composer: Composer) -> Callable[[AsyncSession, RebateClaimDecided], Awaitable[None]]:
    async def handle(session: AsyncSession, event: RebateClaimDecided) -> None:
        view = await load_claim_view(session, event.claim_id)

        def build(to: Recipient) -> tuple[str, tuple[Reply, ...]]:
            v = to.voice
            title = v.t(f"notify.rebate_claim.{view.claim.status.value}", number=view.claim.number,
                        amount=v.fmt.money(view.claim.amount, view.claim.currency))
            return title, (Text(title), claim_status_card(view, v))

        await _write(session, composer, OUTCOME, f"{event.claim_id}:{event.status}", [event.requester_id], event.claim_id, build)

    return handle


def subscribe(bus: EventBus, composer: Composer) -> None:
    bus.subscribe(ClaimApprovalRequested, _card(composer, REQUEST, None, _approver_and_delegate))
    bus.subscribe(ClaimApprovalDelegated, _card(composer, REQUEST, "notify.approval.delegated", _delegate))
    bus.subscribe(ClaimApprovalReminderDue, _card(composer, REMINDER, "notify.approval.reminder", _approver))
    bus.subscribe(ClaimApprovalEscalated, _card(composer, ESCALATED, "notify.approval.escalated", _superior))
    bus.subscribe(ClaimStepDecided, _progress(composer))
    bus.subscribe(RebateClaimDecided, _outcome(composer))


RULE = Rule(OUTCOME)
