"""Rules of introductions: when rounds fall due, how long each step waits, and what an
answer does to an introduction."""

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
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


class Answer(StrEnum):
    CLOSED = "closed"  # declined, expired, or already accepted by everyone
    NOT_MEMBER = "not_member"
    ALREADY = "already"
    WAITING = "waiting"  # this person said yes; someone else has not answered yet
    ACCEPTED = "accepted"  # everyone said yes
    DECLINED = "declined"


def answer_outcome(status: str | None, answers: dict[int, str], resident_id: int,
                   yes: bool) -> Answer:
    """What one member's yes or no does to an introduction in `status` (None: unknown),
    given every member's answer so far ("pending", "yes", "no")."""
    if status is None or resident_id not in answers:
        return Answer.NOT_MEMBER
    if status != "proposed":
        return Answer.CLOSED
    if answers[resident_id] != "pending":
        return Answer.ALREADY
    if not yes:
        return Answer.DECLINED
    others = [answer for member, answer in answers.items() if member != resident_id]
    return Answer.ACCEPTED if all(answer == "yes" for answer in others) else Answer.WAITING


def meeting_question_open(status: str, followups_sent: int, met: str | None) -> bool:
    """Whether a member of an introduction may answer "did you meet?" now."""
    return status == "accepted" and followups_sent > 0 and met not in ("yes", "no")


def asks_again(met: str, followups_sent: int) -> bool:
    """"Not yet" is asked about once more, up to the last follow-up."""
    return met == "not_yet" and followups_sent < MAX_FOLLOW_UPS
