"""The escalation ladder and what its targets do from Telegram.

Each level's targets get the report privately, with buttons: acknowledge, resolve (with a
note for the reporter), forward to another organisation, ask the reporter. The first
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
from telegram import InlineKeyboardButton, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.clock import to_db
from bot.context import BuurtnetContext
from bot.domain import outbox_keys
from bot.domain.activities import format_when
from bot.domain.button_data import parse_id
from bot.domain.labels import category_label, kind_label, kind_text, status_label, target_label
from bot.domain.ladder import Climb, next_climb, on_last_lap
from bot.domain.models import Complex, ContactKind, Draft
from bot.domain.reports import NOTE_MAX, QUESTION_MAX, SENSITIVE_CATEGORIES, reference, when_text
from bot.domain.routing import Level
from bot.domain.validation import InvalidInput, free_text
from bot.domain.vocabulary import CONTACT_TARGETS, ReportStatus
from bot.i18n import _, current_language, use_language
from bot.storage.outbox import Message, Shown
from bot.storage.reports import Question, Report, Target
from handlers.common import (
    Keyboard,
    language_for,
    markup,
    notify,
    pressed_record,
    reply,
    reply_lines,
    require_private,
    say_invalid,
    stale_button,
)
from handlers.conversation import Flow
from handlers.guards import initiated_complex

log = logging.getLogger(__name__)

RESOLVE_FLOW, ASK_FLOW, ANSWER_FLOW = "resolve", "ask", "answer"
QUEUE_BUTTONS = 40  # a button per report: Telegram allows 100 in a keyboard
GONE = 0
"""The reporter id of a report whose reporter used /forgetme."""


def _rows(keyboard: Keyboard | None) -> list[list[dict]] | None:
    return [[button.to_dict() for button in row] for row in keyboard] if keyboard else None


# -- who is behind a target --------------------------------------------------------------


async def people_behind(context: BuurtnetContext, complex_: Complex, target: str
                        ) -> list[tuple[int, str]]:
    """(telegram id, first name) of the people behind a routing target."""
    repos = context.repos
    if target in CONTACT_TARGETS:
        return [(c.telegram_id, c.first_name) for c in await repos.people.contacts_of_complex(
            complex_.id) if c.kind.value == target]
    if target == "committee" and not complex_.committee:
        return []
    return [(r.telegram_id, r.first_name) for r in await repos.people.initiators_of(complex_.id)]


# -- the messages ------------------------------------------------------------------------


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


def action_keyboard(report_id: int, *, acknowledged: bool = False) -> Keyboard:
    first = [InlineKeyboardButton(_("Resolve"), callback_data=f"es:res:{report_id}")]
    if not acknowledged:
        first.insert(0, InlineKeyboardButton(_("Acknowledge"),
                                             callback_data=f"es:ack:{report_id}"))
    return [
        first,
        [InlineKeyboardButton(_("Forward"), callback_data=f"es:fwd:{report_id}"),
         InlineKeyboardButton(_("Ask the reporter"), callback_data=f"es:ask:{report_id}")],
    ]


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


async def full_text(context: BuurtnetContext, report: Report, complex_: Complex) -> str:
    """The report with what was asked and answered about it: to act on at once."""
    history = history_text(await context.repos.reports.questions_of(report.id))
    text = report_text(report, complex_, context.config.tz)
    return text + "\n\n" + history if history else text


async def level_messages(
    context: BuurtnetContext, report: Report, complex_: Complex, level: Level,
) -> tuple[list[Target], list[Message]]:
    additions = await context.repos.reports.additions(report.id)
    history = history_text(await context.repos.reports.questions_of(report.id))
    targets: list[Target] = []
    messages: list[Message] = []
    seen: set[int] = {report.reporter_id}  # never send someone their own report
    for acts, names in ((True, level.targets), (False, level.inform)):
        for target in names:
            for telegram_id, _name in await people_behind(context, complex_, target):
                if telegram_id in seen:
                    continue
                seen.add(telegram_id)
                key = outbox_keys.escalation(report.id, report.lap, report.level, telegram_id)
                targets.append(Target(telegram_id, target, acts, report.lap, report.level, key))
                with use_language(await language_for(context, telegram_id)):
                    messages += _notification(report, complex_, level, key, telegram_id,
                                              acts, additions, context, history)
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


def _notification(report: Report, complex_: Complex, level: Level, key: str,
                  telegram_id: int, acts: bool, additions: list[str],
                  context: BuurtnetContext, history: str) -> list[Message]:
    zone = context.config.tz
    text = report_text(report, complex_, zone) + ("\n\n" + history if history else "")
    if acts:
        text += "\n\n" + "\n".join(_why(report, level, zone, context.clock.now()))
    if not acts:
        text += "\n\n" + _("For your information: {handlers} handle this report.").format(
            handlers=", ".join(target_label(t) for t in level.targets))
    if on_last_lap(report.lap):
        text += "\n\n" + _("Nobody acknowledged this report yet; it is being sent round "
                            "once more.")
    keyboard = _rows(action_keyboard(report.id)) if acts else None
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


def summary_text(report: Report, complex_: Complex) -> str:
    """One line an operator can place a report by; never who reported it."""
    text = _("<b>{reference}</b> · {kind}: {category} · {complex}").format(
        reference=reference(report.id), kind=kind_text(report.kind),
        category=category_label(report.category), complex=html.escape(complex_.name))
    return ("⚠️ " + text) if report.urgent else text


async def _tell_operators(context: BuurtnetContext, report: Report, complex_: Complex,
                          key: str, render: Callable[[], str]) -> list[Message]:
    """An alert to each operator in their own language, with the report's summary and
    what they can do about it."""
    messages = []
    for operator in sorted(context.config.operators):
        with use_language(await language_for(context, operator)):
            messages.append(Message(f"{key}:{operator}", operator,
                                    summary_text(report, complex_) + "\n\n" + render(),
                                    _rows(operator_actions(report.id))))
    return messages


# -- climbing ---------------------------------------------------------------------------


async def advance(context: BuurtnetContext, report_id: int, *,
                  reporter_told: bool = False) -> None:
    """Bring one report's ladder up to date: start its level, or climb past a deadline.

    A level with nobody behind it is skipped if a later level has someone; if none has,
    the report waits for someone to join, and the reporter and the operators are told
    (`reporter_told`: the caller tells the reporter itself, in its receipt).
    """
    async with context.services.db.unit():  # each step of the climb, or none
        await _advance(context, report_id, reporter_told)


async def _advance(context: BuurtnetContext, report_id: int, reporter_told: bool) -> None:
    repos = context.repos
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
            targets, messages = await level_messages(context, report, complex_, level)
            if any(target.acts for target in targets):
                await repos.reports.start_level(report, targets, messages,
                                                level.timeout_seconds)
                return
            if not await _anyone_ahead(context, report, complex_):
                await repos.reports.wait_for_targets(report, await _waiting_messages(
                    context, report, complex_, reporter_told))
                return
            await _missing_targets(context, report, complex_)
            await repos.reports.skip_level(report)
            continue
        if report.deadline_at is None or report.deadline_at > context.clock.now():
            return
        outcome = await repos.reports.climb(report, await _climb_alert(context, report,
                                                                        complex_))
        if outcome is Climb.EXHAUSTED:
            return


async def _anyone_ahead(context: BuurtnetContext, report: Report, complex_: Complex) -> bool:
    """Someone to act at a level after the current one, on this lap."""
    for level in report.chain[report.level + 1:]:
        for target in level.targets:
            if any(person != report.reporter_id
                   for person, _name in await people_behind(context, complex_, target)):
                return True
    return False


async def _missing(context: BuurtnetContext, report: Report, complex_: Complex) -> list[str]:
    """The targets of this report's chain that nobody is behind, in chain order."""
    missing: list[str] = []
    for level in report.chain:
        for target in level.targets:
            people = await people_behind(context, complex_, target)
            if target not in missing and not any(p != report.reporter_id for p, _n in people):
                missing.append(target)
    return missing


