"""The stage made real: metrics from the database, moving up and down, announcements,
/stage for every role, /committee and /setstage, and the history they leave."""

from datetime import timedelta

import pytest

from bot.config import ConfigError, load_config
from bot.console.offline import Call
from bot.domain.activities import schedule_for
from bot.domain.models import Complex
from bot.domain.stages import Metrics, Thresholds
from bot.services.stages import refresh_stage
from tests.conftest import make_config
from tests.people import (
    CONTACT,
    INITIATOR,
    NEIGHBOUR,
    OPERATOR,
    POLICE,
    RESIDENT,
    STRANGER,
    user,
)
from tests.world import World, alerts, last_message, nl, sent, sweep

THIRD = user(4004, "Tim")
FOURTH = user(4005, "Fay")
SECOND_INITIATOR = user(3002, "Iris")
THIRD_INITIATOR = user(3003, "Ilse")
CHANGED = "The network stage of <b>{complex}</b> went from <b>{before}</b> to <b>{after}</b>."


async def _five(world: World, line: str = "De Toren; 120; Utrecht; en") -> Complex:
    """Five residents (Ivo the initiator), Rosa and Noor want introductions; two contacts."""
    complex_ = await world.new_complex(line)
    await world.sign_up(INITIATOR, complex_.initiator_code, introductions=False)
    await world.sign_up(RESIDENT, complex_.resident_code)
    await world.sign_up(NEIGHBOUR, complex_.resident_code)
    await world.sign_up(THIRD, complex_.resident_code, introductions=False)
    await world.sign_up(FOURTH, complex_.resident_code, introductions=False)
    await world.contact_joins(CONTACT, complex_, "municipality")
    await world.contact_joins(POLICE, complex_, "police")
    return complex_


async def _held(world: World, complex_: Complex, title: str = "Pizza night") -> None:
    """An activity that took place yesterday (no UI here: the outcome is recorded directly)."""
    starts = world.clock.now() - timedelta(days=1)
    activity = await world.repos.activities.create(
        complex_id=complex_.id, idea_id=None, title=title, place="Common room",
        starts_at=starts, planned_by=INITIATOR["id"],
        schedule=schedule_for(starts, world.clock.now()))
    assert await world.repos.activities.record_outcome(activity.id, 12)


async def _refresh(world: World, complex_: Complex) -> list[Call]:
    """What the lead's handlers do after an event: measure the stage again."""
    first = len(world.telegram.calls)
    await refresh_stage(world.app.bot_data["services"], complex_.id)
    await world.flush()
    return world.telegram.calls[first:]


async def _acquainted(world: World, person: dict = RESIDENT) -> list[Call]:
    """Rosa asks /meet, Noor and she accept, and four days later `person` confirms they met."""
    calls = await world.say(RESIDENT, "/meet")
    proposals = {c.chat_id: c for c in sent(calls)
                 if any(b.get("callback_data", "").startswith("1:in:yes:") for b in c.buttons)}
    await world.press(RESIDENT, proposals[RESIDENT["id"]], "Yes, introduce us")
    await world.press(NEIGHBOUR, proposals[NEIGHBOUR["id"]], "Yes, introduce us")
    world.clock.advance(timedelta(days=4))
    questions = {c.chat_id: c for c in sent(await sweep(world))
                 if c.text.startswith("Did you meet")}
    return await world.press(person, questions[person["id"]], "Yes")


def _announcements(calls: list[Call], person: dict) -> list[str]:
    """The announcements of a measured change sent to `person`, in English or Dutch."""
    starts = (CHANGED.split("{")[0], nl(CHANGED).split("{")[0])
    return [c.text for c in sent(calls, person["id"]) if c.text.startswith(starts)]


async def _stored(world: World, complex_: Complex) -> Complex:
    fresh = await world.repos.complexes.get(complex_.id)
    assert fresh is not None
    return fresh


async def _history(world: World, complex_: Complex) -> list[tuple[str, str, str]]:
    entries = await world.repos.stages.history(complex_.id, 50)
    return [(e.cause, e.from_stage, e.to_stage) for e in reversed(entries)]


