"""Domain events of quotes and approvals (past tense); notifications subscribe to them."""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class QuoteSubmitted(Event):
    quote_id: int
    requester_id: int
    steps: int
    """How many approval steps the rules asked for; 0: approved at once."""


@dataclass(frozen=True)
class ApprovalRequested(Event):
    """A step became the one waiting: its approver (and their delegate, if away) get the card."""

    step_id: int
    quote_id: int
    approver_id: int
    delegate_id: int | None


@dataclass(frozen=True)
class ApprovalDelegated(Event):
    """An approver went away with steps pending: the delegate gets those cards too."""

    step_id: int
    quote_id: int
    approver_id: int
    delegate_id: int


@dataclass(frozen=True)
class ApprovalStepDecided(Event):
    """Exactly one per step: every copy of its card is edited to show this."""

    step_id: int
    quote_id: int
    status: str
    decided_by_id: int | None
    requester_id: int


@dataclass(frozen=True)
class QuoteDecided(Event):
    """The whole chain is through (approved) or a step rejected it: the requester is told."""

    quote_id: int
    status: str
    requester_id: int
    decided_by_id: int | None


@dataclass(frozen=True)
class QuoteWithdrawn(Event):
    quote_id: int
    requester_id: int
    cancelled_step_ids: tuple[int, ...]


@dataclass(frozen=True)
class QuoteConverted(Event):
    quote_id: int
    order_id: int
    requester_id: int


@dataclass(frozen=True)
class ApprovalCommented(Event):
    """An approver asked something without deciding (or the requester answered)."""

    comment_id: int
    quote_id: int
    step_id: int | None
    author_id: int
    recipient_id: int


@dataclass(frozen=True)
class ApprovalReminderDue(Event):
    step_id: int
    quote_id: int
    approver_id: int


@dataclass(frozen=True)
class ApprovalEscalated(Event):
    """The step waited too long: the approver's superior is told and may decide it."""

    step_id: int
    quote_id: int
    approver_id: int
    superior_id: int
