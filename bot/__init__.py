"""Buurtnet: a Telegram bot that helps neighbours in large housing complexes know each other."""

import os

# Opt in to PTB's coming behaviour: time periods (such as RetryAfter.retry_after) are
# timedeltas, without the deprecation warning every flood answer would otherwise log.
os.environ.setdefault("PTB_TIMEDELTA", "true")
