"""Languages in WeCom: no member language comes from WeCom, so FIELDCHAT_WECOM_LOCALE stands in
for it until the member picks one; the adapter's own words follow the member's pick."""

from __future__ import annotations

import pytest

from core.models import User
from tests.integration.wecom_env import WeComRig, make_rig


@pytest.fixture
async def rig(clean_db):
    rig = await make_rig(clean_db)
    yield rig
    await rig.client.aclose()


async def test_a_member_who_picks_english_gets_english_even_in_the_adapters_own_words(rig: WeComRig) -> None:
    rep = await rig.bind("rep", "zhangwei")
    await rig.say(rep, "/lang")
    await rig.click(rep, "English", "rc-lang")
    assert "Language set to English." in rig.texts()
    assert rig.updates()[0]["button"]["replace_name"].startswith("Language set to")
    async with rig.container.sessionmaker() as s:
        assert (await s.get_one(User, rig.world.uid("rep"))).locale == "en"
    rig.fake.clear()
    await rig.say(rep, "/pool")
    await rig.click(rep, "Near me", "rc-near")
    (notice,) = rig.cards()
    assert "Tap ＋ beside the input box" in notice["sub_title_text"]  # WeCom's own hint, in English
    assert notice["jump_list"][0]["title"].startswith("Open the")
    rig.fake.clear()
    await rig.say(rep, "/agenda")
    assert "Today" in rig.texts() and "今天" not in rig.texts()


@pytest.mark.parametrize(
    ("settings", "greeting"),
    [
        ({"default_locale": "en"}, "此聊天账号尚未绑定"),  # a deployment in English: WeCom members still start in Chinese
        ({"default_locale": "zh-CN", "wecom_locale": "en"}, "This chat is not linked"),  # unless WeCom's is set
    ],
)
async def test_wecom_members_start_in_the_wecom_language_until_they_pick(clean_db, settings, greeting) -> None:
    """WeCom tells an app no member's language (callback XML, user/get and OAuth carry none),
    so FIELDCHAT_WECOM_LOCALE stands in for the platform profile's language."""
    rig = await make_rig(clean_db, **settings)
    try:
        await rig.say("stranger", "你好")
        assert greeting in rig.texts()
        await rig.adapter.create_menu()
        (menu,) = rig.fake.of("menu/create")
        assert menu.body["button"][0]["name"] == ("📍 签到" if "此" in greeting else "📍 Check in")
    finally:
        await rig.client.aclose()
