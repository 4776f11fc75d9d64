"""The records the bot works with, as plain values."""

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.vocabulary import ContactKind, JoinPolicy, ResidentRole, ResidentStatus


@dataclass(frozen=True)
class Complex:
    id: int
    name: str
    homes: int
    municipality: str
    language: str
    join_policy: JoinPolicy
    stage: str
    resident_code: str
    initiator_code: str
    group_chat_id: int | None
    created_at: datetime
    intro_enabled: bool = True
    intro_weekday: int = 0
    intro_time: str = "19:00"
    intro_changed_at: datetime | None = None
    committee: bool = False
    stage_override: str | None = None
    stage_failing_since: datetime | None = None
    stage_checked_at: datetime | None = None

    @property
    def effective_stage(self) -> str:
        """The stage that routes reports: a contact's override, else the measured one."""
        return self.stage_override or self.stage


@dataclass(frozen=True)
class ComplexCounts:
    """A complex with its head counts, as /complexes lists it."""

    complex: Complex
    residents: int
    initiators: int
    pending: int
    contacts: int


@dataclass(frozen=True)
class Resident:
    id: int
    telegram_id: int
    complex_id: int
    first_name: str
    building: str | None
    wants_to_organise: bool
    wants_introductions: bool
    role: ResidentRole
    status: ResidentStatus
    joined_at: datetime
    interests: tuple[str, ...] = field(default=())

    @property
    def is_initiator(self) -> bool:
        return self.role is ResidentRole.INITIATOR and self.status is ResidentStatus.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status is ResidentStatus.ACTIVE


@dataclass(frozen=True)
class Contact:
    """A professional (municipality, police, corporation) or peer who took a complex's
    contact invite: reports reach them by the complex's stage."""

    telegram_id: int
    complex_id: int
    kind: ContactKind
    first_name: str
    joined_at: datetime


@dataclass(frozen=True)
class ContactInvite:
    code: str
    complex_id: int
    kind: ContactKind
    expires_at: datetime
    used_by: int | None


@dataclass(frozen=True)
class AskedButtons:
    """The buttons of the question a conversation waits on: the message that shows them,
    and the callback data of each label as it may be typed (see handlers/presses.py)."""

    message_id: int
    labels: dict[str, str]


@dataclass(frozen=True)
class Draft:
    telegram_id: int
    flow: str
    step: str
    data: dict
    buttons: AskedButtons | None = None
