"""Demo accounts for ``make run``: one login per role, all with the same password.

Idempotent: running it again changes nothing that is already there.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from . import services
from .constants import MembershipRole, OrganisationKind
from .models import Directorate, Organisation, User
from .roles import Role

DEMO_PASSWORD = "Groningen-impact-2026"  # noqa: S105 (demo data, printed on purpose)

DIRECTORATES = [
    ("Werk en Maatschappelijke Participatie", "wmp", "wmp@groningen.example"),
    ("Inkomen", "inkomen", "inkomen@groningen.example"),
    ("Maatschappelijke Ontwikkeling (DMO)", "dmo", "dmo@groningen.example"),
    ("Stadsontwikkeling en duurzaamheid", "stadsontwikkeling", "rood@groningen.example"),
    ("SSC-Inkoop", "ssc-inkoop", "inkoop@groningen.example"),
    ("Vergunningen", "vergunningen", "vergunningen@groningen.example"),
]

ORGANISATIONS = [
    # name, kind, KvK, place
    ("De Computerbank Noord", OrganisationKind.SOCIAL, "40123456", "Groningen"),
    ("Stichting Leergeld Groningen", OrganisationKind.SOCIAL, "41009871", "Groningen"),
    ("Fietsenwerkplaats Oosterpoort", OrganisationKind.COMPANY, "72345678", "Groningen"),
    ("Peers Schoonmaak en Groen", OrganisationKind.COMPANY, "68123459", "Groningen"),
]


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str
    name: str
    organisation: str | None = None
    directorate: str | None = None


LOGINS = [
    DemoLogin(
        Role.ENTREPRENEUR,
        "ondernemer@demo.impactportaal.nl",
        "Sanne de Vries",
        organisation="Fietsenwerkplaats Oosterpoort",
    ),
    DemoLogin(
        Role.SOCIAL_ORGANISATION,
        "organisatie@demo.impactportaal.nl",
        "Karim El Amrani",
        organisation="De Computerbank Noord",
    ),
    DemoLogin(Role.ACCOUNT_MANAGER, "accountmanager@demo.impactportaal.nl", "Marieke Bos"),
    DemoLogin(
        Role.DIRECTORATE_CONTACT,
        "directie@demo.impactportaal.nl",
        "Jeroen Mulder",
        directorate="wmp",
    ),
    DemoLogin(Role.PROCUREMENT_OFFICER, "inkoper@demo.impactportaal.nl", "Fatma Yilmaz"),
    DemoLogin(Role.COORDINATOR, "coordinator@demo.impactportaal.nl", "Anouk Hoekstra"),
    # A raadsmedewerker (council staff): reads the programme monitor, nothing else.
    DemoLogin(Role.VIEWER, "monitor@demo.impactportaal.nl", "Pieter Smit"),
]


@transaction.atomic
def load_demo_accounts() -> list[DemoLogin]:
    for name, slug, email in DIRECTORATES:
        Directorate.objects.get_or_create(slug=slug, defaults={"name": name, "email": email})
    for name, kind, kvk, city in ORGANISATIONS:
        if not Organisation.objects.filter(kvk_number=kvk).exists():
            services.organisation_create(
                actor=None, name=name, kind=kind, kvk_number=kvk, city=city
            )
    for login in LOGINS:
        user = User.objects.filter(email=login.email).first()
        if user is None:
            user = User.objects.create_user(login.email, DEMO_PASSWORD, name=login.name)
            EmailAddress.objects.create(user=user, email=login.email, verified=True, primary=True)
            directorate = (
                Directorate.objects.get(slug=login.directorate) if login.directorate else None
            )
            services.user_grant_role(
                user=user, role=login.role, actor=None, directorate=directorate
            )
            if login.organisation:
                services.membership_add(
                    organisation=Organisation.objects.get(name=login.organisation),
                    user=user,
                    role=MembershipRole.ADMIN,
                    actor=None,
                )
    return LOGINS


LOADER_NAME = "accounts"


def register_demo() -> None:
    """The demo people and organisations come first: the other apps' demo data uses them."""
    from impactportal import demo

    demo.register(LOADER_NAME, load_demo_accounts, order=0)
