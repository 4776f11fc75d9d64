"""Activities: /plan, "I'm coming", reminders, the outcome question, /activities."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.console.offline import Call
from bot.domain.activities import format_when
from bot.domain.moments import needs_confirmation, read_moment
from bot.domain.validation import InvalidInput
from bot.domain.vocabulary import ActivityStatus, IdeaStatus
from tests.conftest import make_config
from tests.people import DUTCH_RESIDENT, INITIATOR, NEIGHBOUR, RESIDENT, STRANGER
from tests.world import GROUP_ID, World, alerts, last_message, nl, sent, sweep

ZONE = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 1, 8, 18, 30, tzinfo=UTC)  # Thursday 8 January, 19:30 in Amsterdam
WHEN = "Thursday, January 8, 2026, 7:30\u202fPM"
STOPPED = "Stopped. Nothing of what you were doing was saved."
ONLY_INITIATORS = "Only initiators of a complex can do that."
RECORDERS = "Only its planner and the initiators of this complex can record how an activity went."


async def _complex(world: World, *, group: bool = True):
    complex_ = await world.new_complex()
    # Nobody asks for introductions, so only this feature's messages are sent.
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.sign_up(RESIDENT, complex_.resident_code, introductions=False)
    await world.sign_up(NEIGHBOUR, complex_.resident_code, introductions=False)
    await world.sign_up(DUTCH_RESIDENT, complex_.resident_code, language="Nederlands",
                        interests=("Muziek",), introductions=False)
    if group:
        await world.say(INITIATOR, "/linkgroup", world.group())
    return complex_


async def _plan(world: World, *, idea: int | None = None, title: str = "Soup evening",
                when: str = "8 january 19:30", place: str = "Common room") -> list[Call]:
    """Plan an activity as the initiator; return the calls of the confirmation."""
    step = last_message(await world.say(INITIATOR, "/plan"))
    if step.buttons:
        source = "plan:source:new" if idea is None else f"plan:source:{idea}"
        step = last_message(await world.press(INITIATOR, step, source))
    for answer in (title, when, place):
        step = last_message(await world.say(INITIATOR, answer))
    return await world.press(INITIATOR, step, "plan:confirm:yes")


def _announcement(calls: list[Call]) -> Call:
    """The activity's post in the group among the calls."""
    return next(c for c in sent(calls, GROUP_ID) if c.method == "sendMessage")


def labels(world: World, call: Call) -> list[str]:
    message = world.telegram.messages[(call.result["chat"]["id"], call.result["message_id"])]
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


# -- the start time ---------------------------------------------------------------------------


NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "local"), [
    ("2026-12-05 19:30", datetime(2026, 12, 5, 19, 30)),
    ("2026-12-05T19:30", datetime(2026, 12, 5, 19, 30)),
    ("5-12-2026 19:30", datetime(2026, 12, 5, 19, 30)),
    ("5/12/2026 19.30", datetime(2026, 12, 5, 19, 30)),
    ("5.12 19.30", datetime(2026, 12, 5, 19, 30)),
    ("5/12 19:30", datetime(2026, 12, 5, 19, 30)),
    ("5 december 19:30", datetime(2026, 12, 5, 19, 30)),
    ("5 Dec 19:30", datetime(2026, 12, 5, 19, 30)),
    ("5 dec. 2026, 19:30", datetime(2026, 12, 5, 19, 30)),
    ("december 5th 7:30pm", datetime(2026, 12, 5, 19, 30)),
    ("zaterdag 5 december 19:30", datetime(2026, 12, 5, 19, 30)),
    ("5 mei om 19u30", datetime(2026, 5, 5, 19, 30)),
    ("1 maart at 8:05", datetime(2026, 3, 1, 8, 5)),
    ("12 okt 20:00", datetime(2026, 10, 12, 20, 0)),
    ("19-12 19:30", datetime(2026, 12, 19, 19, 30)),
    ("5/1 14:00", datetime(2026, 1, 5, 14, 0)),  # later today
    ("5/1 12:00", datetime(2027, 1, 5, 12, 0)),  # passed today: the next 5 January
    # NOW is Monday 5 January 2026, 13:00 in Amsterdam.
    ("19:30", datetime(2026, 1, 5, 19, 30)),
    ("9:00", datetime(2026, 1, 6, 9, 0)),  # passed today: tomorrow
    ("vandaag 21:00", datetime(2026, 1, 5, 21, 0)),
    ("today 9pm", datetime(2026, 1, 5, 21, 0)),
    ("morgen 19:00", datetime(2026, 1, 6, 19, 0)),
    ("tomorrow 7pm", datetime(2026, 1, 6, 19, 0)),
    ("tomorrow 12am", datetime(2026, 1, 6, 0, 0)),
    ("morgen om 19 uur", datetime(2026, 1, 6, 19, 0)),
    ("overmorgen 18.00", datetime(2026, 1, 7, 18, 0)),
    ("vrijdag 20:00", datetime(2026, 1, 9, 20, 0)),
    ("vrijdag 19u30", datetime(2026, 1, 9, 19, 30)),
    ("next friday 8 pm", datetime(2026, 1, 9, 20, 0)),
    ("zo 20:00", datetime(2026, 1, 11, 20, 0)),
    ("maandag 14:00", datetime(2026, 1, 5, 14, 0)),  # today, still ahead
    ("maandag 12:00", datetime(2026, 1, 12, 12, 0)),  # today's has passed: next Monday
    ("volgende week dinsdag 19:00", datetime(2026, 1, 13, 19, 0)),
    ("tuesday next week 19:00", datetime(2026, 1, 13, 19, 0)),
    ("half acht", datetime(2026, 1, 5, 19, 30)),  # 07:30 has passed today
    ("vanavond half negen", datetime(2026, 1, 5, 20, 30)),
    ("morgenavond kwart over zeven", datetime(2026, 1, 6, 19, 15)),
    ("morgen 7 uur 's ochtends", datetime(2026, 1, 6, 7, 0)),
    ("vrijdag 8 uur 's avonds", datetime(2026, 1, 9, 20, 0)),
    ("friday half past seven in the evening", datetime(2026, 1, 9, 19, 30)),
    ("friday quarter to eight pm", datetime(2026, 1, 9, 19, 45)),
    ("kwart voor acht", datetime(2026, 1, 5, 19, 45)),
])
def test_start_times_are_read_leniently(typed: str, local: datetime) -> None:
    assert read_moment(typed, NOW, ZONE) == (local.replace(tzinfo=ZONE),)


