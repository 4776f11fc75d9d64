"""The `buurtnet` command line: set-up subcommands, migrate, and refusals without a traceback."""

import asyncio
import io
import json
import logging
import re
import shutil
import sqlite3
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import cli as cli_module
from bot.cli import RedactingFormatter, _parser, _webhook, main
from bot.clock import SystemClock
from bot.config import Config
from bot.domain.models import Complex, ContactInvite, ContactKind, JoinPolicy
from bot.storage import Repositories
from bot.storage.db import Database

TOKEN = "123456789:AAFakeTokenForCliTestsOnly_abcdefghij"
LINK = re.compile(r"https://t\.me/(\S+)\?start=([A-Za-z0-9_-]+)")
TOREN = ["complex", "add", "--name", "De Toren", "--homes", "120", "--municipality", "Utrecht",
         "--language", "nl"]
HOOK = "https://bot.example.org/telegram"
WEBHOOK_SECRET = "webhook-secret-for-cli-tests_0123"


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean environment whose database is a file in tmp_path."""
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "BUURTNET_OPERATORS",
                 "BUURTNET_LANGUAGE", "BUURTNET_TIMEZONE", "BUURTNET_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("BUURTNET_DATABASE", str(path))
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def stored(path: Path) -> tuple[list[Complex], list[ContactInvite]]:
    """The complexes and contact invites in the database."""
    async def read() -> tuple[list[Complex], list[ContactInvite]]:
        db = await Database.open(str(path))
        try:
            repos = Repositories.build(db, SystemClock())
            codes = [row["code"] for row in await db.fetch_all(
                "SELECT code FROM contact_invites ORDER BY created_at")]
            invites = [await repos.invites.contact_invite(code) for code in codes]
            return await repos.complexes.all(), [i for i in invites if i is not None]
        finally:
            await db.close()
    return asyncio.run(read())


def test_complex_add_prints_the_invite_links_and_list_shows_it(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = cli(capsys, *TOREN, "--policy", "approval")
    assert code == 0
    [complex_], _ = stored(database)
    assert (complex_.name, complex_.homes, complex_.municipality, complex_.language,
            complex_.join_policy) == ("De Toren", 120, "Utrecht", "nl", JoinPolicy.APPROVAL)
    assert f"Created complex #{complex_.id} De Toren" in out
    assert LINK.findall(out) == [("<your-bot>", complex_.resident_code),
                                 ("<your-bot>", complex_.initiator_code)]
    assert "--bot-username" in out and "TELEGRAM_BOT_TOKEN" in out  # how to get real links
    # ... but not by adding the complex again: it exists now, and these are its links.
    assert "again" not in out and "replace <your-bot> in them" in out

    code, out, _err = cli(capsys, "complex", "add", "--name", "Het Blok", "--homes", "1.200",
                          "--municipality", "Delft", "--language", "EN",
                          "--bot-username", "@DeTorenBot")
    assert code == 0
    blok = next(c for c in stored(database)[0] if c.name == "Het Blok")
    assert (blok.homes, blok.language, blok.join_policy) == (1200, "en", JoinPolicy.OPEN)
    assert LINK.findall(out) == [("DeTorenBot", blok.resident_code),
                                 ("DeTorenBot", blok.initiator_code)]
    assert "<your-bot>" not in out

    code, out, _err = cli(capsys, "complex", "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"#{complex_.id} De Toren (Utrecht): 0 of 120 homes")
    assert "sign-up approval" in lines[0] and "group chat not linked" in lines[0]
    assert lines[1].startswith(f"#{blok.id} Het Blok (Delft): 0 of 1200 homes")


def test_complex_list_when_there_are_none(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = cli(capsys, "complex", "list")
    assert code == 0 and "No complexes yet" in out and "buurtnet complex add" in out


@pytest.mark.parametrize(("change", "message"), [
    ({"--name": "De Toren"}, "there is already a complex called 'De Toren'"),
    ({"--name": "  "}, "--name: Please type some text."),
    ({"--name": "x" * 81}, "--name: That is too long: at most 80 characters"),
    ({"--homes": "many"}, "--homes: The number of homes must be a whole number from 1 to"),
    ({"--homes": "0"}, "--homes: The number of homes must be a whole number"),
    ({"--homes": "-3"}, "--homes: The number of homes must be a whole number"),
    ({"--municipality": ""}, "--municipality: Please type some text."),
    ({"--language": "de"}, "--language: The language must be one of: nl, en."),
    ({"--policy": "closed"}, "--policy: The join policy must be open or approval."),
    ({"--bot-username": "my bot"}, "--bot-username: 'my bot' is not a Telegram bot username"),
])
def test_bad_complex_add_is_refused_and_creates_nothing(
    database: Path, capsys: pytest.CaptureFixture[str], change: dict[str, str], message: str
) -> None:
    assert cli(capsys, *TOREN)[0] == 0
    before = stored(database)
    argv = ["complex", "add", "--name", "Nieuw", "--homes", "10", "--municipality", "Delft",
            "--language", "en"]
    for option, value in change.items():
        if option in argv:
            argv[argv.index(option) + 1] = value
        else:
            argv += [option, value]
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert message in err and out == ""
    assert "BotFather" not in err  # not a configuration problem: no token lecture
    assert stored(database) == before


def test_missing_options_are_refused_by_the_parser(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = cli(capsys, "complex", "add", "--name", "De Toren")
    assert code == 2 and "--homes" in err and "--municipality" in err
    code, _out, err = cli(capsys, "contact", "invite", "--kind", "police")
    assert code == 2 and "--complex" in err
    code, _out, err = cli(capsys, "complex")
    assert code == 2
    assert not database.exists() or stored(database) == ([], [])


def test_contact_invite_by_number_or_name(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, *TOREN)
    [complex_], _ = stored(database)
    code, out, _err = cli(capsys, "contact", "invite", "--complex", str(complex_.id),
                          "--kind", "police")
    assert code == 0
    code, out2, _err = cli(capsys, "contact", "invite", "--complex", "De Toren",
                           "--kind", "Municipality", "--bot-username", "DeTorenBot")
    assert code == 0
    _, [police, municipality] = stored(database)
    assert (police.complex_id, police.kind) == (complex_.id, ContactKind.POLICE)
    assert municipality.kind is ContactKind.MUNICIPALITY
    assert LINK.findall(out) == [("<your-bot>", police.code)]
    assert LINK.findall(out2) == [("DeTorenBot", municipality.code)]
    assert police.code.startswith("c_") and police.used_by is None
    week = datetime.now(UTC) + timedelta(days=7)
    assert abs(police.expires_at - week) < timedelta(minutes=1)
    until = police.expires_at.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert f"police contact of #{complex_.id} De Toren" in out
    assert f"until {until:%Y-%m-%d %H:%M}" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--complex", "7", "--kind", "police"], "--complex: there is no complex '7'"),
    (["--complex", "Het Blok", "--kind", "police"], "--complex: there is no complex 'Het Blok'"),
    (["--complex", "1", "--kind", "mayor"],
     "--kind must be one of: municipality, police, corporation, peer."),
    (["--complex", "1", "--kind", "peer", "--bot-username", "@"],
     "--bot-username: '@' is not a Telegram bot username"),
])
def test_bad_contact_invite_is_refused_and_creates_nothing(
    database: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    cli(capsys, *TOREN)
    code, out, err = cli(capsys, "contact", "invite", *argv)
    assert code == 2 and message in err and out == ""
    assert stored(database)[1] == []


class _FakeGetMe(BaseHTTPRequestHandler):
    """The Bot API's getMe: the bot's user for the right token, 401 for any other."""

    def do_POST(self) -> None:
        if self.path == f"/bot{TOKEN}/getMe":
            status, body = 200, {"ok": True, "result": {
                "id": 123456789, "is_bot": True, "first_name": "De Toren",
                "username": "DeTorenBot"}}
        else:
            status, body = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bot_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local Bot API answering getMe; TELEGRAM_API_BASE_URL points at it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeGetMe)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    base_url = f"http://127.0.0.1:{server.server_address[1]}/bot"
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", base_url)
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_links_use_the_username_telegram_gives_for_the_token(
    database: Path, bot_api: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    code, out, _err = cli(capsys, *TOREN)
    assert code == 0
    [complex_], _ = stored(database)
    assert LINK.findall(out) == [("DeTorenBot", complex_.resident_code),
                                 ("DeTorenBot", complex_.initiator_code)]
    code, out, _err = cli(capsys, "contact", "invite", "--complex", "1", "--kind", "peer")
    assert code == 0 and "https://t.me/DeTorenBot?start=c_" in out

    rejected = "987654321:AAOtherTokenTelegramDoesNotKnow_abcdefg"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", rejected)
    code, out, err = cli(capsys, "contact", "invite", "--complex", "1", "--kind", "police")
    assert code == 0  # the invite is made; only the link needs the bot's name filled in
    assert "https://t.me/<your-bot>?start=c_" in out
    assert "Telegram did not accept TELEGRAM_BOT_TOKEN" in out
    assert rejected not in out + err


def test_run_without_a_usable_token_explains_and_exits_2(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err = cli(capsys, "run")
    assert code == 2
    assert "TELEGRAM_BOT_TOKEN is not set." in err and "@BotFather" in err
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    code, _out, err = cli(capsys, "run")
    assert code == 2
    assert "does not look like a bot token" in err and "@BotFather" in err
    assert "not-a-token" not in err


def test_migrate_then_a_database_newer_than_the_code_is_refused(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _err = cli(capsys, "migrate")
    assert code == 0 and "is up to date" in out and "(0 migration(s)" not in out
    code, out, _err = cli(capsys, "migrate")
    assert code == 0 and "(0 migration(s) applied)" in out

    async def from_the_future() -> None:
        db = await Database.open(str(database))
        try:
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO schema_migrations (version, name, applied_at)"
                                   " VALUES (9999, '9999_future.sql', '2030-01-01T00:00:00')")
        finally:
            await db.close()

    asyncio.run(from_the_future())
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    for argv in (["migrate"], ["complex", "list"], TOREN, ["run"], ["console"],
                 ["contact", "invite", "--complex", "1", "--kind", "police"]):
        code, out, err = cli(capsys, *argv)
        assert code == 2, argv
        assert "schema version 9999" in err and "Upgrade Buurtnet" in err, argv
        assert "BotFather" not in err
    assert stored(database) == ([], [])


def test_an_unusable_database_path_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BUURTNET_DATABASE", str(tmp_path / "missing" / "cli.sqlite3"))
    code, _out, err = cli(capsys, "complex", "list")
    assert code == 2 and "the folder of the database" in err and "does not exist" in err


def test_console_reads_the_terminal_and_uses_the_configured_database(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli(capsys, *TOREN)
    monkeypatch.setenv("BUURTNET_LANGUAGE", "en")
    monkeypatch.setattr(sys, "stdin", io.StringIO("/complexes\n:quit\n"))
    code, out, _err = cli(capsys, "console")
    assert code == 0
    assert f"Database: {database}." in out
    assert "Complexes in this database: De Toren." in out
    assert "To Olga (operator):" in out and "#1 De Toren (Utrecht)" in out


def test_log_lines_blank_out_the_token_and_the_webhook_secret_tracebacks_included() -> None:
    token = "987654321:AAOtherTokenTelegramDoesNotKnow_abcdefg"
    formatter = RedactingFormatter("%(levelname)s %(message)s", {
        token: "[bot token]", WEBHOOK_SECRET: "[webhook secret]", "": "[nothing]"})
    try:
        raise ValueError(f"https://api.telegram.org/bot{token}/getMe failed")
    except ValueError:
        record = logging.LogRecord("telegram", logging.ERROR, __file__, 1,
                                   "request to %s with %s", (f"bot{token}", WEBHOOK_SECRET),
                                   sys.exc_info())
    text = formatter.format(record)
    assert token not in text and WEBHOOK_SECRET not in text and "[nothing]" not in text
    assert text.count("[bot token]") == 2  # the message and the traceback
    assert text.count("[webhook secret]") == 1


# -- run --webhook-url ---------------------------------------------------------------


def test_help_lists_webhook_mode_and_backup(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = cli(capsys, "--help")
    text = " ".join(out.split())
    assert code == 0
    assert "run start the bot: long polling, or a webhook with --webhook-url URL " \
           "[--listen ADDR] [--port N]" in text
    assert "backup copy the database to PATH, also while the bot runs: " \
           "backup PATH [--force]" in text
    code, out, _err = cli(capsys, "run", "--help")
    text = " ".join(out.split())
    assert code == 0
    assert "--webhook-url URL" in text and "BUURTNET_WEBHOOK_SECRET" in text
    assert "--listen ADDR with --webhook-url: the address to listen on (default 127.0.0.1)" \
        in text
    assert "--port N with --webhook-url: the port to listen on (default 8080)" in text


def test_a_webhook_serves_its_url_s_path_with_the_configured_or_a_new_secret() -> None:
    config = Config(token=TOKEN)
    args = _parser().parse_args(["run", "--webhook-url", " http://localhost/buurt/hook "])
    webhook = _webhook(args, config)
    assert webhook is not None
    assert (webhook.url, webhook.path, webhook.listen, webhook.port) == (
        "http://localhost/buurt/hook", "/buurt/hook", "127.0.0.1", 8080)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", webhook.secret)
    again = _webhook(args, config)
    assert again is not None and again.secret != webhook.secret
    configured = _webhook(args, replace(config, webhook_secret=WEBHOOK_SECRET))
    assert configured is not None and configured.secret == WEBHOOK_SECRET
    args = _parser().parse_args(["run", "--webhook-url", HOOK, "--listen", "0.0.0.0",
                                 "--port", "8443"])
    webhook = _webhook(args, config)
    assert webhook is not None and (webhook.listen, webhook.port) == ("0.0.0.0", 8443)
    assert _webhook(_parser().parse_args(["run"]), config) is None


@pytest.fixture
def no_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` that fails the test: what is refused must be refused before the bot starts."""
    def run(*_args: object) -> int:
        pytest.fail("the bot was started")
    monkeypatch.setattr(cli_module, "run", run)


