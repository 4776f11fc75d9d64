import sqlite3
from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from bot.clock import to_db
from bot.domain import outbox_keys
from bot.domain.models import Contact, Resident, ResidentRole, ResidentStatus
from bot.storage.db import Repository
from bot.storage.erasure import (
    Identity,
    identity_of,
    mentions,
    person_hash,
    person_key,
    scrub_in,
)
from bot.storage.outbox import forget_in
from bot.storage.rows import insert, read_back, record

INTERESTS_PER_QUERY = 500  # ids in one IN (...), well within SQLite's limit


class AlreadyResident(Exception):
    """The person already lives in (or applied to) a complex."""


def _contact(row: aiosqlite.Row) -> Contact:
    return record(Contact, row)


async def _close_introductions(conn: aiosqlite.Connection, which: str, value: int) -> None:
    """Someone who leaves cannot be met: their open introductions close, so the others
    are free for the next round or /meet."""
    await conn.execute(
        "UPDATE introductions SET status = 'declined' WHERE status = 'proposed' AND id IN ("
        " SELECT m.introduction_id FROM introduction_members m JOIN residents r"
        f" ON r.id = m.resident_id WHERE r.{which})",
        (value,),
    )


async def _erase(conn: aiosqlite.Connection, now: datetime, identity: Identity) -> None:
    """Everything about the person as a resident and reporter, inside the caller's
    transaction: rows about them go, links to them are cut, texts no longer show them."""
    telegram_id = identity.telegram_id
    await _close_introductions(conn, "telegram_id = ?", telegram_id)
    for table in ("residents", "drafts", "users", "digests"):
        await conn.execute(f"DELETE FROM {table} WHERE telegram_id = ?", (telegram_id,))
    # Reports stay for the complex, but no longer lead to this person; a "me too" is
    # withdrawn, and no longer counted.
    await conn.execute("UPDATE reports SET reporter_id = 0, reporter_name = NULL"
                       " WHERE reporter_id = ?", (telegram_id,))
    await conn.execute(
        "UPDATE reports SET me_too = me_too - 1 WHERE id IN"
        " (SELECT report_id FROM report_me_too WHERE telegram_id = ?)", (telegram_id,))
    await conn.execute("DELETE FROM report_me_too WHERE telegram_id = ?", (telegram_id,))
    await forget_in(conn, now, telegram_id)  # out of others' messages, in Telegram too
    await conn.execute("DELETE FROM outbox WHERE chat_id = ?", (telegram_id,))
    # As someone who handled reports or ran complexes: the records stay, the person goes.
    await conn.execute("DELETE FROM escalation_targets WHERE telegram_id = ?", (telegram_id,))
    for table, column in (("escalations", "acknowledged_by"), ("report_questions", "asked_by"),
                          ("removals", "removed_by"), ("complexes", "created_by"),
                          ("contact_invites", "created_by")):
        await conn.execute(f"UPDATE {table} SET {column} = 0 WHERE {column} = ?",
                           (telegram_id,))
    await conn.execute("UPDATE stage_history SET changed_by = NULL WHERE changed_by = ?",
                       (telegram_id,))
    await conn.execute(  # what they sent that is not handled yet
        "DELETE FROM inbox WHERE ? IN (json_extract(payload, '$.message.from.id'),"
        " json_extract(payload, '$.callback_query.from.id'))", (telegram_id,))
    await scrub_in(conn, identity)


