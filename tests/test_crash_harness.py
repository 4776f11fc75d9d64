"""The crash harness: the bot is killed with SIGKILL again and again while a crowd uses it,
and afterwards nothing anyone was told is missing from the database, and nothing was done
twice.

`python -m bot run` runs against tests.fake_bot_api. After a quiet set-up (a complex, an
initiator, a municipality and a police contact, the group linked, ideas posted in it) a
scripted crowd (tests/crowd.py) goes to work: residents sign up, report, vote on the ideas
and ask for introductions, and the contacts pick up the reports they get. Meanwhile the
bot is killed at seeded moments of three kinds: a while after it began polling (0.3-2.5 s),
right after a getUpdates handed it a batch of the crowd's updates, and right after it sent
a report to a contact from its outbox; each time a new process starts on the same
database. When the crowd is done (and there were kills enough) the last process empties
its outbox and stops with SIGINT, and the checks below read the fake API's call log and
the database.

The seed is printed first; BUURTNET_CRASH_SEED=<seed> runs the same plans and kill
schedule again (the timing of the processes still varies). The figures of the run (kills,
sign-ups, reports, acknowledgements, retries, elapsed time) are printed (`pytest -s`) and
are part of every assertion message; the bot processes' logs are in the run's directory,
named in the figures (bot-N.stdout, bot-N.stderr).

Profiles: the default "short" one (8 residents, at least 20 kills, well under a minute)
runs with the suite; BUURTNET_CRASH_PROFILE=long runs 20 residents and at least 100 kills:

    BUURTNET_CRASH_PROFILE=long pytest -s tests/test_crash_harness.py
"""

import html
import os
import random
import re
import secrets
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.console.offline import BOT_USERNAME, Call, TelegramError
from tests.crowd import (
    COMPLEX,
    ESCALATION,
    RECEIPT,
    TOASTS,
    Contact,
    Crowd,
    Meet,
    Person,
    Report,
    Resident,
    SignUp,
    Task,
    Vote,
    data_of,
    number_in,
    offered,
)
from tests.e2e_support import (
    DATABASE,
    GROUP_ID,
    STOP_TIMEOUT,
    TOKEN,
    BotProcess,
    create_complex,
    join_as_contact,
    link_group,
    offers,
    settle,
    sign_up,
    sql,
    start_code,
)
from tests.fake_bot_api import FakeBotApi
from tests.people import INITIATOR, user

MUNICIPALITY = user(6201, "Mia")
POLICE = user(6202, "Paul")
NAMES = ("Anna", "Bram", "Cas", "Dewi", "Eva", "Finn", "Gijs", "Hanna", "Iris", "Jesse",
         "Kim", "Lars", "Mila", "Noah", "Otto", "Pien", "Quinten", "Ruben", "Sara", "Teun")
IDEAS = ("A film night on the roof", "A repair café in the bicycle shed")
SETTLE_TIMEOUT = 60.0
QUERY_INVALID = ("Bad Request: query is too old and response timeout expired or query ID is "
                 "invalid")
"""Telegram's refusal of an answer to a callback query answered before (or too old)."""


@dataclass(frozen=True)
class Profile:
    name: str
    residents: int
    reports: int
    """Per resident, before any extra ones that keep the crowd busy until the last kill."""
    ideas: int
    kills: int
    """At least this many."""
    stagger: float
    """Residents begin within this many seconds."""
    give_up_after: float
    """Seconds; a crowd still not done by then is stuck, and the run fails."""

    def enough(self, kills: Counter[str]) -> bool:
        """Kills enough, of every kind."""
        return kills.total() >= self.kills and all(kills[mode] >= EACH_MODE
                                                   for mode in KILL_MODES)