def _missing_keyboard(report: Report, missing: list[str]) -> Keyboard:
    """An invite button per missing organisation, then what operators can do."""
    rows = [[InlineKeyboardButton(
        _("Invite {organisation}").format(organisation=kind_label(ContactKind(target))),
        callback_data=f"ic:{report.complex_id}:{target}:keep")]
        for target in missing if target in CONTACT_TARGETS]
    return rows + list(operator_actions(report.id))


def operator_actions(report_id: int) -> Keyboard:
    return [[InlineKeyboardButton(_("Open"), callback_data=f"or:open:{report_id}"),
             InlineKeyboardButton(_("Resend"), callback_data=f"or:resend:{report_id}"),
             InlineKeyboardButton(_("Hand to…"), callback_data=f"or:hand:{report_id}")]]


def _missing_text(report: Report, complex_: Complex, missing: list[str], waits: bool) -> str:
    names = ", ".join(target_label(t) for t in missing)
    text = (_("Report {reference} in {complex} waits: nobody can be reached for {targets}. "
              "It goes out as soon as someone joins; invite them, or hand the report to "
              "someone.") if waits else
            _("Report {reference} in {complex} skipped a level: nobody can be reached for "
              "{targets}. Invite them so the next report reaches them.")).format(
        reference=reference(report.id), complex=html.escape(complex_.name), targets=names)
    return summary_text(report, complex_) + "\n\n" + text


