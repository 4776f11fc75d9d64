"""Initiators: /members, /invite, /promote, /demote, /remove and /joinpolicy, and asking
residents who keep helping to become initiators (buttons ``init:ask|yes|no:<resident>``)."""

import html

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain import validation
from bot.domain.button_data import parse_id, pattern
from bot.domain.ideas import HELPS_TO_SUGGEST, Candidate
from bot.domain.keywords import keyword
from bot.domain.labels import policy_label
from bot.domain.models import Complex, JoinPolicy, Resident, ResidentRole, ResidentStatus
from bot.domain.validation import InvalidInput
from bot.i18n import _, current_language, ngettext, use_language
from bot.services import initiators, joining, settings
from handlers.common import (
    choice,
    command_args,
    deep_link,
    is_group,
    keyboard_of,
    markup,
    pressed,
    reply,
    reply_lines,
    require_private,
    say_invalid,
    stale_button,
    standing,
)
from handlers.guards import ONLY_INITIATORS, initiated_complex
from handlers.menus import refresh_command_menu

SUGGEST_MAX = 20


def _member_line(resident: Resident) -> str:
    marks = []
    if resident.is_initiator:
        marks.append(_("initiator"))
    if resident.wants_to_organise:
        marks.append(_("offers to help organise"))
    if resident.wants_introductions:
        marks.append(_("wants introductions"))
    building = f" ({html.escape(resident.building)})" if resident.building else ""
    suffix = " — " + ", ".join(marks) if marks else ""
    return f"#{resident.id} {html.escape(resident.first_name)}{building}{suffix}"


async def members_command(update: Update, context: BuurtnetContext) -> None:
    complex_ = await initiated_complex(update, context, in_private=True)
    if complex_ is None:
        return
    people = context.repos.people
    residents = await people.residents_of_complex(complex_.id)
    pending = await people.residents_of_complex(complex_.id, ResidentStatus.PENDING)
    initiator_count = sum(1 for resident in residents if resident.is_initiator)
    organisers = sum(1 for resident in residents if resident.wants_to_organise)
    wanting = sum(1 for resident in residents if resident.wants_introductions)
    text = _("<b>{complex}</b>\nresidents: {residents} (homes: {homes}) · initiators: "
             "{initiators} · offer to help organise: {organisers} · want introductions: "
             "{introductions}").format(
        complex=html.escape(complex_.name), residents=len(residents), homes=complex_.homes,
        initiators=initiator_count, organisers=organisers, introductions=wanting)
    await reply_lines(update, text + "\n", [_member_line(resident) for resident in residents])
    await _suggest(update, context, complex_)
    for resident in pending:
        await reply(update, _("Waiting for approval: {line}").format(
            line=_member_line(resident)), keyboard_of(joining.approval_keyboard(resident.id)))


async def invite_command(update: Update, context: BuurtnetContext) -> None:
    """The residents' invite link: in private, of one's own complex; in a group, of the
    complex the group is linked to, for its initiators and contacts only."""
    who = await standing(update, context)
    if is_group(update) and update.effective_chat:
        complex_ = await context.repos.complexes.by_group(update.effective_chat.id)
        if complex_ is None:
            await reply(update, _("This group is not linked to a complex yet. An initiator "
                                  "can link it with /linkgroup."))
            return
        if not (who.is_initiator_of(complex_.id) or who.is_contact_of(complex_.id)):
            complex_ = None
    else:
        complex_id = who.initiator_complex_id
        complex_ = None if complex_id is None else await context.repos.complexes.get(complex_id)
    if complex_ is None:
        await reply(update, _(ONLY_INITIATORS))
        return
    language = complex_.language if is_group(update) else current_language()
    with use_language(language):
        await reply(update, _("Neighbours of <b>{complex}</b> can sign up with this link:\n"
                              "{link}").format(complex=html.escape(complex_.name),
                                               link=deep_link(context, complex_.resident_code)))


async def initiatorlink_command(update: Update, context: BuurtnetContext) -> None:
    """A fresh initiators' link for one's complex (operators: for any complex, by number).

    The old link stops working, so a link that went round, or that a former initiator
    kept, makes no new initiators.
    """
    if not await require_private(update, context):
        return
    who = await standing(update, context)
    args = command_args(context)
    complex_id = who.initiator_complex_id
    if who.is_operator and args:
        complex_id = int(args[0].lstrip("#")) if parse_id(args[0].lstrip("#")) is not None else None
        if complex_id is None or await context.repos.complexes.get(complex_id) is None:
            await reply(update, _("There is no complex with number {number}.").format(
                number=html.escape(args[0])))
            return
    if complex_id is None:
        await reply(update, _(ONLY_INITIATORS) if not who.is_operator
                    else _("Usage: /initiatorlink 3, with the complex's number from "
                           "/complexes."))
        return
    complex_ = await context.repos.complexes.get(complex_id)
    assert complex_ is not None
    code = await initiators.new_initiator_link(context.services, complex_)
    await reply(update, _("A new invite link for initiators of <b>{complex}</b>; the old one "
                          "no longer works. Give it only to people who will organise:\n"
                          "{link}").format(complex=html.escape(complex_.name),
                                           link=deep_link(context, code)))


