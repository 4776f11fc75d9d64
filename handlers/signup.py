"""Resident sign-up in private: language, consent, name, building, interests, wishes, confirm.

The answers are kept in a draft in the database, so a restart half-way loses nothing;
nothing but the complex and the language is kept before the person consents.
"""

import contextlib
import html

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import BuurtnetContext
from bot.domain import validation
from bot.domain.button_data import pattern
from bot.domain.models import Complex, Draft, ResidentStatus
from bot.domain.signup import INTERESTS, interest_labels, known_interests
from bot.domain.validation import InvalidInput
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, _, set_language
from bot.services import joining
from bot.storage.people import AlreadyResident
from handlers.common import Keyboard, choice, markup, reply, say_invalid, stale_button
from handlers.conversation import Flow
from handlers.interests import interests_keyboard
from handlers.menus import refresh_command_menu
from handlers.presses import Press, remember, step_buttons

FLOW = "signup"
STEPS = ("language", "consent", "name", "building", "interests", "organise", "introductions",
         "confirm")


def _yes_no(step: str) -> Keyboard:
    return [[
        choice(_("Yes"), "su", step, detail="yes"),
        choice(_("No"), "su", step, detail="no"),
    ]]


def _yes_no_text(value: bool) -> str:
    return _("yes") if value else _("no")


def _prompt(draft: Draft, complex_name: str, telegram_first_name: str) -> tuple[str, Keyboard]:
    data, step = draft.data, draft.step
    if step == "language":
        return (
            _("Welcome! You are signing up for <b>{complex}</b>. "
              "Which language would you like me to use?").format(
                complex=html.escape(complex_name)),
            [[choice(LANGUAGE_NAMES[code], "su", "language", detail=code)
              for code in LANGUAGES]],
        )
    if step == "consent":
        return (
            _("<b>Your privacy</b>\n"
              "I keep only what you give me here: your first name, if you like your "
              "building or floor, your interests and your answers to two questions, so that "
              "neighbours can get to know each other. No phone numbers, no addresses. The "
              "initiators of your complex see your first name and building; if you want "
              "introductions, the group chat sees them and your interests too.\n"
              "You can see everything I keep with /mydata and erase it with /forgetme at any "
              "time. More in /privacy.\n\nDo you agree?"),
            [[choice(_("I agree"), "su", "consent", detail="yes"),
              choice(_("No, thanks"), "su", "consent", detail="no")]],
        )
    if step == "name":
        keyboard: Keyboard = []
        try:
            offered = validation.person_name(telegram_first_name)
        except InvalidInput:
            offered = ""
        if offered:
            keyboard = [[choice(_("Use {name}").format(name=offered), "su", "name",
                                detail="telegram")]]
        return _("What is your first name? Type it, or use the button."), keyboard
    if step == "building":
        return (
            _("Which building or floor do you live on? It helps to introduce you to close "
              "neighbours. Type it (for example: B, 3rd floor), or skip."),
            [[choice(_("Skip"), "su", "building", detail="skip")]],
        )
    if step == "interests":
        return (
            _("What do you enjoy? Choose as many as you like, then press Done."),
            interests_keyboard(data.get("interests", []), "su", "interests"),
        )
    if step == "organise":
        return _("Would you like to help organise things in your complex now and then?"), \
            _yes_no("organise")
    if step == "introductions":
        return _("Would you like me to introduce you to neighbours now and then? If so, I "
                 "also welcome you in your complex's group chat with your first name, "
                 "building and interests."), _yes_no("introductions")
    return (
        _("Please check your answers:\n"
          "Name: {name}\nBuilding or floor: {building}\nInterests: {interests}\n"
          "Help organise: {organise}\nIntroductions: {introductions}").format(
            name=html.escape(data["first_name"]),
            building=html.escape(data.get("building") or "—"),
            interests=interest_labels(data.get("interests", [])),
            organise=_yes_no_text(data["organise"]),
            introductions=_yes_no_text(data["introductions"]),
        ),
        [[choice(_("Confirm"), "su", "confirm", detail="yes"),
          choice(_("Start again"), "su", "confirm", detail="restart")]],
    )


