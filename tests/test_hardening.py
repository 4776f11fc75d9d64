"""Cases found in review: stale roles, moved groups, long reports, lost messages."""

from datetime import timedelta

from bot.console.offline import BOT_USER
from bot.domain.models import ResidentRole, ResidentStatus
from tests.people import CONTACT, INITIATOR, NEIGHBOUR, OPERATOR, POLICE, RESIDENT, user
from tests.test_reports import REPORTER, _complex, _escalation, _report
from tests.world import GROUP_ID, World, alerts, last_message, sent, sweep

SECOND = user(3002, "Iris")


async def test_a_demoted_initiator_can_no_longer_act_on_a_report(world: World) -> None:
    complex_ = await _complex(world, "beginning_network")
    await world.sign_up(SECOND, complex_.initiator_code, introductions=False)
    escalation = _escalation(await _report(world), INITIATOR)
    ivo = await world.repos.people.resident_of(INITIATOR["id"])
    await world.say(SECOND, f"/demote {ivo.id}")
    for data in ("es:ask:1", "es:ack:1", "es:res:1", "es:fwd:1"):
        calls = await world.press(INITIATOR, escalation, data)
        assert alerts(calls) == ["Only the people this report was sent to can act on it."]
    assert last_message(await world.say(INITIATOR, "/queue")).text == \
        "Nothing is waiting for you."
    assert (await world.repos.reports.get(1)).status == "open"
    # Iris, still an initiator, can.
    await world.press(SECOND, _escalation(world.telegram.calls, SECOND), "es:ack:1")
    assert (await world.repos.reports.get(1)).acknowledged_by == SECOND["id"]


async def test_an_answer_goes_to_who_handles_the_report_now(world: World) -> None:
    complex_ = await _complex(world, "beginning_network")
    await world.sign_up(SECOND, complex_.initiator_code, introductions=False)
    escalation = _escalation(await _report(world), INITIATOR)
    await world.press(INITIATOR, escalation, "es:ask:1")
    question = last_message(await world.say(INITIATOR, "Which room?"), REPORTER["id"])
    ivo = await world.repos.people.resident_of(INITIATOR["id"])
    await world.say(SECOND, f"/demote {ivo.id}")
    await world.press(REPORTER, question, "Answer")
    calls = await world.say(REPORTER, "Room 3.14")
    assert sent(calls, INITIATOR["id"]) == []
    assert "Room 3.14" in last_message(calls, SECOND["id"]).text


