"""/openreports: the operators' view of every report not yet resolved, across complexes.

An operator opens a report as a contact would see it (never with an anonymous reporter's
identity), sends its current level round again, or hands it to a chosen contact or
initiator of its complex. The alerts operators get about a report carry the same buttons.
"""

import html
from datetime import datetime

from babel.dates import format_timedelta
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain.button_data import is_id, parse_id, pattern, unpack
from bot.domain.labels import category_label
from bot.domain.models import Complex
from bot.domain.reports import reference
from bot.domain.vocabulary import ReportStatus
from bot.i18n import _, current_language
from bot.services import oversight
from bot.services.report_texts import (
    full_text,
    holder_name,
    operator_actions,
)
from bot.storage.reports import Report
from handlers.common import (
    choice,
    keyboard_of,
    pressed,
    reply,
    reply_lines,
    require_private,
    stale_button,
)
from handlers.guards import operators_only

LIST_MAX = 25  # lines of about 80 characters: one message, well under Telegram's 4,096


async def _state(context: BuurtnetContext, report: Report) -> str:
    if report.waiting:
        return _("waits: nobody to send it to")
    if report.exhausted:
        return _("not picked up after two rounds")
    if report.acknowledged_by is not None:
        return _("held by {who}").format(
            who=await holder_name(context.services, report, report.acknowledged_by))
    return _("level {level} of {levels}, not picked up").format(
        level=report.level + 1, levels=len(report.chain))


def _age(report: Report, now: datetime) -> str:
    return format_timedelta(now - report.created_at, locale=current_language())


async def openreports_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_private(update, context) or not await operators_only(update, context):
        return
    repos = context.repos
    reports = await repos.reports.open_overview(LIST_MAX)
    if not reports:
        await reply(update, _("No report is open anywhere."))
        return
    now = context.clock.now()
    lines = [_("<b>Open reports</b>, the least looked-after first:")]
    complexes: dict[int, Complex | None] = {}
    for report in reports:
        if report.complex_id not in complexes:
            complexes[report.complex_id] = await repos.complexes.get(report.complex_id)
        complex_ = complexes[report.complex_id]
        lines.append(_("<b>{reference}</b> · {complex} · {category} · {age} old · {state}")
                     .format(reference=reference(report.id),
                             complex=html.escape(complex_.name) if complex_ else "?",
                             category=category_label(report.category),
                             age=_age(report, now), state=await _state(context, report)))
    total = await repos.reports.count_open()
    if total > len(reports):
        lines.append(_("… and {count} more").format(count=total - len(reports)))
    buttons = [choice(reference(report.id), "or", "open", report.id)
               for report in reports]
    await reply_lines(update, lines[0], lines[1:],
                      [buttons[i:i + 4] for i in range(0, len(buttons), 4)])


async def on_button(update: Update, context: BuurtnetContext) -> None:
    query = update.callback_query
    assert query is not None
    if not await operators_only(update, context):
        return
    button = unpack(query.data, ("to",), with_id=True, detail=is_id) or \
        await pressed(query, ("open", "resend", "hand"), with_id=True)
    if button is None or button.id is None:
        return
    report = await context.repos.reports.get(button.id)
    complex_ = await context.repos.complexes.get(report.complex_id) if report else None
    if report is None or complex_ is None:
        await stale_button(query)
        return
    if report.status is ReportStatus.RESOLVED:
        await query.answer(_("This report is resolved."), show_alert=True)
        return
    action = button.verb
    if action == "open":
        await query.answer()
        # As a contact sees it; an anonymous reporter stays anonymous.
        text = await full_text(context.services, report, complex_) + "\n\n" + \
            await _state(context, report)
        await reply(update, text, keyboard_of(operator_actions(report.id)))
    elif action == "resend":
        await _resend(update, context, report, complex_)
    elif action == "hand":
        takers = await oversight.takers(context.services, report, complex_)
        if not takers:
            await query.answer(_("Nobody in {complex} can take it yet: invite a contact with "
                                 "/invitecontact.").format(complex=complex_.name),
                               show_alert=True)
            return
        await query.answer()
        await reply(update, _("Hand {reference} to:").format(reference=reference(report.id)),
                    [[choice(taker.label, "or", "to", report.id, str(taker.telegram_id))]
                     for taker in takers])
    else:  # "to", with the chosen person as its detail
        chosen = parse_id(button.detail or "")
        assert chosen is not None
        await _hand(update, context, report, complex_, chosen)


async def _hand(update: Update, context: BuurtnetContext, report: Report, complex_: Complex,
                telegram_id: int) -> None:
    query = update.callback_query
    assert query is not None
    outcome, taker = await oversight.hand(context.services, report, complex_, telegram_id)
    if outcome is oversight.Handed.NOT_A_TAKER:
        await query.answer(_("That person can no longer take reports in this complex."),
                           show_alert=True)
    elif outcome is oversight.Handed.CHANGED or taker is None:
        await stale_button(query)
    else:
        await query.answer()
        await query.edit_message_text(_("{reference} is handed to {name}.").format(
            reference=reference(report.id), name=html.escape(taker.label)))


async def _resend(update: Update, context: BuurtnetContext, report: Report, complex_: Complex
                  ) -> None:
    query = update.callback_query
    assert query is not None
    outcome = await oversight.resend(context.services, report, complex_)
    if outcome is oversight.Resent.STILL_WAITING:
        await query.answer(_("Still nobody to send it to: invite a contact or hand it to "
                             "someone."), show_alert=True)
    elif outcome is oversight.Resent.NOBODY:
        await query.answer(_("Nobody is behind this level now: hand it to someone."),
                           show_alert=True)
    elif outcome is oversight.Resent.SENT:
        await query.answer(_("{reference} is sent.").format(reference=reference(report.id)))
    else:
        await query.answer(_("{reference} is sent again.").format(
            reference=reference(report.id)))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("openreports", openreports_command),
        CallbackQueryHandler(on_button, pattern=pattern("or")),
    ]

