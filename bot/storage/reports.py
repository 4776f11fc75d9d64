import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.clock import to_db
from bot.domain import outbox_keys
from bot.domain.ladder import Climb, next_climb
from bot.domain.routing import Level
from bot.domain.vocabulary import Category, ReportKind, ReportStatus, Stage
from bot.storage.db import Repository, fetch_one_in
from bot.storage.outbox import Message, claim_and_queue, enqueue_in, queue_all
from bot.storage.rows import fetch_moment, fetch_record, insert, record


@dataclass(frozen=True)
class Report:
    id: int
    complex_id: int
    reporter_id: int
    reporter_name: str | None
    kind: ReportKind
    category: Category
    happening_now: bool
    urgent: bool
    occurred: str
    place: str | None
    latitude: float | None
    longitude: float | None
    description: str
    photo_file_id: str | None
    stage: Stage
    status: ReportStatus
    shared_in_group: bool
    me_too: int
    created_at: datetime
    resolution: str | None
    # the ladder
    chain: tuple[Level, ...]
    lap: int
    level: int
    level_started: bool
    deadline_at: datetime | None
    acknowledged_by: int | None
    exhausted: bool
    waiting_since: datetime | None = None
    group_text: str | None = None
    acknowledged_at: datetime | None = None

    @property
    def waiting(self) -> bool:
        """Nobody is behind any level still ahead: it waits for someone to join."""
        return self.waiting_since is not None

    @property
    def anonymous(self) -> bool:
        return self.reporter_name is None

    @property
    def current_level(self) -> Level | None:
        return self.chain[self.level] if self.level < len(self.chain) else None


@dataclass(frozen=True)
class Target:
    telegram_id: int
    target: str
    acts: bool
    lap: int
    level: int
    outbox_key: str


@dataclass(frozen=True)
class Question:
    id: int
    report_id: int
    asked_by: int
    question: str
    answer: str | None


def _chain_json(chain: tuple[Level, ...] | list[Level]) -> str:
    return json.dumps([{"targets": list(level.targets), "inform": list(level.inform),
                        "timeout": level.timeout_seconds} for level in chain])


def _chain(text: str) -> tuple[Level, ...]:
    return tuple(Level(tuple(level["targets"]), tuple(level["inform"]), level["timeout"])
                 for level in json.loads(text))


def _report(row: aiosqlite.Row) -> Report:
    return record(Report, row, chain=_chain(row["chain"]))


def _question(row: aiosqlite.Row) -> Question:
    return record(Question, row)


_SELECT = "SELECT r.*, e.* FROM reports r JOIN escalations e ON e.report_id = r.id"

# A target `t` of report `r` still holds the role it was asked in: a demoted initiator,
# someone who left, or a contact who is no longer one, can no longer act.
_STILL_IN_ROLE = (
    "(EXISTS (SELECT 1 FROM contacts k WHERE k.telegram_id = t.telegram_id"
    " AND k.complex_id = r.complex_id AND k.kind = t.target)"
    " OR (t.target IN ('initiators', 'committee') AND EXISTS (SELECT 1 FROM residents x"
    " WHERE x.telegram_id = t.telegram_id AND x.complex_id = r.complex_id"
    " AND x.role = 'initiator' AND x.status = 'active')))"
)


async def _record_targets(conn: aiosqlite.Connection, report: Report, targets: list[Target],
                          now: datetime, *, replace: bool) -> None:
    """Who was sent the current level. `replace`: a newer copy (resent, handed) becomes
    their message, whose buttons are retired when the report is resolved."""
    verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
    await conn.executemany(
        f"{verb} INTO escalation_targets (report_id, lap, level, telegram_id, target, acts,"
        " outbox_key, notified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(report.id, report.lap, report.level, t.telegram_id, t.target, int(t.acts),
          t.outbox_key, to_db(now)) for t in targets],
    )


