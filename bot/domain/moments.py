"""Reading a typed date and time the way residents type them, in Dutch or English:
"2026-12-05 19:30", "5 december 19:30", "19-12 19:30", "morgen 19:00", "vrijdag 20:00",
"tomorrow 7pm", "volgende week dinsdag half acht 's avonds", "zaterdag 10 uur".

We checked `dateparser` first (the well-kept multilingual parser): it misreads exactly the
Dutch forms people use — "morgen om 19 uur" became the day after tomorrow at 11:30 and
"vrijdag 19u30" a date in 2030 — and does not know "half acht" at all. A date read wrongly
sends neighbours to an activity at the wrong time, so this is a small explicit grammar,
with the month and weekday names taken from Babel's locale data.

A reading is a tuple of candidate moments, all in the future, earliest first: two when a
twelve-hour time ("half acht", "8 uur") says neither morning nor evening, so the person
is asked which one they mean."""

import re
from datetime import date, datetime, time, timedelta, tzinfo

from babel import Locale

from bot.domain.validation import InvalidInput
from bot.i18n import N_

LANGUAGES = ("nl", "en")
CONFIRM_BEYOND = timedelta(days=28)
"""A moment further ahead than this is confirmed: "5/1" typed on 6 January means next year."""

_FILLERS = frozenset({"om", "at", "on", "op", "de", "het", "the", "van", "of", "rond",
                      "around", "vanaf", "from"})
_AFTERNOON = frozenset({"'s middags", "'s avonds", "s middags", "s avonds", "avond",
                        "middag", "in the afternoon", "in the evening", "afternoon",
                        "evening", "pm", "p.m."})
_MORNING = frozenset({"'s ochtends", "'s morgens", "s ochtends", "s morgens", "ochtend",
                      "in the morning", "morning", "am", "a.m."})
_RELATIVE_DAYS = {"vandaag": 0, "today": 0, "vanavond": 0, "tonight": 0, "vanmiddag": 0,
                  "morgen": 1, "tomorrow": 1, "morgenavond": 1, "morgenmiddag": 1,
                  "morgenochtend": 1, "overmorgen": 2}
_EVENING_DAYS = frozenset({"vanavond", "tonight", "vanmiddag", "morgenavond", "morgenmiddag"})
_NEXT = frozenset({"next", "volgende", "komende", "coming", "this", "deze", "aanstaande"})
_NEXT_WEEK = ("volgende week", "next week")
_NUMBER_WORDS = {
    word: number
    for number, words in enumerate(
        [("een", "één", "one"), ("twee", "two"), ("drie", "three"), ("vier", "four"),
         ("vijf", "five"), ("zes", "six"), ("zeven", "seven"), ("acht", "eight"),
         ("negen", "nine"), ("tien", "ten"), ("elf", "eleven"), ("twaalf", "twelve")],
        start=1)
    for word in words
}


def _names(kind: str) -> dict[str, int]:
    """Month (1–12) or weekday (0 = Monday) names of both languages, wide and abbreviated,
    lower case; English gets the common longer abbreviations ("sept", "tues") too."""
    found: dict[str, int] = {}
    for language in LANGUAGES:
        table = getattr(Locale.parse(language), kind)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                found.update({name.lower().rstrip("."): key
                              for key, name in table[context][width].items()})
    found.update({"sept": 9} if kind == "months" else
                 {"tues": 1, "wed": 2, "thur": 3, "thurs": 3})
    return found


MONTHS = _names("months")
WEEKDAYS = _names("days")

