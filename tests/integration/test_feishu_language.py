"""The language a Feishu user is answered in before picking one with /lang.

Feishu tells an app no user's language (no field in events, card callbacks or the contact API);
a message carries the client's user agent ("LarkLocale/zh_CN") when the app may read it, and a
card click carries the language its card was shown in. Without either, the edition decides:
Feishu (open.feishu.cn) Chinese, Lark (open.larksuite.com) English.
"""

from __future__ import annotations

from core.models import User
from tests.support.feishu import feishu_rig
from tests.support.feishu_user import FeishuUser, buttons, labels, new_code

CHINESE_CLIENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Lark/7.27.8 LarkLocale/zh_CN"
ENGLISH_CLIENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/121.0 Safari/537.36 Lark/7.27.8 LarkLocale/en_US"


async def test_the_clients_language_until_the_user_picks_one(clean_db, world):
    async with feishu_rig(clean_db, default_locale="en") as rig:
        rep = FeishuUser(rig, "ou_rep0001", user_agent=CHINESE_CLIENT)
        await rep.say("你好")
        assert "绑定码" in rep.text  # unbound: the prompt already in the client's language
        await rep.say(await new_code(rig.container, "rep"))
        assert "欢迎" in rep.text and "张伟" in rep.text
        menu = rep.cards()[-1]
        assert "📍 签到" in labels(menu) and {b["value"]["g"] for b in buttons(menu)} == {"zh-CN"}
        await rep.tap("签到")  # a click has no user agent: the card's language carries over
        assert "📍 在网页上发送位置" in rep.text and "点聊天框的 +" in rep.text

        await rep.say("/lang")
        await rep.tap("English")
        assert "English" in rep.text
        await rep.say("/agenda")  # still the Chinese client, but the user has chosen
        assert "Today" in rep.text and "今天" not in rep.text
        async with rig.container.sessionmaker() as s:
            assert (await s.get_one(User, world.uid("rep"))).locale == "en"


async def test_an_english_client_on_a_chinese_deployment(clean_db, world):
    async with feishu_rig(clean_db, default_locale="zh-CN", configured_url="https://open.feishu.cn") as rig:
        manager = FeishuUser(rig, "ou_mgr0001", user_agent=ENGLISH_CLIENT)
        await rig.bind("manager", manager.open_id)
        await manager.say("/checkins")
        assert "Team check-ins" in manager.text
        async with rig.container.sessionmaker() as s:
            assert (await s.get_one(User, world.uid("manager"))).locale is None  # a hint, never a choice


async def test_without_a_user_agent_the_edition_decides(clean_db, world):
    async with feishu_rig(clean_db, default_locale="en", configured_url="https://open.feishu.cn") as rig:
        rep = FeishuUser(rig, "ou_rep0001")
        await rep.say("hello")
        assert "绑定码" in rep.text
    async with feishu_rig(clean_db, default_locale="zh-CN", configured_url="https://open.larksuite.com") as rig:
        rep = FeishuUser(rig, "ou_rep0002")
        await rep.say("你好")
        assert "binding code" in rep.text
    async with feishu_rig(clean_db, default_locale="zh-CN") as rig:  # an unknown host: the deployment's default
        rep = FeishuUser(rig, "ou_rep0003")
        await rep.say("hello")
        assert "绑定码" in rep.text


async def test_notifications_keep_the_language_they_were_written_in(clean_db, world):
    """The notifier writes for a user's chosen language or the default; the buttons it sends say so."""
    from conversations.messages import Action, Choices

    async with feishu_rig(clean_db, default_locale="en", configured_url="https://open.feishu.cn") as rig:
        await rig.bind("rep", "ou_rep0001")
        await rig.adapter.send("ou_rep0001", [Choices("Follow up today?", (Action("Done", token="fu.-.d1.Ab12Cd"),))])
        (sent,) = rig.fake.messages("ou_rep0001")
        assert buttons(sent["content"])[0]["value"]["g"] == "en"
