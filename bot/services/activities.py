"""What falls due around activities: reminders to those coming, and after an activity the
question to its planner whether it took place."""

import html
from datetime import datetime, tzinfo

from bot.domain import activities
from bot.domain.activities import Activity, Reminder
from bot.domain.button_data import pack
from bot.i18n import _, current_language, use_language
from bot.services import Services
from bot.services.outgoing import button, language_for
from bot.storage.outbox import Message


def card(zone: tzinfo, activity: Activity) -> str:
    """The activity's title, moment and place, in the current language."""
    when = activities.format_when(activity.starts_at, zone, current_language())
    return _("📅 <b>{title}</b>\nWhen: {when}\nWhere: {place}").format(
        title=html.escape(activity.title), when=when, place=html.escape(activity.place))


async def next_due(services: Services) -> datetime | None:
    return await services.repos.activities.next_due_at()


async def run_due(services: Services) -> None:
    """Send the reminders and outcome questions that are due, each at most once.

    Each is marked done and queued in the outbox in one transaction.
    """
    now = services.clock.now()
    repo = services.repos.activities
    for activity, reminder in await repo.due_reminders(now):
        messages = (await _reminders(services, activity, reminder)
                    if activities.reminder_still_useful(activity, reminder, now) else [])
        await repo.claim_reminder(activity.id, reminder, messages)
    for activity in await repo.due_outcome_questions(now):
        await repo.claim_outcome_question(activity.id,
                                          await _outcome_questions(services, activity))


async def _reminders(services: Services, activity: Activity, reminder: Reminder
                     ) -> list[Message]:
    messages = []
    for telegram_id in await services.repos.activities.coming(activity.id):
        with use_language(await language_for(services, telegram_id)):
            header = (_("⏰ Reminder: you are coming to this activity.")
                      if reminder is Reminder.DAY
                      else _("⏰ Starting soon! You are coming to this activity."))
            key = f"activity:{activity.id}:{reminder.value}:{telegram_id}"
            messages.append(Message(key, telegram_id,
                                    header + "\n\n" + card(services.config.tz, activity)))
    return messages


async def _outcome_questions(services: Services, activity: Activity) -> list[Message]:
    """Ask the planner; if they are no longer an active resident there, the initiators."""
    people = services.repos.people
    planner = await people.resident(activity.planned_by)
    if planner is not None and planner.is_active and planner.complex_id == activity.complex_id:
        asked = [planner]
    else:
        asked = await people.initiators_of(activity.complex_id)
    messages = []
    for person in asked:
        with use_language(await language_for(services, person.telegram_id)):
            when = activities.format_when(activity.starts_at, services.config.tz,
                                          current_language())
            keyboard = [[button(_("Yes, it took place"), pack("act", "held", activity.id)),
                         button(_("No, it was cancelled"), pack("act", "off", activity.id))]]
            messages.append(Message(
                f"activity:{activity.id}:outcome:{person.telegram_id}", person.telegram_id,
                _("Did <b>{title}</b> ({when}) take place?").format(
                    title=html.escape(activity.title), when=when), keyboard))
    return messages
