"""Resident sign-up in private: the whole flow, its refusals, and what it stores."""

from datetime import timedelta

from bot.domain.models import ResidentRole, ResidentStatus
from tests.conftest import make_config
from tests.people import DUTCH_RESIDENT, INITIATOR, OPERATOR, RESIDENT, STRANGER
from tests.world import World, alerts, last_message, nl, sent


async def test_open_sign_up_stores_the_answers(world: World) -> None:
    complex_ = await world.new_complex()
    calls = await world.sign_up(RESIDENT, complex_.resident_code, building="B, 3rd floor",
                                interests=("Music", "Sports"), organise=True)
    assert "Welcome to <b>De Toren</b>, Rosa! You are signed up." in last_message(calls).text
    resident = await world.repos.people.resident_of(RESIDENT["id"])
    assert resident is not None
    assert resident.complex_id == complex_.id
    assert (resident.first_name, resident.building) == ("Rosa", "B, 3rd floor")
    assert resident.interests == ("music", "sports")
    assert resident.wants_to_organise and resident.wants_introductions
    assert resident.role is ResidentRole.RESIDENT and resident.status is ResidentStatus.ACTIVE
    assert await world.repos.people.language_of(RESIDENT["id"]) == "en"
    assert await world.repos.drafts.get(RESIDENT["id"]) is None


async def test_typed_name_and_skipped_building(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code, name="  Rosa   Maria ", building=None,
                        interests=())
    resident = await world.repos.people.resident_of(RESIDENT["id"])
    assert resident is not None
    assert resident.first_name == "Rosa Maria" and resident.building is None
    assert resident.interests == ()


async def test_the_flow_speaks_dutch_and_survives_a_restart(tmp_path, clock) -> None:
    assert nl("I agree") != "I agree", "the Dutch catalog is not filled in"
    world = await World.start(make_config(tmp_path), clock)
    try:
        complex_ = await world.new_complex()
        first = last_message(await world.say(DUTCH_RESIDENT, f"/start {complex_.resident_code}"))
        # Telegram says this person speaks Dutch, so the very first question is Dutch.
        assert first.text == nl("Welcome! You are signing up for <b>{complex}</b>. Which "
                                "language would you like me to use?").format(complex="De Toren")
        consent = last_message(await world.press(DUTCH_RESIDENT, first, "su:language:nl"))
        assert [b["text"] for b in consent.buttons] == [nl("I agree"), nl("No, thanks")]
        name = last_message(await world.press(DUTCH_RESIDENT, consent, "su:consent:yes"))
        assert name.text == nl("What is your first name? Type it, or use the button.")
    finally:
        await world.stop()
    world = await World.start(make_config(tmp_path), clock)
    try:
        # The answers so far survive a restart: the draft lives in the database.
        building = last_message(await world.say(DUTCH_RESIDENT, "Daan"))
        assert building.text == nl(
            "Which building or floor do you live on? It helps to introduce you to close "
            "neighbours. Type it (for example: B, 3rd floor), or skip.")
        draft = await world.repos.drafts.get(DUTCH_RESIDENT["id"])
        assert draft is not None and draft.data["first_name"] == "Daan"
    finally:
        await world.stop()


async def test_declining_consent_keeps_nothing(world: World) -> None:
    complex_ = await world.new_complex()
    first = last_message(await world.say(RESIDENT, f"/start {complex_.resident_code}"))
    consent = last_message(await world.press(RESIDENT, first, "su:language:en"))
    calls = await world.press(RESIDENT, consent, "su:consent:no")
    assert "nothing was kept" in last_message(calls).text
    assert await world.repos.drafts.get(RESIDENT["id"]) is None
    assert await world.repos.people.resident_of(RESIDENT["id"]) is None
    assert await world.repos.people.language_of(RESIDENT["id"]) is None


async def _at_name_step(world: World, person: dict) -> None:
    complex_ = await world.new_complex()
    first = last_message(await world.say(person, f"/start {complex_.resident_code}"))
    consent = last_message(await world.press(person, first, "su:language:en"))
    await world.press(person, consent, "su:consent:yes")


