"""The stage engine's rules: criteria, moving up at once, moving down after 30 days."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.stages import Metrics, Thresholds, check, decide, measured_stage

LIMITS = Thresholds()
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def metrics(**values: object) -> Metrics:
    base = dict(residents=0, active_initiators=0, activities_held=0, introduced_residents=0,
                acquainted_residents=0, committee=False)
    base.update(values)
    return Metrics(**base)  # type: ignore[arg-type]


NETWORK_BY_ACTIVITY = metrics(residents=5, active_initiators=1, activities_held=1)
NETWORK_BY_INTRODUCTIONS = metrics(residents=20, active_initiators=1, introduced_residents=3)
GROUP = metrics(residents=20, active_initiators=3, activities_held=3, introduced_residents=10,
                acquainted_residents=6, committee=True)


@pytest.mark.parametrize(("values", "stage"), [
    (metrics(), "loose_sand"),
    (metrics(residents=4, active_initiators=1, activities_held=3), "loose_sand"),
    (metrics(residents=5, active_initiators=0, activities_held=3), "loose_sand"),
    (metrics(residents=5, active_initiators=1), "loose_sand"),
    (NETWORK_BY_ACTIVITY, "beginning_network"),
    (NETWORK_BY_INTRODUCTIONS, "beginning_network"),
    (metrics(residents=20, active_initiators=1, introduced_residents=2), "loose_sand"),
    (GROUP, "group"),
    (metrics(**{**GROUP.__dict__, "committee": False}), "beginning_network"),
    (metrics(**{**GROUP.__dict__, "acquainted_residents": 5}), "beginning_network"),
    (metrics(**{**GROUP.__dict__, "active_initiators": 2}), "beginning_network"),
    (metrics(**{**GROUP.__dict__, "activities_held": 2}), "beginning_network"),
    # A committee with the numbers of a group, but not a beginning network's: loose sand.
    (metrics(residents=3, active_initiators=3, activities_held=3, acquainted_residents=3,
             committee=True), "loose_sand"),
])
def test_measured_stage(values: Metrics, stage: str) -> None:
    assert measured_stage(values, LIMITS) == stage


def test_criteria_explain_values_and_thresholds() -> None:
    network = check("beginning_network", NETWORK_BY_INTRODUCTIONS, LIMITS)
    assert network.met
    by_key = {c.key: c for c in network.criteria}
    assert (by_key["residents"].value, by_key["residents"].threshold) == (20, 5)
    assert by_key["introduced_share"].value == pytest.approx(0.15)
    assert by_key["introduced_share"].is_share and by_key["introduced_share"].met
    assert not by_key["activities"].met
    group = check("group", NETWORK_BY_INTRODUCTIONS, LIMITS)
    assert not group.met and [c.key for c in group.criteria if not c.met] == [
        "committee", "initiators", "activities", "acquainted_share"]


def test_moving_up_is_immediate() -> None:
    decision = decide("loose_sand", GROUP, LIMITS, None, NOW)
    assert (decision.stage, decision.changed, decision.failing_since) == ("group", True, None)


def test_moving_down_waits_thirty_days_in_a_row() -> None:
    weak = NETWORK_BY_ACTIVITY
    first = decide("group", weak, LIMITS, None, NOW)
    assert (first.stage, first.changed, first.failing_since) == ("group", False, NOW)
    later = decide("group", weak, LIMITS, first.failing_since, NOW + timedelta(days=29))
    assert (later.stage, later.changed) == ("group", False)
    # The criteria hold again for a day: the count starts over.
    recovered = decide("group", GROUP, LIMITS, later.failing_since, NOW + timedelta(days=29))
    assert (recovered.stage, recovered.failing_since) == ("group", None)
    again = decide("group", weak, LIMITS, None, NOW + timedelta(days=30))
    assert again.stage == "group"
    down = decide("group", weak, LIMITS, again.failing_since, NOW + timedelta(days=60))
    assert (down.stage, down.changed, down.failing_since) == ("beginning_network", True, None)


def test_thresholds_are_configurable() -> None:
    easy = Thresholds(network_residents=2, network_activities=0)
    assert measured_stage(metrics(residents=2, active_initiators=1), easy) == \
        "beginning_network"
