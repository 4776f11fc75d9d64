"""The `buurtnet` command: run, migrate, backup, console, and set-up subcommands.

`run` polls Telegram, or with --webhook-url serves a webhook. The set-up subcommands
(`complex add`, `complex list`, `contact invite`) let a deployment be prepared before
anyone opens Telegram; they need no token. Their output is for the operator at a
terminal, so it is plain English, like the configuration errors.
"""

import argparse
import asyncio
import html
import logging
import os
import re
import secrets
import sqlite3
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

from bot.clock import SystemClock
from bot.config import HELP_TEXT, Config, ConfigError, load_config
from bot.domain import complex_form, validation
from bot.domain.models import Complex, ContactKind
from bot.domain.validation import InvalidInput
from bot.storage import Repositories
from bot.storage.complexes import DuplicateComplexName
from bot.storage.db import Database, MigrationError

EXIT_CONFIG = 2
PLACEHOLDER = "<your-bot>"
_BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,31}")

T = TypeVar("T")
log = logging.getLogger("buurtnet")


class SetupError(Exception):
    """A set-up command that cannot be done; the message says why, for the operator."""


class RedactingFormatter(logging.Formatter):
    """Writes log lines with the secrets (the bot token, the webhook's secret token)
    blanked out, tracebacks included; `hidden` maps each secret to what is written instead."""

    def __init__(self, fmt: str, hidden: Mapping[str, str]) -> None:
        super().__init__(fmt)
        self.hidden = {secret: shown for secret, shown in hidden.items() if secret}

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret, shown in self.hidden.items():
            text = text.replace(secret, shown)
        return text


def _configure_logging(level: int = logging.INFO, hidden: Mapping[str, str] | None = None
                       ) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", hidden or {}))
    logging.basicConfig(level=level, handlers=[handler])
    # httpx logs every request line, and those contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _fail(message: str, *, explain: bool = True) -> int:
    print(f"buurtnet: {message}", file=sys.stderr)
    if explain:
        print(file=sys.stderr)
        print(HELP_TEXT, file=sys.stderr)
    return EXIT_CONFIG


def _invalid_token() -> int:
    # PTB's message quotes the token: say it in our own words instead.
    return _fail("Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather "
                 "(it may have been revoked).", explain=False)


CONNECT_RETRY_FIRST = 2.0
CONNECT_RETRY_MAX = 60.0

