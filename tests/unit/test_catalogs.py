"""Both languages say everything, with the same placeholders, and every key used exists."""

from __future__ import annotations

import re
from pathlib import Path

from conversations.i18n import _catalog, catalog_keys, plural_forms, translate

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
LITERAL_KEY = re.compile(r"""(?:ctx\.t|translate)\((?:[\w.]+, )?["']([a-z_]+\.[a-z_0-9.]+)["']\s*[,)]""")
ERROR_CODE = re.compile(r"""(?:InvalidInput|PermissionDenied|NotFound|Conflict|DomainError)\(["']([a-z_]+\.[a-z_0-9.]+)["']""")


def test_zh_and_en_have_the_same_keys_and_placeholders():
    en, zh = _catalog("en"), _catalog("zh-CN")
    assert set(en) == set(zh)
    for key in en:
        assert set(PLACEHOLDER.findall(en[key])) == set(PLACEHOLDER.findall(zh[key])), key


def test_every_literal_key_in_the_code_is_in_the_catalogs():
    keys = catalog_keys("en")
    missing = set()
    for folder in ("core", "conversations", "bots", "notifications", "integrations"):
        for file in (ROOT / folder).rglob("*.py"):
            source = file.read_text(encoding="utf-8")
            for key in LITERAL_KEY.findall(source) + ERROR_CODE.findall(source):
                if key not in keys:
                    missing.add(f"{file.relative_to(ROOT)}: {key}")
    assert not missing, sorted(missing)


def test_english_counts_agree_with_their_number():
    assert translate("en", "search.pick", count=1) == "1 customer matches. Tap it to go on."
    assert translate("en", "search.pick", count=3) == "3 customers match. Which one?"
    assert translate("en", "approval.list_header", count=1) == "1 approval waits for you:"
    assert translate("en", "customer.grade_value", grade="key", days=1) == "key (follow up every day)"
    assert translate("en", "notify.rebate_tier.title", dealer="D", period="Q4", days=12) == "📈 D · Q4: 12 days left"
    assert translate("zh-CN", "search.pick", count=1) == "找到 1 个客户，请选择："  # Chinese has one form


def test_every_plural_form_uses_only_what_the_message_is_given():
    zh = _catalog("zh-CN")
    forms = plural_forms("en")
    assert len(forms) >= 25
    for key, texts in forms.items():
        assert len(texts) == 2, key
        for text in texts:
            assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(zh[key])), key
