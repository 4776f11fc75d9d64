"""The stage engine: from a complex's measured behaviour to its network stage.

Pure rules, no Telegram and no SQL. A complex moves up as soon as it meets a higher
stage's criteria; it moves down only after its current stage's criteria have failed for
`hysteresis_days` in a row. A contact's override holds until it is lifted.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.vocabulary import STAGES


@dataclass(frozen=True)
class Thresholds:
    network_residents: int = 5
    network_initiators: int = 1
    network_activities: int = 1
    network_introduced_share: float = 0.15
    group_initiators: int = 3
    group_activities: int = 3
    group_acquainted_share: float = 0.30
    group_neighbours_known: int = 2
    window_days: int = 90
    hysteresis_days: int = 30


@dataclass(frozen=True)
class Metrics:
    residents: int
    active_initiators: int
    activities_held: int  # in the last `window_days`
    introduced_residents: int  # with at least one confirmed introduction
    acquainted_residents: int  # who know at least `group_neighbours_known` neighbours
    committee: bool

    def share(self, count: int) -> float:
        return count / self.residents if self.residents else 0.0


@dataclass(frozen=True)
class Criterion:
    """One condition of a stage, with the measured value and the threshold to reach."""

    key: str
    value: float
    threshold: float
    met: bool
    is_share: bool = False


@dataclass(frozen=True)
class StageCheck:
    stage: str
    criteria: tuple[Criterion, ...]
    met: bool


def _at_least(key: str, value: float, threshold: float, share: bool = False) -> Criterion:
    return Criterion(key, value, threshold, value >= threshold, share)


def check(stage: str, metrics: Metrics, limits: Thresholds) -> StageCheck:
    """The criteria of `stage` with their values; loose sand has none and is always met."""
    if stage == "loose_sand":
        return StageCheck(stage, (), True)
    if stage == "beginning_network":
        activities = _at_least("activities", metrics.activities_held, limits.network_activities)
        introduced = _at_least("introduced_share", metrics.share(metrics.introduced_residents),
                               limits.network_introduced_share, share=True)
        either = Criterion("activities_or_introduced", 0, 0, activities.met or introduced.met)
        criteria = (
            _at_least("residents", metrics.residents, limits.network_residents),
            _at_least("initiators", metrics.active_initiators, limits.network_initiators),
            activities, introduced,
        )
        met = criteria[0].met and criteria[1].met and either.met
        return StageCheck(stage, criteria, met)
    criteria = (
        Criterion("committee", int(metrics.committee), 1, metrics.committee),
        _at_least("initiators", metrics.active_initiators, limits.group_initiators),
        _at_least("activities", metrics.activities_held, limits.group_activities),
        _at_least("acquainted_share", metrics.share(metrics.acquainted_residents),
                  limits.group_acquainted_share, share=True),
    )
    return StageCheck(stage, criteria, all(criterion.met for criterion in criteria))


def measured_stage(metrics: Metrics, limits: Thresholds) -> str:
    """The highest stage whose criteria (and those of the stages below) are met."""
    reached = "loose_sand"
    for stage in STAGES[1:]:
        if not check(stage, metrics, limits).met:
            break
        reached = stage
    return reached


@dataclass(frozen=True)
class Decision:
    stage: str
    failing_since: datetime | None
    changed: bool


def decide(
    current: str, metrics: Metrics, limits: Thresholds, failing_since: datetime | None,
    now: datetime,
) -> Decision:
    """The next stage, applying hysteresis on the way down."""
    measured = measured_stage(metrics, limits)
    if STAGES.index(measured) >= STAGES.index(current):
        return Decision(measured, None, measured != current)
    since = failing_since or now
    if now - since >= timedelta(days=limits.hysteresis_days):
        return Decision(measured, None, True)
    return Decision(current, since, False)
