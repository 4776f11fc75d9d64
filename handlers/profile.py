"""/profile to see and change one's details, and /leave to leave the complex."""

import html

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain import validation
from bot.domain.button_data import pattern, unpack
from bot.domain.models import Draft, Resident
from bot.domain.signup import INTERESTS, interest_labels
from bot.i18n import _
from bot.services import joining, settings
from handlers.common import (
    Keyboard,
    choice,
    confirmed,
    markup,
    parsed_text,
    reply,
    stale_button,
    yes_or_no,
)
from handlers.conversation import Flow
from handlers.guards import NOT_SIGNED_UP, signed_up
from handlers.interests import interests_keyboard
from handlers.menus import refresh_command_menu
from handlers.presses import Press, ask

FLOW = "profile"


def _profile_text(resident: Resident, complex_name: str) -> str:
    status = _("initiator") if resident.is_initiator else (
        _("resident") if resident.is_active else _("waiting for approval"))
    return _("<b>Your profile</b> in {complex} ({status})\n"
             "Name: {name}\nBuilding or floor: {building}\nInterests: {interests}\n"
             "Help organise: {organise}\nIntroductions: {introductions}").format(
        complex=html.escape(complex_name),
        status=status,
        name=html.escape(resident.first_name),
        building=html.escape(resident.building or "—"),
        interests=interest_labels(resident.interests),
        organise=_("yes") if resident.wants_to_organise else _("no"),
        introductions=_("yes") if resident.wants_introductions else _("no"),
    )


def _profile_keyboard() -> Keyboard:
    return [
        [choice(_("Change name"), "pf", "name"),
         choice(_("Change building"), "pf", "building")],
        [choice(_("Change interests"), "pf", "interests")],
        [choice(_("Help organise: yes/no"), "pf", "organise"),
         choice(_("Introductions: yes/no"), "pf", "intro")],
    ]


async def _complex_name(context: BuurtnetContext, resident: Resident) -> str:
    complex_ = await context.repos.complexes.get(resident.complex_id)
    return complex_.name if complex_ else "?"


async def profile_command(update: Update, context: BuurtnetContext) -> None:
    resident = await signed_up(update, context, in_private=True)
    if resident is None:
        return
    await reply(update, _profile_text(resident, await _complex_name(context, resident)),
                _profile_keyboard())


async def on_button(update: Update, context: BuurtnetContext,
                    press: Press | None = None) -> None:
    """A tap on a /profile button, or its label typed (`press`)."""
    query = press or Press.tapped(update, context)
    assert update.effective_user is not None
    repos = context.repos
    resident = await repos.people.resident_of(update.effective_user.id)
    button = (unpack(query.data, ("name", "building", "interests", "organise", "intro"))
              or unpack(query.data, ("building",), detail=("remove",))
              or unpack(query.data, ("int",), detail=(*INTERESTS, "done")))
    if resident is None or button is None:
        await stale_button(query)
        return
    action, value = button.verb, button.detail
    if action == "name":
        await repos.drafts.put(resident.telegram_id, FLOW, "name", {})
        await query.answer()
        await reply(update, _("What is your first name?"))
        return
    if action == "building" and value is None:
        await repos.drafts.put(resident.telegram_id, FLOW, "building", {})
        await query.answer()
        await ask(update, context, _("Which building or floor do you live on?"), [[
            choice(_("Remove it"), "pf", "building", detail="remove")]])
        return
    if action == "building":
        await settings.update_profile(context.services, resident, building=None)
        await query.answer()
        await query.edit_message_text(_("Your building or floor is removed."))
        return
    if action == "interests":
        await query.answer()
        await reply(update, _("What do you enjoy? Choose as many as you like, then press Done."),
                    interests_keyboard(list(resident.interests), "pf", "int"))
        return
    if action == "int":
        if value == "done":
            await query.answer(_("Saved."))
            await query.edit_message_text(_("Your interests: {interests}").format(
                interests=interest_labels(resident.interests)))
            return
        assert value is not None
        chosen = await settings.toggle_interest(context.services, resident, value)
        await query.answer()
        await query.edit_message_reply_markup(markup(interests_keyboard(chosen, "pf", "int")))
        return
    if action == "organise":
        updated = await settings.set_wishes(
            context.services, resident, wants_to_organise=not resident.wants_to_organise)
    else:  # "intro"
        updated = await settings.set_wishes(
            context.services, resident, wants_introductions=not resident.wants_introductions)
    await query.answer(_("Saved."))
    await query.edit_message_text(_profile_text(updated, await _complex_name(context, updated)),
                                  reply_markup=markup(_profile_keyboard()))


async def on_text(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    repos = context.repos
    resident = await repos.people.resident_of(draft.telegram_id)
    if resident is None:
        await repos.drafts.clear(draft.telegram_id)
        await reply(update, _(NOT_SIGNED_UP))
        return
    change = await parsed_text(update, lambda text: (
        {"first_name": validation.person_name(text)} if draft.step == "name"
        else {"building": validation.building(text)}))
    if change is None:
        return
    await settings.update_profile(context.services, resident, **change)
    updated = await repos.people.resident(resident.id)
    assert updated is not None
    await reply(update, _("Saved.") + "\n\n" +
                _profile_text(updated, await _complex_name(context, updated)),
                _profile_keyboard())


async def leave_command(update: Update, context: BuurtnetContext) -> None:
    resident = await signed_up(update, context, in_private=True)
    if resident is None:
        return
    await reply(update, _("Do you want to leave <b>{complex}</b>? Your details there will be "
                          "erased. You can sign up again later with an invite link.").format(
        complex=html.escape(await _complex_name(context, resident))),
        yes_or_no("lv", _("Yes, leave"), _("No, stay")))


async def on_leave(update: Update, context: BuurtnetContext) -> None:
    query = await confirmed(update, _("Good, you stay."))
    if query is None:
        return
    assert update.effective_user is not None
    resident = await context.repos.people.resident_of(update.effective_user.id)
    if resident is None:
        await stale_button(query)
        return
    await query.answer()
    name = await _complex_name(context, resident)
    await joining.leave(context.services, resident)
    await refresh_command_menu(context, resident.telegram_id)
    await query.edit_message_text(_("You left <b>{complex}</b> and your details there are "
                                    "erased. Take care!").format(complex=html.escape(name)))


def flows() -> list[Flow]:
    """This feature's guided conversations."""
    return [Flow(FLOW, on_text, on_button)]


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("profile", profile_command),
        CallbackQueryHandler(on_button, pattern=pattern("pf")),
        CommandHandler("leave", leave_command),
        CallbackQueryHandler(on_leave, pattern=pattern("lv")),
    ]
