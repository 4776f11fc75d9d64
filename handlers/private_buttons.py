"""Buttons that belong in a private chat, pressed on a message in a group.

Only a forged press can do that (the bot puts these buttons in private chats only), but
its answer would go to the group: a report opened there, a contact's invite link, a
question meant for one person. Such a press is refused before any feature sees it.
"""

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import BuurtnetContext
from bot.domain.button_data import unversioned
from bot.i18n import _
from handlers.common import is_private

# What the bot posts in group chats: votes on ideas, "I'm coming", "me too", and the
# choice of complex when a group is linked; of an activity, only its planner's questions
# (held? called off?) are private. Anything else pressed in a group is refused here, data
# nothing recognises included: no button of ours in a group carries it.
GROUP_PREFIXES = frozenset({"idea", "act", "me", "lg"})
PRIVATE_VERBS = frozenset({("act", "held"), ("act", "off")})


def belongs_in_groups(data: str) -> bool:
    prefix, _, rest = (unversioned(data) or "").partition(":")
    verb = rest.partition(":")[0]
    return prefix in GROUP_PREFIXES and (prefix, verb) not in PRIVATE_VERBS


class PrivateButtonInGroup(CallbackQueryHandler):
    def check_update(self, update: object) -> bool | object | None:
        if not isinstance(update, Update) or update.callback_query is None \
                or is_private(update) or belongs_in_groups(update.callback_query.data or ""):
            return False
        return super().check_update(update)


async def refuse(update: Update, context: BuurtnetContext) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer(
        _("This button only works in a private chat with me."), show_alert=True)


def handlers() -> list[BaseHandler]:
    return [PrivateButtonInGroup(refuse)]
