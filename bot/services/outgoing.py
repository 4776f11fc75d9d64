"""Messages a use case queues for other people: buttons as plain data, the reader's
language, and the durable outbox (sent after the unit of work commits, once per key)."""

from datetime import timedelta

from bot.domain import outbox_keys
from bot.i18n import _, use_language
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


async def repeat_notice(services: Services, chat_id: int) -> str:
    """What goes before a message that may have arrived already (bot/delivery.py), in the
    chat's language: a group's is its complex's."""
    complex_ = await services.repos.complexes.by_group(chat_id) if chat_id < 0 else None
    language = complex_.language if complex_ else await language_for(services, chat_id)
    with use_language(language):
        return _("⚠️ You may have the next message already: I was interrupted while sending "
                 "it and cannot tell whether it arrived.")


async def queue(services: Services, key: str, chat_id: int, text: str,
                keyboard: Rows | None = None, shows: tuple[Shown, ...] = ()) -> bool:
    """Queue a message, once per `key`; False if `key` was queued before. `shows`: the
    people the text shows, to take out of it if they ask to be forgotten."""
    return await services.repos.outbox.enqueue(key, chat_id, text, keyboard or None, shows)


async def edit_post(services: Services, post_key: str, chat_id: int, message_id: int | None,
                    text: str, keyboard: Rows | None, shows: tuple[Shown, ...] = ()) -> None:
    """Show a group post's new state through the outbox (see OutboxRepository.edit_post),
    in the caller's unit of work. `shows`: as for `queue`."""
    await services.repos.outbox.edit_post(post_key, chat_id, message_id, text, keyboard, shows)


async def answer_later(services: Services, update_id: int, number: int, chat_id: int,
                       text: str, keyboard: Rows | None, delay: timedelta) -> None:
    """Queue the `number`th direct answer to an update that Telegram could not take, to go
    out after `delay`: after the update's unit of work (bookkeeping), and once however
    often the update is handled."""
    await services.repos.outbox.enqueue_after(outbox_keys.ANSWER_LATER.of(update_id, number),
                                              chat_id, text, keyboard, delay)


async def alert_operator(services: Services, operator: int, error_name: str,
                         text: str) -> bool:
    """Tell an operator of an error of a kind, at most once an hour (per key); after any
    unit of work. False if they were told of this kind this hour already."""
    hour = services.clock.now().strftime("%Y%m%d%H")
    return await services.repos.outbox.enqueue_after(
        outbox_keys.ERROR_ALERT.of(error_name, hour, operator), operator, text, None)
