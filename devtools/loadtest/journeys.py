"""The journeys of the load test, one per kind of visit, and the page names under which
their requests are counted.

Each journey is one visit by one person: a visitor reading and asking a question, a
visitor browsing Omarm, the directory and the agenda, an entrepreneur (logged in
already, or through the login form), a social organisation, a procurement officer, a
directorate contact, an account manager and the coordinator. ``user`` is the virtual
user of ``locustfile.py`` that walks it: ``get`` and ``submit`` make a request that is
counted under a page name and end the journey (``JourneyBroken``) when the answer is
not the expected one; ``pause`` is the think time of a person reading the page.

Forms are read from the page (CSRF token, choices, an empty honeypot) and posted as a
browser posts them; see ``devtools.loadtest.forms``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from accounts.roles import Role
from omarm.constants import HelpKind, Theme
from procurement.constants import LabelKind, MvoiTheme, Region

from .forms import find_form
from .setup import DRAFT_TITLE

# Page names, in the order the report lists them.
HOME = "home"
SERVICEPOINT = "service point"
KNOWLEDGE_SEARCH = "knowledge base search"
ARTICLE = "knowledge article"
ASK_FORM = "ask: form"
ASK_POST_GUEST = "ask: POST (guest)"
ASK_POST_MEMBER = "ask: POST (entrepreneur)"
ASK_SENT = "ask: sent"
LOGIN_FORM = "login: form"
LOGIN_POST = "login: POST"
MY_QUESTIONS = "my questions"
MY_QUESTION = "my question"
BOARD = "omarm board"
BOARD_FILTERED = "omarm board, filtered"
REQUEST = "omarm request"
OWN_REQUEST = "omarm own request"
OMARM_MINE = "omarm mine"
REQUEST_FORM = "omarm request: form"
REQUEST_POST = "omarm request: POST"
SEARCH_OPEN = "search: no filters"
SEARCH_WORDS = "search: words"
SEARCH_TYPO = "search: typo"
SEARCH_FACETS = "search: word + facets"
SUPPLIER = "supplier profile"
SHORTLIST_ADD = "shortlist: add POST"
SHORTLISTS = "shortlists"
SHORTLIST = "shortlist"
SHORTLIST_CSV = "shortlist: CSV"
SEARCH_CSV = "search: CSV export"
AGENDA = "agenda"
EVENT = "event"
REGISTER = "event: register POST"
MY_AGENDA = "my agenda"
CANCEL = "event: cancel POST"
ADMIN_INDEX = "admin: index"
ADMIN_QUESTIONS = "admin: questions"
ADMIN_QUESTION = "admin: question"
ADMIN_REQUESTS = "admin: omarm requests"
ADMIN_SUPPLIERS = "admin: suppliers"
MONITOR = "monitor"

PAGES = [
    HOME,
    SERVICEPOINT,
    KNOWLEDGE_SEARCH,
    ARTICLE,
    ASK_FORM,
    ASK_POST_GUEST,
    ASK_POST_MEMBER,
    ASK_SENT,
    LOGIN_FORM,
    LOGIN_POST,
    MY_QUESTIONS,
    MY_QUESTION,
    BOARD,
    BOARD_FILTERED,
    REQUEST,
    OWN_REQUEST,
    OMARM_MINE,
    REQUEST_FORM,
    REQUEST_POST,
    SEARCH_OPEN,
    SEARCH_WORDS,
    SEARCH_TYPO,
    SEARCH_FACETS,
    SUPPLIER,
    SHORTLIST_ADD,
    SHORTLISTS,
    SHORTLIST,
    SHORTLIST_CSV,
    SEARCH_CSV,
    AGENDA,
    EVENT,
    REGISTER,
    MY_AGENDA,
    CANCEL,
    ADMIN_INDEX,
    ADMIN_QUESTIONS,
    ADMIN_QUESTION,
    ADMIN_REQUESTS,
    ADMIN_SUPPLIERS,
    MONITOR,
]

KNOWLEDGE_WORDS = ("vergunning", "subsidie", "social return", "jobcoach", "inkoop", "impact")
SEARCH_WORDS_LIST = ("schoonmaak", "catering", "meubels", "fietskoeriers", "laptops", "drukwerk")
SEARCH_TYPOS = ("schoonmak", "cirkulaire meubels", "drukwrek", "katering groningen")
SEARCH_FACET_SETS = (
    {"q": "schoonmaak", "thema": MvoiTheme.SOCIAL_RETURN, "regio": Region.CITY},
    {"q": "catering", "label": LabelKind.PSO},
    {"thema": MvoiTheme.CIRCULAR, "regio": Region.CITY},
    {"label": LabelKind.CODE_SOCIAL, "thema": MvoiTheme.SOCIAL_RETURN},
)
QUESTION_LINK = re.compile(r'href="(/servicepunt/mijn-vragen/[0-9a-f-]{36}/)"')

# The kinds of search are taken in turn across all virtual users, so that every kind
# occurs early in a run.
SEARCH_TURNS = itertools.count()


class JourneyBroken(Exception):
    """A page did not answer as the journey needs; the message says what was missing
    (an unexpected answer is recorded with the request and has none)."""


def _missing(page: str, what: str) -> JourneyBroken:
    return JourneyBroken(f"{page}: the page has no {what}")


def _query(path: str, params: dict) -> str:
    return f"{path}?{urlencode({k: str(v) for k, v in params.items()})}"


# --- anonymous visitors -------------------------------------------------------------------


def visitor_asks(user) -> None:
    """Reads the service point and the knowledge base, then asks a question as a guest."""
    user.get(HOME, "/")
    user.pause()
    user.get(SERVICEPOINT, "/servicepunt/")
    user.pause()
    user.get(
        KNOWLEDGE_SEARCH, _query("/servicepunt/kennisbank/", {"q": user.pick(KNOWLEDGE_WORDS)})
    )
    user.pause()
    user.get(ARTICLE, f"/servicepunt/kennisbank/{user.pick(user.plan.articles)}/")
    user.pause()
    _ask(user, ASK_POST_GUEST, {"name": f"Bezoeker {user.number}"})


def visitor_browses(user) -> None:
    """Omarm board, the supplier directory and the agenda, without logging in."""
    plan = user.plan
    user.get(HOME, "/")
    user.pause()
    user.get(BOARD, "/omarm/")
    user.pause()
    user.get(
        BOARD_FILTERED,
        _query("/omarm/", {"thema": user.pick(Theme.values), "hulp": user.pick(HelpKind.values)}),
    )
    user.pause()
    user.get(REQUEST, f"/omarm/hulpvraag/{user.pick(plan.requests)}/")
    user.pause()
    _search(user)
    _search(user)
    user.get(SUPPLIER, f"/goed-inkopen/leverancier/{user.pick(plan.suppliers)}/")
    user.pause()
    user.get(AGENDA, "/agenda/")
    user.pause()
    user.get(EVENT, f"/agenda/{user.pick(plan.events)}/")


def _search(user) -> str:
    """One of the kinds of search; returns its query string (for an export)."""
    # Taken in turn across all virtual users, so that every kind occurs early.
    kind = next(SEARCH_TURNS) % 4
    if kind == 0:
        page, params = SEARCH_OPEN, {}
    elif kind == 1:
        page, params = SEARCH_WORDS, {"q": user.pick(SEARCH_WORDS_LIST)}
    elif kind == 2:
        page, params = SEARCH_TYPO, {"q": user.pick(SEARCH_TYPOS)}
    else:
        page, params = SEARCH_FACETS, dict(user.pick(SEARCH_FACET_SETS))
    user.get(page, _query("/goed-inkopen/", params) if params else "/goed-inkopen/")
    user.pause()
    return urlencode({k: str(v) for k, v in params.items()})


def _ask(user, page: str, values: dict) -> None:
    path = "/servicepunt/vraag/"
    form_page = user.get(ASK_FORM, path)
    form = find_form(form_page.text, has="subject")
    if form is None:
        raise _missing(ASK_FORM, "the question form")
    user.pause()
    values = {
        "subject": "Vergunning voor een terras bij ons sociale café",
        "text": "Wij willen een terras openen waar mensen uit de wijk werkervaring opdoen. "
        "Welke vergunning hebben wij nodig en hoe lang duurt dat?",
        **values,
    }
    sent = user.submit(page, path, form, values=values).headers.get("Location", "")
    if "/verzonden/" not in sent:
        raise _missing(page, f"a redirect to the sent page, not {sent!r}")
    user.get(ASK_SENT, sent)


# --- logged in ------------------------------------------------------------------------------


def entrepreneur(user) -> None:
    """Mijn vragen, a new question, its page; an event: register, Mijn agenda, cancel."""
    user.get(MY_QUESTIONS, "/servicepunt/mijn-vragen/")
    user.pause()
    _ask(user, ASK_POST_MEMBER, {})
    user.pause()
    mine = user.get(MY_QUESTIONS, "/servicepunt/mijn-vragen/")
    links = QUESTION_LINK.findall(mine.text)
    if not links:
        raise _missing(MY_QUESTIONS, "a link to a question")
    user.pause()
    user.get(MY_QUESTION, links[0])
    user.pause()
    slug = user.pick(user.plan.open_events)
    event_path = f"/agenda/{slug}/"
    event = user.get(EVENT, event_path)
    form = find_form(event.text, action="/aanmelden/")
    cancel = find_form(event.text, action="/afmelden/")
    if form is None and cancel is not None:
        # Still registered from a run that stopped between registering and cancelling.
        user.submit(CANCEL, event_path, cancel)
        event = user.get(EVENT, event_path)
        form = find_form(event.text, action="/aanmelden/")
    if form is None:
        raise _missing(EVENT, "the registration form")
    user.pause()
    user.submit(REGISTER, event_path, form)
    user.pause()
    user.get(MY_AGENDA, "/agenda/mijn/")
    user.pause()
    event = user.get(EVENT, event_path)
    form = find_form(event.text, action="/afmelden/")
    if form is None:
        raise _missing(EVENT, "the cancel form after registering")
    user.submit(CANCEL, event_path, form)


def entrepreneur_logs_in(user) -> None:
    """A visitor logs in through the login form, then does what an entrepreneur does."""
    path = "/account/login/"
    page = user.get(LOGIN_FORM, path)
    form = find_form(page.text, has="password")
    if form is None:
        raise _missing(LOGIN_FORM, "the login form")
    user.pause()
    member = user.plan.member(Role.ENTREPRENEUR, user.number)
    user.submit(
        LOGIN_POST, path, form, values={"login": member.email, "password": user.plan.password}
    )
    user.pause()
    entrepreneur(user)


def social_organisation(user) -> None:
    """Their postings, one of their public requests (with suggested matches), a new
    request saved as a draft, the board."""
    user.get(OMARM_MINE, "/omarm/mijn/")
    user.pause()
    user.get(OWN_REQUEST, f"/omarm/hulpvraag/{user.pick(user.plan.own_requests)}/")
    user.pause()
    path = "/omarm/hulpvraag/nieuw/"
    page = user.get(REQUEST_FORM, path)
    form = find_form(page.text, has="story")
    if form is None:
        raise _missing(REQUEST_FORM, "the request form")
    user.pause()
    values = {
        "title": DRAFT_TITLE,
        "story": "Op zaterdag geven wij opgeknapte laptops uit aan gezinnen in de wijk. "
        "Wij zoeken twee mensen die helpen met uitleg en installatie.",
        "help_kinds": [HelpKind.HANDS.value],
    }
    sent = user.submit(REQUEST_POST, path, form, values=values).headers.get("Location")
    user.pause()
    user.get(OMARM_MINE, sent or "/omarm/mijn/")
    user.pause()
    user.get(BOARD, "/omarm/")


def procurement_officer(user) -> None:
    """Searches (twice, narrowing down), opens a profile, puts it on their shortlist,
    exports the shortlist and the search."""
    _search(user)
    query = _search(user)
    slug = user.pick(user.plan.suppliers)
    supplier_path = f"/goed-inkopen/leverancier/{slug}/"
    page = user.get(SUPPLIER, supplier_path)
    form = find_form(page.text, action="/shortlists/toevoegen/")
    if form is None:
        raise _missing(SUPPLIER, "the add-to-shortlist form")
    user.pause()
    shortlist = user.plan.member(Role.PROCUREMENT_OFFICER, user.number).shortlist
    user.submit(SHORTLIST_ADD, supplier_path, form, values={"shortlist": shortlist})
    user.pause()
    user.get(SHORTLIST, f"/goed-inkopen/shortlists/{shortlist}/")
    user.pause()
    user.get(SHORTLIST_CSV, f"/goed-inkopen/shortlists/{shortlist}/export.csv")
    user.pause()
    user.get(
        SEARCH_CSV, f"/goed-inkopen/export.csv?{query}" if query else "/goed-inkopen/export.csv"
    )
    user.pause()
    user.get(SHORTLISTS, "/goed-inkopen/shortlists/")


def directorate_contact(user) -> None:
    """The admin: their queue (questions routed to their directorate) and one question."""
    user.get(ADMIN_INDEX, "/beheer/")
    user.pause()
    user.get(ADMIN_QUESTIONS, "/beheer/servicepoint/question/")
    user.pause()
    pk = user.pick(user.plan.directorate_questions)
    user.get(ADMIN_QUESTION, f"/beheer/servicepoint/question/{pk}/change/")


def account_manager(user) -> None:
    """The question queue, filtered and searched, and a question's page."""
    user.get(ADMIN_INDEX, "/beheer/")
    user.pause()
    user.get(ADMIN_QUESTIONS, "/beheer/servicepoint/question/")
    user.pause()
    user.get(ADMIN_QUESTIONS, "/beheer/servicepoint/question/?state__exact=new")
    user.pause()
    user.get(
        ADMIN_QUESTION, f"/beheer/servicepoint/question/{user.pick(user.plan.questions)}/change/"
    )
    user.pause()
    user.get(ADMIN_QUESTIONS, "/beheer/servicepoint/question/?q=vergunning")


