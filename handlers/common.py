"""Small helpers shared by the feature handlers."""

import itertools
import logging
from collections.abc import Awaitable, Callable, Collection, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.context import BuurtnetContext
from bot.delivery import asked_to_wait
from bot.domain.button_data import ButtonData, pack, unpack
from bot.domain.validation import InvalidInput, utf16_length
from bot.i18n import _
from bot.roles import Standing, standing_of
from bot.services import Services, outgoing
from bot.services.outgoing import Rows
from bot.storage.outbox import Shown

log = logging.getLogger(__name__)

Keyboard = list[list[InlineKeyboardButton]]


Record = TypeVar("Record")
Parsed = TypeVar("Parsed")


def markup(rows: Keyboard) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(rows)


def choice(text: str, prefix: str, verb: str | None = None, record: int | None = None,
           detail: str | None = None) -> InlineKeyboardButton:
    """A button whose data `bot.domain.button_data.unpack` reads back."""
    return InlineKeyboardButton(text, callback_data=pack(prefix, verb, record, detail))


def deep_link(context: BuurtnetContext, code: str) -> str:
    return f"https://t.me/{context.bot.username}?start={code}"


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def is_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def standing(update: Update, context: BuurtnetContext) -> Standing:
    assert update.effective_user is not None
    return await standing_of(context.repos, context.config.operators, update.effective_user.id)


# Where the direct answers to the update in hand fall back to when Telegram cannot take them
# now (set per update by handlers/tracking.py): its services, and a count of its answers.
_answering: ContextVar[tuple[Services, Iterator[int]] | None] = ContextVar(
    "buurtnet_answering", default=None)


def answering(services: Services | None) -> None:
    """The answers from here on are to a new update (None: to no update)."""
    _answering.set((services, itertools.count(1)) if services is not None else None)


def _passing(error: Exception) -> bool:
    """A failure that may be over in a moment (the network, Telegram's servers, flood
    control), as opposed to a refusal (BadRequest, Forbidden) that sending again repeats."""
    return isinstance(error, RetryAfter) or (
        isinstance(error, NetworkError) and not isinstance(error, BadRequest))


async def reply(update: Update, text: str, keyboard: Keyboard | None = None) -> Message | None:
    """Answer in the chat the update came from. An answer Telegram cannot take now goes to
    the outbox, which sends it when it can (once, also if the update is handled again):
    never lost. Its message is then not known yet, so None."""
    message = update.effective_message
    if message is None:
        return None
    answering_now = _answering.get()
    number = next(answering_now[1]) if answering_now is not None else 0
    try:
        return await message.reply_text(
            text,
            reply_markup=markup(keyboard) if keyboard else None,
            do_quote=False,
            disable_web_page_preview=True,
        )
    except Exception as error:
        if answering_now is None or not _passing(error):
            raise
        log.warning("answer %s to update %s goes to the outbox: %s", number,
                    update.update_id, type(error).__name__)
        await outgoing.answer_later(answering_now[0], update.update_id, number,
                                    message.chat_id, text, rows_of(keyboard),
                                    asked_to_wait(error))
        return None


MESSAGE_MAX = 4096  # Telegram's limit on a message's text, in characters


