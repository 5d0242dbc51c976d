"""The Feishu Open API calls FieldChat makes, through one async httpx client.

The tenant_access_token is shared by every worker (core.services.platform_tokens) and
dropped when Feishu calls it invalid, then fetched again once. Sends spend the per-chat
(5/s) and per-app (50/s) budgets first; a spent budget is a DeliveryError with
`retry_after` for the notifier, or a short wait for a reply the user is waiting for.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.base import DeliveryError
from bots.budget import FEISHU_APP, FEISHU_CHAT, Budget
from bots.feishu.render import Outgoing, content_json
from core.services import platform_tokens

log = logging.getLogger(__name__)
INVALID_TOKEN = {99991661, 99991663, 99991664, 99991671}
RATE_LIMITED = {99991400, 230020}
PERMANENT = {230001, 230002, 230006, 230013, 230017, 230027, 230099, 99991672}
"""Bad receiver, bot not in the chat, user outside the app's range, no permission."""
MAX_WAIT_S = 3.0
FILE_TYPES = {"application/pdf": "pdf", "application/msword": "doc", "application/vnd.ms-excel": "xls"}


class FeishuApi:
    def __init__(
        self, *, app_id: str, app_secret: str, base_url: str,
        sessionmaker: async_sessionmaker[AsyncSession], client: httpx.AsyncClient | None = None,
    ) -> None:
        self.app_id, self._secret, self.sessionmaker = app_id, app_secret, sessionmaker
        self.client = client or httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=10.0)
        self.chat_budget = Budget("feishu", FEISHU_CHAT, shared=sessionmaker)
        self.app_budget = Budget("feishu-app", FEISHU_APP, shared=sessionmaker)

    async def close(self) -> None:
        await self.client.aclose()

    # -- token --------------------------------------------------------------------
    @property
    def token_name(self) -> str:
        return f"feishu:{self.app_id}"

    async def _token(self) -> str:
        return await platform_tokens.get_or_refresh(self.sessionmaker, name=self.token_name, fetch=self._fetch_token)

    async def _fetch_token(self) -> tuple[str, float]:
        body = {"app_id": self.app_id, "app_secret": self._secret}
        data = await self._json(await self._post_raw("/open-apis/auth/v3/tenant_access_token/internal", json=body))
        if data.get("code") != 0:
            raise DeliveryError(f"feishu token: code {data.get('code')}", permanent=True)
        return str(data.get("tenant_access_token", "")), float(data.get("expire", 0))

    # -- calls --------------------------------------------------------------------
    async def call(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        """One API call with the tenant token; refetches the token once if Feishu rejects it."""
        for attempt in (1, 2):
            token = await self._token()
            try:
                response = await self.client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)
            except httpx.HTTPError as exc:
                raise DeliveryError(f"feishu unreachable: {type(exc).__name__}") from None
            data = await self._json(response)
            code = data.get("code")
            if code == 0:
                return data
            if code in INVALID_TOKEN and attempt == 1:
                await platform_tokens.invalidate(self.sessionmaker, name=self.token_name, value=token)
                continue
            if response.status_code == 429 or code in RATE_LIMITED:
                reset = response.headers.get("x-ogw-ratelimit-reset", "1")
                raise DeliveryError(f"feishu rate limited (code {code})", retry_after=_seconds(reset))
            raise DeliveryError(f"feishu {path}: code {code}", permanent=code in PERMANENT)
        raise DeliveryError("feishu: token refused twice")

    async def _post_raw(self, path: str, **kw: Any) -> httpx.Response:
        try:
            return await self.client.post(path, **kw)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"feishu unreachable: {type(exc).__name__}") from None

    async def _json(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 500:
            raise DeliveryError(f"feishu answered {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise DeliveryError(f"feishu answered {response.status_code} without JSON") from None
        return data if isinstance(data, dict) else {}

    # -- budgets ------------------------------------------------------------------
    async def spend(self, chat: str, *, wait: bool) -> None:
        """Take one message from the chat's and the app's budget (waiting briefly if `wait`)."""
        for budget, key in ((self.chat_budget, chat), (self.app_budget, self.app_id)):
            while True:
                try:
                    await budget.take(key)
                    break
                except DeliveryError as exc:
                    if not wait or exc.retry_after is None or exc.retry_after > MAX_WAIT_S:
                        raise
                    await asyncio.sleep(exc.retry_after)

    # -- messages -----------------------------------------------------------------
    async def send(self, chat: str, out: Outgoing, *, wait: bool = False) -> str:
        """Post one message to a user (open_id) or a group (chat_id); its message_id."""
        if out.media is not None:
            out = await self._upload(out)
        await self.spend(chat, wait=wait)
        receive_type = "open_id" if chat.startswith("ou_") else "chat_id"
        body = {"receive_id": chat, "msg_type": out.msg_type, "content": content_json(out)}
        data = await self.call("POST", "/open-apis/im/v1/messages", params={"receive_id_type": receive_type}, json=body)
        return str((data.get("data") or {}).get("message_id", ""))

    async def patch_card(self, message_id: str, card: dict[str, Any]) -> None:
        content = json.dumps(card, ensure_ascii=False, separators=(",", ":"))
        await self.call("PATCH", f"/open-apis/im/v1/messages/{message_id}", json={"content": content})

    async def _upload(self, out: Outgoing) -> Outgoing:
        media = out.media
        assert media is not None
        if media.kind == "image":
            data = await self.call(
                "POST", "/open-apis/im/v1/images", data={"image_type": "message"},
                files={"image": (media.filename, media.data, media.mime)},
            )
            return Outgoing("image", {"image_key": (data.get("data") or {}).get("image_key", "")})
        file_type = FILE_TYPES.get(media.mime) or ("xls" if media.filename.endswith((".xlsx", ".xls")) else "stream")
        data = await self.call(
            "POST", "/open-apis/im/v1/files", data={"file_type": file_type, "file_name": media.filename},
            files={"file": (media.filename, media.data, media.mime)},
        )
        return Outgoing("file", {"file_key": (data.get("data") or {}).get("file_key", "")})


def _seconds(raw: str) -> float:
    try:
        return max(float(raw), 0.5)
    except ValueError:
        return 1.0