@pytest.mark.parametrize(("typed", "locals_"), [
    ("morgen half acht", [datetime(2026, 1, 6, 7, 30), datetime(2026, 1, 6, 19, 30)]),
    ("zaterdag 10 uur", [datetime(2026, 1, 10, 10, 0), datetime(2026, 1, 10, 22, 0)]),
    ("saturday 10 o'clock", [datetime(2026, 1, 10, 10, 0), datetime(2026, 1, 10, 22, 0)]),
])
def test_a_twelve_hour_time_without_morning_or_evening_has_two_readings(
        typed: str, locals_: list[datetime]) -> None:
    found = read_moment(typed, NOW, ZONE)
    assert found == tuple(local.replace(tzinfo=ZONE) for local in locals_)
    assert needs_confirmation(found, NOW)


def test_a_moment_weeks_ahead_is_confirmed_and_one_soon_is_not() -> None:
    assert not needs_confirmation(read_moment("vrijdag 20:00", NOW, ZONE), NOW)
    assert not needs_confirmation(read_moment("1 feb 20:00", NOW, ZONE), NOW)
    assert needs_confirmation(read_moment("3 feb 20:00", NOW, ZONE), NOW)
    assert needs_confirmation(read_moment("5/1 12:00", NOW, ZONE), NOW)  # next year


def test_across_the_year_boundary_a_date_in_january_is_next_year() -> None:
    new_years_eve = datetime(2026, 12, 31, 22, 0, tzinfo=UTC)
    assert read_moment("2 januari 19:30", new_years_eve, ZONE) == (
        datetime(2027, 1, 2, 19, 30, tzinfo=ZONE),)
    assert read_moment("morgen 12:00", new_years_eve, ZONE) == (
        datetime(2027, 1, 1, 12, 0, tzinfo=ZONE),)


@pytest.mark.parametrize(("typed", "answer"), [
    ("tomorrow", "I could not read that date and time."),
    ("friday", "I could not read that date and time."),
    ("5 foo 19:30", "I could not read that date and time."),
    ("5 december", "I could not read that date and time."),
    ("5 amstel 19:00", "I could not read that date and time."),
    ("next fortnight 19:00", "I could not read that date and time."),
    ("volgende week 5 december 19:00", "I could not read that date and time."),
    ("", "I could not read that date and time."),
    ("vrijdag 5 december 2026 19:30", "That date does not fall on that day of the week."),
    ("31/2 10:00", "That date or time does not exist."),
    ("12/19 19:30", "That date or time does not exist."),
    ("5/12 25:00", "That date or time does not exist."),
    ("2025-12-05 19:30", "That moment has already passed."),
    ("5-1-2026 12:59", "That moment has already passed."),
])
def test_unreadable_and_past_start_times_are_refused(typed: str, answer: str) -> None:
    with pytest.raises(InvalidInput) as error:
        read_moment(typed, NOW, ZONE)
    assert str(error.value).startswith(answer) and "2026-01-12 19:30" in str(error.value)


