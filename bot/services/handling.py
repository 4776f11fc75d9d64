"""What the people a report reached do with it: acknowledge, take over, forward, resolve
(with a note for the reporter), ask the reporter and pass on the answer, and what the
reporter adds. Each is one unit of work with the messages it owes the others; an
anonymous reporter's name, username and id never reach a handler: only the bot relays."""

import html
from collections.abc import Callable
from enum import Enum

from bot.clock import to_db
from bot.domain import outbox_keys
from bot.domain.button_data import pack
from bot.domain.models import ContactKind
from bot.domain.reports import GONE, reference
from bot.domain.routing import Level
from bot.domain.vocabulary import ReportStatus
from bot.i18n import _, use_language
from bot.services import Services
from bot.services.ladder import advance
from bot.services.outgoing import button, language_for, queue
from bot.services.report_texts import holder_name, organisation
from bot.storage.outbox import Message
from bot.storage.reports import Question, Report


class Taken(Enum):
    TAKEN = "taken"
    ALREADY_YOURS = "already yours"
    SOMEONE_ELSE = "someone else"
    MOVED = "moved"
    """The report changed hands meanwhile: the button no longer fits."""


class Refused(Enum):
    NOT_ASKED = "not asked"
    """The report was not sent to them to act on (or there is no such report)."""
    RESOLVED = "resolved"
    HELD = "held"
    """Someone else holds it: only the holder resolves or forwards it."""


async def refusal(services: Services, report: Report | None, me: int, *,
                  holding: bool = False) -> Refused | None:
    """Why `me` may not act on the report, if they may not: only those it was sent to act
    on it, and only while it is open; with `holding` (resolving, forwarding), only its
    holder, once someone holds it."""
    if report is None or not await services.repos.reports.is_actor(report.id, me):
        return Refused.NOT_ASKED
    if report.status is ReportStatus.RESOLVED:
        return Refused.RESOLVED
    return Refused.HELD if holding and held_by_another(report, me) else None


def held_by_another(report: Report, me: int) -> bool:
    """Someone else holds the report: only they resolve or forward it."""
    return report.acknowledged_by not in (None, me)


async def _others(services: Services, report: Report, telegram_id: int,
                  key: str, render: Callable[[str], str]) -> list[Message]:
    """A message to every other target asked to act so far; `render` gets the handler's name."""
    messages = []
    notified = {t.telegram_id for t in await services.repos.reports.targets(report.id)
                if t.acts}
    for other in sorted(notified - {telegram_id}):
        with use_language(await language_for(services, other)):
            who = await holder_name(services, report, telegram_id)
            messages.append(Message(f"{key}:{other}", other, render(who)))
    return messages


async def acknowledge(services: Services, report: Report, me: int) -> Taken:
    """`me` takes the report: the ladder stops, the others and the reporter are told."""
    messages = await _others(
        services, report, me, outbox_keys.ACKNOWLEDGED.of(report.id),
        lambda who: _("{who} took report {reference}.").format(who=who,
                                                               reference=reference(report.id)))
    if report.reporter_id != GONE:
        with use_language(await language_for(services, report.reporter_id)):
            key = outbox_keys.ACKNOWLEDGED.of(report.id) + ":reporter"
            messages.append(Message(key, report.reporter_id, _(
                "Your report {reference} was picked up ({organisation}).").format(
                reference=reference(report.id),
                organisation=await organisation(services, report, me))))
    if await services.repos.reports.acknowledge(report.id, me, messages):
        return Taken.TAKEN
    return Taken.ALREADY_YOURS if report.acknowledged_by == me else Taken.SOMEONE_ELSE


async def take_over(services: Services, report: Report, me: int) -> Taken:
    """`me` takes a report someone else holds; they are told."""
    previous = report.acknowledged_by
    if previous is None:
        return await acknowledge(services, report, me)
    if previous == me:
        return Taken.ALREADY_YOURS
    who = await holder_name(services, report, me)
    with use_language(await language_for(services, previous)):
        key = outbox_keys.TAKEN_OVER.of(report.id, to_db(services.clock.now()), previous)
        messages = [Message(key, previous, _("{who} took over report {reference} from you; it "
                                             "is theirs to resolve now.").format(
                                who=who, reference=reference(report.id)))]
    if not await services.repos.reports.acknowledge(report.id, me, messages,
                                                     held_by=previous):
        return Taken.MOVED
    return Taken.TAKEN


async def forward_kinds(services: Services, report: Report, me: int) -> list[ContactKind]:
    """The organisations this complex has contacts of, other than the forwarder's own."""
    contacts = await services.repos.people.contacts_of_complex(report.complex_id)
    mine = {c.kind for c in contacts if c.telegram_id == me}
    present = {c.kind for c in contacts}
    return [kind for kind in ContactKind if kind in present and kind not in mine]


