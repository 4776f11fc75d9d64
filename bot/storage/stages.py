"""The stage made real: metrics measured from the database, the stored stage, the committee
flag, a contact's override with its history, and what the weekly digest counts."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.clock import from_db, to_db
from bot.domain.models import ContactKind
from bot.domain.stages import Decision, Metrics, Thresholds
from bot.storage.db import Repository, fetch_one_in
from bot.storage.rows import fetch_record, insert, record


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a complex's stage history; `by_name`/`by_kind` name the contact, if any."""

    id: int
    complex_id: int
    from_stage: str
    to_stage: str
    cause: str
    changed_by: int | None
    by_name: str | None
    by_kind: ContactKind | None
    reason: str | None
    changed_at: datetime


_HISTORY = (
    "SELECT h.*, k.first_name AS by_name, k.kind AS by_kind FROM stage_history h"
    " LEFT JOIN contacts k ON k.telegram_id = h.changed_by AND k.complex_id = h.complex_id"
)


def _entry(row: aiosqlite.Row) -> HistoryEntry:
    return record(HistoryEntry, row)


async def _insert_history(
    conn: aiosqlite.Connection, complex_id: int, from_stage: str, to_stage: str, cause: str,
    changed_by: int | None, reason: str | None, now: datetime,
) -> int:
    return await insert(conn, "stage_history", complex_id=complex_id, from_stage=from_stage,
                        to_stage=to_stage, cause=cause, changed_by=changed_by, reason=reason,
                        changed_at=now)


