"""Shared by the end-to-end suites: `python -m bot run` as a real process against
tests.fake_bot_api, with shortcuts to talk to it and to reach into its database.

A test module takes the fixtures in by name: `api = e2e_support.api` and
`launch = e2e_support.launch`.
"""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest

from bot.clock import to_db
from bot.console.offline import BOT_USER, BOT_USERNAME, Call
from bot.domain.button_data import unversioned
from tests.fake_bot_api import FakeBotApi
from tests.people import OPERATOR

TOKEN = "123456789:AAE2eFakeTokenNeverSentToTelegram42"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
GROUP_ID = -1001234567890
GROUP_TITLE = "Residents of De Toren"
BUILDING = "Tower B"
DATABASE = "buurtnet.sqlite3"
START_TIMEOUT = 30.0
REPLY_TIMEOUT = 10.0
STOP_TIMEOUT = 15.0

Predicate = Callable[[Call], bool]


def bot_env(**settings: str) -> dict[str, str]:
    """The environment of a bot process: ours, minus any deployment settings and proxies."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "BUURTNET_"))
        and not name.lower().endswith("_proxy")
    }
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if part
    )
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings)
    return env


def message(chat_id: int, *contains: str, method: str = "sendMessage") -> Predicate:
    """A message (or an edit, with `method`) to `chat_id` whose text contains each string.

    The tests recognise the bot's answers by chat, links, names and buttons rather than
    by wording, which the catalogs may change.
    """
    return lambda call: (
        call.method == method and call.chat_id == chat_id
        and all(part in call.text for part in contains)
    )


def _data(button: dict[str, Any]) -> str:
    """A button's callback data without its version, as the tests name it."""
    return unversioned(str(button.get("callback_data", ""))) or ""


def prompt(chat_id: int, callback_data: str) -> Predicate:
    """A message to `chat_id` that offers the button with `callback_data`."""
    return lambda call: (
        call.method == "sendMessage" and call.chat_id == chat_id
        and callback_data in [_data(button) for button in call.buttons]
    )