async def test_bad_names_are_refused_and_change_nothing(world: World) -> None:
    await _at_name_step(world, RESIDENT)
    for bad, answer in [
        ("x" * 65, "That is too long: at most 64 characters, please."),
        ("x" * 5000, "That is too long: at most 64 characters, please."),
        ("Rosa\nMaria", "Please keep it to one line."),
        ("   ", "Please type some text."),
    ]:
        calls = await world.say(RESIDENT, bad)
        assert last_message(calls).text == answer
        draft = await world.repos.drafts.get(RESIDENT["id"])
        assert draft is not None and draft.step == "name" and "first_name" not in draft.data


async def test_text_where_a_button_is_expected(world: World) -> None:
    complex_ = await world.new_complex()
    await world.say(RESIDENT, f"/start {complex_.resident_code}")
    calls = await world.say(RESIDENT, "English please")
    assert sent(calls)[0].text == "Please choose one of the buttons."
    assert "Which language" in sent(calls)[1].text
    draft = await world.repos.drafts.get(RESIDENT["id"])
    assert draft is not None and draft.step == "language"


async def test_a_photo_where_text_is_expected(world: World) -> None:
    await _at_name_step(world, RESIDENT)
    chat = world.telegram.private_chat(RESIDENT)
    calls = await world.feed(world.telegram.photo_update(RESIDENT, chat))
    assert last_message(calls).text == "Please answer with text."


async def test_forged_and_stale_buttons_change_nothing(world: World) -> None:
    complex_ = await world.new_complex()
    first = last_message(await world.say(RESIDENT, f"/start {complex_.resident_code}"))
    chat, message_id = RESIDENT["id"], first.result["message_id"]
    for data in ["su:language:xx", "su:consent:yes", "su:language", "su:x:y:z", "su:"]:
        calls = await world.feed(world.telegram.press_update(RESIDENT, chat, message_id, data))
        assert alerts(calls) == ["This button is no longer valid."], data
    draft = await world.repos.drafts.get(RESIDENT["id"])
    assert draft is not None and draft.step == "language" and "language" not in draft.data
    consent = last_message(await world.press(RESIDENT, first, "su:language:en"))
    # The language button again, now that the flow moved on: stale.
    calls = await world.feed(world.telegram.press_update(RESIDENT, chat, message_id,
                                                         "su:language:nl"))
    assert alerts(calls) == ["This button is no longer valid."]
    assert (await world.repos.drafts.get(RESIDENT["id"])).data["language"] == "en"
    # Someone else pressing a sign-up button has no draft: stale, nothing created.
    calls = await world.feed(world.telegram.press_update(STRANGER, chat, consent.result[
        "message_id"], "su:consent:yes"))
    assert alerts(calls) == ["This button is no longer valid."]
    assert await world.repos.drafts.get(STRANGER["id"]) is None


async def test_interests_toggle_and_forged_interest(world: World) -> None:
    complex_ = await world.new_complex()
    step = last_message(await world.say(RESIDENT, f"/start {complex_.resident_code}"))
    step = last_message(await world.press(RESIDENT, step, "su:language:en"))
    step = last_message(await world.press(RESIDENT, step, "su:consent:yes"))
    step = last_message(await world.press(RESIDENT, step, "su:name:telegram"))
    interests = last_message(await world.press(RESIDENT, step, "su:building:skip"))
    assert len(interests.buttons) >= 11  # at least 10 interests and Done
    await world.press(RESIDENT, interests, "su:interests:music")
    await world.press(RESIDENT, interests, "su:interests:cooking")
    calls = await world.press(RESIDENT, interests, "su:interests:music")
    markup = calls[-1]
    assert markup.method == "editMessageReplyMarkup"
    labels = [b["text"] for b in markup.buttons]
    assert "✅ Cooking and eating together" in labels and "Music" in labels
    forged = await world.feed(world.telegram.press_update(
        RESIDENT, RESIDENT["id"], interests.result["message_id"], "su:interests:hacking"))
    assert alerts(forged) == ["This button is no longer valid."]
    assert (await world.repos.drafts.get(RESIDENT["id"])).data["interests"] == ["cooking"]


async def test_start_again_from_the_summary(world: World) -> None:
    complex_ = await world.new_complex()
    step = last_message(await world.say(RESIDENT, f"/start {complex_.resident_code}"))
    for data in ["su:language:en", "su:consent:yes", "su:name:telegram", "su:building:skip",
                 "su:interests:done", "su:organise:no", "su:introductions:no"]:
        step = last_message(await world.press(RESIDENT, step, data))
    assert step.text.startswith("Please check your answers:")
    again = last_message(await world.press(RESIDENT, step, "su:confirm:restart"))
    assert again.text.startswith("What is your first name?")
    assert await world.repos.people.resident_of(RESIDENT["id"]) is None


