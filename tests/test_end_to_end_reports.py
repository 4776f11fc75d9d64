"""End to end, reports: an anonymous concern in a loose-sand complex handled by the
municipality from Telegram, and the routing of a group-stage complex (the committee, and the
housing corporation for building safety).

The bot runs as `python -m bot run` against tests.fake_bot_api.
"""

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.console.offline import Call
from tests import e2e_support
from tests.e2e_support import (
    BotProcess,
    button_data,
    create_complex,
    join_as_contact,
    message,
    offers,
    prompt,
    settle_and_stop,
    sign_up,
    sql,
    start_code,
)
from tests.fake_bot_api import FakeBotApi
from tests.people import CONTACT, INITIATOR, user

api = e2e_support.api  # the fixtures, shared with the other end-to-end suites
launch = e2e_support.launch

REPORTER = user(4100, "Zoë")  # a name that appears nowhere else
CORPORATION = user(2003, "Cor")
NUISANCE = "Loud music every night after 2 am"


def is_report(chat_id: int, reference: str = "") -> Callable[[Call], bool]:
    """A report as its handlers get it: a message that starts "<b>Report R-"."""
    return lambda call: (
        call.method == "sendMessage" and call.chat_id == chat_id
        and call.text.startswith(f"<b>Report R-{reference}")
    )


def report(bot: BotProcess, *, category: str, what: str) -> Call:
    """The reporter's /report of a concern, anonymously, without a photo: the receipt."""
    me = REPORTER["id"]
    step = bot.say(REPORTER, "/report", prompt(me, "rp:now:no"))
    step = bot.press(REPORTER, step, "rp:now:no", prompt(me, "rp:kind:concern"))
    step = bot.press(REPORTER, step, "rp:kind:concern", prompt(me, f"rp:category:{category}"))
    bot.press(REPORTER, step, f"rp:category:{category}", prompt(me, "rp:when:now"))
    bot.say(REPORTER, "last night around 2", message(me))  # where?
    bot.say(REPORTER, "Corridor, 3rd floor", message(me))  # what?
    step = bot.say(REPORTER, what, prompt(me, "rp:photo:skip"))
    step = bot.press(REPORTER, step, "rp:photo:skip", prompt(me, "rp:identity:anonymous"))
    step = bot.press(REPORTER, step, "rp:identity:anonymous", prompt(me, "rp:confirm:yes"))
    assert what in step.text
    return bot.press(REPORTER, step, "rp:confirm:yes", message(me, "<b>R-"))


def reference_of(receipt: Call) -> str:
    found = re.search(r"<b>R-(\d+)</b>", receipt.text)
    assert found, receipt.text
    return found[1]


def reveals_reporter(call: Call) -> bool:
    """Whether the reporter's name or Telegram id is anywhere in what was sent."""
    payload = json.dumps(call.params, ensure_ascii=False)
    return "Zoë" in payload or re.search(rf"\b{REPORTER['id']}\b", payload) is not None


def complex_with(bot: BotProcess, *contacts: tuple[dict[str, Any], str]) -> None:
    """De Toren with an initiator, the reporter (no introductions) and the contacts."""
    created = create_complex(bot)
    sign_up(bot, INITIATOR, start_code(created.text, "i_"), organise=True,
            introductions=False)
    sign_up(bot, REPORTER, start_code(created.text, "r_"), introductions=False)
    for person, kind in contacts:
        join_as_contact(bot, person, kind)


