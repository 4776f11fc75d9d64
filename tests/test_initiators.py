"""Initiators' commands: members, invite, promote, demote, remove, join policy."""

from bot.domain.models import JoinPolicy
from tests.people import CONTACT, INITIATOR, NEIGHBOUR, OPERATOR, RESIDENT, STRANGER
from tests.world import GROUP_ID, World, last_message, sent


async def _complex_with_people(world: World):
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code, organise=True)
    await world.sign_up(RESIDENT, complex_.resident_code, building="C")
    resident = await world.repos.people.resident_of(RESIDENT["id"])
    return complex_, resident


async def test_members_lists_residents_and_wishes(world: World) -> None:
    _, resident = await _complex_with_people(world)
    text = last_message(await world.say(INITIATOR, "/members")).text
    assert "<b>De Toren</b>" in text and "residents: 2 (homes: 120)" in text
    assert "initiators: 1" in text and "offer to help organise: 1" in text
    assert f"#{resident.id} Rosa (C) — wants introductions" in text
    assert "Ivo (B) — initiator, offers to help organise, wants introductions" in text


async def test_members_shows_pending_sign_ups_with_buttons(world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.sign_up(RESIDENT, complex_.resident_code)
    calls = await world.say(INITIATOR, "/members")
    pending = last_message(calls)
    assert pending.text.startswith("Waiting for approval: #")
    await world.press(INITIATOR, pending, "Approve")
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_active


async def test_initiator_commands_are_refused_to_others(world: World) -> None:
    complex_, resident = await _complex_with_people(world)
    await world.contact_joins(CONTACT, complex_, "municipality")
    for person in (STRANGER, RESIDENT, CONTACT, OPERATOR):
        for command in ("/members", f"/promote {resident.id}", f"/demote {resident.id}",
                        f"/remove {resident.id} gone", "/joinpolicy approval"):
            calls = await world.say(person, command)
            assert last_message(calls).text == "Only initiators of a complex can do that.", \
                (person["first_name"], command)
    assert not (await world.repos.people.resident_of(RESIDENT["id"])).is_initiator
    assert (await world.repos.complexes.get(complex_.id)).join_policy is JoinPolicy.OPEN


async def test_member_list_is_private_only(world: World) -> None:
    await _complex_with_people(world)
    calls = await world.say(INITIATOR, "/members", world.group())
    assert last_message(calls).text == "Please use this command in a private chat with me."


async def test_invite_in_private_and_in_the_group(world: World) -> None:
    complex_, _ = await _complex_with_people(world)
    link = f"https://t.me/BuurtnetBot?start={complex_.resident_code}"
    assert link in last_message(await world.say(INITIATOR, "/invite")).text
    await world.say(INITIATOR, "/linkgroup", world.group())
    calls = await world.say(INITIATOR, "/invite", world.group())
    assert last_message(calls).chat_id == GROUP_ID and link in last_message(calls).text
    await world.contact_joins(CONTACT, complex_, "municipality")
    assert link in last_message(await world.say(CONTACT, "/invite", world.group())).text
    for person in (RESIDENT, STRANGER):
        calls = await world.say(person, "/invite")
        assert last_message(calls).text == "Only initiators of a complex can do that."


async def test_promote_and_demote(world: World) -> None:
    complex_, resident = await _complex_with_people(world)
    calls = await world.say(INITIATOR, f"/promote #{resident.id}")
    assert last_message(calls, INITIATOR["id"]).text == "Rosa is now an initiator."
    assert "You are now an initiator of <b>De Toren</b>" in \
        last_message(calls, RESIDENT["id"]).text
    menu = [c for c in calls if c.method == "setMyCommands"]
    assert menu and menu[-1].params["scope"] == {"type": "chat", "chat_id": RESIDENT["id"]}
    assert "members" in [c["command"] for c in menu[-1].params["commands"]]
    assert (await world.repos.people.resident_of(RESIDENT["id"])).is_initiator
    again = await world.say(INITIATOR, f"/promote {resident.id}")
    assert last_message(again).text == "Rosa is already an initiator."
    calls = await world.say(RESIDENT, f"/demote {resident.id}")
    assert last_message(calls, RESIDENT["id"]).text.startswith(
        "You are no longer an initiator")
    assert not (await world.repos.people.resident_of(RESIDENT["id"])).is_initiator
    assert last_message(await world.say(INITIATOR, f"/demote {resident.id}")).text == \
        "Rosa is not an initiator."
    assert complex_ is not None


async def test_the_last_initiator_stays(world: World) -> None:
    await _complex_with_people(world)
    initiator = await world.repos.people.resident_of(INITIATOR["id"])
    calls = await world.say(INITIATOR, f"/demote {initiator.id}")
    assert "is the only initiator" in last_message(calls).text
    assert (await world.repos.people.resident_of(INITIATOR["id"])).is_initiator


async def test_bad_resident_numbers(world: World) -> None:
    complex_, _ = await _complex_with_people(world)
    other = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(NEIGHBOUR, other.resident_code)
    elsewhere = await world.repos.people.resident_of(NEIGHBOUR["id"])
    for command, answer in [
        ("/promote", "Usage: /promote 12"),
        ("/promote abc", "Give the resident's number from /members"),
        ("/promote 999", "There is no resident #999 in De Toren."),
        (f"/promote {elsewhere.id}", f"There is no resident #{elsewhere.id} in De Toren."),
        ("/demote", "Usage: /demote 12"),
        ("/remove", "Usage: /remove 12 reason"),
    ]:
        calls = await world.say(INITIATOR, command)
        assert any(c.text.startswith(answer) for c in sent(calls)), command
    assert not (await world.repos.people.resident_of(NEIGHBOUR["id"])).is_initiator
    assert complex_ is not None


async def test_remove_keeps_the_reason(world: World) -> None:
    complex_, resident = await _complex_with_people(world)
    calls = await world.say(INITIATOR, f"/remove {resident.id}")
    assert any(c.text == "Please give a reason." for c in sent(calls))
    assert await world.repos.people.resident_of(RESIDENT["id"]) is not None
    calls = await world.say(INITIATOR, f"/remove {resident.id} " + "x" * 501)
    assert any("at most 500 characters" in c.text for c in sent(calls))
    calls = await world.say(INITIATOR, f"/remove {resident.id} moved out in June")
    assert last_message(calls, INITIATOR["id"]).text == \
        "Rosa is removed from De Toren. The reason is kept."
    assert "An initiator removed you from <b>De Toren</b>" in \
        last_message(calls, RESIDENT["id"]).text
    assert await world.repos.people.resident_of(RESIDENT["id"]) is None
    rows = await world.app.bot_data["services"].db.fetch_all("SELECT * FROM removals")
    assert [(r["telegram_id"], r["reason"], r["removed_by"]) for r in rows] == [
        (None, "moved out in June", INITIATOR["id"])]  # kept by a keyed hash instead
    assert await world.repos.people.was_removed(RESIDENT["id"], complex_.id)
    assert complex_ is not None


async def test_remove_refuses_self_and_initiators(world: World) -> None:
    _, resident = await _complex_with_people(world)
    initiator = await world.repos.people.resident_of(INITIATOR["id"])
    calls = await world.say(INITIATOR, f"/remove {initiator.id} bye")
    assert last_message(calls).text == "To leave the complex yourself, use /leave."
    await world.say(INITIATOR, f"/promote {resident.id}")
    calls = await world.say(INITIATOR, f"/remove {resident.id} bye")
    assert last_message(calls).text == "Rosa is an initiator: /demote them first."
    assert await world.repos.people.resident_of(RESIDENT["id"]) is not None


async def test_join_policy(world: World) -> None:
    complex_, _ = await _complex_with_people(world)
    calls = await world.say(INITIATOR, "/joinpolicy")
    assert "Usage: /joinpolicy" in last_message(calls).text
    calls = await world.say(INITIATOR, "/joinpolicy sometimes")
    assert "Usage: /joinpolicy" in last_message(calls).text
    assert (await world.repos.complexes.get(complex_.id)).join_policy is JoinPolicy.OPEN
    calls = await world.say(INITIATOR, "/joinpolicy approval")
    assert last_message(calls).text == \
        "Sign-up for De Toren is now: approval by an initiator."
    assert (await world.repos.complexes.get(complex_.id)).join_policy is JoinPolicy.APPROVAL


async def test_a_sign_up_begun_with_a_replaced_initiators_link_gives_no_initiator_rights(
        world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    step = last_message(await world.say(RESIDENT, f"/start {complex_.initiator_code}"))
    # The link leaks; an initiator replaces it while Rosa is still signing up with it.
    replaced = await world.say(INITIATOR, "/initiatorlink")
    assert "the old one no longer works" in last_message(replaced).text
    for data in ("su:language:en", "su:consent:yes", "su:name:telegram", "su:building:skip",
                 "su:interests:done", "su:organise:no", "su:introductions:no"):
        step = last_message(await world.press(RESIDENT, step, data))
    await world.press(RESIDENT, step, "su:confirm:yes")
    rosa = await world.repos.people.resident_of(RESIDENT["id"])
    assert rosa is not None and rosa.is_active and not rosa.is_initiator
    # With the current link, a sign-up still makes an initiator.
    fresh = await world.repos.complexes.get(complex_.id)
    assert fresh is not None
    await world.sign_up(NEIGHBOUR, fresh.initiator_code)
    daan = await world.repos.people.resident_of(NEIGHBOUR["id"])
    assert daan is not None and daan.is_initiator


async def test_invite_in_a_group_gives_only_that_groups_complex_link(world: World) -> None:
    complex_, _ = await _complex_with_people(world)
    other = await world.new_complex("Het Blok; 80; Delft; nl")
    await world.sign_up(NEIGHBOUR, other.initiator_code)
    unlinked = await world.say(INITIATOR, "/invite", world.group())
    assert "not linked to a complex yet" in last_message(unlinked).text
    assert complex_.resident_code not in last_message(unlinked).text
    await world.say(INITIATOR, "/linkgroup", world.group())
    # An initiator of another complex gets no link of theirs posted in this group.
    calls = await world.say(NEIGHBOUR, "/invite", world.group())
    assert last_message(calls).text == "Only initiators of a complex can do that."
    assert not any(other.resident_code in c.text for c in sent(calls))
