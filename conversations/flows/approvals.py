"""Approvers: `/approvals` lists what waits for me; Approve / Reject (with a reason) / Comment.

Card buttons are stateless (they work from any chat, after restarts); a decision is
taken by `core.services.approvals.decide`, which lets exactly one click win and tells
the others who decided. Reject and Comment ask for the text in a short dialog; a comment is
answered with the card again, so the approver can decide right after it.
"""

from __future__ import annotations

from conversations import claim_decisions
from conversations.approval_card import FLOW, approval_card
from conversations.context import Ctx
from conversations.flow import Flow
from conversations.inbound import Event, TextEvent
from conversations.messages import Reply, Text
from conversations.quote_cards import step_role
from core.models import QuoteStatus, Role, StepStatus
from core.services import approvals, rebate_claims
from core.services.quote_views import load_view

APPROVERS = frozenset({Role.MANAGER, Role.DIRECTOR, Role.ADMIN, Role.REP, Role.FINANCE})
"""Reps approve rebate claims of the dealers they manage, finance approves them last."""
MAX_CARDS = 5


class ApprovalsFlow(Flow):
    code = FLOW
    commands = ("approvals", "approval", "审批", "待审批", "待办审批")
    roles = APPROVERS

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        assert ctx.user is not None
        steps = await approvals.pending_for(ctx.session, ctx.user, ctx.today())
        claims = await rebate_claims.pending_for(ctx.session, ctx.user, ctx.today())
        if not steps and not claims:
            return [Text(ctx.t("approval.none"))]
        replies: list[Reply] = [Text(ctx.t("approval.list_header", count=len(steps) + len(claims)))]
        for step in steps[:MAX_CARDS]:
            view = await load_view(ctx.session, approvals.quote_id_of(step))
            replies.append(approval_card(view, step, ctx, ctx.deps.codec))
        replies += await claim_decisions.cards(ctx, claims[: max(MAX_CARDS - len(steps), 0)])
        steps += claims
        if len(steps) > MAX_CARDS:
            replies.append(Text(ctx.t("approval.more", count=len(steps) - MAX_CARDS)))
        return replies

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        kind, step_id = arg[:1], arg[1:]
        if not step_id.isdigit():
            return [Text(ctx.t("error.action_expired"))]
        if await claim_decisions.is_claim_step(ctx, int(step_id)):
            return await self._claim_action(ctx, kind, int(step_id))
        if kind == "y":
            return await self._decide(ctx, int(step_id), approve=True, comment=None)
        if kind in ("n", "c"):
            return await self._ask(ctx, int(step_id), "reason" if kind == "n" else "comment")
        if kind == "o":
            return await self._show(ctx, int(step_id))
        return [Text(ctx.t("error.action_expired"))]

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if ctx.dialog is None or not isinstance(event, TextEvent):
            return self.unexpected(ctx)
        step_id = int(ctx.dialog.data["step_id"])
        if ctx.dialog.step == "reason":
            ctx.finish()
            if await claim_decisions.is_claim_step(ctx, step_id):
                return await claim_decisions.decide(ctx, step_id, approve=False, comment=event.text)
            return await self._decide(ctx, step_id, approve=False, comment=event.text)
        return await self._comment(ctx, step_id, event.text)

    async def _comment(self, ctx: Ctx, step_id: int, text: str) -> list[Reply]:
        """Saved, then the card again: where a tapped card is closed (WeCom), this copy is where the
        approver goes on to decide. A step decided while they typed gets its outcome instead."""
        step, quote = await approvals.load_step(ctx.session, step_id)
        if step.status != StepStatus.PENDING or quote.status != QuoteStatus.PENDING:
            ctx.finish()
            return [*await self._already(ctx, step_id), Text(ctx.t("approval.comment_unsent"))]
        await approvals.add_comment(ctx.uow, actor=ctx.actor, step_id=step_id, text=text, today=ctx.today())
        ctx.finish()
        view = await load_view(ctx.session, quote.id)
        return [Text(ctx.t("approval.comment_sent")), approval_card(view, step, ctx, ctx.deps.codec)]

    async def _claim_action(self, ctx: Ctx, kind: str, step_id: int) -> list[Reply]:
        """A rebate claim's step: approve, reject with a reason, or show (claims take no comments)."""
        if kind == "y":
            return await claim_decisions.decide(ctx, step_id, approve=True, comment=None)
        if kind == "n":
            return await claim_decisions.ask_reason(ctx, step_id, self.code)
        if kind == "o":
            return await claim_decisions.show(ctx, step_id)
        return [Text(ctx.t("error.action_expired"))]

    async def _ask(self, ctx: Ctx, step_id: int, what: str) -> list[Reply]:
        """Check before asking for text: a decided step or a stranger gets the answer now."""
        assert ctx.user is not None
        step, quote = await approvals.load_step(ctx.session, step_id)
        await approvals.decider_role(ctx.session, ctx.user, step, quote, ctx.today())
        if step.status != StepStatus.PENDING:
            return await self._already(ctx, step_id)
        ctx.begin(self.code, what, step_id=step_id)
        key = "approval.ask_reason" if what == "reason" else "approval.ask_comment"
        return [Text(ctx.t(key, number=quote.number or "-"))]

    async def _decide(self, ctx: Ctx, step_id: int, *, approve: bool, comment: str | None) -> list[Reply]:
        outcome = await approvals.decide(
            ctx.uow, actor=ctx.actor, step_id=step_id, approve=approve, comment=comment,
            now=ctx.turn.received_at, today=ctx.today(),
        )
        view = await load_view(ctx.session, outcome.quote.id)
        card = approval_card(view, outcome.step, ctx, ctx.deps.codec)
        if not outcome.won:
            return [card, Text(self._lost_text(ctx, outcome))]
        if outcome.next_step is not None:
            nxt = outcome.next_step
            text = ctx.t("approval.done_next", name=view.name(nxt.approver_id, ctx.locale), role=step_role(ctx, nxt))
        else:
            text = ctx.t("approval.done." + outcome.step.status.value, number=view.quote.number or "-")
        return [card, Text(text)]

    def _lost_text(self, ctx: Ctx, outcome: approvals.Outcome) -> str:
        step = outcome.step
        if step.status == StepStatus.PENDING or outcome.decided_by is None:
            return ctx.t("approval.closed", status=ctx.t("quote.status." + outcome.quote.status.value))
        when = ctx.fmt.datetime(step.decided_at) if step.decided_at else "-"
        return ctx.t(
            "approval.already", name=outcome.decided_by.display_name(ctx.locale),
            decision=ctx.t("approval.word." + step.status.value), when=when, platform=step.decided_platform or "-",
        )

    async def _already(self, ctx: Ctx, step_id: int) -> list[Reply]:
        outcome = await approvals.current_outcome(ctx.session, step_id)
        view = await load_view(ctx.session, outcome.quote.id)
        return [approval_card(view, outcome.step, ctx, ctx.deps.codec), Text(self._lost_text(ctx, outcome))]

    async def _show(self, ctx: Ctx, step_id: int) -> list[Reply]:
        assert ctx.user is not None
        step, quote = await approvals.load_step(ctx.session, step_id)
        await approvals.decider_role(ctx.session, ctx.user, step, quote, ctx.today())
        view = await load_view(ctx.session, quote.id)
        return [approval_card(view, step, ctx, ctx.deps.codec)]
