"""Reports never dead-end: nobody behind a level, operators who can act, one holder."""

from datetime import timedelta

import pytest

from bot.console.offline import Call, TelegramError
from bot.domain.keywords import keyword
from bot.domain.models import ContactKind, ResidentRole, ResidentStatus
from bot.domain.validation import utf16_length
from bot.services.ladder import reach_newcomers
from tests.conftest import make_config
from tests.people import CONTACT, INITIATOR, OPERATOR, POLICE, RESIDENT, STRANGER, user
from tests.test_reports import CORPORATION, REPORTER, _complex, _escalation, _report, _to
from tests.world import World, alerts, last_message, nl, sent, sweep

SECOND_POLICE = user(2004, "Paula")


async def _bare_complex(world: World):
    """A complex prepared before any contact accepted an invite."""
    complex_ = await world.new_complex()
    await world.sign_up(REPORTER, complex_.resident_code, introductions=False)
    return complex_


async def test_a_report_without_contacts_waits_and_says_so(world: World) -> None:
    complex_ = await _bare_complex(world)
    calls = await _report(world, kind="incident", category="theft", what="Bike stolen")
    to_reporter = [c.text for c in _to(calls, REPORTER)]
    receipt = to_reporter[-1]
    assert "R-0001" in receipt and "kept safe" in receipt and "can be reached yet" in receipt
    assert "112" in receipt and "0900-8844" in receipt
    assert not any("I keep trying" in text or "on its way" in text for text in to_reporter)
    assert sum("can be reached yet" in text for text in to_reporter) == 1  # only the receipt
    to_operator = _to(calls, OPERATOR)
    assert len(to_operator) == 1  # one message per report, saying what is missing
    alert = to_operator[0]
    assert "waits" in alert.text and "municipality" in alert.text and "police" in alert.text
    assert "Bike stolen" not in alert.text and REPORTER["first_name"] not in alert.text
    data = [b["callback_data"] for b in alert.buttons]
    assert f"1:ic:keep:{complex_.id}:municipality" in data and f"1:ic:keep:{complex_.id}:police" \
        in data
    assert {"1:or:open:1", "1:or:resend:1", "1:or:hand:1"} <= set(data)
    report = await world.repos.reports.get(1)
    assert report is not None and report.waiting and not report.exhausted

    world.clock.advance(timedelta(days=10))  # no climbing through empty levels, no alerts
    assert sent(await sweep(world)) == []

    # The operator's invite button gives a link; the contact who opens it gets the report.
    calls = await world.press(OPERATOR, alert, f"ic:keep:{complex_.id}:municipality")
    link = last_message(calls, OPERATOR["id"]).text
    assert "?start=c_" in link
    code = link.split("?start=")[1].split()[0].split("<")[0]
    calls = await world.say(CONTACT, f"/start {code}")
    escalation = _escalation(calls, CONTACT)
    assert "Bike stolen" in escalation.text
    assert "1:es:ack:1" in [b["callback_data"] for b in escalation.buttons]
    report = await world.repos.reports.get(1)
    assert report is not None and not report.waiting
    queue = last_message(await world.say(CONTACT, "/queue"), CONTACT["id"]).text
    assert "R-0001" in queue


async def test_a_waiting_report_goes_out_at_the_next_sweep_if_the_event_was_missed(
        world: World) -> None:
    complex_ = await _bare_complex(world)
    await _report(world, kind="incident", category="theft", what="Bike stolen")
    # A contact stored without passing through the join handler (a crash in between).
    invite = await world.repos.invites.create_contact_invite(complex_.id, ContactKind.POLICE,
                                                             0)
    await world.repos.invites.redeem_contact_invite(invite.code, POLICE["id"], "Pieter")
    _escalation(await sweep(world), POLICE)


