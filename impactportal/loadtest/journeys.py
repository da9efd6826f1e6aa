"""The journeys the virtual users walk, one per kind of visit, and the page names under
which their requests are counted.

Each journey is one visit by one person: a visitor reading and asking a question, a
visitor browsing Omarm, the directory and the agenda, an entrepreneur (logged in
already, or through the login form), a social organisation, a procurement officer, a
directorate contact, an account manager and the coordinator. A virtual user walks every
journey once (in its own order), then picks journeys by weight; between two requests it
waits a "think time" like a person reading the page.

Forms are read from the page (CSRF token, choices, an empty honeypot) and posted as a
browser posts them; see ``impactportal.loadtest.client``.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

from accounts.roles import Role
from omarm.constants import HelpKind, Theme
from procurement.constants import LabelKind, MvoiTheme, Region

from .client import Browser, JourneyBroken, Recorder, TimeUp, find_form
from .setup import DRAFT_TITLE, Plan

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


def _query(path: str, params: dict) -> str:
    return f"{path}?{urlencode({k: str(v) for k, v in params.items()})}"


@dataclass
class VirtualUser:
    number: int
    base_url: str
    plan: Plan
    recorder: Recorder
    rng: random.Random
    think: float
    first: int = 0  # the journey it starts with

    def browser(self, role: Role | None = None) -> Browser:
        browser = Browser(self.base_url, self.recorder)
        if role is not None:
            browser.cookies[self.plan.session_cookie] = self.plan.member(role, self.number).session
        return browser

    async def pause(self) -> None:
        if self.think > 0:
            await asyncio.sleep(self.think * self.rng.uniform(0.5, 1.5))

    def pick(self, values):
        return self.rng.choice(values)


# --- anonymous visitors -------------------------------------------------------------------


async def visitor_asks(user: VirtualUser, b: Browser) -> None:
    """Reads the service point and the knowledge base, then asks a question as a guest."""
    await b.get(HOME, "/")
    await user.pause()
    await b.get(SERVICEPOINT, "/servicepunt/")
    await user.pause()
    await b.get(
        KNOWLEDGE_SEARCH, _query("/servicepunt/kennisbank/", {"q": user.pick(KNOWLEDGE_WORDS)})
    )
    await user.pause()
    await b.get(ARTICLE, f"/servicepunt/kennisbank/{user.pick(user.plan.articles)}/")
    await user.pause()
    await _ask(user, b, ASK_POST_GUEST, {"name": f"Bezoeker {user.number}"})


async def visitor_browses(user: VirtualUser, b: Browser) -> None:
    """Omarm board, the supplier directory and the agenda, without logging in."""
    plan = user.plan
    await b.get(HOME, "/")
    await user.pause()
    await b.get(BOARD, "/omarm/")
    await user.pause()
    await b.get(
        BOARD_FILTERED,
        _query("/omarm/", {"thema": user.pick(Theme.values), "hulp": user.pick(HelpKind.values)}),
    )
    await user.pause()
    await b.get(REQUEST, f"/omarm/hulpvraag/{user.pick(plan.requests)}/")
    await user.pause()
    await _search(user, b)
    await _search(user, b)
    await b.get(SUPPLIER, f"/goed-inkopen/leverancier/{user.pick(plan.suppliers)}/")
    await user.pause()
    await b.get(AGENDA, "/agenda/")
    await user.pause()
    await b.get(EVENT, f"/agenda/{user.pick(plan.events)}/")


async def _search(user: VirtualUser, b: Browser) -> str:
    """One of the kinds of search; returns its query string (for an export)."""
    # Taken in turn across all virtual users, so that every kind occurs early.
    kind = next(user.recorder.searches) % 4
    if kind == 0:
        page, params = SEARCH_OPEN, {}
    elif kind == 1:
        page, params = SEARCH_WORDS, {"q": user.pick(SEARCH_WORDS_LIST)}
    elif kind == 2:
        page, params = SEARCH_TYPO, {"q": user.pick(SEARCH_TYPOS)}
    else:
        page, params = SEARCH_FACETS, dict(user.pick(SEARCH_FACET_SETS))
    await b.get(page, _query("/goed-inkopen/", params) if params else "/goed-inkopen/")
    await user.pause()
    return urlencode({k: str(v) for k, v in params.items()})


async def _ask(user: VirtualUser, b: Browser, page: str, values: dict) -> None:
    path = "/servicepunt/vraag/"
    form_page = await b.get(ASK_FORM, path)
    form = find_form(form_page.text, has="subject")
    if form is None:
        raise _missing(user, ASK_FORM, "the question form")
    await user.pause()
    values = {
        "subject": "Vergunning voor een terras bij ons sociale café",
        "text": "Wij willen een terras openen waar mensen uit de wijk werkervaring opdoen. "
        "Welke vergunning hebben wij nodig en hoe lang duurt dat?",
        **values,
    }
    sent = await b.submit(page, path, form, values=values)
    if "/verzonden/" not in sent.location:
        raise _missing(user, page, f"a redirect to the sent page, not {sent.location!r}")
    await b.get(ASK_SENT, sent.location)


# --- logged in ------------------------------------------------------------------------------


async def entrepreneur(user: VirtualUser, b: Browser) -> None:
    """Mijn vragen, a new question, its page; an event: register, Mijn agenda, cancel."""
    await b.get(MY_QUESTIONS, "/servicepunt/mijn-vragen/")
    await user.pause()
    await _ask(user, b, ASK_POST_MEMBER, {})
    await user.pause()
    mine = await b.get(MY_QUESTIONS, "/servicepunt/mijn-vragen/")
    links = QUESTION_LINK.findall(mine.text)
    if not links:
        raise _missing(user, MY_QUESTIONS, "a link to a question")
    await user.pause()
    await b.get(MY_QUESTION, links[0])
    await user.pause()
    slug = user.pick(user.plan.open_events)
    event_path = f"/agenda/{slug}/"
    event = await b.get(EVENT, event_path)
    form = find_form(event.text, action="/aanmelden/")
    cancel = find_form(event.text, action="/afmelden/")
    if form is None and cancel is not None:
        # Still registered from a run that stopped between registering and cancelling.
        await b.submit(CANCEL, event_path, cancel)
        event = await b.get(EVENT, event_path)
        form = find_form(event.text, action="/aanmelden/")
    if form is None:
        raise _missing(user, EVENT, "the registration form")
    await user.pause()
    await b.submit(REGISTER, event_path, form)
    await user.pause()
    await b.get(MY_AGENDA, "/agenda/mijn/")
    await user.pause()
    event = await b.get(EVENT, event_path)
    form = find_form(event.text, action="/afmelden/")
    if form is None:
        raise _missing(user, EVENT, "the cancel form after registering")
    await b.submit(CANCEL, event_path, form)


async def entrepreneur_logs_in(user: VirtualUser, b: Browser) -> None:
    """A visitor logs in through the login form, then does what an entrepreneur does."""
    path = "/account/login/"
    page = await b.get(LOGIN_FORM, path)
    form = find_form(page.text, has="password")
    if form is None:
        raise _missing(user, LOGIN_FORM, "the login form")
    await user.pause()
    member = user.plan.member(Role.ENTREPRENEUR, user.number)
    await b.submit(
        LOGIN_POST, path, form, values={"login": member.email, "password": user.plan.password}
    )
    await user.pause()
    await entrepreneur(user, b)


async def social_organisation(user: VirtualUser, b: Browser) -> None:
    """Their postings, one of their public requests (with suggested matches), a new
    request saved as a draft, the board."""
    await b.get(OMARM_MINE, "/omarm/mijn/")
    await user.pause()
    await b.get(OWN_REQUEST, f"/omarm/hulpvraag/{user.pick(user.plan.own_requests)}/")
    await user.pause()
    path = "/omarm/hulpvraag/nieuw/"
    page = await b.get(REQUEST_FORM, path)
    form = find_form(page.text, has="story")
    if form is None:
        raise _missing(user, REQUEST_FORM, "the request form")
    await user.pause()
    values = {
        "title": DRAFT_TITLE,
        "story": "Op zaterdag geven wij opgeknapte laptops uit aan gezinnen in de wijk. "
        "Wij zoeken twee mensen die helpen met uitleg en installatie.",
        "help_kinds": [HelpKind.HANDS.value],
    }
    sent = await b.submit(REQUEST_POST, path, form, values=values)
    await user.pause()
    await b.get(OMARM_MINE, sent.location or "/omarm/mijn/")
    await user.pause()
    await b.get(BOARD, "/omarm/")


async def procurement_officer(user: VirtualUser, b: Browser) -> None:
    """Searches (twice, narrowing down), opens a profile, puts it on their shortlist,
    exports the shortlist and the search."""
    await _search(user, b)
    query = await _search(user, b)
    slug = user.pick(user.plan.suppliers)
    supplier_path = f"/goed-inkopen/leverancier/{slug}/"
    page = await b.get(SUPPLIER, supplier_path)
    form = find_form(page.text, action="/shortlists/toevoegen/")
    if form is None:
        raise _missing(user, SUPPLIER, "the add-to-shortlist form")
    await user.pause()
    shortlist = user.plan.member(Role.PROCUREMENT_OFFICER, user.number).shortlist
    await b.submit(SHORTLIST_ADD, supplier_path, form, values={"shortlist": shortlist})
    await user.pause()
    await b.get(SHORTLIST, f"/goed-inkopen/shortlists/{shortlist}/")
    await user.pause()
    await b.get(SHORTLIST_CSV, f"/goed-inkopen/shortlists/{shortlist}/export.csv")
    await user.pause()
    await b.get(
        SEARCH_CSV, f"/goed-inkopen/export.csv?{query}" if query else "/goed-inkopen/export.csv"
    )
    await user.pause()
    await b.get(SHORTLISTS, "/goed-inkopen/shortlists/")


async def directorate_contact(user: VirtualUser, b: Browser) -> None:
    """The admin: their queue (questions routed to their directorate) and one question."""
    await b.get(ADMIN_INDEX, "/beheer/")
    await user.pause()
    await b.get(ADMIN_QUESTIONS, "/beheer/servicepoint/question/")
    await user.pause()
    pk = user.pick(user.plan.directorate_questions)
    await b.get(ADMIN_QUESTION, f"/beheer/servicepoint/question/{pk}/change/")


async def account_manager(user: VirtualUser, b: Browser) -> None:
    """The question queue, filtered and searched, and a question's page."""
    await b.get(ADMIN_INDEX, "/beheer/")
    await user.pause()
    await b.get(ADMIN_QUESTIONS, "/beheer/servicepoint/question/")
    await user.pause()
    await b.get(ADMIN_QUESTIONS, "/beheer/servicepoint/question/?state__exact=new")
    await user.pause()
    await b.get(
        ADMIN_QUESTION, f"/beheer/servicepoint/question/{user.pick(user.plan.questions)}/change/"
    )
    await user.pause()
    await b.get(ADMIN_QUESTIONS, "/beheer/servicepoint/question/?q=vergunning")


