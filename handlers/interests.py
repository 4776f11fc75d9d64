"""Interests as toggle buttons."""


from bot.domain.signup import INTERESTS
from bot.i18n import _
from handlers.common import Keyboard, choice


def interests_keyboard(chosen: list[str], prefix: str, step: str) -> Keyboard:
    """A toggle per interest ("<prefix>:<step>:<interest>"), then Done."""
    buttons = [
        choice(("✅ " if key in chosen else "") + _(label), prefix, step, detail=key)
        for key, label in INTERESTS.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([choice(_("Done"), prefix, step, detail="done")])
    return rows
