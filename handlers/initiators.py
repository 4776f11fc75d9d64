"""Initiators: /members, /invite, /promote, /demote, /remove and /joinpolicy."""

import html

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import validation
from bot.context import BuurtnetContext
from bot.i18n import _, current_language, use_language
from bot.models import Complex, JoinPolicy, Resident, ResidentRole, ResidentStatus
from bot.validation import InvalidInput
from handlers.approvals import approval_keyboard
from handlers.common import (
    command_args,
    deep_link,
    is_group,
    language_for,
    reply,
    require_private,
    say_invalid,
    send_private,
    standing,
)
from handlers.menus import refresh_command_menu
from handlers.operator import policy_label


async def _initiator_complex(update: Update, context: BuurtnetContext) -> Complex | None:
    """The complex the sender is an initiator of, or None after saying why not."""
    who = await standing(update, context)
    complex_id = who.initiator_complex_id
    if complex_id is None:
        await reply(update, _("Only initiators of a complex can do that."))
        return None
    return await context.repos.complexes.get(complex_id)


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
    if not await require_private(update, context):
        return
    complex_ = await _initiator_complex(update, context)
    if complex_ is None:
        return
    people = context.repos.people
    residents = await people.residents_of_complex(complex_.id)
    pending = await people.residents_of_complex(complex_.id, ResidentStatus.PENDING)
    initiators = sum(1 for resident in residents if resident.is_initiator)
    organisers = sum(1 for resident in residents if resident.wants_to_organise)
    wanting = sum(1 for resident in residents if resident.wants_introductions)
    text = _("<b>{complex}</b>\nresidents: {residents} (homes: {homes}) · initiators: "
             "{initiators} · offer to help organise: {organisers} · want introductions: "
             "{introductions}").format(
        complex=html.escape(complex_.name), residents=len(residents), homes=complex_.homes,
        initiators=initiators, organisers=organisers, introductions=wanting)
    text += "\n\n" + "\n".join(_member_line(resident) for resident in residents)
    await reply(update, text)
    for resident in pending:
        await reply(update, _("Waiting for approval: {line}").format(
            line=_member_line(resident)), approval_keyboard(resident.id))


async def invite_command(update: Update, context: BuurtnetContext) -> None:
    who = await standing(update, context)
    complex_id = who.initiator_complex_id
    if complex_id is None and is_group(update) and update.effective_chat:
        linked = await context.repos.complexes.by_group(update.effective_chat.id)
        if linked and who.is_contact_of(linked.id):
            complex_id = linked.id
    if complex_id is None:
        await reply(update, _("Only initiators of a complex can do that."))
        return
    complex_ = await context.repos.complexes.get(complex_id)
    assert complex_ is not None
    language = complex_.language if is_group(update) else current_language()
    with use_language(language):
        await reply(update, _("Neighbours of <b>{complex}</b> can sign up with this link:\n"
                              "{link}").format(complex=html.escape(complex_.name),
                                               link=deep_link(context, complex_.resident_code)))


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
    if not await require_private(update, context):
        return
    complex_ = await _initiator_complex(update, context)
    if complex_ is None:
        return
    promoting = role is ResidentRole.INITIATOR
    usage = _("Usage: /promote 12, with the resident's number from /members.") if promoting \
        else _("Usage: /demote 12, with the resident's number from /members.")
    resident = await _target(update, context, complex_, command_args(context), usage)
    if resident is None:
        return
    name = html.escape(resident.first_name)
    if resident.role is role:
        await reply(update, (_("{name} is already an initiator.") if promoting
                             else _("{name} is not an initiator.")).format(name=name))
        return
    if not promoting:
        initiators = await context.repos.people.initiators_of(complex_.id)
        if len(initiators) <= 1:
            await reply(update, _("{name} is the only initiator; promote someone else "
                                  "first.").format(name=name))
            return
    await context.repos.people.set_role(resident.id, role)
    await refresh_command_menu(context, resident.telegram_id)
    await reply(update, (_("{name} is now an initiator.") if promoting
                         else _("{name} is now a resident without initiator rights.")
                         ).format(name=name))
    with use_language(await language_for(context, resident.telegram_id)):
        text = (_("You are now an initiator of <b>{complex}</b>. /help shows what you can do.")
                if promoting else
                _("You are no longer an initiator of <b>{complex}</b>; you are still a "
                  "resident."))
        await send_private(context, resident.telegram_id,
                           text.format(complex=html.escape(complex_.name)))


async def remove_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_private(update, context):
        return
    complex_ = await _initiator_complex(update, context)
    if complex_ is None:
        return
    usage = _("Usage: /remove 12 reason, with the resident's number from /members and a "
              "short reason.")
    args = command_args(context)
    resident = await _target(update, context, complex_, args, usage)
    if resident is None:
        return
    assert update.effective_user is not None
    if resident.telegram_id == update.effective_user.id:
        await reply(update, _("To leave the complex yourself, use /leave."))
        return
    if resident.is_initiator:
        await reply(update, _("{name} is an initiator: /demote them first.").format(
            name=html.escape(resident.first_name)))
        return
    try:
        reason = validation.reason(" ".join(args[1:]))
    except InvalidInput as error:
        await say_invalid(update, error)
        await reply(update, usage)
        return
    await context.repos.people.remove_resident(
        resident, removed_by=update.effective_user.id, reason=reason)
    await reply(update, _("{name} is removed from {complex}. The reason is kept.").format(
        name=html.escape(resident.first_name), complex=html.escape(complex_.name)))
    with use_language(await language_for(context, resident.telegram_id)):
        await send_private(context, resident.telegram_id, _(
            "An initiator removed you from <b>{complex}</b>. If you think this is a mistake, "
            "talk to an initiator of your complex.").format(complex=html.escape(complex_.name)))


async def joinpolicy_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_private(update, context):
        return
    complex_ = await _initiator_complex(update, context)
    if complex_ is None:
        return
    args = command_args(context)
    if len(args) != 1 or args[0].lower() not in ("open", "approval"):
        await reply(update, _("Sign-up for {complex} is now: {policy}.\nUsage: /joinpolicy "
                              "open or /joinpolicy approval.").format(
            complex=html.escape(complex_.name), policy=policy_label(complex_.join_policy)))
        return
    policy = JoinPolicy(args[0].lower())
    await context.repos.complexes.set_join_policy(complex_.id, policy)
    await reply(update, _("Sign-up for {complex} is now: {policy}.").format(
        complex=html.escape(complex_.name), policy=policy_label(policy)))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("members", members_command),
        CommandHandler("invite", invite_command),
        CommandHandler("promote", promote_command),
        CommandHandler("demote", demote_command),
        CommandHandler("remove", remove_command),
        CommandHandler("joinpolicy", joinpolicy_command),
    ]