def test_loose_sand_concern_acknowledged_asked_answered_and_resolved_anonymously(
    api: FakeBotApi, launch: Callable[[], BotProcess], tmp_path: Path
) -> None:
    bot = launch()
    complex_with(bot, (CONTACT, "municipality"))
    contact, me = CONTACT["id"], REPORTER["id"]
    assert sql(tmp_path, "SELECT stage, stage_override FROM complexes") == \
        [("loose_sand", None)]

    since = api.mark()
    receipt = report(bot, category="nuisance", what=NUISANCE)
    number = reference_of(receipt)
    reference = f"R-{number}"
    escalation = bot.expect(is_report(contact, number), since, "the report for the municipality")
    assert NUISANCE in escalation.text
    report_id = button_data(escalation, "es:ack:").rsplit(":", 1)[1]

    # The contact acts with the report's buttons; their presses are kept, to check the
    # answers to them (the pop-ups) too.
    presses: list[str] = []

    def act(data: str, expect: Callable[[Call], bool], what: str) -> Call:
        since = api.mark()
        presses.append(str(api.press(CONTACT, escalation, data)["callback_query"]["id"]))
        return bot.expect(expect, since, what)

    # The municipality picks it up: the reporter hears who did.
    picked_up = act(f"es:ack:{report_id}", message(me, reference),
                    "the reporter told it is picked up")
    assert "municipality" in picked_up.text

    # A question, relayed to the reporter by the bot, and the answer back.
    act(f"es:ask:{report_id}", message(contact, reference), "the contact asked for a question")
    question_text = "Which flat does the music come from?"
    since = api.mark()
    api.say(CONTACT, question_text)
    question = bot.expect(offers(me, "qa:"), since, "the question for the reporter")
    assert question_text in question.text and reference in question.text
    bot.expect(message(contact), since, "the contact's confirmation")
    bot.press(REPORTER, question, button_data(question, "qa:"), message(me))
    answer_text = "From 3.14, I think"
    since = api.mark()
    api.say(REPORTER, answer_text)
    relayed = bot.expect(message(contact, answer_text), since, "the answer for the contact")
    assert reference in relayed.text and question_text in relayed.text
    bot.expect(message(me), since, "the reporter's confirmation")

    # Resolved with a note, which the reporter gets.
    act(f"es:res:{report_id}", message(contact, reference), "the contact asked for a note")
    note = "We spoke to the residents of 3.14."
    since = api.mark()
    api.say(CONTACT, note)
    resolved = bot.expect(message(me, reference, note), since, "the note for the reporter")
    assert "municipality" in resolved.text
    bot.expect(message(contact, reference), since, "the contact's confirmation")
    settle_and_stop(bot)

    assert sql(tmp_path, "SELECT status, resolution, reporter_name FROM reports WHERE id = ?",
               int(report_id)) == [("resolved", note, None)]
    # The reporter saw each step; the contact never saw who the reporter is.
    to_reporter = [c.text for c in api.calls() if c.chat_id == me]
    for step in ("<b>R-", "picked up", question_text, note):
        assert any(step in text for text in to_reporter), step
    to_contact = [c for c in api.calls() if c.chat_id == contact or (
        c.method == "answerCallbackQuery" and c.params["callback_query_id"] in presses)]
    assert len([c for c in to_contact if c.method == "answerCallbackQuery"]) == len(presses)
    assert [c for c in to_contact if reveals_reporter(c)] == []


def test_group_stage_concern_goes_to_the_committee_and_building_safety_to_the_corporation(
    api: FakeBotApi, launch: Callable[[], BotProcess], tmp_path: Path
) -> None:
    bot = launch()
    complex_with(bot, (CONTACT, "municipality"), (CORPORATION, "corporation"))
    contact, ivo, cor = CONTACT["id"], INITIATOR["id"], CORPORATION["id"]

    # The municipality registers the residents' committee and sets the stage to group.
    bot.say(CONTACT, "/committee on", message(contact, "<b>De Toren</b>"))
    bot.say(CONTACT, "/setstage group The committee runs the complex now",
            message(contact, "<b>De Toren</b>"))
    assert sql(tmp_path, "SELECT committee, stage_override FROM complexes") == [(1, "group")]

    # A nuisance concern goes to the committee, that is the initiators.
    since = reports_began = api.mark()
    first = reference_of(report(bot, category="nuisance", what=NUISANCE))
    to_committee = bot.expect(is_report(ivo, first), since, "the concern for the committee")
    assert NUISANCE in to_committee.text and "Zoë" not in to_committee.text
    report_id = button_data(to_committee, "es:ack:").rsplit(":", 1)[1]
    since = api.mark()
    api.press(INITIATOR, to_committee, f"es:ack:{report_id}")
    bot.expect(message(REPORTER["id"], f"R-{first}"), since, "the reporter told it is picked up")

    # A building-safety concern goes straight to the housing corporation.
    since = api.mark()
    lock = "The front door lock is broken"
    second = reference_of(report(bot, category="building_safety", what=lock))
    to_corporation = bot.expect(is_report(cor, second), since, "the concern for the corporation")
    assert lock in to_corporation.text
    settle_and_stop(bot)

    # Each went to its target only: what was queued, and what was sent.
    queued = sql(tmp_path, "SELECT r.category, t.telegram_id, t.target, t.acts"
                           " FROM escalation_targets t JOIN reports r ON r.id = t.report_id"
                           " ORDER BY r.id")
    assert queued == [("nuisance", ivo, "committee", 1),
                      ("building_safety", cor, "corporation", 1)]
    reports = {chat: sorted(c.text.split("</b>")[0] for c in api.calls()
                            if is_report(chat)(c))
               for chat in (contact, ivo, cor)}
    assert reports == {contact: [], ivo: [f"<b>Report R-{first}"],
                       cor: [f"<b>Report R-{second}"]}
    assert [c for c in api.calls(reports_began) if c.chat_id in (contact, ivo, cor)
            and reveals_reporter(c)] == []
