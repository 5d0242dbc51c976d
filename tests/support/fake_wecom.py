"""A recording fake of the WeCom server API, and real-shaped encrypted callbacks for it.

The fake answers what the adapter calls (gettoken, message/send, update_template_card,
media/upload, media/get, menu/create) through an httpx MockTransport and records each call
with the test clock's time, so tests can assert what was sent and when.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx

from bots.wecom import crypto

CORP_ID = "ww1436e0e65a779aee"
AGENT_ID = 1000002
SECRET = "app-secret-do-not-log"
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
ENCODING_AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
API_URL = "http://wecom.test"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Clock:
    def __init__(self, at: float = 1_900_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


@dataclass(frozen=True)
class Upload:
    """One file of a multipart media/upload, as WeCom would receive it."""

    field: str
    filename: str
    mime: str
    data: bytes


@dataclass
class Call:
    path: str
    params: dict[str, str]
    body: dict[str, Any]
    at: float
    files: list[Upload] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)
    """What the fake answered (a sent card's response_code, an upload's media_id)."""


@dataclass
class FakeWeCom:
    clock: Clock
    calls: list[Call] = field(default_factory=list)
    history: list[Call] = field(default_factory=list)
    """Every call since the start; `clear()` empties only `calls`."""
    tokens_issued: int = 0
    reject_tokens: set[str] = field(default_factory=set)
    """Access tokens the fake answers with 42001 (expired), as after a secret reset."""
    send_errors: list[int] = field(default_factory=list)
    """errcodes to answer the next message/send calls with, one each."""

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/cgi-bin/")
        params = dict(request.url.params)
        body: dict[str, Any] = {}
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            body = json.loads(request.content)
        files = _multipart(content_type, request.read()) if content_type.startswith("multipart/") else []
        self.calls.append(Call(path, params, body, self.clock(), files))
        self.history.append(self.calls[-1])
        if path == "gettoken":
            if params.get("corpid") != CORP_ID or params.get("corpsecret") != SECRET:
                return httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"})
            self.tokens_issued += 1
            return httpx.Response(200, json={"errcode": 0, "access_token": f"at-{self.tokens_issued}", "expires_in": 7200})
        if params.get("access_token") in self.reject_tokens or not params.get("access_token", "").startswith("at-"):
            return httpx.Response(200, json={"errcode": 42001, "errmsg": "access_token expired"})
        response = self._api(path, body, params)
        if response.headers.get("content-type") == "application/json":
            self.calls[-1].answer = response.json()
        return response

    def _api(self, path: str, body: dict[str, Any], params: dict[str, str]) -> httpx.Response:
        if path == "message/send":
            if self.send_errors:
                return httpx.Response(200, json={"errcode": self.send_errors.pop(0), "errmsg": "refused"})
            answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "msgid": f"msg{len(self.calls)}"}
            if body.get("msgtype") == "template_card":
                answer["response_code"] = f"rc{len(self.calls)}"
            return httpx.Response(200, json=answer)
        if path == "media/get":
            return httpx.Response(200, content=PNG, headers={"content-type": "image/png"})
        if path == "media/upload":
            media_id = f"up-{len(self.of('media/upload'))}"
            return httpx.Response(200, json={"errcode": 0, "type": params.get("type", ""), "media_id": media_id})
        if path in ("message/update_template_card", "menu/create"):
            return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})
        return httpx.Response(404, json={"errcode": 404, "errmsg": "no such api"})

    def sent(self) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.path == "message/send"]

    def uploads(self) -> list[tuple[str, Upload]]:
        """(media id handed out, the file) of every media/upload, in order."""
        return [(f"up-{n}", f) for n, c in enumerate(self.of("media/upload"), 1) for f in c.files]

    def of(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def clear(self) -> None:
        self.calls.clear()


def _multipart(content_type: str, raw: bytes) -> list[Upload]:
    parsed = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    return [
        Upload(part.get_param("name", "", header="content-disposition"), part.get_filename() or "",
               part.get_content_type(), part.get_payload(decode=True))
        for part in parsed.iter_parts()
    ]


def xml(fields: dict[str, Any]) -> str:
    """A callback message as WeCom writes it (CDATA for strings, bare numbers)."""
    parts = []
    for name, value in fields.items():
        if isinstance(value, dict):
            inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in value.items())
            parts.append(f"<{name}>{inner}</{name}>")
        elif isinstance(value, int | float):
            parts.append(f"<{name}>{value}</{name}>")
        else:
            parts.append(f"<{name}><![CDATA[{value}]]></{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


def seal(plain: str, *, timestamp: int, nonce: str = "1597212914", corp_id: str = CORP_ID) -> tuple[str, str]:
    """(query string, body) of an encrypted POST callback carrying `plain`."""
    key = crypto.aes_key(ENCODING_AES_KEY)
    encrypted = crypto.encrypt(plain.encode(), key, corp_id)
    signature = crypto.signature(TOKEN, str(timestamp), nonce, encrypted)
    query = urllib.parse.urlencode({"msg_signature": signature, "timestamp": str(timestamp), "nonce": nonce})
    body = f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[{AGENT_ID}]]></AgentID></xml>"
    return query, body


def message(user: str, at: int, msg_type: str, msg_id: int | None = None, **fields: Any) -> str:
    base: dict[str, Any] = {"ToUserName": CORP_ID, "FromUserName": user, "CreateTime": at, "MsgType": msg_type}
    base.update(fields)
    if msg_id is not None:
        base["MsgId"] = msg_id
    base["AgentID"] = AGENT_ID
    return xml(base)


def event(user: str, at: int, name: str, **fields: Any) -> str:
    return message(user, at, "event", Event=name, **fields)
