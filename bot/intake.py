"""Durable intake: every update is stored before Telegram is told it arrived.

python-telegram-bot's updater puts each fetched update into the application's queue and
acknowledges the batch with the offset of its next poll; a webhook call is answered when
the put returns. Storing the update inside `put` (in the inbox table) therefore comes
before either acknowledgement, so a crash can no longer lose an update Telegram already
counts as delivered. The update leaves the inbox in the transaction that records it as
handled (`bot.storage.db.record_handled`); at start-up what is left is queued again, in
order, before anything new.

Those updates from before the restart are handled like any other, but their button
presses are not answered: the press in hand when the bot died had its answer taken by
Telegram already (which refuses a second one), and the others' answers would come after
Telegram stopped waiting for them (bot/telegram_api.py).
"""

import asyncio
import json
import logging
from datetime import datetime
from typing import Any

from telegram import Bot, Update

from bot.clock import to_db
from bot.storage.inbox import KEEP_FAILED, MAX_ATTEMPTS, Inbox

log = logging.getLogger(__name__)



class DurableQueue(asyncio.Queue):
    """The application's update queue; durable once `attach` has given it the inbox."""

    def __init__(self) -> None:
        super().__init__()
        self.inbox: Inbox | None = None
        self._from_before: set[int] = set()

    async def attach(self, inbox: Inbox, bot: Bot, now: datetime) -> None:
        """Start storing what arrives, after queueing what the last run left."""
        for update_id in await inbox.give_up(MAX_ATTEMPTS, to_db(now - KEEP_FAILED)):
            log.warning("gave up update %s: handling it failed repeatedly", update_id)
        left = await inbox.pending(MAX_ATTEMPTS)
        if left:
            log.info("handling %d updates received before the restart", len(left))
        for update_id, payload in left:
            self._from_before.add(update_id)
            await super().put(Update.de_json(json.loads(payload), bot))
        self.inbox = inbox

    def received_before_start(self, update_id: int) -> bool:
        """Whether the update was left in the inbox by the run before this one."""
        return update_id in self._from_before

    async def put(self, item: Any) -> None:
        if isinstance(item, Update):
            if self.inbox is None:
                raise RuntimeError("an update arrived before the inbox was open")
            if not await self.inbox.store(item.update_id, json.dumps(item.to_dict())):
                return  # delivered again: already queued, or already handled
        await super().put(item)