PROFILES = {
    "short": Profile("short", residents=8, reports=2, ideas=1, kills=20, stagger=6.0,
                     give_up_after=150.0),
    "long": Profile("long", residents=20, reports=4, ideas=2, kills=100, stagger=20.0,
                    give_up_after=900.0),
}
LIFETIME = (0.3, 2.5)
"""Seconds a process polls before a timed kill."""
ARMING = (0.2, 0.8)
"""Seconds a process polls before a kill that waits for its moment is armed."""
ARMED_FOR = 1.2
"""Seconds an armed kill waits for its moment; then it kills all the same (counted as
timed)."""
KILL_MODES = ("timed", "batch", "sent", "answered", "reply", "commit")
"""A while after the start; right after getUpdates handed out a batch with an update of
the crowd; once a report reached a contact from the outbox, before the bot has Telegram's
answer; once the bot answered a press of a sign-up or a report (which it does before it
records the step), before it has Telegram's answer; right after the 1st to 3rd call of a
handler (an answer, a message or an edit for someone in the crowd); right after the 1st to
3rd commit to the database."""
EACH_MODE = 3
"""A run goes on until each kind of moment was met this many times."""


def _seed() -> int:
    raw = os.environ.get("BUURTNET_CRASH_SEED", "").strip()
    return int(raw) if raw else secrets.randbelow(10**9)


def _profile() -> Profile:
    name = os.environ.get("BUURTNET_CRASH_PROFILE", "").strip() or "short"
    if name not in PROFILES:
        raise pytest.UsageError(f"BUURTNET_CRASH_PROFILE={name!r}: use one of {list(PROFILES)}")
    return PROFILES[name]


@dataclass
class Figures:
    seed: int
    profile: str
    workdir: Path
    kills: Counter[str] = field(default_factory=Counter)
    sign_ups: int = 0
    reports: int = 0
    acknowledgements: int = 0
    votes: int = 0
    introductions: int = 0
    retries: int = 0
    restarts: int = 0
    repeats: int = 0
    elapsed: float = 0.0

    def __str__(self) -> str:
        kinds = ", ".join(f"{mode} {count}" for mode, count in sorted(self.kills.items()))
        return (f"seed {self.seed} (BUURTNET_CRASH_SEED={self.seed} repeats it), profile "
                f"{self.profile}: {self.kills.total()} kills ({kinds}), {self.sign_ups} "
                f"sign-ups, {self.reports} reports, {self.acknowledgements} acknowledgements, "
                f"{self.votes} votes, {self.introductions} introduction answers, "
                f"{self.retries} retries, {self.restarts} restarts, {self.repeats} reports "
                f"sent again after the note that they may be repeats, {self.elapsed:.1f} s; "
                f"logs in {self.workdir}")


@dataclass
class CrashRun:
    figures: Figures
    calls: list[Call]
    crowd: Crowd
    outputs: dict[str, str]
    """Each bot process's stdout and stderr, by its name."""
    refused: list[tuple[str, str]]
    """(callback query id, text): the answers Telegram refused, given again."""

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        return sql(self.figures.workdir, statement, *params)

    def answers(self) -> dict[str, list[str]]:
        """The answers (pop-ups) to each press of the crowd, by callback query id."""
        found: dict[str, list[str]] = {}
        for call in self.calls:
            callback = str(call.params.get("callback_query_id"))
            if call.method == "answerCallbackQuery" and callback in self.crowd.presses:
                found.setdefault(callback, []).append(call.text)
        return found

    def to(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if c.method == "sendMessage" and c.chat_id == chat_id]

    def residents(self) -> list[Person]:
        return [p for p in self.crowd.people.values() if isinstance(p, Resident)]

    def contacts(self) -> list[Person]:
        return [p for p in self.crowd.people.values() if isinstance(p, Contact)]


# -- the run -----------------------------------------------------------------------------


