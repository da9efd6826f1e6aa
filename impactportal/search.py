"""Dutch full-text search: typed text as a PostgreSQL ``tsquery``, with one set of rules.

- **Words** are runs of letters and digits (any script). Everything else separates
  words, so nothing typed can be ``tsquery`` syntax (``& | ! ( ) : * '``), and NUL bytes,
  which PostgreSQL cannot take, never reach it.
- A word needs at least ``MIN_WORD_LENGTH`` characters: one letter matches nearly every
  word as a prefix, while two already find "AI", "EU" or "3D".
- Only the first ``MAX_WORDS`` words count, which bounds the query's cost.
- Each word matches as a **prefix** of a word in the index (``word:*``), stemmed with
  the ``dutch`` configuration: "subsidie" finds "subsidies", "ondernemer" finds
  "ondernemingen", and half-typed words already match. Dutch stop words drop out of the
  query, so "voor een het" finds nothing rather than everything.
- **Every word must match** (AND): each word typed in a search box narrows the result,
  as on any search site. The one exception is matching a written text rather than a
  search, such as the knowledge-base articles suggested for a question being typed:
  there ``any_word=True`` finds what matches any of its words, and the ranking puts what
  matches most of them first.

The supplier directory builds its own query from ``search_words`` and ``prefix``, adding
similar spellings and unstemmed prefixes per word.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery

CONFIG = "dutch"
MIN_WORD_LENGTH = 2
MAX_WORDS = 30

_WORD = re.compile(r"[^\W_]+")


def search_words(text: str) -> list[str]:
    """The words of ``text`` that a search uses, in lower case, in the order typed."""
    words = (word.lower() for word in _WORD.findall(text))
    return [word for word in words if len(word) >= MIN_WORD_LENGTH][:MAX_WORDS]


def _as_prefix(word: str) -> str:
    return f"{word}:*"


def prefix(word: str, *, config: str = CONFIG) -> SearchQuery:
    """``word`` (one of ``search_words``, or a word taken from the index) as a prefix."""
    return SearchQuery(_as_prefix(word), search_type="raw", config=config)


def prefix_query(text: str, *, any_word: bool = False) -> SearchQuery | None:
    """A query on which every word of ``text`` (or, with ``any_word``, any of them)
    matches as a prefix; None when the text has no words to search for."""
    words = search_words(text)
    if not words:
        return None
    operator = " | " if any_word else " & "
    return SearchQuery(operator.join(map(_as_prefix, words)), search_type="raw", config=CONFIG)
