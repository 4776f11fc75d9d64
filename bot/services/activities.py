"""Activities: planning one (announced in the group, and told to who followed its idea),
the reminders to those coming, the question afterwards whether it took place, and its
outcome."""

import html
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from bot.domain import activities, outbox_keys
from bot.domain.activities import Activity, Reminder
from bot.domain.button_data import pack
from bot.domain.models import Complex, Resident
from bot.i18n import _, current_language, use_language
from bot.services import Services
from bot.services import ideas as ideas_service
from bot.services.outgoing import Rows, button, edit_post, language_for, queue
from bot.services.stages import refresh_stage
from bot.storage.outbox import Message


def card(zone: tzinfo, activity: Activity) -> str:
    """The activity's title, moment and place, in the current language."""
    when = activities.format_when(activity.starts_at, zone, current_language())
    return _("📅 <b>{title}</b>\nWhen: {when}\nWhere: {place}").format(
        title=html.escape(activity.title), when=when, place=html.escape(activity.place))


def coming_keyboard(activity: Activity) -> Rows:
    return [[button(_("🙋 I'm coming · {count}").format(count=activity.coming),
                    pack("act", "go", activity.id))]]


def _come_along() -> str:
    return _("Press the button if you are coming; I will remind you.")


@dataclass(frozen=True)
class Planned:
    activity: Activity
    announced: bool
    """Posted in the complex's group."""
    told: int
    """How many of the idea's followers are told."""


async def plan(services: Services, planner: Resident, complex_: Complex,
               answers: dict[str, Any], starts: datetime) -> Planned:
    """Plan the activity the planner's `answers` describe: stored (their draft ends),
    announced in the group and told to who followed its idea, together."""
    repos = services.repos
    told = 0
    async with services.db.unit():  # planned, announced and told, together
        activity = await repos.activities.create(
            complex_id=planner.complex_id, idea_id=answers.get("idea_id"),
            title=answers["title"], place=answers["place"], starts_at=starts,
            planned_by=planner.id,
            schedule=activities.schedule_for(starts, services.clock.now()))
        await repos.drafts.clear(planner.telegram_id)
        announced = await _announce(services, activity, complex_)
        if activity.idea_id is not None:
            told = await _tell_followers(services, activity, planner)
            idea = await repos.ideas.get(activity.idea_id)
            assert idea is not None
            await ideas_service.show_on_post(services, idea, complex_)  # now planned
    return Planned(activity, announced, told)


async def _announce(services: Services, activity: Activity, complex_: Complex) -> bool:
    """Queue the announcement in the group, in the caller's unit of work."""
    if complex_.group_chat_id is None:
        return False
    await services.repos.activities.set_group_chat(activity.id, complex_.group_chat_id)
    with use_language(complex_.language):
        await queue(services, outbox_keys.ACTIVITY_POST.of(activity.id), complex_.group_chat_id,
                    _group_post(services, activity, complex_), coming_keyboard(activity))
    return True


def _group_post(services: Services, activity: Activity, complex_: Complex) -> str:
    text = _("New activity in {complex}!").format(complex=html.escape(complex_.name))
    return text + "\n\n" + card(services.config.tz, activity) + "\n\n" + _come_along()


async def _tell_followers(services: Services, activity: Activity, planner: Resident) -> int:
    """Tell who proposed, supported or offered help on the idea."""
    assert activity.idea_id is not None
    idea = await services.repos.ideas.get(activity.idea_id)
    assert idea is not None
    told = 0
    for telegram_id in await services.repos.ideas.followers(idea.id):
        if telegram_id == planner.telegram_id:
            continue
        with use_language(await language_for(services, telegram_id)):
            text = _("Good news: the idea “{idea}” is now an activity!").format(
                idea=html.escape(idea.text))
            told += await queue(
                services, outbox_keys.ACTIVITY.of(activity.id, "planned", telegram_id), telegram_id,
                text + "\n\n" + card(services.config.tz, activity) + "\n\n" + _come_along(),
                coming_keyboard(activity))
    return told


async def toggle_coming(services: Services, activity: Activity, complex_: Complex,
                        resident: Resident) -> tuple[bool | None, Activity]:
    """`resident` comes, or no longer comes: whether they come now (None once the activity
    started or was cancelled), and the activity with its count as it is now, which its
    group post shows."""
    async with services.db.unit():  # the answer and the post's new count, together
        coming = await services.repos.activities.toggle_coming(activity.id, resident.id)
        now = await services.repos.activities.get(activity.id)
        assert now is not None
        if coming is not None and now.group_chat_id is not None:
            with use_language(complex_.language):
                await edit_post(services, outbox_keys.ACTIVITY_POST.of(now.id),
                                now.group_chat_id, now.group_message_id,
                                _group_post(services, now, complex_), coming_keyboard(now))
    return coming, now


async def outcome_refusal(services: Services, activity: Activity, telegram_id: int
                          ) -> activities.OutcomeRefused | None:
    """Why `telegram_id` may not record how the activity went, if they may not."""
    resident = await services.repos.people.resident_of(telegram_id)
    if resident is not None and (not resident.is_active
                                 or resident.complex_id != activity.complex_id):
        resident = None
    return activities.outcome_refusal(activity, resident, services.clock.now())


async def record_outcome(services: Services, activity: Activity, recorder: int,
                         attendance: int | None, outcome_flow: str
                         ) -> activities.OutcomeRefused | None:
    """It took place with about `attendance` people (which the stage counts), or (None)
    it was cancelled; the recorder's attendance question (`outcome_flow`) ends. Or why the
    recorder may not record it (now)."""
    repos = services.repos
    if (refused := await outcome_refusal(services, activity, recorder)) is not None:
        return refused
    async with services.db.unit():  # recorded, with no question left, and measured
        draft = await repos.drafts.get(recorder)
        if draft and draft.flow == outcome_flow and draft.data["activity_id"] == activity.id:
            await repos.drafts.clear(recorder)
        if not await repos.activities.record_outcome(activity.id, attendance):
            return activities.OutcomeRefused.RECORDED
        if attendance is not None:
            await refresh_stage(services, activity.complex_id)  # an activity held counts
    return None


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
            key = outbox_keys.ACTIVITY.of(activity.id, reminder.value, telegram_id)
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
                outbox_keys.ACTIVITY.of(activity.id, "outcome", person.telegram_id),
                person.telegram_id,
                _("Did <b>{title}</b> ({when}) take place?").format(
                    title=html.escape(activity.title), when=when), keyboard))
    return messages
