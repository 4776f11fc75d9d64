"""The complex's group chat: /linkgroup, house rules, and a welcome for new members."""

import html

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BuurtnetContext
from bot.domain.button_data import pattern
from bot.domain.models import Complex
from bot.i18n import _, use_language
from bot.services import groups, tenancy
from handlers.common import (
    choice,
    deep_link,
    is_group,
    pressed,
    reply,
    require_group,
    stale_button,
    standing,
)


def house_rules(emergency: str, police: str) -> str:
    """The configured numbers, never hard-coded ones (a deployment may be elsewhere)."""
    return _(
        "<b>House rules of this group</b>\n"
        "1. In an emergency, call {emergency} first. For the police without urgency: "
        "{police}.\n"
        "2. Report incidents and worries privately to me, not in this group.\n"
        "3. Do not take the law into your own hands.\n"
        "4. No photos or names of suspects here.\n"
        "5. Be kind: we are neighbours."
    ).format(emergency=emergency, police=police)


def signup_button(context: BuurtnetContext, complex_: Complex) -> list[list[InlineKeyboardButton]]:
    return [[InlineKeyboardButton(_("Sign up privately"),
                                  url=deep_link(context, complex_.resident_code))]]


async def linkgroup_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_group(update):
        return
    who = await standing(update, context)
    if who.is_operator:
        candidates = await context.repos.complexes.all()
    else:
        candidates = [c for cid in who.organised_complex_ids()
                      if (c := await context.repos.complexes.get(cid))]
    if not candidates:
        await reply(update, _("Only an initiator or contact of a complex can link its group."))
        return
    candidates.sort(key=lambda c: c.name.casefold())
    if len(candidates) == 1:
        await _link(update, context, candidates[0])
        return
    await reply(update, _("Which complex is this group for?"), [
        [choice(c.name, "lg", record=c.id)] for c in candidates])


async def on_link_button(update: Update, context: BuurtnetContext) -> None:
    query = update.callback_query
    assert query is not None
    if not is_group(update):
        await stale_button(query)
        return
    button = await pressed(query, with_id=True)
    if button is None:
        return
    complex_ = await context.repos.complexes.get(button.id)
    who = await standing(update, context)
    if complex_ is None or not who.may_link_group_for(complex_.id):
        await query.answer(
            _("Only an initiator or contact of that complex can link this group to it."),
            show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _link(update, context, complex_)


async def _link(update: Update, context: BuurtnetContext, complex_: Complex) -> None:
    chat = update.effective_chat
    assert chat is not None
    linked = await groups.link(context.services, complex_, chat.id,
                               by_operator=(await standing(update, context)).is_operator)
    if linked.outcome is groups.Linking.MOVE_FOR_OPERATORS:
        await reply(update, _("{complex} already has a group chat. Only an operator can move "
                              "it here, with /linkgroup in this group.").format(
            complex=html.escape(complex_.name)))
        return
    if linked.outcome is groups.Linking.ELSEWHERE and linked.other is not None:
        await reply(update, _("This group is already linked to {complex}.").format(
            complex=html.escape(linked.other.name)))
        return
    with use_language(complex_.language):
        if linked.outcome is groups.Linking.ALREADY:
            await reply(update, _("This group is already linked to {complex}.").format(
                complex=html.escape(complex_.name)))
            return
        await reply(update, _("This group is now the group chat of <b>{complex}</b>. "
                              "Neighbours can sign up with the button below.").format(
            complex=html.escape(complex_.name)) + "\n\n" + house_rules(
                context.config.emergency_number, context.config.police_number),
            signup_button(context, complex_))


async def on_new_members(update: Update, context: BuurtnetContext) -> None:
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    complex_ = await context.repos.complexes.by_group(chat.id)
    members = message.new_chat_members or ()
    if any(member.id == context.bot.id for member in members):
        if complex_ is None:
            await reply(update, _("Hello! I am Buurtnet. An initiator or contact of your "
                                  "complex can link this group with /linkgroup."))
        return
    people = [member for member in members if not member.is_bot]
    if complex_ is None or not people:
        return
    await tenancy.back_in_group(context.services, complex_, [member.id for member in people])
    with use_language(complex_.language):
        names = ", ".join(html.escape(member.first_name) for member in people)
        await reply(update, _("Welcome, {names}! Get to know your neighbours in "
                              "{complex}: sign up privately with the button.").format(
            names=names, complex=html.escape(complex_.name)),
            signup_button(context, complex_))


async def on_left(update: Update, context: BuurtnetContext) -> None:
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    gone = message.left_chat_member
    if gone is not None and gone.id == context.bot.id:
        await groups.left(context.services, chat.id)
    elif gone is not None and not gone.is_bot:
        complex_ = await context.repos.complexes.by_group(chat.id)
        if complex_ is not None:
            await tenancy.left_group(context.services, complex_, gone.id)


async def on_migrate(update: Update, context: BuurtnetContext) -> None:
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    if message.migrate_to_chat_id:
        await groups.moved(context.services, chat.id, message.migrate_to_chat_id)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("linkgroup", linkgroup_command),
        CallbackQueryHandler(on_link_button, pattern=pattern("lg")),
        MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, on_new_members),
        MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, on_left),
        MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate),
    ]
