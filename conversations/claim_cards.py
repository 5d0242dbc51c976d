"""How a rebate claim reads on a card: the approval card (same buttons and copies as a quote's)
and the outcome the dealer receives."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from conversations.approval_card import FLOW, card_ref
from conversations.messages import Action, Card, Field
from conversations.quote_cards import MARKS, Speaker, step_role
from conversations.tokens import STATELESS, TokenCodec
from core.models import ApprovalStep, ClaimStatus, StepStatus
from core.services.claim_views import ClaimView

CLAIM_MARKS = {"pending": "⏳", "approved": "✅", "rejected": "❌", "withdrawn": "↩️"}


def pct(value: Decimal) -> str:
    return format(value.normalize(), "f")


def claim_fields(view: ClaimView, s: Speaker) -> list[Field]:
    c, money = view.claim, s.fmt.money
    return [
        Field(s.t("rebate.f.dealer"), f"{view.dealer.name} ({view.dealer.code})"),
        Field(s.t("rebate.f.requester"), view.name(c.requested_by_id, s.locale)),
        Field(s.t("rebate.f.policy"), view.policy.name),
        Field(s.t("rebate.f.period"), s.t("rebate.period_range", key=c.period_key, start=s.fmt.date(c.period_start), end=s.fmt.date(c.period_end))),
        Field(s.t("rebate.f.sales"), money(c.sales, c.currency)),
        Field(s.t("rebate.f.claim"), s.t("rebate.claim_amount", amount=money(c.amount, c.currency), rate=pct(c.rate_pct))),
        chain_field(view, s),
    ]


def chain_field(view: ClaimView, s: Speaker) -> Field:
    rows = []
    for step in view.steps:
        row = f"{MARKS[step.status]} {step.position}. {view.name(step.approver_id, s.locale)} ({step_role(s, step)})"
        if step.decided_by_id and step.decided_by_id != step.approver_id:
            row += " · " + s.t("approval.by_other", name=view.name(step.decided_by_id, s.locale))
        rows.append(row)
    return Field(s.t("approval.f.chain"), "\n".join(rows))


def decision_text(view: ClaimView, step: ApprovalStep, s: Speaker) -> str:
    if step.status in (StepStatus.CANCELLED, StepStatus.WAITING, StepStatus.PENDING):
        when = view.claim.decided_at
        return s.t("approval.decided.cancelled", when=s.fmt.datetime(when) if when else "-")
    text = s.t(
        f"approval.decided.{step.status.value}", name=view.name(step.decided_by_id, s.locale),
        when=s.fmt.datetime(step.decided_at) if step.decided_at else "-", platform=step.decided_platform or "-",
    )
    if step.on_behalf_of_id:
        text += s.t("approval.on_behalf", name=view.name(step.on_behalf_of_id, s.locale))
    if step.comment:
        text += "\n" + s.t("approval.decided.comment", comment=step.comment[:300])
    return text


def claim_approval_card(view: ClaimView, step: ApprovalStep, s: Speaker, codec: TokenCodec, *, actionable: bool = True) -> Card:
    """Approve / Reject carry only the step id (`ap.-.y12`): the approvals dialog decides either chain."""
    c = view.claim
    fields = claim_fields(view, s)
    open_ = step.status == StepStatus.PENDING and c.status == ClaimStatus.PENDING
    if not open_:
        fields.append(Field(s.t("approval.f.decision"), decision_text(view, step, s)))
    actions: tuple[Action, ...] = ()
    if open_ and actionable:
        def button(key: str, arg: str, style: Literal["primary", "danger", "default"]) -> Action:
            return Action(s.t(key), token=codec.encode(FLOW, STATELESS, f"{arg}{step.id}"), style=style)

        actions = (button("approval.btn.approve", "y", "primary"), button("approval.btn.reject", "n", "danger"))
    return Card(
        s.t("rebate.approval.title", number=c.number, amount=s.fmt.money(c.amount, c.currency)),
        tuple(fields),
        actions,
        subtitle=s.t("approval.card.subtitle", n=step.position, of=len(view.steps), role=step_role(s, step)),
        ref=card_ref(step.id),
    )


def claim_status_card(view: ClaimView, s: Speaker) -> Card:
    """The dealer's view of its claim: where it is, or how it ended."""
    c = view.claim
    fields = claim_fields(view, s)
    for step in view.steps:
        if step.status in (StepStatus.APPROVED, StepStatus.REJECTED):
            fields.append(Field(s.t("approval.f.decision"), decision_text(view, step, s)))
    status = f"{CLAIM_MARKS[c.status.value]} {s.t('rebate.status.' + c.status.value)}"
    current = view.current
    if current is not None:
        status += " · " + s.t("quote.waits_for", name=view.name(current.approver_id, s.locale), role=step_role(s, current))
    return Card(s.t("rebate.claim.title", number=c.number, amount=s.fmt.money(c.amount, c.currency)), tuple(fields), subtitle=status, ref=f"claim:{c.id}")
