"""A report's escalation ladder: where it goes when a level's time is up.

Level by level along the chain; after the last level a second lap from the first, and
after that nowhere: the operators are alerted and the report waits for a person.
"""

from enum import StrEnum

LAPS = 2


class Climb(StrEnum):
    LEVEL = "level"  # to the next level of this lap
    LAP = "lap"  # from the last level to the first, once more
    EXHAUSTED = "exhausted"  # nowhere left to go


def next_climb(lap: int, level: int, levels: int) -> Climb:
    """The step from level `level` (0-based) of `levels`, on lap `lap` (1-based)."""
    if level + 1 < levels:
        return Climb.LEVEL
    return Climb.LAP if lap < LAPS else Climb.EXHAUSTED


def on_last_lap(lap: int) -> bool:
    return lap >= LAPS
