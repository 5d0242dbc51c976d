"""Both languages say everything, with the same placeholders, and every key used exists."""

from __future__ import annotations

import re
from pathlib import Path

from conversations.i18n import _catalog, catalog_keys

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
