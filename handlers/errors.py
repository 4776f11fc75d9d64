"""The one error handler: log it, tell the person briefly, tell the operators."""

import logging

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import BuurtnetContext
from bot.i18n import _, use_language
from bot.services.outgoing import alert_operator
from bot.storage.db import handling_update
from handlers.common import language_for

log = logging.getLogger(__name__)

# What a double tap or an edit of a message gone causes: nothing to tell anyone about.
HARMLESS = ("message is not modified", "message to edit not found")


def harmless(error: object) -> bool:
    return isinstance(error, BadRequest) and any(
        text in error.message.lower() for text in HARMLESS)


async def _language_of(context: BuurtnetContext, telegram_id: int) -> str:
    try:
        return await language_for(context, telegram_id)
    except Exception:  # the database may be what failed
        return context.config.language


def _what(update: object) -> str:
    """What the update was, for the log: its kind and command or button, never its text."""
    if not isinstance(update, Update):
        return "no update"
    chat = update.effective_chat.type if update.effective_chat else "no chat"
    if update.callback_query is not None:
        data = (update.callback_query.data or "").split(":")
        return f"a button ({':'.join(data[:3])[:24]}) in a {chat} chat"
    text = update.effective_message.text if update.effective_message else None
    if text and text.startswith("/"):
        return f"the command {text.split()[0][:32]} in a {chat} chat"
    return f"a message in a {chat} chat"


async def on_error(update: object, context: BuurtnetContext) -> None:
    if harmless(context.error):
        log.info("ignored a harmless Telegram answer: %s", context.error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s, %s", update_id, _what(update),
              exc_info=context.error)
    error_name = type(context.error).__name__
    try:
        if isinstance(update, Update) and update.effective_chat is not None:
            await context.bot.send_message(
                update.effective_chat.id,
                _("Sorry, something went wrong on my side. Please try again in a moment; "
                  "the operators have been told."),
            )
    except TelegramError:
        log.warning("could not tell the person about the error", exc_info=True)
    # Not recorded as handled: its unit of work rolled back, so handling it again (after a
    # restart, say) does the whole change, not half of it. Work after this (the sender's
    # bookkeeping) belongs to no update, as after a successful one.
    handling_update(None)
    await _tell_operators(context, error_name)
    if isinstance(update, Update):
        try:  # after a restart, it is handled again (a few times at most)
            await context.repos.inbox.failed(update.update_id)
        except Exception:
            log.warning("could not count the failed update", exc_info=True)
        raise ApplicationHandlerStop


# When the database itself fails, the outbox cannot keep the hourly count: this process
# keeps it instead (per kind of error, the last hour an operator was told directly).
_told_directly: dict[str, str] = {}


async def _tell_operators(context: BuurtnetContext, error_name: str) -> None:
    """Each operator, in their language, once an hour per kind of error at most: through
    the outbox, so a burst of errors is one message, not a flood; directly if the
    database is what failed."""
    for operator in sorted(context.config.operators):
        with use_language(await _language_of(context, operator)):
            text = _("Buurtnet hit an error ({error}); see the log.").format(error=error_name)
            try:
                await alert_operator(context.services, operator, error_name, text)
            except Exception:
                log.warning("could not queue the error notice; sending it directly",
                            exc_info=True)
                await _tell_directly(context, operator, error_name, text)


async def _tell_directly(context: BuurtnetContext, operator: int, error_name: str,
                         text: str) -> None:
    hour = context.clock.now().strftime("%Y%m%d%H")
    if _told_directly.get(f"{error_name}:{operator}") == hour:
        return
    _told_directly[f"{error_name}:{operator}"] = hour
    try:
        await context.bot.send_message(operator, text)
    except TelegramError:
        log.warning("could not tell an operator about the error", exc_info=True)
