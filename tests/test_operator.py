"""Operators create complexes and invite contacts; contacts join and see their complexes."""

from datetime import timedelta

from bot.domain.models import ContactKind, JoinPolicy
from bot.domain.validation import utf16_length
from tests.people import CONTACT, INITIATOR, OPERATOR, POLICE, RESIDENT, STRANGER
from tests.world import World, alerts, invite_code, last_message, nl, sent


async def test_guided_new_complex(world: World) -> None:
    assert "What is the complex called?" in last_message(
        await world.say(OPERATOR, "/newcomplex")).text
    assert last_message(await world.say(OPERATOR, "Het Blok")).text == \
        "How many homes does it have?"
    for bad in ["many", "0", "-3", "100001", "1e3"]:
        calls = await world.say(OPERATOR, bad)
        assert "whole number from 1 to 100000" in last_message(calls).text, bad
    assert last_message(await world.say(OPERATOR, "1.200")).text == \
        "Which municipality is it in?"
    language = last_message(await world.say(OPERATOR, "Delft"))
    policy = last_message(await world.press(OPERATOR, language, "nc:language:nl"))
    calls = await world.press(OPERATOR, policy, "nc:policy:approval")
    text = last_message(calls).text
    assert "Complex <b>Het Blok</b> is created: 1200 homes" in text
    complex_ = await world.repos.complexes.by_name("Het Blok")
    assert complex_ is not None
    assert (complex_.language, complex_.join_policy) == ("nl", JoinPolicy.APPROVAL)
    assert f"https://t.me/BuurtnetBot?start={complex_.resident_code}" in text
    assert f"https://t.me/BuurtnetBot?start={complex_.initiator_code}" in text
    assert await world.repos.drafts.get(OPERATOR["id"]) is None


