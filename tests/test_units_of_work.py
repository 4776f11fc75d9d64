"""One update, one unit of work: a use case commits once, or not at all, and the same
update handled again completes it."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.models import ResidentRole
from bot.domain.outbox_keys import ERROR_ALERT
from bot.domain.vocabulary import ActivityStatus
from bot.storage.db import Database
from tests.people import INITIATOR, NEIGHBOUR, OPERATOR, RESIDENT
from tests.test_activities import START, _planned_with_guests
from tests.test_initiator_suggestions import _complex as _suggestion_complex
from tests.test_initiator_suggestions import _helping, _ids, _suggestions
from tests.test_introductions import UNTIL_ROUND, _proposals, _two_neighbours
from tests.test_reports import CONTACT, REPORTER, _escalation, _report
from tests.test_reports import _complex as _report_complex
from tests.test_stage_handlers import _group_ready
from tests.world import World, invite_code, last_message, sent, sweep


class Fault(Exception):
    """Raised on purpose after a step of a unit of work."""


def _database(world: World):
    return world.app.bot_data["services"].db


async def _feed_counting(world: World, update: dict[str, Any]) -> tuple[list, int]:
    """Feed one update; the calls and how many commits were made for it."""
    calls = await world.feed(update)
    return calls, world.commits[update["update_id"]]


def _typed(world: World, person: dict, text: str) -> dict[str, Any]:
    """An update: `person` types `text` in their private chat with the bot."""
    return world.telegram.text_update(person, world.telegram.private_chat(person), text)


async def _confirming_sign_up(world: World) -> dict[str, Any]:
    """Everything of a sign-up but the final "Confirm"; that update, not yet fed."""
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.say(INITIATOR, "/linkgroup", world.group())
    step = last_message(await world.say(RESIDENT, f"/start {complex_.resident_code}"))
    for data in ("English", "su:consent:yes", "su:name:telegram"):
        step = last_message(await world.press(RESIDENT, step, data))
    step = last_message(await world.say(RESIDENT, "B"))
    step = last_message(await world.press(RESIDENT, step, "su:interests:done"))
    step = last_message(await world.press(RESIDENT, step, "su:organise:no"))
    step = last_message(await world.press(RESIDENT, step, "su:introductions:yes"))
    return world.telegram.press_update(RESIDENT, RESIDENT["id"], step.result["message_id"],
                                       "su:confirm:yes")


async def _demoting(world: World) -> dict[str, Any]:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.sign_up(RESIDENT, complex_.initiator_code, introductions=False)
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    return _typed(world, INITIATOR, f"/demote {rosa.id}")


async def _sending_a_report(world: World) -> dict[str, Any]:
    await _report_complex(world, group=True)
    step = last_message(await world.say(REPORTER, "/report"))
    for data in ("rp:now:no", "rp:kind:concern", "rp:category:nuisance"):
        step = last_message(await world.press(REPORTER, step, data))
    for typed in ("last night", "Bicycle shed", "Loud music"):
        step = last_message(await world.say(REPORTER, typed))
    for data in ("rp:photo:skip", "rp:identity:anonymous", "rp:share:yes",
                 "rp:group_text:standard"):
        step = last_message(await world.press(REPORTER, step, data))
    return world.telegram.press_update(REPORTER, REPORTER["id"], step.result["message_id"],
                                       "rp:confirm:yes")


async def _resident_and_initiator(world: World, *, policy: str = "open"):
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.say(INITIATOR, "/linkgroup", world.group())
    if policy == "approval":
        await world.say(INITIATOR, "/joinpolicy approval")
    calls = await world.sign_up(RESIDENT, complex_.resident_code)
    return complex_, calls


async def _approving(world: World) -> dict[str, Any]:
    _, calls = await _resident_and_initiator(world, policy="approval")
    question = last_message(calls, INITIATOR["id"])
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    return world.telegram.press_update(INITIATOR, INITIATOR["id"],
                                       question.result["message_id"], f"ap:ok:{rosa.id}")


async def _removing(world: World) -> dict[str, Any]:
    await _resident_and_initiator(world)
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    return _typed(world, INITIATOR, f"/remove {rosa.id} not a resident")


async def _leaving(world: World) -> dict[str, Any]:
    await _resident_and_initiator(world)
    question = last_message(await world.say(RESIDENT, "/leave"))
    return world.telegram.press_update(RESIDENT, RESIDENT["id"],
                                       question.result["message_id"], "lv:yes")


async def _forgetting(world: World) -> dict[str, Any]:
    await _resident_and_initiator(world)
    question = last_message(await world.say(RESIDENT, "/forgetme"))
    return world.telegram.press_update(RESIDENT, RESIDENT["id"],
                                       question.result["message_id"], "fg:yes")


async def _proposing(world: World) -> dict[str, Any]:
    await _resident_and_initiator(world)
    return _typed(world, RESIDENT, "/idea Film night on the roof")


async def _proposed(world: World) -> bool:
    idea = await world.repos.ideas.get(1)
    return idea is not None and idea.group_message_id is not None  # posted in the group


async def _planning(world: World) -> dict[str, Any]:
    await _resident_and_initiator(world)
    step = last_message(await world.say(INITIATOR, "/plan"))
    for typed in ("Soup evening", "8 january 19:30", "Common room"):
        step = last_message(await world.say(INITIATOR, typed))
    return world.telegram.press_update(INITIATOR, INITIATOR["id"], step.result["message_id"],
                                       "plan:confirm:yes")


async def _planned(world: World) -> bool:
    activity = await world.repos.activities.get(1)
    return activity is not None and activity.group_message_id is not None  # announced


async def _setting_the_stage(world: World) -> dict[str, Any]:
    await _resident_and_initiator(world)
    complex_ = await world.repos.complexes.get(1)
    await world.contact_joins(CONTACT, complex_, "municipality")
    return _typed(world, CONTACT, "/setstage group Pilot with the police")


async def _stage_set(world: World) -> bool:
    return (await world.repos.complexes.get(1)).stage_override == "group"


async def _registering_a_committee(world: World) -> dict[str, Any]:
    await _group_ready(world)
    return _typed(world, CONTACT, "/committee on")


async def _a_group(world: World) -> bool:
    complex_ = await world.repos.complexes.get(1)
    return complex_.committee and complex_.stage == "group"


async def _approved(world: World) -> bool:
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    return rosa is not None and rosa.is_active


async def _gone(world: World) -> bool:
    return await world.repos.people.resident_of(RESIDENT["id"]) is None


async def _held_report(world: World) -> Any:
    """A concern picked up by Carla, the municipality contact; her copy."""
    await _report_complex(world)
    copy = _escalation(await _report(world), CONTACT)
    await world.press(CONTACT, copy, "es:ack:1")
    return copy


async def _resolving(world: World) -> dict[str, Any]:
    copy = await _held_report(world)
    await world.press(CONTACT, copy, "es:res:1")
    return _typed(world, CONTACT, "Spoke to the neighbour")


async def _forwarding(world: World) -> dict[str, Any]:
    copy = await _held_report(world)
    choice = last_message(await world.press(CONTACT, copy, "es:fwd:1"))
    return world.telegram.press_update(CONTACT, CONTACT["id"], choice.result["message_id"],
                                       "es:fw:1:police")


async def _adding(world: World) -> dict[str, Any]:
    await _held_report(world)
    listing = last_message(await world.say(REPORTER, "/myreports"))
    await world.press(REPORTER, listing, "ra:1")
    return _typed(world, REPORTER, "It started again tonight")


async def _resolved(world: World) -> bool:
    return (await world.repos.reports.get(1)).status == "resolved"


async def _forwarded(world: World) -> bool:
    return (await world.repos.reports.get(1)).level == 1


async def _added(world: World) -> bool:
    return await world.repos.reports.additions(1) == ["It started again tonight"]


async def _signed_up(world: World) -> bool:
    return await world.repos.people.resident_of(RESIDENT["id"]) is not None


async def _demoted(world: World) -> bool:
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    return rosa.role is ResidentRole.RESIDENT


async def _reported(world: World) -> bool:
    return await world.repos.reports.get(1) is not None


async def _introduced_pair(world: World) -> dict[int, Any]:
    """Rosa and Noor, proposed to each other by a round; the proposals by chat."""
    await _two_neighbours(world)
    world.clock.advance(UNTIL_ROUND)
    return _proposals(await sweep(world))


async def _accepting_an_introduction(world: World) -> dict[str, Any]:
    proposals = await _introduced_pair(world)
    await world.press(RESIDENT, proposals[RESIDENT["id"]], "Yes, introduce us")
    return world.telegram.press_update(
        NEIGHBOUR, NEIGHBOUR["id"], proposals[NEIGHBOUR["id"]].result["message_id"], "in:yes:1")


async def _introduced(world: World) -> bool:
    return (await world.repos.introductions.get(1)).status == "accepted" and \
        await world.repos.outbox.status("intro:1:mention:1") is not None


async def _saying_we_met(world: World) -> dict[str, Any]:
    proposals = await _introduced_pair(world)
    for person in (RESIDENT, NEIGHBOUR):
        await world.press(person, proposals[person["id"]], "Yes, introduce us")
    world.clock.advance(timedelta(days=4))
    question = last_message(await sweep(world), RESIDENT["id"])
    return world.telegram.press_update(RESIDENT, RESIDENT["id"],
                                       question.result["message_id"], "mt:yes:1")


async def _acquainted(world: World) -> bool:
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    return await world.repos.introductions.acquaintances_of(rosa.id) == 1


async def _asking_to_meet(world: World) -> dict[str, Any]:
    await _two_neighbours(world)
    return _typed(world, RESIDENT, "/meet")


async def _proposed_to_meet(world: World) -> bool:
    return await world.repos.introductions.get(1) is not None and \
        await world.repos.outbox.status("intro:1:propose:1") is not None


async def _recording_attendance(world: World) -> dict[str, Any]:
    await _planned_with_guests(world)
    world.clock.advance(START + timedelta(hours=3) - world.clock.now())
    question = last_message(await sweep(world), INITIATOR["id"])
    await world.press(INITIATOR, question, "Yes, it took place")
    return _typed(world, INITIATOR, "14")


async def _attended(world: World) -> bool:
    activity = await world.repos.activities.get(1)
    return (activity.status, activity.attendance) == (ActivityStatus.HELD, 14) and \
        await world.repos.drafts.get(INITIATOR["id"]) is None


async def _becoming_an_initiator(world: World) -> dict[str, Any]:
    await _suggestion_complex(world)
    await _helping(world)
    rosa = (await _ids(world))["Rosa"]
    asked = await world.press(INITIATOR, await _suggestions(world), f"init:ask:{rosa}")
    question = last_message(asked, RESIDENT["id"])
    return world.telegram.press_update(RESIDENT, RESIDENT["id"],
                                       question.result["message_id"], f"init:yes:{rosa}")


async def _initiator(world: World) -> bool:
    return (await world.repos.people.resident_of(RESIDENT["id"])).is_initiator


async def _joining_as_a_contact(world: World) -> dict[str, Any]:
    await _resident_and_initiator(world)
    calls = await world.say(OPERATOR, "/invitecontact 1 police")
    return _typed(world, CONTACT, f"/start {invite_code(calls[-1].text)}")


async def _a_contact(world: World) -> bool:
    return bool(await world.repos.people.contacts_of_complex(1))


async def _creating_a_complex_step_by_step(world: World) -> dict[str, Any]:
    for typed in ("/newcomplex", "Het Blok", "1200", "Delft"):
        step = last_message(await world.say(OPERATOR, typed))
    step = last_message(await world.press(OPERATOR, step, "nc:language:nl"))
    return world.telegram.press_update(OPERATOR, OPERATOR["id"], step.result["message_id"],
                                       "nc:policy:approval")


async def _created(world: World) -> bool:
    return await world.repos.complexes.by_name("Het Blok") is not None and \
        await world.repos.drafts.get(OPERATOR["id"]) is None


async def _renaming(world: World) -> dict[str, Any]:
    await _resident_and_initiator(world)
    await world.press(RESIDENT, last_message(await world.say(RESIDENT, "/profile")), "pf:name")
    return _typed(world, RESIDENT, "Rosalie")


async def _renamed(world: World) -> bool:
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    return rosa.first_name == "Rosalie" and await world.repos.drafts.get(RESIDENT["id"]) is None


async def _rescheduling(world: World) -> dict[str, Any]:
    await _resident_and_initiator(world)
    await world.press(INITIATOR, last_message(await world.say(INITIATOR, "/settings")),
                      "st:time")
    return _typed(world, INITIATOR, "20:30")


async def _rescheduled(world: World) -> bool:
    return (await world.repos.complexes.get(1)).intro_time == "20:30" and \
        await world.repos.drafts.get(INITIATOR["id"]) is None


CASES: dict[str, tuple[Callable[[World], Awaitable[dict]], Callable[[World], Awaitable[bool]]]] = {
    "sign-up": (_confirming_sign_up, _signed_up),
    "demote": (_demoting, _demoted),
    "report": (_sending_a_report, _reported),
    "approve": (_approving, _approved),
    "remove": (_removing, _gone),
    "leave": (_leaving, _gone),
    "forget": (_forgetting, _gone),
    "resolve": (_resolving, _resolved),
    "forward": (_forwarding, _forwarded),
    "add information": (_adding, _added),
    "idea": (_proposing, _proposed),
    "plan": (_planning, _planned),
    "setstage": (_setting_the_stage, _stage_set),
    "committee": (_registering_a_committee, _a_group),
    "accept an introduction": (_accepting_an_introduction, _introduced),
    "we met": (_saying_we_met, _acquainted),
    "meet": (_asking_to_meet, _proposed_to_meet),
    "attendance": (_recording_attendance, _attended),
    "become an initiator": (_becoming_an_initiator, _initiator),
    "contact joins": (_joining_as_a_contact, _a_contact),
    "newcomplex step by step": (_creating_a_complex_step_by_step, _created),
    "profile name": (_renaming, _renamed),
    "settings time": (_rescheduling, _rescheduled),
}


async def _state(world: World) -> list:
    """Every table's rows, to compare before and after a failed update; but the operators'
    notice of the fault, which is about the failure, not part of the change."""
    return [(table, [row for row in rows if not (
                table == "outbox" and str(row[1]).startswith(ERROR_ALERT.prefix))])
            for table, rows in await world.dump(skip=())]


@pytest.mark.parametrize("case", CASES)
async def test_the_use_case_commits_once(world: World, case: str) -> None:
    prepare, done = CASES[case]
    update = await prepare(world)
    _calls, commits = await _feed_counting(world, update)
    assert commits == 1 and await done(world)


async def _fail_after_each_step(
        world: World, run: Callable[[], Awaitable[list]],
        snapshot: Callable[[World], Awaitable[list]]) -> tuple[int, list[list]]:
    """Run `run` with a fault after its first step, then after its second, and so on, until
    a run has no step left to fail; each failed run must leave `snapshot` as it was.
    Returns the number of steps and the calls of each failed run."""
    db = _database(world)
    failures: list[list] = []
    step = 0
    while True:
        step += 1
        seen = 0

        def fail_at(at: int = step) -> None:
            nonlocal seen
            seen += 1
            if seen == at:
                raise Fault(f"after step {at}")

        before = await snapshot(world)
        db.after_step = fail_at
        try:
            calls = await run()
        finally:
            db.after_step = None
        if seen < step:  # every step passed: the use case is done
            return step - 1, failures
        assert await snapshot(world) == before, f"step {step} left half a change"
        failures.append(calls)


@pytest.mark.parametrize("case", CASES)
async def test_a_fault_after_any_step_changes_nothing_and_the_update_completes_later(
        world: World, case: str) -> None:
    prepare, done = CASES[case]
    update = await prepare(world)
    assert not await done(world)
    steps, failures = await _fail_after_each_step(world, lambda: world.feed(update), _state)
    for number, calls in enumerate(failures):
        assert any("went wrong" in c.text for c in sent(calls))
        told = any("hit an error" in c.text for c in sent(calls, OPERATOR["id"]))
        assert told == (number == 0)  # once an hour, however many faults
    assert steps >= 2, "the use case has several steps"
    assert await done(world)
    # Handled now: the same update once more changes nothing.
    after = await _state(world)
    await world.feed(update)
    assert await _state(world) == after


async def test_a_demoted_initiators_old_link_no_longer_makes_them_one(world: World) -> None:
    """The measured half-change: the role changed but the link did not rotate."""
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.sign_up(RESIDENT, complex_.initiator_code, introductions=False)
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    db = _database(world)
    steps = 0

    def fail_second() -> None:
        nonlocal steps
        steps += 1
        if steps == 2:  # after the role changed, before the link rotated
            raise Fault("between the role and the link")

    db.after_step = fail_second
    try:
        await world.say(INITIATOR, f"/demote {rosa.id}")
    finally:
        db.after_step = None
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_initiator
    assert (await world.repos.complexes.get(complex_.id)).initiator_code == \
        complex_.initiator_code
    calls = await world.say(INITIATOR, f"/demote {rosa.id}")
    assert last_message(calls, INITIATOR["id"]).text == \
        "Rosa is now a resident without initiator rights."
    assert (await world.repos.complexes.get(complex_.id)).initiator_code != \
        complex_.initiator_code


async def _ladder_state(world: World) -> list:
    db = _database(world)
    return [[tuple(row) for row in await db.fetch_all(f"SELECT * FROM {table}")]
            for table in ("escalations", "escalation_targets", "outbox", "reports")]


async def test_a_fault_while_a_report_climbs_changes_nothing_and_the_next_sweep_climbs(
        world: World) -> None:
    """The sweeper's climb is a unit of work too: the new level's targets, their messages
    and the alert to the operators, or none of them."""
    await _report_complex(world)
    await _report(world, kind="incident", category="theft", what="Bike stolen")
    world.clock.advance(timedelta(hours=4, seconds=1))  # past the municipality's deadline

    async def climb() -> list:
        with contextlib.suppress(Fault):
            return await sweep(world)
        return []

    steps, _failures = await _fail_after_each_step(world, climb, _ladder_state)
    assert steps >= 2
    report = await world.repos.reports.get(1)
    assert report.level == 1 and report.level_started
    assert sent(await sweep(world)) == []  # climbed once, told once


async def test_every_world_counts_the_commits_of_each_update(world: World) -> None:
    """The count each test's world checks when it stops sees an update that writes twice."""
    from telegram.ext import TypeHandler

    async def two_writes(update, context) -> None:
        for _ in range(2):
            async with context.services.db.transaction() as conn:
                await conn.execute("DELETE FROM drafts WHERE telegram_id = 0")

    world.app.add_handler(TypeHandler(object, two_writes), group=50)
    update = _typed(world, RESIDENT, "hello")
    await world.feed(update)
    assert world.committed_twice() == {update["update_id"]: 2}
    world.commits.clear()  # this test's own double write is not the code's


