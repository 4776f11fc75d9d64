"""A crowd for the crash harness (tests/test_crash_harness.py): residents who sign up,
report, vote on ideas and answer introductions, and contacts who pick reports up, against
`python -m bot run` over tests.fake_bot_api.

Nobody waits on the bot the way the end-to-end helpers do. A person answers the newest
question the bot put to them, after a moment's thought. When the answer to what they did
does not come (the bot was killed meanwhile), they tap or type it again once the bot is
back, as people do, and each such retry is counted; a button the bot already took off its
message is typed instead, as its label. When the bot says a button is no longer valid, or
that it did not understand, they begin that conversation again (counted as a restart).
Every choice comes from a seeded random.Random, so a seed gives the same plans.
"""

import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from bot.console.offline import Call
from bot.domain.button_data import unversioned
from tests.fake_bot_api import FakeBotApi

COMPLEX = "<b>De Toren</b>"
STALE = "This button is no longer valid."
NOT_UNDERSTOOD = "I did not understand that."
RECEIPT = re.compile(r"Your report <b>R-(\d+)</b> is received")
ESCALATION = re.compile(r"^<b>Report R-(\d+)</b>")
WHERE = "Where? Type the place"
WHAT = "What happened, or what worries you?"
MEET_ANSWERS = ("Nobody is available right now", "You already have an introduction",
                "You already asked")
TOASTS = {  # an idea's toast: the vote it is about, and whether that vote is on now
    "You support this idea.": ("support", True),
    "You no longer support this idea.": ("support", False),
    "Thank you for offering to help!": ("help", True),
    "You no longer offer to help.": ("help", False),
}
SIGNUP_STEPS = ("language", "consent", "name", "building", "interests", "organise",
                "introductions", "confirm")
REPORT_STEPS = ("now", "kind", "category", "when", "photo", "identity", "share",
                "group_text", "confirm")
CATEGORIES = ("burglary", "theft", "vandalism", "suspicious", "nuisance", "building_safety",
              "other", "violence")  # the last is urgent: the police hear of it too
WORRIES = (
    "The lamp above the entrance has been out for a week",
    "Someone keeps propping the back door open at night",
    "Loud music from the courtyard after midnight",
    "A bicycle was taken from the shed although it was locked",
    "Graffiti on the lift doors again",
    "Strangers tried the doors of the storage boxes",
)


def data_of(button: dict[str, Any]) -> str:
    """A button's callback data without its version."""
    return unversioned(str(button.get("callback_data", ""))) or ""


def offered(call: Call, prefix: str) -> str | None:
    """The data of the first button of `call` whose data starts with `prefix`."""
    return next((data for data in map(data_of, call.buttons) if data.startswith(prefix)), None)


def number_in(data: str) -> int:
    """The record id at the end of a button's data ("in:yes:12")."""
    return int(data.rsplit(":", 1)[1])


class Outcome(Enum):
    DONE = "done"
    CONFUSED = "confused"
    """The bot answered as if the step were another: begin the conversation again."""


@dataclass(frozen=True)
class Action:
    """Press the button `data` on the message `on`, or type `text`."""

    text: str = ""
    data: str = ""
    on: Call | None = None
    confirms: bool = False
    """It sends what a conversation gathered: a sign-up's or a report's confirmation."""

    def label(self) -> str:
        """The text of the button pressed, to type it."""
        assert self.on is not None
        return next(b["text"] for b in self.on.buttons if data_of(b) == self.data)


Reaction = Action | Outcome | None


class Task:
    """Something a person sets out to do, answering what the bot shows them."""

    typable = False
    """A guided conversation: a button taken off its message may be typed as its label."""

    def start(self) -> Action:
        raise NotImplementedError

    def on_message(self, call: Call) -> Reaction:
        """A message the bot sent the person."""
        return None

    def on_answer(self, action: Action, text: str) -> Reaction:
        """The bot's answer (its pop-up) to the press `action`."""
        return None

    def restart(self) -> Action | None:
        """Begin again after the bot got confused; None: there is nothing to begin."""
        return None

    def where(self) -> str:
        return type(self).__name__


