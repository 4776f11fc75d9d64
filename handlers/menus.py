"""Command menus (setMyCommands) per language and scope, and the /help text they share."""

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from bot.context import BuurtnetContext
from bot.i18n import LANGUAGES, N_, _, use_language
from bot.roles import Standing, standing_of

log = logging.getLogger(__name__)

Commands = list[tuple[str, str]]

EVERYONE: Commands = [
    ("start", N_("What this bot is, and how to join")),
    ("help", N_("The commands you can use")),
    ("language", N_("Choose your language")),
    ("privacy", N_("What is kept about you, and why")),
    ("mydata", N_("Everything kept about you, as a file")),
    ("forgetme", N_("Erase everything kept about you")),
    ("cancel", N_("Stop what you are doing")),
]
RESIDENT: Commands = [
    ("report", N_("Report an incident or a worry, privately")),
    ("myreports", N_("Your reports and what happened with them")),
    ("profile", N_("See and change your details")),
    ("meet", N_("Be introduced to a neighbour now")),
    ("idea", N_("Propose an idea for your complex")),
    ("ideas", N_("The open ideas: support them or offer help")),
    ("closeidea", N_("Close an idea you proposed")),
    ("activities", N_("Activities coming up, and the last ones")),
    ("stage", N_("Where your complex stands as a network")),
    ("leave", N_("Leave your complex")),
]
INITIATOR: Commands = [
    ("members", N_("The residents of your complex")),
    ("invite", N_("The invite link for residents")),
    ("initiatorlink", N_("A new invite link for initiators; the old one stops working")),
    ("promote", N_("Make a resident an initiator")),
    ("demote", N_("Make an initiator a resident again")),
    ("remove", N_("Remove a resident, with a reason")),
    ("joinpolicy", N_("Open sign-up, or approval by an initiator")),
    ("plan", N_("Plan an activity, from an idea or something new")),
    ("reports", N_("The reports from your complex")),
    ("queue", N_("Reports waiting for you to act")),
    ("settings", N_("When introduction rounds happen")),
    ("linkgroup", N_("Link a group chat to your complex (in the group)")),
]
CONTACT: Commands = [
    ("queue", N_("Reports waiting for you to act")),
    ("complexes", N_("Your complexes")),
    ("stage", N_("Where your complexes stand as a network")),
    ("committee", N_("Register or withdraw a residents' committee")),
    ("setstage", N_("Set the stage of a complex yourself, with a reason")),
    ("linkgroup", N_("Link a group chat to your complex (in the group)")),
]
OPERATOR: Commands = [
    ("newcomplex", N_("Create a complex")),
    ("invitecontact", N_("Invite a contact for a complex")),
    ("initiatorlink", N_("A new invite link for initiators; the old one stops working")),
    ("complexes", N_("All complexes with their numbers")),
    ("openreports", N_("Reports not resolved yet, everywhere, least looked-after first")),
]
GROUP: Commands = [
    ("start", N_("Sign up in a private chat")),
    ("help", N_("The commands you can use")),
    ("idea", N_("Propose an idea for the complex")),
    ("report", N_("Report privately")),
    ("stage", N_("Where the complex stands as a network")),
]
GROUP_ADMINS: Commands = [*GROUP, ("linkgroup", N_("Link this group to your complex")),
                          ("invite", N_("Post the invite link for residents"))]


def commands_for(who: Standing) -> Commands:
    """The private-chat commands of someone's roles, without repeats, in a stable order."""
    chosen = list(EVERYONE)
    if who.resident is not None:
        chosen += RESIDENT
    if who.initiator_complex_id is not None:
        chosen += INITIATOR
    if who.contacts:
        chosen += CONTACT
    if who.is_operator:
        chosen += OPERATOR
    seen: dict[str, str] = {}
    for name, description in chosen:
        seen.setdefault(name, description)
    return list(seen.items())


def _bot_commands(commands: Commands) -> list[BotCommand]:
    return [BotCommand(name, _(description)) for name, description in commands]


async def setup_command_menus(bot: Bot, default_language: str) -> None:
    """The menus everyone sees, per language; the default follows the deployment language."""
    scopes = [
        (BotCommandScopeAllPrivateChats(), EVERYONE + RESIDENT),
        (BotCommandScopeAllGroupChats(), GROUP),
        (BotCommandScopeAllChatAdministrators(), GROUP_ADMINS),
    ]
    for language in (*LANGUAGES, None):
        with use_language(language or default_language):
            for scope, commands in scopes:
                await bot.set_my_commands(
                    _bot_commands(commands), scope=scope, language_code=language
                )


async def refresh_command_menu(context: BuurtnetContext, telegram_id: int) -> None:
    """Give someone the menu of their roles in their private chat with the bot."""
    who = await standing_of(context.repos, context.config.operators, telegram_id)
    await apply_personal_menu(context.bot, who, await context.repos.people.language_of(
        telegram_id) or context.config.language)


async def apply_personal_menu(bot: Bot, who: Standing, language: str) -> None:
    scope = BotCommandScopeChat(who.telegram_id)
    try:
        if who.initiator_complex_id is None and not who.contacts and not who.is_operator:
            await bot.delete_my_commands(scope=scope)
            return
        with use_language(language):
            await bot.set_my_commands(_bot_commands(commands_for(who)), scope=scope)
    except TelegramError as exc:
        log.info("could not set someone's command menu: %s", exc)  # no ids in the log
