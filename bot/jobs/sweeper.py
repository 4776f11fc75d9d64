"""The sweeper: the scheduler wakes it every minute and it does whatever is due.

Due times live in the database, each with its own "done" marker, so a sweep after a
restart does what fell due while the bot was down, once.
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.services import (
    Services,
    activities,
    digest,
    ideas,
    introductions,
    joining,
    ladder,
    stages,
    tenancy,
)

log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(minutes=1)

# Reports first: they are what cannot wait.
STEPS: tuple[Callable[[Services], Awaitable[None]], ...] = (
    ladder.run_due, joining.run_due, introductions.run_due, ideas.run_due, activities.run_due,
    stages.run_due, digest.run_due, tenancy.run_due)

# What can fall due later, each as "when next"; what the other steps do is due at once.
NEXT_DUE: tuple[Callable[[Services], Awaitable[datetime | None]], ...] = (
    ladder.next_due, introductions.next_due, activities.next_due, stages.next_due,
    digest.next_due)


async def next_due(services: Services) -> datetime | None:
    """The earliest moment after now that a step has something to do, as the database says.

    What was due at or before now had its sweep already; if it is still there, the sweep
    could not do it (it is retried at the next moment), so it does not count as next.
    """
    now = services.clock.now()
    moments = [moment for find in NEXT_DUE
               if (moment := await find(services)) is not None and moment > now]
    return min(moments, default=None)


async def sweep(services: Services) -> None:
    """Everything due now, feature by feature; one failing feature does not stop the rest."""
    failures: list[Exception] = []
    for step in STEPS:
        try:
            await step(services)
        except Exception as exc:
            log.exception("sweep step %s failed", step.__module__)
            failures.append(exc)
    if failures:
        raise failures[0]  # the error handler tells the operators
