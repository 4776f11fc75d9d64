"""Reports end to end inside the app: the private flow, escalation by stage, the ladder,
acting from Telegram, and an anonymous reporter who is never revealed."""

import json
from datetime import timedelta

from bot.console.offline import Call
from bot.domain.models import ContactKind
from bot.services import handling, reporting
from tests.conftest import make_config
from tests.people import (
    CONTACT,
    DUTCH_RESIDENT,
    INITIATOR,
    NEIGHBOUR,
    OPERATOR,
    POLICE,
    STRANGER,
    user,
)
from tests.world import GROUP_ID, World, alerts, last_message, nl, sent, sweep

REPORTER = user(4100, "Zoë", "en")  # a name that appears nowhere else
CORPORATION = user(2003, "Cor")


async def _complex(world: World, stage: str = "loose_sand", *, committee: bool = False,
                   group: bool = False):
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    # Zoë wants no introductions: no welcome post or pairing names her anywhere.
    await world.sign_up(REPORTER, complex_.resident_code, introductions=False)
    await world.contact_joins(CONTACT, complex_, "municipality")
    await world.contact_joins(POLICE, complex_, "police")
    await world.contact_joins(CORPORATION, complex_, "corporation")
    if group:
        await world.say(INITIATOR, "/linkgroup", world.group())
    async with world.app.bot_data["services"].db.transaction() as conn:
        # A contact's override pins the stage, whatever the daily measurement says.
        await conn.execute("UPDATE complexes SET stage_override = ?, committee = ? WHERE id = ?",
                           (stage, int(committee), complex_.id))
    return complex_


async def _report(world: World, *, now: str = "no", kind: str = "concern",
                  category: str = "nuisance", identity: str = "anonymous",
                  share: str | None = None, what: str = "Loud music every night after 2 am",
                  group_line: str | None = None, by: dict = REPORTER) -> list[Call]:
    step = last_message(await world.say(by, "/report"))
    if now == "yes":  # the urgent path: category, where, what; anonymous, at this moment
        assert kind == "incident" and identity == "anonymous"
        for data in ("rp:now:yes", f"rp:category:{category}"):
            step = last_message(await world.press(by, step, data))
        step = last_message(await world.say(by, "Corridor, 3rd floor"))
        step = last_message(await world.say(by, what))
        return await world.press(by, step, "rp:confirm:yes")
    for data in (f"rp:now:{now}", f"rp:kind:{kind}", f"rp:category:{category}"):
        step = last_message(await world.press(by, step, data))
    step = last_message(await world.say(by, "last night around 2"))
    step = last_message(await world.say(by, "Corridor, 3rd floor"))
    step = last_message(await world.say(by, what))
    step = last_message(await world.press(by, step, "rp:photo:skip"))
    step = last_message(await world.press(by, step, f"rp:identity:{identity}"))
    if share is not None:
        step = last_message(await world.press(by, step, f"rp:share:{share}"))
    if share == "yes":  # the line neighbours read: the bot's neutral one, or the reporter's
        step = last_message(await world.say(by, group_line) if group_line else
                            await world.press(by, step, "rp:group_text:standard"))
    return await world.press(by, step, "rp:confirm:yes")


def _to(calls: list[Call], person: dict) -> list[Call]:
    return sent(calls, person["id"])


def _escalation(calls: list[Call], person: dict) -> Call:
    # "<b>Report R-0001</b>", or "<b>Melding R-0001</b>" for Pieter, who speaks Dutch.
    messages = [c for c in _to(calls, person)
                if c.text.startswith("<b>") and c.text.split("</b>")[0].split()[-1][:2] == "R-"]
    assert messages, f"{person['first_name']} got no report among {[c.text for c in calls]}"
    return messages[-1]


def _never_revealed(world: World) -> None:
    """No message to anyone but the reporter carries the reporter's name, username or id."""
    for call in world.telegram.calls:
        if call.chat_id in (REPORTER["id"], None):
            continue
        payload = json.dumps(call.params, ensure_ascii=False)
        assert "Zoë" not in payload, payload
        assert str(REPORTER["id"]) not in payload, payload


