"""/settings: initiators choose when the weekly introduction round happens, or turn it off."""

import html

from babel.dates import get_day_names
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain.button_data import pattern, unpack
from bot.domain.introductions import parse_time_of_day
from bot.domain.models import Complex, Draft
from bot.i18n import _, current_language
from bot.services.settings import set_intro_rounds, set_intro_time
from handlers.common import (
    Keyboard,
    choice,
    markup,
    parsed_text,
    reply,
    stale_button,
)
from handlers.conversation import Flow
from handlers.guards import initiated_complex

FLOW = "settings"


def _day_name(weekday: int) -> str:
    return get_day_names("wide", locale=current_language())[weekday]


def _text(complex_: Complex) -> str:
    state = (_("every {day} at {time}").format(day=_day_name(complex_.intro_weekday),
                                              time=complex_.intro_time)
             if complex_.intro_enabled else _("off"))
    return _("<b>Settings of {complex}</b>\nIntroduction rounds: {state}").format(
        complex=html.escape(complex_.name), state=state)


def _keyboard(complex_: Complex) -> Keyboard:
    return [
        # The state a press asks for, not a toggle: an old button cannot undo a newer one.
        [choice(_("Turn rounds off"), "st", "off") if complex_.intro_enabled
         else choice(_("Turn rounds on"), "st", "on")],
        [choice(_("Change the day"), "st", "day"),
         choice(_("Change the time"), "st", "time")],
    ]


async def settings_command(update: Update, context: BuurtnetContext) -> None:
    complex_ = await initiated_complex(update, context, in_private=True)
    if complex_ is None:
        return
    await reply(update, _text(complex_), _keyboard(complex_))


async def on_button(update: Update, context: BuurtnetContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    complex_ = await initiated_complex(update, context)
    if complex_ is None:
        return
    button = unpack(query.data, ("on", "off", "day", "time")) or unpack(
        query.data, ("day",), detail=[str(day) for day in range(7)])
    if button is None:
        await stale_button(query)
        return
    repos = context.repos
    enabled, weekday = complex_.intro_enabled, complex_.intro_weekday
    if button.verb in ("on", "off"):
        enabled = button.verb == "on"
    elif button.verb == "day" and button.detail is None:
        await query.answer()
        await query.edit_message_reply_markup(markup([
            [choice(_day_name(day), "st", "day", detail=str(day))]
            for day in range(7)]))
        return
    elif button.detail is not None:
        weekday = int(button.detail)
    else:  # "time"
        await repos.drafts.put(update.effective_user.id, FLOW, "time", {})
        await query.answer()
        await reply(update, _("At what time? For example 19:00. (/cancel stops)"))
        return
    updated = await set_intro_rounds(context.services, complex_, enabled=enabled,
                                     weekday=weekday)
    await query.answer(_("Saved."))
    await query.edit_message_text(_text(updated), reply_markup=markup(_keyboard(updated)))


async def on_text(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    complex_ = await initiated_complex(update, context)
    if complex_ is None:
        await context.repos.drafts.clear(draft.telegram_id)
        return
    time = await parsed_text(update, parse_time_of_day)
    if time is None:
        return
    await set_intro_time(context.services, complex_, time, draft.telegram_id)
    updated = await context.repos.complexes.get(complex_.id)
    assert updated is not None
    await reply(update, _("Saved.") + "\n\n" + _text(updated), _keyboard(updated))


def flows() -> list[Flow]:
    """This feature's guided conversations."""
    return [Flow(FLOW, on_text)]


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("settings", settings_command),
        CallbackQueryHandler(on_button, pattern=pattern("st")),
    ]
