"""The quote as its requester sees it: the review card while drafting, the status card after."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.messages import Action, Card, Field, Reply, Text
from conversations.quote_cards import (
    chain_field,
    comments_field,
    decision_text,
    quote_fields,
    status_line,
    step_role,
)
from core.models import QuoteStatus, StepStatus
from core.services.quote_views import QuoteView

LIST_FLOW = "qs"


def review_card(ctx: Ctx, view: QuoteView, flow: str) -> Card:
    """Draft: totals so far and what to do next (buttons bound to the drafting dialog)."""
    actions = [ctx.button(ctx.t("quote.btn.add"), flow, "add")]
    if view.lines:
        actions += [
            ctx.button(ctx.t("quote.btn.remove"), flow, "rm"),
            ctx.button(ctx.t("quote.btn.overall"), flow, "ov"),
            ctx.button(ctx.t("quote.btn.submit"), flow, "sub", style="primary"),
        ]
    actions.append(ctx.button(ctx.t("quote.btn.close"), flow, "done"))
    return Card(
        ctx.t("quote.card.title", number=view.quote.number or "-"),
        tuple(quote_fields(view, ctx)),
        tuple(actions),
        subtitle=status_line(view, ctx),
        ref=f"quote:{view.quote.id}",
    )


def status_card(ctx: Ctx, view: QuoteView) -> Card:
    """Any status: where it waits, every decision, and what the requester may do now."""
    fields = quote_fields(view, ctx)
    if view.steps:
        fields.append(chain_field(view, ctx))
    for step in view.steps:
        if step.status in (StepStatus.APPROVED, StepStatus.REJECTED):
            fields.append(Field(ctx.t("approval.f.decision") + f" {step.position}", decision_text(view, step, ctx)))
    notes = comments_field(view, ctx)
    if notes is not None:
        fields.append(notes)
    return Card(
        ctx.t("quote.card.title", number=view.quote.number or "-"),
        tuple(fields),
        tuple(_status_actions(ctx, view)),
        subtitle=status_line(view, ctx),
        ref=f"quote:{view.quote.id}",
    )


def _status_actions(ctx: Ctx, view: QuoteView) -> list[Action]:
    assert ctx.user is not None
    if view.quote.owner_id != ctx.user.id:
        return []
    qid, status = view.quote.id, view.quote.status
    if status == QuoteStatus.DRAFT:
        return [ctx.button(ctx.t("quote.btn.continue"), "qt", f"e{qid}", stateless=True, style="primary")]
    if status == QuoteStatus.PENDING:
        return [ctx.button(ctx.t("quote.btn.withdraw"), LIST_FLOW, f"w{qid}", stateless=True, style="danger")]
    if status == QuoteStatus.APPROVED:
        return [ctx.button(ctx.t("quote.btn.order"), LIST_FLOW, f"o{qid}", stateless=True, style="primary")]
    return []


def submitted_replies(ctx: Ctx, view: QuoteView) -> list[Reply]:
    current = view.current
    if current is None:
        text = ctx.t("quote.auto_approved", number=view.quote.number or "-")
    else:
        text = ctx.t(
            "quote.submitted", number=view.quote.number or "-", name=view.name(current.approver_id, ctx.locale),
            role=step_role(ctx, current), steps=len(view.steps),
        )
    return [Text(text), status_card(ctx, view)]
