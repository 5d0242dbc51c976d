"""Every notification kind can be named in both languages (the /settings mute list and /outbox show them)."""

from __future__ import annotations

from conversations.i18n import catalog_keys
from core.services.notify_prefs import KINDS
from notifications.rules import RULES, STALE


def test_every_kind_has_a_name_in_both_catalogs():
    for locale in ("en", "zh-CN"):
        missing = [k for k in KINDS if f"notify.kind.{k}" not in catalog_keys(locale)]
        assert not missing, (locale, missing)


def test_the_reminder_rules_write_known_kinds_and_routine_ones_are_mutable():
    ours = {"follow_up", "birthday", "pool_warning", "pool_recycled", "lead_assigned"}
    assert ours <= {r.kind for r in RULES} and ours <= set(KINDS)
    assert ours & set(STALE) == {"follow_up", "pool_warning"}
    assert all(k.mutable for k in KINDS.values() if k.routine)
    assert not KINDS["digest"].mutable
