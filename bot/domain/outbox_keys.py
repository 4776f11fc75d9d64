"""The outbox's keys, built and matched in one place.

A key names one message: the outbox sends each key once, so a use case run again queues
nothing twice. The report families are found again by pattern (SQL LIKE) when a report is
erased, and the approval questions when the sweeper looks for sign-ups nobody was asked
about: the patterns are made from the same prefixes as the keys.
"""

from bot.domain.button_data import parse_id

ESCALATION, RESOLVED, SHARED, ADDITION = "esc:", "resolved:", "share:", "addition:"
HANDED, RESENT = "hand:", "resend:"
HANDLERS_COPIES = (ESCALATION, HANDED, RESENT)
"""The prefixes of a handler's own copy of a report: "<prefix><report id>:…"."""
QUESTION, ANSWER, APPROVAL = "question:", "answer:", "approval:"
INTRODUCTION = "intro:"
IDEA_POST, ACTIVITY_POST = "idea:", "activity-post:"
"""The group posts of ideas and activities: the sender keeps their message ids, which
storage finds again by these prefixes to edit the post in place."""


def escalation(report_id: int, lap: int, level: int, telegram_id: int) -> str:
    return f"{ESCALATION}{report_id}:{lap}:{level}:{telegram_id}"


def handed(report_id: int, moment: str, telegram_id: int) -> str:
    """A report an operator handed to someone (at `moment`, so it can be handed again)."""
    return f"{HANDED}{report_id}:{moment}:{telegram_id}"


def resent(report_id: int, moment: str, telegram_id: int) -> str:
    """A report an operator sent round again."""
    return f"{RESENT}{report_id}:{moment}:{telegram_id}"


def resolved(report_id: int) -> str:
    """The news that a report was resolved; one key per reader follows it after ':'."""
    return f"{RESOLVED}{report_id}"


def shared(report_id: int) -> str:
    """A concern's line in the group."""
    return f"{SHARED}{report_id}"


def addition(report_id: int, count: int, telegram_id: int) -> str:
    return f"{ADDITION}{report_id}:{count}:{telegram_id}"


def question(question_id: int | str) -> str:
    """A contact's question to the reporter; "{question}" where its id is not known yet."""
    return f"{QUESTION}{question_id}"


def question_of(key: str | None) -> int | None:
    """The question a key belongs to, if it is a question's key."""
    return parse_id(key.removeprefix(QUESTION)) if key and key.startswith(QUESTION) else None


def answer(question_id: int, reader: int) -> str:
    return f"{ANSWER}{question_id}:{reader}"


def _first_number(key: str | None, prefix: str) -> int | None:
    if not key or not key.startswith(prefix):
        return None
    return parse_id(key.removeprefix(prefix).split(":")[0])


def report_of_copy(key: str | None) -> int | None:
    """The report a handler's own copy of it belongs to, if `key` is one's."""
    return next((number for prefix in HANDLERS_COPIES
                 if (number := _first_number(key, prefix)) is not None), None)


def question_of_answer(key: str | None) -> int | None:
    """The question an answer passed on to a handler answers, if `key` is one's."""
    return _first_number(key, ANSWER)


def approval(resident_id: int, telegram_id: int) -> str:
    return f"{APPROVAL}{resident_id}:{telegram_id}"


def introduction(introduction_id: int, purpose: str, resident_id: int) -> str:
    """A message about an introduction to one member ("propose", "mention", "followup2");
    the sweeper looks for a missing one as INTRODUCTION, id, purpose and member."""
    return f"{INTRODUCTION}{introduction_id}:{purpose}:{resident_id}"


def acknowledged(report_id: int) -> str:
    """The news that someone took a report; one key per reader follows it after ':'."""
    return f"ack:{report_id}"


def taken_over(report_id: int, moment: str, previous: int) -> str:
    return f"takeover:{report_id}:{moment}:{previous}"


def missing_targets(report_id: int, lap: int, operator: int) -> str:
    return f"missing:{report_id}:{lap}:{operator}"


def waiting(report_id: int, reader: int | str) -> str:
    """Nobody can be reached for a report: to an operator, or "reporter"."""
    return f"waiting:{report_id}:{reader}"


def slow(report_id: int, lap: int) -> str:
    """The reporter told that their report is slow in being picked up."""
    return f"slow:{report_id}:{lap}"


def lap_alert(report_id: int) -> str:
    """The operators told that a report goes round again; their ids follow after ':'."""
    return f"lap:{report_id}"


def exhausted(report_id: int) -> str:
    """The operators told that a report was not picked up after two rounds."""
    return f"exhausted:{report_id}"


def report_copies(report_id: int, question_ids: list[int]) -> list[str]:
    """LIKE patterns of every message that carries a report's contents."""
    patterns = [f"{prefix}{report_id}:%" for prefix in (*HANDLERS_COPIES, ADDITION)]
    patterns += [f"{resolved(report_id)}:%", shared(report_id)]
    return patterns + [p for q in question_ids for p in (question(q), f"{ANSWER}{q}:%")]


def idea_post(idea_id: int) -> str:
    return f"{IDEA_POST}{idea_id}"


def activity_post(activity_id: int) -> str:
    return f"{ACTIVITY_POST}{activity_id}"


def activity(activity_id: int, purpose: str, telegram_id: int) -> str:
    """A message about an activity to one person: "planned", a reminder, "outcome"."""
    return f"activity:{activity_id}:{purpose}:{telegram_id}"


def welcome(resident_id: int) -> str:
    return f"welcome:{resident_id}"


def decision(resident_id: int) -> str:
    """The answer to a sign-up that needed approval."""
    return f"decision:{resident_id}"


def role(resident_id: int, role_name: str, moment: str) -> str:
    return f"role:{resident_id}:{role_name}:{moment}"


def removed(resident_id: int) -> str:
    return f"removed:{resident_id}"


def become_initiator(resident_id: int) -> str:
    """A helpful resident asked whether they would become an initiator."""
    return f"become-initiator:{resident_id}"


def become_initiator_answer(resident_id: int) -> str:
    return f"become-initiator-answer:{resident_id}"


def stage_news(entry_id: int, telegram_id: int) -> str:
    """A stage change, from its history entry, to one person."""
    return f"stage:{entry_id}:{telegram_id}"


def digest(complex_id: int, telegram_id: int, week: str) -> str:
    return f"digest:{complex_id}:{telegram_id}:{week}"


def forgotten(outbox_id: int, telegram_id: int) -> str:
    """The correction of a sent message that showed someone who asked to be forgotten."""
    return f"forgotten:{outbox_id}:{telegram_id}"
