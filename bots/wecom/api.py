"""The WeCom server API as FieldChat uses it: token, message/send, card update, media, menu.

One `httpx.AsyncClient` per app against `FIELDCHAT_WECOM_API_URL` (tests and proxies
stand in there). The access token comes from the database-shared cache; an
invalid-token answer (40014, 42001) drops exactly that token and the call is retried
once with a fresh one. Errors become `DeliveryError`, permanent when retrying cannot help.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.base import DeliveryError
from core.services import platform_tokens

log = logging.getLogger(__name__)
DEFAULT_URL = "https://qyapi.weixin.qq.com"
INVALID_TOKEN = frozenset({40014, 42001})
"""Invalid or expired access_token: refetch and retry once."""
RATE_LIMITED = frozenset({45009, 45033, 45047})
"""Calls too frequent / too many concurrent / quota: retry after a minute."""
PERMANENT = frozenset({60111, 81013, 301002, 40003})
"""Unknown or invisible user, all recipients invalid, no permission: retrying cannot help."""
BUSY_RETRY_S = 60.0


SECRET_PARAMS = re.compile(r"((?:access_token|corpsecret)=)[^&\s\"']+")


class RedactSecrets(logging.Filter):
    """httpx logs every request URL at INFO; WeCom puts the secret and the token in the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "access_token=" in message or "corpsecret=" in message:
            record.msg, record.args = SECRET_PARAMS.sub(r"\1***", message), ()
        return True


def _redact_httpx_logs() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())


class WeComApiError(DeliveryError):
    def __init__(self, path: str, errcode: int, errmsg: str) -> None:
        permanent = errcode in PERMANENT
        retry_after = BUSY_RETRY_S if errcode in RATE_LIMITED else None
        super().__init__(f"wecom {path}: errcode {errcode} {errmsg[:120]}", permanent=permanent, retry_after=retry_after)
        self.errcode = errcode


class WeComApi:
    def __init__(
        self,
        *,
        corp_id: str,
        agent_id: int,
        secret: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.corp_id, self.agent_id, self._secret = corp_id, agent_id, secret
        self.sessionmaker = sessionmaker
        self.token_name = f"wecom:{corp_id}:{agent_id}"
        self.http = httpx.AsyncClient(base_url=(base_url or DEFAULT_URL).rstrip("/"), timeout=10.0, transport=transport)
        _redact_httpx_logs()

    async def close(self) -> None:
        await self.http.aclose()

    async def _fetch_token(self) -> tuple[str, float]:
        response = await self.http.get("/cgi-bin/gettoken", params={"corpid": self.corp_id, "corpsecret": self._secret})
        body = self._json(response, "gettoken")
        return str(body["access_token"]), float(body.get("expires_in", 7200))

    async def token(self) -> str:
        return await platform_tokens.get_or_refresh(self.sessionmaker, name=self.token_name, fetch=self._fetch_token)

    def _json(self, response: httpx.Response, path: str) -> dict[str, Any]:
        if response.status_code >= 500 or response.status_code == 429:
            raise DeliveryError(f"wecom {path}: HTTP {response.status_code}", retry_after=BUSY_RETRY_S)
        try:
            body = response.json()
        except ValueError:
            raise DeliveryError(f"wecom {path}: not JSON (HTTP {response.status_code})") from None
        if not isinstance(body, dict):
            raise DeliveryError(f"wecom {path}: unexpected answer")
        code = int(body.get("errcode", 0) or 0)
        if code:
            raise WeComApiError(path, code, str(body.get("errmsg", "")))
        return body

    async def call(self, path: str, *, json: dict[str, Any] | None = None, files: Any = None, params: dict[str, str] | None = None) -> dict[str, Any]:
        """POST (or GET without a body) with the access token; one retry on an invalid token."""
        for attempt in (1, 2):
            token = await self.token()
            query = {"access_token": token, **(params or {})}
            try:
                if json is None and files is None:
                    response = await self.http.get(path, params=query)
                else:
                    response = await self.http.post(path, params=query, json=json, files=files)
            except httpx.HTTPError as exc:
                raise DeliveryError(f"wecom {path}: {type(exc).__name__}", retry_after=BUSY_RETRY_S) from None
            try:
                return self._json(response, path)
            except WeComApiError as exc:
                if exc.errcode in INVALID_TOKEN and attempt == 1:
                    log.info("wecom token rejected (%d); fetching a new one", exc.errcode)
                    await platform_tokens.invalidate(self.sessionmaker, name=self.token_name, value=token)
                    continue
                raise
        raise AssertionError("unreachable")

    async def send(self, user: str, body: dict[str, Any]) -> str:
        """message/send to one member; the id to edit later ('rc:' + response_code for cards)."""
        payload = {"touser": user, "agentid": self.agent_id, **body, "enable_duplicate_check": 0}
        answer = await self.call("/cgi-bin/message/send", json=payload)
        if answer.get("invaliduser"):
            raise DeliveryError("wecom message/send: the member is not reachable by this app", permanent=True)
        code = answer.get("response_code")
        return f"rc:{code}" if code else f"msg:{answer.get('msgid', '')}"

    async def update_card(self, user: str, response_code: str, body: dict[str, Any]) -> None:
        payload = {"userids": [user], "agentid": self.agent_id, "response_code": response_code, **body}
        await self.call("/cgi-bin/message/update_template_card", json=payload)

    async def upload(self, kind: str, filename: str, mime: str, data: bytes) -> str:
        answer = await self.call("/cgi-bin/media/upload", params={"type": kind}, files={"media": (filename, data, mime)})
        return str(answer["media_id"])

    async def download(self, media_id: str) -> tuple[bytes, str]:
        """A received image's bytes and type (MediaIds expire after three days, so they are kept)."""
        token = await self.token()
        response = await self.http.get("/cgi-bin/media/get", params={"access_token": token, "media_id": media_id})
        mime = response.headers.get("content-type", "").split(";")[0].strip()
        if response.status_code != 200 or mime in ("application/json", "text/plain", ""):
            self._json(response, "media/get")  # raises the errcode if there is one
            raise DeliveryError("wecom media/get: no file")
        return response.content, mime

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self.call("/cgi-bin/menu/create", json=menu, params={"agentid": str(self.agent_id)})