def _set_up(bot: BotProcess, profile: Profile) -> tuple[str, list[tuple[int, Call]]]:
    """The complex, its initiator and contacts, the group and its ideas; the residents'
    code and each idea's number and post."""
    created = create_complex(bot)
    sign_up(bot, INITIATOR, start_code(created.text, "i_"), organise=True,
            introductions=False)
    join_as_contact(bot, MUNICIPALITY, "municipality")
    join_as_contact(bot, POLICE, "police")
    group = link_group(bot, INITIATOR)
    posts = []
    for title in IDEAS[:profile.ideas]:
        post = bot.say(INITIATOR, f"/idea@{BOT_USERNAME} {title}",
                       offers(GROUP_ID, "idea:support:"), chat=group)
        data = offered(post, "idea:support:")
        assert data is not None
        posts.append((number_in(data), post))
    return start_code(created.text, "r_"), posts


def _crowd(api: FakeBotApi, rng: random.Random, profile: Profile, code: str,
           posts: list[tuple[int, Call]]) -> Crowd:
    crowd = Crowd(api)
    began = time.monotonic()
    for number, name in enumerate(NAMES[:profile.residents]):
        mine = random.Random(rng.random())
        wants_introductions = mine.random() < 0.5
        later: list[Task] = [Report(f"{name}{n}", mine) for n in range(1, profile.reports + 1)]
        later += [Vote(idea, kind, post) for idea, post in posts
                  for kind in ("support", "help") if mine.random() < 0.6]
        if wants_introductions and mine.random() < 0.7:
            later.append(Meet())
        mine.shuffle(later)
        person = Resident(crowd, user(6101 + number, name), mine,
                          [SignUp(code, mine, introductions=wants_introductions), *later],
                          begins_after=began + mine.uniform(0, profile.stagger))
        extra = iter(range(profile.reports + 1, 10**6))
        person.encore = _encore(name, extra, mine)
        crowd.add(person)
    for contact in (MUNICIPALITY, POLICE):
        crowd.add(Contact(crowd, contact, random.Random(rng.random()), []))
    return crowd


def _encore(name: str, numbers: Iterator[int], rng: random.Random) -> Callable[[], Task]:
    return lambda: Report(f"{name}{next(numbers)}", rng)


class HoldingBotApi(FakeBotApi):
    """The fake Bot API, with two more things Telegram does. It answers a callback query
    once: answering it again is refused, as Telegram refuses an answered (or expired)
    query. And it can hold back its answer to one call it performed, so that the bot is
    killed before the answer reaches it, as if it died the moment Telegram took the call."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self._which: Callable[[Call], bool] | None = None
        self._lock = threading.Lock()
        self.held = threading.Event()
        self._released = threading.Event()
        self._answered: set[str] = set()
        self.refused: list[tuple[str, str]] = []
        """(callback query id, text) of each answer the bot tried to give again."""

    def hold(self, which: Callable[[Call], bool]) -> None:
        """Hold the answer to the next call `which` matches, until `release`."""
        with self._lock:
            self.held.clear()
            self._released.clear()
            self._which = which

    def release(self) -> None:
        with self._lock:
            self._which = None
            self._released.set()

    def _call(self, method: str, params: dict[str, Any], files: Any) -> Any:
        if method == "answerCallbackQuery":
            with self._lock:
                query = str(params.get("callback_query_id"))
                if query in self._answered:
                    self.refused.append((query, str(params.get("text") or "")))
                    raise TelegramError(400, QUERY_INVALID)
                self._answered.add(query)
        result = super()._call(method, params, files)
        with self._lock:
            which, self._which = self._which, None
            held = which is not None and which(Call(method, params))
            if not held:
                self._which = which
        if held:
            self.held.set()
            with self._condition:
                self._condition.notify_all()
            self._released.wait(STOP_TIMEOUT)
        return result


class CommitWatch:
    """Sees that the bot committed something, by SQLite's data_version, which changes for
    a connection whenever another one commits."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.version = self._version()

    def _version(self) -> int:
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        version, self.version = self.version, self._version()
        return version != self.version

    def close(self) -> None:
        self.db.close()


def _is_escalation(call: Call) -> bool:
    return call.method == "sendMessage" and ESCALATION.match(call.text) is not None