async def _target(update: Update, context: BuurtnetContext, complex_: Complex,
                  args: list[str], usage: str) -> Resident | None:
    if not args:
        await reply(update, usage)
        return None
    try:
        number = validation.resident_number(args[0])
    except InvalidInput as error:
        await say_invalid(update, error)
        await reply(update, usage)
        return None
    resident = await context.repos.people.resident(number)
    if resident is None or resident.complex_id != complex_.id or not resident.is_active:
        await reply(update, _("There is no resident #{number} in {complex}. /members shows "
                              "the numbers.").format(number=number,
                                                     complex=html.escape(complex_.name)))
        return None
    return resident


async def promote_command(update: Update, context: BuurtnetContext) -> None:
    await _change_role(update, context, ResidentRole.INITIATOR)


async def demote_command(update: Update, context: BuurtnetContext) -> None:
    await _change_role(update, context, ResidentRole.RESIDENT)


async def _change_role(update: Update, context: BuurtnetContext, role: ResidentRole) -> None:
    complex_ = await initiated_complex(update, context, in_private=True)
    if complex_ is None:
        return
    promoting = role is ResidentRole.INITIATOR
    usage = _("Usage: /promote 12, with the resident's number from /members.") if promoting \
        else _("Usage: /demote 12, with the resident's number from /members.")
    resident = await _target(update, context, complex_, command_args(context), usage)
    if resident is None:
        return
    name = html.escape(resident.first_name)
    outcome = await initiators.change_role(context.services, complex_, resident, role)
    if outcome is initiators.RoleChange.ALREADY:
        await reply(update, (_("{name} is already an initiator.") if promoting
                             else _("{name} is not an initiator.")).format(name=name))
        return
    if outcome is initiators.RoleChange.LAST_INITIATOR:
        await reply(update, _("{name} is the only initiator; promote someone else "
                              "first.").format(name=name))
        return
    await refresh_command_menu(context, resident.telegram_id)
    await reply(update, (_("{name} is now an initiator.") if promoting
                         else _("{name} is now a resident without initiator rights.")
                         ).format(name=name))


async def remove_command(update: Update, context: BuurtnetContext) -> None:
    complex_ = await initiated_complex(update, context, in_private=True)
    if complex_ is None:
        return
    usage = _("Usage: /remove 12 reason, with the resident's number from /members and a "
              "short reason.")
    args = command_args(context)
    resident = await _target(update, context, complex_, args, usage)
    if resident is None:
        return
    assert update.effective_user is not None
    by = update.effective_user.id
    if (refused := initiators.removal_refused(resident, by)) is not None:
        await _refuse_removal(update, refused, resident)
        return
    try:
        reason = validation.reason(" ".join(args[1:]))
    except InvalidInput as error:
        await say_invalid(update, error)
        await reply(update, usage)
        return
    outcome = await initiators.remove(context.services, complex_, resident, by, reason)
    if outcome is not initiators.Removal.REMOVED:
        await _refuse_removal(update, outcome, resident)
        return
    await reply(update, _("{name} is removed from {complex}. The reason is kept.").format(
        name=html.escape(resident.first_name), complex=html.escape(complex_.name)))


async def _refuse_removal(update: Update, refused: initiators.Removal, resident: Resident
                          ) -> None:
    await reply(update, _("To leave the complex yourself, use /leave.")
                if refused is initiators.Removal.SELF else
                _("{name} is an initiator: /demote them first.").format(
                    name=html.escape(resident.first_name)))


async def joinpolicy_command(update: Update, context: BuurtnetContext) -> None:
    complex_ = await initiated_complex(update, context, in_private=True)
    if complex_ is None:
        return
    args = command_args(context)
    if len(args) != 1 or keyword(args[0]) not in ("open", "approval"):
        await reply(update, _("Sign-up for {complex} is now: {policy}.\nUsage: /joinpolicy "
                              "open or /joinpolicy approval.").format(
            complex=html.escape(complex_.name), policy=policy_label(complex_.join_policy)))
        return
    policy = JoinPolicy(keyword(args[0]))
    await settings.set_join_policy(context.services, complex_, policy)
    await reply(update, _("Sign-up for {complex} is now: {policy}.").format(
        complex=html.escape(complex_.name), policy=policy_label(policy)))