async def test_one_line_new_complex_and_its_bad_input(world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; en")
    assert complex_.join_policy is JoinPolicy.OPEN and complex_.homes == 120
    for line, answer in [
        ("De Toren", "Give four or five parts"),
        ("Nieuw; lots; Utrecht; en", "whole number"),
        ("Nieuw; 10; Utrecht; fr", "The language must be one of: nl, en."),
        ("Nieuw; 10; Utrecht; en; closed",
         "The join policy must be <code>open</code> or <code>approval</code>."),
        (" ; 10; Utrecht; en", "Please type some text."),
        ("x" * 81 + "; 10; Utrecht; en", "at most 80 characters"),
    ]:
        calls = await world.say(OPERATOR, f"/newcomplex {line}")
        assert answer in calls[-2].text, line
        assert calls[-1].text.startswith("Usage: /newcomplex")
    calls = await world.say(OPERATOR, "/newcomplex de toren; 10; Utrecht; en")
    assert "There is already a complex called de toren" in last_message(calls).text
    assert len(await world.repos.complexes.all()) == 1


async def test_guided_duplicate_name_is_refused(world: World) -> None:
    await world.new_complex()
    await world.say(OPERATOR, "/newcomplex")
    calls = await world.say(OPERATOR, "De Toren")
    assert "There is already a complex called De Toren" in last_message(calls).text
    assert (await world.repos.drafts.get(OPERATOR["id"])).step == "name"


async def test_only_operators_create_complexes(world: World) -> None:
    for person in (STRANGER, RESIDENT, CONTACT):
        calls = await world.say(person, "/newcomplex De Toren; 120; Utrecht; en")
        assert last_message(calls).text == "Only the operators of this Buurtnet can do that."
        assert last_message(await world.say(person, "/invitecontact 1 police")).text == \
            "Only the operators of this Buurtnet can do that."
    assert await world.repos.complexes.all() == []
    calls = await world.say(OPERATOR, "/newcomplex De Toren; 120; Utrecht; en", world.group())
    assert last_message(calls).text == "Please use this command in a private chat with me."
    assert await world.repos.complexes.all() == []


async def test_forged_new_complex_buttons(world: World) -> None:
    calls = await world.say(OPERATOR, "/newcomplex")
    message_id = last_message(calls).result["message_id"]
    for person, data in [(OPERATOR, "nc:language:nl"), (OPERATOR, "nc:name:x"),
                         (STRANGER, "nc:policy:open")]:
        calls = await world.feed(world.telegram.press_update(
            person, OPERATOR["id"], message_id, data))
        assert alerts(calls) == ["This button is no longer valid."], data
    assert await world.repos.complexes.all() == []


async def test_invite_contact_with_arguments(world: World) -> None:
    complex_ = await world.new_complex()
    calls = await world.say(OPERATOR, f"/invitecontact {complex_.id} municipality")
    text = last_message(calls).text
    assert "Invite for a contact (municipality) of <b>De Toren</b>" in text
    invite = await world.repos.invites.contact_invite(invite_code(text))
    assert invite is not None and invite.kind is ContactKind.MUNICIPALITY
    assert invite.expires_at == world.clock.now() + timedelta(days=7)


async def test_invite_contact_bad_arguments(world: World) -> None:
    complex_ = await world.new_complex()
    for args, answer in [
        ("police", "Usage: /invitecontact"),
        (f"{complex_.id} sheriff", "Usage: /invitecontact"),
        ("abc police", "Usage: /invitecontact"),
        (f"{complex_.id} police extra", "Usage: /invitecontact"),
        ("99 police", "There is no complex with number 99."),
    ]:
        calls = await world.say(OPERATOR, f"/invitecontact {args}")
        assert last_message(calls).text.startswith(answer), args
    rows = await world.app.bot_data["services"].db.fetch_all("SELECT * FROM contact_invites")
    assert rows == []


async def test_invite_contact_with_buttons(world: World) -> None:
    complex_ = await world.new_complex()
    choose = last_message(await world.say(OPERATOR, "/invitecontact"))
    kinds = last_message(await world.press(OPERATOR, choose, f"ic:kinds:{complex_.id}"))
    assert len(kinds.buttons) == 4
    calls = await world.press(OPERATOR, kinds, f"ic:new:{complex_.id}:police")
    assert "Invite for a contact (police)" in last_message(calls).text
    for person, data in [(STRANGER, f"ic:new:{complex_.id}:police"), (OPERATOR, "ic:new:99:police"),
                         (OPERATOR, f"ic:new:{complex_.id}:sheriff"), (OPERATOR, "ic:x"),
                         (OPERATOR, f"ic:{complex_.id}:police:keep")]:
        calls = await world.feed(world.telegram.press_update(
            person, OPERATOR["id"], choose.result["message_id"], data))
        assert alerts(calls), data
    rows = await world.app.bot_data["services"].db.fetch_all("SELECT * FROM contact_invites")
    assert len(rows) == 1


async def test_invite_contact_without_complexes(world: World) -> None:
    calls = await world.say(OPERATOR, "/invitecontact")
    assert "There are no complexes yet" in last_message(calls).text


async def test_contact_joins_once(world: World) -> None:
    complex_ = await world.new_complex()
    code = invite_code(last_message(
        await world.say(OPERATOR, f"/invitecontact {complex_.id} municipality")).text)
    calls = await world.say(CONTACT, f"/start {code}")
    assert "You are now a contact (municipality) for <b>De Toren</b>" in \
        last_message(calls).text
    contacts = await world.repos.people.contacts_of_user(CONTACT["id"])
    assert [(c.complex_id, c.kind) for c in contacts] == [(complex_.id,
                                                           ContactKind.MUNICIPALITY)]
    calls = await world.say(STRANGER, f"/start {code}")
    assert "already been used" in last_message(calls).text
    assert await world.repos.people.contacts_of_user(STRANGER["id"]) == []


async def test_expired_contact_invite(world: World) -> None:
    complex_ = await world.new_complex()
    code = invite_code(last_message(
        await world.say(OPERATOR, f"/invitecontact {complex_.id} police")).text)
    world.clock.advance(timedelta(days=7, seconds=1))
    calls = await world.say(POLICE, f"/start {code}")  # Pieter speaks Dutch
    assert last_message(calls).text.startswith(nl(
        "This contact invite has expired (they are valid for {days} days). "
        "Ask the operator for a new one.").format(days=7))
    assert await world.repos.people.contacts_of_user(POLICE["id"]) == []


async def test_contact_of_several_complexes_sees_them(world: World) -> None:
    toren = await world.new_complex()
    blok = await world.new_complex("Het Blok; 80; Delft; nl")
    await world.new_complex("Elders; 10; Zwolle; nl")
    await world.contact_joins(CONTACT, toren, "municipality")
    await world.contact_joins(CONTACT, blok, "peer")
    code = invite_code(last_message(
        await world.say(OPERATOR, f"/invitecontact {toren.id} police")).text)
    calls = await world.say(CONTACT, f"/start {code}")
    assert last_message(calls).text == "You are already a contact of this complex."
    text = last_message(await world.say(CONTACT, "/complexes")).text
    assert "De Toren" in text and "Het Blok" in text and "Elders" not in text
    assert "You are its contact (municipality)." in text
    operator_view = last_message(await world.say(OPERATOR, "/complexes")).text
    assert "Elders" in operator_view and "contacts: 1" in operator_view


async def test_complexes_is_for_operators_and_contacts(world: World) -> None:
    complex_ = await world.new_complex()
    await world.sign_up(INITIATOR, complex_.initiator_code)
    for person in (STRANGER, INITIATOR):
        calls = await world.say(person, "/complexes")
        assert last_message(calls).text == "This command is for operators and contacts."


async def test_many_complexes_are_listed_in_messages_within_telegrams_limit(
        world: World) -> None:
    names = [f"Complex with a rather long name number {n:02}" for n in range(40)]
    async with world.app.bot_data["services"].db.transaction() as conn:
        for name in names:  # as /newcomplex stores them, without 40 conversations
            await conn.execute(
                "INSERT INTO complexes (name, homes, municipality, language, join_policy,"
                " stage, resident_code, initiator_code, created_by, created_at)"
                " VALUES (?, 100, 'Utrecht', 'en', 'open', 'loose_sand', ?, ?, 1,"
                " '2026-12-01T10:00:00+00:00')", (name, f"r_{name[-2:]}", f"i_{name[-2:]}"))
    messages = sent(await world.say(OPERATOR, "/complexes"), OPERATOR["id"])
    assert len(messages) > 1 and all(utf16_length(m.text) <= 4096 for m in messages)
    listed = "\n\n".join(m.text for m in messages)
    assert all(f"<b>{name}</b>" in listed for name in names)


async def test_complexes_when_there_are_none(world: World) -> None:
    calls = await world.say(OPERATOR, "/complexes")
    assert "There are no complexes yet" in last_message(calls).text