async def _missing_targets(context: BuurtnetContext, report: Report, complex_: Complex
                           ) -> None:
    """Tell the operators once per report (and lap) which organisations are missing."""
    missing = await _missing(context, report, complex_)
    for operator in sorted(context.config.operators):
        with use_language(await language_for(context, operator)):
            await notify(context, f"missing:{report.id}:{report.lap}:{operator}", operator,
                         _missing_text(report, complex_, missing, waits=False),
                         _missing_keyboard(report, missing))


async def _waiting_messages(context: BuurtnetContext, report: Report, complex_: Complex,
                            reporter_told: bool) -> list[Message]:
    missing = await _missing(context, report, complex_)
    messages = []
    for operator in sorted(context.config.operators):
        with use_language(await language_for(context, operator)):
            messages.append(Message(f"waiting:{report.id}:{operator}", operator,
                                    _missing_text(report, complex_, missing, waits=True),
                                    _rows(_missing_keyboard(report, missing))))
    if not reporter_told and report.reporter_id != GONE:
        with use_language(await language_for(context, report.reporter_id)):
            messages.append(Message(f"waiting:{report.id}:reporter", report.reporter_id,
                                    waiting_notice(context, report.id)))
    return messages


def waiting_notice(context: BuurtnetContext, report_id: int) -> str:
    """What a reporter is told when nobody can be reached for their report yet."""
    return _("Nobody who can act on report {reference} can be reached yet: the contacts for "
             "this complex have not joined. The operators are told and are on it, and the "
             "report goes out as soon as someone joins. If it cannot wait, call {emergency} "
             "(emergency) or {police} (police, not urgent).").format(
        reference=reference(report_id), emergency=context.config.emergency_number,
        police=context.config.police_number)


async def reach_newcomers(context: BuurtnetContext, complex_id: int) -> None:
    """Someone joined or was promoted: waiting reports go out, and open levels reach them.

    Everyone the current level would reach now and did not yet gets it, once (the
    targets' UNIQUE row and the outbox key see to that).
    """
    repos = context.repos
    for report_id in await repos.reports.waiting_in(complex_id):
        await wake(context, report_id)
    for report_id in await repos.reports.unheld_in(complex_id):
        report = await repos.reports.get(report_id)
        complex_ = await repos.complexes.get(complex_id)
        level = report.current_level if report else None
        if report is None or complex_ is None or level is None:
            continue
        known = {t.telegram_id for t in await repos.reports.targets(report.id)
                 if (t.lap, t.level) == (report.lap, report.level)}
        targets, messages = await level_messages(context, report, complex_, level)
        new = [t for t in targets if t.telegram_id not in known]
        if new:
            keys = {t.outbox_key for t in new}
            await repos.reports.add_targets(report, new, [
                m for m in messages
                if any(m.key == key or m.key.startswith(key + ":") for key in keys)])


async def wake(context: BuurtnetContext, report_id: int) -> None:
    report = await context.repos.reports.get(report_id)
    complex_ = await context.repos.complexes.get(report.complex_id) if report else None
    if report is None or complex_ is None:
        return
    if await _anyone_at(context, report, complex_) or \
            await _anyone_ahead(context, report, complex_):
        async with context.services.db.unit():  # no longer waiting, and on its way
            await context.repos.reports.stop_waiting(report_id)
            await advance(context, report_id)


async def _anyone_at(context: BuurtnetContext, report: Report, complex_: Complex) -> bool:
    level = report.current_level
    for target in level.targets if level else ():
        if any(person != report.reporter_id
               for person, _name in await people_behind(context, complex_, target)):
            return True
    return False


