"""Linking the complex's group chat, the house rules, and greeting new members."""

from bot.console.offline import BOT_USER
from tests.people import CONTACT, INITIATOR, NEIGHBOUR, OPERATOR, RESIDENT, STRANGER
from tests.world import GROUP_ID, World, alerts, last_message, nl, sent


async def _bot_added(world: World) -> list:
    return await world.feed(world.telegram.new_members_update(world.group(), [BOT_USER],
                                                              INITIATOR))


async def test_initiator_links_the_group(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    hello = last_message(await _bot_added(world))
    assert hello.chat_id == GROUP_ID and "/linkgroup" in hello.text
    calls = await world.say(INITIATOR, "/linkgroup@BuurtnetBot", world.group())
    posted = last_message(calls)
    assert posted.chat_id == GROUP_ID
    assert "This group is now the group chat of <b>De Toren</b>" in posted.text
    for rule in ("112", "0900-8844", "privately", "law into your own hands", "photos", "kind"):
        assert rule in posted.text
    assert posted.buttons[0]["url"] == \
        f"https://t.me/BuurtnetBot?start={complex_.resident_code}"
    assert (await world.repos.complexes.get(complex_.id)).group_chat_id == GROUP_ID
    again = await world.say(INITIATOR, "/linkgroup", world.group())
    assert last_message(again).text == "This group is already linked to De Toren."


async def test_group_posts_use_the_complex_language(world: World) -> None:
    complex_ = await world.new_complex("Het Blok; 80; Delft; nl")
    await world.sign_up(INITIATOR, complex_.initiator_code)  # Ivo speaks English
    calls = await world.say(INITIATOR, "/linkgroup", world.group())
    assert last_message(calls).text.startswith(
        nl("This group is now the group chat of <b>{complex}</b>. Neighbours can sign up "
           "with the button below.").format(complex="Het Blok"))
    welcome = last_message(await world.feed(
        world.telegram.new_members_update(world.group(), [NEIGHBOUR], NEIGHBOUR)))
    assert welcome.text == nl("Welcome, {names}! Get to know your neighbours in {complex}: "
                              "sign up privately with the button.").format(
        names="Noor", complex="Het Blok")
    assert welcome.buttons[0]["url"].endswith(complex_.resident_code)


async def test_new_members_are_greeted_with_a_sign_up_button(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.say(INITIATOR, "/linkgroup", world.group())
    other_bot = {"id": 99, "is_bot": True, "first_name": "Helper"}
    calls = await world.feed(world.telegram.new_members_update(
        world.group(), [NEIGHBOUR, RESIDENT, other_bot], NEIGHBOUR))
    welcome = last_message(calls)
    assert "Welcome, Noor, Rosa!" in welcome.text and "Helper" not in welcome.text
    assert welcome.buttons[0]["url"] == \
        f"https://t.me/BuurtnetBot?start={complex_.resident_code}"
    only_bots = await world.feed(world.telegram.new_members_update(
        world.group(), [other_bot], NEIGHBOUR))
    assert sent(only_bots) == []


async def test_unlinked_group_greets_nobody(world: World) -> None:
    calls = await world.feed(world.telegram.new_members_update(world.group(), [NEIGHBOUR],
                                                               NEIGHBOUR))
    assert sent(calls) == []


async def test_who_may_link(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code)
    for person in (STRANGER, RESIDENT):
        calls = await world.say(person, "/linkgroup", world.group())
        assert last_message(calls).text == \
            "Only an initiator or contact of a complex can link its group."
    assert (await world.repos.complexes.get(complex_.id)).group_chat_id is None
    calls = await world.say(INITIATOR, "/linkgroup")
    assert last_message(calls).text == "This command only works in the complex's group chat."
    await world.contact_joins(CONTACT, complex_, "municipality")
    await world.say(CONTACT, "/linkgroup", world.group())
    assert (await world.repos.complexes.get(complex_.id)).group_chat_id == GROUP_ID


async def test_choosing_among_several_complexes(world: World) -> None:
    toren = await world.new_complex()
    blok = await world.new_complex("Het Blok; 80; Delft; en")
    await world.contact_joins(CONTACT, toren, "municipality")
    await world.contact_joins(CONTACT, blok, "municipality")
    question = last_message(await world.say(CONTACT, "/linkgroup", world.group()))
    assert question.text == "Which complex is this group for?"
    assert [b["callback_data"] for b in question.buttons] == [f"1:lg:{toren.id}", f"1:lg:{blok.id}"]
    # A group member who is no contact of that complex presses the button: refused.
    refused = await world.press(STRANGER, question, f"lg:{blok.id}")
    assert alerts(refused) == [
        "Only an initiator or contact of that complex can link this group to it."]
    for data in ("lg:999", "lg:x", "lg:1:2"):
        calls = await world.feed(world.telegram.press_update(
            CONTACT, GROUP_ID, question.result["message_id"], data))
        assert alerts(calls), data
    assert (await world.repos.complexes.get(blok.id)).group_chat_id is None
    await world.press(CONTACT, question, f"lg:{blok.id}")
    assert (await world.repos.complexes.get(blok.id)).group_chat_id == GROUP_ID


async def test_a_group_belongs_to_one_complex(world: World) -> None:
    toren = await world.new_complex()
    blok = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(INITIATOR, toren.initiator_code)
    await world.say(INITIATOR, "/linkgroup", world.group())
    await world.contact_joins(CONTACT, blok, "police")
    calls = await world.say(CONTACT, "/linkgroup", world.group())
    assert last_message(calls).text == "This group is already linked to De Toren."
    assert (await world.repos.complexes.get(blok.id)).group_chat_id is None


async def test_operator_may_link_any_complex(world: World) -> None:
    complex_ = await world.new_complex()
    await world.say(OPERATOR, "/linkgroup", world.group())
    assert (await world.repos.complexes.get(complex_.id)).group_chat_id == GROUP_ID


async def test_bot_removed_or_group_upgraded(world: World) -> None:
    complex_ = await world.new_complex()
    await world.say(OPERATOR, "/linkgroup", world.group())
    migrate = world.telegram.text_update(OPERATOR, world.group(), "x")
    del migrate["message"]["text"]
    migrate["message"]["migrate_to_chat_id"] = -100999
    await world.feed(migrate)
    assert (await world.repos.complexes.get(complex_.id)).group_chat_id == -100999
    new_group = world.telegram.group_chat(-100999, "Residents")
    await world.feed(world.telegram.left_member_update(new_group, BOT_USER, OPERATOR))
    assert (await world.repos.complexes.get(complex_.id)).group_chat_id is None


async def test_plain_group_messages_are_ignored(world: World) -> None:
    complex_ = await world.new_complex()
    await world.say(OPERATOR, "/linkgroup", world.group())
    assert complex_ is not None
    calls = await world.say(RESIDENT, "hello everyone", world.group())
    assert sent(calls) == []
    calls = await world.say(RESIDENT, "/nonsense", world.group())
    assert sent(calls) == []