# -- measuring ---------------------------------------------------------------------------


async def test_metrics_come_from_sign_ups_and_introductions(world: World) -> None:
    complex_ = await _five(world)
    limits = Thresholds()
    assert await world.repos.stages.metrics(complex_.id, limits) == Metrics(
        residents=5, active_initiators=1, activities_held=0, introduced_residents=0,
        acquainted_residents=0, committee=False)
    stored = await _stored(world, complex_)
    assert stored.stage == "loose_sand" and stored.stage_checked_at == world.clock.now()
    await _acquainted(world)
    assert await world.repos.stages.metrics(complex_.id, limits) == Metrics(
        residents=5, active_initiators=1, activities_held=0, introduced_residents=2,
        acquainted_residents=0, committee=False)
    await _held(world, complex_)
    cancelled = await world.repos.activities.create(
        complex_id=complex_.id, idea_id=None, title="Quiz", place="Hall",
        starts_at=world.clock.now() - timedelta(days=2), planned_by=INITIATOR["id"],
        schedule=schedule_for(world.clock.now(), world.clock.now()))
    await world.repos.activities.record_outcome(cancelled.id, None)
    metrics = await world.repos.stages.metrics(complex_.id, limits)
    assert metrics.activities_held == 1
    # Only the last 90 days count, and someone who leaves no longer counts.
    world.clock.advance(timedelta(days=90))
    leave = last_message(await world.say(NEIGHBOUR, "/leave"))
    await world.press(NEIGHBOUR, leave, "lv:yes")
    assert await world.repos.stages.metrics(complex_.id, limits) == Metrics(
        residents=4, active_initiators=1, activities_held=0, introduced_residents=0,
        acquainted_residents=0, committee=False)


async def test_a_confirmed_introduction_lifts_the_stage_announced_once(world: World) -> None:
    complex_ = await _five(world)
    calls = await _acquainted(world)
    assert (await _stored(world, complex_)).stage == "beginning_network"
    expected = CHANGED.format(complex="De Toren", before="loose sand",
                              after="beginning network")
    for person in (INITIATOR, CONTACT):
        assert len(_announcements(calls, person)) == 1
        assert expected in _announcements(calls, person)[0]
    dutch = _announcements(calls, POLICE)
    assert len(dutch) == 1 and nl(CHANGED).format(
        complex="De Toren", before=nl("loose sand"), after=nl("beginning network")) in dutch[0]
    assert nl("/stage shows every criterion and the next steps.") in dutch[0]
    for person in (RESIDENT, NEIGHBOUR, THIRD):
        assert _announcements(calls, person) == []
    # Noor confirms too, a day passes, the stage is measured again: no second announcement.
    questions = [c for c in sent(world.telegram.calls, NEIGHBOUR["id"])
                 if c.text.startswith("Did you meet")]
    await world.press(NEIGHBOUR, questions[-1], "Yes")
    world.clock.advance(timedelta(days=1))
    await sweep(world)
    everything = world.telegram.calls
    assert [len(_announcements(everything, p)) for p in (INITIATOR, CONTACT, POLICE)] == [1] * 3
    assert await _history(world, complex_) == [("measured", "loose_sand", "beginning_network")]


