"""Shared pickers: find a customer by whatever the user typed and offer the hits as buttons."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.messages import Action, Choices, Reply, Text
from core.geo import Point
from core.search import CustomerHit

MAX_QUERY = 100


def hit_label(ctx: Ctx, hit: CustomerHit) -> str:
    label = hit.customer.name
    if ctx.locale == "en" and hit.customer.name_en:
        label = f"{hit.customer.name_en} · {hit.customer.name}"
    if hit.distance_m is not None:
        label += f" · {ctx.fmt.distance(hit.distance_m)}"
    if hit.customer.owner_id is None:
        label += f" · {ctx.t('customer.pool')}"
    return label


def hidden_row(ctx: Ctx, hit: CustomerHit) -> str:
    """Outside the user's scope: name, code and owner only, so the rep knows who has it."""
    return ctx.t("search.hidden_row", name=hit.customer.name, code=hit.customer.code, owner=hit.owner_name or "-")


async def find_customers(ctx: Ctx, query: str, *, near: Point | None = None, limit: int = 8) -> list[CustomerHit]:
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    return await ctx.deps.search.search(ctx.session, scope=ctx.me, query=query, limit=limit, near=near)


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
