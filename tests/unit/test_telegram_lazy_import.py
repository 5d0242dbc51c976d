"""aiogram (seconds to import, ~170 MB) is loaded only when Telegram is configured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_composition_root_and_the_package_does_not_load_aiogram() -> None:
    probe = "import sys, bootstrap, bots.telegram; print('aiogram' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_without_a_token_no_telegram_adapter_is_registered(container) -> None:
    assert container.adapters.get("telegram") is None
