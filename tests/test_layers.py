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


CONVERSATION_STATE = {"drafts", "updates", "inbox"}
"""What handlers may write themselves: a conversation's draft, the handled-update record and
the count of an update's failed handlings."""


def _writes(node: ast.AST) -> bool:
    """A write statement in SQL, a transaction or write on the database, or rows.insert."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(verb in node.value for verb in ("INSERT ", "UPDATE ", "DELETE "))
    if isinstance(node, ast.Attribute) and node.attr in ("transaction", "write", "write_one"):
        return isinstance(node.value, ast.Attribute) and node.value.attr == "db"
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == "insert"


def _writers() -> set[str]:
    """The names of the repository methods that change something."""
    return {node.name for path in _modules("bot/storage")
            for node in ast.walk(ast.parse(path.read_text(), str(path)))
            if isinstance(node, ast.AsyncFunctionDef) and any(map(_writes, ast.walk(node)))}


def _repository_calls(path: Path) -> list[tuple[str, str]]:
    """(repository, method) of every `….repos.<repository>.<method>(…)` call in `path`."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Attribute):
            holder = node.func.value.value
            if (isinstance(holder, ast.Attribute) and holder.attr == "repos") or \
                    (isinstance(holder, ast.Name) and holder.id == "repos"):
                calls.append((node.func.value.attr, node.func.attr))
    return calls


def test_the_writers_are_found() -> None:
    writers = _writers()
    assert {"link_group", "set_language", "acknowledge", "put", "add", "me_too"} <= writers
    assert not {"get", "resident_of", "targets", "is_actor", "open_of"} & writers


@pytest.mark.parametrize("path", _modules("handlers"), ids=lambda p: p.name)
def test_handlers_change_nothing_but_their_conversations(path: Path) -> None:
    """Every change is a use case in bot/services/; handlers read, and keep their drafts."""
    writers = _writers()
    assert [call for call in _repository_calls(path)
            if call[0] not in CONVERSATION_STATE and call[1] in writers] == []


def test_only_the_application_factory_and_the_console_reach_into_handlers() -> None:
    reaching = {path.relative_to(ROOT).as_posix() for path in _modules("bot")
                if _breaking(path, ("handlers",))}
    assert reaching <= {"bot/app.py", "bot/console/interactive.py", "bot/console/offline.py"}


def test_the_conversation_router_knows_no_feature() -> None:
    """Features declare their flows; bot/app.py hands them to the router."""
    assert _outside(ROOT / "handlers/conversation.py",
                    ("telegram", "bot", "handlers.common", "handlers.presses")) == []
