"""Sending a report: stored with its route, shared in the group if the reporter chose so,
and on its escalation ladder, in one unit of work; nobody is told before it commits."""

import html
from enum import Enum
from typing import Any

from bot.domain import outbox_keys
from bot.domain.button_data import pack
from bot.domain.labels import category_label
from bot.domain.models import Complex, Resident
from bot.domain.reports import group_line, may_share
from bot.domain.routing import is_urgent
from bot.domain.vocabulary import ReportStatus
from bot.i18n import _, use_language
from bot.services import Services, ladder
from bot.services.outgoing import Rows, button, queue
from bot.storage.reports import Report


def shared_text(report: Report) -> str:
    """The group's post: the category and the approved line, never the private text."""
    return _("<b>A neighbour shared a concern</b> ({category})\n{what}\n\nDo you recognise "
             "this? Press \"me too\". Do not discuss suspects here; report privately with "
             "/report.").format(category=category_label(report.category),
                                what=html.escape(group_line(report.category, report.group_text)))


def me_too_keyboard(report: Report) -> Rows:
    label = _("Me too ({count})").format(count=report.me_too)
    return [[button(label, pack("me", record=report.id))]]


class MeToo(Enum):
    COUNTED = "counted"
    RESOLVED = "resolved"
    OWN = "own"
    """The reporter's own concern counts already."""
    ALREADY = "already"


async def me_too(services: Services, report: Report, resident: Resident
                 ) -> tuple[MeToo, Report]:
    """A neighbour recognises a concern shared in the group: counted once per person; and
    the report with its count as it is now."""
    if report.status is ReportStatus.RESOLVED:
        return MeToo.RESOLVED, report
    if resident.telegram_id == report.reporter_id:
        return MeToo.OWN, report
    if not await services.repos.reports.me_too(report.id, resident.telegram_id):
        return MeToo.ALREADY, report
    counted = await services.repos.reports.get(report.id)
    assert counted is not None
    return MeToo.COUNTED, counted


async def submit(services: Services, resident: Resident, complex_: Complex,
                 answers: dict[str, Any]) -> Report:
    """The report the reporter's `answers` describe, stored (the draft with it), shared
    in the group if chosen, and on its ladder."""
    repos = services.repos
    stage = complex_.effective_stage
    urgent = is_urgent(answers["now"], answers["category"])
    location = answers.get("location") or [None, None]
    # Asked only where it may be, and checked again: the group could have gone meanwhile.
    shared = bool(answers.get("share")) and may_share(
        answers["kind"], answers["category"], urgent=urgent,
        group_linked=complex_.group_chat_id is not None)
    async with services.db.unit():  # stored, shared and on its ladder, together
        report_id = await repos.reports.create(
            complex_id=complex_.id, reporter_id=resident.telegram_id,
            reporter_name=None if answers["anonymous"] else resident.first_name,
            kind=answers["kind"], category=answers["category"], happening_now=answers["now"],
            urgent=urgent, occurred=answers["when"], place=answers.get("where"),
            latitude=location[0], longitude=location[1], description=answers["what"],
            photo_file_id=answers.get("photo"), stage=stage,
            shared_in_group=shared, group_text=answers.get("group_text") if shared else None,
            chain=services.config.routing.chain(stage, answers["kind"], answers["category"],
                                                urgent),
        )
        report = await repos.reports.get(report_id)
        assert report is not None
        if report.shared_in_group and complex_.group_chat_id is not None:
            with use_language(complex_.language):
                await queue(services, outbox_keys.SHARED.of(report.id), complex_.group_chat_id,
                            shared_text(report), me_too_keyboard(report))
        await ladder.advance(services, report_id, reporter_told=True)
        report = await repos.reports.get(report_id)
    assert report is not None
    return report
