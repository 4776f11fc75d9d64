"""Reporting, always in private: the guided /report, /myreports, and "me too" in the group.

A report is committed (with its place on the escalation ladder) before the reporter is
told it was received. In a group, /report never takes anything in: it points to the
private chat and keeps nothing of the group message.
"""

import html

from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain.button_data import pattern
from bot.domain.labels import CATEGORY_LABELS, KIND_LABELS, category_label, kind_text, status_label
from bot.domain.models import Complex, Draft
from bot.domain.reports import (
    DESCRIPTION_MAX,
    GROUP_TEXT_MAX,
    PLACE_MAX,
    WHEN_MAX,
    WHEN_NOW,
    WHEN_TODAY,
    group_line,
    may_share,
    reference,
    when_text,
)
from bot.domain.routing import is_urgent
from bot.domain.validation import InvalidInput, free_text, one_line
from bot.domain.vocabulary import ReportStatus
from bot.i18n import N_, _, use_language
from bot.services import handling, reporting
from bot.services.report_texts import waiting_notice
from bot.storage.reports import Report
from handlers.common import (
    Keyboard,
    choice,
    is_group,
    keyboard_of,
    listed,
    markup,
    parsed_text,
    pressed_record,
    reply,
    say_invalid,
    stale_button,
)
from handlers.conversation import Flow
from handlers.guards import pressed_in_complex
from handlers.presses import Press, ask, step_buttons

FLOW = "report"
ADD_FLOW = "report_add"
START_CODE = "report"
ME_TOO_REFUSALS = {
    reporting.MeToo.RESOLVED: N_("This concern is resolved."),
    reporting.MeToo.OWN: N_("This is your own concern; it already counts."),
    reporting.MeToo.ALREADY: N_("You already said \"me too\"."),
}


def emergency_text(context: BuurtnetContext) -> str:
    return _("<b>In an emergency, call {emergency} now.</b> For the police without urgency: "
             "{police}.").format(emergency=context.config.emergency_number,
                                 police=context.config.police_number)


def _prompt(context: BuurtnetContext, draft: Draft, group_linked: bool
            ) -> tuple[str, Keyboard | None]:
    step, data = draft.step, draft.data
    if step == "now":
        return emergency_text(context) + "\n\n" + _("Is it happening now?"), [[
            choice(_("Yes, now"), "rp", "now", detail="yes"),
            choice(_("No"), "rp", "now", detail="no")]]
    if step == "kind":
        return _("Is it an incident (something happened) or a concern (a worry, an unsafe "
                 "situation)?"), [[choice(kind_text("incident"), "rp", "kind", detail="incident"),
                                   choice(kind_text("concern"), "rp", "kind", detail="concern")]]
    if step == "category":
        # Happening now: the number to call comes first, before any question.
        ask = (emergency_text(context) + "\n\n" + _("What is it about?") if data.get("now")
               else _("What is it about?"))
        return ask, [
            [choice(_(label), "rp", "category", detail=key)]
            for key, label in CATEGORY_LABELS.items()]
    if step == "when":
        return _("When did it happen? Type it (for example: yesterday around 23:00), or "
                 "choose:"), [[choice(_("Just now"), "rp", "when", detail="now"),
                               choice(_("Today"), "rp", "when", detail="today")]]
    if step == "where":
        return _("Where? Type the place (for example: bicycle shed, building B), or send a "
                 "location with 📎."), None
    if step == "what":
        return _("What happened, or what worries you? At most {limit} characters. Do not "
                 "name or describe suspects here.").format(limit=DESCRIPTION_MAX), None
    if step == "photo":
        return _("Would you like to add a photo? Send it now, or skip."), [[
            choice(_("Skip"), "rp", "photo", detail="skip")]]
    if step == "identity":
        return _("Shall I pass on your first name, or report anonymously? Depending on your "
                 "complex's stage, the report is read by the municipality, the police, the "
                 "housing corporation or your complex's initiators; with an anonymous report "
                 "none of them sees who you are."), [[
            choice(_("Anonymously"), "rp", "identity", detail="anonymous"),
            choice(_("With my first name"), "rp", "identity", detail="named")]]
    if step == "share" and group_linked:
        return _("May I share this concern in your complex's group, without any name, so "
                 "neighbours can say \"me too\"?"), [[
            choice(_("Yes, share it"), "rp", "share", detail="yes"),
            choice(_("No"), "rp", "share", detail="no")]]
    if step == "group_text":
        return _("Neighbours would read this in the group, without your name:\n\n<i>{line}"
                 "</i>\n\nWhat you wrote above stays private. Use this line, or type your own "
                 "(one line, at most {limit} characters; no names, flat or room numbers)."
                 ).format(line=html.escape(group_line(data["category"], None)),
                          limit=GROUP_TEXT_MAX), [[
            choice(_("Use this line"), "rp", "group_text", detail="standard")]]
    return _summary(data, context) + "\n\n" + _("Send this report?"), [[
        choice(_("Send"), "rp", "confirm", detail="yes"),
        choice(_("Cancel"), "rp", "confirm", detail="no")]]


