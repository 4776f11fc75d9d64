"""Approval of sign-ups in complexes that ask for it: initiators decide with two buttons."""

import html

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import BuurtnetContext
from bot.domain.button_data import pattern
from bot.domain.models import ResidentStatus
from bot.i18n import _
from bot.services import joining
from handlers.common import pressed_record, standing


async def on_button(update: Update, context: BuurtnetContext) -> None:
    repos = context.repos
    found = await pressed_record(update, repos.people.resident, ("ok", "no"))
    if found is None:
        return
    query, button, resident = found.query, found.button, found.record
    who = await standing(update, context)
    if not (who.is_operator or who.is_initiator_of(resident.complex_id)):
        # Said before anything else, so nobody learns which sign-ups are pending.
        await query.answer(_("Only the initiators of this complex can decide on sign-ups."),
                           show_alert=True)
        return
    complex_ = await repos.complexes.get(resident.complex_id)
    if resident.status is not ResidentStatus.PENDING or complex_ is None \
            or not await joining.decide(context.services, complex_, resident,
                                        approve=button.verb == "ok"):
        await query.answer(_("Someone already decided on this sign-up."), show_alert=True)
        await query.edit_message_reply_markup(None)
        return
    # Only now Telegram calls that may fail: the messages are committed.
    await query.answer()
    outcome = _("{name} was approved.") if button.verb == "ok" else _("{name} was declined.")
    await query.edit_message_text(
        joining.request_text(complex_, resident) + "\n\n" +
        outcome.format(name=html.escape(resident.first_name))
    )


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_button, pattern=pattern("ap"))]
