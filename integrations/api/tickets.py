"""`GET /api/v1/tickets` and `GET /api/v1/tickets/{number}` for the ERP side (API key, scope `tickets`).

Annotations are evaluated eagerly here (no postponed annotations): FastAPI must see the
key dependency that the router factory builds in its own scope.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import (
    ApiKey,
    Customer,
    Equipment,
    SparePart,
    Ticket,
    TicketPart,
    TicketStatus,
    TicketTransition,
    User,
)
from core.services.tickets import by_number
from integrations.api.keyauth import bearer


class TicketOut(BaseModel):
    number: str
    status: str
    type: str
    priority: str
    customer_code: str
    customer_name: str
    equipment_serial: str | None
    engineer: str | None
    problem: str
    resolution: str | None
    created_at: datetime
    respond_by: datetime
    resolve_by: datetime
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


class PartOut(BaseModel):
    sku: str
    quantity: int
    reserved: bool


class TransitionOut(BaseModel):
    from_status: str | None
    to_status: str
    at: datetime
    note: str | None


class TicketDetail(TicketOut):
    parts: list[PartOut]
    transitions: list[TransitionOut]


class TicketPage(BaseModel):
    items: list[TicketOut]
    limit: int
    offset: int


def tickets_router(sessionmaker: async_sessionmaker[AsyncSession]) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["tickets"])
    auth = Depends(bearer(sessionmaker, "tickets"))

    @api.get("/tickets", response_model=TicketPage)
    async def list_tickets(
        key: Annotated[ApiKey, auth],
        status: Annotated[TicketStatus | None, Query()] = None,
        updated_since: Annotated[datetime | None, Query(description="created at or after (ISO 8601)")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> TicketPage:
        """Tickets, newest first, optionally by status."""
        stmt = select(Ticket).order_by(Ticket.id.desc()).limit(limit).offset(offset)
        if status is not None:
            stmt = stmt.where(Ticket.status == status)
        if updated_since is not None:
            if updated_since.tzinfo is None:
                raise HTTPException(400, "updated_since needs a time zone (e.g. 2026-11-24T08:00:00Z)")
            stmt = stmt.where(Ticket.created_at >= updated_since)
        async with sessionmaker() as session:
            rows = (await session.scalars(stmt)).all()
            items = [await _out(session, t) for t in rows]
        return TicketPage(items=items, limit=limit, offset=offset)

    @api.get("/tickets/{number}", response_model=TicketDetail, responses={404: {}})
    async def one_ticket(number: str, key: Annotated[ApiKey, auth]) -> TicketDetail:
        """One ticket with its parts and every status change."""
        async with sessionmaker() as session:
            ticket = await by_number(session, number)
            if ticket is None:
                raise HTTPException(404, f"no ticket {number[:30]!r}")
            base = await _out(session, ticket)
            parts = (await session.execute(
                select(SparePart.sku, TicketPart.quantity, TicketPart.reserved).join(SparePart, SparePart.id == TicketPart.part_id)
                .where(TicketPart.ticket_id == ticket.id).order_by(TicketPart.id)
            )).all()
            moves = (await session.scalars(select(TicketTransition).where(TicketTransition.ticket_id == ticket.id).order_by(TicketTransition.id))).all()
        return TicketDetail(
            **base.model_dump(), parts=[PartOut(sku=s, quantity=q, reserved=r) for s, q, r in parts],
            transitions=[TransitionOut(from_status=m.from_status, to_status=m.to_status, at=m.at, note=m.note) for m in moves],
        )

    return api


async def _out(session: AsyncSession, t: Ticket) -> TicketOut:
    customer = await session.get_one(Customer, t.customer_id)
    equipment = await session.get(Equipment, t.equipment_id) if t.equipment_id else None
    engineer = await session.get(User, t.assignee_id) if t.assignee_id else None
    return TicketOut(
        number=t.number, status=t.status.value, type=t.type.value, priority=t.priority.value, customer_code=customer.code,
        customer_name=customer.name, equipment_serial=equipment.serial if equipment else None,
        engineer=engineer.login if engineer else None, problem=t.problem, resolution=t.resolution, created_at=t.created_at,
        respond_by=t.respond_by, resolve_by=t.resolve_by, accepted_at=t.accepted_at, resolved_at=t.resolved_at, closed_at=t.closed_at,
    )
