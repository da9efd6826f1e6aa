"""Seed Platform Goed Inkopen with N realistic suppliers from the North, fast.

For the search benchmark (``manage.py benchmark_search``) and for trying the search at
scale. Everything is bulk-inserted in batches, then one set-based call of
``services.supplier_reindex()`` builds every search vector and category list and
``services.search_words_rebuild()`` the typo vocabulary.

The vocabulary comes from the programme's own texts: the six MVOI themes, Social
Return, PSO, leerwerkplekken, statushouders, mensen met een afstand tot de
arbeidsmarkt, circulair inkopen. Words are spread the way they would be in a real
directory: some ("arbeidsmarkt", "circulair") occur in tens of thousands of profiles,
most (a product, a place, a family name) in a few hundred or fewer, so full-text
selectivity is realistic.

Seeded organisations have KvK numbers from ``SEED_KVK_FIRST`` on (99000001 and up);
that is how ``--replace`` finds them again, so seeded rows never mix silently with
demo or real data. Deterministic for a given ``--seed`` and day.
"""

from __future__ import annotations

import os
import queue
import random
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.constants import OrganisationKind
from accounts.models import Organisation
from procurement import services
from procurement.constants import (
    LabelKind,
    MvoiTheme,
    PsoLevel,
    Region,
    SizeClass,
    SupplierState,
)
from procurement.models import Category, Label, Product, Supplier

SEED_KVK_FIRST = 99_000_001
SEED_KVK_LAST = 99_999_999

T = MvoiTheme


@dataclass(frozen=True)
class Sector:
    """A line of business: the words its names, descriptions and products are made of."""

    key: str
    # Trade words for names ("Schoonmaak", "Glazenwasserij"), and short stems that are
    # glued to other words ("Schoon" + "kracht").
    trades: tuple[str, ...]
    stems: tuple[str, ...]
    # What the company does, as the start of its short description.
    activities: tuple[str, ...]
    # Sentences for the long description.
    sentences: tuple[str, ...]
    # (name, description, leaf category code)
    products: tuple[tuple[str, str, str], ...]
    themes: tuple[str, ...]
    impact_first: float = 0.5


