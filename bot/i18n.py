"""Translations: the catalogs in locales/, loaded from their .po files through Babel.

The current language lives in a ContextVar set once per update (and around messages sent
to other people), so handlers simply call ``_()``. Translate first, then format:
``_("Hello, {name}!").format(name=...)``.
"""

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.resources import resource_dir

DOMAIN = "buurtnet"
LANGUAGES = ("nl", "en")
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}

_current: ContextVar[str] = ContextVar("buurtnet_language", default="nl")


@cache
def _catalog(language: str) -> Catalog:
    path = resource_dir("locales") / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        return read_po(po, locale=language)


@cache
def translations(language: str) -> _gettext.NullTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, _catalog(language))
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


@cache
def _source_of(language: str) -> dict[str, str]:
    """Translated text → its English message id, for the plain (non-plural) messages."""
    return {message.string: message.id for message in _catalog(language)
            if message.id and isinstance(message.id, str) and message.string}


def in_every_language(text: str) -> set[str]:
    """`text` (a button label, say) as it reads in each language: "Overslaan" → {"Skip",
    "Overslaan"}. Text that is no catalog message comes back alone."""
    ids = {text} | {source for language in LANGUAGES
                    if (source := _source_of(language).get(text))}
    return {text} | {translations(language).gettext(message_id)
                     for message_id in ids for language in LANGUAGES}


def resolve_language(code: str | None, default: str) -> str:
    """Telegram's language_code by exact match, then by base language, then the default."""
    if code:
        code = code.lower().replace("_", "-")
        if code in LANGUAGES:
            return code
        base = code.split("-", 1)[0]
        if base in LANGUAGES:
            return base
    return default


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else LANGUAGES[0])


def current_language() -> str:
    return _current.get()


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Speak `language` inside the block, e.g. for a message to someone else."""
    token = _current.set(language if language in LANGUAGES else LANGUAGES[0])
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with ``_()``."""
    return message


_ = gettext
