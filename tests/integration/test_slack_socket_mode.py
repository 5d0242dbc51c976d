"""Socket Mode (FIELDCHAT_SLACK_APP_TOKEN): envelopes over a WebSocket instead of POST /slack/events."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from tests.support.slack import command_body, dm_event, event_body, slack_env


async def test_commands_and_events_arrive_over_socket_mode(clean_db, world):
    async with slack_env(clean_db, slack_app_token="xapp-1-A0FIELD-0000") as env:
        rep = await env.bound("rep")
        await env.adapter.start()
        [opened] = await env.mock.wait("apps.connections.open")
        assert opened.headers["authorization"] == "Bearer xapp-1-A0FIELD-0000"

        command = dict(parse_qsl(command_body("c hengli", user=rep.user, mock=env.mock)))
        await env.mock.push({"envelope_id": "env-1", "type": "slash_commands", "payload": command, "accepts_response_payload": True})
        [card] = await rep.replies()
        assert "苏州恒力" in json.dumps(card["blocks"], ensure_ascii=False)
        await env.mock.wait_until(lambda: any(a.get("envelope_id") == "env-1" for a in env.mock.socket_acks), what="the ack")

        event = event_body(dm_event("c baogang", user=rep.user), event_id="Ev0SOCKET")
        for n in (1, 2):  # Slack redelivers; Socket Mode drops the retry headers, the event_id remains
            await env.mock.push({"envelope_id": f"env-e{n}", "type": "events_api", "payload": event, "retry_attempt": n - 1})
        await rep.replies()
        await rep.settle()
        assert len(rep.posts()) == 2
