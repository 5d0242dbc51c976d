"""Every flow has its own code (action tokens name it) and every command word starts one flow."""

from __future__ import annotations

from collections import Counter

from conversations.flows import all_flows


def test_codes_and_commands_are_unique():
    flows = all_flows()
    codes = Counter(f.code for f in flows)
    assert [c for c, n in codes.items() if n > 1] == []
    words = Counter(c.lower() for f in flows for c in f.commands)
    assert [w for w, n in words.items() if n > 1] == []
