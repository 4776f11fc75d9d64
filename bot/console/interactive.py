"""`buurtnet console`: the real bot in a terminal, without Telegram and without a token.

The Application runs behind FakeTelegram (bot/console/offline.py) on the configured database, so
a session can be continued another day. Made-up people ("personas") with fixed Telegram
ids talk to it in their private chats or in one group chat. Everything the bot sends, to
anyone, is printed; buttons are pressed by their number. `:buttons` numbers every button
still on the bot's messages in the persona's chats, so earlier ones can be pressed too.

Lines are read with blocking input between runs of an asyncio.Runner: nothing runs in the
background (the job queue is not started), and Ctrl-C at the prompt is a plain
KeyboardInterrupt. Instead of the job queue's sweeper, `:wait 3d` moves the console's clock
on through everything that falls due in those three days, in time order, and sweeps at
each of those moments, so rounds, follow-ups, reminders and escalations happen when they
would.
"""

import asyncio
import contextlib
import html
import json
import re
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import IO, Any

from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.console.offline import BOT_ID, BOT_USER, Call, OfflineSession
from bot.context import SERVICES
from bot.domain.activities import format_when
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, _, current_language, ngettext, use_language
from bot.jobs import sweeper
from bot.storage import Repositories

# Never sent anywhere: FakeTelegram answers every Bot API call. PTB only needs a token.
CONSOLE_TOKEN = "1:buurtnet-console"

# Telegram ids have at most 52 significant bits, so ids from 2**52 up never belong to a
# real person or chat: console people in a shared database cannot be mistaken for real ones.
FAKE_ID = 2**52
GROUP_ID = -(FAKE_ID + 1)
GROUP_TITLE = "Buurtnet console"
BUILT_IN = {
    "operator": "Olga",
    "contact": "Carla",
    "initiator": "Ivo",
    "resident": "Rosa",
    "stranger": "Sam",
}
OPERATOR_ID = FAKE_ID + 1

PRIVATE = "private"
GROUP = "group"

_COMMAND = re.compile(r":([A-Za-z]+)(?:\s+(.*))?", re.DOTALL)
_NEW_NAME = re.compile(r"[^\W\d_][\w-]{0,31}")
_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_START = re.compile(r"[?&]start=([A-Za-z0-9_-]{1,64})")
_LINK_TAG = re.compile(r"<a\s[^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.DOTALL)
_BOLD_TAG = re.compile(r"<(/?)(?:b|strong)>")
_ANY_TAG = re.compile(r"<[^>]+>")
_BOLD, _RESET = "\033[1m", "\033[0m"
# :wait 3d, 4h (or 4u, Dutch "uur"), 90m, 1w, or several that add up: 1d 12h.
_DURATION = re.compile(r"(?:\s*\d{1,6}\s*[wdhum])+\s*", re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d+)\s*([wdhum])", re.IGNORECASE)
_UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1),
          "u": timedelta(hours=1), "m": timedelta(minutes=1)}
MAX_WAIT = timedelta(days=366)
EXCERPT = 60  # characters of a message's first line in the :buttons list


class OffsetClock:
    """A base clock (the system's, unless a test gives another), moved on by everything
    the console has waited."""

    def __init__(self, base: Clock | None = None) -> None:
        self.base = base or SystemClock()
        self.offset = timedelta()

    def now(self) -> datetime:
        return self.base.now() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def parse_duration(text: str) -> timedelta | None:
    """"3d", "4h", "90m", "1w" or a sum like "1d 12h"; None if it is none of these."""
    if not _DURATION.fullmatch(text):
        return None
    return sum((int(count) * _UNITS[unit.lower()]
                for count, unit in _DURATION_PART.findall(text)), timedelta())


@dataclass
class Persona:
    key: str
    first_name: str
    telegram_id: int
    language: str
    where: str = PRIVATE
    in_group: bool = False

    @property
    def user(self) -> dict[str, Any]:
        """The Telegram user in the updates this persona causes."""
        return {
            "id": self.telegram_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language,
        }

    @property
    def label(self) -> str:
        if self.first_name.lower() == self.key:
            return self.first_name
        return f"{self.first_name} ({self.key})"


@dataclass(frozen=True)
class Numbered:
    """A button shown with a number: where its message is, and what it was."""

    chat_id: int
    message_id: int
    button: dict[str, Any]


def _rows(markup: Any) -> list[list[dict[str, Any]]]:
    if isinstance(markup, str):
        markup = json.loads(markup)
    return list((markup or {}).get("inline_keyboard", []))