async def _climb_alert(context: BuurtnetContext, report: Report, complex_: Complex
                       ) -> list[Message]:
    step = next_climb(report.lap, report.level, len(report.chain))
    if step is Climb.LEVEL:
        return []
    messages = []
    if report.reporter_id != GONE:
        # The reporter should not wait for a pick-up that is slow in coming.
        with use_language(await language_for(context, report.reporter_id)):
            messages.append(Message(f"slow:{report.id}:{report.lap}", report.reporter_id, _(
                "Nobody has picked up your report {reference} yet; I keep trying. If anyone "
                "is in danger, call {emergency} now; for the police without urgency: "
                "{police}.").format(reference=reference(report.id),
                                    emergency=context.config.emergency_number,
                                    police=context.config.police_number)))
    if step is Climb.LAP:
        return messages + await _tell_operators(context, report, complex_, f"lap:{report.id}",
                                                lambda: _(
            "Nobody acknowledged report {reference} ({category}, {complex}) on any level. "
            "I am sending it round once more.").format(
            reference=reference(report.id), category=category_label(report.category),
            complex=html.escape(complex_.name)))
    return messages + await _tell_operators(context, report, complex_,
                                            f"exhausted:{report.id}", lambda: _(
        "Report {reference} ({category}, {complex}) is still not acknowledged after two "
        "rounds. Please make sure someone picks it up.").format(
        reference=reference(report.id), category=category_label(report.category),
        complex=html.escape(complex_.name)))


async def next_due(context: BuurtnetContext) -> datetime | None:
    return await context.repos.reports.next_deadline()


async def run_due(context: BuurtnetContext) -> None:
    """Reports whose level has not started or whose deadline passed; blocked targets."""
    for report_id in await context.repos.reports.awaiting_acknowledgement():
        report = await context.repos.reports.get(report_id)
        if report and await context.repos.reports.current_level_unreachable(report):
            await context.repos.reports.expire_unreachable(report)
    # Someone may have joined without the event reaching reach_newcomers (a crash between).
    for report_id in await context.repos.reports.waiting_in():
        await wake(context, report_id)
    failures: list[Exception] = []
    for report_id in await context.repos.reports.due_for_ladder():
        try:
            await advance(context, report_id)
        except Exception as exc:  # one broken report must not hold up the others
            log.exception("could not move report %s up its ladder", report_id)
            failures.append(exc)
    if failures:
        raise failures[0]


# -- what targets do ----------------------------------------------------------------------


async def _acting_on(update: Update, context: BuurtnetContext, actions: tuple[str, ...]
                     ) -> tuple[Report, str, list[str]] | None:
    """The report a button is about, if the presser was asked to act on it."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    pieces = (query.data or "").split(":")
    report_id = parse_id(pieces[2]) if len(pieces) >= 3 else None
    if report_id is None or pieces[1] not in actions:
        await stale_button(query)
        return None
    report = await context.repos.reports.get(report_id)
    if report is None or not await context.repos.reports.is_actor(report.id,
                                                                   update.effective_user.id):
        await query.answer(_("Only the people this report was sent to can act on it."),
                           show_alert=True)
        return None
    if report.status is ReportStatus.RESOLVED:
        await query.answer(_("This report is resolved."), show_alert=True)
        await query.edit_message_reply_markup(None)
        return None
    return report, pieces[1], pieces[3:]


async def holder_name(context: BuurtnetContext, report: Report, telegram_id: int) -> str:
    """How a handler is named to others: first name and organisation."""
    for contact in await context.repos.people.contacts_of_complex(report.complex_id):
        if contact.telegram_id == telegram_id:
            return _("{name} ({organisation})").format(
                name=html.escape(contact.first_name), organisation=kind_label(contact.kind))
    resident = await context.repos.people.resident_of(telegram_id)
    name = html.escape(resident.first_name) if resident else "?"
    return _("{name} (initiator)").format(name=name)


async def _organisation(context: BuurtnetContext, report: Report, telegram_id: int) -> str:
    for contact in await context.repos.people.contacts_of_complex(report.complex_id):
        if contact.telegram_id == telegram_id:
            return kind_label(contact.kind)
    return _("the initiators")


async def _others(context: BuurtnetContext, report: Report, telegram_id: int,
                  key: str, render: Callable[[str], str]) -> list[Message]:
    """A message to every other target asked to act so far; `render` gets the handler's name."""
    messages = []
    notified = {t.telegram_id for t in await context.repos.reports.targets(report.id) if t.acts}
    for other in sorted(notified - {telegram_id}):
        with use_language(await language_for(context, other)):
            messages.append(Message(f"{key}:{other}", other,
                                    render(await holder_name(context, report, telegram_id))))
    return messages


