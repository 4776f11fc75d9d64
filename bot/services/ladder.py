"""Climbing a report's escalation ladder.

Each level's targets get the report privately, with buttons to act on it. The first
acknowledgement stops the climb; silence until the level's deadline moves the report up; a
level with nobody behind it is skipped and the operators are told; after the last level the
operators are alerted and the ladder runs once more. Everything is queued in the outbox
in the same transaction as the change, with keys that make a second attempt a no-op.

An anonymous reporter's name, username and id never reach a target: only the bot relays.
"""

import html
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from babel.dates import format_timedelta

from bot.domain import outbox_keys
from bot.domain.activities import format_when
from bot.domain.button_data import pack
from bot.domain.labels import category_label, kind_label, target_label
from bot.domain.ladder import Climb, next_climb, on_last_lap
from bot.domain.models import Complex, ContactKind
from bot.domain.reports import GONE, reference
from bot.domain.routing import Level
from bot.domain.vocabulary import CONTACT_TARGETS, ReportStatus
from bot.i18n import N_, _, current_language, use_language
from bot.services import Services
from bot.services.outgoing import Rows, button, language_for, queue
from bot.services.report_texts import (
    action_keyboard,
    history_text,
    operator_actions,
    report_text,
    reporter_shown,
    summary_text,
    waiting_notice,
)
from bot.storage.outbox import Message
from bot.storage.reports import Report, Target

log = logging.getLogger(__name__)


async def people_behind(services: Services, complex_: Complex, target: str
                        ) -> list[tuple[int, str]]:
    """(telegram id, first name) of the people behind a routing target."""
    repos = services.repos
    if target in CONTACT_TARGETS:
        return [(c.telegram_id, c.first_name) for c in await repos.people.contacts_of_complex(
            complex_.id) if c.kind.value == target]
    if target == "committee" and not complex_.committee:
        return []
    return [(r.telegram_id, r.first_name) for r in await repos.people.initiators_of(complex_.id)]


# -- the messages ------------------------------------------------------------------------


async def level_messages(
    services: Services, report: Report, complex_: Complex, level: Level,
) -> tuple[list[Target], list[Message]]:
    """Who the level reaches (to act, or for their information), and what each gets."""
    additions = await services.repos.reports.additions(report.id)
    history = history_text(await services.repos.reports.questions_of(report.id))
    targets: list[Target] = []
    messages: list[Message] = []
    seen: set[int] = {report.reporter_id}  # never send someone their own report
    for acts, names in ((True, level.targets), (False, level.inform)):
        for target in names:
            for telegram_id, _name in await people_behind(services, complex_, target):
                if telegram_id in seen:
                    continue
                seen.add(telegram_id)
                key = outbox_keys.ESCALATION.of(report.id, report.lap, report.level, telegram_id)
                targets.append(Target(telegram_id, target, acts, report.lap, report.level, key))
                with use_language(await language_for(services, telegram_id)):
                    messages += _notification(services, report, complex_, level, key,
                                              telegram_id, acts, additions, history)
    return targets, messages


def _why(report: Report, level: Level, zone: tzinfo, now: datetime) -> list[str]:
    """Why this reaches the reader at this level, and by when to pick it up."""
    lines = []
    if report.level > 0:
        before = report.chain[report.level - 1]
        lines.append(_("It reaches you because {targets} did not pick it up within "
                       "{timeout}.").format(
            targets=", ".join(target_label(t) for t in before.targets),
            timeout=format_timedelta(timedelta(seconds=before.timeout_seconds),
                                     locale=current_language())))
    deadline = now + timedelta(seconds=level.timeout_seconds)
    lines.append(_("Please pick it up before {deadline}; otherwise it goes further.").format(
        deadline=format_when(deadline, zone, current_language())))
    return lines


def _notification(services: Services, report: Report, complex_: Complex, level: Level,
                  key: str, telegram_id: int, acts: bool, additions: list[str],
                  history: str) -> list[Message]:
    zone = services.config.tz
    text = report_text(report, complex_, zone) + ("\n\n" + history if history else "")
    if acts:
        text += "\n\n" + "\n".join(_why(report, level, zone, services.clock.now()))
    if not acts:
        text += "\n\n" + _("For your information: {handlers} handle this report.").format(
            handlers=", ".join(target_label(t) for t in level.targets))
    if on_last_lap(report.lap):
        text += "\n\n" + _("Nobody acknowledged this report yet; it is being sent round "
                            "once more.")
    keyboard = action_keyboard(report.id) if acts else None
    messages = [Message(key, telegram_id, text, keyboard, shows=reporter_shown(report))]
    messages += [Message(f"{key}:add:{number}", telegram_id, _(
        "The reporter added to {reference}:\n{text}").format(
        reference=reference(report.id), text=html.escape(addition)))
        for number, addition in enumerate(additions, start=1)]
    if report.photo_file_id:
        messages.append(Message(f"{key}:photo", telegram_id, _(
            "Photo with report {reference}").format(reference=reference(report.id)),
            photo_file_id=report.photo_file_id))
    if report.latitude is not None and report.longitude is not None:
        messages.append(Message(f"{key}:map", telegram_id, _(
            "Location of report {reference}: "
            "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}").format(
            reference=reference(report.id), lat=report.latitude, lon=report.longitude)))
    return messages


