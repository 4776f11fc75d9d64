"""`buurtnet console`: whole scripted sessions through run_console, asserted on what it prints."""

import asyncio
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock, SystemClock
from bot.config import Config
from bot.console.interactive import BUILT_IN, FAKE_ID, OPERATOR_ID, parse_duration, run_console
from bot.domain.models import Resident
from bot.domain.signup import INTERESTS
from bot.storage import Repositories
from bot.storage.db import Database

ZONE = ZoneInfo("Europe/Amsterdam")
INITIATOR_ID = FAKE_ID + 1 + list(BUILT_IN).index("initiator")
RESIDENT_ID = FAKE_ID + 1 + list(BUILT_IN).index("resident")
DONE = len(INTERESTS) + 1  # the interests' Done button comes after all interests

Typed = str | Callable[["Typist"], str]
Expected = str | Callable[[str], bool]
Step = tuple[Typed, *tuple[Expected, ...]]


class Typist:
    """Stdin for run_console: types the script's lines one by one, when asked.

    A line may be a function of what the console printed so far (the invite links are
    random), and the console's answer to every line is kept for the assertions.
    """

    def __init__(self, steps: list[Step]) -> None:
        self.steps = steps
        self.out = io.StringIO()
        self.typed: list[str] = []
        self.answers: list[str] = []
        self._mark = 0

    def readline(self) -> str:
        self.collect()
        if len(self.typed) == len(self.steps):
            return ""
        line = self.steps[len(self.typed)][0]
        line = line(self) if callable(line) else line
        self.typed.append(line)
        return line + "\n"

    def collect(self) -> None:
        """Keep the answer to the line typed last, without the echo of the line itself."""
        text = self.out.getvalue()
        if len(self.answers) < len(self.typed):
            self.answers.append(text[self._mark:].split("\n", 1)[1])
        self._mark = len(text)

    @property
    def last_answer(self) -> str:
        return self.answers[-1]


# Console sessions start at a fixed moment, never at the hour the tests happen to run.
START = datetime(2026, 3, 4, 9, 15, tzinfo=ZONE)


def play(config: Config, steps: list[Step], stdout: io.StringIO | None = None,
         start: datetime = START) -> Typist:
    """Run a console session from `start`; check each answer holds what its step expects."""
    typist = Typist(steps)
    if stdout is not None:
        typist.out = stdout
    clock = ManualClock(start.astimezone(UTC))
    assert run_console(config, stdin=typist, stdout=typist.out, clock=clock) == 0
    typist.collect()
    for (_line, *expected), typed, answer in zip(steps, typist.typed, typist.answers,
                                                 strict=False):
        for expectation in expected:
            if callable(expectation):
                assert expectation(answer), f"after {typed!r}, {expectation} fails:\n{answer}"
            else:
                assert expectation in answer, f"after {typed!r}, no {expectation!r} in:\n{answer}"
    return typist


def press(label: str) -> Callable[[Typist], str]:
    """Type the number the latest answer gives the button with this label."""
    def number(typist: Typist) -> str:
        found = re.findall(rf"\[(\d+)\] {re.escape(label)}(?= {{3}}| →|$)",
                           typist.last_answer, re.MULTILINE)
        assert len(found) == 1, f"no one button {label!r} in:\n{typist.last_answer}"
        return found[0]
    return number


def open_link(kind: str) -> Callable[[Typist], str]:
    """`:open` the newest invite link of a kind (r, i or c) printed so far."""
    def line(typist: Typist) -> str:
        links = re.findall(rf"https://t\.me/BuurtnetBot\?start={kind}_[\w-]+",
                           typist.out.getvalue())
        assert links, typist.out.getvalue()
        return f":open {links[-1]}"
    return line


def buttons(count: int) -> Callable[[str], bool]:
    """The answer shows exactly `count` buttons this persona can press."""
    def check(answer: str) -> bool:
        return len(re.findall(r"\[\d+\] ", answer)) == count
    check.__name__ = f"buttons({count})"
    return check


