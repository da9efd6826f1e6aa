"""The Dutch catalogue must cover every interface text: Dutch is the default language."""

import re
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def _entries(text):
    for block in text.split("\n\n"):
        if "msgid" not in block:
            continue
        msgid = "".join(re.findall(r'^msgid(?:_plural)? "(.*)"$|^"(.*)"$', block, re.M)[0])
        yield block, msgid


def test_every_dutch_entry_is_translated_and_not_fuzzy():
    text = CATALOGUE.read_text(encoding="utf-8")
    untranslated, fuzzy = [], []
    for block, _msgid in _entries(text):
        header = 'msgid ""\nmsgstr ""' in block
        if "#, fuzzy" in block and not header:
            fuzzy.append(block)
        strings = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, re.M)
        if not header and any(
            not (first + rest.replace('"', "").strip()) for first, rest in strings
        ):
            untranslated.append(block.splitlines()[-2:])
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries, e.g. {fuzzy[:2]}"


@pytest.mark.django_db
def test_pages_speak_dutch(client):
    page = client.get("/").content.decode()
    assert "Direct naar de inhoud" in page
    assert "Skip to main content" not in page
