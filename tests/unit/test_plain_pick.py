"""Which search hit a flow takes without asking: the only one the user may open, or a clear leader."""

from __future__ import annotations

from conversations.pickers import AS_TYPED, plain_pick
from core.models import Customer
from core.search import CustomerHit


def hit(name: str, score: float, visible: bool = True) -> CustomerHit:
    return CustomerHit(Customer(name=name), score, visible, None)


def test_the_only_hit_the_user_may_open_is_taken_even_beside_hidden_ones():
    only = hit("苏州恒力", 92)
    assert plain_pick([hit("上海宝钢", 100, visible=False), only]) is only


def test_two_hits_close_together_are_a_choice_a_clear_leader_is_not():
    first, second = hit("苏州恒力", 100), hit("苏州天宇", 92)
    assert plain_pick([first, second]) is None
    assert plain_pick([first, hit("苏州天宇", 89.9)]) is first


def test_a_flow_that_stores_on_the_pick_takes_only_a_match_as_typed():
    guess = hit("苏州恒力", 85)  # the best a typo can score
    assert plain_pick([guess]) is guess
    assert plain_pick([guess], at_least=AS_TYPED) is None
    assert plain_pick([hit("苏州恒力", AS_TYPED)], at_least=AS_TYPED) is not None


def test_nothing_visible_is_nothing_to_take():
    assert plain_pick([]) is None
    assert plain_pick([hit("上海宝钢", 100, visible=False)]) is None