def english_sign_up(name: str, *, organise: bool) -> list[Step]:
    """The steps after the sign-up's first question, pressing buttons by their labels."""
    return [
        (press("English"), "Do you agree?", buttons(2)),
        (press("I agree"), f"[1] Use {name}"),
        (press(f"Use {name}"), "[1] Skip"),
        ("Tower B", f"[{DONE}] Done"),
        (press("Music"), "(new buttons)", "✅ Music", buttons(DONE)),
        (press("Done"), "help organise"),
        (press("Yes" if organise else "No"), "introduce you"),
        (press("Yes"), f"Name: {name}", "Building or floor: Tower B", "Interests: Music"),
    ]


def dutch_sign_up(name: str) -> list[Step]:
    """The same by position, checking only what does not depend on the wording."""
    return [
        ("1", buttons(2)),  # Nederlands; then consent
        ("1", name, buttons(1)),  # agree; then the name, with "use Ivo" as button
        ("1", buttons(1)),  # that name; then the building, with a skip button
        ("B", buttons(DONE)),
        ("3", "✅", buttons(DONE)),  # the third interest, ticked
        (str(DONE), buttons(2)),  # help organise?
        ("2", buttons(2)),  # no; introductions?
        ("1", name, buttons(2)),  # yes; the summary, with confirm and start again
        ("1", "De Toren", buttons(0)),  # confirmed
    ]


def console_config(tmp_path: Path, language: str) -> Config:
    return Config(token="", database=str(tmp_path / "console.sqlite3"), language=language)


def residents(config: Config) -> dict[int, Resident | None]:
    """The initiator's and resident's records in the console's database."""
    async def read() -> dict[int, Resident | None]:
        db = await Database.open(config.database)
        try:
            repos = Repositories.build(db, SystemClock())
            return {telegram_id: await repos.people.resident_of(telegram_id)
                    for telegram_id in (INITIATOR_ID, RESIDENT_ID)}
        finally:
            await db.close()
    return asyncio.run(read())


def test_english_session_from_new_complex_to_approved_resident(tmp_path: Path) -> None:
    config = console_config(tmp_path, "en")
    steps: list[Step] = [
        ("/newcomplex De Toren; 120; Utrecht; en; approval", "To Olga (operator):",
         "Complex De Toren is created: 120 homes", "https://t.me/BuurtnetBot?start=r_",
         "https://t.me/BuurtnetBot?start=i_"),
        (":as initiator", "Now you are Ivo (initiator), in your private chat with the bot."),
        (open_link("i"), "Ivo (initiator) opens the link: /start i_", "To Ivo (initiator):",
         "You are signing up for De Toren", "[1] Nederlands   [2] English"),
        *english_sign_up("Ivo", organise=True),
        (press("Confirm"), "Welcome to De Toren! You are signed up as an initiator."),
        (":group", "Now in the group chat.", "Ivo (initiator) adds the bot to the group.",
         "To the group:", "/linkgroup", buttons(0)),
        ("/linkgroup", "This group is now the group chat of De Toren", "House rules",
         "[1] Sign up privately → https://t.me/BuurtnetBot?start=r_"),
        (":as resident", "Now you are Rosa (resident)"),
        (":join", "Rosa (resident) joins the group.", "Welcome, Rosa!",
         "[1] Sign up privately → https://t.me/BuurtnetBot?start=r_"),
        ("1", "Now in your private chat with the bot.", "Rosa (resident) opens the link: "
         "/start r_", "To Rosa (resident):", "You are signing up for De Toren"),
        *english_sign_up("Rosa", organise=False),
        # Everyone the bot writes to is shown; only Rosa's own buttons get numbers.
        (press("Confirm"), "To Rosa (resident):", "An initiator of De Toren will look at",
         "To Ivo (initiator):", "Rosa would like to join De Toren", "[·] Approve   [·] Decline",
         buttons(0)),
        (":as initiator", "Now you are Ivo (initiator), in the group chat.",
         "Waiting for Ivo (initiator):", "Rosa would like to join", "[1] Approve   [2] Decline"),
        (press("Approve"), "Now in your private chat with the bot.",
         "To Ivo (initiator) (edited):", "Rosa was approved.", "To Rosa (resident):",
         "Good news: you are now a member of De Toren."),
        (":as resident", "Now you are Rosa (resident)"),
        ("/mydata", "To Rosa (resident):", "File buurtnet-mydata.json, ",
         f'"telegram_user_id": {RESIDENT_ID}', '"first_name": "Rosa"'),
        (":who", f"  Olga (operator): id {OPERATOR_ID}, language en, in the private chat",
         "→ Rosa (resident)", "member of the group"),
        (":quit",),
        ("/help",),  # never typed: the console has ended
    ]
    typist = play(config, steps)
    assert len(typist.typed) == len(steps) - 1
    people = residents(config)
    initiator, resident = people[INITIATOR_ID], people[RESIDENT_ID]
    assert initiator is not None and initiator.is_initiator
    assert resident is not None and resident.is_active and not resident.is_initiator
    assert resident.interests == ("music",) and resident.building == "Tower B"