def _same_button(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Labels change (a ✅ in front); what the button does identifies it."""
    if "callback_data" in a or "callback_data" in b:
        return a.get("callback_data") == b.get("callback_data")
    return a.get("url") == b.get("url")


def _button_label(button: dict[str, Any]) -> str:
    label = str(button.get("text", ""))
    if button.get("url"):
        label += f" → {button['url']}"
    return label


def _excerpt(message: dict[str, Any]) -> str:
    """The first line of a message's text, tags out, cut to about EXCERPT characters."""
    text = html.unescape(_ANY_TAG.sub("", str(message.get("text") or message.get("caption")
                                               or "")))
    first = next((" ".join(line.split()) for line in text.splitlines() if line.strip()), "")
    if not first:
        document = message.get("document") or {}
        first = f"📎 {document['file_name']}" if document.get("file_name") else _("(no text)")
    if len(first) > EXCERPT:
        first = first[:EXCERPT - 1].rstrip() + "…"
    return first


def _is_tty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Console:
    def __init__(
        self, runner: asyncio.Runner, session: OfflineSession, config: Config, out: IO[str],
        clock: OffsetClock | None = None,
    ) -> None:
        self.runner = runner
        self.session = session
        self.clock = clock or OffsetClock()
        self.telegram = session.telegram
        self.config = config
        self.out = out
        self.bold = _is_tty(out)
        self.personas = {
            key: Persona(key, name, FAKE_ID + 1 + index, config.language)
            for index, (key, name) in enumerate(BUILT_IN.items())
        }
        self.current = self.personas["operator"]
        self.numbered: list[Numbered] = []
        # Messages with buttons that reached someone while another persona was at the keys.
        self.waiting: dict[int, list[tuple[int, int]]] = {}
        self.bot_in_group = False
        username = session.app.bot.username
        self._bot_link = re.compile(
            rf"https://t\.me/{re.escape(username)}(?:\?start=([A-Za-z0-9_-]{{1,64}}))?"
        )
        self.actions: dict[str, Callable[[str], None]] = {
            "help": self.help,
            "who": self.who,
            "as": self.become,
            "lang": self.set_language,
            "private": self.to_private,
            "group": self.to_group,
            "join": self.join,
            "press": self.press,
            "buttons": self.list_buttons,
            "open": self.open,
            "say": self.say,
            "wait": self.wait,
        }

    @property
    def repos(self) -> Repositories:
        return self.session.app.bot_data[SERVICES].repos

    # -- the loop ------------------------------------------------------------

    def welcome(self) -> None:
        self.note(_("Buurtnet console: the real bot, without Telegram. Database: {path}.")
                  .format(path=self.config.database))
        complexes = self.runner.run(self.repos.complexes.all())
        if complexes:
            self.note(_("Complexes in this database: {names}.").format(
                names=", ".join(c.name for c in complexes)))
        else:
            self.note(_("No complexes yet. Try: /newcomplex De Toren; 120; Utrecht; nl"))
        self.note(_("You are {name}, in {place}. :help lists the console commands; anything "
                    "else you type is sent to the bot.").format(
            name=self.current.label, place=self._place(self.current)))

    def prompt(self) -> str:
        place = _("group") if self.current.where == GROUP else _("private")
        return f"{self.current.key}@{place}> "

    def handle(self, line: str) -> bool:
        """Act on one line of input; False when the person wants to leave."""
        text = line.strip()
        if not text:
            return True
        if text.isdigit() and 1 <= int(text) <= len(self.numbered):
            self.press(text)
            return True
        match = _COMMAND.fullmatch(text)
        if match is None:
            self.send(text)
            return True
        name, argument = match.group(1).lower(), (match.group(2) or "").strip()
        if name in ("quit", "exit"):
            return False
        action = self.actions.get(name)
        if action is None:
            self.note(_("Unknown console command :{name}. :help lists them.").format(name=name))
        else:
            action(argument)
        return True

    # -- console commands ----------------------------------------------------

    def help(self, argument: str = "") -> None:
        entries = [
            (":as <person>", _("be someone else: {names}, or a new first name").format(
                names=", ".join(BUILT_IN))),
            (":lang nl|en", _("the language of this person's Telegram")),
            (":private", _("go to this person's private chat with the bot")),
            (":group", _("go to the complex's group chat")),
            (":join", _("join the group chat as this person")),
            (":press N, N", _("press button N of the latest output")),
            (":buttons", _("number every button still there in this person's chats, to press "
                           "one of them")),
            (":say <text>", _("send the text as it is, even a button's number")),
            (":open <link>", _("open an invite link (or its code) in the private chat")),
            (":wait 3d", _("let time pass (d days, h hours, m minutes) and see what the "
                           "bot does then")),
            (":who", _("who is who, and where")),
            (":help", _("this list")),
            (":quit", _("leave the console (end of input or Ctrl-C works too)")),
        ]
        lines = [f"  {syntax:<14}{description}" for syntax, description in entries]
        lines.append(_("Anything else is sent to the bot as a message from this person, "
                       "like /start or /help; a number that is not a button's is sent too."))
        lines.append(_("Buttons shown as [·] belong to someone else: switch with :as to "
                       "press them."))
        self._write(lines)

    def who(self, argument: str = "") -> None:
        for persona in self.personas.values():
            parts = [
                _("id {id}").format(id=persona.telegram_id),
                _("language {language}").format(language=persona.language),
                _("in the group") if persona.where == GROUP else _("in the private chat"),
            ]
            if persona.in_group:
                parts.append(_("member of the group"))
            marker = "→" if persona is self.current else " "
            self._write([f"{marker} {persona.label}: " + ", ".join(parts)])

    def become(self, argument: str) -> None:
        key = argument.lower()
        if not key:
            self.note(_("Say who you want to be, like :as resident. The people here: "
                        "{names}; a new first name makes a new person.").format(
                names=", ".join(self.personas)))
            return
        persona = self.personas.get(key) or next(
            (p for p in self.personas.values() if p.first_name.lower() == key), None)
        if persona is None:
            if not _NEW_NAME.fullmatch(key):
                self.note(_("A new person's name is one word of letters, like :as lena."))
                return
            persona = self._new_persona(key, argument[:1].upper() + argument[1:])
            self.note(_("{name} is new here (Telegram id {id}).").format(
                name=persona.label, id=persona.telegram_id))
        self.current = persona
        self.numbered = []
        self.note(_("Now you are {name}, in {place}.").format(
            name=persona.label, place=self._place(persona)))
        self._show_waiting(persona)

    def set_language(self, argument: str) -> None:
        code = argument.lower()
        if code not in LANGUAGES:
            self.note(_("Choose one of these languages: {languages}; for example :lang en.")
                      .format(languages=", ".join(LANGUAGES)))
            return
        self.current.language = code
        self.note(_("Telegram language of {name}: {language}. The bot follows it until they "
                    "choose a language at sign-up or with /language.").format(
            name=self.current.label, language=LANGUAGE_NAMES[code]))

    def to_private(self, argument: str = "") -> None:
        self.current.where = PRIVATE
        self.note(_("Now in your private chat with the bot."))

    def to_group(self, argument: str = "") -> None:
        self.current.where = GROUP
        self.note(_("Now in the group chat."))
        self._bring_bot_to_group()

    def join(self, argument: str = "") -> None:
        persona = self.current
        persona.where = GROUP
        if persona.in_group:
            self.note(_("{name} is already in the group.").format(name=persona.label))
            return
        persona.in_group = True
        self.note(_("{name} joins the group.").format(name=persona.label))
        if self._bring_bot_to_group():
            return  # the bot came in after them, and greets the group instead
        self._act(self.telegram.new_members_update(
            self._group_chat(), [persona.user], persona.user))

    def press(self, argument: str) -> None:
        if not argument.isdigit():
            self.note(_("Say which button, by its number: :press 1, or just 1."))
            return
        number = int(argument)
        if not self.numbered:
            self.note(_("There are no buttons to press right now."))
            self.note(_(":buttons lists every button this person can still press."))
            return
        if not 1 <= number <= len(self.numbered):
            self.note(ngettext("There is no button {number}; there is only button 1.",
                               "There is no button {number}; you can press 1 to {last}.",
                               len(self.numbered)).format(number=number, last=len(self.numbered)))
            return
        entry = self.numbered[number - 1]
        message = self.telegram.messages.get((entry.chat_id, entry.message_id)) or {}
        if not any(_same_button(button, entry.button)
                   for row in _rows(message.get("reply_markup")) for button in row):
            self.note(_("That button is no longer there."))
            self.note(_(":buttons lists every button this person can still press."))
            return
        data = entry.button.get("callback_data")
        if data is not None:
            self._move(GROUP if entry.chat_id == GROUP_ID else PRIVATE)
            self._act(self.telegram.press_update(
                self.current.user, entry.chat_id, entry.message_id, data))
            return
        url = str(entry.button.get("url", ""))
        link = self._bot_link.fullmatch(url)
        if link is None:
            self.note(_("This button opens {url} in a browser; the console cannot follow it.")
                      .format(url=url))
        elif link.group(1):
            self._start(link.group(1))
        else:
            self.to_private()

    def list_buttons(self, argument: str = "") -> None:
        """Number every button still on the bot's messages in this persona's chats.

        Their private chat, and the group if they are in it (or looking at it), in the
        order the messages were sent: newest last. The numbers count until the next output
        with buttons, like the latest output's.
        """
        persona = self.current
        in_group = persona.in_group or persona.where == GROUP
        chats = {persona.telegram_id, GROUP_ID} if in_group else {persona.telegram_id}
        numbered: list[Numbered] = []
        lines: list[str] = []
        for (chat_id, message_id), message in self.telegram.messages.items():
            if chat_id not in chats or (message.get("from") or {}).get("id") != BOT_ID:
                continue
            rows = _rows(message.get("reply_markup"))
            if not rows:
                continue
            place = _("group") if chat_id == GROUP_ID else _("private")
            excerpt = _excerpt(message)
            for row in rows:
                for button in row:
                    numbered.append(Numbered(chat_id, message_id, button))
                    lines.append(f"  [{len(numbered)}] {_button_label(button)}   "
                                 f"({place}: {excerpt})")
        if not numbered:
            if in_group:
                self.note(_("No buttons left for {name} to press, in their private chat or "
                            "in the group.").format(name=persona.label))
            else:
                self.note(_("No buttons left for {name} to press in their private chat; the "
                            "group's are listed once they :join.").format(name=persona.label))
            return
        self.numbered = numbered
        header = _("Buttons {name} can still press, newest last:").format(name=persona.label)
        self._write([self._strong(header), *lines,
                     _("Type a number (or :press N) to press that button."), ""])

    def open(self, argument: str) -> None:
        found = _START.search(argument)
        code = found.group(1) if found else argument
        if not _CODE.fullmatch(code):
            self.note(_("Give an invite link or its code, for example :open "
                        "https://t.me/{bot}?start=r_AbC123").format(
                bot=self.session.app.bot.username))
            return
        self._start(code)

    def say(self, argument: str) -> None:
        if not argument:
            self.note(_("Say what to send, for example :say 1"))
            return
        self.send(argument)

    def wait(self, argument: str) -> None:
        """Move the clock on, then do once what the job queue does every minute."""
        delta = parse_duration(argument)
        if delta is None or not delta:
            self.note(_("Say how long to wait, like :wait 3d, :wait 4h or :wait 90m (d for "
                        "days, h for hours, m for minutes; 1d 12h adds up)."))
            return
        if delta > MAX_WAIT:
            self.note(_("That is too long: wait at most {days} days at a time.").format(
                days=MAX_WAIT.days))
            return
        moments = self.runner.run(self._pass(delta))
        self.note(_("{duration} later: it is now {moment}.").format(
            duration=" ".join(argument.split()), moment=self._moment(self.clock.now())))
        numbered: list[Numbered] = []
        lines: list[str] = []
        for moment, calls in moments:
            rendered = [line for call in calls for line in self._render(call, numbered)]
            if rendered:
                lines += [self._strong(_("— {moment} —").format(moment=self._moment(moment))),
                          *rendered]
        if not lines:
            self.note(_("(Nothing happened in the meantime.)"))
            return
        self.numbered = numbered
        self._write([*lines, ""])

    async def _pass(self, delta: timedelta) -> list[tuple[datetime, list[Call]]]:
        """Let `delta` pass: sweep at every moment something falls due on the way, in time
        order, and at the end; return what the bot did at each of those moments."""
        end = self.clock.now() + delta
        moments: list[tuple[datetime, list[Call]]] = []
        while (due := await sweeper.next_due(self.session.app.bot_data[SERVICES])) is not None \
                and due < end:
            self.clock.advance(due - self.clock.now())  # always ahead: see next_due
            moments.append((self.clock.now(), await self._sweep()))
        self.clock.advance(end - self.clock.now())
        moments.append((self.clock.now(), await self._sweep()))
        return moments

    async def _sweep(self) -> list[Call]:
        """The scheduler's sweep, once, with everything it queued delivered."""
        first = len(self.telegram.calls)
        await sweeper.sweep(self.session.app.bot_data[SERVICES])
        await self.session.flush()
        return self.telegram.calls[first:]

    def _moment(self, moment: datetime) -> str:
        return format_when(moment, self.config.tz, current_language())

    # -- talking to the bot --------------------------------------------------

    def send(self, text: str) -> None:
        user = self.current.user
        chat = (self._group_chat() if self.current.where == GROUP
                else self.telegram.private_chat(user))
        self._act(self.telegram.text_update(user, chat, text))

    def _start(self, code: str) -> None:
        """What Telegram does with a deep link: open the private chat, send /start CODE."""
        self._move(PRIVATE)
        self.note(_("{name} opens the link: /start {code}").format(
            name=self.current.label, code=code))
        self.send(f"/start {code}")

    def _act(self, update: dict[str, Any]) -> None:
        self.show(self.runner.run(self.session.feed(update)))

    def _bring_bot_to_group(self) -> bool:
        """Add the bot to the group the first time; True if it was added just now."""
        if self.bot_in_group:
            return False
        self.bot_in_group = True
        if self.runner.run(self.repos.complexes.by_group(GROUP_ID)) is not None:
            return False  # linked in an earlier session, so the bot is there already
        self.current.in_group = True
        self.note(_("{name} adds the bot to the group.").format(name=self.current.label))
        self._act(self.telegram.new_members_update(
            self._group_chat(), [BOT_USER], self.current.user))
        return True

    def _group_chat(self) -> dict[str, Any]:
        return self.telegram.group_chat(GROUP_ID, GROUP_TITLE)

    def _move(self, where: str) -> None:
        if self.current.where != where:
            if where == GROUP:
                self.to_group()
            else:
                self.to_private()

    def _new_persona(self, key: str, first_name: str) -> Persona:
        """A stable id from the name, so the same name is the same person next time."""
        taken = {persona.telegram_id for persona in self.personas.values()}
        telegram_id = FAKE_ID + 1000 + zlib.crc32(key.encode()) % 1_000_000
        while telegram_id in taken:
            telegram_id += 1
        persona = Persona(key, first_name, telegram_id, self.config.language)
        self.personas[key] = persona
        return persona

    # -- output --------------------------------------------------------------

    def show(self, calls: list[Call], silence: str | None = None) -> None:
        """Print what the bot did; its buttons get the numbers from now on.

        `silence` is said when it did nothing to show (else: it did not answer).
        """
        numbered: list[Numbered] = []
        lines: list[str] = []
        for call in calls:
            lines += self._render(call, numbered)
        if not lines and silence is not None:
            self.note(silence)
            return
        if not lines:
            hint = _("(The bot did not answer.)")
            if self.current.where == GROUP:
                hint += " " + _("In a group it only sees commands, joins and button presses.")
            self.note(hint)
            return
        self.numbered = numbered
        self._write([*lines, ""])

    def _render(self, call: Call, numbered: list[Numbered]) -> list[str]:
        chat_id = call.chat_id
        if call.method in ("sendMessage", "sendDocument", "editMessageText") and chat_id:
            message_id = int(call.params.get("message_id") or call.result["message_id"])
            header = _("To {who} (edited):") if call.method == "editMessageText" else \
                _("To {who}:")
            lines = [self._strong(header.format(who=self._recipient(chat_id)))]
            lines += self._indent(self._plain(call.text))
            if call.method == "sendDocument":
                lines += self._document(call)
            rows = _rows(call.params.get("reply_markup"))
            return lines + self._buttons(chat_id, message_id, rows, numbered)
        if call.method == "editMessageReplyMarkup" and chat_id:
            rows = _rows(call.params.get("reply_markup"))
            if not rows:
                return []
            header = _("To {who} (new buttons):").format(who=self._recipient(chat_id))
            return [self._strong(header),
                    *self._buttons(chat_id, int(call.params["message_id"]), rows, numbered)]
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            alert = call.params.get("show_alert") in (True, "true")
            template = _("Alert for {who}: {text}") if alert else _("Note for {who}: {text}")
            return [self._strong(template.format(
                who=self.current.label, text=call.params["text"]))]
        return []

    def _buttons(self, chat_id: int, message_id: int, rows: list[list[dict[str, Any]]],
                 numbered: list[Numbered]) -> list[str]:
        pressable = chat_id in (self.current.telegram_id, GROUP_ID)
        if rows and not pressable:
            waiting = self.waiting.setdefault(chat_id, [])
            if (chat_id, message_id) not in waiting:
                waiting.append((chat_id, message_id))
        lines = []
        for row in rows:
            cells = []
            for button in row:
                label = _button_label(button)
                if pressable:
                    numbered.append(Numbered(chat_id, message_id, button))
                    cells.append(f"[{len(numbered)}] {label}")
                else:
                    cells.append(f"[·] {label}")
            lines.append("  " + "   ".join(cells))
        return lines

    def _show_waiting(self, persona: Persona) -> None:
        """Buttons that reached this persona while someone else was at the keys."""
        lines: list[str] = []
        for key in self.waiting.pop(persona.telegram_id, []):
            message = self.telegram.messages.get(key) or {}
            rows = _rows(message.get("reply_markup"))
            if not rows:
                continue
            text = str(message.get("text") or message.get("caption") or "")
            lines.append(self._strong(_("Waiting for {who}:").format(who=persona.label)))
            lines += self._indent(self._plain(text))
            lines += self._buttons(key[0], key[1], rows, self.numbered)
        if lines:
            self._write([*lines, ""])

    def _document(self, call: Call) -> list[str]:
        lines = []
        for name, content, mime in call.files.values():
            size = len(content)
            lines.append("  📎 " + ngettext("File {name}, {size} byte", "File {name}, {size} bytes",
                                           size).format(name=name, size=size))
            if str(name).endswith(".json") or mime == "application/json":
                try:
                    data = json.loads(content)
                except ValueError:
                    continue
                lines += self._indent(json.dumps(data, ensure_ascii=False, indent=2))
        return lines

    def _recipient(self, chat_id: int) -> str:
        if chat_id == GROUP_ID:
            return _("the group")
        for persona in self.personas.values():
            if persona.telegram_id == chat_id:
                return persona.label
        return _("chat {id}").format(id=chat_id)

    def _place(self, persona: Persona) -> str:
        if persona.where == GROUP:
            return _("the group chat")
        return _("your private chat with the bot")

    def _plain(self, text: str) -> str:
        """Telegram's HTML for a terminal: tags out, entities back, bold only on a tty."""
        text = _LINK_TAG.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
        text = _BOLD_TAG.sub(lambda m: (_RESET if m.group(1) else _BOLD) if self.bold else "",
                             text)
        return html.unescape(_ANY_TAG.sub("", text))

    def _strong(self, text: str) -> str:
        return f"{_BOLD}{text}{_RESET}" if self.bold else text

    @staticmethod
    def _indent(text: str) -> list[str]:
        return [f"  {line}" if line else "" for line in text.splitlines()]

    def note(self, text: str) -> None:
        self._write([text])

    def _write(self, lines: list[str]) -> None:
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()


def _line_reader(stdin: IO[str], stdout: IO[str]) -> Callable[[str], str | None]:
    """Read a line after showing the prompt; None at the end of input.

    At a terminal, input() gives line editing; otherwise (a script, a test) the line is
    echoed after the prompt, so the output reads as a conversation.
    """
    if stdin is sys.stdin and stdout is sys.stdout and _is_tty(stdin):
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (importing it gives input() editing and history)

        def ask(prompt: str) -> str | None:
            try:
                return input(prompt)
            except EOFError:
                print()
                return None

        return ask

    def read(prompt: str) -> str | None:
        line = stdin.readline()
        if not line:
            return None
        line = line.rstrip("\r\n")
        stdout.write(f"{prompt}{line}\n")
        return line

    return read


def run_console(
    config: Config, stdin: IO[str] | None = None, stdout: IO[str] | None = None,
    clock: Clock | None = None,
) -> int:
    """Chat with the bot in this terminal until :quit, the end of input or Ctrl-C.

    Time starts from `clock` (the system's unless given) and moves on with every :wait.
    """
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    config = replace(config, token=CONSOLE_TOKEN, api_base_url=None,
                     operators=config.operators | {OPERATOR_ID})
    read = _line_reader(stdin, stdout)
    console_clock = OffsetClock(clock)
    with use_language(config.language), asyncio.Runner() as runner:
        session = runner.run(OfflineSession.start(config, console_clock))
        try:
            console = Console(runner, session, config, stdout, console_clock)
            console.welcome()
            while (line := read(console.prompt())) is not None and console.handle(line):
                pass
        except KeyboardInterrupt:
            stdout.write("\n")
        finally:
            runner.run(session.stop())
    return 0
