"""The one-line form of /newcomplex: ``Name; homes; municipality; language[; policy]``."""

from dataclasses import dataclass

from bot.domain import validation
from bot.domain.keywords import keyword
from bot.domain.models import JoinPolicy
from bot.domain.validation import InvalidInput
from bot.i18n import LANGUAGES, N_


@dataclass(frozen=True)
class ComplexForm:
    name: str
    homes: int
    municipality: str
    language: str
    join_policy: JoinPolicy


def complex_name(text: str | None) -> str:
    return validation.one_line(text, limit=validation.COMPLEX_NAME_MAX)


def municipality(text: str | None) -> str:
    return validation.one_line(text, limit=validation.MUNICIPALITY_MAX)


def language(text: str | None) -> str:
    code = (text or "").strip().lower()
    if code not in LANGUAGES:
        raise InvalidInput(
            N_("The language must be one of: {languages}."), {"languages": ", ".join(LANGUAGES)}
        )
    return code


def join_policy(text: str | None) -> JoinPolicy:
    try:
        return JoinPolicy(keyword(text or ""))
    except ValueError:
        raise InvalidInput(
            N_("The join policy must be <code>open</code> or <code>approval</code>.")
        ) from None


def parse_complex_form(text: str) -> ComplexForm:
    parts = [part.strip() for part in text.split(";")]
    if len(parts) not in (4, 5):
        raise InvalidInput(
            N_("Give four or five parts separated by semicolons: name; homes; municipality; "
               "language; and optionally <code>open</code> or <code>approval</code>.")
        )
    return ComplexForm(
        name=complex_name(parts[0]),
        homes=validation.homes(parts[1]),
        municipality=municipality(parts[2]),
        language=language(parts[3]),
        join_policy=join_policy(parts[4]) if len(parts) == 5 else JoinPolicy.OPEN,
    )
