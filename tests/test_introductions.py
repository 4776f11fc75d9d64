"""Introduction rounds, double opt-in, follow-ups, /meet, /settings and the welcome post."""

import json
from datetime import timedelta

from bot.console.offline import Call
from tests.conftest import make_config
from tests.people import INITIATOR, NEIGHBOUR, OPERATOR, RESIDENT, STRANGER
from tests.world import GROUP_ID, World, alerts, last_message, sent, sweep

# The test clock starts on Monday 5 January 2026, 12:00 UTC (13:00 in Amsterdam);
# the default round is Monday 19:00 Amsterdam time, 18:00 UTC.
UNTIL_ROUND = timedelta(hours=6)


async def _two_neighbours(world: World, **rosa: object):
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code, **rosa)
    await world.sign_up(NEIGHBOUR, complex_.resident_code, building="B", interests=("Music",))
    return complex_


def _proposals(calls: list[Call]) -> dict[int, Call]:
    return {c.chat_id: c for c in sent(calls) if any(
        b.get("callback_data", "").startswith("1:in:yes:") for b in c.buttons)}


async def test_a_round_introduces_two_neighbours_who_both_say_yes(world: World) -> None:
    await _two_neighbours(world)
    assert _proposals(await sweep(world)) == {}  # not yet Monday evening
    world.clock.advance(UNTIL_ROUND)
    before_acceptance = await sweep(world)
    proposals = _proposals(before_acceptance)
    assert set(proposals) == {RESIDENT["id"], NEIGHBOUR["id"]}
    to_rosa = proposals[RESIDENT["id"]].text
    assert "<b>Noor</b> (building or floor B) — you both like: Music" in to_rosa
    before_acceptance += await world.press(RESIDENT, proposals[RESIDENT["id"]],
                                           "Yes, introduce us")
    assert "as soon as the others have said yes" in last_message(before_acceptance).text
    _assert_nothing_identifies(before_acceptance)
    calls = await world.press(NEIGHBOUR, proposals[NEIGHBOUR["id"]], "Yes, introduce us")
    to_rosa = last_message(calls, RESIDENT["id"]).text
    to_noor = last_message(calls, NEIGHBOUR["id"]).text
    assert f'<a href="tg://user?id={NEIGHBOUR["id"]}">Noor</a>' in to_rosa
    assert f'<a href="tg://user?id={RESIDENT["id"]}">Rosa</a>' in to_noor


def _assert_nothing_identifies(calls: list[Call]) -> None:
    """Before everyone said yes: no mention, no user id, no username of the other."""
    for call in calls:
        payload = json.dumps(call.params)
        assert "tg://user" not in payload
        other = NEIGHBOUR if call.chat_id == RESIDENT["id"] else RESIDENT
        if call.chat_id in (RESIDENT["id"], NEIGHBOUR["id"]):
            assert str(other["id"]) not in payload.replace(f'"chat_id": {call.chat_id}', "")


async def test_a_decline_closes_quietly(world: World) -> None:
    await _two_neighbours(world)
    world.clock.advance(UNTIL_ROUND)
    proposals = _proposals(await sweep(world))
    await world.press(RESIDENT, proposals[RESIDENT["id"]], "Yes, introduce us")
    calls = await world.press(NEIGHBOUR, proposals[NEIGHBOUR["id"]], "Not this week")
    assert sent(calls, RESIDENT["id"]) == []  # Rosa is not told who declined
    assert last_message(calls, NEIGHBOUR["id"]).text == \
        "Fine, not this time. Nobody will be told."
    intro = await world.repos.introductions.get(1)
    assert intro is not None and intro.status == "declined"
    late = await world.feed(world.telegram.press_update(
        NEIGHBOUR, NEIGHBOUR["id"], proposals[NEIGHBOUR["id"]].result["message_id"],
        f"in:yes:{intro.id}"))
    assert alerts(late) == ["This introduction is closed."]


async def test_no_answer_within_three_days_expires(world: World) -> None:
    await _two_neighbours(world)
    world.clock.advance(UNTIL_ROUND)
    proposals = _proposals(await sweep(world))
    await world.press(RESIDENT, proposals[RESIDENT["id"]], "Yes, introduce us")
    world.clock.advance(timedelta(days=3))
    calls = await sweep(world)
    assert sent(calls) == []
    assert (await world.repos.introductions.get(1)).status == "expired"


