"""All SQL lives here; the rest of the bot calls these repositories."""

from dataclasses import dataclass

from bot.clock import Clock
from bot.db import Database
from bot.repositories.activities import ActivityRepository
from bot.repositories.complexes import ComplexRepository
from bot.repositories.drafts import DraftRepository
from bot.repositories.ideas import IdeaRepository, SuggestionRepository
from bot.repositories.introductions import IntroductionRepository
from bot.repositories.invites import InviteRepository
from bot.repositories.outbox import OutboxRepository
from bot.repositories.people import PeopleRepository
from bot.repositories.reports import ReportRepository
from bot.repositories.stages import DigestRepository, StageRepository
from bot.repositories.updates import UpdateLog


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