WEBHOOK_LISTEN = "127.0.0.1"
WEBHOOK_PORT = 8080
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: Telegram POSTs each update to `url`; the bot serves its `path` on
    `listen`:`port` and refuses (403) a request without `secret` in its
    X-Telegram-Bot-Api-Secret-Token header."""

    url: str
    path: str
    listen: str
    port: int
    secret: str


def _webhook(args: argparse.Namespace, config: Config) -> Webhook | None:
    """The webhook `run` was given, checked; None for long polling."""
    if args.webhook_url is None:
        if args.listen is not None or args.port is not None:
            raise SetupError("--listen and --port are for webhook mode: give --webhook-url "
                             "too, or leave them out to poll Telegram.")
        return None
    url = args.webhook_url.strip()
    if config.token and config.token.split(":")[-1] in url:  # not quoted: it has the token
        raise SetupError("--webhook-url must not contain the bot token: anyone who sees the "
                         "URL would have it. Use a plain path like /telegram; the secret "
                         "token (BUURTNET_WEBHOOK_SECRET) proves that a request is Telegram's.")
    parts = urlsplit(url)
    local = parts.hostname in LOCAL_HOSTS
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and local)):
        raise SetupError(f"--webhook-url: {url!r} must start with https:// (Telegram only "
                         "calls https URLs); http:// is accepted for localhost and "
                         "127.0.0.1 only.")
    if parts.path in ("", "/"):
        raise SetupError(f"--webhook-url: {url!r} needs a path, like "
                         f"{parts.scheme}://{parts.netloc}/telegram: the bot serves that path.")
    listen = WEBHOOK_LISTEN if args.listen is None else args.listen.strip()
    if not listen:
        raise SetupError("--listen: give the address to listen on, like 127.0.0.1 (a reverse "
                         "proxy on this machine) or 0.0.0.0 (every network).")
    port = WEBHOOK_PORT if args.port is None else validation.ascii_number(args.port, digits=5)
    if port is None or not 1 <= port <= 65535:
        raise SetupError(f"--port: {args.port!r} is not a port; use a number from 1 to 65535.")
    return Webhook(url=url, path=parts.path, listen=listen, port=port,
                   secret=config.webhook_secret or secrets.token_urlsafe(32))


async def _set_webhook(bot: Bot, webhook: Webhook) -> None:
    from bot.app import ALLOWED_UPDATES

    await bot.set_webhook(webhook.url, allowed_updates=ALLOWED_UPDATES,
                          drop_pending_updates=False, secret_token=webhook.secret)


async def connect(config: Config, webhook: Webhook | None = None) -> str:
    """Ask Telegram who the bot is (and set its webhook, if it has one) until it answers;
    say so while it does not.

    InvalidToken is final and goes up, and so does a webhook Telegram refuses, as a
    SetupError that says why: PTB's own setWebhook in run_webhook would retry the refusal
    for ever, without a word. A network error is retried, with a longer pause each time,
    and logged so the operator sees why nothing happens.
    """
    options: dict[str, Any] = {"base_url": config.api_base_url} if config.api_base_url else {}
    pause = CONNECT_RETRY_FIRST
    while True:
        bot = Bot(config.token, **options)
        try:
            async with bot:
                if webhook is not None:
                    await _set_webhook(bot, webhook)
                return bot.username
        except BadRequest as exc:  # a NetworkError to PTB, but asking again will not help
            if webhook is None:
                raise
            raise SetupError(f"Telegram refused the webhook {webhook.url}: {exc.message}"
                             ) from None
        except NetworkError as exc:
            log.warning("cannot reach the Telegram Bot API (%s); check the network and "
                        "TELEGRAM_API_BASE_URL. Trying again in %.0f s.",
                        type(exc).__name__, pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, CONNECT_RETRY_MAX)


def run(config: Config, webhook: Webhook | None = None) -> int:
    """Poll Telegram, or serve `webhook`, until SIGINT or SIGTERM; the exit status."""
    from bot.app import ALLOWED_UPDATES, build_application

    asyncio.run(migrate(config))
    if not config.operators:
        log.warning("BUURTNET_OPERATORS is empty: nobody can create complexes or invite "
                    "contacts from Telegram, and nobody is told when a report is not "
                    "picked up. Add your Telegram user id.")
    try:
        username = asyncio.run(connect(config, webhook))
    except InvalidToken:
        return _invalid_token()
    log.info("connected to Telegram as @%s", username)
    app = build_application(config)
    try:
        # bootstrap_retries=-1: a network hiccup at start-up is retried, not fatal.
        if webhook is None:
            app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
                            bootstrap_retries=-1)
        else:
            log.info("receiving updates at %s, served on %s port %d", webhook.url,
                     webhook.listen, webhook.port)
            # PTB answers a POST once update_queue.put has returned, and the application's
            # queue (bot.intake.DurableQueue) stores the update in the inbox inside put:
            # Telegram hears that an update arrived only after it is kept. The path is a
            # regular expression to PTB, hence the escape.
            app.run_webhook(listen=webhook.listen, port=webhook.port,
                            url_path=re.escape(webhook.path), webhook_url=webhook.url,
                            secret_token=webhook.secret, allowed_updates=ALLOWED_UPDATES,
                            drop_pending_updates=False, bootstrap_retries=-1)
    except InvalidToken:
        return _invalid_token()
    except NetworkError as exc:
        return _fail(f"cannot reach the Telegram Bot API ({type(exc).__name__}); check the "
                     "network and TELEGRAM_API_BASE_URL.", explain=False)
    except OSError as exc:  # the webhook's port is taken, or its address not this machine's
        if webhook is None:
            raise
        return _fail(f"cannot listen on {webhook.listen} port {webhook.port} "
                     f"({exc.strerror or exc}); choose another --listen or --port.",
                     explain=False)
    return 0


async def migrate(config: Config) -> list[int]:
    db = await Database.open(config.database)
    try:
        return await db.migrate(SystemClock())
    finally:
        await db.close()


def backup(config: Config, target: Path, *, force: bool = False) -> Path:
    """A consistent copy of the database at `target`; where it is.

    SQLite's online backup, from a connection of its own, copies one snapshot: what was
    committed when it began. In WAL mode it neither waits for the bot's writes nor holds
    them up, so the bot may run meanwhile. The copy is written beside `target` and moved
    there whole, readable by its owner only (it holds what people wrote).
    """
    source = Path(config.database)
    if not source.is_file():
        raise SetupError(f"there is no database {source} to back up; set BUURTNET_DATABASE "
                         "to the bot's database.")
    if not target.parent.is_dir():
        raise SetupError(f"the folder of {target} does not exist; create it first.")
    if target.is_dir():
        raise SetupError(f"{target} is a folder; give the backup's file name, like "
                         f"{target / 'buurtnet-backup.sqlite3'}.")
    if target.exists():
        if target.resolve() == source.resolve():
            raise SetupError(f"{target} is the database itself; give another path.")
        if not force:
            raise SetupError(f"{target} exists; choose another path, or pass --force to "
                             "replace it.")
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                    suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        with closing(sqlite3.connect(source)) as db, closing(sqlite3.connect(partial)) as copy:
            db.backup(copy)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.resolve()


# -- set-up subcommands ------------------------------------------------------------


@asynccontextmanager
async def _repositories(config: Config) -> AsyncIterator[Repositories]:
    """The repositories on an up-to-date database, closed afterwards."""
    clock = SystemClock()
    db = await Database.open(config.database)
    try:
        await db.migrate(clock)
        yield Repositories.build(db, clock)
    finally:
        await db.close()


def _checked(option: str, check: Callable[[str | None], T], value: str) -> T:
    try:
        return check(value)
    except InvalidInput as error:
        # The validators' messages are made for Telegram's HTML.
        text = html.unescape(re.sub(r"<[^>]+>", "", str(error)))
        raise SetupError(f"{option}: {text}") from None


def _given_username(given: str | None) -> str | None:
    """--bot-username without its @, checked before anything is made."""
    if given is None:
        return None
    name = given.strip().removeprefix("@")
    if not _BOT_USERNAME.fullmatch(name):
        raise SetupError(f"--bot-username: {given!r} is not a Telegram bot username.")
    return name


async def _bot_username(given: str | None, config: Config) -> tuple[str, str | None]:
    """The bot's username for links, and a note for the operator if it is a placeholder."""
    if given is not None:
        return given, None
    # Not "run this again": the complex or invite now exists, and these links are its own.
    how = (f"These links work: replace {PLACEHOLDER} in them with your bot's username. "
           "Next time, pass --bot-username NAME or set TELEGRAM_BOT_TOKEN to get them whole.")
    if not config.token:
        return PLACEHOLDER, how
    options: dict[str, Any] = {"base_url": config.api_base_url} if config.api_base_url else {}
    bot = Bot(config.token, **options)
    try:
        async with bot:
            return bot.username, None
    # The exceptions' texts can contain the token, so they are not shown.
    except InvalidToken:
        problem = "Telegram did not accept TELEGRAM_BOT_TOKEN."
    except NetworkError:
        problem = "Telegram could not be reached to ask for the bot's username."
    except TelegramError as error:
        problem = f"Telegram could not tell the bot's username ({type(error).__name__})."
    return PLACEHOLDER, f"{problem} {how}"


