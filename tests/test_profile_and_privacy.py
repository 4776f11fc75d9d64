"""/profile, /leave, /mydata, /forgetme, /language, /privacy, /help and what is left over."""

import json

from telegram import Update

from tests.people import CONTACT, INITIATOR, OPERATOR, RESIDENT, STRANGER
from tests.world import GROUP_ID, World, alerts, last_message, nl, sent


async def _resident(world: World):
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code)
    return complex_


async def test_profile_shows_and_edits(world: World) -> None:
    await _resident(world)
    profile = last_message(await world.say(RESIDENT, "/profile"))
    assert "<b>Your profile</b> in De Toren (resident)" in profile.text
    assert "Name: Rosa" in profile.text and "Interests: Music" in profile.text
    question = last_message(await world.press(RESIDENT, profile, "pf:name"))
    assert question.text == "What is your first name?"
    calls = await world.say(RESIDENT, "x" * 65)
    assert "at most 64 characters" in last_message(calls).text
    calls = await world.say(RESIDENT, "Rosalie")
    assert "Name: Rosalie" in last_message(calls).text
    assert (await world.repos.people.resident_of(RESIDENT["id"])).first_name == "Rosalie"
    building = last_message(await world.press(RESIDENT, profile, "pf:building"))
    await world.say(RESIDENT, "Tower A")
    assert (await world.repos.people.resident_of(RESIDENT["id"])).building == "Tower A"
    await world.press(RESIDENT, building, "pf:building:remove")
    assert (await world.repos.people.resident_of(RESIDENT["id"])).building is None
    calls = await world.press(RESIDENT, profile, "pf:organise")
    assert "Help organise: yes" in last_message(calls).text
    await world.press(RESIDENT, profile, "pf:intro")
    resident = await world.repos.people.resident_of(RESIDENT["id"])
    assert resident.wants_to_organise and not resident.wants_introductions


async def test_profile_interests(world: World) -> None:
    await _resident(world)
    profile = last_message(await world.say(RESIDENT, "/profile"))
    chooser = last_message(await world.press(RESIDENT, profile, "pf:interests"))
    await world.press(RESIDENT, chooser, "pf:int:music")
    await world.press(RESIDENT, chooser, "pf:int:films")
    calls = await world.press(RESIDENT, chooser, "pf:int:done")
    assert last_message(calls).text == "Your interests: Films and series"
    forged = await world.feed(world.telegram.press_update(
        RESIDENT, RESIDENT["id"], chooser.result["message_id"], "pf:int:hacking"))
    assert alerts(forged) == ["This button is no longer valid."]
    assert (await world.repos.people.resident_of(RESIDENT["id"])).interests == ("films",)


async def test_profile_refusals(world: World) -> None:
    complex_ = await _resident(world)
    assert last_message(await world.say(STRANGER, "/profile")).text.startswith(
        "You are not signed up in a complex.")
    assert last_message(await world.say(RESIDENT, "/profile", world.group())).text == \
        "Please use this command in a private chat with me."
    profile = last_message(await world.say(RESIDENT, "/profile"))
    for person, data in [(STRANGER, "pf:name"), (RESIDENT, "pf:colour"), (RESIDENT, "pf:a:b:c"),
                         (RESIDENT, "pf:name:x")]:
        calls = await world.feed(world.telegram.press_update(
            person, RESIDENT["id"], profile.result["message_id"], data))
        assert alerts(calls) == ["This button is no longer valid."], data
    assert await world.repos.drafts.get(STRANGER["id"]) is None
    assert complex_ is not None


async def test_leave(world: World) -> None:
    await _resident(world)
    question = last_message(await world.say(RESIDENT, "/leave"))
    calls = await world.press(RESIDENT, question, "lv:no")
    assert last_message(calls).text == "Good, you stay."
    assert await world.repos.people.resident_of(RESIDENT["id"]) is not None
    question = last_message(await world.say(RESIDENT, "/leave"))
    calls = await world.press(RESIDENT, question, "lv:yes")
    assert "You left <b>De Toren</b>" in last_message(calls).text
    assert await world.repos.people.resident_of(RESIDENT["id"]) is None
    again = await world.feed(world.telegram.press_update(
        RESIDENT, RESIDENT["id"], question.result["message_id"], "lv:yes"))
    assert alerts(again) == ["This button is no longer valid."]
    assert last_message(await world.say(RESIDENT, "/leave")).text.startswith(
        "You are not signed up in a complex.")


async def test_leave_and_join_again(world: World) -> None:
    complex_ = await _resident(world)
    question = last_message(await world.say(RESIDENT, "/leave"))
    await world.press(RESIDENT, question, "lv:yes")
    await world.sign_up(RESIDENT, complex_.resident_code, name="Rosa")
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_active


async def test_mydata_exports_everything(world: World) -> None:
    complex_ = await _resident(world)
    await world.contact_joins(RESIDENT, complex_, "peer")
    calls = await world.say(RESIDENT, "/mydata")
    document = [c for c in calls if c.method == "sendDocument"][-1]
    name, content, _mime = next(iter(document.files.values()))
    assert name == "buurtnet-mydata.json"
    export = json.loads(content)
    assert export["telegram_user_id"] == RESIDENT["id"]
    assert export["data"]["residents"][0]["first_name"] == "Rosa"
    assert export["data"]["resident_interests"][0]["interest"] == "music"
    assert export["data"]["contacts"][0]["kind"] == "peer"
    assert export["data"]["users"][0]["language"] == "en"
    assert last_message(await world.say(RESIDENT, "/mydata", world.group())).text == \
        "Please use this command in a private chat with me."


