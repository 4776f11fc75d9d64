"""/start: an introduction, or an invite link's code (resident, initiator or contact)."""

import html

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain.labels import kind_label
from bot.i18n import _, resolve_language
from bot.services import joining
from bot.storage.invites import CONTACT_INVITE_VALIDITY, InviteUnusable
from handlers import reports, signup
from handlers.common import command_args, is_private, reply, standing
from handlers.menus import refresh_command_menu


async def start(update: Update, context: BuurtnetContext) -> None:
    args = command_args(context)
    if not is_private(update):
        chat = update.effective_chat
        linked = await context.repos.complexes.by_group(chat.id) if chat else None
        # In the complex's own group the button starts the sign-up for that complex.
        url = (f"https://t.me/{context.bot.username}?start={linked.resident_code}" if linked
               else f"https://t.me/{context.bot.username}")
        await reply(update, _("Sign up and report privately, in a chat with me."),
                    [[InlineKeyboardButton(_("Open a private chat"), url=url)]])
        return
    if not args:
        await _introduce(update, context)
        return
    code = args[0]
    if code == reports.START_CODE:
        await reports.begin(update, context)
    elif code.startswith("c_"):
        await _join_as_contact(update, context, code)
    elif code.startswith(("r_", "i_")):
        await _join_as_resident(update, context, code)
    else:
        await reply(update, _("I do not know this link. Ask the person who gave it to you "
                              "for a new one."))


async def _introduce(update: Update, context: BuurtnetContext) -> None:
    text = _(
        "Hello! I am <b>Buurtnet</b>. I help the residents of a housing complex get to know "
        "each other, do things together, and get worries and incidents to the right people.\n\n"
        "To join, use the invite link of your complex (ask an initiator or look in your "
        "complex's group chat), or press the sign-up button in the group."
    )
    who = await standing(update, context)
    if not who.is_stranger:
        text += "\n\n" + _("/help shows what you can do.")
    await reply(update, text)


async def _join_as_resident(update: Update, context: BuurtnetContext, code: str) -> None:
    repos = context.repos
    as_initiator = code.startswith("i_")
    complex_ = await (repos.complexes.by_initiator_code(code) if as_initiator
                      else repos.complexes.by_resident_code(code))
    if complex_ is None:
        await reply(update, _("I do not know this link. Ask the person who gave it to you "
                              "for a new one."))
        return
    user = update.effective_user
    assert user is not None
    arrival, resident = await joining.arrive(context.services, user.id, complex_,
                                             as_initiator=as_initiator)
    name = html.escape(complex_.name)
    if arrival is joining.Arrival.SIGN_UP:
        await signup.begin(update, context, complex_, as_initiator=as_initiator)
    elif arrival is joining.Arrival.ELSEWHERE:
        assert resident is not None
        current = await repos.complexes.get(resident.complex_id)
        await reply(update, _("You are already signed up for <b>{complex}</b>. You can live "
                              "in one complex at a time: /leave it first.").format(
            complex=html.escape(current.name if current else "?")))
    elif arrival is joining.Arrival.PROMOTED:
        await refresh_command_menu(context, user.id)
        await reply(update, _("You are now an initiator of <b>{complex}</b>. /help shows what "
                              "you can do.").format(complex=name))
    elif arrival is joining.Arrival.PENDING:
        await reply(update, _("Your sign-up for <b>{complex}</b> is waiting for an initiator's "
                              "approval.").format(complex=name))
    else:
        await reply(update, _("You are already signed up for <b>{complex}</b>. /profile shows "
                              "your details.").format(complex=name))


async def _join_as_contact(update: Update, context: BuurtnetContext, code: str) -> None:
    user = update.effective_user
    assert user is not None
    repos = context.repos
    try:
        contact = await joining.join_as_contact(
            context.services, code, user.id, user.first_name[:64],
            resolve_language(user.language_code, context.config.language))
    except InviteUnusable as problem:
        await reply(update, {
            "unknown": _("I do not know this link. Ask the person who gave it to you for a "
                         "new one."),
            "used": _("This contact invite has already been used. Ask the operator for a new "
                      "one."),
            "expired": _("This contact invite has expired (they are valid for {days} days). "
                         "Ask the operator for a new one.").format(
                days=CONTACT_INVITE_VALIDITY.days),
            "already_contact": _("You are already a contact of this complex."),
        }[problem.reason])
        return
    complex_ = await repos.complexes.get(contact.complex_id)
    assert complex_ is not None
    await refresh_command_menu(context, user.id)
    await reply(update, _(
        "Welcome! You are now a contact ({kind}) for <b>{complex}</b>. Reports and questions "
        "from this complex will reach you here. /complexes lists your complexes; /help shows "
        "what you can do."
    ).format(kind=kind_label(contact.kind), complex=html.escape(complex_.name)))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("start", start)]
