"""Kept only for a while: the link between an anonymous report and its sender (30 days
after resolution), and copies of messages sent (a year), as the retention settings say."""

from datetime import timedelta

from bot.services import Services, retention
from tests.conftest import make_config
from tests.people import CONTACT, INITIATOR
from tests.test_ideas import _propose
from tests.test_reports import REPORTER, _complex, _escalation, _report
from tests.world import GROUP_ID, World, last_message


def _services(world: World) -> Services:
    return world.app.bot_data["services"]


async def _resolved(world: World, identity: str, share: str | None = None) -> None:
    escalation = _escalation(await _report(world, identity=identity, share=share), CONTACT)
    await world.press(CONTACT, escalation, "es:ack:1")
    await world.press(CONTACT, escalation, "es:res:1")
    await world.say(CONTACT, "Spoke to them.")


async def _to_reporter(world: World) -> list[str]:
    return await _services(world).db.fetch_column(
        "SELECT key FROM outbox WHERE chat_id = ? ORDER BY id", (REPORTER["id"],))


async def test_an_anonymous_report_loses_its_sender_30_days_after_resolution(
        world: World) -> None:
    await _complex(world)
    await _resolved(world, "anonymous")
    assert "R-0001" in last_message(await world.say(REPORTER, "/myreports")).text
    news = [key for key in await _to_reporter(world) if key.split(":")[0] in (
        "ack", "resolved")]
    assert len(news) == 2
    world.clock.advance(timedelta(days=29))
    await retention.purge(_services(world))
    assert (await world.repos.reports.get(1)).reporter_id == REPORTER["id"]
    world.clock.advance(timedelta(days=2))
    await retention.purge(_services(world))
    report = await world.repos.reports.get(1)
    assert report.reporter_id == 0 and report.description  # the record stays, for now
    assert not set(news) & set(await _to_reporter(world))
    assert "R-0001" not in last_message(await world.say(REPORTER, "/myreports")).text


async def test_a_named_report_keeps_its_sender_until_its_texts_go(world: World) -> None:
    await _complex(world)
    await _resolved(world, "named")
    world.clock.advance(timedelta(days=31))
    await retention.purge(_services(world))
    assert (await world.repos.reports.get(1)).reporter_id == REPORTER["id"]


async def test_copies_of_sent_messages_go_after_a_year_but_open_posts_stay(
        world: World) -> None:
    await _complex(world, group=True)
    await _resolved(world, "anonymous", share="no")
    post = await _propose(world, INITIATOR, "A film night")
    world.clock.advance(timedelta(days=366))
    await retention.purge(_services(world))
    kept = await _services(world).db.fetch_column("SELECT key FROM outbox ORDER BY id")
    assert kept == ["idea:1"]  # the post of an idea still open: votes still edit it
    await world.feed(world.telegram.press_update(INITIATOR, GROUP_ID,
                                                 post.result["message_id"], "idea:support:1"))
    assert world.telegram.messages[(GROUP_ID, post.result["message_id"])]["reply_markup"][
        "inline_keyboard"][0][0]["text"] == "👍 1"


async def test_the_retention_settings_are_read_and_checked(tmp_path) -> None:
    from bot.config import ConfigError, load_config
    from tests.conftest import TOKEN

    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "BUURTNET_ANONYMOUS_LINK_DAYS": "7"})
    assert config.anonymous_link_days == 7 and config.report_retention_days == 365
    assert make_config(tmp_path).anonymous_link_days == 30
    for bad in ("0", "٣", "a month", "3651"):
        try:
            load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "BUURTNET_ANONYMOUS_LINK_DAYS": bad})
        except ConfigError as error:
            assert "from 1 to 3650" in str(error)
        else:
            raise AssertionError(bad)