async def test_down_only_after_thirty_days_of_failing(world: World) -> None:
    complex_ = await _five(world)
    await _held(world, complex_)
    calls = await _refresh(world, complex_)
    assert len(_announcements(calls, INITIATOR)) == 1
    leave = last_message(await world.say(FOURTH, "/leave"))
    calls = await world.press(FOURTH, leave, "lv:yes")  # four residents: failing from now
    assert _announcements(calls, INITIATOR) == []
    stored = await _stored(world, complex_)
    assert stored.stage == "beginning_network"
    assert stored.stage_failing_since == world.clock.now()
    shown = last_message(await world.say(INITIATOR, "/stage")).text
    assert "Not met since Jan 5, 2026. If that lasts until Feb 4, 2026, the stage goes down " \
           "to loose sand." in shown
    assert "❌ residents: 4 (at least 5)" in shown
    world.clock.advance(timedelta(days=29, hours=23))
    assert _announcements(await sweep(world), INITIATOR) == []
    assert (await _stored(world, complex_)).stage == "beginning_network"
    world.clock.advance(timedelta(hours=1))
    calls = await sweep(world)
    down = _announcements(calls, INITIATOR)
    assert len(down) == 1 and CHANGED.format(
        complex="De Toren", before="beginning network", after="loose sand") in down[0]
    assert "The criteria of beginning network were not met for 30 days in a row." in down[0]
    assert len(_announcements(calls, CONTACT)) == 1
    stored = await _stored(world, complex_)
    assert stored.stage == "loose_sand" and stored.stage_failing_since is None
    assert await _history(world, complex_) == [
        ("measured", "loose_sand", "beginning_network"),
        ("measured", "beginning_network", "loose_sand")]


async def test_a_dip_shorter_than_thirty_days_changes_nothing(world: World) -> None:
    complex_ = await _five(world)
    await _held(world, complex_)
    await _refresh(world, complex_)
    leave = last_message(await world.say(FOURTH, "/leave"))
    await world.press(FOURTH, leave, "lv:yes")
    world.clock.advance(timedelta(days=20))
    await sweep(world)
    await world.sign_up(FOURTH, complex_.resident_code, introductions=False)
    stored = await _stored(world, complex_)
    assert stored.stage == "beginning_network" and stored.stage_failing_since is None
    world.clock.advance(timedelta(days=20))
    assert _announcements(await sweep(world), INITIATOR) == []
    assert (await _stored(world, complex_)).stage == "beginning_network"


async def test_the_stage_is_measured_daily_by_the_sweeper(world: World) -> None:
    complex_ = await _five(world)
    await _held(world, complex_)  # nothing announces this one: the daily check finds it
    checked = (await _stored(world, complex_)).stage_checked_at
    world.clock.advance(timedelta(hours=23))
    assert _announcements(await sweep(world), INITIATOR) == []
    assert (await _stored(world, complex_)).stage_checked_at == checked
    world.clock.advance(timedelta(hours=1))
    assert len(_announcements(await sweep(world), INITIATOR)) == 1
    assert (await _stored(world, complex_)).stage_checked_at == world.clock.now()


async def test_thresholds_come_from_the_environment(tmp_path, clock) -> None:
    env = {"BUURTNET_STAGE_NETWORK_RESIDENTS": "2",
           "BUURTNET_STAGE_NETWORK_INTRODUCED_SHARE": "0.5",
           "BUURTNET_STAGE_HYSTERESIS_DAYS": "0"}
    limits = load_config(env, need_token=False).stage_thresholds
    assert limits == Thresholds(network_residents=2, network_introduced_share=0.5,
                                hysteresis_days=0)
    for name, value in [("BUURTNET_STAGE_GROUP_INITIATORS", "three"),
                        ("BUURTNET_STAGE_GROUP_INITIATORS", "0"),
                        ("BUURTNET_STAGE_WINDOW_DAYS", "-5"),
                        ("BUURTNET_STAGE_GROUP_ACQUAINTED_SHARE", "30%"),
                        ("BUURTNET_STAGE_GROUP_ACQUAINTED_SHARE", "1.5")]:
        with pytest.raises(ConfigError, match=name):
            load_config({name: value}, need_token=False)
    world = await World.start(make_config(tmp_path, stage_thresholds=limits), clock)
    try:
        complex_ = await world.new_complex()
        await world.sign_up(INITIATOR, complex_.initiator_code)
        await _held(world, complex_)
        await world.sign_up(RESIDENT, complex_.resident_code)
        assert (await _stored(world, complex_)).stage == "beginning_network"
        text = last_message(await world.say(INITIATOR, "/stage")).text
        assert "✅ residents: 2 (at least 2)" in text
        assert "❌ residents with a confirmed introduction: 0% (at least 50%)" in text
    finally:
        await world.stop()


# -- /stage ------------------------------------------------------------------------------