def _link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


async def complex_add(args: argparse.Namespace, config: Config) -> None:
    form = complex_form.ComplexForm(
        name=_checked("--name", complex_form.complex_name, args.name),
        homes=_checked("--homes", validation.homes, args.homes),
        municipality=_checked("--municipality", complex_form.municipality, args.municipality),
        language=_checked("--language", complex_form.language, args.language),
        join_policy=_checked("--policy", complex_form.join_policy, args.policy),
    )
    given = _given_username(args.bot_username)
    async with _repositories(config) as repos:
        try:
            created = await repos.complexes.create(
                name=form.name, homes=form.homes, municipality=form.municipality,
                language=form.language, join_policy=form.join_policy, created_by=0,
            )
        except DuplicateComplexName:
            raise SetupError(f"there is already a complex called {form.name!r}; "
                             "choose another name.") from None
    username, note = await _bot_username(given, config)
    print(f"Created complex #{created.id} {created.name}: {created.homes} homes in "
          f"{created.municipality}, language {created.language}, "
          f"sign-up {created.join_policy.value}.")
    print(f"Invite link for residents:  {_link(username, created.resident_code)}")
    print(f"Invite link for initiators: {_link(username, created.initiator_code)}"
          "  (give it only to them)")
    if note:
        print(note)