async def _tell_operators(services: Services, report: Report, complex_: Complex,
                          key: str, render: Callable[[], str]) -> list[Message]:
    """An alert to each operator in their own language, with the report's summary and
    what they can do about it."""
    messages = []
    for operator in sorted(services.config.operators):
        with use_language(await language_for(services, operator)):
            messages.append(Message(f"{key}:{operator}", operator,
                                    summary_text(report, complex_) + "\n\n" + render(),
                                    operator_actions(report.id)))
    return messages


# -- climbing ---------------------------------------------------------------------------


async def advance(services: Services, report_id: int, *, reporter_told: bool = False) -> None:
    """Bring one report's ladder up to date: start its level, or climb past a deadline.

    A level with nobody behind it is skipped if a later level has someone; if none has,
    the report waits for someone to join, and the reporter and the operators are told
    (`reporter_told`: the caller tells the reporter itself, in its receipt).
    """
    async with services.db.unit():  # each step of the climb, or none
        await _advance(services, report_id, reporter_told)


async def _advance(services: Services, report_id: int, reporter_told: bool) -> None:
    repos = services.repos
    for _step in range(64):  # a chain is short; this only guards against a loop
        report = await repos.reports.get(report_id)
        complex_ = await repos.complexes.get(report.complex_id) if report else None
        if report is None or complex_ is None or report.status is ReportStatus.RESOLVED \
                or report.exhausted or report.acknowledged_by is not None or report.waiting:
            return
        level = report.current_level
        if level is None:
            return
        if not report.level_started:
            targets, messages = await level_messages(services, report, complex_, level)
            if any(target.acts for target in targets):
                await repos.reports.start_level(report, targets, messages,
                                                level.timeout_seconds)
                return
            if not await _anyone_ahead(services, report, complex_):
                await repos.reports.wait_for_targets(report, await _waiting_messages(
                    services, report, complex_, reporter_told))
                return
            await _missing_targets(services, report, complex_)
            await repos.reports.skip_level(report)
            continue
        if report.deadline_at is None or report.deadline_at > services.clock.now():
            return
        outcome = await repos.reports.climb(report, await _climb_alert(services, report,
                                                                        complex_))
        if outcome is Climb.EXHAUSTED:
            return


async def _anyone_at_levels(services: Services, report: Report, complex_: Complex,
                            levels: list[Level]) -> bool:
    """Someone other than the reporter to act at one of `levels`."""
    for level in levels:
        for target in level.targets:
            if any(person != report.reporter_id
                   for person, _name in await people_behind(services, complex_, target)):
                return True
    return False


async def _anyone_ahead(services: Services, report: Report, complex_: Complex) -> bool:
    """Someone to act at a level after the current one, on this lap."""
    return await _anyone_at_levels(services, report, complex_, report.chain[report.level + 1:])


async def _missing(services: Services, report: Report, complex_: Complex) -> list[str]:
    """The targets of this report's chain that nobody is behind, in chain order."""
    missing: list[str] = []
    for level in report.chain:
        for target in level.targets:
            people = await people_behind(services, complex_, target)
            if target not in missing and not any(p != report.reporter_id for p, _n in people):
                missing.append(target)
    return missing


def _missing_keyboard(report: Report, missing: list[str]) -> Rows:
    """An invite button per missing organisation, then what operators can do."""
    rows = [[button(_("Invite {organisation}").format(
        organisation=kind_label(ContactKind(target))),
        pack("ic", "keep", report.complex_id, target))]
        for target in missing if target in CONTACT_TARGETS]
    return rows + operator_actions(report.id)


def _missing_text(report: Report, complex_: Complex, missing: list[str], waits: bool) -> str:
    names = ", ".join(target_label(t) for t in missing)
    text = (_("Report {reference} in {complex} waits: nobody can be reached for {targets}. "
              "It goes out as soon as someone joins; invite them, or hand the report to "
              "someone.") if waits else
            _("Report {reference} in {complex} skipped a level: nobody can be reached for "
              "{targets}. Invite them so the next report reaches them.")).format(
        reference=reference(report.id), complex=html.escape(complex_.name), targets=names)
    return summary_text(report, complex_) + "\n\n" + text


async def _missing_targets(services: Services, report: Report, complex_: Complex) -> None:
    """Tell the operators once per report (and lap) which organisations are missing."""
    missing = await _missing(services, report, complex_)
    for operator in sorted(services.config.operators):
        with use_language(await language_for(services, operator)):
            await queue(services, outbox_keys.MISSING_TARGETS.of(report.id, report.lap, operator),
                        operator, _missing_text(report, complex_, missing, waits=False),
                        _missing_keyboard(report, missing))


