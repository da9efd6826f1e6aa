"""Demo data for the agenda (``make run``): the events of the Actieprogramma Impact
Ondernemen — impactcafés, inloopcafés, an avondcollege, a kennisexcursie, the
MVOI-training, Inkoop Meets Impact, the Noordelijke Impact Day, an Omarm Challenge and the
fietstour impact-ondernemingen — in every state, with registrations in every status.

Dates are relative to today and times are wall-clock times in Groningen. Everything with a
service goes through it (publishing, cancelling, registering, the waiting list, checking
in), so the demo shows real audit history and outbox e-mails. Only what has no service is
written directly: the events and their questions, and the past event's state (the nightly
run would set it once the event is over). Run ``accounts.demo.load_demo_accounts()``
first: the demo people come from there.

Idempotent: events are keyed on their slug; an event that exists is left alone, so
running it again creates no events, registrations, e-mails or audit entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from . import services
from .constants import EventState, EventType, QuestionKind
from .models import Event, Registration, RegistrationQuestion

GRONINGEN = ZoneInfo("Europe/Amsterdam")

ENTREPRENEUR = "ondernemer@demo.impactportaal.nl"
SOCIAL_ORGANISATION = "organisatie@demo.impactportaal.nl"
ACCOUNT_MANAGER = "accountmanager@demo.impactportaal.nl"
DIRECTORATE_CONTACT = "directie@demo.impactportaal.nl"
INKOPER = "inkoper@demo.impactportaal.nl"
COORDINATOR = "coordinator@demo.impactportaal.nl"

IMPACT_CAFE_SLUG = "impactcafe-werken-met-talent-uit-de-wijk"
EXCURSION_SLUG = "kennisexcursie-de-computerbank-noord"
IMPACT_DAY_SLUG = "noordelijke-impact-day"
CANCELLED_SLUG = "inloopcafe-zomereditie"
PAST_SLUG = "impactcafe-samenwerken-met-een-sociale-onderneming"
DRAFT_SLUG = "impactcafe-circulair-ondernemen"

FORUM = ("Forum Groningen", "Nieuwe Markt 1, 9712 KN Groningen")
STADHUIS = ("Stadhuis Groningen", "Grote Markt 1, 9712 HN Groningen")
KREUPELSTRAAT = ("Gemeente Groningen, Kreupelstraat 1", "Kreupelstraat 1, 9712 HW Groningen")
DER_AA_KERK = ("Der Aa-kerk", "A-Kerkhof 2, 9712 BB Groningen")
MARTINIPLAZA = ("MartiniPlaza", "Leonard Springerlaan 2, 9727 KB Groningen")
COMPUTERBANK = ("De Computerbank Noord", "Groningen")

ORGANISER = "Gemeente Groningen, Economische Zaken"


@dataclass
class Demo:
    """The demo people, looked up once."""

    people: dict[str, User]

    @classmethod
    def load(cls) -> Demo:
        emails = [
            ENTREPRENEUR,
            SOCIAL_ORGANISATION,
            ACCOUNT_MANAGER,
            DIRECTORATE_CONTACT,
            INKOPER,
            COORDINATOR,
        ]
        return cls(people={u.email: u for u in User.objects.filter(email__in=emails)})

    def __getitem__(self, email: str) -> User:
        return self.people[email]

    @property
    def coordinator(self) -> User:
        return self.people[COORDINATOR]


# Helpers -------------------------------------------------------------------------------


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """Wall-clock time in Groningen, ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=GRONINGEN)


def _event(
    demo: Demo,
    *,
    slug: str,
    kind: EventType,
    title: str,
    description: str,
    starts_at: datetime,
    hours: float,
    place: tuple[str, str] = ("", ""),
    publish: bool = True,
    **values,
) -> Event:
    venue, address = place
    values.setdefault("themes", THEMES.get(kind, []))
    event = Event.objects.create(
        slug=slug,
        type=kind,
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        venue=venue,
        address=address,
        organiser=values.pop("organiser", ORGANISER),
        **values,
    )
    event.organisers.add(demo.coordinator)
    if publish:
        event = services.event_publish(event=event, actor=demo.coordinator)
    return event


# Themes per kind of event, so the agenda's theme filter has something to show.
THEMES = {
    EventType.IMPACT_CAFE: ["sociaal-ondernemen"],
    EventType.WALK_IN_CAFE: ["sociaal-ondernemen", "financiering"],
    EventType.EVENING_LECTURE: ["impact-meten"],
    EventType.KNOWLEDGE_EXCURSION: ["circulair", "sociaal-ondernemen"],
    EventType.TRAINING: ["inkoop", "social-return"],
    EventType.INKOOP_MEETS_IMPACT: ["inkoop", "social-return"],
    EventType.IMPACT_DAY: ["sociaal-ondernemen", "impact-meten"],
    EventType.OMARM_CHALLENGE: ["maatschappelijke-vragen"],
}


