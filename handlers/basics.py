"""/help, /language, /privacy and /cancel."""

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain.button_data import pattern
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, _, set_language
from bot.services import settings
from handlers.common import (
    choice,
    is_group,
    pressed,
    reply,
    require_private,
    standing,
)
from handlers.menus import GROUP, commands_for, refresh_command_menu


async def help_command(update: Update, context: BuurtnetContext) -> None:
    if is_group(update):
        lines = [f"/{name} — {_(description)}" for name, description in GROUP]
        await reply(update, _("In this group:") + "\n" + "\n".join(lines) + "\n\n" +
                    _("Everything else works in a private chat with me."))
        return
    who = await standing(update, context)
    lines = [f"/{name} — {_(description)}" for name, description in commands_for(who)]
    parts = [_("<b>What you can do</b>"), "\n".join(lines)]
    if who.is_stranger:
        parts.append(_("To join a complex, open its invite link or press the sign-up button "
                       "in its group chat."))
    if who.is_operator:
        parts.append(_("New complex in one line: /newcomplex Name; homes; municipality; "
                       "nl or en; open or approval"))
    if who.initiator_complex_id is not None:
        parts.append(_("/promote, /demote and /remove take the resident's number from "
                       "/members, like /promote 12 or /remove 12 moved away."))
    parts.append(_("In an emergency, always call {emergency} first. For the police without "
                   "urgency: {police}.").format(emergency=context.config.emergency_number,
                                               police=context.config.police_number))
    await reply(update, "\n\n".join(parts))


async def language_command(update: Update, context: BuurtnetContext) -> None:
    """One's own language, chosen in private: a group speaks its complex's language."""
    if not await require_private(update, context):
        return
    await reply(update, _("Which language would you like me to use?"), [[
        choice(LANGUAGE_NAMES[code], "lang", code)
        for code in LANGUAGES
    ]])


async def on_language(update: Update, context: BuurtnetContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = await pressed(query, LANGUAGES)
    if button is None or button.verb is None:
        return
    await settings.set_language(context.services, update.effective_user.id, button.verb)
    set_language(button.verb)
    await query.answer()
    await query.edit_message_text(_("From now on I will write to you in English."))
    await refresh_command_menu(context, update.effective_user.id)


async def privacy_command(update: Update, context: BuurtnetContext) -> None:
    await reply(update, _(
        "<b>Privacy at Buurtnet</b>\n"
        "I keep only what you give me: your first name, if you like your building or floor, "
        "your interests, your language and your answers to my questions. Never phone "
        "numbers or addresses.\n"
        "Who sees what: the initiators of your complex see your first name and building. If "
        "you want introductions, the group chat sees your first name, building and "
        "interests, and a neighbour you are introduced to sees them too. Reports go to "
        "those who handle them at your complex's stage: the municipality, the police, the "
        "housing corporation or your complex's initiators; reports you make anonymously are "
        "never linked to your name for any of them.\n"
        "How long: what people wrote in a report goes {retention} days after it is "
        "resolved; who sent an anonymous report I forget {link} days after it is resolved. "
        "If you leave your complex's group chat, or my messages stop reaching you, I ask "
        "whether you still live there.\n"
        "You decide: /mydata sends you everything I keep about you, /forgetme erases it, "
        "/leave takes you out of your complex."
    ).format(retention=context.config.report_retention_days,
             link=context.config.anonymous_link_days))


async def cancel_command(update: Update, context: BuurtnetContext) -> None:
    assert update.effective_user is not None
    if await context.repos.drafts.clear(update.effective_user.id):
        await reply(update, _("Stopped. Nothing of what you were doing was saved."))
    else:
        await reply(update, _("There is nothing to stop."))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("help", help_command),
        CommandHandler("language", language_command),
        CallbackQueryHandler(on_language, pattern=pattern("lang")),
        CommandHandler("privacy", privacy_command),
        CommandHandler("cancel", cancel_command),
    ]
