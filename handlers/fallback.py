"""What is left: unknown commands in private and buttons nobody recognises."""

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import BuurtnetContext
from bot.i18n import _
from handlers.common import reply, stale_button


async def unknown_command(update: Update, context: BuurtnetContext) -> None:
    await reply(update, _("I do not know that command. /help shows what you can do."))


async def unknown_button(update: Update, context: BuurtnetContext) -> None:
    assert update.callback_query is not None
    await stale_button(update.callback_query)


def handlers() -> list[BaseHandler]:
    return [
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command),
        CallbackQueryHandler(unknown_button),
    ]