_HOUR = r"(?P<hour>\d{1,2})"
_MIN = r"(?P<minute>\d{2})"
_HALF = r"(?P<half>am|pm|a\.m\.|p\.m\.)(?!\w)"
_WORD = r"(?P<word>" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r"|\d{1,2})"
_CLOCK = [  # (pattern, twelve-hour clock?) in order of preference
    (re.compile(rf"\b{_HOUR}\s*[:.]\s*{_MIN}\s*{_HALF}"), True),
    (re.compile(rf"\b{_HOUR}\s*:\s*{_MIN}\b"), False),
    (re.compile(rf"\b{_HOUR}\s*[uh]\s*{_MIN}\b"), False),
    (re.compile(rf"\b{_HOUR}\s*{_HALF}"), True),
    (re.compile(rf"\bhalf\s+past\s+{_WORD}\b"), True),
    (re.compile(rf"\bquarter\s+(?P<side>past|to)\s+{_WORD}\b"), True),
    (re.compile(rf"\bkwart\s+(?P<side>over|voor)\s+{_WORD}\b"), True),
    (re.compile(rf"\bhalf\s+{_WORD}\b"), True),
    (re.compile(rf"\b{_WORD}\s*(?:uur|o'clock)\b"), True),
]
_DATE_T_TIME = re.compile(r"(\d)t(\d)")
_DOTTED = re.compile(rf"\b{_HOUR}\.{_MIN}\b")
_ISO = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:t|\s|$)")
_NUMERIC = re.compile(r"^(?P<day>\d{1,2})[-/.](?P<month>\d{1,2})(?:[-/.](?P<year>\d{4}))?$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|e|ste|de)?$")
_YEAR = re.compile(r"^\d{4}$")

UNREADABLE = N_("I could not read that date and time. Type it like {example}, "
                "tomorrow 19:30 or friday 8pm.")


def example(now: datetime, zone: tzinfo) -> str:
    """A valid answer a week from now, to show in the help texts."""
    return (now + timedelta(days=7)).astimezone(zone).strftime("%Y-%m-%d 19:30")


def read_moment(text: str | None, now: datetime, zone: tzinfo) -> tuple[datetime, ...]:
    """The future moments `text` can mean in `zone`, earliest first. Raises InvalidInput
    when it is unreadable, does not exist, or has passed."""
    hint = {"example": example(now, zone)}
    cleaned = " ".join((text or "").lower().replace(",", " ").replace("’", "'").split())
    cleaned = _DATE_T_TIME.sub(r"\1 \2", cleaned)  # 2026-12-05T19:30
    found = _clock(cleaned)
    if found is None:
        raise InvalidInput(UNREADABLE, hint)
    hour, minute, twelve_hour, rest = found
    rest, half = _day_part(rest)
    words = [word for word in rest.split() if word not in _FILLERS]
    if any(word in _EVENING_DAYS for word in words):
        half = half or "pm"
    days = _days(words, now.astimezone(zone).date(), hint)
    if not (0 <= minute < 60 and 0 <= hour < 24):
        raise InvalidInput(N_("That date or time does not exist. Type it like {example}."),
                           hint)
    if twelve_hour and half is None and 1 <= hour <= 11:
        hours = [hour, hour + 12]  # "half acht": morning or evening? asked back
    elif twelve_hour and hour <= 12:
        hours = [_on_24_hour_clock(hour, half)]
    else:
        hours = [hour]
    moments = [datetime.combine(day, time(h, minute), tzinfo=zone) for day in days
               for h in hours]
    if not moments:
        raise InvalidInput(N_("That date or time does not exist. Type it like {example}."),
                           hint)
    future = sorted(moment for moment in moments if moment > now)
    if not future:
        raise InvalidInput(N_("That moment has already passed. Give a date and time in the "
                              "future, like {example}."), hint)
    earliest_day = future[0].date()
    return tuple(moment for moment in future if moment.date() == earliest_day)


def needs_confirmation(moments: tuple[datetime, ...], now: datetime) -> bool:
    """Ask back when the reading is ambiguous or unusually far ahead."""
    return len(moments) > 1 or moments[0] - now > CONFIRM_BEYOND


def _on_24_hour_clock(hour: int, half: str | None) -> int:
    if half in _AFTERNOON and hour < 12:
        return hour + 12
    if half in _MORNING and hour == 12:
        return 0
    return hour


def _clock(cleaned: str) -> tuple[int, int, bool, str] | None:
    """(hour, minute, twelve-hour clock?, the text without the time) or None."""
    for pattern, twelve_hour in _CLOCK:
        match = pattern.search(cleaned)
        if match:
            return (*_clock_fields(match), twelve_hour,
                    cleaned[: match.start()] + " " + _half_of(match) + cleaned[match.end():])
    dotted = list(_DOTTED.finditer(cleaned))  # "5.12 19.30": the last one is the time
    if dotted:
        match = dotted[-1]
        return (int(match["hour"]), int(match["minute"]), False,
                cleaned[: match.start()] + " " + cleaned[match.end():])
    return None


def _half_of(match: re.Match[str]) -> str:
    """Keep "pm" of "7pm" in the text, so the day part reads it like "'s avonds"."""
    return match.groupdict().get("half") or ""


