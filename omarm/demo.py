"""Demo data for Omarm Groningen (``make run``): businesses and social organisations,
help requests and offers in every state, matches in every state with their messages and
success stories, and one Omarm Challenge.

The stories follow the examples of the Actieprogramma Impact Ondernemen 2025-2028:
GasTerra's keyboards for De Computerbank, Hullabaloo Festival and Stichting Leergeld's
Kinderfietsenplan, Journey to Jupiter's brand strategy for Peers, and ASBR's cargo bike
for Stichting Klushulp.

Everything with a service goes through it, so the demo shows real audit history and
outbox e-mails. Only what has no service is written directly: the expired postings (the
nightly task would expire them once their date has passed) and the Challenge with its
team. Run ``accounts.demo.load_demo_accounts()`` first: the coordinator, the demo
entrepreneur and the demo social organisation come from there.

Idempotent: organisations are keyed on name and kind, people on e-mail address, postings
on title, the challenge on its slug; running it again creates nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.constants import MembershipRole, OrganisationKind
from accounts.demo import DEMO_PASSWORD
from accounts.models import Organisation, User
from accounts.roles import Role

from . import services
from .constants import HelpKind, MatchState, PostingState, Theme
from .models import Area, Challenge, ChallengeTeam, HelpRequest, Match, Offer

COORDINATOR = "coordinator@demo.impactportaal.nl"
INKOPER = "inkoper@demo.impactportaal.nl"

COMPUTERBANK = "De Computerbank Noord"
LEERGELD = "Stichting Leergeld Groningen"
PEERS = "Peers"
KLUSHULP = "Stichting Klushulp"
GASTERRA = "GasTerra"
HULLABALOO = "Hullabaloo Festival"
JUPITER = "Journey to Jupiter"
ASBR = "ASBR"
FIETSENWERKPLAATS = "Fietsenwerkplaats Oosterpoort"


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    kind: OrganisationKind
    kvk_number: str  # social organisations may have none
    email: str  # the member who acts for it (created here unless accounts.demo made it)
    person: str
    website: str = ""


ORGANISATIONS = [
    # Made by accounts.demo, with their demo logins.
    DemoOrganisation(
        COMPUTERBANK,
        OrganisationKind.SOCIAL,
        "40123456",
        "organisatie@demo.impactportaal.nl",
        "Karim El Amrani",
    ),
    DemoOrganisation(
        FIETSENWERKPLAATS,
        OrganisationKind.COMPANY,
        "72345678",
        "ondernemer@demo.impactportaal.nl",
        "Sanne de Vries",
    ),
    # Made by accounts.demo without a member: Leergeld gets one here.
    DemoOrganisation(
        LEERGELD,
        OrganisationKind.SOCIAL,
        "41009871",
        "leergeld@demo.impactportaal.nl",
        "Ingrid Wiersma",
    ),
    # New here.
    DemoOrganisation(
        PEERS, OrganisationKind.SOCIAL, "", "peers@demo.impactportaal.nl", "Daan Kuipers"
    ),
    DemoOrganisation(
        KLUSHULP,
        OrganisationKind.SOCIAL,
        "41023587",
        "klushulp@demo.impactportaal.nl",
        "Henk Smit",
    ),
    DemoOrganisation(
        GASTERRA,
        OrganisationKind.COMPANY,
        "02091234",
        "gasterra@demo.impactportaal.nl",
        "Eline Postma",
    ),
    DemoOrganisation(
        HULLABALOO,
        OrganisationKind.COMPANY,
        "65432178",
        "hullabaloo@demo.impactportaal.nl",
        "Bram Dijkstra",
    ),
    DemoOrganisation(
        JUPITER,
        OrganisationKind.COMPANY,
        "71234590",
        "journeytojupiter@demo.impactportaal.nl",
        "Lisa van der Meer",
    ),
    DemoOrganisation(
        ASBR, OrganisationKind.COMPANY, "59876543", "asbr@demo.impactportaal.nl", "Tom Veenstra"
    ),
]


@dataclass
class Demo:
    """The demo people and organisations, looked up (or made) once."""

    coordinator: User
    organisations: dict[str, Organisation]
    members: dict[str, User]

    def org(self, name: str) -> Organisation:
        return self.organisations[name]

    def member(self, name: str) -> User:
        return self.members[name]


def _user(email: str, name: str, role: Role) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        account_services.user_grant_role(user=user, role=role, actor=None)
    return user


def _load_organisations() -> Demo:
    organisations, members = {}, {}
    for spec in ORGANISATIONS:
        organisation = (
            Organisation.objects.filter(name=spec.name, kind=spec.kind).order_by("pk").first()
        )
        if organisation is None:
            organisation = account_services.organisation_create(
                actor=None,
                name=spec.name,
                kind=spec.kind,
                kvk_number=spec.kvk_number,
                city="Groningen",
                website=spec.website,
            )
        role = (
            Role.ENTREPRENEUR if spec.kind == OrganisationKind.COMPANY else Role.SOCIAL_ORGANISATION
        )
        user = _user(spec.email, spec.person, role)
        # A no-op (no e-mail, no audit) when the membership is already there.
        account_services.membership_add(
            organisation=organisation, user=user, role=MembershipRole.ADMIN, actor=None
        )
        organisations[spec.name] = organisation
        members[spec.name] = user
    return Demo(
        coordinator=User.objects.get(email=COORDINATOR),
        organisations=organisations,
        members=members,
    )


# Helpers -------------------------------------------------------------------------------


def _days(n: int):
    return timezone.localdate() + timedelta(days=n)


def _area(slug: str) -> Area:
    return Area.objects.get(slug=slug)


def _request(
    demo: Demo,
    organisation: str,
    title: str,
    story: str,
    *,
    theme: Theme,
    kinds: list[HelpKind],
    area: str,
    wanted_in_days: int = 90,
) -> HelpRequest:
    return services.request_create(
        user=demo.member(organisation),
        organisation=demo.org(organisation),
        title=title,
        story=story,
        theme=theme,
        help_kinds=list(kinds),
        area=_area(area),
        wanted_by=_days(wanted_in_days),
    )


def _offer(
    demo: Demo,
    organisation: str,
    title: str,
    description: str,
    *,
    capacity: str,
    kinds: list[HelpKind],
    area: str,
    valid_in_days: int = 120,
) -> Offer:
    return services.offer_create(
        user=demo.member(organisation),
        organisation=demo.org(organisation),
        title=title,
        description=description,
        capacity=capacity,
        help_kinds=list(kinds),
        area=_area(area),
        valid_until=_days(valid_in_days),
    )


def _submit(demo: Demo, posting):
    return services.posting_submit(posting=posting, user=demo.member(posting.organisation.name))


def _publish(demo: Demo, posting):
    """Submitted by the owner and approved by the coordinator: on the board."""
    posting = _submit(demo, posting)
    return services.posting_approve(posting=posting, coordinator=demo.coordinator)


def _expire(posting) -> None:
    """What the nightly task does once the end date has passed (demo data only: the
    date is moved into the past directly)."""
    field = "wanted_by" if isinstance(posting, HelpRequest) else "valid_until"
    type(posting).objects.filter(pk=posting.pk).update(
        state=PostingState.EXPIRED,
        closed_at=timezone.now(),
        **{field: timezone.localdate() - timedelta(days=10)},
    )


def _say(demo: Demo, match: Match, organisation: str, body: str) -> None:
    services.match_message_add(match=match, author=demo.member(organisation), body=body)


def _offer_named(title: str) -> Offer:
    return Offer.objects.get(title=title)


# Offers ----------------------------------------------------------------------------------

OFFER_VOLUNTEER_DAY = "Collega's voor een vrijwilligersdag"
OFFER_CHILD_BIKES = "Opknapbeurt voor 20 kinderfietsen per maand"
OFFER_COMMUNICATION = "Een dag communicatieadvies voor een maatschappelijke organisatie"
OFFER_BUILDING_MATERIALS = "Restpartij bouwmaterialen en gereedschap"
OFFER_FESTIVAL_TICKETS = "Festivalkaartjes voor vrijwilligers"


def _offer_volunteer_day(demo: Demo) -> None:  # open
    offer = _offer(
        demo,
        GASTERRA,
        OFFER_VOLUNTEER_DAY,
        "Twee keer per jaar gaan onze medewerkers een dag aan de slag bij een "
        "maatschappelijke organisatie in Groningen. Klussen, koken, een computercursus "
        "geven: laat ons weten waar u handen voor nodig hebt.",
        capacity="10 medewerkers, twee dagen per jaar",
        kinds=[HelpKind.HANDS],
        area="hele-gemeente",
        valid_in_days=180,
    )
    _publish(demo, offer)


def _offer_child_bikes(demo: Demo) -> None:  # open
    offer = _offer(
        demo,
        FIETSENWERKPLAATS,
        OFFER_CHILD_BIKES,
        "In onze werkplaats leren mensen met een afstand tot de arbeidsmarkt het vak van "
        "fietsenmaker. Gedoneerde kinderfietsen knappen we op tot ze weer veilig de weg "
        "op kunnen: nieuwe remmen, banden en verlichting.",
        capacity="20 kinderfietsen per maand",
        kinds=[HelpKind.MATERIALS, HelpKind.HANDS],
        area="zuid",
    )
    _publish(demo, offer)


def _offer_communication(demo: Demo) -> None:  # open
    offer = _offer(
        demo,
        JUPITER,
        OFFER_COMMUNICATION,
        "Worstelt u met uw verhaal, uw website of uw campagne? Een van onze strategen "
        "denkt een dag met u mee en helpt u aan een heldere kernboodschap.",
        capacity="Eén dag per kwartaal",
        kinds=[HelpKind.EXPERTISE],
        area="centrum",
    )
    _publish(demo, offer)


def _offer_building_materials(demo: Demo) -> None:  # submitted
    offer = _offer(
        demo,
        ASBR,
        OFFER_BUILDING_MATERIALS,
        "Na afronding van een project houden we vaak bouwmaterialen over: hout, tegels, "
        "verf en gereedschap dat nog prima bruikbaar is. Liever een tweede leven dan de "
        "container in.",
        capacity="Een aanhanger vol, een paar keer per jaar",
        kinds=[HelpKind.MATERIALS],
        area="oost",
    )
    _submit(demo, offer)


def _offer_festival_tickets(demo: Demo) -> None:  # expired
    offer = _offer(
        demo,
        HULLABALOO,
        OFFER_FESTIVAL_TICKETS,
        "Als bedankje voor vrijwilligers van maatschappelijke organisaties stellen we "
        "kaartjes voor ons festival beschikbaar.",
        capacity="50 dagkaarten",
        kinds=[HelpKind.MATERIALS],
        area="hele-gemeente",
    )
    _publish(demo, offer)
    _expire(offer)


# title: what makes that offer (in the state the comment says)
OFFERS: dict[str, Callable[[Demo], None]] = {
    OFFER_VOLUNTEER_DAY: _offer_volunteer_day,
    OFFER_CHILD_BIKES: _offer_child_bikes,
    OFFER_COMMUNICATION: _offer_communication,
    OFFER_BUILDING_MATERIALS: _offer_building_materials,
    OFFER_FESTIVAL_TICKETS: _offer_festival_tickets,
}


# Requests and their matches ---------------------------------------------------------------

REQUEST_READING = "Voorleesouders en een leesnetwerk voor kinderen in Selwerd"


def _keyboards(demo: Demo) -> None:
    """Fulfilled: GasTerra gave 40 keyboards; completed match, story published."""
    request = _request(
        demo,
        COMPUTERBANK,
        "Toetsenborden, muizen en beeldschermen voor gezinnen met een smalle beurs",
        "Wij knappen gedoneerde computers op en geven ze aan mensen die er zelf geen "
        "kunnen betalen. Computers hebben we genoeg binnen, maar toetsenborden, muizen "
        "en beeldschermen raken steeds op. Zonder die onderdelen kan een gezin niet "
        "online: geen huiswerk, geen sollicitatie, geen DigiD.",
        theme=Theme.POVERTY,
        kinds=[HelpKind.MATERIALS],
        area="hele-gemeente",
    )
    _publish(demo, request)
    match = services.match_offer_help(
        request=request,
        business=demo.org(GASTERRA),
        user=demo.member(GASTERRA),
        message="Bij de vervanging van onze werkplekken komen 40 toetsenborden, 40 muizen "
        "en 15 beeldschermen vrij. Kunnen jullie die gebruiken?",
    )
    _say(
        demo,
        match,
        COMPUTERBANK,
        "Heel graag! Kunnen we ze volgende week ophalen bij jullie kantoor aan de Concourslaan?",
    )
    _say(demo, match, GASTERRA, "Dinsdag vanaf 10 uur staat alles klaar bij de receptie.")
    services.match_transition(match=match, to=MatchState.MATCHED, actor=demo.member(GASTERRA))
    services.match_complete(
        match=match,
        actor=demo.member(COMPUTERBANK),
        result_story="GasTerra schonk 40 toetsenborden, 40 muizen en 15 beeldschermen aan "
        "De Computerbank. Ze gaan naar mensen met een smalle beurs die anders geen "
        "toegang tot een computer hebben. Een duurzame én sociale samenwerking waar beide "
        "partijen trots op zijn.",
        hours=Decimal("6"),
        value_eur=Decimal("2400.00"),
    )
    services.match_publish_story(match=match, coordinator=demo.coordinator)
    services.posting_fulfil(posting=request, user=demo.member(COMPUTERBANK))


def _bakfiets(demo: Demo) -> None:
    """Fulfilled: ASBR donated a cargo bike; counts toward Social Return, published."""
    request = _request(
        demo,
        KLUSHULP,
        "Een bakfiets voor onze klusvrijwilligers",
        "Onze vrijwilligers, mensen met een arbeidsbeperking, helpen inwoners met kleine "
        "klussen in huis en tuin. Het vervoer van gereedschap met taxi's en busjes kost ons "
        "veel geld. Met een elektrische bakfiets kunnen we zelf van klus naar klus.",
        theme=Theme.SUSTAINABILITY,
        kinds=[HelpKind.MONEY],
        area="oost",
    )
    _publish(demo, request)
    match = services.match_offer_help(
        request=request,
        business=demo.org(ASBR),
        user=demo.member(ASBR),
        message="Wij willen de bakfiets graag betalen, als onderdeel van onze Social Return "
        "bij de renovatie van de Oosterparkwijk.",
    )
    _say(demo, match, KLUSHULP, "Wat een mooi aanbod! We hebben een offerte van € 3.250.")
    services.match_transition(match=match, to=MatchState.MATCHED, actor=demo.member(ASBR))
    services.match_complete(
        match=match,
        actor=demo.member(ASBR),
        result_story="Dankzij een donatie van ASBR kon Stichting Klushulp een bakfiets "
        "aanschaffen. De vervoerskosten zijn drastisch verlaagd en de vrijwilligers "
        "werken efficiënter.",
        hours=Decimal("4"),
        value_eur=Decimal("3250.00"),
        counts_for_social_return=True,
        social_return_eur=Decimal("3250.00"),
    )
    services.match_publish_story(match=match, coordinator=demo.coordinator)
    services.posting_fulfil(posting=request, user=demo.member(KLUSHULP))


def _kinderfietsenplan(demo: Demo) -> None:
    """Open: Hullabaloo completed (story waiting for approval); the Fietsenwerkplaats
    is in conversation through its offer."""
    request = _request(
        demo,
        LEERGELD,
        "Fietsen voor het Kinderfietsenplan",
        "Veel kinderen uit gezinnen met een laag inkomen hebben geen fiets, terwijl ze er "
        "elke dag een nodig hebben om naar school en sport te gaan. Via het "
        "Kinderfietsenplan zamelen we fietsen in, laten ze opknappen en geven ze aan "
        "kinderen die er een nodig hebben. Wie helpt met inzamelen of opknappen?",
        theme=Theme.LACK_OF_EXERCISE,
        kinds=[HelpKind.MATERIALS, HelpKind.HANDS],
        area="zuid",
        wanted_in_days=150,
    )
    _publish(demo, request)
    hullabaloo = services.match_offer_help(
        request=request,
        business=demo.org(HULLABALOO),
        user=demo.member(HULLABALOO),
        message="Op ons festivalterrein blijven elk jaar tientallen fietsen achter. Mogen "
        "we die aan het Kinderfietsenplan geven?",
    )
    _say(demo, hullabaloo, LEERGELD, "Graag! Wij zorgen dat ze worden opgehaald.")
    services.match_transition(match=hullabaloo, to=MatchState.MATCHED, actor=demo.member(LEERGELD))
    services.match_complete(
        match=hullabaloo,
        actor=demo.member(HULLABALOO),
        result_story="Hullabaloo Festival sloot zich aan bij het Kinderfietsenplan van "
        "Stichting Leergeld. De 35 ingezamelde fietsen worden opgeknapt en gedoneerd aan "
        "kinderen uit gezinnen met een laag inkomen.",
        hours=Decimal("12"),
        value_eur=Decimal("1750.00"),
    )
    # In conversation: Leergeld answered the workshop's offer for this request.
    workshop = services.match_show_interest(
        offer=_offer_named(OFFER_CHILD_BIKES),
        social_organisation=demo.org(LEERGELD),
        user=demo.member(LEERGELD),
        request=request,
        message="Wij hebben 35 fietsen van Hullabaloo die opgeknapt moeten worden. Past dat "
        "in jullie planning?",
    )
    _say(
        demo,
        workshop,
        FIETSENWERKPLAATS,
        "Zeker. We kunnen er twintig per maand doen; breng de eerste lading maar langs.",
    )
    _say(demo, workshop, LEERGELD, "Top, dan komen we donderdag met de eerste vijftien.")


def _merkstrategie(demo: Demo) -> None:
    """Open: Hullabaloo broke off, Journey to Jupiter is matched."""
    request = _request(
        demo,
        PEERS,
        "Hulp bij een heldere merkstrategie en kernboodschap",
        "Sinds onze naamswijziging (voorheen Jimmy's) merken we dat jongeren en "
        "verwijzers niet goed weten wat Peers doet. We zoeken een communicatiebureau dat "
        "met ons een merkstrategie en een kernboodschap uitwerkt.",
        theme=Theme.OPPORTUNITIES,
        kinds=[HelpKind.EXPERTISE],
        area="centrum",
    )
    _publish(demo, request)
    festival = services.match_offer_help(
        request=request,
        business=demo.org(HULLABALOO),
        user=demo.member(HULLABALOO),
        message="Ons marketingteam wil graag meedenken.",
    )
    services.match_transition(
        match=festival,
        to=MatchState.BROKEN_OFF,
        actor=demo.member(HULLABALOO),
        reason="Het festivalseizoen vraagt al onze mensen; we komen er na de zomer op terug.",
    )
    jupiter = services.match_offer_help(
        request=request,
        business=demo.org(JUPITER),
        user=demo.member(JUPITER),
        message="Dit is precies ons vak. Zullen we een eerste sessie plannen?",
    )
    _say(demo, jupiter, PEERS, "Graag! Kunnen jullie op dinsdagmiddag?")
    services.match_transition(match=jupiter, to=MatchState.MATCHED, actor=demo.member(PEERS))
    _say(demo, jupiter, JUPITER, "De eerste sessie staat. We nemen een paar jongeren mee.")


def _digicafe(demo: Demo) -> None:
    """Open: the coordinator proposed GasTerra's volunteer day."""
    request = _request(
        demo,
        COMPUTERBANK,
        "Vrijwilligers voor ons digicafé met senioren",
        "Elke woensdag helpen we in ons digicafé in Vinkhuizen ouderen met hun computer "
        "en telefoon: videobellen met de kleinkinderen, een afspraak bij de huisarts "
        "maken. Veel bezoekers komen ook voor de gezelligheid. We zoeken mensen die een "
        "paar middagen willen meehelpen.",
        theme=Theme.LONELINESS,
        kinds=[HelpKind.HANDS],
        area="noord",
    )
    _publish(demo, request)
    services.match_propose(
        request=request,
        business=demo.org(GASTERRA),
        offer=_offer_named(OFFER_VOLUNTEER_DAY),
        coordinator=demo.coordinator,
        message="GasTerra zoekt een plek voor de vrijwilligersdag van haar medewerkers. "
        "Zou het digicafé een mooie bestemming zijn?",
    )


