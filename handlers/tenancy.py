"""The answer to "Do you still live in …?" (see bot/services/tenancy.py)."""

import html

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import BuurtnetContext
from bot.domain.button_data import pattern
from bot.i18n import _
from bot.services import tenancy
from handlers.common import pressed, stale_button


async def on_answer(update: Update, context: BuurtnetContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = await pressed(query, ("yes", "no"), with_id=True)
    if button is None:
        return
    resident = await context.repos.people.resident_of(update.effective_user.id)
    if resident is None or resident.id != button.id:
        await stale_button(query)
        return
    complex_ = await context.repos.complexes.get(resident.complex_id)
    assert complex_ is not None
    outcome = await tenancy.answer(context.services, resident, button.verb == "yes")
    if outcome is tenancy.Answer.NOT_ASKED:
        await stale_button(query)
        return
    await query.answer()
    name = html.escape(complex_.name)
    await query.edit_message_text(
        _("Thank you! You stay signed up in <b>{complex}</b>.").format(complex=name)
        if outcome is tenancy.Answer.STAYS else
        _("Thank you for letting me know. You are no longer signed up in <b>{complex}</b>; "
          "all the best in your new home!").format(complex=name))


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_answer, pattern=pattern("th"))]
