"""Saving what people set about themselves and their complex: a profile's details, wishes
and interests, one's language, a complex's introduction rounds and sign-up policy, a new
complex. A change typed in a conversation ends that conversation."""

from typing import Any

from bot.domain.complex_form import ComplexForm
from bot.domain.models import Complex, JoinPolicy, Resident
from bot.domain.signup import known_interests
from bot.services import Services
from bot.storage.complexes import DuplicateComplexName


async def update_profile(services: Services, resident: Resident, **change: Any) -> None:
    """Save the resident's changed details (a name, a building or none)."""
    async with services.db.unit():  # saved, with no question left
        await services.repos.people.update_resident(resident.id, **change)
        await services.repos.drafts.clear(resident.telegram_id)


async def set_wishes(services: Services, resident: Resident, *,
                     wants_to_organise: bool | None = None,
                     wants_introductions: bool | None = None) -> Resident:
    """Change what the resident wishes (helping to organise, introductions); the resident
    as they are now."""
    change = {name: value for name, value in (("wants_to_organise", wants_to_organise),
                                              ("wants_introductions", wants_introductions))
              if value is not None}
    await services.repos.people.update_resident(resident.id, **change)
    return await _as_now(services, resident)


async def toggle_interest(services: Services, resident: Resident, interest: str) -> list[str]:
    """Add the interest, or take it away: the resident's interests now."""
    chosen = known_interests(list(set(resident.interests) ^ {interest}))
    await services.repos.people.set_interests(resident.id, chosen)
    return chosen


async def set_language(services: Services, telegram_id: int, language: str) -> None:
    await services.repos.people.set_language(telegram_id, language)


async def _as_now(services: Services, resident: Resident) -> Resident:
    now = await services.repos.people.resident(resident.id)
    assert now is not None
    return now


async def set_intro_rounds(services: Services, complex_: Complex, *, enabled: bool,
                           weekday: int) -> Complex:
    """Turn the complex's introduction rounds on or off, or move them to another day; the
    complex as it is now."""
    await services.repos.complexes.set_intro_schedule(
        complex_.id, enabled=enabled, weekday=weekday, time=complex_.intro_time)
    now = await services.repos.complexes.get(complex_.id)
    assert now is not None
    return now


async def set_join_policy(services: Services, complex_: Complex, policy: JoinPolicy) -> None:
    await services.repos.complexes.set_join_policy(complex_.id, policy)


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
