"""The words Buurtnet is built of, defined once: stages, report kinds, categories, the
statuses of reports, ideas and activities, votes, sign-up policies, residents' roles and
standing, the kinds of contact and routing targets. Each is a StrEnum, so a value is also
the string stored and routed on; `bot.domain.labels` gives each its words for people, per
language."""

from enum import StrEnum


def _words(name: str, values: str, doc: str | None = None) -> type[StrEnum]:
    """A StrEnum of `values` (space-separated), each member named by its value in capitals:
    `_words("Stage", "loose_sand group").LOOSE_SAND == "loose_sand"`."""
    words = StrEnum(name, {value.upper(): value for value in values.split()})
    words.__doc__ = doc or f"The {name} words."
    words.__module__ = __name__
    return words


Stage = _words("Stage", "loose_sand beginning_network group",
               "A complex's network stage, from the first to the last.")
ReportKind = _words("ReportKind", "incident concern")
Category = _words("Category", "burglary theft violence sexual vandalism suspicious nuisance"
                  " building_safety other", "Report categories, in the order reporters see them.")
ReportStatus = _words("ReportStatus", "open acknowledged resolved")
IdeaStatus = _words("IdeaStatus", "open closed planned")
VoteKind = _words("VoteKind", "support help", "What a resident offers an idea.")
ActivityStatus = _words("ActivityStatus", "planned held cancelled")
JoinPolicy = _words("JoinPolicy", "open approval", "How a complex takes new residents in.")
ResidentRole = _words("ResidentRole", "resident initiator")
ResidentStatus = _words("ResidentStatus", "pending active")
ContactKind = _words("ContactKind", "municipality police corporation peer",
                     "The organisations whose people are a complex's contacts.")


Target = StrEnum("Target", {**{kind.name: kind.value for kind in ContactKind},
                            "INITIATORS": "initiators", "COMMITTEE": "committee"})
"""Who a level of a report's ladder reaches: a kind of contact, or residents' roles."""


STAGES = tuple(Stage)
KINDS = tuple(ReportKind)
CATEGORIES = tuple(Category)
TARGETS = tuple(Target)
CONTACT_TARGETS = tuple(Target(kind.value) for kind in ContactKind)