SECTORS = (
    Sector(
        "schoonmaak",
        ("Schoonmaak", "Schoonmaakdiensten", "Glazenwasserij", "Facilitair"),
        ("Schoon", "Glans", "Fris", "Helder", "Poets", "Sop", "Blink"),
        (
            "Schoonmaak van kantoren, scholen en sportzalen",
            "Dagelijkse schoonmaak en glasbewassing voor bedrijven en instellingen",
            "Groene schoonmaak van gemeentelijke gebouwen en zorglocaties",
        ),
        (
            "Onze schoonmakers werken in vaste teams, zodat opdrachtgevers weten wie er komt.",
            "Wij gebruiken milieuvriendelijke schoonmaakmiddelen en microvezeldoeken.",
            "Na een opleiding tot schoonmaker stromen medewerkers door naar een vaste baan.",
            "Glazenwassen doen we met zuiver water, zonder chemicaliën.",
        ),
        (
            ("Kantoorschoonmaak", "Dagelijkse of wekelijkse schoonmaak van kantoren.", "90900000"),
            ("Glazenwassen", "Glasbewassing met osmosewater, ook op hoogte.", "90900000"),
            ("Schoonmaak van scholen", "Schoonmaak na schooltijd door vaste teams.", "90900000"),
            ("Opleveringsschoonmaak", "Bouwschoonmaak na renovatie of nieuwbouw.", "90900000"),
            ("Groene schoonmaakmiddelen", "Ecologische middelen met keurmerk.", "39800000"),
        ),
        (T.SOCIAL_RETURN, T.ENVIRONMENT, T.DIVERSITY),
        0.5,
    ),
    Sector(
        "catering",
        ("Catering", "Lunchroom", "Kantine", "Keuken", "Eetcafé", "Bistro"),
        ("Smaak", "Kook", "Tafel", "Soep", "Brood", "Lepel", "Pan", "Proef"),
        (
            "Catering voor vergaderingen, evenementen en bedrijfslunches",
            "Een sociale keuken die lunches en buffetten verzorgt",
            "Bedrijfscatering met seizoensgroenten van boeren uit de regio",
        ),
        (
            "In onze keuken leren statushouders en jongeren het koksvak.",
            "Wij koken met seizoensproducten van boeren uit Groningen en Drenthe.",
            "Voedselverspilling gaan we tegen: wat overblijft gaat naar de voedselbank.",
            "Onze leerwerkplekken in de horeca leiden op tot een erkend diploma.",
        ),
        (
            ("Lunchcatering", "Broodjes, soep en salades voor vergaderingen.", "55520000"),
            ("Buffetten", "Warme en koude buffetten voor evenementen.", "55520000"),
            ("Bedrijfsrestaurant", "Wij runnen uw kantine met een eigen team.", "55520000"),
            ("Vegetarische catering", "Plantaardige gerechten van lokale groenten.", "55520000"),
            ("Borrelhapjes", "Hapjes voor recepties en borrels.", "55520000"),
        ),
        (T.SOCIAL_RETURN, T.SUPPLY_CHAIN, T.ENVIRONMENT),
        0.7,
    ),
    Sector(
        "koffie",
        ("Koffiebranderij", "Koffie", "Theehandel", "Koffiebar"),
        ("Koffie", "Bonen", "Brander", "Thee", "Espresso", "Kop", "Boon"),
        (
            "Eerlijke koffie en thee voor kantoren, direct van coöperaties",
            "Een koffiebranderij die koffie brandt met mensen met een afstand tot werk",
        ),
        (
            "Onze bonen kopen we rechtstreeks in bij coöperaties van boeren in Ethiopië en Peru.",
            "De koffie wordt in Groningen gebrand en verpakt door mensen met een beperking.",
            "Koffiedik gaat naar een kwekerij die er oesterzwammen op teelt.",
        ),
        (
            ("Koffiebonen", "Biologische bonen, vers gebrand.", "15860000"),
            ("Thee", "Losse thee uit eerlijke handel.", "15860000"),
            ("Koffieautomaten", "Plaatsing en onderhoud van koffiemachines.", "50800000"),
            ("Koffiebar op locatie", "Een barista op uw evenement.", "55520000"),
        ),
        (T.SUPPLY_CHAIN, T.SOCIAL_RETURN, T.CLIMATE),
        0.6,
    ),
    Sector(
        "fiets",
        ("Fietsenwerkplaats", "Fietsenmaker", "Fietsverhuur", "Fietsen"),
        ("Fiets", "Trapper", "Wiel", "Spaak", "Velo", "Ketting", "Zadel"),
        (
            "Reparatie en onderhoud van dienstfietsen en bakfietsen",
            "Een fietsenwerkplaats waar mensen met een afstand tot de arbeidsmarkt het vak leren",
            "Opgeknapte fietsen en fietsonderhoud op locatie",
        ),
        (
            "Gedoneerde fietsen knappen we op tot ze weer veilig de weg op kunnen.",
            "Deelnemers leren het vak van fietstechnicus en halen een erkend certificaat.",
            "Met onze servicebus onderhouden we fietsen bij bedrijven op locatie.",
        ),
        (
            ("Fietsonderhoud op locatie", "Onderhoud van dienstfietsen bij u.", "50800000"),
            ("Fietsreparatie", "Reparatie van fietsen en e-bikes.", "50800000"),
            ("Kinderfietsen", "Opgeknapte kinderfietsen voor gezinnen.", "50800000"),
            ("Bakfietsonderhoud", "Onderhoud van bak- en vrachtfietsen.", "50800000"),
        ),
        (T.SOCIAL_RETURN, T.CIRCULAR, T.CLIMATE),
        0.7,
    ),
    Sector(
        "koerier",
        ("Fietskoeriers", "Koeriersdienst", "Bezorgdienst", "Stadsdistributie"),
        ("Koerier", "Bezorg", "Bakfiets", "Vracht", "Post", "Pakket"),
        (
            "Emissievrije bezorging van post en pakketten in de binnenstad",
            "Fietskoeriers voor documenten, pakketten en stadslogistiek",
        ),
        (
            "Wij bezorgen met elektrische bakfietsen en zijn zo de file voor.",
            "Onze koeriers bezorgen zonder uitstoot in de hele stad.",
            "Dagelijks halen we de interne post op bij gemeentelijke locaties.",
        ),
        (
            ("Koeriersdiensten", "Spoedzendingen binnen de stad.", "60160000"),
            ("Postbezorging", "Interne post tussen locaties.", "60160000"),
            ("Stadsdistributie", "Laatste kilometer met elektrische bakfietsen.", "60160000"),
        ),
        (T.CLIMATE, T.SOCIAL_RETURN, T.ENVIRONMENT),
        0.5,
    ),
    Sector(
        "drukwerk",
        ("Drukkerij", "Drukwerk", "Printshop", "Zeefdrukkerij", "Grafisch Atelier"),
        ("Druk", "Inkt", "Papier", "Print", "Letter", "Pers", "Zeef"),
        (
            "Duurzaam drukwerk op gerecycled papier",
            "Een sociale drukkerij voor brochures, posters en huisstijlen",
        ),
        (
            "Wij drukken op FSC-papier met inkten op plantaardige basis.",
            "In onze drukkerij werken mensen met een arbeidsbeperking naast vakmensen.",
            "Restpapier wordt gerecycled of verwerkt tot notitieboekjes.",
        ),
        (
            ("Drukwerk", "Brochures, flyers en jaarverslagen.", "79800000"),
            ("Posters en banners", "Groot formaat op gerecycled materiaal.", "22000000"),
            ("Visitekaartjes", "Op gerecycled of graspapier.", "22000000"),
            ("Relatiegeschenken", "Bedrukte notitieboeken en tassen.", "22000000"),
        ),
        (T.ENVIRONMENT, T.SOCIAL_RETURN, T.CIRCULAR),
        0.4,
    ),
    Sector(
        "it",
        ("IT", "Computers", "ICT-diensten", "Refurbish", "Digitaal"),
        ("Byte", "Data", "Bit", "Code", "Chip", "Pixel", "Digi", "Net"),
        (
            "Refurbished laptops en computers met garantie",
            "Veilig wissen en hergebruiken van afgeschreven ICT-apparatuur",
            "ICT-beheer en softwareontwikkeling door neurodivers talent",
        ),
        (
            "Afgeschreven laptops wissen we gecertificeerd en maken we weer klaar voor gebruik.",
            "Wij leveren refurbished laptops aan mensen rond de armoedegrens via de Stadjerspas.",
            "Onze testers en ontwikkelaars hebben vaak autisme en een oog voor detail.",
            "Zo verlengen we de levensduur van apparatuur en voorkomen we e-waste.",
        ),
        (
            ("Refurbished laptops", "Gecontroleerde laptops met drie jaar garantie.", "30200000"),
            ("Dataverwijdering", "Gecertificeerd wissen van harde schijven.", "30200000"),
            ("ICT-beheer", "Beheer van werkplekken en netwerken.", "72200000"),
            ("Softwaretesten", "Handmatig en geautomatiseerd testen.", "72200000"),
            ("Websites", "Toegankelijke websites volgens WCAG.", "72200000"),
        ),
        (T.CIRCULAR, T.SOCIAL_RETURN, T.DIVERSITY),
        0.5,
    ),
    Sector(
        "meubels",
        ("Meubelmakerij", "Meubels", "Interieurbouw", "Houtwerkplaats", "Inrichting"),
        ("Hout", "Eiken", "Plank", "Tafel", "Stoel", "Kast", "Zaag", "Schaaf"),
        (
            "Circulaire kantoormeubels van hergebruikt hout",
            "Revisie en herstoffering van kantoormeubilair",
            "Maatwerk interieurs van restmateriaal uit de bouw",
        ),
        (
            "Oude bureaus en stoelen reviseren we, zodat ze jaren meegaan.",
            "Wij maken meubels van sloophout en restmateriaal uit de bouw.",
            "In onze houtwerkplaats leren jongeren het timmervak.",
            "Circulair inkopen van meubilair scheelt tot zeventig procent CO2.",
        ),
        (
            ("Kantoormeubilair", "Gereviseerde bureaus, stoelen en kasten.", "39100000"),
            ("Herstoffering", "Nieuwe stof op bestaande stoelen en banken.", "39500000"),
            ("Maatwerk tafels", "Tafels van gerecycled eikenhout.", "39100000"),
            ("Interieurbouw", "Balies en wanden van restmateriaal.", "45400000"),
        ),
        (T.CIRCULAR, T.CLIMATE, T.SOCIAL_RETURN),
        0.4,
    ),
    Sector(
        "groen",
        ("Groenvoorziening", "Hoveniers", "Tuinonderhoud", "Groen"),
        ("Groen", "Tuin", "Blad", "Bloei", "Wilg", "Heide", "Akker", "Zaad"),
        (
            "Groenonderhoud van parken, bedrijfsterreinen en schoolpleinen",
            "Hoveniers die met leerwerkplekken openbaar groen onderhouden",
            "Natuurinclusief groenbeheer en vergroening van schoolpleinen",
        ),
        (
            "Onze groenploegen bestaan uit vakmensen en deelnemers in een werkleertraject.",
            "Wij beheren groen natuurinclusief, met aandacht voor bijen en vlinders.",
            "Tegels eruit, groen erin: wij vergroenen schoolpleinen samen met de buurt.",
        ),
        (
            ("Groenonderhoud", "Maaien, snoeien en onkruidbeheer.", "77300000"),
            ("Tuinaanleg", "Aanleg van tuinen en bedrijfsgroen.", "77300000"),
            ("Bloemrijke bermen", "Inzaaien en beheren van bermen.", "77300000"),
            ("Biologische groenten", "Groenten van onze stadsakker.", "03100000"),
        ),
        (T.ENVIRONMENT, T.CLIMATE, T.SOCIAL_RETURN),
        0.5,
    ),
    Sector(
        "bouw",
        ("Bouw", "Aannemers", "Renovatie", "Installatietechniek", "Klussendienst"),
        ("Bouw", "Steen", "Dak", "Muur", "Dijk", "Terp", "Wierde", "Stut"),
        (
            "Renovatie en verduurzaming van woningen en scholen",
            "Bouw en installatie met leerwerkplekken in de wijk",
            "Zonnepanelen, isolatie en warmtepompen voor maatschappelijk vastgoed",
        ),
        (
            "In het project de wijk als leerwerkplek volgen deelnemers een MBO2-opleiding.",
            "Na de opleiding bieden wij deelnemers aansluitend een baan aan.",
            "Wij isoleren woningen en plaatsen zonnepanelen voor corporaties.",
            "Bouwmaterialen die overblijven krijgen een tweede leven.",
        ),
        (
            ("Renovatie", "Renovatie van woningen en scholen.", "45400000"),
            ("Timmerwerk", "Kozijnen, deuren en trappen.", "45200000"),
            ("Zonnepanelen", "Installatie van zonnepanelen op daken.", "45300000"),
            ("Isolatie", "Spouw-, dak- en vloerisolatie.", "45300000"),
            ("Klussendienst", "Kleine reparaties in huurwoningen.", "45200000"),
        ),
        (T.CLIMATE, T.SOCIAL_RETURN, T.CIRCULAR),
        0.3,
    ),
    Sector(
        "textiel",
        ("Naaiatelier", "Textiel", "Kleding", "Bedrijfskleding", "Sociaal Atelier"),
        ("Naald", "Draad", "Stof", "Steek", "Wol", "Linnen", "Knoop"),
        (
            "Duurzame bedrijfskleding en upcycling van textiel",
            "Een sociaal atelier dat bouwdoek en banners vermaakt tot tassen",
        ),
        (
            "Vrouwen met een migratieachtergrond krijgen in ons atelier de kans te groeien.",
            "Oud bouwdoek van het stadhuis vermaakten we tot relatiegeschenken.",
            "Onze bedrijfskleding is gemaakt van biologisch katoen en gerecycled polyester.",
        ),
        (
            ("Bedrijfskleding", "Duurzame werkkleding met bedrukking.", "18100000"),
            ("Upcycling", "Tassen en etuis van oud bouwdoek.", "39500000"),
            ("Naaiwerk", "Reparatie en vermaak van textiel.", "39500000"),
        ),
        (T.CIRCULAR, T.DIVERSITY, T.SUPPLY_CHAIN),
        0.7,
    ),
    Sector(
        "reintegratie",
        ("Re-integratie", "Jobcoaching", "Werkgeversdienst", "Participatie", "Talentcentrum"),
        ("Kans", "Talent", "Stap", "Route", "Groei", "Kompas", "Brug", "Sprong"),
        (
            "Re-integratie en jobcoaching voor mensen met een afstand tot de arbeidsmarkt",
            "Werkfit-trajecten, begeleiding op de werkvloer en arbeidsmatige dagbesteding",
            "Ondersteuning bij het invullen van Social Return-verplichtingen",
        ),
        (
            "Wij begeleiden mensen met een afstand tot de arbeidsmarkt naar passend werk.",
            "Onze jobcoaches helpen werkgevers bij inclusief werkgeverschap.",
            "Zorg en werk sluiten bij ons op elkaar aan: soms is eerst zorg nodig.",
            "Wij helpen opdrachtnemers hun Social Return-verplichting slim in te vullen.",
        ),
        (
            ("Jobcoaching", "Begeleiding op de werkplek.", "85300000"),
            ("Re-integratietrajecten", "Trajecten naar werk en participatie.", "79600000"),
            ("Social Return advies", "Invulling van Social Return-verplichtingen.", "79600000"),
            ("Arbeidsmatige dagbesteding", "Zinvol werk met begeleiding.", "85300000"),
        ),
        (T.SOCIAL_RETURN, T.DIVERSITY),
        0.8,
    ),
    Sector(
        "opleiding",
        ("Opleidingen", "Trainingen", "Academie", "Leerbedrijf", "Taalschool"),
        ("Leer", "Les", "Taal", "Kennis", "Wijs", "School", "Boek"),
        (
            "Trainingen en taalcursussen voor statushouders en nieuwkomers",
            "Opleidingen in de zorg, techniek en logistiek met een baangarantie",
            "MVOI-trainingen voor inkopers en opdrachtgevers",
        ),
        (
            "Statushouders leren bij ons de Nederlandse taal op de werkvloer.",
            "Wij trainen inkopers in maatschappelijk verantwoord opdrachtgeven en inkopen.",
            "Onze cursussen combineren taal, werkervaring en begeleiding.",
        ),
        (
            ("Taalcursussen", "Nederlands op de werkvloer voor nieuwkomers.", "80500000"),
            ("MVOI-training", "Training voor inkopers en contractmanagers.", "80500000"),
            ("Vakopleidingen", "MBO-opleidingen met werkervaring.", "80500000"),
            ("Digitale vaardigheden", "Cursussen computergebruik en DigiD.", "80500000"),
        ),
        (T.SOCIAL_RETURN, T.DIVERSITY),
        0.6,
    ),
    Sector(
        "evenementen",
        ("Evenementen", "Festival", "Podium", "Eventbureau"),
        ("Feest", "Podium", "Zaal", "Muziek", "Lampion", "Vlag"),
        (
            "Organisatie van duurzame evenementen en congressen",
            "Evenementen zonder afval, met vrijwilligers uit de wijk",
        ),
        (
            "Onze evenementen zijn afvalvrij: herbruikbare bekers en statiegeld.",
            "Vrijwilligers van maatschappelijke organisaties helpen mee en krijgen een kaartje.",
        ),
        (
            ("Evenementenorganisatie", "Congressen en bedrijfsfeesten.", "79950000"),
            ("Herbruikbare bekers", "Bekerverhuur met afwasservice.", "79950000"),
            ("Podiumtechniek", "Licht en geluid met LED.", "31500000"),
        ),
        (T.ENVIRONMENT, T.CLIMATE, T.DIVERSITY),
        0.3,
    ),
    Sector(
        "communicatie",
        ("Communicatie", "Reclamebureau", "Fotografie", "Multimedia", "Ontwerpstudio"),
        ("Beeld", "Woord", "Lens", "Merk", "Verhaal", "Film", "Ontwerp"),
        (
            "Ontwerp, fotografie en video voor maatschappelijke organisaties",
            "Een multimediastudio waar jongeren werkervaring opdoen",
        ),
        (
            "Elke multimedia-opdracht geeft mensen werkervaring, zelfvertrouwen en structuur.",
            "Wij vertellen het verhaal van impactondernemers in beeld en tekst.",
            "Onze websites en campagnes zijn toegankelijk voor iedereen.",
        ),
        (
            ("Grafisch ontwerp", "Huisstijlen en publicaties.", "79340000"),
            ("Fotografie", "Reportages en portretten.", "79340000"),
            ("Video", "Films en animaties voor campagnes.", "79340000"),
        ),
        (T.DIVERSITY, T.SOCIAL_RETURN),
        0.4,
    ),
    Sector(
        "recycling",
        ("Recycling", "Kringloop", "Afvalinzameling", "Grondstoffen"),
        ("Kringloop", "Grondstof", "Rest", "Plastic", "Glas", "Blik"),
        (
            "Inzameling en recycling van bedrijfsafval",
            "Een kringloopbedrijf dat grondstoffen terugwint",
        ),
        (
            "Wij zamelen gescheiden in en maken van kunststof nieuwe producten.",
            "In onze kringloopwinkel krijgen spullen een tweede leven.",
            "Circulair Groningen Drenthe helpt ons de kringloop te sluiten.",
        ),
        (
            ("Afvalinzameling", "Gescheiden inzameling bij bedrijven.", "90500000"),
            ("Kunststofrecycling", "Van plastic afval tot nieuwe grondstof.", "90500000"),
            ("Ontruiming", "Ontruiming met hergebruik van inventaris.", "90500000"),
        ),
        (T.CIRCULAR, T.ENVIRONMENT, T.SOCIAL_RETURN),
        0.5,
    ),
    Sector(
        "wasserij",
        ("Wasserij", "Stomerij", "Linnenservice"),
        ("Was", "Strijk", "Linnen", "Zeep", "Sop"),
        ("Wasserij voor zorginstellingen, horeca en sportclubs",),
        (
            "Onze wasserij werkt met groene stroom en hergebruikt spoelwater.",
            "In de wasserij werken mensen met een beperking in een begeleid team.",
        ),
        (
            ("Wasservice", "Wassen en strijken van bedrijfstextiel.", "98310000"),
            ("Linnenverhuur", "Tafellinnen en handdoeken.", "98310000"),
        ),
        (T.SOCIAL_RETURN, T.ENVIRONMENT),
        0.6,
    ),
    Sector(
        "energie",
        ("Energie", "Verlichting", "Energiecoöperatie", "Zonnestroom"),
        ("Zon", "Wind", "Licht", "Lamp", "Stroom", "Watt", "Vonk"),
        (
            "LED-verlichting en energieadvies voor bedrijven",
            "Een energiecoöperatie die zonnestroom uit de wijk levert",
        ),
        (
            "Wij vervangen verlichting door LED en halveren zo het verbruik.",
            "Onze energiecoaches helpen huishoudens hun energierekening omlaag te brengen.",
        ),
        (
            ("LED-verlichting", "Armaturen als dienst, met terugname.", "31500000"),
            ("Energieadvies", "Energiescans en verduurzamingsplannen.", "72200000"),
            ("Zonnepanelen", "Installatie op bedrijfsdaken.", "45300000"),
        ),
        (T.CLIMATE, T.CIRCULAR),
        0.4,
    ),
    Sector(
        "voedsel",
        ("Stadslandbouw", "Zorgboerderij", "Voedsel", "Bakkerij"),
        ("Akker", "Oogst", "Graan", "Brood", "Appel", "Kaas", "Ei"),
        (
            "Biologische groenten en brood van een zorgboerderij",
            "Stadslandbouw en streekproducten voor kantines en scholen",
        ),
        (
            "Op onze zorgboerderij werken deelnemers met begeleiding mee op het land.",
            "Wij leveren groenten van het seizoen aan kantines in de stad.",
            "De voedseltransitie begint bij korte ketens en eerlijke prijzen.",
        ),
        (
            ("Groente en fruit", "Biologische seizoensgroenten.", "03100000"),
            ("Brood en gebak", "Vers uit onze bakkerij.", "55520000"),
            ("Groentepakketten", "Wekelijks pakket voor medewerkers.", "03100000"),
        ),
        (T.ENVIRONMENT, T.SUPPLY_CHAIN, T.SOCIAL_RETURN),
        0.7,
    ),
    Sector(
        "administratie",
        ("Administratie", "Administratiekantoor", "Scanstraat", "Backoffice"),
        ("Archief", "Dossier", "Balans", "Cijfer", "Map"),
        (
            "Administratie, scanwerk en digitalisering van archieven",
            "Een administratiekantoor waar mensen met autisme hun talent inzetten",
        ),
        (
            "Mensen het gevoel geven dat ze ertoe doen, dat is impact voor ons.",
            "Klanten waarderen dat ze met een gewoon verzoek kansen creëren voor anderen.",
            "Wij digitaliseren archieven voor gemeenten en woningcorporaties.",
        ),
        (
            ("Digitalisering", "Scannen en indexeren van archieven.", "72200000"),
            ("Administratie", "Boekhouding en salarisadministratie.", "72200000"),
            ("Postverwerking", "Scannen en verdelen van inkomende post.", "60160000"),
        ),
        (T.SOCIAL_RETURN, T.DIVERSITY),
        0.6,
    ),
)