async def test_the_first_message_shows_the_emergency_numbers(world: World) -> None:
    await _complex(world)
    first = last_message(await world.say(REPORTER, "/report"))
    assert first.text.startswith("<b>In an emergency, call 112 now.</b>")
    assert "0900-8844" in first.text and "Is it happening now?" in first.text


async def test_loose_sand_concern_acknowledged_asked_answered_resolved(world: World) -> None:
    await _complex(world)
    calls = await _report(world)
    received = last_message(calls, REPORTER["id"])
    assert "Your report <b>R-0001</b> is received" in received.text
    report = await world.repos.reports.get(1)
    assert report is not None and report.status == "open" and report.anonymous
    escalation = _escalation(calls, CONTACT)
    assert "Reported anonymously" in escalation.text and "Loud music" in escalation.text
    assert _to(calls, POLICE) == [] and _to(calls, INITIATOR) == []
    # The municipality acknowledges: the reporter hears it.
    calls = await world.press(CONTACT, escalation, "es:ack:1")
    assert "Your report R-0001 was picked up (municipality)." in \
        last_message(calls, REPORTER["id"]).text
    assert (await world.repos.reports.get(1)).status == "acknowledged"
    # A question, relayed both ways by the bot.
    await world.press(CONTACT, escalation, "es:ask:1")
    calls = await world.say(CONTACT, "Which flat does the music come from?")
    question = last_message(calls, REPORTER["id"])
    assert "(municipality):\nWhich flat does the music come from?" in question.text
    await world.press(REPORTER, question, "Answer")
    calls = await world.say(REPORTER, "From 3.14, I think")
    relayed = last_message(calls, CONTACT["id"])
    assert "The reporter of R-0001 answers" in relayed.text and "From 3.14" in relayed.text
    # Resolve with a note for the reporter.
    await world.press(CONTACT, escalation, "es:res:1")
    calls = await world.say(CONTACT, "We spoke to the residents of 3.14.")
    assert "Your report R-0001 is resolved (municipality). The note: We spoke" in \
        last_message(calls, REPORTER["id"]).text
    assert (await world.repos.reports.get(1)).status == "resolved"
    _never_revealed(world)


async def test_a_named_reporter_is_named(world: World) -> None:
    await _complex(world)
    calls = await _report(world, identity="named")
    assert "Reported by: Zoë" in _escalation(calls, CONTACT).text


async def test_group_stage_concern_goes_to_the_committee(world: World) -> None:
    await _complex(world, "group", committee=True)
    calls = await _report(world)
    assert "Reported anonymously" in _escalation(calls, INITIATOR).text
    assert _to(calls, CONTACT) == [] and _to(calls, POLICE) == []
    _never_revealed(world)


async def test_group_stage_building_safety_goes_straight_to_the_corporation(world: World
                                                                            ) -> None:
    await _complex(world, "group", committee=True)
    calls = await _report(world, category="building_safety", what="The front door lock "
                          "is broken")
    _escalation(calls, CORPORATION)
    assert _to(calls, INITIATOR) == [] and _to(calls, CONTACT) == []


async def test_group_stage_incident_to_police_with_the_committee_informed(world: World
                                                                          ) -> None:
    await _complex(world, "group", committee=True)
    calls = await _report(world, kind="incident", category="theft", what="Bike stolen")
    police = _escalation(calls, POLICE)
    assert police.buttons  # asked to act
    informed = _escalation(calls, INITIATOR)
    assert informed.buttons == [] and "For your information" in informed.text


async def test_urgent_goes_to_police_and_municipality_at_once(world: World) -> None:
    await _complex(world, "group", committee=True)
    calls = await _report(world, now="yes", kind="incident", category="violence",
                          what="A fight in the hall")
    assert nl("⚠️ Urgent: happening now, violence, or a sexual offence.") in \
        _escalation(calls, POLICE).text  # Pieter speaks Dutch
    _escalation(calls, CONTACT)
    report = await world.repos.reports.get(1)
    assert report.deadline_at == world.clock.now() + timedelta(minutes=15)


