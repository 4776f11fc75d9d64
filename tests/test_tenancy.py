"""Tenancy turnover: who left the group chat, or could not be reached for 60 days, is asked
whether they still live in the complex, and taken off it 14 days later without an answer;
the initiators are told who and why."""

from datetime import timedelta

from tests.people import DUTCH_RESIDENT, INITIATOR, RESIDENT
from tests.world import World, alerts, last_message, nl, sent, sweep

QUESTION = ("Do you still live in <b>De Toren</b>? I ask because {why}. If I hear nothing "
            "within 14 days, I will take you off its list (you can sign up again at any "
            "time).")


async def _linked(world: World, person: dict = RESIDENT) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.say(INITIATOR, "/linkgroup", world.group())
    await world.sign_up(person, complex_.resident_code, introductions=False)


async def _leave_group(world: World, person: dict = RESIDENT) -> None:
    await world.feed(world.telegram.left_member_update(world.group(), person, person))


async def _asked(world: World, person: dict = RESIDENT):
    question = last_message(await sweep(world), person["id"])
    assert [b["text"] for b in question.buttons] == ["Yes, I still live here",
                                                     "No, I moved out"]
    return question


async def test_who_left_the_group_is_asked_and_stays_by_saying_so(world: World) -> None:
    await _linked(world)
    await _leave_group(world)
    question = await _asked(world)
    assert question.text == QUESTION.format(why="you left its group chat")
    assert sent(await sweep(world), RESIDENT["id"]) == []  # asked once
    calls = await world.press(RESIDENT, question, "Yes, I still live here")
    assert last_message(calls).text == "Thank you! You stay signed up in <b>De Toren</b>."
    world.clock.advance(timedelta(days=15))
    await sweep(world)
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_active
    # The question answered, its buttons are stale.
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    assert alerts(await world.feed(world.telegram.press_update(
        RESIDENT, RESIDENT["id"], question.result["message_id"], f"th:no:{rosa.id}"))) == [
        "This button is no longer valid."]
    assert (await world.repos.people.resident_of(RESIDENT["id"])) is not None


async def test_no_answer_in_14_days_takes_them_off_and_the_initiators_are_told(
        world: World) -> None:
    await _linked(world)
    await _leave_group(world)
    await _asked(world)
    world.clock.advance(timedelta(days=13))
    assert sent(await sweep(world), INITIATOR["id"]) == []
    world.clock.advance(timedelta(days=2))
    calls = await sweep(world)
    assert await world.repos.people.resident_of(RESIDENT["id"]) is None
    assert last_message(calls, INITIATOR["id"]).text == (
        "Rosa is no longer signed up in <b>De Toren</b>: they left the group chat and did not "
        "answer within 14 days whether they still live there.")
    rows = await world.app.bot_data["services"].db.fetch_column(
        "SELECT key FROM outbox WHERE text LIKE '%Rosa%'")
    assert rows == [] or all(not key.startswith("moved-out:") for key in rows)


async def test_who_says_they_moved_out_is_taken_off_at_once(world: World) -> None:
    await _linked(world)
    await _leave_group(world)
    question = await _asked(world)
    calls = await world.press(RESIDENT, question, "No, I moved out")
    assert "You are no longer signed up in <b>De Toren</b>" in last_message(
        calls, RESIDENT["id"]).text
    assert last_message(calls, INITIATOR["id"]).text == (
        "Rosa is no longer signed up in <b>De Toren</b>: they told me they moved out.")
    assert await world.repos.people.resident_of(RESIDENT["id"]) is None


async def test_coming_back_to_the_group_ends_the_question(world: World) -> None:
    await _linked(world)
    await _leave_group(world)
    await world.feed(world.telegram.new_members_update(world.group(), [RESIDENT], RESIDENT))
    assert sent(await sweep(world), RESIDENT["id"]) == []


async def test_who_cannot_be_reached_for_60_days_is_asked_then_taken_off(world: World) -> None:
    await _linked(world)
    world.telegram.blocked.add(RESIDENT["id"])
    await world.repos.outbox.enqueue("test:1", RESIDENT["id"], "Hello")
    await world.flush()
    world.clock.advance(timedelta(days=59))
    assert [c for c in await sweep(world) if c.chat_id == RESIDENT["id"]] == []
    world.clock.advance(timedelta(days=2))
    tried = [c for c in await sweep(world) if c.chat_id == RESIDENT["id"]]
    assert [c.text for c in tried] == [QUESTION.format(
        why="my messages have not reached you for a while")]
    world.clock.advance(timedelta(days=15))
    calls = await sweep(world)
    assert await world.repos.people.resident_of(RESIDENT["id"]) is None
    assert "my messages could not reach them for 60 days" in last_message(
        calls, INITIATOR["id"]).text


async def test_a_message_that_reaches_them_ends_the_check(world: World) -> None:
    await _linked(world)
    world.telegram.blocked.add(RESIDENT["id"])
    await world.repos.outbox.enqueue("test:1", RESIDENT["id"], "Hello")
    await world.flush()
    world.telegram.blocked.discard(RESIDENT["id"])
    await world.repos.outbox.enqueue("test:2", RESIDENT["id"], "Hello again")
    await world.flush()
    world.clock.advance(timedelta(days=61))
    assert [c for c in await sweep(world) if c.chat_id == RESIDENT["id"]] == []


async def test_only_the_resident_asked_can_answer(world: World) -> None:
    await _linked(world)
    await _leave_group(world)
    question = await _asked(world)
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    for person, data in ((INITIATOR, f"th:no:{rosa.id}"), (RESIDENT, "th:no:²"),
                         (RESIDENT, f"th:gone:{rosa.id}"), (RESIDENT, "th:no:999")):
        calls = await world.feed(world.telegram.press_update(
            person, person["id"], question.result["message_id"], data))
        assert alerts(calls) == ["This button is no longer valid."], data
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_active


async def test_the_question_is_in_the_residents_language(world: World) -> None:
    await _linked(world, DUTCH_RESIDENT)
    await world.repos.people.set_language(DUTCH_RESIDENT["id"], "nl")
    await _leave_group(world, DUTCH_RESIDENT)
    question = last_message(await sweep(world), DUTCH_RESIDENT["id"])
    assert question.text == nl(QUESTION.replace("De Toren", "{complex}")).format(
        complex="De Toren", why=nl("you left its group chat"))
