"""Plain messages in a private chat: they answer the step of the conversation in progress."""

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import BuurtnetContext
from bot.domain.models import Draft
from bot.i18n import _
from handlers import activities, escalations, operator, profile, reports, settings, signup
from handlers.common import reply
from handlers.presses import ButtonHandler, typed_press

StepHandler = Callable[[Update, BuurtnetContext, Draft], Awaitable[None]]

FLOWS: dict[str, StepHandler] = {
    signup.FLOW: signup.on_text,
    operator.FLOW: operator.on_text,
    profile.FLOW: profile.on_text,
    settings.FLOW: settings.on_text,
    activities.FLOW: activities.on_plan_text,
    activities.OUTCOME_FLOW: activities.on_outcome_text,
    reports.FLOW: reports.on_message,
    reports.ADD_FLOW: reports.on_add_text,
    escalations.RESOLVE_FLOW: escalations.on_resolve_note,
    escalations.ASK_FLOW: escalations.on_question,
    escalations.ANSWER_FLOW: escalations.on_answer_text,
}
# Flows whose questions' button labels may be typed instead of pressed.
BUTTONS: dict[str, ButtonHandler] = {
    signup.FLOW: signup.on_button,
    operator.FLOW: operator.on_button,
    activities.FLOW: activities.on_plan_button,
    reports.FLOW: reports.on_button,
    profile.FLOW: profile.on_button,
}
# Flows whose steps also take a photo or a location, not only text.
MEDIA_FLOWS = frozenset({reports.FLOW})


async def on_private_message(update: Update, context: BuurtnetContext) -> None:
    assert update.effective_user is not None and update.effective_message is not None
    draft = await context.repos.drafts.get(update.effective_user.id)
    if draft is None and update.effective_message.text is not None and (
            await escalations.typed_answer(update, context)
            or await escalations.replied_question(update, context)):
        return
    if draft is None or draft.flow not in FLOWS:
        await reply(update, _("I did not understand that. /help shows what you can do."))
        return
    if update.effective_message.text is None and draft.flow not in MEDIA_FLOWS:
        await reply(update, _("Please answer with text."))
        return
    press = typed_press(update, context, draft) if draft.flow in BUTTONS else None
    if press is not None:
        await BUTTONS[draft.flow](update, context, press)
        return
    await FLOWS[draft.flow](update, context, draft)


def handlers() -> list[BaseHandler]:
    return [
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
            on_private_message,
        )
    ]
