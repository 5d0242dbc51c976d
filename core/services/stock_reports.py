"""A dealer's stock message → a reviewed draft → one stored snapshot, on confirmation only.

The draft lives in the dialog as plain `Item`s (what was read, what was picked); each
review recomputes the rows from the catalog as it is now: base quantities, products named
twice summed, the previous figure of each product, and every question still open.
Confirming stores the report under the card's key, so the same card confirmed twice (two
taps, two devices, a retried request) is stored once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.dealer_events import StockBelowSafety, StockReported
from core.errors import InvalidInput
from core.inventory.read import ReadLine
from core.inventory.resolve import Found
from core.inventory.units import Problem, UnitInfo, to_base
from core.models import Customer, Product, ProductUnit, StockLine, StockReport
from core.services.safety_stock import below_safety
from core.uow import Actor, UnitOfWork


@dataclass(frozen=True)
class Item:
    """One line as read and as the dealer settled it; kept in the dialog between turns."""

    source: str
    mention: str
    value: str | None
    unit: str | None
    qty_text: str
    found: str
    ids: tuple[int, ...] = ()
    pick: int | None = None

    @classmethod
    def of(cls, line: ReadLine) -> Item:
        raw, res = line.raw, line.resolution
        value = None if raw.value is None else format(raw.value.normalize(), "f")
        return cls(raw.source, raw.mention, value, raw.unit, raw.qty_text, res.found.value, res.ids)

    @classmethod
    def load(cls, data: dict[str, Any]) -> Item:
        return cls(**{**data, "ids": tuple(data.get("ids", ()))})

    def dump(self) -> dict[str, Any]:
        return {**asdict(self), "ids": list(self.ids)}

    @property
    def product_id(self) -> int | None:
        return self.pick or (self.ids[0] if self.found == Found.RESOLVED and self.ids else None)


@dataclass
class Row:
    """One product of the report: its count in base units and how it compares with the last one."""

    product: Product
    quantity: Decimal
    entered: list[str] = field(default_factory=list)
    previous: Decimal | None = None
    previous_date: date | None = None


@dataclass(frozen=True)
class Question:
    n: int
    """The item's position."""
    kind: str
    """A `Found` value (ambiguous, unknown, not_carried, missing) or a `Problem` value."""
    item: Item
    products: tuple[Product, ...] = ()
    """Choices, suggestions, or the product the problem is about."""


@dataclass(frozen=True)
class Review:
    rows: list[Row]
    questions: list[Question]

    @property
    def ready(self) -> bool:
        return bool(self.rows) and not self.questions

    def summed(self) -> list[Row]:
        return [r for r in self.rows if len(r.entered) > 1]


async def unit_infos(session: AsyncSession, products: Collection[Product]) -> dict[int, UnitInfo]:
    ids = [p.id for p in products]
    units = (await session.scalars(select(ProductUnit).where(ProductUnit.product_id.in_(ids or [-1])))).all()
    packs: dict[int, dict[str, Decimal]] = {pid: {} for pid in ids}
    for u in units:
        packs[u.product_id][u.unit] = u.factor
    return {p.id: UnitInfo(p.base_unit, packs[p.id]) for p in products}


async def review(session: AsyncSession, dealer_id: int, items: Sequence[Item], carried: Collection[int]) -> Review:
    wanted = {pid for it in items for pid in (*it.ids, it.pick) if pid is not None}
    found = (await session.scalars(select(Product).where(Product.id.in_(wanted or {-1})))).all()
    products = {p.id: p for p in found}
    infos = await unit_infos(session, found)
    rows: dict[int, Row] = {}
    questions: list[Question] = []
    for n, item in enumerate(items):
        pid = item.product_id
        product = products.get(pid) if pid is not None else None
        if product is None or not product.active:
            options = tuple(products[i] for i in item.ids if i in products and products[i].active)
            questions.append(Question(n, item.found if item.found != Found.RESOLVED else Found.UNKNOWN, item, options))
            continue
        if carried and product.id not in carried:
            questions.append(Question(n, Found.NOT_CARRIED, item, (product,)))
            continue
        value = Decimal(item.value) if item.value is not None else None
        converted = to_base(value, item.unit, infos[product.id], said=item.qty_text)
        if converted.problem is not None or converted.base is None:
            questions.append(Question(n, (converted.problem or Problem.NO_QUANTITY).value, item, (product,)))
            continue
        row = rows.setdefault(product.id, Row(product, Decimal(0)))
        row.quantity += converted.base
        row.entered.append(f"{item.qty_text}{converted.unit}" if item.qty_text else converted.unit)
    await _previous(session, dealer_id, rows)
    return Review(list(rows.values()), questions)


async def _previous(session: AsyncSession, dealer_id: int, rows: dict[int, Row]) -> None:
    """The latest stored figure of each product for this dealer."""
    if not rows:
        return
    found = await session.execute(
        select(StockLine.product_id, StockLine.quantity, StockReport.report_date)
        .join(StockReport, StockReport.id == StockLine.report_id)
        .where(StockReport.dealer_id == dealer_id, StockLine.product_id.in_(rows))
        .order_by(StockReport.reported_at.desc(), StockReport.id.desc())
    )
    for pid, quantity, day in found.all():
        row = rows[pid]
        if row.previous_date is None:
            row.previous, row.previous_date = quantity, day


async def confirm(
    uow: UnitOfWork, *, actor: Actor, dealer: Customer, draft_key: str, items: Sequence[Item], carried: Collection[int],
    source_text: str, now: datetime, today: date,
) -> tuple[StockReport, bool]:
    """Store the report (True) — or find the one this card already stored (False)."""
    session = uow.session
    checked = await review(session, dealer.id, items, carried)
    if not checked.ready:
        raise InvalidInput("stock.error.not_ready")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(StockReport)
        .values(
            dealer_id=dealer.id, reported_by_id=actor.user.id, reported_at=now, report_date=today,
            platform=actor.platform[:20], draft_key=draft_key[:40], source_text=source_text[:4000],
        )
        .on_conflict_do_nothing()
        .returning(StockReport.id)
    )
    new_id = (await session.execute(stmt)).scalar()
    if new_id is None:
        existing = await session.scalar(
            select(StockReport).where(StockReport.dealer_id == dealer.id, StockReport.draft_key == draft_key[:40])
        )
        assert existing is not None
        return existing, False
    session.add_all(
        StockLine(report_id=new_id, product_id=r.product.id, quantity=r.quantity, entered=" + ".join(r.entered)[:120])
        for r in checked.rows
    )
    await session.flush()
    report = await session.get_one(StockReport, new_id)
    uow.audit(actor, "stock.report", "customer", dealer.id, report=new_id, lines=len(checked.rows))
    uow.record(StockReported(new_id, dealer.id, actor.user.id))
    low = await below_safety(session, dealer.id, {r.product.id: r.quantity for r in checked.rows})
    if low:
        uow.record(StockBelowSafety(new_id, dealer.id, tuple(s.product_id for s in low)))
    return report, True
