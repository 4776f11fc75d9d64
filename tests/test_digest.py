"""The weekly digest for contacts: Monday 09:00, once per complex, contact and week (also
across a restart), never for a week before the contact joined, and what it tells."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.console.offline import Call
from bot.domain.activities import schedule_for
from bot.domain.digest import digest_week
from bot.domain.models import Complex
from tests.conftest import make_config
from tests.people import CONTACT, INITIATOR, NEIGHBOUR, POLICE, RESIDENT, user
from tests.world import World, last_message, nl, sent, sweep

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
REPORTER = user(4100, "Zoë")
LATE_CONTACT = user(2004, "Lotte")
# The clock starts on Monday 5 January 2026, 12:00 UTC; the next digest is Monday 12 January,
# 09:00 in Amsterdam, which is 08:00 UTC.
UNTIL_DIGEST = timedelta(days=6, hours=20)


@pytest.mark.parametrize(("now", "week", "moment"), [
    (datetime(2026, 1, 5, 12, 0, tzinfo=UTC), "2026-W02", datetime(2026, 1, 5, 8, 0, tzinfo=UTC)),
    # Sunday 23:30 UTC is already Monday in Amsterdam, before 09:00: the moment is ahead.
    (datetime(2026, 1, 11, 23, 30, tzinfo=UTC), "2026-W03",
     datetime(2026, 1, 12, 8, 0, tzinfo=UTC)),
    # New Year's Day 2026 is in the ISO week that began on Monday 29 December 2025.
    (datetime(2026, 1, 1, 10, 0, tzinfo=UTC), "2026-W01",
     datetime(2025, 12, 29, 8, 0, tzinfo=UTC)),
    # Summer time: 09:00 in Amsterdam is 07:00 UTC.
    (datetime(2026, 4, 1, 10, 0, tzinfo=UTC), "2026-W14",
     datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
])
def test_the_digest_moment_is_monday_nine_local_time(now: datetime, week: str,
                                                     moment: datetime) -> None:
    assert digest_week(now, AMSTERDAM) == (week, moment)


HEADER = "<b>Weekly digest for {complex}</b> (#{number}): the seven days up to {date}"


def _digests(calls: list[Call], person: dict | None = None) -> list[Call]:
    starts = (HEADER.split("{")[0], nl(HEADER).split("{")[0])
    return [c for c in sent(calls, person["id"] if person else None)
            if c.text.startswith(starts)]


async def _complex(world: World, line: str = "De Toren; 120; Utrecht; en") -> Complex:
    complex_ = await world.new_complex(line)
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.contact_joins(CONTACT, complex_, "municipality")
    await world.contact_joins(POLICE, complex_, "police")
    return complex_


async def test_once_a_week_per_contact_and_complex(world: World) -> None:
    first = await _complex(world)
    second = await world.new_complex("Het Anker; 80; Utrecht; en")
    await world.contact_joins(CONTACT, second, "peer")
    assert _digests(await sweep(world)) == []  # they joined after this Monday 09:00
    world.clock.advance(UNTIL_DIGEST - timedelta(minutes=1))
    assert _digests(await sweep(world)) == []
    world.clock.advance(timedelta(minutes=1))
    calls = await sweep(world)
    to_carla = _digests(calls, CONTACT)
    assert sorted(c.text.split("\n")[0] for c in to_carla) == [
        f"<b>Weekly digest for De Toren</b> (#{first.id}): the seven days up to Jan 12, 2026",
        f"<b>Weekly digest for Het Anker</b> (#{second.id}): the seven days up to Jan 12, 2026"]
    assert len(_digests(calls, POLICE)) == 1 and len(_digests(calls)) == 3
    assert _digests(calls, INITIATOR) == []
    await world.contact_joins(LATE_CONTACT, first, "corporation")  # Monday 09:00 has passed
    world.clock.advance(timedelta(days=6, hours=23))
    assert _digests(await sweep(world)) == []
    world.clock.advance(timedelta(hours=1))
    calls = await sweep(world)
    assert len(_digests(calls)) == 4 and len(_digests(calls, LATE_CONTACT)) == 1
    assert _digests(await sweep(world)) == []


async def test_a_digest_due_while_stopped_is_sent_once_after_restart(tmp_path, clock) -> None:
    world = await World.start(make_config(tmp_path), clock)
    try:
        await _complex(world)
    finally:
        await world.stop()
    clock.advance(UNTIL_DIGEST + timedelta(hours=3))
    for expected in (1, 0):
        world = await World.start(make_config(tmp_path), clock)
        try:
            calls = await sweep(world)
            assert len(_digests(calls, CONTACT)) == expected
            assert len(_digests(calls, POLICE)) == expected
            assert _digests(await sweep(world)) == []
        finally:
            await world.stop()


async def _report(world: World, category: str = "nuisance") -> list[Call]:
    """A worry through the real report flow (the reports feature's own steps)."""
    step = last_message(await world.say(REPORTER, "/report"))
    for data in ("rp:now:no", "rp:kind:concern", f"rp:category:{category}"):
        step = last_message(await world.press(REPORTER, step, data))
    for answer in ("last night", "Corridor, 3rd floor", "Loud music every night"):
        step = last_message(await world.say(REPORTER, answer))
    step = last_message(await world.press(REPORTER, step, "rp:photo:skip"))
    step = last_message(await world.press(REPORTER, step, "rp:identity:anonymous"))
    return await world.press(REPORTER, step, "rp:confirm:yes")


async def test_what_the_digest_tells(world: World) -> None:
    complex_ = await _complex(world)
    await world.sign_up(REPORTER, complex_.resident_code, introductions=False)
    await world.sign_up(RESIDENT, complex_.resident_code)
    await world.sign_up(NEIGHBOUR, complex_.resident_code)
    # A worry the municipality picks up, and one that is resolved.
    calls = await _report(world)
    escalation = next(c for c in sent(calls, CONTACT["id"]) if c.text.startswith("<b>Report"))
    await world.press(CONTACT, escalation, "es:ack:1")
    calls = await _report(world, "building_safety")
    escalation = next(c for c in sent(calls, CONTACT["id"]) if c.text.startswith("<b>Report"))
    await world.press(CONTACT, escalation, "es:res:2")
    await world.say(CONTACT, "The lock is fixed.")
    # Monday evening's round introduces Rosa and Noor; four days later Rosa says they met.
    world.clock.advance(timedelta(hours=6))
    proposals = {c.chat_id: c for c in sent(await sweep(world)) if c.buttons}
    await world.press(RESIDENT, proposals[RESIDENT["id"]], "Yes, introduce us")
    await world.press(NEIGHBOUR, proposals[NEIGHBOUR["id"]], "Yes, introduce us")
    world.clock.advance(timedelta(days=4))
    question = next(c for c in sent(await sweep(world), RESIDENT["id"])
                    if c.text.startswith("Did you meet"))
    await world.press(RESIDENT, question, "Yes")
    # Two activities took place (recorded directly: that is the activities feature's part).
    for title, attendance in (("Pizza <night>", 12), ("Clean-up", 1)):
        starts = world.clock.now() - timedelta(days=1)
        activity = await world.repos.activities.create(
            complex_id=complex_.id, idea_id=None, title=title, place="Hall", starts_at=starts,
            planned_by=INITIATOR["id"], schedule=schedule_for(starts, world.clock.now()))
        await world.repos.activities.record_outcome(activity.id, attendance)
    # A new worry an hour before the digest is still waiting for someone.
    world.clock.advance(UNTIL_DIGEST - timedelta(days=4, hours=7))
    await _report(world)
    world.clock.advance(timedelta(hours=1))
    calls = await sweep(world)
    digest = _digests(calls, CONTACT)
    assert len(digest) == 1
    text = digest[0].text
    assert "\n\nStage: <b>loose sand</b>\n\n<b>Criteria of beginning network</b> (the next " \
           "stage)\n❌ residents: 4 (at least 5)\n" in text
    assert "✅ activities held in the last 90 days: 2 (at least 1)" in text
    assert "✅ residents with a confirmed introduction: 50% (at least 15%)" in text
    assert "<b>What the initiators can do next</b>\n• Invite more neighbours" in text
    assert "<b>The past week</b>\nNew residents: 4\n" \
           "Introductions proposed: 1 · acquaintances confirmed: 1\n" \
           "Activities held: 2\n• Pizza &lt;night&gt;, about 12 people\n" \
           "• Clean-up, about 1 person\n" in text
    assert "<b>Reports of the past week</b>\n" \
           "• Nuisance: picked up: 1, waiting for someone to pick it up: 1\n" \
           "• Building safety (locks, doors, lighting): resolved: 1\n" in text
    assert "<b>Still waiting for someone to pick them up</b>\n" \
           "• R-0003, Nuisance, since Jan 12, 2026\n" in text
    assert text.endswith(f"/stage {complex_.id} shows the details.")
    assert "Zoë" not in text and "Loud music" not in text
    dutch = _digests(calls, POLICE)
    assert len(dutch) == 1 and nl("New residents: {count}").format(count=4) in dutch[0].text
    assert nl("Stage: <b>{stage}</b>").format(stage=nl("loose sand")) in dutch[0].text
    # A quiet week after that.
    world.clock.advance(timedelta(days=7))
    text = _digests(await sweep(world), CONTACT)[0].text
    assert "New residents: 0\nIntroductions proposed: 0 · acquaintances confirmed: 0\n" \
           "Activities held: 0\n" in text
    assert "<b>Reports of the past week</b>\nNo reports this week." in text


async def test_an_override_shows_in_the_digest(world: World) -> None:
    await _complex(world)
    await world.say(CONTACT, "/setstage beginning_network Pilot in this complex")
    world.clock.advance(UNTIL_DIGEST)
    text = _digests(await sweep(world), CONTACT)[0].text
    assert "Stage: <b>beginning network</b> (set by a contact; measured: loose sand)" in text
    assert "<b>Still waiting for someone to pick them up</b>\nNone: every report was picked " \
           "up." in text