async def test_stage_for_strangers_residents_initiators_and_contacts(world: World) -> None:
    await _five(world)
    stranger = last_message(await world.say(STRANGER, "/stage")).text
    assert "<b>The three stages of a complex</b>" in stranger
    assert "<b>loose sand</b>" in stranger and "<b>group</b>" in stranger
    assert "use the invite link of your complex" in stranger
    resident = last_message(await world.say(RESIDENT, "/stage")).text
    assert resident.startswith("<b>De Toren</b> is in the stage <b>loose sand</b>.\n"
                               "Few neighbours know each other yet.")
    assert "<b>Who gets reports now</b>\n• Worries: the municipality\n" in resident
    assert "• Incidents: the municipality, then the police" in resident
    assert "• Urgent: happening now, violence or sexual violence: the police and the " \
           "municipality\n" in resident
    assert "call 112 first" in resident
    assert "Criteria" not in resident and "Next steps" not in resident
    for person in (INITIATOR, CONTACT, OPERATOR):
        text = last_message(await world.say(person, "/stage")).text
        assert text.startswith(resident.split("\n\n")[0]), person
        assert "This is the measured stage: it follows from the criteria below." in text
        assert "<b>Criteria of beginning network</b> (the next stage)\n" \
               "✅ residents: 5 (at least 5)\n" \
               "✅ active initiators: 1 (at least 1)\n" \
               "❌ activities held in the last 90 days: 0 (at least 1)\n" \
               "❌ residents with a confirmed introduction: 0% (at least 15%)\n" \
               "(one of the last two is enough)" in text
        heading = ("<b>Next steps</b>" if person is INITIATOR
                   else "<b>What the initiators can do next</b>")  # theirs to take
        assert heading + "\n• Plan an activity with /plan" in text
        assert "• Ask residents to agree to introductions; /meet" in text
        assert "Invite more neighbours" not in text
    dutch = last_message(await world.say(POLICE, "/stage")).text
    assert nl("<b>{complex}</b> is in the stage <b>{stage}</b>.").format(
        complex="De Toren", stage=nl("loose sand")) in dutch
    assert nl("<b>What the initiators can do next</b>") in dutch


async def test_stage_shows_both_stages_and_the_history(world: World) -> None:
    await _five(world)
    await _acquainted(world)
    text = last_message(await world.say(INITIATOR, "/stage")).text
    assert "is in the stage <b>beginning network</b>.\nSome residents organise things" in text
    assert "• Worries: the initiators, then the municipality" in text
    assert "• Worries (building safety): the initiators and the housing corporation, then " \
           "the municipality" in text
    assert "<b>Criteria of beginning network</b> (the measured stage)" in text
    assert "✅ residents with a confirmed introduction: 40% (at least 15%)" in text
    assert "<b>Criteria of group</b> (the next stage)\n" \
           "❌ a residents' committee, registered by a contact: no\n" \
           "❌ active initiators: 1 (at least 3)\n" \
           "❌ activities held in the last 90 days: 0 (at least 3)\n" \
           "❌ residents who know at least 2 neighbours: 0% (at least 30%)" in text
    assert "• Form a residents' committee of initiators and ask a contact to register it " \
           "with /committee on." in text
    assert "<b>Latest changes</b>\n• Jan 9, 2026: loose sand → beginning network, measured" \
        in text
    assert "Latest changes" not in last_message(await world.say(RESIDENT, "/stage")).text


async def test_stage_in_the_group_is_public_and_in_the_complex_language(world: World) -> None:
    complex_ = await _five(world, "De Toren; 120; Utrecht; nl")
    calls = await world.say(CONTACT, "/stage", world.group())
    assert last_message(calls).text.startswith("This group is not linked to a complex yet.")
    await world.say(INITIATOR, "/linkgroup", world.group())
    for person in (RESIDENT, INITIATOR, STRANGER):
        text = last_message(await world.say(person, "/stage", world.group())).text
        assert text.startswith(nl("<b>{complex}</b> is in the stage <b>{stage}</b>.").format(
            complex=complex_.name, stage=nl("loose sand")))
        assert nl("<b>Who gets reports now</b>") in text
        assert nl("Initiators and contacts: /stage in a private chat with me shows every "
                  "criterion and the next steps.") in text
        assert "✅" not in text and "❌" not in text


