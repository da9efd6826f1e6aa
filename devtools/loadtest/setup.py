"""What the load test needs in the database before it starts: accounts per role (an
entrepreneur and a procurement officer per virtual user, so no two virtual users fight
over one person's registrations or shortlists; staff and social organisations as many
as there are in practice), a logged-in session per virtual user and role, and the
public objects the journeys visit.

The accounts have addresses at ``loadtest.invalid`` (a domain that can never receive
mail) and are made through the same services as real accounts. Staff accounts have an
authenticator app set up, as production demands before the admin; their sessions are
written straight into the session store, the way Django's own login would write them,
so the admin is reached without typing TOTP codes. Entrepreneurs also have a password,
for the journey that logs in through the login form.

Running it again reuses the accounts, makes new sessions and first removes the questions
and draft requests of earlier runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import import_module
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.constants import MembershipRole, OrganisationKind
from accounts.demo import DIRECTORATES, ORGANISATIONS
from accounts.hashers import PortalArgon2PasswordHasher
from accounts.models import Directorate, Organisation, User
from accounts.roles import STAFF_ROLES, Role
from events import selectors as event_selectors
from events.models import Event, Registration
from omarm import selectors as omarm_selectors
from omarm.constants import PostingState
from omarm.models import HelpRequest
from procurement import selectors as procurement_selectors
from procurement import services as procurement_services
from procurement.models import Shortlist
from servicepoint import selectors as servicepoint_selectors
from servicepoint.models import KnowledgeArticle, Question

DOMAIN = "loadtest.invalid"
# Printed nowhere and useless elsewhere: these accounts exist only in the load test's data.
PASSWORD = "Belastingtest-Groningen-2026"  # noqa: S105
ROLES = {
    Role.ENTREPRENEUR: "ondernemer",
    Role.SOCIAL_ORGANISATION: "organisatie",
    Role.PROCUREMENT_OFFICER: "inkoper",
    Role.DIRECTORATE_CONTACT: "directie",
    Role.ACCOUNT_MANAGER: "accountmanager",
    Role.COORDINATOR: "coordinator",
}
# How many people of a role there are at most, whatever the number of virtual users:
# the service point has a few account managers, a directorate one or two contacts. More
# would make the admin's choice lists of staff longer than they ever are; virtual users
# beyond these share an account, each with a session (a browser) of their own.
POOL = {
    Role.SOCIAL_ORGANISATION: 5,
    Role.DIRECTORATE_CONTACT: 2,
    Role.ACCOUNT_MANAGER: 3,
    Role.COORDINATOR: 2,
}
# The demo's social organisation and directorate (accounts.demo) are the ones whose
# requests and routed questions the demo data fills.
SOCIAL_KVK = next(
    kvk for _name, kind, kvk, _city in ORGANISATIONS if kind == OrganisationKind.SOCIAL
)
DIRECTORATE = DIRECTORATES[0][1]


@dataclass
class Member:
    email: str
    session: str
    shortlist: str = ""  # a procurement officer's own shortlist (uuid)


@dataclass
class Plan:
    """Who the virtual users are and what they visit; the same for every virtual user."""

    session_cookie: str
    password: str
    members: dict[str, list[Member]]  # role value → one per virtual user
    articles: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    own_requests: list[str] = field(default_factory=list)
    suppliers: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    open_events: list[str] = field(default_factory=list)
    questions: list[int] = field(default_factory=list)
    directorate_questions: list[int] = field(default_factory=list)

    def member(self, role: Role, number: int) -> Member:
        return self.members[role.value][number]

    def dump(self, path: Path) -> None:
        """For the Locust process, which reads it back with ``load``."""
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> Plan:
        data = json.loads(path.read_text())
        members = {
            role: [Member(**member) for member in people]
            for role, people in data.pop("members").items()
        }
        return cls(members=members, **data)


# The help request the social organisations of the load test save as a draft.
DRAFT_TITLE = "Belastingtest: vrijwilligers voor de laptopuitgifte"


def email_of(role: Role, number: int) -> str:
    return f"{ROLES[role]}-{number:03d}@{DOMAIN}"


def prepare(users: int) -> Plan:
    """Accounts and sessions for ``users`` virtual users, and the pages they visit."""
    remove_earlier_runs()
    accounts = ensure_accounts(users)
    members = {
        role.value: [
            Member(user.email, create_session(user), _shortlist_of(user))
            for user in (people[number % len(people)] for number in range(users))
        ]
        for role, people in accounts.items()
    }
    plan = Plan(session_cookie=settings.SESSION_COOKIE_NAME, password=PASSWORD, members=members)
    _collect_targets(plan, accounts)
    return plan


@transaction.atomic
def remove_earlier_runs() -> None:
    """Questions, event registrations and draft requests that earlier runs made are
    deleted (as ``benchmark_monitor --remove`` deletes its questions), so that every run
    starts from the demo data: the admin's queue, Mijn Omarm, Mijn agenda and the monitor
    do not grow run by run."""
    Question.objects.filter(email__endswith=f"@{DOMAIN}").delete()
    Registration.objects.filter(user__email__endswith=f"@{DOMAIN}").delete()
    HelpRequest.objects.filter(
        title=DRAFT_TITLE, state=PostingState.DRAFT, organisation__kvk_number=SOCIAL_KVK
    ).delete()


@transaction.atomic
def ensure_accounts(users: int) -> dict[Role, list[User]]:
    # Hashed once for all with production's hasher (named here: the settings of this
    # process may be the test ones), so the login form checks it at the real cost; set
    # again on every run, so that no account is re-hashed during the measurement.
    hasher = PortalArgon2PasswordHasher()
    hashed = hasher.encode(PASSWORD, hasher.salt())
    directorate = Directorate.objects.get(slug=DIRECTORATE)
    social = Organisation.objects.get(kvk_number=SOCIAL_KVK)
    accounts: dict[Role, list[User]] = {}
    for role in ROLES:
        accounts[role] = [
            _account(role, number, directorate=directorate, social=social)
            for number in range(min(users, POOL.get(role, users)))
        ]
    entrepreneurs = accounts[Role.ENTREPRENEUR]
    User.objects.filter(pk__in=[user.pk for user in entrepreneurs]).update(password=hashed)
    for user in entrepreneurs:
        user.password = hashed  # their sessions carry a hash of it
    return accounts


def _account(role: Role, number: int, *, directorate, social) -> User:
    email = email_of(role, number)
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user
    user = User.objects.create_user(email, None, name=f"Belastingtest {ROLES[role]} {number}")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    account_services.user_grant_role(
        user=user,
        role=role,
        actor=None,
        directorate=directorate if role == Role.DIRECTORATE_CONTACT else None,
    )
    if role == Role.SOCIAL_ORGANISATION:
        account_services.membership_add(
            organisation=social, user=user, role=MembershipRole.MEMBER, actor=None
        )
    if role == Role.PROCUREMENT_OFFICER:
        procurement_services.shortlist_create(owner=user, title="Schoonmaak stadhuis")
    if role in STAFF_ROLES:
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(user, generate_totp_secret())
    return user


def create_session(user: User) -> str:
    """A logged-in session for ``user``, as ``django.contrib.auth.login`` stores it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _shortlist_of(user: User) -> str:
    shortlist = Shortlist.objects.filter(owner=user).order_by("pk").first()
    return str(shortlist.uuid) if shortlist else ""


