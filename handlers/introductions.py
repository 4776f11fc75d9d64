"""Double opt-in introductions: weekly rounds, /meet, "did you meet?", and the welcome post.

Until everyone in an introduction said yes, nobody is sent anything that identifies the
others on Telegram: only a first name, a building and shared interests. After that, each
gets the others as a mention link so they can write to each other.
"""

import asyncio
import html
from collections.abc import Callable
from datetime import datetime
from functools import partial

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain import matching
from bot.domain.button_data import pack
from bot.domain.introductions import ROUND_EVERY, Answer, latest_round_due, round_seed
from bot.domain.models import Complex, Resident
from bot.i18n import _, use_language
from bot.services.stages import refresh_stage
from bot.storage.introductions import Introduction, Member
from bot.storage.outbox import Message, Shown
from handlers.common import (
    Keyboard,
    language_for,
    notify,
    pressed,
    reply,
    require_private,
    stale_button,
)
from handlers.guards import signed_up
from handlers.interests import interest_labels


def _describe(member: Member, viewer: Member) -> str:
    """First name, building and shared interests: nothing that finds them on Telegram."""
    text = f"<b>{html.escape(member.first_name)}</b>"
    if member.building:
        text += " " + _("(building or floor {building})").format(
            building=html.escape(member.building))
    shared = sorted(member.interests & viewer.interests)
    if shared:
        text += " — " + _("you both like: {interests}").format(
            interests=interest_labels(shared))
    return text


def _mention(member: Member) -> str:
    return f'<a href="tg://user?id={member.telegram_id}">{html.escape(member.first_name)}</a>'


def _shown(member: Member, as_text: str) -> Shown:
    """How a message shows `member`, and what says it instead once they are forgotten."""
    return Shown(member.telegram_id, as_text, _("a neighbour who has since left Buurtnet"))


Rendered = tuple[str, Keyboard | None, tuple[Shown, ...]]
Render = Callable[[Member], Rendered]


async def _send_to_members(
    context: BuurtnetContext, introduction: Introduction, purpose: str, render: Render
) -> None:
    """Through the outbox, once per member and purpose ("propose", "mention")."""
    for member in introduction.members:
        with use_language(await language_for(context, member.telegram_id)):
            text, keyboard, shows = render(member)
            await notify(context, _key(introduction.id, purpose, member.resident_id),
                         member.telegram_id, text, keyboard, shows)


def _key(introduction_id: int, purpose: str, resident_id: int) -> str:
    return f"intro:{introduction_id}:{purpose}:{resident_id}"


def _proposal(introduction: Introduction, member: Member) -> Rendered:
    shows = tuple(_shown(other, _describe(other, member))
                  for other in introduction.others(member.resident_id))
    people = "\n".join(shown.shown_as for shown in shows)
    text = _("Would you like to meet a neighbour?\n{people}\n\nIf everyone says yes, I will put "
             "you in touch. If not, nobody is told who said no.").format(people=people)
    return text, [[
        InlineKeyboardButton(_("Yes, introduce us"),
                             callback_data=pack("in", "yes", introduction.id)),
        InlineKeyboardButton(_("Not this week"), callback_data=pack("in", "no", introduction.id)),
    ]], shows


def _introduced(introduction: Introduction, member: Member) -> Rendered:
    shows = tuple(_shown(other, _mention(other))
                  for other in introduction.others(member.resident_id))
    return _("You are introduced! Say hello to {people}: tap the name to write to them.").format(
        people=", ".join(shown.shown_as for shown in shows)), None, shows


def _follow_up(introduction: Introduction, member: Member) -> Rendered:
    shows = tuple(_shown(other, f"<b>{html.escape(other.first_name)}</b>")
                  for other in introduction.others(member.resident_id))
    people = ", ".join(shown.shown_as for shown in shows)
    return _("Did you meet {people}?").format(people=people), [[
        InlineKeyboardButton(_("Yes"), callback_data=pack("mt", "yes", introduction.id)),
        InlineKeyboardButton(_("Not yet"), callback_data=pack("mt", "later", introduction.id)),
        InlineKeyboardButton(_("No"), callback_data=pack("mt", "no", introduction.id)),
    ]], shows


async def _introduce(context: BuurtnetContext, introduction_id: int) -> None:
    introduction = await context.repos.introductions.get(introduction_id)
    if introduction is not None:
        await _send_to_members(context, introduction, "mention",
                               partial(_introduced, introduction))


async def _propose(context: BuurtnetContext, introduction_id: int) -> None:
    introduction = await context.repos.introductions.get(introduction_id)
    if introduction is not None:
        await _send_to_members(context, introduction, "propose",
                               partial(_proposal, introduction))


# -- scheduled work ----------------------------------------------------------------


async def next_due(context: BuurtnetContext) -> datetime | None:
    """The next round of a complex with introductions on, expiry or follow-up."""
    now = context.clock.now()
    moments = [latest_round_due(now + ROUND_EVERY, complex_.intro_weekday,
                                complex_.intro_time, context.config.tz)
               for complex_ in await context.repos.complexes.all() if complex_.intro_enabled]
    pending = await context.repos.introductions.next_due_at()
    return min([*moments, *([pending] if pending else [])], default=None)