class Conversation(Task):
    """A guided conversation: the bot asks, the person answers, step by step."""

    typable = True

    def __init__(self) -> None:
        self.step = "start"

    def restart(self) -> Action:
        return self.start()

    def on_message(self, call: Call) -> Reaction:
        if NOT_UNDERSTOOD in call.text:
            return Outcome.CONFUSED
        return self.answer(call)

    def answer(self, call: Call) -> Reaction:
        raise NotImplementedError

    def on_answer(self, action: Action, text: str) -> Reaction:
        return Outcome.CONFUSED if text == STALE else None

    def where(self) -> str:
        return f"{type(self).__name__} at {self.step}"


class SignUp(Conversation):
    """The whole sign-up with the residents' link, to the welcome."""

    def __init__(self, code: str, rng: random.Random, *, introductions: bool) -> None:
        super().__init__()
        self.code = code
        self.building = f"{rng.choice('ABC')}, floor {rng.randint(1, 12)}"
        self.types_building = rng.random() < 0.7
        self.interest = rng.choice([None, "music", "games", "cooking", "sports"])
        self.organise = rng.random() < 0.2
        self.introductions = introductions
        self.ticked = False
        self.interests: Call | None = None

    def start(self) -> Action:
        self.ticked = False
        return Action(text=f"/start {self.code}")

    def answer(self, call: Call) -> Reaction:
        if COMPLEX in call.text and ("You are signed up" in call.text
                                     or "You are already signed up for" in call.text):
            return Outcome.DONE
        step = next((s for s in SIGNUP_STEPS if offered(call, f"su:{s}:")), None)
        if step is None:
            return None
        self.step = step
        if step == "building" and self.types_building:
            return Action(text=self.building)
        if step == "interests":
            self.interests = call
            if self.interest is not None and not self.ticked:
                return Action(data=f"su:interests:{self.interest}", on=call)
            return Action(data="su:interests:done", on=call)
        value = {"language": "en", "consent": "yes", "name": "telegram", "building": "skip",
                 "organise": "yes" if self.organise else "no",
                 "introductions": "yes" if self.introductions else "no",
                 "confirm": "yes"}[step]
        return Action(data=f"su:{step}:{value}", on=call, confirms=step == "confirm")

    def on_answer(self, action: Action, text: str) -> Reaction:
        if text == "" and action.data == f"su:interests:{self.interest}":
            self.ticked = True  # the keyboard shows it ticked: on to Done
            return Action(data="su:interests:done", on=self.interests)
        return super().on_answer(action, text)


class Report(Conversation):
    """A /report through every question to Send, and its receipt. Each attempt describes
    the worry with a tag of its own ("Anna1.2"), so the reports in the database tell which
    attempt made them."""

    def __init__(self, label: str, rng: random.Random) -> None:
        super().__init__()
        self.label = label
        self.tags: list[str] = []
        self.now = rng.random() < 0.1
        self.kind = rng.choice(("concern", "concern", "incident"))
        self.category = rng.choice(CATEGORIES)
        self.when = rng.choice(("now", "today", "yesterday around 23:00"))
        self.anonymous = rng.random() < 0.6
        self.worry = rng.choice(WORRIES)

    @property
    def tag(self) -> str:
        return self.tags[-1]

    def start(self) -> Action:
        self.tags.append(f"{self.label}.{len(self.tags) + 1}")
        return Action(text="/report")

    def answer(self, call: Call) -> Reaction:
        if RECEIPT.search(call.text):
            return Outcome.DONE
        if not call.buttons:
            if WHERE in call.text:
                self.step = "where"
                return Action(text=f"Stairwell {self.tag}")
            if WHAT in call.text:
                self.step = "what"
                return Action(text=f"{self.tag}: {self.worry}")
            return None
        step = next((s for s in REPORT_STEPS if offered(call, f"rp:{s}:")), None)
        if step is None:
            return None
        self.step = step
        if step == "when" and self.when not in ("now", "today"):
            return Action(text=self.when)
        value = {"now": "yes" if self.now else "no", "kind": self.kind,
                 "category": self.category, "when": self.when, "photo": "skip",
                 "identity": "anonymous" if self.anonymous else "named", "share": "no",
                 "group_text": "standard", "confirm": "yes"}[step]
        return Action(data=f"rp:{step}:{value}", on=call, confirms=step == "confirm")


class Vote(Task):
    """👍 or 🙋 on an idea's post in the group, until the toast says the vote is on."""

    def __init__(self, idea: int, kind: str, post: Call) -> None:
        self.idea, self.kind, self.post = idea, kind, post

    def start(self) -> Action:
        return Action(data=f"idea:{self.kind}:{self.idea}", on=self.post)

    def on_answer(self, action: Action, text: str) -> Reaction:
        if TOASTS.get(text) == (self.kind, False):  # a tap too many: tap once more
            return self.start()
        return Outcome.DONE