def test_start_times_are_shown_in_the_locale() -> None:
    assert format_when(START, ZONE, "en") == WHEN
    assert format_when(START, ZONE, "nl") == "donderdag 8 januari 2026, 19:30"


# -- /plan --------------------------------------------------------------------------------------


async def test_planning_from_an_idea(world: World) -> None:
    await _complex(world)
    idea_post = last_message(
        await world.say(RESIDENT, "/idea Soup evening with recipes from home"), GROUP_ID)
    other_post = last_message(await world.say(NEIGHBOUR, "/idea Film night"), GROUP_ID)
    await world.press(NEIGHBOUR, idea_post, "idea:support:1")
    await world.press(DUTCH_RESIDENT, idea_post, "idea:help:1")
    first = last_message(await world.say(INITIATOR, "/plan"))
    assert first.text.startswith("What would you like to plan?")
    assert [b["text"] for b in first.buttons] == [
        "#1 Soup evening with recipes from home", "#2 Film night", "Something new"]
    title = last_message(await world.press(INITIATOR, first, "plan:source:1"))
    assert title.text.startswith("From idea #1: Soup evening with recipes from home\n\n"
                                 "What is the activity called?")
    when = last_message(await world.press(INITIATOR, title, "Use the idea as the title"))
    assert when.text == ("When does it start? Type the date and time, like 2026-01-12 19:30, "
                         "5 december 19:30 or friday 8pm (time zone Europe/Amsterdam).")
    place = last_message(await world.say(INITIATOR, "8 jan 19:30"))
    assert place.text == f"Starts: {WHEN}.\nWhere is it? At most 100 characters."
    check = last_message(await world.say(INITIATOR, "Common room <B>"))
    assert check.text == ("Please check:\n<b>Soup evening with recipes from home</b>\n"
                          f"When: {WHEN}\nWhere: Common room &lt;B&gt;\nFrom idea #1.")
    calls = await world.press(INITIATOR, check, "Confirm")
    assert last_message(calls, INITIATOR["id"]).text == (
        "<b>Soup evening with recipes from home</b> is planned. It is announced in the group "
        "chat. I told the 3 neighbours who followed the idea.")
    announcement = [c for c in sent(calls, GROUP_ID) if c.method == "sendMessage"]
    assert len(announcement) == 1 and announcement[0].text == (
        "New activity in De Toren!\n\n📅 <b>Soup evening with recipes from home</b>\n"
        f"When: {WHEN}\nWhere: Common room &lt;B&gt;\n\n"
        "Press the button if you are coming; I will remind you.")
    assert [b["callback_data"] for b in announcement[0].buttons] == ["1:act:go:1"]
    assert labels(world, announcement[0]) == ["🙋 I'm coming · 0"]
    # The proposer, the supporter and the helper hear it privately, each in their language.
    for person in (RESIDENT, NEIGHBOUR):
        told = last_message(calls, person["id"])
        assert told.text.startswith("Good news: the idea “Soup evening with recipes from home” "
                                    "is now an activity!")
        assert told.buttons[0]["text"] == "🙋 I'm coming · 0"
    dutch = last_message(calls, DUTCH_RESIDENT["id"])
    assert "donderdag 8 januari 2026, 19:30" in dutch.text
    assert dutch.buttons[0]["text"] == nl("🙋 I'm coming · {count}").format(count=0)
    # The idea is planned: its post says so and has no buttons left.
    assert (await world.repos.ideas.get(1)).status is IdeaStatus.PLANNED
    assert world.telegram.messages[(GROUP_ID, idea_post.result["message_id"])]["text"] \
        .endswith("This idea has become an activity: see /activities.")
    assert labels(world, idea_post) == [] and labels(world, other_post) == ["👍 0", "🙋 0"]
    activity = await world.repos.activities.get(1)
    assert (activity.idea_id, activity.starts_at, activity.place) == (1, START, "Common room <B>")
    assert activity.remind_day_at == START - timedelta(hours=24)
    assert activity.remind_hour_at == START - timedelta(hours=1)
    assert activity.ask_outcome_at == START + timedelta(hours=3)
    assert await world.repos.drafts.get(INITIATOR["id"]) is None


async def test_planning_something_new_without_a_group(world: World) -> None:
    await _complex(world, group=False)
    title = last_message(await world.say(INITIATOR, "/plan"))
    assert title.text == "What is the activity called? At most 100 characters. (/cancel stops)"
    calls = await _plan(world)
    assert last_message(calls).text == "<b>Soup evening</b> is planned."
    assert sent(calls, GROUP_ID) == []
    activity = await world.repos.activities.get(1)
    assert activity.idea_id is None and activity.group_message_id is None


