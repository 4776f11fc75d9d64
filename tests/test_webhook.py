"""Webhook mode end to end: `python -m bot run --webhook-url …` as a real process.

The bot's own calls (getMe, setWebhook, sendMessage) go to tests.fake_bot_api; the updates
come from the test, which POSTs them to the bot's webhook server as Telegram does, with
the secret token in the X-Telegram-Bot-Api-Secret-Token header.
"""

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests import e2e_support
from tests.e2e_support import (
    DATABASE,
    REPLY_TIMEOUT,
    START_TIMEOUT,
    TOKEN,
    BotProcess,
    bot_env,
    message,
    sql,
)
from tests.fake_bot_api import FakeBotApi
from tests.people import INITIATOR, RESIDENT

api = e2e_support.api

PATH = "/telegram"
SECRET = "webhook-secret-for-tests_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The test's own requests go straight to 127.0.0.1, whatever proxy the environment names.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))

Start = Callable[..., tuple[BotProcess, int]]


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def webhook_args(port: int) -> list[str]:
    return ["--webhook-url", f"http://127.0.0.1:{port}{PATH}", "--listen", "127.0.0.1",
            "--port", str(port)]


def wait_for_server(bot: BotProcess, port: int) -> None:
    """Until the bot's webhook server accepts connections (it starts after setWebhook)."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert bot.alive(), f"the bot stopped:\n{bot.output()}"
            assert time.monotonic() < deadline, "the webhook server did not start"
            time.sleep(0.05)


def post(port: int, update: dict[str, Any], secret: str | None) -> int:
    """POST `update` to the webhook as Telegram does, with `secret` as the secret token
    (None: without the header); the HTTP status of the answer."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    request = urllib.request.Request(f"http://127.0.0.1:{port}{PATH}", method="POST",
                                     data=json.dumps(update).encode(), headers=headers)
    try:
        with _DIRECT.open(request, timeout=REPLY_TIMEOUT) as answer:
            return answer.status
    except urllib.error.HTTPError as refusal:
        return refusal.code


def stored(workdir: Path) -> set[int]:
    """The update ids the bot keeps: waiting in its inbox, or recorded as handled."""
    return {row[0] for row in sql(
        workdir, "SELECT update_id FROM inbox UNION SELECT update_id FROM processed_updates")}


def handled(workdir: Path) -> set[int]:
    return {row[0] for row in sql(workdir, "SELECT update_id FROM processed_updates")}


def help_update(api: FakeBotApi, person: dict[str, Any]) -> dict[str, Any]:
    """`person` sends /help in their private chat: the update Telegram would POST."""
    return api.telegram.text_update(person, api.telegram.private_chat(person), "/help")


@pytest.fixture
def start(api: FakeBotApi, tmp_path: Path) -> Iterator[Start]:
    """Start webhook bots on free ports, up once they serve; whatever still runs is killed
    after the test."""
    started: list[BotProcess] = []

    def launch(**settings: str) -> tuple[BotProcess, int]:
        port = free_port()
        bot = BotProcess(api, tmp_path, f"webhook-{len(started) + 1}")
        started.append(bot)
        bot.start(*webhook_args(port), **settings)
        wait_for_server(bot, port)
        return bot, port

    yield launch
    for bot in started:
        bot.close()


