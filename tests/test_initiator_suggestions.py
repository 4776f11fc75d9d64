"""Residents who keep helping are suggested in /members, asked, and answer yes or no."""

from bot.console.offline import Call
from tests.people import DUTCH_RESIDENT, INITIATOR, NEIGHBOUR, RESIDENT, STRANGER
from tests.world import GROUP_ID, World, alerts, last_message, nl, sent

HEADER = "<b>Could become initiators</b>"
ONLY_INITIATORS = "Only initiators of a complex can do that."


async def _complex(world: World):
    """Ivo initiates; Rosa, Noor and Daan (who offered to organise) live there."""
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, organise=True, introductions=False)
    await world.sign_up(RESIDENT, complex_.resident_code, introductions=False)
    await world.sign_up(NEIGHBOUR, complex_.resident_code, building=None, introductions=False)
    await world.sign_up(DUTCH_RESIDENT, complex_.resident_code, language="Nederlands",
                        interests=("Muziek",), organise=True, introductions=False)
    await world.say(INITIATOR, "/linkgroup", world.group())
    return complex_


async def _ids(world: World) -> dict[str, int]:
    return {person["first_name"]: (await world.repos.people.resident_of(person["id"])).id
            for person in (INITIATOR, RESIDENT, NEIGHBOUR, DUTCH_RESIDENT)}


async def _suggestions(world: World) -> Call | None:
    calls = await world.say(INITIATOR, "/members")
    return next((c for c in sent(calls) if c.text.startswith(HEADER)), None)


async def _helping(world: World) -> None:
    """Rosa offers help on two ideas, Noor on one; Noor's own idea becomes an activity."""
    film = last_message(await world.say(INITIATOR, "/idea Film night"), GROUP_ID)
    plants = last_message(await world.say(INITIATOR, "/idea Plant swap"), GROUP_ID)
    await world.say(NEIGHBOUR, "/idea Soup evening")
    await world.press(RESIDENT, film, "idea:help:1")
    await world.press(RESIDENT, plants, "idea:help:2")
    await world.press(NEIGHBOUR, film, "idea:help:1")
    await world.press(NEIGHBOUR, plants, "idea:support:2")


async def _plan_idea(world: World, idea: int) -> None:
    step = last_message(await world.say(INITIATOR, "/plan"))
    step = last_message(await world.press(INITIATOR, step, f"plan:source:{idea}"))
    step = last_message(await world.press(INITIATOR, step, "plan:title:idea"))
    step = last_message(await world.say(INITIATOR, "8 jan 19:30"))
    step = last_message(await world.say(INITIATOR, "Common room"))
    await world.press(INITIATOR, step, "Confirm")


async def test_members_suggests_who_keeps_helping(world: World) -> None:
    await _complex(world)
    ids = await _ids(world)
    first = await _suggestions(world)
    assert first.text == (
        f"{HEADER}\nThese residents keep helping. Shall I ask them whether they would like "
        f"to become an initiator?\n#{ids['Daan']} Daan (B) — offered to help organise when "
        "signing up")
    await _helping(world)
    assert f"#{ids['Rosa']} Rosa (B) — offered help on 2 ideas" in \
        (await _suggestions(world)).text
    assert "Noor" not in (await _suggestions(world)).text  # one offer of help is not enough
    await _plan_idea(world, 3)
    suggestions = await _suggestions(world)
    assert suggestions.text.split("\n")[2:] == [
        f"#{ids['Rosa']} Rosa (B) — offered help on 2 ideas",
        f"#{ids['Noor']} Noor — their idea became an activity",
        f"#{ids['Daan']} Daan (B) — offered to help organise when signing up",
    ]
    assert [(b["text"], b["callback_data"]) for b in suggestions.buttons] == [
        (f"Make #{ids['Rosa']} Rosa an initiator", f"1:init:ask:{ids['Rosa']}"),
        (f"Make #{ids['Noor']} Noor an initiator", f"1:init:ask:{ids['Noor']}"),
        (f"Make #{ids['Daan']} Daan an initiator", f"1:init:ask:{ids['Daan']}"),
    ]
    assert "Ivo" not in suggestions.text  # initiators are not suggested


async def test_no_suggestions_no_section(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, organise=True)
    await world.sign_up(RESIDENT, complex_.resident_code)
    assert await _suggestions(world) is None