async def _waiting_messages(services: Services, report: Report, complex_: Complex,
                            reporter_told: bool) -> list[Message]:
    missing = await _missing(services, report, complex_)
    messages = []
    for operator in sorted(services.config.operators):
        with use_language(await language_for(services, operator)):
            messages.append(Message(outbox_keys.WAITING.of(report.id, operator), operator,
                                    _missing_text(report, complex_, missing, waits=True),
                                    _missing_keyboard(report, missing)))
    if not reporter_told and report.reporter_id != GONE:
        with use_language(await language_for(services, report.reporter_id)):
            key = outbox_keys.WAITING.of(report.id, "reporter")
            messages.append(Message(key, report.reporter_id,
                                    waiting_notice(services.config, report.id)))
    return messages


async def reach_newcomers(services: Services, complex_id: int) -> None:
    """Someone joined or was promoted: waiting reports go out, and open levels reach them.

    Everyone the current level would reach now and did not yet gets it, once (the
    targets' UNIQUE row and the outbox key see to that).
    """
    repos = services.repos
    for report_id in await repos.reports.waiting_in(complex_id):
        await wake(services, report_id)
    for report_id in await repos.reports.unheld_in(complex_id):
        report = await repos.reports.get(report_id)
        complex_ = await repos.complexes.get(complex_id)
        level = report.current_level if report else None
        if report is None or complex_ is None or level is None:
            continue
        known = {t.telegram_id for t in await repos.reports.targets(report.id)
                 if (t.lap, t.level) == (report.lap, report.level)}
        targets, messages = await level_messages(services, report, complex_, level)
        new = [t for t in targets if t.telegram_id not in known]
        if new:
            keys = {t.outbox_key for t in new}
            await repos.reports.add_targets(report, new, [
                m for m in messages
                if any(m.key == key or m.key.startswith(key + ":") for key in keys)])


async def wake(services: Services, report_id: int) -> None:
    """A waiting report goes on its way if someone can now be reached for it."""
    report = await services.repos.reports.get(report_id)
    complex_ = await services.repos.complexes.get(report.complex_id) if report else None
    if report is None or complex_ is None:
        return
    if await _anyone_at_levels(services, report, complex_, report.chain[report.level:]):
        async with services.db.unit():  # no longer waiting, and on its way
            await services.repos.reports.stop_waiting(report_id)
            await advance(services, report_id)


async def _climb_alert(services: Services, report: Report, complex_: Complex
                       ) -> list[Message]:
    step = next_climb(report.lap, report.level, len(report.chain))
    if step is Climb.LEVEL:
        return []
    messages = []
    config = services.config
    if report.reporter_id != GONE:
        # The reporter should not wait for a pick-up that is slow in coming.
        with use_language(await language_for(services, report.reporter_id)):
            text = _("Nobody has picked up your report {reference} yet; I keep trying. If "
                     "anyone is in danger, call {emergency} now; for the police without "
                     "urgency: {police}.").format(reference=reference(report.id),
                                                  emergency=config.emergency_number,
                                                  police=config.police_number)
            messages.append(Message(outbox_keys.SLOW.of(report.id, report.lap), report.reporter_id,
                                    text))
    if step is Climb.LAP:
        key, alert = outbox_keys.LAP_ALERT.of(report.id), N_(
            "Nobody acknowledged report {reference} ({category}, {complex}) on any level. "
            "I am sending it round once more.")
    else:
        key, alert = outbox_keys.EXHAUSTED.of(report.id), N_(
            "Report {reference} ({category}, {complex}) is still not acknowledged after two "
            "rounds. Please make sure someone picks it up.")
    return messages + await _tell_operators(services, report, complex_, key, lambda: _(
        alert).format(reference=reference(report.id), category=category_label(report.category),
                      complex=html.escape(complex_.name)))


async def next_due(services: Services) -> datetime | None:
    return await services.repos.reports.next_deadline()


async def run_due(services: Services) -> None:
    """Reports whose level has not started or whose deadline passed; blocked targets."""
    reports = services.repos.reports
    for report_id in await reports.awaiting_acknowledgement():
        report = await reports.get(report_id)
        if report and await reports.current_level_unreachable(report):
            await reports.expire_unreachable(report)
    # Someone may have joined without the event reaching reach_newcomers (a crash between).
    for report_id in await reports.waiting_in():
        await wake(services, report_id)
    failures: list[Exception] = []
    for report_id in await reports.due_for_ladder():
        try:
            await advance(services, report_id)
        except Exception as exc:  # one broken report must not hold up the others
            log.exception("could not move report %s up its ladder", report_id)
            failures.append(exc)
    if failures:
        raise failures[0]
