"""Every command and every kind of button, as each of seven roles, in a private chat and in
De Toren's group (tests/authorisation_town.py): allowed, or refused in the person's language
(Dutch) with the database unchanged, nothing said to anyone else and nothing of De Toren
shown.

Roles by letter: S stranger, E resident of another complex, R resident, I initiator,
X contact of another complex, C contact, O operator.
"""

import logging
import re
from functools import cache

import pytest
from babel.messages.pofile import read_po

from bot.resources import resource_dir
from tests.authorisation_town import (
    COMMAND_LINES,
    DUTCH,
    MADE_UP_BUTTONS,
    Town,
    build,
    button_prefixes,
    commands,
)
from tests.world import GROUP_ID, Call, World, alerts, nl, sent

EVERYONE = "SERIXCO"
LETTERS = dict(zip(EVERYONE, DUTCH, strict=True))

# command: who may use it in a private chat, who in the group.
COMMANDS: dict[str, tuple[str, str]] = {
    "start": (EVERYONE, ""), "help": (EVERYONE, EVERYONE), "language": (EVERYONE, ""),
    "privacy": (EVERYONE, EVERYONE), "cancel": (EVERYONE, EVERYONE), "mydata": (EVERYONE, ""),
    "forgetme": (EVERYONE, ""), "linkgroup": ("", "ICO"), "members": ("I", ""),
    "invite": ("I", "IC"), "initiatorlink": ("IO", ""), "promote": ("I", ""),
    "demote": ("I", ""), "remove": ("I", ""), "joinpolicy": ("I", ""), "settings": ("I", ""),
    "meet": ("ERI", ""), "idea": ("ERI", "RI"), "ideas": ("ERI", ""), "closeidea": ("RI", ""),
    "newcomplex": ("O", ""), "invitecontact": ("O", ""), "complexes": ("XCO", ""),
    "report": ("ERI", ""), "myreports": (EVERYONE, ""), "profile": ("ERI", ""),
    "leave": ("ERI", ""), "plan": ("I", ""), "activities": ("ERI", ""),
    "stage": ("RICO", EVERYONE), "committee": ("C", ""), "setstage": ("C", ""),
    "queue": ("C", ""), "reports": ("I", ""), "openreports": ("O", ""),
}

# "prefix:verb" (or the prefix alone): who may press it in a private chat, who in the group.
# Buttons of a conversation nobody is in (sign-up, /report, /plan, /newcomplex) and of an
# initiator suggestion nobody was made: nobody.
BUTTONS: dict[str, tuple[str, str]] = {
    "su": ("", ""), "rp": ("", ""), "plan": ("", ""), "nc": ("", ""), "init": ("", ""),
    "ap": ("IO", ""), "idea": ("RI", "RI"), "act:go": ("RI", "RI"), "act:held": ("I", ""),
    "act:off": ("I", ""), "in": ("RI", ""), "mt": ("RI", ""), "me": ("RI", "RI"),
    "es": ("C", ""), "qa": ("R", ""), "or": ("O", ""), "th": ("R", ""),
    "fg": (EVERYONE, ""), "lv:yes": ("ERI", ""), "lv:no": (EVERYONE, ""),
    "lang": (EVERYONE, ""), "st": ("I", ""), "pf": ("ERI", ""), "ra": ("R", ""),
    "sg": ("RICO", ""), "lg": ("", "ICO"), "ic": ("O", ""),
}

# What refusing someone sounds like: an allowed person never hears one of these.
REFUSALS = (
    "Only initiators of a complex can do that.", "Only contacts of a complex can do that.",
    "Only the operators of this Buurtnet can do that.",
    "Only residents of a complex can do that. Open the invite link of your complex to join.",
    "You are not signed up in a complex. Open the invite link of your complex to join.",
    "Please use this command in a private chat with me.", "This button is no longer valid.",
    "This button only works in a private chat with me.",
)
# What De Toren's outsiders must never read in a refusal.
SECRETS = ("Rosa", "Daan", "Loud music", "Welke flat", "3rd floor", "Soepavond")


