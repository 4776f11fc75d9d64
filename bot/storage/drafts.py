import json

from bot.clock import to_db
from bot.domain.models import AskedButtons, Draft
from bot.storage.db import Repository


class DraftRepository(Repository):
    """Conversations in progress, one per person, kept in the database."""

    async def get(self, telegram_id: int) -> Draft | None:
        row = await self.db.fetch_one("SELECT * FROM drafts WHERE telegram_id = ?", (telegram_id,))
        if row is None:
            return None
        buttons = json.loads(row["buttons"]) if row["buttons"] else None
        return Draft(
            telegram_id=row["telegram_id"],
            flow=row["flow"],
            step=row["step"],
            data=json.loads(row["data"]),
            buttons=AskedButtons(buttons["message"], buttons["labels"]) if buttons else None,
        )

    async def put(self, telegram_id: int, flow: str, step: str, data: dict) -> Draft:
        await self.db.write(
            "INSERT INTO drafts (telegram_id, flow, step, data, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (telegram_id) DO UPDATE SET"
            " flow = excluded.flow, step = excluded.step, data = excluded.data,"
            " buttons = CASE WHEN drafts.flow = excluded.flow AND drafts.step ="
            " excluded.step THEN drafts.buttons END, updated_at = excluded.updated_at",
            (telegram_id, flow, step, json.dumps(data), to_db(self.clock.now())),
        )
        return Draft(telegram_id=telegram_id, flow=flow, step=step, data=data)

    async def ask_with(self, telegram_id: int, buttons: AskedButtons) -> None:
        """Record the buttons just shown for the current step; put() forgets them when it
        moves to another step. Bookkeeping of a sent message, after the update's unit."""
        async with self.db.bookkeeping() as conn:
            await conn.execute(
                "UPDATE drafts SET buttons = ? WHERE telegram_id = ?",
                (json.dumps({"message": buttons.message_id, "labels": buttons.labels}),
                 telegram_id))

    async def clear(self, telegram_id: int) -> bool:
        return await self.db.write("DELETE FROM drafts WHERE telegram_id = ?", (telegram_id,)) > 0

    async def prune(self, older_than: str) -> int:
        return await self.db.write("DELETE FROM drafts WHERE updated_at < ?", (older_than,))
