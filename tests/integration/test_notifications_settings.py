"""/settings from chat: time zone, quiet hours, digest time, mutes; bad input gets a clear message, nothing written."""

from __future__ import annotations

from datetime import time

import pytest

from conversations.messages import Card
from core.models import NotificationPrefs, User
from tests.conftest import PRODUCT_QUIET_HOURS
from tests.support.chat import PLAIN
from tests.support.notify import local, queue, rows


def fields(chat) -> dict[str, str]:
    (card,) = [r for r in chat.last if isinstance(r, Card)]
    return {f.label: f.value for f in card.fields}


@pytest.mark.settings(**PRODUCT_QUIET_HOURS)
async def test_settings_card_shows_the_defaults(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/settings")
    assert rep.last[0].title == "🔔 Notification settings"
    assert fields(rep) == {"Time zone": "Asia/Shanghai", "Quiet hours": "21:00–08:00", "Morning digest": "08:00", "Muted": "none"}


@pytest.mark.settings(**PRODUCT_QUIET_HOURS)
async def test_bad_values_in_the_form_are_named_and_nothing_is_written(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/settings")
    await rep.tap("Change")
    form = rep.form()
    assert {f.name: f.value for f in form.fields} == {"timezone": "Asia/Shanghai", "quiet": "21:00-08:00", "digest": "08:00"}
    await rep.submit(timezone="Mars/Phobos", quiet="25:00-07:00", digest="8:75")
    errors = dict(rep.form().errors)
    assert errors["timezone"] == "Unknown time zone Mars/Phobos. Use a name like Asia/Shanghai."
    assert errors["quiet"].startswith("25:00 is not a time of day. Use HH:MM between 00:00 and 23:59")
    assert errors["digest"].startswith("8:75 is not a time of day")
    assert {f.name: f.value for f in rep.form().fields}["quiet"] == "25:00-07:00"      # what they typed stays
    async with container.sessionmaker() as s:
        assert await s.get(NotificationPrefs, world.uid("rep")) is None
        assert (await s.get(User, world.uid("rep"))).timezone is None


async def test_saving_the_form_changes_the_settings_and_re_times_queued_reminders(container, world, chat_as):
    rep = await chat_as("rep")
    row_id = await queue(container, world.uid("rep"), "follow up", kind="follow_up", routine=True, due=local(1, 0))
    assert (await rows(container, id=row_id))[0].send_after == local(1, 8)
    await rep.say("/settings")
    await rep.tap("Change")
    await rep.submit(timezone="asia/shanghai", quiet="22:00-07:00", digest="9:30")
    assert "Settings saved" in rep.text
    assert fields(rep)["Quiet hours"] == "22:00–07:00" and fields(rep)["Morning digest"] == "09:30"
    async with container.sessionmaker() as s:
        prefs = await s.get(NotificationPrefs, world.uid("rep"))
        assert (prefs.quiet_start, prefs.quiet_end, prefs.digest_at) == (time(22), time(7), time(9, 30))
    assert (await rows(container, id=row_id))[0].send_after == local(1, 9, 30)


async def test_one_setting_at_a_time_by_command(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/settings tz berlin")
    assert "Settings saved" in rep.text and fields(rep)["Time zone"] == "Europe/Berlin"
    await rep.say("/settings quiet off")
    assert fields(rep)["Quiet hours"] == "off"
    await rep.say("/settings digest off")
    assert fields(rep)["Morning digest"] == "off (routine reminders one by one)"
    await rep.say("/settings digest 25:00")
    assert "25:00 is not a time of day" in rep.text
    await rep.say("/settings tz Mars/Phobos")
    assert "Unknown time zone Mars/Phobos" in rep.text
    await rep.say("/settings volume loud")
    assert "Change one setting directly" in rep.text
    async with container.sessionmaker() as s:
        assert (await s.get(User, world.uid("rep"))).timezone == "Europe/Berlin"
        prefs = await s.get(NotificationPrefs, world.uid("rep"))
        assert (prefs.quiet_start, prefs.digest_at) == (None, None)


async def test_settings_field_by_field_on_a_platform_without_forms_in_chinese(container, world, chat_as):
    rep = await chat_as("rep", caps=PLAIN, locale_hint="zh-CN")
    await rep.say("/lang zh-CN")
    await rep.say("/设置")
    await rep.tap("修改")
    assert "时区" in rep.text
    await rep.tap("保留")
    await rep.say("23:00-06:30")
    await rep.say("25:00")
    assert "25:00 不是有效的时间" in rep.text and "(1/3) 时区" in rep.text     # asked again, answers kept
    await rep.tap("保留")
    await rep.tap("保留")
    await rep.say("07:45")
    assert "设置已保存" in rep.text
    async with container.sessionmaker() as s:
        prefs = await s.get(NotificationPrefs, world.uid("rep"))
        assert (prefs.quiet_start, prefs.quiet_end, prefs.digest_at) == (time(23), time(6, 30), time(7, 45))


async def test_mutes_toggle_and_show(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/settings")
    await rep.tap("Mute / unmute")
    assert [a.label for a in rep.last[0].options][:5] == [
        "🔔 Follow-ups due", "🔔 Contact birthdays", "🔔 Pool warnings", "🔔 Returned to the pool", "🔔 Leads assigned to me",
    ]
    assert "Morning digest" not in rep.text                                       # not a kind one can mute
    await rep.tap("Contact birthdays")
    assert "🔕 Contact birthdays" in rep.text
    await rep.tap("Contact birthdays")
    assert "Contact birthdays: on again." in rep.text
    await rep.tap("Pool warnings")
    await rep.say("/settings")
    assert fields(rep)["Muted"] == "Pool warnings"