def _collect_targets(plan: Plan, accounts: dict[Role, list[User]]) -> None:
    plan.articles = list(
        KnowledgeArticle.objects.filter(is_published=True).values_list("slug", flat=True)
    )
    public = omarm_selectors.public_requests()
    plan.requests = [str(u) for u in public.values_list("uuid", flat=True)]
    plan.own_requests = [
        str(u)
        for u in public.filter(organisation__kvk_number=SOCIAL_KVK).values_list("uuid", flat=True)
    ] or plan.requests
    plan.suppliers = list(procurement_selectors.public_suppliers().values_list("slug", flat=True))
    now = timezone.now()
    upcoming = list(event_selectors.upcoming_events(now))
    plan.events = [event.slug for event in upcoming]
    plan.open_events = [
        event.slug
        for event in Event.objects.filter(slug__in=plan.events)
        if event_selectors.registration_window(event, now) == "open"
    ]
    staff = accounts[Role.ACCOUNT_MANAGER][0]
    plan.questions = list(
        servicepoint_selectors.questions_for_staff(staff).values_list("pk", flat=True)
    )
    contact = accounts[Role.DIRECTORATE_CONTACT][0]
    plan.directorate_questions = list(
        servicepoint_selectors.questions_for_staff(contact).values_list("pk", flat=True)
    )
    missing = [
        name
        for name in ("articles", "requests", "suppliers", "open_events", "questions")
        if not getattr(plan, name)
    ]
    if missing or not plan.directorate_questions:
        raise LookupError(
            "The demo data is incomplete for the load test (no "
            + ", ".join(missing or ["questions routed to a directorate"])
            + "): run `manage.py load_demo_data` first."
        )
