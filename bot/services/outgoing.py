"""Messages a use case queues for other people: buttons as plain data, the reader's
language, and the durable outbox (sent after the unit of work commits, once per key)."""

from bot.services import Services
from bot.storage.outbox import Shown

Button = dict[str, str]
Rows = list[list[Button]]
"""An inline keyboard as the outbox stores it and the Bot API takes it."""


def button(text: str, data: str) -> Button:
    return {"text": text, "callback_data": data}


async def language_for(services: Services, telegram_id: int) -> str:
    """The language to write to someone else in."""
    return await services.repos.people.language_of(telegram_id) or services.config.language


async def queue(services: Services, key: str, chat_id: int, text: str,
                keyboard: Rows | None = None, shows: tuple[Shown, ...] = ()) -> bool:
    """Queue a message, once per `key`; False if `key` was queued before. `shows`: the
    people the text shows, to take out of it if they ask to be forgotten."""
    return await services.repos.outbox.enqueue(key, chat_id, text, keyboard or None, shows)
