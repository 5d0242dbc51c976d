"""The Bolt app: request verification (Bolt's), de-duplication, and listeners that ack first.

Slack retries an event it thinks was not acknowledged in 3 s, and a retry may reach
another worker; the event_id is recorded in the shared database before any work, so
each event is handled once. Unused event types are acknowledged and ignored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import inbound
from bots.slack.inbound import BadPayload
from bots.slack.modals import CALLBACK_ID, FORM_ACTION
from bots.slack.render import CALLBACK, LINK
from bots.slack.turns import SlackTurns

log = logging.getLogger(__name__)
COMMAND = "/crm"
SHAPE_ERRORS = (BadPayload, KeyError, TypeError, ValueError, AttributeError, IndexError)
"""A signed request whose body lacks what its type needs: 400, not 500."""
FirstTime = Callable[[str], Awaitable[bool]]
Ack = Callable[..., Awaitable[Any]]


def build_app(client: AsyncWebClient, signing_secret: str, turns: SlackTurns, first_time: FirstTime) -> AsyncApp:
    app = AsyncApp(
        client=client, signing_secret=signing_secret, process_before_response=False,
        logger=logging.getLogger("fieldchat.slack.bolt"),
    )

    @app.middleware
    async def once(body: dict[str, Any], next_: Callable[[], Awaitable[None]], resp: BoltResponse) -> BoltResponse | None:
        """Drop an event already handled (a retry, or a duplicate delivery to another worker)."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and not await first_time(event_id):
            log.info("duplicate Slack event %s ignored", event_id)
            return BoltResponse(status=200, body="")
        await next_()
        return resp

    @app.error
    async def failed(error: Exception) -> BoltResponse | None:
        """A payload without its fields is the sender's fault (400); anything else is logged."""
        if isinstance(error, SHAPE_ERRORS):
            log.warning("malformed Slack payload: %r", error)
            return BoltResponse(status=400, body="malformed payload")
        log.error("Slack listener failed: %s", type(error).__name__, exc_info=error)
        return None

    _commands_and_events(app, turns)
    _interactivity(app, turns)
    return app


def _commands_and_events(app: AsyncApp, turns: SlackTurns) -> None:
    @app.command(COMMAND)
    async def crm(ack: Ack, body: dict[str, Any]) -> None:
        inbound.need(body, "user_id")
        inbound.team_of(body)
        await ack()
        await turns.command(body)

    @app.event("message")
    async def direct_message(body: dict[str, Any], event: dict[str, Any]) -> None:
        await turns.message(body, event)

    @app.event("app_mention")
    async def mention(body: dict[str, Any], event: dict[str, Any]) -> None:
        await turns.mention(body, event)

    @app.event("app_home_opened")
    async def home(body: dict[str, Any], event: dict[str, Any]) -> None:
        await turns.home(body, event)

    @app.event(re.compile(".*"))
    async def anything_else() -> None:
        """Other event types are acknowledged and ignored."""


def _interactivity(app: AsyncApp, turns: SlackTurns) -> None:
    @app.action(FORM_ACTION)
    async def open_form(ack: Ack, body: dict[str, Any]) -> None:
        click = inbound.clicked(body)
        await ack()
        await turns.open_form(click)

    @app.action(re.compile("^" + re.escape(CALLBACK)))
    async def button(ack: Ack, body: dict[str, Any]) -> None:
        click = inbound.clicked(body)
        await ack()
        await turns.click(click)

    @app.action(re.compile("^" + re.escape(LINK)))
    async def link(ack: Ack) -> None:
        await ack()

    @app.view(CALLBACK_ID)
    async def submitted(ack: Ack, body: dict[str, Any]) -> None:
        await turns.submit(ack, body)
