"""Demo data for the service point (``make run``): routing rules, knowledge-base articles,
canned replies and questions in every state of the workflow.

Everything with a service goes through it, so the demo shows real deadlines, audit
history, routing and outbox e-mails. Run ``accounts.demo.load_demo_accounts()`` first:
the people and directorates come from there.

Idempotent: rules, replies and articles are keyed on their content or slug, questions on
their subject; running it again creates nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Directorate, Organisation, User

from . import services
from .constants import AssignmentState, PreferredContact, QuestionState
from .models import CannedReply, KnowledgeArticle, Question, RoutingRule, Topic

ENTREPRENEUR = "ondernemer@demo.impactportaal.nl"
ACCOUNT_MANAGER = "accountmanager@demo.impactportaal.nl"
DIRECTORATE_CONTACT = "directie@demo.impactportaal.nl"
COORDINATOR = "coordinator@demo.impactportaal.nl"

# topic slug, keywords, directorate slug (first match wins, in this order)
ROUTING_RULES = [
    ("vergunningen", "", "vergunningen"),
    ("personeel-jobcoach", "", "wmp"),
    ("social-return", "inkoop, aanbesteding, opdracht", "ssc-inkoop"),
    ("social-return", "", "wmp"),
    ("inkoop", "", "ssc-inkoop"),
    ("duurzaamheid", "", "stadsontwikkeling"),
]

CANNED_REPLIES = [
    (
        None,
        "Doorverwijzing naar het Ondernemersloket",
        "Dank voor uw vraag. Voor algemene vragen over inschrijven, belastingen en "
        "regels voor ondernemers kunt u ook terecht bij het Ondernemersloket van de "
        "gemeente Groningen. Uw vraag over de maatschappelijke kant van uw onderneming "
        "pakken wij graag samen met u op.",
    ),
    (
        "social-return",
        "Social return: zo werkt het",
        "Bij veel gemeentelijke opdrachten vraagt de gemeente de opdrachtnemer om een "
        "deel van de opdrachtwaarde te besteden aan werk of leerplekken voor mensen met "
        "een afstand tot de arbeidsmarkt. U kunt dat zelf doen, of (een deel) inkopen bij "
        "een sociale onderneming. In het bestek van de opdracht staat welk percentage "
        "geldt en hoe u het verantwoordt.",
    ),
]

# topic slug, title, slug, summary, body
ARTICLES = [
    (
        "financiering",
        "Subsidie voor sociale ondernemers",
        "subsidie-voor-sociale-ondernemers",
        "Welke regelingen er zijn voor ondernemers die met hun bedrijf iets voor de stad "
        "willen betekenen, en hoe u ze aanvraagt.",
        "Sociale ondernemers in Groningen kunnen op verschillende manieren steun krijgen: "
        "een startsubsidie voor een nieuw initiatief, een bijdrage in de begeleiding van "
        "medewerkers met een afstand tot de arbeidsmarkt, of een lening met een lage rente "
        "via een regionaal fonds.\n\n"
        "Welke regeling past, hangt af van wat u wilt doen en hoe ver u bent. Beschrijf in "
        "uw aanvraag welke maatschappelijke opgave u aanpakt, voor wie, en hoe u het "
        "resultaat laat zien.\n\n"
        "Twijfelt u welke regeling bij u past? Stel uw vraag aan het servicepunt: een "
        "accountmanager zoekt het met u uit.",
    ),
    (
        "social-return",
        "Social return bij gemeentelijke opdrachten",
        "social-return-bij-gemeentelijke-opdrachten",
        "Wat de gemeente van opdrachtnemers vraagt aan werk voor mensen met een afstand "
        "tot de arbeidsmarkt, en hoe sociale ondernemers daarbij helpen.",
        "Krijgt u een opdracht van de gemeente Groningen, dan vraagt de gemeente vaak om "
        "social return: een deel van de opdrachtwaarde besteedt u aan werk, stages of "
        "leerwerkplekken voor mensen die moeilijk aan een baan komen.\n\n"
        "U kunt zelf iemand in dienst nemen, maar ook diensten of producten inkopen bij "
        "een sociale onderneming. Ook dat telt mee.\n\n"
        "In het bestek staat wat er bij uw opdracht geldt. Vragen over een lopende "
        "aanbesteding stelt u via de inkoopadviseur van SSC-Inkoop; voor het vinden van "
        "een sociale partner helpt het servicepunt.",
    ),
    (
        "personeel-jobcoach",
        "Een jobcoach aanvragen",
        "een-jobcoach-aanvragen",
        "Begeleiding op de werkvloer voor een medewerker met een arbeidsbeperking: wie "
        "het regelt en wat het kost.",
        "Neemt u iemand in dienst die extra begeleiding nodig heeft, dan kan een jobcoach "
        "helpen: bij het inwerken, bij het aanpassen van taken en als vast aanspreekpunt "
        "voor u en uw medewerker.\n\n"
        "Komt de medewerker via de gemeente, dan vraagt u de jobcoach aan bij de directie "
        "Werk en Maatschappelijke Participatie. De begeleiding is voor u als werkgever "
        "meestal kosteloos.\n\n"
        "Houd bij de aanvraag bij de hand: de functie, het aantal uren en wanneer de "
        "medewerker begint.",
    ),
    (
        "vergunningen",
        "Vergunning voor een buurtrestaurant",
        "vergunning-voor-een-buurtrestaurant",
        "Een restaurant of koffiehoek met een sociaal doel beginnen: welke vergunningen "
        "en meldingen u nodig hebt.",
        "Voor een buurtrestaurant hebt u meestal te maken met het bestemmingsplan (mag er "
        "horeca op deze plek?), een exploitatievergunning en, als u alcohol schenkt, een "
        "alcoholvergunning. Een terras vraagt u apart aan.\n\n"
        "Werkt u met vrijwilligers of leerlingen in de keuken, let dan op de regels voor "
        "hygiëne en voedselveiligheid.\n\n"
        "De directie Vergunningen kijkt graag vooraf met u mee. Stel uw vraag aan het "
        "servicepunt, dan zetten wij hem door.",
    ),
    (
        "impact-meten",
        "Impact meten met de Impactpad-methode",
        "impact-meten-met-de-impactpad-methode",
        "Uw maatschappelijke resultaat zichtbaar maken voor klanten, financiers en de gemeente.",
        "Het Impactpad helpt sociale ondernemers om in stappen te beschrijven welke "
        "verandering zij willen bereiken, wat zij daarvoor doen en hoe zij dat meten.\n\n"
        "Begin klein: kies twee of drie resultaten die u echt wilt volgen, bijvoorbeeld "
        "het aantal mensen dat bij u werkervaring opdoet en hoeveel van hen daarna een "
        "baan vinden.\n\n"
        "Een impactmeting helpt ook bij een subsidieaanvraag of een gesprek met een "
        "inkoper.",
    ),
    (
        "vestigingslocatie",
        "Een bedrijfsruimte vinden in Groningen",
        "een-bedrijfsruimte-vinden-in-groningen",
        "Leegstaande panden, broedplaatsen en maatschappelijk vastgoed: waar u als "
        "impactondernemer kunt zoeken.",
        "De gemeente verhuurt soms maatschappelijk vastgoed, zoals voormalige scholen en "
        "buurthuizen, aan initiatieven die iets voor de wijk doen. Daarnaast zijn er "
        "broedplaatsen met betaalbare werkplekken.\n\n"
        "Vertel ons hoeveel ruimte u zoekt, in welke wijk en wat u er gaat doen. Het "
        "servicepunt brengt u in contact met de juiste mensen.",
    ),
    (
        "duurzaamheid",
        "Uw bedrijfspand verduurzamen",
        "uw-bedrijfspand-verduurzamen",
        "Zonnepanelen, isolatie en advies: hoe u energie bespaart en wie u daarbij helpt.",
        "Een energiescan laat zien waar u het meest bespaart. Voor zonnepanelen op een "
        "bedrijfsdak zijn er soms regelingen en collectieve inkoopacties.\n\n"
        "Huurt u uw pand? Bespreek verduurzaming dan met de eigenaar; vaak delen huurder "
        "en verhuurder de kosten en de opbrengst.\n\n"
        "Vragen over verduurzaming zetten wij door naar de directie Stadsontwikkeling.",
    ),
]


@dataclass
class Demo:
    """The demo people and places, looked up once."""

    entrepreneur: User
    account_manager: User
    directorate_contact: User
    coordinator: User
    organisation: Organisation | None
    directorates: dict[str, Directorate] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Demo:
        entrepreneur = User.objects.get(email=ENTREPRENEUR)
        return cls(
            entrepreneur=entrepreneur,
            account_manager=User.objects.get(email=ACCOUNT_MANAGER),
            directorate_contact=User.objects.get(email=DIRECTORATE_CONTACT),
            coordinator=User.objects.get(email=COORDINATOR),
            organisation=entrepreneur.organisations.order_by("name").first(),
            directorates={d.slug: d for d in Directorate.objects.all()},
        )


def _topic(slug: str) -> Topic:
    return Topic.objects.get(slug=slug)


def _load_routing_rules(demo: Demo) -> None:
    for position, (topic, keywords, directorate) in enumerate(ROUTING_RULES):
        RoutingRule.objects.get_or_create(
            topic=_topic(topic),
            keywords=keywords,
            directorate=demo.directorates[directorate],
            defaults={"position": position * 10},
        )


def _load_canned_replies() -> None:
    for topic, title, body in CANNED_REPLIES:
        CannedReply.objects.get_or_create(
            title=title, defaults={"topic": _topic(topic) if topic else None, "body": body}
        )


def _load_articles(demo: Demo) -> None:
    for topic, title, slug, summary, body in ARTICLES:
        if KnowledgeArticle.objects.filter(slug=slug).exists():
            continue
        article = KnowledgeArticle(
            topic=_topic(topic), title=title, slug=slug, summary=summary, body=body
        )
        services.article_save(article=article, actor=demo.coordinator)


# Questions ------------------------------------------------------------------------------


def _ask(demo: Demo, topic: str, subject: str, text: str) -> Question:
    """The demo entrepreneur asks, logged in, for her organisation."""
    user, organisation = demo.entrepreneur, demo.organisation
    submission = services.question_submit(
        topic=_topic(topic),
        subject=subject,
        text=text,
        requester=user,
        name=user.name,
        email=user.email,
        preferred_contact=PreferredContact.EMAIL,
        organisation=organisation,
        company_name=organisation.name if organisation else "",
        kvk_number=organisation.kvk_number if organisation else "",
    )
    return submission.question


def _ask_as_guest(
    topic: str, subject: str, text: str, *, name: str, email: str, company: str, phone: str = ""
) -> Question:
    """A guest asks and confirms the address with the token of the e-mail's link."""
    submission = services.question_submit(
        topic=_topic(topic),
        subject=subject,
        text=text,
        name=name,
        email=email,
        company_name=company,
        phone=phone,
        preferred_contact=PreferredContact.PHONE if phone else PreferredContact.EMAIL,
    )
    return services.question_confirm(token=submission.confirmation_token)


