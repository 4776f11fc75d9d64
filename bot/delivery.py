"""The sender that works through the outbox within Telegram's limits.

Telegram allows about 30 messages a second overall, one a second per private chat and 20
a minute per group. Flood answers (429) are retried after the time Telegram names; server
and network errors with growing pauses; a person who blocked the bot is marked unreachable
and never retried, so that, for example, an escalation moves on at once.

A message is marked in flight before it goes to Telegram. If the bot dies before Telegram
answers, nobody can know whether Telegram has it (the Bot API cannot be asked), and losing
a report is worse than showing it twice: it is sent again, after a note that it may be a
repeat, so a contact who got it before knows they did not get a second report.
"""

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.services import Services
from bot.services.outgoing import repeat_notice
from bot.storage.outbox import Outgoing

log = logging.getLogger(__name__)

BACKOFF_START = timedelta(seconds=5)
BACKOFF_MAX = timedelta(minutes=30)
GIVE_UP_AFTER = 50  # attempts, about a day of backing off
NOT_MODIFIED = "message is not modified"  # an edit to what the message shows already


@dataclass(frozen=True)
class Pacing:
    """Minimum seconds between messages: overall, to one private chat, to one group."""

    overall: float = 1 / 30
    private_chat: float = 1.0
    group_chat: float = 3.0

    def interval(self, chat_id: int) -> float:
        return self.group_chat if chat_id < 0 else self.private_chat


TELEGRAM_PACING = Pacing()
NO_PACING = Pacing(0.0, 0.0, 0.0)


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_START * (2 ** min(attempts, 12)), BACKOFF_MAX)


def asked_to_wait(error: Exception) -> timedelta:
    """How long flood control (a RetryAfter) asks to wait; nothing for other errors."""
    if not isinstance(error, RetryAfter):
        return timedelta()
    value = error.retry_after  # a timedelta: bot/__init__.py opts in to PTB_TIMEDELTA
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


class Deliverer:
    def __init__(self, services: Services, bot: Bot, pacing: Pacing = TELEGRAM_PACING) -> None:
        self.services = services
        self.outbox = services.repos.outbox
        self.bot = bot
        self.pacing = pacing
        self._next_allowed: dict[int, float] = {}
        self._soonest: float | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    def stop(self) -> None:
        """Finish the message in hand, then leave run()."""
        self._stopping = True
        self._wake.set()

    def kick(self) -> None:
        """Something was queued: deliver it now rather than at the next poll."""
        self._wake.set()

    async def deliver_due(self, limit: int = 100) -> int:
        """Send what is due and allowed now; return how many messages were attempted."""
        attempted = 0
        self._soonest = None
        for outgoing in await self.outbox.due(limit):
            if self._stopping:
                break
            wait = self._next_allowed.get(outgoing.chat_id, 0.0) - time.monotonic()
            if wait > 0:  # this chat had a message a moment ago: the next pass
                self._soonest = min(wait, self._soonest or wait)
                continue
            await self._send(outgoing)
            attempted += 1
            self._next_allowed[outgoing.chat_id] = time.monotonic() + self.pacing.interval(
                outgoing.chat_id)
            if self.pacing.overall:
                await asyncio.sleep(self.pacing.overall)
        return attempted

    async def _send(self, outgoing: Outgoing) -> None:
        markup = (InlineKeyboardMarkup.de_json({"inline_keyboard": outgoing.keyboard}, self.bot)
                  if outgoing.keyboard else None)
        await self.outbox.mark_in_flight(outgoing.id)
        try:
            if outgoing.in_flight_since is not None and outgoing.edits is None:
                await self.bot.send_message(
                    outgoing.chat_id, await repeat_notice(self.services, outgoing.chat_id))
            if outgoing.edits is not None:  # a correction (someone was forgotten); editing
                # again after a crash shows the same text, so it needs no note
                await self.bot.edit_message_text(
                    outgoing.text, outgoing.chat_id, outgoing.edits, reply_markup=markup,
                    disable_web_page_preview=True,
                )
                message_id = outgoing.edits
            elif outgoing.photo_file_id:
                message_id = (await self.bot.send_photo(
                    outgoing.chat_id, outgoing.photo_file_id, caption=outgoing.text,
                    reply_markup=markup,
                )).message_id
            else:
                message_id = (await self.bot.send_message(
                    outgoing.chat_id, outgoing.text, reply_markup=markup,
                    disable_web_page_preview=True,
                )).message_id
        except RetryAfter as error:
            await self.outbox.retry_later(outgoing.id, asked_to_wait(error), "flood control")
        except Forbidden as error:
            log.info("outbox %s: the chat is unreachable", outgoing.id)
            await self.outbox.give_up(outgoing.id, "unreachable", error.message)
        except BadRequest as error:
            if outgoing.edits is not None and NOT_MODIFIED in error.message.lower():
                await self.outbox.mark_sent(outgoing.id, outgoing.edits)  # it shows that
                return
            log.warning("outbox %s: Telegram refused it: %s", outgoing.id, error.message)
            await self.outbox.give_up(outgoing.id, "failed", error.message)
        except Exception as error:  # network, server, or our own: try again later
            if outgoing.attempts + 1 >= GIVE_UP_AFTER:
                await self.outbox.give_up(outgoing.id, "failed", type(error).__name__)
            else:
                if not isinstance(error, NetworkError | TelegramError):
                    log.exception("outbox %s could not be sent", outgoing.id)
                await self.outbox.retry_later(outgoing.id, backoff(outgoing.attempts),
                                              type(error).__name__)
        else:
            await self.outbox.mark_sent(outgoing.id, message_id)

    async def run(self, poll_every: float = 5.0) -> None:
        """Deliver until stop(): when kicked, and every `poll_every` seconds for retries."""
        while not self._stopping:
            try:
                while await self.deliver_due() and not self._stopping:
                    pass
            except Exception:
                log.exception("the outbox sender failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(poll_every, self._soonest
                                                              or poll_every))
            self._wake.clear()
