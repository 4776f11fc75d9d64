"""Sign-up rules: the interests on offer and what a finished sign-up becomes."""

from bot.domain.models import Complex, JoinPolicy, ResidentRole, ResidentStatus
from bot.i18n import N_, _

# Keys are stored; labels are catalog msgids shown in the resident's language.
INTERESTS: dict[str, str] = {
    "cooking": N_("Cooking and eating together"),
    "sports": N_("Sports"),
    "music": N_("Music"),
    "games": N_("Board and video games"),
    "films": N_("Films and series"),
    "outdoors": N_("Walking and cycling"),
    "gardening": N_("Plants and gardening"),
    "languages": N_("Language exchange"),
    "study": N_("Studying together"),
    "diy": N_("Repairs and DIY"),
    "culture": N_("Art and culture"),
    "sustainability": N_("Sustainability"),
    "children": N_("Children and family"),
}


def known_interests(keys: list[str]) -> list[str]:
    """The keys that are real interests, in catalogue order (forged ones drop out)."""
    wanted = set(keys)
    return [key for key in INTERESTS if key in wanted]


def placement(complex_: Complex, *, as_initiator: bool, was_removed: bool) -> tuple[
    ResidentRole, ResidentStatus
]:
    """Role and status of a finished sign-up.

    Someone an initiator removed before always waits for an initiator's approval, whatever
    link they use; the initiators' link makes an initiator straight away; an approval
    complex lets everyone else wait for approval.
    """
    if was_removed:
        return ResidentRole.RESIDENT, ResidentStatus.PENDING
    if as_initiator:
        return ResidentRole.INITIATOR, ResidentStatus.ACTIVE
    if complex_.join_policy is JoinPolicy.APPROVAL:
        return ResidentRole.RESIDENT, ResidentStatus.PENDING
    return ResidentRole.RESIDENT, ResidentStatus.ACTIVE


def interest_labels(keys: list[str] | tuple[str, ...]) -> str:
    """Interests as a list in the current language."""
    return ", ".join(_(INTERESTS[key]) for key in keys if key in INTERESTS) or _("none")
