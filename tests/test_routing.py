"""The default routing table against DESIGN.md, every stage × kind × category × urgency."""

from pathlib import Path

import pytest

from bot.domain.routing import (
    URGENT_CATEGORIES,
    RoutingError,
    is_urgent,
    load_routing,
    parse_routing,
)
from bot.domain.vocabulary import CATEGORIES, KINDS, STAGES

TABLE = load_routing()
URGENT, INCIDENT, CONCERN = 900, 14400, 86400


def expected(stage: str, kind: str, category: str, urgent: bool) -> list[tuple]:
    """DESIGN.md's default routing, written out: (targets, inform, timeout) per level."""
    if urgent:
        return [({"police", "municipality"}, set(), URGENT)]
    if kind == "incident":
        return {
            "loose_sand": [({"municipality"}, set(), INCIDENT), ({"police"}, set(), INCIDENT)],
            "beginning_network": [({"municipality", "police"}, set(), INCIDENT)],
            "group": [({"police"}, {"committee"}, INCIDENT)],
        }[stage]
    building = category == "building_safety"
    return {
        "loose_sand": [({"municipality"}, set(), CONCERN)],
        "beginning_network": [
            ({"initiators", "corporation"} if building else {"initiators"}, set(), CONCERN),
            ({"municipality"}, set(), CONCERN),
        ],
        "group": [({"corporation"} if building else {"committee"}, set(), CONCERN)],
    }[stage]


CASES = [
    (stage, kind, category, urgent)
    for stage in STAGES
    for kind in KINDS
    for category in CATEGORIES
    for urgent in (False, True)
    if urgent or category not in URGENT_CATEGORIES
]


@pytest.mark.parametrize(("stage", "kind", "category", "urgent"), CASES)
def test_default_routing(stage: str, kind: str, category: str, urgent: bool) -> None:
    chain = TABLE.chain(stage, kind, category, urgent)
    assert [(set(level.targets), set(level.inform), level.timeout_seconds)
            for level in chain] == expected(stage, kind, category, urgent)


def test_urgency() -> None:
    assert is_urgent(True, "nuisance")
    assert is_urgent(False, "violence") and is_urgent(False, "sexual")
    assert not is_urgent(False, "theft")


def _table(**rule: object) -> dict:
    return {"timeouts": {"urgent": 1, "incident": 2, "concern": 3},
            "rule": [{"levels": [{"targets": ["police"]}], **rule}]}


@pytest.mark.parametrize(("data", "message"), [
    ({"rule": []}, "timeouts.urgent"),
    ({"timeouts": {"urgent": 1, "incident": 2, "concern": 3}}, "no \\[\\[rule\\]\\]"),
    (_table(stage="sand"), "rule 1: unknown stage 'sand'"),
    (_table(kind="crime"), "rule 1: unknown kind 'crime'"),
    (_table(categories=["arson"]), "rule 1: unknown category 'arson'"),
    (_table(urgent="yes"), "rule 1: urgent must be true or false"),
    (_table(colour="red"), "rule 1: unknown field"),
    (_table(levels=[]), "rule 1: levels must be a non-empty list"),
    (_table(levels=[{"targets": ["polize"]}]), "rule 1, level 1: unknown target 'polize'"),
    (_table(levels=[{"targets": ["police"], "timeout": -5}]), "level 1: timeout must be"),
    (_table(levels=[{"targets": []}]), "level 1: targets must name"),
])
def test_bad_tables_are_named(data: dict, message: str) -> None:
    with pytest.raises(RoutingError, match=message):
        parse_routing(data)


def test_a_table_with_gaps_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text('[timeouts]\nurgent = 1\nincident = 2\nconcern = 3\n'
                    '[[rule]]\nkind = "incident"\nlevels = [{ targets = ["police"] }]\n')
    with pytest.raises(RoutingError, match="no rule covers stage loose_sand, kind concern"):
        load_routing(path)
    path.write_text("this is not toml [")
    with pytest.raises(RoutingError, match="cannot read"):
        load_routing(path)


def test_timeouts_in_seconds_for_fast_tests(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text('[timeouts]\nurgent = 1\nincident = 2\nconcern = 3\n'
                    '[[rule]]\nlevels = [{ targets = ["police"], timeout = 5 },'
                    ' { targets = ["municipality"] }]\n')
    chain = load_routing(path).chain("group", "concern", "other", False)
    assert [level.timeout_seconds for level in chain] == [5, 3]