class Meet(Task):
    """/meet: a neighbour now (a proposal comes), or the answer that one will come."""

    def start(self) -> Action:
        return Action(text="/meet")

    def on_message(self, call: Call) -> Reaction:
        if offered(call, "in:yes:") or any(answer in call.text for answer in MEET_ANSWERS):
            return Outcome.DONE
        return None


class Introduction(Task):
    """Yes or no to a proposed introduction."""

    def __init__(self, number: int, proposal: Call, yes: bool) -> None:
        self.number, self.proposal, self.yes = number, proposal, yes

    def start(self) -> Action:
        return Action(data=f"in:{'yes' if self.yes else 'no'}:{self.number}", on=self.proposal)

    def on_answer(self, action: Action, text: str) -> Reaction:
        return Outcome.DONE


class Acknowledge(Task):
    """A contact picks up a report the bot brought them."""

    def __init__(self, report: int, message: Call) -> None:
        self.report, self.message = report, message

    def start(self) -> Action:
        return Action(data=f"es:ack:{self.report}", on=self.message)

    def on_answer(self, action: Action, text: str) -> Reaction:
        return Outcome.DONE


@dataclass(frozen=True)
class Sent:
    """What a person did last, as the update it became."""

    action: Action
    update_id: int
    callback_id: str | None
    at: float


class Person:
    """Someone with things to do, one at a time; what the bot brings them unasked (a
    proposal, a report to pick up) comes first."""

    def __init__(self, crowd: "Crowd", who: dict[str, Any], rng: random.Random,
                 tasks: list[Task], *, begins_after: float = 0.0) -> None:
        self.crowd = crowd
        self.user = who
        self.id: int = who["id"]
        self.rng = rng
        self.tasks = tasks
        self.task: Task | None = None
        self.next: Action | None = None
        self.next_at = 0.0
        self.begins_after = begins_after
        self.sent: Sent | None = None
        self.confused_at: float | None = None
        self.patience = rng.uniform(0.8, 1.6)
        self.interrupts: list[Task] = []
        self.finished: list[Task] = []
        self.retries = 0
        self.restarts = 0
        self.confirmations: Counter[str] = Counter()
        """How often they confirmed a sign-up or a report (by the task's class), retries
        included."""
        self.encore: Callable[[], Task] | None = None
        """More of the same, while the harness wants the crowd busy."""

    @property
    def name(self) -> str:
        return str(self.user["first_name"])

    def think(self) -> float:
        return self.rng.uniform(0.1, 0.6)

    # -- what the bot does ----------------------------------------------------------

    def notice(self, call: Call) -> None:
        """A message that brings something new to do (see the subclasses)."""

    def see(self, call: Call) -> None:
        self.notice(call)
        if self.task is not None:
            self.react(self.task.on_message(call))

    def answered(self, callback_id: str, text: str) -> None:
        if self.task is not None and self.sent is not None \
                and self.sent.callback_id == callback_id:
            self.react(self.task.on_answer(self.sent.action, text))

    def react(self, reaction: Reaction) -> None:
        now = time.monotonic()
        if reaction is Outcome.DONE:
            assert self.task is not None
            self.finished.append(self.task)
            self.task, self.next, self.confused_at = None, None, None
        elif reaction is Outcome.CONFUSED:
            if self.next is None:  # a newer question would come first
                self.confused_at = now
        elif reaction is not None:
            if self.next is None:
                self.next_at = now + self.think()
            self.next, self.confused_at = reaction, None  # the newest question counts

    # -- what the person does -------------------------------------------------------

    def idle(self) -> bool:
        return self.task is None and not self.tasks and not self.interrupts

    def tick(self, now: float) -> None:
        if now < self.begins_after:
            return
        if self.task is None:
            if not self.tasks and not self.interrupts and self.crowd.keep_busy \
                    and self.encore is not None:
                self.tasks.append(self.encore())
                self.begins_after = now + self.rng.uniform(1.0, 3.0)
                return
            if not self.tasks and not self.interrupts:
                return
            self.task = (self.interrupts or self.tasks).pop(0)
            self.next, self.next_at = self.task.start(), now + self.think()
        if self.next is not None:
            if now >= self.next_at:
                action, self.next = self.next, None
                self.perform(action, now)
            return
        up = self.crowd.up_since
        if up is None or self.sent is None:
            return
        if self.confused_at is not None:
            if now >= max(self.confused_at, up) + self.patience:
                self.confused_at = None
                self.restarts += 1
                assert self.task is not None
                again = self.task.restart()
                if again is None:
                    self.react(Outcome.DONE)
                else:
                    self.perform(again, now)
            return
        if now >= max(self.sent.at, up) + self.patience:  # no answer came: once more
            self.retries += 1
            self.perform(self.sent.action, now)

    def perform(self, action: Action, now: float) -> None:
        api = self.crowd.api
        if action.data:
            assert action.on is not None and self.task is not None
            try:
                update = api.press(self.user, action.on, action.data)
            except LookupError:  # the bot took the buttons away
                if self.task.typable:  # type it
                    update = api.say(self.user, action.label())
                elif self.sent is not None and self.sent.action is action:
                    # Pressed before and not answered (handled after a restart, whose
                    # presses get no pop-up): the changed message shows it was done.
                    self.react(Outcome.DONE)
                    return
                else:
                    raise
        else:
            update = api.say(self.user, action.text)
        callback = update.get("callback_query", {}).get("id")
        if callback is not None:
            self.crowd.presses[str(callback)] = Pressed(self, action.data)
        self.sent = Sent(action, update["update_id"], callback, now)
        self.crowd.queued.append(update["update_id"])
        if action.confirms:
            self.confirmations[type(self.task).__name__] += 1

    def where(self) -> str:
        doing = self.task.where() if self.task else "nothing"
        last = self.sent.action if self.sent else None
        return (f"{self.name} ({self.id}): {doing}; {len(self.tasks)} to do; last did "
                f"{last.data or last.text if last else '-'!r}")


