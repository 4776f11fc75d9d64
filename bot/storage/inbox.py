from datetime import timedelta

from bot.clock import to_db
from bot.storage.db import Repository

MAX_ATTEMPTS = 3  # handlings that ended in an error before an update is given up
KEEP_FAILED = timedelta(days=1)


class Inbox(Repository):
    """Updates received and not yet handled (see migrations/0008_inbox.sql)."""

    async def store(self, update_id: int, payload: str) -> bool:
        """Keep an update until it is handled; False if it is already kept or handled (a
        redelivery), so it is not queued twice."""
        return await self.db.write_one(
            "INSERT OR IGNORE INTO inbox (update_id, payload, received_at)"
            " SELECT ?, ?, ? WHERE NOT EXISTS"
            " (SELECT 1 FROM processed_updates WHERE update_id = ?)",
            (update_id, payload, to_db(self.clock.now()), update_id))

    async def pending(self, max_attempts: int) -> list[tuple[int, str]]:
        """What is left to handle, in the order Telegram sent it."""
        rows = await self.db.fetch_all(
            "SELECT update_id, payload FROM inbox WHERE attempts < ? ORDER BY update_id",
            (max_attempts,))
        return [(row["update_id"], row["payload"]) for row in rows]

    async def failed(self, update_id: int) -> None:
        await self.db.write(
            "UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?", (update_id,))

    async def give_up(self, max_attempts: int, received_before: str) -> list[int]:
        """Drop the updates that failed `max_attempts` times, or failed at all and arrived
        before `received_before` (Telegram itself keeps an update for a day): handling
        them again will not help, and they hold what people wrote."""
        condition = "attempts >= ? OR (attempts > 0 AND received_at < ?)"
        async with self.db.transaction() as conn:
            rows = await conn.execute_fetchall(
                f"SELECT update_id FROM inbox WHERE {condition}",
                (max_attempts, received_before))
            await conn.execute(f"DELETE FROM inbox WHERE {condition}",
                               (max_attempts, received_before))
        return [row[0] for row in rows]