async def test_a_long_idea_is_shortened_to_a_title(world: World) -> None:
    await _complex(world)
    await world.say(RESIDENT, "/idea " + "word " * 60)
    first = last_message(await world.say(INITIATOR, "/plan"))
    assert first.buttons[0]["text"].endswith("…") and len(first.buttons[0]["text"]) == 40
    title = last_message(await world.press(INITIATOR, first, "plan:source:1"))
    await world.press(INITIATOR, title, "plan:title:idea")
    draft = await world.repos.drafts.get(INITIATOR["id"])
    assert len(draft.data["title"]) <= 100 and draft.data["title"].endswith("…")


async def test_bad_answers_keep_the_step(world: World) -> None:
    await _complex(world)
    await world.say(RESIDENT, "/idea Film night")
    first = last_message(await world.say(INITIATOR, "/plan"))
    assert last_message(await world.say(INITIATOR, "Film")).text == \
        "Please choose one of the buttons."
    assert (await world.repos.drafts.get(INITIATOR["id"])).step == "source"
    await world.press(INITIATOR, first, "Something new")
    for typed, step_name, answer in [
        ("x" * 101, "title", "That is too long: at most 100 characters, please."),
        ("Soup\nevening", "title", "Please keep it to one line."),
        ("Soup evening", "when", None),
        ("next fortnight", "when", "I could not read that date and time. Type it like "
                                   "2026-01-12 19:30, tomorrow 19:30 or friday 8pm."),
        ("2025-12-05 19:30", "when", "That moment has already passed. Give a date and time "
                                     "in the future, like 2026-01-12 19:30."),
        ("31-2-2026 19:30", "when", "That date or time does not exist. Type it like "
                                    "2026-01-12 19:30."),
        ("5/12 19:30", "at", "That is more than four weeks from now. Is this the moment "
                             "you mean?"),
        ("morgen half acht", "at", "Which moment do you mean? Choose one, or type the time on "
                                   "the 24-hour clock, like 19:30."),
        ("7 january 19:30", "place", None),
        ("p" * 101, "place", "That is too long: at most 100 characters, please."),
        ("Roof terrace", "confirm", None),
        ("yes", "confirm", "Please choose one of the buttons."),
    ]:
        calls = await world.say(INITIATOR, typed)
        if answer is not None:
            assert last_message(calls).text == answer, typed
        assert (await world.repos.drafts.get(INITIATOR["id"])).step == step_name, typed
    assert await world.repos.activities.get(1) is None


@pytest.mark.parametrize("answers", [[], ["Soup evening"], ["Soup evening", "8 jan 19:30"],
                                     ["Soup evening", "8 jan 19:30", "Common room"]])
async def test_cancel_at_every_step(world: World, answers: list[str]) -> None:
    await _complex(world)
    await world.say(RESIDENT, "/idea Film night")
    step = last_message(await world.say(INITIATOR, "/plan"))
    await world.press(INITIATOR, step, "plan:source:new")
    for answer in answers:
        await world.say(INITIATOR, answer)
    assert last_message(await world.say(INITIATOR, "/cancel")).text == STOPPED
    assert await world.repos.drafts.get(INITIATOR["id"]) is None
    assert await world.repos.activities.get(1) is None
    first = last_message(await world.say(INITIATOR, "/plan"))
    assert last_message(await world.say(INITIATOR, "/cancel")).text == STOPPED
    assert alerts(await world.press(INITIATOR, first, "plan:source:new")) == \
        ["This button is no longer valid."]


async def test_the_cancel_button_plans_nothing(world: World) -> None:
    await _complex(world)
    await world.say(INITIATOR, "/plan")
    for answer in ("Soup evening", "8 jan 19:30"):
        await world.say(INITIATOR, answer)
    check = last_message(await world.say(INITIATOR, "Common room"))
    assert last_message(await world.press(INITIATOR, check, "Cancel")).text == \
        "Stopped. Nothing was planned."
    assert await world.repos.activities.get(1) is None
    assert await world.repos.drafts.get(INITIATOR["id"]) is None


async def test_plan_is_for_initiators_in_private(world: World) -> None:
    await _complex(world)
    for person in (RESIDENT, STRANGER):
        assert last_message(await world.say(person, "/plan")).text == ONLY_INITIATORS
    calls = await world.say(INITIATOR, "/plan", world.group())
    assert last_message(calls).text == "Please use this command in a private chat with me."
    assert await world.repos.drafts.get(RESIDENT["id"]) is None


