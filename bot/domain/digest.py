"""When the weekly digest for contacts is due: Monday 09:00 in the deployment's time zone."""

from datetime import UTC, datetime, time, timedelta, tzinfo

DIGEST_TIME = time(9, 0)  # on the Monday that starts the ISO week
WEEK = timedelta(days=7)


def digest_week(now: datetime, tz: tzinfo) -> tuple[str, datetime]:
    """The ISO week `now` falls in (like "2026-W02") and its digest moment, in UTC.

    The moment may still be ahead of `now`: early on Monday, before 09:00.
    """
    local = now.astimezone(tz)
    year, week, _weekday = local.isocalendar()
    monday = local.date() - timedelta(days=local.weekday())
    moment = datetime.combine(monday, DIGEST_TIME, tzinfo=tz).astimezone(UTC)
    return f"{year}-W{week:02d}", moment