async def test_silence_climbs_then_alerts_operators_and_runs_once_more(world: World) -> None:
    await _complex(world)
    calls = await _report(world, kind="incident", category="theft", what="Bike stolen")
    _escalation(calls, CONTACT)
    assert _to(calls, POLICE) == []
    world.clock.advance(timedelta(hours=4) - timedelta(seconds=1))
    assert sent(await sweep(world)) == []
    world.clock.advance(timedelta(seconds=1))
    calls = await sweep(world)
    _escalation(calls, POLICE)  # level 2
    assert _to(calls, CONTACT) == [] and _to(calls, OPERATOR) == []
    world.clock.advance(timedelta(hours=4))
    calls = await sweep(world)
    assert "I am sending it round once more" in last_message(calls, OPERATOR["id"]).text
    assert "sent round once more" in _escalation(calls, CONTACT).text  # lap 2, level 1
    world.clock.advance(timedelta(hours=4))
    _escalation(await sweep(world), POLICE)
    world.clock.advance(timedelta(hours=4))
    calls = await sweep(world)
    assert "still not acknowledged after two rounds" in last_message(calls, OPERATOR["id"]).text
    assert _to(calls, CONTACT) == [] and _to(calls, POLICE) == []
    world.clock.advance(timedelta(days=3))
    assert sent(await sweep(world)) == []


async def test_acknowledging_stops_the_climb_and_tells_the_others(world: World) -> None:
    await _complex(world, "beginning_network")
    calls = await _report(world, kind="incident", category="theft", what="Bike stolen")
    municipality, police = _escalation(calls, CONTACT), _escalation(calls, POLICE)
    calls = await world.press(POLICE, police, "es:ack:1")
    assert last_message(calls, CONTACT["id"]).text == "Pieter (police) took report R-0001."
    late = await world.press(CONTACT, municipality, "es:ack:1")
    assert alerts(late) == ["Someone already took this report."]
    world.clock.advance(timedelta(days=2))
    assert sent(await sweep(world)) == []


async def test_a_blocked_target_moves_the_ladder_on(world: World) -> None:
    await _complex(world)
    world.telegram.blocked.add(CONTACT["id"])
    await _report(world, kind="incident", category="theft", what="Bike stolen")
    assert await world.repos.outbox.status(f"esc:1:1:0:{CONTACT['id']}") == "unreachable"
    calls = await sweep(world)  # no need to wait four hours
    _escalation(calls, POLICE)