def coordinator(user) -> None:
    """The programme monitor and the admin's moderation and verification queues."""
    user.get(MONITOR, "/monitor/")
    user.pause()
    user.get(ADMIN_INDEX, "/beheer/")
    user.pause()
    user.get(ADMIN_REQUESTS, "/beheer/omarm/helprequest/")
    user.pause()
    user.get(ADMIN_SUPPLIERS, "/beheer/procurement/supplier/")


@dataclass(frozen=True)
class Journey:
    name: str
    role: Role | None  # whose session the visitor starts with (None: not logged in)
    weight: int
    walk: Callable[[Any], None]


JOURNEYS = [
    Journey("visitor asks a question", None, 14, visitor_asks),
    Journey("visitor browses", None, 24, visitor_browses),
    Journey("entrepreneur", Role.ENTREPRENEUR, 15, entrepreneur),
    Journey("entrepreneur logs in", None, 3, entrepreneur_logs_in),
    Journey("social organisation", Role.SOCIAL_ORGANISATION, 8, social_organisation),
    Journey("procurement officer", Role.PROCUREMENT_OFFICER, 12, procurement_officer),
    Journey("directorate contact", Role.DIRECTORATE_CONTACT, 6, directorate_contact),
    Journey("account manager", Role.ACCOUNT_MANAGER, 10, account_manager),
    Journey("coordinator", Role.COORDINATOR, 8, coordinator),
]