def _summary(data: dict, context: BuurtnetContext) -> str:
    lines = [
        _("Kind: {kind}").format(kind=_(KIND_LABELS[data["kind"]])),
        _("Category: {category}").format(category=_(CATEGORY_LABELS[data["category"]])),
        _("Happening now: {answer}").format(answer=_("yes") if data["now"] else _("no")),
        _("When: {when}").format(when=html.escape(when_text(
            data["when"], context.clock.now(), context.config.tz))),
        _("Where: {where}").format(where=html.escape(data.get("where") or _("a location"))),
        _("What: {what}").format(what=html.escape(data["what"])),
    ]
    if data.get("photo"):
        lines.append(_("With a photo"))
    lines.append(_("Anonymous") if data.get("anonymous", True) else _("With your first name"))
    if data.get("share"):
        lines.append(_("Shared in the group without a name: {line}").format(
            line=html.escape(group_line(data["category"], data.get("group_text")))))
    return "\n".join(lines)


STEPS = ("now", "kind", "category", "when", "where", "what", "photo", "identity", "share",
         "group_text", "confirm")


async def _reporter_complex(update: Update, context: BuurtnetContext) -> Complex | None:
    assert update.effective_user is not None
    resident = await context.repos.people.resident_of(update.effective_user.id)
    if resident is None or not resident.is_active:
        await reply(update, emergency_text(context) + "\n\n" + (_(
            "You can report here once an initiator has approved your sign-up.")
            if resident else _("You can report here once you are signed up in your complex. "
                                "Open its invite link to join.")))
        return None
    return await context.repos.complexes.get(resident.complex_id)


async def report_command(update: Update, context: BuurtnetContext) -> None:
    if is_group(update):
        url = f"https://t.me/{context.bot.username}?start={START_CODE}"
        await reply(update, emergency_text(context) + "\n\n" + _(
            "Please report privately, not in the group."), [[
            InlineKeyboardButton(_("Report privately"), url=url)]])
        return
    await begin(update, context)


async def begin(update: Update, context: BuurtnetContext) -> None:
    complex_ = await _reporter_complex(update, context)
    if complex_ is None:
        return
    assert update.effective_user is not None
    draft = await context.repos.drafts.put(update.effective_user.id, FLOW, "now",
                                           {"complex_id": complex_.id})
    await _show(update, context, draft)


