"""Hostile input for the portal's forms and endpoints.

Hypothesis strategies for what people (and bots) may send: unicode edge cases, huge
strings, NUL bytes, HTML and script, SQL-looking strings, wrong types, missing,
duplicated and unexpected fields. And a small harness: post a mutation of a valid
payload and check that

(a) the answer is never a server error,
(b) a refused post stores nothing (row counts and the watched values are unchanged),
(c) whatever was accepted is shown escaped: no raw script from the input in the HTML,
    neither on the page that answers nor on the pages that display the stored value.

Every example runs in a savepoint that is rolled back afterwards, so what one example
stored does not change the next; caches (rate limits) are cleared before each one.

The number of examples is kept small so the suite stays fast; set
``HOSTILE_EXAMPLES=<factor>`` to multiply it for a longer search.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.contrib.admin import helpers
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.utils.html import escape
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.factories import PASSWORD

# Settings ---------------------------------------------------------------------------------

# Examples that once failed are kept in .data/hypothesis (ignored by git) and tried first
# on the next run, so a failure comes back until it is fixed. CI (CI=true) draws the same
# examples every run: a red build is repeatable on any machine.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
EXAMPLE_DATABASE = Path(__file__).resolve().parents[2] / ".data" / "hypothesis"

settings.register_profile(
    "hostile",
    max_examples=15,
    deadline=None,
    database=None if IN_CI else DirectoryBasedExampleDatabase(EXAMPLE_DATABASE),
    derandomize=IN_CI,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
HOSTILE = settings.get_profile("hostile")


EXAMPLES_FACTOR = int(os.environ.get("HOSTILE_EXAMPLES", "1"))


def hostile_settings(max_examples: int = 15):
    """``@settings`` for one hostile test: the profile with its own number of examples."""
    return settings(HOSTILE, max_examples=max_examples * EXAMPLES_FACTOR)


# Strategies -------------------------------------------------------------------------------

# Characters that change how text is shown or compared without being visible.
INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u00ad",  # soft hyphen
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202a",  # left-to-right embedding
    "\u202b",  # right-to-left embedding
    "\u202d",  # left-to-right override
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u2067",  # right-to-left isolate
    "\u2069",  # pop directional isolate
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
]
UNICODE_EDGE = [
    *INVISIBLE,
    "e\u0301",  # e + combining acute
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349",  # zalgo
    "\U0001f600",  # emoji (astral plane)
    "\U0001d573",  # mathematical bold fraktur H
    "\U00020b9f",  # CJK extension B
    "\U0001f469\U0001f3fd\u200d\U0001f4bb",  # emoji ZWJ sequence
    "\U0001f1f3\U0001f1f1",  # flag: two regional indicators
    "\u0645\u0631\u062d\u0628\u0627",  # Arabic (right to left)
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
    "\u0130stanbul",  # dotted capital I
    "Stra\u00dfe",
    "\ufb01",  # fi ligature
    "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # full-width digits
    "\u0663\u0664\u0665",  # Arabic-Indic digits
    "\x7f",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\x0b\x0c",
    "\x01\x02\x1f",
    "\ud7ff\ue000\ufffd\uffff",
    "A\u030a",
    "\u00c5",
    "\u212b",  # three ways to write Å
]
# Detectable script: each contains a character that must be escaped in HTML.
HTML_PAYLOADS = [
    "<script>alert('hx')</script>",
    "\"><script>alert('hx')</script>",
    "<img src=x onerror=alert('hx')>",
    '" onmouseover="alert(\'hx\')" data-x="',
    "' onfocus='alert(1)' autofocus data-x='",
    "</textarea><svg onload=alert('hx')>",
    "</title><script>alert('hx')</script>",
    "<a href=\"javascript:alert('hx')\">hx</a>",
    "<iframe srcdoc=\"&lt;script&gt;alert('hx')&lt;/script&gt;\"></iframe>",
    "<style>*{display:none}</style>",
    "]]><!--<script>alert('hx')</script>-->",
]
OTHER_INJECTION = [
    "javascript:alert('hx')",
    "JaVaScRiPt:alert('hx')",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "{{ request.user.password }}",
    "{% debug %}",
    "${7*7}",
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "../../../../etc/passwd",
    "%2e%2e%2f%2e%2e%2f",
    "%s%s%s%n",
    "\\u0000",
    "\r\nBcc: victim@example.nl",
]
SQL_PAYLOADS = [
    "' OR '1'='1",
    "'; DROP TABLE accounts_user; --",
    "1; SELECT 1 --",
    '" OR ""="',
    "' UNION SELECT password FROM accounts_user --",
    "%",
    "_",
    "%%%___",
    "\\",
    "\\'",
    "' || pg_sleep(0) || '",
    "1 AND 1=1",
    "!@#$%^&*()",
    ":(){ :|:& };:",
    "<>&:'*|?!",
    "&amp;&lt;&gt;&quot;",
]
WRONG_TYPES = [
    "abc",
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1,5",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "-0",
    "0x1F",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "31-12-2026",
    "2026/01/01",
    "1-1-1",
    "now",
    "null",
    "None",
    "true",
    "[]",
    "{}",
    "[object Object]",
    "00000000-0000-0000-0000-000000000000",
]
EDGE_STRINGS = [*UNICODE_EDGE, *HTML_PAYLOADS, *OTHER_INJECTION, *SQL_PAYLOADS, *WRONG_TYPES]

# Field names that must never be honoured when they appear in a post (mass assignment).
EXTRA_FIELDS = [
    "is_staff",
    "is_superuser",
    "is_active",
    "groups",
    "user",
    "owner",
    "requester",
    "sender",
    "author",
    "state",
    "status",
    "verified_at",
    "approved_at",
    "submitted_at",
    "id",
    "pk",
    "uuid",
    "slug",
    "organisation",
    "token",
    "next",
]

_safe_chars = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be sent


def unicode_edge_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Short text mixing the unicode edge cases with arbitrary (non-surrogate) characters."""
    piece = st.one_of(st.sampled_from(UNICODE_EDGE), st.text(_safe_chars, max_size=8))
    return st.lists(piece, min_size=1, max_size=8).map("".join).map(lambda s: s[:max_size])