async def test_did_you_meet_records_acquaintances(world: World) -> None:
    await _two_neighbours(world)
    world.clock.advance(UNTIL_ROUND)
    proposals = _proposals(await sweep(world))
    await world.press(RESIDENT, proposals[RESIDENT["id"]], "Yes, introduce us")
    await world.press(NEIGHBOUR, proposals[NEIGHBOUR["id"]], "Yes, introduce us")
    world.clock.advance(timedelta(days=4) - timedelta(minutes=1))
    assert sent(await sweep(world)) == []
    world.clock.advance(timedelta(minutes=1))
    questions = {c.chat_id: c for c in sent(await sweep(world))}
    assert questions[RESIDENT["id"]].text == "Did you meet <b>Noor</b>?"
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    calls = await world.press(RESIDENT, questions[RESIDENT["id"]], "Yes")
    assert "Knowing your neighbours" in last_message(calls).text
    assert await world.repos.introductions.acquaintances_of(rosa.id) == 1
    # Noor says "not yet": asked once more three days later, then never again.
    calls = await world.press(NEIGHBOUR, questions[NEIGHBOUR["id"]], "Not yet")
    assert last_message(calls).text == "No problem; I will ask again in a few days."
    world.clock.advance(timedelta(days=3))
    again = last_message(await sweep(world))
    assert again.chat_id == NEIGHBOUR["id"] and again.text == "Did you meet <b>Rosa</b>?"
    calls = await world.press(NEIGHBOUR, again, "Not yet")
    assert last_message(calls).text == "Thank you for letting me know."
    world.clock.advance(timedelta(days=30))
    assert sent(await sweep(world)) == []
    repeat = await world.feed(world.telegram.press_update(
        RESIDENT, RESIDENT["id"], questions[RESIDENT["id"]].result["message_id"], "mt:no:1"))
    assert alerts(repeat) == ["You already answered."]
    assert await world.repos.introductions.acquaintances_of(rosa.id) == 1


async def test_buttons_of_someone_else_or_forged(world: World) -> None:
    await _two_neighbours(world)
    world.clock.advance(UNTIL_ROUND)
    proposal = _proposals(await sweep(world))[RESIDENT["id"]]
    message_id = proposal.result["message_id"]
    for person, data in [(STRANGER, "in:yes:1"), (OPERATOR, "in:yes:1"),
                         (RESIDENT, "in:maybe:1"), (RESIDENT, "in:yes:x"),
                         (RESIDENT, "in:yes:99"), (RESIDENT, "mt:yes:1"), (RESIDENT, "in:yes")]:
        calls = await world.feed(world.telegram.press_update(person, RESIDENT["id"],
                                                             message_id, data))
        assert alerts(calls), (person["first_name"], data)
    intro = await world.repos.introductions.get(1)
    assert all(member.answer == "pending" for member in intro.members)
    assert await world.repos.introductions.acquaintances_of(intro.members[0].resident_id) == 0


async def test_a_round_happens_once_even_across_a_restart(tmp_path, clock) -> None:
    world = await World.start(make_config(tmp_path), clock)
    try:
        await _two_neighbours(world)
    finally:
        await world.stop()
    clock.advance(UNTIL_ROUND + timedelta(hours=2))  # the round fell due while stopped
    world = await World.start(make_config(tmp_path), clock)
    try:
        first = _proposals(await sweep(world))
        assert set(first) == {RESIDENT["id"], NEIGHBOUR["id"]}
        assert _proposals(await sweep(world)) == {}
    finally:
        await world.stop()
    world = await World.start(make_config(tmp_path), clock)
    try:
        assert _proposals(await sweep(world)) == {}
        # A follow-up that fell due while stopped is asked once too.
        proposals = first
        await world.press(RESIDENT, proposals[RESIDENT["id"]], "Yes, introduce us")
        await world.press(NEIGHBOUR, proposals[NEIGHBOUR["id"]], "Yes, introduce us")
    finally:
        await world.stop()
    clock.advance(timedelta(days=5))
    world = await World.start(make_config(tmp_path), clock)
    try:
        questions = [c for c in sent(await sweep(world)) if c.text.startswith("Did you meet")]
        assert sorted(c.chat_id for c in questions) == sorted([RESIDENT["id"],
                                                               NEIGHBOUR["id"]])
        assert sent(await sweep(world)) == []
    finally:
        await world.stop()


async def test_an_odd_number_gives_a_trio(world: World) -> None:
    complex_ = await _two_neighbours(world)
    await world.sign_up(INITIATOR, complex_.initiator_code)
    world.clock.advance(UNTIL_ROUND)
    proposals = _proposals(await sweep(world))
    assert len(proposals) == 3
    ids = {c.buttons[0]["callback_data"] for c in proposals.values()}
    assert len(ids) == 1  # one introduction of three
    calls: list[Call] = []
    for person in (RESIDENT, NEIGHBOUR, INITIATOR):
        calls += await world.press(person, proposals[person["id"]], "Yes, introduce us")
    to_ivo = last_message(calls, INITIATOR["id"]).text
    assert "Noor</a>" in to_ivo and "Rosa</a>" in to_ivo


async def test_no_repeat_within_six_rounds(world: World) -> None:
    await _two_neighbours(world)
    world.clock.advance(UNTIL_ROUND)
    held = []
    for _week in range(8):
        proposals = _proposals(await sweep(world))
        held.append(bool(proposals))
        for person in (RESIDENT, NEIGHBOUR):
            if person["id"] in proposals:
                await world.press(person, proposals[person["id"]], "Not this week")
        world.clock.advance(timedelta(days=7))
    assert held == [True, False, False, False, False, False, True, False]


