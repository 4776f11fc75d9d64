"""The rules of an introduction's answers, without Telegram or a database."""

import pytest

from bot.domain.introductions import (
    MAX_FOLLOW_UPS,
    Answer,
    answer_outcome,
    asks_again,
    meeting_question_open,
)


@pytest.mark.parametrize(("status", "answers", "yes", "outcome"), [
    (None, {}, True, Answer.NOT_MEMBER),
    ("proposed", {2: "pending"}, True, Answer.NOT_MEMBER),
    ("declined", {1: "pending", 2: "no"}, True, Answer.CLOSED),
    ("expired", {1: "pending", 2: "pending"}, True, Answer.CLOSED),
    ("proposed", {1: "yes", 2: "pending"}, True, Answer.ALREADY),
    ("proposed", {1: "pending", 2: "pending"}, False, Answer.DECLINED),
    ("proposed", {1: "pending", 2: "pending"}, True, Answer.WAITING),
    ("proposed", {1: "pending", 2: "yes", 3: "pending"}, True, Answer.WAITING),
    ("proposed", {1: "pending", 2: "yes", 3: "yes"}, True, Answer.ACCEPTED),
])
def test_what_an_answer_does(status, answers, yes, outcome) -> None:
    assert answer_outcome(status, answers, 1, yes) is outcome


def test_did_you_meet_is_open_once_asked_and_until_answered() -> None:
    assert meeting_question_open("accepted", 1, None)
    assert meeting_question_open("accepted", 1, "not_yet")
    assert not meeting_question_open("accepted", 0, None)  # not asked yet
    assert not meeting_question_open("accepted", 1, "yes")
    assert not meeting_question_open("accepted", 2, "no")
    assert not meeting_question_open("proposed", 1, None)


def test_not_yet_is_asked_again_until_the_last_follow_up() -> None:
    assert asks_again("not_yet", 1)
    assert not asks_again("not_yet", MAX_FOLLOW_UPS)
    assert not asks_again("yes", 1) and not asks_again("no", 1)