# Words that make a name distinctive: places, landscape, plain Dutch nouns.
PLACES = (
    "Groningen", "Haren", "Ten Boer", "Winsum", "Bedum", "Uithuizen", "Warffum", "Loppersum",
    "Appingedam", "Delfzijl", "Hoogezand", "Slochteren", "Zuidbroek", "Winschoten",
    "Scheemda", "Veendam", "Pekela", "Stadskanaal", "Ter Apel", "Vlagtwedde", "Zuidhorn",
    "Grootegast", "Leek", "Marum", "Aduard", "Ezinge", "Baflo", "Pieterburen", "Assen",
    "Emmen", "Hoogeveen", "Meppel", "Roden", "Peize", "Zuidlaren", "Eelde", "Paterswolde",
    "Vries", "Gieten", "Borger", "Coevorden", "Beilen", "Westerbork", "Leeuwarden",
    "Drachten", "Sneek", "Heerenveen", "Dokkum", "Harlingen", "Franeker", "Bolsward",
    "Gorredijk", "Buitenpost", "Surhuisterveen", "Oosterwolde", "Wolvega",
)  # fmt: skip
LANDSCAPE = (
    "Noord", "Noorder", "Wad", "Wadden", "Hanze", "Ommeland", "Eems", "Dollard", "Reitdiep",
    "Hunze", "Lauwers", "Kwelder", "Terp", "Wierde", "Esker", "Martini", "Zernike",
    "Oosterpoort", "Schilders", "Korrewegwijk", "Selwerd", "Paddepoel", "Vinkhuizen",
    "Beijum", "Lewenborg", "Hoogkerk", "Peizer", "Zuiderdiep", "Damster", "Boterdiep",
    "Winschoter", "Veenkoloniaal", "Drents", "Fries", "Hondsrug", "Westerkwartier",
)  # fmt: skip
NOUNS = (
    "Kracht", "Hart", "Kans", "Zon", "Wind", "Veld", "Polder", "Brug", "Bron", "Haven",
    "Toren", "Dijk", "Maan", "Ster", "Boog", "Golf", "Molen", "Schuur", "Hoeve", "Erf",
    "Kwartier", "Plein", "Markt", "Kade", "Sluis", "Stroom", "Spoor", "Vonk", "Vuur", "Wortel",
    "Stam", "Tak", "Knoop", "Baken", "Kompas", "Anker", "Zeil", "Horizon", "Mozaïek", "Palet",
)  # fmt: skip
BARE_ADJECTIVES = (
    "Groen", "Sociaal", "Circulair", "Eerlijk", "Nieuw", "Goed", "Blij", "Sterk", "Slim",
    "Fris", "Helder", "Gezond", "Duurzaam", "Lokaal", "Noordelijk",
)  # fmt: skip
ADJECTIVES = (
    "Groene", "Sociale", "Circulaire", "Noordelijke", "Eerlijke", "Nieuwe", "Goede",
    "Blije", "Sterke", "Slimme", "Frisse", "Heldere", "Gezonde", "Duurzame", "Lokale",
)  # fmt: skip
FORMS = (
    "BV", "Bedrijf", "Coöperatie", "Werkplaats", "& Co", "Collectief", "Atelier", "Studio",
    "Groep", "Diensten", "Compagnie", "Fabriek", "Lab", "Huis", "Makers", "Werk",
    "Sociale Onderneming", "Noord", "Nederland", "U.A.",
)  # fmt: skip
WORKPLACES = ("werkplaats", "fabriek", "winkel", "makers", "keet", "hoeve")
SERVICE_AREAS = (
    "heel Noord-Nederland",
    "de provincie Groningen",
    "Groningen en Drenthe",
    "het Noorden",
)
SURNAMES = (
    "Dijkstra", "Bakker", "Smit", "Visser", "Mulder", "De Vries", "Hoekstra", "Kuipers",
    "Postma", "Wiersma", "Veenstra", "Huisman", "Jansen", "De Boer", "Meijer", "Zuidema",
    "Bos", "Nijboer", "Brouwer", "Schuiling", "Hofstede", "Doornbos", "Wierenga", "Kamminga",
    "Oosterhuis", "Zijlstra", "Kloosterman", "Bolt", "Pronk", "Venema", "Boerema",
    "Hiemstra", "Kramer", "Dekker", "Timmer", "Sikkema", "Werkman", "Holtman", "Veldman",
    "Drenth", "Hazenberg", "Mellema", "Sijbring", "Kroeze", "Zwiers", "Bouma", "Tuinstra",
    "Haaksma", "El Amrani", "Yilmaz", "Öztürk", "Haddou", "Tesfaye", "Nguyen", "Kowalski",
)  # fmt: skip
FIRST_NAMES = (
    "Sanne", "Jeroen", "Marieke", "Karim", "Fatma", "Anouk", "Henk", "Ingrid", "Daan", "Lisa",
    "Bram", "Eline", "Tom", "Jelle", "Sietske", "Wietske", "Hendrik", "Geert", "Annemarie",
    "Youssef", "Aylin", "Mohammed", "Femke", "Rutger", "Joost", "Marloes", "Esther", "Sjoerd",
    "Rinske", "Pieter", "Nadia", "Mehmet", "Sara", "Tjeerd", "Gerda", "Harm", "Janna",
)  # fmt: skip