def test_dutch_session_with_the_guided_new_complex(tmp_path: Path) -> None:
    config = console_config(tmp_path, "nl")
    steps: list[Step] = [
        ("/newcomplex", "Olga (operator)", buttons(0)),
        ("De Toren", buttons(0)),
        ("120", buttons(0)),  # not a button: typed numbers go to the bot
        ("Utrecht", "[1] Nederlands   [2] English"),
        ("1", buttons(2)),  # open with the link, or approval
        ("1", "De Toren", "https://t.me/BuurtnetBot?start=r_",
         "https://t.me/BuurtnetBot?start=i_"),
        (":as initiator", "Ivo (initiator)"),
        (open_link("i"), "/start i_", "De Toren", "[1] Nederlands   [2] English"),
        *dutch_sign_up("Ivo"),
        (":group", "Ivo (initiator)", "/linkgroup"),
        ("/linkgroup", "De Toren", "112", "→ https://t.me/BuurtnetBot?start=r_", buttons(1)),
        (":as resident", "Rosa (resident)"),
        (":join", "Rosa", "→ https://t.me/BuurtnetBot?start=r_", buttons(1)),
        ("1", "/start r_", "[1] Nederlands   [2] English"),
        *dutch_sign_up("Rosa"),
        (":as stranger", "Sam (stranger)"),
        ("/start",),
        (":lang en", "English"),
        ("/start", "Hello! I am Buurtnet."),
    ]
    typist = play(config, steps)
    dutch_start = typist.answers[-3]  # the English one is checked by its step
    assert "Hello! I am Buurtnet." not in dutch_start and "Buurtnet" in dutch_start
    people = residents(config)
    initiator, resident = people[INITIATOR_ID], people[RESIDENT_ID]
    assert initiator is not None and initiator.is_initiator
    assert resident is not None and resident.is_active  # open sign-up: no approval needed


def test_a_second_session_continues_where_the_first_ended(tmp_path: Path) -> None:
    config = console_config(tmp_path, "en")
    play(config, [
        ("/newcomplex De Toren; 120; Utrecht; en", "Complex De Toren is created"),
        (":group", "Olga (operator) adds the bot to the group."),
        ("/linkgroup", "This group is now the group chat of De Toren"),
        (":as resident",),
        (open_link("r"), "You are signing up for De Toren"),
        *english_sign_up("Rosa", organise=False),
        (press("Confirm"), "Welcome to De Toren, Rosa! You are signed up."),
    ])
    second = play(config, [
        ("/complexes", "#1 De Toren (Utrecht)"),
        (":as resident",),
        ("/profile", "Your profile in De Toren", "Name: Rosa"),
        (":group", "Now in the group chat."),
        (":as stranger",),
        (":join", "Sam (stranger) joins the group.", "Welcome, Sam!",
         "[1] Sign up privately → https://t.me/BuurtnetBot?start=r_"),
    ])
    assert "Complexes in this database: De Toren." in second.out.getvalue()
    assert "adds the bot" not in second.out.getvalue()  # it is in the linked group already