def _reading(demo: Demo) -> None:
    """Open, and taken on by a team at the Omarm Challenge (see _load_challenge)."""
    request = _request(
        demo,
        LEERGELD,
        REQUEST_READING,
        "In Selwerd groeien veel kinderen op zonder boeken in huis. Met de brede school "
        "willen we voorleesouders werven en bedrijven vinden die hun netwerk inzetten om "
        "boeken en voorlezers te vinden.",
        theme=Theme.LOW_LITERACY,
        kinds=[HelpKind.NETWORK],
        area="west",
    )
    _publish(demo, request)


def _hidden_after_reports(demo: Demo) -> None:
    """Open, but hidden until the coordinator looks: three people reported it."""
    request = _request(
        demo,
        KLUSHULP,
        "Sponsors gezocht voor ons jubileumfeest",
        "Stichting Klushulp bestaat tien jaar! Voor het feest zoeken we sponsors. Bel ons "
        "voor de tarieven van de advertentieruimte in ons jubileumboek.",
        theme=Theme.OTHER,
        kinds=[HelpKind.MONEY],
        area="haren",
    )
    _publish(demo, request)
    reporters = [
        demo.member(GASTERRA),
        demo.member(ASBR),
        User.objects.get(email=INKOPER),
    ]
    for reporter in reporters:
        services.request_report(
            request=request,
            reporter=reporter,
            reason="Dit lijkt meer op de verkoop van advertenties dan op een hulpvraag.",
        )


