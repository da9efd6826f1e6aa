"""Demo data for Platform Goed Inkopen (``make run``): about 25 impact companies from the
North of the kinds the programme works with: a social firm that cleans, a circular
furniture workshop, a catering social enterprise, bike couriers, a reintegration company,
printers, IT refurbishers and more, with their products, labels and MVOI themes.

Every state occurs: draft, waiting for verification, sent back, verified, withdrawn, a
verified profile that is "niet recent bevestigd", one with an expired label and one whose
label expires within three months. The demo procurement officer has two shortlists and
has sent one inquiry. The company of the demo entrepreneur (Fietsenwerkplaats
Oosterpoort) has a verified profile, so that login can edit it.

Everything goes through the services (create, products, labels, submit, verify by the
demo coordinator, send back, withdraw, confirm, shortlists, inquiry), so search vectors,
the typo word list, audit history and outbox e-mails are what they would be for real.
The companies are made up. Run ``accounts.demo.load_demo_accounts()`` first.

Idempotent: a supplier is keyed on its organisation's KvK number, shortlists on their
title, the inquiry on its subject; running it again creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts import services as account_services
from accounts.constants import MembershipRole, OrganisationKind
from accounts.demo import DEMO_PASSWORD
from accounts.models import Organisation, User
from accounts.roles import Role

from . import services
from .constants import LabelKind, MvoiTheme, PsoLevel, Region, SizeClass, SupplierState
from .models import Category, Inquiry, Shortlist, Supplier

COORDINATOR = "coordinator@demo.impactportaal.nl"
INKOPER = "inkoper@demo.impactportaal.nl"
ENTREPRENEUR = "ondernemer@demo.impactportaal.nl"

T, L, P, R, S = MvoiTheme, LabelKind, PsoLevel, Region, SizeClass
ST = SupplierState

# State of a demo profile beyond the five workflow states.
NOT_RECENT = "not-recently-confirmed"


@dataclass(frozen=True)
class DemoLabel:
    kind: LabelKind
    # PSO level, or the name of another label
    detail: str = ""
    # Days from today; a negative ``until`` is an expired label.
    since: int = -400
    until: int = 500


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    kvk: str
    person: str  # the member who owns the profile
    email: str
    municipality: str
    region: Region
    size: SizeClass
    themes: tuple[MvoiTheme, ...]
    sdgs: tuple[int, ...]
    short: str
    description: str
    products: tuple[tuple[str, str, str], ...]  # name, description, category code
    labels: tuple[DemoLabel, ...] = ()
    impact_first: bool = True
    share: int | None = None
    state: str = ST.VERIFIED
    # Days ago the coordinator verified it (verified profiles).
    verified: int = 60
    website: str = ""
    phone: str = ""
    review_note: str = ""
    extra: dict = field(default_factory=dict)


FIETSENWERKPLAATS = "Fietsenwerkplaats Oosterpoort"

SUPPLIERS = [
    DemoSupplier(
        FIETSENWERKPLAATS,
        "72345678",
        "Sanne de Vries",
        ENTREPRENEUR,
        "Groningen",
        R.CITY,
        S.SMALL,
        (T.SOCIAL_RETURN, T.CIRCULAR),
        (8, 10, 12),
        "Fietsreparatie en onderhoud van dienstfietsen door mensen met een afstand tot de "
        "arbeidsmarkt.",
        "In onze werkplaats in de Oosterpoort leren mensen met een afstand tot de "
        "arbeidsmarkt het vak van fietstechnicus. Wij onderhouden de dienstfietsen van "
        "gemeentelijke locaties en scholen, ook op locatie met onze servicebus. Gedoneerde "
        "kinderfietsen knappen we op voor gezinnen met een smalle beurs.",
        (
            ("Fietsonderhoud op locatie", "Onderhoud van dienstfietsen bij u.", "50800000"),
            ("Kinderfietsen", "Opgeknapte kinderfietsen voor gezinnen.", "50800000"),
        ),
        (DemoLabel(L.PSO, P.STEP_1, since=-300, until=800),),
        share=60,
        verified=120,
        website="https://fietsenwerkplaats.example",
        phone="050 123 4567",
    ),
    DemoSupplier(
        "Schoon & Sterk Schoonmaak",
        "80100011",
        "Marco Veldman",
        "schoonensterk@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.MEDIUM,
        (T.SOCIAL_RETURN, T.ENVIRONMENT),
        (8, 10, 6),
        "Schoonmaak van kantoren en scholen door vaste teams, waarvan de helft een "
        "afstand tot de arbeidsmarkt had.",
        "Schoon & Sterk is een sociaal schoonmaakbedrijf. Onze schoonmakers werken in vaste "
        "teams en stromen na een opleiding door naar een vaste baan. Wij gebruiken "
        "milieuvriendelijke middelen en microvezeldoeken. Met een opdracht aan ons vult u "
        "direct uw Social Return-verplichting in.",
        (
            ("Kantoorschoonmaak", "Dagelijkse schoonmaak van kantoren.", "90900000"),
            ("Schoonmaak van scholen", "Na schooltijd, door vaste teams.", "90900000"),
        ),
        (DemoLabel(L.PSO, P.STEP_2, since=-200, until=900),),
        share=50,
        verified=200,
        extra={"confirm": 20},
    ),
    DemoSupplier(
        "Houtkracht Circulaire Meubels",
        "80100022",
        "Jelle Hiemstra",
        "houtkracht@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.SMALL,
        (T.CIRCULAR, T.CLIMATE),
        (12, 13, 9),
        "Circulaire kantoormeubels van sloophout en gereviseerd meubilair.",
        "Oude bureaus en stoelen reviseren we, zodat ze jaren meegaan. Wat niet meer te "
        "redden is, wordt in onze houtwerkplaats een nieuwe tafel of kast van sloophout. "
        "Circulair inkopen van meubilair scheelt tot zeventig procent CO2.",
        (
            ("Kantoormeubilair", "Gereviseerde bureaus, stoelen en kasten.", "39100000"),
            ("Maatwerk tafels", "Tafels van gerecycled eikenhout.", "39100000"),
            ("Herstoffering", "Nieuwe stof op bestaande stoelen.", "39500000"),
        ),
        (DemoLabel(L.BCORP, since=-500, until=600),),
        impact_first=False,
        share=15,
        verified=90,
    ),
    DemoSupplier(
        "De Stadskeuken",
        "80100033",
        "Aylin Öztürk",
        "stadskeuken@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.SMALL,
        (T.SOCIAL_RETURN, T.SUPPLY_CHAIN, T.DIVERSITY),
        (2, 8, 10),
        "Een sociale keuken die lunches en buffetten verzorgt, met statushouders in opleiding.",
        "In onze keuken leren statushouders en jongeren het koksvak, met een erkend diploma "
        "als doel. Wij koken met seizoensgroenten van boeren uit Groningen en Drenthe. Wat "
        "overblijft gaat naar de voedselbank.",
        (
            ("Lunchcatering", "Broodjes, soep en salades voor vergaderingen.", "55520000"),
            ("Buffetten", "Warm en koud, ook vegetarisch.", "55520000"),
        ),
        (DemoLabel(L.CODE_SOCIAL, since=-700, until=400),),
        share=70,
        verified=30,
    ),
    DemoSupplier(
        "Trapkracht Fietskoeriers",
        "80100044",
        "Daan Kuipers",
        "trapkracht@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.MICRO,
        (T.CLIMATE, T.SOCIAL_RETURN),
        (11, 13, 8),
        "Emissievrije bezorging van post en pakketten in de binnenstad, met bakfietsen.",
        "Onze koeriers bezorgen zonder uitstoot in de hele stad. Dagelijks halen we de "
        "interne post op bij gemeentelijke locaties. Een deel van onze koeriers werkt bij "
        "ons via een werkervaringsplaats.",
        (
            ("Koeriersdiensten", "Spoedzendingen binnen de stad.", "60160000"),
            ("Postbezorging", "Interne post tussen locaties.", "60160000"),
        ),
        # Expires within three months: the owner has had the reminder.
        (DemoLabel(L.PSO, P.BASE, since=-700, until=45),),
        share=35,
        verified=150,
    ),
    DemoSupplier(
        "Kansrijk Werk Re-integratie",
        "80100055",
        "Nadia Haddou",
        "kansrijkwerk@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.MEDIUM,
        (T.SOCIAL_RETURN, T.DIVERSITY),
        (8, 10, 4),
        "Re-integratie en jobcoaching voor mensen met een afstand tot de arbeidsmarkt.",
        "Wij begeleiden mensen met een afstand tot de arbeidsmarkt naar passend werk, en "
        "helpen werkgevers bij inclusief werkgeverschap. Zorg en werk sluiten bij ons op "
        "elkaar aan. Ook helpen wij opdrachtnemers hun Social Return slim in te vullen.",
        (
            ("Jobcoaching", "Begeleiding op de werkplek.", "85300000"),
            ("Re-integratietrajecten", "Trajecten naar werk en participatie.", "79600000"),
            ("Social Return advies", "Invulling van Social Return.", "79600000"),
        ),
        (DemoLabel(L.PSO, P.STEP_3, since=-100, until=1000),),
        share=40,
        verified=45,
    ),
    DemoSupplier(
        "Drukkerij De Noorderpers",
        "80100066",
        "Harm Doornbos",
        "noorderpers@demo.impactportaal.nl",
        "Het Hogeland",
        R.PROVINCE,
        S.SMALL,
        (T.ENVIRONMENT, T.SOCIAL_RETURN),
        (12, 8),
        "Duurzaam drukwerk op gerecycled papier, gedrukt door een gemengd team.",
        "Wij drukken op FSC-papier met inkten op plantaardige basis. In onze drukkerij "
        "werken mensen met een arbeidsbeperking naast vakmensen.",
        (
            ("Drukwerk", "Brochures, flyers en jaarverslagen.", "79800000"),
            ("Posters en banners", "Groot formaat op gerecycled materiaal.", "22000000"),
        ),
        # The PSO certificate has expired: it no longer counts in search.
        (DemoLabel(L.PSO, P.ASPIRANT, since=-800, until=-20),),
        impact_first=False,
        share=20,
        verified=250,
        extra={"confirm": 10},
    ),
    DemoSupplier(
        "Byte2Byte Refurbish",
        "80100077",
        "Youssef El Idrissi",
        "byte2byte@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.SMALL,
        (T.CIRCULAR, T.SOCIAL_RETURN),
        (4, 10, 12),
        "Refurbished laptops met garantie en gecertificeerd wissen van afgeschreven ICT.",
        "Afgeschreven laptops wissen we gecertificeerd en maken we weer klaar voor gebruik. "
        "Via de Stadjerspas leveren wij laptops aan mensen rond de armoedegrens. Zo "
        "verlengen we de levensduur van apparatuur en voorkomen we e-waste.",
        (
            ("Refurbished laptops", "Gecontroleerde laptops met drie jaar garantie.", "30200000"),
            ("Dataverwijdering", "Gecertificeerd wissen van harde schijven.", "30200000"),
        ),
        (DemoLabel(L.BCORP, since=-300, until=800),),
        share=25,
        verified=75,
    ),
    DemoSupplier(
        "Groenploeg Hunzedal",
        "80100088",
        "Gerda Boerema",
        "groenploeg@demo.impactportaal.nl",
        "Aa en Hunze",
        R.DRENTHE,
        S.MEDIUM,
        (T.ENVIRONMENT, T.SOCIAL_RETURN),
        (15, 8, 13),
        "Groenonderhoud van parken en schoolpleinen met werkleertrajecten.",
        "Onze groenploegen bestaan uit vakmensen en deelnemers in een werkleertraject. Wij "
        "beheren groen natuurinclusief, met aandacht voor bijen en vlinders.",
        (
            ("Groenonderhoud", "Maaien, snoeien en onkruidbeheer.", "77300000"),
            ("Bloemrijke bermen", "Inzaaien en beheren van bermen.", "77300000"),
        ),
        (DemoLabel(L.PSO, P.STEP_1, since=-600, until=300),),
        share=45,
        # Verified long ago and not confirmed since: "niet recent bevestigd".
        state=NOT_RECENT,
        verified=520,
    ),
    DemoSupplier(
        "Naaiatelier Draad & Kans",
        "80100099",
        "Fatima Amrani",
        "draadenkans@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.MICRO,
        (T.CIRCULAR, T.DIVERSITY),
        (5, 12, 10),
        "Een sociaal atelier dat bouwdoek en banners vermaakt tot tassen en etuis.",
        "In ons atelier krijgen vrouwen met een migratieachtergrond de kans zich te "
        "ontwikkelen. Oud bouwdoek en banners vermaken we tot relatiegeschenken.",
        (
            ("Upcycling", "Tassen en etuis van oud bouwdoek.", "39500000"),
            ("Bedrijfskleding", "Duurzame werkkleding met bedrukking.", "18100000"),
        ),
        (DemoLabel(L.CODE_SOCIAL, since=-200, until=700),),
        share=80,
        verified=20,
    ),
    DemoSupplier(
        "Koffiebranderij Eerlijk Noord",
        "80100101",
        "Tjeerd Sikkema",
        "eerlijknoord@demo.impactportaal.nl",
        "Leeuwarden",
        R.FRYSLAN,
        S.SMALL,
        (T.SUPPLY_CHAIN, T.SOCIAL_RETURN),
        (2, 8, 12, 17),
        "Eerlijke koffie en thee voor kantoren, direct van coöperaties van boeren.",
        "Onze bonen kopen we rechtstreeks in bij coöperaties in Ethiopië en Peru. De koffie "
        "wordt gebrand en verpakt door mensen met een beperking.",
        (
            ("Koffiebonen", "Biologische bonen, vers gebrand.", "15860000"),
            ("Thee", "Losse thee uit eerlijke handel.", "15860000"),
        ),
        (DemoLabel(L.OTHER, "Fairtrade", since=-300, until=700),),
        impact_first=False,
        share=30,
        verified=110,
    ),
    DemoSupplier(
        "Wasserij Het Schone Laken",
        "80100112",
        "Ingrid Wierenga",
        "schonelaken@demo.impactportaal.nl",
        "Midden-Groningen",
        R.PROVINCE,
        S.MEDIUM,
        (T.SOCIAL_RETURN, T.ENVIRONMENT),
        (8, 6),
        "Wasserij voor zorginstellingen, horeca en sportclubs, met begeleide teams.",
        "In de wasserij werken mensen met een beperking in een begeleid team. Wij werken met "
        "groene stroom en hergebruiken spoelwater.",
        (("Wasservice", "Wassen en strijken van bedrijfstextiel.", "98310000"),),
        (DemoLabel(L.PSO, P.STEP_2, since=-400, until=600),),
        share=65,
        verified=300,
        extra={"confirm": 40},
    ),
    DemoSupplier(
        "Digitaal Talent Groningen",
        "80100123",
        "Rutger Holtman",
        "digitaaltalent@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.SMALL,
        (T.DIVERSITY, T.SOCIAL_RETURN),
        (8, 10, 9),
        "Softwaretesten en toegankelijke websites door neurodivers talent.",
        "Onze testers en ontwikkelaars hebben vaak autisme en een oog voor detail. Wij "
        "bouwen toegankelijke websites volgens WCAG.",
        (
            ("Softwaretesten", "Handmatig en geautomatiseerd testen.", "72200000"),
            ("Websites", "Toegankelijke websites volgens WCAG.", "72200000"),
        ),
        (DemoLabel(L.CODE_SOCIAL, since=-100, until=900),),
        share=55,
        verified=15,
    ),
    DemoSupplier(
        "Zonnewerk Coöperatie Ommeland",
        "80100134",
        "Pieter Zuidema",
        "zonnewerk@demo.impactportaal.nl",
        "Westerkwartier",
        R.PROVINCE,
        S.SMALL,
        (T.CLIMATE,),
        (7, 13),
        "Zonnepanelen op scholen en dorpshuizen, geplaatst door een energiecoöperatie.",
        "Wij plaatsen zonnepanelen en isoleren daken van maatschappelijk vastgoed. De "
        "opbrengst gaat terug naar het dorp.",
        (
            ("Zonnepanelen", "Installatie op daken.", "45300000"),
            ("Isolatie", "Dak- en vloerisolatie.", "45300000"),
        ),
        (DemoLabel(L.OTHER, "CO2-Prestatieladder", since=-500, until=400),),
        impact_first=False,
        verified=130,
    ),
    DemoSupplier(
        "Kringloopbedrijf De Tweede Ronde",
        "80100145",
        "Henk Schuiling",
        "tweederonde@demo.impactportaal.nl",
        "Veendam",
        R.PROVINCE,
        S.MEDIUM,
        (T.CIRCULAR, T.SOCIAL_RETURN),
        (12, 8),
        "Ontruiming met hergebruik, inzameling en een kringloopwinkel.",
        "In onze kringloopwinkel krijgen spullen een tweede leven. Bij een ontruiming "
        "hergebruiken we de inventaris; wat overblijft wordt gescheiden gerecycled.",
        (
            ("Ontruiming", "Ontruiming met hergebruik van inventaris.", "90500000"),
            ("Afvalinzameling", "Gescheiden inzameling bij bedrijven.", "90500000"),
        ),
        (DemoLabel(L.PSO, P.STEP_1, since=-300, until=700),),
        share=50,
        verified=60,
    ),
    DemoSupplier(
        "Taalhuis aan het Werk",
        "80100156",
        "Esther Bolt",
        "taalhuis@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.MICRO,
        (T.SOCIAL_RETURN, T.DIVERSITY),
        (4, 10),
        "Taalcursussen op de werkvloer voor statushouders en nieuwkomers.",
        "Statushouders leren bij ons de Nederlandse taal op de werkvloer. Onze cursussen "
        "combineren taal, werkervaring en begeleiding.",
        (("Taalcursussen", "Nederlands op de werkvloer.", "80500000"),),
        verified=25,
    ),
    DemoSupplier(
        "Administratiekantoor Cijferkracht",
        "80100167",
        "Marloes Kramer",
        "cijferkracht@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.SMALL,
        (T.SOCIAL_RETURN, T.DIVERSITY),
        (8, 10),
        "Administratie, scanwerk en digitalisering van archieven door talent met autisme.",
        "Mensen het gevoel geven dat ze ertoe doen, dat is impact voor ons. Wij "
        "digitaliseren archieven voor gemeenten en woningcorporaties.",
        (
            ("Digitalisering", "Scannen en indexeren van archieven.", "72200000"),
            ("Administratie", "Boekhouding en salarisadministratie.", "72200000"),
        ),
        (DemoLabel(L.PSO, P.BASE, since=-200, until=500),),
        share=45,
        verified=180,
    ),
    DemoSupplier(
        "Bouwbedrijf De Wijk Werkt",
        "80100178",
        "Geert Dekker",
        "wijkwerkt@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.MEDIUM,
        (T.SOCIAL_RETURN, T.CLIMATE),
        (8, 11, 4),
        "Renovatie en verduurzaming van woningen met leerwerkplekken in de wijk.",
        "In het project de wijk als leerwerkplek volgen deelnemers een MBO2-opleiding in de "
        "bouw. Na de opleiding bieden wij hun aansluitend een baan aan.",
        (
            ("Renovatie", "Renovatie van woningen en scholen.", "45400000"),
            ("Timmerwerk", "Kozijnen, deuren en trappen.", "45200000"),
        ),
        (DemoLabel(L.PSO, P.STEP_2, since=-300, until=600),),
        impact_first=False,
        share=20,
        verified=95,
    ),
    DemoSupplier(
        "Glashelder Glazenwassers",
        "80100189",
        "Sjoerd Hoekstra",
        "glashelder@demo.impactportaal.nl",
        "Smallingerland",
        R.FRYSLAN,
        S.SMALL,
        (T.SOCIAL_RETURN, T.ENVIRONMENT),
        (8, 6),
        "Glasbewassing met osmosewater, zonder chemicaliën, door vaste ploegen.",
        "Glazenwassen doen we met zuiver water. Onze glazenwassers zijn vakmensen en "
        "leerlingen die bij ons hun vak leren.",
        (("Glazenwassen", "Glasbewassing, ook op hoogte.", "90900000"),),
        verified=70,
    ),
    DemoSupplier(
        "Zorgboerderij De Wierde",
        "80100190",
        "Janna Venema",
        "dewierde@demo.impactportaal.nl",
        "Tynaarlo",
        R.DRENTHE,
        S.SMALL,
        (T.ENVIRONMENT, T.SUPPLY_CHAIN),
        (2, 3, 15),
        "Biologische groenten en groentepakketten van een zorgboerderij.",
        "Op onze zorgboerderij werken deelnemers met begeleiding mee op het land. Wij "
        "leveren groenten van het seizoen aan kantines in de stad.",
        (
            ("Groente en fruit", "Biologische seizoensgroenten.", "03100000"),
            ("Groentepakketten", "Wekelijks pakket voor medewerkers.", "03100000"),
        ),
        (DemoLabel(L.CODE_SOCIAL, since=-400, until=300),),
        share=60,
        verified=40,
    ),
    # Not (or no longer) on the platform.
    DemoSupplier(
        "Feestfabriek Noord",
        "80100201",
        "Bram Nijboer",
        "feestfabriek@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.SMALL,
        (T.ENVIRONMENT, T.DIVERSITY),
        (12, 11),
        "Evenementen zonder afval, met vrijwilligers uit de wijk.",
        "Onze evenementen zijn afvalvrij: herbruikbare bekers en statiegeld.",
        (("Evenementenorganisatie", "Congressen en bedrijfsfeesten.", "79950000"),),
        impact_first=False,
        state=ST.SUBMITTED,
    ),
    DemoSupplier(
        "Inclusief Bezorgd",
        "80100212",
        "Mehmet Yildiz",
        "inclusiefbezorgd@demo.impactportaal.nl",
        "Assen",
        R.DRENTHE,
        S.MICRO,
        (T.SOCIAL_RETURN,),
        (8, 10),
        "Postbezorging en pakketdienst met mensen met een beperking.",
        "Wij bezorgen post voor bedrijven en instellingen in Assen en omgeving.",
        (("Postbezorging", "Interne post tussen locaties.", "60160000"),),
        state=ST.SUBMITTED,
    ),
    DemoSupplier(
        "Bakkerij Zuurdesem & Zo",
        "80100223",
        "Annemarie Pronk",
        "zuurdesem@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.MICRO,
        (T.SOCIAL_RETURN,),
        (2, 8),
        "Brood en gebak uit een leerbakkerij.",
        "",
        (("Brood en gebak", "Vers uit onze bakkerij.", "55520000"),),
        state=ST.DRAFT,
    ),
    DemoSupplier(
        "Studio Beeldkracht",
        "80100234",
        "Lisa Mulder",
        "beeldkracht@demo.impactportaal.nl",
        "Groningen",
        R.CITY,
        S.MICRO,
        (T.DIVERSITY,),
        (4, 8),
        "Fotografie en video voor maatschappelijke organisaties.",
        "Elke multimedia-opdracht geeft jongeren werkervaring, zelfvertrouwen en structuur.",
        (("Video", "Films en animaties voor campagnes.", "79340000"),),
        state=ST.SENT_BACK,
        review_note=(
            "Vertel wat meer over hoe jongeren bij u werkervaring opdoen en voeg een foto- "
            "of videoportfolio toe als product."
        ),
    ),
    DemoSupplier(
        "LED-licht Noord",
        "80100245",
        "Rinske Postma",
        "ledlichtnoord@demo.impactportaal.nl",
        "Emmen",
        R.DRENTHE,
        S.SMALL,
        (T.CLIMATE, T.CIRCULAR),
        (7, 12),
        "LED-verlichting als dienst, met terugname van armaturen.",
        "Wij vervangen verlichting door LED en halveren zo het verbruik.",
        (("LED-verlichting", "Armaturen als dienst, met terugname.", "31500000"),),
        impact_first=False,
        state=ST.WITHDRAWN,
        verified=200,
    ),
]

SHORTLISTS = [
    (
        "Schoonmaak stadskantoren 2027",
        "INK-2026-114",
        ["Schoon & Sterk Schoonmaak", "Glashelder Glazenwassers", "Wasserij Het Schone Laken"],
    ),
    (
        "Catering Inkoop Meets Impact",
        "INK-2026-131",
        ["De Stadskeuken", "Koffiebranderij Eerlijk Noord", "Zorgboerderij De Wierde"],
    ),
]
INQUIRY_SUBJECT = "Marktverkenning schoonmaak stadskantoren 2027"
INQUIRY_MESSAGE = (
    "Goedemiddag,\n\nDe gemeente Groningen bereidt de aanbesteding voor de schoonmaak van "
    "drie stadskantoren voor (start 1 maart 2027). Wij verkennen de markt en zijn benieuwd "
    "of u belangstelling hebt, welke capaciteit u heeft en hoe u Social Return invult.\n\n"
    "Een korte reactie vóór het einde van de maand is welkom.\n\nMet vriendelijke groet,\n"
    "Fatma Yilmaz, SSC-Inkoop"
)


def _user(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        account_services.user_grant_role(user=user, role=Role.ENTREPRENEUR, actor=None)
    return user


def _organisation(spec: DemoSupplier, owner: User) -> Organisation:
    organisation = Organisation.objects.filter(kvk_number=spec.kvk, branch_number="").first()
    if organisation is None:
        organisation = account_services.organisation_create(
            actor=None,
            name=spec.name,
            kind=OrganisationKind.COMPANY,
            kvk_number=spec.kvk,
            city=spec.municipality,
            website=spec.website,
        )
    # A no-op (no e-mail, no audit) when the membership is already there.
    account_services.membership_add(
        organisation=organisation, user=owner, role=MembershipRole.ADMIN, actor=None
    )
    return organisation


def _make_supplier(spec: DemoSupplier, coordinator: User, categories: dict) -> Supplier:
    owner = _user(spec.email, spec.person)
    organisation = _organisation(spec, owner)
    now = timezone.now()
    today = timezone.localdate()
    supplier = services.supplier_create(
        organisation=organisation,
        actor=owner,
        data={
            "name": spec.name,
            "kvk_number": spec.kvk,
            "short_description": spec.short,
            "description": spec.description,
            "themes": [str(theme) for theme in spec.themes],
            "sdgs": list(spec.sdgs),
            "impact_first": spec.impact_first,
            "target_group_share": spec.share,
            "municipality": spec.municipality,
            "region": spec.region,
            "size": spec.size,
            "website": spec.website or f"https://{slugify(spec.name)}.example",
            "contact_name": spec.person,
            "contact_email": spec.email,
            "contact_phone": spec.phone,
        },
    )
    for name, description, code in spec.products:
        services.product_save(
            supplier=supplier,
            actor=owner,
            data={"name": name, "description": description, "category": categories[code]},
        )
    for label in spec.labels:
        services.label_save(
            supplier=supplier,
            actor=owner,
            data={
                "kind": label.kind,
                "pso_level": label.detail if label.kind == L.PSO else "",
                "name": label.detail if label.kind == L.OTHER else "",
                "valid_from": today + timedelta(days=label.since),
                "valid_until": today + timedelta(days=label.until),
            },
        )
    if spec.state == ST.DRAFT:
        return supplier
    verified_at = now - timedelta(days=spec.verified)
    submitted_at = verified_at - timedelta(days=3) if spec.state != ST.SUBMITTED else None
    supplier = services.supplier_submit(supplier=supplier, actor=owner, now=submitted_at)
    if spec.state == ST.SENT_BACK:
        return services.supplier_send_back(
            supplier=supplier, actor=coordinator, note=spec.review_note
        )
    if spec.state == ST.SUBMITTED:
        return supplier
    supplier = services.supplier_verify(supplier=supplier, actor=coordinator, now=verified_at)
    if spec.state == NOT_RECENT:
        # Asked to confirm a year after the check, and never answered.
        services.supplier_request_reconfirmation(
            supplier=supplier, now=verified_at + timedelta(days=365)
        )
    elif "confirm" in spec.extra:
        services.supplier_request_reconfirmation(
            supplier=supplier, now=now - timedelta(days=spec.extra["confirm"] + 5)
        )
        supplier = services.supplier_confirm(
            supplier=supplier, actor=owner, now=now - timedelta(days=spec.extra["confirm"])
        )
    if spec.state == ST.WITHDRAWN:
        supplier = services.supplier_withdraw(supplier=supplier, actor=owner)
    for label in supplier.labels.filter(valid_until__lte=today + timedelta(days=91)):
        if label.valid_until >= today:
            services.label_send_expiry_reminder(label=label)
    return supplier


def _load_buyer(inkoper: User) -> None:
    by_name = {supplier.name: supplier for supplier in Supplier.objects.all()}
    for title, reference, names in SHORTLISTS:
        shortlist = Shortlist.objects.filter(owner=inkoper, title=title).first()
        if shortlist is None:
            shortlist = services.shortlist_create(owner=inkoper, title=title, reference=reference)
            for n, name in enumerate(names):
                services.shortlist_add(
                    shortlist=shortlist,
                    supplier=by_name[name],
                    actor=inkoper,
                    note="Gesproken op Inkoop Meets Impact." if n == 0 else "",
                )
    if not Inquiry.objects.filter(sender=inkoper, subject=INQUIRY_SUBJECT).exists():
        shortlist = Shortlist.objects.get(owner=inkoper, title=SHORTLISTS[0][0])
        services.inquiry_send(
            sender=inkoper,
            suppliers=[entry.supplier for entry in shortlist.entries.select_related("supplier")],
            subject=INQUIRY_SUBJECT,
            message=INQUIRY_MESSAGE,
            shortlist=shortlist,
        )


@transaction.atomic
def load_demo_suppliers() -> int:
    """Load the Platform Goed Inkopen demo data; returns how many suppliers were made."""
    coordinator = User.objects.get(email=COORDINATOR)
    categories = {category.code: category for category in Category.objects.all()}
    made = 0
    for spec in SUPPLIERS:
        if not Supplier.objects.filter(organisation__kvk_number=spec.kvk).exists():
            _make_supplier(spec, coordinator, categories)
            made += 1
    _load_buyer(User.objects.get(email=INKOPER))
    return made


def register_demo() -> None:
    from impactportal import demo

    demo.register("procurement", load_demo_suppliers, order=40)
