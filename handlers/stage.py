"""/stage, /committee and /setstage: where a complex stands as a network, and the contacts'
say in it. Button ``sg:<complex>`` chooses a complex when someone has several.
"""

import html

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain.button_data import pattern
from bot.domain.keywords import keyword
from bot.domain.labels import category_name, stage_meaning, stage_name, target_phrases
from bot.domain.models import Complex
from bot.domain.routing import URGENT_CATEGORIES, Level, RoutingTable
from bot.domain.validation import InvalidInput
from bot.domain.vocabulary import CATEGORIES, STAGES
from bot.i18n import N_, _, use_language
from bot.roles import Standing
from bot.services.stage_texts import criteria_view
from bot.services.stages import Override, day, set_committee, set_override, who_changed
from bot.storage.stages import HistoryEntry
from handlers.common import (
    choice,
    command_args,
    is_group,
    pressed,
    reply,
    require_private,
    say_invalid,
    stale_button,
    standing,
)
from handlers.guards import complex_number, contacted_complex

HISTORY_SHOWN = 5
HISTORY_REASON_MAX = 80  # characters of a reason in the history; /stage stays one message
REASON_MIN, REASON_MAX = 3, 300
AUTO = "auto"

ROUTES = (
    ("concern", False, N_("Worries"), N_("Worries ({categories})")),
    ("incident", False, N_("Incidents"), N_("Incidents ({categories})")),
    ("incident", True, N_("Urgent: happening now, violence or sexual violence"),
     N_("Urgent ({categories})")),
)


# -- texts -------------------------------------------------------------------------------


