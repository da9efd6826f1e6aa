"""The portal's one set of rules for Dutch full-text search (impactportal.search), run
against PostgreSQL's own ``dutch`` configuration."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVector
from django.db.models import Value

from impactportal.search import MAX_WORDS, prefix, prefix_query, search_words

TEXT = "Wij repareren laptops en fietsen met ondernemingen uit de wijk; subsidies welkom."


def matches(query, text: str = TEXT, config: str = "dutch") -> bool:
    """Whether ``text``, indexed as the portal's search vectors are, matches ``query``."""
    rows = ContentType.objects.annotate(document=SearchVector(Value(text), config=config))
    return rows.filter(document=query).exists()


# Words -----------------------------------------------------------------------------------


def test_words_are_letters_and_digits_in_lower_case():
    assert search_words("Laptop-reparatie, 3D-printen & Straße; café's") == [
        "laptop",
        "reparatie",
        "3d",
        "printen",
        "straße",
        "café",
    ]


@pytest.mark.parametrize(
    "text",
    ["laptop & fiets", "laptop | fiets", "!laptop (fiets)", "laptop:* fiets'", "laptop\x00fiets"],
)
def test_tsquery_syntax_and_nul_bytes_only_separate_words(text):
    assert search_words(text) == ["laptop", "fiets"]


def test_one_character_is_no_word_two_are():
    assert search_words("a b c") == []
    assert search_words("AI in de EU") == ["ai", "in", "de", "eu"]


def test_only_the_first_words_count():
    words = [f"woord{n}" for n in range(MAX_WORDS + 5)]
    assert search_words(" ".join(words)) == words[:MAX_WORDS]


@pytest.mark.parametrize("text", ["", "   ", "a", "& | ! ( ) : * '", "\x00\x00", "_ _"])
def test_text_without_words_gives_no_query(text):
    assert prefix_query(text) is None
    assert prefix_query(text, any_word=True) is None


# Matching --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_word_must_match():
    assert matches(prefix_query("laptops fietsen"))
    assert not matches(prefix_query("laptops boten"))


@pytest.mark.django_db
def test_any_word_is_enough_for_a_written_text():
    assert matches(prefix_query("Wie kan mijn boot of laptop maken?", any_word=True))
    assert not matches(prefix_query("boten en auto's", any_word=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        "laptop",  # singular finds the plural
        "lapt",  # half-typed
        "subsidie",  # the stemmer keeps "subsidies" apart; the prefix finds it
        "onderneming",  # same stem as "ondernemingen"
        "REPAREER",
    ],
)
def test_words_match_as_prefixes_of_dutch_stems(typed):
    assert matches(prefix_query(typed))


@pytest.mark.django_db
def test_stop_words_alone_find_nothing():
    assert not matches(prefix_query("voor een het"))
    # ... and do not stand in the way of the other words.
    assert matches(prefix_query("laptops voor de wijk"))


@pytest.mark.django_db
def test_hostile_text_is_harmless():
    assert matches(prefix_query("laptop & | ! :* ( ' \\ \x00 -- ;"))
    assert not matches(prefix_query("<script>alert(1)</script>"))
    assert not matches(prefix_query("x" * 100_000))


@pytest.mark.django_db
def test_prefix_takes_another_configuration():
    # The Dutch stemmer shortens a typed "schoon" to "schon", which no longer starts the
    # stored stem of "schoonmaak"; as typed ("simple") it still does.
    assert matches(prefix("schoon", config="simple"), "Schoonmaakbedrijf", config="simple")
    assert matches(prefix("laptop"))