async def run_due(context: BuurtnetContext) -> None:
    """Expire unanswered introductions, hold due rounds, serve /meet, ask follow-ups."""
    repos, now = context.repos, context.clock.now()
    await repos.introductions.expire()
    for complex_ in await repos.complexes.all():
        if not complex_.intro_enabled:
            continue
        due = latest_round_due(now, complex_.intro_weekday, complex_.intro_time,
                               context.config.tz)
        if due <= (complex_.intro_changed_at or complex_.created_at):
            continue
        if await repos.introductions.round_held(complex_.id, due):
            continue
        candidates, recent = await repos.introductions.round_inputs(complex_.id)
        # Matching a large complex takes a while: in a thread, outside the write lock.
        groups = await asyncio.to_thread(matching.match, candidates, recent, now,
                                         round_seed(complex_.id, due))
        async with context.services.db.unit():  # the round and its proposals, together
            created = await repos.introductions.hold_round(complex_.id, due, groups)
            for introduction_id in created or ():
                await _propose(context, introduction_id)
    for complex_id, resident_id in await repos.introductions.meet_requests():
        async with context.services.db.unit():
            introduction_id = await repos.introductions.request_meeting(
                complex_id, resident_id, partial(matching.best_partner, now=now))
            if introduction_id is not None:
                await _propose(context, introduction_id)
    for introduction_id, resident_id, sent in await repos.introductions.due_follow_ups():
        introduction = await repos.introductions.get(introduction_id)
        member = introduction.member(resident_id) if introduction else None
        if introduction is None or member is None:
            continue
        with use_language(await language_for(context, member.telegram_id)):
            text, keyboard, shows = _follow_up(introduction, member)
        rows = [[button.to_dict() for button in row] for row in keyboard or []]
        await repos.introductions.send_follow_up(introduction_id, resident_id, Message(
            _key(introduction_id, f"followup{sent + 1}", resident_id), member.telegram_id,
            text, rows or None, shows=shows))
    # Messages lost to a crash between a change and its sending are queued now.
    for introduction_id in await repos.introductions.without_messages("proposed", "propose"):
        await _propose(context, introduction_id)
    for introduction_id in await repos.introductions.without_messages("accepted", "mention"):
        await _introduce(context, introduction_id)


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
    async with context.services.db.unit():  # the answer, and the introduction it completes
        outcome = await context.repos.introductions.answer(introduction.id, resident.id,
                                                           choice == "yes")
        if outcome is Answer.ACCEPTED:
            await _introduce(context, introduction.id)
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
    async with context.services.db.unit():  # the answer and the stage it may change
        ask_again = await context.repos.introductions.record_meeting(introduction.id,
                                                                     resident.id, met)
        if ask_again is not None and met == "yes":
            await refresh_stage(context.services, introduction.complex_id)
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


# -- /meet and the welcome post ----------------------------------------------------------


async def meet_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_private(update, context):
        return
    repos = context.repos
    resident = await signed_up(update, context, approved=True)
    if resident is None:
        return
    if await repos.introductions.in_open_introduction(resident.id):
        await reply(update, _("You already have an introduction waiting for answers."))
        return
    if await repos.introductions.has_meet_request(resident.id):
        await reply(update, _("You already asked. I will introduce you as soon as a neighbour "
                              "is available."))
        return
    async with context.services.db.unit():  # the introduction and its proposals, together
        introduction_id = await repos.introductions.request_meeting(
            resident.complex_id, resident.id,
            partial(matching.best_partner, now=context.clock.now()))
        if introduction_id is not None:
            await _propose(context, introduction_id)
    if introduction_id is None:
        await reply(update, _("Nobody is available right now. I will introduce you as soon as "
                              "a neighbour is."))


async def welcome_in_group(context: BuurtnetContext, complex_: Complex,
                           resident: Resident) -> None:
    """A short welcome in the complex's group for someone who wants to meet neighbours."""
    if complex_.group_chat_id is None or not resident.wants_introductions:
        return
    with use_language(complex_.language):
        text = _("Welcome to our new neighbour <b>{name}</b>!").format(
            name=html.escape(resident.first_name))
        if resident.building:
            text += " " + _("(building or floor {building})").format(
                building=html.escape(resident.building))
        if resident.interests:
            text += "\n" + _("Likes: {interests}").format(
                interests=interest_labels(resident.interests))
        gone = _("A neighbour who joined here has since left Buurtnet.")
        await notify(context, f"welcome:{resident.id}", complex_.group_chat_id, text,
                     shows=(Shown(resident.telegram_id, text, gone),))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("meet", meet_command),
        CallbackQueryHandler(on_answer, pattern=r"^in:"),
        CallbackQueryHandler(on_met, pattern=r"^mt:"),
    ]
