"""The one error handler: log it, tell the person briefly, tell the operators."""

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BuurtnetContext
from bot.i18n import _, use_language

log = logging.getLogger(__name__)


async def on_error(update: object, context: BuurtnetContext) -> None:
    log.error("error while handling an update", exc_info=context.error)
    error_name = type(context.error).__name__
    try:
        if isinstance(update, Update) and update.effective_chat is not None:
            await context.bot.send_message(
                update.effective_chat.id,
                _("Sorry, something went wrong on my side. Please try again in a moment; "
                  "the operators have been told."),
            )
        # No database here: it may be what failed.
        with use_language(context.config.language):
            for operator in sorted(context.config.operators):
                await context.bot.send_message(
                    operator, _("Buurtnet hit an error ({error}); see the log.").format(
                        error=error_name))
    except TelegramError:
        log.warning("could not report the error over Telegram", exc_info=True)
