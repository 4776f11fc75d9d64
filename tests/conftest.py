from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Config
from tests.people import OPERATOR
from tests.world import World

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"


def make_config(tmp_path: Path, **overrides: object) -> Config:
    values: dict = {
        "token": TOKEN,
        "database": str(tmp_path / "buurtnet.sqlite3"),
        "operators": frozenset({OPERATOR["id"]}),
        "language": "en",
    }
    values.update(overrides)
    return Config(**values)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def world(tmp_path: Path, clock: ManualClock) -> AsyncIterator[World]:
    world = await World.start(make_config(tmp_path), clock)
    yield world
    await world.stop()