async def test_a_contact_who_joins_gets_the_open_level_too(world: World) -> None:
    complex_ = await _bare_complex(world)
    await world.contact_joins(POLICE, complex_, "police")
    await world.contact_joins(CONTACT, complex_, "municipality")
    calls = await _report(world, now="yes", kind="incident", category="violence",
                          what="A fight in the hall")
    _escalation(calls, POLICE)
    await world.contact_joins(SECOND_POLICE, complex_, "police")
    _escalation(world.telegram.calls, SECOND_POLICE)
    assert await world.repos.reports.is_actor(1, SECOND_POLICE["id"])
    # Joining again does not send it twice.
    before = len(_to(world.telegram.calls, SECOND_POLICE))
    await reach_newcomers(world.app.bot_data["services"], complex_.id)
    await world.flush()
    assert len(_to(world.telegram.calls, SECOND_POLICE)) == before


async def test_operators_list_open_and_hand_on_reports(world: World) -> None:
    complex_ = await _bare_complex(world)
    await _report(world, kind="incident", category="theft", what="Bike stolen")
    listing = last_message(await world.say(OPERATOR, "/openreports"), OPERATOR["id"])
    assert "R-0001" in listing.text and "De Toren" in listing.text and "waits" in listing.text
    assert "1:or:open:1" in [b["callback_data"] for b in listing.buttons]
    opened = last_message(await world.press(OPERATOR, listing, "or:open:1"), OPERATOR["id"])
    assert "Bike stolen" in opened.text and "Reported anonymously" in opened.text
    assert REPORTER["first_name"] not in opened.text

    calls = await world.press(OPERATOR, opened, "or:hand:1")
    assert "Nobody in De Toren can take it yet" in alerts(calls)[0]
    await world.contact_joins(POLICE, complex_, "police")  # gets it at once, as it waited
    await world.contact_joins(CONTACT, complex_, "municipality")
    calls = await world.press(OPERATOR, opened, "or:hand:1")
    choices = last_message(calls, OPERATOR["id"])
    assert f"1:or:to:1:{CONTACT['id']}" in [b["callback_data"] for b in choices.buttons]
    calls = await world.press(OPERATOR, choices, f"or:to:1:{CONTACT['id']}")
    handed = last_message(calls, CONTACT["id"])
    assert "The operators hand this report to you." in handed.text
    assert await world.repos.reports.is_actor(1, CONTACT["id"])
    calls = await world.press(OPERATOR, opened, "or:resend:1")
    assert "is sent again" in alerts(calls)[0]
    assert _to(calls, POLICE) and _to(calls, CONTACT)


async def test_only_operators_see_or_act_on_the_overview(world: World) -> None:
    await _bare_complex(world)
    await _report(world, kind="incident", category="theft", what="Bike stolen")
    answer = last_message(await world.say(STRANGER, "/openreports"), STRANGER["id"])
    assert "Only the operators" in answer.text
    listing = last_message(await world.say(OPERATOR, "/openreports"), OPERATOR["id"])
    calls = await world.feed(world.telegram.press_update(
        STRANGER, OPERATOR["id"], 1, "or:to:1:" + str(STRANGER["id"])))
    assert "Only the operators" in alerts(calls)[0]
    assert not await world.repos.reports.is_actor(1, STRANGER["id"])
    for forged in ("or:open:99", "or:open:x", "or:to:1", "or:drop:1"):
        calls = await world.feed(world.telegram.press_update(
            OPERATOR, OPERATOR["id"], listing.result["message_id"], forged))
        assert alerts(calls), forged


async def test_one_holder_resolves_another_takes_over_explicitly(world: World) -> None:
    await _complex(world)
    calls = await _report(world, now="yes", kind="incident", category="violence",
                          what="A fight in the hall")
    to_carla, to_pieter = _escalation(calls, CONTACT), _escalation(calls, POLICE)
    await world.press(CONTACT, to_carla, "es:ack:1")
    calls = await world.press(POLICE, to_pieter, "es:res:1")  # Pieter reads Dutch
    assert alerts(calls)[0] == nl("{who} holds {reference}: only they can resolve or forward "
                                  "it.").format(who="Carla (gemeente)", reference="R-0001")
    assert await world.repos.drafts.get(POLICE["id"]) is None  # no note asked for
    offer = last_message(calls, POLICE["id"])
    assert "1:es:take:1" in [b["callback_data"] for b in offer.buttons]
    report = await world.repos.reports.get(1)
    assert report is not None and report.status != "resolved"

    calls = await world.press(POLICE, offer, "es:take:1")
    assert any("took over report R-0001" in c.text for c in _to(calls, CONTACT))
    report = await world.repos.reports.get(1)
    assert report is not None and report.acknowledged_by == POLICE["id"]
    # Carla's old resolve button no longer closes the case.
    calls = await world.press(CONTACT, to_carla, "es:res:1")
    assert "holds R-0001" in alerts(calls)[0]


