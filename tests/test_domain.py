"""Configuration, migrations, repositories and rules, without Telegram."""

from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import ConfigError, load_config
from bot.domain import complex_form, validation
from bot.domain.models import ContactKind, JoinPolicy, ResidentRole, ResidentStatus
from bot.domain.signup import INTERESTS, known_interests, placement
from bot.domain.validation import InvalidInput
from bot.i18n import resolve_language
from bot.roles import standing_of
from bot.storage import Repositories
from bot.storage.complexes import DuplicateComplexName, GroupLinkedElsewhere
from bot.storage.db import Database, MigrationError, migration_files
from bot.storage.invites import InviteUnusable
from bot.storage.people import AlreadyResident

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"


# -- configuration ------------------------------------------------------------------


def test_configuration_defaults() -> None:
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert config.database == "buurtnet.sqlite3"
    assert config.timezone == "Europe/Amsterdam" and config.language == "nl"
    assert config.operators == frozenset() and config.api_base_url is None


def test_configuration_from_environment() -> None:
    config = load_config({
        "TELEGRAM_BOT_TOKEN": TOKEN, "BUURTNET_OPERATORS": " 12, 34 ,",
        "BUURTNET_TIMEZONE": "UTC", "BUURTNET_LANGUAGE": "en",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot", "BUURTNET_DATABASE": "x.db",
    })
    assert config.operators == frozenset({12, 34})
    assert (config.timezone, config.language, config.database) == ("UTC", "en", "x.db")
    assert config.api_base_url == "http://127.0.0.1:8081/bot"


