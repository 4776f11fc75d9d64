"""End to end, reports that never dead-end: a complex prepared before its contacts joined,
the operator who sees and hands on what waits, one holder, and answers typed or replied.

The bot runs as `python -m bot run` against tests.fake_bot_api.
"""

from collections.abc import Callable
from pathlib import Path

from tests import e2e_support
from tests.e2e_support import (
    OPERATOR,
    BotProcess,
    join_as_contact,
    message,
    offers,
    settle_and_stop,
    sql,
)
from tests.fake_bot_api import FakeBotApi
from tests.people import CONTACT, user
from tests.test_end_to_end_reports import NUISANCE, REPORTER, complex_with, is_report, report

api = e2e_support.api  # the fixtures, shared with the other end-to-end suites
launch = e2e_support.launch

SECOND = user(2005, "Mila")  # a second municipality contact


def test_a_report_waits_for_contacts_then_one_holder_and_typed_answers(
    api: FakeBotApi, launch: Callable[[], BotProcess], tmp_path: Path
) -> None:
    bot = launch()
    complex_with(bot)  # no contact has joined yet
    operator, contact, second, me = OPERATOR["id"], CONTACT["id"], SECOND["id"], REPORTER["id"]

    since = api.mark()
    receipt = report(bot, category="nuisance", what=NUISANCE)
    assert "kept safe" in receipt.text and "can be reached yet" in receipt.text
    alert = bot.expect(offers(operator, "or:open:"), since, "the operators' alert")
    assert "waits" in alert.text and NUISANCE not in alert.text
    assert sql(tmp_path, "SELECT exhausted, waiting_since IS NOT NULL FROM escalations") == \
        [(0, 1)]

    # The operator sees it in the overview and opens it as a contact would see it.
    listing = bot.say(OPERATOR, "/openreports", offers(operator, "or:open:"))
    assert "R-0001" in listing.text and "De Toren" in listing.text
    opened = bot.press(OPERATOR, listing, "or:open:1", message(operator, NUISANCE))
    assert "Reported anonymously" in opened.text and "Zoë" not in opened.text

    # The municipality joins: what waited reaches them; a second contact gets it as well.
    since = api.mark()
    join_as_contact(bot, CONTACT, "municipality")
    escalation = bot.expect(is_report(contact, "0001"), since, "the waiting report")
    since = api.mark()
    join_as_contact(bot, SECOND, "municipality")
    seconds = bot.expect(is_report(second, "0001"), since, "the open level for Mila")

    # The operator can hand it on explicitly too.
    choices = bot.press(OPERATOR, opened, "or:hand:1", offers(operator, "or:to:1:"))
    bot.press(OPERATOR, choices, f"or:to:1:{second}",
              message(second, "The operators hand this report to you."))

    # Carla picks it up; Mila's resolve button does not close Carla's case.
    bot.press(CONTACT, escalation, "es:ack:1", message(me, "picked up"))
    offer = bot.press(SECOND, seconds, "es:res:1", offers(second, "es:take:1"))
    assert "Carla" in offer.text
    assert sql(tmp_path, "SELECT status FROM reports") == [("acknowledged",)]

    # A question, answered by just typing.
    bot.press(CONTACT, escalation, "es:ask:1", message(contact, "R-0001"))
    since = api.mark()
    api.say(CONTACT, "Which flat?")
    question = bot.expect(offers(me, "qa:"), since, "the first question")
    since = api.mark()
    api.say(REPORTER, "From 3.14, I think")
    bot.expect(message(contact, "From 3.14"), since, "the typed answer")

    # A second question, answered with Telegram's reply.
    bot.press(CONTACT, escalation, "es:ask:1", message(contact, "R-0001"))
    since = api.mark()
    api.say(CONTACT, "Since when?")
    question = bot.expect(offers(me, "qa:"), since, "the second question")
    since = api.mark()
    api.say(REPORTER, "Since May", reply_to=question.result["message_id"])
    answered = bot.expect(message(contact, "Since May"), since, "the replied answer")
    assert "Since when?" in answered.text
    settle_and_stop(bot)