async def test_help_and_house_rules_use_the_configured_numbers(tmp_path, clock) -> None:
    world = await World.start(make_config(tmp_path, emergency_number="911",
                                          police_number="0800-1234"), clock)
    try:
        complex_ = await world.new_complex()
        await world.sign_up(INITIATOR, complex_.initiator_code)
        help_text = last_message(await world.say(INITIATOR, "/help")).text
        assert "911" in help_text and "0800-1234" in help_text and "112" not in help_text
        linked = last_message(await world.say(INITIATOR, "/linkgroup", world.group()))
        assert "call 911 first" in linked.text and "0800-1234" in linked.text
        assert "112" not in linked.text and "0900-8844" not in linked.text
    finally:
        await world.stop()


async def test_an_initiator_through_the_link_gets_the_menu_and_keeps_it_after_a_restart(
        tmp_path, clock) -> None:
    world = await World.start(make_config(tmp_path), clock)
    try:
        complex_ = await world.new_complex()
        calls = await world.sign_up(INITIATOR, complex_.initiator_code)
        menus = [c for c in calls if c.method == "setMyCommands"
                 and (c.params.get("scope") or {}).get("chat_id") == INITIATOR["id"]]
        assert menus and "members" in str(menus[-1].params["commands"])
    finally:
        await world.stop()
    world = await World.start(make_config(tmp_path), clock)
    try:
        menus = [c for c in world.telegram.calls if c.method == "setMyCommands"
                 and (c.params.get("scope") or {}).get("chat_id") == INITIATOR["id"]]
        assert menus and "members" in str(menus[-1].params["commands"])
    finally:
        await world.stop()


async def _asked(world: World, question: str) -> Call:
    """A report picked up by Carla, who asks the reporter `question`; the relayed question."""
    await _complex(world)
    escalation = _escalation(await _report(world), CONTACT)
    await world.press(CONTACT, escalation, "es:ack:1")
    await world.press(CONTACT, escalation, "es:ask:1")
    relayed = last_message(await world.say(CONTACT, question), REPORTER["id"])
    assert "Just type your answer here, or reply to this message." in relayed.text
    return relayed


async def test_a_typed_answer_reaches_the_contact(world: World) -> None:
    await _asked(world, "Which flat?")
    calls = await world.say(REPORTER, "From 3.14, I think")  # no Answer button pressed
    relayed = last_message(calls, CONTACT["id"])
    assert "answers the question \"Which flat?\"" in relayed.text and "From 3.14" in relayed.text
    assert "your answer is passed on" in last_message(calls, REPORTER["id"]).text
    # With no question waiting, a typed line is not taken as an answer.
    calls = await world.say(REPORTER, "Hello?")
    assert _to(calls, CONTACT) == [] and "did not understand" in last_message(calls).text


async def test_a_telegram_reply_to_the_question_reaches_the_contact(world: World) -> None:
    question = await _asked(world, "Which flat?")
    chat = world.telegram.private_chat(REPORTER)
    calls = await world.feed(world.telegram.text_update(
        REPORTER, chat, "3.14", reply_to=question.result["message_id"]))
    assert "3.14" in last_message(calls, CONTACT["id"]).text
    again = await world.feed(world.telegram.text_update(
        REPORTER, chat, "really 3.14", reply_to=question.result["message_id"]))
    assert _to(again, CONTACT) == [] and "already answered" in last_message(again).text