def test_bad_console_input_gets_a_clear_answer(tmp_path: Path) -> None:
    bad: list[Step] = [
        (":press 99", "There is no button 99; you can press 1 to 2."),
        (":press two", "Say which button, by its number"),
        (":as", "Say who you want to be", "operator, contact, initiator, resident, stranger"),
        (":as Anna Maria", "A new person's name is one word of letters"),
        (":thing", "Unknown console command :thing. :help lists them."),
        (":lang fr", "Choose one of these languages: nl, en"),
        (":open", "Give an invite link or its code"),
        (":open <nonsense>", "Give an invite link or its code"),
        (":say", "Say what to send"),
        (":wait", "Say how long to wait, like :wait 3d, :wait 4h or :wait 90m"),
        (":wait a while", "Say how long to wait, like :wait 3d"),
        (":wait 0m", "Say how long to wait"),
        (":wait 400d", "That is too long: wait at most 366 days at a time."),
    ]
    steps: list[Step] = [
        (":press 1", "There are no buttons to press right now.", ":buttons lists every button"),
        (":buttons", "No buttons left for Olga (operator) to press in their private chat; the "
         "group's are listed once they :join."),
        ("/language", "[1] Nederlands   [2] English"),
        *bad,
        # Still pressable after all that: console answers keep the numbers.
        ("2", "From now on I will write to you in English."),
        ("99", "To Olga (operator):", "I did not understand that."),  # no such button: text
        (":)", "I did not understand that."),
        (":say 1", "I did not understand that."),
        (":open https://t.me/BuurtnetBot?start=r_unknown", "I do not know this link."),
        (":as lena", "Lena is new here (Telegram id ", "Now you are Lena"),
        (":buttons", "No buttons left for Lena to press"),
        (":group", "Now in the group chat.", "Lena adds the bot to the group."),
        (":buttons", "No buttons left for Lena to press, in their private chat or in the group."),
        (":help", ":as <person>", ":press N", ":buttons", ":wait 3d", ":quit"),
    ]
    typist = play(console_config(tmp_path, "en"), steps)
    answers = dict(zip(typist.typed, typist.answers, strict=True))
    for line, *_expected in bad:
        assert "To Olga" not in answers[str(line)], "nothing reaches the bot"


def test_earlier_buttons_are_still_pressable_after_a_reply_without_buttons(
    tmp_path: Path,
) -> None:
    config = console_config(tmp_path, "en")
    rosa = english_sign_up("Rosa", organise=False)
    steps: list[Step] = [
        ("/newcomplex De Toren; 120; Utrecht; en; approval", "Complex De Toren is created"),
        (":as initiator",),
        (open_link("i"), "You are signing up for De Toren"),
        *english_sign_up("Ivo", organise=True),
        (press("Confirm"), "Welcome to De Toren! You are signed up as an initiator."),
        (":as resident",),
        (open_link("r"), "You are signing up for De Toren"),
        rosa[0],  # English; then the consent, with its buttons
        ("/help", "What you can do", buttons(0)),
        (":press 1", "There are no buttons to press right now."),  # numbers gone with /help
        (":buttons", "Buttons Rosa (resident) can still press, newest last:",
         "[1] I agree   (private: Your privacy)", "[2] No, thanks   (private: Your privacy)",
         "Type a number (or :press N)", buttons(2)),
        (press("I agree"), "[1] Use Rosa"),
        *rosa[2:],
        (press("Confirm"), "Rosa would like to join De Toren", "[·] Approve   [·] Decline"),
        (":as initiator", "Waiting for Ivo (initiator):", "[1] Approve   [2] Decline"),
        ("/help", "What you can do", buttons(0)),
        (":press 1", "There are no buttons to press right now.",
         ":buttons lists every button this person can still press."),
        (":buttons", "Buttons Ivo (initiator) can still press, newest last:",
         "Approve   (private: Rosa would like to join De Toren",
         "Decline   (private: Rosa would like to join De Toren"),
        (press("Approve"), "To Ivo (initiator) (edited):", "Rosa was approved.",
         "Good news: you are now a member of De Toren."),
        (":buttons", lambda answer: "Approve" not in answer),  # edited away: not listed
    ]
    play(config, steps)
    resident = residents(config)[RESIDENT_ID]
    assert resident is not None and resident.is_active


