"""Button data packs and unpacks in one place, and forged shapes come back as None."""

import pytest

from bot.domain.button_data import ButtonData, pack, unpack


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


def test_data_over_telegrams_64_bytes_is_refused_when_packed() -> None:
    with pytest.raises(ValueError):
        pack("x" * 60, "verb", 1)
