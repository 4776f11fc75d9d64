"""No update is lost between Telegram and the database: what the bot fetched and Telegram
counts as delivered is handled after a SIGKILL, and only once.

The bot runs as `python -m bot run` against tests.fake_bot_api.
"""

import json
import signal
from collections.abc import Callable
from pathlib import Path

from tests import e2e_support
from tests.e2e_support import BotProcess, create_complex, message, sql
from tests.fake_bot_api import FakeBotApi
from tests.people import OPERATOR

api = e2e_support.api
launch = e2e_support.launch

COMMANDS = 5


def _answers(api: FakeBotApi, since: int = 0) -> int:
    """The operator's answers to /complexes: a list that names De Toren."""
    return len([c for c in api.calls(since) if message(OPERATOR["id"], "De Toren")(c)
                and "?start=" not in c.text])


def test_a_batch_fetched_before_a_kill_is_handled_after_the_restart(
    api: FakeBotApi, launch: Callable[[], BotProcess], tmp_path: Path
) -> None:
    bot = launch()
    create_complex(bot)
    # The first answer hangs, so the bot is killed with the batch fetched (and confirmed to
    # Telegram by its next poll) but not handled.
    stall = api.inject("stall", method="sendMessage", chat_id=OPERATOR["id"], times=1,
                       seconds=60)
    batch = api.say_at_once(OPERATOR, ["/complexes"] * COMMANDS)
    last = batch[-1]["update_id"]
    api.wait_until(lambda: stall.served or None, alive=bot.alive, what="the stalled answer")
    api.wait_until(lambda: any(int(p.get("offset") or 0) > last for p in api.polls) or None,
                   alive=bot.alive, what="the poll that confirms the batch")
    assert sql(tmp_path, "SELECT COUNT(*) FROM inbox") == [(COMMANDS,)]
    assert bot.proc is not None
    bot.proc.kill()
    bot.proc.wait()
    api.heal()

    since = api.mark()
    again = launch()
    api.wait_until(lambda: _answers(api, since) >= COMMANDS or None, alive=again.alive,
                   what="the answers to the whole batch")
    e2e_support.settle_and_stop(again)
    assert _answers(api) == COMMANDS  # each once: the stalled one never reached Telegram
    assert all(api.delivered(update["update_id"]) == 1 for update in batch)
    assert sql(tmp_path, "SELECT COUNT(*) FROM inbox") == [(0,)]
    assert sql(tmp_path, "SELECT COUNT(*) FROM processed_updates WHERE update_id"
                         " BETWEEN ? AND ?", batch[0]["update_id"], last) == [(COMMANDS,)]


def test_an_update_delivered_again_is_not_handled_twice(
    api: FakeBotApi, launch: Callable[[], BotProcess], tmp_path: Path
) -> None:
    bot = launch()
    create_complex(bot)
    since = api.mark()
    update = api.say(OPERATOR, "/complexes")
    bot.expect(lambda c: _answers(api, since) == 1, since, "the answer")
    e2e_support.settle_and_stop(bot)
    api.redeliver(update)  # as Telegram would, had the confirmation been lost
    again = launch()
    since = api.mark()
    again.say(OPERATOR, "/help", message(OPERATOR["id"]))
    e2e_support.settle_and_stop(again)
    assert _answers(api) == 1 and api.delivered(update["update_id"]) == 2


def test_sigterm_finishes_the_update_in_hand_and_loses_nothing(
    api: FakeBotApi, launch: Callable[[], BotProcess], tmp_path: Path
) -> None:
    bot = launch()
    create_complex(bot)
    # The answer in hand hangs when the stop comes; it cannot be sent then, so it is kept
    # (in the outbox) and sent once, before the stop or after the restart.
    stall = api.inject("stall", method="sendMessage", chat_id=OPERATOR["id"], times=1,
                       seconds=2)
    api.say(OPERATOR, "/complexes")
    api.wait_until(lambda: stall.served or None, alive=bot.alive, what="the stalled answer")
    assert bot.proc is not None
    bot.proc.send_signal(signal.SIGTERM)
    later = api.say(OPERATOR, "/complexes")  # after the stop: not taken any more
    assert bot.proc.wait(timeout=e2e_support.STOP_TIMEOUT) == 0
    bot.close()
    bot.assert_clean_output()
    assert not (tmp_path / f"{e2e_support.DATABASE}-wal").exists()  # closed, checkpointed
    again = launch()
    api.wait_until(lambda: _answers(api) >= 2 or None, alive=again.alive,
                   what="both answers after the restart")
    e2e_support.settle_and_stop(again)
    assert _answers(api) == 2 and api.delivered(later["update_id"]) >= 1



def test_a_press_left_in_the_inbox_is_handled_without_a_second_answer(
    api: FakeBotApi, launch: Callable[[], BotProcess], tmp_path: Path
) -> None:
    bot = launch()
    question = bot.say(OPERATOR, "/language", message(OPERATOR["id"]))
    e2e_support.settle_and_stop(bot)
    # As a crash leaves it: the press fetched, stored, and (perhaps) answered, its change
    # not committed.
    press = api.telegram.press_update(OPERATOR, OPERATOR["id"], question.result["message_id"],
                                      e2e_support.button_data(question, "lang:en"))
    sql(tmp_path, "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
        press["update_id"], json.dumps(press), e2e_support.db_time())

    since = api.mark()
    again = launch()
    again.expect(message(OPERATOR["id"], "From now on I will write to you in English.",
                         method="editMessageText"), since, "the press handled after the restart")
    e2e_support.settle_and_stop(again)
    assert [c for c in api.calls(since) if c.method == "answerCallbackQuery"] == []
    assert sql(tmp_path, "SELECT language FROM users WHERE telegram_id = ?",
               OPERATOR["id"]) == [("en",)]
    assert sql(tmp_path, "SELECT COUNT(*) FROM inbox") == [(0,)]
    again.assert_clean_output()
