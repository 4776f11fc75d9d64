"""/mydata exports everything kept about the person; /forgetme erases it."""

import json

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.clock import to_db
from bot.context import BuurtnetContext
from bot.domain.button_data import pack
from bot.i18n import _
from bot.services.stages import refresh_stage
from handlers.common import pressed, reply, require_private
from handlers.menus import refresh_command_menu


async def mydata_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_private(update, context):
        return
    user = update.effective_user
    assert user is not None and update.effective_message is not None
    export = {
        "telegram_user_id": user.id,
        "exported_at": to_db(context.clock.now()),
        "operator": user.id in context.config.operators,
        "data": await context.repos.people.export(user.id),
    }
    payload = json.dumps(export, ensure_ascii=False, indent=2).encode("utf-8")
    await update.effective_message.reply_document(
        InputFile(payload, filename="buurtnet-mydata.json"),
        caption=_("Everything Buurtnet keeps about you. /forgetme erases it."),
        do_quote=False,
    )


async def forgetme_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_private(update, context):
        return
    await reply(update, _("Do you want me to erase everything I keep about you? You will "
                          "leave your complex and, if you are a contact, stop being one. This "
                          "cannot be undone."), [[
        InlineKeyboardButton(_("Yes, erase everything"), callback_data=pack("fg", "yes")),
        InlineKeyboardButton(_("No"), callback_data=pack("fg", "no")),
    ]])


async def on_forget(update: Update, context: BuurtnetContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = await pressed(query, ("yes", "no"))
    if button is None:
        return
    await query.answer()
    if button.verb == "no":
        await query.edit_message_text(_("Nothing was erased."))
        return
    resident = await context.repos.people.resident_of(update.effective_user.id)
    async with context.services.db.unit():  # erased everywhere, and the stage measured
        await context.repos.people.forget(update.effective_user.id)
        if resident is not None:
            await refresh_stage(context.services, resident.complex_id)
    await refresh_command_menu(context, update.effective_user.id)
    await query.edit_message_text(_("Done: everything I kept about you is erased."))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("mydata", mydata_command),
        CommandHandler("forgetme", forgetme_command),
        CallbackQueryHandler(on_forget, pattern=r"^fg:"),
    ]
