"""Ideas: proposing, voting with 👍 and 🙋, listing and closing, and every refusal."""

from bot.console.offline import Call
from bot.domain.vocabulary import IdeaStatus
from tests.people import DUTCH_RESIDENT, INITIATOR, NEIGHBOUR, RESIDENT, STRANGER
from tests.world import GROUP_ID, World, alerts, last_message, nl, sent, sweep, texts

FILM = "A film night on the roof"
TOO_LONG = "That is too long: at most 500 characters, please."
NOT_A_RESIDENT = ("Only residents of a complex can do that. Open the invite link of your "
                  "complex to join.")


async def _complex(world: World, *, group: bool = True, line: str = "De Toren; 120; Utrecht; en"):
    complex_ = await world.new_complex(line)
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.sign_up(RESIDENT, complex_.resident_code)
    await world.sign_up(NEIGHBOUR, complex_.resident_code)
    if group:
        await world.say(INITIATOR, "/linkgroup", world.group())
    return complex_


def labels(world: World, call: Call) -> list[str]:
    """The button labels a message shows now, after any edits."""
    message = world.telegram.messages[(call.result["chat"]["id"], call.result["message_id"])]
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def current_text(world: World, call: Call) -> str:
    return world.telegram.messages[(call.result["chat"]["id"], call.result["message_id"])]["text"]


async def _propose(world: World, person: dict = RESIDENT, text: str = FILM) -> Call:
    """Propose from private; return the group post."""
    return last_message(await world.say(person, f"/idea {text}"), GROUP_ID)


async def _votes(world: World) -> list[tuple]:
    rows = await world.app.bot_data["services"].db.fetch_all(
        "SELECT idea_id, resident_id, kind FROM idea_votes ORDER BY idea_id, resident_id, kind")
    return [tuple(row) for row in rows]


async def test_an_idea_from_private_is_posted_in_the_group(world: World) -> None:
    await _complex(world)
    calls = await world.say(RESIDENT, f"/idea   {FILM}  ")
    assert last_message(calls, RESIDENT["id"]).text == (
        "Thank you! Your idea #1 is posted in the group chat of De Toren, where neighbours "
        "can support it.")
    post = last_message(calls, GROUP_ID)
    assert post.text == (f"💡 <b>Idea #1</b> from Rosa:\n{FILM}\n\n"
                         "👍 I support this · 🙋 I'll help")
    assert [b["text"] for b in post.buttons] == ["👍 0", "🙋 0"]
    assert [b["callback_data"] for b in post.buttons] == ["1:idea:support:1", "1:idea:help:1"]
    idea = await world.repos.ideas.get(1)
    assert (idea.group_chat_id, idea.group_message_id) == (GROUP_ID, post.result["message_id"])
    assert idea.text == FILM and idea.status is IdeaStatus.OPEN


async def test_an_idea_from_the_group_is_posted_there(world: World) -> None:
    await _complex(world)
    calls = await world.say(NEIGHBOUR, "/idea@BuurtnetBot Plant swap <on> Sunday", world.group())
    assert [c.chat_id for c in sent(calls)] == [GROUP_ID]
    assert "from Noor:\nPlant swap &lt;on&gt; Sunday" in last_message(calls).text


async def test_group_posts_speak_the_complex_language(world: World) -> None:
    await _complex(world, line="Het Blok; 80; Delft; nl")
    post = await _propose(world)  # Rosa speaks English; the group speaks Dutch
    assert post.text == nl("💡 <b>Idea #{number}</b> from {name}:\n{text}").format(
        number=1, name="Rosa", text=FILM) + "\n\n" + nl("👍 I support this · 🙋 I'll help")