def _take(demo: Demo, question: Question) -> Question:
    return services.question_assign(
        question=question, account_manager=demo.account_manager, actor=demo.account_manager
    )


def _move(demo: Demo, question: Question, to: QuestionState, reason: str = "") -> Question:
    return services.question_transition(
        question=question, to=to, actor=demo.account_manager, reason=reason
    )


def _reply(demo: Demo, question: Question, body: str, *, author=None, assignment=None):
    return services.question_reply(
        question=question, author=author or demo.account_manager, body=body, assignment=assignment
    )


def _note(demo: Demo, question: Question, body: str, *, author=None):
    return services.question_add_note(
        question=question, author=author or demo.account_manager, body=body
    )


def _assignment(question: Question, directorate: str):
    return question.assignments.get(directorate__slug=directorate)


def _new_loan(demo: Demo) -> None:
    _ask(
        demo,
        "financiering",
        "Lening voor een tweede werkplaats",
        "Onze fietsenwerkplaats in de Oosterpoort draait goed en we willen een tweede "
        "werkplaats openen in Beijum, met vier leerwerkplekken. We zoeken een lening of "
        "subsidie van ongeveer 40.000 euro voor de inrichting en het gereedschap. Welke "
        "mogelijkheden zijn er?",
    )


def _new_guest_location(demo: Demo) -> None:
    _ask_as_guest(
        "vestigingslocatie",
        "Ruimte in een leegstaand schoolgebouw",
        "Wij zijn een repair café met vrijwilligers uit de wijk en zoeken een vaste plek "
        "voor twee dagdelen per week. Er staat een oud schoolgebouw leeg aan de "
        "Siersteenlaan. Kunnen we dat huren, en bij wie moeten we zijn?",
        name="Ahmed Bakker",
        email="ahmed.bakker@example.nl",
        company="Repair Café Selwerd",
    )


