"""The gettext catalogs: complete, true to their msgids, in step with the source, loadable."""

import re
from collections import Counter
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot import i18n

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / f"{i18n.DOMAIN}.pot"
SOURCE_DIRS = ("bot", "handlers")
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"

UPDATE_COMMANDS = (
    "pybabel extract -F locales/babel.cfg -k N_ --no-location --sort-output "
    "-o locales/buurtnet.pot bot handlers\n"
    "pybabel update -i locales/buurtnet.pot -d locales -D buurtnet --no-fuzzy-matching"
)

TAG = re.compile(r"</?[A-Za-z][^<>]*>")
COMMAND = re.compile(r"(?<![\w/<:])/[A-Za-z][A-Za-z0-9_]*")

Key = tuple[str | None, str | tuple[str, ...]]


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def _key(message: Message) -> Key:
    return message.context, message.id


def _show(keys: set[Key]) -> str:
    return "".join(f"\n  {'' if context is None else context + ' | '}{msgid!r}"
                   for context, msgid in sorted(keys, key=str)) or " none"


def _messages(catalog: Catalog) -> dict[Key, Message]:
    return {_key(message): message for message in catalog if message.id}


def _pairs(message: Message) -> list[tuple[str, str]]:
    """(source, translation) per form: msgid with msgstr[0], msgid_plural with the rest."""
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    singular, plural = message.id[0], message.id[1]
    strings = message.string
    return [(singular, strings[0]), *((plural, string) for string in strings[1:])]


def _placeholders(text: str) -> set[str]:
    try:
        fields = Formatter().parse(text)
        return {"{" + name + (f"!{conversion}" if conversion else "") +
                (f":{spec}" if spec else "") + "}"
                for _, name, spec, conversion in fields if name is not None}
    except ValueError as error:
        pytest.fail(f"broken {{placeholder}} ({error}) in {text!r}")


TEMPLATE_MESSAGES = _messages(_read(TEMPLATE))
LANGUAGE_CATALOGS = {
    language: _read(LOCALES / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po", language)
    for language in i18n.LANGUAGES
}
ENTRIES = [
    pytest.param(language, message, id=f"{language}:{str(message.id)[:40]}")
    for language, catalog in LANGUAGE_CATALOGS.items()
    for message in catalog
    if message.id
]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_catalog_header(language: str) -> None:
    catalog = LANGUAGE_CATALOGS[language]
    assert str(catalog.locale) == language
    assert catalog.plural_forms == PLURAL_FORMS
    assert catalog.charset.lower() == "utf-8"
    assert not catalog.fuzzy, "the header is marked fuzzy"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_catalog_has_exactly_the_template_messages(language: str) -> None:
    messages = _messages(LANGUAGE_CATALOGS[language])
    missing = TEMPLATE_MESSAGES.keys() - messages.keys()
    extra = messages.keys() - TEMPLATE_MESSAGES.keys()
    assert not missing and not extra, (
        f"{language} catalog is not in step with locales/buurtnet.pot; run\n"
        f"pybabel update -i locales/buurtnet.pot -d locales -D buurtnet --no-fuzzy-matching\n"
        f"and translate.\nMissing:{_show(missing)}\nNo longer in the template:{_show(extra)}"
    )


@pytest.mark.parametrize(("language", "message"), ENTRIES)
def test_entry_is_translated(language: str, message: Message) -> None:
    assert "fuzzy" not in message.flags
    catalog = LANGUAGE_CATALOGS[language]
    if not isinstance(message.id, str):
        assert len(message.string) == catalog.num_plurals
    for _, translation in _pairs(message):
        assert translation and translation.strip(), "empty msgstr"


@pytest.mark.parametrize(("language", "message"), ENTRIES)
def test_entry_keeps_placeholders_tags_and_commands(language: str, message: Message) -> None:
    for source, translation in _pairs(message):
        if not translation:
            continue  # reported by test_entry_is_translated
        assert _placeholders(translation) == _placeholders(source)
        assert Counter(TAG.findall(translation)) == Counter(TAG.findall(source))
        missing = set(COMMAND.findall(source)) - set(COMMAND.findall(translation))
        assert not missing, f"commands left out: {sorted(missing)}"
        assert translation.count("\n") == source.count("\n"), "different line breaks"


def test_english_is_the_source() -> None:
    for message in LANGUAGE_CATALOGS["en"]:
        if message.id:
            expected = message.id if isinstance(message.id, str) else tuple(message.id)
            got = message.string if isinstance(message.id, str) else tuple(message.string)
            assert got == expected


def test_template_is_up_to_date_with_the_source() -> None:
    with (LOCALES / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, cfg.name)
    extracted: set[Key] = set()
    for directory in SOURCE_DIRS:
        for _, _, message, _, context in extract_from_dir(
            ROOT / directory, method_map, options_map, keywords=KEYWORDS
        ):
            extracted.add((context, message))
    in_template = set(TEMPLATE_MESSAGES)
    new, gone = extracted - in_template, in_template - extracted
    assert not new and not gone, (
        f"locales/buurtnet.pot is out of date with the source.\n"
        f"In the source but not the template:{_show(new)}\n"
        f"In the template but not the source:{_show(gone)}\n"
        f"Run:\n{UPDATE_COMMANDS}\n"
        f"then translate the new entries (python locales/fill_english.py fills English)."
    )


CONFIRMATION = "From now on I will write to you in English."
DUTCH_CONFIRMATION = "Vanaf nu schrijf ik je in het Nederlands."


def test_runtime_loader_translates() -> None:
    assert i18n.translations("nl").gettext(CONFIRMATION) == DUTCH_CONFIRMATION
    assert i18n.translations("nl").gettext("Yes") == "Ja"
    assert i18n.translations("en").gettext(CONFIRMATION) == CONFIRMATION


def test_use_language_switches_and_restores() -> None:
    before = i18n.current_language()
    with i18n.use_language("nl"):
        assert i18n.gettext(CONFIRMATION) == DUTCH_CONFIRMATION
        with i18n.use_language("en"):
            assert i18n.current_language() == "en"
            assert i18n.gettext(CONFIRMATION) == CONFIRMATION
        assert i18n.gettext(CONFIRMATION) == DUTCH_CONFIRMATION
    assert i18n.current_language() == before
