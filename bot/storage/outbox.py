import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.clock import to_db
from bot.domain import outbox_keys
from bot.storage.db import Database, Repository
from bot.storage.rows import record
from bot.storage.tenancy import reached_in, unreachable_in


@dataclass(frozen=True)
class Outgoing:
    id: int
    key: str
    chat_id: int
    text: str
    keyboard: list[list[dict[str, Any]]] | None
    attempts: int
    photo_file_id: str | None = None
    edits: int | None = None
    """For a correction: the Telegram message whose text this replaces."""
    in_flight_since: str | None = None
    """Set when an attempt to send it was cut off before Telegram answered (a crash)."""


@dataclass(frozen=True)
class Shown:
    """A person as a message shows them — the exact part of its text — and what replaces
    that part if they ask to be forgotten (in the reader's language)."""

    telegram_id: int
    shown_as: str
    instead: str


@dataclass(frozen=True)
class Message:
    """A message to queue together with a change (same transaction)."""

    key: str
    chat_id: int
    text: str
    keyboard: list[list[dict[str, Any]]] | None = None
    photo_file_id: str | None = None
    shows: tuple[Shown, ...] = ()


async def queue_all(conn: aiosqlite.Connection, now: datetime,
                    messages: list[Message]) -> None:
    for message in messages:
        await enqueue_in(conn, now, message.key, message.chat_id, message.text,
                         message.keyboard, message.photo_file_id, message.shows)


async def claim_and_queue(
    db: Database, now: datetime, sql: str, params: tuple[Any, ...], messages: list[Message],
    then: Callable[[aiosqlite.Connection], Awaitable[Any]] | None = None,
) -> bool:
    """A conditional write, the rest of its change (`then`) and the messages it owes, in one
    transaction; False if the write changed nothing (someone else was first, or the state
    moved on), and then nothing else is done."""
    async with db.transaction() as conn:
        cursor = await conn.execute(sql, params)
        if cursor.rowcount == 0:
            return False
        if then is not None:
            await then(conn)
        await queue_all(conn, now, messages)
    return True


def _outgoing(row: aiosqlite.Row) -> Outgoing:
    return record(Outgoing, row,
                  keyboard=json.loads(row["keyboard"]) if row["keyboard"] else None)


async def enqueue_in(
    conn: aiosqlite.Connection, now: datetime, key: str, chat_id: int, text: str,
    keyboard: list[list[dict[str, Any]]] | None = None, photo_file_id: str | None = None,
    shows: tuple[Shown, ...] = (), edits: int | None = None, delay: timedelta = timedelta(),
) -> bool:
    """Queue a message inside the caller's transaction; False if `key` was queued before.

    With `photo_file_id`, a photo is sent with `text` as its caption. `shows` names the
    people the text shows, so that forgetting one takes them out of it.
    """
    cursor = await conn.execute(
        "INSERT OR IGNORE INTO outbox (key, chat_id, text, keyboard, photo_file_id, edits,"
        " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (key, chat_id, text, json.dumps(keyboard) if keyboard else None, photo_file_id,
         edits, to_db(now + delay), to_db(now)),
    )
    if cursor.rowcount != 1:
        return False
    await conn.executemany(
        "INSERT OR IGNORE INTO outbox_people (outbox_id, telegram_id, shown_as, instead)"
        " VALUES (?, ?, ?, ?)",
        [(cursor.lastrowid, shown.telegram_id, shown.shown_as, shown.instead)
         for shown in shows if shown.shown_as in text])
    return True


async def edit_post_in(conn: aiosqlite.Connection, now: datetime, post_key: str,
                       chat_id: int, message_id: int | None, text: str,
                       keyboard: list[list[dict[str, Any]]] | None,
                       shows: tuple[Shown, ...] = ()) -> None:
    """Show a post's new state, inside the caller's transaction: a post not sent yet goes
    out as it is now; one sent is edited (`edit_sent_in`)."""
    if message_id is None:
        await conn.execute("UPDATE outbox SET text = ?, keyboard = ? WHERE key = ?"
                           " AND status = 'pending'",
                           (text, json.dumps(keyboard) if keyboard else None, post_key))
        return
    await edit_sent_in(conn, now, chat_id, message_id, text, keyboard, shows)


