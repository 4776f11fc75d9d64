"""The layers of the code, as the README's "How the code is laid out" describes them."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _breaking(path: Path, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(name for name in _imports(path)
                  if any(name == f or name.startswith(f + ".") for f in forbidden))


def _outside(path: Path, allowed: tuple[str, ...]) -> list[str]:
    """What `path` imports beyond the standard library and `allowed`."""
    return sorted(name for name in _imports(path)
                  if name.split(".")[0] not in sys.stdlib_module_names
                  and not any(name == a or name.startswith(a + ".") for a in allowed))


@pytest.mark.parametrize("path", _modules("bot/domain"), ids=lambda p: p.name)
def test_the_domain_knows_neither_telegram_nor_the_database(path: Path) -> None:
    assert _outside(path, ("babel", "bot.i18n", "bot.clock", "bot.domain")) == []


@pytest.mark.parametrize("path", _modules("bot/storage"), ids=lambda p: p.name)
def test_storage_knows_nothing_of_telegram(path: Path) -> None:
    assert _outside(path, ("aiosqlite", "bot.clock", "bot.resources", "bot.domain",
                           "bot.storage")) == []


@pytest.mark.parametrize("path", _modules("bot/services"), ids=lambda p: p.name)
def test_services_know_nothing_of_telegram(path: Path) -> None:
    """Use cases queue messages as plain data; handlers and the sender speak Telegram."""
    assert _outside(path, ("babel", "bot.clock", "bot.config", "bot.i18n", "bot.domain",
                           "bot.storage", "bot.services")) == []


@pytest.mark.parametrize("path", _modules("bot/jobs"), ids=lambda p: p.name)
def test_jobs_call_services(path: Path) -> None:
    """The sweeper's steps are the same use cases the handlers call."""
    assert _outside(path, ("bot.services", "bot.jobs")) == []


@pytest.mark.parametrize("path", _modules("handlers"), ids=lambda p: p.name)
def test_handlers_write_no_sql(path: Path) -> None:
    assert _breaking(path, ("aiosqlite", "sqlite3")) == []
    assert "conn.execute" not in path.read_text()


@pytest.mark.parametrize("path", _modules("handlers"), ids=lambda p: p.name)
def test_handlers_leave_units_of_work_to_services(path: Path) -> None:
    """A use case of several writes is a service in bot/services/, one unit of work."""
    assert ".unit()" not in path.read_text()


def test_only_the_application_factory_and_the_console_reach_into_handlers() -> None:
    reaching = {path.relative_to(ROOT).as_posix() for path in _modules("bot")
                if _breaking(path, ("handlers",))}
    assert reaching <= {"bot/app.py", "bot/console/interactive.py", "bot/console/offline.py"}


def test_the_conversation_router_knows_no_feature() -> None:
    """Features declare their flows; bot/app.py hands them to the router."""
    assert _outside(ROOT / "handlers/conversation.py",
                    ("telegram", "bot", "handlers.common", "handlers.presses")) == []