@dataclass
class KillPlan:
    """When to kill one process: at `at` (timed), or armed from `at` until its moment
    comes (see KILL_MODES) or ARMED_FOR has passed."""

    mode: str
    at: float
    count: int = 1
    """For "reply" and "commit": the how-manieth call or commit to kill after."""
    armed: bool = False
    armed_mark: int = 0
    armed_queued: int = 0
    commits: int = 0
    met: bool = False

    @classmethod
    def draw(cls, rng: random.Random, mode: str, up: float) -> "KillPlan":
        return cls(mode, up + rng.uniform(*(LIFETIME if mode == "timed" else ARMING)),
                   count=rng.randint(1, 3))

    def arm(self, api: HoldingBotApi, crowd: Crowd, watch: CommitWatch) -> None:
        self.armed, self.armed_mark, self.armed_queued = True, api.mark(), len(crowd.queued)
        if self.mode == "sent":
            api.hold(_is_escalation)
        elif self.mode == "answered":
            api.hold(lambda call: _answers_a_step(call, crowd))
        watch.changed()  # count from now

    def moment(self, api: FakeBotApi, crowd: Crowd, now: float) -> bool:
        """Whether to kill now (evaluated under the fake API's lock, between its calls)."""
        if self.mode == "timed" or not self.armed:
            return self.mode == "timed" and now >= self.at
        if self.mode == "batch":  # getUpdates handed out an update caused since arming
            self.met = any(api.delivered(u) for u in crowd.queued[self.armed_queued:])
        elif self.mode in ("sent", "answered"):
            self.met = isinstance(api, HoldingBotApi) and api.held.is_set()
        elif self.mode == "reply":
            self.met = sum(1 for c in api.calls(self.armed_mark)
                           if _for_the_crowd(c, crowd)) >= self.count
        else:
            self.met = self.commits >= self.count
        return self.met or now >= self.at + ARMED_FOR

    def kind(self) -> str:
        """The moment the kill met."""
        return self.mode if self.met else "timed"


def _answers_a_step(call: Call, crowd: Crowd) -> bool:
    """An answer to a press of a sign-up's or a report's step (not a tick of an interest,
    which is recorded before it is answered)."""
    pressed = crowd.presses.get(str(call.params.get("callback_query_id")))
    return call.method == "answerCallbackQuery" and pressed is not None \
        and pressed.data.startswith(("su:", "rp:")) \
        and not (pressed.data.startswith("su:interests:") and pressed.data != "su:interests:done")


def _for_the_crowd(call: Call, crowd: Crowd) -> bool:
    """A handler's call: an answer to a press of the crowd, or a message or an edit for
    someone in it."""
    if call.method == "answerCallbackQuery":
        return str(call.params.get("callback_query_id")) in crowd.presses
    return call.method.startswith(("send", "edit")) and call.chat_id in crowd.people


def _modes(rng: random.Random) -> Iterator[str]:
    """Every mode once in each round, in a seeded order."""
    while True:
        yield from rng.sample(KILL_MODES, len(KILL_MODES))


def _wait(api: FakeBotApi, crowd: Crowd, plan: KillPlan, watch: CommitWatch,
          seconds: float) -> None:
    """Until the bot makes a call, the kill's moment comes, or `seconds` pass."""
    until = time.monotonic() + seconds
    if plan.armed and plan.mode == "commit":  # SQLite tells nobody: look, often
        while time.monotonic() < until and plan.commits < plan.count:
            plan.commits += watch.changed()
            time.sleep(0.0005)
        return

    def news() -> bool | None:
        now = time.monotonic()
        return (api.mark() > crowd.cursor or plan.moment(api, crowd, now)
                or now >= until) or None

    # `news` is true once `until` passes, a little before wait_until's own deadline; only
    # a thread stalled for longer than that margin could still see it time out.
    with suppress(AssertionError):
        api.wait_until(news, timeout=seconds + 0.05)


