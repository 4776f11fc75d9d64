"""The ladder's next step, without Telegram or a database."""

from bot.domain.ladder import LAPS, Climb, next_climb, on_last_lap


def test_a_ladder_climbs_level_by_level_then_once_more_then_stops() -> None:
    steps = []
    lap, level = 1, 0
    while (step := next_climb(lap, level, 3)) is not Climb.EXHAUSTED:
        steps.append(step)
        lap, level = (lap, level + 1) if step is Climb.LEVEL else (lap + 1, 0)
    assert steps == [Climb.LEVEL, Climb.LEVEL, Climb.LAP, Climb.LEVEL, Climb.LEVEL]
    assert (lap, level) == (LAPS, 2) and on_last_lap(lap) and not on_last_lap(1)


def test_a_one_level_chain_goes_round_twice() -> None:
    assert next_climb(1, 0, 1) is Climb.LAP
    assert next_climb(2, 0, 1) is Climb.EXHAUSTED
