"""Button data and outbox keys pack and unpack in one place; forged shapes come back as None."""

import re

import pytest

from bot.domain.button_data import ButtonData, is_id, pack, pattern, unpack


@pytest.mark.parametrize("button", [ButtonData("idea", "help", 12), ButtonData("lv", "yes"),
                                    ButtonData("me", None, 7), ButtonData("ap", "ok", -3)])
def test_what_is_packed_unpacks_the_same(button: ButtonData) -> None:
    data = pack(button.prefix, button.verb, button.id)
    assert unpack(data, None if button.verb is None else {button.verb},
                  with_id=button.id is not None) == button


@pytest.mark.parametrize("data", [None, "", "idea", "idea:help", "idea:help:", "idea:help:x",
                                  "idea:help:²", "idea:help:1:2", "idea:vote:1",
                                  "idea:help:" + "9" * 19, "idea:help:-"])
def test_forged_or_stale_shapes_are_refused(data: str | None) -> None:
    assert unpack(data, ("help", "support"), with_id=True) is None


def test_a_detail_after_the_id_comes_back_only_if_it_is_one_expected() -> None:
    assert unpack(pack("es", "fw", 12, "police"), ("fw",), with_id=True,
                  detail=("police", "municipality")) == ButtonData("es", "fw", 12, "police")
    assert unpack(pack("or", "to", 12, "4242"), ("to",), with_id=True,
                  detail=is_id) == ButtonData("or", "to", 12, "4242")
    for forged in ("es:fw:12:army", "es:fw:12", "es:fw:12:police:1", "es:fw:x:police"):
        assert unpack(forged, ("fw",), with_id=True, detail=("police",)) is None, forged
    assert unpack("or:to:12:me", ("to",), with_id=True, detail=is_id) is None
    assert unpack("es:ack:12:police", ("ack",), with_id=True) is None


def test_data_carries_its_version_and_older_buttons_still_read() -> None:
    assert pack("es", "ack", 12) == "1:es:ack:12"
    expected = ButtonData("es", "ack", 12)
    assert unpack("1:es:ack:12", ("ack",), with_id=True) == expected
    assert unpack("es:ack:12", ("ack",), with_id=True) == expected  # sent before versions
    for other in ("2:es:ack:12", "0:es:ack:12", "12:es:ack:12", ":es:ack:12"):
        assert unpack(other, ("ack",), with_id=True) is None, other
    assert unpack("2:me", None) is None and unpack("2:me:3", None, with_id=True) is None


def test_once_the_layout_changes_data_of_the_first_layout_is_stale(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.domain.button_data.VERSION", "2")
    assert pack("es", "ack", 12) == "2:es:ack:12"
    assert unpack("2:es:ack:12", ("ack",), with_id=True) == ButtonData("es", "ack", 12)
    assert unpack("1:es:ack:12", ("ack",), with_id=True) is None
    assert unpack("es:ack:12", ("ack",), with_id=True) is None


def test_a_handlers_pattern_takes_its_prefix_in_any_version_and_no_other_prefix() -> None:
    es = re.compile(pattern("es"))
    assert all(es.match(data) for data in ("1:es:ack:12", "es:ack:12", "2:es:ack:12", "es"))
    assert not any(es.match(data) for data in ("1:esc:1", "esc:1", "1:or:es:1", "x1:es:1"))


def test_data_over_telegrams_64_bytes_is_refused_when_packed() -> None:
    with pytest.raises(ValueError):
        pack("x" * 60, "verb", 1)


def test_outbox_keys_and_their_patterns_are_made_of_the_same_pieces() -> None:
    from fnmatch import fnmatchcase

    from bot.domain import outbox_keys as keys

    patterns = [p.replace("%", "*") for p in keys.report_copies(7, [3])]
    for key in (keys.ESCALATION.of(7, 1, 0, 42), keys.ADDITION.of(7, 2, 42),
                keys.HANDED.of(7, "2026-12-03T08:00:00+00:00", 42), keys.RESENT.of(7, "now", 42),
                keys.RESOLVED.of(7) + ":42", keys.SHARED.of(7), keys.QUESTION.of(3),
                keys.ANSWER.of(3, 42)):
        assert any(fnmatchcase(key, p) for p in patterns), key
    for key in (keys.ESCALATION.of(70, 1, 0, 42), keys.SHARED.of(70), keys.QUESTION.of(30),
                keys.APPROVAL.of(7, 42)):
        assert not any(fnmatchcase(key, p) for p in patterns), key
    assert keys.QUESTION.first_id(keys.QUESTION.of(3)) == 3
    assert [keys.report_of_copy(k) for k in (keys.ESCALATION.of(7, 1, 0, 42),
                                             keys.HANDED.of(7, "t", 42), keys.RESENT.of(7, "t", 42),
                                             keys.SHARED.of(7), keys.ANSWER.of(3, 42), None)] \
        == [7, 7, 7, None, None, None]
    assert keys.ANSWER.first_id(keys.ANSWER.of(3, 42)) == 3
    assert keys.ANSWER.first_id(keys.ESCALATION.of(3, 1, 0, 42)) is None
    assert keys.QUESTION.first_id(keys.ANSWER.of(3, 42)) is None
    assert keys.QUESTION.first_id(None) is None
    with pytest.raises(TypeError):
        keys.ESCALATION.of(7, 1, 0)