def _and(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _targets(targets: tuple[str, ...]) -> str:
    return _and(target_phrases(targets))


def _level(level: Level) -> str:
    text = _targets(level.targets)
    if level.inform:
        text = _("{targets} ({informed} informed)").format(
            targets=text, informed=_targets(level.inform))
    return text


def _chain(levels: tuple[Level, ...]) -> str:
    text = _level(levels[0])
    for level in levels[1:]:
        text = _("{before}, then {after}").format(before=text, after=_level(level))
    return text


def routing_lines(table: RoutingTable, stage: str) -> list[str]:
    """Who gets reports in `stage`, from the routing table: one line per kind of report,
    and a line of its own for categories that go elsewhere."""
    lines = []
    for kind, urgent, label, label_with_categories in ROUTES:
        groups: dict[tuple[Level, ...], list[str]] = {}
        for category in CATEGORIES:
            if urgent or category not in URGENT_CATEGORIES:
                groups.setdefault(table.chain(stage, kind, category, urgent), []).append(
                    category)
        ordered = sorted(groups.items(), key=lambda item: -len(item[1]))
        for index, (chain, categories) in enumerate(ordered):
            what = _(label) if index == 0 else _(label_with_categories).format(
                categories=_and([category_name(category) for category in categories]))
            lines.append("• " + _("{what}: {who}").format(what=what, who=_chain(chain)))
    return lines


def public_view(context: BuurtnetContext, complex_: Complex) -> str:
    """The stage, what it means and who gets reports: for everyone in the complex."""
    stage = complex_.effective_stage
    return "\n".join([
        _("<b>{complex}</b> is in the stage <b>{stage}</b>.").format(
            complex=html.escape(complex_.name), stage=stage_name(stage)),
        stage_meaning(stage),
        "",
        _("<b>Who gets reports now</b>"),
        *routing_lines(context.config.routing, stage),
        _("In an emergency, always call {number} first.").format(
            number=context.config.emergency_number),
    ])


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def history_line(context: BuurtnetContext, entry: HistoryEntry) -> str:
    values = {
        "date": day(context.config.tz, entry.changed_at),
        "who": who_changed(entry),
        "before": stage_name(entry.from_stage),
        "after": stage_name(entry.to_stage),
        "reason": html.escape(_shorten(entry.reason or "", HISTORY_REASON_MAX)),
    }
    if entry.cause == "measured":
        text = _("{date}: {before} → {after}, measured")
    elif entry.cause == "override":
        text = _("{date}: {who} set the stage to {after}: {reason}")
    elif entry.cause == "override_lifted":
        text = _("{date}: {who} lifted the override ({before} → {after}): {reason}")
    elif entry.reason == "on":
        text = _("{date}: {who} registered the residents' committee")
    else:
        text = _("{date}: {who} withdrew the residents' committee")
    return "• " + text.format(**values)


async def organiser_view(context: BuurtnetContext, complex_: Complex, *,
                         initiator: bool) -> str:
    """The public view, the override, every criterion, next steps and the latest history."""
    stages = context.repos.stages
    lines = [public_view(context, complex_), ""]
    override = await stages.override_set(complex_.id)
    if complex_.stage_override and override is not None:
        lines.append(_("{who} set this stage on {date}. Reason: {reason}").format(
            who=who_changed(override), date=day(context.config.tz, override.changed_at),
            reason=html.escape(override.reason or "")))
        lines.append((_("The measured stage is <b>{stage}</b>; a contact can lift the "
                         "override.") if initiator else
                      _("The measured stage is <b>{stage}</b>; /setstage auto lifts the "
                        "override.")).format(stage=stage_name(complex_.stage)))
    else:
        lines.append(_("This is the measured stage: it follows from the criteria below."))
    metrics = await stages.metrics(complex_.id, context.config.stage_thresholds)
    lines += criteria_view(context.config, complex_, metrics, for_initiators=initiator)
    history = await stages.history(complex_.id, HISTORY_SHOWN)
    if history:
        lines += ["", _("<b>Latest changes</b>"),
                  *(history_line(context, entry) for entry in history)]
    return "\n".join(lines)


def strangers_view() -> str:
    stages = "\n\n".join(f"<b>{stage_name(stage)}</b>: {stage_meaning(stage)}"
                         for stage in STAGES)
    return "\n\n".join([
        _("<b>The three stages of a complex</b>\nHow well the residents of a complex know each "
          "other decides who gets their reports first."),
        stages,
        _("The stage follows from what residents do: signing up, organising, meeting each "
          "other and doing things together."),
        _("To join, use the invite link of your complex (ask an initiator or look in your "
          "complex's group chat)."),
    ])


# -- /stage ------------------------------------------------------------------------------


async def _view(context: BuurtnetContext, who: Standing, complex_: Complex) -> str:
    if who.organises(complex_.id):
        return await organiser_view(context, complex_,
                                    initiator=who.is_initiator_of(complex_.id))
    return public_view(context, complex_)


async def _own_complexes(context: BuurtnetContext, who: Standing) -> list[Complex]:
    if who.is_operator:
        return await context.repos.complexes.all()
    ids = [contact.complex_id for contact in who.contacts]
    if who.active_resident is not None:
        ids.insert(0, who.active_resident.complex_id)
    return [c for complex_id in dict.fromkeys(ids)
            if (c := await context.repos.complexes.get(complex_id))]


async def stage_command(update: Update, context: BuurtnetContext) -> None:
    if is_group(update):
        await _in_group(update, context)
        return
    who = await standing(update, context)
    args = command_args(context)
    if args:
        number = complex_number(args[0]) if len(args) == 1 else None
        if number is None:
            await reply(update, _("Usage: /stage, or /stage 3 with the number of one of your "
                                  "complexes."))
            return
        complex_ = await context.repos.complexes.get(number)
        if complex_ is None or not who.may_see(complex_.id):
            await reply(update, _("You are not part of complex #{number}. /stage without a "
                                  "number shows yours.").format(number=number))
            return
        await reply(update, await _view(context, who, complex_))
        return
    complexes = await _own_complexes(context, who)
    if not complexes:
        await reply(update, strangers_view())
    elif len(complexes) == 1:
        await reply(update, await _view(context, who, complexes[0]))
    else:
        await reply(update, _("Which complex? Press one, or type /stage with its number."), [
            [choice(f"#{c.id} {c.name} · {stage_name(c.effective_stage)}", "sg", record=c.id)]
            for c in complexes])


async def _in_group(update: Update, context: BuurtnetContext) -> None:
    assert update.effective_chat is not None
    complex_ = await context.repos.complexes.by_group(update.effective_chat.id)
    if complex_ is None:
        await reply(update, _("This group is not linked to a complex yet. An initiator or "
                              "contact can link it with /linkgroup."))
        return
    with use_language(complex_.language):
        await reply(update, public_view(context, complex_) + "\n\n" + _(
            "Initiators and contacts: /stage in a private chat with me shows every criterion "
            "and the next steps."))


async def on_choice(update: Update, context: BuurtnetContext) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None or message.chat.type != ChatType.PRIVATE:
        await stale_button(query)
        return
    button = await pressed(query, with_id=True)
    if button is None:
        return
    who = await standing(update, context)
    complex_ = await context.repos.complexes.get(button.id)
    if complex_ is None or not who.may_see(complex_.id):
        await stale_button(query)
        return
    await query.answer()
    await query.edit_message_text(await _view(context, who, complex_),
                                  disable_web_page_preview=True)


# -- /committee and /setstage ------------------------------------------------------------------


def _committee_state(complex_: Complex) -> str:
    return (_("The residents' committee of <b>{complex}</b> is registered.") if complex_.committee
            else _("The residents' committee of <b>{complex}</b> is not registered.")).format(
        complex=html.escape(complex_.name))


async def committee_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_private(update, context):
        return
    found = await contacted_complex(update, context, command_args(context), "/committee 3 on")
    if found is None:
        return
    complex_, rest = found
    choice = keyword(rest[0]) if len(rest) == 1 else None
    if choice not in ("on", "off"):
        await reply(update, _committee_state(complex_) + "\n" + _(
            "Usage: /committee on when the residents have formed a committee of initiators, "
            "/committee off when it no longer exists."))
        return
    assert update.effective_user is not None
    on = choice == "on"
    changed = await set_committee(context.services, complex_, on, update.effective_user.id)
    if not changed:
        await reply(update, _committee_state(complex_))
        return
    updated = await context.repos.complexes.get(complex_.id)
    assert updated is not None
    await reply(update, (_("Registered: <b>{complex}</b> has a residents' committee.") if on
                         else _("Withdrawn: <b>{complex}</b> has no registered residents' "
                                "committee any more.")).format(
        complex=html.escape(complex_.name)) + " " + _(
        "The measured stage is <b>{stage}</b>.").format(stage=stage_name(updated.stage)))


def parse_setstage(args: list[str]) -> tuple[str | None, str]:
    """The stage to set (None: lift the override) and the reason, from /setstage's words."""
    if not args:
        raise InvalidInput(N_("Usage: /setstage, then the stage (loose_sand, "
                              "beginning_network or group) and why, for example /setstage "
                              "group the committee meets monthly. /setstage auto, then why, "
                              "lifts the override."))
    token = keyword(args[0])
    if token not in (*STAGES, AUTO):
        raise InvalidInput(N_("I do not know the stage {stage}. Use loose_sand, "
                              "beginning_network, group, or auto to lift the override."),
                           {"stage": html.escape(_shorten(args[0], 40))})
    reason = " ".join(" ".join(args[1:]).split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput(N_("Please add a reason of {min} to {max} characters after the "
                              "stage."), {"min": REASON_MIN, "max": REASON_MAX})
    return (None if token == AUTO else token), reason


async def setstage_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_private(update, context):
        return
    found = await contacted_complex(update, context, command_args(context),
                                   "/setstage 3 group …")
    if found is None:
        return
    complex_, rest = found
    try:
        stage, reason = parse_setstage(rest)
    except InvalidInput as error:
        await say_invalid(update, error)
        return
    name = html.escape(complex_.name)
    assert update.effective_user is not None
    outcome, entry = await set_override(context.services, complex_, stage,
                                        update.effective_user.id, reason)
    if outcome is Override.NOTHING_TO_LIFT:
        await reply(update, _("The stage of <b>{complex}</b> has no override to lift: it "
                              "follows the measured stage, <b>{stage}</b>.").format(
            complex=name, stage=stage_name(complex_.stage)))
        return
    if outcome is Override.ALREADY_SET:
        await reply(update, _("The stage of <b>{complex}</b> is already set to "
                              "<b>{stage}</b>.").format(complex=name, stage=stage_name(stage)))
        return
    if entry is None:  # someone else changed it at the same moment
        await reply(update, _("The stage of <b>{complex}</b> was just changed by someone else; "
                              "/stage shows it.").format(complex=name))
        return
    if stage is None:
        await reply(update, _("Done: the override is lifted. The stage of <b>{complex}</b> is "
                              "again the measured one, <b>{stage}</b>. Initiators and the "
                              "other contacts are told.").format(
            complex=name, stage=stage_name(entry.to_stage)))
    else:
        await reply(update, _("Done: the stage of <b>{complex}</b> is now <b>{stage}</b>, and "
                              "reports follow it until /setstage auto lifts the override. "
                              "Initiators and the other contacts are told.").format(
            complex=name, stage=stage_name(stage)))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("stage", stage_command),
        CallbackQueryHandler(on_choice, pattern=pattern("sg")),
        CommandHandler("committee", committee_command),
        CommandHandler("setstage", setstage_command),
    ]
