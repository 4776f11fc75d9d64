"""The sweeper: the scheduler wakes it every minute and it does whatever is due.

Due times live in the database, each with its own "done" marker, so a sweep after a
restart does what fell due while the bot was down, once.
"""

from datetime import timedelta

from bot.context import BuurtnetContext
from handlers import activities, digest, escalations, ideas, introductions, stage_changes

SWEEP_EVERY = timedelta(minutes=1)


async def sweep(context: BuurtnetContext) -> None:
    """Everything due now, feature by feature."""
    await escalations.run_due(context)
    await introductions.run_due(context)
    await ideas.run_due(context)
    await activities.run_due(context)
    await stage_changes.run_due(context)
    await digest.run_due(context)
