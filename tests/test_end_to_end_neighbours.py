"""End to end, knowing the neighbours: an introduction round with its "did you meet?", and
an idea that becomes an activity with RSVPs, reminders and a recorded outcome.

The bot runs as `python -m bot run` against tests.fake_bot_api and keeps the system clock.
What the bot does later (a round on Monday evening, a follow-up after four days, the
reminders) is brought forward by stopping it, moving the due times in its database into
the past with plain SQL, and starting it again: the sweeper runs right after start.
"""

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.console.offline import BOT_USERNAME, Call
from tests import e2e_support
from tests.e2e_support import (
    GROUP_ID,
    BotProcess,
    button_data,
    create_complex,
    db_time,
    link_group,
    message,
    offers,
    settle_and_stop,
    sign_up,
    sql,
    start_code,
)
from tests.fake_bot_api import FakeBotApi
from tests.people import INITIATOR, NEIGHBOUR, RESIDENT

api = e2e_support.api  # the fixtures, shared with the other end-to-end suites
launch = e2e_support.launch

ZONE = ZoneInfo("Europe/Amsterdam")  # the default BUURTNET_TIMEZONE
TITLE = "Board games night"


def restart(bot: BotProcess, launch: Callable[[], BotProcess], workdir: Path,
            *statements: tuple[str, tuple[Any, ...]]) -> tuple[BotProcess, int]:
    """Let the outbox empty, stop the bot, run the statements on its database, start anew.

    Returns the new process and the call-log mark from before it started, so whatever its
    first sweep sends can be waited for.
    """
    settle_and_stop(bot)
    for statement, params in statements:
        sql(workdir, statement, *params)
    since = bot.api.mark()
    return launch(), since


def mentions(call: Call) -> bool:
    return "tg://user" in json.dumps(call.params)


def names_id(call: Call, telegram_id: int) -> bool:
    """Whether `telegram_id` appears in what was sent, other than as the chat it went to."""
    payload = {key: value for key, value in call.params.items() if key != "chat_id"}
    return re.search(rf"\b{telegram_id}\b", json.dumps(payload)) is not None


def resident_id(workdir: Path, person: dict[str, Any]) -> int:
    return sql(workdir, "SELECT id FROM residents WHERE telegram_id = ?", person["id"])[0][0]


def test_a_round_introduces_two_neighbours_who_meet(
    api: FakeBotApi, launch: Callable[[], BotProcess], tmp_path: Path
) -> None:
    bot = launch()
    code = start_code(create_complex(bot).text, "r_")
    sign_up(bot, RESIDENT, code)
    sign_up(bot, NEIGHBOUR, code)

    # Rounds are held for moments after the schedule was set: set it eight days ago, so
    # the last Monday 19:00 is a round still to hold. The sweep after the start holds it.
    bot, since = restart(bot, launch, tmp_path, (
        "UPDATE complexes SET intro_changed_at = ?", (db_time(-timedelta(days=8)),)))
    proposals = {
        person["id"]: bot.expect(offers(person["id"], "in:yes:"), since,
                                 f"the proposal to {person['first_name']}")
        for person in (RESIDENT, NEIGHBOUR)
    }
    data = button_data(proposals[RESIDENT["id"]], "in:yes:")
    assert button_data(proposals[NEIGHBOUR["id"]], "in:yes:") == data  # one introduction
    assert "<b>Noor</b>" in proposals[RESIDENT["id"]].text
    assert "<b>Rosa</b>" in proposals[NEIGHBOUR["id"]].text

    # Rosa says yes first: she is thanked, and nobody is put in touch yet.
    bot.press(RESIDENT, proposals[RESIDENT["id"]], data,
              message(RESIDENT["id"], method="editMessageText"))
    before_both = api.mark()
    for call in api.calls()[:before_both]:
        assert not mentions(call), call
        if call.chat_id == RESIDENT["id"]:
            assert not names_id(call, NEIGHBOUR["id"]), call
        if call.chat_id == NEIGHBOUR["id"]:
            assert not names_id(call, RESIDENT["id"]), call

    # Noor says yes too: each gets the other as a mention link.
    api.press(NEIGHBOUR, proposals[NEIGHBOUR["id"]], data)
    bot.expect(message(RESIDENT["id"], f"tg://user?id={NEIGHBOUR['id']}"), before_both,
               "Noor's mention link for Rosa")
    bot.expect(message(NEIGHBOUR["id"], f"tg://user?id={RESIDENT['id']}"), before_both,
               "Rosa's mention link for Noor")

    # Four days later the bot asks whether they met: make it due now.
    due = sql(tmp_path, "SELECT COUNT(*) FROM introduction_members"
                        " WHERE followup_due_at IS NOT NULL")
    assert due == [(2,)]
    bot, since = restart(bot, launch, tmp_path, (
        "UPDATE introduction_members SET followup_due_at = ?"
        " WHERE followup_due_at IS NOT NULL", (db_time(-timedelta(minutes=1)),)))
    questions = {
        person["id"]: bot.expect(offers(person["id"], "mt:yes:"), since,
                                 f"did {person['first_name']} meet?")
        for person in (RESIDENT, NEIGHBOUR)
    }
    assert "<b>Noor</b>" in questions[RESIDENT["id"]].text
    introduction = data.rsplit(":", 1)[1]
    assert button_data(questions[RESIDENT["id"]], "mt:yes:") == f"1:mt:yes:{introduction}"
    bot.press(RESIDENT, questions[RESIDENT["id"]], f"mt:yes:{introduction}",
              message(RESIDENT["id"], method="editMessageText"))
    settle_and_stop(bot)

    # Asked once each; Rosa's yes is recorded as an acquaintance of the two.
    asked = [c for c in api.calls(since) if any(
        str(b.get("callback_data", "")).startswith("1:mt:") for b in c.buttons)]
    assert sorted(c.chat_id for c in asked) == sorted([RESIDENT["id"], NEIGHBOUR["id"]])
    rosa, noor = resident_id(tmp_path, RESIDENT), resident_id(tmp_path, NEIGHBOUR)
    assert sql(tmp_path, "SELECT resident_a, resident_b, introduction_id FROM acquaintances") \
        == [(min(rosa, noor), max(rosa, noor), int(introduction))]
    assert sql(tmp_path, "SELECT resident_id, met FROM introduction_members"
                         " ORDER BY resident_id") == sorted([(rosa, "yes"), (noor, None)])


