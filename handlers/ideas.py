"""Ideas: /idea proposes one, its group post gets 👍 and 🙋 buttons, /ideas lists the open
ones, /closeidea closes one. Buttons: ``idea:support:<id>``, ``idea:help:<id>``,
``idea:close:<id>``."""

import html
import logging

from telegram import MaybeInaccessibleMessage, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain import ideas
from bot.domain.button_data import parse_id, pattern
from bot.domain.ideas import Idea
from bot.domain.models import Complex, Resident
from bot.domain.validation import InvalidInput
from bot.domain.vocabulary import IdeaStatus, VoteKind
from bot.i18n import _
from bot.services import ideas as ideas_service
from bot.services.ideas import idea_post
from handlers.common import (
    Keyboard,
    command_args,
    is_group,
    keyboard_of,
    markup,
    reply,
    say_invalid,
)
from handlers.groups import signup_button
from handlers.guards import pressed_in_complex, residence

log = logging.getLogger(__name__)

LIST_MAX = 20
"""/ideas sends one message per idea, so it shows at most this many."""


# -- the group chat, shared with activities ------------------------------------------


async def edit_message(context: BuurtnetContext, chat_id: int | None, message_id: int | None,
                       *, text: str | None = None, keyboard: Keyboard | None = None) -> None:
    """Update a message the bot sent: its text (and buttons) or only its buttons.

    A message that is gone, or a group the bot left, is not worth failing the update for.
    """
    if chat_id is None or message_id is None:
        return
    reply_markup = markup(keyboard) if keyboard else None
    try:
        if text is None:
            await context.bot.edit_message_reply_markup(chat_id, message_id,
                                                        reply_markup=reply_markup)
        else:
            await context.bot.edit_message_text(text, chat_id, message_id,
                                                reply_markup=reply_markup,
                                                disable_web_page_preview=True)
    except TelegramError as exc:
        log.info("could not edit message %s in %s: %s", message_id, chat_id, exc)


# -- texts and buttons -----------------------------------------------------------------


def vote_keyboard(idea: Idea, *, can_close: bool = False) -> Keyboard | None:
    rows = ideas_service.vote_keyboard(idea, can_close=can_close)
    return keyboard_of(rows) if rows else None


def not_open_text(idea: Idea) -> str:
    if idea.status is IdeaStatus.CLOSED:
        return _("This idea is closed.")
    return _("This idea has already become an activity.")


# -- /idea ---------------------------------------------------------------------------


def _idea_argument(text: str | None) -> str:
    """What follows the command, line breaks included: "/idea@Bot a film night"."""
    pieces = (text or "").split(None, 1)
    return pieces[1] if len(pieces) == 2 else ""


async def _proposer(update: Update, context: BuurtnetContext) -> tuple[Resident, Complex] | None:
    """The active resident proposing and their complex, or None after saying why not."""
    assert update.effective_user is not None and update.effective_chat is not None
    resident = await context.repos.people.resident_of(update.effective_user.id)
    if is_group(update):
        complex_ = await context.repos.complexes.by_group(update.effective_chat.id)
        if complex_ is None:
            await reply(update, _("This group is not linked to a complex yet. An initiator "
                                  "can link it with /linkgroup."))
            return None
        if resident is None or not resident.is_active or resident.complex_id != complex_.id:
            await reply(update, _("Only residents of {complex} can propose ideas here. Sign "
                                  "up privately first.").format(
                complex=html.escape(complex_.name)), signup_button(context, complex_))
            return None
        return resident, complex_
    return await residence(update, context)


async def idea_command(update: Update, context: BuurtnetContext) -> None:
    assert update.effective_message is not None
    found = await _proposer(update, context)
    if found is None:
        return
    resident, complex_ = found
    argument = _idea_argument(update.effective_message.text)
    if not argument.strip():
        await reply(update, _("Usage: /idea followed by your idea, for example: /idea a film "
                              "night on the roof."))
        return
    try:
        text = ideas.idea_text(argument)
    except InvalidInput as error:
        await say_invalid(update, error)
        return
    idea = await ideas_service.propose(context.services, resident, complex_, text)
    if complex_.group_chat_id is not None:
        if not is_group(update):
            await reply(update, _("Thank you! Your idea #{number} is posted in the group chat "
                                  "of {complex}, where neighbours can support it.").format(
                number=idea.id, complex=html.escape(complex_.name)))
        return
    await reply(update, _("Thank you! Your idea #{number} is saved. {complex} has no group "
                          "chat yet: it will be shown there once there is one. Meanwhile it "
                          "is listed in /ideas.").format(
        number=idea.id, complex=html.escape(complex_.name)))


# -- /ideas and /closeidea -----------------------------------------------------------


