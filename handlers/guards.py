"""Who may do what, each condition refused in one wording.

A guard gives what the sender may act on, from their standing, or None (False) after
telling them why not: by the tapped button's alert, or by a message.
"""

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Protocol, TypeVar

from telegram import Update

from bot.context import BuurtnetContext
from bot.domain.models import Complex, Resident
from bot.domain.validation import ascii_number
from bot.i18n import N_, _
from bot.roles import Standing
from handlers.common import Pressed, pressed_record, reply, require_private, standing

Found = TypeVar("Found")

ONLY_INITIATORS = N_("Only initiators of a complex can do that.")
ONLY_CONTACTS = N_("Only contacts of a complex can do that.")
ONLY_OPERATORS = N_("Only the operators of this Buurtnet can do that.")
ONLY_RESIDENTS = N_("Only residents of a complex can do that. Open the invite link of your "
                    "complex to join.")
NOT_SIGNED_UP = N_("You are not signed up in a complex. Open the invite link of your complex "
                   "to join.")


async def refuse(update: Update, text: str) -> None:
    """Say `text` (a catalog message id) by the tap's alert, or by a message."""
    if update.callback_query is not None:
        await update.callback_query.answer(_(text), show_alert=True)
    else:
        await reply(update, _(text))


async def operators_only(update: Update, context: BuurtnetContext) -> bool:
    if (await standing(update, context)).is_operator:
        return True
    await refuse(update, ONLY_OPERATORS)
    return False


async def _guarded(update: Update, context: BuurtnetContext, in_private: bool,
                   find: Callable[[Standing], Awaitable[Found | None]], refusal: str
                   ) -> Found | None:
    """What `find` finds from the sender's standing, or None after saying `refusal`;
    `in_private`: only in a private chat, or None after saying so."""
    if in_private and not await require_private(update, context):
        return None
    found = await find(await standing(update, context))
    if found is None:
        await refuse(update, refusal)
    return found


async def initiated_complex(update: Update, context: BuurtnetContext, *,
                            in_private: bool = False) -> Complex | None:
    """The complex the sender is an initiator of."""
    async def find(who: Standing) -> Complex | None:
        complex_id = who.initiator_complex_id
        return None if complex_id is None else await context.repos.complexes.get(complex_id)
    return await _guarded(update, context, in_private, find, ONLY_INITIATORS)


async def signed_up(update: Update, context: BuurtnetContext, *,
                    in_private: bool = False) -> Resident | None:
    """The sender's sign-up, approved or not."""
    async def find(who: Standing) -> Resident | None:
        return who.resident
    return await _guarded(update, context, in_private, find, NOT_SIGNED_UP)


async def residence(update: Update, context: BuurtnetContext, *, in_private: bool = False
                    ) -> tuple[Resident, Complex] | None:
    """The sender as a resident an initiator approved, and their complex."""
    async def find(who: Standing) -> tuple[Resident, Complex] | None:
        resident = who.active_resident
        complex_ = None if resident is None else await context.repos.complexes.get(
            resident.complex_id)
        return None if resident is None or complex_ is None else (resident, complex_)
    return await _guarded(update, context, in_private, find, ONLY_RESIDENTS)


def complex_number(text: str) -> int | None:
    """A complex's number as /complexes shows it, "3" or "#3"; None if it is not one."""
    return ascii_number(text.removeprefix("#"), digits=9)


async def contacted_complex(update: Update, context: BuurtnetContext, args: list[str],
                            example: str) -> tuple[Complex, list[str]] | None:
    """The complex a contact's command is about: the number in front, or their only one."""
    who = await standing(update, context)
    if not who.contacts:
        await refuse(update, ONLY_CONTACTS)
        return None
    number = complex_number(args[0]) if args else None
    if number is not None:
        complex_id, rest = number, args[1:]
        if not who.is_contact_of(complex_id):
            await reply(update, _("You are not a contact of complex #{number}. /complexes shows "
                                  "yours.").format(number=complex_id))
            return None
    elif len(who.contacts) == 1:
        complex_id, rest = who.contacts[0].complex_id, args
    else:
        await reply(update, _("You are a contact of several complexes: put the complex's number "
                              "first, like {example}. /complexes shows the numbers.").format(
            example=example))
        return None
    complex_ = await context.repos.complexes.get(complex_id)
    assert complex_ is not None  # a contact row goes when its complex goes
    return complex_, rest


class OfComplex(Protocol):
    @property
    def complex_id(self) -> int: ...


Held = TypeVar("Held", bound=OfComplex)


@dataclass(frozen=True)
class PressedIn(Pressed[Held]):
    """A press on a button that names a record of a complex, with that complex and the
    presser if they are an active resident of it."""

    complex_: Complex
    resident: Resident | None


async def pressed_in_complex(
    update: Update, context: BuurtnetContext, load: Callable[[int], Awaitable[Held | None]],
    verbs: Collection[str] | None = None,
) -> PressedIn[Held] | None:
    """The press, its record (`load`) and the record's complex; forged data and unknown
    ids are answered here, and give None."""
    found = await pressed_record(update, load, verbs)
    if found is None:
        return None
    complex_ = await context.repos.complexes.get(found.record.complex_id)
    assert complex_ is not None
    resident = await context.repos.people.resident_of(found.by)
    if resident is not None and (not resident.is_active or resident.complex_id != complex_.id):
        resident = None
    return PressedIn(found.query, found.by, found.button, found.record, complex_, resident)