async def test_cancel_stops_the_sign_up(world: World) -> None:
    await _at_name_step(world, RESIDENT)
    calls = await world.say(RESIDENT, "/cancel")
    assert last_message(calls).text == "Stopped. Nothing of what you were doing was saved."
    assert await world.repos.drafts.get(RESIDENT["id"]) is None
    calls = await world.say(RESIDENT, "Rosa")
    assert last_message(calls).text == "I did not understand that. /help shows what you can do."
    calls = await world.say(RESIDENT, "/cancel")
    assert last_message(calls).text == "There is nothing to stop."


async def test_unknown_links(world: World) -> None:
    for code in ["r_doesnotexist", "i_doesnotexist", "c_doesnotexist", "hello"]:
        calls = await world.say(STRANGER, f"/start {code}")
        assert last_message(calls).text.startswith("I do not know this link."), code
    assert await world.repos.drafts.get(STRANGER["id"]) is None


async def test_a_second_sign_up_is_refused(world: World) -> None:
    toren = await world.new_complex()
    blok = await world.new_complex("Het Blok; 80; Delft; nl")
    await world.sign_up(RESIDENT, toren.resident_code)
    calls = await world.say(RESIDENT, f"/start {blok.resident_code}")
    assert "You are already signed up for <b>De Toren</b>" in last_message(calls).text
    calls = await world.say(RESIDENT, f"/start {toren.resident_code}")
    assert "/profile" in last_message(calls).text
    assert await world.repos.drafts.get(RESIDENT["id"]) is None
    assert (await world.repos.people.resident_of(RESIDENT["id"])).complex_id == toren.id


