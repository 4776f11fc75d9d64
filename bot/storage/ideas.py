from functools import partial

import aiosqlite

from bot.clock import to_db
from bot.domain import outbox_keys
from bot.domain.ideas import HELPS_TO_SUGGEST, Candidate, Idea, Invitation
from bot.domain.vocabulary import IdeaStatus, VoteKind
from bot.storage.db import Repository, fetch_one_in
from bot.storage.rows import fetch_record, insert, read_back, record

# The group post goes through the outbox under IDEA_POST; its message id is the outbox's
# once sent (ideas.group_message_id holds it for posts made before that).
_COLUMNS = (
    "SELECT i.*, r.first_name AS proposer_name,"
    " COALESCE(i.group_message_id, (SELECT o.message_id FROM outbox o"
    f"  WHERE o.key = '{outbox_keys.IDEA_POST.prefix}' || i.id AND o.status = 'sent'))"
    " AS post_message_id,"
    " (SELECT COUNT(*) FROM idea_votes v WHERE v.idea_id = i.id AND v.kind = 'support')"
    "  AS supporters,"
    " (SELECT COUNT(*) FROM idea_votes v WHERE v.idea_id = i.id AND v.kind = 'help')"
    "  AS helpers"
)
_FROM = " FROM ideas i LEFT JOIN residents r ON r.id = i.proposer_id"
_SELECT = _COLUMNS + _FROM


def _idea(row: aiosqlite.Row) -> Idea:
    return record(Idea, row, group_message_id=row["post_message_id"])


class IdeaRepository(Repository):
    """Ideas and the votes on them."""

    async def add(self, *, complex_id: int, proposer_id: int, text: str,
                  group_chat_id: int | None) -> Idea:
        """Store an idea; `group_chat_id` claims its group post for the caller."""
        async with self.db.transaction() as conn:
            idea_id = await insert(conn, "ideas", complex_id=complex_id, proposer_id=proposer_id,
                                   text=text, group_chat_id=group_chat_id,
                                   created_at=self.clock.now())
        return await read_back(self.get(idea_id))

    async def get(self, idea_id: int) -> Idea | None:
        return await fetch_record(self.db, _idea, f"{_SELECT} WHERE i.id = ?", (idea_id,))

    async def open_of(self, complex_id: int) -> list[Idea]:
        """The open ideas, most supported first, then most helpers, then the oldest."""
        rows = await self.db.fetch_all(
            f"{_SELECT} WHERE i.complex_id = ? AND i.status = 'open'"
            " ORDER BY supporters DESC, helpers DESC, i.created_at, i.id",
            (complex_id,),
        )
        return [_idea(row) for row in rows]

    async def unposted(self) -> list[tuple[Idea, int]]:
        """Open ideas never posted, of complexes that now have a group: (idea, group)."""
        rows = await self.db.fetch_all(
            f"{_COLUMNS}, c.group_chat_id AS complex_group{_FROM}"
            " JOIN complexes c ON c.id = i.complex_id"
            " WHERE i.status = 'open' AND i.group_chat_id IS NULL"
            " AND c.group_chat_id IS NOT NULL ORDER BY i.id"
        )
        return [(_idea(row), row["complex_group"]) for row in rows]

    async def claim_post(self, idea_id: int, group_chat_id: int) -> bool:
        """Take on posting an idea in a group; False if someone else already did."""
        return await self.db.write_one(
            "UPDATE ideas SET group_chat_id = ? WHERE id = ? AND group_chat_id IS NULL",
            (group_chat_id, idea_id),
        )

    async def toggle_vote(self, idea_id: int, resident_id: int, kind: VoteKind) -> bool | None:
        """Add or withdraw a vote on an open idea: True if added, None if not open."""
        async with self.db.transaction() as conn:
            row = await fetch_one_in(conn, "SELECT status FROM ideas WHERE id = ?", (idea_id,))
            if row is None or row["status"] != IdeaStatus.OPEN:
                return None
            cursor = await conn.execute(
                "DELETE FROM idea_votes WHERE idea_id = ? AND resident_id = ? AND kind = ?",
                (idea_id, resident_id, kind.value),
            )
            if cursor.rowcount:
                return False
            await conn.execute(
                "INSERT INTO idea_votes (idea_id, resident_id, kind, voted_at)"
                " VALUES (?, ?, ?, ?)",
                (idea_id, resident_id, kind.value, to_db(self.clock.now())),
            )
            return True

    async def close(self, idea_id: int) -> bool:
        """Close an open idea; False if it was not open."""
        return await self.db.write_one(
            "UPDATE ideas SET status = 'closed', closed_at = ?"
            " WHERE id = ? AND status = 'open'",
            (to_db(self.clock.now()), idea_id),
        )

    async def followers(self, idea_id: int) -> list[int]:
        """Telegram ids of the active residents who proposed, supported or offered help."""
        return await self.db.fetch_column(
            "SELECT DISTINCT r.telegram_id FROM residents r JOIN ideas i"
            " ON i.complex_id = r.complex_id WHERE i.id = ? AND r.status = 'active'"
            " AND (r.id = i.proposer_id OR EXISTS (SELECT 1 FROM idea_votes v"
            "  WHERE v.idea_id = i.id AND v.resident_id = r.id)) ORDER BY r.id",
            (idea_id,),
        )