async def coordinator(user: VirtualUser, b: Browser) -> None:
    """The programme monitor and the admin's moderation and verification queues."""
    await b.get(MONITOR, "/monitor/")
    await user.pause()
    await b.get(ADMIN_INDEX, "/beheer/")
    await user.pause()
    await b.get(ADMIN_REQUESTS, "/beheer/omarm/helprequest/")
    await user.pause()
    await b.get(ADMIN_SUPPLIERS, "/beheer/procurement/supplier/")


@dataclass(frozen=True)
class Journey:
    name: str
    role: Role | None  # whose session the visitor starts with (None: not logged in)
    weight: int
    walk: object


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


class _Missing(JourneyBroken):
    pass


def _missing(user: VirtualUser, page: str, what: str) -> JourneyBroken:
    if len(user.recorder.unexpected) < 20:
        user.recorder.unexpected.append(f"{page}: the page has no {what}")
    return _Missing()


async def walk(user: VirtualUser, quota: dict[str, int] | None = None) -> int:
    """Walk journeys until the run is over: every journey once first (the virtual
    users start spread over the list), then by weight. With a ``quota`` (journeys of
    each kind still to walk, shared by all virtual users) walk those instead, in turn,
    until none is left. Returns the journeys completed."""
    order = JOURNEYS[user.first :] + JOURNEYS[: user.first]
    weights = [journey.weight for journey in JOURNEYS]
    done = 0
    await asyncio.sleep(user.rng.uniform(0, user.think))  # people do not all arrive at once
    while True:
        if quota is not None:
            journey = next((j for j in order[done % len(order) :] + order if quota[j.name]), None)
            if journey is None:
                return done
            quota[journey.name] -= 1
        elif done < len(order):
            journey = order[done]
        else:
            journey = user.rng.choices(JOURNEYS, weights)[0]
        browser = user.browser(journey.role)
        try:
            await journey.walk(user, browser)
        except TimeUp:
            return done
        except JourneyBroken:
            user.recorder.broken += 1  # the answer is recorded; the next journey starts afresh
        finally:
            browser.close()
        done += 1
        await user.pause()


