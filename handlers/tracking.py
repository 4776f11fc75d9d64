"""Steps around every update: skip repeats, choose the language, remember it was handled."""

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.clock import to_db
from bot.context import BuurtnetContext
from bot.i18n import resolve_language, set_language
from bot.intake import DurableQueue
from bot.storage.db import handling_update
from bot.telegram_api import answer_presses
from handlers.common import answering, is_group

BEFORE = -1
AFTER = 100


async def before_update(update: Update, context: BuurtnetContext) -> None:
    set_language(context.config.language)  # until we know better, e.g. if the database fails
    handling_update(None)
    queue = context.application.update_queue
    answer_presses(not (isinstance(queue, DurableQueue)
                        and queue.received_before_start(update.update_id)))
    if await context.repos.updates.seen(update.update_id):
        raise ApplicationHandlerStop
    handling_update(update.update_id, to_db(context.clock.now()))
    answering(context.services)
    language = None
    chat = update.effective_chat
    if is_group(update) and chat is not None:
        complex_ = await context.repos.complexes.by_group(chat.id)
        language = complex_.language if complex_ else None
    user = update.effective_user
    if language is None and user is not None:
        language = await context.repos.people.language_of(user.id) or resolve_language(
            user.language_code, context.config.language)
    set_language(language or context.config.language)


async def after_update(update: Update, context: BuurtnetContext) -> None:
    """Record updates that wrote nothing too; work after this belongs to no update."""
    handling_update(None)
    answering(None)
    answer_presses(True)
    if not await context.repos.updates.seen(update.update_id):  # recorded with its changes
        await context.repos.updates.record(update.update_id)


def before() -> list[BaseHandler]:
    return [TypeHandler(Update, before_update)]


def after() -> list[BaseHandler]:
    return [TypeHandler(Update, after_update)]
