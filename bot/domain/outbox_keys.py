"""The outbox's keys, built and matched in one place.

A key names one message: the outbox sends each key once, so a use case run again queues
nothing twice. A `Key` is one family of keys, "<name>:<part>:<part>…": it builds them
(`of`), reads the record a key belongs to back (`first_id`) and gives the prefix that
storage matches on. The report families are found again by pattern (SQL LIKE) when a
report is erased, the approval questions when the sweeper looks for sign-ups nobody was
asked about, the introductions when it looks for a message that was never queued, and the
group posts when a post is edited in place: always through the same `Key`.
"""

from dataclasses import dataclass

from bot.domain.button_data import parse_id


@dataclass(frozen=True)
class Key:
    name: str
    parts: tuple[str, ...]
    """What follows the name, in order; only for reading and for counting the values."""

    @property
    def prefix(self) -> str:
        return f"{self.name}:"

    def of(self, *values: object) -> str:
        if len(values) != len(self.parts):
            raise TypeError(f"outbox key {self.name} takes {', '.join(self.parts)}")
        return ":".join((self.name, *map(str, values)))

    def of_first(self, record: int) -> str:
        """The key of a family of one part: "ack:12"."""
        return f"{self.prefix}{record}"

    def first_id(self, key: str | None) -> int | None:
        """The record (the first part) `key` belongs to, if it is of this family."""
        if not key or not key.startswith(self.prefix):
            return None
        return parse_id(key.removeprefix(self.prefix).split(":")[0])


# A handler's own copy of a report: sent by the ladder, handed on or sent round again by
# an operator (at a moment, so it can be handed again).
ESCALATION = Key("esc", ("report", "lap", "level", "reader"))
HANDED = Key("hand", ("report", "moment", "reader"))
RESENT = Key("resend", ("report", "moment", "reader"))
HANDLERS_COPIES = (ESCALATION, HANDED, RESENT)

# The news about a report; the reader's id, or "reporter", follows after ':'.
ACKNOWLEDGED = Key("ack", ("report",))
RESOLVED = Key("resolved", ("report",))
SHARED = Key("share", ("report",))
"""A concern's line in the group."""
ADDITION = Key("addition", ("report", "count", "reader"))
QUESTION = Key("question", ("question",))
"""A contact's question to the reporter; "{question}" where its id is not known yet."""
ANSWER = Key("answer", ("question", "reader"))
TAKEN_OVER = Key("takeover", ("report", "moment", "previous holder"))
MISSING_TARGETS = Key("missing", ("report", "lap", "operator"))
WAITING = Key("waiting", ("report", "reader"))
"""Nobody can be reached for a report: to an operator, or "reporter"."""
SLOW = Key("slow", ("report", "lap"))
"""The reporter told that their report is slow in being picked up."""
LAP_ALERT = Key("lap", ("report",))
"""The operators told that a report goes round again; their ids follow after ':'."""
EXHAUSTED = Key("exhausted", ("report",))
"""The operators told that a report was not picked up after two rounds."""

APPROVAL = Key("approval", ("resident", "decider"))
DECISION = Key("decision", ("resident",))
"""The answer to a sign-up that needed approval."""
WELCOME = Key("welcome", ("resident",))
ROLE = Key("role", ("resident", "role", "moment"))
REMOVED = Key("removed", ("resident",))
STILL_HERE = Key("still-here", ("resident", "noticed"))
"""A resident who may have moved out asked whether they still live in the complex."""
MOVED_OUT = Key("moved-out", ("resident", "initiator"))
"""An initiator told that a resident is no longer signed up, and why."""
GONE_ONCE_SENT = (REMOVED, MOVED_OUT)
"""Messages to (or about) someone whose data is gone: deleted once sent."""
BECOME_INITIATOR = Key("become-initiator", ("resident",))
"""A helpful resident asked whether they would become an initiator, and their answer."""
BECOME_INITIATOR_ANSWER = Key("become-initiator-answer", ("resident",))

INTRODUCTION = Key("intro", ("introduction", "purpose", "resident"))
"""To one member: "propose", "mention", "followup2"…"""
IDEA_POST = Key("idea", ("idea",))
ACTIVITY_POST = Key("activity-post", ("activity",))
"""The group posts of ideas and activities, edited in place by their message ids."""
ERROR_ALERT = Key("error", ("kind", "hour", "operator"))
"""An operator told of an error: one per kind of error and hour."""
ANSWER_LATER = Key("answer-later", ("update", "number"))
"""A direct answer to an update that Telegram could not take at the time."""
EDIT = Key("edit", ("chat", "message", "number"))
"""An edit of a message sent: a group post's new counts, or someone forgotten taken out;
the one still waiting takes each newer state (coalesced)."""
ACTIVITY = Key("activity", ("activity", "purpose", "person"))
"""To one person: "planned", a reminder, "outcome"."""
STAGE_NEWS = Key("stage", ("history entry", "person"))
DIGEST = Key("digest", ("complex", "person", "week"))


def report_of_copy(key: str | None) -> int | None:
    """The report a handler's own copy of it belongs to, if `key` is one's."""
    return next((number for family in HANDLERS_COPIES
                 if (number := family.first_id(key)) is not None), None)


REPORT_NEWS = (*HANDLERS_COPIES, ACKNOWLEDGED, RESOLVED, SHARED, ADDITION, TAKEN_OVER,
               MISSING_TARGETS, WAITING, SLOW, LAP_ALERT, EXHAUSTED)
"""The families whose first part is a report."""


def report_of_key(key: str | None) -> int | None:
    """The report a message is about, if its key is of a report's family (questions and
    answers name their question instead)."""
    return next((number for family in REPORT_NEWS
                 if (number := family.first_id(key)) is not None), None)


def report_messages(report_id: int, question_ids: list[int]) -> list[str]:
    """LIKE patterns of every message about a report: its copies and its news."""
    patterns = [pattern for family in REPORT_NEWS
                for pattern in (family.of_first(report_id), f"{family.prefix}{report_id}:%")]
    return patterns + [p for q in question_ids for p in (QUESTION.of(q), f"{ANSWER.prefix}{q}:%")]


def report_copies(report_id: int, question_ids: list[int]) -> list[str]:
    """LIKE patterns of every message that carries a report's contents."""
    patterns = [f"{family.prefix}{report_id}:%" for family in (*HANDLERS_COPIES, ADDITION)]
    patterns += [f"{RESOLVED.of(report_id)}:%", SHARED.of(report_id)]
    return patterns + [p for q in question_ids for p in (QUESTION.of(q), f"{ANSWER.prefix}{q}:%")]
