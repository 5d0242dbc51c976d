"""`/stock`: a dealer's latest stock snapshot (each product's newest reported figure, with its
safety level); a dealer sees its own, a channel manager picks among the dealers they manage."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.dealer_pick import DealerFlow
from conversations.messages import Action, Reply
from conversations.stock_cards import snapshot_card
from core.models import Customer, Role
from core.services.stock_views import latest

VIEWERS = frozenset({Role.DEALER, Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN, Role.FINANCE})
MANAGERS = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})


class StockFlow(DealerFlow):
    code = "dk"
    commands = ("stock", "查库存", "渠道库存")
    """Not '库存': dealers start their reports with it ('库存 X100 12台')."""
    roles = VIEWERS

    async def open(self, ctx: Ctx, dealer: Customer) -> list[Reply]:
        assert ctx.user is not None
        figures = await latest(ctx.session, dealer.id)
        actions: list[Action] = []
        if ctx.user.role == Role.DEALER:
            actions.append(ctx.button(ctx.t("stock.btn.report"), "sr", "new", stateless=True))
        elif ctx.user.role in MANAGERS:
            actions.append(ctx.button(ctx.t("safety.btn.set"), "ss", f"v{dealer.id}", stateless=True))
        actions += [
            ctx.button(ctx.t("target.btn.show"), "tg", f"v{dealer.id}", stateless=True),
            ctx.button(ctx.t("rebate.btn.show"), "rb", f"v{dealer.id}", stateless=True),
        ]
        return [snapshot_card(ctx, dealer, figures, tuple(actions))]
