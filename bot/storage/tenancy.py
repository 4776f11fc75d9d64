from datetime import datetime

import aiosqlite

from bot.clock import from_db, to_db
from bot.domain.models import Resident
from bot.storage.db import Repository
from bot.storage.rows import record


async def unreachable_in(conn: aiosqlite.Connection, now: datetime, chat_id: int) -> None:
    """Inside the caller's transaction: a message could not reach `chat_id` (blocked)."""
    await conn.execute(
        "INSERT OR IGNORE INTO tenancy_checks (resident_id, cause, noticed_at)"
        " SELECT id, 'unreachable', ? FROM residents WHERE telegram_id = ?"
        " AND status = 'active'", (to_db(now), chat_id))


async def reached_in(conn: aiosqlite.Connection, chat_id: int) -> None:
    """Inside the caller's transaction: a message reached `chat_id` after all."""
    await conn.execute(
        "DELETE FROM tenancy_checks WHERE cause = 'unreachable' AND resident_id IN"
        " (SELECT id FROM residents WHERE telegram_id = ?)", (chat_id,))


class TenancyRepository(Repository):
    """Residents who may have moved out (see migrations/0010_tenancy.sql)."""

    async def left_group(self, resident_id: int) -> None:
        await self.db.write(
            "INSERT INTO tenancy_checks (resident_id, cause, noticed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (resident_id) DO UPDATE SET cause = excluded.cause"
            " WHERE asked_at IS NULL",
            (resident_id, "left_group", to_db(self.clock.now())))

    async def back_in_group(self, resident_id: int) -> None:
        await self.db.write("DELETE FROM tenancy_checks WHERE resident_id = ?"
                            " AND cause = 'left_group'", (resident_id,))

    async def to_ask(self, unreachable_before: datetime) -> list[tuple[Resident, str, datetime]]:
        """Who is to be asked now: (resident, cause, noticed)."""
        rows = await self.db.fetch_all(
            "SELECT r.*, t.cause, t.noticed_at FROM tenancy_checks t JOIN residents r"
            " ON r.id = t.resident_id WHERE t.asked_at IS NULL AND r.status = 'active'"
            " AND (t.cause = 'left_group' OR t.noticed_at < ?) ORDER BY t.noticed_at",
            (to_db(unreachable_before),))
        return [(record(Resident, row), row["cause"], from_db(row["noticed_at"]))
                for row in rows]

    async def claim_question(self, resident_id: int) -> bool:
        """Mark the question asked; False if someone else did, or the check ended."""
        return await self.db.write_one(
            "UPDATE tenancy_checks SET asked_at = ? WHERE resident_id = ? AND asked_at IS NULL",
            (to_db(self.clock.now()), resident_id))

    async def unanswered(self, asked_before: datetime) -> list[tuple[Resident, str]]:
        rows = await self.db.fetch_all(
            "SELECT r.*, t.cause FROM tenancy_checks t JOIN residents r"
            " ON r.id = t.resident_id WHERE t.asked_at < ? ORDER BY t.asked_at",
            (to_db(asked_before),))
        return [(record(Resident, row), row["cause"]) for row in rows]

    async def asked(self, resident_id: int) -> bool:
        return bool(await self.db.fetch_value(
            "SELECT 1 FROM tenancy_checks WHERE resident_id = ? AND asked_at IS NOT NULL",
            (resident_id,)))

    async def end(self, resident_id: int) -> bool:
        """The check is over (they still live there); False if there was none."""
        return await self.db.write_one(
            "DELETE FROM tenancy_checks WHERE resident_id = ?", (resident_id,))