async def _show(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    complex_ = await context.repos.complexes.get(draft.data["complex_id"])
    user = update.effective_user
    assert user is not None
    text, keyboard = _prompt(draft, complex_.name if complex_ else "?", user.first_name)
    sent = await context.bot.send_message(
        user.id, text, reply_markup=markup(keyboard) if keyboard else None
    )
    if keyboard:  # recorded with the draft: typed labels, and the buttons to take away
        await remember(context, draft.telegram_id, sent.message_id, keyboard)


async def begin(
    update: Update, context: BuurtnetContext, complex_: Complex, *, as_initiator: bool
) -> None:
    """Start (or restart) a sign-up for `complex_`; the caller checked the person may. An
    initiator's sign-up keeps the initiators' link it came by: a link replaced meanwhile
    gives no initiator rights when it is confirmed."""
    user = update.effective_user
    assert user is not None
    draft = await context.repos.drafts.put(user.id, FLOW, "language", {
        "complex_id": complex_.id, "as_initiator": as_initiator,
        "initiator_code": complex_.initiator_code if as_initiator else None})
    await _show(update, context, draft)


async def _advance(update: Update, context: BuurtnetContext, draft: Draft, data: dict) -> None:
    next_step = STEPS[STEPS.index(draft.step) + 1]
    draft = await context.repos.drafts.put(draft.telegram_id, FLOW, next_step, data)
    await _show(update, context, draft)


async def on_text(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    """Typed text during a sign-up: the name or building, or a nudge to the buttons."""
    set_language(draft.data.get("language", context.config.language))
    text = update.effective_message.text if update.effective_message else None
    try:
        if draft.step == "name":
            data = {**draft.data, "first_name": validation.person_name(text)}
        elif draft.step == "building":
            data = {**draft.data, "building": validation.building(text)}
        else:
            await reply(update, _("Please choose one of the buttons."))
            await _show(update, context, draft)
            return
    except InvalidInput as error:
        await say_invalid(update, error)
        return
    if draft.buttons is not None:  # typing the answer takes the question's buttons away too
        with contextlib.suppress(TelegramError):  # gone already: nothing to take away
            await context.bot.edit_message_reply_markup(
                draft.telegram_id, draft.buttons.message_id, reply_markup=None)
    await _advance(update, context, draft, data)


async def _on_button_step(update: Update, context: BuurtnetContext, query: Press, draft: Draft,
                          step: str, value: str) -> None:
    """A tap on a sign-up button, or its label typed."""
    assert update.effective_user is not None
    set_language(draft.data.get("language", context.config.language))
    data = dict(draft.data)
    if step == "language":
        if value not in LANGUAGES:
            await stale_button(query)
            return
        data["language"] = value
        set_language(value)
    elif step == "consent":
        if value == "no":
            await context.repos.drafts.clear(draft.telegram_id)
            await query.answer()
            await query.edit_message_text(
                _("No problem: nothing was kept. You can sign up later with the same link.")
            )
            return
        if value != "yes":
            await stale_button(query)
            return
    elif step == "name":
        try:
            data["first_name"] = validation.person_name(update.effective_user.first_name)
        except InvalidInput as error:
            await query.answer()
            await say_invalid(update, error)
            return
    elif step == "building":
        if value != "skip":
            await stale_button(query)
            return
        data["building"] = None
    elif step == "interests":
        if value == "done":
            pass
        elif value in INTERESTS:
            chosen = set(data.get("interests", []))
            chosen ^= {value}
            data["interests"] = known_interests(list(chosen))
            draft = await context.repos.drafts.put(draft.telegram_id, FLOW, step, data)
            await query.answer()
            await query.edit_message_reply_markup(
                markup(interests_keyboard(data["interests"], "su", "interests"))
            )
            return
        else:
            await stale_button(query)
            return
    elif step in ("organise", "introductions"):
        if value not in ("yes", "no"):
            await stale_button(query)
            return
        data[step] = value == "yes"
    elif step == "confirm":
        if value == "restart":
            await query.answer()
            await query.edit_message_reply_markup(None)
            keep = {key: data.get(key) for key in ("complex_id", "as_initiator", "initiator_code",
                                                   "language")}
            draft = await context.repos.drafts.put(draft.telegram_id, FLOW, "name", keep)
            await _show(update, context, draft)
            return
        if value != "yes":
            await stale_button(query)
            return
        await query.answer()
        await query.edit_message_reply_markup(None)
        await _finish(update, context, draft)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _advance(update, context, draft, data)


on_button = step_buttons(FLOW, _on_button_step)


async def _finish(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    repos, data = context.repos, draft.data
    complex_ = await repos.complexes.get(data["complex_id"])
    if complex_ is None:
        await repos.drafts.clear(draft.telegram_id)
        await reply(update, _("This complex no longer exists. Nothing was saved."))
        return
    try:
        resident = await joining.sign_up(context.services, draft.telegram_id, complex_, data)
    except AlreadyResident:
        await repos.drafts.clear(draft.telegram_id)
        await reply(update, _("You are already signed up in a complex. See /profile."))
        return
    name = html.escape(complex_.name)
    if resident.status is ResidentStatus.PENDING:
        await reply(update, _("Thank you! An initiator of <b>{complex}</b> will look at your "
                              "sign-up; I will let you know.").format(complex=name))
    elif resident.is_initiator:
        await refresh_command_menu(context, resident.telegram_id)
        await reply(update, _("Welcome to <b>{complex}</b>! You are signed up as an "
                              "initiator. /help shows what you can do.").format(complex=name))
    else:
        await reply(update, _("Welcome to <b>{complex}</b>, {name}! You are signed up. "
                              "/help shows what you can do.").format(
            complex=name, name=html.escape(resident.first_name)))


def flows() -> list[Flow]:
    """This feature's guided conversations."""
    return [Flow(FLOW, on_text, on_button)]


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_button, pattern=pattern("su"))]

