"""Deployment configuration, read from environment variables."""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import LANGUAGES

_TOKEN_SHAPE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")

HELP_TEXT = """\
Buurtnet needs a Telegram bot token. Talk to @BotFather in Telegram, send /newbot,
follow the questions and copy the token it gives you into TELEGRAM_BOT_TOKEN.
BUURTNET_OPERATORS takes the Telegram user ids of the people who run this deployment,
separated by commas: send any message to @userinfobot to learn your own id.
Without a token you can try the bot locally with `buurtnet console`.
See the README for every setting."""


class ConfigError(Exception):
    """Configuration that is missing or invalid; the message says which and why."""


@dataclass(frozen=True)
class Config:
    token: str
    database: str = "buurtnet.sqlite3"
    operators: frozenset[int] = field(default_factory=frozenset)
    timezone: str = "Europe/Amsterdam"
    language: str = "nl"
    api_base_url: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_operators(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(
                f"BUURTNET_OPERATORS must be Telegram user ids separated by commas; "
                f"{part!r} is not a number."
            )
        ids.add(int(part))
    return frozenset(ids)


def load_config(env: Mapping[str, str] = os.environ, *, need_token: bool = True) -> Config:
    """Read the configuration; raise ConfigError naming the first bad setting."""
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if need_token:
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set.")
        if not _TOKEN_SHAPE.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token "
                "(digits, a colon, then a long code)."
            )
    timezone = env.get("BUURTNET_TIMEZONE", "").strip() or "Europe/Amsterdam"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"BUURTNET_TIMEZONE {timezone!r} is not a known time zone "
            "(use a name like Europe/Amsterdam)."
        ) from exc
    language = env.get("BUURTNET_LANGUAGE", "").strip() or "nl"
    if language not in LANGUAGES:
        raise ConfigError(
            f"BUURTNET_LANGUAGE {language!r} is not supported; use one of: "
            + ", ".join(LANGUAGES)
            + "."
        )
    base_url = env.get("TELEGRAM_API_BASE_URL", "").strip() or None
    if base_url and not base_url.startswith(("http://", "https://")):
        raise ConfigError("TELEGRAM_API_BASE_URL must start with http:// or https://.")
    return Config(
        token=token,
        database=env.get("BUURTNET_DATABASE", "").strip() or "buurtnet.sqlite3",
        operators=parse_operators(env.get("BUURTNET_OPERATORS", "")),
        timezone=timezone,
        language=language,
        api_base_url=base_url,
    )
