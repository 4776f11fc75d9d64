"""Double opt-in introductions: weekly rounds, /meet, and "did you meet?".

Until everyone in an introduction said yes, nobody is sent anything that identifies the
others on Telegram: only a first name, a building and shared interests. After that, each
gets the others as a mention link so they can write to each other.
"""

import asyncio
import html
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from functools import partial

from bot.domain import matching, outbox_keys
from bot.domain.button_data import pack
from bot.domain.introductions import ROUND_EVERY, Answer, latest_round_due, round_seed
from bot.domain.models import Resident
from bot.domain.signup import interest_labels
from bot.i18n import _, use_language
from bot.services import Services
from bot.services.outgoing import Rows, button, language_for, queue
from bot.services.stages import refresh_stage
from bot.storage.introductions import Introduction, Member
from bot.storage.outbox import Message, Shown


def _describe(member: Member, viewer: Member) -> str:
    """First name, building and shared interests: nothing that finds them on Telegram."""
    text = f"<b>{html.escape(member.first_name)}</b>"
    if member.building:
        text += " " + _("(building or floor {building})").format(
            building=html.escape(member.building))
    shared = sorted(member.interests & viewer.interests)
    if shared:
        text += " — " + _("you both like: {interests}").format(
            interests=interest_labels(shared))
    return text


def _mention(member: Member) -> str:
    return f'<a href="tg://user?id={member.telegram_id}">{html.escape(member.first_name)}</a>'


def _shown(member: Member, as_text: str) -> Shown:
    """How a message shows `member`, and what says it instead once they are forgotten."""
    return Shown(member.telegram_id, as_text, _("a neighbour who has since left Buurtnet"))


Rendered = tuple[str, Rows | None, tuple[Shown, ...]]
Render = Callable[[Member], Rendered]


async def _send_to_members(
    services: Services, introduction: Introduction, purpose: str, render: Render
) -> None:
    """Through the outbox, once per member and purpose ("propose", "mention")."""
    for member in introduction.members:
        with use_language(await language_for(services, member.telegram_id)):
            text, keyboard, shows = render(member)
            await queue(services, _key(introduction.id, purpose, member.resident_id),
                         member.telegram_id, text, keyboard, shows)


def _key(introduction_id: int, purpose: str, resident_id: int) -> str:
    return outbox_keys.INTRODUCTION.of(introduction_id, purpose, resident_id)


def _proposal(introduction: Introduction, member: Member) -> Rendered:
    shows = tuple(_shown(other, _describe(other, member))
                  for other in introduction.others(member.resident_id))
    people = "\n".join(shown.shown_as for shown in shows)
    text = _("Would you like to meet a neighbour?\n{people}\n\nIf everyone says yes, I will put "
             "you in touch. If not, nobody is told who said no.").format(people=people)
    return text, [[button(_("Yes, introduce us"), pack("in", "yes", introduction.id)),
                   button(_("Not this week"), pack("in", "no", introduction.id))]], shows


def _introduced(introduction: Introduction, member: Member) -> Rendered:
    shows = tuple(_shown(other, _mention(other))
                  for other in introduction.others(member.resident_id))
    return _("You are introduced! Say hello to {people}: tap the name to write to them.").format(
        people=", ".join(shown.shown_as for shown in shows)), None, shows


def _follow_up(introduction: Introduction, member: Member) -> Rendered:
    shows = tuple(_shown(other, f"<b>{html.escape(other.first_name)}</b>")
                  for other in introduction.others(member.resident_id))
    people = ", ".join(shown.shown_as for shown in shows)
    return _("Did you meet {people}?").format(people=people), [[
        button(_("Yes"), pack("mt", "yes", introduction.id)),
        button(_("Not yet"), pack("mt", "later", introduction.id)),
        button(_("No"), pack("mt", "no", introduction.id)),
    ]], shows


async def _introduce(services: Services, introduction_id: int) -> None:
    introduction = await services.repos.introductions.get(introduction_id)
    if introduction is not None:
        await _send_to_members(services, introduction, "mention",
                               partial(_introduced, introduction))


async def _propose(services: Services, introduction_id: int) -> None:
    introduction = await services.repos.introductions.get(introduction_id)
    if introduction is not None:
        await _send_to_members(services, introduction, "propose",
                               partial(_proposal, introduction))


