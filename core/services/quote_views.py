"""Read models of quotes for cards and lists: the quote with its customer, lines, chain and notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound, PermissionDenied
from core.models import (
    ApprovalStep,
    Customer,
    Quote,
    QuoteComment,
    QuoteLine,
    QuoteLineOption,
    QuoteStatus,
    User,
)
from core.permissions import Scope
from core.services import absences
from core.services.quotes import can_read, lines_of

OPEN = (QuoteStatus.DRAFT, QuoteStatus.PENDING, QuoteStatus.APPROVED)


@dataclass(frozen=True)
class LineView:
    line: QuoteLine
    options: list[QuoteLineOption]


@dataclass(frozen=True)
class QuoteView:
    quote: Quote
    customer: Customer
    owner: User
    lines: list[LineView]
    steps: list[ApprovalStep]
    users: dict[int, User]
    """Everyone named on the quote: requester, approvers, deciders, escalation superiors."""
    comments: list[QuoteComment]

    @property
    def current(self) -> ApprovalStep | None:
        return next((s for s in self.steps if s.status.value == "pending"), None)

    def name(self, user_id: int | None, locale: str) -> str:
        user = self.users.get(user_id) if user_id is not None else None
        return user.display_name(locale) if user else "-"


async def load_view(session: AsyncSession, quote_id: int) -> QuoteView:
    quote = await session.get(Quote, quote_id, populate_existing=True)
    if quote is None:
        raise NotFound("quote.error.unknown")
    customer = await session.get_one(Customer, quote.customer_id)
    lines = await lines_of(session, quote.id)
    options = (
        await session.scalars(select(QuoteLineOption).where(QuoteLineOption.line_id.in_([ln.id for ln in lines] or [-1])))
    ).all()
    steps = list(
        (
            await session.scalars(
                select(ApprovalStep).where(ApprovalStep.quote_id == quote.id).order_by(ApprovalStep.position)
                .execution_options(populate_existing=True)
            )
        ).all()
    )
    comments = list(
        (await session.scalars(select(QuoteComment).where(QuoteComment.quote_id == quote.id).order_by(QuoteComment.id))).all()
    )
    ids = {quote.owner_id, *(c.author_id for c in comments)}
    for s in steps:
        ids |= {i for i in (s.approver_id, s.decided_by_id, s.on_behalf_of_id, s.escalated_to_id) if i}
    users = {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(ids)))).all()}
    by_line = [LineView(ln, [o for o in options if o.line_id == ln.id]) for ln in lines]
    return QuoteView(quote, customer, users[quote.owner_id], by_line, steps, users, comments)


async def readable_view(session: AsyncSession, scope: Scope, quote_id: int, today: date) -> QuoteView:
    view = await load_view(session, quote_id)
    deciders = [s.approver_id for s in view.steps] + [s.escalated_to_id for s in view.steps if s.escalated_to_id]
    for step in view.steps:
        delegate = await absences.delegate_of(session, step.approver_id, today)
        if delegate:
            deciders.append(delegate)
    if not can_read(scope, view.quote, approver_ids=deciders):
        raise PermissionDenied("quote.error.not_yours")
    return view


async def quotes_of(session: AsyncSession, scope: Scope, *, limit: int = 10, statuses: Sequence[QuoteStatus] = ()) -> list[Quote]:
    """The user's own quotes (a manager: the team's too), newest first."""
    stmt = select(Quote).where(Quote.owner_id.in_(scope.team)).order_by(Quote.updated_at.desc(), Quote.id.desc()).limit(limit)
    if statuses:
        stmt = stmt.where(Quote.status.in_(statuses))
    return list((await session.scalars(stmt)).all())


async def open_for_customer(session: AsyncSession, customer_id: int, *, limit: int = 5) -> list[Quote]:
    stmt = (
        select(Quote)
        .where(Quote.customer_id == customer_id, Quote.status.in_(OPEN))
        .order_by(Quote.updated_at.desc())
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def waiting_on(session: AsyncSession, quote_ids: Sequence[int]) -> dict[int, User]:
    """For pending quotes: who their current step waits for."""
    if not quote_ids:
        return {}
    rows = (
        await session.execute(
            select(ApprovalStep.quote_id, User)
            .join(User, User.id == ApprovalStep.approver_id)
            .where(ApprovalStep.quote_id.in_(quote_ids), ApprovalStep.status == "pending")
        )
    ).all()
    return {qid: user for qid, user in rows if qid is not None}
