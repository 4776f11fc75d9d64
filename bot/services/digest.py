"""The weekly digest: every Monday at 09:00 each contact gets, per complex, the stage with its
criteria and the week's new residents, introductions, activities, reports and the reports
still waiting for someone to pick them up.

Due-ness is recomputed from the database on every sweep: the digests table remembers which
(complex, contact, week) was sent, so a restart neither skips nor repeats one.
"""

import html
from datetime import datetime

from bot.domain import outbox_keys
from bot.domain.digest import WEEK, digest_week
from bot.domain.labels import category_label, stage_name, status_label
from bot.domain.models import Complex
from bot.domain.reports import reference
from bot.domain.stages import Metrics
from bot.domain.vocabulary import CATEGORIES
from bot.i18n import _, ngettext, use_language
from bot.services import Services
from bot.services.outgoing import language_for, queue
from bot.services.stage_texts import criteria_view
from bot.services.stages import day
from bot.storage.stages import WeekFigures

LIST_MAX = 10
"""At most this many activities and waiting reports are listed one by one."""


def _more(total: int) -> list[str]:
    return [_("… and {count} more").format(count=total - LIST_MAX)] if total > LIST_MAX else []


def _activity_lines(figures: WeekFigures) -> list[str]:
    lines = [_("Activities held: {count}").format(count=len(figures.activities))]
    for activity in figures.activities[:LIST_MAX]:
        title = html.escape(activity.title)
        if activity.attendance is None:
            lines.append(f"• {title}")
        else:
            lines.append("• " + ngettext("{title}, about {count} person",
                                         "{title}, about {count} people",
                                         activity.attendance).format(
                title=title, count=activity.attendance))
    return lines + _more(len(figures.activities))


def _report_lines(figures: WeekFigures) -> list[str]:
    if not figures.reports:
        return [_("No reports this week.")]
    lines = []
    for category in CATEGORIES:
        counts = [_("{status}: {count}").format(status=status_label(status), count=count)
                  for kind, status, count in figures.reports if kind == category]
        if counts:
            lines.append("• " + _("{category}: {counts}").format(
                category=category_label(category), counts=", ".join(counts)))
    return lines


def _waiting_lines(services: Services, figures: WeekFigures) -> list[str]:
    if not figures.unacknowledged:
        return [_("None: every report was picked up.")]
    lines = ["• " + _("{reference}, {category}, since {date}").format(
        reference=reference(item.report_id), category=category_label(item.category),
        date=day(services.config.tz, item.created_at))
        for item in figures.unacknowledged[:LIST_MAX]]
    return lines + _more(len(figures.unacknowledged))


def digest_text(services: Services, complex_: Complex, metrics: Metrics,
                figures: WeekFigures, until: datetime) -> str:
    stage = _("Stage: <b>{stage}</b>").format(stage=stage_name(complex_.effective_stage))
    if complex_.stage_override:
        stage += " " + _("(set by a contact; measured: {stage})").format(
            stage=stage_name(complex_.stage))
    return "\n".join([
        _("<b>Weekly digest for {complex}</b> (#{number}): the seven days up to {date}").format(
            complex=html.escape(complex_.name), number=complex_.id,
            date=day(services.config.tz, until)),
        "",
        stage,
        *criteria_view(services.config, complex_, metrics, for_initiators=False),
        "",
        _("<b>The past week</b>"),
        _("New residents: {count}").format(count=figures.new_residents),
        _("Introductions proposed: {made} · acquaintances confirmed: {confirmed}").format(
            made=figures.introductions_made, confirmed=figures.introductions_confirmed),
        *_activity_lines(figures),
        "",
        _("<b>Reports of the past week</b>"),
        *_report_lines(figures),
        "",
        _("<b>Still waiting for someone to pick them up</b>"),
        *_waiting_lines(services, figures),
        "",
        _("/stage {number} shows the details.").format(number=complex_.id),
    ])


async def next_due(services: Services) -> datetime | None:
    """This week's digest moment, or next week's once it has passed."""
    now = services.clock.now()
    _week, moment = digest_week(now, services.config.tz)
    return moment if now < moment else digest_week(now + WEEK, services.config.tz)[1]


async def run_due(services: Services) -> None:
    """Send this week's digests once its Monday 09:00 has passed, each once."""
    now = services.clock.now()
    week, moment = digest_week(now, services.config.tz)
    if now < moment:
        return
    repos = services.repos
    for due in await repos.digests.due(week, moment):
        complex_ = await repos.complexes.get(due.complex_id)
        assert complex_ is not None  # contacts go when their complex goes
        metrics = await repos.stages.metrics(complex_.id, services.config.stage_thresholds)
        figures = await repos.digests.figures(complex_.id, moment - WEEK, moment)
        with use_language(await language_for(services, due.telegram_id)):
            text = digest_text(services, complex_, metrics, figures, moment)
        await queue(services, outbox_keys.DIGEST.of(complex_.id, due.telegram_id, week),
                     due.telegram_id, text)
        await repos.digests.mark_sent(complex_.id, due.telegram_id, week)
