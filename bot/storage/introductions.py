import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

import aiosqlite

from bot.clock import to_db
from bot.domain import outbox_keys
from bot.domain.introductions import (
    ANSWER_WITHIN,
    FIRST_FOLLOW_UP,
    RECENT_ROUNDS,
    SECOND_FOLLOW_UP,
    Answer,
    answer_outcome,
    asks_again,
    meeting_question_open,
    still_possible,
)
from bot.domain.matching import Candidate
from bot.storage.db import Repository, fetch_one_in
from bot.storage.outbox import Message, claim_and_queue
from bot.storage.rows import fetch_moment, insert, record

Chooser = Callable[[Candidate, list[Candidate], set[frozenset[int]]], int | None]


@dataclass(frozen=True)
class Member:
    resident_id: int
    telegram_id: int
    first_name: str
    building: str | None
    interests: frozenset[str]
    answer: str
    followups_sent: int
    met: str | None


@dataclass(frozen=True)
class Introduction:
    id: int
    complex_id: int
    status: str
    expires_at: datetime
    members: tuple[Member, ...]

    def member(self, resident_id: int) -> Member | None:
        return next((m for m in self.members if m.resident_id == resident_id), None)

    def others(self, resident_id: int) -> list[Member]:
        return [m for m in self.members if m.resident_id != resident_id]


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _interests(joined: str | None) -> frozenset[str]:
    """A resident's interests, as SQLite's GROUP_CONCAT joined them."""
    return frozenset((joined or "").split(",")) - {""}