async def test_a_contact_asks_by_replying_to_the_answer_or_to_the_report(
        world: World) -> None:
    question = await _asked(world, "Which flat?")
    reporter_chat = world.telegram.private_chat(REPORTER)
    calls = await world.feed(world.telegram.text_update(
        REPORTER, reporter_chat, "3.14", reply_to=question.result["message_id"]))
    answer = last_message(calls, CONTACT["id"])
    contact_chat = world.telegram.private_chat(CONTACT)
    calls = await world.feed(world.telegram.text_update(
        CONTACT, contact_chat, "Which floor is that?", reply_to=answer.result["message_id"]))
    follow_up = last_message(calls, REPORTER["id"])
    assert "A question about your report R-0001" in follow_up.text
    assert "Which floor is that?" in follow_up.text
    assert last_message(calls, CONTACT["id"]).text == \
        "Your question is passed on. I will bring you the answer."
    copy = next(c for c in world.telegram.calls if c.method == "sendMessage"
                and c.chat_id == CONTACT["id"] and c.text.startswith("<b>Report R-0001"))
    calls = await world.feed(world.telegram.text_update(
        CONTACT, contact_chat, "Is it still going on?", reply_to=copy.result["message_id"]))
    assert "Is it still going on?" in last_message(calls, REPORTER["id"]).text
    # Once it is resolved, a reply to the old copy asks nothing.
    await world.say(REPORTER, "Yes, every night")
    await world.press(CONTACT, copy, "es:res:1")
    await world.say(CONTACT, "Spoke to the neighbour")
    calls = await world.feed(world.telegram.text_update(
        CONTACT, contact_chat, "One more thing", reply_to=copy.result["message_id"]))
    assert _to(calls, REPORTER) == []
    assert last_message(calls, CONTACT["id"]).text == "This report is resolved."


async def test_a_handler_with_an_own_question_waiting_asks_by_replying_to_a_copy(
        world: World) -> None:
    complex_ = await _complex(world)
    copy = _escalation(await _report(world), CONTACT)  # R-0001, Zoë's, reaches Carla
    await world.press(CONTACT, copy, "es:ack:1")
    # Carla lives there too, reports herself, and the police ask her something about it.
    await world.sign_up(CONTACT, complex_.resident_code, introductions=False)
    theirs = _escalation(await _report(world, kind="incident", category="theft", by=CONTACT),
                         POLICE)
    await world.press(POLICE, theirs, "es:ack:2")
    await world.press(POLICE, theirs, "es:ask:2")
    await world.say(POLICE, "Which bike?")
    calls = await world.feed(world.telegram.text_update(
        CONTACT, world.telegram.private_chat(CONTACT), "Is it still going on?",
        reply_to=copy.result["message_id"]))
    assert "Is it still going on?" in last_message(calls, REPORTER["id"]).text
    assert _to(calls, POLICE) == []  # not taken as Carla's answer to the police


async def test_a_double_tap_is_harmless(world: World) -> None:
    asked = last_message(await world.say(RESIDENT, "/language"))
    await world.press(RESIDENT, asked, "lang:en")
    # The second tap of a double tap arrives from the same message: the same edit again,
    # which Telegram refuses as "message is not modified".
    calls = await world.feed(world.telegram.press_update(
        RESIDENT, RESIDENT["id"], asked.result["message_id"], "lang:en"))
    assert "editMessageText" in [c.method for c in calls]
    assert not any("went wrong" in c.text for c in sent(calls))
    assert sent(calls, OPERATOR["id"]) == []


def _fail_every_step() -> None:
    raise RuntimeError("the disk is full")


