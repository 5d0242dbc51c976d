"""The Slack Web API calls FieldChat makes, with Slack's rate limits respected.

chat.postMessage allows about one message per second per channel (short bursts are
fine), so posts wait on a per-channel limiter; a 429 is retried after its Retry-After
when that is short, and otherwise becomes a DeliveryError carrying `retry_after` for the
notifier. One aiohttp session is shared by every call.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bots.base import DeliveryError
from bots.recent import Recent
from bots.slack.render import Block, Message

log = logging.getLogger(__name__)
BURST, PER_SECONDS = 4, 4.0
"""Per channel: bursts of 4 posts, about one per second after that."""
MAX_TRIES = 3
MAX_WAIT_S = 30.0
CACHE_SIZE = 20_000
PERMANENT = {
    "channel_not_found", "not_in_channel", "is_archived", "account_inactive", "invalid_auth", "token_revoked",
    "user_not_found", "cannot_dm_bot", "messages_tab_disabled", "user_disabled", "missing_scope",
}


class SlackApi:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._limiters: OrderedDict[str, AsyncLimiter] = OrderedDict()
        self._dms: Recent[str, str] = Recent(CACHE_SIZE)

    # -- session ------------------------------------------------------------------
    def _session(self) -> aiohttp.ClientSession:
        session = self.client.session
        if session is None or session.closed:
            session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
            self.client.session = session
        return session

    async def close(self) -> None:
        if self.client.session is not None and not self.client.session.closed:
            await self.client.session.close()

    # -- calls --------------------------------------------------------------------
    async def post(self, channel: str, message: Message) -> str:
        """A message or a file in a channel; its ts (file id for uploads)."""
        if message.upload is not None:
            media = message.upload
            done = await self._call(
                lambda: self.client.files_upload_v2(
                    channel=channel, content=media.data, filename=media.filename,
                    title=media.caption or media.filename, initial_comment=media.caption,
                ),
                channel,
            )
            return str((done.get("file") or {}).get("id", ""))
        sent = await self._call(
            lambda: self.client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks), channel
        )
        return str(sent.get("ts", ""))

    async def update(self, channel: str, ts: str, blocks: list[Block], text: str) -> None:
        await self._call(lambda: self.client.chat_update(channel=channel, ts=ts, blocks=blocks, text=text))

    async def ephemeral(self, channel: str, user: str, text: str) -> None:
        await self._call(lambda: self.client.chat_postEphemeral(channel=channel, user=user, text=text), channel)

    async def respond(self, response_url: str, text: str) -> None:
        """An ephemeral answer through a slash command's response_url (works in any channel)."""
        hook = AsyncWebhookClient(response_url, session=self._session(), timeout=10)
        try:
            result = await hook.send(text=text, response_type="ephemeral", replace_original=False)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("response_url not reachable: %s", type(exc).__name__)
            return
        if result.status_code >= 400:
            log.warning("response_url answered %s", result.status_code)

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        await self._call(lambda: self.client.views_open(trigger_id=trigger_id, view=view))

    async def publish_home(self, user: str, view: dict[str, Any]) -> None:
        await self._call(lambda: self.client.views_publish(user_id=user, view=view))

    async def dm_channel(self, user: str) -> str:
        """The app's direct-message channel with a user (conversations.open, remembered)."""
        if (known := self._dms.get(user)) is not None:
            return known
        opened = await self._call(lambda: self.client.conversations_open(users=user))
        channel = str((opened.get("channel") or {}).get("id", ""))
        if not channel:
            raise DeliveryError("conversations.open gave no channel", permanent=True)
        self.remember_dm(user, channel)
        return channel

    def remember_dm(self, user: str, channel: str) -> None:
        self._dms.put(user, channel)

    # -- limits and failures ------------------------------------------------------
    def _limiter(self, channel: str) -> AsyncLimiter:
        limiter = self._limiters.get(channel)
        if limiter is None:
            limiter = self._limiters[channel] = AsyncLimiter(BURST, PER_SECONDS)
            while len(self._limiters) > CACHE_SIZE:
                self._limiters.popitem(last=False)
        return limiter

    async def _call(self, request: Callable[[], Awaitable[AsyncSlackResponse]], channel: str | None = None) -> AsyncSlackResponse:
        self._session()
        for attempt in range(1, MAX_TRIES + 1):
            if channel is not None:
                await self._limiter(channel).acquire()
            try:
                return await request()
            except SlackApiError as exc:
                wait = _retry_after(exc.response.status_code, exc.response.headers)
                if wait is not None and wait <= MAX_WAIT_S and attempt < MAX_TRIES:
                    log.info("Slack rate limit: waiting %.0f s", wait)
                    await asyncio.sleep(wait)
                    continue
                error = str(exc.response.get("error", "")) if isinstance(exc.response.data, dict) else ""
                raise DeliveryError(f"slack: {error or exc.response.status_code}", permanent=error in PERMANENT, retry_after=wait) from None
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise DeliveryError(f"slack unreachable: {type(exc).__name__}") from None
        raise DeliveryError("slack: rate limited")


def _retry_after(status: int, headers: Any) -> float | None:
    if status != 429:
        return None
    raw = next((v for k, v in (headers or {}).items() if str(k).lower() == "retry-after"), None)
    try:
        return max(float(raw if not isinstance(raw, list) else raw[0]), 0.0) if raw is not None else 1.0
    except ValueError:
        return 1.0
