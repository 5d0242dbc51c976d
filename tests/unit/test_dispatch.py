"""The dispatch table: skill is required, then on duty first, then distance plus load (10 km per open ticket)."""

from __future__ import annotations

import pytest

from core.models import Role, User
from core.services.dispatch import Candidate, parse_reason, rank


def eng(uid: int, km: float | None, load: int, *, skill: bool = True, duty: bool = True, available: bool = True) -> Candidate:
    user = User(id=uid, login=f"e{uid}", name=f"e{uid}", role=Role.ENGINEER, company_id=1)
    return Candidate(user=user, distance_km=km, load=load, has_skill=skill, on_duty=duty, available=available)


CASES = [
    # (candidates, expected winner id, why)
    ([eng(1, 3.2, 0), eng(2, 8.0, 0)], 1, "nearest wins at equal load"),
    ([eng(1, 3.2, 2), eng(2, 8.0, 0)], 2, "3.2 km + 2 tickets (23.2) loses to 8 km and none"),
    ([eng(1, 3.2, 1), eng(2, 14.0, 0)], 1, "13.2 vs 14.0: the nearer one still wins"),
    ([eng(1, 3.2, 1), eng(2, 12.0, 0)], 2, "13.2 vs 12.0: the idle one wins"),
    ([eng(1, 1.0, 0, skill=False), eng(2, 40.0, 3)], 2, "without the skill, never"),
    ([eng(1, 1.0, 0, available=False), eng(2, 5.0, 0)], 2, "on leave, never"),
    ([eng(1, 1.0, 6), eng(2, 50.0, 5)], 2, "at the load cap (6), never"),
    ([eng(1, 1.0, 0, duty=False), eng(2, 30.0, 2)], 2, "on duty before off duty"),
    ([eng(1, None, 0), eng(2, 90.0, 0)], 2, "unknown distance ranks after any known one"),
    ([eng(2, 5.0, 1), eng(1, 5.0, 1)], 1, "a full tie goes to the lower id, so dispatch is deterministic"),
]


@pytest.mark.parametrize(("candidates", "winner", "why"), CASES, ids=[c[2] for c in CASES])
def test_dispatch_table(candidates, winner, why):
    ranked = rank(candidates, load_km=10.0, max_load=6)
    assert ranked[0].user.id == winner, why


def test_nobody_fits():
    assert rank([eng(1, 1.0, 0, skill=False), eng(2, 2.0, 6)], load_km=10, max_load=6) == []


def test_the_reason_is_data_that_reads_back():
    reason = eng(1, 3.24, 2).reason("pump")
    assert reason == "km=3.2;skill=pump;load=2"
    assert parse_reason(reason) == {"km": "3.2", "skill": "pump", "load": "2"}
    assert parse_reason("manual;" + reason)["km"] == "3.2"
