"""All SQL lives here; the rest of the bot calls these repositories."""

from dataclasses import dataclass

from bot.clock import Clock
from bot.db import Database
from bot.repositories.complexes import ComplexRepository
from bot.repositories.drafts import DraftRepository
from bot.repositories.introductions import IntroductionRepository
from bot.repositories.invites import InviteRepository
from bot.repositories.people import PeopleRepository
from bot.repositories.updates import UpdateLog


@dataclass(frozen=True)
class Repositories:
    complexes: ComplexRepository
    people: PeopleRepository
    invites: InviteRepository
    drafts: DraftRepository
    updates: UpdateLog
    introductions: IntroductionRepository

    @classmethod
    def build(cls, db: Database, clock: Clock) -> "Repositories":
        return cls(
            complexes=ComplexRepository(db, clock),
            people=PeopleRepository(db, clock),
            invites=InviteRepository(db, clock),
            drafts=DraftRepository(db, clock),
            updates=UpdateLog(db, clock),
            introductions=IntroductionRepository(db, clock),
        )
