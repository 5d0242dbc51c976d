"""Which earlier copy of a record loses its buttons when the record is shown again in a chat."""

from __future__ import annotations

from bots.telegram.tidying import LiveCopies


def test_a_record_shown_again_names_the_copy_it_replaces_in_that_chat_only():
    copies = LiveCopies()
    assert copies.shown(111, "customer:1", 10) is None  # first copy: nothing to retire
    assert copies.shown(222, "customer:1", 11) is None  # another chat keeps its own copy
    assert copies.shown(111, "customer:2", 12) is None  # another record
    assert copies.shown("111", "customer:1", 13) == 10  # a pushed card names the chat as text: the same chat
    assert copies.shown(111, "customer:1", 13) is None  # the same message reported again (edited in place)
    assert copies.shown(111, "customer:1", 14) == 13


def test_it_remembers_a_bounded_number_of_chats_forgetting_the_least_recently_shown():
    copies = LiveCopies(size=2)
    copies.shown(1, "r", 10)
    copies.shown(2, "r", 20)
    copies.shown(1, "r", 11)  # chat 1 shown again: now the most recent
    copies.shown(3, "r", 30)  # chat 2 is forgotten
    assert copies.shown(2, "r", 21) is None
    assert copies.shown(1, "r", 12) is None  # and chat 1 went when chat 2 came back (size 2)