def huge_strings() -> st.SearchStrategy[str]:
    """100,000 to 150,000 characters: one repeated character or a repeated fragment."""
    unit = st.one_of(
        st.sampled_from(["x", " ", "\u00e9", "\U0001f600", "<", "\u200b", "a b "]),
        st.sampled_from(HTML_PAYLOADS),
    )
    return st.builds(
        lambda text, size: (text * (size // len(text) + 1))[:size],
        unit,
        st.integers(min_value=100_000, max_value=150_000),
    )


def nul_strings() -> st.SearchStrategy[str]:
    """Text with NUL bytes at the start, in the middle or on their own."""
    return st.builds(
        lambda before, after: f"{before}\x00{after}",
        st.sampled_from(["", "Hallo", "<script>", "12345678"]),
        st.sampled_from(["", "wereld", "\x00\x00", "%00"]),
    )


def html_payloads() -> st.SearchStrategy[str]:
    """Script and attribute injection, optionally inside ordinary words."""
    return st.builds(
        lambda before, payload, after: f"{before}{payload}{after}",
        st.sampled_from(["", "Test ", "Hallo wereld "]),
        st.sampled_from(HTML_PAYLOADS),
        st.sampled_from(["", " einde", "\nTweede regel"]),
    )


def sql_strings() -> st.SearchStrategy[str]:
    return st.sampled_from(SQL_PAYLOADS)


def wrong_types() -> st.SearchStrategy[str]:
    """What a number, date, choice or id field does not expect."""
    return st.sampled_from(WRONG_TYPES)


def hostile_strings() -> st.SearchStrategy[str]:
    """Any single hostile value."""
    return st.one_of(
        st.sampled_from(EDGE_STRINGS),
        unicode_edge_text(),
        html_payloads(),
        nul_strings(),
        huge_strings(),
        st.text(_safe_chars, max_size=40),
    )


def hostile_values() -> st.SearchStrategy[str | list[str]]:
    """A hostile value, or several of them where one is expected."""
    one = hostile_strings()
    return st.one_of(one, one, one, st.lists(one, min_size=2, max_size=3))


def accepted_texts() -> st.SearchStrategy[str]:
    """Text a form should take as it is: printable words with script and unicode in it."""
    return st.builds(
        lambda start, middle, end: f"{start} {middle} {end}",
        st.sampled_from(["Test", "Hallo", "Vraag"]),
        st.one_of(
            st.sampled_from([*HTML_PAYLOADS, *SQL_PAYLOADS, *OTHER_INJECTION]),
            st.sampled_from(["\U0001f600 \u202e\u0645\u0631\u062d\u0628\u0627", "e\u0301 \u00df"]),
        ),
        st.sampled_from(["einde", "klaar"]),
    )


Payload = dict[str, Any]


def _apply(base: Mapping[str, Any], operations: Iterable[tuple[str, str, Any]]) -> Payload:
    data = dict(base)
    for operation, name, value in operations:
        if operation == "set":
            data[name] = value
        elif operation == "duplicate":
            current = data.get(name, "")
            current = list(current) if isinstance(current, list | tuple) else [current]
            data[name] = [*current, *(value if isinstance(value, list) else [value])]
        elif operation == "drop":
            data.pop(name, None)
        elif operation == "extra":
            data[name] = value
    return data


def mutations(
    base: Mapping[str, Any],
    *,
    text_fields: Sequence[str] = (),
    extra_fields: Sequence[str] = EXTRA_FIELDS,
) -> st.SearchStrategy[Payload]:
    """Payloads derived from ``base``: fields set to hostile values, duplicated, dropped,
    or unexpected fields added. One of three examples is ``base`` with ``text_fields``
    holding text that should be accepted (script and unicode in ordinary words), so
    accepted input is exercised as well as refused input."""
    names = sorted(base)
    extra = st.tuples(st.just("extra"), st.sampled_from(list(extra_fields)), hostile_strings())
    if names:
        operation = st.one_of(
            st.tuples(st.just("set"), st.sampled_from(names), hostile_values()),
            st.tuples(st.just("duplicate"), st.sampled_from(names), hostile_strings()),
            st.tuples(st.just("drop"), st.sampled_from(names), st.none()),
            extra,
        )
    else:  # a button without fields: only unexpected fields can be added
        operation = extra
    hostile = st.lists(operation, min_size=1, max_size=4).map(lambda ops: _apply(base, ops))
    if not text_fields:
        return hostile
    accepted = st.lists(
        st.tuples(st.just("set"), st.sampled_from(list(text_fields)), accepted_texts()),
        min_size=1,
        max_size=len(text_fields),
    ).map(lambda ops: _apply(base, ops))
    return st.one_of(hostile, accepted, hostile)


def query_mutations(names: Sequence[str]) -> st.SearchStrategy[Payload]:
    """GET parameters: each of ``names`` absent, hostile or repeated, plus strays."""
    value = st.one_of(hostile_strings(), st.lists(hostile_strings(), min_size=2, max_size=3))
    return st.dictionaries(
        st.one_of(st.sampled_from(list(names)), st.sampled_from(EXTRA_FIELDS)),
        value,
        min_size=1,
        max_size=len(names) + 1,
    )


# Reading forms as the browser would send them ---------------------------------------------

_SKIPPED_INPUTS = {"submit", "button", "image", "reset", "file"}


@dataclass
class RenderedForm:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    file_fields: set[str] = field(default_factory=set)

    def data(self) -> Payload:
        """The values as ``Client.post`` takes them (lists for repeated names)."""
        return {
            name: values[0] if len(values) == 1 else list(values)
            for name, values in self.fields.items()
            if name != "csrfmiddlewaretoken"
        }


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[RenderedForm] = []
        self._form: RenderedForm | None = None
        self._select: tuple[str, bool] | None = None
        self._select_options: list[tuple[str, bool]] = []
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name, value):
        if self._form is not None and name:
            self._form.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = RenderedForm(
                action=attrs.get("action") or "", method=(attrs.get("method") or "get").lower()
            )
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind == "file":
                self._form.file_fields.add(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value") or "on")
            elif kind not in _SKIPPED_INPUTS:
                self._add(name, attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea, self._text = name, []
        elif tag == "select":
            self._select, self._select_options = (name, "multiple" in attrs), []
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs}
            self._text = []

    def handle_data(self, data):
        if self._textarea is not None or self._option is not None:
            self._text.append(data)

    def _close_option(self):
        if self._option is not None:
            value = self._option["value"]
            if value is None:
                value = "".join(self._text).strip()
            self._select_options.append((value, self._option["selected"]))
            self._option = None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self._add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            name, multiple = self._select
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and not multiple and self._select_options:
                chosen = [self._select_options[0][0]]
            for value in chosen:
                self._add(name, value)
            self._select = None


def rendered_forms(html: str) -> list[RenderedForm]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def rendered_form(html: str, *, having: Iterable[str] = (), action: str | None = None):
    """The first POST form on the page that has all ``having`` fields (or file fields)
    and, if given, posts to ``action``."""
    wanted = set(having)
    for form in rendered_forms(html):
        if form.method != "post":
            continue
        if action is not None and form.action not in (action, ""):
            continue
        if wanted <= set(form.fields) | form.file_fields:
            return form
    raise AssertionError(f"no form with {sorted(wanted)} posting to {action}")


# Checks -----------------------------------------------------------------------------------

_JSON_LD = re.compile(
    r"(<script[^>]*type=\"application/ld\+json\"[^>]*>)(.*?)(</script>)", re.DOTALL | re.I
)
# Never legitimately in the portal's pages; their presence means input reached the
# HTML unescaped (also after the portal shortened or reflowed it).
_RAW_MARKERS = re.compile(
    r"<script>alert\(|<img src=x onerror|<svg onload|\" onmouseover=\"alert|"
    r"' onfocus='alert|href=\"javascript:|<iframe srcdoc|<style>\*\{display",
    re.I,
)


def _strings(values: Any) -> Iterable[str]:
    if isinstance(values, Mapping):
        for key, value in values.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(values, list | tuple):
        for value in values:
            yield from _strings(value)
    elif isinstance(values, str):
        yield values


def assert_escaped(html: str, sent: Any, *, where: str = "") -> None:
    """No raw script from ``sent`` in ``html``; JSON-LD blocks hold no raw ``<``."""
    for _open, content, _close in _JSON_LD.findall(html):
        assert "<" not in content, f"raw < in JSON-LD {where}"
    html = _JSON_LD.sub(r"\1\3", html)
    sent_strings = list(_strings(sent))
    for payload in HTML_PAYLOADS:
        if any(payload in value for value in sent_strings):
            assert payload not in html, f"unescaped {payload!r} {where}"
    found = _RAW_MARKERS.search(html)
    assert found is None, f"raw script marker {found.group(0)!r} {where}"


def counts(models: Iterable) -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in models}


def error_messages_queued(response) -> bool:
    """Whether the view queued an error message (views that always redirect)."""
    return any(
        message.level >= message_levels.ERROR for message in get_messages(response.wsgi_request)
    )


def context_values(response):
    context = response.context
    if context is None:
        return
    for layer in context if isinstance(context, list) else [context]:
        for values in getattr(layer, "dicts", [layer]):
            yield from values.items()


def has_form_errors(response) -> bool:
    """Whether the page shows a bound form or formset (the admin's included) with errors."""
    for key, value in context_values(response):
        if key == "errors" and isinstance(value, helpers.AdminErrorList) and value:
            return True  # the admin's form and inlines, management forms included
        if isinstance(value, helpers.AdminForm):
            value = value.form
        if isinstance(value, BaseForm | BaseFormSet) and value.is_bound:
            if isinstance(value, BaseFormSet) and value.total_error_count():
                return True
            if isinstance(value, BaseForm) and value.errors:
                return True
    return False


def says_why(response) -> bool:
    """A refusal the person can understand: an error status page, the form with its
    errors, or a warning or error message."""
    if response.status_code >= 400:
        return True
    warned = any(m.level >= message_levels.WARNING for m in get_messages(response.wsgi_request))
    return warned or has_form_errors(response)


LOGIN_PATH = "/account/login/"


def redirected(response) -> bool:
    """The usual success: a redirect that is not to the login page and no error queued."""
    return (
        response.status_code in (301, 302, 303)
        and not response["Location"].startswith(LOGIN_PATH)
        and not error_messages_queued(response)
    )


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def _privileges(user) -> tuple | None:
    """What the user may do; None once the account is gone (deleting it is a form too)."""
    if user is None:
        return None
    current = type(user)._base_manager.filter(pk=user.pk).first()
    if current is None:
        return None
    return (
        current.is_staff,
        current.is_superuser,
        sorted(current.groups.values_list("name", flat=True)),
    )


@dataclass
class Case:
    """One form or endpoint and what to check around a post to it.

    ``data`` is a valid payload; ``models`` are counted before and after; ``snapshot``
    returns values that a refused post must leave alone; ``shown`` are pages (paths, or
    a callable returning them after an accepted post) that display what was stored;
    ``accepted`` decides from the response whether the input was taken.
    """

    url: str
    data: Payload
    user: Any = None
    models: Sequence = ()
    snapshot: Callable[[], Any] | None = None
    shown: Sequence[str] | Callable[[], Sequence[str]] = ()
    accepted: Callable[[Any], bool] = redirected
    method: str = "post"
    headers: Mapping[str, str] = field(default_factory=dict)
    # Text fields that take script and unicode in ordinary words as they are ...
    text_fields: Sequence[str] = ()
    # ... and those of them that the ``shown`` pages display (default: all of them).
    displayed: Sequence[str] | None = None
    # Deleting the account takes the user's roles away; nothing else may change them.
    keeps_rights: bool = True
    # The user confirmed their password just before (allauth's reauthentication), as
    # deleting the account asks.
    reauthenticated: bool = False
    # The post's answer is a page (suggestions, an import's result), not a redirect: a
    # 200 without errors is not a silent refusal there.
    answers_with_a_page: bool = False


@dataclass
class Outcome:
    response: Any
    accepted: bool
    pages: list = field(default_factory=list)


def send(client, case: Case, data: Payload | None = None, *, check: bool = True) -> Outcome:
    """Send ``data`` (default: the case's payload) and run the checks (a)-(c).

    Runs in a savepoint that is rolled back, so nothing outlives the example."""
    data = case.data if data is None else data
    _log_in(client, case.user, reauthenticated=case.reauthenticated)
    # Cookies set by the example (a new session, a language, messages) go with it.
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        cache.clear()
        before = counts(case.models)
        snapshot = case.snapshot() if case.snapshot else None
        privileges = _privileges(case.user)
        request = client.post if case.method == "post" else client.get
        response = request(case.url, data, headers=dict(case.headers))
        outcome = Outcome(response, accepted=False)
        if check:
            assert response.status_code < 500, response.status_code
            if is_html(response):
                assert_escaped(response.content.decode(), data, where=f"answering {case.url}")
            outcome.accepted = case.method == "post" and case.accepted(response)
            if not outcome.accepted:
                if case.method == "post" and not case.answers_with_a_page:
                    assert says_why(response), (
                        f"refused without a form error or a message ({response.status_code})"
                    )
                assert counts(case.models) == before, "refused input changed row counts"
                if snapshot is not None:
                    assert case.snapshot() == snapshot, "refused input changed stored values"
            else:
                outcome.pages = _shown_pages(client, case, response, data)
            after = _privileges(case.user)
            if case.keeps_rights:
                assert after in (None, privileges), "a post changed the user's rights"
        transaction.set_rollback(True)
    client.cookies = cookies
    return outcome


def _log_in(client, user, *, reauthenticated: bool = False) -> None:
    """Log in once, outside the examples' savepoints, so the session outlives them."""
    if getattr(client, "_hostile_user", None) != user:
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        client._hostile_user = user
    if reauthenticated and user is not None:
        response = client.post("/account/reauthenticate/", {"password": PASSWORD})
        assert response.status_code == 302, response.status_code


def _shown_pages(client, case: Case, response, data) -> list:
    paths = list(case.shown() if callable(case.shown) else case.shown)
    location = response.get("Location", "")
    if location.startswith("/") and location not in paths:
        paths.insert(0, location)
    pages = []
    for path in paths:
        page = client.get(path)
        assert page.status_code < 500, (path, page.status_code)
        if is_html(page):
            html = page.content.decode()
            assert_escaped(html, data, where=f"on {path}")
            pages.append((path, html))
    return pages


def assert_round_trip(outcome: Outcome, values: Iterable[str]) -> None:
    """Every value is shown escaped on at least one of the pages after acceptance."""
    assert outcome.accepted, outcome.response.status_code
    for value in values:
        shown = [path for path, html in outcome.pages if escape(value) in html]
        assert shown, f"{value!r} not shown escaped on {[p for p, _ in outcome.pages]}"