async def reply_lines(update: Update, header: str, lines: list[str],
                      keyboard: Keyboard | None = None, *, between: str = "\n") -> None:
    """A list as few messages as fit Telegram's limit: the header first, whole lines only
    (`between` each two), the buttons under the last message."""
    chunks: list[str] = [header]
    for line in lines:
        if utf16_length(chunks[-1]) + len(between) + utf16_length(line) > MESSAGE_MAX:
            chunks.append(line[:MESSAGE_MAX // 2])  # one line never is this long
        else:
            chunks[-1] += between + line
    for number, chunk in enumerate(chunks, start=1):
        await reply(update, chunk, keyboard if number == len(chunks) else None)


def yes_or_no(prefix: str, yes: str, no: str) -> Keyboard:
    """A question's two answers as buttons: "<prefix>:yes" and "<prefix>:no"."""
    return [[choice(yes, prefix, "yes"), choice(no, prefix, "no")]]


async def confirmed(update: Update, declined: str) -> CallbackQuery | None:
    """The query of a `yes_or_no` press that said yes, still to be answered. A no is
    answered here, `declined` taking the question's place; forged data as stale. Both give
    None."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = await pressed(query, ("yes", "no"))
    if button is not None and button.verb == "no":
        await query.answer()
        await query.edit_message_text(declined)
        return None
    return None if button is None else query


async def parsed_text(update: Update, parse: Callable[[str | None], Parsed]) -> Parsed | None:
    """What `parse` makes of the message's text; a bad input is answered here, saying why
    in the sender's language, and gives None."""
    message = update.effective_message
    try:
        return parse(message.text if message else None)
    except InvalidInput as error:
        await say_invalid(update, error)
        return None


async def require_private(update: Update, context: BuurtnetContext) -> bool:
    """True in a private chat; elsewhere say to use the command in private."""
    if is_private(update):
        return True
    url = f"https://t.me/{context.bot.username}"
    await reply(
        update,
        _("Please use this command in a private chat with me."),
        [[InlineKeyboardButton(_("Open a private chat"), url=url)]],
    )
    return False


async def listed(update: Update, context: BuurtnetContext,
                 load: Callable[[int], Awaitable[list[Record]]], empty: str
                 ) -> list[Record] | None:
    """In a private chat, what `load` lists for the sender; None after saying to use a
    private chat, or `empty` when it lists nothing."""
    if not await require_private(update, context):
        return None
    assert update.effective_user is not None
    found = await load(update.effective_user.id)
    if not found:
        await reply(update, empty)
        return None
    return found


async def require_group(update: Update) -> bool:
    if is_group(update):
        return True
    await reply(update, _("This command only works in the complex's group chat."))
    return False


async def say_invalid(update: Update, error: InvalidInput) -> None:
    await reply(update, _(error.message).format(**error.params))


class Answerable(Protocol):
    """A callback query, or a button press typed as its label (handlers/presses.py)."""

    async def answer(self, text: str | None = None, show_alert: bool = False) -> Any: ...


async def stale_button(query: Answerable) -> None:
    """A button whose data no longer matches anything (old, or forged)."""
    await query.answer(_("This button is no longer valid."), show_alert=True)


def command_args(context: BuurtnetContext) -> list[str]:
    return list(context.args or [])


async def pressed(query: CallbackQuery, verbs: Collection[str] | None = None, *,
                  with_id: bool = False) -> ButtonData | None:
    """The pressed button's data, if it has the shape expected (see `bot.domain.button_data`);
    forged or stale data is answered here, and gives None."""
    found = unpack(query.data, verbs, with_id=with_id)
    if found is None:
        await stale_button(query)
    return found


@dataclass(frozen=True)
class Pressed(Generic[Record]):
    """A pressed button that names a record: the query to answer, who pressed it, its
    data and the record."""

    query: CallbackQuery
    by: int
    button: ButtonData
    record: Record


async def pressed_record(update: Update, load: Callable[[int], Awaitable[Record | None]],
                         verbs: Collection[str] | None = None) -> Pressed[Record] | None:
    """The pressed button and the record its id names (`load`); forged data and unknown
    ids are answered here, and give None."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    button = await pressed(query, verbs, with_id=True)
    if button is None or button.id is None:
        return None
    record = await load(button.id)
    if record is None:
        await stale_button(query)
        return None
    return Pressed(query, user.id, button, record)


async def language_for(context: BuurtnetContext, telegram_id: int) -> str:
    """The language to write to someone else in."""
    return await outgoing.language_for(context.services, telegram_id)


def rows_of(keyboard: Keyboard | None) -> Rows | None:
    """A keyboard as the outbox stores it."""
    return [[button.to_dict() for button in row] for row in keyboard] if keyboard else None


def keyboard_of(rows: Rows) -> Keyboard:
    """Buttons a service built, to answer with."""
    return [[InlineKeyboardButton(**button) for button in row] for row in rows]


async def notify(
    context: BuurtnetContext, key: str, chat_id: int, text: str,
    keyboard: Keyboard | None = None, shows: tuple[Shown, ...] = (),
) -> bool:
    """Send through the durable outbox, once per `key`; False if `key` was sent before.
    `shows`: the people the text shows, to take out of it if they ask to be forgotten."""
    return await outgoing.queue(context.services, key, chat_id, text, rows_of(keyboard), shows)
