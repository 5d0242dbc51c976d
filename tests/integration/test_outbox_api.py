"""The admin outbox API: only for outbox-scoped keys; lists, counts, retries; 4xx with a reason."""

from __future__ import annotations

from httpx import ASGITransport, AsyncClient

from bootstrap import create_app
from core.services import apikeys
from tests.support.notify import local, notifier, queue
from tests.support.recording import RecordingAdapter


async def key(container, *scopes: str) -> str:
    async with container.sessionmaker() as s:
        _, plain = await apikeys.create_key(s, name=f"ops-{'-'.join(scopes)}", scopes=list(scopes))
        await s.commit()
    return plain


async def test_outbox_api_needs_an_outbox_key_then_lists_counts_and_retries(container, world, chat_as):
    await chat_as("rep")
    sent_id = await queue(container, world.uid("rep"), "sent one", due=local(1, 10))
    lost_id = await queue(container, world.uid("rep2"), "lost one", due=local(1, 10))
    await notifier(container, RecordingAdapter("test")).deliver(local(1, 10))
    outbox_key, other_key = await key(container, "outbox"), await key(container, "telemetry")
    async with AsyncClient(transport=ASGITransport(app=create_app(container)), base_url="http://t") as api:
        assert (await api.get("/api/v1/outbox")).status_code == 401
        refused = await api.get("/api/v1/outbox", headers={"Authorization": f"Bearer {other_key}"})
        assert refused.status_code == 401 and "outbox" in refused.json()["detail"]
        auth = {"Authorization": f"Bearer {outbox_key}"}
        summary = (await api.get("/api/v1/outbox/summary", headers=auth)).json()
        assert summary == {"counts": {"sent": {"lead_assigned": 1}, "undeliverable": {"lead_assigned": 1}}}
        page = (await api.get("/api/v1/outbox", params={"status": "undeliverable"}, headers=auth)).json()
        (item,) = page["items"]
        assert (item["id"], item["login"], item["last_error"], item["status"]) == (lost_id, "rep2", "no chat binding", "undeliverable")
        bad = await api.get("/api/v1/outbox", params={"status": "lost"}, headers=auth)
        assert bad.status_code == 400 and bad.json()["detail"].startswith("Unknown status lost. Use one of: queued, sending, sent")
        assert (await api.get("/api/v1/outbox", params={"limit": 0}, headers=auth)).status_code == 422
        assert (await api.post("/api/v1/outbox/99999/retry", headers=auth)).status_code == 404
        not_failed = await api.post(f"/api/v1/outbox/{sent_id}/retry", headers=auth)
        assert not_failed.status_code == 400 and "only failed or undeliverable" in not_failed.json()["detail"]
        retried = await api.post(f"/api/v1/outbox/{lost_id}/retry", headers=auth)
        assert retried.status_code == 200 and (retried.json()["status"], retried.json()["attempts"]) == ("queued", 0)
