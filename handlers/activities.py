"""Activities: /plan (initiators, a guided conversation), "I'm coming", reminders, the
question whether it took place, and /activities.

Buttons: ``plan:<step>:<value>`` in the conversation (``plan:at:<n>`` picks one of the
moments a typed start can mean, ``plan:at:again`` asks for it again), ``act:go:<id>`` to say one is
coming, ``act:held:<id>`` and ``act:off:<id>`` to answer the outcome question.
"""

import html
from datetime import datetime

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.clock import from_db, to_db
from bot.context import BuurtnetContext
from bot.domain import activities, moments
from bot.domain.activities import Activity, OutcomeRefused
from bot.domain.button_data import parse_id, pattern
from bot.domain.models import Complex, Draft, Resident
from bot.domain.validation import InvalidInput
from bot.domain.vocabulary import ActivityStatus
from bot.i18n import N_, _, current_language, ngettext
from bot.services import activities as activity_service
from bot.services.activities import card
from handlers.common import (
    Keyboard,
    choice,
    keyboard_of,
    parsed_text,
    reply,
    say_invalid,
    stale_button,
    standing,
)
from handlers.conversation import Flow
from handlers.guards import (
    ONLY_INITIATORS,
    initiated_complex,
    pressed_in_complex,
    refuse,
    residence,
)
from handlers.ideas import edit_message
from handlers.presses import Press, ask, step_buttons

FLOW = "plan"
OUTCOME_REFUSALS = {
    OutcomeRefused.NOT_YOURS: N_("Only its planner and the initiators of this complex can "
                                 "record how an activity went."),
    OutcomeRefused.RECORDED: N_("This has already been recorded."),
    OutcomeRefused.NOT_ASKED_YET: N_("This button is no longer valid."),
}
OUTCOME_FLOW = "outcome"
LIST_MAX = 20
"""/activities and /plan show at most this many items."""
LABEL_MAX = 40


# -- texts and buttons -------------------------------------------------------------------


def coming_keyboard(activity: Activity) -> Keyboard:
    return keyboard_of(activity_service.coming_keyboard(activity))


# -- who may ---------------------------------------------------------------------------


async def _still_planning(update: Update, context: BuurtnetContext, draft: Draft
                         ) -> Resident | None:
    """The planner, while still an initiator of the complex the plan is for; otherwise the
    plan ends, saying why."""
    who = await standing(update, context)
    if who.resident is not None and who.is_initiator_of(draft.data["complex_id"]):
        return who.resident
    await context.repos.drafts.clear(draft.telegram_id)
    await refuse(update, ONLY_INITIATORS)
    return None


# -- /plan -------------------------------------------------------------------------------


async def plan_command(update: Update, context: BuurtnetContext) -> None:
    complex_ = await initiated_complex(update, context, in_private=True)
    if complex_ is None:
        return
    assert update.effective_user is not None
    found = await context.repos.ideas.open_of(complex_.id)
    step = "source" if found else "title"
    draft = await context.repos.drafts.put(update.effective_user.id, FLOW, step,
                                           {"complex_id": complex_.id})
    await _prompt(update, context, draft)