def _counts(call: Call, idea: str) -> tuple[str, str]:
    labels = {b["callback_data"]: b["text"] for b in call.buttons}
    return labels[f"1:idea:support:{idea}"], labels[f"1:idea:help:{idea}"]


def _coming(call: Call) -> str:
    return next(b["text"] for b in call.buttons if b["callback_data"].startswith("1:act:go:"))


def test_an_idea_becomes_an_activity_with_reminders_and_an_outcome(
    api: FakeBotApi, launch: Callable[[], BotProcess], tmp_path: Path
) -> None:
    bot = launch()
    created = create_complex(bot)
    sign_up(bot, INITIATOR, start_code(created.text, "i_"), organise=True, introductions=False)
    group = link_group(bot, INITIATOR)
    code = start_code(created.text, "r_")
    for person in (RESIDENT, NEIGHBOUR):
        sign_up(bot, person, code, introductions=False)

    # Rosa proposes an idea in the group; it is posted with 👍 and 🙋 buttons.
    post = bot.say(RESIDENT, f"/idea@{BOT_USERNAME} {TITLE}", offers(GROUP_ID, "idea:support:"),
                   chat=group)
    assert TITLE in post.text and "Rosa" in post.text
    idea = button_data(post, "idea:support:").rsplit(":", 1)[1]
    assert _counts(post, idea) == ("👍 0", "🙋 0")

    # Support and help toggle, and the counts change on the post itself (edited through the
    # outbox, at the group's pace).
    edited = message(GROUP_ID, method="editMessageText")
    for person, data, counts in [
        (NEIGHBOUR, f"idea:support:{idea}", ("👍 1", "🙋 0")),
        (NEIGHBOUR, f"idea:help:{idea}", ("👍 1", "🙋 1")),
        (INITIATOR, f"idea:support:{idea}", ("👍 2", "🙋 1")),
        (INITIATOR, f"idea:support:{idea}", ("👍 1", "🙋 1")),  # pressed again: withdrawn
        (INITIATOR, f"idea:help:{idea}", ("👍 1", "🙋 2")),
    ]:
        edit = bot.press(person, post, data, edited)
        assert edit.params["message_id"] == post.result["message_id"]
        assert _counts(edit, idea) == counts

    # Ivo plans it from the idea, two days from now at 19:30.
    ivo = INITIATOR["id"]
    step = bot.say(INITIATOR, "/plan", offers(ivo, "plan:source:"))
    step = bot.press(INITIATOR, step, f"plan:source:{idea}", offers(ivo, "plan:title:idea"))
    assert TITLE in step.text
    bot.press(INITIATOR, step, "plan:title:idea", message(ivo))
    day = datetime.now(ZONE) + timedelta(days=2)
    bot.say(INITIATOR, f"{day:%Y-%m-%d} 19:30", message(ivo))
    step = bot.say(INITIATOR, "Common room", offers(ivo, "plan:confirm:yes"))
    assert TITLE in step.text and "Common room" in step.text
    since = api.mark()
    api.press(INITIATOR, step, "plan:confirm:yes")
    announcement = bot.expect(offers(GROUP_ID, "act:go:"), since, "the activity in the group")
    assert TITLE in announcement.text and "Common room" in announcement.text
    bot.expect(message(ivo, f"<b>{TITLE}</b>"), since, "the planner's confirmation")
    # Who proposed, supported or helped is told privately, with the same button.
    told = {person["id"]: bot.expect(offers(person["id"], "act:go:"), since,
                                     f"the news for {person['first_name']}")
            for person in (RESIDENT, NEIGHBOUR)}
    going = button_data(announcement, "act:go:")
    activity = int(going.rsplit(":", 1)[1])
    assert all(button_data(call, "act:go:") == going for call in told.values())
    closed = bot.expect(message(GROUP_ID, method="editMessageText"), since,
                        "the idea's post, closed")
    assert closed.params["message_id"] == post.result["message_id"] and not closed.buttons

    # Rosa says she is coming in the group, Noor from the private message.
    edit = bot.press(RESIDENT, announcement, going, edited)
    assert _coming(edit).endswith("· 1")
    since = api.mark()
    api.press(NEIGHBOUR, told[NEIGHBOUR["id"]], going)
    own = bot.expect(message(NEIGHBOUR["id"], method="editMessageReplyMarkup"), since,
                     "Noor's button, counted")
    assert _coming(own).endswith("· 2")
    assert _coming(bot.expect(edited, since, "the group's button, counted")).endswith("· 2")
    attendees = (RESIDENT["id"], NEIGHBOUR["id"])
    after_rsvp = api.mark()

    def reminders(since: int) -> dict[int, list[Call]]:
        found: dict[int, list[Call]] = {chat: [] for chat in attendees}
        for call in api.calls(since):
            if call.method == "sendMessage" and call.chat_id in found and TITLE in call.text:
                found[call.chat_id].append(call)
        return found

    def await_reminders(bot: BotProcess, since: int, what: str) -> dict[int, Call]:
        return {chat: bot.expect(message(chat, f"<b>{TITLE}</b>"), since, f"{what} for {chat}")
                for chat in attendees}

    # The day before: make the 24-hour reminder due.
    planned = sql(tmp_path, "SELECT remind_day_at IS NOT NULL, remind_hour_at IS NOT NULL,"
                            " status FROM activities WHERE id = ?", activity)
    assert planned == [(1, 1, "planned")]
    bot, since = restart(bot, launch, tmp_path, (
        "UPDATE activities SET remind_day_at = ? WHERE id = ?",
        (db_time(-timedelta(minutes=1)), activity)))
    day_reminders = await_reminders(bot, since, "the 24-hour reminder")

    # An hour before: the 1-hour reminder.
    bot, since = restart(bot, launch, tmp_path, (
        "UPDATE activities SET remind_hour_at = ? WHERE id = ?",
        (db_time(-timedelta(minutes=1)), activity)))
    hour_reminders = await_reminders(bot, since, "the 1-hour reminder")
    for chat in attendees:
        assert hour_reminders[chat].text != day_reminders[chat].text

    # Three hours after the start, the planner is asked whether it took place.
    bot, since = restart(bot, launch, tmp_path, (
        "UPDATE activities SET starts_at = ?, ask_outcome_at = ? WHERE id = ?",
        (db_time(-timedelta(hours=3, minutes=1)), db_time(-timedelta(minutes=1)), activity)))
    question = bot.expect(offers(ivo, "act:held:"), since, "the outcome question")
    assert TITLE in question.text
    assert button_data(question, "act:held:") == f"1:act:held:{activity}"
    bot.press(INITIATOR, question, f"act:held:{activity}", message(ivo))
    thanks = bot.say(INITIATOR, "7", message(ivo, f"<b>{TITLE}</b>"))
    assert "7" in thanks.text
    settle_and_stop(bot)

    # Each reminder came once, to the two who are coming; nothing else is left to send.
    sent = reminders(after_rsvp)
    assert {chat: len(calls) for chat, calls in sent.items()} == {chat: 2 for chat in attendees}
    assert sql(tmp_path, "SELECT status, attendance, remind_day_at, remind_hour_at,"
                         " ask_outcome_at FROM activities WHERE id = ?", activity) \
        == [("held", 7, None, None, None)]
    assert sql(tmp_path, "SELECT COUNT(*) FROM outbox WHERE status != 'sent'") == [(0,)]