async def test_error_notices_reach_operators_in_their_language_once_an_hour(
        tmp_path, clock) -> None:
    dutch_operator = user(1002, "Otto", "nl")
    world = await World.start(make_config(
        tmp_path, operators=frozenset({OPERATOR["id"], dutch_operator["id"]})), clock)
    try:
        complex_ = await world.new_complex()
        await world.sign_up(RESIDENT, complex_.resident_code)
        await world.say(dutch_operator, "/help")  # the bot learns Otto's language
        await world.repos.people.set_language(dutch_operator["id"], "nl")
        world.app.bot_data["services"].db.after_step = _fail_every_step
        calls = await world.say(RESIDENT, "/idea A <b>secret</b> party")
        assert "went wrong" in last_message(calls, RESIDENT["id"]).text
        notice = last_message(calls, dutch_operator["id"]).text
        assert notice == nl("Buurtnet hit an error ({error}); see the log.").format(
            error="RuntimeError")
        english = last_message(calls, OPERATOR["id"]).text
        assert english == "Buurtnet hit an error (RuntimeError); see the log."
        # A burst of the same error is one notice an hour, whoever meets it.
        for _ in range(3):
            calls = await world.say(RESIDENT, "/idea Another one")
            assert sent(calls, OPERATOR["id"]) == [] and sent(calls, dutch_operator["id"]) == []
        clock.advance(timedelta(hours=1))
        calls = await world.say(RESIDENT, "/idea And again")
        assert last_message(calls, OPERATOR["id"]).text == english
        assert not any("secret" in c.text or "Rosa" in c.text for c in world.telegram.calls
                       if c.chat_id in (OPERATOR["id"], dutch_operator["id"]))
    finally:
        await world.stop()


async def test_an_answer_telegram_cannot_take_now_is_sent_later(world: World) -> None:
    for failure in (TelegramError(500, "Internal Server Error"),
                    TelegramError(429, "Too Many Requests: retry after 1", retry_after=1)):
        world.telegram.failures[RESIDENT["id"]] = [failure]
        calls = await world.say(RESIDENT, "/help")
        refused, *later = [c for c in calls if c.chat_id == RESIDENT["id"]]
        assert not refused.result and sent(calls, OPERATOR["id"]) == []
        if failure.retry_after:  # not before the time it names
            assert later == []
            world.clock.advance(timedelta(seconds=1))
            await world.flush()
            later = [c for c in world.telegram.calls if c.chat_id == RESIDENT["id"]][-1:]
        assert [(c.text, bool(c.result)) for c in later] == [(refused.text, True)]
    # Refusals are not passing: sending again would only be refused again.
    world.telegram.failures[RESIDENT["id"]] = [TelegramError(400, "Bad Request: chat not found")]
    calls = await world.say(RESIDENT, "/help")
    assert "Buurtnet hit an error (BadRequest); see the log." in \
        last_message(calls, OPERATOR["id"]).text


