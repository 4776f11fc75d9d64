"""The application factory: builder settings, services, and the handler registration."""

import asyncio
import logging
from datetime import timedelta

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.context import DELIVERER, SERVICES, BuurtnetApp, BuurtnetContext
from bot.delivery import TELEGRAM_PACING, Deliverer, Pacing
from bot.intake import DurableQueue
from bot.jobs import sweeper
from bot.roles import standing_of
from bot.services import Services, retention
from bot.telegram_api import BuurtnetBot
from handlers import (
    activities,
    approvals,
    basics,
    conversation,
    errors,
    escalations,
    fallback,
    groups,
    ideas,
    initiators,
    introductions,
    operator,
    oversight,
    privacy,
    private_buttons,
    profile,
    reports,
    settings,
    signup,
    stage,
    start,
    tenancy,
    tracking,
)
from handlers.menus import apply_personal_menu, setup_command_menus

log = logging.getLogger(__name__)

DELIVERY_TASK = "delivery_task"
DELIVERY_STOP_TIMEOUT = 5.0
HOUSEKEEPING_EVERY = timedelta(hours=6)


def register_handlers(app: Application) -> None:
    """Every handler, in one place. Order matters: the first match in a group wins."""
    app.add_handlers(tracking.before(), group=tracking.BEFORE)
    app.add_handlers([
        *private_buttons.handlers(),  # first: a press in a group that belongs in private
        *start.handlers(),
        *basics.handlers(),
        *signup.handlers(),
        *approvals.handlers(),
        *profile.handlers(),
        *privacy.handlers(),
        *operator.handlers(),
        *groups.handlers(),
        *initiators.handlers(),
        *introductions.handlers(),
        *settings.handlers(),
        *ideas.handlers(),
        *activities.handlers(),
        *reports.handlers(),
        *escalations.handlers(),
        *tenancy.handlers(),
        *oversight.handlers(),
        *stage.handlers(),
        *conversation.handlers(
            [*signup.flows(), *operator.flows(), *profile.flows(), *settings.flows(),
             *activities.flows(), *reports.flows(), *escalations.flows()],
            unprompted=[escalations.typed_answer, escalations.replied_question]),
        *fallback.handlers(),  # last: what nothing above recognised
    ])
    app.add_handlers(tracking.after(), group=tracking.AFTER)
    app.add_error_handler(errors.on_error)


async def open_services(app: Application) -> None:
    """Open the database, apply migrations, set menus and start housekeeping."""
    config: Config = app.bot_data["config"]
    clock: Clock = app.bot_data["clock"]
    services = await Services.open(config, clock)
    app.bot_data[SERVICES] = services
    deliverer = Deliverer(services, app.bot, app.bot_data["pacing"])
    app.bot_data[DELIVERER] = deliverer
    services.db.on_commit(lambda _update: deliverer.kick())  # what was queued goes out now
    try:
        await setup_command_menus(app.bot, config.language)
    except TelegramError:
        log.warning("could not set the command menus; going on without", exc_info=True)
    # Menus per person are Telegram's memory, not ours: set them again at every start, so
    # a menu that failed to be set (or a role changed while the bot was down) is repaired.
    people = set(config.operators) | set(await services.repos.people.with_personal_menus())
    for telegram_id in sorted(people):
        who = await standing_of(services.repos, config.operators, telegram_id)
        language = await services.repos.people.language_of(telegram_id) or config.language
        await apply_personal_menu(app.bot, who, language)
    if app.job_queue is not None:
        app.job_queue.run_repeating(housekeeping, HOUSEKEEPING_EVERY, first=timedelta(minutes=1),
                                    name="housekeeping")
        # What fell due while the bot was down happens right after start. (A repeating job
        # whose first run is already past when the scheduler starts would wait a whole
        # interval; a one-off job runs late instead.)
        app.job_queue.run_once(_sweep, 0, name="first sweep")
        app.job_queue.run_repeating(_sweep, sweeper.SWEEP_EVERY, first=sweeper.SWEEP_EVERY,
                                    name="sweep")


async def _sweep(context: BuurtnetContext) -> None:
    await sweeper.sweep(context.services)


async def start_up(app: Application) -> None:
    """post_init of a running bot: the services, then the outbox sender beside polling.

    Tests and the console call open_services alone and flush the outbox themselves.
    """
    await open_services(app)
    services: Services = app.bot_data[SERVICES]
    assert isinstance(app.update_queue, DurableQueue)
    await app.update_queue.attach(services.repos.inbox, app.bot, services.clock.now())
    app.bot_data[DELIVERY_TASK] = asyncio.create_task(app.bot_data[DELIVERER].run())


async def stop_delivery(app: Application) -> None:
    """Let the sender finish the message in hand (so it is marked sent), then stop it."""
    task: asyncio.Task | None = app.bot_data.pop(DELIVERY_TASK, None)
    if task is None:
        return
    app.bot_data[DELIVERER].stop()
    try:
        await asyncio.wait_for(task, DELIVERY_STOP_TIMEOUT)
    except TimeoutError:
        log.warning("the outbox sender did not stop in time; a message may be sent twice")


async def close_services(app: Application) -> None:
    await stop_delivery(app)  # if start-up failed half-way, post_stop never ran
    services: Services | None = app.bot_data.pop(SERVICES, None)
    if services is not None:
        await services.close()


async def housekeeping(context: BuurtnetContext) -> None:
    await retention.purge(context.services)


def build_application(
    config: Config,
    *,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    pacing: Pacing = TELEGRAM_PACING,
) -> BuurtnetApp:
    bot = BuurtnetBot(
        config.token,
        base_url=config.api_base_url or "https://api.telegram.org/bot",
        # As ApplicationBuilder makes them: a pool for the calls, one for polling.
        request=request or HTTPXRequest(connection_pool_size=256),
        get_updates_request=updates_request or request or HTTPXRequest(),
        defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=config.tz),
    )
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=BuurtnetContext))
        .concurrent_updates(False)
        .update_queue(DurableQueue())
        .post_init(start_up)
        .post_stop(stop_delivery)
        .post_shutdown(close_services)
    )
    app = builder.build()
    app.bot_data["config"] = config
    app.bot_data["clock"] = clock or SystemClock()
    app.bot_data["pacing"] = pacing
    if app.job_queue is not None:
        # configure() replaces the whole configuration, so start from PTB's own.
        app.job_queue.scheduler.configure(
            **app.job_queue.scheduler_configuration,
            job_defaults={"misfire_grace_time": 3600, "coalesce": True},
        )
    register_handlers(app)
    return app


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]  # all the handlers use
