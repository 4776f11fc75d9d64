"""All SQL lives here; the rest of the bot calls these repositories."""

from dataclasses import dataclass

from bot.clock import Clock
from bot.storage.activities import ActivityRepository
from bot.storage.complexes import ComplexRepository
from bot.storage.db import Database
from bot.storage.drafts import DraftRepository
from bot.storage.ideas import IdeaRepository, SuggestionRepository
from bot.storage.introductions import IntroductionRepository
from bot.storage.invites import InviteRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.people import PeopleRepository
from bot.storage.reports import ReportRepository
from bot.storage.stages import DigestRepository, StageRepository
from bot.storage.updates import UpdateLog


@dataclass(frozen=True)
class Repositories:
    complexes: ComplexRepository
    people: PeopleRepository
    invites: InviteRepository
    drafts: DraftRepository
    updates: UpdateLog
    introductions: IntroductionRepository
    outbox: OutboxRepository
    reports: ReportRepository
    ideas: IdeaRepository
    suggestions: SuggestionRepository
    stages: StageRepository
    digests: DigestRepository
    activities: ActivityRepository

    @classmethod
    def build(cls, db: Database, clock: Clock) -> "Repositories":
        return cls(
            complexes=ComplexRepository(db, clock),
            people=PeopleRepository(db, clock),
            invites=InviteRepository(db, clock),
            drafts=DraftRepository(db, clock),
            updates=UpdateLog(db, clock),
            introductions=IntroductionRepository(db, clock),
            outbox=OutboxRepository(db, clock),
            reports=ReportRepository(db, clock),
            ideas=IdeaRepository(db, clock),
            suggestions=SuggestionRepository(db, clock),
            stages=StageRepository(db, clock),
            digests=DigestRepository(db, clock),
            activities=ActivityRepository(db, clock),
        )
