"""Taking a person out of everything kept, for /forgetme and /remove.

Rows about the person go (their profile, votes, "me too"s, drafts, messages to them);
records the complex keeps (reports, ideas, questions and answers, other people's messages)
stay, but no longer lead to them: links to them are cut, and their Telegram id, first
names and username are taken out of every text kept — their own words and other people's
— replaced by ERASED. /mydata shows what this would find (`mentions`), but for the records
of reports other people filed: a reporter's words about someone are not shown to them.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass

import aiosqlite

from bot.domain import outbox_keys

ERASED = "[…]"
NAME_MIN = 2  # a one-letter "name" would shred every text it appears in

# Text columns that hold no free text: keys, codes, kinds, moments. Never rewritten (a key
# changed could collide with another).
# Nor people's names as they gave them: another person of the same name keeps theirs.
_NOT_FREE_TEXT = frozenset({
    "key", "outbox_key", "code", "resident_code", "initiator_code", "status", "kind",
    "category", "stage", "role", "flow", "step", "language", "interest", "target", "chain",
    "week", "cause", "from_stage", "to_stage", "join_policy", "person_hash", "name",
    "value", "payload", "first_name", "reporter_name",
})
_SKIPPED_TABLES = frozenset({"schema_migrations", "processed_updates", "secrets",
                             "sqlite_sequence"})


@dataclass(frozen=True)
class Identity:
    """What identifies a person in text: their Telegram id, names and username."""

    telegram_id: int
    names: tuple[str, ...]

    def pattern(self) -> re.Pattern[str]:
        names = sorted({n for n in self.names if len(n) >= NAME_MIN}, key=len, reverse=True)
        parts = [rf"(?<!\d){self.telegram_id}(?!\d)"]
        parts += [rf"(?<!\w){re.escape(name)}" for name in names]
        return re.compile("|".join(parts), re.IGNORECASE)

    def likes(self) -> list[str]:
        return [f"%{part}%" for part in (str(self.telegram_id), *self.names)
                if part == str(self.telegram_id) or len(part) >= NAME_MIN]


async def identity_of(conn: aiosqlite.Connection, telegram_id: int,
                      names: Iterable[str | None]) -> Identity:
    """The person's id, the names given (Telegram's first name and username) and the names
    they gave here."""
    async with conn.execute(
            "SELECT first_name FROM residents WHERE telegram_id = ? UNION"
            " SELECT first_name FROM contacts WHERE telegram_id = ? UNION"
            " SELECT first_name FROM removals WHERE telegram_id = ?",
            (telegram_id, telegram_id, telegram_id)) as cursor:
        kept = [row[0] for row in await cursor.fetchall() if row[0]]
    given = [name.strip().lstrip("@") for name in names if name and name.strip()]
    return Identity(telegram_id, tuple(dict.fromkeys([*kept, *given])))


async def _free_text_columns(conn: aiosqlite.Connection) -> list[tuple[str, str]]:
    async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                            " ORDER BY name") as cursor:
        tables = [row[0] for row in await cursor.fetchall()]
    found = []
    for table in tables:
        if table in _SKIPPED_TABLES:
            continue
        async with conn.execute(f"PRAGMA table_info({table})") as cursor:
            for column in await cursor.fetchall():
                if column["type"].upper() == "TEXT" and column["name"] not in _NOT_FREE_TEXT \
                        and not column["name"].endswith("_at"):
                    found.append((table, column["name"]))
    return found


async def _matching(conn: aiosqlite.Connection, identity: Identity
                    ) -> list[tuple[str, str, int, str]]:
    """(table, column, rowid, text) of every free text that shows the person."""
    pattern = identity.pattern()
    likes = identity.likes()
    found = []
    for table, column in await _free_text_columns(conn):
        where = " OR ".join(f"{column} LIKE ?" for _ in likes)
        async with conn.execute(f"SELECT rowid, {column} FROM {table} WHERE {where}",
                                likes) as cursor:
            found += [(table, column, row[0], row[1]) for row in await cursor.fetchall()
                      if pattern.search(row[1])]
    return found


async def scrub_in(conn: aiosqlite.Connection, identity: Identity) -> None:
    """Take the person's id and names out of every free text kept."""
    pattern = identity.pattern()
    for table, column, rowid, text in await _matching(conn, identity):
        await conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
                           (pattern.sub(ERASED, text), rowid))


async def mentions(conn: aiosqlite.Connection, identity: Identity) -> list[dict[str, str]]:
    """The free texts that show the person, for /mydata: where, and the text; but not the
    records of reports other people filed (see the module's docstring)."""
    async with conn.execute("SELECT id FROM reports WHERE reporter_id = ?",
                            (identity.telegram_id,)) as cursor:
        own = {row[0] for row in await cursor.fetchall()}
    shown = []
    for table, column, rowid, text in await _matching(conn, identity):
        report = await _report_of(conn, table, rowid)
        if report is None or report in own:
            shown.append({"where": f"{table}.{column}", "text": text})
    return shown


async def _report_of(conn: aiosqlite.Connection, table: str, rowid: int) -> int | None:
    """The report a row belongs to, if it is part of one's record."""
    queries = {
        "reports": "SELECT id FROM reports WHERE rowid = ?",
        "report_questions": "SELECT report_id FROM report_questions WHERE rowid = ?",
        "report_additions": "SELECT report_id FROM report_additions WHERE rowid = ?",
    }
    if table in queries:
        async with conn.execute(queries[table], (rowid,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None
    if table != "outbox":
        return None
    async with conn.execute("SELECT key FROM outbox WHERE rowid = ?", (rowid,)) as cursor:
        row = await cursor.fetchone()
    key = row[0] if row else None
    question = outbox_keys.QUESTION.first_id(key) or outbox_keys.ANSWER.first_id(key)
    if question is not None:
        async with conn.execute("SELECT report_id FROM report_questions WHERE id = ?",
                                (question,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None
    return outbox_keys.report_of_key(key)


async def person_key(conn: aiosqlite.Connection) -> bytes:
    async with conn.execute("SELECT value FROM secrets WHERE name = 'person_key'") as cursor:
        row = await cursor.fetchone()
    assert row is not None, "migration 0009 makes the key"
    return bytes.fromhex(row[0])


def person_hash(key: bytes, telegram_id: int) -> str:
    """Who someone is, recognisable again only with the database's key."""
    return hmac.new(key, str(telegram_id).encode(), hashlib.sha256).hexdigest()