MUNICIPALITIES = {
    Region.CITY: ("Groningen",),
    Region.PROVINCE: (
        "Het Hogeland", "Westerkwartier", "Eemsdelta", "Midden-Groningen", "Oldambt",
        "Veendam", "Pekela", "Stadskanaal", "Westerwolde",
    ),
    Region.DRENTHE: (
        "Assen", "Emmen", "Hoogeveen", "Meppel", "Tynaarlo", "Aa en Hunze", "Noordenveld",
        "Borger-Odoorn", "Midden-Drenthe", "Coevorden", "De Wolden", "Westerveld",
    ),
    Region.FRYSLAN: (
        "Leeuwarden", "Smallingerland", "Súdwest-Fryslân", "Heerenveen", "Opsterland",
        "Tytsjerksteradiel", "Achtkarspelen", "Noardeast-Fryslân", "Ooststellingwerf",
    ),
    Region.ELSEWHERE: (
        "Zwolle", "Amsterdam", "Utrecht", "Rotterdam", "Deventer", "Enschede", "Apeldoorn",
        "Arnhem", "Den Haag", "Almere",
    ),
}  # fmt: skip
REGION_WEIGHTS = {
    Region.CITY: 42,
    Region.PROVINCE: 23,
    Region.DRENTHE: 15,
    Region.FRYSLAN: 12,
    Region.ELSEWHERE: 8,
}
SIZE_WEIGHTS = {
    SizeClass.SOLO: 18,
    SizeClass.MICRO: 36,
    SizeClass.SMALL: 28,
    SizeClass.MEDIUM: 13,
    SizeClass.LARGE: 5,
}

