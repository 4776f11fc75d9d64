"""The `buurtnet` command: run, migrate, console, and set-up subcommands."""

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.clock import SystemClock
from bot.config import HELP_TEXT, Config, ConfigError, load_config
from bot.db import Database, MigrationError

EXIT_CONFIG = 2


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request line, and those contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _fail(message: str, *, explain: bool = True) -> int:
    print(f"buurtnet: {message}", file=sys.stderr)
    if explain:
        print(file=sys.stderr)
        print(HELP_TEXT, file=sys.stderr)
    return EXIT_CONFIG


def run(config: Config) -> int:
    from bot.app import ALLOWED_UPDATES, build_application

    try:
        asyncio.run(migrate(config))
    except MigrationError as exc:
        return _fail(str(exc), explain=False)
    app = build_application(config)
    app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    return 0


async def migrate(config: Config) -> list[int]:
    db = await Database.open(config.database)
    try:
        return await db.migrate(SystemClock())
    finally:
        await db.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="buurtnet",
        description="Buurtnet: neighbours in large housing complexes who look after each other.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the bot (long polling)")
    sub.add_parser("migrate", help="bring the database up to date and exit")
    sub.add_parser("console", help="try the bot in this terminal, without Telegram")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging()
    try:
        config = load_config(need_token=args.command == "run")
    except ConfigError as exc:
        return _fail(str(exc))
    if args.command == "run":
        return run(config)
    if args.command == "migrate":
        try:
            applied = asyncio.run(migrate(config))
        except MigrationError as exc:
            return _fail(str(exc), explain=False)
        print(f"buurtnet: database {config.database} is up to date "
              f"({len(applied)} migration(s) applied).")
        return 0
    if args.command == "console":
        from bot.console import run_console

        return run_console(config)
    return 1


if __name__ == "__main__":
    sys.exit(main())
