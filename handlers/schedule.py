"""The sweeper: the scheduler wakes it every minute and it does whatever is due.

Due times live in the database, each with its own "done" marker, so a sweep after a
restart does what fell due while the bot was down, once.
"""

import logging
from datetime import datetime, timedelta

from bot.context import BuurtnetContext
from bot.services import ladder, stages
from handlers import (
    activities,
    approvals,
    digest,
    ideas,
    introductions,
)

log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(minutes=1)

# Reports first: they are what cannot wait.
STEPS = (lambda context: ladder.run_due(context.services), approvals.run_due,
         introductions.run_due, ideas.run_due, activities.run_due,
         lambda context: stages.run_due(context.services), digest.run_due)

# What can fall due later, each as "when next"; what the other steps do is due at once.
NEXT_DUE = (lambda context: ladder.next_due(context.services), introductions.next_due,
            activities.next_due, lambda context: stages.next_due(context.services), digest.next_due)


async def next_due(context: BuurtnetContext) -> datetime | None:
    """The earliest moment after now that a step has something to do, as the database says.

    What was due at or before now had its sweep already; if it is still there, the sweep
    could not do it (it is retried at the next moment), so it does not count as next.
    """
    now = context.clock.now()
    moments = [moment for find in NEXT_DUE
               if (moment := await find(context)) is not None and moment > now]
    return min(moments, default=None)


async def sweep(context: BuurtnetContext) -> None:
    """Everything due now, feature by feature; one failing feature does not stop the rest."""
    failures: list[Exception] = []
    for step in STEPS:
        try:
            await step(context)
        except Exception as exc:
            log.exception("sweep step %s failed", step.__module__)
            failures.append(exc)
    if failures:
        raise failures[0]  # the error handler tells the operators
