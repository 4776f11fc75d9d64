"""Activities: their fields, reminders, the outcome question and how a start is shown."""

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from babel import Locale
from babel.dates import format_datetime

from bot.domain import validation
from bot.domain.models import Resident
from bot.domain.validation import InvalidInput
from bot.domain.vocabulary import ActivityStatus
from bot.i18n import N_

TITLE_MAX = 100
PLACE_MAX = 100
ATTENDANCE_MAX = 10_000
REMIND_DAY_BEFORE = timedelta(hours=24)
REMIND_HOUR_BEFORE = timedelta(hours=1)
ASK_OUTCOME_AFTER = timedelta(hours=3)
RECENT = timedelta(days=90)


class Reminder(StrEnum):
    """The two reminders, named after their due-time columns."""

    DAY = "remind_day_at"
    HOUR = "remind_hour_at"


@dataclass(frozen=True)
class Activity:
    id: int
    complex_id: int
    idea_id: int | None
    title: str
    place: str
    starts_at: datetime
    planned_by: int
    status: ActivityStatus
    attendance: int | None
    remind_day_at: datetime | None
    remind_hour_at: datetime | None
    ask_outcome_at: datetime | None
    group_chat_id: int | None
    group_message_id: int | None
    coming: int


@dataclass(frozen=True)
class Schedule:
    remind_day_at: datetime | None
    remind_hour_at: datetime | None
    ask_outcome_at: datetime


def schedule_for(starts_at: datetime, now: datetime) -> Schedule:
    """The due times of a new activity; a reminder whose moment has passed is left out."""
    day, hour = starts_at - REMIND_DAY_BEFORE, starts_at - REMIND_HOUR_BEFORE
    return Schedule(
        remind_day_at=day if day > now else None,
        remind_hour_at=hour if hour > now else None,
        ask_outcome_at=starts_at + ASK_OUTCOME_AFTER,
    )


def reminder_still_useful(activity: Activity, reminder: Reminder, now: datetime) -> bool:
    """After downtime: no reminder once it started, no day reminder once the hour one is due."""
    if now >= activity.starts_at or activity.status is not ActivityStatus.PLANNED:
        return False
    return not (reminder is Reminder.DAY and now >= activity.starts_at - REMIND_HOUR_BEFORE)


class OutcomeRefused(StrEnum):
    NOT_YOURS = "not yours"
    """Only its planner and the initiators of its complex record how it went."""
    RECORDED = "recorded"
    NOT_ASKED_YET = "not asked yet"
    """The question comes after the start; a button from before it is stale."""


def outcome_refusal(activity: Activity, recorder: Resident | None, now: datetime
                    ) -> OutcomeRefused | None:
    """Why `recorder` (an active resident of the activity's complex, or None) may not
    record how the activity went, if they may not."""
    if recorder is None or not (recorder.is_initiator or recorder.id == activity.planned_by):
        return OutcomeRefused.NOT_YOURS
    if activity.status is not ActivityStatus.PLANNED:
        return OutcomeRefused.RECORDED
    if activity.ask_outcome_at is not None or activity.starts_at > now:
        return OutcomeRefused.NOT_ASKED_YET
    return None


def title(text: str | None) -> str:
    return validation.one_line(text, limit=TITLE_MAX)


def place(text: str | None) -> str:
    return validation.one_line(text, limit=PLACE_MAX)


def title_from_idea(text: str) -> str:
    """An idea's text as a title, shortened with an ellipsis if it is too long."""
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


def attendance(text: str | None) -> int:
    number = validation.ascii_number(text, digits=9)
    if number is None or number > ATTENDANCE_MAX:
        raise InvalidInput(N_("Please type a whole number from 0 to {max}."),
                           {"max": ATTENDANCE_MAX})
    return number


def format_when(moment: datetime, zone: tzinfo, language: str) -> str:
    """The weekday, date and time in the locale's own words, e.g. "zaterdag 5 december
    2026, 19:30": its full date and short time, joined the locale's way."""
    locale = Locale.parse(language)
    pattern = (locale.datetime_formats["full"]
               .replace("{1}", locale.date_formats["full"].pattern)
               .replace("{0}", locale.time_formats["short"].pattern))
    return format_datetime(moment, pattern, tzinfo=zone, locale=locale)