def _drive(bot: BotProcess, crowd: Crowd, plan: KillPlan, watch: CommitWatch,
           profile: Profile, kills: Counter[str], deadline: float) -> bool:
    """Let the crowd work until the plan says kill (True) or all is done (False)."""
    api = bot.api
    while True:
        now = time.monotonic()
        if plan.moment(api, crowd, now):
            return True
        crowd.keep_busy = not profile.enough(kills)
        crowd.observe()
        crowd.tick(now)
        if crowd.done() and profile.enough(kills):
            return False
        assert bot.alive(), f"the bot died by itself:\n{bot.output()[-3000:]}"
        assert now < deadline, f"the crowd got stuck:\n{crowd.stuck()}"
        if not plan.armed and plan.mode != "timed" and now >= plan.at:
            assert isinstance(api, HoldingBotApi)
            plan.arm(api, crowd, watch)
        _wait(api, crowd, plan, watch, 0.03)


def _settle(bot: BotProcess, crowd: Crowd) -> None:
    """Until nothing is left in the inbox to handle now (what failed waits for the next
    start) and nothing is due in the outbox."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while sql(bot.workdir, "SELECT COUNT(*) FROM inbox WHERE attempts = 0") != [(0,)]:
        assert bot.alive() and time.monotonic() < deadline, "the inbox did not empty"
        time.sleep(0.05)
    settle(bot, timeout=SETTLE_TIMEOUT)
    crowd.observe()


def _run(api: HoldingBotApi, workdir: Path, seed: int, profile: Profile,
         bots: list[BotProcess], kill_log: list[str]) -> CrashRun:
    rng = random.Random(seed)
    figures = Figures(seed, profile.name, workdir)

    def launch() -> BotProcess:
        bots.append(BotProcess(api, workdir, f"bot-{len(bots) + 1}"))
        return bots[-1].start()

    bot = launch()
    code, posts = _set_up(bot, profile)
    crowd = _crowd(api, rng, profile, code, posts)
    crowd.cursor = api.mark()
    began = time.monotonic()
    deadline = began + profile.give_up_after
    modes = _modes(rng)
    watch = CommitWatch(workdir / DATABASE)
    try:
        while True:
            crowd.up_since = time.monotonic()
            plan = KillPlan.draw(rng, next(modes), crowd.up_since)
            if not _drive(bot, crowd, plan, watch, profile, figures.kills, deadline):
                break
            assert bot.proc is not None
            bot.proc.kill()
            kill_log.append(f"{bot.name} killed ({plan.kind()}) {time.monotonic() - began:.3f}"
                            f" s into the run, at call {api.mark()}")
            bot.proc.wait()
            api.release()
            bot.close()
            crowd.up_since = None
            figures.kills[plan.kind()] += 1
            bot = launch()
    finally:
        watch.close()
    _settle(bot, crowd)
    assert bot.stop(signal.SIGINT) == 0, bot.output()[-3000:]
    figures.elapsed = time.monotonic() - began
    figures.retries, figures.restarts = crowd.retries(), crowd.restarts()
    run = CrashRun(figures, api.calls(), crowd, {b.name: b.output() for b in bots},
                   list(api.refused))
    figures.sign_ups = len(_welcomed(run))
    figures.reports = len(_receipts(run))
    figures.acknowledgements = len(_taken(run))
    figures.votes = len(_toasts(run))
    figures.repeats = (_sent_escalations(run).total()
                       - _sent_escalations(run, announced=False).total())
    figures.introductions = sum(1 for callback, pressed in crowd.presses.items()
                                if pressed.data.startswith("in:") and callback in run.answers())
    return run


@pytest.fixture(scope="module")
def crash(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashRun]:
    seed, profile = _seed(), _profile()
    print(f"\ncrash harness: seed {seed}, profile {profile.name}", flush=True)
    api = HoldingBotApi(TOKEN).start()
    workdir = tmp_path_factory.mktemp("crash")
    bots: list[BotProcess] = []
    kill_log: list[str] = []
    try:
        run = _run(api, workdir, seed, profile, bots, kill_log)
        print(f"crash harness: {run.figures}", flush=True)
        yield run
    finally:
        for bot in bots:
            bot.close()
        _write_logs(workdir, api.calls(), kill_log)
        api.stop()


def _write_logs(workdir: Path, calls: list[Call], kill_log: list[str]) -> None:
    """The kills and the Bot API calls, numbered, for a post-mortem beside the bots' logs."""
    (workdir / "kills.log").write_text("".join(f"{line}\n" for line in kill_log))
    with (workdir / "calls.log").open("w") as log:
        for number, call in enumerate(calls):
            details = {key: call.params[key] for key in ("callback_query_id", "message_id")
                       if key in call.params}
            print(number, call.method, call.chat_id, details, repr(call.text[:120]),
                  [data_of(b) for b in call.buttons], file=log)