def test_a_group_button_from_before_can_be_pressed_by_someone_who_switched_in_later(
    tmp_path: Path,
) -> None:
    steps: list[Step] = [
        ("/newcomplex De Toren; 120; Utrecht; en", "Complex De Toren is created"),
        (":as initiator",),
        (open_link("i"), "You are signing up for De Toren"),
        *english_sign_up("Ivo", organise=True),
        (press("Confirm"), "Welcome to De Toren!"),
        (":group", "Ivo (initiator) adds the bot to the group."),
        ("/linkgroup", "This group is now the group chat of De Toren"),
        ("/idea A film night in the courtyard", "To the group:", "Idea #1 from Ivo",
         "[1] 👍 0   [2] 🙋 0"),
        (":as resident", "Now you are Rosa (resident)"),
        (open_link("r"), "You are signing up for De Toren"),
        *english_sign_up("Rosa", organise=False),
        (press("Confirm"), "Welcome to De Toren, Rosa!"),
        # Not in the group yet: only her private chat counts, and nothing is left there (the
        # building question's Skip went when she typed a building).
        (":buttons", "No buttons left for Rosa (resident) to press in their private chat; "
                     "the group's are listed once they :join."),
        (":join", "Rosa (resident) joins the group.", "Welcome, Rosa!"),
        (":private", "Now in your private chat with the bot."),
        (":buttons", "Buttons Rosa (resident) can still press, newest last:",
         "Sign up privately → https://t.me/BuurtnetBot?start=r_",
         "👍 0   (group: 💡 Idea #1 from Ivo:)", "🙋 0   (group: 💡 Idea #1 from Ivo:)",
         lambda answer: answer.index("Idea #1") < answer.index("(group: Welcome, Rosa!")),
        (press("👍 0"), "Now in the group chat.", "To the group (edited):",
         "[1] 👍 1   [2] 🙋 0"),
        (":private",),
        (":buttons", "[1] Sign up privately → https://t.me/BuurtnetBot?start=r_",
         "[2] 👍 1   (group: 💡 Idea #1 from Ivo:)"),
        ("1", "Rosa (resident) opens the link: /start r_"),  # a deep link, as in the group
    ]
    play(console_config(tmp_path, "en"), steps)


def test_end_of_input_and_ctrl_c_end_the_console_cleanly(tmp_path: Path) -> None:
    class CtrlC:
        def readline(self) -> str:
            raise KeyboardInterrupt

    out = io.StringIO()
    assert run_console(console_config(tmp_path, "en"), stdin=CtrlC(), stdout=out) == 0  # type: ignore[arg-type]
    assert "Buurtnet console" in out.getvalue()
    out = io.StringIO()
    assert run_console(console_config(tmp_path, "en"), stdin=io.StringIO(""), stdout=out) == 0
    assert "No complexes yet." in out.getvalue()


