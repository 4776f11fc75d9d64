"""End to end: `python -m bot run` as a real process, long polling over real HTTP.

The Bot API on the other side is tests.fake_bot_api, on 127.0.0.1. The tests queue the
updates people would cause and assert on the Bot API calls the bot process makes.
"""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import IO, Any

import pytest

from bot.i18n import use_language
from bot.offline import BOT_USER, BOT_USERNAME, Call
from handlers.groups import house_rules
from tests.fake_bot_api import FakeBotApi
from tests.people import CONTACT, INITIATOR, OPERATOR, RESIDENT

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


def prompt(chat_id: int, callback_data: str) -> Predicate:
    """A message to `chat_id` that offers the button with `callback_data`."""
    return lambda call: (
        call.method == "sendMessage" and call.chat_id == chat_id
        and callback_data in [button.get("callback_data") for button in call.buttons]
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

    def start(self) -> "BotProcess":
        since, polls = self.api.mark(), len(self.api.polls)
        stdout = (self.workdir / f"{self.name}.stdout").open("wb")
        stderr = (self.workdir / f"{self.name}.stderr").open("wb")
        self._outputs = [stdout, stderr]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=self.workdir,
            env=bot_env(
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=self.api.base_url,
                BUURTNET_DATABASE=str(self.workdir / DATABASE),
                BUURTNET_OPERATORS=str(OPERATOR["id"]),
                BUURTNET_LANGUAGE="en",
            ),
            stdout=stdout,
            stderr=stderr,
        )
        self.expect(lambda c: c.method == "getMe", since, "getMe", START_TIMEOUT)
        self.expect(lambda c: c.method == "setMyCommands", since, "setMyCommands",
                    START_TIMEOUT)
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
    ticked = [b["text"] for b in edit.buttons if b["callback_data"] == "su:interests:music"]
    assert ticked == ["✅ Music"]
    return press


def finish_sign_up(bot: BotProcess, person: dict[str, Any], interests: Call, *,
                   organise: bool) -> Call:
    """Done, the two questions, check the summary and confirm: the welcome message."""
    chat = person["id"]
    step = bot.press(person, interests, "su:interests:done", prompt(chat, "su:organise:yes"))
    step = bot.press(person, step, "su:organise:" + ("yes" if organise else "no"),
                     prompt(chat, "su:introductions:yes"))
    step = bot.press(person, step, "su:introductions:yes", prompt(chat, "su:confirm:yes"))
    for answer in (person["first_name"], BUILDING, "Music"):
        assert answer in step.text
    return bot.press(person, step, "su:confirm:yes", message(chat, "<b>De Toren</b>"))


def test_operator_contact_initiator_resident_and_group(
    api: FakeBotApi, launch: Callable[[], BotProcess]
) -> None:
    bot = launch()
    operator, contact = OPERATOR["id"], CONTACT["id"]

    # The operator creates the complex and invites its municipality contact.
    created = create_complex(bot)
    assert created.params["parse_mode"] == "HTML"
    resident_code = start_code(created.text, "r_")
    initiator_code = start_code(created.text, "i_")
    listing = bot.say(OPERATOR, "/complexes", message(operator, "<b>De Toren</b> (Utrecht)"))
    number = re.search(r"#(\d+) <b>De Toren</b>", listing.text)
    assert number, listing.text
    invite = bot.say(OPERATOR, f"/invitecontact {number[1]} municipality",
                     message(operator, "<b>De Toren</b>", "?start=c_"))
    assert "municipality" in invite.text
    contact_code = start_code(invite.text, "c_")

    # The contact joins with the link and sees the complex.
    welcome = bot.say(CONTACT, f"/start {contact_code}", message(contact, "<b>De Toren</b>"))
    assert "municipality" in welcome.text
    mine = bot.say(CONTACT, "/complexes", message(contact, f"#{number[1]} <b>De Toren</b>"))
    assert "municipality" in mine.text

    # An initiator signs up with the initiators' link.
    interests = sign_up_until_interests(bot, INITIATOR, initiator_code)
    pick_music(bot, INITIATOR, interests)
    welcome = finish_sign_up(bot, INITIATOR, interests, organise=True)
    assert "initiator" in welcome.text

    # The bot is added to the group, and the initiator links it: the house rules, with
    # a button to the residents' link.
    since = api.mark()
    api.queue(lambda tg: tg.new_members_update(
        tg.group_chat(GROUP_ID, GROUP_TITLE), [BOT_USER], INITIATOR))
    bot.expect(message(GROUP_ID, "/linkgroup"), since, "the hello in the group")
    group = {"id": GROUP_ID, "type": "supergroup", "title": GROUP_TITLE}
    linked = bot.say(INITIATOR, f"/linkgroup@{BOT_USERNAME}",
                     message(GROUP_ID, "<b>De Toren</b>"), chat=group)
    with use_language("en"):
        assert house_rules() in linked.text
    resident_link = f"https://t.me/{BOT_USERNAME}?start={resident_code}"
    assert [button.get("url") for button in linked.buttons] == [resident_link]

    # A neighbour joins the group, is greeted with the button, and signs up with it.
    since = api.mark()
    api.queue(lambda tg: tg.new_members_update(tg.chat(GROUP_ID), [RESIDENT], RESIDENT))
    greeting = bot.expect(message(GROUP_ID, "Rosa"), since, "the greeting in the group")
    assert [button.get("url") for button in greeting.buttons] == [resident_link]
    code = start_code(greeting.buttons[0]["url"], "r_")
    interests = sign_up_until_interests(bot, RESIDENT, code)
    pick_music(bot, RESIDENT, interests)
    welcome = finish_sign_up(bot, RESIDENT, interests, organise=False)
    assert "Rosa" in welcome.text and "initiator" not in welcome.text

    # The resident sees their profile and their data; the initiator sees them in /members.
    profile = bot.say(RESIDENT, "/profile", prompt(RESIDENT["id"], "pf:name"))
    for detail in ("De Toren", "Rosa", BUILDING, "Music"):
        assert detail in profile.text
    export = bot.say(RESIDENT, "/mydata", message(RESIDENT["id"], method="sendDocument"))
    filename, content, _mime = export.files["document"]
    assert filename == "buurtnet-mydata.json"
    assert json.loads(content)["telegram_user_id"] == RESIDENT["id"]
    assert "Rosa" in content.decode()
    members = bot.say(INITIATOR, "/members", message(INITIATOR["id"], "Rosa"))
    for detail in ("<b>De Toren</b>", "Ivo", BUILDING):
        assert detail in members.text

    assert bot.stop(signal.SIGINT) == 0
    bot.assert_clean_output()