async def test_a_sign_up_whose_approval_question_was_lost_is_asked_again(world: World) -> None:
    """The sweeper finds pending sign-ups by their approval questions' outbox keys."""
    await _resident_and_initiator(world, policy="approval")
    assert await world.repos.people.pending_unasked() == []
    db = _database(world)
    async with db.transaction() as conn:  # as if a crash had lost the question
        await conn.execute("DELETE FROM outbox WHERE key LIKE 'approval:%'")
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    assert [r.id for r in await world.repos.people.pending_unasked()] == [rosa.id]
    question = last_message(await sweep(world), INITIATOR["id"])
    assert [b["callback_data"] for b in question.buttons] == [f"1:ap:ok:{rosa.id}",
                                                              f"1:ap:no:{rosa.id}"]
    assert await world.repos.people.pending_unasked() == []


async def test_a_transaction_cancelled_before_it_began_is_not_left_open(tmp_path: Path) -> None:
    """Cancelled while its BEGIN waits behind a slow statement on the connection's thread:
    the BEGIN still runs there afterwards, and must be undone, or the next transaction
    finds one open ("cannot start a transaction within a transaction")."""
    db = await Database.open(str(tmp_path / "cancel.sqlite3"))
    try:
        await db.conn.execute("CREATE TABLE t (x INTEGER)")
        slow = asyncio.ensure_future(db.fetch_value(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 2000000)"
            " SELECT COUNT(*) FROM c"))
        await asyncio.sleep(0.01)  # the slow statement holds the connection's thread
        writer = asyncio.ensure_future(db.write("INSERT INTO t VALUES (1)"))
        await asyncio.sleep(0.01)  # its BEGIN is queued behind the slow statement
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
        await slow
        assert await db.write("INSERT INTO t VALUES (2)") == 1
        assert await db.fetch_column("SELECT x FROM t") == [2]
    finally:
        await db.close()
