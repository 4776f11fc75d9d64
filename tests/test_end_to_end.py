"""End to end: `python -m bot run` as a real process, long polling over real HTTP.

The Bot API on the other side is tests.fake_bot_api, on 127.0.0.1. The tests queue the
updates people would cause and assert on the Bot API calls the bot process makes. The
process, its fixtures and the sign-up steps are in tests.e2e_support, shared with the
other end-to-end suites.
"""

import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from bot.console.offline import BOT_USER, BOT_USERNAME
from bot.i18n import use_language
from handlers.groups import house_rules
from tests import e2e_support
from tests.e2e_support import (
    BUILDING,
    DATABASE,
    GROUP_ID,
    GROUP_TITLE,
    START_TIMEOUT,
    BotProcess,
    bot_env,
    create_complex,
    finish_sign_up,
    message,
    pick_music,
    prompt,
    sign_up_until_interests,
    start_code,
)
from tests.fake_bot_api import FakeBotApi
from tests.people import CONTACT, INITIATOR, OPERATOR, RESIDENT

api = e2e_support.api  # the fixtures, shared with the other end-to-end suites
launch = e2e_support.launch


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
        assert house_rules("112", "0900-8844") in linked.text
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


def test_an_unreachable_bot_api_is_said_and_retried_and_no_operators_is_warned(
    tmp_path: Path,
) -> None:
    """Nothing listens at the API address: the bot says so and keeps trying."""
    with closing(socket.socket()) as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    errors = (tmp_path / "stderr").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, stdout=errors, stderr=errors,
        env=bot_env(TELEGRAM_BOT_TOKEN=e2e_support.TOKEN,
                    TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
                    BUURTNET_DATABASE=str(tmp_path / "db.sqlite3")),
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while (time.monotonic() < deadline
               and (tmp_path / "stderr").read_text().count("Trying again") < 2):
            time.sleep(0.1)
        assert proc.poll() is None  # still trying, not given up
    finally:
        proc.kill()
        proc.wait()
        errors.close()
    output = (tmp_path / "stderr").read_text()
    assert output.count("cannot reach the Telegram Bot API") >= 2, output
    assert "Trying again in 2 s" in output and "Trying again in 4 s" in output
    assert "BUURTNET_OPERATORS is empty" in output
    assert e2e_support.TOKEN.split(":")[1] not in output


def test_the_log_says_whom_the_bot_is_connected_as(launch: Callable[[], BotProcess]) -> None:
    bot = launch()
    assert f"connected to Telegram as @{BOT_USERNAME}" in bot.output()
    assert "BUURTNET_OPERATORS is empty" not in bot.output()
    assert bot.stop() == 0
    bot.assert_clean_output()