async def test_votes_toggle_and_update_the_post_in_place(world: World) -> None:
    await _complex(world)
    post = await _propose(world)
    calls = await world.press(NEIGHBOUR, post, "idea:support:1")
    assert alerts(calls) == ["You support this idea."]
    edits = [c for c in calls if c.method == "editMessageText"]  # through the outbox
    assert [(c.chat_id, c.params["message_id"], c.text) for c in edits] == \
        [(GROUP_ID, post.result["message_id"], post.text)]
    assert labels(world, post) == ["👍 1", "🙋 0"]
    await world.press(INITIATOR, post, "idea:support:1")
    assert alerts(await world.press(NEIGHBOUR, post, "idea:help:1")) == \
        ["Thank you for offering to help!"]
    assert labels(world, post) == ["👍 2", "🙋 1"]
    # Pressing again withdraws: one vote of each kind per person.
    assert alerts(await world.press(NEIGHBOUR, post, "idea:support:1")) == \
        ["You no longer support this idea."]
    assert alerts(await world.press(NEIGHBOUR, post, "idea:help:1")) == \
        ["You no longer offer to help."]
    assert labels(world, post) == ["👍 1", "🙋 0"]
    initiator = await world.repos.people.resident_of(INITIATOR["id"])
    assert await _votes(world) == [(1, initiator.id, "support")]


async def test_only_residents_of_the_complex_may_vote(world: World) -> None:
    await _complex(world)
    post = await _propose(world)
    other = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(DUTCH_RESIDENT, other.resident_code)
    for person in (STRANGER, DUTCH_RESIDENT):
        calls = await world.press(person, post, "idea:support:1")
        assert alerts(calls) == ["Only residents of De Toren can vote on its ideas."]
        assert not [c for c in calls if c.method.startswith("edit")]
    assert await _votes(world) == [] and labels(world, post) == ["👍 0", "🙋 0"]


async def test_forged_vote_buttons_change_nothing(world: World) -> None:
    await _complex(world)
    post = await _propose(world)
    for data in ("idea:support:999", "idea:support:x", "idea:vote:1", "idea:support",
                 "idea:help:1:2"):
        calls = await world.feed(world.telegram.press_update(
            NEIGHBOUR, GROUP_ID, post.result["message_id"], data))
        assert alerts(calls) == ["This button is no longer valid."], data
    assert await _votes(world) == []


async def test_usage_and_bad_texts_store_nothing(world: World) -> None:
    await _complex(world)
    usage = ("Usage: /idea followed by your idea, for example: /idea a film night on the "
             "roof.")
    for command, answer in [("/idea", usage), ("/idea    ", usage),
                            ("/idea " + "x" * 501, TOO_LONG)]:
        assert last_message(await world.say(RESIDENT, command)).text == answer, command
    assert last_message(await world.say(RESIDENT, "/idea", world.group())).text == usage
    assert await world.repos.ideas.get(1) is None
    await world.say(RESIDENT, "/idea " + "x" * 500)
    assert len((await world.repos.ideas.get(1)).text) == 500


async def test_strangers_and_non_residents_are_refused(world: World) -> None:
    complex_ = await world.new_complex("De Toren; 120; Utrecht; en; approval")
    await world.sign_up(INITIATOR, complex_.initiator_code)
    await world.sign_up(RESIDENT, complex_.resident_code)  # waits for approval
    unlinked = await world.say(INITIATOR, f"/idea {FILM}", world.group())
    assert last_message(unlinked).text == ("This group is not linked to a complex yet. An "
                                           "initiator can link it with /linkgroup.")
    await world.say(INITIATOR, "/linkgroup", world.group())
    for person in (STRANGER, RESIDENT):
        assert last_message(await world.say(person, f"/idea {FILM}")).text == NOT_A_RESIDENT
        refused = last_message(await world.say(person, f"/idea {FILM}", world.group()))
        assert refused.text == ("Only residents of De Toren can propose ideas here. Sign up "
                                "privately first.")
        assert refused.buttons[0]["url"].endswith(complex_.resident_code)
    assert await world.repos.ideas.get(1) is None


async def test_a_resident_of_another_complex_cannot_propose_in_this_group(world: World) -> None:
    await _complex(world)
    other = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(DUTCH_RESIDENT, other.resident_code)
    calls = await world.say(DUTCH_RESIDENT, f"/idea {FILM}", world.group())
    assert last_message(calls).text.startswith("Only residents of De Toren can propose")
    assert await world.repos.ideas.get(1) is None