class StageRepository(Repository):
    async def metrics(self, complex_id: int, limits: Thresholds) -> Metrics:
        """What the stage criteria look at, measured now."""
        now = self.clock.now()
        # Acquaintances are counted per resident once (both sides of each pair), not by
        # comparing every resident with every pair of the complex.
        row = await self.db.fetch_one(
            "WITH sides AS (SELECT resident_a AS id FROM acquaintances WHERE complex_id = ?4"
            "  UNION ALL SELECT resident_b FROM acquaintances WHERE complex_id = ?4),"
            " known AS (SELECT s.id, COUNT(*) AS n FROM sides s JOIN residents r"
            "  ON r.id = s.id AND r.complex_id = ?4 AND r.status = 'active' GROUP BY s.id)"
            " SELECT c.committee,"
            " (SELECT COUNT(*) FROM residents r WHERE r.complex_id = c.id"
            "  AND r.status = 'active') AS residents,"
            " (SELECT COUNT(*) FROM residents r WHERE r.complex_id = c.id"
            "  AND r.status = 'active' AND r.role = 'initiator') AS active_initiators,"
            " (SELECT COUNT(*) FROM activities a WHERE a.complex_id = c.id"
            "  AND a.status = 'held' AND a.starts_at > ?1 AND a.starts_at <= ?2)"
            "  AS activities_held,"
            " (SELECT COUNT(*) FROM known) AS introduced_residents,"
            " (SELECT COUNT(*) FROM known WHERE n >= ?3) AS acquainted_residents"
            " FROM complexes c WHERE c.id = ?4",
            (to_db(now - timedelta(days=limits.window_days)), to_db(now),
             limits.group_neighbours_known, complex_id),
        )
        if row is None:
            return Metrics(0, 0, 0, 0, 0, False)
        return record(Metrics, row)

    async def due_for_check(self, checked_before: datetime, failing_before: datetime
                            ) -> list[int]:
        """Complexes whose stage was never measured or last measured at or before
        `checked_before`, and those failing since `failing_before` (due to move down)."""
        return await self.db.fetch_column(
            "SELECT id FROM complexes WHERE stage_checked_at IS NULL OR stage_checked_at <= ?"
            " OR stage_failing_since <= ? ORDER BY id",
            (to_db(checked_before), to_db(failing_before)),
        )

    async def next_check_after(self, check_every: timedelta, hysteresis: timedelta
                               ) -> datetime | None:
        """When the next complex is due to be measured (again), or to move down."""
        row = await self.db.fetch_one(
            "SELECT MIN(stage_checked_at), MIN(stage_failing_since) FROM complexes")
        moments = []
        if row is not None and row[0]:
            moments.append(from_db(row[0]) + check_every)
        if row is not None and row[1]:
            moments.append(from_db(row[1]) + hysteresis)
        return min(moments, default=None)

    async def unannounced(self) -> list[HistoryEntry]:
        """Stage changes whose news was never queued (the bot stopped in between)."""
        rows = await self.db.fetch_all(
            f"{_HISTORY} WHERE h.announced = 0 AND h.cause != 'committee' ORDER BY h.id")
        return [_entry(row) for row in rows]

    async def mark_announced(self, entry_id: int) -> None:
        await self.db.write("UPDATE stage_history SET announced = 1 WHERE id = ?", (entry_id,))

    async def record_measurement(
        self, complex_id: int, measured_from: str, decision: Decision
    ) -> HistoryEntry | None:
        """Store a decision taken on the stage `measured_from`; the history entry if the stage
        changed. Nothing is stored if the stage changed meanwhile (the later check wins)."""
        now = self.clock.now()
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE complexes SET stage = ?, stage_failing_since = ?, stage_checked_at = ?"
                " WHERE id = ? AND stage = ?",
                (decision.stage, to_db(decision.failing_since) if decision.failing_since
                 else None, to_db(now), complex_id, measured_from),
            )
            if cursor.rowcount != 1 or not decision.changed:
                return None
            entry_id = await _insert_history(conn, complex_id, measured_from, decision.stage,
                                             "measured", None, None, now)
        return await self.entry(entry_id)

    async def set_committee(self, complex_id: int, on: bool, by: int) -> HistoryEntry | None:
        """Register or withdraw the committee; None if it already was so."""
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await fetch_one_in(
                conn, "SELECT stage FROM complexes WHERE id = ? AND committee = ?",
                (complex_id, int(not on)))
            if row is None:
                return None
            await conn.execute("UPDATE complexes SET committee = ? WHERE id = ?",
                               (int(on), complex_id))
            entry_id = await _insert_history(conn, complex_id, row["stage"], row["stage"],
                                             "committee", by, "on" if on else "off", now)
        return await self.entry(entry_id)

    async def set_override(
        self, complex_id: int, stage: str | None, by: int, reason: str
    ) -> HistoryEntry | None:
        """Set (`stage`) or lift (None) the override; None if there was nothing to change."""
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await fetch_one_in(
                conn, "SELECT stage, stage_override FROM complexes WHERE id = ?", (complex_id,))
            if row is None or row["stage_override"] == stage:
                return None
            before = row["stage_override"] or row["stage"]
            await conn.execute("UPDATE complexes SET stage_override = ? WHERE id = ?",
                               (stage, complex_id))
            entry_id = await _insert_history(
                conn, complex_id, before, stage or row["stage"],
                "override" if stage else "override_lifted", by, reason, now)
        return await self.entry(entry_id)

    async def entry(self, entry_id: int) -> HistoryEntry | None:
        return await fetch_record(self.db, _entry, f"{_HISTORY} WHERE h.id = ?", (entry_id,))

    async def history(self, complex_id: int, limit: int) -> list[HistoryEntry]:
        """The latest entries, newest first."""
        rows = await self.db.fetch_all(
            f"{_HISTORY} WHERE h.complex_id = ? ORDER BY h.changed_at DESC, h.id DESC LIMIT ?",
            (complex_id, limit),
        )
        return [_entry(row) for row in rows]

    async def override_set(self, complex_id: int) -> HistoryEntry | None:
        """The entry that set the override in force now, if there is one."""
        return await fetch_record(
            self.db, _entry,
            f"{_HISTORY} JOIN complexes c ON c.id = h.complex_id"
            " WHERE h.complex_id = ? AND h.cause = 'override' AND c.stage_override IS NOT NULL"
            " ORDER BY h.changed_at DESC, h.id DESC LIMIT 1",
            (complex_id,),
        )


