"""The words Buurtnet is built of, defined once: stages, report kinds, categories, statuses
and routing targets. Each is a StrEnum, so a value is also the string stored and routed
on; `bot.domain.labels` gives each its words for people, per language."""

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


class Target(StrEnum):
    """Who a level of a report's ladder reaches: a kind of contact, or residents' roles."""

    MUNICIPALITY = "municipality"
    POLICE = "police"
    CORPORATION = "corporation"
    PEER = "peer"
    INITIATORS = "initiators"
    COMMITTEE = "committee"


STAGES = tuple(Stage)
KINDS = tuple(ReportKind)
CATEGORIES = tuple(Category)
TARGETS = tuple(Target)
CONTACT_TARGETS = TARGETS[:4]
