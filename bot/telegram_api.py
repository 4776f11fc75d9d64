"""The bot's side of the Bot API: python-telegram-bot's ExtBot, but for one answer.

A callback query can be answered once, within seconds. Presses received before a restart
(handled from the durable inbox: their change had not committed) are not answered at all
(`answer_presses(False)` around their handling); any other answer Telegram refuses as
too late ("query is too old … or query ID is invalid") loses only its pop-up, so that
refusal must not stop the press's change.
"""

import logging
from contextvars import ContextVar
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

QUERY_GONE = ("query is too old", "query id is invalid")

_answering_presses: ContextVar[bool] = ContextVar("buurtnet_answering_presses", default=True)


def answer_presses(answer: bool) -> None:
    """Whether the update in hand answers its button press (set per update)."""
    _answering_presses.set(answer)


class BuurtnetBot(ExtBot):
    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        if not _answering_presses.get():
            return True
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as error:
            if not any(text in error.message.lower() for text in QUERY_GONE):
                raise
            log.info("a button's answer came too late (answered before, or expired)")
            return False
