from datetime import timedelta

import aiosqlite

from bot.clock import to_db
from bot.domain.models import Contact, ContactInvite, ContactKind
from bot.storage.complexes import new_code
from bot.storage.db import Repository, fetch_one_in
from bot.storage.rows import fetch_record, insert, read_back, record

CONTACT_INVITE_VALIDITY = timedelta(days=7)


class InviteUnusable(Exception):
    """The invite is unknown, expired or already used; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _invite(row: aiosqlite.Row) -> ContactInvite:
    return record(ContactInvite, row)


class InviteRepository(Repository):
    async def create_contact_invite(
        self, complex_id: int, kind: ContactKind, created_by: int
    ) -> ContactInvite:
        now = self.clock.now()
        code = new_code("c")
        async with self.db.transaction() as conn:
            await insert(conn, "contact_invites", code=code, complex_id=complex_id, kind=kind,
                         created_by=created_by, created_at=now,
                         expires_at=now + CONTACT_INVITE_VALIDITY)
        return await read_back(self.contact_invite(code))

    async def contact_invite(self, code: str) -> ContactInvite | None:
        return await fetch_record(self.db, _invite, "SELECT * FROM contact_invites WHERE code = ?",
                                  (code,))

    async def redeem_contact_invite(
        self, code: str, telegram_id: int, first_name: str
    ) -> Contact:
        """Make the person a contact, using up the invite, in one transaction."""
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await fetch_one_in(conn, "SELECT * FROM contact_invites WHERE code = ?",
                                     (code,))
            if row is None:
                raise InviteUnusable("unknown")
            invite = _invite(row)
            if invite.used_by is not None or row["used_at"] is not None:
                raise InviteUnusable("used")
            if invite.expires_at <= now:
                raise InviteUnusable("expired")
            if await fetch_one_in(
                conn, "SELECT 1 FROM contacts WHERE telegram_id = ? AND complex_id = ?",
                (telegram_id, invite.complex_id),
            ):
                raise InviteUnusable("already_contact")
            await conn.execute(
                "INSERT INTO contacts (telegram_id, complex_id, kind, first_name, joined_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (telegram_id, invite.complex_id, invite.kind.value, first_name, to_db(now)),
            )
            await conn.execute(
                "UPDATE contact_invites SET used_by = ?, used_at = ? WHERE code = ?",
                (telegram_id, to_db(now), code),
            )
            await conn.execute(
                "INSERT INTO users (telegram_id, language, created_at) VALUES (?, NULL, ?)"
                " ON CONFLICT (telegram_id) DO NOTHING",
                (telegram_id, to_db(now)),
            )
        return Contact(
            telegram_id=telegram_id,
            complex_id=invite.complex_id,
            kind=invite.kind,
            first_name=first_name,
            joined_at=now,
        )
