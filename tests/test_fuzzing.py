"""Property-based fuzzing (hypothesis) of every text step, command argument and button.

The town of tests/authorisation_town.py is built once; each example puts the database back
as it was at the step under test, sends one hostile update and checks what the bot did: no
error or warning logged, every message it sent well-formed for Telegram (only Telegram's
HTML, nothing a person typed taken as markup, within Telegram's length), and, for button
data nobody made, nothing changed.

`BUURTNET_FUZZ_PROFILE=long pytest tests/test_fuzzing.py` runs many more, random examples
(the CI profile is bounded and derandomised, so it always tries the same ones).
"""

import asyncio
import html
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.domain.validation import utf16_length
from tests.authorisation_town import (
    COMMAND_LINES,
    DUTCH,
    MADE_UP_BUTTONS,
    Town,
    build,
    restore,
    snapshot,
)
from tests.conftest import make_config
from tests.test_authorisation_matrix import BUTTONS, COMMANDS, LETTERS, expected
from tests.world import GROUP_ID, Call, World

settings.register_profile(
    "ci", max_examples=12, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "long", max_examples=400, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("BUURTNET_FUZZ_PROFILE", "ci")

# Markup Telegram knows that no message of ours uses: seen in a message, it came from
# what someone typed, unescaped.
CANARIES = ("<u>", "<s>", "<tg-spoiler>", "<blockquote>")
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code",
                 "pre", "tg-spoiler", "span", "blockquote", "tg-emoji"}
ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")

HOSTILE_IDS = ("²", "٣", "１２", "9" * 19, "9" * 40, "-9" * 20, "", "0x1f", "1e3", "1.0",
               "\u200b", "1\u200b", " 1", "<u>1</u>", "NaN")
UNICODE = st.sampled_from([
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202e", "\u2066",
    "\u0301", "\u0308", "\u0489", "שלום", "مرحبا", "👍", "👨‍👩‍👧", "🏳️‍🌈", "Ⅻ", "²", "٣",
    "<", ">", "&", "&amp;", "&foo;", '"', "'", "<b>", "</b>", "<i>x</i>", "<script>",
    "<a href='https://example.org'>", "</a>", *CANARIES, "\n", "  ", "/", "@", "#", ";"])
CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc"))


def hostile_text(max_size: int) -> st.SearchStrategy[str]:
    pieces = st.one_of(st.text(CHARACTERS, max_size=12), UNICODE)
    short = st.lists(pieces, max_size=12).map("".join)
    long = st.builds(lambda text, times: (text or "x") * times, short,
                     st.integers(300, 2200))
    return st.one_of(short, long).map(lambda text: text[:max_size])


TEXTS = hostile_text(9000)