async def _prompt(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    data = draft.data
    if draft.step == "source":
        found = await context.repos.ideas.open_of(data["complex_id"])
        keyboard = [[choice(_label(f"#{idea.id} {idea.text}"), "plan", "source",
                            detail=str(idea.id))]
                    for idea in found[:LIST_MAX]]
        keyboard.append([choice(_("Something new"), "plan", "source", detail="new")])
        await ask(update, context, _("What would you like to plan? Choose one of the open "
                                     "ideas, or something new. (/cancel stops)"), keyboard)
    elif draft.step == "title":
        text = _("What is the activity called? At most {max} characters. (/cancel stops)"
                 ).format(max=activities.TITLE_MAX)
        idea = await context.repos.ideas.get(data["idea_id"]) if "idea_id" in data else None
        if idea is None:
            await reply(update, text)
            return
        await ask(update, context, _("From idea #{number}: {text}").format(
            number=idea.id, text=html.escape(idea.text)) + "\n\n" + text,
            [[choice(_("Use the idea as the title"), "plan", "title", detail="idea")]])
    elif draft.step == "when":
        now = context.clock.now()
        await reply(update, _("When does it start? Type the date and time, like {example}, "
                              "5 december 19:30 or friday 8pm (time zone {zone}).").format(
            example=moments.example(now, context.config.tz), zone=context.config.timezone))
    elif draft.step == "at":
        await _ask_which_moment(update, context, [from_db(m) for m in data["moments"]])
    elif draft.step == "place":
        when = activities.format_when(from_db(data["starts_at"]), context.config.tz,
                                      current_language())
        await reply(update, _("Starts: {when}.\nWhere is it? At most {max} characters.").format(
            when=when, max=activities.PLACE_MAX))
    else:
        when = activities.format_when(from_db(data["starts_at"]), context.config.tz,
                                      current_language())
        text = _("Please check:\n<b>{title}</b>\nWhen: {when}\nWhere: {place}").format(
            title=html.escape(data["title"]), when=when, place=html.escape(data["place"]))
        if "idea_id" in data:
            text += "\n" + _("From idea #{number}.").format(number=data["idea_id"])
        await ask(update, context, text, [[
            choice(_("Confirm"), "plan", "confirm", detail="yes"),
            choice(_("Cancel"), "plan", "confirm", detail="no"),
        ]])


async def _ask_which_moment(update: Update, context: BuurtnetContext,
                            candidates: list[datetime]) -> None:
    """Ask back a reading that is ambiguous ("half acht") or far ahead ("5/1" in January)."""
    language, zone = current_language(), context.config.tz
    keyboard = [[choice(activities.format_when(moment, zone, language), "plan", "at",
                        detail=str(index))]
                for index, moment in enumerate(candidates)]
    keyboard.append([choice(_("Another moment"), "plan", "at", detail="again")])
    if len(candidates) > 1:
        text = _("Which moment do you mean? Choose one, or type the time on the 24-hour "
                 "clock, like 19:30.")
    else:
        text = _("That is more than four weeks from now. Is this the moment you mean?")
    await ask(update, context, text, keyboard)


def _label(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1].rstrip() + "…"


async def on_plan_text(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    if await _still_planning(update, context, draft) is None:
        return
    text = update.effective_message.text if update.effective_message else None
    data = dict(draft.data)
    try:
        if draft.step == "title":
            data["title"], step = activities.title(text), "when"
        elif draft.step in ("when", "at"):
            now = context.clock.now()
            found = moments.read_moment(text, now, context.config.tz)
            data.pop("moments", None)
            if moments.needs_confirmation(found, now):
                data["moments"], step = [to_db(moment) for moment in found], "at"
            else:
                data["starts_at"], step = to_db(found[0]), "place"
        elif draft.step == "place":
            data["place"], step = activities.place(text), "confirm"
        else:
            await reply(update, _("Please choose one of the buttons."))
            return
    except InvalidInput as error:
        await say_invalid(update, error)
        return
    await _prompt(update, context, await context.repos.drafts.put(
        draft.telegram_id, FLOW, step, data))


async def _on_plan_button_step(update: Update, context: BuurtnetContext, query: Press, draft: Draft,
                               step: str, value: str) -> None:
    """A tap on a /plan button, or its label typed."""
    assert update.effective_user is not None
    planner = await _still_planning(update, context, draft)
    if planner is None:
        return
    data = dict(draft.data)
    if step == "source" and value == "new":
        next_step = "title"
    elif step == "source" and parse_id(value) is not None:
        idea = await context.repos.ideas.get(int(value))
        if idea is None or idea.complex_id != data["complex_id"] or not idea.is_open:
            await query.answer(_("This idea is no longer open."), show_alert=True)
            return
        data["idea_id"], next_step = idea.id, "title"
    elif step == "title" and value == "idea" and "idea_id" in data:
        idea = await context.repos.ideas.get(data["idea_id"])
        if idea is None:
            await stale_button(query)
            return
        data["title"], next_step = activities.title_from_idea(idea.text), "when"
    elif step == "at" and value == "again":
        data.pop("moments", None)
        next_step = "when"
    elif step == "at" and (index := parse_id(value)) is not None and \
            0 <= index < len(data["moments"]):
        data["starts_at"], next_step = data.pop("moments")[index], "place"
    elif step == "confirm" and value in ("yes", "no"):
        await query.answer()
        await query.edit_message_reply_markup(None)
        if value == "no":
            await context.repos.drafts.clear(draft.telegram_id)
            await reply(update, _("Stopped. Nothing was planned."))
            return
        await _finish(update, context, draft, planner)
        return
    else:
        await stale_button(query)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _prompt(update, context, await context.repos.drafts.put(
        draft.telegram_id, FLOW, next_step, data))


on_plan_button = step_buttons(FLOW, _on_plan_button_step)


async def _finish(update: Update, context: BuurtnetContext, draft: Draft,
                  planner: Resident) -> None:
    data, now = draft.data, context.clock.now()
    starts = from_db(data["starts_at"])
    if starts <= now:
        await reply(update, _("That moment has passed in the meantime."))
        await _prompt(update, context, await context.repos.drafts.put(
            draft.telegram_id, FLOW, "when", data))
        return
    complex_ = await context.repos.complexes.get(planner.complex_id)
    assert complex_ is not None
    planned = await activity_service.plan(context.services, planner, complex_, data, starts)
    activity, told = planned.activity, planned.told
    parts = [_("<b>{title}</b> is planned.").format(title=html.escape(activity.title))]
    if planned.announced:
        parts.append(_("It is announced in the group chat."))
    if told:
        parts.append(ngettext("I told the {count} neighbour who followed the idea.",
                              "I told the {count} neighbours who followed the idea.",
                              told).format(count=told))
    await reply(update, " ".join(parts))


# -- "I'm coming" and the outcome ------------------------------------------------------------


async def on_button(update: Update, context: BuurtnetContext) -> None:
    """"I'm coming" (on the group's post or a private copy), and whether it took place
    ("held", "off"), which its planner and the initiators answer once it started."""
    found = await pressed_in_complex(update, context, context.repos.activities.get,
                                     ("go", "held", "off"))
    if found is None:
        return
    query, activity, resident = found.query, found.record, found.resident
    if found.button.verb == "go":
        await _toggle_coming(update, context, activity, found.complex_, resident)
        return
    refused = await activity_service.outcome_refusal(context.services, activity, found.by)
    if refused is OutcomeRefused.NOT_ASKED_YET:
        await stale_button(query)
        return
    if refused is not None:
        await query.answer(_(OUTCOME_REFUSALS[refused]), show_alert=True)
        return
    if found.button.verb == "held":
        await query.answer()
        message = query.message
        await context.repos.drafts.put(found.by, OUTCOME_FLOW, "attendance", {
            "activity_id": activity.id,
            "chat_id": message.chat.id if message else None,
            "message_id": message.message_id if message else None,
        })
        await reply(update, _("About how many came? Type a number."))
        return
    if (refused := await activity_service.record_outcome(
            context.services, activity, found.by, None, OUTCOME_FLOW)) is not None:
        await query.answer(_(OUTCOME_REFUSALS[refused]), show_alert=True)
        return
    await query.answer(_("Recorded: it was cancelled."))
    await query.edit_message_reply_markup(None)


async def _toggle_coming(update: Update, context: BuurtnetContext, activity: Activity,
                         complex_: Complex, resident: Resident | None) -> None:
    query = update.callback_query
    assert query is not None
    if resident is None:
        await query.answer(_("Only residents of {complex} can say they are coming.").format(
            complex=complex_.name), show_alert=True)
        return
    coming, updated = await activity_service.toggle_coming(context.services, activity,
                                                           complex_, resident)
    if coming is None:
        if activity.status is ActivityStatus.CANCELLED:
            text = _("This activity was cancelled.")
        else:
            text = _("This activity has already started.")
        await query.answer(text, show_alert=True)
        return
    await query.answer(_("See you there! I will remind you.") if coming
                       else _("You are no longer coming."))
    pressed = query.message
    if pressed is not None and (pressed.chat.id, pressed.message_id) != (
            activity.group_chat_id, activity.group_message_id):
        await edit_message(context, pressed.chat.id, pressed.message_id,
                           keyboard=coming_keyboard(updated))  # the outbox edits the post


async def on_outcome_text(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    """The typed number of people who came to an activity that took place."""
    activity = await context.repos.activities.get(draft.data["activity_id"])
    refused = OutcomeRefused.RECORDED if activity is None else \
        await activity_service.outcome_refusal(context.services, activity, draft.telegram_id)
    if refused is None and activity is not None:
        count = await parsed_text(update, activities.attendance)
        if count is None:
            return
        refused = await activity_service.record_outcome(
            context.services, activity, draft.telegram_id, count, OUTCOME_FLOW)
    if refused is not None or activity is None:
        await context.repos.drafts.clear(draft.telegram_id)
        await reply(update, _(OUTCOME_REFUSALS[refused or OutcomeRefused.RECORDED]))
        return
    await edit_message(context, draft.data["chat_id"], draft.data["message_id"])
    await reply(update, ngettext(
        "Thank you! Recorded: <b>{title}</b> took place, with about {count} person.",
        "Thank you! Recorded: <b>{title}</b> took place, with about {count} people.",
        count).format(title=html.escape(activity.title), count=count))


# -- /activities ------------------------------------------------------------------------------


async def activities_command(update: Update, context: BuurtnetContext) -> None:
    found = await residence(update, context, in_private=True)
    if found is None:
        return
    complex_ = found[1]
    now = context.clock.now()
    upcoming = await context.repos.activities.upcoming(complex_.id, now)
    past = await context.repos.activities.past(complex_.id, now - activities.RECENT, now)
    header = _("<b>Activities in {complex}</b>").format(complex=html.escape(complex_.name))
    if upcoming:
        await reply(update, header + "\n" + _("Coming up; press the button if you are coming:"))
        for activity in upcoming[:LIST_MAX]:
            await reply(update, card(context.config.tz, activity), coming_keyboard(activity))
    else:
        await reply(update, header + "\n" + _("Nothing is planned at the moment."))
    if past:
        lines = [_past_line(context, activity) for activity in past[:LIST_MAX]]
        await reply(update, _("<b>The last 90 days</b>") + "\n" + "\n".join(lines))


def _past_line(context: BuurtnetContext, activity: Activity) -> str:
    when = activities.format_when(activity.starts_at, context.config.tz, current_language())
    if activity.status is ActivityStatus.HELD:
        outcome = _("took place, about {count} came").format(count=activity.attendance)
    elif activity.status is ActivityStatus.CANCELLED:
        outcome = _("cancelled")
    else:
        outcome = _("not yet recorded whether it took place")
    return f"• {html.escape(activity.title)} — {when}: {outcome}"


def flows() -> list[Flow]:
    """This feature's guided conversations."""
    return [Flow(FLOW, on_plan_text, on_plan_button), Flow(OUTCOME_FLOW, on_outcome_text)]


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("plan", plan_command),
        CallbackQueryHandler(on_plan_button, pattern=pattern("plan")),
        CommandHandler("activities", activities_command),
        CallbackQueryHandler(on_button, pattern=pattern("act")),
    ]