# -- reading the log -----------------------------------------------------------------------

PICKED_UP = re.compile(r"Your report R-(\d+) was picked up")
TAKEN = re.compile(r"^You took R-(\d+)\.$")
ALREADY_YOURS = "You already took this report."
TAG = re.compile(r"^(\w+\.\d+): ")


def _welcomed(run: CrashRun) -> list[int]:
    """The residents told they are signed up: welcomed, or told so when they came again."""
    return [person.id for person in run.residents() if any(
        COMPLEX in c.text and ("You are signed up" in c.text
                               or "You are already signed up for" in c.text)
        for c in run.to(person.id))]


def _receipts(run: CrashRun) -> list[tuple[int, int, str]]:
    """(reporter, report id, what the receipt's summary says was reported)."""
    found = []
    for person in run.residents():
        for call in run.to(person.id):
            receipt = RECEIPT.search(call.text)
            if receipt is not None:
                what = re.search(r"^What: (.*)$", call.text, re.MULTILINE)
                assert what, call.text
                found.append((person.id, int(receipt[1]), html.unescape(what[1])))
    return found


def _taken(run: CrashRun) -> list[tuple[int, int]]:
    """(contact, report id) for each acknowledgement a contact's pop-up confirmed."""
    found = []
    for callback, texts in run.answers().items():
        pressed = run.crowd.presses[callback]
        if not pressed.data.startswith("es:ack:"):
            continue
        report = number_in(pressed.data)
        for text in texts:
            taken = TAKEN.match(text)
            if text == ALREADY_YOURS or (taken is not None and int(taken[1]) == report):
                found.append((pressed.person.id, report))
    return sorted(set(found))


def _toasts(run: CrashRun) -> dict[tuple[int, int, str], bool]:
    """Whether each resident's vote of a kind on an idea is on, by the last toast about it:
    (idea, resident, kind) → on."""
    last = {}
    for call in run.calls:
        pressed = run.crowd.presses.get(str(call.params.get("callback_query_id")))
        if call.method != "answerCallbackQuery" or pressed is None \
                or call.text not in TOASTS:
            continue
        kind, on = TOASTS[call.text]
        last[(number_in(pressed.data), pressed.person.id, kind)] = on
    return last


REPEAT_NOTE = "⚠️ You may have the next message already"
"""Sent right before a message whose sending a kill cut off (bot/delivery.py)."""


def _sent_escalations(run: CrashRun, *, announced: bool = True) -> Counter[tuple[int, int]]:
    """How often each (target, report id) got the report; with `announced` False only the
    copies that came without the note that they may be repeats."""
    sent: Counter[tuple[int, int]] = Counter()
    noted: set[int] = set()  # the chats whose next message follows the note
    for c in run.calls:
        if c.method != "sendMessage" or c.chat_id is None:
            continue
        if c.text.startswith(REPEAT_NOTE):
            noted.add(c.chat_id)
            continue
        after_note = c.chat_id in noted
        noted.discard(c.chat_id)
        if (found := ESCALATION.match(c.text)) and (announced or not after_note):
            sent[(c.chat_id, int(found[1]))] += 1
    return sent


# -- the checks ------------------------------------------------------------------------------


