"""The bot's side of the Bot API: python-telegram-bot's ExtBot, but for one answer.

A callback query can be answered once. A press handled again after a crash (from the
durable inbox: its change had not committed) answers its query again, and Telegram refuses
that ("query is too old … or query ID is invalid"); the pop-up is all that is lost, so that
refusal must not stop the press's change.
"""

import logging
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

QUERY_GONE = ("query is too old", "query id is invalid")


class BuurtnetBot(ExtBot):
    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as error:
            if not any(text in error.message.lower() for text in QUERY_GONE):
                raise
            log.info("a button's answer came too late (answered before, or expired)")
            return False
