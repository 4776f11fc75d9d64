"""Deployment configuration, read from environment variables."""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.routing import RoutingError, RoutingTable, load_routing
from bot.domain.stages import Thresholds
from bot.i18n import LANGUAGES

_TOKEN_SHAPE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
# Telegram takes 1 to 256 of these characters as a webhook's secret token; fewer than 16
# would be easy to guess.
_WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,256}")

HELP_TEXT = """\
Buurtnet needs a Telegram bot token. Talk to @BotFather in Telegram, send /newbot,
follow the questions and copy the token it gives you into TELEGRAM_BOT_TOKEN.
BUURTNET_OPERATORS takes the Telegram user ids of the people who run this deployment,
separated by commas: send any message to @userinfobot to learn your own id.
Without a token you can try the bot locally with `buurtnet console`.
In webhook mode (`buurtnet run --webhook-url URL`) Telegram sends each update with a
secret token, BUURTNET_WEBHOOK_SECRET (16 to 256 letters, digits, _ or -); when it is
not set, every start makes a new one.
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
    routing: RoutingTable = field(default_factory=load_routing)
    emergency_number: str = "112"
    police_number: str = "0900-8844"
    stage_thresholds: Thresholds = field(default_factory=Thresholds)
    report_retention_days: int = 365
    anonymous_link_days: int = 30
    webhook_secret: str | None = None

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


def parse_thresholds(env: Mapping[str, str]) -> Thresholds:
    """BUURTNET_STAGE_<FIELD> replaces one default of bot.domain.stages.Thresholds, e.g.
    BUURTNET_STAGE_GROUP_INITIATORS=4 or BUURTNET_STAGE_NETWORK_INTRODUCED_SHARE=0.2."""
    values: dict[str, int | float] = {}
    for item in fields(Thresholds):
        name = f"BUURTNET_STAGE_{item.name.upper()}"
        raw = env.get(name, "").strip()
        if not raw:
            continue
        if item.name.endswith("_share"):
            try:
                share = float(raw)
            except ValueError:
                share = -1.0
            if not 0 <= share <= 1:
                raise ConfigError(f"{name} {raw!r} must be a share from 0 to 1, like 0.15.")
            values[item.name] = share
            continue
        least = 0 if item.name == "hysteresis_days" else 1
        if not raw.isdigit() or int(raw) < least:
            raise ConfigError(f"{name} {raw!r} must be a whole number of at least {least}.")
        values[item.name] = int(raw)
    return Thresholds(**values)  # type: ignore[arg-type]


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip() or str(default)
    if not raw.isascii() or not raw.isdecimal() or not 1 <= int(raw) <= 3650:
        raise ConfigError(f"{name} must be a number of days from 1 to 3650; {raw!r} is not.")
    return int(raw)


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
    routing_path = env.get("BUURTNET_ROUTING", "").strip()
    try:
        routing = load_routing(Path(routing_path) if routing_path else None)
    except RoutingError as exc:
        raise ConfigError(f"BUURTNET_ROUTING: {exc}") from exc
    numbers = {}
    for name, default in (("BUURTNET_EMERGENCY_NUMBER", "112"),
                          ("BUURTNET_POLICE_NUMBER", "0900-8844")):
        value = env.get(name, "").strip() or default
        if not re.fullmatch(r"[0-9 +()-]{2,20}", value):
            raise ConfigError(f"{name} {value!r} is not a phone number.")
        numbers[name] = value
    retention = _days(env, "BUURTNET_REPORT_RETENTION_DAYS", 365)
    anonymous_link = _days(env, "BUURTNET_ANONYMOUS_LINK_DAYS", 30)
    webhook_secret = env.get("BUURTNET_WEBHOOK_SECRET", "").strip() or None
    if webhook_secret and not _WEBHOOK_SECRET_SHAPE.fullmatch(webhook_secret):
        # Not quoted: it is a secret.
        raise ConfigError("BUURTNET_WEBHOOK_SECRET must be 16 to 256 letters, digits, _ or -.")
    return Config(
        report_retention_days=retention,
        anonymous_link_days=anonymous_link,
        webhook_secret=webhook_secret,
        routing=routing,
        emergency_number=numbers["BUURTNET_EMERGENCY_NUMBER"],
        police_number=numbers["BUURTNET_POLICE_NUMBER"],
        stage_thresholds=parse_thresholds(env),
        token=token,
        database=env.get("BUURTNET_DATABASE", "").strip() or "buurtnet.sqlite3",
        operators=parse_operators(env.get("BUURTNET_OPERATORS", "")),
        timezone=timezone,
        language=language,
        api_base_url=base_url,
    )
