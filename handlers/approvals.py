"""Approval of sign-ups in complexes that ask for it: initiators decide with two buttons."""

import html

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import BuurtnetContext
from bot.domain import outbox_keys
from bot.domain.button_data import pack
from bot.domain.models import Complex, Resident, ResidentStatus
from bot.i18n import _, use_language
from bot.services.stages import refresh_stage
from bot.storage.outbox import Shown
from handlers.common import language_for, notify, pressed_record, standing
from handlers.introductions import welcome_in_group


def _request_text(complex_: Complex, resident: Resident) -> str:
    return _("<b>{name}</b> would like to join <b>{complex}</b> (building or floor: "
             "{building}). Do you know them as a resident?").format(
        name=html.escape(resident.first_name),
        complex=html.escape(complex_.name),
        building=html.escape(resident.building or "—"),
    )


def approval_keyboard(resident_id: int) -> list[list[InlineKeyboardButton]]:
    return [[
        InlineKeyboardButton(_("Approve"), callback_data=pack("ap", "ok", resident_id)),
        InlineKeyboardButton(_("Decline"), callback_data=pack("ap", "no", resident_id)),
    ]]


async def ask_initiators(context: BuurtnetContext, complex_: Complex, resident: Resident) -> None:
    """Send the approve/decline question to the initiators, or to the operators if none."""
    deciders = [initiator.telegram_id
                for initiator in await context.repos.people.initiators_of(complex_.id)]
    if not deciders:
        deciders = sorted(context.config.operators)
    for telegram_id in deciders:
        with use_language(await language_for(context, telegram_id)):
            text = _request_text(complex_, resident)
            gone = _("Someone asked to join and has since asked to be forgotten.")
            await notify(context, outbox_keys.approval(resident.id, telegram_id), telegram_id, text,
                         approval_keyboard(resident.id),
                         (Shown(resident.telegram_id, text, gone),))


async def on_button(update: Update, context: BuurtnetContext) -> None:
    query = update.callback_query
    assert query is not None
    repos = context.repos
    found = await pressed_record(query, repos.people.resident, ("ok", "no"))
    if found is None:
        return
    button, resident = found
    who = await standing(update, context)
    if not (who.is_operator or who.is_initiator_of(resident.complex_id)):
        # Said before anything else, so nobody learns which sign-ups are pending.
        await query.answer(_("Only the initiators of this complex can decide on sign-ups."),
                           show_alert=True)
        return
    if resident.status is not ResidentStatus.PENDING:
        await query.answer(_("Someone already decided on this sign-up."), show_alert=True)
        await query.edit_message_reply_markup(None)
        return
    complex_ = await repos.complexes.get(resident.complex_id)
    assert complex_ is not None
    approve = button.verb == "ok"
    async with context.services.db.unit():  # the decision, its messages and the stage
        done = (await repos.people.activate(resident.id) if approve
                else await repos.people.delete_resident(resident.id, only_pending=True))
        if done:
            await _tell_decision(context, complex_, resident, approve)
    if not done:
        await query.answer(_("Someone already decided on this sign-up."), show_alert=True)
        return
    # Only now Telegram calls that may fail: the messages above are committed.
    await query.answer()
    outcome = _("{name} was approved.") if approve else _("{name} was declined.")
    await query.edit_message_text(
        _request_text(complex_, resident) + "\n\n" +
        outcome.format(name=html.escape(resident.first_name))
    )


async def _tell_decision(context: BuurtnetContext, complex_: Complex, resident: Resident,
                         approve: bool) -> None:
    with use_language(await language_for(context, resident.telegram_id)):
        if approve:
            text = _("Good news: you are now a member of <b>{complex}</b>. "
                     "/help shows what you can do.")
        else:
            text = _("Your sign-up for <b>{complex}</b> was not accepted. If you think this "
                     "is a mistake, talk to an initiator of your complex.")
        await notify(context, f"decision:{resident.id}", resident.telegram_id,
                     text.format(complex=html.escape(complex_.name)))
    if approve:
        activated = await context.repos.people.resident(resident.id)
        assert activated is not None
        await welcome_in_group(context, complex_, activated)
        await refresh_stage(context.services, complex_.id)


async def run_due(context: BuurtnetContext) -> None:
    """Pending sign-ups whose question never got queued (a crash in between) are asked now."""
    for resident in await context.repos.people.pending_unasked():
        complex_ = await context.repos.complexes.get(resident.complex_id)
        if complex_ is not None:
            await ask_initiators(context, complex_, resident)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_button, pattern=r"^ap:")]