class Fuzzer:
    """The town on its own event loop, which every example runs in."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.logged: list[logging.LogRecord] = []
        self.world: World = self.run(World.start(make_config(tmp), ManualClock()))
        self.town: Town = self.run(build(self.world))
        self.places: dict[str, sqlite3.Connection] = {}

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def close(self) -> None:
        self.run(self.world.stop())
        self.loop.close()

    async def act(self, who: str, action: str, chat_id: int | None = None, *,
                  forge: bool = True) -> list[Call] | None:
        """Say `action`; or "press <data>": press the button whose data ends with it on the
        person's latest message that still shows one (or, if `forge`, forged onto a message
        of theirs; else None); or "press-raw <data>": forge a press of exactly that data
        onto a message in `chat_id` (their own chat by default)."""
        person = DUTCH[who]
        telegram = self.world.telegram
        if action.startswith("press-raw "):
            return await self.world.feed(telegram.press_update(
                person, chat_id or person["id"], 10**7, action.removeprefix("press-raw ")))
        if not action.startswith("press "):
            chat = telegram.private_chat(person) if chat_id is None else self.world.group()
            return await self.world.feed(telegram.text_update(person, chat, action))
        data = action.removeprefix("press ")
        shown = [(message_id, button["callback_data"])
                 for (chat, message_id), message in telegram.messages.items()
                 if chat == person["id"]
                 for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                 for button in row if button.get("callback_data", "").endswith(":" + data)]
        if shown:
            message_id, full = max(shown)
            return await self.world.feed(telegram.press_update(
                person, person["id"], message_id, full))
        if not forge:
            return None
        return await self.world.feed(telegram.press_update(
            person, person["id"], 10**7, "1:" + data))

    async def place(self, name: str, steps: tuple[tuple[str, str], ...]) -> None:
        """Reach the moment after `steps` from the town, once, and keep its database."""
        if name not in self.places:
            await restore(self.world, self.town.snapshot)
            for who, action in steps:
                await self.act(who, action.format(**self.town.ids, **self.codes()))
            self.places[name] = await snapshot(self.world)
        await restore(self.world, self.places[name])

    def codes(self) -> dict[str, str]:
        return {"resident_code": self.town.toren.resident_code}

    def attempt(self, name: str, steps: tuple[tuple[str, str], ...], who: str, action: str,
                *, chat_id: int | None = None, unchanged: bool = False,
                then: tuple[tuple[str, str], ...] = ()) -> None:
        async def work() -> None:
            await self.place(name, steps)
            before = await self.world.dump() if unchanged else None
            self.logged.clear()
            calls = await self.act(who, action, chat_id)
            calls = calls or []
            for next_who, next_action in then:  # finish the conversation, if it goes on
                more = await self.act(next_who, next_action, forge=False)
                if more is None:
                    break
                calls += more
            problems = [record.getMessage() for record in self.logged]
            assert not problems, (action, problems)
            for call in calls:
                check_for_telegram(call)
            if unchanged:
                assert await self.world.dump() == before, action
        self.run(work())


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        assert tag in TELEGRAM_TAGS, f"<{tag}> is not Telegram's HTML"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, f"</{tag}> closes nothing"


def check_for_telegram(call: Call) -> None:
    """What Telegram would accept, and nothing a person typed read as markup."""
    if call.method == "answerCallbackQuery":
        assert len(str(call.params.get("text", ""))) <= 200, call.params
        return
    text = str(call.params.get("text") or call.params.get("caption") or "")
    if not text:
        return
    html_mode = call.params.get("parse_mode") == "HTML"
    shown = html.unescape(re.sub(r"<[^>]*>", "", text)) if html_mode else text
    assert utf16_length(shown) <= (1024 if "caption" in call.params else 4096), call.method
    if not html_mode:
        return
    assert not [canary for canary in CANARIES if canary in text], text
    without_entities = ENTITY.sub("", text)
    assert "&" not in without_entities, text
    parser = _Markup()
    parser.feed(text)
    parser.close()
    assert not parser.open, (parser.open, text)
    for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            assert len(button.get("callback_data", "").encode()) <= 64, button


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    settings.load_profile(PROFILE)
    fuzzer = Fuzzer(tmp_path_factory.mktemp("fuzz"))
    handler = logging.Handler(logging.WARNING)
    handler.emit = fuzzer.logged.append  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    yield fuzzer
    logging.getLogger().removeHandler(handler)
    fuzzer.close()


# -- text steps ---------------------------------------------------------------------------

REPORT = (("resident", "/report"), ("resident", "press rp:now:no"),
          ("resident", "press rp:kind:concern"), ("resident", "press rp:category:nuisance"))
REPORT_TO_SHARING = (*REPORT, ("resident", "gisteravond"), ("resident", "Gang"),
                     ("resident", "Harde muziek"), ("resident", "press rp:photo:skip"),
                     ("resident", "press rp:identity:anonymous"),
                     ("resident", "press rp:share:yes"))
CONFIRM_REPORT = (("resident", "press rp:photo:skip"), ("resident", "press rp:identity:named"),
                  ("resident", "press rp:share:yes"), ("resident", "press rp:group_text:standard"),
                  ("resident", "press rp:confirm:yes"))
SIGN_UP = (("stranger", "/start {resident_code}"), ("stranger", "press su:language:nl"),
           ("stranger", "press su:consent:yes"))
PLAN = (("initiator", "/plan"), ("initiator", "press plan:source:new"))
PLAN_ON = (("initiator", "8 januari 19:30"), ("initiator", "Kelder"),
           ("initiator", "press plan:confirm:yes"))

# step: (who types, the steps that lead there, what finishes the conversation after)
TEXT_STEPS: dict[str, tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "sign-up name": ("stranger", SIGN_UP,
                     (("stranger", "B"), ("stranger", "press su:interests:done"))),
    "sign-up building": ("stranger", (*SIGN_UP, ("stranger", "Sam")), ()),
    "report when": ("resident", REPORT, ()),
    "report where": ("resident", (*REPORT, ("resident", "gisteravond")), ()),
    "report what": ("resident", (*REPORT, ("resident", "gisteravond"), ("resident", "Gang")),
                    CONFIRM_REPORT),
    "report line for the group": ("resident", REPORT_TO_SHARING,
                                  (("resident", "press rp:confirm:yes"),)),
    "activity title": ("initiator", PLAN, PLAN_ON),
    "activity time": ("initiator", (*PLAN, ("initiator", "Soep")), PLAN_ON[1:]),
    "activity place": ("initiator",
                       (*PLAN, ("initiator", "Soep"), ("initiator", "8 januari 19:30")),
                       PLAN_ON[2:]),
    "profile name": ("resident", (("resident", "/profile"), ("resident", "press pf:name")), ()),
    "introduction time": ("initiator", (("initiator", "/settings"), ("initiator", "press st:time")),
                          ()),
    "contact's question": ("contact", (("contact", "press es:ask:{report}"),), ()),
    "reporter's answer": ("resident", (("resident", "press qa:1"),), ()),
    "resolution note": ("contact", (("contact", "press es:res:{report}"),), ()),
    "addition to a report": ("resident", (("resident", "press ra:{report}"),), ()),
    "new complex name": ("operator", (("operator", "/newcomplex"),), ()),
    "nothing asked": ("resident", (), ()),
}


def test_every_step_is_reached(fuzzer: Fuzzer) -> None:
    """Each text step is a conversation waiting for that person's answer."""
    for step, (who, steps, _then) in TEXT_STEPS.items():
        fuzzer.run(fuzzer.place(step, steps))
        draft = fuzzer.run(fuzzer.world.repos.drafts.get(DUTCH[who]["id"]))
        assert (draft is not None) == bool(steps), step


