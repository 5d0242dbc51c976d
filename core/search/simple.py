"""The simple, correct search: SQL prefilter on normalised text, rapidfuzz to rank."""

from __future__ import annotations

from rapidfuzz import fuzz
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.geo import Point, bounding_box, distance_m
from core.models import Contact, Customer, User
from core.permissions import Scope
from core.search import CustomerHit
from core.search.normalize import compact, digits, fold, has_han, pinyin, strip_legal

PREFILTER_LIMIT = 400


def query_forms(query: str) -> list[str]:
    """The query as the precomputed forms it may match: compact text, pinyin, digits."""
    text = fold(query)
    forms = [compact(text), compact(strip_legal(text))]
    if has_han(text):
        forms.append(pinyin(strip_legal(text)))
    forms.append(compact(text.replace(" ", "")))
    return [f for f in dict.fromkeys(forms) if f]


def score(query_forms_: list[str], search_text: str) -> float:
    best = 0.0
    for part in search_text.split():
        for form in query_forms_:
            if part == form:
                return 100.0
            if part.startswith(form):
                best = max(best, 95.0 - min(len(part) - len(form), 10) * 0.2)
            elif form in part:
                best = max(best, 90.0)
            elif len(form) >= 3:
                best = max(best, fuzz.ratio(form, part) * 0.85, fuzz.partial_ratio(form, part) * 0.8)
    return best


class SimpleCustomerSearch:
    async def search(
        self, session: AsyncSession, *, scope: Scope, query: str, limit: int = 8, near: Point | None = None
    ) -> list[CustomerHit]:
        forms = query_forms(query)
        if not forms:
            return []
        phone = digits(query)
        is_phone = len(phone) >= 4 and len(phone) == len(compact(query))
        clauses = [Customer.search_text.contains(f) for f in forms]
        if is_phone:
            contact_ids = select(Contact.customer_id).where(
                or_(Contact.phone.contains(phone), Contact.mobile.contains(phone))
            )
            clauses.append(Customer.id.in_(contact_ids))
        rows = list((await session.scalars(select(Customer).where(or_(*clauses)).limit(PREFILTER_LIMIT))).all())
        if not rows and len(forms[0]) >= 3 and not is_phone:
            # Nothing contains the query: a typo. Score everything (fine at demo scale).
            rows = list((await session.scalars(select(Customer).limit(5000))).all())
        scored = []
        for customer in rows:
            s = 99.0 if is_phone else score(forms, customer.search_text)
            if s >= 60:
                scored.append((s, customer))
        return await self._hits(session, scope, scored, limit, near)

    async def nearby(
        self,
        session: AsyncSession,
        *,
        scope: Scope,
        point: Point,
        radius_m: float,
        pool_only: bool = False,
        limit: int = 10,
    ) -> list[CustomerHit]:
        min_lat, max_lat, min_lon, max_lon = bounding_box(point, radius_m)
        stmt = select(Customer).where(
            and_(Customer.lat.between(min_lat, max_lat), Customer.lon.between(min_lon, max_lon)),
            scope.customer_filter(),
        )
        if pool_only:
            stmt = stmt.where(Customer.owner_id.is_(None))
        found = []
        for customer in (await session.scalars(stmt)).all():
            assert customer.lat is not None and customer.lon is not None
            d = distance_m(point, Point(customer.lat, customer.lon))
            if d <= radius_m:
                found.append((d, customer))
        found.sort(key=lambda pair: pair[0])
        owners = await _owner_names(session, {c.owner_id for _, c in found[:limit] if c.owner_id})
        return [
            CustomerHit(c, 100.0, True, owners.get(c.owner_id) if c.owner_id else None, d) for d, c in found[:limit]
        ]

    async def _hits(
        self,
        session: AsyncSession,
        scope: Scope,
        scored: list[tuple[float, Customer]],
        limit: int,
        near: Point | None,
    ) -> list[CustomerHit]:
        def distance(c: Customer) -> float | None:
            if near is None or c.lat is None or c.lon is None:
                return None
            return distance_m(near, Point(c.lat, c.lon))

        ranked = sorted(
            ((s, c, distance(c)) for s, c in scored),
            key=lambda t: (
                -round(t[0]),
                t[2] if t[2] is not None else float("inf"),
                -(t[1].last_contact_at.timestamp() if t[1].last_contact_at else 0),
            ),
        )[:limit]
        owners = await _owner_names(session, {c.owner_id for _, c, _ in ranked if c.owner_id})
        return [
            CustomerHit(c, s, scope.can_read_customer(c), owners.get(c.owner_id) if c.owner_id else None, d)
            for s, c, d in ranked
        ]


async def _owner_names(session: AsyncSession, ids: set[int | None]) -> dict[int | None, str]:
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {uid: name for uid, name in rows.all()}
