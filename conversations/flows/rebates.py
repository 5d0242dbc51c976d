"""`/rebate`: a dealer's rebate statements (返利), this period and the last closed one, per policy;
the dealer claims a closed period's rebate from its card (返利申请), approved in chat by its
channel manager, then finance."""

from __future__ import annotations

from conversations.claim_cards import claim_status_card
from conversations.context import Ctx
from conversations.dealer_pick import DealerFlow
from conversations.messages import Action, Reply, Text
from conversations.rebate_cards import statement_card
from core.clock import zone
from core.models import Customer, Role
from core.rebate_math import period_of, previous_period
from core.services import rebate_claims
from core.services.claim_views import load_claim_view
from core.services.rebates import open_claim, period_kind, policies_for, statement

VIEWERS = frozenset({Role.DEALER, Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN, Role.FINANCE})


class RebatesFlow(DealerFlow):
    code = "rb"
    commands = ("rebate", "rebates", "返利", "返利查询")
    roles = VIEWERS

    async def on_dealer_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg[:1] == "c" and ":" in arg:
            policy, _, key = arg[1:].partition(":")
            if policy.isdigit():
                return await self._claim(ctx, int(policy), key)
        return [Text(ctx.t("error.action_expired"))]

    async def open(self, ctx: Ctx, dealer: Customer) -> list[Reply]:
        assert ctx.user is not None
        today, tz = ctx.today(), zone(ctx.timezone)
        policies = await policies_for(ctx.session, dealer.id, today)
        if not policies:
            return [Text(ctx.t("rebate.no_policy", dealer=dealer.name))]
        replies: list[Reply] = []
        for policy in policies:
            kind = period_kind(policy)
            current = period_of(today, kind)
            replies.append(statement_card(ctx, dealer, await statement(ctx.session, dealer.id, policy, current, tz), closed=False))
            last = await statement(ctx.session, dealer.id, policy, previous_period(current, kind), tz)
            actions: tuple[Action, ...] = ()
            if ctx.user.role == Role.DEALER and last.rebate > 0 and not open_claim(last.claim):
                label = ctx.t("rebate.btn.claim", amount=ctx.fmt.money(last.rebate, policy.currency))
                actions = (ctx.button(label, self.code, f"c{policy.id}:{last.period.key}", stateless=True, style="primary"),)
            replies.append(statement_card(ctx, dealer, last, closed=True, actions=actions))
        return replies

    async def _claim(self, ctx: Ctx, policy_id: int, period_key: str) -> list[Reply]:
        claim = await rebate_claims.submit(
            ctx.uow, actor=ctx.actor, policy_id=policy_id, period_key=period_key, now=ctx.turn.received_at,
            today=ctx.today(), tz=zone(ctx.timezone), claim_days=ctx.deps.settings.rebate_claim_days,
        )
        view = await load_claim_view(ctx.session, claim.id)
        first = view.current
        waits = view.name(first.approver_id, ctx.locale) if first else "-"
        return [claim_status_card(view, ctx), Text(ctx.t("rebate.claimed", number=claim.number, name=waits))]