def test_bold_only_on_a_terminal_and_plain_links_open_the_private_chat(
    tmp_path: Path,
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    play(console_config(tmp_path, "en"), [
        ("/newcomplex De Toren; 120; Utrecht; en", "Complex \033[1mDe Toren\033[0m is created"),
        (":group",),
        ("/start", "[1] Open a private chat → https://t.me/BuurtnetBot"),
        ("1", "Now in your private chat with the bot."),
    ], stdout=terminal)
    plain = play(console_config(tmp_path, "en"), [("/complexes", "De Toren")])
    assert "\033[" not in plain.out.getvalue()


@pytest.mark.parametrize("line", [":quit", ":exit"])
def test_quit(tmp_path: Path, line: str) -> None:
    typist = play(console_config(tmp_path, "en"), [(line,), ("/start",)])
    assert typist.typed == [line]


def test_waiting_brings_the_round_and_then_the_did_you_meet_question(tmp_path: Path) -> None:
    config = console_config(tmp_path, "en")
    steps: list[Step] = [
        ("/newcomplex De Toren; 120; Utrecht; en", "Complex De Toren is created"),
        (":as resident",),
        (open_link("r"), "You are signing up for De Toren"),
        *english_sign_up("Rosa", organise=False),
        (press("Confirm"), "Welcome to De Toren, Rosa!"),
        (":as noor", "Noor is new here"),
        (open_link("r"), "You are signing up for De Toren"),
        *english_sign_up("Noor", organise=False),
        (press("Confirm"), "Welcome to De Toren, Noor!"),
        # A week always holds a Monday 19:00: the round, proposed to both.
        (":wait 7d", "7d later: it is now ", "To Rosa (resident):", "To Noor:",
         "Would you like to meet a neighbour?", "[·] Yes, introduce us   [·] Not this week",
         "[1] Yes, introduce us   [2] Not this week", buttons(2)),
        (press("Yes, introduce us"), "To Noor (edited):", "as soon as the others have said yes"),
        (":as resident", "Waiting for Rosa (resident):", "Would you like to meet",
         "[1] Yes, introduce us   [2] Not this week"),
        (press("Yes, introduce us"), "To Rosa (resident):", "To Noor:", "You are introduced!",
         "Noor (tg://user?id=", "Rosa (tg://user?id="),
        (":wait 4d", "4d later: it is now ", "To Rosa (resident):", "Did you meet Noor?",
         "To Noor:", "Did you meet Rosa?", "[1] Yes   [2] Not yet   [3] No", buttons(3)),
        (press("Yes"), "To Rosa (resident) (edited):", "Knowing your neighbours"),
        (":wait 4d", "4d later", "(Nothing happened in the meantime.)"),  # asked once
    ]
    play(config, steps)

    async def acquaintances() -> int:
        db = await Database.open(config.database)
        try:
            return await db.fetch_value("SELECT COUNT(*) FROM acquaintances")
        finally:
            await db.close()
    assert asyncio.run(acquaintances()) == 1


@pytest.mark.parametrize(("typed", "expected"), [
    ("3d", timedelta(days=3)),
    ("4h", timedelta(hours=4)),
    ("4u", timedelta(hours=4)),
    ("90m", timedelta(minutes=90)),
    ("1w", timedelta(weeks=1)),
    ("1d 12h", timedelta(days=1, hours=12)),
    ("2D1H", timedelta(days=2, hours=1)),
])
def test_wait_durations(typed: str, expected: timedelta) -> None:
    assert parse_duration(typed) == expected


@pytest.mark.parametrize("typed", ["", "soon", "3", "3 days", "-3d", "3.5h", "d3", "1d x"])
def test_wait_durations_that_are_not(typed: str) -> None:
    assert parse_duration(typed) is None


@pytest.mark.parametrize("start", [
    datetime(2026, 3, 4, 0, 10, tzinfo=ZONE),
    datetime(2026, 3, 4, 6, 50, tzinfo=ZONE),
    datetime(2026, 3, 4, 13, 30, tzinfo=ZONE),
    datetime(2026, 3, 4, 18, 45, tzinfo=ZONE),
    datetime(2026, 3, 4, 23, 59, tzinfo=ZONE),
    datetime(2026, 12, 30, 21, 0, tzinfo=ZONE),  # the activity falls in the next year
    datetime(2026, 10, 22, 20, 0, tzinfo=ZONE),  # the clocks go back on the way
], ids=lambda start: start.strftime("%Y-%m-%d_%H%M"))
def test_an_idea_becomes_an_activity_with_reminders_and_attendance(
        tmp_path: Path, start: datetime) -> None:
    """Issue 3's second walk in the console: idea, support, plan, RSVP, reminders, outcome;
    whatever the hour it starts at, every reminder falls inside some :wait and is sent."""
    config = console_config(tmp_path, "en")
    assert config.timezone == ZONE.key
    starts = (start + timedelta(days=3)).strftime("%Y-%m-%d 19:30")
    steps: list[Step] = [
        ("/newcomplex De Toren; 120; Utrecht; en", "Complex De Toren is created"),
        (":as initiator",),
        (open_link("i"), "You are signing up for De Toren"),
        *english_sign_up("Ivo", organise=True),
        (press("Confirm"), "Welcome to De Toren!"),
        (":group",),
        ("/linkgroup", "This group is now the group chat of De Toren"),
        (":as resident",),
        (open_link("r"), "You are signing up for De Toren"),
        *english_sign_up("Rosa", organise=False),
        (press("Confirm"), "Welcome to De Toren, Rosa!"),
        (":join", "Rosa (resident) joins the group."),
        ("/idea Board games night", "Idea #1 from Rosa", "[1] 👍 0   [2] 🙋 0"),
        (press("👍 0"), "[1] 👍 1   [2] 🙋 0"),
        (press("🙋 0"), "[1] 👍 1   [2] 🙋 1"),
        (":as initiator",),
        (":private",),
        ("/plan", "What would you like to plan?"),
        (press("#1 Board games night"), "From idea #1: Board games night"),
        (press("Use the idea as the title"), "When does it start?"),
        (starts, "Where is it?"),
        ("Common room", "Board games night"),
        (press("Confirm"), "To the group:", "To Rosa (resident):"),
        (":as resident",),
        (":buttons", "[3] 🙋 I'm coming · 0   (group", "[4] 🙋 I'm coming · 0   (private"),
        (":press 4", "🙋 I'm coming · 1"),
        *[(":wait 6h",) for _ in range(20)],  # five days: both reminders and the question
        (":as initiator",),
        (":buttons", "Yes, it took place"),
        (press("Yes, it took place"), "About how many"),
        ("9", "Recorded"),
    ]
    typist = play(config, steps, start=start)
    sent = "\n".join(typist.answers[-24:-4])  # what the bot sent while time passed
    assert sent.count("To Rosa (resident):\n  ⏰ Reminder: you are coming") == 1
    assert sent.count("To Rosa (resident):\n  ⏰ Starting soon! You are coming") == 1
    assert sent.count("To Ivo (initiator):\n  Did Board games night") == 1
    # Each is sent at its own moment inside a wait, not at the end of it.
    eve = (start + timedelta(days=2)).strftime("%B %-d, %Y")  # 24 hours before
    assert re.search(rf"— \w+, {eve}, [^—]*PM —\nTo Rosa \(resident\):\n  ⏰ Reminder",
                     sent), sent
    assert re.search(r"— [^—]*6:30\u202fPM —\nTo Rosa \(resident\):\n  ⏰ Starting soon",
                     sent), sent
    assert re.search(r"— [^—]*10:30\u202fPM —\nTo Ivo \(initiator\):\n  Did Board", sent), sent

    async def outcome() -> tuple[str, int]:
        db = await Database.open(config.database)
        try:
            row = await db.fetch_one("SELECT status, attendance FROM activities")
            return row["status"], row["attendance"]
        finally:
            await db.close()
    assert asyncio.run(outcome()) == ("held", 9)