# Sentences about what the company does for each MVOI theme.
THEME_CLAUSES = {
    T.CLIMATE: (
        "zonder uitstoot",
        "met groene stroom en elektrisch vervoer",
        "met een lage CO2-voetafdruk",
    ),
    T.ENVIRONMENT: (
        "met milieuvriendelijke materialen",
        "met aandacht voor biodiversiteit",
        "zonder schadelijke stoffen",
    ),
    T.CIRCULAR: (
        "circulair, met hergebruikte materialen",
        "met reparatie in plaats van vervanging",
        "waarbij materialen een tweede leven krijgen",
    ),
    T.SUPPLY_CHAIN: (
        "met eerlijke handel in de hele keten",
        "met transparante inkoop bij lokale leveranciers",
        "met oog voor arbeidsomstandigheden in de keten",
    ),
    T.SOCIAL_RETURN: (
        "door mensen met een afstand tot de arbeidsmarkt",
        "met leerwerkplekken voor jongeren en statushouders",
        "waarmee opdrachtgevers hun Social Return invullen",
    ),
    T.DIVERSITY: (
        "door een divers en inclusief team",
        "met werk voor mensen met een beperking",
        "waar neurodivers talent de ruimte krijgt",
    ),
}
THEME_SENTENCES = {
    T.CLIMATE: (
        "Wij meten onze CO2-uitstoot en verminderen die elk jaar.",
        "Ons wagenpark is volledig elektrisch en ons pand draait op zonnestroom.",
        "Klimaatneutraal werken is voor ons de norm, niet de uitzondering.",
    ),
    T.ENVIRONMENT: (
        "Wij werken met materialen en middelen die het milieu zo min mogelijk belasten.",
        "Afval scheiden we aan de bron en we gebruiken geen wegwerpverpakkingen.",
        "Met natuurinclusief werken dragen we bij aan biodiversiteit in de regio.",
    ),
    T.CIRCULAR: (
        "Circulair ondernemen betekent voor ons: hergebruik, reparatie en recycling.",
        "Wat wij leveren kan aan het eind van de levensduur terug, zodat niets verloren gaat.",
        "Wij denken mee met opdrachtgevers over circulair inkopen.",
    ),
    T.SUPPLY_CHAIN: (
        "Wij kennen onze leveranciers en weten onder welke omstandigheden er is gewerkt.",
        "Ketenverantwoordelijkheid nemen we serieus: eerlijke prijzen en korte ketens.",
        "Onze grondstoffen komen zoveel mogelijk uit Noord-Nederland.",
    ),
    T.SOCIAL_RETURN: (
        "Een groot deel van ons team had een afstand tot de arbeidsmarkt.",
        "Wij bieden leerwerkplekken, werkervaringsplaatsen en begeleiding op de werkvloer.",
        "Met een opdracht aan ons vult u direct uw Social Return-verplichting in.",
        "Statushouders en jongeren zonder startkwalificatie krijgen bij ons een kans.",
        "Samen met het Coördinatiepunt Social Return zoeken we passende kandidaten.",
    ),
    T.DIVERSITY: (
        "Wij zijn een inclusieve werkgever: iedereen is welkom, met of zonder diploma.",
        "Ons team is divers in afkomst, leeftijd en talent.",
        "Wij passen werkplekken aan zodat mensen met een beperking volwaardig meedoen.",
    ),
}
GENERIC_SENTENCES = (
    "Wij werken voor gemeenten, onderwijsinstellingen, zorginstellingen en bedrijven.",
    "Wij zijn aangesloten bij Impact Noord en staan op het Platform Goed Inkopen.",
    "Maatschappelijk verantwoord opdrachtgeven en inkopen maakt het verschil: MVOI.",
    "Impact maken betekent voor ons een duurzaam alternatief op prijs en kwaliteit.",
    "Onze winst investeren we in onze missie en in onze mensen.",
    "Wij zijn een impactbedrijf: de maatschappelijke missie staat voorop.",
    "Wij werken mee aan de doelen voor duurzame ontwikkeling (SDG's).",
    "Vraag gerust een offerte aan of kom langs in onze werkplaats.",
    "Wij denken graag mee bij een aanbesteding of een meervoudig onderhandse uitvraag.",
)
THEME_SDGS = {
    T.CLIMATE: (13, 7, 11),
    T.ENVIRONMENT: (12, 15, 6, 14),
    T.CIRCULAR: (12, 9, 11),
    T.SUPPLY_CHAIN: (12, 8, 17, 2),
    T.SOCIAL_RETURN: (8, 10, 1, 4),
    T.DIVERSITY: (5, 10, 8, 3),
}
OTHER_LABELS = (
    "CO2-Prestatieladder",
    "ISO 14001",
    "Fairtrade",
    "EcoVadis",
    "Erkend Leerbedrijf",
    "EU Ecolabel",
    "MVO Prestatieladder",
    "Keurmerk Klantgericht",
)
LABEL_SHARES = (
    (LabelKind.PSO, 0.30),
    (LabelKind.CODE_SOCIAL, 0.15),
    (LabelKind.BCORP, 0.08),
    (LabelKind.OTHER, 0.05),
)
PSO_LEVEL_WEIGHTS = {
    PsoLevel.ASPIRANT: 12,
    PsoLevel.BASE: 25,
    PsoLevel.STEP_1: 30,
    PsoLevel.STEP_2: 22,
    PsoLevel.STEP_3: 11,
}
STATE_WEIGHTS = {
    SupplierState.VERIFIED: 900,
    SupplierState.SUBMITTED: 40,
    SupplierState.DRAFT: 40,
    SupplierState.SENT_BACK: 15,
    SupplierState.WITHDRAWN: 5,
}


