"""Customer ratings (服务评价) by a signed single-use link, and the engineers' assessment (服务工程师考核).

The link names the ticket and expires; it works once because a ticket has at most one
rating (a unique row), so a second submission — from the same link or another — is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, InvalidInput, NotFound
from core.models import Role, ServiceRating, Ticket, TicketStatus, User, utcnow
from core.service_events import LowRating
from core.services.tickets import move
from core.signing import Signer, TokenRejected
from core.uow import UnitOfWork

PURPOSE = "rating-link"
MAX_COMMENT = 1000
RATEABLE = (TicketStatus.RESOLVED, TicketStatus.CLOSED)

__all__ = ["RatingLinks", "TokenRejected", "assessment", "rating_target", "submit_rating"]


class RatingLinks:
    """Issues and reads rating tokens; the composition root builds one with the server secret."""

    def __init__(self, secret: bytes, base_url: str, ttl: timedelta) -> None:
        self._signer = Signer(secret, PURPOSE)
        self.base_url, self.ttl = base_url.rstrip("/"), ttl

    def url(self, ticket_id: int, locale: str, now: datetime | None = None) -> str:
        token = self._signer.issue([ticket_id, locale], now=now or utcnow(), ttl=self.ttl)
        return f"{self.base_url}/rate/{token}"

    def read(self, token: str, now: datetime | None = None) -> tuple[int, str]:
        """(ticket id, locale) of a genuine unexpired token; TokenRejected otherwise."""
        claim = self._signer.verify(token, now=now or utcnow())
        try:
            ticket_id, locale = int(claim[0]), str(claim[1])
        except (IndexError, TypeError, ValueError):
            raise TokenRejected("tampered") from None
        return ticket_id, locale


async def rating_target(session: AsyncSession, ticket_id: int) -> Ticket:
    """The ticket a link rates, if it may still be rated."""
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("error.ticket_unknown")
    if await session.scalar(select(ServiceRating.id).where(ServiceRating.ticket_id == ticket_id)):
        raise Conflict("error.rating_used")
    if ticket.status not in RATEABLE:
        raise InvalidInput("error.rating_not_resolved", number=ticket.number)
    return ticket


async def submit_rating(
    uow: UnitOfWork, *, ticket_id: int, attitude: int, response: int, quality: int, comment: str | None,
    locale: str, low: int,
) -> ServiceRating:
    """Store the stars once, close the ticket, and alert the manager when any star is `low` or less."""
    stars = (attitude, response, quality)
    if not all(isinstance(s, int) and 1 <= s <= 5 for s in stars):
        raise InvalidInput("error.rating_stars")
    text = (comment or "").strip()[:MAX_COMMENT] or None
    ticket = await rating_target(uow.session, ticket_id)
    rating = ServiceRating(
        ticket_id=ticket.id, engineer_id=ticket.assignee_id, customer_id=ticket.customer_id, attitude=attitude,
        response=response, quality=quality, comment=text, locale=locale,
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(rating)
            await uow.session.flush()
    except IntegrityError:
        raise Conflict("error.rating_used") from None
    if ticket.status == TicketStatus.RESOLVED:
        move(uow, ticket, TicketStatus.CLOSED, None, note="rated")
    uow.audit(None, "ticket.rated", "ticket", ticket.id, worst=min(stars))
    if min(stars) <= low:
        uow.record(LowRating(rating.id, ticket.id, ticket.assignee_id, min(stars)))
    return rating


@dataclass(frozen=True)
class Assessment:
    """One engineer's figures over a period: how many, how fast, how satisfied."""

    engineer: User
    resolved: int
    response_minutes: float | None
    resolution_hours: float | None
    ratings: int
    satisfied_pct: float | None
    """Share of ratings whose average is 4 stars or more."""
    average_stars: float | None


async def assessment(session: AsyncSession, *, since: datetime) -> list[Assessment]:
    engineers = (await session.scalars(select(User).where(User.role == Role.ENGINEER, User.active.is_(True)).order_by(User.id))).all()
    out: list[Assessment] = []
    for engineer in engineers:
        tickets = (
            await session.scalars(select(Ticket).where(Ticket.assignee_id == engineer.id, Ticket.resolved_at >= since))
        ).all()
        responses = [(t.accepted_at - t.created_at).total_seconds() / 60 for t in tickets if t.accepted_at]
        resolutions = [(t.resolved_at - t.created_at).total_seconds() / 3600 for t in tickets if t.resolved_at]
        rows = (
            await session.execute(
                select(ServiceRating.attitude, ServiceRating.response, ServiceRating.quality).where(
                    ServiceRating.engineer_id == engineer.id, ServiceRating.at >= since
                )
            )
        ).all()
        means = [(a + r + q) / 3 for a, r, q in rows]
        out.append(
            Assessment(
                engineer, len(tickets), _mean(responses), _mean(resolutions), len(means),
                round(100 * sum(m >= 4 for m in means) / len(means)) if means else None, _mean(means),
            )
        )
    return out


async def customer_rating(session: AsyncSession, customer_id: int) -> tuple[int, float | None]:
    """How many ratings a customer gave, and their average stars (for the 360 card)."""
    row = (
        await session.execute(
            select(func.count(), func.avg((ServiceRating.attitude + ServiceRating.response + ServiceRating.quality) / 3.0)).where(
                ServiceRating.customer_id == customer_id
            )
        )
    ).one()
    return int(row[0]), (round(float(row[1]), 1) if row[1] is not None else None)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None
