"""Tenancy turnover: residents move out without telling anyone. Someone who left the
complex's group chat, or whom the bot could not reach for 60 days, is asked privately
whether they still live there; without an answer in 14 days they are taken off the
complex (as if they had left), and its initiators are told who and why."""

import html
from datetime import timedelta
from enum import Enum

from bot.domain import outbox_keys
from bot.domain.button_data import pack
from bot.domain.models import Complex, Resident
from bot.i18n import N_, _, use_language
from bot.services import Services
from bot.services.outgoing import button, language_for, queue
from bot.services.stages import refresh_stage

UNREACHABLE_FOR = timedelta(days=60)
ANSWER_WITHIN = timedelta(days=14)

_WHY_ASKED = {
    "left_group": N_("you left its group chat"),
    "unreachable": N_("my messages have not reached you for a while"),
}
_WHY_GONE = {
    "moved_out": N_("they told me they moved out"),
    "left_group": N_("they left the group chat and did not answer within 14 days whether "
                     "they still live there"),
    "unreachable": N_("my messages could not reach them for 60 days and they did not "
                      "answer within 14 days whether they still live there"),
}


async def left_group(services: Services, complex_: Complex, telegram_id: int) -> None:
    """Someone left the complex's group chat: if they are a resident, they will be asked."""
    resident = await services.repos.people.resident_of(telegram_id)
    if resident is not None and resident.complex_id == complex_.id and resident.is_active:
        await services.repos.tenancy.left_group(resident.id)


async def back_in_group(services: Services, complex_: Complex, telegram_ids: list[int]
                        ) -> None:
    """People (re)joined the group chat: no need to ask the residents among them."""
    async with services.db.unit():
        for telegram_id in telegram_ids:
            resident = await services.repos.people.resident_of(telegram_id)
            if resident is not None and resident.complex_id == complex_.id:
                await services.repos.tenancy.back_in_group(resident.id)


async def run_due(services: Services) -> None:
    """Ask who is to be asked; take off who did not answer in time."""
    now = services.clock.now()
    repos = services.repos
    for resident, cause, noticed in await repos.tenancy.to_ask(now - UNREACHABLE_FOR):
        complex_ = await repos.complexes.get(resident.complex_id)
        if complex_ is None:
            continue
        with use_language(await language_for(services, resident.telegram_id)):
            text = _("Do you still live in <b>{complex}</b>? I ask because {why}. If I hear "
                     "nothing within 14 days, I will take you off its list (you can sign up "
                     "again at any time).").format(complex=html.escape(complex_.name),
                                                    why=_(_WHY_ASKED[cause]))
            keyboard = [[button(_("Yes, I still live here"), pack("th", "yes", resident.id))],
                        [button(_("No, I moved out"), pack("th", "no", resident.id))]]
        async with services.db.unit():  # asked once, and the question queued
            if await repos.tenancy.claim_question(resident.id):
                await queue(services, outbox_keys.STILL_HERE.of(
                    resident.id, int(noticed.timestamp())), resident.telegram_id, text,
                    keyboard)
    for resident, cause in await repos.tenancy.unanswered(now - ANSWER_WITHIN):
        await _take_off(services, resident, cause)


class Answer(Enum):
    STAYS = "stays"
    MOVED_OUT = "moved out"
    NOT_ASKED = "not asked"
    """No question waits for this resident (answered before, or back in the group)."""


async def answer(services: Services, resident: Resident, still_here: bool) -> Answer:
    if not await services.repos.tenancy.asked(resident.id):
        return Answer.NOT_ASKED
    if still_here:
        await services.repos.tenancy.end(resident.id)
        return Answer.STAYS
    await _take_off(services, resident, "moved_out")
    return Answer.MOVED_OUT


async def _take_off(services: Services, resident: Resident, why: str) -> None:
    """The resident is no longer signed up (as after /leave); the initiators are told."""
    complex_ = await services.repos.complexes.get(resident.complex_id)
    async with services.db.unit():  # gone, measured and the initiators told, together
        await services.repos.people.delete_resident(resident.id)
        await services.repos.drafts.clear(resident.telegram_id)
        await refresh_stage(services, resident.complex_id)
        if complex_ is None:
            return
        for initiator in await services.repos.people.initiators_of(complex_.id):
            with use_language(await language_for(services, initiator.telegram_id)):
                await queue(services, outbox_keys.MOVED_OUT.of(resident.id, initiator.id),
                            initiator.telegram_id,
                            _("{name} is no longer signed up in <b>{complex}</b>: {why}.").format(
                                name=html.escape(resident.first_name),
                                complex=html.escape(complex_.name), why=_(_WHY_GONE[why])))