async def test_initiator_link_makes_an_initiator(world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    calls = await world.sign_up(INITIATOR, complex_.initiator_code)
    assert "You are signed up as an initiator" in last_message(calls).text
    initiator = await world.repos.people.resident_of(INITIATOR["id"])
    assert initiator is not None and initiator.is_initiator  # no approval needed


async def test_initiator_link_promotes_an_existing_resident(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code)
    calls = await world.say(RESIDENT, f"/start {complex_.initiator_code}")
    assert "You are now an initiator of <b>De Toren</b>" in last_message(calls).text
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_initiator


async def test_approval_policy_asks_initiators(world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    await world.sign_up(INITIATOR, complex_.initiator_code)
    calls = await world.sign_up(RESIDENT, complex_.resident_code)
    assert "will look at your sign-up" in last_message(calls, RESIDENT["id"]).text
    question = last_message(calls, INITIATOR["id"])
    assert "<b>Rosa</b> would like to join <b>De Toren</b>" in question.text
    resident = await world.repos.people.resident_of(RESIDENT["id"])
    assert resident is not None and resident.status is ResidentStatus.PENDING
    # A pending resident cannot sign up again meanwhile.
    again = await world.say(RESIDENT, f"/start {complex_.resident_code}")
    assert "waiting for an initiator's approval" in last_message(again).text
    # Someone who is not an initiator of this complex cannot decide.
    refused = await world.feed(world.telegram.press_update(
        STRANGER, INITIATOR["id"], question.result["message_id"], f"ap:ok:{resident.id}"))
    assert alerts(refused) == ["Only the initiators of this complex can decide on sign-ups."]
    assert (await world.repos.people.resident_of(RESIDENT["id"])).status is \
        ResidentStatus.PENDING
    calls = await world.press(INITIATOR, question, "Approve")
    assert "Rosa was approved." in last_message(calls, INITIATOR["id"]).text
    assert "you are now a member of <b>De Toren</b>" in last_message(calls, RESIDENT["id"]).text
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_active
    late = await world.feed(world.telegram.press_update(
        INITIATOR, INITIATOR["id"], question.result["message_id"], f"ap:no:{resident.id}"))
    assert alerts(late) == ["Someone already decided on this sign-up."]
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_active


async def test_declined_sign_up_is_erased(world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    await world.sign_up(INITIATOR, complex_.initiator_code)
    calls = await world.sign_up(RESIDENT, complex_.resident_code)
    calls = await world.press(INITIATOR, last_message(calls, INITIATOR["id"]), "Decline")
    assert "was not accepted" in last_message(calls, RESIDENT["id"]).text
    assert await world.repos.people.resident_of(RESIDENT["id"]) is None


async def test_without_initiators_the_operators_decide(world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    calls = await world.sign_up(RESIDENT, complex_.resident_code)
    question = last_message(calls, OPERATOR["id"])
    await world.press(OPERATOR, question, "Approve")
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_active


async def test_forged_approval_buttons(world: World) -> None:
    complex_ = await world.new_complex()
    calls = await world.sign_up(INITIATOR, complex_.initiator_code)
    message_id = last_message(calls).result["message_id"]
    for data in ["ap:ok:abc", "ap:maybe:1", "ap:ok", "ap:ok:1:2"]:
        calls = await world.feed(world.telegram.press_update(
            INITIATOR, INITIATOR["id"], message_id, data))
        assert alerts(calls) == ["This button is no longer valid."], data
    calls = await world.feed(world.telegram.press_update(
        INITIATOR, INITIATOR["id"], message_id, "ap:ok:999"))
    assert alerts(calls) == ["This button is no longer valid."]


async def test_start_in_a_group_points_to_private(world: World) -> None:
    calls = await world.say(RESIDENT, "/start", world.group())
    message = last_message(calls)
    assert message.chat_id == world.group()["id"]
    assert message.buttons[0]["url"] == "https://t.me/BuurtnetBot"


async def test_start_without_code_introduces_the_bot(world: World) -> None:
    calls = await world.say(STRANGER, "/start")
    assert "I am <b>Buurtnet</b>" in last_message(calls).text
    assert "/help" not in last_message(calls).text
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code)
    assert "/help" in last_message(await world.say(RESIDENT, "/start")).text


async def test_a_redelivered_update_is_applied_once(world: World) -> None:
    complex_ = await world.new_complex()
    update = world.telegram.text_update(
        RESIDENT, world.telegram.private_chat(RESIDENT), f"/start {complex_.resident_code}")
    first = await world.feed(update)
    again = await world.feed(update)
    assert sent(first) and not again


async def test_the_sign_up_of_a_removed_person_needs_approval(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.sign_up(RESIDENT, complex_.resident_code)
    resident = await world.repos.people.resident_of(RESIDENT["id"])
    await world.say(INITIATOR, f"/remove {resident.id} not a resident here")
    world.clock.advance(timedelta(days=1))
    calls = await world.sign_up(RESIDENT, complex_.resident_code)
    assert "will look at your sign-up" in last_message(calls, RESIDENT["id"]).text
    assert (await world.repos.people.resident_of(RESIDENT["id"])).status is \
        ResidentStatus.PENDING


async def test_sign_up_for_a_deleted_complex(tmp_path, clock) -> None:
    world = await World.start(make_config(tmp_path), clock)
    try:
        complex_ = await world.new_complex()
        step = last_message(await world.say(RESIDENT, f"/start {complex_.resident_code}"))
        for data in ["su:language:en", "su:consent:yes", "su:name:telegram",
                     "su:building:skip", "su:interests:done", "su:organise:no",
                     "su:introductions:no"]:
            step = last_message(await world.press(RESIDENT, step, data))
        async with world.app.bot_data["services"].db.transaction() as conn:
            await conn.execute("DELETE FROM complexes WHERE id = ?", (complex_.id,))
        calls = await world.press(RESIDENT, step, "su:confirm:yes")
        assert "no longer exists" in last_message(calls).text
        assert await world.repos.people.resident_of(RESIDENT["id"]) is None
    finally:
        await world.stop()


async def test_typing_the_building_takes_the_skip_button_away(world: World) -> None:
    complex_ = await world.new_complex()
    step = last_message(await world.say(RESIDENT, f"/start {complex_.resident_code}"))
    for data in ["su:language:en", "su:consent:yes", "su:name:telegram"]:
        step = last_message(await world.press(RESIDENT, step, data))
    assert [b["callback_data"] for b in step.buttons] == ["1:su:building:skip"]
    calls = await world.say(RESIDENT, "Tower B")
    retired = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert retired and retired[0].params["message_id"] == step.result["message_id"]
    assert "prompt" not in (await world.repos.drafts.get(RESIDENT["id"])).data