async def test_a_contact_of_several_complexes_chooses(world: World) -> None:
    first = await _five(world)
    second = await world.new_complex("Het Anker; 80; Utrecht; en")
    await world.contact_joins(CONTACT, second, "peer")
    listing = last_message(await world.say(CONTACT, "/stage"))
    assert listing.text == "Which complex? Press one, or type /stage with its number."
    assert [b["text"] for b in listing.buttons] == [f"#{first.id} De Toren · loose sand",
                                                    f"#{second.id} Het Anker · loose sand"]
    chosen = last_message(await world.press(CONTACT, listing, f"sg:{second.id}"))
    assert chosen.method == "editMessageText"
    assert chosen.text.startswith("<b>Het Anker</b> is in the stage <b>loose sand</b>.")
    assert "<b>Criteria of beginning network</b>" in chosen.text
    text = last_message(await world.say(CONTACT, f"/stage {first.id}")).text
    assert text.startswith("<b>De Toren</b>") and "Criteria" in text
    assert last_message(await world.say(CONTACT, "/stage #2")).text.startswith(
        "<b>Het Anker</b>")


async def test_stage_refusals(world: World) -> None:
    first = await _five(world)
    second = await world.new_complex("Het Anker; 80; Utrecht; en")
    refused = "You are not part of complex #{number}. /stage without a number shows yours."
    for person, number in [(RESIDENT, second.id), (INITIATOR, second.id), (POLICE, 99),
                           (STRANGER, first.id), (RESIDENT, 99)]:
        text = last_message(await world.say(person, f"/stage {number}")).text
        expected = refused if person is not POLICE else nl(refused)
        assert text == expected.format(number=number), person["first_name"]
    usage = "Usage: /stage, or /stage 3 with the number of one of your complexes."
    for command in ("/stage x", "/stage 1 2", "/stage -1", "/stage ²", "/stage " + "9" * 30):
        assert last_message(await world.say(CONTACT, command)).text == usage
    await world.contact_joins(CONTACT, second, "municipality")
    listing = last_message(await world.say(CONTACT, "/stage"))
    for person, data in [(RESIDENT, f"sg:{second.id}"), (STRANGER, f"sg:{first.id}"),
                         (CONTACT, "sg:99"), (CONTACT, "sg:x"), (CONTACT, "sg"),
                         (CONTACT, "sg:" + "9" * 30), (CONTACT, "sg:²"),
                         (CONTACT, f"sg:{first.id}:1")]:
        calls = await world.feed(world.telegram.press_update(
            person, CONTACT["id"], listing.result["message_id"], data))
        assert alerts(calls) == ["This button is no longer valid."], data
        assert sent(calls) == []
    # A residents' pending sign-up sees the explanation, not the complex.
    approval = await world.new_complex("De Wijk; 50; Utrecht; en; approval")
    await world.sign_up(STRANGER, approval.resident_code)
    assert "<b>The three stages of a complex</b>" in last_message(
        await world.say(STRANGER, "/stage")).text


# -- /committee ----------------------------------------------------------------------------


async def _group_ready(world: World, initiators: int = 3) -> Complex:
    """Everything a group needs but the committee: 3 initiators (or fewer), 3 activities, and
    three of six residents who know two neighbours (a trio introduced in the weekly round)."""
    complex_ = await world.new_complex()
    for index, person in enumerate((INITIATOR, SECOND_INITIATOR, THIRD_INITIATOR)):
        code = complex_.initiator_code if index < initiators else complex_.resident_code
        await world.sign_up(person, code, introductions=False)
    for person in (RESIDENT, NEIGHBOUR, THIRD):
        await world.sign_up(person, complex_.resident_code)
    await world.contact_joins(CONTACT, complex_, "municipality")
    for title in ("Pizza night", "Quiz", "Clean-up"):
        await _held(world, complex_, title)
    world.clock.advance(timedelta(hours=6))  # Monday 19:00: the weekly round, a trio
    proposals = {c.chat_id: c for c in sent(await sweep(world)) if c.buttons}
    for person in (RESIDENT, NEIGHBOUR, THIRD):
        await world.press(person, proposals[person["id"]], "Yes, introduce us")
    world.clock.advance(timedelta(days=4))
    questions = {c.chat_id: c for c in sent(await sweep(world))
                 if c.text.startswith("Did you meet")}
    for person in (RESIDENT, NEIGHBOUR, THIRD):
        await world.press(person, questions[person["id"]], "Yes")
    assert (await _stored(world, complex_)).stage == "beginning_network"
    return complex_