def seeded_organisations():
    return Organisation.objects.filter(
        kind=OrganisationKind.COMPANY,
        kvk_number__gte=str(SEED_KVK_FIRST),
        kvk_number__lte=str(SEED_KVK_LAST),
    )


def seeded_suppliers():
    return Supplier.objects.filter(organisation__in=seeded_organisations())


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Generator:
    """Makes suppliers one batch at a time from one random stream (deterministic)."""

    def __init__(self, seed: int, categories: dict[str, int], now: datetime):
        self.rng = random.Random(seed)  # noqa: S311 (made-up data, reproducible)
        self.categories = categories
        self.now = now
        self.today = timezone.localdate(now)
        self.slugs: set[str] = set()
        self.names: set[str] = set()

    def name(self, sector: Sector) -> str:
        r = self.rng
        trade, stem = r.choice(sector.trades), r.choice(sector.stems)
        pattern = r.randrange(9)
        if pattern == 0:
            return f"{stem}{r.choice(NOUNS).lower()} {r.choice(FORMS)}"
        if pattern == 1:
            return f"{r.choice(LANDSCAPE)} {trade}"
        if pattern == 2:
            return f"De {r.choice(ADJECTIVES)} {stem}{r.choice(WORKPLACES)}"
        if pattern == 3:
            return f"{r.choice(SURNAMES)} {trade}"
        if pattern == 4:
            return f"{trade} {r.choice(PLACES)}"
        if pattern == 5:
            return f"{r.choice(LANDSCAPE)}{stem.lower()} {r.choice(FORMS)}"
        if pattern == 6:
            return f"{stem}{r.choice(NOUNS).lower()} {r.choice(PLACES)}"
        if pattern == 7:
            return f"{r.choice(BARE_ADJECTIVES)} {trade} {r.choice(FORMS)}"
        return f"{r.choice(NOUNS)} & {r.choice(NOUNS)} {trade}"

    def unique_name(self, sector: Sector) -> str:
        """Company names are (nearly always) unique: a few tries, then a family name."""
        for _ in range(6):
            name = self.name(sector)
            if name not in self.names:
                break
        while name in self.names:
            name = f"{name} {self.rng.choice(SURNAMES)}"
        self.names.add(name)
        return name

    def slug(self, name: str) -> str:
        base = (slugify(name) or "leverancier")[:200]
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        return slug

    def themes(self, sector: Sector) -> list[str]:
        r = self.rng
        first = r.choices(sector.themes, weights=range(len(sector.themes) + 1, 1, -1))[0]
        chosen = [first]
        for _ in range(r.choices((0, 1, 2), weights=(40, 40, 20))[0]):
            extra = r.choice(sector.themes) if r.random() < 0.6 else r.choice(list(T))
            if extra not in chosen:
                chosen.append(extra)
        return [str(t) for t in chosen]

    def sdgs(self, themes: list[str]) -> list[int]:
        pool = sorted({sdg for theme in themes for sdg in THEME_SDGS[T(theme)]} | {11, 17})
        return sorted(self.rng.sample(pool, self.rng.randint(1, min(4, len(pool)))))

    def short_description(self, sector: Sector, themes: list[str], place: str) -> str:
        r = self.rng
        text = f"{r.choice(sector.activities)} {r.choice(THEME_CLAUSES[T(themes[0])])}"
        if r.random() < 0.5:
            text += f", in {place} en omgeving"
        return f"{text}."[:300]

    def description(self, sector: Sector, themes: list[str], municipality: str) -> str:
        r = self.rng
        sentences = r.sample(sector.sentences, min(len(sector.sentences), r.randint(1, 3)))
        for theme in themes:
            sentences.append(r.choice(THEME_SENTENCES[T(theme)]))
        sentences += r.sample(GENERIC_SENTENCES, r.randint(1, 3))
        sentences.append(
            f"Vanuit {municipality} werken wij voor opdrachtgevers in {r.choice(SERVICE_AREAS)}."
        )
        return " ".join(sentences)

    def moment(self, days_ago_min: float, days_ago_max: float) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(days_ago_min, days_ago_max))

    def workflow(self) -> dict:
        """State and dates: verified over three years, most confirmed within a year."""
        r = self.rng
        state = _weighted(r, STATE_WEIGHTS)
        values = {"state": state.value}
        if state == SupplierState.DRAFT:
            values["created_at"] = self.moment(0, 200)
            return values
        if state in (SupplierState.SUBMITTED, SupplierState.SENT_BACK, SupplierState.WITHDRAWN):
            submitted = self.moment(0, 60)
            values.update(submitted_at=submitted, created_at=submitted - timedelta(days=5))
            if state == SupplierState.SENT_BACK:
                values["review_note"] = r.choice(
                    (
                        "Voeg een bewijs van uw PSO-certificaat toe.",
                        "De beschrijving van uw producten is nog te algemeen.",
                        "Het KvK-nummer hoort bij een andere vestiging.",
                    )
                )
            return values
        verified = self.moment(1, 3 * 365)
        confirmed = verified
        age = (self.now - verified).days
        if age > 365 and r.random() < 0.8:
            confirmed = self.moment(0, 365)
        requested = None
        if (self.now - confirmed).days > 365:
            requested = confirmed + timedelta(days=365)
        values.update(
            created_at=verified - timedelta(days=r.uniform(2, 60)),
            submitted_at=verified - timedelta(days=r.uniform(1, 14)),
            verified_at=verified,
            confirmed_at=confirmed,
            reconfirm_requested_at=requested,
            changed_since_verification=r.random() < 0.03,
        )
        return values

    def labels(self, supplier_id: int) -> list[dict]:
        r, today = self.rng, self.today
        labels = []
        for kind, share in LABEL_SHARES:
            if r.random() >= share:
                continue
            years = r.choice((1, 2, 3))
            roll = r.random()
            if roll < 0.15:  # expired
                until = today - timedelta(days=r.randint(1, 700))
            elif roll < 0.21:  # expires within the reminder window
                until = today + timedelta(days=r.randint(0, 90))
            else:
                until = today + timedelta(days=r.randint(91, 365 * years))
            valid_from = min(until - timedelta(days=365 * years), today - timedelta(days=1))
            reminder = None
            if today <= until <= today + timedelta(days=91) and r.random() < 0.7:
                reminder = self.moment(0, 20)
            labels.append(
                {
                    "supplier_id": supplier_id,
                    "kind": kind.value,
                    "pso_level": _weighted(r, PSO_LEVEL_WEIGHTS).value
                    if kind == LabelKind.PSO
                    else "",
                    "name": r.choice(OTHER_LABELS) if kind == LabelKind.OTHER else "",
                    "valid_from": valid_from,
                    "valid_until": until,
                    "reminder_sent_at": reminder,
                    "created_at": self.moment(0, 3 * 365),
                }
            )
        return labels

    def products(self, supplier_id: int, sector: Sector) -> list[dict]:
        r = self.rng
        pool = list(sector.products)
        if r.random() < 0.25:  # a side line in another sector
            pool.append(r.choice(r.choice(SECTORS).products))
        how_many = r.choices((1, 2, 3, 4), weights=(25, 35, 25, 15))[0]
        products = []
        for name, description, code in r.sample(pool, min(len(pool), how_many)):
            if r.random() < 0.3:
                description += " Ook als Social Return-opdracht."
            products.append(
                {
                    "supplier_id": supplier_id,
                    "name": name,
                    "description": description,
                    "category_id": self.categories[code],
                }
            )
        return products

    def batches(self, count: int, size: int, organisation_ids: list, supplier_ids: list):
        """(suppliers done, organisations, suppliers, products, labels) per ``size``."""
        for start in range(0, count, size):
            organisations, suppliers, products, labels = [], [], [], []
            for number in range(start, min(start + size, count)):
                organisation, supplier, sector = self.company(
                    number, organisation_ids[number], supplier_ids[number]
                )
                organisations.append(organisation)
                suppliers.append(supplier)
                products += self.products(supplier["id"], sector)
                if supplier["state"] != SupplierState.DRAFT:
                    labels += self.labels(supplier["id"])
            yield start + len(suppliers), (organisations, suppliers, products, labels)

    def company(self, number: int, organisation_id: int, supplier_id: int):
        """One organisation and its supplier profile, as column values, and its sector."""
        r = self.rng
        sector = r.choice(SECTORS)
        name = self.unique_name(sector)
        region = _weighted(r, REGION_WEIGHTS)
        municipality = r.choice(MUNICIPALITIES[region])
        place = municipality if region != Region.PROVINCE else r.choice(PLACES[:28])
        slug = self.slug(name)
        domain = f"{slug[:50]}.example"
        kvk = f"{SEED_KVK_FIRST + number:08d}"
        workflow = self.workflow()
        organisation = {
            "id": organisation_id,
            "uuid": uuid.UUID(int=r.getrandbits(128), version=4),
            "name": name,
            "kind": OrganisationKind.COMPANY.value,
            "kvk_number": kvk,
            "city": place,
            "website": f"https://www.{domain}/",
            "created_at": workflow["created_at"],
        }
        themes = self.themes(sector)
        impact_first = r.random() < sector.impact_first
        if impact_first:
            share = r.randint(30, 90)
        else:
            share = r.randint(0, 25) if r.random() < 0.6 else None
        supplier = {
            "id": supplier_id,
            "organisation_id": organisation_id,
            "uuid": uuid.UUID(int=r.getrandbits(128), version=4),
            "slug": slug,
            "name": name,
            "kvk_number": kvk,
            "branch_number": f"{r.randrange(10**11, 10**12):012d}" if r.random() < 0.5 else "",
            "short_description": self.short_description(sector, themes, place),
            "description": self.description(sector, themes, municipality),
            "themes": themes,
            "sdgs": self.sdgs(themes),
            "impact_first": impact_first,
            "target_group_share": share,
            "municipality": municipality,
            "region": region.value,
            "size": _weighted(r, SIZE_WEIGHTS).value,
            "website": f"https://www.{domain}/",
            "contact_name": f"{r.choice(FIRST_NAMES)} {r.choice(SURNAMES)}",
            "contact_email": f"info@{domain}",
            "contact_phone": f"050 {r.randrange(100, 999)} {r.randrange(1000, 9999)}",
            "updated_at": workflow.get("confirmed_at") or workflow["created_at"],
            **workflow,
        }
        return organisation, supplier, sector


