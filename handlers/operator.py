"""Operators: /newcomplex, /invitecontact and /complexes (contacts see theirs)."""

import html

from babel.dates import format_datetime
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BuurtnetContext
from bot.domain import complex_form, validation
from bot.domain.button_data import parse_id, pattern, unpack
from bot.domain.keywords import keyword
from bot.domain.labels import kind_label, policy_label
from bot.domain.models import Complex, ContactKind, Draft, JoinPolicy
from bot.domain.validation import InvalidInput
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, N_, _, current_language
from bot.services import joining, settings
from handlers.common import (
    Keyboard,
    choice,
    deep_link,
    markup,
    reply,
    reply_lines,
    require_private,
    say_invalid,
    stale_button,
    standing,
)
from handlers.conversation import Flow
from handlers.guards import operators_only
from handlers.presses import Press, ask, step_buttons

FLOW = "newcomplex"


def created_text(context: BuurtnetContext, complex_: Complex) -> str:
    return _(
        "Complex <b>{name}</b> is created: {homes} homes, municipality {municipality}, "
        "language {language}, sign-up {policy}.\n\n"
        "Invite link for residents:\n{resident_link}\n\n"
        "Invite link for initiators (give it only to them):\n{initiator_link}\n\n"
        "Next: /invitecontact to invite the municipality, police or corporation contacts."
    ).format(
        name=html.escape(complex_.name),
        homes=complex_.homes,
        municipality=html.escape(complex_.municipality),
        language=LANGUAGE_NAMES[complex_.language],
        policy=policy_label(complex_.join_policy),
        resident_link=deep_link(context, complex_.resident_code),
        initiator_link=deep_link(context, complex_.initiator_code),
    )


async def _operator(update: Update, context: BuurtnetContext) -> bool:
    if not await require_private(update, context):
        return False
    return await operators_only(update, context)


async def _create(update: Update, context: BuurtnetContext, form: complex_form.ComplexForm,
                  *, ending: Draft | None = None) -> None:
    """Create the complex; the conversation that asked for it (`ending`) ends either way."""
    assert update.effective_user is not None
    complex_ = await settings.create_complex(context.services, form, update.effective_user.id,
                                             ends_conversation=ending is not None)
    if complex_ is None:
        await reply(update, _("There is already a complex called {name}. Choose another "
                              "name.").format(name=html.escape(form.name)))
        return
    await reply(update, created_text(context, complex_))


async def newcomplex_command(update: Update, context: BuurtnetContext) -> None:
    if not await _operator(update, context):
        return
    assert update.effective_user is not None and update.effective_message is not None
    text = (update.effective_message.text or "").partition(" ")[2].strip()
    if text:
        try:
            form = complex_form.parse_complex_form(text)
        except InvalidInput as error:
            await say_invalid(update, error)
            await reply(update, _("Usage: /newcomplex Name; homes; municipality; nl or en; "
                                  "open or approval — or /newcomplex alone to be asked "
                                  "step by step."))
            return
        await _create(update, context, form)
        return
    await context.repos.drafts.put(update.effective_user.id, FLOW, "name", {})
    await reply(update, _("What is the complex called? (/cancel stops)"))


async def on_text(update: Update, context: BuurtnetContext, draft: Draft) -> None:
    if not await _operator(update, context):
        await context.repos.drafts.clear(draft.telegram_id)
        return
    text = update.effective_message.text if update.effective_message else None
    data = dict(draft.data)
    try:
        if draft.step == "name":
            data["name"] = complex_form.complex_name(text)
            if await context.repos.complexes.by_name(data["name"]):
                raise InvalidInput(N_("There is already a complex called {name}. Choose "
                                      "another name."), {"name": html.escape(data["name"])})
            next_step, question, keyboard = "homes", _("How many homes does it have?"), None
        elif draft.step == "homes":
            data["homes"] = validation.homes(text)
            next_step, question, keyboard = (
                "municipality", _("Which municipality is it in?"), None)
        elif draft.step == "municipality":
            data["municipality"] = complex_form.municipality(text)
            next_step, question, keyboard = "language", _(
                "In which language should I post in its group chat?"), _language_keyboard()
        else:  # the language or policy step: show its buttons again
            await reply(update, _("Please choose one of the buttons."),
                        _language_keyboard() if draft.step == "language" else
                        _policy_keyboard())
            return
    except InvalidInput as error:
        await say_invalid(update, error)
        return
    await context.repos.drafts.put(draft.telegram_id, FLOW, next_step, data)
    await ask(update, context, question, keyboard)


def _policy_keyboard() -> Keyboard:
    return [[
        choice(policy_label(JoinPolicy.OPEN), "nc", "policy", detail="open"),
        choice(policy_label(JoinPolicy.APPROVAL), "nc", "policy", detail="approval"),
    ]]


def _language_keyboard() -> Keyboard:
    return [[choice(LANGUAGE_NAMES[code], "nc", "language", detail=code)
             for code in LANGUAGES]]