async def _show(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    complex_ = await context.repos.complexes.get(draft.data["complex_id"])
    text, keyboard = _prompt(context, draft, bool(complex_ and complex_.group_chat_id))
    await ask(update, context, text, keyboard)


# While it is happening, ask only what the responders need: the category, where, what.
# It is an incident, it happens at the moment of reporting, and it goes anonymously.
URGENT_ANSWERS = {"kind": "incident", "when": WHEN_NOW, "photo": None, "anonymous": True,
                  "share": False}
URGENT_SKIPPED = frozenset({"kind", "when", "photo", "identity", "share"})


async def _advance(update: Update, context: BuurtnetContext, draft: Draft, data: dict) -> None:
    step = STEPS[STEPS.index(draft.step) + 1]
    if data.get("now"):
        data = {**URGENT_ANSWERS, **data} if draft.step == "now" else data
        while step in URGENT_SKIPPED:
            step = STEPS[STEPS.index(step) + 1]
    if step == "share":
        complex_ = await context.repos.complexes.get(data["complex_id"])
        if not may_share(data["kind"], data["category"],
                         urgent=is_urgent(data["now"], data["category"]),
                         group_linked=complex_ is not None and complex_.group_chat_id is not None):
            data["share"] = False
            step = "confirm"
    if step == "group_text" and not data.get("share"):
        step = "confirm"
    draft = await context.repos.drafts.put(draft.telegram_id, FLOW, step, data)
    await _show(update, context, draft)


async def on_message(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    """Typed text, a location or a photo, for the step that takes it."""
    message = update.effective_message
    assert message is not None
    data = dict(draft.data)
    try:
        if draft.step == "when" and message.text:
            data["when"] = free_text(message.text, WHEN_MAX)
        elif draft.step == "where" and message.location:
            data["where"] = None
            data["location"] = [message.location.latitude, message.location.longitude]
        elif draft.step == "where" and message.text:
            data["where"] = free_text(message.text, PLACE_MAX)
        elif draft.step == "what" and message.text:
            data["what"] = free_text(message.text, DESCRIPTION_MAX)
        elif draft.step == "group_text" and message.text:
            data["group_text"] = one_line(message.text, limit=GROUP_TEXT_MAX)
        elif draft.step == "photo" and message.photo:
            data["photo"] = message.photo[-1].file_id
        else:
            await reply(update, _("That does not fit this question."))
            await _show(update, context, draft)
            return
    except InvalidInput as error:
        await say_invalid(update, error)
        return
    await _advance(update, context, draft, data)


async def _on_button_step(update: Update, context: BuurtnetContext, query: Press, draft: Draft,
                          step: str, value: str) -> None:
    """A tap on a report button, or its label typed."""
    assert update.effective_user is not None
    data = dict(draft.data)
    choices = {
        "now": {"yes": True, "no": False},
        "kind": {"incident": "incident", "concern": "concern"},
        "category": {key: key for key in CATEGORY_LABELS},
        "when": {"now": WHEN_NOW, "today": WHEN_TODAY},
        "photo": {"skip": None},
        "identity": {"anonymous": True, "named": False},
        "share": {"yes": True, "no": False},
        "group_text": {"standard": None},
        "confirm": {"yes": True, "no": False},
    }
    if value not in choices.get(step, {}):
        await stale_button(query)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    chosen = choices[step][value]
    if step == "confirm":
        if chosen:
            await _send(update, context, draft)
        else:
            await context.repos.drafts.clear(draft.telegram_id)
            await reply(update, _("Cancelled. Nothing was sent or kept."))
        return
    data[{"identity": "anonymous"}.get(step, step)] = chosen
    await _advance(update, context, draft, data)


on_button = step_buttons(FLOW, _on_button_step)


async def _send(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    data, repos = draft.data, context.repos
    resident = await repos.people.resident_of(draft.telegram_id)
    complex_ = await repos.complexes.get(data["complex_id"])
    if resident is None or complex_ is None or resident.complex_id != complex_.id:
        await repos.drafts.clear(draft.telegram_id)
        await reply(update, _("You are no longer signed up in this complex, so the report "
                              "was not sent. In an emergency, call {emergency}.").format(
            emergency=context.config.emergency_number))
        return
    report = await reporting.submit(context.services, resident, complex_, data)
    urgent = report.urgent
    report_id = report.id
    if report.waiting:  # the truth, at once: nobody is there to act on it yet
        text = _("Thank you. Your report <b>{reference}</b> is received and kept safe.").format(
            reference=reference(report_id)) + "\n\n" + waiting_notice(
            context.config, report_id)
    else:
        text = _("Thank you. Your report <b>{reference}</b> is received and on its way to the "
                 "people who can act on it. I will tell you what happens; /myreports shows "
                 "its status.").format(reference=reference(report_id))
    if urgent:
        text = _("This bot is not an emergency service: if anyone is in danger, call "
                 "{emergency} now.").format(emergency=context.config.emergency_number) + \
            "\n\n" + text
    await reply(update, text + "\n\n" + _summary(data, context))


def _me_too_keyboard(report: Report) -> Keyboard:
    return keyboard_of(reporting.me_too_keyboard(report))


async def on_me_too(update: Update, context: BuurtnetContext) -> None:
    found = await pressed_in_complex(update, context, context.repos.reports.get)
    if found is None:
        return
    query, report, resident = found.query, found.record, found.resident
    if not report.shared_in_group:
        await stale_button(query)
        return
    if resident is None:
        await query.answer(_("Only residents of this complex can say \"me too\"."),
                           show_alert=True)
        return
    outcome, counted = await reporting.me_too(context.services, report, resident)
    if outcome is not reporting.MeToo.COUNTED:
        await query.answer(_(ME_TOO_REFUSALS[outcome]), show_alert=True)
        return
    await query.answer(_("Thank you, it is counted."))
    with use_language(found.complex_.language):
        await query.edit_message_reply_markup(markup(_me_too_keyboard(counted)))


# -- the reporter's own reports ---------------------------------------------------------


async def myreports_command(update: Update, context: BuurtnetContext) -> None:
    reports = await listed(update, context, context.repos.reports.of_reporter,
                           _("You have not made any reports. /report makes one."))
    if reports is None:
        return
    lines, keyboard = [], []
    for report in reports[:20]:
        lines.append(_("<b>{reference}</b> · {category} · {status}").format(
            reference=reference(report.id), category=category_label(report.category),
            status=status_label(report.status)))
        if report.status is not ReportStatus.RESOLVED:
            keyboard.append([choice(_("Add information to {reference}").format(
                reference=reference(report.id)), "ra", record=report.id)])
    await reply(update, "\n".join(lines), keyboard or None)


async def on_add_button(update: Update, context: BuurtnetContext) -> None:
    found = await pressed_record(update, context.repos.reports.get)
    if found is None:
        return
    query, report = found.query, found.record
    if report.reporter_id != found.by:
        await stale_button(query)
        return
    if report.status is ReportStatus.RESOLVED:
        await query.answer(_("This report is resolved."), show_alert=True)
        return
    await context.repos.drafts.put(update.effective_user.id, ADD_FLOW, "text",
                                   {"report_id": report.id})
    await query.answer()
    await reply(update, _("What would you like to add to {reference}? (/cancel stops)").format(
        reference=reference(report.id)))


async def on_add_text(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    report = await context.repos.reports.get(draft.data["report_id"])
    if report is None or report.reporter_id != draft.telegram_id \
            or report.status is ReportStatus.RESOLVED:
        await context.repos.drafts.clear(draft.telegram_id)
        await reply(update, _("This report is resolved."))
        return
    text = await parsed_text(update, lambda text: free_text(text, DESCRIPTION_MAX))
    if text is None:
        return
    await handling.add_information(context.services, report, draft.telegram_id, text)
    await reply(update, _("Added to {reference} and passed on.").format(
        reference=reference(report.id)))


def flows() -> list[Flow]:
    """This feature's guided conversations."""
    return [Flow(FLOW, on_message, on_button, takes_media=True), Flow(ADD_FLOW, on_add_text)]


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("report", report_command),
        CallbackQueryHandler(on_button, pattern=pattern("rp")),
        CallbackQueryHandler(on_me_too, pattern=pattern("me")),
        CommandHandler("myreports", myreports_command),
        CallbackQueryHandler(on_add_button, pattern=pattern("ra")),
    ]