@pytest.mark.parametrize(("argv", "message"), [
    (["--webhook-url", "http://bot.example.org/telegram"],
     "--webhook-url: 'http://bot.example.org/telegram' must start with https:// (Telegram "
     "only calls https URLs); http:// is accepted for localhost and 127.0.0.1 only."),
    (["--webhook-url", "bot.example.org/telegram"], "must start with https://"),
    (["--webhook-url", "https://bot.example.org"],
     "--webhook-url: 'https://bot.example.org' needs a path, like "
     "https://bot.example.org/telegram: the bot serves that path."),
    (["--webhook-url", "https://bot.example.org/"], "needs a path"),
    (["--webhook-url", f"https://bot.example.org/{TOKEN}"],
     "--webhook-url must not contain the bot token"),
    (["--webhook-url", f"https://bot.example.org/x?key={TOKEN.split(':')[1]}"],
     "--webhook-url must not contain the bot token"),
    (["--webhook-url", HOOK, "--port", "0"],
     "--port: '0' is not a port; use a number from 1 to 65535."),
    (["--webhook-url", HOOK, "--port", "65536"], "--port: '65536' is not a port"),
    (["--webhook-url", HOOK, "--port", "https"], "--port: 'https' is not a port"),
    (["--webhook-url", HOOK, "--port", "８０"], "--port: '８０' is not a port"),
    (["--webhook-url", HOOK, "--listen", " "], "--listen: give the address to listen on"),
    (["--port", "8443"], "--listen and --port are for webhook mode: give --webhook-url too"),
    (["--listen", "0.0.0.0"], "--listen and --port are for webhook mode"),
])
@pytest.mark.usefixtures("no_run")
def test_bad_webhook_arguments_are_refused_before_anything_starts(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    argv: list[str], message: str,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    code, out, err = cli(capsys, "run", *argv)
    assert code == 2 and message in err and out == ""
    assert "BotFather" not in err  # not a configuration problem: no token lecture
    assert TOKEN.split(":")[1] not in err
    assert not database.exists()


@pytest.mark.parametrize("secret", ["short-secret", "a secret with spaces in it", "é" * 20,
                                    "x" * 257])
@pytest.mark.usefixtures("no_run")
def test_a_malformed_webhook_secret_is_refused_without_being_shown(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    secret: str,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("BUURTNET_WEBHOOK_SECRET", secret)
    code, _out, err = cli(capsys, "run", "--webhook-url", HOOK)
    assert code == 2
    assert "BUURTNET_WEBHOOK_SECRET must be 16 to 256 letters, digits, _ or -." in err
    assert secret not in err


# -- backup --------------------------------------------------------------------------


def _rows(path: Path, statement: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(statement).fetchall()


def _handled(path: Path) -> list[int]:
    return [row[0] for row in _rows(path, "SELECT update_id FROM processed_updates "
                                          "ORDER BY update_id")]


HANDLED = "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, '2026-05-04')"


def _assert_whole(copy: Path, database: Path) -> None:
    """A valid database with the schema and the complex of `database`."""
    assert _rows(copy, "PRAGMA integrity_check") == [("ok",)]
    migrations = "SELECT version, name FROM schema_migrations ORDER BY version"
    assert _rows(copy, migrations) == _rows(database, migrations) != []
    assert _rows(copy, "SELECT name FROM complexes") == [("De Toren",)]


def test_a_backup_while_the_database_is_written_holds_what_was_committed(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, *TOREN)
    # Another connection holds a write transaction open while the copy is made.
    during_a_write = tmp_path / "during-a-write.sqlite3"
    with closing(sqlite3.connect(database, isolation_level=None)) as writer:
        writer.execute(HANDLED, (1,))
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(HANDLED, (2,))
        code, out, _err = cli(capsys, "backup", str(during_a_write))
        writer.execute("COMMIT")
    assert code == 0
    assert out == (f"buurtnet: backed up {database} to {during_a_write} "
                   f"({during_a_write.stat().st_size:,} bytes).\n")
    _assert_whole(during_a_write, database)
    assert _handled(during_a_write) == [1]
    assert stat.S_IMODE(during_a_write.stat().st_mode) == 0o600  # it holds people's words

    # Another connection commits row after row while the copy is made: the copy has every
    # row committed before it began, and no gap (one moment's snapshot).
    written: list[int] = []
    stop = threading.Event()

    def write() -> None:
        with closing(sqlite3.connect(database, isolation_level=None, timeout=10)) as db:
            update_id = 100
            while not stop.is_set():
                update_id += 1
                db.execute(HANDLED, (update_id,))
                written.append(update_id)

    writing = threading.Thread(target=write)
    writing.start()
    try:
        while len(written) < 20:
            assert writing.is_alive()
            stop.wait(0.01)
        before = list(written)
        while_writing = tmp_path / "while-writing.sqlite3"
        code, _out, _err = cli(capsys, "backup", str(while_writing))
    finally:
        stop.set()
        writing.join()
    assert code == 0
    _assert_whole(while_writing, database)
    copied = [update_id for update_id in _handled(while_writing) if update_id > 100]
    assert copied == written[:len(copied)] and len(copied) >= len(before)
    assert not list(tmp_path.glob("*.partial"))


def test_restoring_a_backup_gives_back_the_database_as_it_was(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, *TOREN)
    copy = tmp_path / "backup.sqlite3"
    assert cli(capsys, "backup", str(copy))[0] == 0
    assert cli(capsys, "complex", "add", "--name", "Het Blok", "--homes", "40",
               "--municipality", "Delft", "--language", "en")[0] == 0

    # The README's restore, with the bot stopped: the copy over the database, and no
    # -wal or -shm file of the old one left beside it.
    shutil.copyfile(copy, database)
    for leftover in ("-wal", "-shm"):
        Path(f"{database}{leftover}").unlink(missing_ok=True)
    code, out, _err = cli(capsys, "migrate")
    assert code == 0 and "is up to date (0 migration(s) applied)" in out
    code, out, _err = cli(capsys, "complex", "list")
    assert code == 0 and "De Toren" in out and "Het Blok" not in out


def test_a_backup_is_refused_where_it_would_lose_something_or_cannot_go(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "backup", str(tmp_path / "backup.sqlite3"))
    assert code == 2 and out == ""
    assert f"there is no database {database} to back up" in err
    assert not database.exists()

    cli(capsys, *TOREN)
    kept = tmp_path / "kept.sqlite3"
    kept.write_bytes(b"an older backup")
    refusals = [
        ([str(kept)], f"{kept} exists; choose another path, or pass --force to replace it."),
        ([str(tmp_path / "missing" / "b.sqlite3")],
         f"the folder of {tmp_path / 'missing' / 'b.sqlite3'} does not exist"),
        ([str(tmp_path), "--force"], f"{tmp_path} is a folder"),
        ([str(database), "--force"], f"{database} is the database itself"),
    ]
    for argv, message in refusals:
        code, out, err = cli(capsys, "backup", *argv)
        assert code == 2 and out == "" and message in err, argv
        assert "BotFather" not in err
    assert kept.read_bytes() == b"an older backup"
    _assert_whole(database, database)

    code, out, _err = cli(capsys, "backup", str(kept), "--force")
    assert code == 0 and f"to {kept} (" in out
    _assert_whole(kept, database)
    assert not list(tmp_path.glob("*.partial"))