async def complex_list(args: argparse.Namespace, config: Config) -> None:
    async with _repositories(config) as repos:
        rows = await repos.complexes.with_counts()
    if not rows:
        print("No complexes yet. Create one with: buurtnet complex add --name NAME "
              "--homes N --municipality M --language nl")
        return
    for row in rows:
        c = row.complex
        group = "linked" if c.group_chat_id else "not linked"
        print(f"#{c.id} {c.name} ({c.municipality}): {row.residents} of {c.homes} homes "
              f"signed up, initiators {row.initiators}, contacts {row.contacts}, waiting for "
              f"approval {row.pending}; language {c.language}, sign-up {c.join_policy.value}, "
              f"group chat {group}")


async def _find_complex(repos: Repositories, reference: str) -> Complex:
    """A complex by its number (as `complex list` shows it) or by its exact name."""
    text = reference.strip()
    number = text.removeprefix("#")
    found = await repos.complexes.get(id_) if (id_ := validation.ascii_number(number)) else None
    found = found or await repos.complexes.by_name(text)
    if found is None:
        raise SetupError(f"--complex: there is no complex {reference!r}; "
                         "`buurtnet complex list` shows their numbers and names.")
    return found


async def contact_invite(args: argparse.Namespace, config: Config) -> None:
    try:
        kind = ContactKind(args.kind.strip().lower())
    except ValueError:
        raise SetupError("--kind must be one of: "
                         + ", ".join(kind.value for kind in ContactKind) + ".") from None
    given = _given_username(args.bot_username)
    async with _repositories(config) as repos:
        complex_ = await _find_complex(repos, args.complex)
        invite = await repos.invites.create_contact_invite(complex_.id, kind, created_by=0)
    username, note = await _bot_username(given, config)
    until = invite.expires_at.astimezone(config.tz).strftime("%Y-%m-%d %H:%M %Z")
    print(f"Invite for a {kind.value} contact of #{complex_.id} {complex_.name}. "
          f"It works once, until {until}:")
    print(_link(username, invite.code))
    if note:
        print(note)


SETUP = {
    ("complex", "add"): complex_add,
    ("complex", "list"): complex_list,
    ("contact", "invite"): contact_invite,
}


