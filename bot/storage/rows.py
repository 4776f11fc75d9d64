"""Turning a database row into a record and values into a row, once for every record.

A record's field is read from the column of the same name and converted by the field's
type: a moment from its stored text, a flag from 0/1, a vocabulary word from its value.
Fields whose column has another name, or whose value is built from several columns or
from JSON, are given by the caller; fields with neither a column nor a given value keep
their default."""

import types
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import MISSING, fields
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

import aiosqlite

from bot.clock import from_db, to_db
from bot.storage.db import Database

_AS_STORED = (int, str, float)

T = TypeVar("T")


def record(cls: type[T], row: aiosqlite.Row, **given: Any) -> T:
    columns = set(row.keys())
    values: dict[str, Any] = {}
    for name, (kind, optional, has_default) in _fields(cls).items():
        if name in given:
            values[name] = given[name]
        elif name in columns:
            values[name] = _converted(row[name], kind, optional)
        elif not has_default:
            raise TypeError(f"{cls.__name__}.{name}: no column and no value given")
    return cls(**values)


async def fetch_record(db: Database, read: Callable[[aiosqlite.Row], T], sql: str,
                       params: Iterable[Any] = ()) -> T | None:
    """The first row `sql` finds, as `read` makes it a record; None if it finds none."""
    row = await db.fetch_one(sql, params)
    return read(row) if row else None


async def fetch_moment(db: Database, sql: str, params: Iterable[Any] = ()) -> datetime | None:
    """The moment `sql` finds (its first value), None if it finds none."""
    text = await db.fetch_value(sql, params)
    return from_db(text) if text else None


async def read_back(found: Awaitable[T | None]) -> T:
    """A record just added, as read back after its transaction: it is there."""
    added = await found
    assert added is not None
    return added


@cache
def _fields(cls: type) -> dict[str, tuple[type, bool, bool]]:
    """Per field: its type without `| None`, whether None is allowed, whether it has a
    default. Types a row cannot hold as they are (tuples, JSON) must be given."""
    hints = get_type_hints(cls)
    described = {}
    for field in fields(cls):
        kind, optional = _unwrapped(hints[field.name])
        has_default = field.default is not MISSING or field.default_factory is not MISSING
        described[field.name] = (kind, optional, has_default)
    return described


def _unwrapped(hint: Any) -> tuple[Any, bool]:
    if get_origin(hint) in (Union, types.UnionType):
        args = [arg for arg in get_args(hint) if arg is not type(None)]
        return (args[0] if len(args) == 1 else hint), True
    return hint, False


def _converted(value: Any, kind: Any, optional: bool) -> Any:
    if value is None or (optional and kind is datetime and value == ""):
        if not optional:
            raise TypeError(f"a stored NULL where a {kind} is needed")
        return None
    if kind is datetime:
        return from_db(value)
    if kind is bool:
        return bool(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    if kind in _AS_STORED:
        return value
    raise TypeError(f"a {kind} cannot be read from a column as it is; give it")


async def insert(conn: aiosqlite.Connection, table: str, **values: Any) -> int:
    """Add a row of `values` (named by their columns) to `table`; returns its rowid.
    Moments and flags are stored as `record` reads them back."""
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    cursor = await conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                [_stored(value) for value in values.values()])
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _stored(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Enum):
        return value.value
    return value