@dataclass(frozen=True)
class Pressed:
    person: Person
    data: str


class Resident(Person):
    def notice(self, call: Call) -> None:
        proposal = offered(call, "in:yes:")
        if proposal is not None and number_in(proposal) not in self.crowd.introductions[self.id]:
            self.crowd.introductions[self.id].add(number_in(proposal))
            self.interrupts.append(Introduction(number_in(proposal), call,
                                                yes=self.rng.random() < 0.85))


class Contact(Person):
    def think(self) -> float:
        return self.rng.uniform(0.3, 1.5)

    def notice(self, call: Call) -> None:
        found = ESCALATION.match(call.text)
        if found is None or offered(call, "es:ack:") is None:
            return
        report = int(found[1])
        if report not in self.crowd.escalations[self.id]:
            self.crowd.escalations[self.id].add(report)
            if self.rng.random() < 0.85:
                self.interrupts.append(Acknowledge(report, call))


@dataclass
class Crowd:
    """Everyone, and what they see: the calls of the bot, read as they come."""

    api: FakeBotApi
    people: dict[int, Person] = field(default_factory=dict)
    presses: dict[str, "Pressed"] = field(default_factory=dict)
    """Who pressed what, by callback query id."""
    queued: list[int] = field(default_factory=list)
    """Every update the crowd caused, in order."""
    introductions: dict[int, set[int]] = field(default_factory=dict)
    escalations: dict[int, set[int]] = field(default_factory=dict)
    cursor: int = 0
    up_since: float | None = None
    """Since when the bot polls (None while it is down): patience counts from then."""
    keep_busy: bool = True

    def add(self, person: Person) -> None:
        self.people[person.id] = person
        self.introductions[person.id] = set()
        self.escalations[person.id] = set()

    def observe(self) -> None:
        calls = self.api.calls(self.cursor)
        self.cursor += len(calls)
        for call in calls:
            if call.method == "answerCallbackQuery":
                callback = str(call.params.get("callback_query_id"))
                if callback in self.presses:
                    self.presses[callback].person.answered(callback, call.text)
            elif call.method == "sendMessage" and call.chat_id in self.people:
                self.people[call.chat_id].see(call)

    def tick(self, now: float) -> None:
        for person in self.people.values():
            person.tick(now)

    def done(self) -> bool:
        return all(person.idle() for person in self.people.values())

    def retries(self) -> int:
        return sum(person.retries for person in self.people.values())

    def restarts(self) -> int:
        return sum(person.restarts for person in self.people.values())

    def stuck(self) -> str:
        return "\n".join(person.where() for person in self.people.values()
                         if not person.idle())
