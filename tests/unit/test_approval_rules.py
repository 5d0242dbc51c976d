"""Rule evaluation, table-driven: amount × discount × who asks → the chain of approvers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.models import ApproverKind, Role
from core.services.approval_rules import NoApprover, Person, Rule, default_rules, plan_chain

# ids: 1 director, 2 manager (→1), 3 rep (→2), 4 manager2 (→1), 5 admin, 6 rep without manager, 7 director2
PEOPLE = {
    1: Person(1, Role.DIRECTOR, None), 2: Person(2, Role.MANAGER, 1), 3: Person(3, Role.REP, 2),
    4: Person(4, Role.MANAGER, 1), 5: Person(5, Role.ADMIN, None), 6: Person(6, Role.REP, None),
}
RULES = default_rules(Decimal(100000), Decimal(500000), Decimal(15))
M, D = ApproverKind.MANAGER, ApproverKind.DIRECTOR


@pytest.mark.parametrize(
    ("total", "discount", "requester", "chain"),
    [
        # below every threshold: approved at once
        ("80000", "0", 3, []),
        ("100000", "15", 3, []),  # thresholds are "above", not "from"
        # amount
        ("100000.01", "0", 3, [(2, M)]),
        ("500000", "5", 3, [(2, M)]),
        ("500000.01", "0", 3, [(2, M), (1, D)]),
        # discount above 15 %: the director, with the manager in front of them
        ("30000", "15.01", 3, [(2, M), (1, D)]),
        ("30000", "20", 3, [(2, M), (1, D)]),
        ("600000", "20", 3, [(2, M), (1, D)]),
        # a manager's own quote: their superior approves; nobody sits twice in the chain
        ("150000", "0", 2, [(1, M)]),
        ("600000", "0", 2, [(1, D)]),
        # the director's own quote climbs to an admin; a rep without a manager goes to the director
        ("150000", "0", 1, [(5, M)]),
        ("150000", "0", 6, [(1, M)]),
        ("600000", "0", 6, [(1, D)]),
    ],
)
def test_chain(total, discount, requester, chain):
    steps = plan_chain(RULES, total=Decimal(total), discount=Decimal(discount), requester=PEOPLE[requester], people=PEOPLE)
    assert [(s.approver_id, s.kind) for s in steps] == chain
    assert all(s.approver_id != requester for s in steps)


def test_triggers_say_why():
    steps = plan_chain(RULES, total=Decimal(600000), discount=Decimal(20), requester=PEOPLE[3], people=PEOPLE)
    assert steps[0].triggers == (("amount", "100000"),)
    assert steps[1].triggers == (("amount", "500000"), ("discount", "15"))
    low = plan_chain(RULES, total=Decimal(30000), discount=Decimal(20), requester=PEOPLE[3], people=PEOPLE)
    assert low[0].triggers == (("chain", ""),)


def test_admin_rules_replace_the_defaults_and_inactive_people_are_skipped():
    rules = [Rule(1, M, Decimal(50000), None), Rule(2, D, None, Decimal(10))]
    away = dict(PEOPLE) | {2: Person(2, Role.MANAGER, 1, active=False)}
    steps = plan_chain(rules, total=Decimal(60000), discount=Decimal(0), requester=PEOPLE[3], people=away)
    assert [(s.approver_id, s.kind) for s in steps] == [(1, M)]


def test_no_one_to_approve_is_a_clear_error():
    lonely = {9: Person(9, Role.DIRECTOR, None)}
    with pytest.raises(NoApprover):
        plan_chain(RULES, total=Decimal(200000), discount=Decimal(0), requester=lonely[9], people=lonely)
