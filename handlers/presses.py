"""A button press, by a tap or by typing the button's label.

People answer "Skip", "ja" or "Overslaan" where the question has buttons. The labels of
the question a conversation waits on, in either language, count as pressing that button:
``ask`` sends a question and records its labels with the draft; the conversation router
turns typed text that matches one into a ``Press``. A conversation's button handler takes
the ``Press`` and answers through it, so a tap and a typed label behave the same: a tap is
answered through its callback query, a typed press with a message, and the question's
buttons are taken away either way.
"""

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError

from bot.context import BuurtnetContext
from bot.domain.button_data import unpack
from bot.domain.models import AskedButtons, Draft
from bot.i18n import in_every_language
from handlers.common import Keyboard, reply, stale_button
from handlers.errors import harmless


@dataclass(frozen=True)
class Press:
    update: Update
    context: BuurtnetContext
    data: str
    typed_on: int | None = None
    """For a typed press: the message that shows the buttons."""

    @classmethod
    def tapped(cls, update: Update, context: BuurtnetContext) -> "Press":
        assert update.callback_query is not None
        return cls(update, context, update.callback_query.data or "")

    async def answer(self, text: str | None = None, show_alert: bool = False) -> None:
        query = self.update.callback_query
        if query is not None:
            await query.answer(text, show_alert=show_alert)
        elif text:
            await reply(self.update, text)

    async def edit_message_reply_markup(self, reply_markup: InlineKeyboardMarkup | None = None
                                        ) -> None:
        query = self.update.callback_query
        if query is not None:
            try:
                await query.edit_message_reply_markup(reply_markup)
            except BadRequest as error:  # a double tap, or the same update handled again
                if not harmless(error):
                    raise
        elif self.typed_on is not None and self.update.effective_chat is not None:
            with contextlib.suppress(TelegramError):  # gone already: nothing to change
                await self.context.bot.edit_message_reply_markup(
                    self.update.effective_chat.id, self.typed_on, reply_markup=reply_markup)

    async def edit_message_text(self, text: str,
                                reply_markup: InlineKeyboardMarkup | None = None) -> None:
        """A tap replaces the question; a typed press takes its buttons away and answers."""
        if self.update.callback_query is not None:
            await self.update.callback_query.edit_message_text(text, reply_markup=reply_markup)
            return
        await self.edit_message_reply_markup(None)
        if self.update.effective_message is not None:
            await self.update.effective_message.reply_text(
                text, reply_markup=reply_markup, do_quote=False, disable_web_page_preview=True)


def typed_form(text: str) -> str:
    """What counts when a label is typed: letters and digits, case and emoji aside."""
    kept = "".join(ch if ch.isalnum() else " " for ch in text.casefold())
    return " ".join(kept.split())


def labels_of(keyboard: Keyboard, step: str) -> dict[str, str]:
    """Each typed form of the step's buttons ("prefix:step:value") → its callback data: the
    label in every language, and its first word where no other button starts with it."""
    found: dict[str, str] = {}
    first_words: dict[str, list[str]] = {}
    for button in (button for row in keyboard for button in row):
        data = button.callback_data
        if not isinstance(data, str) or unpack(data, (step,), detail=bool) is None:
            continue
        for label in in_every_language(button.text):
            form = typed_form(label)
            if form:
                found.setdefault(form, data)
                first_words.setdefault(form.split()[0], []).append(data)
    for word, datas in first_words.items():
        if len(set(datas)) == 1:
            found.setdefault(word, datas[0])
    return found


async def ask(update: Update, context: BuurtnetContext, text: str,
              keyboard: Keyboard | None) -> None:
    """Send a conversation's question; its buttons may be answered by typing a label."""
    sent = await reply(update, text, keyboard)
    user = update.effective_user
    if sent is None or user is None or not keyboard:
        return
    await remember(context, user.id, sent.message_id, keyboard)


async def remember(context: BuurtnetContext, telegram_id: int, message_id: int,
                   keyboard: Keyboard) -> None:
    """Record the buttons of the draft's current step, shown in `message_id`."""
    draft = await context.repos.drafts.get(telegram_id)
    if draft is not None:
        labels = labels_of(keyboard, draft.step)
        if labels:
            await context.repos.drafts.ask_with(telegram_id, AskedButtons(message_id, labels))


def typed_press(update: Update, context: BuurtnetContext, draft: Draft) -> Press | None:
    """The press a typed message means, if it is one of the current question's labels."""
    message = update.effective_message
    if draft.buttons is None or message is None or not message.text:
        return None
    data = draft.buttons.labels.get(typed_form(message.text))
    return None if data is None else Press(update, context, data, draft.buttons.message_id)


async def draft_button(press: Press, flow: str) -> tuple[Draft, str, str] | None:
    """For a button of a guided conversation ("prefix:step:value"): the draft, step and value.

    A button of another step, another conversation or forged data is stale: the presser
    is told, and None comes back.
    """
    user = press.update.effective_user
    assert user is not None
    draft = await press.context.repos.drafts.get(user.id)
    found = None if draft is None or draft.flow != flow else unpack(
        press.data, (draft.step,), detail=bool)  # any value: the step's handler checks it
    if draft is None or found is None or found.detail is None:
        await stale_button(press)
        return None
    return draft, draft.step, found.detail


StepButton = Callable[[Update, BuurtnetContext, Press, Draft, str, str], Awaitable[None]]
ButtonHandler = Callable[[Update, BuurtnetContext, "Press | None"], Awaitable[None]]


def step_buttons(flow: str, handle: StepButton) -> ButtonHandler:
    """A conversation's button handler, for a tap or its label typed (`press`): `handle`
    gets the draft, the step and the value; stale or forged data is answered here."""
    async def on_button(update: Update, context: BuurtnetContext,
                        press: Press | None = None) -> None:
        query = press or Press.tapped(update, context)
        found = await draft_button(query, flow)
        if found is not None:
            await handle(update, context, query, *found)
    return on_button
