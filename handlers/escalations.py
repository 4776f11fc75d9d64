"""What the targets of the escalation ladder do from Telegram (bot/services/ladder.py
climbs it): acknowledge, take over, resolve (with a note for the reporter), forward to
another organisation, ask the reporter and bring back the answer; and their overviews.

An anonymous reporter's name, username and id never reach a target: only the bot relays.
"""

import html
import logging
from datetime import datetime

from babel.dates import format_timedelta
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain import outbox_keys
from bot.domain.button_data import ButtonData, pattern, unpack
from bot.domain.labels import category_label, kind_label, kind_text, status_label
from bot.domain.models import ContactKind, Draft
from bot.domain.reports import (
    GONE,
    NOTE_MAX,
    QUESTION_MAX,
    SENSITIVE_CATEGORIES,
    reference,
)
from bot.domain.validation import free_text
from bot.domain.vocabulary import CONTACT_TARGETS, ReportStatus
from bot.i18n import N_, _, current_language
from bot.services import handling
from bot.services.handling import Taken
from bot.services.report_texts import action_keyboard, full_text, holder_name
from bot.storage.reports import Report
from handlers.common import (
    Keyboard,
    choice,
    keyboard_of,
    listed,
    markup,
    parsed_text,
    pressed,
    pressed_record,
    reply,
    reply_lines,
    stale_button,
)
from handlers.conversation import Flow
from handlers.guards import initiated_complex

log = logging.getLogger(__name__)

RESOLVE_FLOW, ASK_FLOW, ANSWER_FLOW = "resolve", "ask", "answer"
REFUSALS = {
    handling.Refused.NOT_ASKED: N_("Only the people this report was sent to can act on it."),
    handling.Refused.RESOLVED: N_("This report is resolved."),
}
QUEUE_BUTTONS = 40  # a button per report: Telegram allows 100 in a keyboard
# -- what targets do ----------------------------------------------------------------------