async def _on_button_step(update: Update, context: BuurtnetContext, query: Press, draft: Draft,
                          step: str, value: str) -> None:
    """A tap on a /newcomplex button, or its label typed."""
    assert update.effective_user is not None
    if not await operators_only(update, context):
        await context.repos.drafts.clear(draft.telegram_id)
        return
    data = dict(draft.data)
    if step == "language" and value in LANGUAGES:
        data["language"] = value
        await context.repos.drafts.put(draft.telegram_id, FLOW, "policy", data)
        await query.answer()
        await query.edit_message_reply_markup(None)
        await ask(update, context, _("How do residents join?"), _policy_keyboard())
        return
    if step == "policy" and value in ("open", "approval"):
        await query.answer()
        await query.edit_message_reply_markup(None)
        await _create(update, context, complex_form.ComplexForm(
            name=data["name"], homes=data["homes"], municipality=data["municipality"],
            language=data["language"], join_policy=JoinPolicy(value),
        ), ending=draft)
        return
    await stale_button(query)


on_button = step_buttons(FLOW, _on_button_step)


# -- contacts -------------------------------------------------------------------


async def invitecontact_command(update: Update, context: BuurtnetContext) -> None:
    if not await _operator(update, context):
        return
    args = list(context.args or [])
    if not args:
        complexes = await context.repos.complexes.all()
        if not complexes:
            await reply(update, _("There are no complexes yet: create one with /newcomplex."))
            return
        await reply(update, _("For which complex?"), [
            [choice(c.name, "ic", "kinds", c.id)] for c in complexes])
        return
    usage = _("Usage: /invitecontact 3 police: the complex's number, then municipality, "
              "police, corporation or peer. "
              "/complexes shows the numbers.")
    if len(args) != 2 or parse_id(args[0].lstrip("#")) is None:
        await reply(update, usage)
        return
    complex_ = await context.repos.complexes.get(int(args[0].lstrip("#")))
    if complex_ is None:
        await reply(update, _("There is no complex with number {number}.").format(
            number=html.escape(args[0])))
        return
    try:
        kind = ContactKind(keyword(args[1]))
    except ValueError:
        await reply(update, usage)
        return
    await _send_invite(update, context, complex_, kind)


async def _send_invite(update: Update, context: BuurtnetContext, complex_: Complex,
                       kind: ContactKind) -> None:
    assert update.effective_user is not None
    invite = await joining.invite_contact(context.services, complex_, kind,
                                          update.effective_user.id)
    until = format_datetime(invite.expires_at, "medium", tzinfo=context.config.tz,
                            locale=current_language())
    await reply(update, _(
        "Invite for a contact ({kind}) of <b>{complex}</b>. Send this link to that person; it "
        "works once and until {until}:\n{link}"
    ).format(kind=kind_label(kind), complex=html.escape(complex_.name), until=until,
             link=deep_link(context, invite.code)))


async def on_invite_button(update: Update, context: BuurtnetContext) -> None:
    """"kinds" asks which kind of contact; "new" (from that question) and "keep" (from an
    alert, whose other buttons stay) send the invite."""
    query = update.callback_query
    assert query is not None
    if not await operators_only(update, context):
        return
    button = unpack(query.data, ("kinds",), with_id=True) or unpack(
        query.data, ("new", "keep"), with_id=True, detail=[kind.value for kind in ContactKind])
    complex_ = None if button is None or button.id is None else \
        await context.repos.complexes.get(button.id)
    if button is None or complex_ is None:
        await stale_button(query)
        return
    await query.answer()
    if button.detail is None:
        await query.edit_message_text(
            _("Which kind of contact for <b>{complex}</b>?").format(
                complex=html.escape(complex_.name)),
            reply_markup=_kinds_keyboard(complex_.id))
        return
    if button.verb == "new":
        await query.edit_message_reply_markup(None)
    await _send_invite(update, context, complex_, ContactKind(button.detail))


def _kinds_keyboard(complex_id: int) -> InlineKeyboardMarkup:
    return markup([[choice(kind_label(kind), "ic", "new", complex_id, kind.value)]
                   for kind in ContactKind])


async def complexes_command(update: Update, context: BuurtnetContext) -> None:
    if not await require_private(update, context):
        return
    who = await standing(update, context)
    if not (who.is_operator or who.contacts):
        await reply(update, _("This command is for operators and contacts."))
        return
    ids = None if who.is_operator else [contact.complex_id for contact in who.contacts]
    rows = await context.repos.complexes.with_counts(ids)
    if not rows:
        await reply(update, _("There are no complexes yet: create one with /newcomplex."))
        return
    kinds = {contact.complex_id: contact.kind for contact in who.contacts}
    lines = []
    for row in rows:
        c = row.complex
        line = _("#{number} <b>{name}</b> ({municipality})\n"
                 "homes: {homes} · residents: {residents} · initiators: {initiators} · "
                 "contacts: {contacts} · group chat: {group}").format(
            number=c.id, name=html.escape(c.name), municipality=html.escape(c.municipality),
            residents=row.residents, homes=c.homes, initiators=row.initiators,
            contacts=row.contacts,
            group=_("linked") if c.group_chat_id else _("not linked"))
        if row.pending:
            line += " · " + _("waiting for approval: {count}").format(count=row.pending)
        if c.id in kinds:
            line += "\n" + _("You are its contact ({kind}).").format(kind=kind_label(kinds[c.id]))
        lines.append(line)
    await reply_lines(update, lines[0], lines[1:], between="\n\n")


def flows() -> list[Flow]:
    """This feature's guided conversations."""
    return [Flow(FLOW, on_text, on_button)]


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("newcomplex", newcomplex_command),
        CallbackQueryHandler(on_button, pattern=pattern("nc")),
        CommandHandler("invitecontact", invitecontact_command),
        CallbackQueryHandler(on_invite_button, pattern=pattern("ic")),
        CommandHandler("complexes", complexes_command),
    ]
