"""Spare parts (备件): find a part, use it on a ticket, reserve it while the ticket waits, raise purchase requests.

Stock changes are single conditional UPDATEs (`… WHERE quantity - reserved >= :n`), so two
engineers taking the last part at once cannot both get it: one update matches, the other
finds nothing and is told how many are left, with nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput, NotFound
from core.models import (
    PartStock,
    PurchaseRequest,
    SparePart,
    Ticket,
    TicketPart,
    TicketStatus,
    Warehouse,
    WarehouseKind,
)
from core.service_events import PartsShortage
from core.services.tickets import move, own_ticket
from core.uow import Actor, UnitOfWork

MAX_QUANTITY = 999
USABLE = (TicketStatus.ACCEPTED, TicketStatus.ON_SITE, TicketStatus.WAITING_PARTS)


def part_search_text(part: SparePart) -> str:
    names = [part.name_zh, part.name_en or ""]
    forms = [part.sku.lower(), *(n.lower() for n in names if n)]
    forms += ["".join(lazy_pinyin(part.name_zh)), "".join(lazy_pinyin(part.name_zh, style=Style.FIRST_LETTER))]
    return " ".join(forms)[:500]


async def search_parts(session: AsyncSession, query: str, limit: int = 8) -> list[SparePart]:
    """By SKU, Chinese or English name, pinyin or initials; every word must match."""
    words = [w for w in query.strip().lower().split() if w][:5]
    if not words:
        return []
    conditions = [or_(SparePart.search_text.contains(w, autoescape=True), SparePart.sku.ilike(w)) for w in words]
    rows = await session.scalars(select(SparePart).where(*conditions).order_by(SparePart.sku).limit(limit))
    return list(rows.all())


@dataclass(frozen=True)
class StockLine:
    part: SparePart
    van: int
    """Usable in the engineer's van."""
    central: int
    """Usable in the central warehouse."""


async def van_of(session: AsyncSession, engineer_id: int) -> Warehouse | None:
    return await session.scalar(select(Warehouse).where(Warehouse.engineer_id == engineer_id))


async def central(session: AsyncSession) -> Warehouse:
    found = await session.scalar(select(Warehouse).where(Warehouse.kind == WarehouseKind.CENTRAL).order_by(Warehouse.id).limit(1))
    if found is None:
        raise NotFound("error.no_central_warehouse")
    return found


async def usable(session: AsyncSession, warehouse_id: int | None, part_id: int) -> int:
    if warehouse_id is None:
        return 0
    row = await session.execute(
        select(PartStock.quantity - PartStock.reserved).where(PartStock.warehouse_id == warehouse_id, PartStock.part_id == part_id)
    )
    value = row.scalar()
    return int(value or 0)


async def stock_lines(session: AsyncSession, parts: list[SparePart], engineer_id: int) -> list[StockLine]:
    van = await van_of(session, engineer_id)
    main = await central(session)
    return [
        StockLine(p, await usable(session, van.id if van else None, p.id), await usable(session, main.id, p.id)) for p in parts
    ]


def check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput("error.parts_quantity", limit=MAX_QUANTITY)


async def _take(session: AsyncSession, warehouse_id: int, part_id: int, n: int, *, from_reserved: bool) -> bool:
    """Decrement stock atomically; False when there is not enough (nothing changed)."""
    stmt = update(PartStock).where(PartStock.warehouse_id == warehouse_id, PartStock.part_id == part_id)
    if from_reserved:
        stmt = stmt.where(PartStock.reserved >= n).values(quantity=PartStock.quantity - n, reserved=PartStock.reserved - n)
    else:
        stmt = stmt.where(PartStock.quantity - PartStock.reserved >= n).values(quantity=PartStock.quantity - n)
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