async def edit_sent_in(conn: aiosqlite.Connection, now: datetime, chat_id: int,
                       message_id: int, text: str,
                       keyboard: list[list[dict[str, Any]]] | None,
                       shows: tuple[Shown, ...] = ()) -> None:
    """Queue an edit of a message sent, inside the caller's transaction; or, if an edit of
    it still waits, let that one show the new state, so a post voted on quickly is edited
    at its group's pace, not once per vote. `shows`: as for `enqueue_in` (an edit that
    waits keeps the people its first state showed)."""
    kept = json.dumps(keyboard) if keyboard else None
    cursor = await conn.execute(
        "UPDATE outbox SET text = ?, keyboard = ? WHERE chat_id = ? AND edits = ?"
        " AND status = 'pending' AND key LIKE ?",
        (text, kept, chat_id, message_id, f"{outbox_keys.EDIT.prefix}%"))
    if cursor.rowcount:
        return
    # Numbered after the last edit of it still kept (older ones may have been purged).
    prefix = f"{outbox_keys.EDIT.prefix}{chat_id}:{message_id}:"
    async with conn.execute(
            "SELECT COALESCE(MAX(CAST(substr(key, ?) AS INTEGER)), 0) FROM outbox"
            " WHERE chat_id = ? AND edits = ? AND key LIKE ?",
            (len(prefix) + 1, chat_id, message_id, f"{prefix}%")) as counted:
        last = (await counted.fetchone())[0]
    await enqueue_in(conn, now, outbox_keys.EDIT.of(chat_id, message_id, last + 1),
                     chat_id, text, keyboard, shows=shows, edits=message_id)


async def forget_in(conn: aiosqlite.Connection, now: datetime, telegram_id: int) -> None:
    """Take a forgotten person out of other people's messages, inside the caller's
    transaction: a queued message is rewritten, or dropped when it was only about them; a
    sent one is rewritten and corrected in Telegram by an edit, queued here too."""
    async with conn.execute(
        "SELECT o.*, p.shown_as, p.instead FROM outbox_people p JOIN outbox o"
        " ON o.id = p.outbox_id WHERE p.telegram_id = ? ORDER BY o.id", (telegram_id,)
    ) as cursor:
        rows = list(await cursor.fetchall())
    await conn.execute("DELETE FROM outbox_people WHERE telegram_id = ?", (telegram_id,))
    for outbox_id in dict.fromkeys(row["id"] for row in rows):
        mine = [row for row in rows if row["id"] == outbox_id]
        first = mine[0]
        text = first["text"]
        for row in mine:
            text = text.replace(row["shown_as"], row["instead"])
        if first["status"] == "pending" and any(row["shown_as"] == first["text"]
                                                for row in mine):
            await conn.execute("DELETE FROM outbox WHERE id = ?", (outbox_id,))
            continue
        await conn.execute("UPDATE outbox SET text = ? WHERE id = ?", (text, outbox_id))
        if first["status"] == "sent" and first["message_id"] is not None \
                and not first["photo_file_id"]:
            keyboard = json.loads(first["keyboard"]) if first["keyboard"] else None
            await edit_sent_in(conn, now, first["chat_id"], first["message_id"], text,
                               keyboard)