@pytest.mark.parametrize(("env", "message"), [
    ({}, "TELEGRAM_BOT_TOKEN is not set"),
    ({"TELEGRAM_BOT_TOKEN": "nonsense"}, "does not look like a bot token"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "BUURTNET_OPERATORS": "12,abc"}, "'abc' is not a number"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "BUURTNET_TIMEZONE": "Mars/Olympus"}, "not a known time"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "BUURTNET_LANGUAGE": "fr"}, "'fr' is not supported"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "localhost:8081"}, "http://"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "BUURTNET_REPORT_RETENTION_DAYS": "0"}, "from 1 to 3650"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "BUURTNET_REPORT_RETENTION_DAYS": "a year"}, "from 1"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "BUURTNET_EMERGENCY_NUMBER": "call me"}, "not a phone"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "BUURTNET_ROUTING": "/no/such/table.toml"},
     "BUURTNET_ROUTING: cannot read"),
])
def test_bad_configuration_is_named(env: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(env)


def test_no_token_needed_for_local_commands() -> None:
    assert load_config({}, need_token=False).token == ""


# -- migrations -----------------------------------------------------------------------


async def test_migrations_apply_once_and_are_recorded(tmp_path: Path) -> None:
    db = await Database.open(str(tmp_path / "db.sqlite3"))
    try:
        clock = ManualClock()
        applied = await db.migrate(clock)
        assert applied == [number for number, _ in migration_files()]
        assert await db.migrate(clock) == []
        rows = await db.fetch_all("SELECT version, name FROM schema_migrations")
        assert next(row["name"] for row in rows) == "0001_initial.sql"
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
    finally:
        await db.close()


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    db = await Database.open(str(tmp_path / "db.sqlite3"))
    try:
        await db.migrate(ManualClock())
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x')")
        with pytest.raises(MigrationError, match="only knows up to"):
            await db.migrate(ManualClock())
    finally:
        await db.close()


async def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_good.sql").write_text("CREATE TABLE a (x INTEGER);\n")
    (folder / "0002_bad.sql").write_text(
        "-- half of this works\nCREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n")
    (folder / "notes.txt").write_text("ignored")
    db = await Database.open(str(tmp_path / "db.sqlite3"))
    try:
        with pytest.raises(Exception, match="nowhere"):
            await db.migrate(ManualClock(), folder)
        assert await db.schema_version() == 1
        assert await db.fetch_value("SELECT name FROM sqlite_master WHERE name = 'b'") is None
    finally:
        await db.close()


def test_migration_numbers_must_be_unique(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("")
    (tmp_path / "0001_b.sql").write_text("")
    with pytest.raises(MigrationError, match="share a number"):
        migration_files(tmp_path)


# -- repositories ---------------------------------------------------------------------


@pytest.fixture
async def repos(tmp_path: Path):
    db = await Database.open(str(tmp_path / "db.sqlite3"))
    clock = ManualClock()
    await db.migrate(clock)
    yield Repositories.build(db, clock)
    await db.close()


async def _complex(repos: Repositories, name: str = "De Toren"):
    return await repos.complexes.create(name=name, homes=10, municipality="Utrecht",
                                        language="nl", join_policy=JoinPolicy.OPEN, created_by=1)


async def test_complex_names_are_unique_regardless_of_case(repos: Repositories) -> None:
    await _complex(repos)
    with pytest.raises(DuplicateComplexName):
        await _complex(repos, "de toren")


async def test_codes_are_unguessable_and_distinct(repos: Repositories) -> None:
    complexes = [await _complex(repos, f"C{i}") for i in range(20)]
    codes = [c.resident_code for c in complexes] + [c.initiator_code for c in complexes]
    assert len(set(codes)) == 40
    assert all(len(code) >= 14 and code[1] == "_" for code in codes)


async def test_one_complex_per_resident(repos: Repositories) -> None:
    a, b = await _complex(repos, "A"), await _complex(repos, "B")
    kwargs = dict(telegram_id=7, first_name="Rosa", building=None, interests=["music"],
                  wants_to_organise=False, wants_introductions=True,
                  role=ResidentRole.RESIDENT, status=ResidentStatus.ACTIVE)
    await repos.people.add_resident(complex_id=a.id, **kwargs)
    with pytest.raises(AlreadyResident):
        await repos.people.add_resident(complex_id=b.id, **kwargs)


async def test_group_link_belongs_to_one_complex(repos: Repositories) -> None:
    a, b = await _complex(repos, "A"), await _complex(repos, "B")
    assert await repos.complexes.link_group(a.id, -5) is True
    assert await repos.complexes.link_group(a.id, -5) is False
    with pytest.raises(GroupLinkedElsewhere):
        await repos.complexes.link_group(b.id, -5)


async def test_contact_invites_are_single_use(repos: Repositories) -> None:
    complex_ = await _complex(repos)
    invite = await repos.invites.create_contact_invite(complex_.id, ContactKind.POLICE, 1)
    contact = await repos.invites.redeem_contact_invite(invite.code, 55, "Pieter")
    assert contact.kind is ContactKind.POLICE
    with pytest.raises(InviteUnusable) as problem:
        await repos.invites.redeem_contact_invite(invite.code, 56, "Other")
    assert problem.value.reason == "used"
    with pytest.raises(InviteUnusable) as problem:
        await repos.invites.redeem_contact_invite("c_nothing", 56, "Other")
    assert problem.value.reason == "unknown"


async def test_standing_per_complex(repos: Repositories) -> None:
    a, b = await _complex(repos, "A"), await _complex(repos, "B")
    await repos.people.add_resident(
        telegram_id=7, complex_id=a.id, first_name="Ivo", building=None, interests=[],
        wants_to_organise=True, wants_introductions=True, role=ResidentRole.INITIATOR,
        status=ResidentStatus.ACTIVE)
    invite = await repos.invites.create_contact_invite(b.id, ContactKind.PEER, 1)
    await repos.invites.redeem_contact_invite(invite.code, 7, "Ivo")
    who = await standing_of(repos, frozenset(), 7)
    assert who.is_initiator_of(a.id) and not who.is_initiator_of(b.id)
    assert who.is_contact_of(b.id) and not who.is_contact_of(a.id)
    # A peer mentors complex B; running its group chat is for B's own people.
    assert who.organised_complex_ids() == [a.id]
    assert who.may_link_group_for(a.id) and not who.may_link_group_for(b.id)
    assert not who.is_stranger
    c = await _complex(repos, "C")
    invite = await repos.invites.create_contact_invite(c.id, ContactKind.MUNICIPALITY, 1)
    await repos.invites.redeem_contact_invite(invite.code, 7, "Ivo")
    who = await standing_of(repos, frozenset(), 7)
    assert who.organised_complex_ids() == [a.id, c.id] and who.may_link_group_for(c.id)
    nobody = await standing_of(repos, frozenset({9}), 8)
    assert nobody.is_stranger and not nobody.may_link_group_for(a.id)
    operator = await standing_of(repos, frozenset({9}), 9)
    assert operator.may_link_group_for(a.id) and not operator.is_stranger


# -- rules ----------------------------------------------------------------------------


def test_language_resolution() -> None:
    assert resolve_language("nl", "en") == "nl"
    assert resolve_language("nl-BE", "en") == "nl"
    assert resolve_language("en_GB", "nl") == "en"
    assert resolve_language("de", "nl") == "nl"
    assert resolve_language(None, "en") == "en"


def test_interests_and_forged_keys() -> None:
    assert len(INTERESTS) >= 10
    assert known_interests(["sports", "hacking", "cooking", "sports"]) == ["cooking", "sports"]


@pytest.mark.parametrize(("policy", "as_initiator", "removed", "expected"), [
    (JoinPolicy.OPEN, False, False, (ResidentRole.RESIDENT, ResidentStatus.ACTIVE)),
    (JoinPolicy.APPROVAL, False, False, (ResidentRole.RESIDENT, ResidentStatus.PENDING)),
    (JoinPolicy.OPEN, False, True, (ResidentRole.RESIDENT, ResidentStatus.PENDING)),
    (JoinPolicy.APPROVAL, True, False, (ResidentRole.INITIATOR, ResidentStatus.ACTIVE)),
    (JoinPolicy.OPEN, True, True, (ResidentRole.RESIDENT, ResidentStatus.PENDING)),
])
async def test_placement(repos: Repositories, policy, as_initiator, removed, expected) -> None:
    complex_ = await repos.complexes.create(name="X", homes=1, municipality="Y", language="en",
                                            join_policy=policy, created_by=1)
    assert placement(complex_, as_initiator=as_initiator, was_removed=removed) == expected


def test_validation() -> None:
    assert validation.person_name("  Anna  Maria ") == "Anna Maria"
    assert validation.homes("1.200") == 1200
    assert validation.resident_number("#12") == 12
    for call, value in [(validation.person_name, "/start"), (validation.person_name, ""),
                        (validation.building, "a\nb"), (validation.homes, "0"),
                        (validation.resident_number, "twelve"), (validation.reason, " ")]:
        with pytest.raises(InvalidInput):
            call(value)


def test_complex_form() -> None:
    form = complex_form.parse_complex_form(" De Toren ; 120 ; Utrecht ; NL ; Approval ")
    assert form == complex_form.ComplexForm("De Toren", 120, "Utrecht", "nl",
                                            JoinPolicy.APPROVAL)
    with pytest.raises(InvalidInput):
        complex_form.parse_complex_form("De Toren; 120; Utrecht")


async def test_a_handlers_first_write_records_its_update(tmp_path: Path) -> None:
    from bot.storage.db import handling_update

    db = await Database.open(str(tmp_path / "db.sqlite3"))
    try:
        await db.migrate(ManualClock())
        handling_update(42, "2026-01-05T12:00:00+00:00")
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO users (telegram_id, created_at) VALUES (1, 'x')")
        handling_update(None)
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO users (telegram_id, created_at) VALUES (2, 'x')")
        rows = await db.fetch_all("SELECT update_id FROM processed_updates")
        assert [row["update_id"] for row in rows] == [42]
    finally:
        handling_update(None)
        await db.close()


def test_only_an_ordinary_concern_may_be_shared_in_a_linked_group() -> None:
    from bot.domain.reports import may_share

    assert may_share("concern", "nuisance", urgent=False, group_linked=True)
    assert not may_share("concern", "nuisance", urgent=False, group_linked=False)
    assert not may_share("concern", "nuisance", urgent=True, group_linked=True)
    assert not may_share("incident", "nuisance", urgent=False, group_linked=True)
    assert not may_share("concern", "sexual", urgent=False, group_linked=True)
