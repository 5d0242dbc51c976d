"""The approval card: what an approver needs to decide in one look, with single-use buttons.

The buttons carry only the step id in a stateless signed token (`ap.-.y12.sig`); a click
is decided against the stored step, so a stale copy (decided elsewhere, from before a
restart) can never decide twice. Every copy has `ref='approval:<step>'`, and once the step
is decided every copy is replaced by the same card showing the outcome, without buttons.
"""

from __future__ import annotations

from typing import Literal

from conversations.messages import Action, Card, Field
from conversations.quote_cards import (
    Speaker,
    chain_field,
    comments_field,
    decision_text,
    quote_fields,
    step_role,
    why_text,
)
from conversations.tokens import STATELESS, TokenCodec
from core.models import ApprovalStep, QuoteStatus, StepStatus
from core.services.quote_views import QuoteView

FLOW = "ap"


REF_PREFIX = "approval:"


def card_ref(step_id: int) -> str:
    return f"{REF_PREFIX}{step_id}"


def step_of(ref: str | None) -> int | None:
    """The step an approval card's ref names ('approval:12' → 12); None for any other card."""
    if ref is None or not ref.startswith(REF_PREFIX) or not ref[len(REF_PREFIX):].isdigit():
        return None
    return int(ref[len(REF_PREFIX):])


def approval_card(view: QuoteView, step: ApprovalStep, s: Speaker, codec: TokenCodec, *, actionable: bool = True) -> Card:
    q = view.quote
    fields = quote_fields(view, s)
    fields.append(Field(s.t("approval.f.why"), why_text(s, step, q.currency)))
    fields.append(chain_field(view, s))
    notes = comments_field(view, s)
    if notes is not None:
        fields.append(notes)
    open_ = step.status == StepStatus.PENDING and q.status == QuoteStatus.PENDING
    if not open_:
        fields.append(Field(s.t("approval.f.decision"), decision_text(view, step, s)))
    actions: tuple[Action, ...] = ()
    if open_ and actionable:
        def button(key: str, arg: str, style: Literal["primary", "danger", "default"]) -> Action:
            return Action(s.t(key), token=codec.encode(FLOW, STATELESS, f"{arg}{step.id}"), style=style)

        actions = (
            button("approval.btn.approve", "y", "primary"),
            button("approval.btn.reject", "n", "danger"),
            button("approval.btn.comment", "c", "default"),
        )
    return Card(
        s.t("approval.card.title", number=q.number or "-", total=s.fmt.money(q.total, q.currency)),
        tuple(fields),
        actions,
        subtitle=s.t("approval.card.subtitle", n=step.position, of=len(view.steps), role=step_role(s, step)),
        ref=card_ref(step.id),
    )