async def test_an_ambiguous_or_distant_start_is_asked_back(world: World) -> None:
    await _complex(world)
    step = last_message(await world.say(INITIATOR, "/plan"))
    await world.say(INITIATOR, "Soup evening")
    which = last_message(await world.say(INITIATOR, "morgen half acht"))
    assert [b["text"] for b in which.buttons] == [
        "Tuesday, January 6, 2026, 7:30\u202fAM", "Tuesday, January 6, 2026, 7:30\u202fPM",
        "Another moment"]

    async def press(data: str) -> list[str]:
        return alerts(await world.feed(world.telegram.press_update(
            INITIATOR, INITIATOR["id"], which.result["message_id"], data)))

    for forged in ("plan:at:2", "plan:at:-1", "plan:at:x", "plan:at:²"):
        assert await press(forged) == ["This button is no longer valid."], forged
    assert (await world.repos.drafts.get(INITIATOR["id"])).step == "at"
    again = last_message(await world.press(INITIATOR, which, "Another moment"))
    assert again.text.startswith("When does it start?")
    far = last_message(await world.say(INITIATOR, "5/1 12:00"))  # now is 5 January, 13:00
    assert far.text == "That is more than four weeks from now. Is this the moment you mean?"
    assert far.buttons[0]["text"] == "Tuesday, January 5, 2027, 12:00\u202fPM"
    # Typing instead of pressing reads the new answer.
    which = last_message(await world.say(INITIATOR, "morgen half acht"))
    place = last_message(await world.press(INITIATOR, which,
                                           "Tuesday, January 6, 2026, 7:30\u202fPM"))
    assert place.text.startswith("Starts: Tuesday, January 6, 2026, 7:30\u202fPM.")
    assert step is not None and await press("plan:at:0") == ["This button is no longer valid."]
    draft = await world.repos.drafts.get(INITIATOR["id"])
    assert draft.step == "place" and "moments" not in draft.data


