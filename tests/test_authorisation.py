"""People of one complex cannot act on another complex, whatever they press or type."""

from tests.people import CONTACT, INITIATOR, NEIGHBOUR, POLICE, RESIDENT
from tests.world import World, alerts, last_message


async def test_an_initiator_elsewhere_cannot_approve_or_manage(world: World) -> None:
    toren = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    blok = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(INITIATOR, toren.initiator_code)
    await world.sign_up(NEIGHBOUR, blok.initiator_code)  # Noor: initiator of Het Blok
    calls = await world.sign_up(RESIDENT, toren.resident_code)
    question = last_message(calls, INITIATOR["id"])
    pending = await world.repos.people.resident_of(RESIDENT["id"])
    refused = await world.feed(world.telegram.press_update(
        NEIGHBOUR, INITIATOR["id"], question.result["message_id"], f"ap:ok:{pending.id}"))
    assert alerts(refused) == ["Only the initiators of this complex can decide on sign-ups."]
    assert not (await world.repos.people.resident_of(RESIDENT["id"])).is_active
    await world.press(INITIATOR, question, "Approve")
    for command in (f"/promote {pending.id}", f"/remove {pending.id} because"):
        calls = await world.say(NEIGHBOUR, command)
        assert last_message(calls).text == \
            f"There is no resident #{pending.id} in Het Blok. /members shows the numbers."
    members = last_message(await world.say(NEIGHBOUR, "/members")).text
    assert "Rosa" not in members
    resident = await world.repos.people.resident_of(RESIDENT["id"])
    assert resident.is_active and not resident.is_initiator


async def test_a_contact_elsewhere_cannot_link_or_see(world: World) -> None:
    toren = await world.new_complex()
    blok = await world.new_complex("Het Blok; 80; Delft; en")
    await world.contact_joins(CONTACT, toren, "municipality")
    await world.contact_joins(POLICE, blok, "police")
    await world.say(CONTACT, "/linkgroup", world.group())
    calls = await world.say(POLICE, "/linkgroup", world.group())
    assert last_message(calls).text == "This group is already linked to De Toren."
    text = last_message(await world.say(POLICE, "/complexes")).text
    assert "Het Blok" in text and "De Toren" not in text
    invite = last_message(await world.say(POLICE, "/invite", world.group()))
    assert invite.text == "Only initiators of a complex can do that."
    assert (await world.repos.complexes.get(blok.id)).group_chat_id is None
