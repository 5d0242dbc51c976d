"""Shared pickers: find a customer or a product by whatever the user typed (one search behind
both) and offer the customers found as buttons."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.messages import Action, Choices, Reply, Text
from core.geo import Point
from core.search import CustomerHit, ProductHit

MAX_QUERY = 100
NOISE_GAP = 20.0
"""A hit scoring this far below the best one is noise beside it and is not offered: `hengli`
finds 苏州恒力 at 100, while the pinyin window "hengji" (tian-chENG JIng-mi) in 昆山天成精密
scores 67. When nothing matches well, every hit stays: the best is itself a fuzzy guess."""
CLEAR_LEAD = 10.0
"""Score margin by which the top hit must beat the next to be taken without a tap."""
AS_TYPED = 90.0
"""The name (or pinyin, initials, code, phone) matched as typed, not as a likely typo: a fuzzy
match scores at most 85. A flow that stores something on the pick needs this much to skip it."""


def hit_label(ctx: Ctx, hit: CustomerHit) -> str:
    label = hit.customer.name
    if ctx.locale == "en" and hit.customer.name_en:
        label = f"{hit.customer.name_en} · {hit.customer.name}"
    if hit.distance_m is not None:
        label += f" · {ctx.fmt.distance(hit.distance_m)}"
    if hit.customer.owner_id is None:
        label += f" · {ctx.t('customer.pool')}"
    if hit.via_contact:
        label += f" · {hit.via_contact}"
    return label


def hidden_row(ctx: Ctx, hit: CustomerHit) -> str:
    """Outside the user's scope: name, code and owner only, so the rep knows who has it."""
    return ctx.t("search.hidden_row", name=hit.customer.name, code=hit.customer.code, owner=hit.owner_name or "-")


async def find_customers(ctx: Ctx, query: str, *, near: Point | None = None, limit: int = 8) -> list[CustomerHit]:
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    hits = await ctx.deps.search.search(ctx.session, scope=ctx.me, query=query, limit=limit, near=near)
    best = max((h.score for h in hits), default=0.0)
    return [h for h in hits if h.score >= best - NOISE_GAP]


def plain_pick(hits: list[CustomerHit], *, at_least: float = 0.0) -> CustomerHit | None:
    """The customer the user plainly meant, to go on with instead of a one-button list: the only
    hit they may open, or one leading the next by CLEAR_LEAD, scoring at least `at_least`."""
    visible = [h for h in hits if h.visible]
    if not visible or visible[0].score < at_least:
        return None
    if len(visible) == 1 or visible[0].score - visible[1].score >= CLEAR_LEAD:
        return visible[0]
    return None


def customer_choices(
    ctx: Ctx, query: str, hits: list[CustomerHit], *, flow: str, prefix: str, stateless: bool = False
) -> list[Reply]:
    """Visible hits as buttons `<prefix><id>`; hidden ones as plain rows; a helpful line when none."""
    if not hits:
        return [Text(ctx.t("search.none", query=query[:MAX_QUERY]))]
    visible = [h for h in hits if h.visible]
    hidden = [h for h in hits if not h.visible]
    replies: list[Reply] = []
    if visible:
        buttons: tuple[Action, ...] = tuple(
            ctx.button(hit_label(ctx, h), flow, f"{prefix}{h.customer.id}", stateless=stateless) for h in visible
        )
        replies.append(Choices(ctx.t("search.pick", count=len(visible)), buttons))
    if hidden:
        rows = "\n".join(hidden_row(ctx, h) for h in hidden)
        replies.append(Text(ctx.t("search.hidden_intro") + "\n" + rows))
    return replies


async def find_products(ctx: Ctx, query: str, *, limit: int = 8) -> list[ProductHit]:
    """Active products by SKU, model, Chinese or English name, pinyin or initials."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    return await ctx.deps.search.search_products(ctx.session, query=query, limit=limit)