def _register(event: Event, *users: User, now: datetime | None = None) -> list[Registration]:
    return [services.registration_create(event=event, user=user, now=now) for user in users]


# The events ----------------------------------------------------------------------------


def _impact_cafe(demo: Demo) -> None:
    """Next week, 30 places, with a required open question and a choice question."""
    event = _event(
        demo,
        slug=IMPACT_CAFE_SLUG,
        kind=EventType.IMPACT_CAFE,
        title="Impactcafé: werken met talent uit de wijk",
        description=(
            "Hoe haalt u mensen met een afstand tot de arbeidsmarkt in huis, en hoe houdt u "
            "ze? Twee Groningse ondernemers vertellen hoe zij het aanpakken, een jobcoach "
            "van de gemeente vertelt wat er aan begeleiding mogelijk is. Daarna is er tijd "
            "om met elkaar te praten, met een hapje en een drankje."
        ),
        starts_at=_at(7, 16),
        hours=2,
        place=FORUM,
        audience="Ondernemers, inkopers en iedereen die impact wil maken",
        capacity=30,
        cancellation_cutoff=_at(6, 12),
        publish=False,
    )
    topic = RegistrationQuestion.objects.create(
        event=event,
        position=1,
        label="Waar wilt u over praten?",
        kind=QuestionKind.TEXT,
        required=True,
    )
    role = RegistrationQuestion.objects.create(
        event=event,
        position=2,
        label="Ik kom als",
        kind=QuestionKind.CHOICE,
        choices="ondernemer\ninkoper\nanders",
    )
    event = services.event_publish(event=event, actor=demo.coordinator)
    sign_ups = [
        (ENTREPRENEUR, "Ik zoek een leerwerkplek voor een monteur in opleiding.", "ondernemer"),
        (SOCIAL_ORGANISATION, "Samenwerken met bedrijven die laptops afschrijven.", "anders"),
        (INKOPER, "Hoe vind ik sociale ondernemers voor kleine opdrachten?", "inkoper"),
    ]
    for email, subject, kind in sign_ups:
        services.registration_create(
            event=event,
            user=demo[email],
            answers={str(topic.pk): subject, str(role.pk): kind},
        )


def _walk_in_cafe(demo: Demo) -> None:
    event = _event(
        demo,
        slug="inloopcafe-impact-ondernemen",
        kind=EventType.WALK_IN_CAFE,
        title="Inloopcafé Impact Ondernemen",
        description=(
            "Loop binnen met uw vragen over impact ondernemen: over social return, "
            "financiering, personeel of een bedrijfsruimte. Accountmanagers van de gemeente "
            "en ondernemers uit het netwerk denken met u mee. U kunt ook gewoon komen "
            "sparren met gelijkgestemden. Aanmelden is niet nodig, maar helpt ons wel."
        ),
        starts_at=_at(10, 15),
        hours=2,
        place=KREUPELSTRAAT,
        audience="Ondernemers met vragen over impact",
    )
    _register(event, demo[ENTREPRENEUR], demo[ACCOUNT_MANAGER])


def _evening_lecture(demo: Demo) -> None:
    event = _event(
        demo,
        slug="avondcollege-impact-meten",
        kind=EventType.EVENING_LECTURE,
        title="Avondcollege: impact meten met het Impactpad",
        description=(
            "Online avondcollege over het meten van maatschappelijke impact. U leert in "
            "stappen beschrijven welke verandering u wilt bereiken en hoe u dat zichtbaar "
            "maakt voor klanten, financiers en de gemeente. Na aanmelding ontvangt u de "
            "link naar de online bijeenkomst."
        ),
        starts_at=_at(17, 19, 30),
        hours=1.5,
        online_link="https://video.groningen.example/avondcollege-impact-meten",
        organiser="Vereniging Impact Noord",
        audience="Impactondernemers en starters",
        capacity=100,
    )
    _register(event, demo[ENTREPRENEUR], demo[SOCIAL_ORGANISATION])


def _excursion(demo: Demo) -> None:
    """Two places, full, with a waiting list; one cancellation promotes the first waiting."""
    event = _event(
        demo,
        slug=EXCURSION_SLUG,
        kind=EventType.KNOWLEDGE_EXCURSION,
        title="Kennisexcursie: een kijkje bij De Computerbank Noord",
        description=(
            "De Computerbank Noord knapt afgeschreven laptops op en geeft ze aan mensen "
            "die er zelf geen kunnen kopen. Het werk wordt gedaan door mensen die zo "
            "werkervaring opdoen. Tijdens deze kleine excursie loopt u een middag mee en "
            "hoort u hoe bedrijven en de gemeente hun afgeschreven apparatuur kwijt kunnen."
        ),
        starts_at=_at(24, 13, 30),
        hours=2.5,
        place=COMPUTERBANK,
        organiser="De Computerbank Noord",
        audience="Inkopers, contractmanagers en ondernemers",
        capacity=2,
        cancellation_cutoff=_at(22, 12),
    )
    inkoper, *_rest = _register(
        event,
        demo[INKOPER],
        demo[DIRECTORATE_CONTACT],
        demo[ENTREPRENEUR],  # waiting list, first in line
        demo[ACCOUNT_MANAGER],  # waiting list
    )
    # The inkoper cannot come after all: her place goes to the entrepreneur.
    services.registration_cancel(registration=inkoper, user=demo[INKOPER])