def test_every_reference_a_reporter_received_is_a_stored_report(crash: CrashRun) -> None:
    receipts = _receipts(crash)
    stored = {number: (reporter, description) for number, reporter, description
              in crash.sql("SELECT id, reporter_id, description FROM reports")}
    missing = [(reporter, number, what) for reporter, number, what in receipts
               if stored.get(number) != (reporter, what)]
    assert receipts, f"no receipts at all: {crash.figures}"
    assert missing == [], f"receipts without their report: {missing}\n{crash.figures}"


def test_every_acknowledgement_told_holds(crash: CrashRun) -> None:
    held = {number: (status, by) for number, status, by in crash.sql(
        "SELECT r.id, r.status, e.acknowledged_by FROM reports r"
        " JOIN escalations e ON e.report_id = r.id")}
    taken = _taken(crash)
    told = [(reporter.id, int(found[1])) for reporter in crash.residents()
            for c in crash.to(reporter.id) if (found := PICKED_UP.search(c.text))]
    wrong = [(contact, number, held.get(number)) for contact, number in taken
             if held.get(number) not in (("acknowledged", contact), ("resolved", contact))]
    wrong += [(reporter, number, held.get(number)) for reporter, number in told
              if number not in held or held[number][0] == "open" or held[number][1] is None]
    assert taken and told, f"no acknowledgements to check: {crash.figures}"
    assert wrong == [], f"acknowledgements told but not held: {wrong}\n{crash.figures}"


def test_every_escalation_reached_its_targets(crash: CrashRun) -> None:
    targets = crash.sql(
        "SELECT t.report_id, t.telegram_id FROM escalation_targets t JOIN escalations e"
        " ON e.report_id = t.report_id AND e.lap = t.lap AND e.level = t.level")
    not_on_ladder = crash.sql(
        "SELECT r.id FROM reports r JOIN escalations e ON e.report_id = r.id"
        " WHERE NOT EXISTS (SELECT 1 FROM escalation_targets t WHERE t.report_id = r.id"
        " AND t.lap = e.lap AND t.level = e.level)")
    sent = _sent_escalations(crash)
    unreached = [(number, target) for number, target in targets if not sent[(target, number)]]
    assert targets, f"no escalations at all: {crash.figures}"
    assert not_on_ladder == [], f"reports that reached nobody: {not_on_ladder}\n" \
        f"{crash.figures}"
    assert unreached == [], f"targets the report never reached: {unreached}\n{crash.figures}"


def test_no_target_got_a_report_twice_at_one_level(crash: CrashRun) -> None:
    """Once per level, but for a copy sent again after the note that it may be a repeat:
    a kill right after Telegram took a report and before the bot could record so leaves
    the bot unable to tell whether it arrived (the Bot API cannot be asked), and a report
    shown twice, announced, is better than one lost. Those repeats are in the figures."""
    levels = Counter((target, number) for number, target in crash.sql(
        "SELECT report_id, telegram_id FROM escalation_targets"))
    twice = {key: count for key, count in _sent_escalations(crash, announced=False).items()
             if count > levels[key]}
    assert twice == {}, (f"(target, report): times sent unannounced, more than its levels: "
                         f"{twice}\n{crash.figures}")


def test_no_confirmed_sign_up_is_lost(crash: CrashRun) -> None:
    welcomed = _welcomed(crash)
    active = {telegram_id for (telegram_id,) in crash.sql(
        "SELECT telegram_id FROM residents WHERE status = 'active'")}
    lost = [telegram_id for telegram_id in welcomed if telegram_id not in active]
    assert welcomed, f"nobody signed up: {crash.figures}"
    assert lost == [], f"welcomed, but not residents: {lost}\n{crash.figures}"