def test_an_update_is_stored_before_the_webhook_answers_and_then_answered(
    api: FakeBotApi, start: Start, tmp_path: Path
) -> None:
    since = api.mark()
    bot, port = start(BUURTNET_WEBHOOK_SECRET=SECRET)
    registrations = [call for call in api.calls(since) if call.method == "setWebhook"]
    assert registrations  # set at start-up, where a refusal is told, then by PTB
    for call in registrations:
        assert call.params["url"] == f"http://127.0.0.1:{port}{PATH}"
        assert call.params["secret_token"] == SECRET
        assert set(call.params["allowed_updates"]) == {"message", "callback_query"}
        assert call.params["drop_pending_updates"] is False
    assert api.polls == []

    # Without the secret token, or with another one: refused, and nothing is kept or done.
    before = api.mark()
    unsigned, forged = help_update(api, RESIDENT), help_update(api, RESIDENT)
    assert post(port, unsigned, None) == 403
    assert post(port, forged, "not-the-secret-token-0123456789") == 403

    # The resident's answer meets a 429 once, so handling their update waits (the rate
    # limiter tries again after 2 s), and updates are handled one at a time: the next
    # update can only be waiting when its POST is answered.
    held = api.inject("retry_after", method="sendMessage", chat_id=RESIDENT["id"], times=1,
                      seconds=2)
    first = help_update(api, RESIDENT)
    assert post(port, first, SECRET) == 200
    assert first["update_id"] in stored(tmp_path)
    api.wait_until(lambda: held.served or None, alive=bot.alive, what="the held-up answer")
    second = help_update(api, INITIATOR)
    assert post(port, second, SECRET) == 200
    assert second["update_id"] in stored(tmp_path)
    assert second["update_id"] not in handled(tmp_path)

    answer = bot.expect(message(RESIDENT["id"]), before, "the answer to the resident")
    assert "/start" in answer.text  # the commands of someone who has not joined yet
    bot.expect(message(INITIATOR["id"]), before, "the answer to the second update")
    api.wait_until(lambda: {first["update_id"], second["update_id"]} <= handled(tmp_path)
                   or None, alive=bot.alive, what="both updates recorded as handled")
    assert sql(tmp_path, "SELECT update_id FROM inbox") == []
    assert not {unsigned["update_id"], forged["update_id"]} & stored(tmp_path)
    assert len([c for c in api.calls(before) if message(RESIDENT["id"])(c)]) == 1

    assert bot.stop(signal.SIGTERM) == 0
    bot.assert_clean_output()
    assert SECRET not in bot.output()


def test_without_a_configured_secret_every_start_makes_a_new_one(
    api: FakeBotApi, start: Start
) -> None:
    made = []
    for _ in range(2):
        since = api.mark()
        bot, port = start()
        [secret] = {call.params["secret_token"] for call in api.calls(since)
                    if call.method == "setWebhook"}
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret)
        update = help_update(api, RESIDENT)
        for old in made:  # the last start's secret token no longer works
            assert post(port, update, old) == 403
        assert post(port, update, secret) == 200
        bot.expect(message(RESIDENT["id"]), since, "the answer")
        assert bot.stop(signal.SIGINT) == 0
        bot.assert_clean_output()
        assert secret not in bot.output()
        made.append(secret)
    assert made[0] != made[1]


def run_to_the_end(api: FakeBotApi, workdir: Path, port: int) -> subprocess.CompletedProcess:
    """`run` with a webhook on `port`, for a bot that is to stop by itself; its output is
    to name the reason, without a traceback or the token."""
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "run", *webhook_args(port)], cwd=workdir,
        env=bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url,
                    BUURTNET_DATABASE=str(workdir / DATABASE)),
        capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
    output = finished.stdout + finished.stderr
    assert "Traceback" not in output and TOKEN.split(":")[1] not in output, output
    return finished


def test_a_port_in_use_stops_the_bot_with_the_reason(api: FakeBotApi, tmp_path: Path) -> None:
    with closing(socket.socket()) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = run_to_the_end(api, tmp_path, port)
    assert finished.returncode == 2
    assert f"buurtnet: cannot listen on 127.0.0.1 port {port} (" in finished.stderr
    assert "choose another --listen or --port" in finished.stderr


def test_a_webhook_telegram_refuses_stops_the_bot_with_telegrams_reason(
    api: FakeBotApi, tmp_path: Path
) -> None:
    api.inject("chat_not_found", method="setWebhook")
    port = free_port()
    finished = run_to_the_end(api, tmp_path, port)
    assert finished.returncode == 2
    assert (f"buurtnet: Telegram refused the webhook http://127.0.0.1:{port}{PATH}: "
            "Chat not found") in finished.stderr
    assert [stamp.fault for stamp in api.stamps if stamp.method == "setWebhook"] == [
        "chat_not_found"]  # asked once: a refusal is not tried again
