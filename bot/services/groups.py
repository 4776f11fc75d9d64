"""A complex's group chat: linking one (moving it is for operators), and following the
group when Telegram moves it to a supergroup or the bot leaves it."""

from dataclasses import dataclass
from enum import Enum

from bot.domain.models import Complex
from bot.services import Services
from bot.storage.complexes import GroupLinkedElsewhere


class Linking(Enum):
    LINKED = "linked"
    ALREADY = "already"
    """This group is this complex's group already."""
    ELSEWHERE = "elsewhere"
    """This group is another complex's group."""
    MOVE_FOR_OPERATORS = "move for operators"
    """The complex has another group: moving it quietly would send its welcomes and
    concerns elsewhere, so only an operator may."""


@dataclass(frozen=True)
class Linked:
    outcome: Linking
    other: Complex | None = None
    """With ELSEWHERE: the complex the group belongs to."""


async def link(services: Services, complex_: Complex, chat_id: int, *, by_operator: bool
               ) -> Linked:
    """Make the group `chat_id` the complex's group chat."""
    if complex_.group_chat_id not in (None, chat_id) and not by_operator:
        return Linked(Linking.MOVE_FOR_OPERATORS)
    try:
        changed = await services.repos.complexes.link_group(complex_.id, chat_id)
    except GroupLinkedElsewhere as linked:
        return Linked(Linking.ELSEWHERE, linked.other)
    return Linked(Linking.LINKED if changed else Linking.ALREADY)


async def left(services: Services, chat_id: int) -> None:
    """The bot was removed from the group: it is no complex's group any more."""
    await services.repos.complexes.unlink_group(chat_id)


async def moved(services: Services, chat_id: int, new_chat_id: int) -> None:
    """Telegram made the group a supergroup with a new id."""
    await services.repos.complexes.move_group(chat_id, new_chat_id)