# -- the command line ----------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="buurtnet",
        description="Buurtnet: neighbours in large housing complexes who look after each other.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run_ = sub.add_parser("run", help="start the bot: long polling, or a webhook with "
                          "--webhook-url URL [--listen ADDR] [--port N]")
    run_.add_argument("--webhook-url", metavar="URL",
                      help="receive updates at this https:// URL instead of polling; the bot "
                      "serves its path, with the secret token BUURTNET_WEBHOOK_SECRET (or a "
                      "new one at every start)")
    run_.add_argument("--listen", metavar="ADDR",
                      help=f"with --webhook-url: the address to listen on "
                      f"(default {WEBHOOK_LISTEN})")
    run_.add_argument("--port", metavar="N",
                      help=f"with --webhook-url: the port to listen on (default {WEBHOOK_PORT})")
    sub.add_parser("migrate", help="bring the database up to date and exit")
    backup_ = sub.add_parser("backup", help="copy the database to PATH, also while the bot "
                             "runs: backup PATH [--force]")
    backup_.add_argument("path", metavar="PATH", help="the copy's file; its folder must exist")
    backup_.add_argument("--force", action="store_true", help="replace PATH if it exists")
    sub.add_parser("console", help="try the bot in this terminal, without Telegram")
    bot_username = "the bot's username for the links (default: ask Telegram, if "
    bot_username += "TELEGRAM_BOT_TOKEN is set)"

    complexes = sub.add_parser("complex", help="create and list complexes")
    complex_actions = complexes.add_subparsers(dest="action", required=True)
    add = complex_actions.add_parser("add", help="create a complex and print its invite links")
    add.add_argument("--name", required=True)
    add.add_argument("--homes", required=True, help="the number of homes")
    add.add_argument("--municipality", required=True)
    add.add_argument("--language", required=True, help="nl or en: the group chat's language")
    add.add_argument("--policy", default="open",
                     help="open (default: anyone with the link) or approval (by an initiator)")
    add.add_argument("--bot-username", help=bot_username)
    complex_actions.add_parser("list", help="the complexes with their numbers and counts")

    contacts = sub.add_parser("contact", help="invite contacts")
    contact_actions = contacts.add_subparsers(dest="action", required=True)
    invite = contact_actions.add_parser(
        "invite", help="a one-time invite link for a contact, valid 7 days")
    invite.add_argument("--complex", required=True,
                        help="its number (see `buurtnet complex list`) or its name")
    invite.add_argument("--kind", required=True,
                        help="municipality, police, corporation or peer")
    invite.add_argument("--bot-username", help=bot_username)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse printed the help, or what was wrong
        return exit_.code if isinstance(exit_.code, int) else EXIT_CONFIG
    try:
        config = load_config(need_token=args.command == "run")
        webhook = _webhook(args, config) if args.command == "run" else None
    except ConfigError as exc:
        _configure_logging(logging.WARNING)
        return _fail(str(exc))
    except SetupError as exc:
        _configure_logging(logging.WARNING)
        return _fail(str(exc), explain=False)
    hidden = {config.token: "[bot token]"}
    if webhook is not None:
        hidden[webhook.secret] = "[webhook secret]"
    _configure_logging(logging.INFO if args.command == "run" else logging.WARNING, hidden)
    if not Path(config.database).parent.is_dir():
        return _fail(f"the folder of the database {config.database} does not exist; create "
                     "it, or set BUURTNET_DATABASE to another path.", explain=False)
    try:
        return _dispatch(args, config, webhook)
    except (MigrationError, SetupError) as exc:
        return _fail(str(exc), explain=False)
    except sqlite3.Error as exc:
        return _fail(f"cannot use the database {config.database}: {exc}", explain=False)


def _dispatch(args: argparse.Namespace, config: Config, webhook: Webhook | None) -> int:
    if args.command == "run":
        return run(config, webhook)
    if args.command == "migrate":
        applied = asyncio.run(migrate(config))
        print(f"buurtnet: database {config.database} is up to date "
              f"({len(applied)} migration(s) applied).")
        return 0
    if args.command == "backup":
        copy = backup(config, Path(args.path), force=args.force)
        print(f"buurtnet: backed up {config.database} to {copy} "
              f"({copy.stat().st_size:,} bytes).")
        return 0
    if args.command == "console":
        from bot.console.interactive import run_console

        return run_console(config)
    asyncio.run(SETUP[args.command, args.action](args, config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