class IntroductionRepository(Repository):
    # -- reading ---------------------------------------------------------------

    async def get(self, introduction_id: int) -> Introduction | None:
        row = await self.db.fetch_one(
            "SELECT * FROM introductions WHERE id = ?", (introduction_id,)
        )
        if row is None:
            return None
        members = await self.db.fetch_all(
            "SELECT m.*, r.telegram_id, r.first_name, r.building,"
            " (SELECT GROUP_CONCAT(interest) FROM resident_interests i"
            "  WHERE i.resident_id = r.id) AS interests"
            " FROM introduction_members m JOIN residents r ON r.id = m.resident_id"
            " WHERE m.introduction_id = ? ORDER BY r.id",
            (introduction_id,),
        )
        return record(Introduction, row, members=tuple(
            record(Member, m, interests=_interests(m["interests"])) for m in members))

    async def in_open_introduction(self, resident_id: int) -> bool:
        return bool(await self.db.fetch_value(
            "SELECT 1 FROM introduction_members m JOIN introductions i"
            " ON i.id = m.introduction_id WHERE m.resident_id = ? AND +i.status = 'proposed'",
            (resident_id,),
        ))

    async def acquaintances_of(self, resident_id: int) -> int:
        return await self.db.fetch_value(
            "SELECT COUNT(*) FROM acquaintances WHERE ? IN (resident_a, resident_b)",
            (resident_id,),
        )

    async def meet_requests(self) -> list[tuple[int, int]]:
        """Open /meet requests as (complex id, resident id), oldest first."""
        rows = await self.db.fetch_all(
            "SELECT r.complex_id, q.resident_id FROM meet_requests q"
            " JOIN residents r ON r.id = q.resident_id ORDER BY q.requested_at, q.resident_id"
        )
        return [(row[0], row[1]) for row in rows]

    async def has_meet_request(self, resident_id: int) -> bool:
        return bool(await self.db.fetch_value(
            "SELECT 1 FROM meet_requests WHERE resident_id = ?", (resident_id,)
        ))

    # -- inside a transaction --------------------------------------------------

    async def _candidates(
        self, conn: aiosqlite.Connection, complex_id: int, include: int | None = None
    ) -> list[Candidate]:
        """Active residents who want introductions (or asked for one: `include`) and are
        not waiting on one. (`+i.status`: from each resident's memberships, not from every
        open introduction of the city, which SQLite's planner would otherwise prefer.)"""
        async with conn.execute(
            "SELECT r.id, r.building, r.joined_at,"
            " (SELECT GROUP_CONCAT(interest) FROM resident_interests i"
            "  WHERE i.resident_id = r.id) AS interests"
            " FROM residents r WHERE r.complex_id = ? AND r.status = 'active'"
            " AND (r.wants_introductions = 1 OR r.id = ?) AND NOT EXISTS ("
            "  SELECT 1 FROM introduction_members m JOIN introductions i"
            "  ON i.id = m.introduction_id WHERE m.resident_id = r.id"
            "  AND +i.status = 'proposed')",
            (complex_id, include),
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            record(Candidate, row, interests=_interests(row["interests"]))
            for row in rows
        ]

    async def _recent_pairs(
        self, conn: aiosqlite.Connection, complex_id: int, *, upcoming: bool = False
    ) -> set[frozenset[int]]:
        """Pairs introduced since the oldest of the last rounds (requests included); with
        `upcoming`, the round about to be held counts as one of them."""
        row = await fetch_one_in(
            conn,
            "SELECT due_at FROM intro_rounds WHERE complex_id = ?"
            " ORDER BY due_at DESC LIMIT 1 OFFSET ?",
            (complex_id, RECENT_ROUNDS - 1 - upcoming),
        )
        since = row["due_at"] if row else ""
        async with conn.execute(
            "SELECT a.resident_id AS x, b.resident_id AS y FROM introductions i"
            " JOIN introduction_members a ON a.introduction_id = i.id"
            " JOIN introduction_members b ON b.introduction_id = i.id"
            " AND a.resident_id < b.resident_id"
            " WHERE i.complex_id = ? AND i.created_at >= ?",
            (complex_id, since),
        ) as cursor:
            return {frozenset((r["x"], r["y"])) for r in await cursor.fetchall()}

    async def _create(
        self, conn: aiosqlite.Connection, complex_id: int, round_id: int | None,
        group: Sequence[int], now: datetime,
    ) -> int:
        introduction_id = await insert(conn, "introductions", complex_id=complex_id,
                                       round_id=round_id, created_at=now,
                                       expires_at=now + ANSWER_WITHIN)
        await conn.executemany(
            "INSERT INTO introduction_members (introduction_id, resident_id) VALUES (?, ?)",
            [(introduction_id, resident_id) for resident_id in group],
        )
        await conn.execute(
            f"DELETE FROM meet_requests WHERE resident_id IN ({','.join('?' * len(group))})",
            tuple(group),
        )
        return introduction_id

    # -- writing -----------------------------------------------------------------

    async def round_held(self, complex_id: int, due_at: datetime) -> bool:
        return await self.db.fetch_value(
            "SELECT 1 FROM intro_rounds WHERE complex_id = ? AND due_at = ?",
            (complex_id, to_db(due_at))) is not None

    async def round_inputs(self, complex_id: int
                           ) -> tuple[list[Candidate], set[frozenset[int]]]:
        """What a round matches, as committed: the candidates and the recent pairs. Matching
        runs on these outside the write lock; `hold_round` checks its result again."""
        async with self.db.committed() as conn:
            return (await self._candidates(conn, complex_id),
                    await self._recent_pairs(conn, complex_id, upcoming=True))

    async def hold_round(
        self, complex_id: int, due_at: datetime, groups: list[tuple[int, ...]]
    ) -> list[int] | None:
        """Hold the round due at `due_at` once, with the groups matched for it that still
        hold (everyone still available, no pair introduced meanwhile); None if it was
        held already."""
        now = self.clock.now()
        try:
            async with self.db.transaction() as conn:
                round_id = await insert(conn, "intro_rounds", complex_id=complex_id,
                                        due_at=due_at, held_at=now)
                kept = still_possible(
                    groups, {c.id for c in await self._candidates(conn, complex_id)},
                    await self._recent_pairs(conn, complex_id))
                return [await self._create(conn, complex_id, round_id, group, now)
                        for group in kept]
        except sqlite3.IntegrityError:
            return None

    async def request_meeting(
        self, complex_id: int, resident_id: int, chooser: Chooser
    ) -> int | None:
        """Introduce now if someone fits (the introduction's id); else keep the request."""
        now = self.clock.now()
        async with self.db.transaction() as conn:
            everyone = await self._candidates(conn, complex_id, include=resident_id)
            me = next((c for c in everyone if c.id == resident_id), None)
            if me is None:  # not active, or already waiting on an introduction
                return None
            partner = chooser(me, [c for c in everyone if c.id != resident_id],
                              await self._recent_pairs(conn, complex_id))
            if partner is not None:
                return await self._create(conn, complex_id, None, (resident_id, partner), now)
            await conn.execute(
                "INSERT OR IGNORE INTO meet_requests (resident_id, requested_at) VALUES (?, ?)",
                (resident_id, to_db(now)),
            )
            return None

    async def answer(self, introduction_id: int, resident_id: int, yes: bool) -> Answer:
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await fetch_one_in(conn, "SELECT status FROM introductions WHERE id = ?",
                                     (introduction_id,))
            async with conn.execute(
                "SELECT resident_id, answer FROM introduction_members WHERE introduction_id = ?",
                (introduction_id,),
            ) as cursor:
                answers = {r["resident_id"]: r["answer"] for r in await cursor.fetchall()}
            outcome = answer_outcome(row["status"] if row else None, answers, resident_id, yes)
            if outcome in (Answer.NOT_MEMBER, Answer.CLOSED, Answer.ALREADY):
                return outcome
            await conn.execute(
                "UPDATE introduction_members SET answer = ?"
                " WHERE introduction_id = ? AND resident_id = ?",
                ("yes" if yes else "no", introduction_id, resident_id),
            )
            if outcome is Answer.DECLINED:
                await conn.execute(
                    "UPDATE introductions SET status = 'declined' WHERE id = ?",
                    (introduction_id,),
                )
            if outcome is not Answer.ACCEPTED:
                return outcome
            await conn.execute(
                "UPDATE introductions SET status = 'accepted', accepted_at = ? WHERE id = ?",
                (to_db(now), introduction_id),
            )
            await conn.execute(
                "UPDATE introduction_members SET followup_due_at = ? WHERE introduction_id = ?",
                (to_db(now + FIRST_FOLLOW_UP), introduction_id),
            )
            return Answer.ACCEPTED

    async def expire(self) -> int:
        """Close introductions nobody finished answering in time, quietly."""
        return await self.db.write(
            "UPDATE introductions SET status = 'expired'"
            " WHERE status = 'proposed' AND expires_at <= ?",
            (to_db(self.clock.now()),),
        )

    async def next_due_at(self) -> datetime | None:
        """The earliest expiry of an open introduction or "did you meet?" still to ask."""
        return await fetch_moment(
            self.db,
            "SELECT MIN(due) FROM (SELECT MIN(expires_at) AS due FROM introductions"
            " WHERE status = 'proposed'"
            " UNION ALL SELECT MIN(followup_due_at) FROM introduction_members)"
        )

    async def due_follow_ups(self) -> list[tuple[int, int, int]]:
        """(introduction, resident, follow-ups sent) whose "did you meet?" is due."""
        rows = await self.db.fetch_all(
            "SELECT introduction_id, resident_id, followups_sent FROM introduction_members"
            " WHERE followup_due_at IS NOT NULL AND followup_due_at <= ?"
            " ORDER BY followup_due_at, introduction_id, resident_id",
            (to_db(self.clock.now()),),
        )
        return [(row[0], row[1], row[2]) for row in rows]

    async def send_follow_up(self, introduction_id: int, resident_id: int,
                             message: Message) -> bool:
        """Mark the follow-up as asked and queue it, together; False if it was already."""
        now = self.clock.now()
        return await claim_and_queue(
            self.db, now,
            "UPDATE introduction_members SET followup_due_at = NULL,"
            " followups_sent = followups_sent + 1 WHERE introduction_id = ?"
            " AND resident_id = ? AND followup_due_at IS NOT NULL AND followup_due_at <= ?",
            (introduction_id, resident_id, to_db(now)),
            [message])

    async def without_messages(self, status: str, purpose: str) -> list[int]:
        """Introductions in `status` where someone's `purpose` message was never queued.

        After a crash between a change and its messages, the sweeper finds them here.
        """
        return await self.db.fetch_column(
            "SELECT DISTINCT i.id FROM introductions i JOIN introduction_members m"
            " ON m.introduction_id = i.id WHERE i.status = ? AND NOT EXISTS ("
            "  SELECT 1 FROM outbox o"
            "  WHERE o.key = ? || i.id || ':' || ? || ':' || m.resident_id)"
            " ORDER BY i.id",
            (status, outbox_keys.INTRODUCTION.prefix, purpose),
        )

    async def record_meeting(
        self, introduction_id: int, resident_id: int, met: str
    ) -> bool | None:
        """Record the answer to "did you meet?"; None if there is no such question.

        Returns whether the question will be asked once more ("not yet" the first time).
        """
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await fetch_one_in(
                conn,
                "SELECT m.followups_sent, m.met, i.status, i.complex_id"
                " FROM introduction_members m JOIN introductions i ON i.id = m.introduction_id"
                " WHERE m.introduction_id = ? AND m.resident_id = ?",
                (introduction_id, resident_id),
            )
            if row is None or not meeting_question_open(row["status"], row["followups_sent"],
                                                        row["met"]):
                return None
            ask_again = asks_again(met, row["followups_sent"])
            await conn.execute(
                "UPDATE introduction_members SET met = ?, followup_due_at = ?"
                " WHERE introduction_id = ? AND resident_id = ?",
                (met, to_db(now + SECOND_FOLLOW_UP) if ask_again else None,
                 introduction_id, resident_id),
            )
            if met == "yes":
                async with conn.execute(
                    "SELECT resident_id FROM introduction_members WHERE introduction_id = ?",
                    (introduction_id,),
                ) as cursor:
                    members = [r[0] for r in await cursor.fetchall()]
                pairs = [_ordered(a, b) for a, b in combinations(members, 2)
                         if resident_id in (a, b)]
                await conn.executemany(
                    "INSERT OR IGNORE INTO acquaintances (resident_a, resident_b, complex_id,"
                    " introduction_id, confirmed_at) VALUES (?, ?, ?, ?, ?)",
                    [(a, b, row["complex_id"], introduction_id, to_db(now)) for a, b in pairs],
                )
            return ask_again