async def test_a_target_with_nobody_behind_it_is_skipped_and_operators_told(
        world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(REPORTER, complex_.resident_code, introductions=False)
    await world.contact_joins(POLICE, complex_, "police")
    calls = await _report(world, kind="incident", category="theft", what="Bike stolen")
    assert "nobody can be reached for municipality" in last_message(calls, OPERATOR["id"]).text
    _escalation(calls, POLICE)


async def test_a_restart_mid_ladder_resumes_without_double_notification(tmp_path, clock
                                                                         ) -> None:
    world = await World.start(make_config(tmp_path), clock)
    try:
        await _complex(world)
        calls = await _report(world, kind="incident", category="theft", what="Bike stolen")
        _escalation(calls, CONTACT)
    finally:
        await world.stop()
    clock.advance(timedelta(hours=5))  # the deadline passed while the bot was down
    world = await World.start(make_config(tmp_path), clock)
    try:
        calls = await sweep(world)
        _escalation(calls, POLICE)
        assert _to(calls, CONTACT) == []
        assert sent(await sweep(world)) == []
    finally:
        await world.stop()
    world = await World.start(make_config(tmp_path), clock)
    try:
        assert sent(await sweep(world)) == []
        to_police = [c for c in world.telegram.calls if c.chat_id == POLICE["id"]]
        assert to_police == []
    finally:
        await world.stop()


async def test_forward_to_another_organisation(world: World) -> None:
    await _complex(world)
    calls = await _report(world)
    escalation = _escalation(calls, CONTACT)
    choose = last_message(await world.press(CONTACT, escalation, "es:fwd:1"))
    calls = await world.press(CONTACT, choose, "es:fw:1:police")
    assert "R-0001 is forwarded (police)." in last_message(calls, CONTACT["id"]).text
    _escalation(calls, POLICE)
    report = await world.repos.reports.get(1)
    assert report.status == "open" and report.acknowledged_by is None


async def test_only_targets_act_and_forged_buttons_change_nothing(world: World) -> None:
    await _complex(world)
    calls = await _report(world)
    escalation = _escalation(calls, CONTACT)
    message_id = escalation.result["message_id"]
    for person, data in [(POLICE, "es:ack:1"), (INITIATOR, "es:res:1"), (STRANGER, "es:ack:1"),
                         (CONTACT, "es:ack:99"), (CONTACT, "es:boom:1"), (CONTACT, "es:ack"),
                         (CONTACT, "es:fw:1:sheriff"), (REPORTER, "es:ack:1")]:
        calls = await world.feed(world.telegram.press_update(person, CONTACT["id"], message_id,
                                                             data))
        assert alerts(calls), data
    report = await world.repos.reports.get(1)
    assert report.status == "open" and report.acknowledged_by is None
    assert await world.repos.drafts.get(INITIATOR["id"]) is None


async def test_report_in_a_group_takes_nothing_in(world: World) -> None:
    await _complex(world, group=True)
    calls = await world.say(REPORTER, "/report someone broke into the bike shed", world.group())
    message = last_message(calls)
    assert message.chat_id == GROUP_ID and "Please report privately" in message.text
    assert message.buttons[0]["url"] == "https://t.me/BuurtnetBot?start=report"
    assert await world.repos.reports.get(1) is None
    assert await world.repos.drafts.get(REPORTER["id"]) is None
    first = last_message(await world.say(REPORTER, "/start report"))
    assert "Is it happening now?" in first.text


async def test_only_residents_report(world: World) -> None:
    await _complex(world)
    calls = await world.say(STRANGER, "/report")
    assert "In an emergency, call 112 now." in last_message(calls).text
    assert "once you are signed up" in last_message(calls).text
    assert await world.repos.drafts.get(STRANGER["id"]) is None


async def test_bad_input_in_the_report_flow(world: World) -> None:
    await _complex(world)
    step = last_message(await world.say(REPORTER, "/report"))
    calls = await world.say(REPORTER, "yes it is")
    assert sent(calls)[0].text == "That does not fit this question."
    for data in ("rp:now:maybe", "rp:kind:incident", "rp:x", "rp:now:yes:1"):
        calls = await world.feed(world.telegram.press_update(
            REPORTER, REPORTER["id"], step.result["message_id"], data))
        assert alerts(calls) == ["This button is no longer valid."], data
    for data in ("rp:now:no", "rp:kind:incident"):
        step = last_message(await world.press(REPORTER, step, data))
    forged = await world.feed(world.telegram.press_update(
        REPORTER, REPORTER["id"], step.result["message_id"], "rp:category:arson"))
    assert alerts(forged) == ["This button is no longer valid."]
    step = last_message(await world.press(REPORTER, step, "rp:category:theft"))
    step = last_message(await world.press(REPORTER, step, "rp:when:today"))
    chat = world.telegram.private_chat(REPORTER)
    step = last_message(await world.feed(world.telegram.location_update(REPORTER, chat, 52.09,
                                                                        5.12)))
    calls = await world.say(REPORTER, "x" * 2001)
    assert "at most 2000 characters" in last_message(calls).text
    step = last_message(await world.say(REPORTER, "x" * 2000))
    step = last_message(await world.feed(world.telegram.photo_update(REPORTER, chat, "ph-9")))
    step = last_message(await world.press(REPORTER, step, "rp:identity:anonymous"))
    assert "With a photo" in step.text and "Where: a location" in step.text
    calls = await world.press(REPORTER, step, "rp:confirm:no")
    assert last_message(calls).text == "Cancelled. Nothing was sent or kept."
    assert await world.repos.reports.get(1) is None


async def test_photo_and_location_reach_the_handler(world: World) -> None:
    await _complex(world)
    step = last_message(await world.say(REPORTER, "/report"))
    for data in ("rp:now:no", "rp:kind:incident", "rp:category:vandalism", "rp:when:today"):
        step = last_message(await world.press(REPORTER, step, data))
    chat = world.telegram.private_chat(REPORTER)
    await world.feed(world.telegram.location_update(REPORTER, chat, 52.09, 5.12))
    await world.say(REPORTER, "Graffiti on the door")
    step = last_message(await world.feed(world.telegram.photo_update(REPORTER, chat, "ph-7")))
    step = last_message(await world.press(REPORTER, step, "rp:identity:anonymous"))
    calls = await world.press(REPORTER, step, "rp:confirm:yes")
    photos = [c for c in _to(calls, CONTACT) if c.method == "sendPhoto"]
    assert photos and photos[0].params["photo"] == "ph-7"
    assert any("mlat=52.09" in c.text for c in _to(calls, CONTACT))


async def test_myreports_and_adding_information(world: World) -> None:
    await _complex(world)
    assert "You have not made any reports" in last_message(
        await world.say(REPORTER, "/myreports")).text
    calls = await _report(world)
    escalation = _escalation(calls, CONTACT)
    listing = last_message(await world.say(REPORTER, "/myreports"))
    assert "<b>R-0001</b> · Nuisance · waiting for someone to pick it up" in listing.text
    await world.press(REPORTER, listing, "ra:1")
    calls = await world.say(REPORTER, "It happened again tonight.")
    assert "Added to R-0001 and passed on." in last_message(calls, REPORTER["id"]).text
    assert "The reporter added to R-0001:\nIt happened again tonight." in \
        last_message(calls, CONTACT["id"]).text
    forged = await world.feed(world.telegram.press_update(
        NEIGHBOUR, REPORTER["id"], listing.result["message_id"], "ra:1"))
    assert alerts(forged) == ["This button is no longer valid."]
    await world.press(CONTACT, escalation, "es:ack:1")
    in_group = last_message(await world.say(REPORTER, "/myreports", world.group()))
    assert in_group.text == "Please use this command in a private chat with me."
    assert "R-0001" not in in_group.text and in_group.buttons[0]["url"].startswith("https://t.me/")
    _never_revealed(world)


async def test_me_too_on_a_shared_concern(world: World) -> None:
    complex_ = await _complex(world, group=True)
    await world.sign_up(NEIGHBOUR, complex_.resident_code)
    calls = await _report(world, share="yes")
    post = last_message(calls, GROUP_ID)
    assert "A neighbour shared a concern" in post.text and "Zoë" not in post.text
    # The category and a neutral line; the private text, which points at a neighbour, not.
    assert "(Nuisance)\nNuisance in the complex." in post.text
    assert "Loud music" not in post.text
    calls = await world.press(NEIGHBOUR, post, "me:1")
    assert alerts(calls) == ["Thank you, it is counted."]
    assert calls[-1].buttons[0]["text"] == "Me too (1)"
    again = await world.press(NEIGHBOUR, post, "me:1")
    assert alerts(again) == ['You already said "me too".']
    stranger = await world.press(STRANGER, post, "me:1")
    assert alerts(stranger) == ['Only residents of this complex can say "me too".']
    assert (await world.repos.reports.get(1)).me_too == 1
    queue = last_message(await world.say(CONTACT, "/queue")).text
    assert "R-0001" in queue and "me too: 1" in queue
    _never_revealed(world)


async def test_a_shared_concern_shows_the_line_the_reporter_approved(world: World) -> None:
    await _complex(world, group=True)
    await world.say(REPORTER, "/report")
    for typed in ("no", "concern", "nuisance", "last night", "Room next to the kitchen",
                  "Loud music from the room next to the kitchen", "skip", "anonymously"):
        await world.say(REPORTER, typed)
    proposal = last_message(await world.say(REPORTER, "yes, share it"))
    assert proposal.text.startswith("Neighbours would read this in the group, without your "
                                    "name:\n\n<i>Nuisance in the complex.</i>")
    assert [b["text"] for b in proposal.buttons] == ["Use this line"]
    for bad, answer in [("x" * 201, "That is too long: at most 200 characters, please."),
                        ("two\nlines", "Please keep it to one line.")]:
        assert last_message(await world.say(REPORTER, bad)).text == answer
        assert (await world.repos.drafts.get(REPORTER["id"])).step == "group_text"
    check = last_message(await world.say(REPORTER, "Loud music late at night"))
    assert "Shared in the group without a name: Loud music late at night" in check.text
    calls = await world.press(REPORTER, check, "rp:confirm:yes")
    post = last_message(calls, GROUP_ID)
    assert "(Nuisance)\nLoud music late at night\n" in post.text and "kitchen" not in post.text
    escalation = _escalation(calls, CONTACT)
    assert "Loud music from the room next to the kitchen" in escalation.text
    assert (await world.repos.reports.get(1)).group_text == "Loud music late at night"


async def test_a_dutch_reporter_approves_in_dutch_and_the_group_reads_its_language(
        world: World) -> None:
    complex_ = await _complex(world, group=True)
    await world.sign_up(DUTCH_RESIDENT, complex_.resident_code, language="Nederlands",
                        interests=("Muziek",))
    await world.say(DUTCH_RESIDENT, "/report")
    for typed in ("nee", "zorgpunt", "Overlast", "gisteren", "Fietsenstalling", "Harde muziek",
                  "overslaan", "anoniem"):
        await world.say(DUTCH_RESIDENT, typed)
    proposal = last_message(await world.say(DUTCH_RESIDENT, "ja"))
    assert nl("Nuisance in the complex.") in proposal.text
    calls = await world.say(DUTCH_RESIDENT, "Gebruik deze zin")
    post = last_message(await world.press(DUTCH_RESIDENT, last_message(calls),
                                          "rp:confirm:yes"), GROUP_ID)
    assert "Nuisance in the complex." in post.text  # the group's language: English


async def test_queue_and_initiator_overview(world: World) -> None:
    await _complex(world, "beginning_network")
    assert last_message(await world.say(CONTACT, "/queue")).text == "Nothing is waiting for you."
    await _report(world)  # to the initiators first
    await _report(world, kind="incident", category="sexual", what="Someone grabbed me")
    overview = last_message(await world.say(INITIATOR, "/reports")).text
    assert "R-0001" in overview and "R-0002" in overview
    assert "details only for the professionals handling it" in overview
    assert "grabbed" not in overview and "Zoë" not in overview
    assert "R-0001" in last_message(await world.say(INITIATOR, "/queue")).text
    for person in (REPORTER, CONTACT, STRANGER):
        assert last_message(await world.say(person, "/reports")).text == \
            "Only initiators of a complex can do that."
    _never_revealed(world)


async def test_forgetme_unlinks_the_reporter_but_keeps_the_report(world: World) -> None:
    await _complex(world)
    await _report(world, identity="named")
    export = await world.repos.people.export(REPORTER["id"])
    assert export["reports"][0]["reporter_name"] == "Zoë"
    question = last_message(await world.say(REPORTER, "/forgetme"))
    await world.press(REPORTER, question, "fg:yes")
    report = await world.repos.reports.get(1)
    assert report is not None and report.reporter_id == 0 and report.anonymous
    assert all(rows == [] for rows in (await world.repos.people.export(REPORTER["id"])).values())


async def test_a_forgotten_reporter_is_not_asked_or_told(world: World) -> None:
    await _complex(world)
    escalation = _escalation(await _report(world), CONTACT)
    question = last_message(await world.say(REPORTER, "/forgetme"))
    await world.press(REPORTER, question, "fg:yes")
    calls = await world.press(CONTACT, escalation, "es:ask:1")
    assert alerts(calls) == ["The reporter asked to be forgotten and can no longer be reached."]
    calls = await world.press(CONTACT, escalation, "es:ack:1")
    assert [c for c in calls if c.chat_id == 0] == []
    assert (await world.repos.reports.get(1)).status == "acknowledged"


async def test_a_button_sent_before_versions_still_acknowledges_and_another_version_is_stale(
        world: World) -> None:
    await _complex(world)
    escalation = _escalation(await _report(world), CONTACT)
    message_id = escalation.result["message_id"]
    future = await world.feed(world.telegram.press_update(
        CONTACT, CONTACT["id"], message_id, "2:es:ack:1"))
    assert alerts(future) == ["This button is no longer valid."]
    report = await world.repos.reports.get(1)
    assert report is not None and report.acknowledged_by is None
    await world.feed(world.telegram.press_update(CONTACT, CONTACT["id"], message_id, "es:ack:1"))
    report = await world.repos.reports.get(1)
    assert report is not None and report.acknowledged_by == CONTACT["id"]


async def test_a_question_typed_by_someone_the_report_was_not_sent_to_is_refused_as_such(
        world: World) -> None:
    await _complex(world)
    await _report(world)
    # As if a stranger's conversation pointed at report 1 (a forged or outdated draft).
    await world.repos.drafts.put(STRANGER["id"], "ask", "question", {"report_id": 1})
    calls = await world.say(STRANGER, "Who did it?")
    assert last_message(calls).text == "Only the people this report was sent to can act on it."
    assert _to(calls, REPORTER) == [] and await world.repos.drafts.get(STRANGER["id"]) is None


async def test_the_services_themselves_refuse_who_may_not_act_on_a_report(world: World) -> None:
    await _complex(world, "beginning_network")
    calls = await _report(world, kind="incident", category="theft", what="Bike stolen")
    assert _escalation(calls, CONTACT) and _escalation(calls, POLICE)  # both may act
    services = world.app.bot_data["services"]
    report = await world.repos.reports.get(1)
    assert await handling.forward(services, 1, ContactKind.CORPORATION, STRANGER["id"]) \
        is handling.Refused.NOT_ASKED
    assert await handling.ask(services, report, STRANGER["id"], "Who?") \
        is handling.Refused.NOT_ASKED
    await world.press(CONTACT, _escalation(calls, CONTACT), "es:ack:1")
    held = await world.repos.reports.get(1)
    assert await handling.forward(services, 1, ContactKind.CORPORATION, POLICE["id"]) \
        is handling.Refused.HELD
    assert await handling.refusal(services, held, POLICE["id"]) is None  # may still ask
    assert await world.repos.reports.questions_of(1) == []
    unchanged = await world.repos.reports.get(1)
    assert unchanged is not None and unchanged.chain == held.chain


async def test_a_report_is_shared_only_where_it_may_be_whatever_its_answers_say(
        world: World) -> None:
    complex_ = await world.repos.complexes.get((await _complex(world, group=True)).id)
    assert complex_ is not None and complex_.group_chat_id == GROUP_ID
    reporter = await world.repos.people.resident_of(REPORTER["id"])
    services = world.app.bot_data["services"]
    base = {"now": False, "kind": "concern", "when": "today", "where": None, "what": "Someone",
            "anonymous": True, "share": True, "group_text": "A line"}
    for forged in ({"category": "sexual"}, {"category": "nuisance", "kind": "incident"},
                   {"category": "nuisance", "now": True}):
        report = await reporting.submit(services, reporter, complex_, {**base, **forged})
        assert not report.shared_in_group and report.group_text is None, forged
    assert [c for c in world.telegram.calls if c.chat_id == GROUP_ID
            and "shared a concern" in c.text] == []
    ordinary = await reporting.submit(services, reporter, complex_,
                                      {**base, "category": "nuisance"})
    assert ordinary.shared_in_group and ordinary.group_text == "A line"