def test_restart_resumes_a_sign_up_and_ignores_a_redelivered_update(
    api: FakeBotApi, launch: Callable[[], BotProcess], tmp_path: Path
) -> None:
    first = launch()
    code = start_code(create_complex(first).text, "r_")
    interests = sign_up_until_interests(first, RESIDENT, code)
    press = pick_music(first, RESIDENT, interests)
    assert first.stop(signal.SIGTERM) == 0
    first.assert_clean_output()

    # The half-done sign-up is in the database, and so is the press, as handled.
    with closing(sqlite3.connect(tmp_path / DATABASE)) as db:
        flow, step, data = db.execute(
            "SELECT flow, step, data FROM drafts WHERE telegram_id = ?", (RESIDENT["id"],)
        ).fetchone()
        handled = db.execute("SELECT COUNT(*) FROM processed_updates WHERE update_id = ?",
                             (press["update_id"],)).fetchone()
    assert (flow, step, json.loads(data)["interests"]) == ("signup", "interests", ["music"])
    assert handled == (1,)

    # Telegram offers the Music press again, as if the first process never confirmed it.
    api.redeliver(press)
    second = launch()
    since = api.mark()
    api.wait_until(lambda: api.delivered(press["update_id"]) >= 2 or None,
                   alive=second.alive, what="the redelivered press")
    welcome = finish_sign_up(second, RESIDENT, interests, organise=False)
    assert "Rosa" in welcome.text

    # Updates are handled in order, so the press was handled before Done; it was skipped.
    callback_id = press["callback_query"]["id"]
    answered = [c for c in api.calls(since) if c.method == "answerCallbackQuery"
                and c.params["callback_query_id"] == callback_id]
    assert answered == []
    assert second.stop(signal.SIGINT) == 0
    second.assert_clean_output()


def test_run_without_a_token_explains_and_exits_with_status_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path, env=bot_env(), capture_output=True, text=True, timeout=START_TIMEOUT,
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.splitlines()) < 20
    assert list(tmp_path.iterdir()) == []  # no database was made


def test_fake_api_rejects_a_wrong_token_like_telegram(api: FakeBotApi) -> None:
    url = api.base_url + "123456789:AAnotTheRightTokenForThisBotAtAll00/getMe"
    with pytest.raises(urllib.error.HTTPError) as rejected:
        urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5)
    with rejected.value as response:
        assert response.code == 401
        answer = json.loads(response.read())
    assert answer == {"ok": False, "error_code": 401, "description": "Unauthorized"}


def test_a_rejected_token_exits_with_status_2_and_never_shows_it(
    api: FakeBotApi, tmp_path: Path
) -> None:
    wrong = "987654321:AAnotTheRightTokenForThisBotAtAll00"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path,
        env=bot_env(TELEGRAM_BOT_TOKEN=wrong, TELEGRAM_API_BASE_URL=api.base_url,
                    BUURTNET_DATABASE=str(tmp_path / "db.sqlite3")),
        capture_output=True, text=True, timeout=START_TIMEOUT,
    )
    output = result.stderr + result.stdout
    assert result.returncode == 2
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in result.stderr
    assert wrong not in output and wrong.split(":")[1] not in output
    assert "[bot token]" in output  # PTB's own log line, blanked out