def test_no_update_was_handled_twice_to_a_second_effect(crash: CrashRun) -> None:
    reports = crash.sql("SELECT reporter_id, description FROM reports")
    per_attempt = Counter(found[1] for _reporter, description in reports
                          if (found := TAG.match(description)))
    per_reporter = Counter(reporter for reporter, _description in reports)
    twice = {tag: count for tag, count in per_attempt.items() if count > 1}
    more = {p.name: (per_reporter[p.id], p.confirmations[Report.__name__])
            for p in crash.residents()
            if per_reporter[p.id] > p.confirmations[Report.__name__]}
    assert twice == {}, f"one report attempt stored twice: {twice}\n{crash.figures}"
    assert more == {}, f"name: (reports, confirmations pressed): {more}\n{crash.figures}"
    votes = {(idea, telegram_id, kind) for idea, telegram_id, kind in crash.sql(
        "SELECT v.idea_id, r.telegram_id, v.kind FROM idea_votes v"
        " JOIN residents r ON r.id = v.resident_id")}
    toasts = _toasts(crash)
    unlike = {key: on for key, on in toasts.items() if (key in votes) != on}
    assert toasts, f"no votes: {crash.figures}"
    assert unlike == {}, (f"(idea, resident, kind): the last toast said on/off, the "
                          f"database not: {unlike}\n{crash.figures}")


def test_introduction_answers_hold(crash: CrashRun) -> None:
    answers = {(number, telegram_id): answer for number, telegram_id, answer in crash.sql(
        "SELECT m.introduction_id, r.telegram_id, m.answer FROM introduction_members m"
        " JOIN residents r ON r.id = m.resident_id")}
    wrong = []
    for callback, texts in crash.answers().items():
        pressed = crash.crowd.presses[callback]
        if not pressed.data.startswith("in:"):
            continue
        key = (number_in(pressed.data), pressed.person.id)
        said = pressed.data.split(":")[1]
        if "" in texts and answers.get(key) != said:
            wrong.append((key, said, answers.get(key)))
    introduced = crash.sql(
        "SELECT r.telegram_id, other.telegram_id FROM introduction_members m"
        " JOIN introductions i ON i.id = m.introduction_id AND i.status = 'accepted'"
        " JOIN residents r ON r.id = m.resident_id"
        " JOIN introduction_members o ON o.introduction_id = m.introduction_id"
        " AND o.resident_id != m.resident_id JOIN residents other ON other.id = o.resident_id")
    mentions = [(p.id, int(found[1])) for p in crash.residents() for c in crash.to(p.id)
                if (found := re.search(r"You are introduced!.*tg://user\?id=(\d+)", c.text))]
    strangers = [pair for pair in mentions if pair not in introduced]
    assert wrong == [], f"((introduction, resident), pressed, stored): {wrong}\n{crash.figures}"
    assert strangers == [], f"introduced without an accepted introduction: {strangers}\n" \
        f"{crash.figures}"


def test_nothing_is_left_unhandled_or_unsent(crash: CrashRun) -> None:
    left = crash.sql("SELECT update_id, attempts FROM inbox")
    unsent = crash.sql("SELECT key, status, last_error FROM outbox WHERE status != 'sent'")
    assert left == [], f"updates never handled: {left}\n{crash.figures}"
    assert unsent == [], f"messages not sent: {unsent}\n{crash.figures}"


def test_a_press_handled_again_does_not_answer_again(crash: CrashRun) -> None:
    again = [(crash.crowd.presses[callback].data, text) for callback, text in crash.refused]
    assert again == [], f"answers given again, refused: {again}\n{crash.figures}"


LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", re.MULTILINE)
def _errors(output: str) -> list[str]:
    """The log records of an error, with their tracebacks."""
    starts = [found.start() for found in LOG_RECORD.finditer(output)]
    records = [output[a:b] for a, b in zip([0, *starts], [*starts, len(output)], strict=True)]
    return [record for record in records
            if " ERROR " in record.split("\n", 1)[0] or "Traceback" in record]


def test_no_bot_process_logged_an_error(crash: CrashRun) -> None:
    failing = {name: errors for name, output in crash.outputs.items()
               if (errors := _errors(output))}
    first = next(iter(failing.values()), [""])[0]
    assert failing == {}, f"{sorted(failing)} logged errors, the first:\n{first[-4000:]}\n" \
        f"{crash.figures}"
