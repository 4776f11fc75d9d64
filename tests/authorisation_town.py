"""A town to try every command and button in, as each role, and put back after each try.

De Toren (approval needed, a linked group) has an initiator, a resident, a sign-up waiting
for approval, a municipality contact, an idea, an activity, an introduction, a tenancy
question and a report shared with the group that the contact has asked about. Het Blok has
a resident and a police contact: people of another complex. Two months on (the tenancy
question and the ladder have had their time), everyone reads Dutch.
"""

import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.models import Complex
from tests.people import (
    CONTACT,
    DUTCH_RESIDENT,
    INITIATOR,
    NEIGHBOUR,
    OPERATOR,
    POLICE,
    RESIDENT,
    STRANGER,
)
from tests.test_activities import _plan
from tests.test_reports import _escalation, _report
from tests.world import World, last_message, sweep

ROLES: dict[str, dict] = {
    "stranger": STRANGER,
    "resident elsewhere": NEIGHBOUR,
    "resident": RESIDENT,
    "initiator": INITIATOR,
    "contact elsewhere": POLICE,
    "contact": CONTACT,
    "operator": OPERATOR,
}
DUTCH = {name: {**person, "language_code": "nl"} for name, person in ROLES.items()}


@dataclass
class Town:
    world: World
    toren: Complex
    blok: Complex
    ids: dict[str, int]
    """Records to aim at: "rosa", "ivo", "daan" (waiting), "report", "idea", "activity"…"""
    snapshot: sqlite3.Connection
    base: list

    async def put_back(self) -> None:
        """The database as it was when the town was built."""
        await restore(self.world, self.snapshot)


async def snapshot(world: World) -> sqlite3.Connection:
    """A copy of the world's database, in memory (SQLite's online backup)."""
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    await world.app.bot_data["services"].db.conn.backup(copy)
    return copy


async def restore(world: World, copy: sqlite3.Connection) -> None:
    """The world's database as `copy` has it; the backup runs on the connection's own
    thread, as aiosqlite requires."""
    conn = world.app.bot_data["services"].db.conn
    await conn._execute(copy.backup, conn._conn)


async def build(world: World) -> Town:
    toren = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    blok = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(INITIATOR, toren.initiator_code, organise=True)
    await world.contact_joins(CONTACT, toren, "municipality")
    await world.contact_joins(POLICE, blok, "police")
    await world.sign_up(NEIGHBOUR, blok.resident_code)
    question = last_message(await world.sign_up(RESIDENT, toren.resident_code), INITIATOR["id"])
    await world.press(INITIATOR, question, "Approve")
    await world.sign_up(DUTCH_RESIDENT, toren.resident_code)  # waits for approval
    await world.say(INITIATOR, "/linkgroup", world.group())
    await world.say(RESIDENT, "/idea Een filmavond in de kelder")
    await _plan(world, title="Soepavond")
    await world.say(RESIDENT, "/meet")
    escalation = _escalation(await _report(world, by=RESIDENT, share="yes"), CONTACT)
    await world.press(CONTACT, escalation, "es:ask:1")
    await world.say(CONTACT, "Welke flat?")
    await world.feed(world.telegram.left_member_update(world.group(), RESIDENT, RESIDENT))
    world.clock.advance(timedelta(days=61))
    await sweep(world)
    repos = world.repos
    ids = {"rosa": (await repos.people.resident_of(RESIDENT["id"])).id,
           "ivo": (await repos.people.resident_of(INITIATOR["id"])).id,
           "daan": (await repos.people.resident_of(DUTCH_RESIDENT["id"])).id,
           "noor": (await repos.people.resident_of(NEIGHBOUR["id"])).id,
           "toren": toren.id, "blok": blok.id, "report": 1, "idea": 1, "activity": 1}
    db = world.app.bot_data["services"].db
    await db.write("UPDATE complexes SET language = 'nl'")
    for person in ROLES.values():
        await db.write("INSERT INTO users (telegram_id, language, created_at) VALUES (?, 'nl', '')"
                       " ON CONFLICT (telegram_id) DO UPDATE SET language = 'nl'", (person["id"],))
    return Town(world, toren, blok, ids, await snapshot(world), await world.dump())


def commands(world: World) -> set[str]:
    return {command for handler in world.app.handlers[0] if isinstance(handler, CommandHandler)
            for command in handler.commands}


def button_prefixes(world: World) -> set[str]:
    """The prefixes of the buttons a handler is registered for (button_data.pattern's)."""
    return {handler.pattern.pattern.removeprefix(r"^(?:\d+:)?").removesuffix("(?::|$)")
            for handler in world.app.handlers[0]
            if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None}


# Each command as the matrix sends it: aimed at De Toren's records where it takes any.
COMMAND_LINES = {
    "start": "/start", "help": "/help", "language": "/language", "privacy": "/privacy",
    "cancel": "/cancel", "mydata": "/mydata", "forgetme": "/forgetme", "linkgroup": "/linkgroup",
    "members": "/members", "invite": "/invite", "initiatorlink": "/initiatorlink {toren}",
    "promote": "/promote {rosa}", "demote": "/demote {ivo}", "remove": "/remove {daan} verhuisd",
    "joinpolicy": "/joinpolicy open", "settings": "/settings", "meet": "/meet",
    "idea": "/idea Een moestuin op het dak", "ideas": "/ideas", "closeidea": "/closeidea {idea}",
    "newcomplex": "/newcomplex De Hoek; 40; Utrecht; nl", "invitecontact":
    "/invitecontact {toren} police", "complexes": "/complexes", "report": "/report",
    "myreports": "/myreports", "profile": "/profile", "leave": "/leave", "plan": "/plan",
    "activities": "/activities", "stage": "/stage {toren}", "committee": "/committee {toren} on",
    "setstage": "/setstage {toren} group De buren vormen een groep",
    "queue": "/queue {toren}", "reports": "/reports", "openreports": "/openreports",
}

# Buttons no message of the town shows at the moment: their data as the bot would make it.
MADE_UP_BUTTONS = (
    "fg:yes", "fg:no", "lv:yes", "lv:no", "lang:nl", "st:off", "st:day:3", "st:time",
    "pf:name", "pf:building:remove", "nc:policy:open", "nc:language:nl", "ra:{report}",
    "sg:{toren}", "lg:{toren}", "ic:keep:{toren}:police", "init:yes:{rosa}", "init:no:{rosa}",
    "mt:yes:1", "mt:later:1", "mt:no:1",
)
