"""What is kept only for a while (see the retention settings in the README): the texts of
resolved reports, the link between an anonymous report and its sender, copies of messages
sent, update ids, abandoned conversations and updates that could not be handled."""

from datetime import timedelta

from bot.clock import to_db
from bot.services import Services
from bot.storage.inbox import KEEP_FAILED, MAX_ATTEMPTS

KEEP_UPDATE_IDS = timedelta(days=8)
KEEP_DRAFTS = timedelta(days=30)


async def purge(services: Services) -> None:
    now = services.clock.now()
    repos, config = services.repos, services.config
    await repos.inbox.give_up(MAX_ATTEMPTS, to_db(now - KEEP_FAILED))
    await repos.updates.prune(to_db(now - KEEP_UPDATE_IDS))
    await repos.drafts.prune(to_db(now - KEEP_DRAFTS))
    await repos.reports.unlink_anonymous(now - timedelta(days=config.anonymous_link_days))
    kept = now - timedelta(days=config.report_retention_days)
    await repos.reports.purge_resolved(kept)
    await repos.outbox.purge_sent(kept)
