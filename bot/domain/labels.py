"""Each word of the vocabulary as people read it, in the current language: as a button
(or list item) and inside a sentence. The one place these words are defined."""

from bot.domain.models import ContactKind, JoinPolicy
from bot.domain.vocabulary import (
    CATEGORIES,
    CONTACT_TARGETS,
    Category,
    ReportKind,
    ReportStatus,
    Stage,
    Target,
)
from bot.i18n import N_, _

STAGE_NAMES: dict[str, str] = {
    Stage.LOOSE_SAND: N_("loose sand"),
    Stage.BEGINNING_NETWORK: N_("beginning network"),
    Stage.GROUP: N_("group"),
}
STAGE_MEANINGS: dict[str, str] = {
    Stage.LOOSE_SAND: N_(
        "Few neighbours know each other yet. The municipality keeps residents informed and "
        "puts them in touch with its contact and with experienced residents of other "
        "complexes; every report goes to the municipality first."),
    Stage.BEGINNING_NETWORK: N_(
        "Some residents organise things and neighbours start to meet. Buurtnet helps with "
        "introductions and activities; worries go to the initiators first, crimes to the "
        "municipality and the police."),
    Stage.GROUP: N_(
        "A residents' committee of initiators organises activities and looks out for the "
        "complex. The committee handles worries itself, incidents go straight to the police "
        "and building safety straight to the housing corporation. In return the group helps "
        "a complex that is just starting."),
}


def stage_name(stage: str) -> str:
    return _(STAGE_NAMES[stage])


def stage_meaning(stage: str) -> str:
    return _(STAGE_MEANINGS[stage])


# Catalog msgids, in the order the reporter sees them.
CATEGORY_LABELS: dict[str, str] = {
    Category.BURGLARY: N_("Burglary or break-in"),
    Category.THEFT: N_("Theft"),
    Category.VIOLENCE: N_("Violence or threat"),
    Category.SEXUAL: N_("Sexual harassment or assault"),
    Category.VANDALISM: N_("Vandalism"),
    Category.SUSPICIOUS: N_("Suspicious situation"),
    Category.NUISANCE: N_("Nuisance"),
    Category.BUILDING_SAFETY: N_("Building safety (locks, doors, lighting)"),
    Category.OTHER: N_("Something else"),
}
assert tuple(CATEGORY_LABELS) == CATEGORIES
# The same, inside a sentence ("… for burglary and theft").
CATEGORY_NAMES: dict[str, str] = {
    Category.BURGLARY: N_("burglary"),
    Category.THEFT: N_("theft"),
    Category.VIOLENCE: N_("violence"),
    Category.SEXUAL: N_("sexual violence"),
    Category.VANDALISM: N_("vandalism"),
    Category.SUSPICIOUS: N_("a suspicious situation"),
    Category.NUISANCE: N_("nuisance"),
    Category.BUILDING_SAFETY: N_("building safety"),
    Category.OTHER: N_("something else"),
}
KIND_LABELS: dict[str, str] = {
    ReportKind.INCIDENT: N_("Incident"), ReportKind.CONCERN: N_("Concern")}
STATUS_LABELS: dict[str, str] = {
    ReportStatus.OPEN: N_("waiting for someone to pick it up"),
    ReportStatus.ACKNOWLEDGED: N_("picked up"),
    ReportStatus.RESOLVED: N_("resolved"),
}


def category_label(category: str) -> str:
    return _(CATEGORY_LABELS[category])


def category_name(category: str) -> str:
    return _(CATEGORY_NAMES[category])


def kind_text(kind: str) -> str:
    return _(KIND_LABELS[kind])


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status])


def kind_label(kind: ContactKind) -> str:
    """A contact's organisation kind, as people read it."""
    return {
        ContactKind.MUNICIPALITY: _("municipality"),
        ContactKind.POLICE: _("police"),
        ContactKind.CORPORATION: _("housing corporation"),
        ContactKind.PEER: _("peer from another complex"),
    }[kind]


def target_label(target: str) -> str:
    if target in CONTACT_TARGETS:
        return kind_label(ContactKind(target))
    return _("the committee") if target == Target.COMMITTEE else _("the initiators")


TARGET_PHRASES = {  # in the order they are named
    Target.INITIATORS: N_("the initiators"),
    Target.COMMITTEE: N_("the residents' committee"),
    Target.POLICE: N_("the police"),
    Target.MUNICIPALITY: N_("the municipality"),
    Target.CORPORATION: N_("the housing corporation"),
    Target.PEER: N_("an experienced resident of another complex"),
}


def target_phrases(targets: tuple[str, ...]) -> list[str]:
    """Routing targets as a sentence names them ("the police"), in a fixed order."""
    return [_(phrase) for target, phrase in TARGET_PHRASES.items() if target in targets]


def policy_label(policy: JoinPolicy) -> str:
    return _("open with the invite link") if policy is JoinPolicy.OPEN else \
        _("approval by an initiator")
