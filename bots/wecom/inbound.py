"""WeCom callback XML → a typed message → one neutral event (pure functions).

Types handled (developer.work.weixin.qq.com/document/path/90239, /90240, /96466):
text, location (Location_X/Y in GCJ-02), image, and the events click (menu),
location_select (menu location picker), LOCATION (地理位置上报, periodic) and
template_card_event (a card button). Anything else is acknowledged and ignored.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from conversations.inbound import ActionEvent, CommandEvent, Event, LocationEvent, TextEvent

MAX_BODY = 256 * 1024
"""Callbacks are small; a larger body is refused before parsing."""
MAX_TEXT = 20_000


class BadXml(ValueError):
    """The body is not the XML WeCom sends."""


def parse_xml(body: bytes | str) -> dict[str, str]:
    """A flat {tag: text} of the root's children (and of SendLocationInfo's), refusing DTDs."""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > MAX_BODY:
        raise BadXml("body too large")
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise BadXml("DTDs are not accepted")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError:
        raise BadXml("not well-formed XML") from None
    fields: dict[str, str] = {}
    for child in root:
        fields[child.tag] = (child.text or "").strip()
        for grandchild in child:  # SendLocationInfo, ScanCodeInfo …: flattened with a prefix
            fields[f"{child.tag}.{grandchild.tag}"] = (grandchild.text or "").strip()
    return fields


@dataclass(frozen=True)
class WeComMessage:
    """The decrypted callback, as far as FieldChat reads it."""

    user: str
    """FromUserName: the member's UserID in the corp."""
    corp: str
    """ToUserName: the CorpID."""
    msg_type: str
    event: str
    """Lower-cased Event for msg_type 'event', else ''."""
    fields: dict[str, str]

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    def dedupe_id(self) -> str:
        """MsgId for messages; for events (which have none) the sender, time and what was hit."""
        if self.get("MsgId"):
            return self.get("MsgId")
        parts = (self.user, self.get("CreateTime"), self.event, self.get("EventKey"), self.get("TaskId"))
        return ":".join(parts)


def message_of(fields: dict[str, str]) -> WeComMessage:
    msg_type = fields.get("MsgType", "").lower()
    event = fields.get("Event", "").lower() if msg_type == "event" else ""
    return WeComMessage(fields.get("FromUserName", ""), fields.get("ToUserName", ""), msg_type, event, fields)


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _location(lat: str, lon: str, accuracy: str = "", *, live: bool = False) -> LocationEvent | None:
    la, lo = _float(lat), _float(lon)
    if la is None or lo is None:
        return None
    acc = _float(accuracy) if accuracy else None
    return LocationEvent(
        la, lo, acc if acc is not None and acc >= 0 else None,
        live=live, source="live" if live else "pin", update_of_live=live, datum="gcj02",
    )


def _text(content: str) -> Event | None:
    text = content[:MAX_TEXT]
    if text.startswith("/") and len(text) > 1 and not text[1:2].isspace():
        name, _, args = text[1:].partition(" ")
        return CommandEvent(name.lower()[:40], args.strip())
    return TextEvent(text) if text.strip() else None


def event_of(msg: WeComMessage) -> Event | None:
    """The neutral event, or None for what FieldChat ignores (subscribe, enter_agent, video …).

    Images are not here: their MediaId is fetched by the adapter first (it expires in 3 days).
    """
    if msg.msg_type == "text":
        return _text(msg.get("Content"))
    if msg.msg_type == "location":
        return _location(msg.get("Location_X"), msg.get("Location_Y"))
    if msg.event == "location_select":
        return _location(msg.get("SendLocationInfo.Location_X"), msg.get("SendLocationInfo.Location_Y"))
    if msg.event == "location":  # 地理位置上报: refreshes an open visit, never opens a dialog
        return _location(msg.get("Latitude"), msg.get("Longitude"), msg.get("Precision"), live=True)
    if msg.event == "click" and msg.get("EventKey"):
        return CommandEvent(msg.get("EventKey").lower()[:40])
    if msg.event == "template_card_event" and msg.get("EventKey"):
        return ActionEvent(msg.get("EventKey")[:300])
    return None
