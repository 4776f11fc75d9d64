"""The durable outbox: sent once per key, paced, retried, and never lost to an error."""

import asyncio
from datetime import timedelta

from bot.console.offline import TelegramError
from bot.delivery import Deliverer, Pacing, backoff
from tests.people import CONTACT, DUTCH_RESIDENT, RESIDENT
from tests.world import World


def deliverer(world: World) -> Deliverer:
    return world.app.bot_data["deliverer"]


async def _status(world: World, key: str) -> tuple[str, int]:
    row = await world.app.bot_data["services"].db.fetch_one(
        "SELECT status, attempts FROM outbox WHERE key = ?", (key,))
    return row["status"], row["attempts"]


def _sends(world: World, chat_id: int) -> list:
    return [c for c in world.telegram.calls
            if c.method == "sendMessage" and c.chat_id == chat_id]


async def test_a_key_is_sent_once(world: World) -> None:
    outbox = world.repos.outbox
    assert await outbox.enqueue("hello:1", RESIDENT["id"], "Hello") is True
    assert await outbox.enqueue("hello:1", RESIDENT["id"], "Hello again") is False
    await world.flush()
    await world.flush()
    assert [c.text for c in _sends(world, RESIDENT["id"])] == ["Hello"]
    assert await _status(world, "hello:1") == ("sent", 1)


async def test_flood_control_is_retried_after_the_time_telegram_names(world: World) -> None:
    world.telegram.failures[RESIDENT["id"]] = [
        TelegramError(429, "Too Many Requests: retry after 30", retry_after=30)]
    await world.repos.outbox.enqueue("flood:1", RESIDENT["id"], "Hello")
    await world.flush()
    assert await _status(world, "flood:1") == ("pending", 1)
    world.clock.advance(timedelta(seconds=29))
    await world.flush()
    assert _sends(world, RESIDENT["id"])[-1:] and await _status(world, "flood:1") == \
        ("pending", 1)
    world.clock.advance(timedelta(seconds=1))
    await world.flush()
    assert await _status(world, "flood:1") == ("sent", 2)


async def test_server_and_network_errors_back_off(world: World) -> None:
    world.telegram.failures[RESIDENT["id"]] = [TelegramError(502, "Bad Gateway"),
                                               TelegramError(502, "Bad Gateway")]
    await world.repos.outbox.enqueue("flaky:1", RESIDENT["id"], "Hello")
    await world.flush()
    assert await _status(world, "flaky:1") == ("pending", 1)
    world.clock.advance(backoff(0))
    await world.flush()
    assert await _status(world, "flaky:1") == ("pending", 2)
    world.clock.advance(backoff(1))
    await world.flush()
    assert await _status(world, "flaky:1") == ("sent", 3)
    assert backoff(1) > backoff(0) and backoff(40) == timedelta(minutes=30)


async def test_blocked_people_are_unreachable_and_not_retried(world: World) -> None:
    world.telegram.blocked.add(CONTACT["id"])
    await world.repos.outbox.enqueue("blocked:1", CONTACT["id"], "Hello")
    await world.flush()
    world.clock.advance(timedelta(days=1))
    await world.flush()
    assert await _status(world, "blocked:1") == ("unreachable", 1)
    assert len(_sends(world, CONTACT["id"])) == 1


async def test_a_refused_message_fails_without_stopping_the_others(world: World) -> None:
    world.telegram.failures[RESIDENT["id"]] = [TelegramError(400, "Bad Request: chat not "
                                                                  "found")]
    await world.repos.outbox.enqueue("bad:1", RESIDENT["id"], "Hello")
    await world.repos.outbox.enqueue("good:1", CONTACT["id"], "Hello")
    await world.flush()
    assert await _status(world, "bad:1") == ("failed", 1)
    assert await _status(world, "good:1") == ("sent", 1)


async def test_pacing_holds_back_a_second_message_to_the_same_chat(world: World) -> None:
    paced = Deliverer(world.app.bot_data["services"], world.app.bot, Pacing(0.0, 3600.0, 3600.0))
    for n in range(3):
        await world.repos.outbox.enqueue(f"paced:{n}", RESIDENT["id"], f"Message {n}")
    await world.repos.outbox.enqueue("paced:other", CONTACT["id"], "Other chat")
    assert await paced.deliver_due() == 2  # one to each chat
    assert await paced.deliver_due() == 0  # the rest waits for the chat's interval
    assert await _status(world, "paced:1") == ("pending", 0)
    assert [c.text for c in _sends(world, RESIDENT["id"])] == ["Message 0"]


async def test_the_sender_runs_until_stopped(world: World) -> None:
    sender = Deliverer(world.app.bot_data["services"], world.app.bot, Pacing(0.0, 0.0, 0.0))
    task = asyncio.create_task(sender.run(poll_every=0.05))
    await world.repos.outbox.enqueue("running:1", RESIDENT["id"], "Hello")
    sender.kick()
    for _ in range(100):
        if (await _status(world, "running:1"))[0] == "sent":
            break
        await asyncio.sleep(0.01)
    sender.stop()
    await asyncio.wait_for(task, 2)
    assert await _status(world, "running:1") == ("sent", 1)


async def test_a_message_cut_off_in_flight_is_sent_again_after_a_note(world: World) -> None:
    """As a crash leaves it: Telegram may or may not have the message."""
    db = world.app.bot_data["services"].db
    await world.repos.outbox.enqueue("cut:1", CONTACT["id"], "<b>Report R-0001</b>")
    await world.repos.outbox.enqueue("cut:2", RESIDENT["id"], "Not cut off")
    await db.write("UPDATE outbox SET in_flight_since = '2026-01-01T00:00:00+00:00'"
                   " WHERE key = 'cut:1'")
    await world.flush()
    assert [c.text for c in _sends(world, CONTACT["id"])] == [
        "⚠️ You may have the next message already: I was interrupted while sending it and "
        "cannot tell whether it arrived.", "<b>Report R-0001</b>"]
    assert [c.text for c in _sends(world, RESIDENT["id"])] == ["Not cut off"]
    assert await db.fetch_column("SELECT in_flight_since FROM outbox") == [None, None]
    await world.flush()
    assert len(_sends(world, CONTACT["id"])) == 2


async def test_the_note_is_in_the_readers_language(world: World) -> None:
    db = world.app.bot_data["services"].db
    await world.press(DUTCH_RESIDENT, (await world.say(DUTCH_RESIDENT, "/language"))[-1],
                      "lang:nl")
    await world.repos.outbox.enqueue("cut:nl", DUTCH_RESIDENT["id"], "Melding")
    await db.write("UPDATE outbox SET in_flight_since = '2026-01-01T00:00:00+00:00'")
    await world.flush()
    assert _sends(world, DUTCH_RESIDENT["id"])[-2].text.startswith(
        "⚠️ Misschien heb je het volgende bericht al")


async def test_a_correction_cut_off_in_flight_is_made_again_without_a_note(
        world: World) -> None:
    db = world.app.bot_data["services"].db
    sent = (await world.say(RESIDENT, "/help"))[-1]
    await db.write(
        "INSERT INTO outbox (key, chat_id, text, next_attempt_at, created_at, edits,"
        " in_flight_since) VALUES ('fix:1', ?, 'Corrected', '', '', ?, '')",
        (RESIDENT["id"], sent.result["message_id"]))
    first = len(world.telegram.calls)
    await world.flush()
    assert [(c.method, c.text) for c in world.telegram.calls[first:]] == [
        ("editMessageText", "Corrected")]
