"""The approvals dialog's part for rebate claims: the same buttons and texts as for quotes, the
claim's own chain behind them (`core.services.rebate_claims`)."""

from __future__ import annotations

from conversations.claim_cards import claim_approval_card
from conversations.context import Ctx
from conversations.messages import Reply, Text
from conversations.quote_cards import step_role
from core.models import ApprovalStep, StepStatus
from core.services import rebate_claims
from core.services.approvals import acting_for
from core.services.claim_views import load_claim_view


async def is_claim_step(ctx: Ctx, step_id: int) -> bool:
    step = await ctx.session.get(ApprovalStep, step_id)
    return step is not None and step.claim_id is not None


async def cards(ctx: Ctx, steps: list[ApprovalStep]) -> list[Reply]:
    replies: list[Reply] = []
    for step in steps:
        assert step.claim_id is not None
        view = await load_claim_view(ctx.session, step.claim_id)
        replies.append(claim_approval_card(view, step, ctx, ctx.deps.codec))
    return replies


async def decide(ctx: Ctx, step_id: int, *, approve: bool, comment: str | None) -> list[Reply]:
    outcome = await rebate_claims.decide(
        ctx.uow, actor=ctx.actor, step_id=step_id, approve=approve, comment=comment, now=ctx.turn.received_at,
        today=ctx.today(),
    )
    view = await load_claim_view(ctx.session, outcome.claim.id)
    card = claim_approval_card(view, outcome.step, ctx, ctx.deps.codec)
    if not outcome.won:
        return [card, Text(_lost_text(ctx, outcome))]
    if outcome.next_step is not None:
        nxt = outcome.next_step
        return [card, Text(ctx.t("approval.done_next", name=view.name(nxt.approver_id, ctx.locale), role=step_role(ctx, nxt)))]
    return [card, Text(ctx.t("rebate.done." + outcome.step.status.value, number=outcome.claim.number))]


def _lost_text(ctx: Ctx, outcome: rebate_claims.ClaimOutcome) -> str:
    step = outcome.step
    if step.status == StepStatus.PENDING or outcome.decided_by is None:
        return ctx.t("approval.closed", status=ctx.t("rebate.status." + outcome.claim.status.value))
    return ctx.t(
        "approval.already", name=outcome.decided_by.display_name(ctx.locale),
        decision=ctx.t("approval.word." + step.status.value),
        when=ctx.fmt.datetime(step.decided_at) if step.decided_at else "-", platform=step.decided_platform or "-",
    )


async def ask_reason(ctx: Ctx, step_id: int, flow: str) -> list[Reply]:
    """Check before asking: a stranger, or a step already decided, gets the answer now."""
    assert ctx.user is not None
    step, claim = await rebate_claims.load_step(ctx.session, step_id)
    await acting_for(ctx.session, ctx.user, step, claim.requested_by_id, ctx.today())
    if step.status != StepStatus.PENDING:
        outcome = await rebate_claims.current_outcome(ctx.session, step_id)
        view = await load_claim_view(ctx.session, claim.id)
        return [claim_approval_card(view, step, ctx, ctx.deps.codec), Text(_lost_text(ctx, outcome))]
    ctx.begin(flow, "reason", step_id=step_id)
    return [Text(ctx.t("approval.ask_reason", number=claim.number))]


async def show(ctx: Ctx, step_id: int) -> list[Reply]:
    assert ctx.user is not None
    step, claim = await rebate_claims.load_step(ctx.session, step_id)
    await acting_for(ctx.session, ctx.user, step, claim.requested_by_id, ctx.today())
    view = await load_claim_view(ctx.session, claim.id)
    return [claim_approval_card(view, step, ctx, ctx.deps.codec)]
