"""Bring the English catalog in step with the template: every msgstr is its msgid.

English is the source language, but the catalog must still be complete. Run it after
``pybabel extract`` / ``pybabel update``:  python locales/fill_english.py
"""

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
POT = HERE / "buurtnet.pot"
PO = HERE / "en" / "LC_MESSAGES" / "buurtnet.po"


def main() -> None:
    with POT.open("rb") as file:
        template = read_po(file)
    with PO.open("rb") as file:
        catalog = read_po(file, locale="en")
    before = {(m.context, m.id): m.string for m in catalog if m.id}
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    for message in catalog:
        if message.id:
            message.string = message.id  # a plural's (singular, plural) fits nplurals=2
            message.flags.discard("fuzzy")
    if before != {(m.context, m.id): m.string for m in catalog if m.id}:
        catalog.revision_date = datetime.now(UTC)
        with PO.open("wb") as file:
            write_po(file, catalog, ignore_obsolete=True)
        print(f"updated {PO.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
