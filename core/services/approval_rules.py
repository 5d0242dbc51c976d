"""Approval rules → the ordered chain of approvers a quote must pass.

A rule applies when the quote's total is above its amount or its largest discount is
above its discount threshold. Rules are ordered by level; when a rule applies, every
active rule below it joins the chain too (the director sees a quote only after the
manager did). Nobody approves their own quote: an approver who would be the requester
is replaced by the next one up, and one person never sits twice in a chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput
from core.models import ApprovalRule, ApproverKind, Role, User
from core.settings import Settings

DEFAULT_LEVELS = {ApproverKind.MANAGER: 1, ApproverKind.DIRECTOR: 2}


@dataclass(frozen=True)
class Rule:
    level: int
    approver: ApproverKind
    amount_above: Decimal | None
    discount_above: Decimal | None


@dataclass(frozen=True)
class Person:
    id: int
    role: Role
    manager_id: int | None
    active: bool = True


@dataclass(frozen=True)
class PlannedStep:
    approver_id: int
    kind: ApproverKind
    triggers: tuple[tuple[str, str], ...]
    """(kind, threshold): ('amount', '100000'), ('discount', '15'), or ('chain', '') when a higher rule applies."""


class NoApprover(InvalidInput):
    code = "quote.error.no_approver"


def default_rules(manager_above: Decimal, director_above: Decimal, director_discount_above: Decimal) -> list[Rule]:
    return [
        Rule(1, ApproverKind.MANAGER, manager_above, None),
        Rule(2, ApproverKind.DIRECTOR, director_above, director_discount_above),
    ]


def triggers(rule: Rule, total: Decimal, discount: Decimal) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    if rule.amount_above is not None and total > rule.amount_above:
        found.append(("amount", _plain(rule.amount_above)))
    if rule.discount_above is not None and discount > rule.discount_above:
        found.append(("discount", _plain(rule.discount_above)))
    return tuple(found)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def plan_chain(
    rules: Sequence[Rule], *, total: Decimal, discount: Decimal, requester: Person, people: Mapping[int, Person]
) -> list[PlannedStep]:
    """The approvers, lowest level first; [] when no rule applies (the quote is approved at once)."""
    ordered = sorted(rules, key=lambda r: r.level)
    fired = [(rule, triggers(rule, total, discount)) for rule in ordered]
    top = max((i for i, (_, t) in enumerate(fired) if t), default=-1)
    steps: list[PlannedStep] = []
    for rule, why in fired[: top + 1]:
        approver = resolve(rule.approver, requester, people)
        step = PlannedStep(approver, rule.approver, why or (("chain", ""),))
        same = next((s for s in steps if s.approver_id == approver), None)
        if same is not None:
            steps.remove(same)
            step = PlannedStep(approver, rule.approver, _merge(same.triggers, step.triggers))
        steps.append(step)
    return steps


def _merge(a: Iterable[tuple[str, str]], b: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    merged = [t for t in (*a, *b) if t[0] != "chain"]
    return tuple(dict.fromkeys(merged)) or (("chain", ""),)


def resolve(kind: ApproverKind, requester: Person, people: Mapping[int, Person]) -> int:
    """Who approves for `kind`: climbs the requester's superiors; never the requester."""
    above = list(_superiors(requester, people))
    if kind == ApproverKind.MANAGER and above:
        return above[0].id
    for person in above:
        if person.role == Role.DIRECTOR:
            return person.id
    for role in (Role.DIRECTOR, Role.ADMIN):
        anyone = sorted(p.id for p in people.values() if p.role == role and p.active and p.id != requester.id)
        if anyone:
            return anyone[0]
    raise NoApprover()


def _superiors(person: Person, people: Mapping[int, Person]) -> Iterable[Person]:
    seen = {person.id}
    current = people.get(person.manager_id) if person.manager_id else None
    while current is not None and current.id not in seen:
        seen.add(current.id)
        if current.active:
            yield current
        current = people.get(current.manager_id) if current.manager_id else None


async def rules_in_force(session: AsyncSession, defaults: Sequence[Rule]) -> list[Rule]:
    """The admins' rules when any are stored, else the configured defaults."""
    rows = (await session.scalars(select(ApprovalRule).order_by(ApprovalRule.level))).all()
    if not rows:
        return list(defaults)
    return [Rule(r.level, r.approver, r.amount_above, r.discount_above) for r in rows if r.active]


async def people(session: AsyncSession) -> dict[int, Person]:
    rows = (await session.execute(select(User.id, User.role, User.manager_id, User.active))).all()
    return {uid: Person(uid, role, manager_id, bool(active)) for uid, role, manager_id, active in rows}


def defaults_from(settings: Settings) -> list[Rule]:
    return default_rules(
        settings.approval_manager_above, settings.approval_director_above, settings.approval_director_discount_above
    )
