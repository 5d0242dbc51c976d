"""Telegram messages → neutral events: commands, keyboard labels, live and late locations, photos."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.types import Message

from bots.telegram.inbound import caps_of, edited_event, message_event, text_event
from conversations.inbound import CommandEvent, LocationEvent, MediaEvent, TextEvent

SENT = 1795500000
USER = {"id": 111, "is_bot": False, "first_name": "Wei", "language_code": "zh-hans"}
PRIVATE = {"id": 111, "type": "private", "first_name": "Wei"}


def msg(**content: object) -> Message:
    return Message.model_validate({"message_id": 7, "from": USER, "chat": PRIVATE, "date": SENT, **content})


def test_commands_with_and_without_the_bot_name() -> None:
    assert text_event("/c 苏州 恒力", "FieldChatBot") == CommandEvent("c", "苏州 恒力")
    assert text_event("/C@fieldchatbot 恒力", "FieldChatBot") == CommandEvent("c", "恒力")
    assert text_event("/start K7M2-Q9XD", None) == CommandEvent("start", "K7M2-Q9XD")
    assert text_event("/lead 王经理\n13812345678", "FieldChatBot") == CommandEvent("lead", "王经理\n13812345678")
    assert text_event("/c@OtherBot 恒力", "FieldChatBot") is None
    assert text_event("/ not a command", "FieldChatBot") == TextEvent("/ not a command")


def test_main_keyboard_labels_in_either_language_are_commands() -> None:
    assert text_event("📅 Agenda", None) == CommandEvent("agenda")
    assert text_event("🔎 查客户", None) == CommandEvent("c")
    assert text_event("☰ 菜单", None) == CommandEvent("menu")
    assert text_event("Agenda", None) == TextEvent("Agenda")


def test_live_location_is_live_and_keeps_telegrams_time() -> None:
    event = message_event(msg(location={"latitude": 31.3236, "longitude": 120.726, "horizontal_accuracy": 12.5, "live_period": 900}), None)
    assert event == LocationEvent(31.3236, 120.726, 12.5, live=True, source="pin", taken_at=datetime.fromtimestamp(SENT, UTC))


def test_static_pin_without_accuracy() -> None:
    event = message_event(msg(location={"latitude": 31.3, "longitude": 120.7}), None)
    assert isinstance(event, LocationEvent) and not event.live and event.accuracy_m is None and not event.update_of_live


def test_an_edited_live_location_is_an_update_stamped_with_its_edit_time() -> None:
    moved = msg(location={"latitude": 31.32, "longitude": 120.72, "live_period": 900}, edit_date=SENT + 30)
    event = edited_event(moved)
    assert isinstance(event, LocationEvent) and event.update_of_live and event.live
    assert event.taken_at == datetime.fromtimestamp(SENT + 30, UTC)
    assert edited_event(msg(text="typo fixed", edit_date=SENT + 5)) is None


def test_photo_is_its_largest_size_and_image_files_count_as_photos() -> None:
    photo = [
        {"file_id": "small", "file_unique_id": "a", "width": 90, "height": 67},
        {"file_id": "large", "file_unique_id": "b", "width": 1280, "height": 960},
    ]
    assert message_event(msg(photo=photo, caption="入口"), None) == MediaEvent("image", "tg:large", "入口")
    document = {"file_id": "doc1", "file_unique_id": "c", "mime_type": "image/jpeg", "file_name": "x.jpg"}
    assert message_event(msg(document=document), None) == MediaEvent("image", "tg:doc1", None)
    pdf = {"file_id": "doc2", "file_unique_id": "d", "mime_type": "application/pdf"}
    assert message_event(msg(document=pdf), None) is None


def test_location_sharing_is_native_in_private_chats_only() -> None:
    assert caps_of(msg().chat).native_location
    group = Message.model_validate({"message_id": 1, "chat": {"id": -100, "type": "supergroup", "title": "g"}, "date": SENT})
    caps = caps_of(group.chat)
    assert not caps.native_location and caps.callback_bytes == 64 and caps.can_edit and not caps.native_forms
