"""How a complex's stage criteria read: each with its value and threshold, for the
measured stage and the next one, and the next steps towards it (for /stage and the
weekly digest)."""

from datetime import timedelta

from babel.numbers import format_percent

from bot.config import Config
from bot.domain.labels import stage_name
from bot.domain.models import Complex
from bot.domain.stages import Criterion, Metrics, Thresholds, check, measured_stage
from bot.domain.vocabulary import STAGES
from bot.i18n import N_, _, current_language
from bot.services.stages import day

CRITERIA = {
    "residents": N_("residents"),
    "initiators": N_("active initiators"),
    "activities": N_("activities held in the last {days} days"),
    "introduced_share": N_("residents with a confirmed introduction"),
    "committee": N_("a residents' committee, registered by a contact"),
    "acquainted_share": N_("residents who know at least {count} neighbours"),
}
NEXT_STEPS = {
    "residents": N_("Invite more neighbours: share the invite link (/invite) in the building "
                    "and in the group chat."),
    "initiators": N_("Find residents who want to organise: /members shows who offered to "
                     "help, /promote makes them initiators."),
    "activities": N_("Plan an activity with /plan, and afterwards record that it took place."),
    "introduced_share": N_("Ask residents to agree to introductions; /meet introduces someone "
                           "right away."),
    "committee": N_("Form a residents' committee of initiators and ask a contact to register "
                    "it with /committee on."),
    "acquainted_share": N_("Keep the introduction rounds going and ask neighbours to answer "
                           "\"Did you meet?\"."),
}

def _percent(value: float) -> str:
    return format_percent(value, "#,##0.#%", locale=current_language())


def criterion_line(criterion: Criterion, limits: Thresholds) -> str:
    mark = "✅" if criterion.met else "❌"
    label = _(CRITERIA[criterion.key]).format(days=limits.window_days,
                                              count=limits.group_neighbours_known)
    if criterion.key == "committee":
        return mark + " " + _("{label}: {value}").format(
            label=label, value=_("yes") if criterion.met else _("no"))
    if criterion.is_share:
        value, threshold = _percent(criterion.value), _percent(criterion.threshold)
    else:
        value, threshold = str(int(criterion.value)), str(int(criterion.threshold))
    return mark + " " + _("{label}: {value} (at least {threshold})").format(
        label=label, value=value, threshold=threshold)


def _criteria(stage: str, metrics: Metrics, limits: Thresholds, heading: str) -> list[str]:
    result = check(stage, metrics, limits)
    lines = [heading.format(stage=stage_name(stage))]
    lines += [criterion_line(criterion, limits) for criterion in result.criteria]
    if stage == "beginning_network":
        lines.append(_("(one of the last two is enough)"))
    return lines


def _unmet(stage: str, metrics: Metrics, limits: Thresholds) -> list[str]:
    """The criteria of `stage` still to meet (of the two alternatives, neither if one is)."""
    result = check(stage, metrics, limits)
    if result.met:
        return []
    met = {criterion.key for criterion in result.criteria if criterion.met}
    unmet = [criterion.key for criterion in result.criteria if not criterion.met]
    if stage == "beginning_network" and met & {"activities", "introduced_share"}:
        unmet = [key for key in unmet if key not in ("activities", "introduced_share")]
    return unmet


def criteria_view(config: Config, complex_: Complex, metrics: Metrics, *,
                  for_initiators: bool) -> list[str]:
    """The criteria of the measured stage and of the next one, and what to do next.

    The next steps are the initiators' to take; others read them as what they can expect.
    """
    limits = config.stage_thresholds
    measured = complex_.stage
    index = STAGES.index(measured)
    lines: list[str] = []
    steps: list[str] = []
    if index > 0:
        lines += ["", *_criteria(measured, metrics, limits,
                                 _("<b>Criteria of {stage}</b> (the measured stage)"))]
        steps += _unmet(measured, metrics, limits)
        if complex_.stage_failing_since is not None:
            lines.append(_("Not met since {since}. If that lasts until {until}, the stage goes "
                           "down to {lower}.").format(
                since=day(config.tz, complex_.stage_failing_since),
                until=day(config.tz, complex_.stage_failing_since
                          + timedelta(days=limits.hysteresis_days)),
                lower=stage_name(measured_stage(metrics, limits))))
    if index + 1 < len(STAGES):
        following = STAGES[index + 1]
        lines += ["", *_criteria(following, metrics, limits,
                                 _("<b>Criteria of {stage}</b> (the next stage)"))]
        steps += _unmet(following, metrics, limits)
    if steps:
        lines += ["", _("<b>Next steps</b>") if for_initiators
                  else _("<b>What the initiators can do next</b>"),
                  *("• " + _(NEXT_STEPS[key]) for key in dict.fromkeys(steps))]
    return lines