class SuggestionRepository(Repository):
    """Residents who could become initiators, and whether they were asked."""

    async def candidates(self, complex_id: int) -> list[Candidate]:
        """Active non-initiators not yet asked who offered help on HELPS_TO_SUGGEST ideas,
        whose idea became an activity, or who offered to help organise when signing up."""
        rows = await self.db.fetch_all(
            "SELECT * FROM (SELECT r.id, r.first_name, r.building, r.wants_to_organise,"
            " (SELECT COUNT(*) FROM idea_votes v JOIN ideas i ON i.id = v.idea_id"
            "  WHERE v.resident_id = r.id AND v.kind = 'help' AND i.complex_id = r.complex_id)"
            "  AS helps,"
            " (SELECT COUNT(DISTINCT i.id) FROM ideas i JOIN activities a ON a.idea_id = i.id"
            "  WHERE i.proposer_id = r.id) AS ideas_planned"
            " FROM residents r WHERE r.complex_id = ? AND r.status = 'active'"
            " AND r.role = 'resident' AND NOT EXISTS (SELECT 1 FROM initiator_invitations q"
            "  WHERE q.resident_id = r.id))"
            " WHERE helps >= ? OR ideas_planned > 0 OR wants_to_organise = 1"
            " ORDER BY helps DESC, ideas_planned DESC, first_name COLLATE NOCASE, id",
            (complex_id, HELPS_TO_SUGGEST),
        )
        return [
            record(Candidate, row, resident_id=row["id"])
            for row in rows
        ]

    async def ask(self, resident_id: int, asked_by: int) -> bool:
        """Record that an initiator asked; False if the resident was asked before."""
        return await self.db.write_one(
            "INSERT OR IGNORE INTO initiator_invitations (resident_id, asked_by, asked_at)"
            " VALUES (?, ?, ?)",
            (resident_id, asked_by, to_db(self.clock.now())),
        )

    async def invitation(self, resident_id: int) -> Invitation | None:
        return await fetch_record(
            self.db, partial(record, Invitation),
            "SELECT * FROM initiator_invitations WHERE resident_id = ?", (resident_id,)
        )

    async def answer(self, resident_id: int, yes: bool) -> bool:
        """Record the resident's answer; False if there was no open question."""
        return await self.db.write_one(
            "UPDATE initiator_invitations SET answer = ?"
            " WHERE resident_id = ? AND answer IS NULL",
            ("yes" if yes else "no", resident_id),
        )
