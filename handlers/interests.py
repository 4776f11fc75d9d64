"""Interests as toggle buttons."""

from telegram import InlineKeyboardButton

from bot.domain.signup import INTERESTS
from bot.i18n import _
from handlers.common import Keyboard


def interests_keyboard(chosen: list[str], prefix: str) -> Keyboard:
    buttons = [
        InlineKeyboardButton(
            ("✅ " if key in chosen else "") + _(label), callback_data=f"{prefix}:{key}"
        )
        for key, label in INTERESTS.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(_("Done"), callback_data=f"{prefix}:done")])
    return rows
