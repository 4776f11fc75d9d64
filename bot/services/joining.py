"""Joining a complex and leaving it: the sign-up itself, the welcome in the group, where
the complex asks for it the initiators' approval (or the operators', while it has no
initiators), leaving, and being forgotten."""

import html
from collections.abc import Iterable
from enum import Enum
from typing import Any

from bot.domain import outbox_keys
from bot.domain.button_data import pack
from bot.domain.models import (
    Complex,
    Contact,
    ContactInvite,
    ContactKind,
    Resident,
    ResidentStatus,
)
from bot.domain.signup import interest_labels, known_interests, placement
from bot.i18n import _, use_language
from bot.services import Services, initiators, ladder
from bot.services.outgoing import Rows, button, language_for, queue
from bot.services.stages import refresh_stage
from bot.storage.outbox import Shown


class Arrival(Enum):
    SIGN_UP = "sign up"
    """Not signed up anywhere: the sign-up begins."""
    ELSEWHERE = "elsewhere"
    """Signed up for another complex: one complex at a time."""
    PROMOTED = "promoted"
    """An approved resident opened their complex's initiators' link."""
    PENDING = "pending"
    HERE = "here"
    """Signed up here already."""


async def arrive(services: Services, telegram_id: int, complex_: Complex, *,
                 as_initiator: bool) -> tuple[Arrival, Resident | None]:
    """Someone opened `complex_`'s invite link (the initiators' one: `as_initiator`): what
    that means for them, and their sign-up if they have one. An approved resident of the
    complex who opens the initiators' link becomes an initiator here."""
    resident = await services.repos.people.resident_of(telegram_id)
    if resident is None:
        return Arrival.SIGN_UP, None
    if resident.complex_id != complex_.id:
        return Arrival.ELSEWHERE, resident
    if not resident.is_active:
        return Arrival.PENDING, resident
    if as_initiator and not resident.is_initiator:
        await initiators.take_initiator_link(services, complex_, resident)
        return Arrival.PROMOTED, resident
    return Arrival.HERE, resident


async def sign_up(services: Services, telegram_id: int, complex_: Complex,
                  answers: dict[str, Any]) -> Resident:
    """Add the resident as the sign-up's `answers` say, in one unit of work with what
    follows: the approval question, or the welcome, the stage and the reports waiting for an
    initiator. Raises `AlreadyResident` if they signed up elsewhere meanwhile."""
    repos = services.repos
    link_holds = answers.get("initiator_code") == complex_.initiator_code  # not replaced since
    role, status = placement(
        complex_, as_initiator=answers["as_initiator"] and link_holds,
        was_removed=await repos.people.was_removed(telegram_id, complex_.id))
    async with services.db.unit():  # all of it, or nothing
        resident = await repos.people.add_resident(
            telegram_id=telegram_id,
            complex_id=complex_.id,
            first_name=answers["first_name"],
            building=answers.get("building"),
            interests=known_interests(answers.get("interests", [])),
            wants_to_organise=answers["organise"],
            wants_introductions=answers["introductions"],
            role=role,
            status=status,
        )
        await repos.people.set_language(telegram_id, answers["language"])
        await repos.drafts.clear(telegram_id)
        if status is ResidentStatus.PENDING:
            await ask_deciders(services, complex_, resident)
        else:
            await welcome_in_group(services, complex_, resident)
            await refresh_stage(services, complex_.id)
            if resident.is_initiator:
                await ladder.reach_newcomers(services, complex_.id)
    return resident


async def invite_contact(services: Services, complex_: Complex, kind: ContactKind, by: int
                         ) -> ContactInvite:
    """An operator's invite for a contact of `kind`: it works once, for a while."""
    return await services.repos.invites.create_contact_invite(complex_.id, kind, by)


async def join_as_contact(services: Services, code: str, telegram_id: int, first_name: str,
                          language: str) -> Contact:
    """Redeem a contact invite (`InviteUnusable` if it cannot be); reports waiting for the
    contact's organisation reach them at once. `language`: theirs, unless they chose one."""
    repos = services.repos
    async with services.db.unit():  # the contact, and what waits for their kind
        contact = await repos.invites.redeem_contact_invite(code, telegram_id, first_name)
        if await repos.people.language_of(telegram_id) is None:
            await repos.people.set_language(telegram_id, language)
        await ladder.reach_newcomers(services, contact.complex_id)
    return contact


