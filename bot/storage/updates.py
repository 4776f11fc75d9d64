from bot.clock import to_db
from bot.storage.db import Repository, record_handled


class UpdateLog(Repository):
    """Update ids already handled, so a redelivered update is not applied twice."""

    async def seen(self, update_id: int) -> bool:
        return bool(
            await self.db.fetch_value(
                "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
            )
        )

    async def latest(self) -> int:
        """The highest update id handled so far (0 if none)."""
        return await self.db.fetch_value(
            "SELECT COALESCE(MAX(update_id), 0) FROM processed_updates"
        )

    async def record(self, update_id: int) -> None:
        async with self.db.transaction() as conn:
            await record_handled(conn, update_id, to_db(self.clock.now()))

    async def prune(self, older_than: str) -> int:
        return await self.db.write(
            "DELETE FROM processed_updates WHERE processed_at < ?", (older_than,))