async def test_a_dutch_initiator_is_asked_back_in_dutch(world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; nl")
    await world.sign_up(INITIATOR, complex_.initiator_code, language="Nederlands",
                        interests=("Muziek",), introductions=False)
    step = last_message(await world.say(INITIATOR, "/plan"))
    if step.buttons:
        await world.press(INITIATOR, step, "plan:source:new")
    await world.say(INITIATOR, "Soepavond")
    which = last_message(await world.say(INITIATOR, "zaterdag 10 uur"))
    assert which.text.startswith("Welk moment bedoel je?")
    assert [b["text"] for b in which.buttons] == [
        "zaterdag 10 januari 2026, 10:00", "zaterdag 10 januari 2026, 22:00", "Een ander moment"]


async def test_forged_plan_buttons_change_nothing(world: World) -> None:
    await _complex(world)
    other = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(STRANGER, other.resident_code)
    await world.say(STRANGER, "/idea Elsewhere")  # idea #1, in Het Blok
    await world.say(RESIDENT, "/idea Film night")  # idea #2
    first = last_message(await world.say(INITIATOR, "/plan"))

    async def press(data: str, person: dict = INITIATOR) -> list[str]:
        return alerts(await world.feed(world.telegram.press_update(
            person, INITIATOR["id"], first.result["message_id"], data)))

    assert await press("plan:source:1") == ["This idea is no longer open."]
    assert await press("plan:source:999") == ["This idea is no longer open."]
    for data in ("plan:confirm:yes", "plan:title:idea", "plan:source", "plan:source:x"):
        assert await press(data) == ["This button is no longer valid."], data
    assert await press("plan:source:2", RESIDENT) == ["This button is no longer valid."]
    assert (await world.repos.drafts.get(INITIATOR["id"])).step == "source"
    # A resident demoted half-way cannot go on.
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    await world.say(INITIATOR, f"/promote {rosa.id}")
    first = last_message(await world.say(RESIDENT, "/plan"))
    await world.press(RESIDENT, first, "plan:source:new")
    await world.say(INITIATOR, f"/demote {rosa.id}")
    assert last_message(await world.say(RESIDENT, "Soup evening")).text == ONLY_INITIATORS
    assert await world.repos.drafts.get(RESIDENT["id"]) is None
    assert await world.repos.activities.get(1) is None


async def test_a_moment_that_passed_while_confirming_is_asked_again(world: World) -> None:
    await _complex(world)
    await world.say(INITIATOR, "/plan")
    for answer in ("Soup evening", "5/1 13:30"):  # 13:30 in Amsterdam, half an hour away
        await world.say(INITIATOR, answer)
    check = last_message(await world.say(INITIATOR, "Common room"))
    world.clock.advance(timedelta(hours=1))
    calls = await world.press(INITIATOR, check, "Confirm")
    assert [c.text for c in sent(calls)][-2] == "That moment has passed in the meantime."
    assert last_message(calls).text.startswith("When does it start?")
    assert (await world.repos.drafts.get(INITIATOR["id"])).step == "when"
    assert await world.repos.activities.get(1) is None


async def test_a_soon_activity_schedules_no_reminders_that_passed(world: World) -> None:
    await _complex(world)
    await _plan(world, when="5/1 13:30")
    activity = await world.repos.activities.get(1)
    assert activity.remind_day_at is None and activity.remind_hour_at is None
    assert activity.ask_outcome_at is not None


# -- "I'm coming" -----------------------------------------------------------------------------


async def test_coming_toggles_and_counts_in_place(world: World) -> None:
    await _complex(world)
    idea_post = last_message(await world.say(RESIDENT, "/idea Soup evening"), GROUP_ID)
    await world.press(NEIGHBOUR, idea_post, "idea:support:1")
    calls = await _plan(world, idea=1)
    group_post = _announcement(calls)
    private = last_message(calls, NEIGHBOUR["id"])
    pressed = await world.press(RESIDENT, group_post, "act:go:1")
    assert alerts(pressed) == ["See you there! I will remind you."]
    assert labels(world, group_post) == ["🙋 I'm coming · 1"]
    pressed = await world.press(NEIGHBOUR, private, "act:go:1")
    edited = {(c.method, c.chat_id, c.params["message_id"]) for c in pressed
              if c.method.startswith("edit")}
    assert edited == {("editMessageReplyMarkup", NEIGHBOUR["id"], private.result["message_id"]),
                      ("editMessageText", GROUP_ID, group_post.result["message_id"])}
    assert labels(world, private) == labels(world, group_post) == ["🙋 I'm coming · 2"]
    assert alerts(await world.press(RESIDENT, group_post, "act:go:1")) == \
        ["You are no longer coming."]
    assert labels(world, group_post) == ["🙋 I'm coming · 1"]
    assert await world.repos.activities.coming(1) == [NEIGHBOUR["id"]]


async def test_coming_is_for_residents_of_the_complex_before_the_start(world: World) -> None:
    await _complex(world)
    calls = await _plan(world)
    group_post = _announcement(calls)
    other = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(STRANGER, other.resident_code)
    key = (GROUP_ID, group_post.result["message_id"])
    for person, data, answer in [
        (STRANGER, "act:go:1", "Only residents of De Toren can say they are coming."),
        (RESIDENT, "act:go:999", "This button is no longer valid."),
        (RESIDENT, "act:go:x", "This button is no longer valid."),
        (RESIDENT, "act:come:1", "This button is no longer valid."),
    ]:
        assert alerts(await world.feed(world.telegram.press_update(person, *key, data))) == \
            [answer], data
    world.clock.advance(START - world.clock.now())
    assert alerts(await world.press(RESIDENT, group_post, "act:go:1")) == \
        ["This activity has already started."]
    assert await world.repos.activities.coming(1) == []


# -- reminders and the outcome ----------------------------------------------------------------


async def _planned_with_guests(world: World) -> Call:
    await _complex(world)
    calls = await _plan(world)
    group_post = _announcement(calls)
    for person in (RESIDENT, DUTCH_RESIDENT):
        await world.press(person, group_post, "act:go:1")
    return group_post


def _to(world: World, moment: datetime) -> None:
    world.clock.advance(moment - world.clock.now())


async def test_reminders_and_the_outcome_question(world: World) -> None:
    await _planned_with_guests(world)
    _to(world, START - timedelta(hours=24, minutes=1))
    assert await sweep(world) == []
    _to(world, START - timedelta(hours=24))
    calls = await sweep(world)
    assert sorted(c.chat_id for c in sent(calls)) == [RESIDENT["id"], DUTCH_RESIDENT["id"]]
    assert last_message(calls, RESIDENT["id"]).text == (
        "⏰ Reminder: you are coming to this activity.\n\n📅 <b>Soup evening</b>\n"
        f"When: {WHEN}\nWhere: Common room")
    assert "donderdag 8 januari 2026, 19:30" in last_message(calls, DUTCH_RESIDENT["id"]).text
    assert await sweep(world) == []
    _to(world, START - timedelta(minutes=59))
    calls = await sweep(world)
    assert len(sent(calls)) == 2 and last_message(calls, RESIDENT["id"]).text.startswith(
        "⏰ Starting soon! You are coming to this activity.")
    assert await sweep(world) == []
    _to(world, START + timedelta(hours=3))
    calls = await sweep(world)
    question = last_message(calls)
    assert [c.chat_id for c in sent(calls)] == [INITIATOR["id"]]
    assert question.text == f"Did <b>Soup evening</b> ({WHEN}) take place?"
    assert [b["text"] for b in question.buttons] == ["Yes, it took place", "No, it was cancelled"]
    assert await sweep(world) == []
    ask = await world.press(INITIATOR, question, "Yes, it took place")
    assert last_message(ask).text == "About how many came? Type a number."
    for bad in ("a dozen", "-3", "10001", "12.5"):
        assert last_message(await world.say(INITIATOR, bad)).text == \
            "Please type a whole number from 0 to 10000.", bad
    assert (await world.repos.activities.get(1)).status is ActivityStatus.PLANNED
    done = await world.say(INITIATOR, "14")
    assert last_message(done).text == \
        "Thank you! Recorded: <b>Soup evening</b> took place, with about 14 people."
    assert world.telegram.messages[(INITIATOR["id"], question.result["message_id"])].get(
        "reply_markup") is None
    activity = await world.repos.activities.get(1)
    assert (activity.status, activity.attendance) == (ActivityStatus.HELD, 14)
    for label in ("act:held:1", "act:off:1"):
        again = await world.feed(world.telegram.press_update(
            INITIATOR, INITIATOR["id"], question.result["message_id"], label))
        assert alerts(again) == ["This has already been recorded."]
    assert (await world.repos.activities.get(1)).attendance == 14


async def test_a_cancelled_activity(world: World) -> None:
    await _planned_with_guests(world)
    _to(world, START + timedelta(hours=3))
    question = last_message(await sweep(world))
    await world.press(INITIATOR, question, "Yes, it took place")
    calls = await world.press(INITIATOR, question, "No, it was cancelled")
    assert alerts(calls) == ["Recorded: it was cancelled."]
    assert await world.repos.drafts.get(INITIATOR["id"]) is None
    assert (await world.repos.activities.get(1)).status is ActivityStatus.CANCELLED
    again = await world.feed(world.telegram.press_update(
        INITIATOR, INITIATOR["id"], question.result["message_id"], "act:off:1"))
    assert alerts(again) == ["This has already been recorded."]


async def test_outcome_buttons_are_checked(world: World) -> None:
    group_post = await _planned_with_guests(world)
    on_the_post = await world.feed(world.telegram.press_update(
        INITIATOR, GROUP_ID, group_post.result["message_id"], "act:held:1"))
    assert alerts(on_the_post) == ["This button only works in a private chat with me."]
    for person, data, answer in [
        (INITIATOR, "act:held:1", "This button is no longer valid."),  # not asked yet
        (INITIATOR, "act:off:1", "This button is no longer valid."),
        (RESIDENT, "act:off:1", RECORDERS),
        (STRANGER, "act:held:1", RECORDERS),
        (INITIATOR, "act:off:999", "This button is no longer valid."),
    ]:
        # (forged in the presser's own chat: the bot asks these questions in private)
        assert alerts(await world.feed(world.telegram.press_update(
            person, person["id"], 999, data))) == [answer], (person["first_name"], data)
    _to(world, START + timedelta(hours=3))
    question = last_message(await sweep(world))
    forged = await world.feed(world.telegram.press_update(
        RESIDENT, INITIATOR["id"], question.result["message_id"], "act:held:1"))
    assert alerts(forged) == [RECORDERS]
    assert await world.repos.drafts.get(RESIDENT["id"]) is None
    assert (await world.repos.activities.get(1)).status is ActivityStatus.PLANNED


async def test_the_number_is_refused_to_who_lost_the_right(world: World) -> None:
    await _complex(world)
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    await world.say(INITIATOR, f"/promote {rosa.id}")
    step = last_message(await world.say(RESIDENT, "/plan"))
    for answer in ("Soup evening", "8 jan 19:30", "Common room"):
        step = last_message(await world.say(RESIDENT, answer))
    await world.press(RESIDENT, step, "Confirm")
    _to(world, START + timedelta(hours=3))
    question = last_message(await sweep(world))
    assert question.chat_id == RESIDENT["id"]
    await world.press(RESIDENT, question, "Yes, it took place")
    await world.say(RESIDENT, "/leave")
    leave = last_message(world.telegram.calls, RESIDENT["id"])
    await world.press(RESIDENT, leave, "lv:yes")
    await world.say(RESIDENT, "12")
    assert (await world.repos.activities.get(1)).status is ActivityStatus.PLANNED


async def test_when_the_planner_left_the_initiators_are_asked(world: World) -> None:
    await _complex(world)
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    await world.say(INITIATOR, f"/promote {rosa.id}")
    step = last_message(await world.say(RESIDENT, "/plan"))
    for answer in ("Soup evening", "8 jan 19:30", "Common room"):
        step = last_message(await world.say(RESIDENT, answer))
    await world.press(RESIDENT, step, "Confirm")
    leave = last_message(await world.say(RESIDENT, "/leave"))
    await world.press(RESIDENT, leave, "lv:yes")
    _to(world, START + timedelta(hours=3))
    calls = await sweep(world)
    assert [c.chat_id for c in sent(calls)] == [INITIATOR["id"]]
    question = last_message(calls)
    await world.press(INITIATOR, question, "Yes, it took place")
    await world.say(INITIATOR, "0")
    assert (await world.repos.activities.get(1)).attendance == 0


async def test_late_reminders_after_downtime(world: World) -> None:
    """A bot that was down sends only the reminder that still makes sense."""
    await _planned_with_guests(world)
    _to(world, START - timedelta(minutes=30))
    calls = await sweep(world)
    assert [c.text.split("\n")[0] for c in sent(calls, RESIDENT["id"])] == [
        "⏰ Starting soon! You are coming to this activity."]
    _to(world, START + timedelta(hours=3))
    calls = await sweep(world)
    assert [c.chat_id for c in sent(calls)] == [INITIATOR["id"]]
    activity = await world.repos.activities.get(1)
    assert activity.remind_day_at is None and activity.remind_hour_at is None


async def test_every_reminder_survives_a_restart_and_is_sent_once(tmp_path, clock) -> None:
    """The bot is down whenever something falls due; after each restart it is sent once."""
    world = await World.start(make_config(tmp_path), clock)
    try:
        await _planned_with_guests(world)
    finally:
        await world.stop()
    guests = [RESIDENT["id"], DUTCH_RESIDENT["id"]]
    for moment, chats, opening in [
        (START - timedelta(hours=23), guests, "⏰ Reminder: you are coming to this activity."),
        (START - timedelta(minutes=50), guests, "⏰ Starting soon!"),
        (START + timedelta(hours=4), [INITIATOR["id"]], "Did <b>Soup evening</b>"),
    ]:
        clock.advance(moment - clock.now())
        world = await World.start(make_config(tmp_path), clock)
        try:
            calls = [*await sweep(world), *await sweep(world)]
            assert sorted(c.chat_id for c in sent(calls)) == chats, opening
            assert last_message(calls, RESIDENT["id"] if len(chats) > 1 else INITIATOR["id"]) \
                .text.startswith(opening)
            activity = await world.repos.activities.get(1)
        finally:
            await world.stop()
    assert (activity.remind_day_at, activity.remind_hour_at, activity.ask_outcome_at) == \
        (None, None, None)


# -- /activities ------------------------------------------------------------------------------


async def test_activities_lists_upcoming_and_recent_ones(world: World) -> None:
    await _complex(world)
    assert [c.text for c in sent(await world.say(RESIDENT, "/activities"))] == [
        "<b>Activities in De Toren</b>\nNothing is planned at the moment."]
    for title, when in [("Held", "6 jan 19:30"), ("Called off", "6 jan 20:00"),
                        ("Unanswered", "6 jan 21:00"), ("Later", "20 jan 19:30")]:
        await _plan(world, title=title, when=when)
    await _plan(world, title="Soup <evening>", place="Roof <3>")
    _to(world, datetime(2026, 1, 7, 12, 0, tzinfo=UTC))
    held, called_off, _unanswered = sent(await sweep(world))
    await world.press(INITIATOR, held, "Yes, it took place")
    await world.say(INITIATOR, "9")
    await world.press(INITIATOR, called_off, "No, it was cancelled")
    soup = sent(await world.say(NEIGHBOUR, "/activities"))[1]
    await world.press(NEIGHBOUR, soup, "act:go:5")
    header, first, second, past = sent(await world.say(RESIDENT, "/activities"))
    assert header.text == ("<b>Activities in De Toren</b>\nComing up; press the button if you "
                           "are coming:")
    assert first.text == f"📅 <b>Soup &lt;evening&gt;</b>\nWhen: {WHEN}\nWhere: Roof &lt;3&gt;"
    assert [b["text"] for b in first.buttons] == ["🙋 I'm coming · 1"]
    assert second.text.startswith("📅 <b>Later</b>\nWhen: Tuesday, January 20, 2026")
    assert past.text == (
        "<b>The last 90 days</b>\n"
        "• Unanswered — Tuesday, January 6, 2026, 9:00\u202fPM: not yet recorded whether it "
        "took place\n"
        "• Called off — Tuesday, January 6, 2026, 8:00\u202fPM: cancelled\n"
        "• Held — Tuesday, January 6, 2026, 7:30\u202fPM: took place, about 9 came")
    _to(world, datetime(2026, 4, 7, 12, 0, tzinfo=UTC))  # more than 90 days after the 6th
    header, past = sent(await world.say(RESIDENT, "/activities"))
    assert header.text.endswith("Nothing is planned at the moment.")
    assert past.text.startswith("<b>The last 90 days</b>\n• Later — ")
    assert "Soup" in past.text and "Held" not in past.text


async def test_activities_is_private_and_for_residents(world: World) -> None:
    await _complex(world)
    calls = await world.say(RESIDENT, "/activities", world.group())
    assert last_message(calls).text == "Please use this command in a private chat with me."
    assert last_message(await world.say(STRANGER, "/activities")).text == (
        "Only residents of a complex can do that. Open the invite link of your complex to "
        "join.")
