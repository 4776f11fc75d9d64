"""Ideas of residents: what one is, who may close it, and who could become an initiator."""

from dataclasses import dataclass
from datetime import datetime

from bot.domain import validation
from bot.domain.models import Resident
from bot.domain.vocabulary import IdeaStatus

IDEA_MAX = 500
HELPS_TO_SUGGEST = 2
"""Offering help on this many ideas makes a resident a candidate initiator."""


@dataclass(frozen=True)
class Idea:
    id: int
    complex_id: int
    proposer_id: int | None
    proposer_name: str | None
    text: str
    status: IdeaStatus
    group_chat_id: int | None
    group_message_id: int | None
    created_at: datetime
    supporters: int
    helpers: int

    @property
    def is_open(self) -> bool:
        return self.status is IdeaStatus.OPEN


@dataclass(frozen=True)
class Candidate:
    """An active resident who is not an initiator and keeps helping."""

    resident_id: int
    first_name: str
    building: str | None
    helps: int
    ideas_planned: int
    wants_to_organise: bool


@dataclass(frozen=True)
class Invitation:
    resident_id: int
    asked_by: int
    answer: str | None


def idea_text(text: str | None) -> str:
    """The text of an idea: whitespace collapsed, 1 to IDEA_MAX characters."""
    return validation.one_line(" ".join((text or "").split()), limit=IDEA_MAX)


def may_close(idea: Idea, resident: Resident | None) -> bool:
    """The proposer and the initiators of the idea's complex may close it."""
    if resident is None or not resident.is_active or resident.complex_id != idea.complex_id:
        return False
    return resident.is_initiator or resident.id == idea.proposer_id
