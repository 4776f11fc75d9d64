"""What a button asks for, as its callback data: "prefix:verb:id", "prefix:verb" or
"prefix:id", and after the id a detail where a button needs one ("es:fw:12:police").

Telegram hands callback data back as the bot sent it, or as anyone forged it: `unpack`
accepts only the shape a handler expects and gives None for anything else.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's limit on a button's callback data
ID_DIGITS = 18  # SQLite integers are 64-bit; Telegram ids have at most 52 bits


@dataclass(frozen=True)
class ButtonData:
    prefix: str
    verb: str | None = None
    id: int | None = None
    detail: str | None = None


def pack(prefix: str, verb: str | None = None, record: int | None = None,
         detail: str | None = None) -> str:
    """The callback data of a button: what `unpack` reads back as ButtonData."""
    data = ":".join(part for part in (prefix, verb, None if record is None else str(record),
                                      detail) if part is not None)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


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
    parts = (data or "").split(":")
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
