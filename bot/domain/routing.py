"""The routing table: which escalation chain a report gets, by stage, kind, category and urgency.

The table is data (bot/domain/routing.toml, or the file named by BUURTNET_ROUTING), validated when
it is loaded: a bad entry is named in the error.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.vocabulary import CATEGORIES, KINDS, STAGES, TARGETS, Category

URGENT_CATEGORIES = frozenset({Category.VIOLENCE, Category.SEXUAL})
TIMEOUT_CLASSES = ("urgent", "incident", "concern")
DEFAULT_TABLE = Path(__file__).with_name("routing.toml")


class RoutingError(Exception):
    """The routing table is not valid; the message names the entry."""


@dataclass(frozen=True)
class Level:
    targets: tuple[str, ...]
    inform: tuple[str, ...]
    timeout_seconds: int


@dataclass(frozen=True)
class Rule:
    stages: frozenset[str]
    kinds: frozenset[str]
    categories: frozenset[str]
    urgent: bool | None
    levels: tuple[Level, ...]

    def matches(self, stage: str, kind: str, category: str, urgent: bool) -> bool:
        return (stage in self.stages and kind in self.kinds and category in self.categories
                and (self.urgent is None or self.urgent == urgent))


@dataclass(frozen=True)
class RoutingTable:
    rules: tuple[Rule, ...]

    def chain(self, stage: str, kind: str, category: str, urgent: bool) -> tuple[Level, ...]:
        for rule in self.rules:
            if rule.matches(stage, kind, category, urgent):
                return rule.levels
        raise RoutingError(
            f"no rule for stage {stage}, kind {kind}, category {category}, urgent {urgent}")


def is_urgent(happening_now: bool, category: str) -> bool:
    return happening_now or category in URGENT_CATEGORIES


def load_routing(path: Path | None = None) -> RoutingTable:
    path = path or DEFAULT_TABLE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RoutingError(f"cannot read the routing table {path}: {exc}") from exc
    table = parse_routing(data, str(path))
    _check_complete(table, str(path))
    return table


def _choice(value: Any, allowed: tuple[str, ...], where: str, name: str) -> frozenset[str]:
    if value is None:
        return frozenset(allowed)
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        raise RoutingError(f"{where}: {name} must be a name or a list of names")
    for item in values:
        if item not in allowed:
            raise RoutingError(f"{where}: unknown {name} {item!r} (use {', '.join(allowed)})")
    return frozenset(values)


def parse_routing(data: dict[str, Any], source: str = "routing table") -> RoutingTable:
    timeouts = data.get("timeouts", {})
    for name in TIMEOUT_CLASSES:
        value = timeouts.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise RoutingError(f"{source}: timeouts.{name} must be a positive number of seconds")
    rules = []
    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RoutingError(f"{source}: there are no [[rule]] entries")
    for number, raw in enumerate(raw_rules, start=1):
        where = f"{source}, rule {number}"
        unknown = set(raw) - {"stage", "kind", "categories", "urgent", "levels"}
        if unknown:
            raise RoutingError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        urgent = raw.get("urgent")
        if urgent is not None and not isinstance(urgent, bool):
            raise RoutingError(f"{where}: urgent must be true or false")
        kinds = _choice(raw.get("kind"), KINDS, where, "kind")
        timeout_class = "urgent" if urgent else ("incident" if kinds == {"incident"}
                                                 else "concern")
        raw_levels = raw.get("levels")
        if not isinstance(raw_levels, list) or not raw_levels:
            raise RoutingError(f"{where}: levels must be a non-empty list")
        levels = []
        for index, level in enumerate(raw_levels, start=1):
            at = f"{where}, level {index}"
            if not isinstance(level, dict) or set(level) - {"targets", "inform", "timeout"}:
                raise RoutingError(f"{at}: a level has targets, and optionally inform, timeout")
            targets = level.get("targets")
            if not targets:
                raise RoutingError(f"{at}: targets must name at least one target")
            timeout = level.get("timeout", timeouts[timeout_class])
            if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
                raise RoutingError(f"{at}: timeout must be a positive number of seconds")
            levels.append(Level(
                targets=tuple(sorted(_choice(targets, TARGETS, at, "target"))),
                inform=tuple(sorted(_choice(level["inform"], TARGETS, at, "target")))
                if level.get("inform") else (),
                timeout_seconds=timeout,
            ))
        rules.append(Rule(
            stages=_choice(raw.get("stage"), STAGES, where, "stage"),
            kinds=kinds,
            categories=_choice(raw.get("categories"), CATEGORIES, where, "category"),
            urgent=urgent,
            levels=tuple(levels),
        ))
    return RoutingTable(tuple(rules))


def _check_complete(table: RoutingTable, source: str) -> None:
    """Every report must have a chain: no combination may fall through the table."""
    for stage in STAGES:
        for kind in KINDS:
            for category in CATEGORIES:
                for urgent in (False, True):
                    if category in URGENT_CATEGORIES and not urgent:
                        continue
                    try:
                        table.chain(stage, kind, category, urgent)
                    except RoutingError:
                        raise RoutingError(
                            f"{source}: no rule covers stage {stage}, kind {kind}, "
                            f"category {category}, urgent {str(urgent).lower()}") from None
