from datetime import datetime

import aiosqlite

from bot.clock import to_db
from bot.domain import outbox_keys
from bot.domain.activities import Activity, Reminder, Schedule
from bot.domain.vocabulary import ActivityStatus
from bot.storage.db import Repository, fetch_one_in
from bot.storage.outbox import Message, claim_and_queue
from bot.storage.rows import fetch_moment, fetch_record, insert, read_back, record

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


class ActivityRepository(Repository):
    """Activities, who is coming, and their due reminders and outcome questions."""

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
            activity_id = await insert(
                conn, "activities", complex_id=complex_id, idea_id=idea_id, title=title,
                place=place, starts_at=starts_at, planned_by=planned_by,
                remind_day_at=schedule.remind_day_at, remind_hour_at=schedule.remind_hour_at,
                ask_outcome_at=schedule.ask_outcome_at, created_at=self.clock.now())
        return await read_back(self.get(activity_id))

    async def get(self, activity_id: int) -> Activity | None:
        return await fetch_record(self.db, _activity, f"{_SELECT} WHERE a.id = ?",
                                  (activity_id,))

    async def set_group_chat(self, activity_id: int, chat_id: int) -> None:
        """The group its announcement is queued for."""
        await self.db.write("UPDATE activities SET group_chat_id = ? WHERE id = ?",
                            (chat_id, activity_id))

    async def toggle_coming(self, activity_id: int, resident_id: int) -> bool | None:
        """Say one is coming, or no longer: True if now coming, None if it is not planned
        or has started."""
        async with self.db.transaction() as conn:
            if await fetch_one_in(
                conn,
                "SELECT 1 FROM activities WHERE id = ? AND status = 'planned' AND starts_at > ?",
                (activity_id, to_db(self.clock.now())),
            ) is None:
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
        return await self.db.fetch_column(
            "SELECT r.telegram_id FROM activity_attendees t JOIN residents r"
            " ON r.id = t.resident_id WHERE t.activity_id = ? AND r.status = 'active'"
            " ORDER BY r.id",
            (activity_id,),
        )

    async def next_due_at(self) -> datetime | None:
        """The earliest reminder or outcome question still to send."""
        return await fetch_moment(
            self.db,
            "SELECT MIN(due) FROM (SELECT MIN(remind_day_at) AS due FROM activities"
            " UNION ALL SELECT MIN(remind_hour_at) FROM activities"
            " UNION ALL SELECT MIN(ask_outcome_at) FROM activities)"
        )

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
        return await claim_and_queue(
            self.db, self.clock.now(),
            f"UPDATE activities SET {reminder.value} = NULL"
            f" WHERE id = ? AND {reminder.value} IS NOT NULL",
            (activity_id,),
            messages)

    async def due_outcome_questions(self, now: datetime) -> list[Activity]:
        rows = await self.db.fetch_all(
            f"{_SELECT} WHERE a.ask_outcome_at IS NOT NULL AND a.ask_outcome_at <= ?"
            " ORDER BY a.id",
            (to_db(now),),
        )
        return [_activity(row) for row in rows]

    async def claim_outcome_question(self, activity_id: int, messages: list[Message]) -> bool:
        """Mark the outcome question as asked and queue it, together."""
        return await claim_and_queue(
            self.db, self.clock.now(),
            "UPDATE activities SET ask_outcome_at = NULL"
            " WHERE id = ? AND ask_outcome_at IS NOT NULL",
            (activity_id,),
            messages)

    async def record_outcome(self, activity_id: int, attendance: int | None) -> bool:
        """Held with `attendance`, or cancelled when None; False if already recorded."""
        status = ActivityStatus.CANCELLED if attendance is None else ActivityStatus.HELD
        return await self.db.write_one(
            "UPDATE activities SET status = ?, attendance = ?, remind_day_at = NULL,"
            " remind_hour_at = NULL, ask_outcome_at = NULL"
            " WHERE id = ? AND status = 'planned'",
            (status.value, attendance, activity_id),
        )

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
