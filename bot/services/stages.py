"""Measuring a complex's stage and announcing its changes.

`refresh_stage` is called once a day per complex by the sweeper and after anything that
can change a criterion (sign-up, leaving, a new initiator, an acquaintance, an activity
that took place, the committee).
"""

import html
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from enum import Enum

from babel.dates import format_date

from bot.domain import outbox_keys
from bot.domain.labels import kind_label, stage_meaning, stage_name
from bot.domain.models import Complex
from bot.domain.stages import decide
from bot.domain.vocabulary import STAGES
from bot.i18n import _, current_language, use_language
from bot.services import Services, ladder
from bot.services.outgoing import language_for, queue
from bot.storage.stages import HistoryEntry

CHECK_EVERY = timedelta(days=1)


def day(zone: tzinfo, moment: datetime) -> str:
    """A date in the current language and the deployment's time zone."""
    return format_date(moment.astimezone(zone).date(), "medium",
                       locale=current_language())


async def tell_organisers(
    services: Services, complex_: Complex, entry: HistoryEntry,
    render: Callable[[], str], *, skip: int | None = None,
) -> None:
    """Send a stage history entry's news to the initiators and contacts (but `skip`), each in
    their own language, once per entry and person."""
    people = [resident.telegram_id for resident in
              await services.repos.people.initiators_of(complex_.id)]
    people += [contact.telegram_id for contact in
               await services.repos.people.contacts_of_complex(complex_.id)]
    for telegram_id in dict.fromkeys(people):
        if telegram_id == skip:
            continue
        with use_language(await language_for(services, telegram_id)):
            text = render()
        await queue(services, outbox_keys.STAGE_NEWS.of(entry.id, telegram_id), telegram_id, text)


def who_changed(entry: HistoryEntry) -> str:
    if entry.by_name is None or entry.by_kind is None:
        return _("a former contact")
    return _("{name} ({kind})").format(name=html.escape(entry.by_name),
                                       kind=kind_label(entry.by_kind))


def _override_news(complex_: Complex, entry: HistoryEntry) -> str:
    values = {"who": who_changed(entry), "complex": html.escape(complex_.name),
              "stage": stage_name(entry.to_stage), "before": stage_name(entry.from_stage),
              "reason": html.escape(entry.reason or ""), "meaning": stage_meaning(entry.to_stage)}
    if entry.cause == "override":
        return _("{who} set the network stage of <b>{complex}</b> to <b>{stage}</b> (it was "
                 "{before}).\nReason: {reason}\n\n{meaning}\n\nReports follow this stage until "
                 "the override is lifted; /stage shows the measured stage.").format(**values)
    return _("{who} lifted the override of the network stage of <b>{complex}</b>.\nReason: "
             "{reason}\n\nThe stage is again the measured one: <b>{stage}</b> (it was "
             "{before}).\n\n{meaning}").format(**values)


async def announce(services: Services, complex_: Complex, entry: HistoryEntry) -> None:
    """Queue a stage change's news for the initiators and contacts (not for whoever made
    it), and mark it announced; the sweeper announces what a crash left unannounced."""
    async with services.db.unit():  # the news queued and marked, together
        if entry.cause == "measured":
            await tell_organisers(services, complex_, entry,
                                  lambda: _measured_change(services, complex_, entry))
        else:
            await tell_organisers(services, complex_, entry,
                                  lambda: _override_news(complex_, entry),
                                  skip=entry.changed_by)
        await services.repos.stages.mark_announced(entry.id)


def _measured_change(services: Services, complex_: Complex, entry: HistoryEntry) -> str:
    text = _("The network stage of <b>{complex}</b> went from <b>{before}</b> to "
             "<b>{after}</b>.").format(complex=html.escape(complex_.name),
                                       before=stage_name(entry.from_stage),
                                       after=stage_name(entry.to_stage))
    if STAGES.index(entry.to_stage) < STAGES.index(entry.from_stage):
        text += " " + _("The criteria of {stage} were not met for {days} days in a "
                        "row.").format(stage=stage_name(entry.from_stage),
                                       days=services.config.stage_thresholds.hysteresis_days)
    text += "\n\n" + stage_meaning(entry.to_stage)
    if complex_.stage_override:
        text += "\n\n" + _("A contact has set the stage to {stage}: reports keep following "
                           "that until the override is lifted.").format(
            stage=stage_name(complex_.stage_override))
    return text + "\n\n" + _("/stage shows every criterion and the next steps.")


async def refresh_stage(services: Services, complex_id: int) -> None:
    """Measure the complex's stage now, store it, and announce a change."""
    complex_ = await services.repos.complexes.get(complex_id)
    if complex_ is None:
        return
    limits = services.config.stage_thresholds
    metrics = await services.repos.stages.metrics(complex_id, limits)
    decision = decide(complex_.stage, metrics, limits, complex_.stage_failing_since,
                      services.clock.now())
    async with services.db.unit():  # the measurement and its news, together
        entry = await services.repos.stages.record_measurement(complex_id, complex_.stage,
                                                              decision)
        if entry is not None:
            await announce(services, complex_, entry)


async def set_committee(services: Services, complex_: Complex, on: bool, by: int
                        ) -> bool:
    """A contact registers or withdraws the residents' committee; False if it already was
    so. The stage is measured again and, the committee being a routing target of its own,
    reports waiting for it reach it."""
    async with services.db.unit():  # registered, measured and reached, together
        if await services.repos.stages.set_committee(complex_.id, on, by) is None:
            return False
        await refresh_stage(services, complex_.id)
        if on:
            await ladder.reach_newcomers(services, complex_.id)
    return True


class Override(Enum):
    SET = "set"
    NOTHING_TO_LIFT = "nothing to lift"
    ALREADY_SET = "already set"
    CHANGED_MEANWHILE = "changed meanwhile"
    """Someone else changed the stage at the same moment."""


async def set_override(services: Services, complex_: Complex, stage: str | None, by: int,
                       reason: str) -> tuple[Override, HistoryEntry | None]:
    """A contact sets the stage that routes reports (None lifts the override); the
    initiators and other contacts are told. An override that is not there is not lifted,
    one that is set already not set again."""
    if stage is None and complex_.stage_override is None:
        return Override.NOTHING_TO_LIFT, None
    if stage is not None and stage == complex_.stage_override:
        return Override.ALREADY_SET, None
    async with services.db.unit():  # set and announced, together
        entry = await services.repos.stages.set_override(complex_.id, stage, by, reason)
        if entry is not None:
            await announce(services, complex_, entry)
    return (Override.SET if entry is not None else Override.CHANGED_MEANWHILE), entry


async def next_due(services: Services) -> datetime | None:
    hysteresis = timedelta(days=services.config.stage_thresholds.hysteresis_days)
    return await services.repos.stages.next_check_after(CHECK_EVERY, hysteresis)


async def run_due(services: Services) -> None:
    """Measure every complex not measured in the last day, and those due to move down."""
    now = services.clock.now()
    hysteresis = timedelta(days=services.config.stage_thresholds.hysteresis_days)
    for complex_id in await services.repos.stages.due_for_check(now - CHECK_EVERY,
                                                               now - hysteresis):
        await refresh_stage(services, complex_id)
    for entry in await services.repos.stages.unannounced():
        complex_ = await services.repos.complexes.get(entry.complex_id)
        if complex_ is not None:
            await announce(services, complex_, entry)
