"""The DingTalk Open API calls FieldChat makes, through one async httpx client.

One app access token (POST /v1.0/oauth2/accessToken) serves the new API and the old
oapi host alike; it is shared by every worker and fetched again once when DingTalk
answers 401. Every robot message spends the chat's budget (20 a minute) first: a
notification over budget is refused with retry_after (the notifier defers it), while an
answer to someone in the chat waits for the window instead of being dropped.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.base import DeliveryError
from bots.budget import DINGTALK_CHAT, Budget
from bots.dingtalk.render import Outgoing, dumps, media_param
from core.services import platform_tokens

log = logging.getLogger(__name__)
DEFAULT_API = "https://api.dingtalk.com"
OLD_API = "https://oapi.dingtalk.com"
MAX_WAIT_S = 65.0
"""An answer to someone in the chat waits for a free slot (a window at most) rather than being dropped."""
TOKEN_HEADER = "x-acs-dingtalk-access-token"


class DingTalkApi:
    def __init__(
        self, *, app_key: str, app_secret: str, base_url: str,
        sessionmaker: async_sessionmaker[AsyncSession], client: httpx.AsyncClient | None = None,
    ) -> None:
        self.app_key, self._secret, self.sessionmaker = app_key, app_secret, sessionmaker
        base = base_url.rstrip("/")
        self.base_url = base
        self.old_url = OLD_API if base == DEFAULT_API else base
        """oapi.dingtalk.com serves the media upload; a proxy or test double serves both."""
        self.client = client or httpx.AsyncClient(timeout=10.0)
        self.budget = Budget("dingtalk", DINGTALK_CHAT, shared=sessionmaker)
        self.sleep = asyncio.sleep

    async def close(self) -> None:
        await self.client.aclose()

    @property
    def token_name(self) -> str:
        return f"dingtalk:{self.app_key}"

    async def _token(self) -> str:
        return await platform_tokens.get_or_refresh(self.sessionmaker, name=self.token_name, fetch=self._fetch_token)

    async def _fetch_token(self) -> tuple[str, float]:
        body = {"appKey": self.app_key, "appSecret": self._secret}
        response = await self._request("POST", f"{self.base_url}/v1.0/oauth2/accessToken", json=body)
        data = _json(response)
        if response.status_code != 200 or not data.get("accessToken"):
            raise DeliveryError(f"dingtalk token: HTTP {response.status_code} {data.get('code', '')}", permanent=True)
        return str(data["accessToken"]), float(data.get("expireIn", 0))

    async def _request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        try:
            return await self.client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"dingtalk unreachable: {type(exc).__name__}") from None

    async def call(self, method: str, path: str, *, old: bool = False, **kw: Any) -> dict[str, Any]:
        """One call with the app token (header on the new API, query on oapi); retried once on 401."""
        for attempt in (1, 2):
            token = await self._token()
            if old:
                response = await self._request(method, f"{self.old_url}{path}", params={"access_token": token}, **kw)
            else:
                response = await self._request(method, f"{self.base_url}{path}", headers={TOKEN_HEADER: token}, **kw)
            data = _json(response)
            invalid = response.status_code == 401 or data.get("errcode") in (40014, 42001, 88)
            if invalid and attempt == 1:
                await platform_tokens.invalidate(self.sessionmaker, name=self.token_name, value=token)
                continue
            if response.status_code == 429 or "QpsLimit" in str(data.get("code", "")) or data.get("errcode") == 90018:
                raise DeliveryError("dingtalk rate limited", retry_after=1.0)
            if response.status_code >= 500:
                raise DeliveryError(f"dingtalk {path}: HTTP {response.status_code}")
            if response.status_code >= 400 or data.get("errcode", 0) != 0:
                code = data.get("code") or data.get("errcode")
                raise DeliveryError(f"dingtalk {path}: HTTP {response.status_code} {code}", permanent=True)
            return data
        raise DeliveryError("dingtalk: token refused twice")

    async def spend(self, chat: str, *, wait: bool) -> None:
        while True:
            try:
                return await self.budget.take(chat)
            except DeliveryError as exc:
                if not wait or exc.retry_after is None or exc.retry_after > MAX_WAIT_S:
                    raise
                log.info("dingtalk: budget of a chat spent; the answer waits %.1f s", exc.retry_after)
                await self.sleep(exc.retry_after)

    # -- messages -----------------------------------------------------------------------
    async def send(self, chat: str, out: Outgoing, *, card_id: str = "", wait: bool = False) -> str:
        """One robot message or card to `u:<staffId>` or `g:<conversationId>`; an id for it."""
        if out.media is not None:
            media_id = await self.upload(out.media.kind, out.media.filename, out.media.data, out.media.mime)
            key, param = media_param(out.media, media_id)
            out = Outgoing("message", key, param)
        await self.spend(chat, wait=wait)
        kind, target = chat[:2], chat[2:]
        if out.card is not None:
            body: dict[str, Any] = {
                "cardTemplateId": "StandardCard", "robotCode": self.app_key, "cardData": dumps(out.card),
                "cardBizId": card_id, "sendOptions": {},
            }
            if kind == "g:":
                body["openConversationId"] = target
            else:
                body["singleChatReceiver"] = dumps({"userId": target})
            await self.call("POST", "/v1.0/im/v1.0/robot/interactiveCards/send", json=body)
            return card_id
        message = {"robotCode": self.app_key, "msgKey": out.msg_key, "msgParam": dumps(out.param or {})}
        if kind == "g:":
            data = await self.call("POST", "/v1.0/robot/groupMessages/send", json={**message, "openConversationId": target})
        else:
            data = await self.call("POST", "/v1.0/robot/oToMessages/batchSend", json={**message, "userIds": [target]})
        return str(data.get("processQueryKey", ""))

    async def update_card(self, card_id: str, card: dict[str, Any]) -> None:
        await self.call("PUT", "/v1.0/im/robots/interactiveCards", json={"cardBizId": card_id, "cardData": dumps(card)})

    async def upload(self, kind: str, filename: str, data: bytes, mime: str) -> str:
        found = await self.call(
            "POST", "/media/upload", old=True, data={"type": kind}, files={"media": (filename, data, mime)}
        )
        return str(found.get("media_id", ""))

    async def open_stream(self, topics: list[dict[str, str]]) -> dict[str, Any] | None:
        """A Stream-mode endpoint and ticket (the SDK's blocking open_connection, done async)."""
        body = {
            "clientId": self.app_key, "clientSecret": self._secret, "subscriptions": topics,
            "ua": "fieldchat", "localIp": "",
        }
        try:
            response = await self.client.post(f"{self.base_url}/v1.0/gateway/connections/open", json=body)
        except httpx.HTTPError as exc:
            log.warning("dingtalk stream: gateway unreachable (%s)", type(exc).__name__)
            return None
        data = _json(response)
        if response.status_code != 200 or not data.get("endpoint") or not data.get("ticket"):
            log.warning("dingtalk stream: gateway answered %s %s", response.status_code, data.get("code", ""))
            return None
        return data


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
