"""Rules of reports: categories, limits, references, and who may see which details."""

from datetime import datetime, tzinfo

from babel.dates import format_date

from bot.domain.activities import format_when
from bot.domain.validation import ascii_number
from bot.domain.vocabulary import CATEGORIES
from bot.i18n import N_, _, current_language

DESCRIPTION_MAX = 2000
PLACE_MAX = 200
WHEN_MAX = 200
NOTE_MAX = 1000
QUESTION_MAX = 1000

GONE = 0
"""The reporter id of a report whose reporter used /forgetme."""

# Reports whose details only the professionals handling them may see.
SENSITIVE_CATEGORIES = frozenset({"sexual"})

# What a shared concern says in the group unless the reporter writes their own line: the
# category only, nothing that points at a place or a person.
GROUP_LINES: dict[str, str] = {
    "burglary": N_("Worries about break-ins in the complex."),
    "theft": N_("Worries about theft in or around the complex."),
    "violence": N_("Worries about threats or violence around the complex."),
    "vandalism": N_("Worries about vandalism in the complex."),
    "suspicious": N_("Situations around the complex that do not feel right."),
    "nuisance": N_("Nuisance in the complex."),
    "building_safety": N_("Worries about locks, doors or lighting in the complex."),
    "other": N_("A worry about life in the complex."),
}
assert set(GROUP_LINES) == set(CATEGORIES) - SENSITIVE_CATEGORIES  # those are never shared
GROUP_TEXT_MAX = 200


def may_share(kind: str, category: str, *, urgent: bool, group_linked: bool) -> bool:
    """Only an ordinary worry is shown to neighbours: a concern, nothing urgent, nothing
    sexual, and only in a group linked to the complex."""
    return kind == "concern" and group_linked and not urgent \
        and category not in SENSITIVE_CATEGORIES


def group_line(category: str, own_line: str | None) -> str:
    """The line a shared concern shows in the group, in the current language."""
    return own_line if own_line else _(GROUP_LINES[category])


def reference(report_id: int) -> str:
    return f"R-{report_id:04d}"


def parse_reference(text: str | None) -> int | None:
    """"R-0042", "r42", "42" → 42."""
    cleaned = (text or "").strip().upper().removeprefix("R").lstrip("-")
    return ascii_number(cleaned)


# "When" chosen with a button is stored as a value, and written out in each reader's
# language: a Dutch "vandaag" must not reach an English contact as "vandaag".
WHEN_NOW = "@now"
WHEN_TODAY = "@today"


def when_text(occurred: str, reported_at: datetime, zone: tzinfo) -> str:
    """When it happened, for the current reader: absolute, in their language."""
    if occurred == WHEN_NOW:
        return _("{moment} (while it was reported)").format(
            moment=format_when(reported_at, zone, current_language()))
    if occurred == WHEN_TODAY:
        return _("{day} (the day it was reported)").format(day=format_date(
            reported_at.astimezone(zone).date(), "full", locale=current_language()))
    return occurred
