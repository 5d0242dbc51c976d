"""Finding products by SKU, Chinese or English name, or pinyin: a minimal, correct search.

Same approach as the customer search (a LIKE prefilter on the precomputed `search_text`,
then scoring); a faster index can replace `search_products` behind the same signature.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Product
from core.search.simple import query_forms, score

MIN_SCORE = 60.0
MAX_QUERY = 100


@dataclass(frozen=True)
class ProductHit:
    product: Product
    score: float


async def search_products(session: AsyncSession, query: str, *, limit: int = 8) -> list[ProductHit]:
    """Active products matching `query`, best first; an exact SKU wins outright."""
    query = query.strip()[:MAX_QUERY]
    forms = query_forms(query)
    if not forms:
        return []
    exact = await session.scalar(select(Product).where(Product.sku == query.upper(), Product.active.is_(True)))
    if exact is not None:
        return [ProductHit(exact, 100.0)]
    active = Product.active.is_(True)
    rows = list((await session.scalars(select(Product).where(active, or_(*(Product.search_text.contains(f) for f in forms))))).all())
    if not rows and len(forms[0]) >= 3:
        rows = list((await session.scalars(select(Product).where(active).limit(2000))).all())
    hits = [ProductHit(p, s) for p in rows if (s := score(forms, p.search_text)) >= MIN_SCORE]
    hits.sort(key=lambda h: (-round(h.score), h.product.sku))
    return hits[:limit]