def _draft(demo: Demo) -> None:
    _request(
        demo,
        KLUSHULP,
        "Handen voor het opknappen van tuinen van ouderen",
        "Nog niet af: welke wijken en hoeveel tuinen?",
        theme=Theme.OPPORTUNITIES,
        kinds=[HelpKind.HANDS],
        area="ten-boer",
    )


def _submitted(demo: Demo) -> None:
    request = _request(
        demo,
        COMPUTERBANK,
        "Droge opslagruimte voor ingezamelde laptops",
        "Onze werkplaats staat vol. We zoeken een droge, afsluitbare ruimte van zo'n "
        "twintig vierkante meter om ingezamelde laptops op te slaan tot we ze opknappen.",
        theme=Theme.SUSTAINABILITY,
        kinds=[HelpKind.MATERIALS, HelpKind.NETWORK],
        area="noord",
    )
    _submit(demo, request)


def _sent_back(demo: Demo) -> None:
    request = _request(
        demo,
        PEERS,
        "Sponsoring",
        "Wij zoeken sponsoring.",
        theme=Theme.OPPORTUNITIES,
        kinds=[HelpKind.MONEY],
        area="centrum",
    )
    _submit(demo, request)
    services.posting_send_back(
        posting=request,
        coordinator=demo.coordinator,
        reason="Beschrijf wat jullie precies nodig hebben, waarvoor en voor wie: dan kunnen "
        "ondernemers inschatten of ze kunnen helpen.",
    )


