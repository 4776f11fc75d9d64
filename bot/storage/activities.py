from datetime import datetime

import aiosqlite

from bot.clock import Clock, from_db, to_db
from bot.domain import outbox_keys
from bot.domain.activities import Activity, Reminder, Schedule
from bot.domain.vocabulary import ActivityStatus
from bot.storage.db import Database
from bot.storage.outbox import Message, queue_all
from bot.storage.rows import record

# The announcement goes through the outbox under ACTIVITY_POST; its message id is the outbox's
# once sent (activities.group_message_id holds it for announcements made before that).
_SELECT = (
    "SELECT a.*, (SELECT COUNT(*) FROM activity_attendees t WHERE t.activity_id = a.id)"
    " AS coming, COALESCE(a.group_message_id, (SELECT o.message_id FROM outbox o"
    f" WHERE o.key = '{outbox_keys.ACTIVITY_POST.prefix}' || a.id AND o.status = 'sent'))"
    " AS post_message_id"
    " FROM activities a"
)


def _activity(row: aiosqlite.Row) -> Activity:
    return record(Activity, row, group_message_id=row["post_message_id"])


def _db(moment: datetime | None) -> str | None:
    return to_db(moment) if moment else None


class ActivityRepository:
    """Activities, who is coming, and their due reminders and outcome questions."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def create(self, *, complex_id: int, idea_id: int | None, title: str, place: str,
                     starts_at: datetime, planned_by: int, schedule: Schedule) -> Activity:
        """Store an activity. The idea it came from becomes planned in the same
        transaction; an idea that is no longer open is not linked."""
        async with self.db.transaction() as conn:
            if idea_id is not None:
                cursor = await conn.execute(
                    "UPDATE ideas SET status = 'planned'"
                    " WHERE id = ? AND complex_id = ? AND status = 'open'",
                    (idea_id, complex_id),
                )
                idea_id = idea_id if cursor.rowcount == 1 else None
            cursor = await conn.execute(
                "INSERT INTO activities (complex_id, idea_id, title, place, starts_at,"
                " planned_by, remind_day_at, remind_hour_at, ask_outcome_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (complex_id, idea_id, title, place, to_db(starts_at), planned_by,
                 _db(schedule.remind_day_at), _db(schedule.remind_hour_at),
                 to_db(schedule.ask_outcome_at), to_db(self.clock.now())),
            )
            activity_id = cursor.lastrowid
        created = await self.get(activity_id)
        assert created is not None
        return created

    async def get(self, activity_id: int) -> Activity | None:
        row = await self.db.fetch_one(f"{_SELECT} WHERE a.id = ?", (activity_id,))
        return _activity(row) if row else None

    async def set_group_chat(self, activity_id: int, chat_id: int) -> None:
        """The group its announcement is queued for."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE activities SET group_chat_id = ? WHERE id = ?",
                               (chat_id, activity_id))

    async def toggle_coming(self, activity_id: int, resident_id: int) -> bool | None:
        """Say one is coming, or no longer: True if now coming, None if it is not planned
        or has started."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT 1 FROM activities WHERE id = ? AND status = 'planned' AND starts_at > ?",
                (activity_id, to_db(self.clock.now())),
            ) as cursor:
                if await cursor.fetchone() is None:
                    return None
            cursor = await conn.execute(
                "DELETE FROM activity_attendees WHERE activity_id = ? AND resident_id = ?",
                (activity_id, resident_id),
            )
            if cursor.rowcount:
                return False
            await conn.execute(
                "INSERT INTO activity_attendees (activity_id, resident_id) VALUES (?, ?)",
                (activity_id, resident_id),
            )
            return True

    async def coming(self, activity_id: int) -> list[int]:
        """Telegram ids of the active residents who said they are coming."""
        rows = await self.db.fetch_all(
            "SELECT r.telegram_id FROM activity_attendees t JOIN residents r"
            " ON r.id = t.resident_id WHERE t.activity_id = ? AND r.status = 'active'"
            " ORDER BY r.id",
            (activity_id,),
        )
        return [row["telegram_id"] for row in rows]

    async def next_due_at(self) -> datetime | None:
        """The earliest reminder or outcome question still to send."""
        text = await self.db.fetch_value(
            "SELECT MIN(due) FROM (SELECT MIN(remind_day_at) AS due FROM activities"
            " UNION ALL SELECT MIN(remind_hour_at) FROM activities"
            " UNION ALL SELECT MIN(ask_outcome_at) FROM activities)"
        )
        return from_db(text) if text else None

    async def due_reminders(self, now: datetime) -> list[tuple[Activity, Reminder]]:
        found = []
        for reminder in Reminder:
            rows = await self.db.fetch_all(
                f"{_SELECT} WHERE a.{reminder.value} IS NOT NULL AND a.{reminder.value} <= ?"
                " ORDER BY a.id",
                (to_db(now),),
            )
            found += [(_activity(row), reminder) for row in rows]
        return found

    async def claim_reminder(self, activity_id: int, reminder: Reminder,
                             messages: list[Message]) -> bool:
        """Mark a reminder as sent and queue its messages, together; False if it already
        was, so it is never sent twice."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE activities SET {reminder.value} = NULL"
                f" WHERE id = ? AND {reminder.value} IS NOT NULL",
                (activity_id,),
            )
            if cursor.rowcount == 1:
                await queue_all(conn, self.clock.now(), messages)
            return cursor.rowcount == 1

    async def due_outcome_questions(self, now: datetime) -> list[Activity]:
        rows = await self.db.fetch_all(
            f"{_SELECT} WHERE a.ask_outcome_at IS NOT NULL AND a.ask_outcome_at <= ?"
            " ORDER BY a.id",
            (to_db(now),),
        )
        return [_activity(row) for row in rows]

    async def claim_outcome_question(self, activity_id: int, messages: list[Message]) -> bool:
        """Mark the outcome question as asked and queue it, together."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE activities SET ask_outcome_at = NULL"
                " WHERE id = ? AND ask_outcome_at IS NOT NULL",
                (activity_id,),
            )
            if cursor.rowcount == 1:
                await queue_all(conn, self.clock.now(), messages)
            return cursor.rowcount == 1

    async def record_outcome(self, activity_id: int, attendance: int | None) -> bool:
        """Held with `attendance`, or cancelled when None; False if already recorded."""
        status = ActivityStatus.CANCELLED if attendance is None else ActivityStatus.HELD
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE activities SET status = ?, attendance = ?, remind_day_at = NULL,"
                " remind_hour_at = NULL, ask_outcome_at = NULL"
                " WHERE id = ? AND status = 'planned'",
                (status.value, attendance, activity_id),
            )
            return cursor.rowcount == 1

    async def upcoming(self, complex_id: int, now: datetime) -> list[Activity]:
        rows = await self.db.fetch_all(
            f"{_SELECT} WHERE a.complex_id = ? AND a.status = 'planned' AND a.starts_at > ?"
            " ORDER BY a.starts_at, a.id",
            (complex_id, to_db(now)),
        )
        return [_activity(row) for row in rows]

    async def past(self, complex_id: int, since: datetime, now: datetime) -> list[Activity]:
        """Activities that started between `since` and `now`, the latest first."""
        rows = await self.db.fetch_all(
            f"{_SELECT} WHERE a.complex_id = ? AND a.starts_at > ? AND a.starts_at <= ?"
            " ORDER BY a.starts_at DESC, a.id DESC",
            (complex_id, to_db(since), to_db(now)),
        )
        return [_activity(row) for row in rows]