def _clock_fields(match: re.Match[str]) -> tuple[int, int]:
    fields = match.groupdict()
    if fields.get("hour") is not None:
        return int(fields["hour"]), int(fields.get("minute") or 0)
    word = fields["word"]
    hour = _NUMBER_WORDS[word] if word in _NUMBER_WORDS else int(word)
    text = match.group(0)
    if text.startswith("half past"):
        return hour, 30
    if text.startswith("half"):  # Dutch "half acht" is half an hour before eight
        return (hour - 1) or 12, 30
    if fields.get("side") in ("past", "over"):
        return hour, 15
    if fields.get("side") in ("to", "voor"):
        return (hour - 1) or 12, 45
    return hour, 0


def _day_part(rest: str) -> tuple[str, str | None]:
    """The text without "'s avonds", "in the morning" and the like, and which half of the
    day it named ("am", "pm" or None)."""
    for phrases, half in ((_AFTERNOON, "pm"), (_MORNING, "am")):
        for phrase in sorted(phrases, key=len, reverse=True):
            found = re.search(rf"(?:^|\s){re.escape(phrase)}(?:\s|$)", rest)
            if found:
                return rest[: found.start()] + " " + rest[found.end():], half
    return rest, None


def _days(words: list[str], today: date, hint: dict[str, str]) -> list[date]:
    """The days the date words can mean (several when the year is left out)."""
    text = " ".join(words)
    next_week = any(phrase in text for phrase in _NEXT_WEEK)
    for phrase in _NEXT_WEEK:
        text = text.replace(phrase, " ")
    words = [word.rstrip(".") for word in text.split() if word not in _NEXT]
    weekday = next((WEEKDAYS[word] for word in words if word in WEEKDAYS), None)
    words = [word for word in words if word not in WEEKDAYS]
    if not words:
        return _weekday_days(weekday, today, next_week)
    if len(words) == 1 and words[0] in _RELATIVE_DAYS and weekday is None:
        return [today + timedelta(days=_RELATIVE_DAYS[words[0]])]
    days = _calendar_days(words, today)
    if days is None or next_week:
        raise InvalidInput(UNREADABLE, hint)
    matching = [day for day in days if weekday is None or day.weekday() == weekday]
    if days and not matching:
        raise InvalidInput(N_("That date does not fall on that day of the week. Type it "
                              "like {example}."), hint)
    return matching


def _weekday_days(weekday: int | None, today: date, next_week: bool) -> list[date]:
    """A bare time means today or tomorrow; a weekday the coming one (today included,
    so a time still ahead today counts); "next week" + weekday that day of next week."""
    if next_week:
        monday = today + timedelta(days=7 - today.weekday())
        return [monday + timedelta(days=weekday if weekday is not None else 0)]
    if weekday is None:
        return [today, today + timedelta(days=1)]
    ahead = (weekday - today.weekday()) % 7
    return [today + timedelta(days=ahead), today + timedelta(days=ahead + 7)]


def _calendar_days(words: list[str], today: date) -> list[date] | None:
    """Days from "5 december", "december 5th", "5 dec 2026", "5-12", "2026-12-05"."""
    text = " ".join(words)
    iso = _ISO.match(text)
    if iso and not text[iso.end():].strip():
        return _existing(int(iso["year"]), int(iso["month"]), int(iso["day"]))
    numeric = _NUMERIC.match(text)
    if numeric:
        return _years(numeric["year"], int(numeric["month"]), int(numeric["day"]), today)
    year = next((word for word in words if _YEAR.match(word)), None)
    named = [word for word in words if word != year]
    months = [MONTHS[word] for word in named if word in MONTHS]
    numbers = [int(m[1]) for word in named if (m := _ORDINAL.match(word))]
    if len(months) != 1 or len(numbers) != 1 or len(named) != 2:
        return None
    return _years(year, months[0], numbers[0], today)


def _years(year: str | None, month: int, day: int, today: date) -> list[date]:
    """Without a year: this year's and next year's, so the future one can be chosen."""
    if year is not None:
        return _existing(int(year), month, day)
    return _existing(today.year, month, day) + _existing(today.year + 1, month, day)


def _existing(year: int, month: int, day: int) -> list[date]:
    try:
        return [date(year, month, day)]
    except ValueError:
        return []