def _mvoi_training(demo: Demo) -> None:
    event = _event(
        demo,
        slug="mvoi-training-voor-inkopers",
        kind=EventType.TRAINING,
        title="MVOI-training voor inkopers en opdrachtgevers",
        description=(
            "Maatschappelijk verantwoord opdrachtgeven en inkopen (MVOI) in de praktijk: "
            "hoe u social return, circulariteit en impactondernemers een plek geeft in uw "
            "opdracht, van de marktverkenning tot het contractmanagement. Met voorbeelden "
            "uit eigen huis en een oefening met een echte opdracht."
        ),
        starts_at=_at(31, 9, 30),
        hours=3,
        place=KREUPELSTRAAT,
        organiser="SSC-Inkoop, gemeente Groningen",
        audience="Inkopers, opdrachtgevers en contractmanagers van de gemeente",
        capacity=16,
        cancellation_cutoff=_at(29, 17),
    )
    _register(event, demo[INKOPER], demo[DIRECTORATE_CONTACT])


def _fietstour(demo: Demo) -> None:
    event = _event(
        demo,
        slug="fietstour-impact-ondernemingen",
        kind=EventType.OTHER,
        title="Fietstour impact-ondernemingen",
        description=(
            "Een kijkje in de keuken bij impact-ondernemers in de stad Groningen. We fietsen "
            "langs een fietsenwerkplaats, een sociale schoonmaker en een computerbank en "
            "horen van de ondernemers zelf hoe zij werken. Voor scholieren, studenten, "
            "bedrijven en iedereen die nieuwsgierig is. Neem uw eigen fiets mee; we "
            "vertrekken bij het Forum."
        ),
        starts_at=_at(38, 14),
        hours=3,
        place=FORUM,
        audience="Scholieren, studenten, bedrijven en belangstellenden",
        capacity=25,
    )
    _register(event, demo[SOCIAL_ORGANISATION], demo[ACCOUNT_MANAGER])


def _inkoop_meets_impact(demo: Demo) -> None:
    event = _event(
        demo,
        slug="inkoop-meets-impact",
        kind=EventType.INKOOP_MEETS_IMPACT,
        title="Inkoop Meets Impact",
        description=(
            "Het jaarlijkse moment waarop noordelijke impactbedrijven en inkopers elkaar "
            "ontmoeten. Inkopers, opdrachtgevers, accountmanagers en contractmanagers "
            "maken kennis met ondernemers en met partners als het Coördinatiepunt Social "
            "Return, Impact Noord en Circulair Groningen Drenthe. Doe inspiratie op en "
            "breng vraag en aanbod bij elkaar."
        ),
        starts_at=_at(45, 13),
        hours=4.5,
        place=STADHUIS,
        audience="Impactbedrijven, inkopers en opdrachtgevers",
        capacity=120,
        registration_closes_at=_at(42, 12),
    )
    _register(event, demo[ENTREPRENEUR], demo[SOCIAL_ORGANISATION], demo[INKOPER])


def _impact_day(demo: Demo) -> None:
    event = _event(
        demo,
        slug=IMPACT_DAY_SLUG,
        kind=EventType.IMPACT_DAY,
        title="Noordelijke Impact Day",
        description=(
            "Hét jaarlijkse moment voor impact ondernemerschap in Noord-Nederland. "
            "Kennisinstellingen delen nieuwe inzichten, financiers gaan in gesprek met "
            "ondernemers, omliggende gemeenten vertellen over hun aanpak en impact-"
            "ondernemers presenteren hun bedrijf. Samen zetten we de lijnen uit voor het "
            "komende jaar."
        ),
        starts_at=_at(60, 9, 30),
        hours=7.5,
        place=DER_AA_KERK,
        organiser="Gemeente Groningen en partners in het impact-ecosysteem",
        audience="Iedereen die geïnteresseerd of actief is in impact ondernemen",
        capacity=200,
        registration_closes_at=_at(55, 17),
    )
    _register(
        event,
        demo[ENTREPRENEUR],
        demo[SOCIAL_ORGANISATION],
        demo[ACCOUNT_MANAGER],
        demo[DIRECTORATE_CONTACT],
        demo[INKOPER],
    )


