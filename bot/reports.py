"""Rules of reports: categories, limits, references, and who may see which details."""

from bot.i18n import N_, _
from bot.routing import CATEGORIES

DESCRIPTION_MAX = 2000
PLACE_MAX = 200
WHEN_MAX = 200
NOTE_MAX = 1000
QUESTION_MAX = 1000

# Catalog msgids, in the order the reporter sees them.
CATEGORY_LABELS: dict[str, str] = {
    "burglary": N_("Burglary or break-in"),
    "theft": N_("Theft"),
    "violence": N_("Violence or threat"),
    "sexual": N_("Sexual harassment or assault"),
    "vandalism": N_("Vandalism"),
    "suspicious": N_("Suspicious situation"),
    "nuisance": N_("Nuisance"),
    "building_safety": N_("Building safety (locks, doors, lighting)"),
    "other": N_("Something else"),
}
assert tuple(CATEGORY_LABELS) == CATEGORIES

KIND_LABELS = {"incident": N_("Incident"), "concern": N_("Concern")}
STATUS_LABELS = {
    "open": N_("waiting for someone to pick it up"),
    "acknowledged": N_("picked up"),
    "resolved": N_("resolved"),
}

# Reports whose details only the professionals handling them may see.
SENSITIVE_CATEGORIES = frozenset({"sexual"})


def reference(report_id: int) -> str:
    return f"R-{report_id:04d}"


def parse_reference(text: str | None) -> int | None:
    """"R-0042", "r42", "42" → 42."""
    cleaned = (text or "").strip().upper().removeprefix("R").lstrip("-").lstrip("0")
    return int(cleaned) if cleaned.isdigit() else None


def category_label(category: str) -> str:
    return _(CATEGORY_LABELS[category])


def kind_text(kind: str) -> str:
    return _(KIND_LABELS[kind])


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status])
