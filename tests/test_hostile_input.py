"""Numbers that are not ASCII decimals, ids beyond SQLite's range, invisible text and
text longer than Telegram counts it: a clear answer, no error, nothing changed."""

import logging

import pytest

from bot.domain import validation
from bot.domain.reports import DESCRIPTION_MAX, parse_reference
from bot.domain.validation import InvalidInput, utf16_length
from tests.people import CONTACT, INITIATOR, OPERATOR, RESIDENT, STRANGER
from tests.test_reports import REPORTER, _complex
from tests.world import World, last_message, sent

HOSTILE_NUMBERS = ("²", "٣", "#²", "9" * 40, "-1", "\u200b", "1\u200b", "<b>7</b>")
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

# Commands that take a number; what follows the number, if anything.
NUMBERED = {
    "/promote {}": "", "/demote {}": "", "/remove {} moved out": "", "/closeidea {}": "",
    "/invitecontact {} police": "", "/initiatorlink {}": "", "/stage {}": "",
    "/newcomplex De Hoek; {}; Utrecht; en": "",
}


async def _complex_with_everyone(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.sign_up(RESIDENT, complex_.resident_code, introductions=False)
    await world.contact_joins(CONTACT, complex_, "municipality")
    await world.say(RESIDENT, "/idea A film night")


@pytest.mark.parametrize("command", NUMBERED)
@pytest.mark.parametrize("person", [OPERATOR, INITIATOR, CONTACT, RESIDENT, STRANGER],
                         ids=lambda person: person["first_name"])
async def test_a_number_that_is_not_one_is_refused_clearly(
        world: World, caplog: pytest.LogCaptureFixture, command: str, person: dict) -> None:
    await _complex_with_everyone(world)
    for number in HOSTILE_NUMBERS:
        before = await world.dump()
        with caplog.at_level(logging.WARNING):
            calls = await world.say(person, command.format(number))
        answer = last_message(calls, person["id"]).text
        assert "went wrong" not in answer, (command, number)
        assert "<b>7</b>" not in answer, (command, number)  # echoed, then escaped
        assert sent(calls, OPERATOR["id"]) == [] or person is OPERATOR, (command, number)
        if not (command.startswith("/initiatorlink") and person is INITIATOR):
            # (an initiator's /initiatorlink renews their own complex's link, whatever follows)
            assert await world.dump() == before, (command, number)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_ascii_numbers_only() -> None:
    assert validation.ascii_number("12") == 12 and validation.ascii_number(" 7 ") == 7
    for text in ("²", "٣", "１２", "9" * 19, "", None, "-3", "1.5", "1\u200b"):
        assert validation.ascii_number(text) is None, text
    assert parse_reference("R-0042") == 42 and parse_reference("r42") == 42
    assert parse_reference("R-²") is None and parse_reference("9" * 40) is None
    with pytest.raises(InvalidInput):
        validation.homes("²")
    with pytest.raises(InvalidInput):
        validation.resident_number("9" * 40)


@pytest.mark.parametrize("text", [ZERO_WIDTH, "\u200f\u200e", "\u0301\u0308", " \u200b "])
def test_invisible_text_is_no_text(text: str) -> None:
    for check in (validation.person_name, validation.building, validation.reason,
                  lambda t: validation.free_text(t, 100)):
        with pytest.raises(InvalidInput):
            check(text)
    assert validation.person_name("Zoë\u200d") == "Zoë\u200d"  # visible, so kept as typed


def test_length_is_counted_as_telegram_counts_it() -> None:
    assert utf16_length("👍") == 2
    with pytest.raises(InvalidInput):
        validation.free_text("👍" * (DESCRIPTION_MAX // 2 + 1), DESCRIPTION_MAX)
    assert validation.free_text("👍" * (DESCRIPTION_MAX // 2), DESCRIPTION_MAX)


async def test_a_zero_width_name_is_asked_again(world: World) -> None:
    complex_ = await world.new_complex()
    step = (await world.say(RESIDENT, f"/start {complex_.resident_code}"))[-1]
    step = (await world.press(RESIDENT, step, "English"))[-1]
    await world.press(RESIDENT, step, "su:consent:yes")
    calls = await world.say(RESIDENT, ZERO_WIDTH)
    assert last_message(calls).text == "Please type some text."
    assert await world.repos.people.resident_of(RESIDENT["id"]) is None


async def test_a_zero_width_idea_is_refused(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code, introductions=False)
    before = await world.dump()
    calls = await world.say(RESIDENT, f"/idea {ZERO_WIDTH}")
    assert "went wrong" not in last_message(calls).text
    assert await world.dump() == before


async def test_a_description_of_emoji_is_kept_within_telegrams_limit(world: World) -> None:
    await _complex(world, "loose_sand")
    step = last_message(await world.say(REPORTER, "/report"))
    for data in ("rp:now:no", "rp:kind:concern", "rp:category:nuisance"):
        step = last_message(await world.press(REPORTER, step, data))
    await world.say(REPORTER, "last night")
    await world.say(REPORTER, "Corridor")
    calls = await world.say(REPORTER, "🚲" * DESCRIPTION_MAX)
    assert last_message(calls).text.startswith("That is too long")
    step = last_message(await world.say(REPORTER, "🚲" * (DESCRIPTION_MAX // 2)))
    step = last_message(await world.press(REPORTER, step, "rp:photo:skip"))
    summary = last_message(await world.press(REPORTER, step, "rp:identity:anonymous"))
    assert utf16_length(summary.text) <= 4096
    calls = await world.press(REPORTER, summary, "rp:confirm:yes")
    assert "R-0001" in last_message(calls, REPORTER["id"]).text
    assert (await world.repos.reports.get(1)).description == "🚲" * (DESCRIPTION_MAX // 2)
