"""`run.py apikey`: a key is printed once, stored only as its hash, listed without it, and revoked."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from core.db import make_engine
from core.models import ApiKey
from core.services.apikeys import digest
from run import main


def test_create_list_revoke(tmp_path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    monkeypatch.setenv("FIELDCHAT_DATABASE_URL", url)
    monkeypatch.setenv("FIELDCHAT_LOG_LEVEL", "WARNING")
    assert main(["apikey", "create", "--name", "iot", "--scope", "telemetry"]) == 0
    key = re.search(r"fck_\S+", capsys.readouterr().out).group(0)
    assert main(["apikey", "list"]) == 0
    listed = capsys.readouterr().out
    assert "iot" in listed and "live" in listed and key not in listed and key[:12] in listed

    async def stored() -> list[tuple[str, object]]:
        engine = make_engine(url)
        async with engine.connect() as conn:
            rows = (await conn.execute(select(ApiKey.key_hash, ApiKey.revoked_at))).all()
        await engine.dispose()
        return [tuple(r) for r in rows]

    [(hashed, revoked)] = asyncio.run(stored())
    assert hashed == digest(key) and revoked is None
    assert main(["apikey", "revoke", "iot"]) == 0
    assert "revoked API key 1 'iot'" in capsys.readouterr().out
    assert asyncio.run(stored())[0][1] is not None
    assert main(["apikey", "revoke", "iot"]) == 2  # nothing live by that name any more
    assert main(["apikey", "create", "--name", "x", "--scope", "telemetry", "--scope", "tickets"]) == 0
