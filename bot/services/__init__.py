"""The use cases: one function each, one unit of work each.

A service loads what it needs through the repositories, asks the domain what to do, and
writes the change together with the messages it queues for other people (in their own
language) in one write transaction; it never calls Telegram and imports nothing of it.
Handlers parse an update, call a service and render its answer; the sweeper's jobs call
the same services.

`Services` is what every use case needs, opened at start-up and kept in ``bot_data``.
"""

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Config
from bot.storage import Repositories
from bot.storage.db import Database


@dataclass(frozen=True)
class Services:
    config: Config
    clock: Clock
    db: Database
    repos: Repositories

    @classmethod
    async def open(cls, config: Config, clock: Clock) -> "Services":
        db = await Database.open(config.database)
        try:
            await db.migrate(clock)
        except BaseException:
            await db.close()
            raise
        return cls(config=config, clock=clock, db=db, repos=Repositories.build(db, clock))

    async def close(self) -> None:
        await self.db.close()
