"""Every user-facing string in the code has its French translation (checked against a fresh extraction).

The platform has one catalogue (``app/translations``); each built-in block of ``plugins/`` that shows text
has its own (``plugins/<block>/translations``, domain ``text``), as a third-party block would. The shared
``plugins/support`` package has none: its messages are translated through the calling block's i18n
service, so each block keeps the French of the support modules it imports.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.catalogue_sources import support_modules

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLUGINS_WITH_TEXT = sorted(path.parent for path in (ROOT / "plugins").glob("*/translations"))


def extracted_strings(folder: Path) -> set[str]:
    """The message ids of the Python code and templates under ``folder``."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), method_map, options_map, keywords=KEYWORDS
        )
    }


def translated_strings(po_file: Path) -> set[str]:
    """The message ids that have a French translation (fuzzy ones do not count)."""
    with po_file.open("rb") as handle:
        catalogue = read_po(handle)
    return {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple | list) else m.string)
    }


def test_every_string_of_the_code_is_translated_to_french():
    extracted = extracted_strings(ROOT / "app")
    translated = translated_strings(ROOT / "app/translations/fr/LC_MESSAGES/messages.po")
    assert len(extracted) > 100
    assert sorted(extracted - translated) == []


@pytest.mark.parametrize("package", PLUGINS_WITH_TEXT, ids=lambda path: path.name)
def test_every_string_of_each_built_in_block_is_translated_to_french(package: Path):
    extracted = extracted_strings(package)
    translated = translated_strings(package / "translations/fr/LC_MESSAGES/text.po")
    assert extracted
    assert sorted(extracted - translated) == []


def support_strings(package: Path) -> set[str]:
    """The message ids of the support modules that ``package`` uses (its catalogue must translate them)."""
    strings: set[str] = set()
    for module in support_modules(package):
        with module.open("rb") as handle:
            for _line, _function, message, _comments in extract_python(handle, KEYWORDS, [], {}):
                strings.add(message if isinstance(message, str) else message[0])
    return strings


def test_the_support_package_has_no_catalogue_of_its_own_and_its_strings_are_found():
    assert not (ROOT / "plugins/support/translations").exists()
    assert "This address answers only POST requests." in support_strings(ROOT / "plugins/case_study")


@pytest.mark.parametrize("package", PLUGINS_WITH_TEXT, ids=lambda path: path.name)
def test_each_built_in_block_translates_the_support_strings_it_uses(package: Path):
    translated = translated_strings(package / "translations/fr/LC_MESSAGES/text.po")
    assert sorted(support_strings(package) - translated) == []