def _omarm_challenge(demo: Demo) -> None:
    """The same Challenge as in omarm.demo, on the Promotiedagen three weeks from now."""
    event = _event(
        demo,
        slug="omarm-challenge-promotiedagen",
        kind=EventType.OMARM_CHALLENGE,
        title="Omarm Challenge op de Promotiedagen",
        description=(
            "Tijdens de Promotiedagen nemen teams van ondernemers een maatschappelijk "
            "vraagstuk onder handen. In twee uur bedenken ze samen met de vraagsteller wat "
            "zij kunnen betekenen. Meld u aan als ondernemer of met uw netwerk."
        ),
        starts_at=_at(21, 14),
        hours=2,
        place=MARTINIPLAZA,
        organiser="Omarm Groningen",
        audience="Ondernemers en ondernemersnetwerken",
        capacity=40,
    )
    _register(event, demo[ENTREPRENEUR])


def _draft(demo: Demo) -> None:
    _event(
        demo,
        slug=DRAFT_SLUG,
        kind=EventType.IMPACT_CAFE,
        title="Impactcafé: circulair ondernemen",
        description="Nog niet af: sprekers en locatie volgen.",
        starts_at=_at(75, 16),
        hours=2,
        capacity=30,
        publish=False,
    )


def _cancelled(demo: Demo) -> None:
    """Published, people registered, then cancelled: everyone registered got an e-mail."""
    event = _event(
        demo,
        slug=CANCELLED_SLUG,
        kind=EventType.WALK_IN_CAFE,
        title="Inloopcafé Impact Ondernemen: zomereditie",
        description=(
            "Een inloopcafé op het terras, met vragen over impact ondernemen en een "
            "drankje. Helaas gaat deze editie niet door; het volgende inloopcafé staat in "
            "de agenda."
        ),
        starts_at=_at(14, 16),
        hours=2,
        place=FORUM,
        audience="Ondernemers met vragen over impact",
    )
    _register(event, demo[ENTREPRENEUR], demo[SOCIAL_ORGANISATION])
    services.event_cancel(event=event, actor=demo.coordinator)


def _past(demo: Demo) -> None:
    """Two weeks ago: people registered beforehand, then came (or did not)."""
    starts_at = _at(-14, 16)
    event = _event(
        demo,
        slug=PAST_SLUG,
        kind=EventType.IMPACT_CAFE,
        title="Impactcafé: samenwerken met een sociale onderneming",
        description=(
            "Ondernemers en sociale ondernemingen vertelden hoe zij samenwerken: van "
            "schoonmaak en groenonderhoud tot het opknappen van laptops. Met tips over "
            "social return en over hoe u een goede partner vindt."
        ),
        starts_at=starts_at,
        hours=2,
        place=FORUM,
        audience="Ondernemers, inkopers en iedereen die impact wil maken",
        capacity=30,
    )
    attended, organisation, no_show, manager = _register(
        event,
        demo[ENTREPRENEUR],
        demo[SOCIAL_ORGANISATION],
        demo[INKOPER],
        demo[ACCOUNT_MANAGER],
        now=starts_at - timedelta(days=7),
    )
    # No service turns an event into the past: the nightly run would.
    Event.objects.filter(pk=event.pk).update(state=EventState.PAST)
    checked_in = starts_at + timedelta(minutes=10)
    for registration in (attended, organisation, manager):
        services.registration_check_in(
            registration=registration, actor=demo.coordinator, now=checked_in
        )
    services.registration_check_in(
        registration=no_show, actor=demo.coordinator, attended=False, now=checked_in
    )


EVENTS: dict[str, Callable[[Demo], None]] = {
    IMPACT_CAFE_SLUG: _impact_cafe,
    "inloopcafe-impact-ondernemen": _walk_in_cafe,
    "avondcollege-impact-meten": _evening_lecture,
    EXCURSION_SLUG: _excursion,
    "mvoi-training-voor-inkopers": _mvoi_training,
    "fietstour-impact-ondernemingen": _fietstour,
    "inkoop-meets-impact": _inkoop_meets_impact,
    IMPACT_DAY_SLUG: _impact_day,
    "omarm-challenge-promotiedagen": _omarm_challenge,
    DRAFT_SLUG: _draft,
    CANCELLED_SLUG: _cancelled,
    PAST_SLUG: _past,
}


def load_demo_events() -> int:
    """Load the agenda's demo events; returns how many events were made."""
    demo = Demo.load()
    created = 0
    for slug, make in EVENTS.items():
        if Event.objects.filter(slug=slug).exists():
            continue
        with transaction.atomic():
            make(demo)
        created += 1
    return created


def register_demo() -> None:
    from impactportal import demo

    demo.register("events", load_demo_events, order=30)
