"""Who runs a complex: initiators promote and demote each other, remove a resident, and
ask a helpful resident whether they want to become an initiator."""

import html
from enum import Enum

from bot.domain import outbox_keys
from bot.domain.button_data import pack
from bot.domain.models import Complex, Resident, ResidentRole
from bot.i18n import _, use_language
from bot.services import Services, ladder
from bot.services.outgoing import button, language_for, queue
from bot.services.stages import refresh_stage


class RoleChange(Enum):
    CHANGED = "changed"
    ALREADY = "already"
    """The resident has that role already."""
    LAST_INITIATOR = "last initiator"
    """A complex keeps at least one initiator: promote someone else first."""


async def change_role(services: Services, complex_: Complex, resident: Resident,
                      role: ResidentRole) -> RoleChange:
    """Make the resident an initiator, or a resident again; they are told. A former
    initiator's copy of the initiators' link stops working in the same unit of work."""
    promoting = role is ResidentRole.INITIATOR
    if resident.role is role:
        return RoleChange.ALREADY
    async with services.db.unit():  # the role and the link change together
        if not promoting and len(await services.repos.people.initiators_of(complex_.id)) <= 1:
            return RoleChange.LAST_INITIATOR
        await services.repos.people.set_role(resident.id, role)
        if not promoting:
            await services.repos.complexes.new_initiator_code(complex_.id)
        await refresh_stage(services, complex_.id)
        if promoting:
            await ladder.reach_newcomers(services, complex_.id)
        with use_language(await language_for(services, resident.telegram_id)):
            text = (_("You are now an initiator of <b>{complex}</b>. /help shows what you can "
                      "do.") if promoting else
                    _("You are no longer an initiator of <b>{complex}</b>; you are still a "
                      "resident."))
            await queue(services,
                        outbox_keys.ROLE.of(resident.id, role.value,
                                            services.clock.now().isoformat()),
                        resident.telegram_id, text.format(complex=html.escape(complex_.name)))
    return RoleChange.CHANGED


async def new_initiator_link(services: Services, complex_: Complex) -> str:
    """Replace the complex's initiators' link: the old one stops working at once."""
    return await services.repos.complexes.new_initiator_code(complex_.id)


async def take_initiator_link(services: Services, complex_: Complex,
                              resident: Resident) -> None:
    """A resident opened their complex's initiators' link: they become an initiator, and
    reports waiting for the initiators reach them."""
    async with services.db.unit():  # the role, the stage and the reports, together
        await services.repos.people.set_role(resident.id, ResidentRole.INITIATOR)
        await refresh_stage(services, complex_.id)
        await ladder.reach_newcomers(services, complex_.id)


class Removal(Enum):
    REMOVED = "removed"
    SELF = "self"
    """Nobody removes themselves: they leave."""
    INITIATOR = "initiator"
    """An initiator is demoted before they can be removed."""


def removal_refused(resident: Resident, by: int) -> Removal | None:
    """Why `by` may not remove the resident, if they may not."""
    if resident.telegram_id == by:
        return Removal.SELF
    return Removal.INITIATOR if resident.is_initiator else None


async def remove(services: Services, complex_: Complex, resident: Resident, by: int,
                 reason: str) -> Removal:
    """An initiator removes a resident, with a reason that is kept; the resident is told."""
    if (refused := removal_refused(resident, by)) is not None:
        return refused
    language = await language_for(services, resident.telegram_id)  # before it is erased
    async with services.db.unit():  # removed, measured and told, together
        await services.repos.people.remove_resident(resident, removed_by=by, reason=reason)
        await refresh_stage(services, complex_.id)
        with use_language(language):
            await queue(services, outbox_keys.REMOVED.of(resident.id), resident.telegram_id, _(
                "An initiator removed you from <b>{complex}</b>. If you think this is a "
                "mistake, talk to an initiator of your complex.").format(
                complex=html.escape(complex_.name)))
    return Removal.REMOVED


class Invitation(Enum):
    ASKED = "asked"
    NOT_YOURS = "not yours"
    """Only an initiator of the resident's complex asks them."""
    ALREADY_INITIATOR = "already initiator"
    ASKED_BEFORE = "asked before"
    """Asked before, or no longer an active resident."""


async def invite_to_initiate(services: Services, complex_: Complex, resident: Resident,
                             asker: Resident | None) -> Invitation:
    """An initiator asks the resident whether they would like to become an initiator."""
    if asker is None or not asker.is_initiator or asker.complex_id != resident.complex_id:
        return Invitation.NOT_YOURS
    if resident.is_initiator:
        return Invitation.ALREADY_INITIATOR
    async with services.db.unit():  # asked, and the question on its way, together
        if not resident.is_active or not await services.repos.suggestions.ask(resident.id,
                                                                                asker.id):
            return Invitation.ASKED_BEFORE
        with use_language(await language_for(services, resident.telegram_id)):
            key = outbox_keys.BECOME_INITIATOR.of(resident.id)
            await queue(services, key, resident.telegram_id, _(
                "{initiator}, an initiator of <b>{complex}</b>, saw how you help out. "
                "Would you like to become an initiator too? Initiators organise activities "
                "and welcome new neighbours.").format(
                    initiator=html.escape(asker.first_name),
                    complex=html.escape(complex_.name)), [[
                button(_("Yes, I'd like that"), pack("init", "yes", resident.id)),
                button(_("No, thanks"), pack("init", "no", resident.id))]])
    return Invitation.ASKED


async def answer_invitation(services: Services, complex_: Complex, resident: Resident,
                            asker: Resident | None, yes: bool) -> bool:
    """The resident's answer: yes makes them an initiator; the asker is told. False if
    they answered before."""
    async with services.db.unit():  # the answer, the role and the asker told
        if not await services.repos.suggestions.answer(resident.id, yes):
            return False
        if yes and not resident.is_initiator:
            await services.repos.people.set_role(resident.id, ResidentRole.INITIATOR)
            await refresh_stage(services, complex_.id)
            await ladder.reach_newcomers(services, complex_.id)
        if asker is not None:
            with use_language(await language_for(services, asker.telegram_id)):
                await queue(services, outbox_keys.BECOME_INITIATOR_ANSWER.of(resident.id),
                            asker.telegram_id, (
                    _("{name} said yes: they are now an initiator of {complex}.") if yes
                    else _("{name} would rather not become an initiator now. Thank you for "
                           "asking; I will not suggest them again.")).format(
                    name=html.escape(resident.first_name), complex=html.escape(complex_.name)))
    return True