@dataclass(frozen=True)
class DueDigest:
    complex_id: int
    telegram_id: int


@dataclass(frozen=True)
class HeldActivity:
    title: str
    attendance: int | None


@dataclass(frozen=True)
class OpenEscalation:
    report_id: int
    category: str
    created_at: datetime


@dataclass(frozen=True)
class WeekFigures:
    """What happened in a complex between `since` and `until`."""

    new_residents: int
    introductions_made: int
    introductions_confirmed: int
    activities: tuple[HeldActivity, ...]
    reports: tuple[tuple[str, str, int], ...]  # category, status, count
    unacknowledged: tuple[OpenEscalation, ...]  # whenever they were made


class DigestRepository(Repository):
    async def due(self, week: str, moment: datetime) -> list[DueDigest]:
        """Contacts who were a contact at `moment` and have no digest for `week` yet."""
        rows = await self.db.fetch_all(
            "SELECT k.complex_id, k.telegram_id FROM contacts k"
            " WHERE k.joined_at <= ? AND NOT EXISTS (SELECT 1 FROM digests d"
            "  WHERE d.complex_id = k.complex_id AND d.telegram_id = k.telegram_id"
            "  AND d.week = ?)"
            " ORDER BY k.complex_id, k.telegram_id",
            (to_db(moment), week),
        )
        return [DueDigest(row["complex_id"], row["telegram_id"]) for row in rows]

    async def mark_sent(self, complex_id: int, telegram_id: int, week: str) -> None:
        await self.db.write(
            "INSERT OR IGNORE INTO digests (complex_id, telegram_id, week, sent_at)"
            " VALUES (?, ?, ?, ?)",
            (complex_id, telegram_id, week, to_db(self.clock.now())),
        )

    async def figures(self, complex_id: int, since: datetime, until: datetime) -> WeekFigures:
        window = (complex_id, to_db(since), to_db(until))
        counts = await self.db.fetch_one(
            "SELECT"
            " (SELECT COUNT(*) FROM residents WHERE complex_id = ?1 AND status = 'active'"
            "  AND joined_at >= ?2 AND joined_at < ?3) AS new_residents,"
            " (SELECT COUNT(*) FROM introductions WHERE complex_id = ?1"
            "  AND created_at >= ?2 AND created_at < ?3) AS introductions_made,"
            " (SELECT COUNT(*) FROM acquaintances WHERE complex_id = ?1"
            "  AND confirmed_at >= ?2 AND confirmed_at < ?3) AS introductions_confirmed",
            window,
        )
        assert counts is not None
        activities = await self.db.fetch_all(
            "SELECT title, attendance FROM activities WHERE complex_id = ? AND status = 'held'"
            " AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, id",
            window,
        )
        reports = await self.db.fetch_all(
            "SELECT category, status, COUNT(*) AS n FROM reports WHERE complex_id = ?"
            " AND created_at >= ? AND created_at < ? GROUP BY category, status"
            " ORDER BY category, status",
            window,
        )
        open_escalations = await self.db.fetch_all(
            "SELECT r.id AS report_id, r.category, r.created_at FROM escalations e"
            " JOIN reports r ON r.id = e.report_id"
            # Ladders that ran out (operators alerted) are the most unacknowledged of all.
            " WHERE r.complex_id = ? AND r.status = 'open' AND e.acknowledged_by IS NULL"
            " ORDER BY r.created_at, r.id",
            (complex_id,),
        )
        return record(
            WeekFigures, counts,
            activities=tuple(record(HeldActivity, row) for row in activities),
            reports=tuple((row["category"], row["status"], row["n"]) for row in reports),
            unacknowledged=tuple(record(OpenEscalation, row) for row in open_escalations),
        )
