"""Whatever a client posts, the web chat API answers 2xx or 4xx with a reason, never 5xx."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bootstrap import build, create_app
from tests.conftest import test_settings

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
FIELDS = st.sampled_from(["text", "location", "action", "form", "media", "session", "user"])


async def test_random_bodies_never_break_the_server(clean_db, world):
    container = await build(test_settings(demo=True), migrate=False, db=clean_db)
    app = create_app(container)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        session = (await client.post("/webchat/api/sessions", json={"user": "rep"})).json()["session"]
        bodies: list[object] = []

        @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(st.one_of(
            JSON,
            st.dictionaries(FIELDS, JSON, max_size=3).map(lambda d: {**d, "session": session}),
            st.fixed_dictionaries({"session": st.just(session), "location": st.fixed_dictionaries(
                {"lat": st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5), "lon": st.floats(allow_nan=False, allow_infinity=False)})}),
            st.fixed_dictionaries({"session": st.just(session), "action": st.text(max_size=80)}),
            st.fixed_dictionaries({"session": st.just(session), "text": st.text(max_size=300)}),
        ))
        def collect(body: object) -> None:
            bodies.append(body)

        collect()
        for body in bodies:
            for path in ("/webchat/api/turns", "/webchat/api/sessions"):
                r = await client.post(path, json=body)
                assert r.status_code < 500, (path, body, r.text)
                if r.status_code >= 400:
                    assert r.json().get("detail"), (path, body)
