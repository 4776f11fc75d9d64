"""How a report reads to the people who handle it, in the reader's language (the caller
sets it): self-contained, with absolute times, and never who reported it anonymously."""

import html
from datetime import tzinfo

from bot.config import Config
from bot.domain.activities import format_when
from bot.domain.button_data import pack
from bot.domain.labels import category_label, kind_label, kind_text
from bot.domain.models import Complex
from bot.domain.reports import reference, when_text
from bot.i18n import _, current_language
from bot.services import Services
from bot.services.outgoing import Rows, button
from bot.storage.outbox import Shown
from bot.storage.reports import Question, Report


def report_text(report: Report, complex_: Complex, zone: tzinfo) -> str:
    """At most about 2,500 characters: added information goes in messages of its own.

    Self-contained: a professional acts on it without scrolling back; times are absolute,
    in the reader's language."""
    lines = [_("<b>Report {reference}</b> · {kind}: {category}").format(
        reference=reference(report.id), kind=kind_text(report.kind),
        category=category_label(report.category))]
    if report.urgent:
        lines.append(_("⚠️ Urgent: happening now, violence, or a sexual offence."))
    lines += [
        _("Complex: {complex}").format(complex=html.escape(complex_.name)),
        _("Reported: {moment}").format(moment=format_when(report.created_at, zone,
                                                          current_language())),
        _("When: {when}").format(when=html.escape(when_text(report.occurred,
                                                            report.created_at, zone))),
        _("Where: {where}").format(where=html.escape(report.place) if report.place
                                   else _("see the location below") if report.latitude
                                   is not None else "—"),
        _("What: {what}").format(what=html.escape(report.description)),
    ]
    lines.append(_reported_by(report.reporter_name) if report.reporter_name
                 else _("Reported anonymously"))
    if report.me_too:
        lines.append(_("Neighbours who said \"me too\": {count}").format(count=report.me_too))
    return "\n".join(lines)


def _reported_by(name: str) -> str:
    return _("Reported by: {name}").format(name=html.escape(name))


def reporter_shown(report: Report) -> tuple[Shown, ...]:
    """A named reporter as the report's text shows them, so /forgetme can take them out
    of the copies kept by the people who handle it."""
    if not report.reporter_name:
        return ()
    return (Shown(report.reporter_id, _reported_by(report.reporter_name),
                  _("Reported by: someone who has since asked to be forgotten")),)


def action_keyboard(report_id: int, *, acknowledged: bool = False) -> Rows:
    first = [button(_("Resolve"), pack("es", "res", report_id))]
    if not acknowledged:
        first.insert(0, button(_("Acknowledge"), pack("es", "ack", report_id)))
    return [
        first,
        [button(_("Forward"), pack("es", "fwd", report_id)),
         button(_("Ask the reporter"), pack("es", "ask", report_id))],
    ]


def operator_actions(report_id: int) -> Rows:
    return [[button(_("Open"), pack("or", "open", report_id)),
             button(_("Resend"), pack("or", "resend", report_id)),
             button(_("Hand to…"), pack("or", "hand", report_id))]]


def history_text(questions: list[Question]) -> str:
    """What was asked and answered so far, for whoever gets the report next."""
    if not questions:
        return ""
    lines = [_("<b>Asked so far</b>:")]
    for question in questions:
        lines.append(_("Q: {question}").format(question=html.escape(question.question)))
        lines.append(_("A: {answer}").format(answer=html.escape(question.answer))
                     if question.answer is not None else _("A: (no answer yet)"))
    return "\n".join(lines)


async def full_text(services: Services, report: Report, complex_: Complex) -> str:
    """The report with what was asked and answered about it: to act on at once."""
    history = history_text(await services.repos.reports.questions_of(report.id))
    text = report_text(report, complex_, services.config.tz)
    return text + "\n\n" + history if history else text


def summary_text(report: Report, complex_: Complex) -> str:
    """One line an operator can place a report by; never who reported it."""
    text = _("<b>{reference}</b> · {kind}: {category} · {complex}").format(
        reference=reference(report.id), kind=kind_text(report.kind),
        category=category_label(report.category), complex=html.escape(complex_.name))
    return ("⚠️ " + text) if report.urgent else text


def waiting_notice(config: Config, report_id: int) -> str:
    """What a reporter is told when nobody can be reached for their report yet."""
    return _("Nobody who can act on report {reference} can be reached yet: the contacts for "
             "this complex have not joined. The operators are told and are on it, and the "
             "report goes out as soon as someone joins. If it cannot wait, call {emergency} "
             "(emergency) or {police} (police, not urgent).").format(
        reference=reference(report_id), emergency=config.emergency_number,
        police=config.police_number)


async def holder_name(services: Services, report: Report, telegram_id: int) -> str:
    """How a handler is named to others: first name and organisation."""
    for contact in await services.repos.people.contacts_of_complex(report.complex_id):
        if contact.telegram_id == telegram_id:
            return _("{name} ({organisation})").format(
                name=html.escape(contact.first_name), organisation=kind_label(contact.kind))
    resident = await services.repos.people.resident_of(telegram_id)
    name = html.escape(resident.first_name) if resident else "?"
    return _("{name} (initiator)").format(name=name)


async def organisation(services: Services, report: Report, telegram_id: int) -> str:
    """What a handler is to the reporter: their organisation, or the initiators."""
    for contact in await services.repos.people.contacts_of_complex(report.complex_id):
        if contact.telegram_id == telegram_id:
            return kind_label(contact.kind)
    return _("the initiators")