@pytest.mark.parametrize("step", TEXT_STEPS)
def test_text_steps(fuzzer: Fuzzer, step: str) -> None:
    who, steps, then = TEXT_STEPS[step]

    @given(TEXTS)
    def typed(text: str) -> None:
        fuzzer.attempt(step, steps, who, text, then=then)
    typed()


def test_text_in_the_group(fuzzer: Fuzzer) -> None:
    @given(st.sampled_from(sorted(DUTCH)), TEXTS)
    def typed(who: str, text: str) -> None:
        assume(not text.startswith("/"))
        fuzzer.attempt("town", (), who, text, chat_id=GROUP_ID)
    typed()


# -- command arguments ----------------------------------------------------------------------

def _user_of(command: str, in_group: bool) -> str | None:
    """Someone who may use the command there, so its arguments are read."""
    allowed = COMMANDS[command][in_group]
    return LETTERS[allowed[0]] if allowed else None


@pytest.mark.parametrize("command", sorted(COMMAND_LINES))
def test_command_arguments(fuzzer: Fuzzer, command: str) -> None:
    users = {in_group: who for in_group in (False, True)
             if (who := _user_of(command, in_group)) is not None}
    known = COMMAND_LINES[command].format(**fuzzer.town.ids).split()[1:]

    @given(st.lists(st.one_of(st.sampled_from(HOSTILE_IDS), TEXTS.map(lambda t: t[:300]),
                              st.sampled_from(known or ["x"])), max_size=4),
           st.sampled_from(sorted(users)))
    def argued(arguments: list[str], in_group: bool) -> None:
        line = " ".join([f"/{command}", *arguments])
        fuzzer.attempt("town", (), users[in_group], line,
                       chat_id=GROUP_ID if in_group else None)
    argued()


# -- buttons --------------------------------------------------------------------------------

def _real_buttons(fuzzer: Fuzzer) -> list[str]:
    """One button of each kind the town shows or makes, without the version."""
    kinds: dict[tuple[str, ...], str] = {}
    for call in fuzzer.world.telegram.calls:
        for button in call.buttons:
            data = button.get("callback_data", "")
            if data:
                kinds[tuple(data.split(":")[1:3])] = data.partition(":")[2]
    made_up = [data.format(**fuzzer.town.ids) for data in MADE_UP_BUTTONS]
    return sorted(set(kinds.values()) | set(made_up))


def _presser(data: str) -> str:
    allowed = expected(BUTTONS, data)[0]
    return LETTERS[allowed[0]] if allowed else "resident"


def _is_id(part: str) -> bool:
    return part.lstrip("-").isdecimal()


def test_buttons_with_ids_that_are_none(fuzzer: Fuzzer) -> None:
    """A real button with its id made hostile: refused, nothing changed."""
    buttons = [data for data in _real_buttons(fuzzer) if any(map(_is_id, data.split(":")))]

    @given(st.sampled_from(buttons), st.sampled_from(HOSTILE_IDS), st.booleans())
    def forged(data: str, hostile: str, with_version: bool) -> None:
        parts = [hostile if _is_id(part) else part for part in data.split(":")]
        forged_data = (("1:" if with_version else "") + ":".join(parts))[:64]
        fuzzer.attempt("town", (), _presser(data), "press-raw " + forged_data, unchanged=True)
    forged()


def test_buttons_with_made_up_parts(fuzzer: Fuzzer) -> None:
    """A real button's prefix with words nobody made: refused, nothing changed."""
    buttons = _real_buttons(fuzzer)
    known = {part for data in buttons for part in data.split(":")}

    @given(st.sampled_from(buttons), st.lists(TEXTS.map(lambda t: t[:20]), min_size=1,
                                              max_size=3))
    def forged(data: str, words: list[str]) -> None:
        assume(not set(words) & known)
        forged_data = ":".join(["1", data.split(":")[0], *words])
        assume(len(forged_data.encode()) <= 64)
        fuzzer.attempt("town", (), _presser(data), "press-raw " + forged_data, unchanged=True)
    forged()


def test_any_button_data(fuzzer: Fuzzer) -> None:
    @given(st.sampled_from(sorted(DUTCH)), st.text(CHARACTERS, max_size=64),
           st.booleans())
    def pressed(who: str, data: str, in_group: bool) -> None:
        assume(len(data.encode()) <= 64)
        fuzzer.attempt("town", (), who, "press-raw " + data,
                       chat_id=GROUP_ID if in_group else None)
    pressed()