async def test_without_a_group_the_idea_waits_for_one(world: World) -> None:
    await _complex(world, group=False)
    calls = await world.say(RESIDENT, f"/idea {FILM}")
    assert last_message(calls).text == (
        "Thank you! Your idea #1 is saved. De Toren has no group chat yet: it will be shown "
        "there once there is one. Meanwhile it is listed in /ideas.")
    assert sent(calls, GROUP_ID) == []
    listed = await world.say(NEIGHBOUR, "/ideas")
    assert any(FILM in text for text in texts(listed))
    assert await sweep(world) == []
    await world.say(INITIATOR, "/linkgroup", world.group())
    posted = sent(await sweep(world), GROUP_ID)
    assert len(posted) == 1 and f"<b>Idea #1</b> from Rosa:\n{FILM}" in posted[0].text
    assert (await world.repos.ideas.get(1)).group_message_id == posted[0].result["message_id"]
    assert await sweep(world) == []
    assert alerts(await world.press(NEIGHBOUR, posted[0], "idea:support:1")) == \
        ["You support this idea."]


async def test_ideas_lists_the_open_ideas_by_support(world: World) -> None:
    await _complex(world)
    assert last_message(await world.say(RESIDENT, "/ideas")).text == (
        "There are no open ideas in De Toren yet. Propose one with /idea followed by your "
        "idea.")
    await _propose(world, RESIDENT, "Plant swap")
    second = await _propose(world, NEIGHBOUR, "Board games")
    third = await _propose(world, NEIGHBOUR, "Clean-up day")
    await _propose(world, NEIGHBOUR, "Something closed")
    await world.press(RESIDENT, second, "idea:support:2")
    await world.press(RESIDENT, third, "idea:support:3")
    await world.press(RESIDENT, third, "idea:help:3")
    await world.say(NEIGHBOUR, "/closeidea 4")
    calls = await world.say(RESIDENT, "/ideas")
    header, *items = sent(calls)
    assert header.text.startswith("<b>Open ideas in De Toren</b>, most supported first.")
    assert [item.text.split("\n")[0] for item in items] == [
        "💡 <b>Idea #3</b> from Noor:", "💡 <b>Idea #2</b> from Noor:",
        "💡 <b>Idea #1</b> from Rosa:"]
    # Everyone votes from the list; only the proposer (or an initiator) may close.
    assert [[b["text"] for b in item.buttons] for item in items] == [
        ["👍 1", "🙋 1"], ["👍 1", "🙋 0"], ["👍 0", "🙋 0", "Close this idea"]]
    for item in sent(await world.say(INITIATOR, "/ideas"))[1:]:
        assert item.buttons[-1]["callback_data"].startswith("1:idea:close:")


async def test_ideas_is_private_and_for_residents(world: World) -> None:
    await _complex(world)
    calls = await world.say(RESIDENT, "/ideas", world.group())
    assert last_message(calls).text == "Please use this command in a private chat with me."
    assert last_message(await world.say(STRANGER, "/ideas")).text == NOT_A_RESIDENT


async def test_voting_from_the_list_updates_both_messages(world: World) -> None:
    await _complex(world)
    post = await _propose(world)
    item = sent(await world.say(NEIGHBOUR, "/ideas"))[1]
    calls = await world.press(NEIGHBOUR, item, "idea:help:1")
    edited = {(c.method, c.chat_id, c.params["message_id"]) for c in calls
              if c.method.startswith("edit")}
    assert edited == {("editMessageReplyMarkup", NEIGHBOUR["id"], item.result["message_id"]),
                      ("editMessageText", GROUP_ID, post.result["message_id"])}
    assert labels(world, item) == ["👍 0", "🙋 1"] and labels(world, post) == ["👍 0", "🙋 1"]
    mine = sent(await world.say(RESIDENT, "/ideas"))[1]
    await world.press(RESIDENT, mine, "idea:support:1")
    assert labels(world, mine) == ["👍 1", "🙋 1", "Close this idea"]


async def test_the_proposer_closes_an_idea(world: World) -> None:
    await _complex(world)
    post = await _propose(world)
    await world.press(NEIGHBOUR, post, "idea:support:1")
    calls = await world.say(RESIDENT, "/closeidea #1")
    assert last_message(calls, RESIDENT["id"]).text == "Idea #1 is closed."
    edit = last_message(calls, GROUP_ID)
    assert edit.method == "editMessageText" and edit.text.endswith("This idea is closed.")
    assert labels(world, post) == []
    assert (await world.repos.ideas.get(1)).status is IdeaStatus.CLOSED
    # An old button of the closed idea changes nothing.
    for data in ("idea:support:1", "idea:help:1", "idea:close:1"):
        pressed = await world.feed(world.telegram.press_update(
            NEIGHBOUR if data != "idea:close:1" else RESIDENT, GROUP_ID,
            post.result["message_id"], data))
        assert alerts(pressed) == ["This idea is closed."], data
    assert len(await _votes(world)) == 1
    assert last_message(await world.say(RESIDENT, "/closeidea 1")).text == "This idea is closed."
    assert last_message(await world.say(RESIDENT, "/ideas")).text.startswith(
        "There are no open ideas")


