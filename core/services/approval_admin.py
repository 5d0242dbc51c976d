"""Admins change the approval thresholds; the first change stores the configured defaults as rows."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select

from core.errors import InvalidInput, PermissionDenied
from core.models import ApprovalRule, Role
from core.services.approval_rules import Rule
from core.uow import Actor, UnitOfWork

MAX_AMOUNT = Decimal("1000000000")


def check_threshold(amount_above: Decimal | None, discount_above: Decimal | None) -> None:
    if amount_above is not None and not (Decimal(0) <= amount_above <= MAX_AMOUNT):
        raise InvalidInput("rules.error.amount")
    if discount_above is not None and not (Decimal(0) <= discount_above < Decimal(100)):
        raise InvalidInput("quote.error.discount_range")


async def save_rule(
    uow: UnitOfWork,
    *,
    actor: Actor,
    level: int,
    amount_above: Decimal | None,
    discount_above: Decimal | None,
    defaults: Sequence[Rule],
) -> ApprovalRule:
    if actor.user.role != Role.ADMIN:
        raise PermissionDenied("rules.error.admin_only")
    check_threshold(amount_above, discount_above)
    session = uow.session
    if not await session.scalar(select(func.count()).select_from(ApprovalRule)):
        session.add_all(
            ApprovalRule(level=r.level, approver=r.approver, amount_above=r.amount_above, discount_above=r.discount_above,
                         active=True, updated_by_id=actor.user.id)
            for r in defaults
        )
        await session.flush()
    rule = await session.scalar(select(ApprovalRule).where(ApprovalRule.level == level))
    if rule is None:
        raise InvalidInput("rules.error.level", level=level)
    old = (str(rule.amount_above), str(rule.discount_above))
    rule.amount_above, rule.discount_above, rule.updated_by_id = amount_above, discount_above, actor.user.id
    rule.active = amount_above is not None or discount_above is not None
    uow.audit(actor, "approval.rule", "approval_rule", rule.id, old=list(old), new=[str(amount_above), str(discount_above)])
    return rule
