"""Introductions from Telegram: the yes/no and "did you meet?" buttons, and /meet
(bot/services/introductions.py holds the rounds and the rules of what people are shown)."""

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain.button_data import pattern
from bot.domain.introductions import Answer
from bot.domain.models import Resident
from bot.i18n import _
from bot.services import introductions
from bot.storage.introductions import Introduction
from handlers.common import (
    pressed,
    reply,
    stale_button,
)
from handlers.guards import residence

# -- buttons ---------------------------------------------------------------------------


async def _member_and_introduction(
    update: Update, context: BuurtnetContext, answers: tuple[str, ...]
) -> tuple[Resident, Introduction, str] | None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = await pressed(query, answers, with_id=True)
    if button is None or button.verb is None:
        return None
    resident = await context.repos.people.resident_of(update.effective_user.id)
    introduction = await context.repos.introductions.get(button.id)
    if resident is None or introduction is None or introduction.member(resident.id) is None:
        await stale_button(query)
        return None
    return resident, introduction, button.verb


async def on_answer(update: Update, context: BuurtnetContext) -> None:
    found = await _member_and_introduction(update, context, ("yes", "no"))
    if found is None:
        return
    resident, introduction, choice = found
    query = update.callback_query
    assert query is not None
    outcome = await introductions.answer(context.services, introduction.id, resident.id,
                                         yes=choice == "yes")
    if outcome is Answer.CLOSED:
        await query.answer(_("This introduction is closed."), show_alert=True)
        await query.edit_message_reply_markup(None)
        return
    if outcome is Answer.ALREADY or outcome is Answer.NOT_MEMBER:
        await query.answer(_("You already answered."), show_alert=True)
        return
    await query.answer()
    if outcome is Answer.DECLINED:
        await query.edit_message_text(_("Fine, not this time. Nobody will be told."))
    elif outcome is Answer.WAITING:
        await query.edit_message_text(_("Thank you! I will put you in touch as soon as the "
                                        "others have said yes too."))
    else:
        await query.edit_message_reply_markup(None)


async def on_met(update: Update, context: BuurtnetContext) -> None:
    found = await _member_and_introduction(update, context, ("yes", "later", "no"))
    if found is None:
        return
    resident, introduction, choice = found
    query = update.callback_query
    assert query is not None
    met = {"yes": "yes", "later": "not_yet", "no": "no"}[choice]
    ask_again = await introductions.record_meeting(context.services, introduction,
                                                   resident.id, met)
    if ask_again is None:
        await query.answer(_("You already answered."), show_alert=True)
        await query.edit_message_reply_markup(None)
        return
    await query.answer()
    if met == "yes":
        text = _("Great, thank you! Knowing your neighbours makes the complex a better and "
                 "safer place.")
    elif ask_again:
        text = _("No problem; I will ask again in a few days.")
    else:
        text = _("Thank you for letting me know.")
    await query.edit_message_text(text)


# -- /meet ----------------------------------------------------------


async def meet_command(update: Update, context: BuurtnetContext) -> None:
    found = await residence(update, context, in_private=True)
    if found is None:
        return
    meeting = await introductions.request_meeting(context.services, found[0])
    if meeting is introductions.Meeting.IN_ONE_ALREADY:
        await reply(update, _("You already have an introduction waiting for answers."))
    elif meeting is introductions.Meeting.ASKED_ALREADY:
        await reply(update, _("You already asked. I will introduce you as soon as a neighbour "
                              "is available."))
    elif meeting is introductions.Meeting.WAITING:
        await reply(update, _("Nobody is available right now. I will introduce you as soon as "
                              "a neighbour is."))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("meet", meet_command),
        CallbackQueryHandler(on_answer, pattern=pattern("in")),
        CallbackQueryHandler(on_met, pattern=pattern("mt")),
    ]