class ReportRepository(Repository):
    # -- reports -----------------------------------------------------------------

    async def create(
        self, *, complex_id: int, reporter_id: int, reporter_name: str | None, kind: str,
        category: str, happening_now: bool, urgent: bool, occurred: str, place: str | None,
        latitude: float | None, longitude: float | None, description: str,
        photo_file_id: str | None, stage: str, shared_in_group: bool,
        chain: tuple[Level, ...], group_text: str | None = None,
    ) -> int:
        """Store the report, put it on the first level of its ladder and end the reporter's
        conversation, in one go (so a redelivered confirmation finds no draft to send)."""
        async with self.db.transaction() as conn:
            report_id = await insert(
                conn, "reports", complex_id=complex_id, reporter_id=reporter_id,
                reporter_name=reporter_name, kind=kind, category=category,
                happening_now=happening_now, urgent=urgent, occurred=occurred, place=place,
                latitude=latitude, longitude=longitude, description=description,
                photo_file_id=photo_file_id, stage=stage, shared_in_group=shared_in_group,
                group_text=group_text, created_at=self.clock.now())
            await insert(conn, "escalations", report_id=report_id, chain=_chain_json(chain))
            await conn.execute("DELETE FROM drafts WHERE telegram_id = ?", (reporter_id,))
        return report_id

    async def get(self, report_id: int) -> Report | None:
        return await fetch_record(self.db, _report, f"{_SELECT} WHERE r.id = ?", (report_id,))

    async def of_reporter(self, telegram_id: int) -> list[Report]:
        rows = await self.db.fetch_all(
            f"{_SELECT} WHERE r.reporter_id = ? ORDER BY r.id DESC", (telegram_id,))
        return [_report(row) for row in rows]

    async def of_complex(self, complex_id: int, limit: int = 50) -> list[Report]:
        rows = await self.db.fetch_all(
            f"{_SELECT} WHERE r.complex_id = ? ORDER BY r.id DESC LIMIT ?", (complex_id, limit))
        return [_report(row) for row in rows]

    async def add_information(self, report_id: int, text: str) -> None:
        await self.db.write(
            "INSERT INTO report_additions (report_id, text, added_at) VALUES (?, ?, ?)",
            (report_id, text, to_db(self.clock.now())),
        )

    async def additions(self, report_id: int) -> list[str]:
        return await self.db.fetch_column(
            "SELECT text FROM report_additions WHERE report_id = ? ORDER BY id", (report_id,))

    async def me_too(self, report_id: int, telegram_id: int) -> bool:
        """Count one neighbour's "me too" once; False if they said it before."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO report_me_too (report_id, telegram_id) VALUES (?, ?)",
                (report_id, telegram_id),
            )
            if cursor.rowcount == 0:
                return False
            await conn.execute(
                "UPDATE reports SET me_too = me_too + 1 WHERE id = ?", (report_id,))
            return True

    # -- the ladder ----------------------------------------------------------------

    async def awaiting_acknowledgement(self) -> list[int]:
        """Reports on a started level, waiting for someone to acknowledge them."""
        return await self.db.fetch_column(
            "SELECT e.report_id FROM escalations e JOIN reports r ON r.id = e.report_id"
            " WHERE r.status = 'open' AND e.exhausted = 0 AND e.level_started = 1"
            " AND e.deadline_at IS NOT NULL AND e.acknowledged_by IS NULL"
        )

    async def next_deadline(self) -> datetime | None:
        """The earliest deadline of a level still waiting for someone to pick it up."""
        return await fetch_moment(
            self.db,
            "SELECT MIN(e.deadline_at) FROM escalations e JOIN reports r ON r.id = e.report_id"
            " WHERE r.status != 'resolved' AND e.exhausted = 0 AND e.acknowledged_by IS NULL"
        )

    async def due_for_ladder(self) -> list[int]:
        """Reports whose current level has not started yet, or whose deadline passed."""
        return await self.db.fetch_column(
            "SELECT e.report_id FROM escalations e JOIN reports r ON r.id = e.report_id"
            " WHERE r.status != 'resolved' AND e.exhausted = 0 AND e.acknowledged_by IS NULL"
            " AND e.waiting_since IS NULL"
            " AND (e.level_started = 0 OR e.deadline_at <= ?) ORDER BY e.report_id",
            (to_db(self.clock.now()),),
        )

    async def start_level(
        self, report: Report, targets: list[Target], messages: list[Message], timeout: int
    ) -> bool:
        """Record who is notified at the current level and queue their messages, once."""
        now = self.clock.now()
        return await claim_and_queue(
            self.db, now,
            "UPDATE escalations SET level_started = 1, deadline_at = ?"
            " WHERE report_id = ? AND lap = ? AND level = ? AND level_started = 0"
            " AND acknowledged_by IS NULL AND exhausted = 0 AND (SELECT status FROM"
            " reports WHERE id = escalations.report_id) != 'resolved'",
            (to_db(now + timedelta(seconds=timeout)), report.id, report.lap, report.level),
            messages,
            then=lambda conn: _record_targets(conn, report, targets, now, replace=False))

    async def climb(self, report: Report, messages: list[Message]) -> Climb | None:
        """Take the ladder's next step (`bot.domain.ladder`), with `messages` (the alerts)
        queued with it; None if the ladder moved or was picked up meanwhile."""
        now = self.clock.now()
        step = next_climb(report.lap, report.level, len(report.chain))
        sql = {Climb.LEVEL: "level = level + 1, level_started = 0",
               Climb.LAP: "lap = lap + 1, level = 0, level_started = 0",
               Climb.EXHAUSTED: "exhausted = 1, deadline_at = NULL"}[step]
        claimed = await claim_and_queue(
            self.db, now,
            f"UPDATE escalations SET {sql} WHERE report_id = ? AND lap = ? AND level = ?"
            " AND acknowledged_by IS NULL",
            (report.id, report.lap, report.level),
            messages)
        return step if claimed else None

    async def wait_for_targets(self, report: Report, messages: list[Message]) -> bool:
        """Nobody behind this level or any after it: wait (with `messages` queued) until
        someone joins; False if the ladder moved meanwhile."""
        now = self.clock.now()
        return await claim_and_queue(
            self.db, now,
            "UPDATE escalations SET waiting_since = ? WHERE report_id = ? AND lap = ?"
            " AND level = ? AND level_started = 0 AND waiting_since IS NULL",
            (to_db(now), report.id, report.lap, report.level),
            messages)

    async def waiting_in(self, complex_id: int | None = None) -> list[int]:
        """Reports waiting for someone to join: in one complex, or everywhere."""
        return await self.db.fetch_column(
            "SELECT e.report_id FROM escalations e JOIN reports r ON r.id = e.report_id"
            " WHERE e.waiting_since IS NOT NULL AND r.status != 'resolved'"
            " AND (? IS NULL OR r.complex_id = ?) ORDER BY e.report_id",
            (complex_id, complex_id),
        )

    async def stop_waiting(self, report_id: int) -> None:
        await self.db.write(
            "UPDATE escalations SET waiting_since = NULL WHERE report_id = ?", (report_id,))

    async def unheld_in(self, complex_id: int) -> list[int]:
        """Open reports of a complex on a started level that nobody picked up yet."""
        return await self.db.fetch_column(
            "SELECT e.report_id FROM escalations e JOIN reports r ON r.id = e.report_id"
            " WHERE r.complex_id = ? AND r.status = 'open' AND e.level_started = 1"
            " AND e.acknowledged_by IS NULL ORDER BY e.report_id",
            (complex_id,),
        )

    async def add_targets(self, report: Report, targets: list[Target],
                          messages: list[Message]) -> bool:
        """People who joined after the current level started get it too, once each."""
        now = self.clock.now()
        async with self.db.transaction() as conn:
            if await fetch_one_in(
                conn,
                "SELECT 1 FROM escalations WHERE report_id = ? AND lap = ? AND level = ?"
                " AND level_started = 1 AND acknowledged_by IS NULL",
                (report.id, report.lap, report.level),
            ) is None:
                return False
            await _record_targets(conn, report, targets, now, replace=False)
            await queue_all(conn, now, messages)
        return True

    async def hand_to(self, report: Report, target: Target, messages: list[Message],
                      timeout: int) -> bool:
        """An operator hands a report to someone: they become a target of the current level
        (started now if it waited), with a fresh deadline unless someone holds it."""
        now = self.clock.now()
        return await claim_and_queue(
            self.db, now,
            "UPDATE escalations SET waiting_since = NULL, level_started = 1,"
            " deadline_at = CASE WHEN acknowledged_by IS NULL THEN ? ELSE NULL END"
            " WHERE report_id = ? AND lap = ? AND level = ?",
            (to_db(now + timedelta(seconds=timeout)), report.id, report.lap, report.level),
            messages,
            then=lambda conn: _record_targets(conn, report, [target], now, replace=True))

    async def add_targets_again(self, report: Report, targets: list[Target],
                                messages: list[Message]) -> None:
        """The current level sent round again: each target's newest copy is `messages`'."""
        now = self.clock.now()
        async with self.db.transaction() as conn:
            await _record_targets(conn, report, targets, now, replace=True)
            await queue_all(conn, now, messages)

    async def open_overview(self, limit: int) -> list[Report]:
        """Reports not resolved, across complexes: the least looked-after first
        (waiting, then run out, then not picked up, then picked up), oldest first."""
        rows = await self.db.fetch_all(
            f"{_SELECT} WHERE r.status != 'resolved' ORDER BY"
            " e.waiting_since IS NULL, e.exhausted = 0, e.acknowledged_by IS NOT NULL, r.id"
            " LIMIT ?", (limit,))
        return [_report(row) for row in rows]

    async def count_open(self) -> int:
        return await self.db.fetch_value(
            "SELECT COUNT(*) FROM reports WHERE status != 'resolved'")

    async def skip_level(self, report: Report) -> None:
        """A level with nobody behind it: straight to the next."""
        await self.db.write(
            "UPDATE escalations SET level_started = 1, deadline_at = ?"
            " WHERE report_id = ? AND lap = ? AND level = ? AND level_started = 0",
            (to_db(self.clock.now()), report.id, report.lap, report.level),
        )

    async def targets(self, report_id: int) -> list[Target]:
        rows = await self.db.fetch_all(
            "SELECT * FROM escalation_targets WHERE report_id = ? ORDER BY id", (report_id,))
        return [record(Target, row) for row in rows]

    async def current_level_unreachable(self, report: Report) -> bool:
        """Nobody asked to act at the current level can be reached (blocked the bot, or
        Telegram refused the message)."""
        rows = await self.db.fetch_all(
            "SELECT o.status FROM escalation_targets t LEFT JOIN outbox o"
            " ON o.key = t.outbox_key WHERE t.report_id = ? AND t.lap = ? AND t.level = ?"
            " AND t.acts = 1",
            (report.id, report.lap, report.level),
        )
        return bool(rows) and all(row["status"] in ("unreachable", "failed") for row in rows)

    async def expire_unreachable(self, report: Report) -> None:
        await self.db.write(
            "UPDATE escalations SET deadline_at = ? WHERE report_id = ? AND lap = ?"
            " AND level = ? AND acknowledged_by IS NULL",
            (to_db(self.clock.now()), report.id, report.lap, report.level),
        )

    async def acknowledge(self, report_id: int, telegram_id: int, messages: list[Message],
                          *, held_by: int | None = None) -> bool:
        """Pick a report up from whoever holds it: nobody (the first acknowledgement stops
        the climb) or, taking it over, `held_by`. False if that is no longer who holds it."""
        now = self.clock.now()
        return await claim_and_queue(
            self.db, now,
            "UPDATE escalations SET acknowledged_by = ?, acknowledged_at = ?,"
            " deadline_at = NULL WHERE report_id = ? AND acknowledged_by IS ?",
            (telegram_id, to_db(now), report_id, held_by),
            messages,
            then=lambda conn: conn.execute(
                "UPDATE reports SET status = 'acknowledged' WHERE id = ? AND status = 'open'",
                (report_id,)))

    async def resolve(self, report_id: int, telegram_id: int, note: str,
                      messages: list[Message]) -> bool:
        """Resolve, by its holder or (if nobody holds it) by anyone asked to act; False if
        it is resolved already or someone else holds it."""
        now = self.clock.now()
        return await claim_and_queue(
            self.db, now,
            "UPDATE reports SET status = 'resolved', resolved_at = ?, resolution = ?"
            " WHERE id = ? AND status != 'resolved' AND (SELECT COALESCE(acknowledged_by,"
            " ?) FROM escalations WHERE report_id = ?) = ?",
            (to_db(now), note, report_id, telegram_id, report_id, telegram_id),
            messages,
            then=lambda conn: conn.execute(
                "UPDATE escalations SET deadline_at = NULL,"
                " acknowledged_by = COALESCE(acknowledged_by, ?) WHERE report_id = ?",
                (telegram_id, report_id)))

    async def forward(self, report: Report, level: Level) -> bool:
        """Put a new level right after the current one and climb to it now.

        False if the ladder moved since `report` was read (read it again and retry).
        """
        chain = [*report.chain[: report.level + 1], level, *report.chain[report.level + 1:]]
        return await claim_and_queue(
            self.db, self.clock.now(),
            "UPDATE escalations SET chain = ?, level = level + 1, level_started = 0,"
            " deadline_at = NULL, acknowledged_by = NULL, acknowledged_at = NULL,"
            " exhausted = 0 WHERE report_id = ? AND lap = ? AND level = ? AND chain = ?",
            (_chain_json(chain), report.id, report.lap, report.level,
             _chain_json(report.chain)),
            [],
            then=lambda conn: conn.execute(
                "UPDATE reports SET status = 'open' WHERE id = ? AND status != 'resolved'",
                (report.id,)))

    async def is_actor(self, report_id: int, telegram_id: int) -> bool:
        """Asked to act on this report, and still in the role they were asked in."""
        return bool(await self.db.fetch_value(
            f"SELECT 1 FROM escalation_targets t JOIN reports r ON r.id = t.report_id"
            f" WHERE t.report_id = ? AND t.telegram_id = ? AND t.acts = 1 AND {_STILL_IN_ROLE}",
            (report_id, telegram_id)))

    async def actors(self, report_id: int) -> list[int]:
        """Everyone asked to act on this report who still holds that role."""
        return await self.db.fetch_column(
            f"SELECT DISTINCT t.telegram_id FROM escalation_targets t JOIN reports r"
            f" ON r.id = t.report_id WHERE t.report_id = ? AND t.acts = 1 AND {_STILL_IN_ROLE}"
            " ORDER BY t.telegram_id", (report_id,))

    async def queue_of(self, telegram_id: int) -> list[Report]:
        """Open reports this person was asked to act on (and still may): found from their
        own targets, not by looking through every report of the city for them."""
        rows = await self.db.fetch_all(
            f"{_SELECT} WHERE r.id IN (SELECT t.report_id FROM escalation_targets t"
            f" JOIN reports r ON r.id = t.report_id WHERE t.telegram_id = ? AND t.acts = 1"
            f" AND r.status != 'resolved' AND {_STILL_IN_ROLE}) ORDER BY r.id",
            (telegram_id,),
        )
        return [_report(row) for row in rows]

    async def purge_resolved(self, before: datetime) -> int:
        """Blank what people wrote in reports resolved before `before`; the report stays as a
        record of category, status and dates, for the stage, the digest and the history."""
        cutoff = to_db(before)
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT id FROM reports WHERE status = 'resolved' AND resolved_at < ?"
                " AND description != ''", (cutoff,),
            ) as cursor:
                ids = [row[0] for row in await cursor.fetchall()]
            for report_id in ids:
                await conn.execute(
                    "UPDATE reports SET description = '', occurred = '', place = NULL,"
                    " latitude = NULL, longitude = NULL, photo_file_id = NULL,"
                    " reporter_name = NULL, resolution = NULL, group_text = NULL"
                    " WHERE id = ?", (report_id,))
                await conn.execute("DELETE FROM report_additions WHERE report_id = ?",
                                   (report_id,))
                async with conn.execute(
                    "SELECT id FROM report_questions WHERE report_id = ?", (report_id,)
                ) as cursor:
                    questions = [row[0] for row in await cursor.fetchall()]
                await conn.execute(
                    "UPDATE report_questions SET question = '', answer = NULL"
                    " WHERE report_id = ?", (report_id,))
                # The copies in the outbox: notifications, additions, questions, answers.
                patterns = outbox_keys.report_copies(report_id, questions)
                await conn.executemany(
                    "UPDATE outbox SET text = '', keyboard = NULL, photo_file_id = NULL"
                    " WHERE status != 'pending' AND key LIKE ?",
                    [(pattern,) for pattern in patterns])
        return len(ids)

    async def unlink_anonymous(self, before: datetime) -> int:
        """Drop who sent the anonymous reports resolved before `before`, with the messages
        to them about those reports: nothing is left to relay."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT id, reporter_id FROM reports WHERE status = 'resolved'"
                " AND resolved_at < ? AND reporter_name IS NULL AND reporter_id != 0",
                (to_db(before),),
            ) as cursor:
                found = [(row[0], row[1]) for row in await cursor.fetchall()]
            for report_id, reporter in found:
                async with conn.execute(
                    "SELECT id FROM report_questions WHERE report_id = ?", (report_id,)
                ) as cursor:
                    questions = [row[0] for row in await cursor.fetchall()]
                await conn.executemany(
                    "DELETE FROM outbox WHERE chat_id = ? AND key LIKE ?",
                    [(reporter, pattern)
                     for pattern in outbox_keys.report_messages(report_id, questions)])
                await conn.execute("UPDATE reports SET reporter_id = 0 WHERE id = ?",
                                   (report_id,))
        return len(found)

    # -- questions to the reporter -----------------------------------------------------

    async def ask(self, report_id: int, asked_by: int, question: str,
                  message: Message) -> int:
        """Store the question; `message` to the reporter may use {question} (its id)."""
        now = self.clock.now()
        async with self.db.transaction() as conn:
            question_id = await insert(conn, "report_questions", report_id=report_id,
                                       asked_by=asked_by, question=question, asked_at=now)
            await enqueue_in(conn, now, message.key.format(question=question_id),
                             message.chat_id, message.text,
                             _with_question(message.keyboard, question_id))
        return question_id

    async def questions_of(self, report_id: int) -> list[Question]:
        rows = await self.db.fetch_all(
            "SELECT * FROM report_questions WHERE report_id = ? ORDER BY id", (report_id,))
        return [_question(row) for row in rows]

    async def open_question_of(self, reporter_id: int) -> Question | None:
        """The newest question still unanswered about an open report of this reporter."""
        return await fetch_record(
            self.db, _question,
            "SELECT q.* FROM report_questions q JOIN reports r ON r.id = q.report_id"
            " WHERE r.reporter_id = ? AND r.status != 'resolved' AND q.answer IS NULL"
            " ORDER BY q.id DESC LIMIT 1", (reporter_id,))

    async def question(self, question_id: int) -> Question | None:
        return await fetch_record(self.db, _question,
                                  "SELECT * FROM report_questions WHERE id = ?", (question_id,))

    async def answer(self, question_id: int, answer: str, messages: list[Message]) -> bool:
        now = self.clock.now()
        return await claim_and_queue(
            self.db, now,
            "UPDATE report_questions SET answer = ?, answered_at = ?"
            " WHERE id = ? AND answer IS NULL",
            (answer, to_db(now), question_id),
            messages)


def _with_question(keyboard: list[list[dict]] | None,
                   question_id: int) -> list[list[dict]] | None:
    """Fill the question's id into the answer button's callback data."""
    if keyboard is None:
        return None
    return [[{**button, "callback_data": button["callback_data"].format(question=question_id)}
             if "callback_data" in button else button for button in row] for row in keyboard]