def _in_progress_business_plan(demo: Demo) -> None:
    question = _ask_as_guest(
        "ondernemingsplan",
        "Meelezen met het ondernemingsplan van een kringloopwinkel",
        "Ik start een kringloopwinkel waar mensen uit de bijstand werkervaring opdoen. "
        "Mijn ondernemingsplan is bijna af. Kan iemand van de gemeente meelezen, vooral "
        "met de begroting en de afspraken over begeleiding?",
        name="Lotte Jansen",
        email="lotte.jansen@example.nl",
        company="Kringloop De Wissel",
        phone="06 12345678",
    )
    _take(demo, question)
    _move(demo, question, QuestionState.IN_PROGRESS)
    _note(
        demo,
        question,
        "Wil graag gebeld worden. Ik bel donderdag en vraag het plan op; daarna even "
        "afstemmen met WMP over de begeleiding van de medewerkers.",
    )


def _forwarded_to_two(demo: Demo) -> None:
    question = _ask(
        demo,
        "personeel-jobcoach",
        "Jobcoach en uitkering voor een nieuwe medewerker",
        "Per 1 maart neemt onze werkplaats een medewerker aan die nu een bijstandsuitkering "
        "heeft. Hij heeft in het begin begeleiding nodig. Kunnen we een jobcoach krijgen, "
        "en wat gebeurt er met zijn uitkering als hij 24 uur per week bij ons gaat werken?",
    )
    _take(demo, question)
    # The rule sent it to WMP for the jobcoach; the uitkering is a question for Inkomen.
    services.question_route(
        question=question, directorates=[demo.directorates["inkomen"]], actor=demo.account_manager
    )
    _note(
        demo,
        question,
        "Twee vragen in één: jobcoach via WMP, de gevolgen voor de uitkering bij Inkomen. "
        "Ik houd de regie en stuur de ondernemer één antwoord.",
    )
    services.assignment_transition(
        assignment=_assignment(question, "wmp"),
        to=AssignmentState.IN_PROGRESS,
        actor=demo.directorate_contact,
    )
    _note(
        demo,
        question,
        "Ik plan een kennismaking met de jobcoach in de werkplaats.",
        author=demo.directorate_contact,
    )