async def use_parts(uow: UnitOfWork, *, actor: Actor, ticket_id: int, part_id: int, quantity: int) -> TicketPart:
    """Parts used on site: from what was reserved for this ticket, else from the engineer's van."""
    check_quantity(quantity)
    ticket = await own_ticket(uow.session, actor, ticket_id)
    if ticket.status not in USABLE:
        raise InvalidInput("error.ticket_transition", number=ticket.number, status=ticket.status.value, to="parts")
    part = await uow.session.get(SparePart, part_id)
    if part is None:
        raise NotFound("error.part_unknown")
    reservation = await uow.session.scalar(
        select(TicketPart).where(TicketPart.ticket_id == ticket.id, TicketPart.part_id == part.id, TicketPart.reserved.is_(True))
    )
    if reservation is not None and reservation.quantity >= quantity:
        if not await _take(uow.session, reservation.warehouse_id, part.id, quantity, from_reserved=True):
            raise InvalidInput("error.parts_short", sku=part.sku, have=0)
        reservation.quantity -= quantity
        if reservation.quantity == 0:
            await uow.session.delete(reservation)
        warehouse_id = reservation.warehouse_id
    else:
        van = await van_of(uow.session, actor.user.id)
        if van is None or not await _take(uow.session, van.id, part.id, quantity, from_reserved=False):
            have = await usable(uow.session, van.id if van else None, part.id)
            raise InvalidInput("error.parts_short", sku=part.sku, have=have)
        warehouse_id = van.id
    used = TicketPart(ticket_id=ticket.id, part_id=part.id, warehouse_id=warehouse_id, quantity=quantity, reserved=False, user_id=actor.user.id)
    uow.session.add(used)
    await uow.session.flush()
    uow.audit(actor, "ticket.parts_used", "ticket", ticket.id, sku=part.sku, quantity=quantity, warehouse=warehouse_id)
    await _restock_if_low(uow, actor, warehouse_id, part)
    return used


async def wait_for_parts(uow: UnitOfWork, *, actor: Actor, ticket_id: int, part_id: int, quantity: int) -> tuple[int, PurchaseRequest | None]:
    """Reserve what the central warehouse has for this ticket; order the rest. Returns (reserved, request)."""
    check_quantity(quantity)
    ticket = await own_ticket(uow.session, actor, ticket_id)
    part = await uow.session.get(SparePart, part_id)
    if part is None:
        raise NotFound("error.part_unknown")
    if ticket.status != TicketStatus.WAITING_PARTS:
        move(uow, ticket, TicketStatus.WAITING_PARTS, actor, note=f"{part.sku} x{quantity}")
    main = await central(uow.session)
    reserved = min(quantity, await usable(uow.session, main.id, part.id))
    if reserved:
        result = await uow.session.execute(
            update(PartStock)
            .where(PartStock.warehouse_id == main.id, PartStock.part_id == part.id, PartStock.quantity - PartStock.reserved >= reserved)
            .values(reserved=PartStock.reserved + reserved)
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            reserved = 0  # taken meanwhile: order it all
        else:
            uow.session.add(TicketPart(ticket_id=ticket.id, part_id=part.id, warehouse_id=main.id, quantity=reserved, reserved=True, user_id=actor.user.id))
    request = None
    if quantity > reserved:
        request = PurchaseRequest(part_id=part.id, quantity=quantity - reserved, ticket_id=ticket.id, reason="shortage", requested_by_id=actor.user.id)
        uow.session.add(request)
        await uow.session.flush()
        uow.record(PartsShortage(part.id, quantity - reserved, request.id, ticket.id, main.id, "shortage"))
    uow.audit(actor, "ticket.parts_wait", "ticket", ticket.id, sku=part.sku, quantity=quantity, reserved=reserved)
    return reserved, request


async def release_reservations(uow: UnitOfWork, ticket: Ticket) -> None:
    """Give back what was set aside for a ticket that no longer needs it."""
    rows = (await uow.session.scalars(select(TicketPart).where(TicketPart.ticket_id == ticket.id, TicketPart.reserved.is_(True)))).all()
    for row in rows:
        await uow.session.execute(
            update(PartStock)
            .where(PartStock.warehouse_id == row.warehouse_id, PartStock.part_id == row.part_id)
            .values(reserved=PartStock.reserved - row.quantity)
            .execution_options(synchronize_session=False)
        )
        await uow.session.delete(row)


async def _restock_if_low(uow: UnitOfWork, actor: Actor, warehouse_id: int, part: SparePart) -> None:
    """Stock fell below its safety level: one open restock request per warehouse and part."""
    stock = await uow.session.scalar(
        select(PartStock).where(PartStock.warehouse_id == warehouse_id, PartStock.part_id == part.id).execution_options(populate_existing=True)
    )
    if stock is None or stock.quantity >= stock.safety:
        return
    key = f"restock:{warehouse_id}:{part.id}"
    if await uow.session.scalar(select(PurchaseRequest.id).where(PurchaseRequest.open_key == key)):
        return
    missing = stock.safety - stock.quantity
    request = PurchaseRequest(part_id=part.id, quantity=missing, reason="restock", open_key=key, requested_by_id=actor.user.id)
    try:
        async with uow.session.begin_nested():
            uow.session.add(request)
            await uow.session.flush()
    except IntegrityError:  # another use raised the same request a moment ago
        return
    uow.record(PartsShortage(part.id, missing, request.id, None, warehouse_id, "restock"))