async def answer(services: Services, introduction_id: int, resident_id: int,
                 yes: bool) -> Answer:
    """A member's yes or no; the last yes introduces everyone to each other."""
    async with services.db.unit():  # the answer, and the introduction it completes
        outcome = await services.repos.introductions.answer(introduction_id, resident_id, yes)
        if outcome is Answer.ACCEPTED:
            await _introduce(services, introduction_id)
    return outcome


async def record_meeting(services: Services, introduction: Introduction, resident_id: int,
                         met: str) -> bool | None:
    """Whether they met ("yes", "not_yet", "no"): True if they will be asked again, None
    if they answered before."""
    async with services.db.unit():  # the answer and the stage it may change
        ask_again = await services.repos.introductions.record_meeting(introduction.id,
                                                                      resident_id, met)
        if ask_again is not None and met == "yes":
            await refresh_stage(services, introduction.complex_id)
    return ask_again


class Meeting(Enum):
    PROPOSED = "proposed"
    """A neighbour was available: both are asked now."""
    WAITING = "waiting"
    """Nobody is available now: the request waits for the sweeper."""
    IN_ONE_ALREADY = "in one already"
    """An introduction of theirs still waits for answers."""
    ASKED_ALREADY = "asked already"


async def request_meeting(services: Services, resident: Resident) -> Meeting:
    """/meet: an introduction now if a neighbour is available, else the request waits for
    the sweeper; one open introduction and one request at a time."""
    if await services.repos.introductions.in_open_introduction(resident.id):
        return Meeting.IN_ONE_ALREADY
    if await services.repos.introductions.has_meet_request(resident.id):
        return Meeting.ASKED_ALREADY
    async with services.db.unit():  # the introduction and its proposals, together
        introduction_id = await services.repos.introductions.request_meeting(
            resident.complex_id, resident.id,
            partial(matching.best_partner, now=services.clock.now()))
        if introduction_id is not None:
            await _propose(services, introduction_id)
    return Meeting.WAITING if introduction_id is None else Meeting.PROPOSED


# -- the sweeper's work --------------------------------------------------------------


async def next_due(services: Services) -> datetime | None:
    """The next round of a complex with introductions on, expiry or follow-up."""
    now = services.clock.now()
    moments = [latest_round_due(now + ROUND_EVERY, complex_.intro_weekday,
                                complex_.intro_time, services.config.tz)
               for complex_ in await services.repos.complexes.all() if complex_.intro_enabled]
    pending = await services.repos.introductions.next_due_at()
    return min([*moments, *([pending] if pending else [])], default=None)


async def run_due(services: Services) -> None:
    """Expire unanswered introductions, hold due rounds, serve /meet, ask follow-ups."""
    repos, now = services.repos, services.clock.now()
    await repos.introductions.expire()
    for complex_ in await repos.complexes.all():
        if not complex_.intro_enabled:
            continue
        due = latest_round_due(now, complex_.intro_weekday, complex_.intro_time,
                               services.config.tz)
        if due <= (complex_.intro_changed_at or complex_.created_at):
            continue
        if await repos.introductions.round_held(complex_.id, due):
            continue
        candidates, recent = await repos.introductions.round_inputs(complex_.id)
        # Matching a large complex takes a while: in a thread, outside the write lock.
        groups = await asyncio.to_thread(matching.match, candidates, recent, now,
                                         round_seed(complex_.id, due))
        async with services.db.unit():  # the round and its proposals, together
            created = await repos.introductions.hold_round(complex_.id, due, groups)
            for introduction_id in created or ():
                await _propose(services, introduction_id)
    for complex_id, resident_id in await repos.introductions.meet_requests():
        async with services.db.unit():
            introduction_id = await repos.introductions.request_meeting(
                complex_id, resident_id, partial(matching.best_partner, now=now))
            if introduction_id is not None:
                await _propose(services, introduction_id)
    for introduction_id, resident_id, sent in await repos.introductions.due_follow_ups():
        introduction = await repos.introductions.get(introduction_id)
        member = introduction.member(resident_id) if introduction else None
        if introduction is None or member is None:
            continue
        with use_language(await language_for(services, member.telegram_id)):
            text, keyboard, shows = _follow_up(introduction, member)
        await repos.introductions.send_follow_up(introduction_id, resident_id, Message(
            _key(introduction_id, f"followup{sent + 1}", resident_id), member.telegram_id,
            text, keyboard, shows=shows))
    # Messages lost to a crash between a change and its sending are queued now.
    for introduction_id in await repos.introductions.without_messages("proposed", "propose"):
        await _propose(services, introduction_id)
    for introduction_id in await repos.introductions.without_messages("accepted", "mention"):
        await _introduce(services, introduction_id)
