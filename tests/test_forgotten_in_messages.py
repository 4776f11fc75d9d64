"""/forgetme takes the person out of messages queued or kept for others: the group welcome,
introductions, a contact's copy "reported by …", an initiator's approval question."""

import json

from bot.storage.outbox import Shown
from tests.people import CONTACT, INITIATOR, NEIGHBOUR, RESIDENT
from tests.test_introductions import UNTIL_ROUND, _proposals
from tests.test_reports import REPORTER, _complex, _escalation, _report
from tests.world import GROUP_ID, World, last_message, sweep


async def _forget(world: World, person: dict) -> list:
    question = last_message(await world.say(person, "/forgetme"))
    return await world.press(person, question, "fg:yes")


def _shown_in_telegram(world: World, chat_id: int) -> str:
    return json.dumps([message for (chat, _id), message in world.telegram.messages.items()
                       if chat == chat_id], ensure_ascii=False)


async def _outbox_texts(world: World) -> str:
    rows = await world.app.bot_data["services"].db.fetch_all("SELECT text FROM outbox")
    return "\n".join(row[0] for row in rows)


async def test_the_group_welcome_is_corrected(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.say(INITIATOR, "/linkgroup", world.group())
    calls = await world.sign_up(RESIDENT, complex_.resident_code, building="C 4",
                                interests=("Music",))
    welcome = last_message(calls, GROUP_ID)
    assert "Rosa" in welcome.text and "C 4" in welcome.text
    calls = await _forget(world, RESIDENT)
    edit = next(c for c in calls if c.method == "editMessageText" and c.chat_id == GROUP_ID)
    assert edit.params["message_id"] == welcome.result["message_id"]
    assert edit.text == "A neighbour who joined here has since left Buurtnet."
    group = _shown_in_telegram(world, GROUP_ID)
    assert "Rosa" not in group and "C 4" not in group
    assert "Rosa" not in await _outbox_texts(world)


async def test_introductions_lose_the_name_and_the_mention_link(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code)
    await world.sign_up(NEIGHBOUR, complex_.resident_code, building="B", interests=("Music",))
    world.clock.advance(UNTIL_ROUND)
    proposals = _proposals(await sweep(world))
    await world.press(RESIDENT, proposals[RESIDENT["id"]], "Yes, introduce us")
    await world.press(NEIGHBOUR, proposals[NEIGHBOUR["id"]], "Yes, introduce us")
    to_noor = _shown_in_telegram(world, NEIGHBOUR["id"])
    assert f"tg://user?id={RESIDENT['id']}" in to_noor and "Rosa" in to_noor
    await _forget(world, RESIDENT)
    to_noor = _shown_in_telegram(world, NEIGHBOUR["id"])
    assert f"tg://user?id={RESIDENT['id']}" not in to_noor and "Rosa" not in to_noor
    assert "a neighbour who has since left Buurtnet" in to_noor
    assert "Rosa" not in await _outbox_texts(world)


async def test_a_contacts_copy_loses_the_reporters_name_and_keeps_its_buttons(
        world: World) -> None:
    await _complex(world)
    calls = await _report(world, identity="named")
    copy = _escalation(calls, CONTACT)
    assert "Reported by: Zoë" in copy.text
    await _forget(world, REPORTER)
    kept = world.telegram.messages[(CONTACT["id"], copy.result["message_id"])]
    assert "Zoë" not in kept["text"]
    assert "Reported by: someone who has since asked to be forgotten" in kept["text"]
    assert "Loud music every night" in kept["text"]  # the report itself stays
    assert kept["reply_markup"] == copy.params["reply_markup"] or \
        kept["reply_markup"] == json.loads(copy.params["reply_markup"])
    assert "Zoë" not in await _outbox_texts(world)


async def test_an_anonymous_report_needs_no_correction(world: World) -> None:
    await _complex(world)
    await _report(world, identity="anonymous")
    calls = await _forget(world, REPORTER)
    assert not [c for c in calls if c.method == "editMessageText" and c.chat_id == CONTACT["id"]]


async def test_a_queued_message_only_about_them_is_dropped_and_others_are_rewritten(
        world: World) -> None:
    outbox = world.repos.outbox
    await outbox.enqueue("about", GROUP_ID, "Welcome Rosa!",
                         shows=(Shown(RESIDENT["id"], "Welcome Rosa!", "gone"),))
    await outbox.enqueue("mentions", NEIGHBOUR["id"], "Meet <b>Rosa</b> and <b>Noor</b>",
                         shows=(Shown(RESIDENT["id"], "<b>Rosa</b>", "someone"),))
    await outbox.enqueue("unrelated", NEIGHBOUR["id"], "Rosa is a nice name")
    await world.repos.people.forget(RESIDENT["id"])
    assert await outbox.status("about") is None
    texts = await _outbox_texts(world)
    assert "Meet someone and <b>Noor</b>" in texts
    assert "Rosa is a nice name" in texts  # it never said it showed her


async def test_an_approval_question_is_corrected(world: World) -> None:
    complex_ = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.say(INITIATOR, "/joinpolicy approval")
    calls = await world.sign_up(RESIDENT, complex_.resident_code)
    question = last_message(calls, INITIATOR["id"])
    assert "Rosa" in question.text
    await _forget(world, RESIDENT)
    kept = world.telegram.messages[(INITIATOR["id"], question.result["message_id"])]
    assert kept["text"] == "Someone asked to join and has since asked to be forgotten."