def _expired(demo: Demo) -> None:
    request = _request(
        demo,
        LEERGELD,
        "Winterjassen voor kinderen",
        "Elke winter lopen kinderen zonder warme jas naar school. We zoeken nieuwe of goede "
        "tweedehands winterjassen in maat 110 tot 164.",
        theme=Theme.POVERTY,
        kinds=[HelpKind.MATERIALS],
        area="hele-gemeente",
    )
    _publish(demo, request)
    _expire(request)


def _withdrawn(demo: Demo) -> None:
    request = _request(
        demo,
        PEERS,
        "Begeleiders voor een zeildag met jongeren",
        "Voor een zeildag op het Paterswoldsemeer zoeken we vier begeleiders.",
        theme=Theme.LACK_OF_EXERCISE,
        kinds=[HelpKind.HANDS],
        area="haren",
    )
    _publish(demo, request)
    services.posting_withdraw(posting=request, user=demo.member(PEERS))


# title: what makes that request and its matches (in the state the docstring says)
REQUESTS: dict[str, Callable[[Demo], None]] = {
    "Toetsenborden, muizen en beeldschermen voor gezinnen met een smalle beurs": _keyboards,
    "Een bakfiets voor onze klusvrijwilligers": _bakfiets,
    "Fietsen voor het Kinderfietsenplan": _kinderfietsenplan,
    "Hulp bij een heldere merkstrategie en kernboodschap": _merkstrategie,
    "Vrijwilligers voor ons digicafé met senioren": _digicafe,
    REQUEST_READING: _reading,
    "Sponsors gezocht voor ons jubileumfeest": _hidden_after_reports,
    "Handen voor het opknappen van tuinen van ouderen": _draft,
    "Droge opslagruimte voor ingezamelde laptops": _submitted,
    "Sponsoring": _sent_back,
    "Winterjassen voor kinderen": _expired,
    "Begeleiders voor een zeildag met jongeren": _withdrawn,
}