async def on_action(update: Update, context: BuurtnetContext) -> None:
    found = await _acting_on(update, context, ("ack", "res", "fwd", "fw", "ask", "take",
                                               "open"))
    if found is None:
        return
    report, action, extra = found
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    me = update.effective_user.id
    held_by_other = report.acknowledged_by not in (None, me)
    if action == "open":
        complex_ = await context.repos.complexes.get(report.complex_id)
        assert complex_ is not None
        await query.answer()
        await reply(update, await full_text(context, report, complex_), action_keyboard(
            report.id, acknowledged=report.acknowledged_by is not None))
    elif action == "ack":
        await _acknowledge(update, context, report, me)
    elif action == "take":
        await _take_over(update, context, report, me)
    elif action in ("res", "fwd", "fw") and held_by_other:
        assert report.acknowledged_by is not None
        holder = await holder_name(context, report, report.acknowledged_by)
        await query.answer(_("{who} holds {reference}: only they can resolve or forward it.")
                           .format(who=html.unescape(holder), reference=reference(report.id)),
                           show_alert=True)
        await reply(update, _("{who} holds {reference}. Take it over if you handle it now; "
                              "they are told.").format(who=holder,
                                                       reference=reference(report.id)),
                    [[InlineKeyboardButton(_("Take over {reference}").format(
                        reference=reference(report.id)),
                        callback_data=f"es:take:{report.id}")]])
    elif action == "res":
        await context.repos.drafts.put(me, RESOLVE_FLOW, "note", {"report_id": report.id})
        await query.answer()
        await reply(update, _("How was {reference} resolved? Write a short note; I pass it on "
                              "to the reporter. (/cancel stops)").format(
            reference=reference(report.id)))
    elif action == "ask" and report.reporter_id == GONE:
        await query.answer(_("The reporter asked to be forgotten and can no longer be "
                             "reached."), show_alert=True)
    elif action == "ask":
        await context.repos.drafts.put(me, ASK_FLOW, "question", {"report_id": report.id})
        await query.answer()
        text = (_("What would you like to ask the reporter of {reference}? I pass it on "
                  "without telling you who they are, and bring back the answer. (/cancel "
                  "stops)") if report.anonymous else
                _("What would you like to ask the reporter of {reference}? I pass it on and "
                  "bring back the answer. (/cancel stops)"))
        await reply(update, text.format(reference=reference(report.id)))
    elif action == "fwd":
        kinds = await _forward_kinds(context, report, me)
        if not kinds:
            await query.answer(_("There is no other organisation to forward it to."),
                               show_alert=True)
            return
        await query.answer()
        await reply(update, _("Forward {reference} to:").format(reference=reference(report.id)),
                    [[InlineKeyboardButton(kind_label(kind),
                                           callback_data=f"es:fw:{report.id}:{kind.value}")]
                     for kind in kinds])
    elif len(extra) == 1 and extra[0] in CONTACT_TARGETS:
        if ContactKind(extra[0]) not in await _forward_kinds(context, report, me):
            await query.answer(_("This complex has no contact of that kind; the report stays "
                                 "with you."), show_alert=True)
            return
        await _forward(update, context, report, extra[0])
    else:
        await stale_button(query)


async def _acknowledge(update: Update, context: BuurtnetContext, report: Report,
                       me: int) -> None:
    query = update.callback_query
    assert query is not None
    messages = await _others(context, report, me, f"ack:{report.id}", lambda who: _(
        "{who} took report {reference}.").format(who=who, reference=reference(report.id)))
    if report.reporter_id != GONE:
        with use_language(await language_for(context, report.reporter_id)):
            organisation = await _organisation(context, report, me)
            messages.append(Message(f"ack:{report.id}:reporter", report.reporter_id, _(
                "Your report {reference} was picked up ({organisation}).").format(
                reference=reference(report.id), organisation=organisation)))
    if not await context.repos.reports.acknowledge(report.id, me, messages):
        await query.answer(_("You already took this report.") if report.acknowledged_by == me
                           else _("Someone already took this report."), show_alert=True)
        return
    await query.answer(_("You took {reference}.").format(reference=reference(report.id)))
    await query.edit_message_reply_markup(markup(action_keyboard(report.id, acknowledged=True)))


async def _take_over(update: Update, context: BuurtnetContext, report: Report,
                     me: int) -> None:
    query = update.callback_query
    assert query is not None
    previous = report.acknowledged_by
    if previous is None:
        await _acknowledge(update, context, report, me)
        return
    if previous == me:
        await query.answer(_("You already took this report."), show_alert=True)
        return
    who = await holder_name(context, report, me)
    with use_language(await language_for(context, previous)):
        messages = [Message(f"takeover:{report.id}:{to_db(context.clock.now())}:{previous}",
                            previous, _("{who} took over report {reference} from you; it is "
                                        "theirs to resolve now.").format(
                                who=who, reference=reference(report.id)))]
    if not await context.repos.reports.take_over(report.id, me, previous, messages):
        await stale_button(query)
        return
    await query.answer(_("You took {reference}.").format(reference=reference(report.id)))
    await query.edit_message_text(_("You hold {reference} now.").format(
        reference=reference(report.id)),
        reply_markup=markup(action_keyboard(report.id, acknowledged=True)))