def _waiting_social_return(demo: Demo) -> None:
    question = _ask(
        demo,
        "social-return",
        "Social return bij een inkoopopdracht voor fietsonderhoud",
        "Een bouwbedrijf dat een opdracht van de gemeente heeft gewonnen, wil het onderhoud "
        "van hun bedrijfsfietsen bij ons inkopen om aan hun social return te voldoen. "
        "Telt dat mee, en wat moeten wij daarvoor aanleveren?",
    )
    _take(demo, question)
    _reply(
        demo,
        question,
        "Beste Sanne,\n\nDank voor uw vraag. Inkoop bij een sociale onderneming kan "
        "meetellen voor social return. Om te zien wat er voor deze opdracht geldt, hebben "
        "wij het kenmerk van de aanbesteding nodig. Kunt u dat navragen bij het "
        "bouwbedrijf?\n\nMet vriendelijke groet,\nMarieke Bos",
    )
    _move(
        demo,
        question,
        QuestionState.WAITING,
        reason="We wachten op het kenmerk van de aanbesteding.",
    )


def _answered_permit(demo: Demo) -> None:
    question = _ask(
        demo,
        "vergunningen",
        "Vergunning voor een koffiehoek in de werkplaats",
        "We willen in de werkplaats een kleine koffiehoek beginnen waar klanten kunnen "
        "wachten, gerund door onze leerlingen. Geen alcohol, wel zelfgebakken taart. Hebben "
        "we daar een vergunning voor nodig?",
    )
    _take(demo, question)
    _reply(
        demo,
        question,
        "Beste Sanne,\n\nNamens de directie Vergunningen: voor een koffiehoek zonder "
        "alcohol als onderdeel van uw werkplaats is meestal geen exploitatievergunning "
        "nodig, zolang het bestemmingsplan ondergeschikte horeca toestaat. Dat is op uw "
        "adres het geval. Let wel op de hygiëneregels voor het bereiden van "
        "voedsel.\n\nMet vriendelijke groet,\nMarieke Bos",
        assignment=_assignment(question, "vergunningen"),
    )
    _move(demo, question, QuestionState.ANSWERED)