# The Omarm Challenge (no service: the coordinator keeps it in the admin) -------------------

CHALLENGE_SLUG = "omarm-challenge-promotiedagen"


def _load_challenge(demo: Demo) -> None:
    challenge, _created = Challenge.objects.get_or_create(
        slug=CHALLENGE_SLUG,
        defaults={
            "title": "Omarm Challenge op de Promotiedagen",
            "description": "Tijdens de Promotiedagen nemen teams van ondernemers een "
            "maatschappelijk vraagstuk onder handen. In twee uur bedenken ze samen met de "
            "vraagsteller wat zij kunnen betekenen.",
            "date": _days(21),
            "place": "MartiniPlaza, Groningen",
        },
    )
    request = HelpRequest.objects.get(title=REQUEST_READING)
    if request.challenge_id != challenge.pk:
        HelpRequest.objects.filter(pk=request.pk).update(challenge=challenge)
    team, _created = ChallengeTeam.objects.get_or_create(
        challenge=challenge, request=request, name="Team Leesvuur"
    )
    team.members.add(demo.org(GASTERRA), demo.org(JUPITER))


@transaction.atomic
def load_demo_omarm() -> int:
    """Load Omarm's demo data; returns how many postings (requests and offers) were made."""
    demo = _load_organisations()
    created = 0
    for title, make in OFFERS.items():
        if not Offer.objects.filter(title=title).exists():
            make(demo)
            created += 1
    for title, make in REQUESTS.items():
        if not HelpRequest.objects.filter(title=title).exists():
            make(demo)
            created += 1
    _load_challenge(demo)
    return created


def register_demo() -> None:
    from impactportal import demo

    demo.register("omarm", load_demo_omarm, order=20)