async def welcome_in_group(services: Services, complex_: Complex, resident: Resident) -> None:
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
        await queue(services, outbox_keys.WELCOME.of(resident.id), complex_.group_chat_id, text,
                    shows=(Shown(resident.telegram_id, text, gone),))


def request_text(complex_: Complex, resident: Resident) -> str:
    return _("<b>{name}</b> would like to join <b>{complex}</b> (building or floor: "
             "{building}). Do you know them as a resident?").format(
        name=html.escape(resident.first_name),
        complex=html.escape(complex_.name),
        building=html.escape(resident.building or "—"),
    )


def approval_keyboard(resident_id: int) -> Rows:
    return [[button(_("Approve"), pack("ap", "ok", resident_id)),
             button(_("Decline"), pack("ap", "no", resident_id))]]


async def ask_deciders(services: Services, complex_: Complex, resident: Resident) -> None:
    """Send the approve/decline question to the initiators, or to the operators if none."""
    deciders = [initiator.telegram_id
                for initiator in await services.repos.people.initiators_of(complex_.id)]
    if not deciders:
        deciders = sorted(services.config.operators)
    for telegram_id in deciders:
        with use_language(await language_for(services, telegram_id)):
            text = request_text(complex_, resident)
            gone = _("Someone asked to join and has since asked to be forgotten.")
            await queue(services, outbox_keys.APPROVAL.of(resident.id, telegram_id), telegram_id,
                        text, approval_keyboard(resident.id),
                        (Shown(resident.telegram_id, text, gone),))


async def decide(services: Services, complex_: Complex, resident: Resident,
                 approve: bool) -> bool:
    """Approve or decline a pending sign-up and tell the resident; False if someone
    decided already."""
    repos = services.repos
    async with services.db.unit():  # the decision, its messages and the stage
        done = (await repos.people.activate(resident.id) if approve
                else await repos.people.delete_resident(resident.id, only_pending=True))
        if not done:
            return False
        with use_language(await language_for(services, resident.telegram_id)):
            if approve:
                text = _("Good news: you are now a member of <b>{complex}</b>. "
                         "/help shows what you can do.")
            else:
                text = _("Your sign-up for <b>{complex}</b> was not accepted. If you think "
                         "this is a mistake, talk to an initiator of your complex.")
            await queue(services, outbox_keys.DECISION.of(resident.id), resident.telegram_id,
                        text.format(complex=html.escape(complex_.name)))
        if approve:
            activated = await repos.people.resident(resident.id)
            assert activated is not None
            await welcome_in_group(services, complex_, activated)
            await refresh_stage(services, complex_.id)
    return True


async def leave(services: Services, resident: Resident) -> None:
    """The resident leaves their complex: their details there go, with any conversation."""
    async with services.db.unit():  # gone, with no conversation left, and measured
        await services.repos.people.delete_resident(resident.id)
        await services.repos.drafts.clear(resident.telegram_id)
        await refresh_stage(services, resident.complex_id)


async def forget(services: Services, telegram_id: int, names: Iterable[str | None]) -> None:
    """/forgetme: everything kept about the person is erased (`PeopleRepository.forget`);
    `names`: how Telegram names them (first name, username), to take out of texts too."""
    resident = await services.repos.people.resident_of(telegram_id)
    async with services.db.unit():  # erased everywhere, and the stage measured
        await services.repos.people.forget(telegram_id, names)
        if resident is not None:
            await refresh_stage(services, resident.complex_id)


async def run_due(services: Services) -> None:
    """Pending sign-ups whose question never got queued (a crash in between) are asked now."""
    for resident in await services.repos.people.pending_unasked():
        complex_ = await services.repos.complexes.get(resident.complex_id)
        if complex_ is not None:
            await ask_deciders(services, complex_, resident)
