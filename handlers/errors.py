"""The one error handler: log it, tell the person briefly, tell the operators."""

import logging

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import BuurtnetContext
from bot.i18n import _, use_language
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


async def on_error(update: object, context: BuurtnetContext) -> None:
    if harmless(context.error):
        log.info("ignored a harmless Telegram answer: %s", context.error)
        return
    log.error("error while handling an update", exc_info=context.error)
    error_name = type(context.error).__name__
    try:
        if isinstance(update, Update) and update.effective_chat is not None:
            await context.bot.send_message(
                update.effective_chat.id,
                _("Sorry, something went wrong on my side. Please try again in a moment; "
                  "the operators have been told."),
            )
        for operator in sorted(context.config.operators):
            with use_language(await _language_of(context, operator)):
                await context.bot.send_message(
                    operator, _("Buurtnet hit an error ({error}); see the log.").format(
                        error=error_name))
    except TelegramError:
        log.warning("could not report the error over Telegram", exc_info=True)
    # Not recorded as handled: its unit of work rolled back, so handling it again (after a
    # restart, say) does the whole change, not half of it. Work after this (the sender's
    # bookkeeping) belongs to no update, as after a successful one.
    if isinstance(update, Update):
        handling_update(None)
        try:  # after a restart, it is handled again (a few times at most)
            await context.repos.inbox.failed(update.update_id)
        except Exception:
            log.warning("could not count the failed update", exc_info=True)
        raise ApplicationHandlerStop