async def _acting_on(update: Update, context: BuurtnetContext
                     ) -> tuple[Report, ButtonData] | None:
    """The report a button is about, if the presser was asked to act on it."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = unpack(query.data, ("fw",), with_id=True, detail=CONTACT_TARGETS) or \
        await pressed(query, ("ack", "res", "fwd", "ask", "take", "open"), with_id=True)
    if button is None or button.id is None:
        return None
    report = await context.repos.reports.get(button.id)
    refused = await handling.refusal(context.services, report, update.effective_user.id)
    if refused is not None or report is None:
        await query.answer(_(REFUSALS[refused or handling.Refused.NOT_ASKED]), show_alert=True)
        if refused is handling.Refused.RESOLVED:
            await query.edit_message_reply_markup(None)
        return None
    return report, button


async def on_action(update: Update, context: BuurtnetContext) -> None:
    found = await _acting_on(update, context)
    if found is None:
        return
    report, button = found
    action = button.verb
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    me = update.effective_user.id
    held_by_other = handling.held_by_another(report, me)  # the rest _acting_on checked
    if action == "open":
        complex_ = await context.repos.complexes.get(report.complex_id)
        assert complex_ is not None
        await query.answer()
        await reply(update, await full_text(context.services, report, complex_),
                    keyboard_of(action_keyboard(report.id,
                                                acknowledged=report.acknowledged_by is not None)))
    elif action == "ack":
        await _acknowledge(update, context, report, me)
    elif action == "take":
        await _take_over(update, context, report, me)
    elif action in ("res", "fwd", "fw") and held_by_other:
        assert report.acknowledged_by is not None
        holder = await holder_name(context.services, report, report.acknowledged_by)
        await query.answer(_("{who} holds {reference}: only they can resolve or forward it.")
                           .format(who=html.unescape(holder), reference=reference(report.id)),
                           show_alert=True)
        await reply(update, _("{who} holds {reference}. Take it over if you handle it now; "
                              "they are told.").format(who=holder,
                                                       reference=reference(report.id)),
                    [[choice(_("Take over {reference}").format(
                        reference=reference(report.id)), "es", "take", report.id)]])
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
        kinds = await handling.forward_kinds(context.services, report, me)
        if not kinds:
            await query.answer(_("There is no other organisation to forward it to."),
                               show_alert=True)
            return
        await query.answer()
        await reply(update, _("Forward {reference} to:").format(reference=reference(report.id)),
                    [[choice(kind_label(kind), "es", "fw", report.id, kind.value)]
                     for kind in kinds])
    else:  # "fw", with the organisation as its detail
        assert button.detail is not None
        kind = ContactKind(button.detail)
        if kind not in await handling.forward_kinds(context.services, report, me):
            await query.answer(_("This complex has no contact of that kind; the report stays "
                                 "with you."), show_alert=True)
            return
        await _forward(update, context, report, kind)


async def _acknowledge(update: Update, context: BuurtnetContext, report: Report,
                       me: int) -> None:
    query = update.callback_query
    assert query is not None
    taken = await handling.acknowledge(context.services, report, me)
    if taken is not Taken.TAKEN:
        await query.answer(_("You already took this report.") if taken is Taken.ALREADY_YOURS
                           else _("Someone already took this report."), show_alert=True)
        return
    await query.answer(_("You took {reference}.").format(reference=reference(report.id)))
    await query.edit_message_reply_markup(markup(_actions(report.id)))


def _actions(report_id: int) -> Keyboard:
    """The buttons of a report that is picked up."""
    return keyboard_of(action_keyboard(report_id, acknowledged=True))


async def _take_over(update: Update, context: BuurtnetContext, report: Report,
                     me: int) -> None:
    query = update.callback_query
    assert query is not None
    if report.acknowledged_by is None:
        await _acknowledge(update, context, report, me)
        return
    taken = await handling.take_over(context.services, report, me)
    if taken is Taken.ALREADY_YOURS:
        await query.answer(_("You already took this report."), show_alert=True)
        return
    if taken is not Taken.TAKEN:
        await stale_button(query)
        return
    await query.answer(_("You took {reference}.").format(reference=reference(report.id)))
    await query.edit_message_text(_("You hold {reference} now.").format(
        reference=reference(report.id)), reply_markup=markup(_actions(report.id)))


async def _forward(update: Update, context: BuurtnetContext, report: Report,
                   kind: ContactKind) -> None:
    query = update.callback_query
    assert query is not None
    if await handling.forward(context.services, report.id, kind, query.from_user.id) is not None:
        await stale_button(query)  # resolved or taken meanwhile
        return
    await query.answer()
    await query.edit_message_text(_("{reference} is forwarded ({organisation}).").format(
        reference=reference(report.id), organisation=kind_label(kind)))


async def on_resolve_note(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    found = await _typed_about(update, context, draft, NOTE_MAX)
    if found is None:
        return
    report, note = found
    me = draft.telegram_id
    # The resolution (and its messages) is stored first: it is what must not be lost.
    resolved = await handling.resolve(context.services, report, me, note)
    if not resolved:
        fresh = await context.repos.reports.get(report.id)
        if fresh is not None and fresh.status is not ReportStatus.RESOLVED \
                and fresh.acknowledged_by:
            await reply(update, _("{who} holds {reference} now, so your note was not passed "
                                  "on. Take the report over to resolve it.").format(
                who=await holder_name(context.services, fresh, fresh.acknowledged_by),
                reference=reference(report.id)),
                [[choice(_("Take over {reference}").format(
                    reference=reference(report.id)), "es", "take", report.id)]])
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
        sent.append((complex_.group_chat_id, outbox_keys.SHARED.of(report.id)))
    for chat_id, key in sent:
        message_id = await context.repos.outbox.message_id(key)
        if message_id is None:
            continue
        try:
            await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except TelegramError as error:  # deleted, or too old to edit: nothing to retire
            log.info("could not retire the buttons of %s: %s", key.split(":")[0], error)


async def on_question(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    found = await _typed_about(update, context, draft, QUESTION_MAX)
    if found is None:
        return
    report, question = found
    if (refused := await handling.ask(context.services, report, draft.telegram_id,
                                      question)) is not None:  # resolved meanwhile
        await reply(update, _(REFUSALS[refused]))
        return
    await reply(update, _("Your question is passed on. I will bring you the answer."))


async def _typed_about(update: Update, context: BuurtnetContext, draft: Draft, limit: int
                      ) -> tuple[Report, str] | None:
    """The report a typed note or question is about, if its writer may still act on it,
    and the text; None after saying why not."""
    report = await context.repos.reports.get(draft.data["report_id"])
    refused = await handling.refusal(context.services, report, draft.telegram_id)
    if refused is None and report is not None:
        text = await parsed_text(update, lambda text: free_text(text, limit))
        return None if text is None else (report, text)
    await context.repos.drafts.clear(draft.telegram_id)
    await reply(update, _(REFUSALS[refused or handling.Refused.NOT_ASKED]))
    return None


async def on_answer_button(update: Update, context: BuurtnetContext) -> None:
    found = await pressed_record(update, context.repos.reports.question)
    if found is None:
        return
    query, question = found.query, found.record
    report = await context.repos.reports.get(question.report_id)
    if report is None or report.reporter_id != found.by:
        await stale_button(query)
        return
    if question.answer is not None:
        await query.answer(_("You already answered."), show_alert=True)
        return
    await context.repos.drafts.put(found.by, ANSWER_FLOW, "text",
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
        if outbox_keys.report_of_copy(key) is not None or \
                outbox_keys.ANSWER.first_id(key) is not None:
            return False  # a handler replying to a report's copy or an answer: they ask
        question_id = outbox_keys.QUESTION.first_id(key)
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


async def replied_question(update: Update, context: BuurtnetContext) -> bool:
    """A handler asks the reporter as people do in Telegram: by replying to their copy of
    the report, or to the reporter's answer. True if the message was taken as a question."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    if message.reply_to_message is None:
        return False
    key = await context.repos.outbox.key_of(user.id, message.reply_to_message.message_id)
    number = outbox_keys.report_of_copy(key)
    if (question_id := outbox_keys.ANSWER.first_id(key)) is not None:
        question = await context.repos.reports.question(question_id)
        number = question.report_id if question is not None else None
    if number is None:
        return False
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
    answer = await parsed_text(update, lambda text: free_text(text, QUESTION_MAX))
    if answer is None:
        return
    # The answer (and its messages) is stored first: it is what must not be lost.
    answered = await handling.answer(context.services, question, draft.telegram_id, answer)
    if not answered:
        await reply(update, _("You already answered."))
        return
    await reply(update, _("Thank you, your answer is passed on."))


# -- overviews ---------------------------------------------------------------------------


def _age(report: Report, now: datetime) -> str:
    return format_timedelta(now - report.created_at, locale=current_language())


async def queue_command(update: Update, context: BuurtnetContext) -> None:
    reports = await listed(update, context, context.repos.reports.queue_of,
                           _("Nothing is waiting for you."))
    if reports is None:
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
    buttons = [choice(reference(report.id), "es", "open", report.id)
               for report in reports[:QUEUE_BUTTONS]]
    await reply_lines(update, _("<b>Waiting for you</b> (press one to open it):"), lines,
                      [buttons[i:i + 4] for i in range(0, len(buttons), 4)])


async def reports_command(update: Update, context: BuurtnetContext) -> None:
    """Initiators: their complex's reports, without reporters or sensitive details."""
    complex_ = await initiated_complex(update, context, in_private=True)
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
        CallbackQueryHandler(on_action, pattern=pattern("es")),
        CallbackQueryHandler(on_answer_button, pattern=pattern("qa")),
        CommandHandler("queue", queue_command),
        CommandHandler("reports", reports_command),
    ]
