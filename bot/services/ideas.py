"""Ideas: proposing one, and its post in the complex's group with 👍 and 🙋 buttons, queued
as soon as the complex has a group."""

import html
from enum import Enum

from bot.domain import ideas, outbox_keys
from bot.domain.button_data import pack
from bot.domain.ideas import Idea
from bot.domain.models import Complex, Resident
from bot.domain.vocabulary import IdeaStatus, VoteKind
from bot.i18n import _, use_language
from bot.services import Services
from bot.services.outgoing import Rows, button, edit_post, queue
from bot.storage.outbox import Shown


def idea_post(idea: Idea) -> str:
    name = html.escape(idea.proposer_name) if idea.proposer_name else _("a neighbour")
    text = _("💡 <b>Idea #{number}</b> from {name}:\n{text}").format(
        number=idea.id, name=name, text=html.escape(idea.text))
    if idea.status is IdeaStatus.OPEN:
        footer = _("👍 I support this · 🙋 I'll help")
    elif idea.status is IdeaStatus.CLOSED:
        footer = _("This idea is closed.")
    else:
        footer = _("This idea has become an activity: see /activities.")
    return text + "\n\n" + footer


def vote_keyboard(idea: Idea, *, can_close: bool = False) -> Rows | None:
    if not idea.is_open:
        return None
    rows = [[button(f"👍 {idea.supporters}", pack("idea", "support", idea.id)),
             button(f"🙋 {idea.helpers}", pack("idea", "help", idea.id))]]
    if can_close:
        rows.append([button(_("Close this idea"), pack("idea", "close", idea.id))])
    return rows


async def _shows(services: Services, idea: Idea) -> tuple[Shown, ...]:
    """Its proposer, as the post names them, in the current language."""
    proposer = await services.repos.people.resident(idea.proposer_id) \
        if idea.proposer_id is not None else None
    if proposer is None or not idea.proposer_name:
        return ()
    return (Shown(proposer.telegram_id, html.escape(idea.proposer_name), _("a neighbour")),)


async def _post(services: Services, idea: Idea, complex_: Complex, chat_id: int) -> None:
    """Queue the idea's post in the group, in the caller's unit of work."""
    with use_language(complex_.language):
        await queue(services, outbox_keys.IDEA_POST.of(idea.id), chat_id, idea_post(idea),
                    vote_keyboard(idea), await _shows(services, idea))


async def propose(services: Services, resident: Resident, complex_: Complex,
                  text: str) -> Idea:
    """Store the idea and, if the complex has a group, queue its post there."""
    group = complex_.group_chat_id
    async with services.db.unit():  # stored and its post queued, together
        idea = await services.repos.ideas.add(complex_id=complex_.id, proposer_id=resident.id,
                                              text=text, group_chat_id=group)
        if group is not None:
            await _post(services, idea, complex_, group)
    return idea


async def show_on_post(services: Services, idea: Idea, complex_: Complex) -> None:
    """Its group post shows the idea as it is now (its counts, or its end), in the caller's
    unit of work."""
    if idea.group_chat_id is None:
        return
    with use_language(complex_.language):
        await edit_post(services, outbox_keys.IDEA_POST.of(idea.id), idea.group_chat_id,
                        idea.group_message_id, idea_post(idea), vote_keyboard(idea),
                        await _shows(services, idea))


async def vote(services: Services, idea: Idea, complex_: Complex, resident: Resident,
               kind: VoteKind) -> tuple[bool | None, Idea]:
    """Turn `resident`'s vote of `kind` on or off: whether it is on now (None if the idea
    is not open), and the idea with its counts as they are now, which its post shows."""
    if not idea.is_open:
        return None, idea
    async with services.db.unit():  # the vote and the post's new counts, together
        added = await services.repos.ideas.toggle_vote(idea.id, resident.id, kind)
        now = await _as_now(services, idea)
        await show_on_post(services, now, complex_)
    return added, now


class Closing(Enum):
    CLOSED = "closed"
    NOT_YOURS = "not yours"
    """Only its proposer or an initiator closes an idea."""
    NOT_OPEN = "not open"


async def close(services: Services, idea: Idea, complex_: Complex, resident: Resident
                ) -> tuple[Closing, Idea]:
    """Close the idea, if `resident` may and it is open, and show it closed on its post;
    and the idea as it is now."""
    if not ideas.may_close(idea, resident):
        return Closing.NOT_YOURS, idea
    if not idea.is_open:
        return Closing.NOT_OPEN, idea
    async with services.db.unit():
        if not await services.repos.ideas.close(idea.id):
            return Closing.NOT_OPEN, idea
        closed = await _as_now(services, idea)
        await show_on_post(services, closed, complex_)
    return Closing.CLOSED, closed


async def _as_now(services: Services, idea: Idea) -> Idea:
    now = await services.repos.ideas.get(idea.id)
    assert now is not None  # ideas are never deleted while their complex stands
    return now


async def run_due(services: Services) -> None:
    """Post the ideas proposed before their complex had a group, once it has one."""
    for idea, group in await services.repos.ideas.unposted():
        complex_ = await services.repos.complexes.get(idea.complex_id)
        if complex_ is None:
            continue
        async with services.db.unit():  # claimed and queued, together
            if await services.repos.ideas.claim_post(idea.id, group):
                await _post(services, idea, complex_, group)
