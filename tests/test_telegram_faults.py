"""Telegram failing on purpose: flood control, server errors, stalls, dropped connections and
refusals, per method and chat. What matters is delivered exactly once after the fault heals,
never before a `retry_after` is over, within the overall and per-chat pace; group posts
whose counts change are edited through the outbox, retried and coalesced.

The sender runs over real HTTP against tests.fake_bot_api; the group posts in process.
"""

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.console.offline import TelegramError
from bot.delivery import TELEGRAM_PACING, Deliverer
from bot.services import Services
from bot.telegram_api import BuurtnetBot
from tests import e2e_support
from tests.conftest import make_config
from tests.fake_bot_api import FakeBotApi, Stamp
from tests.people import INITIATOR, NEIGHBOUR, RESIDENT
from tests.test_ideas import _complex, _propose, labels
from tests.world import GROUP_ID, World

EPSILON = 0.05  # seconds of timer slack


api = e2e_support.api  # the fake Bot API over HTTP, shared with the end-to-end suites


@pytest.fixture
async def services(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Services]:
    opened = await Services.open(make_config(tmp_path), clock)
    yield opened
    await opened.close()


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[BuurtnetBot]:
    """A bot as the running application has it: over HTTP; the outbox paces it."""
    over_http = BuurtnetBot(e2e_support.TOKEN, base_url=api.base_url)
    async with over_http:
        yield over_http


async def _queue(services: Services, chats: list[int], each: int = 1) -> None:
    for chat in chats:
        for number in range(each):
            await services.repos.outbox.enqueue(f"test:{chat}:{number}", chat, f"#{number}")


async def _pending(services: Services) -> int:
    return await services.db.fetch_value("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")


async def _deliver_all(services: Services, sender: Deliverer, clock: ManualClock,
                       *, rounds: int = 400, real_time: bool = False) -> None:
    """Send until nothing is pending, moving the clock past retries (not the pace, which
    runs on real time); with `real_time`, the clock keeps step with the real one, as the
    fake Bot API's flood control does."""
    for _ in range(rounds):
        if not await _pending(services):
            return
        if not await sender.deliver_due():
            step = 0.05 if real_time else 30  # the next retry, or the pace's next turn
            clock.advance(timedelta(seconds=step))
            await asyncio.sleep(0.05)
    raise AssertionError("the outbox never emptied")


def _sends(api: FakeBotApi, chat: int) -> list[Stamp]:
    return [s for s in api.performed("sendMessage") if s.chat_id == chat]


@pytest.mark.parametrize("kind", ["server_error", "bad_gateway", "stall", "drop"])
async def test_a_message_is_delivered_once_after_a_passing_fault(
        api: FakeBotApi, services: Services, bot: BuurtnetBot, clock: ManualClock,
        kind: str) -> None:
    faulty, fine = 7001, 7002
    fault = api.inject(kind, method="sendMessage", chat_id=faulty, times=2, seconds=0.5)
    await _queue(services, [faulty, fine])
    await _deliver_all(services, Deliverer(services, bot), clock)
    assert fault.served == 2
    assert len(_sends(api, faulty)) == 1 and len(_sends(api, fine)) == 1
    assert await services.db.fetch_column("SELECT status FROM outbox") == ["sent", "sent"]


async def test_nothing_reaches_a_chat_before_its_retry_after(
        api: FakeBotApi, services: Services, bot: BuurtnetBot, clock: ManualClock) -> None:
    flooded = 7001
    api.inject("retry_after", method="sendMessage", chat_id=flooded, times=1, seconds=2)
    await _queue(services, [flooded], each=2)
    await _deliver_all(services, Deliverer(services, bot), clock, real_time=True)
    assert api.early == []
    assert [s.fault for s in api.stamps if s.chat_id == flooded] == ["retry_after", None, None]
    first = next(s for s in api.stamps if s.fault == "retry_after")
    assert _sends(api, flooded)[0].at >= first.at + 2 - EPSILON


async def test_refusals_are_not_sent_again(
        api: FakeBotApi, services: Services, bot: BuurtnetBot, clock: ManualClock) -> None:
    blocked, unknown = 7001, 7002
    api.inject("blocked", chat_id=blocked)
    api.inject("chat_not_found", chat_id=unknown)
    await _queue(services, [blocked, unknown])
    await _deliver_all(services, Deliverer(services, bot), clock)
    assert len([s for s in api.stamps if s.method == "sendMessage"]) == 2  # one try each
    assert sorted(await services.db.fetch_column("SELECT status FROM outbox")) == \
        ["failed", "unreachable"]


async def test_the_overall_and_per_chat_pace_is_kept(
        api: FakeBotApi, services: Services, bot: BuurtnetBot, clock: ManualClock) -> None:
    busy, group, many = [7001, 7002], -1007001, list(range(8000, 8045))
    await _queue(services, busy, each=4)
    await _queue(services, [group], each=3)
    await _queue(services, many)
    await _deliver_all(services, Deliverer(services, bot, TELEGRAM_PACING), clock)
    sends = api.performed("sendMessage")
    assert len(sends) == 4 * 2 + 3 + 45
    for chat, gap in [(busy[0], TELEGRAM_PACING.private_chat),
                      (busy[1], TELEGRAM_PACING.private_chat),
                      (group, TELEGRAM_PACING.group_chat)]:
        moments = [s.at for s in sends if s.chat_id == chat]
        assert all(b - a >= gap - EPSILON for a, b in itertools.pairwise(moments)), chat
    moments = [s.at for s in sends]
    assert max(sum(1 for m in moments if start <= m < start + 1) for start in moments) <= 30


async def test_quick_votes_are_one_edit_of_the_group_post(world: World) -> None:
    from telegram import Update

    await _complex(world)
    post = await _propose(world)
    before = len(world.telegram.calls)
    # Votes arriving faster than the group's pace: handled, but not yet sent.
    for person in (NEIGHBOUR, INITIATOR, RESIDENT):
        for data in ("idea:support:1", "idea:help:1"):
            await world.app.process_update(Update.de_json(world.telegram.press_update(
                person, GROUP_ID, post.result["message_id"], f"1:{data}"), world.app.bot))
    await world.press(NEIGHBOUR, post, "idea:help:1")  # withdrawn; then the sender runs
    edits = [c for c in world.telegram.calls[before:] if c.method == "editMessageText"]
    assert len(edits) == 1 and labels(world, post) == ["👍 3", "🙋 2"]


async def test_a_post_edit_that_fails_is_tried_again(world: World) -> None:
    await _complex(world)
    post = await _propose(world)
    world.telegram.failures[GROUP_ID] = [TelegramError(502, "Bad Gateway")]
    await world.press(NEIGHBOUR, post, "idea:support:1")
    assert labels(world, post) == ["👍 0", "🙋 0"]
    world.clock.advance(timedelta(minutes=1))
    await world.flush()
    assert labels(world, post) == ["👍 1", "🙋 0"]
    # An edit to what the post shows already counts as done, not as a failure.
    world.telegram.failures[GROUP_ID] = [TelegramError(
        400, "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same as a current content and reply markup of the message")]
    await world.press(NEIGHBOUR, post, "idea:help:1")
    statuses = await world.app.bot_data["services"].db.fetch_column(
        "SELECT status FROM outbox WHERE key LIKE 'edit:%' ORDER BY id")
    assert statuses == ["sent", "sent"]