class OutboxRepository(Repository):
    async def enqueue(
        self, key: str, chat_id: int, text: str,
        keyboard: list[list[dict[str, Any]]] | None = None, shows: tuple[Shown, ...] = (),
    ) -> bool:
        async with self.db.transaction() as conn:
            return await enqueue_in(conn, self.clock.now(), key, chat_id, text, keyboard,
                                    shows=shows)

    async def enqueue_after(self, key: str, chat_id: int, text: str,
                            keyboard: list[list[dict[str, Any]]] | None,
                            delay: timedelta = timedelta()) -> bool:
        """Queue a message about the update just handled, after its unit of work, to be
        sent no sooner than `delay` from now."""
        async with self.db.bookkeeping() as conn:
            return await enqueue_in(conn, self.clock.now(), key, chat_id, text, keyboard,
                                    delay=delay)

    async def edit_post(self, post_key: str, chat_id: int, message_id: int | None, text: str,
                        keyboard: list[list[dict[str, Any]]] | None,
                        shows: tuple[Shown, ...] = ()) -> None:
        async with self.db.transaction() as conn:
            await edit_post_in(conn, self.clock.now(), post_key, chat_id, message_id, text,
                               keyboard, shows)

    async def purge_sent(self, before: datetime) -> int:
        """Delete the copies of messages dealt with (sent, or given up) that were queued
        before `before`; but the posts of ideas still open and of activities still
        planned, which are edited in place, and what belongs to a report still open."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT id, key FROM outbox o WHERE status != 'pending' AND created_at < ?"
                " AND NOT EXISTS (SELECT 1 FROM ideas i WHERE i.status = 'open'"
                "  AND o.key = ? || i.id)"
                " AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.status = 'planned'"
                "  AND o.key = ? || a.id)",
                (to_db(before), outbox_keys.IDEA_POST.prefix,
                 outbox_keys.ACTIVITY_POST.prefix)) as cursor:
                rows = list(await cursor.fetchall())
            async with conn.execute("SELECT id FROM reports WHERE status != 'resolved'"
                                    ) as cursor:
                open_reports = {row[0] for row in await cursor.fetchall()}
            gone = [(row[0],) for row in rows
                    if outbox_keys.report_of_key(row[1]) not in open_reports]
            await conn.executemany("DELETE FROM outbox WHERE id = ?", gone)
        return len(gone)

    async def due(self, limit: int) -> list[Outgoing]:
        # The oldest pending message of each chat only: one busy chat cannot hold up the
        # others, and a chat's messages arrive in the order they were queued.
        rows = await self.db.fetch_committed(
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

    async def mark_in_flight(self, outgoing_id: int) -> None:
        """It goes to Telegram now: until Telegram answers, nobody knows whether it has it."""
        async with self.db.bookkeeping() as conn:
            await conn.execute("UPDATE outbox SET in_flight_since = ? WHERE id = ?",
                               (to_db(self.clock.now()), outgoing_id))

    async def mark_sent(self, outgoing_id: int, message_id: int) -> None:
        async with self.db.bookkeeping() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?,"
                " attempts = attempts + 1, last_error = NULL, in_flight_since = NULL"
                " WHERE id = ?",
                (to_db(self.clock.now()), message_id, outgoing_id),
            )
            # The last word about (or to) someone whose data is gone goes with it.
            await conn.executemany(
                "DELETE FROM outbox WHERE id = ? AND key LIKE ?",
                [(outgoing_id, f"{family.prefix}%") for family in outbox_keys.GONE_ONCE_SENT])
            async with conn.execute("SELECT chat_id FROM outbox WHERE id = ?",
                                    (outgoing_id,)) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                await reached_in(conn, row[0])

    async def retry_later(self, outgoing_id: int, delay: timedelta, error: str) -> None:
        async with self.db.bookkeeping() as conn:
            await conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?,"
                " last_error = ?, in_flight_since = NULL WHERE id = ?",
                (to_db(self.clock.now() + delay), error, outgoing_id),
            )

    async def give_up(self, outgoing_id: int, status: str, error: str) -> None:
        """Stop trying: 'unreachable' (blocked by the person) or 'failed'."""
        async with self.db.bookkeeping() as conn:
            await conn.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?,"
                " in_flight_since = NULL WHERE id = ?",
                (status, error, outgoing_id),
            )
            if status == "unreachable":
                async with conn.execute("SELECT chat_id FROM outbox WHERE id = ?",
                                        (outgoing_id,)) as cursor:
                    row = await cursor.fetchone()
                if row is not None:
                    await unreachable_in(conn, self.clock.now(), row[0])

    async def status(self, key: str) -> str | None:
        return await self.db.fetch_value("SELECT status FROM outbox WHERE key = ?", (key,))

    async def key_of(self, chat_id: int, message_id: int) -> str | None:
        """Which queued message became this Telegram message (to read a reply to it)."""
        return await self.db.fetch_value(
            "SELECT key FROM outbox WHERE chat_id = ? AND message_id = ? AND status = 'sent'"
            " AND edits IS NULL",
            (chat_id, message_id))

    async def message_id(self, key: str) -> int | None:
        return await self.db.fetch_value(
            "SELECT message_id FROM outbox WHERE key = ? AND status = 'sent'", (key,)
        )