class PeopleRepository(Repository):
    """Users, residents, contacts and removals."""

    # -- users ---------------------------------------------------------------

    async def language_of(self, telegram_id: int) -> str | None:
        return await self.db.fetch_value(
            "SELECT language FROM users WHERE telegram_id = ?", (telegram_id,)
        )

    async def set_language(self, telegram_id: int, language: str) -> None:
        await self.db.write(
            "INSERT INTO users (telegram_id, language, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (telegram_id) DO UPDATE SET language = excluded.language",
            (telegram_id, language, to_db(self.clock.now())),
        )

    # -- residents -----------------------------------------------------------

    async def _resident(self, row: aiosqlite.Row | None) -> Resident | None:
        if row is None:
            return None
        interests = await self.db.fetch_all(
            "SELECT interest FROM resident_interests WHERE resident_id = ? ORDER BY interest",
            (row["id"],),
        )
        return record(Resident, row, interests=tuple(item["interest"] for item in interests))

    async def resident_of(self, telegram_id: int) -> Resident | None:
        row = await self.db.fetch_one(
            "SELECT * FROM residents WHERE telegram_id = ?", (telegram_id,)
        )
        return await self._resident(row)

    async def resident(self, resident_id: int) -> Resident | None:
        row = await self.db.fetch_one("SELECT * FROM residents WHERE id = ?", (resident_id,))
        return await self._resident(row)

    async def _residents(self, rows: list[aiosqlite.Row]) -> list[Resident]:
        """The residents of `rows`, in their order, with their interests: one query for
        the interests of every few hundred, not one each."""
        interests: dict[int, list[str]] = {row["id"]: [] for row in rows}
        ids = list(interests)
        for start in range(0, len(ids), INTERESTS_PER_QUERY):
            part = ids[start:start + INTERESTS_PER_QUERY]
            for item in await self.db.fetch_all(
                    "SELECT resident_id, interest FROM resident_interests WHERE resident_id"
                    f" IN ({','.join('?' * len(part))}) ORDER BY interest", part):
                interests[item["resident_id"]].append(item["interest"])
        return [record(Resident, row, interests=tuple(interests[row["id"]])) for row in rows]

    async def residents_of_complex(
        self, complex_id: int, status: ResidentStatus = ResidentStatus.ACTIVE
    ) -> list[Resident]:
        return await self._residents(await self.db.fetch_all(
            "SELECT * FROM residents WHERE complex_id = ? AND status = ?"
            " ORDER BY first_name COLLATE NOCASE, id",
            (complex_id, status.value),
        ))

    async def pending_unasked(self) -> list[Resident]:
        """Sign-ups waiting for approval that no approval question was queued for."""
        rows = await self.db.fetch_all(
            "SELECT * FROM residents r WHERE r.status = 'pending' AND NOT EXISTS ("
            " SELECT 1 FROM outbox o WHERE o.key LIKE ? || r.id || ':%')",
            (outbox_keys.APPROVAL.prefix,),  # any approval:<resident>:<initiator> key
        )
        return await self._residents(rows)

    async def with_personal_menus(self) -> list[int]:
        """Telegram ids of everyone whose role gives them a menu of their own: active
        initiators and contacts."""
        return await self.db.fetch_column(
            "SELECT telegram_id FROM residents WHERE role = 'initiator' AND status = 'active'"
            " UNION SELECT telegram_id FROM contacts ORDER BY 1")

    async def initiators_of(self, complex_id: int) -> list[Resident]:
        return await self._residents(await self.db.fetch_all(
            "SELECT * FROM residents WHERE complex_id = ? AND status = 'active'"
            " AND role = 'initiator' ORDER BY first_name COLLATE NOCASE, id", (complex_id,)))

    async def add_resident(
        self,
        *,
        telegram_id: int,
        complex_id: int,
        first_name: str,
        building: str | None,
        interests: Iterable[str],
        wants_to_organise: bool,
        wants_introductions: bool,
        role: ResidentRole,
        status: ResidentStatus,
    ) -> Resident:
        now = to_db(self.clock.now())
        try:
            async with self.db.transaction() as conn:
                resident_id = await insert(
                    conn, "residents", telegram_id=telegram_id, complex_id=complex_id,
                    first_name=first_name, building=building,
                    wants_to_organise=wants_to_organise,
                    wants_introductions=wants_introductions, role=role, status=status,
                    consented_at=now, joined_at=now)
                await conn.executemany(
                    "INSERT INTO resident_interests (resident_id, interest) VALUES (?, ?)",
                    [(resident_id, interest) for interest in sorted(set(interests))],
                )
                await conn.execute(
                    "INSERT INTO users (telegram_id, language, created_at) VALUES (?, NULL, ?)"
                    " ON CONFLICT (telegram_id) DO NOTHING",
                    (telegram_id, now),
                )
        except sqlite3.IntegrityError as exc:
            raise AlreadyResident(telegram_id) from exc
        return await read_back(self.resident(resident_id))

    async def update_resident(self, resident_id: int, **fields: object) -> None:
        allowed = {"first_name", "building", "wants_to_organise", "wants_introductions"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        if not fields:
            return
        assignments = ", ".join(f"{name} = ?" for name in fields)
        values = [int(v) if isinstance(v, bool) else v for v in fields.values()]
        await self.db.write(f"UPDATE residents SET {assignments} WHERE id = ?",
                            (*values, resident_id))

    async def set_interests(self, resident_id: int, interests: Iterable[str]) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM resident_interests WHERE resident_id = ?", (resident_id,)
            )
            await conn.executemany(
                "INSERT INTO resident_interests (resident_id, interest) VALUES (?, ?)",
                [(resident_id, interest) for interest in sorted(set(interests))],
            )

    async def set_role(self, resident_id: int, role: ResidentRole) -> None:
        await self.db.write("UPDATE residents SET role = ? WHERE id = ?",
                            (role.value, resident_id))

    async def activate(self, resident_id: int) -> bool:
        """Approve a pending resident; False if they were no longer pending."""
        return await self.db.write_one(
            "UPDATE residents SET status = 'active', joined_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (to_db(self.clock.now()), resident_id),
        )

    async def delete_resident(self, resident_id: int, *, only_pending: bool = False) -> bool:
        condition = " AND status = 'pending'" if only_pending else ""
        async with self.db.transaction() as conn:
            await _close_introductions(conn, "id = ?", resident_id)
            cursor = await conn.execute(
                f"DELETE FROM residents WHERE id = ?{condition}", (resident_id,)
            )
            return cursor.rowcount == 1

    async def remove_resident(self, resident: Resident, *, removed_by: int, reason: str
                              ) -> None:
        """Remove the resident, who leaves no trace but the removal: kept by a keyed hash
        of their id (so a later /forgetme does not undo it) with the reason and who
        removed them, never their name or id."""
        async with self.db.transaction() as conn:
            identity = await identity_of(conn, resident.telegram_id, ())
            await conn.execute(
                "INSERT INTO removals (complex_id, person_hash, removed_by, reason,"
                " removed_at) VALUES (?, ?, ?, ?, ?)",
                (resident.complex_id, person_hash(await person_key(conn), resident.telegram_id),
                 removed_by, reason, to_db(self.clock.now())),
            )
            await _erase(conn, self.clock.now(), identity)

    async def was_removed(self, telegram_id: int, complex_id: int) -> bool:
        key = await person_key(self.db.conn)
        return bool(
            await self.db.fetch_value(
                "SELECT 1 FROM removals WHERE complex_id = ? AND (person_hash = ?"
                " OR telegram_id = ?)",
                (complex_id, person_hash(key, telegram_id), telegram_id),
            )
        )

    # -- contacts ------------------------------------------------------------

    async def contacts_of_user(self, telegram_id: int) -> list[Contact]:
        rows = await self.db.fetch_all(
            "SELECT * FROM contacts WHERE telegram_id = ? ORDER BY complex_id", (telegram_id,)
        )
        return [_contact(row) for row in rows]

    async def contacts_of_complex(self, complex_id: int) -> list[Contact]:
        rows = await self.db.fetch_all(
            "SELECT * FROM contacts WHERE complex_id = ? ORDER BY kind, first_name",
            (complex_id,),
        )
        return [_contact(row) for row in rows]

    # -- privacy -------------------------------------------------------------

    async def export(self, telegram_id: int, names: Iterable[str | None] = ()
                     ) -> dict[str, list[dict]]:
        """Every row that is about this person, table by table, and every text kept that
        shows them (`erasure.mentions`)."""
        queries = {
            "users": "SELECT * FROM users WHERE telegram_id = ?",
            "residents": "SELECT * FROM residents WHERE telegram_id = ?",
            "resident_interests": "SELECT i.* FROM resident_interests i"
            " JOIN residents r ON r.id = i.resident_id WHERE r.telegram_id = ?",
            "contacts": "SELECT * FROM contacts WHERE telegram_id = ?",
            # Who removed them stays out: the removal notice does not name them either.
            "removals": "SELECT complex_id, reason, removed_at FROM removals"
            " WHERE telegram_id = ?1 OR person_hash = ?2",
            "removals_you_made": "SELECT complex_id, first_name, reason, removed_at"
            " FROM removals WHERE removed_by = ?",
            "drafts": "SELECT * FROM drafts WHERE telegram_id = ?",
            "introductions": "SELECT m.* FROM introduction_members m"
            " JOIN residents r ON r.id = m.resident_id WHERE r.telegram_id = ?",
            "acquaintances": "SELECT a.* FROM acquaintances a JOIN residents r"
            " ON r.id IN (a.resident_a, a.resident_b) WHERE r.telegram_id = ?",
            "meet_requests": "SELECT q.* FROM meet_requests q"
            " JOIN residents r ON r.id = q.resident_id WHERE r.telegram_id = ?",
            "ideas": "SELECT i.* FROM ideas i"
            " JOIN residents r ON r.id = i.proposer_id WHERE r.telegram_id = ?",
            "idea_votes": "SELECT v.* FROM idea_votes v"
            " JOIN residents r ON r.id = v.resident_id WHERE r.telegram_id = ?",
            "activities_planned": "SELECT a.* FROM activities a"
            " JOIN residents r ON r.id = a.planned_by WHERE r.telegram_id = ?",
            "activity_attendance": "SELECT a.* FROM activity_attendees a"
            " JOIN residents r ON r.id = a.resident_id WHERE r.telegram_id = ?",
            "initiator_invitations": "SELECT n.* FROM initiator_invitations n"
            " JOIN residents r ON r.id = n.resident_id WHERE r.telegram_id = ?",
            "reports": "SELECT * FROM reports WHERE reporter_id = ?",
            "report_additions": "SELECT a.* FROM report_additions a"
            " JOIN reports r ON r.id = a.report_id WHERE r.reporter_id = ?",
            "report_me_too": "SELECT * FROM report_me_too WHERE telegram_id = ?",
            "questions_to_you": "SELECT q.question, q.answer, q.asked_at, q.answered_at"
            " FROM report_questions q JOIN reports r ON r.id = q.report_id"
            " WHERE r.reporter_id = ?",
            "questions_you_asked": "SELECT report_id, question, answer, asked_at"
            " FROM report_questions WHERE asked_by = ?",
            "reports_sent_to_you": "SELECT report_id, lap, level, target, notified_at"
            " FROM escalation_targets WHERE telegram_id = ?",
            "messages_to_you": "SELECT key, text, status, created_at, sent_at FROM outbox"
            " WHERE chat_id = ?",
            "stage_changes": "SELECT * FROM stage_history WHERE changed_by = ?",
            "digests": "SELECT * FROM digests WHERE telegram_id = ?",
        }
        hashed = person_hash(await person_key(self.db.conn), telegram_id)
        found = {
            table: [dict(row) for row in await self.db.fetch_all(
                sql, (telegram_id, hashed) if "?2" in sql else (telegram_id,))]
            for table, sql in queries.items()
        }
        identity = await identity_of(self.db.conn, telegram_id, names)
        return found | {"texts_that_show_you": await mentions(self.db.conn, identity)}

    async def forget(self, telegram_id: int, names: Iterable[str | None] = ()) -> None:
        """Erase the person (see bot/storage/erasure.py). A removal stays, keyed."""
        async with self.db.transaction() as conn:
            identity = await identity_of(conn, telegram_id, names)
            await conn.execute(
                "UPDATE removals SET person_hash = ?, telegram_id = NULL, first_name = NULL"
                " WHERE telegram_id = ?", (person_hash(await person_key(conn), telegram_id),
                                           telegram_id))
            await conn.execute("DELETE FROM contacts WHERE telegram_id = ?", (telegram_id,))
            await conn.execute(
                "UPDATE contact_invites SET used_by = NULL WHERE used_by = ?", (telegram_id,))
            await _erase(conn, self.clock.now(), identity)
