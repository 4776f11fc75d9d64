"""A test world: the real Application behind a fake Bot API, plus shortcuts for common set-ups."""

import re
from collections import Counter
from typing import Any

from bot.clock import ManualClock
from bot.config import Config
from bot.console.offline import Call, OfflineSession
from bot.domain.models import Complex
from bot.storage import Repositories
from tests.people import OPERATOR

GROUP_ID = -1001234567890


class World(OfflineSession):
    """Every update fed here is counted at each commit: one that opened more than one write
    transaction fails the test when the world stops (one update, one unit of work)."""

    clock: ManualClock
    commits: Counter[int]

    @classmethod
    async def start(cls, config: Config, clock: Any = None) -> "World":  # type: ignore[override]
        session = await OfflineSession.start(config, clock)
        world = cls(session.app, session.telegram)
        world.clock = clock
        world.commits = Counter()
        world.app.bot_data["services"].db.on_commit(world._count_commit)
        return world

    def _count_commit(self, update_id: int | None) -> None:
        if update_id is not None:  # not the sender's or the sweeper's own writes
            self.commits[update_id] += 1

    def committed_twice(self) -> dict[int, int]:
        """The updates that committed more than once, with how often."""
        return {update: count for update, count in self.commits.items() if count > 1}

    async def stop(self) -> None:
        await super().stop()
        assert not self.committed_twice(), (
            f"updates with more than one write transaction: {self.committed_twice()}")

    async def dump(self, *, skip: tuple[str, ...] = ("processed_updates",)) -> list:
        """Every table's rows (but `skip`'s: by default the record of handled updates,
        which every update adds to), to compare before and after an update."""
        db = self.app.bot_data["services"].db
        tables = [row[0] for row in await db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [(table, [tuple(row) for row in await db.fetch_all(f"SELECT * FROM {table}")])
                for table in tables if table not in skip]

    @property
    def repos(self) -> Repositories:
        return self.app.bot_data["services"].repos

    def group(self, title: str = "Residents of De Toren") -> dict:
        return self.telegram.group_chat(GROUP_ID, title)

    async def new_complex(self, line: str = "De Toren; 120; Utrecht; en") -> Complex:
        calls = await self.say(OPERATOR, f"/newcomplex {line}")
        name = line.split(";")[0].strip()
        complex_ = await self.repos.complexes.by_name(name)
        assert complex_ is not None, calls
        return complex_

    async def sign_up(
        self,
        person: dict,
        code: str,
        *,
        language: str = "English",
        name: str | None = None,
        building: str | None = "B",
        interests: tuple[str, ...] = ("Music",),
        organise: bool = False,
        introductions: bool = True,
    ) -> list[Call]:
        """Go through the whole sign-up; return the calls of the final confirmation."""
        step = (await self.say(person, f"/start {code}"))[-1]
        step = (await self.press(person, step, language))[-1]
        step = (await self.press(person, step, "su:consent:yes"))[-1]
        if name is None:
            step = (await self.press(person, step, "su:name:telegram"))[-1]
        else:
            step = (await self.say(person, name))[-1]
        if building is None:
            step = (await self.press(person, step, "su:building:skip"))[-1]
        else:
            step = (await self.say(person, building))[-1]
        for interest in interests:
            await self.press(person, step, interest)
        step = (await self.press(person, step, "su:interests:done"))[-1]
        step = (await self.press(person, step, "su:organise:" + ("yes" if organise else "no")))[-1]
        step = (await self.press(
            person, step, "su:introductions:" + ("yes" if introductions else "no")))[-1]
        return await self.press(person, step, "su:confirm:yes")

    async def contact_joins(self, person: dict, complex_: Complex, kind: str) -> None:
        calls = await self.say(OPERATOR, f"/invitecontact {complex_.id} {kind}")
        code = invite_code(calls[-1].text)
        await self.say(person, f"/start {code}")


def invite_code(text: str) -> str:
    match = re.search(r"\?start=([A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


def texts(calls: list[Call]) -> list[str]:
    return [call.text for call in calls if call.text]


def sent(calls: list[Call], chat_id: int | None = None) -> list[Call]:
    """The messages sent (or edited) among the calls, optionally to one chat."""
    methods = {"sendMessage", "editMessageText", "sendDocument", "sendPhoto"}
    return [c for c in calls if c.method in methods and (chat_id is None or c.chat_id == chat_id)]


def alerts(calls: list[Call]) -> list[str]:
    """The texts of answerCallbackQuery pop-ups among the calls."""
    return [str(c.params.get("text", "")) for c in calls if c.method == "answerCallbackQuery"]


def last_message(calls: list[Call], chat_id: int | None = None) -> Call:
    messages = sent(calls, chat_id)
    assert messages, f"no message sent among {[c.method for c in calls]}"
    return messages[-1]


def nl(msgid: str) -> str:
    """The Dutch catalog's translation of an English msgid."""
    from bot.i18n import translations

    return translations("nl").gettext(msgid)


async def sweep(world: World) -> list[Call]:
    """Run the scheduler's sweep once, as the job queue would; return the calls it made."""
    from bot.jobs.sweeper import sweep as run_sweep

    first = len(world.telegram.calls)
    await run_sweep(world.app.bot_data["services"])
    await world.flush()
    return world.telegram.calls[first:]