async def forward(services: Services, report_id: int, kind: ContactKind, me: int
                  ) -> Refused | None:
    """The report goes to the contacts of `kind`, as a level of its own, at once; or why
    `me` may not forward it (now)."""
    async with services.db.unit():  # forwarded and sent on, together
        report = await services.repos.reports.get(report_id)
        if (refused := await refusal(services, report, me, holding=True)) is not None:
            return refused
        assert report is not None
        level = report.current_level or report.chain[-1]
        await services.repos.reports.forward(report, Level((kind.value,), (),
                                                           level.timeout_seconds))
        await advance(services, report_id)
    return None


async def resolve(services: Services, report: Report, me: int, note: str) -> bool:
    """`me` resolves the report; the reporter gets the note. False if someone else holds
    it, or it was resolved already. The resolver's draft ends with it."""
    messages = await _others(services, report, me, outbox_keys.RESOLVED.of(report.id),
                             lambda who: _("{who} resolved report {reference}.").format(
                                 who=who, reference=reference(report.id)))
    if report.reporter_id != GONE:
        with use_language(await language_for(services, report.reporter_id)):
            messages.append(Message(
                outbox_keys.RESOLVED.of(report.id) + ":reporter", report.reporter_id, _(
                "Your report {reference} is resolved ({organisation}). The note: {note}").format(
                reference=reference(report.id),
                organisation=await organisation(services, report, me),
                note=html.escape(note))))
    async with services.db.unit():
        resolved = await services.repos.reports.resolve(report.id, me, note, messages)
        await services.repos.drafts.clear(me)
    return resolved


async def ask(services: Services, report: Report, asker: int, question: str
              ) -> Refused | None:
    """Pass a handler's question on to the reporter, with a button to answer; or why the
    asker may not ask (now)."""
    with use_language(await language_for(services, report.reporter_id)):
        message = Message(
            outbox_keys.QUESTION.of("{question}"), report.reporter_id,
            _("A question about your report {reference} ({organisation}):\n{question}").format(
                reference=reference(report.id),
                organisation=await organisation(services, report, asker),
                question=html.escape(question)) + "\n\n" + _(
                "Just type your answer here, or reply to this message."),
            [[button(_("Answer"), pack("qa", detail="{question}"))]])
    async with services.db.unit():  # as the report is now: resolved meanwhile, nothing asked
        fresh = await services.repos.reports.get(report.id)
        if (refused := await refusal(services, fresh, asker)) is not None:
            return refused
        await services.repos.reports.ask(report.id, asker, question, message)
        await services.repos.drafts.clear(asker)
    return None


async def answer(services: Services, question: Question, reporter: int, text: str) -> bool:
    """The reporter's answer goes to who asked, if they still handle the report, else to
    who does; False if the question was answered before."""
    reports = services.repos.reports
    readers = ([question.asked_by] if await reports.is_actor(question.report_id,
                                                              question.asked_by)
               else await reports.actors(question.report_id))
    messages = []
    for reader in readers:
        with use_language(await language_for(services, reader)):
            messages.append(Message(outbox_keys.ANSWER.of(question.id, reader), reader, _(
                "The reporter of {reference} answers the question \"{question}\":\n"
                "{answer}").format(reference=reference(question.report_id),
                                   question=html.escape(question.question),
                                   answer=html.escape(text))))
    async with services.db.unit():
        answered = await reports.answer(question.id, text, messages)
        await services.repos.drafts.clear(reporter)
    return answered


async def add_information(services: Services, report: Report, reporter: int,
                          text: str) -> None:
    """What the reporter adds is kept and goes to whoever handles the report now."""
    reports = services.repos.reports
    async with services.db.unit():  # kept and passed on, together
        await reports.add_information(report.id, text)
        fresh = await reports.get(report.id)
        if fresh is not None:
            targets = await reports.targets(report.id)
            allowed = set(await reports.actors(report.id))
            current = {t.telegram_id for t in targets if t.acts and t.lap == fresh.lap
                       and t.level == fresh.level}
            people = ({fresh.acknowledged_by} if fresh.acknowledged_by in allowed
                      else current) & allowed
            count = len(await reports.additions(report.id))
            for telegram_id in sorted(people):
                with use_language(await language_for(services, telegram_id)):
                    await queue(services, outbox_keys.ADDITION.of(report.id, count, telegram_id),
                                telegram_id, _("The reporter added to {reference}:\n{text}")
                                .format(reference=reference(report.id),
                                        text=html.escape(text)))
        await services.repos.drafts.clear(reporter)
