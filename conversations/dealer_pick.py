"""Picking a dealer: a dealer user always means its own company; others choose among the dealers
they may see (by name when they typed one)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.messages import Choices, Reply, Text
from core.errors import NotFound, PermissionDenied
from core.models import Customer, Role
from core.search.normalize import compact
from core.services.dealers import own_dealer, readable_dealer, visible_dealers

MAX_LISTED = 20


async def dealer_or_choices(ctx: Ctx, args: str, flow: str, prefix: str = "v") -> Customer | list[Reply]:
    """The one dealer meant, or the replies that let the user pick one (stateless buttons)."""
    assert ctx.user is not None
    if ctx.user.role == Role.DEALER:
        return await own_dealer(ctx.session, ctx.user)
    dealers = await visible_dealers(ctx.session, ctx.me)
    query = compact(args)
    if query:
        dealers = [d for d in dealers if query in compact(d.name) or query in compact(d.name_en or "") or query in compact(d.code)]
    if not dealers:
        return [Text(ctx.t("dealer.none" if not query else "dealer.none_named", query=args[:40]))]
    if len(dealers) == 1:
        return dealers[0]
    buttons = tuple(
        ctx.button(f"{d.name} · {d.region or '-'}", flow, f"{prefix}{d.id}", stateless=True) for d in dealers[:MAX_LISTED]
    )
    replies: list[Reply] = [Choices(ctx.t("dealer.pick", count=len(dealers)), buttons)]
    if len(dealers) > MAX_LISTED:
        replies.append(Text(ctx.t("dealer.more", count=len(dealers) - MAX_LISTED)))
    return replies


async def dealer_from_arg(ctx: Ctx, arg: str) -> Customer:
    """A dealer named by a button: checked again against what the user may see now."""
    assert ctx.user is not None
    if not arg.isdigit():
        raise NotFound("dealer.error.unknown")
    if ctx.user.role == Role.DEALER:
        dealer = await own_dealer(ctx.session, ctx.user)
        if dealer.id != int(arg):
            raise PermissionDenied("dealer.error.not_yours")
        return dealer
    return await readable_dealer(ctx.session, ctx.me, int(arg))


class DealerFlow(Flow, ABC):
    """A flow about one dealer: a dealer user's own company, or the one its channel manager names
    (typed after the command) or picks (a `v<id>` button)."""

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        found = await dealer_or_choices(ctx, args, self.code)
        return found if isinstance(found, list) else await self.open(ctx, found)

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg[:1] == "v":
            return await self.open(ctx, await dealer_from_arg(ctx, arg[1:]))
        return await self.on_dealer_action(ctx, arg)

    @abstractmethod
    async def open(self, ctx: Ctx, dealer: Customer) -> list[Reply]:
        """What the flow shows (or asks) about the dealer once it is known."""

    async def on_dealer_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        """The flow's own buttons (other than picking a dealer)."""
        return [Text(ctx.t("error.action_expired"))]