async def _forward_kinds(context: BuurtnetContext, report: Report, me: int) -> list[ContactKind]:
    """The organisations this complex has contacts of, other than the forwarder's own."""
    contacts = await context.repos.people.contacts_of_complex(report.complex_id)
    mine = {c.kind for c in contacts if c.telegram_id == me}
    present = {c.kind for c in contacts}
    return [kind for kind in ContactKind if kind in present and kind not in mine]


async def _forward(update: Update, context: BuurtnetContext, report: Report, kind: str) -> None:
    query = update.callback_query
    assert query is not None
    async with context.services.db.unit():  # forwarded and sent on, together
        fresh = await context.repos.reports.get(report.id)
        if fresh is None:
            return
        level = fresh.current_level or fresh.chain[-1]
        await context.repos.reports.forward(fresh, Level((kind,), (), level.timeout_seconds))
        await advance(context, report.id)
    await query.answer()
    await query.edit_message_text(_("{reference} is forwarded ({organisation}).").format(
        reference=reference(report.id), organisation=kind_label(ContactKind(kind))))


async def on_resolve_note(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    report = await _draft_report(update, context, draft)
    if report is None:
        return
    try:
        note = free_text(update.effective_message.text if update.effective_message else None,
                           NOTE_MAX)
    except InvalidInput as error:
        await say_invalid(update, error)
        return
    me = draft.telegram_id
    messages = await _others(context, report, me, outbox_keys.resolved(report.id), lambda who: _(
        "{who} resolved report {reference}.").format(who=who, reference=reference(report.id)))
    if report.reporter_id != GONE:
        with use_language(await language_for(context, report.reporter_id)):
            messages.append(Message(
                outbox_keys.resolved(report.id) + ":reporter", report.reporter_id, _(
                "Your report {reference} is resolved ({organisation}). The note: {note}").format(
                reference=reference(report.id),
                organisation=await _organisation(context, report, me),
                note=html.escape(note))))
    # The resolution (and its messages) is stored first: it is what must not be lost.
    async with context.services.db.unit():
        resolved = await context.repos.reports.resolve(report.id, me, note, messages)
        await context.repos.drafts.clear(me)
    if not resolved:
        fresh = await context.repos.reports.get(report.id)
        if fresh is not None and fresh.status is not ReportStatus.RESOLVED \
                and fresh.acknowledged_by:
            await reply(update, _("{who} holds {reference} now, so your note was not passed "
                                  "on. Take the report over to resolve it.").format(
                who=await holder_name(context, fresh, fresh.acknowledged_by),
                reference=reference(report.id)),
                [[InlineKeyboardButton(_("Take over {reference}").format(
                    reference=reference(report.id)), callback_data=f"es:take:{report.id}")]])
            return
        await reply(update, _("This report is resolved."))
        return
    await reply(update, _("{reference} is resolved; the reporter is told.").format(
        reference=reference(report.id)))
    await _retire_buttons(context, report)


async def _retire_buttons(context: BuurtnetContext, report: Report) -> None:
    """A resolved report's buttons go: on every handler's copy, and "me too" in the group."""
    sent = [(t.telegram_id, t.outbox_key) for t in await context.repos.reports.targets(report.id)
            if t.acts]
    complex_ = await context.repos.complexes.get(report.complex_id)
    if report.shared_in_group and complex_ and complex_.group_chat_id is not None:
        sent.append((complex_.group_chat_id, outbox_keys.shared(report.id)))
    for chat_id, key in sent:
        message_id = await context.repos.outbox.message_id(key)
        if message_id is None:
            continue
        try:
            await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except TelegramError as error:  # deleted, or too old to edit: nothing to retire
            log.info("could not retire the buttons of %s: %s", key.split(":")[0], error)


async def on_question(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    report = await _draft_report(update, context, draft)
    if report is None:
        return
    try:
        question = free_text(update.effective_message.text if update.effective_message
                               else None, QUESTION_MAX)
    except InvalidInput as error:
        await say_invalid(update, error)
        return
    with use_language(await language_for(context, report.reporter_id)):
        message = Message(
            outbox_keys.question("{question}"), report.reporter_id,
            _("A question about your report {reference} ({organisation}):\n{question}").format(
                reference=reference(report.id),
                organisation=await _organisation(context, report, draft.telegram_id),
                question=html.escape(question)) + "\n\n" + _(
                "Just type your answer here, or reply to this message."),
            [[InlineKeyboardButton(_("Answer"), callback_data="qa:{question}").to_dict()]])
    async with context.services.db.unit():
        await context.repos.reports.ask(report.id, draft.telegram_id, question, message)
        await context.repos.drafts.clear(draft.telegram_id)
    await reply(update, _("Your question is passed on. I will bring you the answer."))


async def _draft_report(update: Update, context: BuurtnetContext, draft: Draft
                        ) -> Report | None:
    report = await context.repos.reports.get(draft.data["report_id"])
    if report is None or report.status is ReportStatus.RESOLVED or not await context.repos.reports.\
            is_actor(report.id, draft.telegram_id):
        await context.repos.drafts.clear(draft.telegram_id)
        await reply(update, _("This report is resolved."))
        return None
    return report


async def on_answer_button(update: Update, context: BuurtnetContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    found = await pressed_record(query, context.repos.reports.question)
    if found is None:
        return
    question = found[1]
    report = await context.repos.reports.get(question.report_id)
    if report is None or report.reporter_id != update.effective_user.id:
        await stale_button(query)
        return
    if question.answer is not None:
        await query.answer(_("You already answered."), show_alert=True)
        return
    await context.repos.drafts.put(update.effective_user.id, ANSWER_FLOW, "text",
                                   {"question_id": question.id})
    await query.answer()
    # Promises about the name only where they hold: a named report carries it already.
    await reply(update, _("Type your answer. Only the bot passes it on; your name is not "
                          "shared unless you write it. (/cancel stops)") if report.anonymous
                else _("Type your answer; I pass it on. (/cancel stops)"))


async def typed_answer(update: Update, context: BuurtnetContext) -> bool:
    """A reporter answers as people do in Telegram: by replying to the question, or by
    just typing while a question waits. True if the message was taken as an answer."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    question = None
    if message.reply_to_message is not None:
        key = await context.repos.outbox.key_of(user.id, message.reply_to_message.message_id)
        question_id = outbox_keys.question_of(key)
        question = (await context.repos.reports.question(question_id)
                    if question_id is not None else None)
        if question is not None and question.answer is not None:
            await reply(update, _("You already answered."))
            return True
    question = question or await context.repos.reports.open_question_of(user.id)
    if question is None:
        return False
    await on_answer_text(update, context, Draft(user.id, ANSWER_FLOW, "text",
                                                {"question_id": question.id}))
    return True


REPORT_COPIES = ("esc", "hand", "resend")
"""Outbox key prefixes of a handler's copy of a report: "esc:<report id>:…"."""


async def replied_question(update: Update, context: BuurtnetContext) -> bool:
    """A handler asks the reporter as people do in Telegram: by replying to their copy of
    the report, or to the reporter's answer. True if the message was taken as a question."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    if message.reply_to_message is None:
        return False
    key = await context.repos.outbox.key_of(user.id, message.reply_to_message.message_id)
    prefix, _separator, rest = (key or "").partition(":")
    number = parse_id(rest.split(":")[0])
    if number is None or prefix not in (*REPORT_COPIES, "answer"):
        return False
    if prefix == "answer":
        question = await context.repos.reports.question(number)
        if question is None:
            return False
        number = question.report_id
    report = await context.repos.reports.get(number)
    if report is not None and report.reporter_id == GONE:
        await reply(update, _("The reporter asked to be forgotten and can no longer be "
                              "reached."))
        return True
    await on_question(update, context, Draft(user.id, ASK_FLOW, "question",
                                             {"report_id": number}))
    return True


async def on_answer_text(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    question = await context.repos.reports.question(draft.data["question_id"])
    if question is None:
        await context.repos.drafts.clear(draft.telegram_id)
        return
    try:
        answer = free_text(update.effective_message.text if update.effective_message
                             else None, QUESTION_MAX)
    except InvalidInput as error:
        await say_invalid(update, error)
        return
    repos = context.repos
    # The answer goes to who asked, if they still handle the report; else to who does.
    readers = ([question.asked_by] if await repos.reports.is_actor(question.report_id,
                                                                   question.asked_by)
               else await repos.reports.actors(question.report_id))
    messages = []
    for reader in readers:
        with use_language(await language_for(context, reader)):
            messages.append(Message(outbox_keys.answer(question.id, reader), reader, _(
                "The reporter of {reference} answers the question \"{question}\":\n"
                "{answer}").format(reference=reference(question.report_id),
                                   question=html.escape(question.question),
                                   answer=html.escape(answer))))
    # The answer (and its messages) is stored first: it is what must not be lost.
    async with context.services.db.unit():
        answered = await repos.reports.answer(question.id, answer, messages)
        await repos.drafts.clear(draft.telegram_id)
    if not answered:
        await reply(update, _("You already answered."))
        return
    await reply(update, _("Thank you, your answer is passed on."))


async def pass_on_addition(context: BuurtnetContext, report: Report, text: str) -> None:
    """What the reporter added goes to whoever handles the report now."""
    fresh = await context.repos.reports.get(report.id)
    if fresh is None:
        return
    targets = await context.repos.reports.targets(report.id)
    allowed = set(await context.repos.reports.actors(report.id))
    current = {t.telegram_id for t in targets if t.acts and t.lap == fresh.lap
               and t.level == fresh.level}
    people = ({fresh.acknowledged_by} if fresh.acknowledged_by in allowed else current) & allowed
    count = len(await context.repos.reports.additions(report.id))
    for telegram_id in sorted(people):
        with use_language(await language_for(context, telegram_id)):
            key = outbox_keys.addition(report.id, count, telegram_id)
            await notify(context, key, telegram_id, _(
                "The reporter added to {reference}:\n{text}").format(
                reference=reference(report.id), text=html.escape(text)))


# -- overviews ---------------------------------------------------------------------------


def _age(report: Report, now: datetime) -> str:
    return format_timedelta(now - report.created_at, locale=current_language())


async def queue_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_private(update, context):
        return
    assert update.effective_user is not None
    reports = await context.repos.reports.queue_of(update.effective_user.id)
    if not reports:
        await reply(update, _("Nothing is waiting for you."))
        return
    now = context.clock.now()
    lines = []
    names: dict[int, str] = {}
    for report in reports:
        if report.complex_id not in names:
            complex_ = await context.repos.complexes.get(report.complex_id)
            names[report.complex_id] = html.escape(complex_.name) if complex_ else "?"
        state = (_("picked up") if report.acknowledged_by else
                 _("level {level} of {levels}").format(level=report.level + 1,
                                                      levels=len(report.chain)))
        lines.append(_("<b>{reference}</b> · {complex} · {category} · {age} old · {state} · "
                       "me too: {count}").format(
            reference=reference(report.id), complex=names[report.complex_id],
            category=category_label(report.category), age=_age(report, now), state=state,
            count=report.me_too))
    buttons = [InlineKeyboardButton(reference(report.id), callback_data=f"es:open:{report.id}")
               for report in reports[:QUEUE_BUTTONS]]
    await reply_lines(update, _("<b>Waiting for you</b> (press one to open it):"), lines,
                      [buttons[i:i + 4] for i in range(0, len(buttons), 4)])


async def reports_command(update: Update, context: BuurtnetContext) -> None:
    """Initiators: their complex's reports, without reporters or sensitive details."""
    if not await require_private(update, context):
        return
    complex_ = await initiated_complex(update, context)
    if complex_ is None:
        return
    reports = await context.repos.reports.of_complex(complex_.id)
    if not reports:
        await reply(update, _("There are no reports from your complex yet."))
        return
    lines = []
    for report in reports:
        line = _("<b>{reference}</b> · {kind}: {category} · {status}").format(
            reference=reference(report.id), kind=kind_text(report.kind),
            category=category_label(report.category),
            status=status_label(report.status))
        if report.category in SENSITIVE_CATEGORIES:
            line += " · " + _("details only for the professionals handling it")
        elif report.me_too:
            line += " · " + _("me too: {count}").format(count=report.me_too)
        lines.append(line)
    await reply_lines(update, _("<b>Reports of {complex}</b>, newest first:").format(
        complex=html.escape(complex_.name)), lines)


def flows() -> list[Flow]:
    """This feature's guided conversations."""
    return [Flow(RESOLVE_FLOW, on_resolve_note), Flow(ASK_FLOW, on_question),
            Flow(ANSWER_FLOW, on_answer_text)]


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_action, pattern=r"^es:"),
        CallbackQueryHandler(on_answer_button, pattern=r"^qa:"),
        CommandHandler("queue", queue_command),
        CommandHandler("reports", reports_command),
    ]
