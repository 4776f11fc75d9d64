"""The words Buurtnet is built of, defined once: stages, report kinds, categories, statuses,
sign-up policies, residents' roles and standing, the kinds of contact and routing targets.
Each is a StrEnum, so a value is also the string stored and routed on; `bot.domain.labels`
gives each its words for people, per language."""

from enum import StrEnum


class Stage(StrEnum):
    LOOSE_SAND = "loose_sand"
    BEGINNING_NETWORK = "beginning_network"
    GROUP = "group"


class ReportKind(StrEnum):
    INCIDENT = "incident"
    CONCERN = "concern"


class Category(StrEnum):
    """In the order the reporter sees them."""

    BURGLARY = "burglary"
    THEFT = "theft"
    VIOLENCE = "violence"
    SEXUAL = "sexual"
    VANDALISM = "vandalism"
    SUSPICIOUS = "suspicious"
    NUISANCE = "nuisance"
    BUILDING_SAFETY = "building_safety"
    OTHER = "other"


class ReportStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class JoinPolicy(StrEnum):
    OPEN = "open"
    APPROVAL = "approval"


class ResidentRole(StrEnum):
    RESIDENT = "resident"
    INITIATOR = "initiator"


class ResidentStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"


class ContactKind(StrEnum):
    """The organisations whose people are a complex's contacts."""

    MUNICIPALITY = "municipality"
    POLICE = "police"
    CORPORATION = "corporation"
    PEER = "peer"


Target = StrEnum("Target", {**{kind.name: kind.value for kind in ContactKind},
                            "INITIATORS": "initiators", "COMMITTEE": "committee"})
"""Who a level of a report's ladder reaches: a kind of contact, or residents' roles."""


STAGES = tuple(Stage)
KINDS = tuple(ReportKind)
CATEGORIES = tuple(Category)
TARGETS = tuple(Target)
CONTACT_TARGETS = tuple(Target(kind.value) for kind in ContactKind)