async def test_an_initiator_closes_with_the_button_in_the_list(world: World) -> None:
    await _complex(world)
    post = await _propose(world)
    item = sent(await world.say(INITIATOR, "/ideas"))[1]
    calls = await world.press(INITIATOR, item, "Close this idea")
    assert alerts(calls) == ["Idea #1 is closed."]
    assert current_text(world, item).endswith("This idea is closed.")
    assert labels(world, item) == [] and labels(world, post) == []
    assert current_text(world, post).endswith("This idea is closed.")


async def test_closing_is_refused_to_others_and_bad_numbers(world: World) -> None:
    await _complex(world)
    post = await _propose(world)
    other = await world.new_complex("Het Blok; 80; Delft; en")
    await world.sign_up(DUTCH_RESIDENT, other.resident_code)
    await world.say(DUTCH_RESIDENT, "/idea Elsewhere")
    usage = "Usage: /closeidea 12, with the idea's number from /ideas."
    for person, command, answer in [
        (NEIGHBOUR, "/closeidea 1",
         "Only the person who proposed an idea, or an initiator, can close it."),
        (RESIDENT, "/closeidea", usage),
        (RESIDENT, "/closeidea abc", usage),
        (RESIDENT, "/closeidea 1 2", usage),
        (RESIDENT, "/closeidea 999", "There is no idea #999 in De Toren. /ideas shows the "
                                     "numbers."),
        (RESIDENT, "/closeidea 2", "There is no idea #2 in De Toren. /ideas shows the "
                                   "numbers."),
        (STRANGER, "/closeidea 1", NOT_A_RESIDENT),
    ]:
        assert last_message(await world.say(person, command)).text == answer, command
    in_group = await world.say(RESIDENT, "/closeidea 1", world.group())
    assert last_message(in_group).text == "Please use this command in a private chat with me."
    forged = await world.feed(world.telegram.press_update(
        NEIGHBOUR, GROUP_ID, post.result["message_id"], "idea:close:1"))
    assert alerts(forged) == ["Only the person who proposed an idea, or an initiator, can "
                              "close it."]
    assert (await world.repos.ideas.get(1)).is_open and (await world.repos.ideas.get(2)).is_open
    assert labels(world, post) == ["👍 0", "🙋 0"]


async def test_a_long_list_shows_the_most_supported(world: World) -> None:
    await _complex(world, group=False)
    for number in range(1, 23):
        await world.say(RESIDENT, f"/idea Idea number {number}")
    header, *items = sent(await world.say(NEIGHBOUR, "/ideas"))
    assert header.text.endswith("\nThese are the first 20 of 22.")
    assert len(items) == 20 and "Idea number 1\n" in items[0].text


async def test_a_vote_counts_when_the_group_post_is_gone(world: World) -> None:
    await _complex(world)
    post = await _propose(world)
    world.telegram.messages.pop((GROUP_ID, post.result["message_id"]))  # deleted by an admin
    item = sent(await world.say(NEIGHBOUR, "/ideas"))[1]
    assert alerts(await world.press(NEIGHBOUR, item, "idea:support:1")) == \
        ["You support this idea."]
    assert labels(world, item) == ["👍 1", "🙋 0"] and len(await _votes(world)) == 1


async def test_an_idea_outlives_its_proposer(world: World) -> None:
    await _complex(world)
    post = await _propose(world)
    leave = last_message(await world.say(RESIDENT, "/leave"))
    await world.press(RESIDENT, leave, "lv:yes")
    calls = await world.say(INITIATOR, "/closeidea 1")
    assert last_message(calls, GROUP_ID).text.startswith(
        f"💡 <b>Idea #1</b> from a neighbour:\n{FILM}")
    assert labels(world, post) == []