async def ideas_command(update: Update, context: BuurtnetContext) -> None:
    here = await residence(update, context, in_private=True)
    if here is None:
        return
    resident, complex_ = here
    found = await context.repos.ideas.open_of(complex_.id)
    name = html.escape(complex_.name)
    if not found:
        await reply(update, _("There are no open ideas in {complex} yet. Propose one with "
                              "/idea followed by your idea.").format(complex=name))
        return
    header = _("<b>Open ideas in {complex}</b>, most supported first. Press 👍 to support an "
               "idea and 🙋 to offer help.").format(complex=name)
    if len(found) > LIST_MAX:
        header += "\n" + _("These are the first {shown} of {total}.").format(
            shown=LIST_MAX, total=len(found))
    await reply(update, header)
    for idea in found[:LIST_MAX]:
        await reply(update, idea_post(idea),
                    vote_keyboard(idea, can_close=ideas.may_close(idea, resident)))


async def _close(context: BuurtnetContext, idea: Idea, complex_: Complex,
                 resident: Resident) -> Idea | str:
    """Close the idea: the closed idea, or why it cannot be closed."""
    outcome, closed = await ideas_service.close(context.services, idea, complex_, resident)
    if outcome is ideas_service.Closing.NOT_YOURS:
        return _("Only the person who proposed an idea, or an initiator, can close it.")
    if outcome is ideas_service.Closing.NOT_OPEN:
        return not_open_text(idea)
    return closed


async def closeidea_command(update: Update, context: BuurtnetContext) -> None:
    here = await residence(update, context, in_private=True)
    if here is None:
        return
    resident, complex_ = here
    args = command_args(context)
    number = args[0].lstrip("#") if len(args) == 1 else ""
    if parse_id(number) is None:
        await reply(update, _("Usage: /closeidea 12, with the idea's number from /ideas."))
        return
    idea = await context.repos.ideas.get(int(number))
    if idea is None or idea.complex_id != complex_.id:
        await reply(update, _("There is no idea #{number} in {complex}. /ideas shows the "
                              "numbers.").format(number=int(number),
                                                 complex=html.escape(complex_.name)))
        return
    outcome = await _close(context, idea, complex_, resident)
    if isinstance(outcome, str):
        await reply(update, outcome)
        return
    await reply(update, _("Idea #{number} is closed.").format(number=idea.id))


# -- the buttons -----------------------------------------------------------------------


async def on_button(update: Update, context: BuurtnetContext) -> None:
    """👍 and 🙋 on an idea (each turns on and off), and closing it: residents of its
    complex only."""
    found = await pressed_in_complex(update, context, context.repos.ideas.get,
                                     ("support", "help", "close"))
    if found is None:
        return
    query, idea, resident = found.query, found.record, found.resident
    if resident is None:
        await query.answer(_("Only residents of {complex} can vote on its ideas.").format(
            complex=found.complex_.name), show_alert=True)
        return
    if found.button.verb == "close":
        outcome = await _close(context, idea, found.complex_, resident)
        if isinstance(outcome, str):
            await query.answer(outcome, show_alert=True)
            return
        await query.answer(_("Idea #{number} is closed.").format(number=idea.id))
        if query.message is not None and not _is_group_post(query.message, idea):
            await edit_message(context, query.message.chat.id, query.message.message_id,
                               text=idea_post(outcome))
        return
    await _vote(update, context, idea, found.complex_, resident, VoteKind(found.button.verb))


async def _vote(update: Update, context: BuurtnetContext, idea: Idea, complex_: Complex,
                resident: Resident, kind: VoteKind) -> None:
    query = update.callback_query
    assert query is not None
    added, updated = await ideas_service.vote(context.services, idea, complex_, resident, kind)
    if added is None:
        await query.answer(not_open_text(idea), show_alert=True)
        return
    if kind is VoteKind.SUPPORT:
        toast = _("You support this idea.") if added else _("You no longer support this idea.")
    else:
        toast = _("Thank you for offering to help!") if added else \
            _("You no longer offer to help.")
    await query.answer(toast)
    pressed = query.message
    if pressed is not None and not _is_group_post(pressed, idea):  # the outbox edits that
        await edit_message(context, pressed.chat.id, pressed.message_id, keyboard=vote_keyboard(
            updated, can_close=ideas.may_close(updated, resident)))


def _is_group_post(message: MaybeInaccessibleMessage, idea: Idea) -> bool:
    return (message.chat.id, message.message_id) == (idea.group_chat_id, idea.group_message_id)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("idea", idea_command),
        CommandHandler("ideas", ideas_command),
        CommandHandler("closeidea", closeidea_command),
        CallbackQueryHandler(on_button, pattern=pattern("idea")),
    ]
