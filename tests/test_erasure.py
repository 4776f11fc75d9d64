"""/forgetme and /remove leave no trace: every table and column is scanned for the person's
Telegram id, first name and username afterwards, other people's messages included; and
/mydata shows everything the scan finds before."""

import json
from typing import Any

from bot.console.offline import Call
from tests.people import CONTACT, INITIATOR, NEIGHBOUR
from tests.world import GROUP_ID, World, last_message

PERSON = {"id": 7_301_245_877, "is_bot": False, "first_name": "Ingeborg",
          "username": "ingeborg_k", "language_code": "en"}
TRACES = (str(PERSON["id"]), PERSON["first_name"], PERSON["username"])


async def scan(world: World) -> list[tuple[str, str, Any]]:
    """(table, column, value) of every cell that holds the person's id, name or username."""
    db = world.app.bot_data["services"].db
    found = []
    for (table,) in await db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        for row in await db.fetch_all(f"SELECT * FROM {table}"):
            for column in row.keys():  # noqa: SIM118 (a Row is no dict)
                value = row[column]
                if (isinstance(value, int) and value == PERSON["id"]) or (
                        isinstance(value, str) and any(t in value for t in TRACES)):
                    found.append((table, column, value))
    return found


async def _everywhere(world: World) -> Call:
    """Ingeborg takes part in everything that keeps something about her: signed up with
    introductions, welcomed in the group, an idea, votes, a named shared report, "me too"
    on a neighbour's, a question answered, an activity she comes to. The group post."""
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.say(INITIATOR, "/linkgroup", world.group())
    await world.contact_joins(CONTACT, complex_, "municipality")
    await world.sign_up(NEIGHBOUR, complex_.resident_code)
    await world.sign_up(PERSON, complex_.resident_code, building="Tower Q")
    await world.feed(world.telegram.new_members_update(world.group(), [PERSON], PERSON))
    await world.say(PERSON, "/idea Soup night by Ingeborg")
    await world.say(NEIGHBOUR, "/idea Board games")
    for person, idea in ((NEIGHBOUR, 1), (PERSON, 2), (PERSON, 1)):
        await world.feed(world.telegram.press_update(person, GROUP_ID, 1, f"idea:support:{idea}"))
    await world.say(PERSON, "/meet")
    neighbours = await _shared_report(world, NEIGHBOUR, "anonymous", "The lift is broken")
    await world.press(PERSON, neighbours, "me:1")
    mine = await _shared_report(world, PERSON, "named", "Ingeborg here: bikes stolen")
    await world.press(NEIGHBOUR, mine, "me:2")
    escalation = [c for c in world.telegram.calls if c.chat_id == CONTACT["id"]
                  and c.text.startswith("<b>Report R-0002")][-1]
    await world.press(CONTACT, escalation, "es:ask:2")
    await world.say(CONTACT, "Which rack, Ingeborg?")
    question = last_message(world.telegram.calls, PERSON["id"])
    await world.press(PERSON, question, "Answer")
    await world.say(PERSON, "The one by Tower Q, ask for Ingeborg")
    return mine


async def _shared_report(world: World, by: dict, identity: str, what: str) -> Call:
    step = last_message(await world.say(by, "/report"))
    for data in ("rp:now:no", "rp:kind:concern", "rp:category:nuisance"):
        step = last_message(await world.press(by, step, data))
    await world.say(by, "last night")
    await world.say(by, "Corridor")
    step = last_message(await world.say(by, what))
    step = last_message(await world.press(by, step, "rp:photo:skip"))
    step = last_message(await world.press(by, step, f"rp:identity:{identity}"))
    step = last_message(await world.press(by, step, "rp:share:yes"))
    step = last_message(await world.press(by, step, "rp:group_text:standard"))
    return last_message(await world.press(by, step, "rp:confirm:yes"), GROUP_ID)


def _exported(calls: list[Call]) -> str:
    document = next(c for c in calls if c.method == "sendDocument")
    return json.dumps(json.loads(next(iter(document.files.values()))[1]), ensure_ascii=False)


ABOUT_HER = "Ingeborg leaves her bike in the corridor"


async def test_mydata_shows_everything_and_forgetme_leaves_no_trace(world: World) -> None:
    await _everywhere(world)
    await _shared_report(world, NEIGHBOUR, "anonymous", ABOUT_HER)  # R-0003, about her
    before = await scan(world)
    assert {table for table, _, _ in before} >= {
        "residents", "users", "outbox", "outbox_people", "reports", "report_me_too",
        "report_questions", "ideas"}
    export = _exported(await world.say(PERSON, "/mydata"))
    missing = [(t, c, v) for t, c, v in before
               if json.dumps(v, ensure_ascii=False).strip('"') not in export]
    # All but the record of the neighbour's report about her: a reporter's words about
    # someone are not shown to that someone.
    assert missing and all(ABOUT_HER in str(v) for _, _, v in missing), missing
    question = last_message(await world.say(PERSON, "/forgetme"))
    await world.press(PERSON, question, "fg:yes")
    assert await scan(world) == []
    # Her "me too" on the neighbour's concern is withdrawn, and no longer counted.
    assert (await world.repos.reports.get(1)).me_too == 0
    # The reports stay, for the complex; what they say is kept but for who she is.
    assert (await world.repos.reports.get(2)).description == "[…] here: bikes stolen"
    # In the group, the posts that named her (her welcome, her idea) no longer do. (The
    # greeting when she joined the group answered Telegram's notice that she joined,
    # which names her too; the bot keeps no copy of it.)
    posted = await world.app.bot_data["services"].db.fetch_column(
        "SELECT message_id FROM outbox WHERE chat_id = ? AND status = 'sent'", (GROUP_ID,))
    group = [world.telegram.messages[(GROUP_ID, number)].get("text", "")
             for number in set(posted)]
    assert group and not [text for text in group if any(t in text for t in TRACES)]
    assert sum("Idea #1</b> from a neighbour" in text for text in group) == 1



async def test_remove_leaves_nothing_but_a_keyed_removal_that_outlives_forgetme(
        world: World) -> None:
    await _everywhere(world)
    ingeborg = await world.repos.people.resident_of(PERSON["id"])
    calls = await world.say(INITIATOR, f"/remove {ingeborg.id} moved out")
    assert "An initiator removed you" in last_message(calls, PERSON["id"]).text
    assert await scan(world) == []
    removals = await world.app.bot_data["services"].db.fetch_all("SELECT * FROM removals")
    assert [(r["telegram_id"], r["first_name"], r["reason"]) for r in removals] == [
        (None, None, "moved out")]
    assert len(removals[0]["person_hash"]) == 64
    complex_ = await world.repos.complexes.get(1)
    # Back with the link, she waits for an initiator: also after erasing herself.
    for _ in range(2):
        await world.sign_up(PERSON, complex_.resident_code)
        back = await world.repos.people.resident_of(PERSON["id"])
        assert back.status.value == "pending"
        assert json.loads(_exported(await world.say(PERSON, "/mydata")))["data"][
            "removals"][0]["reason"] == "moved out"
        question = last_message(await world.say(PERSON, "/forgetme"))
        await world.press(PERSON, question, "fg:yes")
        assert await scan(world) == []