async def _run(
    plan: Plan, base_url: str, users: int, seconds: float, think: float, seed: int, quota
):
    recorder = Recorder(deadline=time.monotonic() + seconds)
    virtual_users = [
        VirtualUser(
            n,
            base_url,
            plan,
            recorder,
            random.Random(seed * 1000 + n),  # noqa: S311 (choosing pages, not secrets)
            think,
            first=n * len(JOURNEYS) // users,
        )
        for n in range(users)
    ]
    journeys = await asyncio.gather(*(walk(user, quota) for user in virtual_users))
    return recorder, sum(journeys)


def _in_own_loop(coroutine):
    """Run ``coroutine`` to the end in an event loop of its own, in a thread of its own,
    so it also works when the calling thread already runs a loop (as Playwright's sync
    API leaves one behind in a test process)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run(
    base_url: str, plan: Plan, *, users: int, seconds: float, think: float, seed: int = 1
) -> tuple[Recorder, int]:
    """``users`` virtual users walk journeys for ``seconds``; returns what they recorded
    and how many journeys they completed."""
    return _in_own_loop(_run(plan, base_url, users, seconds, think, seed, None))


def warm_up(
    base_url: str, plan: Plan, *, users: int, rounds: int, seconds: float = 300
) -> tuple[Recorder, int]:
    """Every journey ``rounds`` times, without pauses (at most ``seconds``)."""
    quota = {journey.name: rounds for journey in JOURNEYS}
    return _in_own_loop(_run(plan, base_url, users, seconds, 0, 99, quota))