async def test_committee_on_makes_a_group_and_off_is_logged(world: World) -> None:
    complex_ = await _group_ready(world)
    before = len(await _history(world, complex_))
    shown = last_message(await world.say(CONTACT, "/committee")).text
    assert shown.startswith("The residents' committee of <b>De Toren</b> is not registered.\n"
                            "Usage: /committee on")
    calls = await world.say(CONTACT, "/committee on")
    assert last_message(calls, CONTACT["id"]).text != ""
    replies = [c.text for c in sent(calls, CONTACT["id"]) if c.text.startswith("Registered")]
    assert replies == ["Registered: <b>De Toren</b> has a residents' committee. The measured "
                       "stage is <b>group</b>."]
    for person in (INITIATOR, SECOND_INITIATOR, THIRD_INITIATOR, CONTACT):
        announced = _announcements(calls, person)
        assert len(announced) == 1 and CHANGED.format(
            complex="De Toren", before="beginning network", after="group") in announced[0]
    assert _announcements(calls, RESIDENT) == []
    assert (await _history(world, complex_))[before:] == [
        ("committee", "beginning_network", "beginning_network"),
        ("measured", "beginning_network", "group")]
    again = last_message(await world.say(CONTACT, "/committee on")).text
    assert again == "The residents' committee of <b>De Toren</b> is registered."
    calls = await world.say(CONTACT, "/committee OFF")
    assert last_message(calls).text == ("Withdrawn: <b>De Toren</b> has no registered "
                                        "residents' committee any more. The measured stage "
                                        "is <b>group</b>.")
    assert _announcements(calls, INITIATOR) == []  # a group for 30 more days at least
    stored = await _stored(world, complex_)
    assert not stored.committee and stored.stage == "group"
    assert stored.stage_failing_since == world.clock.now()
    assert (await _history(world, complex_))[-1] == ("committee", "group", "group")
    text = last_message(await world.say(CONTACT, "/stage")).text
    assert "• Jan 9, 2026: Carla (municipality) withdrew the residents' committee" in text
    assert "• Jan 9, 2026: Carla (municipality) registered the residents' committee" in text


async def test_promoting_and_demoting_measure_the_stage_at_once(world: World) -> None:
    complex_ = await _group_ready(world, initiators=2)
    await world.say(CONTACT, "/committee on")
    assert (await _stored(world, complex_)).stage == "beginning_network"
    iris = await world.repos.people.resident_of(THIRD_INITIATOR["id"])
    calls = await world.say(INITIATOR, f"/promote {iris.id}")
    assert len(_announcements(calls, THIRD_INITIATOR)) == 1
    assert CHANGED.format(complex="De Toren", before="beginning network", after="group") in \
        _announcements(calls, CONTACT)[0]
    calls = await world.say(INITIATOR, f"/demote {iris.id}")
    assert _announcements(calls, CONTACT) == []
    stored = await _stored(world, complex_)
    assert stored.stage == "group" and stored.stage_failing_since == world.clock.now()


