"""Typing a button's label, in either language, counts as pressing it."""

from bot.domain.reports import WHEN_TODAY
from handlers.presses import labels_of, typed_form
from tests.people import DUTCH_RESIDENT, OPERATOR, RESIDENT
from tests.world import World, last_message, nl, texts


async def _start(world: World, person: dict) -> None:
    complex_ = await world.new_complex()
    await world.say(person, f"/start {complex_.resident_code}")


async def _answer(world: World, person: dict, *typed: str) -> list:
    calls = []
    for text in typed:
        calls = await world.say(person, text)
    return calls


async def test_a_dutch_sign_up_answered_by_typing_the_labels(world: World) -> None:
    await _start(world, DUTCH_RESIDENT)
    await _answer(world, DUTCH_RESIDENT, "Nederlands", "ik ga akkoord", "Dirk")
    calls = await world.say(DUTCH_RESIDENT, "Overslaan")
    # The building question's button is taken away, as a tap would.
    assert any(c.method == "editMessageReplyMarkup" for c in calls)
    assert last_message(calls).text == nl(
        "What do you enjoy? Choose as many as you like, then press Done.")
    await _answer(world, DUTCH_RESIDENT, "muziek", "Klaar", "ja")
    calls = await world.say(DUTCH_RESIDENT, "Nee")
    draft = await world.repos.drafts.get(DUTCH_RESIDENT["id"])
    assert draft.step == "confirm"
    assert draft.data["building"] is None and draft.data["interests"] == ["music"]
    assert draft.data["organise"] is True and draft.data["introductions"] is False
    assert draft.data["language"] == "nl"
    await world.say(DUTCH_RESIDENT, "Bevestigen")
    resident = await world.repos.people.resident_of(DUTCH_RESIDENT["id"])
    assert resident is not None and resident.building is None and resident.wants_to_organise


async def test_labels_count_in_the_other_language_too(world: World) -> None:
    await _start(world, DUTCH_RESIDENT)
    await _answer(world, DUTCH_RESIDENT, "nederlands", "I agree", "Dirk", "skip")
    draft = await world.repos.drafts.get(DUTCH_RESIDENT["id"])
    assert draft.step == "interests" and draft.data["building"] is None


async def test_text_that_is_no_label_stays_an_answer(world: World) -> None:
    await _start(world, RESIDENT)
    await _answer(world, RESIDENT, "English", "I agree", "Rosa")
    await world.say(RESIDENT, "Yes")  # no button of the building question says "Yes"
    draft = await world.repos.drafts.get(RESIDENT["id"])
    assert draft.step == "interests" and draft.data["building"] == "Yes"
    # A label of an earlier question presses nothing now.
    calls = await world.say(RESIDENT, "skip")
    assert (await world.repos.drafts.get(RESIDENT["id"])).step == "interests"
    assert "Please choose one of the buttons." in texts(calls)


async def test_a_report_answered_by_typing_the_labels(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code, introductions=False)
    await world.say(RESIDENT, "/report")
    await _answer(world, RESIDENT, "no", "Incident", "Theft")
    await world.say(RESIDENT, "today")  # the button's value, not the word
    draft = await world.repos.drafts.get(RESIDENT["id"])
    assert draft.data["when"] == WHEN_TODAY and draft.step == "where"
    await _answer(world, RESIDENT, "Bicycle shed", "My bike is gone", "Skip", "anonymously")
    calls = await world.say(RESIDENT, "send")
    assert "R-0001" in last_message(calls).text
    report = await world.repos.reports.get(1)
    assert report is not None and report.anonymous and report.category == "theft"


async def test_the_first_word_of_a_label_counts_when_only_one_button_starts_with_it(
        world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code, introductions=False)
    await world.say(RESIDENT, "/report")
    await world.say(RESIDENT, "yes")  # "Yes, now"
    draft = await world.repos.drafts.get(RESIDENT["id"])
    assert draft.data["now"] is True and draft.step == "category"


async def test_an_operator_types_the_labels_of_newcomplex(world: World) -> None:
    await world.say(OPERATOR, "/newcomplex")
    await _answer(world, OPERATOR, "Het Blok", "80", "Delft", "English")
    calls = await world.say(OPERATOR, "Approval")
    complex_ = await world.repos.complexes.by_name("Het Blok")
    assert complex_ is not None and complex_.join_policy == "approval", calls


def test_typed_forms_ignore_case_punctuation_and_emoji() -> None:
    assert typed_form("  ✅ Yes, NOW! ") == "yes now"
    assert typed_form("#1 Soup evening") == "1 soup evening"
    assert typed_form("🙋") == ""


def test_labels_of_a_step_and_their_translations() -> None:
    from telegram import InlineKeyboardButton as Button

    keyboard = [[Button("Yes, now", callback_data="rp:now:yes"),
                 Button("No", callback_data="rp:now:no")],
                [Button("Elsewhere", callback_data="rp:other:x"), Button("Link", url="https://x")]]
    labels = labels_of(keyboard, "now")
    assert labels["yes now"] == labels["ja nu"] == labels["yes"] == labels["ja"] == "rp:now:yes"
    assert labels["no"] == labels["nee"] == "rp:now:no"
    assert "elsewhere" not in labels and "link" not in labels


async def test_typing_remove_it_in_the_profile_removes_the_building(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(DUTCH_RESIDENT, complex_.resident_code, language="Nederlands",
                        interests=("Muziek",), building="Toren A")
    profile = last_message(await world.say(DUTCH_RESIDENT, "/profile"))
    await world.press(DUTCH_RESIDENT, profile, "pf:building")
    calls = await world.say(DUTCH_RESIDENT, nl("Remove it").lower())
    assert last_message(calls).text == nl("Your building or floor is removed.")
    assert (await world.repos.people.resident_of(DUTCH_RESIDENT["id"])).building is None