async def test_a_link_button_pressed_outside_a_group_is_stale(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    message = last_message(await world.say(INITIATOR, "/help"))
    calls = await world.feed(world.telegram.press_update(
        INITIATOR, INITIATOR["id"], message.result["message_id"], f"lg:{complex_.id}"))
    assert alerts(calls) == ["This button is no longer valid."]
    assert (await world.repos.complexes.get(complex_.id)).group_chat_id is None


async def test_only_an_operator_moves_a_complex_to_another_group(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.say(INITIATOR, "/linkgroup", world.group())
    other = world.telegram.group_chat(-100777, "Somewhere else")
    await world.feed(world.telegram.new_members_update(other, [BOT_USER], INITIATOR))
    calls = await world.say(INITIATOR, "/linkgroup", other)
    assert "already has a group chat. Only an operator can move it" in last_message(calls).text
    assert (await world.repos.complexes.get(complex_.id)).group_chat_id == GROUP_ID
    await world.say(OPERATOR, "/linkgroup", other)
    assert (await world.repos.complexes.get(complex_.id)).group_chat_id == -100777


async def test_a_peer_does_not_link_the_group(world: World) -> None:
    complex_ = await world.new_complex()
    await world.contact_joins(CONTACT, complex_, "peer")
    calls = await world.say(CONTACT, "/linkgroup", world.group())
    assert "Only an initiator or contact" in last_message(calls).text
    assert (await world.repos.complexes.get(complex_.id)).group_chat_id is None


async def test_someone_removed_cannot_return_as_initiator_with_the_link(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.sign_up(NEIGHBOUR, complex_.resident_code)
    noor = await world.repos.people.resident_of(NEIGHBOUR["id"])
    await world.say(INITIATOR, f"/remove {noor.id} caused trouble")
    await world.sign_up(NEIGHBOUR, complex_.initiator_code)
    back = await world.repos.people.resident_of(NEIGHBOUR["id"])
    assert (back.role, back.status) == (ResidentRole.RESIDENT, ResidentStatus.PENDING)
    export = await world.repos.people.export(NEIGHBOUR["id"])
    assert "removed_by" not in export["removals"][0]


async def test_a_long_addition_travels_as_its_own_message(world: World) -> None:
    await _complex(world)
    await _report(world, kind="incident", category="theft", what="x" * 2000)
    listing = last_message(await world.say(REPORTER, "/myreports"))
    await world.press(REPORTER, listing, "ra:1")
    await world.say(REPORTER, "y" * 2000)
    world.clock.advance(timedelta(hours=4))
    calls = await sweep(world)  # level 2: the police
    to_police = sent(calls, POLICE["id"])
    assert to_police and all(len(c.text) <= 4096 for c in to_police)
    assert any(c.text.endswith("y" * 2000) for c in to_police)


async def test_sexual_or_urgent_concerns_are_never_offered_for_the_group(world: World) -> None:
    await _complex(world, group=True)
    step = last_message(await world.say(REPORTER, "/report"))
    for data in ("rp:now:no", "rp:kind:concern", "rp:category:sexual", "rp:when:today"):
        step = last_message(await world.press(REPORTER, step, data))
    await world.say(REPORTER, "The lift")
    step = last_message(await world.say(REPORTER, "Someone keeps following me"))
    step = last_message(await world.press(REPORTER, step, "rp:photo:skip"))
    step = last_message(await world.press(REPORTER, step, "rp:identity:anonymous"))
    assert "Send this report?" in step.text  # no sharing question
    calls = await world.press(REPORTER, step, "rp:confirm:yes")
    assert sent(calls, GROUP_ID) == []


async def test_a_pending_sign_up_nobody_was_asked_about_is_asked_by_the_sweeper(
        world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    await world.sign_up(INITIATOR, complex_.initiator_code)
    # As if the bot stopped right after storing the sign-up, before asking anyone.
    await world.repos.people.add_resident(
        telegram_id=RESIDENT["id"], complex_id=complex_.id, first_name="Rosa", building=None,
        interests=[], wants_to_organise=False, wants_introductions=False,
        role=ResidentRole.RESIDENT, status=ResidentStatus.PENDING)
    calls = await sweep(world)
    assert "<b>Rosa</b> would like to join" in last_message(calls, INITIATOR["id"]).text
    assert sent(await sweep(world)) == []


async def test_one_busy_chat_does_not_hold_up_the_others(world: World) -> None:
    from bot.delivery import Deliverer, Pacing

    paced = Deliverer(world.app.bot_data["services"], world.app.bot, Pacing(0.0, 3600.0, 3600.0))
    for n in range(150):
        await world.repos.outbox.enqueue(f"busy:{n}", CONTACT["id"], f"Digest {n}")
    await world.repos.outbox.enqueue("urgent:1", POLICE["id"], "Urgent report")
    await paced.deliver_due()
    assert [c.text for c in sent(world.telegram.calls, POLICE["id"])] == ["Urgent report"]


async def test_forwarding_only_to_organisations_that_are_there(world: World) -> None:
    await _complex(world, "beginning_network")
    calls = await _report(world, kind="incident", category="theft", what="Bike stolen")
    municipality, police = _escalation(calls, CONTACT), _escalation(calls, POLICE)
    choose = last_message(await world.press(CONTACT, municipality, "es:fwd:1"))
    offered = [b["callback_data"] for b in choose.buttons]
    assert offered == ["1:es:fw:1:police", "1:es:fw:1:corporation"]  # not its own kind, no peer
    refused = await world.feed(world.telegram.press_update(
        CONTACT, CONTACT["id"], choose.result["message_id"], "es:fw:1:peer"))
    assert alerts(refused) == ["This complex has no contact of that kind; the report stays "
                               "with you."]
    await world.press(POLICE, police, "es:ack:1")
    late = await world.press(CONTACT, choose, "es:fw:1:corporation")
    assert alerts(late) == ["Pieter (police) holds R-0001: only they can resolve or forward it."]
    report = await world.repos.reports.get(1)
    assert report.acknowledged_by == POLICE["id"] and len(report.chain) == 1


async def test_urgent_reports_repeat_the_emergency_number(world: World) -> None:
    await _complex(world)
    calls = await _report(world, now="yes", kind="incident", category="violence",
                          what="A fight in the hall")
    assert last_message(calls, REPORTER["id"]).text.startswith(
        "This bot is not an emergency service: if anyone is in danger, call 112 now.")


async def test_the_reporter_hears_when_nobody_picks_it_up(world: World) -> None:
    await _complex(world)
    await _report(world)
    world.clock.advance(timedelta(days=1))
    calls = await sweep(world)
    assert "Nobody has picked up your report R-0001 yet" in \
        last_message(calls, REPORTER["id"]).text


async def test_no_me_too_on_ones_own_concern(world: World) -> None:
    await _complex(world, group=True)
    post = last_message(await _report(world, share="yes"), GROUP_ID)
    calls = await world.press(REPORTER, post, "me:1")
    assert alerts(calls) == ["This is your own concern; it already counts."]
    assert (await world.repos.reports.get(1)).me_too == 0


async def test_a_pending_resident_is_told_why_they_cannot_report_yet(world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    await world.sign_up(RESIDENT, complex_.resident_code)
    calls = await world.say(RESIDENT, "/report")
    assert "once an initiator has approved your sign-up" in last_message(calls).text


async def test_start_in_the_complex_group_opens_its_sign_up(world: World) -> None:
    complex_ = await world.new_complex()
    await world.say(OPERATOR, "/linkgroup", world.group())
    message = last_message(await world.say(RESIDENT, "/start", world.group()))
    assert message.buttons[0]["url"].endswith(f"?start={complex_.resident_code}")


async def test_guided_new_complex_shows_its_buttons_again(world: World) -> None:
    await world.say(OPERATOR, "/newcomplex")
    for answer in ("Het Blok", "80", "Delft"):
        await world.say(OPERATOR, answer)
    calls = await world.say(OPERATOR, "Dutch please")
    assert last_message(calls).text == "Please choose one of the buttons."
    assert [b["callback_data"] for b in last_message(calls).buttons] == [
        "1:nc:language:nl", "1:nc:language:en"]


async def test_a_new_initiators_link_retires_the_old_one(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    calls = await world.say(INITIATOR, "/initiatorlink")
    fresh = (await world.repos.complexes.get(complex_.id)).initiator_code
    assert fresh != complex_.initiator_code
    assert f"?start={fresh}" in last_message(calls).text
    old = await world.say(NEIGHBOUR, f"/start {complex_.initiator_code}")
    assert last_message(old).text.startswith("I do not know this link.")
    for person, command, answer in [
        (RESIDENT, "/initiatorlink", "Only initiators of a complex can do that."),
        (OPERATOR, "/initiatorlink", "Usage: /initiatorlink 3"),
        (OPERATOR, "/initiatorlink 99", "There is no complex with number 99."),
    ]:
        assert last_message(await world.say(person, command)).text.startswith(answer)
    assert (await world.repos.complexes.get(complex_.id)).initiator_code == fresh
    calls = await world.say(OPERATOR, f"/initiatorlink {complex_.id}")
    assert (await world.repos.complexes.get(complex_.id)).initiator_code != fresh


async def test_demoting_an_initiator_retires_the_initiators_link(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.sign_up(NEIGHBOUR, complex_.initiator_code)
    noor = await world.repos.people.resident_of(NEIGHBOUR["id"])
    await world.say(INITIATOR, f"/demote {noor.id}")
    calls = await world.say(NEIGHBOUR, f"/start {complex_.initiator_code}")
    assert last_message(calls).text.startswith("I do not know this link.")
    assert not (await world.repos.people.resident_of(NEIGHBOUR["id"])).is_initiator


async def test_leaving_closes_ones_open_introductions(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(RESIDENT, complex_.resident_code)
    await world.sign_up(NEIGHBOUR, complex_.resident_code)
    await world.say(RESIDENT, "/meet")
    question = last_message(await world.say(NEIGHBOUR, "/forgetme"))
    await world.press(NEIGHBOUR, question, "fg:yes")
    assert (await world.repos.introductions.get(1)).status == "declined"
    calls = await world.say(RESIDENT, "/meet")
    assert last_message(calls).text.startswith("Nobody is available right now.")


async def test_a_resolved_report_loses_its_buttons_everywhere(world: World) -> None:
    complex_ = await _complex(world, "beginning_network", group=True)
    await world.sign_up(NEIGHBOUR, complex_.resident_code)
    calls = await _report(world, share="yes")
    post = last_message(calls, GROUP_ID)
    await world.press(NEIGHBOUR, post, "me:1")
    escalation = _escalation(calls, INITIATOR)
    await world.press(INITIATOR, escalation, "es:res:1")
    calls = await world.say(INITIATOR, "Talked to them.")
    retired = {c.chat_id for c in calls if c.method == "editMessageReplyMarkup"
               and not c.params.get("reply_markup")}
    assert {INITIATOR["id"], GROUP_ID} <= retired


async def test_report_texts_are_purged_after_the_retention_period(world: World) -> None:
    from bot.app import housekeeping
    from bot.context import BuurtnetContext

    await _complex(world)
    escalation = _escalation(await _report(world, identity="named"), CONTACT)
    await world.press(CONTACT, escalation, "es:ask:1")
    question = last_message(await world.say(CONTACT, "Which flat?"), REPORTER["id"])
    await world.press(REPORTER, question, "Answer")
    await world.say(REPORTER, "Flat 3.14")
    await world.press(CONTACT, escalation, "es:res:1")
    await world.say(CONTACT, "Spoke to them.")
    world.clock.advance(timedelta(days=364))
    await housekeeping(BuurtnetContext(world.app))
    assert (await world.repos.reports.get(1)).description != ""
    world.clock.advance(timedelta(days=2))
    await housekeeping(BuurtnetContext(world.app))
    report = await world.repos.reports.get(1)
    assert (report.description, report.place, report.reporter_name) == ("", None, None)
    assert report.category == "nuisance" and report.status == "resolved"
    db = world.app.bot_data["services"].db
    leftovers = await db.fetch_all(
        "SELECT key FROM outbox WHERE text LIKE '%Loud music%' OR text LIKE '%3.14%'"
        " OR text LIKE '%Which flat%'")
    assert [row["key"] for row in leftovers] == []


async def test_copies_the_operators_handed_or_sent_again_are_purged_too(world: World) -> None:
    from bot.app import housekeeping
    from bot.context import BuurtnetContext

    await _complex(world)
    escalation = _escalation(await _report(world, identity="named"), CONTACT)
    for data in ("or:resend:1", f"or:to:1:{CONTACT['id']}"):
        calls = await world.feed(world.telegram.press_update(OPERATOR, OPERATOR["id"], 1, data))
        assert any("Loud music" in c.text for c in sent(calls, CONTACT["id"])), data
    await world.press(CONTACT, escalation, "es:res:1")
    await world.say(CONTACT, "Spoke to them.")
    world.clock.advance(timedelta(days=366))
    await housekeeping(BuurtnetContext(world.app))
    db = world.app.bot_data["services"].db
    leftovers = await db.fetch_all("SELECT key FROM outbox WHERE text LIKE '%Loud music%'")
    assert [row["key"] for row in leftovers] == []


async def test_a_stage_change_lost_before_its_news_is_announced_by_the_sweeper(
        world: World) -> None:
    from bot.domain.stages import Decision

    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    # As if the bot stopped right after storing the change, before queueing the news.
    entry = await world.repos.stages.record_measurement(
        complex_.id, "loose_sand", Decision("beginning_network", None, True))
    assert entry is not None
    calls = await sweep(world)
    news = [c for c in sent(calls, INITIATOR["id"]) if "network stage" in c.text]
    assert len(news) == 1 and "went from <b>loose sand</b> to" in news[0].text
    assert [c for c in sent(await sweep(world)) if "network stage" in c.text] == []
