"""Activities: their fields, the typed start time, reminders and the outcome question."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from babel import Locale
from babel.dates import format_datetime

from bot import validation
from bot.i18n import N_
from bot.validation import InvalidInput

TITLE_MAX = 100
PLACE_MAX = 100
ATTENDANCE_MAX = 10_000
REMIND_DAY_BEFORE = timedelta(hours=24)
REMIND_HOUR_BEFORE = timedelta(hours=1)
ASK_OUTCOME_AFTER = timedelta(hours=3)
RECENT = timedelta(days=90)


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


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


def title(text: str | None) -> str:
    return validation.one_line(text, limit=TITLE_MAX)


def place(text: str | None) -> str:
    return validation.one_line(text, limit=PLACE_MAX)


def title_from_idea(text: str) -> str:
    """An idea's text as a title, shortened with an ellipsis if it is too long."""
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


def attendance(text: str | None) -> int:
    cleaned = (text or "").strip()
    if not cleaned.isdigit() or int(cleaned) > ATTENDANCE_MAX:
        raise InvalidInput(N_("Please type a whole number from 0 to {max}."),
                           {"max": ATTENDANCE_MAX})
    return int(cleaned)


# -- the start time, typed leniently --------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "januari", "jan"),
            ("february", "februari", "feb"),
            ("march", "maart", "mar", "mrt"),
            ("april", "apr"),
            ("may", "mei"),
            ("june", "juni", "jun"),
            ("july", "juli", "jul"),
            ("august", "augustus", "aug"),
            ("september", "sep", "sept"),
            ("october", "oktober", "oct", "okt"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

_TIME = r"(?P<hour>\d{1,2})[:.hu](?P<minute>\d{2})"
_DAY, _MONTH, _YEAR = r"(?P<day>\d{1,2})", r"(?P<month>\d{1,2})", r"(?P<year>\d{4})"
_FORMS = [
    re.compile(rf"^{_YEAR}-{_MONTH}-{_DAY}(?: |t){_TIME}$"),  # 2026-12-05 19:30
    re.compile(rf"^{_DAY}[-/.]{_MONTH}(?:[-/.]{_YEAR})? {_TIME}$"),  # 5-12-2026, 5/12
    re.compile(rf"^{_DAY} (?P<name>[a-z]+)\.?(?: {_YEAR})? {_TIME}$"),  # 5 dec 19:30
]
_FILLER = re.compile(r",|\b(?:om|at)\b")


def example(now: datetime, zone: tzinfo) -> str:
    """A valid answer a week from now, to show in the help texts."""
    return (now + timedelta(days=7)).astimezone(zone).strftime("%Y-%m-%d 19:30")


def parse_start(text: str | None, now: datetime, zone: tzinfo) -> datetime:
    """A start time in `zone`, from "2026-12-05 19:30", "5-12-2026 19:30", "5/12 19:30",
    "5 december 19:30" or "5 dec 19:30" (English or Dutch months); without a year, the
    next such date. Raises InvalidInput when unreadable or not in the future."""
    cleaned = " ".join(_FILLER.sub(" ", (text or "").lower()).split())
    fields = next((m.groupdict() for form in _FORMS if (m := form.match(cleaned))), None)
    hint = {"example": example(now, zone)}
    if fields is None or (fields.get("name") and fields["name"] not in MONTHS):
        raise InvalidInput(N_("I could not read that date and time. Type it like {example} or "
                              "5 december 19:30."), hint)
    month = MONTHS[fields["name"]] if fields.get("name") else int(fields["month"])
    parts = (month, int(fields["day"]), int(fields["hour"]), int(fields["minute"]))
    local_now = now.astimezone(zone)
    years = [int(fields["year"])] if fields["year"] else [local_now.year, local_now.year + 1]
    moments = [moment for year in years if (moment := _moment(year, *parts, zone))]
    if not moments:
        raise InvalidInput(N_("That date or time does not exist. Type it like {example}."),
                           hint)
    future = [moment for moment in moments if moment > now]
    if not future:
        raise InvalidInput(N_("That moment has already passed. Give a date and time in the "
                              "future, like {example}."), hint)
    return future[0]


def _moment(year: int, month: int, day: int, hour: int, minute: int,
            zone: tzinfo) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        return None


def format_when(moment: datetime, zone: tzinfo, language: str) -> str:
    """The weekday, date and time in the locale's own words, e.g. "zaterdag 5 december
    2026, 19:30": its full date and short time, joined the locale's way."""
    locale = Locale.parse(language)
    pattern = (locale.datetime_formats["full"]
               .replace("{1}", locale.date_formats["full"].pattern)
               .replace("{0}", locale.time_formats["short"].pattern))
    return format_datetime(moment, pattern, tzinfo=zone, locale=locale)