async def test_approving_and_removing_measure_the_stage_at_once(world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.contact_joins(CONTACT, complex_, "municipality")
    for person in (RESIDENT, NEIGHBOUR, THIRD, FOURTH):
        await world.sign_up(person, complex_.resident_code)
    await _held(world, complex_)
    for _person in range(3):
        pending = last_message(await world.say(INITIATOR, "/members"))
        await world.press(INITIATOR, pending, "Approve")
    assert (await _stored(world, complex_)).stage == "loose_sand"
    pending = last_message(await world.say(INITIATOR, "/members"))
    calls = await world.press(INITIATOR, pending, "Approve")
    assert len(_announcements(calls, CONTACT)) == 1
    assert (await _stored(world, complex_)).stage == "beginning_network"
    fay = await world.repos.people.resident_of(FOURTH["id"])
    await world.say(INITIATOR, f"/remove {fay.id} moved away")
    assert (await _stored(world, complex_)).stage_failing_since == world.clock.now()


async def test_committee_refusals(world: World) -> None:
    complex_ = await _five(world)
    second = await world.new_complex("Het Anker; 80; Utrecht; en")
    for person in (STRANGER, RESIDENT, INITIATOR, OPERATOR):
        assert last_message(await world.say(person, "/committee on")).text == \
            "Only contacts of a complex can do that.", person["first_name"]
    assert last_message(await world.say(CONTACT, "/committee on", world.group())).text == \
        "Please use this command in a private chat with me."
    for command in ("/committee maybe", "/committee on off", f"/committee {complex_.id}",
                    "/committee " + "9" * 30 + " on"):
        assert "Usage: /committee on" in last_message(await world.say(CONTACT, command)).text
    assert last_message(await world.say(CONTACT, f"/committee {second.id} on")).text == \
        f"You are not a contact of complex #{second.id}. /complexes shows yours."
    await world.contact_joins(CONTACT, second, "municipality")
    assert last_message(await world.say(CONTACT, "/committee on")).text == (
        "You are a contact of several complexes: put the complex's number first, like "
        "/committee 3 on. /complexes shows the numbers.")
    for fresh in (complex_, second):
        assert not (await _stored(world, fresh)).committee
        assert await _history(world, fresh) == []
    calls = await world.say(CONTACT, f"/committee #{second.id} on")
    assert "Registered: <b>Het Anker</b>" in last_message(calls).text
    assert (await _stored(world, second)).committee
    assert not (await _stored(world, complex_)).committee


# -- /setstage ---------------------------------------------------------------------------


async def test_an_override_rules_routing_until_lifted(world: World) -> None:
    complex_ = await _five(world)
    calls = await world.say(CONTACT, "/setstage group Pilot with the police this spring")
    assert last_message(calls, CONTACT["id"]).text == (
        "Done: the stage of <b>De Toren</b> is now <b>group</b>, and reports follow it until "
        "/setstage auto lifts the override. Initiators and the other contacts are told.")
    stored = await _stored(world, complex_)
    assert stored.stage_override == "group" and stored.effective_stage == "group"
    assert stored.stage == "loose_sand"
    to_ivo = [c.text for c in sent(calls, INITIATOR["id"])]
    assert len(to_ivo) == 1 and to_ivo[0].startswith(
        "Carla (municipality) set the network stage of <b>De Toren</b> to <b>group</b> (it was "
        "loose sand).\nReason: Pilot with the police this spring\n\nA residents' committee")
    assert len(sent(calls, POLICE["id"])) == 1 and sent(calls, RESIDENT["id"]) == []
    assert [c.text for c in sent(calls, CONTACT["id"])] == [
        last_message(calls, CONTACT["id"]).text]
    resident = last_message(await world.say(RESIDENT, "/stage")).text
    assert resident.startswith("<b>De Toren</b> is in the stage <b>group</b>.")
    assert "• Worries: the residents' committee" in resident
    assert "• Incidents: the police (the residents' committee informed)" in resident
    assert "Pilot" not in resident
    text = last_message(await world.say(INITIATOR, "/stage")).text
    assert "Carla (municipality) set this stage on Jan 5, 2026. Reason: Pilot with the police " \
           "this spring\nThe measured stage is <b>loose sand</b>; a contact can lift the " \
           "override." in text
    assert "<b>Criteria of beginning network</b> (the next stage)" in text
    assert "• Jan 5, 2026: Carla (municipality) set the stage to group: Pilot with the police" \
        in text
    # The measured stage keeps being measured, and its change is announced with the override.
    await _held(world, complex_)
    calls = await _refresh(world, complex_)
    announced = _announcements(calls, INITIATOR)
    assert len(announced) == 1 and "A contact has set the stage to group: reports keep " \
                                   "following that until the override is lifted." in announced[0]
    assert (await _stored(world, complex_)).effective_stage == "group"
    calls = await world.say(POLICE, "/setstage auto De pilot is voorbij")
    assert last_message(calls, POLICE["id"]).text == nl(
        "Done: the override is lifted. The stage of <b>{complex}</b> is again the measured "
        "one, <b>{stage}</b>. Initiators and the other contacts are told.").format(
        complex="De Toren", stage=nl("beginning network"))
    lifted = [c.text for c in sent(calls, CONTACT["id"])]
    assert len(lifted) == 1 and lifted[0].startswith(
        "Pieter (police) lifted the override of the network stage of <b>De Toren</b>.\n"
        "Reason: De pilot is voorbij\n\nThe stage is again the measured one: "
        "<b>beginning network</b> (it was group).")
    stored = await _stored(world, complex_)
    assert stored.stage_override is None and stored.effective_stage == "beginning_network"
    assert await _history(world, complex_) == [
        ("override", "loose_sand", "group"),
        ("measured", "loose_sand", "beginning_network"),
        ("override_lifted", "group", "beginning_network")]
    entries = await world.repos.stages.history(complex_.id, 10)
    assert [(e.changed_by, e.reason) for e in entries] == [
        (POLICE["id"], "De pilot is voorbij"), (None, None),
        (CONTACT["id"], "Pilot with the police this spring")]


async def test_setstage_refusals_change_nothing(world: World) -> None:
    complex_ = await _five(world)
    second = await world.new_complex("Het Anker; 80; Utrecht; en")
    for person in (STRANGER, RESIDENT, INITIATOR, OPERATOR):
        assert last_message(await world.say(person, "/setstage group because")).text == \
            "Only contacts of a complex can do that.", person["first_name"]
    assert last_message(await world.say(CONTACT, "/setstage group because", world.group())
                        ).text == "Please use this command in a private chat with me."
    reason = "Please add a reason of 3 to 300 characters after the stage."
    for command, answer in [
        ("/setstage", "Usage: /setstage, then the stage"),
        ("/setstage purple because", "I do not know the stage purple. Use loose_sand, "
                                     "beginning_network, group, or auto to lift the override."),
        ("/setstage <b>x</b> because", "I do not know the stage &lt;b&gt;x&lt;/b&gt;."),
        ("/setstage group", reason),
        ("/setstage group ok", reason),
        ("/setstage group " + "x" * 301, reason),
        ("/setstage auto no override here", "The stage of <b>De Toren</b> has no override to "
                                            "lift: it follows the measured stage, <b>loose "
                                            "sand</b>."),
        (f"/setstage {second.id} group because", f"You are not a contact of complex "
                                                 f"#{second.id}."),
    ]:
        assert last_message(await world.say(CONTACT, command)).text.startswith(answer), command
    assert await _history(world, complex_) == [] and await _history(world, second) == []
    assert (await _stored(world, complex_)).stage_override is None
    await world.say(CONTACT, "/setstage beginning_network " + "y" * 300)
    shown = last_message(await world.say(CONTACT, "/stage")).text
    assert "Reason: " + "y" * 300 + "\n" in shown
    assert "set the stage to beginning network: " + "y" * 79 + "…" in shown
    assert last_message(await world.say(CONTACT, "/setstage BEGINNING_NETWORK again")).text == \
        "The stage of <b>De Toren</b> is already set to <b>beginning network</b>."
    await world.contact_joins(CONTACT, second, "municipality")
    assert last_message(await world.say(CONTACT, "/setstage group because")).text.startswith(
        "You are a contact of several complexes: put the complex's number first, like "
        "/setstage 3 group …")
    assert await _history(world, complex_) == [("override", "loose_sand", "beginning_network")]
    assert (await _stored(world, second)).stage_override is None