async def test_people_who_do_not_want_introductions_are_left_alone(world: World) -> None:
    await _two_neighbours(world, introductions=False)
    world.clock.advance(UNTIL_ROUND)
    assert _proposals(await sweep(world)) == {}


async def test_meet_asks_for_an_introduction_now(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code)
    calls = await world.say(RESIDENT, "/meet")
    assert last_message(calls).text.startswith("Nobody is available right now.")
    calls = await world.say(RESIDENT, "/meet")
    assert last_message(calls).text.startswith("You already asked.")
    await world.sign_up(NEIGHBOUR, complex_.resident_code, building="B")
    proposals = _proposals(await sweep(world))
    assert set(proposals) == {RESIDENT["id"], NEIGHBOUR["id"]}
    calls = await world.say(RESIDENT, "/meet")
    assert last_message(calls).text == "You already have an introduction waiting for answers."
    assert _proposals(await sweep(world)) == {}


async def test_meet_finds_someone_straight_away(world: World) -> None:
    await _two_neighbours(world)
    calls = await world.say(RESIDENT, "/meet")
    assert set(_proposals(calls)) == {RESIDENT["id"], NEIGHBOUR["id"]}


async def test_meet_refusals(world: World) -> None:
    assert last_message(await world.say(STRANGER, "/meet")).text.startswith(
        "Only residents of a complex can do that.")  # as /ideas and /activities say
    await _two_neighbours(world)
    assert last_message(await world.say(RESIDENT, "/meet", world.group())).text == \
        "Please use this command in a private chat with me."


async def test_settings_change_the_round(world: World) -> None:
    complex_ = await _two_neighbours(world)
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    shown = last_message(await world.say(INITIATOR, "/settings"))
    assert "Introduction rounds: every Monday at 19:00" in shown.text
    await world.press(INITIATOR, shown, "st:day")
    await world.press(INITIATOR, shown, "st:day:2")  # Wednesday
    await world.press(INITIATOR, shown, "st:time")
    assert "Give a time like 19:00." in last_message(await world.say(INITIATOR, "25:00")).text
    calls = await world.say(INITIATOR, "20.30")
    assert "every Wednesday at 20:30" in last_message(calls).text
    world.clock.advance(UNTIL_ROUND)  # Monday 19:00: no round any more
    assert _proposals(await sweep(world)) == {}
    world.clock.advance(timedelta(days=2, hours=1, minutes=29))  # Wednesday 20:29
    assert _proposals(await sweep(world)) == {}
    world.clock.advance(timedelta(minutes=1))
    assert len(_proposals(await sweep(world))) == 2


async def test_rounds_can_be_turned_off(world: World) -> None:
    complex_ = await _two_neighbours(world)
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    shown = last_message(await world.say(INITIATOR, "/settings"))
    calls = await world.press(INITIATOR, shown, "Turn rounds off")
    assert "Introduction rounds: off" in last_message(calls).text
    # A second initiator's older copy of the buttons asks for "off" again: it stays off.
    older = await world.feed(world.telegram.press_update(
        INITIATOR, INITIATOR["id"], shown.result["message_id"], "1:st:off"))
    assert "Introduction rounds: off" in last_message(older).text
    world.clock.advance(UNTIL_ROUND)
    assert _proposals(await sweep(world)) == {}
    calls = await world.press(INITIATOR, last_message(calls), "Turn rounds on")
    assert "Introduction rounds: every Monday at 19:00" in last_message(calls).text


async def test_settings_refusals(world: World) -> None:
    complex_ = await _two_neighbours(world)
    await world.sign_up(INITIATOR, complex_.initiator_code)
    for person in (STRANGER, RESIDENT, OPERATOR):
        assert last_message(await world.say(person, "/settings")).text == \
            "Only initiators of a complex can do that."
    shown = last_message(await world.say(INITIATOR, "/settings"))
    for person, data in [(RESIDENT, "st:off"), (INITIATOR, "st:toggle"), (INITIATOR, "st:day:7"),
                         (INITIATOR, "st:day:01"), (INITIATOR, "st:colour"),
                         (INITIATOR, "st:day:x")]:
        calls = await world.feed(world.telegram.press_update(
            person, INITIATOR["id"], shown.result["message_id"], data))
        assert alerts(calls), data
    unchanged = await world.repos.complexes.get(complex_.id)
    assert (unchanged.intro_enabled, unchanged.intro_weekday, unchanged.intro_time) == \
        (True, 0, "19:00")


async def test_welcome_post_in_the_group(world: World) -> None:
    complex_ = await world.new_complex()
    await world.say(OPERATOR, "/linkgroup", world.group())
    calls = await world.sign_up(RESIDENT, complex_.resident_code, building="C",
                                interests=("Music", "Sports"))
    welcome = last_message(calls, GROUP_ID)
    assert welcome.text == ("Welcome to our new neighbour <b>Rosa</b>! (building or floor C)\n"
                            "Likes: Music, Sports")
    calls = await world.sign_up(NEIGHBOUR, complex_.resident_code, introductions=False)
    assert sent(calls, GROUP_ID) == []
