"""POST /api/v1/telemetry: keys, idempotency, reasons for rejects, limits, and one ticket per cause."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bootstrap import build, create_app
from core.models import TelemetryReading, Ticket, TicketStatus
from core.services.apikeys import create_key, revoke_key
from tests.conftest import test_settings
from tests.support.service_world import make_service_world

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def reading(serial: str, metric: str, value: float, minutes: int) -> dict[str, object]:
    return {"serial": serial, "metric": metric, "value": value, "ts": (T0 + timedelta(minutes=minutes)).isoformat()}


@pytest.fixture
async def api(container, world):
    await make_service_world(container.sessionmaker, world)
    async with container.sessionmaker() as s:
        _, iot = await create_key(s, name="iot", scopes=["telemetry"])
        _, erp = await create_key(s, name="erp", scopes=["tickets"])
        await s.commit()
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        client.headers["Authorization"] = f"Bearer {iot}"
        client.erp_key = erp  # type: ignore[attr-defined]
        yield client


async def test_a_batch_counts_accepted_duplicates_and_rejects_with_reasons(api, container):
    batch = [
        reading("SN-X100-0001", "temperature", 61.5, 0),
        reading("SN-X100-0001", "temperature", 61.5, 0),  # the same reading twice in one batch
        reading("SN-X100-0001", "vibration", 3.2, 0),
        reading("SN-NOPE", "temperature", 50, 0),
        reading("SN-X100-0001", "colour", 3, 0),
        {"serial": "SN-X100-0001", "metric": "temperature", "value": "hot", "ts": T0.isoformat()},
        {"serial": "SN-X100-0001", "metric": "temperature", "value": 1, "ts": (datetime.now(UTC) + timedelta(days=1)).isoformat()},
        {"serial": "SN-X100-0001", "metric": "temperature", "value": 1, "ts": "yesterday"},
        "not a reading",
    ]
    body = json.dumps(batch) .replace('"hot"', '"hot"')
    answer = await api.post("/api/v1/telemetry", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert (data["accepted"], data["duplicate"], data["rejected"]) == (2, 1, 6)
    assert [(e["index"], e["reason"]) for e in data["errors"]] == [
        (3, "unknown_serial"), (4, "unknown_metric"), (5, "value_not_number"), (6, "ts_in_future"), (7, "ts_invalid"), (8, "malformed"),
    ]
    again = (await api.post("/api/v1/telemetry", json=batch[:3])).json()
    assert (again["accepted"], again["duplicate"]) == (0, 3)
    nan = await api.post("/api/v1/telemetry", content='[{"serial": "SN-X100-0001", "metric": "vibration", "value": NaN, "ts": 1700000000}]')
    assert nan.json()["errors"] == [{"index": 0, "reason": "value_not_finite", "serial": None, "metric": None}]
    async with container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(TelemetryReading)) == 2
        assert await s.scalar(select(func.count()).select_from(Ticket)) == 0


async def test_keys_and_limits(api, container, clean_db):
    bare = {"Authorization": ""}
    assert (await api.post("/api/v1/telemetry", json=[], headers=bare)).status_code == 401
    assert (await api.post("/api/v1/telemetry", json=[], headers={"Authorization": "Bearer fck_wrong"})).status_code == 401
    erp = {"Authorization": f"Bearer {api.erp_key}"}
    assert (await api.post("/api/v1/telemetry", json=[], headers=erp)).status_code == 401
    assert (await api.post("/api/v1/telemetry", content=b"{oops")).status_code == 400
    assert (await api.post("/api/v1/telemetry", json={"serial": "x"})).status_code == 400
    too_many = [reading("SN-X100-0001", "temperature", 50, i) for i in range(1001)]
    assert (await api.post("/api/v1/telemetry", json=too_many)).status_code == 413
    small = await build(test_settings(telemetry_max_batch=3), migrate=False, db=clean_db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(small)), base_url="http://test", headers=api.headers) as client:
        assert (await client.post("/api/v1/telemetry", json=too_many[:4])).status_code == 413
        assert (await client.post("/api/v1/telemetry", json=too_many[:3])).json()["accepted"] == 3
    async with container.sessionmaker() as s:
        await revoke_key(s, ref="iot")
        await s.commit()
    assert (await api.post("/api/v1/telemetry", json=[])).status_code == 401


async def test_garbage_never_gives_a_5xx(api):
    rng = random.Random(9)
    values = [None, True, 1, -1.5, 1e308, "x", "", [], {}, "2026-11-20T08:00:00", 10**30, "SN-X100-0001", "temperature"]
    for _ in range(60):
        item = {k: rng.choice(values) for k in rng.sample(["serial", "metric", "value", "ts", "extra"], rng.randint(0, 5))}
        body = json.dumps(rng.choice([[item], item, [item, item], rng.choice(values)]))
        answer = await api.post("/api/v1/telemetry", content=body)
        assert answer.status_code < 500, (body, answer.text)


async def test_over_threshold_opens_exactly_one_ticket_under_concurrent_batches(api, container):
    def batch(offset: int) -> list[dict[str, object]]:
        return [reading("SN-X100-0001", "temperature", 80 + (i % 10), offset * 100 + i) for i in range(50)]

    answers = await asyncio.gather(*(api.post("/api/v1/telemetry", json=batch(n)) for n in range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    assert sum(a.json()["accepted"] for a in answers) == 200
    made = [number for a in answers for number in a.json()["tickets"]]
    async with container.sessionmaker() as s:
        tickets = (await s.scalars(select(Ticket))).all()
        assert len(tickets) == 1 and made == [tickets[0].number]
        ticket = tickets[0]
        assert ticket.source == "telemetry" and ticket.open_key is not None and "temperature 89°C > 85°C" in ticket.problem
        assert ticket.status == TicketStatus.ASSIGNED and ticket.assignee_id is not None
    again = await api.post("/api/v1/telemetry", json=[reading("SN-X100-0001", "temperature", 95, 999)])
    assert again.json()["tickets"] == []


async def test_tickets_api_for_the_erp(api, container):
    await api.post("/api/v1/telemetry", json=[reading("SN-X100-0001", "temperature", 99, 1)])
    erp = {"Authorization": f"Bearer {api.erp_key}"}
    listed = await api.get("/api/v1/tickets", headers=erp)
    assert listed.status_code == 200
    item = listed.json()["items"][0]
    assert item["status"] == "assigned" and item["equipment_serial"] == "SN-X100-0001" and item["engineer"] == "engineer"
    one = await api.get(f"/api/v1/tickets/{item['number']}", headers=erp)
    assert [t["to_status"] for t in one.json()["transitions"]] == ["new", "assigned"]
    assert (await api.get("/api/v1/tickets/FW-000000-0000", headers=erp)).status_code == 404
    assert (await api.get("/api/v1/tickets")).status_code == 401  # the telemetry key may not read tickets
    assert (await api.get("/api/v1/tickets", params={"status": "bogus"}, headers=erp)).status_code == 422