async def test_a_resident_says_yes(world: World) -> None:
    await _complex(world)
    await _helping(world)
    rosa = (await _ids(world))["Rosa"]
    suggestions = await _suggestions(world)
    calls = await world.press(INITIATOR, suggestions, f"init:ask:{rosa}")
    assert alerts(calls) == ["I asked Rosa; I will tell you the answer."]
    assert f"1:init:ask:{rosa}" not in [b["callback_data"] for b in _current_buttons(
        world, suggestions)]
    question = last_message(calls, RESIDENT["id"])
    assert question.text == (
        "Ivo, an initiator of <b>De Toren</b>, saw how you help out. Would you like to become "
        "an initiator too? Initiators organise activities and welcome new neighbours.")
    assert "Rosa" not in (await _suggestions(world)).text
    answered = await world.press(RESIDENT, question, "Yes, I'd like that")
    assert last_message(answered, RESIDENT["id"]).text == (
        "Welcome aboard: you are now an initiator of <b>De Toren</b>. /help shows what you "
        "can do.")
    assert last_message(answered, INITIATOR["id"]).text == \
        "Rosa said yes: they are now an initiator of De Toren."
    menu = [c for c in answered if c.method == "setMyCommands"]
    assert menu and menu[-1].params["scope"] == {"type": "chat", "chat_id": RESIDENT["id"]}
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_initiator
    again = await world.feed(world.telegram.press_update(
        RESIDENT, RESIDENT["id"], question.result["message_id"], f"init:no:{rosa}"))
    assert alerts(again) == ["You already answered."]
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_initiator


async def test_a_resident_says_no_thanks_in_their_language(world: World) -> None:
    await _complex(world)
    daan = (await _ids(world))["Daan"]
    calls = await world.press(INITIATOR, await _suggestions(world), f"init:ask:{daan}")
    question = last_message(calls, DUTCH_RESIDENT["id"])
    assert question.text == nl(
        "{initiator}, an initiator of <b>{complex}</b>, saw how you help out. Would you "
        "like to become an initiator too? Initiators organise activities and welcome new "
        "neighbours.").format(initiator="Ivo", complex="De Toren")
    assert [b["callback_data"] for b in question.buttons] == [f"1:init:yes:{daan}",
                                                             f"1:init:no:{daan}"]
    answered = await world.press(DUTCH_RESIDENT, question, f"init:no:{daan}")
    assert last_message(answered, DUTCH_RESIDENT["id"]).text == \
        nl("No problem, and thank you for helping out!")
    assert last_message(answered, INITIATOR["id"]).text == (
        "Daan would rather not become an initiator now. Thank you for asking; I will not "
        "suggest them again.")
    assert not (await world.repos.people.resident_of(DUTCH_RESIDENT["id"])).is_initiator
    assert await _suggestions(world) is None
    again = await world.feed(world.telegram.press_update(
        DUTCH_RESIDENT, DUTCH_RESIDENT["id"], question.result["message_id"], f"init:yes:{daan}"))
    assert alerts(again) == [nl("You already answered.")]
    assert not (await world.repos.people.resident_of(DUTCH_RESIDENT["id"])).is_initiator


async def test_forged_and_repeated_buttons_change_nothing(world: World) -> None:
    await _complex(world)
    ids = await _ids(world)
    other = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(STRANGER, other.initiator_code)  # Sam: initiator elsewhere
    suggestions = await _suggestions(world)
    key = (INITIATOR["id"], suggestions.result["message_id"])

    async def press(person: dict, data: str) -> list[str]:
        return alerts(await world.feed(world.telegram.press_update(person, *key, data)))

    for person, data, answer in [
        (RESIDENT, f"init:ask:{ids['Daan']}", ONLY_INITIATORS),
        (STRANGER, f"init:ask:{ids['Daan']}", ONLY_INITIATORS),
        (INITIATOR, "init:ask:999", "This button is no longer valid."),
        (INITIATOR, "init:ask:x", "This button is no longer valid."),
        (INITIATOR, f"init:maybe:{ids['Daan']}", "This button is no longer valid."),
        (INITIATOR, f"init:ask:{ids['Ivo']}", "Ivo is already an initiator."),
        (RESIDENT, f"init:yes:{ids['Rosa']}", "This button is no longer valid."),  # never asked
    ]:
        assert await press(person, data) == [answer], (person["first_name"], data)
    assert await world.repos.suggestions.invitation(ids["Daan"]) is None
    assert (await press(INITIATOR, f"init:ask:{ids['Daan']}")) == \
        ["I asked Daan; I will tell you the answer."]
    assert await press(INITIATOR, f"init:ask:{ids['Daan']}") == ["Daan has already been asked."]
    # Only Daan can answer Daan's question.
    assert await press(NEIGHBOUR, f"init:yes:{ids['Daan']}") == \
        ["This button is no longer valid."]
    assert await press(STRANGER, f"init:yes:{ids['Daan']}") == \
        ["This button is no longer valid."]
    invitation = await world.repos.suggestions.invitation(ids["Daan"])
    assert invitation.answer is None and invitation.asked_by == ids["Ivo"]
    assert not (await world.repos.people.resident_of(DUTCH_RESIDENT["id"])).is_initiator
    assert not (await world.repos.people.resident_of(NEIGHBOUR["id"])).is_initiator


def _current_buttons(world: World, call: Call) -> list[dict]:
    message = world.telegram.messages[(call.chat_id, call.result["message_id"])]
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row]