def _delete_rows(model, ids) -> None:
    """Delete the rows ``ids`` (a subquery) of ``model`` and what depends on them, with one
    statement per table. Rows of other models that point at them are deleted, set to
    NULL or, if protected, stop the command, as their ``on_delete`` says."""
    for relation in model._meta.related_objects:
        if relation.related_model is Supplier and model is Organisation:
            continue  # deleted before
        related = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": ids})
        if relation.on_delete is models.CASCADE:
            related.delete()
        elif relation.on_delete is models.SET_NULL:
            related.update(**{relation.field.name: None})
        elif relation.on_delete is not models.DO_NOTHING and related.exists():
            raise CommandError(
                f"Seeded {model._meta.verbose_name_plural} are still in use by "
                f"{relation.related_model._meta.verbose_name_plural}; delete those first."
            )
    sql, params = ids.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({sql})", params)  # noqa: S608 (own table names)


def _in_background(batches: Iterator) -> Iterator:
    """Run a generator in a thread, a few items ahead: while PostgreSQL takes in one
    batch, Python makes up the next."""
    items: queue.Queue = queue.Queue(maxsize=2)
    end = object()

    def produce():
        try:
            for item in batches:
                items.put(item)
        except BaseException as error:  # handed to the consuming thread
            items.put(error)
        else:
            items.put(end)

    threading.Thread(target=produce, daemon=True).start()
    while (item := items.get()) is not end:
        if isinstance(item, BaseException):
            raise item
        yield item


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, list):
        # Only plain codes and numbers here (themes, SDGs): no quoting needed.
        return "{" + ",".join(str(item) for item in value) + "}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy(cursor, model, rows: list[dict]) -> None:
    """COPY rows into the model's table; a column a row leaves out gets the field's default.

    COPY instead of bulk_create, and the lines written here rather than by the driver:
    building 500,000 model instances and one huge INSERT per batch costs minutes in
    Python; this takes seconds.
    """
    if not rows:
        return
    fields = model._meta.concrete_fields
    defaults = {f.attname: _copy_text(f.get_default()) for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    names = [f.attname for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    lines = [
        "\t".join(_copy_text(row[n]) if n in row else defaults[n] for n in names) + "\n"
        for row in rows
    ]
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write("".join(lines))


def _next_ids(cursor, model, n: int) -> list[int]:
    table, pk = model._meta.db_table, model._meta.pk.column
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [table, pk, n],
    )
    return [row[0] for row in cursor.fetchall()]


class Command(BaseCommand):
    help = (
        "Seed N realistic suppliers (default 100,000) with products, labels and search "
        "vectors, for the search benchmark. Seeded organisations have KvK numbers from "
        f"{SEED_KVK_FIRST} on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1, help="Random seed (deterministic).")
        parser.add_argument("--batch", type=int, default=5000, help="Rows per bulk insert.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete suppliers seeded earlier first (other suppliers are kept).",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when exactly --count seeded suppliers exist; else replace them.",
        )

    def handle(self, *args, count, seed, batch, replace, if_missing, **options):
        modules = (settings.SETTINGS_MODULE, os.environ.get("DJANGO_SETTINGS_MODULE"))
        if any((module or "").endswith(".production") for module in modules):
            raise CommandError("Refusing to seed test suppliers into a production database.")
        if not 1 <= count <= SEED_KVK_LAST - SEED_KVK_FIRST + 1:
            raise CommandError("--count must be between 1 and 999,999.")
        batch = max(100, batch)
        started = time.monotonic()
        existing = seeded_suppliers().count()
        if if_missing:
            if existing == count:
                self.stdout.write(
                    f"{existing:,} seeded suppliers are already there; nothing to do."
                )
                return
            replace = True
        if existing and not replace:
            raise CommandError(
                f"{existing:,} seeded suppliers exist already. Run with --replace to delete "
                "them first (suppliers that were not seeded are kept)."
            )
        categories = {
            c.code: c.pk for c in Category.objects.filter(children__isnull=True).distinct()
        }
        missing = {code for sector in SECTORS for *_, code in sector.products} - set(categories)
        if missing:
            raise CommandError(
                f"The category tree lacks {', '.join(sorted(missing))}: run `manage.py migrate`."
            )
        generator = Generator(seed, categories, timezone.now())
        totals = {"products": 0, "labels": 0}
        # One transaction: a seed that fails half-way leaves nothing behind.
        with transaction.atomic(), connection.cursor() as cursor:
            if existing:
                self._delete_seeded()
                self.stdout.write(f"Deleted {existing:,} earlier seeded suppliers.")
            others = Supplier.objects.count()
            if others:
                self.stdout.write(
                    self.style.WARNING(
                        f"{others:,} suppliers that were not seeded (demo or real data) stay "
                        "and will show up in search next to the seeded ones."
                    )
                )
            generator.slugs.update(Supplier.objects.values_list("slug", flat=True))
            generator.names.update(Supplier.objects.values_list("name", flat=True))
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Loading into a table without its (non-unique) indexes and building them
            # once afterwards is many times faster than updating them row by row.
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
                " WHERE indrelid = %s::regclass AND NOT indisunique AND NOT indisprimary",
                [Supplier._meta.db_table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
            organisation_ids = _next_ids(cursor, Organisation, count)
            supplier_ids = _next_ids(cursor, Supplier, count)
            batches = _in_background(
                generator.batches(count, batch, organisation_ids, supplier_ids)
            )
            for done, (organisations, suppliers, products, labels) in batches:
                for row, pk in zip(labels, _next_ids(cursor, Label, len(labels)), strict=True):
                    row["id"] = pk
                for row, pk in zip(
                    products, _next_ids(cursor, Product, len(products)), strict=True
                ):
                    row["id"] = pk
                _copy(cursor, Organisation, organisations)
                _copy(cursor, Supplier, suppliers)
                _copy(cursor, Product, products)
                _copy(cursor, Label, labels)
                totals["products"] += len(products)
                totals["labels"] += len(labels)
                self.stdout.write(f"  {done:>9,} suppliers inserted", ending="\r")
                self.stdout.flush()
            step = self._step(
                started,
                f"Inserted {count:,} suppliers, {totals['products']:,} products and "
                f"{totals['labels']:,} labels",
            )
            services.supplier_reindex()
            step = self._step(step, "Search vectors and category lists built")
            services.search_words_rebuild()
            step = self._step(step, "Word list for typo matching built")
            # The reindex wrote every row a second time; rewrite the table compactly.
            table = connection.ops.quote_name(Supplier._meta.db_table)
            pkey = connection.ops.quote_name(f"{Supplier._meta.db_table}_pkey")
            # Foreign keys are checked at commit; CLUSTER wants them checked first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            step = self._step(step, "Foreign keys checked")
            cursor.execute(f"CLUSTER {table} USING {pkey}")
            cursor.execute(f"ALTER TABLE {table} SET WITHOUT CLUSTER")
            step = self._step(step, "Table compacted")
            for _name, definition in indexes:
                cursor.execute(definition)
            step = self._step(step, "Indexes built")
        self._analyze()
        step = self._step(step, "Statistics gathered")
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {count:,} suppliers in {time.monotonic() - started:.1f} s.")
        )

    def _step(self, since: float, done: str) -> float:
        now = time.monotonic()
        self.stdout.write(f"{done} in {now - since:.1f} s.")
        return now

    def _delete_seeded(self) -> None:
        """Set-based deletes: the ORM's collector would load 200,000 objects first."""
        _delete_rows(Supplier, seeded_suppliers().values("pk"))
        _delete_rows(Organisation, seeded_organisations().values("pk"))

    def _analyze(self) -> None:
        """Fresh statistics so the planner sees 100,000 rows, not 0; and, outside a
        transaction, the visibility map that lets index-only scans skip the table."""
        tables = [m._meta.db_table for m in (Organisation, Supplier, Product, Label, Category)]
        tables.append("procurement_searchword")
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")
