import secrets
import sqlite3

import aiosqlite

from bot.clock import from_db, to_db
from bot.domain.models import Complex, ComplexCounts, JoinPolicy
from bot.storage.db import Repository, fetch_one_in
from bot.storage.rows import fetch_record, insert, read_back, record


class DuplicateComplexName(Exception):
    pass


class GroupLinkedElsewhere(Exception):
    def __init__(self, other: Complex) -> None:
        super().__init__(other.name)
        self.other = other


def _complex(row: aiosqlite.Row) -> Complex:
    return record(Complex, row,
                  intro_changed_at=from_db(row["intro_changed_at"] or row["created_at"]))


def new_code(prefix: str) -> str:
    """A deep-link code: prefix, underscore, 12 URL-safe random characters."""
    return f"{prefix}_{secrets.token_urlsafe(9)}"


class ComplexRepository(Repository):
    async def create(
        self,
        *,
        name: str,
        homes: int,
        municipality: str,
        language: str,
        join_policy: JoinPolicy,
        created_by: int,
    ) -> Complex:
        try:
            async with self.db.transaction() as conn:
                complex_id = await insert(
                    conn, "complexes", name=name, homes=homes, municipality=municipality,
                    language=language, join_policy=join_policy, resident_code=new_code("r"),
                    initiator_code=new_code("i"), created_by=created_by,
                    created_at=self.clock.now())
        except sqlite3.IntegrityError as exc:
            raise DuplicateComplexName(name) from exc
        return await read_back(self.get(complex_id))

    async def get(self, complex_id: int) -> Complex | None:
        return await self._by("id", complex_id)

    async def by_name(self, name: str) -> Complex | None:
        return await self._by("name", name)

    async def by_resident_code(self, code: str) -> Complex | None:
        return await self._by("resident_code", code)

    async def by_initiator_code(self, code: str) -> Complex | None:
        return await self._by("initiator_code", code)

    async def by_group(self, chat_id: int) -> Complex | None:
        return await self._by("group_chat_id", chat_id)

    async def _by(self, column: str, value: int | str) -> Complex | None:
        """The complex whose `column` (a unique one) holds `value`."""
        return await fetch_record(self.db, _complex,
                                  f"SELECT * FROM complexes WHERE {column} = ?", (value,))

    async def all(self) -> list[Complex]:
        rows = await self.db.fetch_all("SELECT * FROM complexes ORDER BY name")
        return [_complex(row) for row in rows]

    async def with_counts(self, complex_ids: list[int] | None = None) -> list[ComplexCounts]:
        rows = await self.db.fetch_all(
            "SELECT c.*,"
            " (SELECT COUNT(*) FROM residents r WHERE r.complex_id = c.id"
            "  AND r.status = 'active') AS n_residents,"
            " (SELECT COUNT(*) FROM residents r WHERE r.complex_id = c.id"
            "  AND r.status = 'active' AND r.role = 'initiator') AS n_initiators,"
            " (SELECT COUNT(*) FROM residents r WHERE r.complex_id = c.id"
            "  AND r.status = 'pending') AS n_pending,"
            " (SELECT COUNT(*) FROM contacts k WHERE k.complex_id = c.id) AS n_contacts"
            " FROM complexes c ORDER BY c.name"
        )
        result = [
            ComplexCounts(
                complex=_complex(row),
                residents=row["n_residents"],
                initiators=row["n_initiators"],
                pending=row["n_pending"],
                contacts=row["n_contacts"],
            )
            for row in rows
        ]
        if complex_ids is not None:
            wanted = set(complex_ids)
            result = [counts for counts in result if counts.complex.id in wanted]
        return result

    async def link_group(self, complex_id: int, chat_id: int) -> bool:
        """Link the group chat; False if it was already linked to this complex."""
        async with self.db.transaction() as conn:
            row = await fetch_one_in(
                conn, "SELECT * FROM complexes WHERE group_chat_id = ?", (chat_id,))
            if row is not None:
                if row["id"] == complex_id:
                    return False
                raise GroupLinkedElsewhere(_complex(row))
            await conn.execute(
                "UPDATE complexes SET group_chat_id = ? WHERE id = ?", (chat_id, complex_id)
            )
        return True

    async def unlink_group(self, chat_id: int) -> None:
        await self.db.write(
            "UPDATE complexes SET group_chat_id = NULL WHERE group_chat_id = ?", (chat_id,))

    async def move_group(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group that became a supergroup gets a new chat id."""
        await self.db.write("UPDATE complexes SET group_chat_id = ? WHERE group_chat_id = ?",
                            (new_chat_id, old_chat_id))

    async def new_initiator_code(self, complex_id: int) -> str:
        """Replace the initiators' link: the old one stops working at once."""
        code = new_code("i")
        await self.db.write("UPDATE complexes SET initiator_code = ? WHERE id = ?",
                            (code, complex_id))
        return code

    async def set_join_policy(self, complex_id: int, policy: JoinPolicy) -> None:
        await self.db.write("UPDATE complexes SET join_policy = ? WHERE id = ?",
                            (policy.value, complex_id))

    async def set_intro_schedule(
        self, complex_id: int, *, enabled: bool, weekday: int, time: str
    ) -> None:
        await self.db.write(
            "UPDATE complexes SET intro_enabled = ?, intro_weekday = ?, intro_time = ?,"
            " intro_changed_at = ? WHERE id = ?",
            (int(enabled), weekday, time, to_db(self.clock.now()), complex_id),
        )
