"""What a button asks for, as its callback data: "prefix:verb:id", "prefix:verb" or
"prefix:id", and after the id a detail where a button needs one ("es:fw:12:police"), all
after the version of this layout ("1:es:fw:12:police").

Telegram hands callback data back as the bot sent it, or as anyone forged it: `unpack`
accepts only the shape a handler expects and gives None for anything else. Buttons stay in
chats for months: data without a version was sent before versions and is read as version
1; a later change of layout gives its buttons a new version, so old ones are recognised
as stale rather than misread.
"""

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's limit on a button's callback data
ID_DIGITS = 18  # SQLite integers are 64-bit; Telegram ids have at most 52 bits
VERSION = "1"


@dataclass(frozen=True)
class ButtonData:
    prefix: str
    verb: str | None = None
    id: int | None = None
    detail: str | None = None


def pack(prefix: str, verb: str | None = None, record: int | None = None,
         detail: str | None = None) -> str:
    """The callback data of a button: what `unpack` reads back as ButtonData."""
    data = ":".join(part for part in (VERSION, prefix, verb,
                                      None if record is None else str(record), detail)
                    if part is not None)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def pattern(prefix: str) -> str:
    """The pattern a handler of `prefix`'s buttons is registered with (any version)."""
    return rf"^(?:\d+:)?{re.escape(prefix)}(?::|$)"


def unversioned(data: str) -> str | None:
    """`data` without its version; None if it is of another version than this one's."""
    version, _, rest = data.partition(":")
    if not version.isdecimal():  # sent before versions: the first layout
        version, rest = "1", data
    return rest if version == VERSION else None


def parse_id(text: str) -> int | None:
    """A record or Telegram id from callback data; None for anything else ("²", "-", a
    number too large for the database), so forged data is refused rather than raised on."""
    digits = text.removeprefix("-")
    if not digits.isascii() or not digits.isdecimal() or len(digits) > ID_DIGITS:
        return None
    return int(text)


def is_id(text: str) -> bool:
    """A detail that is an id too (`unpack`'s `detail=is_id`)."""
    return parse_id(text) is not None


def unpack(data: str | None, verbs: Collection[str] | None = None, *,
           with_id: bool = False, detail: Collection[str] | Callable[[str], bool] | None = None
           ) -> ButtonData | None:
    """`data` as a prefix, then one of `verbs` (if given), then an id (if `with_id`), then
    a detail (if `detail` is given: one of it, or one it accepts)."""
    current = unversioned(data or "")
    if current is None:
        return None
    parts = current.split(":")
    if len(parts) != 1 + (verbs is not None) + with_id + (detail is not None):
        return None
    verb = parts[1] if verbs is not None else None
    if verbs is not None and verb not in verbs:
        return None
    record = parse_id(parts[1 + (verbs is not None)]) if with_id else None
    if with_id and record is None:
        return None
    extra = parts[-1] if detail is not None else None
    if extra is not None and not (detail(extra) if callable(detail) else extra in detail):
        return None
    return ButtonData(parts[0], verb, record, extra)
