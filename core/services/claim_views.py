"""Read model of a rebate claim for cards: the claim with its dealer, policy, chain and people."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound
from core.models import ApprovalStep, Customer, RebateClaim, RebatePolicy, StepStatus, User


@dataclass(frozen=True)
class ClaimView:
    claim: RebateClaim
    dealer: Customer
    policy: RebatePolicy
    steps: list[ApprovalStep]
    users: dict[int, User]

    @property
    def current(self) -> ApprovalStep | None:
        return next((s for s in self.steps if s.status == StepStatus.PENDING), None)

    def name(self, user_id: int | None, locale: str) -> str:
        user = self.users.get(user_id) if user_id is not None else None
        return user.display_name(locale) if user else "-"


async def load_claim_view(session: AsyncSession, claim_id: int) -> ClaimView:
    claim = await session.get(RebateClaim, claim_id, populate_existing=True)
    if claim is None:
        raise NotFound("rebate.error.claim_unknown")
    steps = list((await session.scalars(
        select(ApprovalStep).where(ApprovalStep.claim_id == claim.id).order_by(ApprovalStep.position)
        .execution_options(populate_existing=True)
    )).all())
    ids = {claim.requested_by_id}
    for s in steps:
        ids |= {i for i in (s.approver_id, s.decided_by_id, s.on_behalf_of_id, s.escalated_to_id) if i}
    users = {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(ids)))).all()}
    dealer = await session.get_one(Customer, claim.dealer_id)
    policy = await session.get_one(RebatePolicy, claim.policy_id)
    return ClaimView(claim, dealer, policy, steps, users)
