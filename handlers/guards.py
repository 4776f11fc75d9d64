"""Who may do what, each condition refused in one wording.

A guard gives what the sender may act on, from their standing, or None (False) after
telling them why not: by the tapped button's alert, or by a message.
"""

from telegram import Update

from bot.context import BuurtnetContext
from bot.domain.models import Complex, Resident
from bot.i18n import N_, _
from handlers.common import reply, standing

ONLY_INITIATORS = N_("Only initiators of a complex can do that.")
ONLY_OPERATORS = N_("Only the operators of this Buurtnet can do that.")
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


async def initiated_complex(update: Update, context: BuurtnetContext) -> Complex | None:
    """The complex the sender is an initiator of."""
    complex_id = (await standing(update, context)).initiator_complex_id
    complex_ = None if complex_id is None else await context.repos.complexes.get(complex_id)
    if complex_ is None:
        await refuse(update, ONLY_INITIATORS)
    return complex_


async def signed_up(update: Update, context: BuurtnetContext, *,
                    approved: bool = False) -> Resident | None:
    """The sender's sign-up (with `approved`, only once an initiator approved it)."""
    assert update.effective_user is not None
    resident = await context.repos.people.resident_of(update.effective_user.id)
    if resident is None or (approved and not resident.is_active):
        await refuse(update, NOT_SIGNED_UP)
        return None
    return resident
