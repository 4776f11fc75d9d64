import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.clock import Clock, to_db
from bot.db import Database


@dataclass(frozen=True)
class Outgoing:
    id: int
    key: str
    chat_id: int
    text: str
    keyboard: list[list[dict[str, Any]]] | None
    attempts: int
    photo_file_id: str | None = None


@dataclass(frozen=True)
class Message:
    """A message to queue together with a change (same transaction)."""

    key: str
    chat_id: int
    text: str
    keyboard: list[list[dict[str, Any]]] | None = None
    photo_file_id: str | None = None


async def queue_all(conn: aiosqlite.Connection, now: datetime,
                    messages: list[Message]) -> None:
    for message in messages:
        await enqueue_in(conn, now, message.key, message.chat_id, message.text,
                         message.keyboard, message.photo_file_id)


def _outgoing(row: aiosqlite.Row) -> Outgoing:
    return Outgoing(
        id=row["id"],
        key=row["key"],
        chat_id=row["chat_id"],
        text=row["text"],
        keyboard=json.loads(row["keyboard"]) if row["keyboard"] else None,
        attempts=row["attempts"],
        photo_file_id=row["photo_file_id"],
    )


async def enqueue_in(
    conn: aiosqlite.Connection, now: datetime, key: str, chat_id: int, text: str,
    keyboard: list[list[dict[str, Any]]] | None = None, photo_file_id: str | None = None,
) -> bool:
    """Queue a message inside the caller's transaction; False if `key` was queued before.

    With `photo_file_id`, a photo is sent with `text` as its caption.
    """
    cursor = await conn.execute(
        "INSERT OR IGNORE INTO outbox (key, chat_id, text, keyboard, photo_file_id,"
        " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (key, chat_id, text, json.dumps(keyboard) if keyboard else None, photo_file_id,
         to_db(now), to_db(now)),
    )
    return cursor.rowcount == 1


class OutboxRepository:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def enqueue(
        self, key: str, chat_id: int, text: str,
        keyboard: list[list[dict[str, Any]]] | None = None,
    ) -> bool:
        async with self.db.transaction() as conn:
            return await enqueue_in(conn, self.clock.now(), key, chat_id, text, keyboard)

    async def due(self, limit: int) -> list[Outgoing]:
        # The oldest pending message of each chat only: one busy chat cannot hold up the
        # others, and a chat's messages arrive in the order they were queued.
        rows = await self.db.fetch_all(
            "SELECT * FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= ?"
            " AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.chat_id = o.chat_id"
            " AND p.status = 'pending') ORDER BY o.id LIMIT ?",
            (to_db(self.clock.now()), limit),
        )
        return [_outgoing(row) for row in rows]

    async def next_due_at(self) -> str | None:
        return await self.db.fetch_value(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'"
        )

    async def mark_sent(self, outgoing_id: int, message_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?,"
                " attempts = attempts + 1, last_error = NULL WHERE id = ?",
                (to_db(self.clock.now()), message_id, outgoing_id),
            )

    async def retry_later(self, outgoing_id: int, delay: timedelta, error: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?,"
                " last_error = ? WHERE id = ?",
                (to_db(self.clock.now() + delay), error, outgoing_id),
            )

    async def give_up(self, outgoing_id: int, status: str, error: str) -> None:
        """Stop trying: 'unreachable' (blocked by the person) or 'failed'."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?"
                " WHERE id = ?",
                (status, error, outgoing_id),
            )

    async def status(self, key: str) -> str | None:
        return await self.db.fetch_value("SELECT status FROM outbox WHERE key = ?", (key,))

    async def key_of(self, chat_id: int, message_id: int) -> str | None:
        """Which queued message became this Telegram message (to read a reply to it)."""
        return await self.db.fetch_value(
            "SELECT key FROM outbox WHERE chat_id = ? AND message_id = ? AND status = 'sent'",
            (chat_id, message_id))

    async def message_id(self, key: str) -> int | None:
        return await self.db.fetch_value(
            "SELECT message_id FROM outbox WHERE key = ? AND status = 'sent'", (key,)
        )