async def test_long_lists_are_split_to_fit_telegram(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.contact_joins(CONTACT, complex_, "municipality")
    for number in range(90):
        await world.repos.people.add_resident(
            telegram_id=900_000 + number, complex_id=complex_.id, first_name="N" * 60,
            building="Tower B, floor 12", interests=["Music", "Sports", "Cooking"],
            wants_to_organise=False, wants_introductions=True, role=ResidentRole.RESIDENT,
            status=ResidentStatus.ACTIVE)
    members = sent(await world.say(INITIATOR, "/members"), INITIATOR["id"])
    assert len(members) >= 2 and all(len(m.text) <= 4096 for m in members)
    assert sum(m.text.count("N" * 60) for m in members) == 90

    chain = world.app.bot_data["config"].routing.chain("loose_sand", "concern", "nuisance",
                                                       False)
    for _number in range(45):
        await world.repos.reports.create(
            complex_id=complex_.id, reporter_id=900_001, reporter_name=None, kind="concern",
            category="nuisance", happening_now=False, urgent=False, occurred="x", place=None,
            latitude=None, longitude=None, description="y", photo_file_id=None,
            stage="loose_sand", shared_in_group=False, chain=chain)
    await sweep(world)
    for command, person in (("/queue", CONTACT), ("/reports", INITIATOR)):
        answers = sent(await world.say(person, command), person["id"])
        assert all(len(a.text) <= 4096 for a in answers), command
        assert sum(a.text.count("R-00") for a in answers) == 45, command
    queue = sent(await world.say(CONTACT, "/queue"), CONTACT["id"])
    assert "De Toren" in queue[-1].text
    opened = await world.press(CONTACT, queue[-1], "es:open:1")
    assert "1:es:ack:1" in [b["callback_data"] for b in last_message(opened).buttons]
    # Someone who was not asked cannot open it with a forged button.
    forged = await world.feed(world.telegram.press_update(
        STRANGER, STRANGER["id"], 1, "es:open:1"))
    assert "Only the people this report was sent to" in alerts(forged)[0]


async def test_promises_about_the_name_only_for_anonymous_reports(world: World) -> None:
    await _complex(world)
    escalation = _escalation(await _report(world, identity="named"), CONTACT)
    calls = await world.press(CONTACT, escalation, "es:ask:1")
    assert "without telling you who they are" not in last_message(calls).text
    question = last_message(await world.say(CONTACT, "Which flat?"), REPORTER["id"])
    calls = await world.press(REPORTER, question, "Answer")
    assert "your name is not shared" not in last_message(calls).text


@pytest.mark.parametrize(("typed", "meant"), [
    ("groep", "group"), ("Los-Zand", "loose_sand"), ("beginnend_netwerk", "beginning_network"),
    ("politie", "police"), ("gemeente", "municipality"), ("woningcorporatie", "corporation"),
    ("goedkeuring", "approval"), ("aan", "on"), ("uit", "off"), ("ja", "yes"), ("nee", "no"),
    ("police", "police"), ("onzin", "onzin"),
])
def test_dutch_command_words_mean_the_english_ones(typed: str, meant: str) -> None:
    assert keyword(typed) == meant


async def test_dutch_arguments_work_in_commands(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.say(INITIATOR, "/joinpolicy goedkeuring")
    assert (await world.repos.complexes.get(complex_.id)).join_policy.value == "approval"
    invite = last_message(await world.say(OPERATOR, f"/invitecontact {complex_.id} politie"))
    assert "?start=c_" in invite.text
    await world.say(POLICE, "/start " + invite.text.split("?start=")[1].split()[0])
    await world.say(POLICE, "/committee aan")
    assert (await world.repos.complexes.get(complex_.id)).committee
    await world.say(POLICE, "/setstage groep de commissie komt maandelijks bijeen")
    assert (await world.repos.complexes.get(complex_.id)).stage_override == "group"
    # Dutch usage texts name the Dutch words.
    usage = last_message(await world.say(POLICE, "/committee")).text
    assert "/committee aan" in usage and "/committee uit" in usage


async def test_escalations_are_self_contained_with_absolute_times(world: World) -> None:
    await _complex(world)
    step = last_message(await world.say(REPORTER, "/report"))
    for data in ("rp:now:no", "rp:kind:incident", "rp:category:theft", "rp:when:today"):
        step = last_message(await world.press(REPORTER, step, data))
    step = last_message(await world.say(REPORTER, "Bike shed"))
    step = last_message(await world.say(REPORTER, "Bike stolen"))
    step = last_message(await world.press(REPORTER, step, "rp:photo:skip"))
    step = last_message(await world.press(REPORTER, step, "rp:identity:anonymous"))
    calls = await world.press(REPORTER, step, "rp:confirm:yes")
    first = _escalation(calls, CONTACT).text  # the clock stands at Monday 5 Jan 2026, 13:00
    assert "Reported: Monday, January 5, 2026, 1:00\u202fPM" in first
    assert "When: Monday, January 5, 2026 (the day it was reported)" in first
    assert "Please pick it up before Monday, January 5, 2026, 5:00\u202fPM" in first
    assert await world.repos.reports.get(1) and (await world.repos.reports.get(1)).occurred \
        == "@today"  # a value, not a word of the reporter's language
    world.clock.advance(timedelta(hours=4, minutes=1))
    second = _escalation(await sweep(world), POLICE).text  # Pieter reads Dutch
    assert nl("It reaches you because {targets} did not pick it up within {timeout}.").format(
        targets=nl("municipality"), timeout="4 uur") in second
    assert "maandag 5 januari 2026" in second


async def test_the_urgent_path_asks_only_category_where_and_what(world: World) -> None:
    await _complex(world)
    first = last_message(await world.say(REPORTER, "/report"))
    assert first.text.startswith("<b>In an emergency, call 112 now.</b>")
    category = last_message(await world.press(REPORTER, first, "rp:now:yes"))
    assert category.text.startswith("<b>In an emergency, call 112 now.</b>")
    assert "1:rp:category:violence" in [b["callback_data"] for b in category.buttons]
    where = last_message(await world.press(REPORTER, category, "rp:category:violence"))
    assert "Where?" in where.text
    what = last_message(await world.say(REPORTER, "Hall, ground floor"))
    summary = last_message(await world.say(REPORTER, "Two men fighting"))
    assert "1:rp:confirm:yes" in [b["callback_data"] for b in summary.buttons]
    assert "Kind: Incident" in summary.text and "(while it was reported)" in summary.text
    assert what.text != summary.text
    calls = await world.press(REPORTER, summary, "rp:confirm:yes")
    report = await world.repos.reports.get(1)
    assert report is not None and report.urgent and report.occurred == "@now"
    assert report.kind == "incident" and report.anonymous
    _escalation(calls, POLICE)


async def test_a_forwarded_report_carries_the_questions_and_answers(world: World) -> None:
    await _complex(world)
    escalation = _escalation(await _report(world, kind="incident", category="theft",
                                           what="Bike stolen"), CONTACT)
    await world.press(CONTACT, escalation, "es:ack:1")
    await world.press(CONTACT, escalation, "es:ask:1")
    await world.say(CONTACT, "Which shed?")
    await world.say(REPORTER, "The one by building B")
    await world.press(CONTACT, escalation, "es:ask:1")
    await world.say(CONTACT, "Was it locked?")
    choose = last_message(await world.press(CONTACT, escalation, "es:fwd:1"))
    forwarded = _escalation(await world.press(CONTACT, choose, "es:fw:1:corporation"),
                            CORPORATION).text
    assert "Q: Which shed?\nA: The one by building B" in forwarded
    assert "Q: Was it locked?\nA: (no answer yet)" in forwarded


async def test_malformed_ids_in_buttons_are_refused_not_raised_on(world: World) -> None:
    await _bare_complex(world)
    await _report(world, kind="incident", category="theft", what="Bike stolen")
    for person, data in ((OPERATOR, "or:open:²"), (OPERATOR, "or:to:1:" + "9" * 40),
                         (OPERATOR, "or:open:" + "9" * 40), (OPERATOR, "or:open:\u200b1"),
                         (CONTACT, "es:res:²"), (CONTACT, "es:open:" + "9" * 40),
                         (CONTACT, "es:take:-1")):
        calls = await world.feed(world.telegram.press_update(person, person["id"], 1, data))
        assert alerts(calls), data  # a clear answer, not "something went wrong"
        assert not any("went wrong" in c.text for c in sent(calls)), data
        assert sent(calls, OPERATOR["id"]) == [] or person is OPERATOR, data


def test_message_length_is_counted_as_telegram_counts_it() -> None:
    assert utf16_length("abc") == 3 and utf16_length("👍") == 2 and utf16_length("é") == 1


async def test_a_list_of_emoji_lines_is_split_by_utf16_length(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    for number in range(90):  # 3,500 characters, but 6,000 UTF-16 code units
        await world.repos.people.add_resident(
            telegram_id=800_000 + number, complex_id=complex_.id, first_name="🙂" * 30,
            building=None, interests=[], wants_to_organise=False, wants_introductions=False,
            role=ResidentRole.RESIDENT, status=ResidentStatus.ACTIVE)
    members = sent(await world.say(INITIATOR, "/members"), INITIATOR["id"])
    assert len(members) >= 2 and all(utf16_length(m.text) <= 4096 for m in members)
    assert sum(m.text.count("🙂" * 30) for m in members) == 90


@pytest.mark.parametrize("data", [
    "act:go:²", "ap:ok:²", "qa:²", "lg:²", "idea:support:²", "init:yes:²", "in:yes:²",
    "mt:yes:²", "ra:²", "act:go:" + "9" * 40, "idea:support:" + "9" * 40,
])
async def test_older_buttons_refuse_forged_ids_too(world: World, data: str) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    calls = await world.feed(world.telegram.press_update(INITIATOR, INITIATOR["id"], 1, data))
    assert alerts(calls), data
    assert not any("went wrong" in c.text for c in sent(calls)), data
    assert sent(calls, OPERATOR["id"]) == [], data
