"""Plain messages in a private chat: they answer the step of the conversation in progress.

Each feature declares its conversations as `Flow`s (in its `flows()`); `bot/app.py` hands
them here with the features' `Unprompted` handlers, so this module knows no feature.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import BuurtnetContext
from bot.domain.models import Draft
from bot.i18n import _
from handlers.common import reply
from handlers.presses import ButtonHandler, typed_press

StepHandler = Callable[[Update, BuurtnetContext, Draft], Awaitable[None]]
Unprompted = Callable[[Update, BuurtnetContext], Awaitable[bool]]
"""A message with no conversation in progress: True if it was this handler's to answer."""


@dataclass(frozen=True)
class Flow:
    """A guided conversation, by the name its drafts carry."""

    name: str
    on_message: StepHandler
    """Answers what the person types (or sends) at any of its steps."""
    on_button: ButtonHandler | None = None
    """Answers its buttons; with it, typing a button's label counts as pressing it."""
    takes_media: bool = False
    """Its steps also take a photo or a location, not only text."""


def handlers(flows: Sequence[Flow], unprompted: Sequence[Unprompted] = ()) -> list[BaseHandler]:
    by_name = {flow.name: flow for flow in flows}
    assert len(by_name) == len(flows), "two conversations share a name"

    async def on_private_message(update: Update, context: BuurtnetContext) -> None:
        assert update.effective_user is not None and update.effective_message is not None
        draft = await context.repos.drafts.get(update.effective_user.id)
        if draft is None and update.effective_message.text is not None:
            for handle in unprompted:
                if await handle(update, context):
                    return
        flow = by_name.get(draft.flow) if draft is not None else None
        if draft is None or flow is None:
            await reply(update, _("I did not understand that. /help shows what you can do."))
            return
        if update.effective_message.text is None and not flow.takes_media:
            await reply(update, _("Please answer with text."))
            return
        press = typed_press(update, context, draft) if flow.on_button is not None else None
        if press is not None and flow.on_button is not None:
            await flow.on_button(update, context, press)
            return
        await flow.on_message(update, context, draft)

    return [
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
            on_private_message,
        )
    ]
