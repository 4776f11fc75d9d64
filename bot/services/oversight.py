"""What operators do with a report nobody picks up: send its level round again, or hand it
to a chosen contact or initiator of its complex. Each is one write with the messages it
queues; an anonymous reporter stays anonymous in every copy."""

from dataclasses import dataclass
from enum import Enum

from bot.clock import to_db
from bot.domain import outbox_keys
from bot.domain.labels import kind_label
from bot.domain.models import Complex
from bot.i18n import N_, _, use_language
from bot.services import Services, ladder
from bot.services.outgoing import language_for
from bot.services.report_texts import action_keyboard, full_text, reporter_shown
from bot.storage.outbox import Message
from bot.storage.reports import Report, Target


@dataclass(frozen=True)
class Taker:
    """Someone who could take a report: a contact of its complex or an initiator there."""

    telegram_id: int
    target: str
    """Their routing target ("police", "initiators"…)."""
    label: str


async def takers(services: Services, report: Report, complex_: Complex) -> list[Taker]:
    """Everyone in the report's complex who could take it, its reporter aside."""
    people = services.repos.people
    found = [Taker(c.telegram_id, c.kind.value, f"{c.first_name} ({kind_label(c.kind)})")
             for c in await people.contacts_of_complex(complex_.id)]
    found += [Taker(r.telegram_id, "initiators",
                    _("{name} (initiator)").format(name=r.first_name))
              for r in await people.initiators_of(complex_.id)]
    return [taker for taker in found if taker.telegram_id != report.reporter_id]


async def _copy(services: Services, report: Report, complex_: Complex, key: str,
                telegram_id: int, why: str) -> Message:
    """The report as a handler sees it, with what to do with it, under `why`."""
    with use_language(await language_for(services, telegram_id)):
        return Message(
            key, telegram_id, _(why) + "\n\n" + await full_text(services, report, complex_),
            action_keyboard(report.id, acknowledged=report.acknowledged_by is not None),
            shows=reporter_shown(report))


class Handed(Enum):
    HANDED = "handed"
    NOT_A_TAKER = "not a taker"
    """The chosen person can no longer take reports in this complex."""
    CHANGED = "changed"
    """The report moved on meanwhile: the choice no longer fits."""


async def hand(services: Services, report: Report, complex_: Complex, telegram_id: int
               ) -> tuple[Handed, Taker | None]:
    """Hand the report to `telegram_id` at its current level, as a target who acts."""
    taker = next((t for t in await takers(services, report, complex_)
                  if t.telegram_id == telegram_id), None)
    if taker is None:
        return Handed.NOT_A_TAKER, None
    key = outbox_keys.HANDED.of(report.id, to_db(services.clock.now()), telegram_id)
    message = await _copy(services, report, complex_, key, telegram_id,
                          N_("The operators hand this report to you."))
    level = report.current_level or report.chain[-1]
    target = Target(telegram_id, taker.target, True, report.lap, report.level, key)
    if not await services.repos.reports.hand_to(report, target, [message],
                                                level.timeout_seconds):
        return Handed.CHANGED, taker
    return Handed.HANDED, taker


class Resent(Enum):
    SENT = "sent"
    """It was waiting for someone to reach, and now reached them."""
    SENT_AGAIN = "sent again"
    STILL_WAITING = "still waiting"
    NOBODY = "nobody"
    """Nobody is behind its current level now."""


async def resend(services: Services, report: Report, complex_: Complex) -> Resent:
    """Send the current level round again: to everyone behind it now, and to whoever was
    handed the report at this level and may still act on it."""
    reports = services.repos.reports
    if report.waiting:
        await ladder.wake(services, report.id)
        fresh = await reports.get(report.id)
        return Resent.STILL_WAITING if fresh is not None and fresh.waiting else Resent.SENT
    level = report.current_level or report.chain[-1]
    targets, _messages = await ladder.level_messages(services, report, complex_, level)
    acting = {t.telegram_id: t for t in await reports.targets(report.id)
              if t.acts and (t.lap, t.level) == (report.lap, report.level)
              and await reports.is_actor(report.id, t.telegram_id)}
    acting.update({t.telegram_id: t for t in targets if t.acts})
    if not acting:
        return Resent.NOBODY
    moment = to_db(services.clock.now())
    resent = [await _copy(services, report, complex_,
                          outbox_keys.RESENT.of(report.id, moment, target.telegram_id),
                          target.telegram_id, N_("Sent again by the operators."))
              for target in acting.values()]
    again = [Target(t.telegram_id, t.target, True, report.lap, report.level, m.key)
             for t, m in zip(acting.values(), resent, strict=True)]
    await reports.add_targets_again(report, again, resent)
    return Resent.SENT_AGAIN
