"""How a quote reads on a card, in the reader's language: lines, totals, margin hint, chain.

Shared by the drafting dialog (review card), `/quotes` (status card), the approval card
and the notifications that carry them, so a quote looks the same wherever it shows up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from conversations.i18n import Formatter
from conversations.messages import Field
from core.models import ApprovalStep, StepStatus
from core.services.quote_views import LineView, QuoteView

MARKS = {
    StepStatus.WAITING: "⏸", StepStatus.PENDING: "⏳", StepStatus.APPROVED: "✅",
    StepStatus.REJECTED: "❌", StepStatus.CANCELLED: "⛔",
}
STATUS_MARKS = {"draft": "📝", "pending": "⏳", "approved": "✅", "rejected": "❌", "withdrawn": "↩️", "ordered": "📦"}
MAX_LINES_SHOWN = 12


class Speaker(Protocol):
    """A reader's language and formats: the turn's Ctx, or a notification recipient's voice."""

    @property
    def locale(self) -> str: ...

    @property
    def fmt(self) -> Formatter: ...

    def t(self, key: str, /, **params: object) -> str: ...


def pct(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else f"{value:.2f}".rstrip("0")


def qty(value: Decimal) -> str:
    return format(value.normalize(), "f")


def line_text(s: Speaker, n: int, lv: LineView, currency: str) -> str:
    ln = lv.line
    discount = s.t("quote.line_discount", pct=pct(ln.discount_pct)) if ln.discount_pct else ""
    return s.t(
        "quote.line", n=n, name=ln.description, qty=qty(ln.quantity), unit=ln.unit,
        price=s.fmt.money(ln.unit_price, currency), discount=discount, amount=s.fmt.money(ln.amount, currency),
    )


def quote_fields(view: QuoteView, s: Speaker) -> list[Field]:
    q, cur, money = view.quote, view.quote.currency, s.fmt.money
    rows = [line_text(s, n, lv, cur) for n, lv in enumerate(view.lines[:MAX_LINES_SHOWN], start=1)]
    if len(view.lines) > MAX_LINES_SHOWN:
        rows.append(s.t("quote.more_lines", count=len(view.lines) - MAX_LINES_SHOWN))
    fields = [
        Field(s.t("quote.f.customer"), f"{view.customer.name} ({view.customer.code})"),
        Field(s.t("quote.f.requester"), view.owner.display_name(s.locale)),
        Field(s.t("quote.f.lines"), "\n".join(rows) or s.t("quote.no_lines")),
    ]
    if view.lines:
        fields.append(Field(s.t("quote.f.list_total"), money(q.list_total, cur)))
        discount = s.t(
            "quote.discount_value", overall=pct(q.discount_pct), amount=money(q.subtotal - q.total, cur),
            largest=pct(q.max_discount_pct),
        )
        fields.append(Field(s.t("quote.f.discount"), discount))
        fields.append(Field(s.t("quote.f.total"), money(q.total, cur)))
        fields.append(Field(s.t("quote.f.margin"), margin_hint(view, s)))
    if q.valid_until:
        fields.append(Field(s.t("quote.f.valid"), s.fmt.date(q.valid_until)))
    return fields


def margin_hint(view: QuoteView, s: Speaker) -> str:
    q = view.quote
    if q.cost_total is None or q.total <= 0 or q.list_total <= 0:
        return s.t("quote.margin_unknown")
    now = (q.total - q.cost_total) / q.total * 100
    at_list = (q.list_total - q.cost_total) / q.list_total * 100
    key = "quote.margin_low" if now < 15 else "quote.margin_value"
    return s.t(key, pct=f"{now:.0f}", list_pct=f"{at_list:.0f}")


def step_role(s: Speaker, step: ApprovalStep) -> str:
    return s.t(f"approval.kind.{step.approver_kind.value}")


def chain_field(view: QuoteView, s: Speaker) -> Field:
    rows = []
    for step in view.steps:
        row = f"{MARKS[step.status]} {step.position}. {view.name(step.approver_id, s.locale)} ({step_role(s, step)})"
        if step.decided_by_id and step.decided_by_id != step.approver_id:
            row += " · " + s.t("approval.by_other", name=view.name(step.decided_by_id, s.locale))
        if step.escalated_to_id and step.status == StepStatus.PENDING:
            row += " · " + s.t("approval.escalated_to", name=view.name(step.escalated_to_id, s.locale))
        rows.append(row)
    return Field(s.t("approval.f.chain"), "\n".join(rows) or s.t("approval.no_chain"))


def why_text(s: Speaker, step: ApprovalStep, currency: str) -> str:
    reasons = []
    for kind, threshold in step.triggers:
        if kind == "amount":
            reasons.append(s.t("approval.why.amount", amount=s.fmt.money(Decimal(threshold), currency)))
        elif kind == "discount":
            reasons.append(s.t("approval.why.discount", pct=threshold))
        else:
            reasons.append(s.t("approval.why.chain"))
    return "; ".join(reasons)


def comments_field(view: QuoteView, s: Speaker, limit: int = 3) -> Field | None:
    if not view.comments:
        return None
    rows = [
        f"{view.name(c.author_id, s.locale)} · {s.fmt.datetime(c.created_at)}: {c.text[:200]}" for c in view.comments[-limit:]
    ]
    return Field(s.t("approval.f.comments"), "\n".join(rows))


def decision_text(view: QuoteView, step: ApprovalStep, s: Speaker) -> str:
    """'✅ Approved by 王强 (for 赵敏) · 24 Nov 2026, 10:02 · telegram' and the comment, if any."""
    if step.status == StepStatus.CANCELLED:
        key = "approval.decided.withdrawn" if view.quote.status.value == "withdrawn" else "approval.decided.cancelled"
        when = view.quote.decided_at
        return s.t(key, when=s.fmt.datetime(when) if when else "-")
    text = s.t(
        f"approval.decided.{step.status.value}", name=view.name(step.decided_by_id, s.locale),
        when=s.fmt.datetime(step.decided_at) if step.decided_at else "-", platform=step.decided_platform or "-",
    )
    if step.on_behalf_of_id:
        text += s.t("approval.on_behalf", name=view.name(step.on_behalf_of_id, s.locale))
    if step.comment:
        text += "\n" + s.t("approval.decided.comment", comment=step.comment[:300])
    return text


def status_line(view: QuoteView, s: Speaker) -> str:
    q = view.quote
    text = f"{STATUS_MARKS[q.status.value]} {s.t('quote.status.' + q.status.value)}"
    current = view.current
    if current is not None:
        text += " · " + s.t("quote.waits_for", name=view.name(current.approver_id, s.locale), role=step_role(s, current))
    return text
