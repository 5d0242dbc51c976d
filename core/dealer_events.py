"""Domain events of the dealer channel (past tense); notifications subscribe to them."""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class StockReported(Event):
    report_id: int
    dealer_id: int
    user_id: int


@dataclass(frozen=True)
class StockBelowSafety(Event):
    """A confirmed report left products under their safety stock: one alert per report."""

    report_id: int
    dealer_id: int
    product_ids: tuple[int, ...]


@dataclass(frozen=True)
class RebateClaimSubmitted(Event):
    claim_id: int
    dealer_id: int
    requester_id: int


@dataclass(frozen=True)
class RebateClaimDecided(Event):
    """The whole chain approved it, or a step rejected it: the dealer is told."""

    claim_id: int
    status: str
    requester_id: int
    decided_by_id: int | None


@dataclass(frozen=True)
class ClaimApprovalRequested(Event):
    """A claim's step became the one waiting: its approver (and delegate, if away) get the card."""

    step_id: int
    claim_id: int
    approver_id: int
    delegate_id: int | None


@dataclass(frozen=True)
class ClaimStepDecided(Event):
    """Exactly one per step: every copy of its card is edited to show this."""

    step_id: int
    claim_id: int
    status: str
    decided_by_id: int | None
    requester_id: int


@dataclass(frozen=True)
class ClaimApprovalReminderDue(Event):
    step_id: int
    claim_id: int
    approver_id: int


@dataclass(frozen=True)
class ClaimApprovalEscalated(Event):
    """The claim's step waited too long: the approver's superior is told and may decide it."""

    step_id: int
    claim_id: int
    approver_id: int
    superior_id: int


@dataclass(frozen=True)
class ClaimApprovalDelegated(Event):
    """The approver went away with a claim step pending: the delegate gets its card too."""

    step_id: int
    claim_id: int
    approver_id: int
    delegate_id: int
