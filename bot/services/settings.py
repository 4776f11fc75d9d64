"""Saving what people set about themselves and their complex: a profile's details, a
complex's introduction time, a new complex; each ends the conversation that asked for it."""

from typing import Any

from bot.domain.complex_form import ComplexForm
from bot.domain.models import Complex, Resident
from bot.services import Services
from bot.storage.complexes import DuplicateComplexName


async def update_profile(services: Services, resident: Resident, **change: Any) -> None:
    """Save the resident's changed details (a name, a building or none)."""
    async with services.db.unit():  # saved, with no question left
        await services.repos.people.update_resident(resident.id, **change)
        await services.repos.drafts.clear(resident.telegram_id)


async def set_intro_time(services: Services, complex_: Complex, time: str,
                         by: int) -> None:
    """The time of day of the complex's introduction rounds."""
    async with services.db.unit():  # saved, with no question left
        await services.repos.complexes.set_intro_schedule(
            complex_.id, enabled=complex_.intro_enabled, weekday=complex_.intro_weekday,
            time=time)
        await services.repos.drafts.clear(by)


async def create_complex(services: Services, form: ComplexForm, by: int, *,
                         ends_conversation: bool) -> Complex | None:
    """An operator's new complex; None if the name is taken. The conversation that asked
    for it (`ends_conversation`) ends either way."""
    drafts = services.repos.drafts
    try:
        async with services.db.unit():  # created, with no conversation left
            if ends_conversation:
                await drafts.clear(by)
            return await services.repos.complexes.create(
                name=form.name, homes=form.homes, municipality=form.municipality,
                language=form.language, join_policy=form.join_policy, created_by=by)
    except DuplicateComplexName:
        if ends_conversation:
            await drafts.clear(by)
        return None
