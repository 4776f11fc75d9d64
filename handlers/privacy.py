"""/mydata exports everything kept about the person; /forgetme erases it."""

import json

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.clock import to_db
from bot.context import BuurtnetContext
from bot.domain.button_data import pattern
from bot.i18n import _
from bot.services import joining
from handlers.common import confirmed, reply, require_private, yes_or_no
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
        "data": await context.repos.people.export(user.id, (user.first_name, user.username)),
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
                          "cannot be undone."),
                yes_or_no("fg", _("Yes, erase everything"), _("No")))


async def on_forget(update: Update, context: BuurtnetContext) -> None:
    query = await confirmed(update, _("Nothing was erased."))
    if query is None:
        return
    await query.answer()
    user = update.effective_user
    assert user is not None
    await joining.forget(context.services, user.id, (user.first_name, user.username))
    await refresh_command_menu(context, update.effective_user.id)
    await query.edit_message_text(_("Done: everything I kept about you is erased."))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("mydata", mydata_command),
        CommandHandler("forgetme", forgetme_command),
        CallbackQueryHandler(on_forget, pattern=pattern("fg")),
    ]