# -- residents who could become initiators -------------------------------------------


def _candidate_line(candidate: Candidate) -> str:
    reasons = []
    if candidate.helps >= HELPS_TO_SUGGEST:
        reasons.append(ngettext("offered help on {count} idea", "offered help on {count} ideas",
                                candidate.helps).format(count=candidate.helps))
    if candidate.ideas_planned:
        reasons.append(_("their idea became an activity"))
    if candidate.wants_to_organise:
        reasons.append(_("offered to help organise when signing up"))
    building = f" ({html.escape(candidate.building)})" if candidate.building else ""
    return (f"#{candidate.resident_id} {html.escape(candidate.first_name)}{building} — "
            + ", ".join(reasons))


async def _suggest(update: Update, context: BuurtnetContext, complex_: Complex) -> None:
    candidates = (await context.repos.suggestions.candidates(complex_.id))[:SUGGEST_MAX]
    if not candidates:
        return
    text = _("<b>Could become initiators</b>\nThese residents keep helping. Shall I ask them "
             "whether they would like to become an initiator?")
    await reply(update, text + "\n" + "\n".join(map(_candidate_line, candidates)), [
        [choice(_("Make #{number} {name} an initiator").format(
            number=candidate.resident_id, name=candidate.first_name),
            "init", "ask", candidate.resident_id)]
        for candidate in candidates])


async def on_suggestion_button(update: Update, context: BuurtnetContext) -> None:
    query = update.callback_query
    assert query is not None
    button = await pressed(query, ("ask", "yes", "no"), with_id=True)
    if button is None:
        return
    resident = await context.repos.people.resident(button.id)
    if button.verb == "ask":
        await _ask_to_become_initiator(update, context, resident)
    else:
        await _answer_to_become_initiator(update, context, resident, button.verb == "yes")


async def _ask_to_become_initiator(update: Update, context: BuurtnetContext,
                                   resident: Resident | None) -> None:
    query = update.callback_query
    assert query is not None
    if resident is None:
        await stale_button(query)
        return
    complex_ = await context.repos.complexes.get(resident.complex_id)
    assert complex_ is not None
    asker = (await standing(update, context)).resident
    outcome = await initiators.invite_to_initiate(context.services, complex_, resident, asker)
    name = resident.first_name
    if outcome is not initiators.Invitation.ASKED:
        refusal = {
            initiators.Invitation.NOT_YOURS: _(ONLY_INITIATORS),
            initiators.Invitation.ALREADY_INITIATOR: _("{name} is already an initiator."),
            initiators.Invitation.ASKED_BEFORE: _("{name} has already been asked."),
        }[outcome]
        await query.answer(refusal.format(name=name), show_alert=True)
        return
    await query.answer(_("I asked {name}; I will tell you the answer.").format(name=name))
    if query.message is not None and query.message.reply_markup is not None:
        rows = [[button for button in row if button.callback_data != query.data]
                for row in query.message.reply_markup.inline_keyboard]
        kept = [row for row in rows if row]
        await query.edit_message_reply_markup(markup(kept) if kept else None)


async def _answer_to_become_initiator(update: Update, context: BuurtnetContext,
                                      resident: Resident | None, yes: bool) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    invitation = await context.repos.suggestions.invitation(resident.id) if resident else None
    if resident is None or resident.telegram_id != update.effective_user.id or \
            invitation is None:
        await stale_button(query)
        return
    complex_ = await context.repos.complexes.get(resident.complex_id)
    assert complex_ is not None
    asker = await context.repos.people.resident(invitation.asked_by)
    promoted = yes and not resident.is_initiator
    answered = await initiators.answer_invitation(context.services, complex_, resident, asker,
                                                  yes)
    if not answered:
        await query.answer(_("You already answered."), show_alert=True)
        return
    if promoted:
        await refresh_command_menu(context, resident.telegram_id)
    await query.answer()
    await query.edit_message_text(
        _("Welcome aboard: you are now an initiator of <b>{complex}</b>. /help shows what "
          "you can do.").format(complex=html.escape(complex_.name)) if yes
        else _("No problem, and thank you for helping out!"))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("members", members_command),
        CommandHandler("invite", invite_command),
        CommandHandler("initiatorlink", initiatorlink_command),
        CommandHandler("promote", promote_command),
        CommandHandler("demote", demote_command),
        CommandHandler("remove", remove_command),
        CommandHandler("joinpolicy", joinpolicy_command),
        CallbackQueryHandler(on_suggestion_button, pattern=pattern("init")),
    ]
