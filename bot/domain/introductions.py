"""Rules of introductions: when rounds fall due and how long each step waits."""

import re
from datetime import UTC, datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from bot.domain.validation import InvalidInput
from bot.i18n import N_

ANSWER_WITHIN = timedelta(days=3)
FIRST_FOLLOW_UP = timedelta(days=4)
SECOND_FOLLOW_UP = timedelta(days=3)
MAX_FOLLOW_UPS = 2
RECENT_ROUNDS = 6
ROUND_EVERY = timedelta(days=7)

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_time_of_day(text: str | None) -> str:
    """"19:00", "7.30" → "HH:MM"."""
    match = _TIME.match((text or "").strip())
    if not match:
        raise InvalidInput(N_("Give a time like 19:00."))
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def latest_round_due(now: datetime, weekday: int, time_of_day: str, tz: ZoneInfo) -> datetime:
    """The most recent scheduled round moment at or before `now`, in UTC."""
    hour, minute = (int(part) for part in time_of_day.split(":"))
    local = now.astimezone(tz)
    moment = (local - timedelta(days=(local.weekday() - weekday) % 7)).replace(
        hour=hour, minute=minute, second=0, microsecond=0
    )
    if moment > local:
        moment -= ROUND_EVERY
    return moment.astimezone(UTC)


def round_seed(complex_id: int, due_at: datetime) -> int:
    """Stable per round, so a round is reproducible from its complex and moment."""
    return complex_id * 1_000_003 + int(due_at.timestamp()) // 60


def still_possible(groups: list[tuple[int, ...]], available: set[int],
                   recent: set[frozenset[int]]) -> list[tuple[int, ...]]:
    """The groups a round matched that can still be introduced when it is written: every
    member still available, no pair of them introduced since, nobody in two groups."""
    kept: list[tuple[int, ...]] = []
    taken: set[int] = set()
    for group in groups:
        pairs = {frozenset(pair) for pair in combinations(group, 2)}
        if set(group) <= available - taken and not pairs & recent:
            kept.append(group)
            taken |= set(group)
    return kept