def _closed_with_follow_up(demo: Demo) -> None:
    question = _ask(
        demo,
        "duurzaamheid",
        "Zonnepanelen op het dak van de werkplaats",
        "Wij huren ons pand en willen samen met de verhuurder zonnepanelen op het dak "
        "leggen. Is daar een regeling voor, en kan de gemeente met de verhuurder "
        "meedenken?",
    )
    _take(demo, question)
    _reply(
        demo,
        question,
        "Beste Sanne,\n\nStadsontwikkeling heeft gekeken: er is een collectieve "
        "inkoopactie voor zonnepanelen op bedrijfsdaken waar u samen met uw verhuurder "
        "aan mee kunt doen. De adviseur neemt contact op met uw verhuurder.\n\nMet "
        "vriendelijke groet,\nMarieke Bos",
        assignment=_assignment(question, "stadsontwikkeling"),
    )
    _move(demo, question, QuestionState.ANSWERED)
    _move(demo, question, QuestionState.CLOSED)
    follow_up = services.follow_up_send(question_id=question.pk)
    services.follow_up_answer(
        token=follow_up.token, helped=True, comment="Snel en duidelijk antwoord, dank jullie wel!"
    )


def _reopened_impact(demo: Demo) -> None:
    question = _ask_as_guest(
        "impact-meten",
        "Impact meten voor een subsidieaanvraag",
        "Voor een subsidieaanvraag moeten we onze maatschappelijke impact laten zien. "
        "Wij zijn een schoonmaakbedrijf met twaalf medewerkers met een arbeidsbeperking. "
        "Hoe pakken we dat aan?",
        name="Peter Peers",
        email="peter@peers-schoonmaak.example",
        company="Peers Schoonmaak en Groen",
    )
    _take(demo, question)
    _move(demo, question, QuestionState.IN_PROGRESS)
    _reply(
        demo,
        question,
        "Beste Peter,\n\nIn de kennisbank staat een artikel over de Impactpad-methode. "
        "Begin met twee of drie resultaten, zoals het aantal medewerkers dat bij u "
        "doorgroeit. Wij lezen graag mee met uw aanvraag.\n\nMet vriendelijke groet,\n"
        "Marieke Bos",
    )
    _move(demo, question, QuestionState.ANSWERED)
    _move(demo, question, QuestionState.CLOSED)
    services.question_entrepreneur_reply(
        question=question,
        author=None,
        body="Dank! Ik heb nog een vraag: mogen we ook de vrijwilligers meetellen?",
    )
    _note(demo, question, "Heropend door een vervolgvraag van de ondernemer. Ik bel hem.")


# subject: what makes that question (in the state the list says)
QUESTIONS: dict[str, Callable[[Demo], None]] = {
    "Lening voor een tweede werkplaats": _new_loan,  # new
    "Ruimte in een leegstaand schoolgebouw": _new_guest_location,  # new, guest
    "Meelezen met het ondernemingsplan van een kringloopwinkel": _in_progress_business_plan,
    "Jobcoach en uitkering voor een nieuwe medewerker": _forwarded_to_two,
    "Social return bij een inkoopopdracht voor fietsonderhoud": _waiting_social_return,
    "Vergunning voor een koffiehoek in de werkplaats": _answered_permit,
    "Zonnepanelen op het dak van de werkplaats": _closed_with_follow_up,
    "Impact meten voor een subsidieaanvraag": _reopened_impact,
}


@transaction.atomic
def load_demo_questions() -> int:
    """Load the service point's demo data; returns how many questions were created."""
    demo = Demo.load()
    _load_routing_rules(demo)
    _load_canned_replies()
    _load_articles(demo)
    created = 0
    for subject, make in QUESTIONS.items():
        if not Question.objects.filter(subject=subject).exists():
            make(demo)
            created += 1
    return created


def register_demo() -> None:
    from impactportal import demo

    demo.register("servicepoint", load_demo_questions, order=10)