async def test_forgetme_erases_everything(world: World) -> None:
    complex_ = await _resident(world)
    await world.contact_joins(RESIDENT, complex_, "peer")
    question = last_message(await world.say(RESIDENT, "/forgetme"))
    assert last_message(await world.press(RESIDENT, question, "fg:no")).text == \
        "Nothing was erased."
    assert await world.repos.people.resident_of(RESIDENT["id"]) is not None
    question = last_message(await world.say(RESIDENT, "/forgetme"))
    calls = await world.press(RESIDENT, question, "fg:yes")
    assert last_message(calls).text == "Done: everything I kept about you is erased."
    export = await world.repos.people.export(RESIDENT["id"])
    assert all(rows == [] for rows in export.values()), export
    forged = await world.feed(world.telegram.press_update(
        RESIDENT, RESIDENT["id"], question.result["message_id"], "fg:maybe"))
    assert alerts(forged) == ["This button is no longer valid."]


async def test_language_choice_is_remembered(world: World) -> None:
    question = last_message(await world.say(STRANGER, "/language"))
    calls = await world.press(STRANGER, question, "lang:nl")
    assert last_message(calls).text == nl("From now on I will write to you in English.")
    assert await world.repos.people.language_of(STRANGER["id"]) == "nl"
    help_text = last_message(await world.say(STRANGER, "/help")).text
    assert help_text.startswith(nl("<b>What you can do</b>"))
    forged = await world.feed(world.telegram.press_update(
        STRANGER, STRANGER["id"], question.result["message_id"], "lang:fr"))
    assert alerts(forged) == [nl("This button is no longer valid.")]
    assert await world.repos.people.language_of(STRANGER["id"]) == "nl"


async def test_help_fits_the_role(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.sign_up(RESIDENT, complex_.resident_code)
    await world.contact_joins(CONTACT, complex_, "police")

    def commands(text: str) -> set[str]:
        return {line.split(" ")[0] for line in text.splitlines() if line.startswith("/")}

    stranger = commands(last_message(await world.say(STRANGER, "/help")).text)
    resident = commands(last_message(await world.say(RESIDENT, "/help")).text)
    initiator = commands(last_message(await world.say(INITIATOR, "/help")).text)
    contact = commands(last_message(await world.say(CONTACT, "/help")).text)
    operator = commands(last_message(await world.say(OPERATOR, "/help")).text)
    assert "/help" in stranger and "/profile" not in stranger and "/members" not in stranger
    assert "/profile" in resident and "/members" not in resident
    assert {"/members", "/promote", "/remove", "/linkgroup"} <= initiator
    assert "/complexes" in contact and "/members" not in contact
    assert {"/newcomplex", "/invitecontact"} <= operator and "/newcomplex" not in initiator
    group = last_message(await world.say(RESIDENT, "/help", world.group())).text
    assert "/start" in group and "/members" not in group


async def test_privacy_notice(world: World) -> None:
    text = last_message(await world.say(STRANGER, "/privacy")).text
    assert "/mydata" in text and "/forgetme" in text and "phone" in text


async def test_leftovers_get_a_clear_answer(world: World) -> None:
    assert last_message(await world.say(STRANGER, "/frobnicate")).text == \
        "I do not know that command. /help shows what you can do."
    assert last_message(await world.say(STRANGER, "hello")).text == \
        "I did not understand that. /help shows what you can do."
    chat = world.telegram.private_chat(STRANGER)
    assert last_message(await world.feed(world.telegram.photo_update(STRANGER, chat))).text == \
        "I did not understand that. /help shows what you can do."
    message = last_message(await world.say(STRANGER, "/language"))
    calls = await world.feed(world.telegram.press_update(
        STRANGER, STRANGER["id"], message.result["message_id"], "zz:top"))
    assert alerts(calls) == ["This button is no longer valid."]


async def test_start_up_sets_the_command_menus(world: World) -> None:
    menus = [c for c in world.telegram.calls if c.method == "setMyCommands"]
    scopes = {(c.params["scope"]["type"], c.params.get("language_code")) for c in menus}
    for language in ("nl", "en", None):
        for scope in ("all_private_chats", "all_group_chats", "all_chat_administrators"):
            assert (scope, language) in scopes
    operator = [c for c in menus if c.params["scope"] == {"type": "chat",
                                                          "chat_id": OPERATOR["id"]}]
    assert "newcomplex" in [c["command"] for c in operator[-1].params["commands"]]
    dutch = next(c for c in menus if c.params.get("language_code") == "nl"
             and c.params["scope"]["type"] == "all_private_chats")
    help_entry = next(c for c in dutch.params["commands"] if c["command"] == "help")
    assert help_entry["description"] == nl("The commands you can use")


async def test_an_error_is_reported_briefly(world: World) -> None:
    await world.app.bot_data["services"].db.close()  # the database goes away
    first = len(world.telegram.calls)
    update = world.telegram.text_update(RESIDENT, world.telegram.private_chat(RESIDENT),
                                        "/profile")
    await world.app.process_update(Update.de_json(update, world.app.bot))
    calls = world.telegram.calls[first:]
    assert "something went wrong on my side" in sent(calls, RESIDENT["id"])[-1].text
    assert "Buurtnet hit an error" in sent(calls, OPERATOR["id"])[-1].text


async def test_language_is_chosen_in_private_only(world: World) -> None:
    asked = last_message(await world.say(RESIDENT, "/language", world.group()))
    assert asked.text == "Please use this command in a private chat with me."
    assert asked.buttons[0]["url"].startswith("https://t.me/")
    # A language button on a group message (posted before this was private-only) is refused.
    pressed = await world.feed(world.telegram.press_update(RESIDENT, GROUP_ID, 1, "lang:nl"))
    assert alerts(pressed) == ["This button only works in a private chat with me."]
    assert await world.repos.people.language_of(RESIDENT["id"]) is None
