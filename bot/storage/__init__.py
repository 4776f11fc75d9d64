"""All SQL lives here; the rest of the bot calls these repositories."""

from dataclasses import dataclass
from typing import get_type_hints

from bot.clock import Clock
from bot.storage.activities import ActivityRepository
from bot.storage.complexes import ComplexRepository
from bot.storage.db import Database
from bot.storage.drafts import DraftRepository
from bot.storage.ideas import IdeaRepository, SuggestionRepository
from bot.storage.inbox import Inbox
from bot.storage.introductions import IntroductionRepository
from bot.storage.invites import InviteRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.people import PeopleRepository
from bot.storage.reports import ReportRepository
from bot.storage.stages import DigestRepository, StageRepository
from bot.storage.tenancy import TenancyRepository
from bot.storage.updates import UpdateLog


@dataclass(frozen=True)
class Repositories:
    complexes: ComplexRepository
    people: PeopleRepository
    invites: InviteRepository
    drafts: DraftRepository
    updates: UpdateLog
    inbox: Inbox
    introductions: IntroductionRepository
    outbox: OutboxRepository
    reports: ReportRepository
    ideas: IdeaRepository
    suggestions: SuggestionRepository
    stages: StageRepository
    digests: DigestRepository
    activities: ActivityRepository
    tenancy: TenancyRepository

    @classmethod
    def build(cls, db: Database, clock: Clock) -> "Repositories":
        """Each repository, named as the field its type annotates."""
        return cls(**{name: repository(db, clock)
                      for name, repository in get_type_hints(cls).items()})