def start_code(text: str, prefix: str) -> str:
    match = re.search(rf"https://t\.me/{BOT_USERNAME}\?start=({prefix}[A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


class BotProcess:
    """One `python -m bot run` with its output in files, and shortcuts to talk to it."""

    def __init__(self, api: FakeBotApi, workdir: Path, name: str) -> None:
        self.api = api
        self.workdir = workdir
        self.name = name
        self.proc: subprocess.Popen[bytes] | None = None
        self._outputs: list[IO[bytes]] = []

    def start(self, *run_args: str, **settings: str) -> "BotProcess":
        """Start `run` with `run_args`, and `settings` added to its environment; up once
        it polls (a bot given --webhook-url does not: its caller waits for its server)."""
        since, polls = self.api.mark(), len(self.api.polls)
        stdout = (self.workdir / f"{self.name}.stdout").open("wb")
        stderr = (self.workdir / f"{self.name}.stderr").open("wb")
        self._outputs = [stdout, stderr]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", *run_args],
            cwd=self.workdir,
            env=bot_env(
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=self.api.base_url,
                BUURTNET_DATABASE=str(self.workdir / DATABASE),
                BUURTNET_OPERATORS=str(OPERATOR["id"]),
                BUURTNET_LANGUAGE="en",
                **settings,
            ),
            stdout=stdout,
            stderr=stderr,
        )
        self.expect(lambda c: c.method == "getMe", since, "getMe", START_TIMEOUT)
        self.expect(lambda c: c.method == "setMyCommands", since, "setMyCommands",
                    START_TIMEOUT)
        if "--webhook-url" in run_args:
            return self
        first_poll = self.api.wait_until(
            lambda: self.api.polls[polls] if len(self.api.polls) > polls else None,
            timeout=START_TIMEOUT, alive=self.alive, what="the first getUpdates",
        )
        assert {"message", "callback_query"} <= set(first_poll["allowed_updates"])
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def expect(
        self, predicate: Predicate, since: int, what: str, timeout: float = REPLY_TIMEOUT
    ) -> Call:
        try:
            return self.api.wait_for(predicate, since=since, timeout=timeout, alive=self.alive,
                                     what=what)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\nbot output:\n{self.output()[-3000:]}") from None

    def say(self, user: dict[str, Any], text: str, expect: Predicate,
            chat: dict[str, Any] | None = None) -> Call:
        """`user` sends `text`; return the bot's call that `expect` matches."""
        since = self.api.mark()
        self.api.say(user, text, chat)
        return self.expect(expect, since, f"an answer to {text!r}")

    def press(self, user: dict[str, Any], call: Call, button: str, expect: Predicate) -> Call:
        since = self.api.mark()
        self.api.press(user, call, button)
        return self.expect(expect, since, f"an answer to pressing {button!r}")

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Stop the bot as a service manager would; its exit status."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        finally:
            self.close()

    def close(self) -> None:
        """Kill the process if it still runs (a failed test) and close its output files."""
        if self.alive():
            assert self.proc is not None
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
        for output in self._outputs:
            output.close()

    def output(self) -> str:
        return "".join(
            (self.workdir / f"{self.name}.{stream}").read_text(errors="replace")
            for stream in ("stdout", "stderr")
        )

    def assert_clean_output(self) -> None:
        output = self.output()
        assert TOKEN not in output and TOKEN.split(":")[1] not in output
        assert "Traceback" not in output and " ERROR " not in output, output


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi(TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def launch(api: FakeBotApi, tmp_path: Path) -> Iterator[Callable[[], BotProcess]]:
    """Start bot processes that share one database; whatever still runs is killed after."""
    started: list[BotProcess] = []

    def start() -> BotProcess:
        bot = BotProcess(api, tmp_path, f"bot-{len(started) + 1}")
        started.append(bot)
        return bot.start()

    yield start
    for bot in started:
        bot.close()


def create_complex(bot: BotProcess) -> Call:
    """The operator's /newcomplex; the answer carries both invite links."""
    return bot.say(OPERATOR, "/newcomplex De Toren; 120; Utrecht; en",
                   message(OPERATOR["id"], "<b>De Toren</b>", "?start=r_", "?start=i_"))


def sign_up_until_interests(bot: BotProcess, person: dict[str, Any], code: str) -> Call:
    """/start with the code, then language, consent, name and building: the interests step."""
    chat = person["id"]
    step = bot.say(person, f"/start {code}", prompt(chat, "su:language:en"))
    assert "<b>De Toren</b>" in step.text
    step = bot.press(person, step, "su:language:en", prompt(chat, "su:consent:yes"))
    step = bot.press(person, step, "su:consent:yes", prompt(chat, "su:name:telegram"))
    assert any(person["first_name"] in button["text"] for button in step.buttons)
    step = bot.press(person, step, "su:name:telegram", prompt(chat, "su:building:skip"))
    return bot.say(person, BUILDING, prompt(chat, "su:interests:done"))


def pick_music(bot: BotProcess, person: dict[str, Any], interests: Call) -> dict[str, Any]:
    """Tick Music on the interests message; the press update."""
    since = bot.api.mark()
    press = bot.api.press(person, interests, "su:interests:music")
    edit = bot.expect(message(person["id"], method="editMessageReplyMarkup"), since,
                      "the interests keyboard with Music ticked")
    ticked = [b["text"] for b in edit.buttons if _data(b) == "su:interests:music"]
    assert ticked == ["✅ Music"]
    return press


def finish_sign_up(bot: BotProcess, person: dict[str, Any], interests: Call, *,
                   organise: bool, introductions: bool = True) -> Call:
    """Done, the two questions, check the summary and confirm: the welcome message."""
    chat = person["id"]
    step = bot.press(person, interests, "su:interests:done", prompt(chat, "su:organise:yes"))
    step = bot.press(person, step, "su:organise:" + ("yes" if organise else "no"),
                     prompt(chat, "su:introductions:yes"))
    step = bot.press(person, step, "su:introductions:" + ("yes" if introductions else "no"),
                     prompt(chat, "su:confirm:yes"))
    for answer in (person["first_name"], BUILDING, "Music"):
        assert answer in step.text
    return bot.press(person, step, "su:confirm:yes", message(chat, "<b>De Toren</b>"))


def sign_up(bot: BotProcess, person: dict[str, Any], code: str, *, organise: bool = False,
            introductions: bool = True) -> Call:
    """The whole sign-up with a link's code, liking Music: the welcome message."""
    interests = sign_up_until_interests(bot, person, code)
    pick_music(bot, person, interests)
    return finish_sign_up(bot, person, interests, organise=organise,
                          introductions=introductions)


def join_as_contact(bot: BotProcess, person: dict[str, Any], kind: str,
                    complex_number: int = 1) -> Call:
    """The operator invites `person` as a contact of `kind`; they open the link."""
    invite = bot.say(OPERATOR, f"/invitecontact {complex_number} {kind}",
                     message(OPERATOR["id"], "?start=c_"))
    return bot.say(person, f"/start {start_code(invite.text, 'c_')}",
                   message(person["id"], "<b>De Toren</b>"))


def link_group(bot: BotProcess, initiator: dict[str, Any]) -> dict[str, Any]:
    """Add the bot to the group and link it as `initiator`: the group chat, for updates."""
    since = bot.api.mark()
    bot.api.queue(lambda tg: tg.new_members_update(
        tg.group_chat(GROUP_ID, GROUP_TITLE), [BOT_USER], initiator))
    bot.expect(message(GROUP_ID, "/linkgroup"), since, "the hello in the group")
    group = {"id": GROUP_ID, "type": "supergroup", "title": GROUP_TITLE}
    bot.say(initiator, f"/linkgroup@{BOT_USERNAME}", message(GROUP_ID, "<b>De Toren</b>"),
            chat=group)
    return group


def offers(chat_id: int, prefix: str) -> Predicate:
    """A message to `chat_id` with a button whose callback data starts with `prefix`."""
    return lambda call: (
        call.method == "sendMessage" and call.chat_id == chat_id
        and any(_data(b).startswith(prefix) for b in call.buttons)
    )


def button_data(call: Call, prefix: str) -> str:
    """The callback data of the one button of `call` that starts with `prefix`."""
    found = [str(b["callback_data"]) for b in call.buttons if _data(b).startswith(prefix)]
    assert len(found) == 1, (prefix, call.buttons)
    return found[0]


def db_time(delta: timedelta = timedelta()) -> str:
    """A moment relative to the real now, as the database stores it."""
    return to_db(datetime.now(UTC) + delta)


def sql(workdir: Path, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one statement on the bot's database and commit; its rows.

    Reading is fine while a bot runs; change the database only while none does.
    """
    with closing(sqlite3.connect(workdir / DATABASE)) as db:
        rows = db.execute(statement, params).fetchall()
        db.commit()
    return rows


def settle(bot: BotProcess, timeout: float = REPLY_TIMEOUT) -> None:
    """Wait (bounded) until the bot's outbox has nothing left that is due to be sent.

    Stopping the bot while its sender is between sending a message and marking it sent
    leaves the message pending, so the next start sends it again; tests that count
    messages across a restart settle first.
    """
    deadline = time.monotonic() + timeout
    with closing(sqlite3.connect(bot.workdir / DATABASE, timeout=timeout)) as db:
        while db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
                         " AND next_attempt_at <= ?", (db_time(),)).fetchone()[0]:
            assert bot.alive(), f"the bot stopped with messages to send:\n{bot.output()}"
            assert time.monotonic() < deadline, "the outbox did not empty"
            time.sleep(0.05)


def settle_and_stop(bot: BotProcess) -> None:
    """Stop the bot once its outbox is empty, as SIGINT would; it must exit cleanly."""
    settle(bot)
    assert bot.stop(signal.SIGINT) == 0
    bot.assert_clean_output()