@cache
def languages() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every Dutch message of the catalog that reads otherwise in English (placeholders as
    wildcards), and every English one without placeholders that reads otherwise in Dutch."""
    with (resource_dir("locales") / "nl" / "LC_MESSAGES" / "buurtnet.po").open("rb") as po:
        catalog = read_po(po, locale="nl")
    dutch, english = [], []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for string in strings:
            pieces = re.split(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]", string)
            if string and string not in ids and sum(map(len, pieces)) >= 8:
                dutch.append(".*?".join(re.escape(piece) for piece in pieces))
        english += [re.escape(text) for text in ids if text and len(text) >= 12
                    and "{" not in text and text not in strings]
    return (re.compile("|".join(sorted(dutch, key=len, reverse=True)), re.DOTALL),
            re.compile("|".join(english)))


def in_dutch(text: str) -> bool:
    """Some message of the Dutch catalog, and none of the English one, is in `text`."""
    dutch, english = languages()
    return dutch.search(text) is not None and english.search(text) is None


def expected(table: dict[str, tuple[str, str]], data: str) -> tuple[str, str]:
    prefix, _, rest = data.partition(":")
    return table.get(f"{prefix}:{rest.partition(':')[0]}") or table[prefix]


async def attempt(town: Town, who: str, update: dict, chat_id: int, allowed: bool,
                  caplog: pytest.LogCaptureFixture) -> None:
    world = town.world
    person = DUTCH[who]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        calls = await world.feed(update)
    changed = await world.dump() != town.base
    if changed:
        await town.put_back()
    cell = f"{who}: " + (update["message"]["text"] if "message" in update
                         else f"{update['callback_query']['data']} in {chat_id}")
    assert not caplog.records, (cell, [r.getMessage() for r in caplog.records])
    answers = _answers(calls, {chat_id, person["id"]})
    assert answers, (cell, "no answer")
    assert all(in_dutch(text) for text in answers), (cell, answers)
    refusals = {nl(text) for text in REFUSALS}
    if allowed:
        assert not refusals & set(answers), (cell, answers)
        return
    assert not changed, (cell, "changed the database", answers)
    assert {call.chat_id for call in sent(calls)} <= {chat_id}, (cell, calls)
    if who in ("stranger", "resident elsewhere", "contact elsewhere"):
        assert not [secret for secret in SECRETS for text in answers if secret in text], \
            (cell, answers)


def _answers(calls: list[Call], chats: set[int]) -> list[str]:
    """What the person was told: by alert, or in their chat or the chat they acted in."""
    return [call.text for call in sent(calls) if call.text and call.chat_id in chats] + [
        text for text in alerts(calls) if text]


@pytest.fixture
async def town(world: World) -> Town:
    return await build(world)


def test_the_tables_cover_every_command_and_button(world: World) -> None:
    assert set(COMMANDS) == set(COMMAND_LINES) == commands(world)
    assert {key.partition(":")[0] for key in BUTTONS} == button_prefixes(world)


async def test_every_command(town: Town, caplog: pytest.LogCaptureFixture) -> None:
    world = town.world
    for command, allowed in COMMANDS.items():
        line = COMMAND_LINES[command].format(**town.ids)
        for allowed_roles, chat_of in zip(allowed, (
                world.telegram.private_chat, lambda _person: world.group()), strict=True):
            for letter, who in LETTERS.items():
                chat = chat_of(DUTCH[who])
                await attempt(town, who, world.telegram.text_update(DUTCH[who], chat, line),
                              int(chat["id"]), letter in allowed_roles, caplog)


def shown_buttons(world: World) -> list[str]:
    """One button of each kind the town's messages show, by its callback data."""
    kinds: dict[tuple[str, ...], str] = {}
    for call in world.telegram.calls:
        for button in call.buttons:
            if "callback_data" in button:
                kinds[tuple(button["callback_data"].split(":")[1:3])] = button["callback_data"]
    return list(kinds.values())


async def test_every_button(town: Town, caplog: pytest.LogCaptureFixture) -> None:
    world = town.world
    pressed = [*shown_buttons(world),
               *("1:" + data.format(**town.ids) for data in MADE_UP_BUTTONS)]
    assert {data.split(":")[1] for data in pressed} == button_prefixes(world)
    message_ids = iter(range(10**6, 2 * 10**6))
    for data in pressed:
        for allowed_roles, where in zip(expected(BUTTONS, data.partition(":")[2]),
                                        ("private", "group"), strict=True):
            for letter, who in LETTERS.items():
                chat_id = DUTCH[who]["id"] if where == "private" else GROUP_ID
                # The button on a message of that chat, as a forged press would find it.
                message_id = next(message_ids)
                world.telegram.messages[(chat_id, message_id)] = {
                    "message_id": message_id, "date": 0, "chat": world.telegram.chat(chat_id),
                    "text": "…", "reply_markup": {"inline_keyboard": [
                        [{"text": "…", "callback_data": data}]]}}
                await attempt(town, who, world.telegram.press_update(
                    DUTCH[who], chat_id, message_id, data), chat_id, letter in allowed_roles,
                    caplog)
