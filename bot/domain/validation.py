"""Checks on what people type, with messages that the handlers translate."""

import unicodedata
from dataclasses import dataclass, field

from bot.i18n import N_

NAME_MAX = 64
BUILDING_MAX = 64
COMPLEX_NAME_MAX = 80
MUNICIPALITY_MAX = 80
REASON_MAX = 500
HOMES_MAX = 100_000


@dataclass
class InvalidInput(Exception):
    """`message` is a catalog msgid; format it with `params` after translating."""

    message: str
    params: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message.format(**self.params)


def utf16_length(text: str) -> int:
    """Telegram counts a message's length in UTF-16 code units: an emoji counts two."""
    return len(text.encode("utf-16-le")) // 2


def visible(text: str) -> bool:
    """Whether `text` shows anything: a letter, digit, punctuation mark or symbol, not only
    spaces, zero-width or direction marks and combining marks without a base."""
    return any(unicodedata.category(char)[0] in "LNPS" for char in text)


def ascii_number(text: str | None, *, digits: int = 18) -> int | None:
    """A whole number written in ASCII digits ("12", not "²" or "٣", which `isdigit`
    accepts), at most `digits` long so that it fits the database; None for anything else."""
    cleaned = (text or "").strip()
    if not cleaned.isascii() or not cleaned.isdecimal() or len(cleaned) > digits:
        return None
    return int(cleaned)


def _within(cleaned: str, limit: int) -> str:
    if not visible(cleaned):
        raise InvalidInput(N_("Please type some text."))
    if utf16_length(cleaned) > limit:
        raise InvalidInput(
            N_("That is too long: at most {limit} characters, please."), {"limit": limit}
        )
    return cleaned


def one_line(text: str | None, *, limit: int) -> str:
    """Trimmed single-line text of at most `limit` characters, not empty."""
    if "\n" in (text or "").strip():
        raise InvalidInput(N_("Please keep it to one line."))
    return _within(" ".join((text or "").split()), limit)


def free_text(text: str | None, limit: int) -> str:
    """Free text of at most `limit` characters (line breaks kept), not empty."""
    return _within((text or "").strip(), limit)


def person_name(text: str | None) -> str:
    name = one_line(text, limit=NAME_MAX)
    if name.startswith("/"):
        raise InvalidInput(N_("A name cannot start with /."))
    return name


def building(text: str | None) -> str:
    return one_line(text, limit=BUILDING_MAX)


def reason(text: str | None) -> str:
    cleaned = " ".join((text or "").split())
    if not visible(cleaned):
        raise InvalidInput(N_("Please give a reason."))
    return _within(cleaned, REASON_MAX)


def homes(text: str | None) -> int:
    number = ascii_number((text or "").strip().replace(".", "").replace(",", ""), digits=9)
    if number is None or not 0 < number <= HOMES_MAX:
        raise InvalidInput(
            N_("The number of homes must be a whole number from 1 to {max}."), {"max": HOMES_MAX}
        )
    return number


def resident_number(text: str | None) -> int:
    """A resident's number as shown by /members: "12" or "#12"."""
    number = ascii_number((text or "").strip().lstrip("#"))
    if number is None:
        raise InvalidInput(N_("Give the resident's number from /members, like #12."))
    return number
