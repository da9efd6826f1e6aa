"""Every URL the resolver knows, opened by every role against real objects, gives the
outcome declared in ``permission_matrix.py``; a URL without a declaration fails.

The objects are built once for the module (inside a transaction that is rolled back at
the end); each role is one test that opens every URL and reports all mismatches at once,
as a table of URL, case, expected and got.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from accounts.constants import OrganisationKind
from accounts.roles import Role
from events import services as event_services
from events.constants import EventState
from events.models import Event
from impactportal.audit.services import audit_log
from impactportal.outbox.models import CapturedMail, OutboxMessage
from monitor.report import figure_slugs
from omarm.constants import PostingState
from omarm.models import Challenge, Report
from procurement.models import Inquiry, InquiryRecipient
from servicepoint import guest_links
from servicepoint import services as servicepoint_services
from servicepoint.models import Attachment, CannedReply, FollowUp, Question
from tests.factories import (
    AssignmentFactory,
    DirectorateFactory,
    HelpRequestFactory,
    KnowledgeArticleFactory,
    LabelFactory,
    MatchFactory,
    MembershipFactory,
    OfferFactory,
    OrganisationFactory,
    QuestionFactory,
    RoutingRuleFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    SupplierFactory,
    UserFactory,
)

from . import permission_matrix as matrix
from .hostile import context_values, has_form_errors
from .permission_matrix import ANONYMOUS, ROLES, Outcome

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="PNG")
    return buffer.getvalue()


# The resolver ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str | None  # namespaced, e.g. "servicepoint:ask"; None for an unnamed pattern
    route: str  # the full route, e.g. "servicepunt/vraag/"
    pattern: URLPattern


def walk(patterns=None, prefix: str = "", namespace: str = "") -> list[Pattern]:
    """Every URL pattern the root URLconf knows, with its namespaced name."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += walk(entry.url_patterns, route, inner)
        elif entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found.append(Pattern(name, route, entry))
        else:
            found.append(Pattern(None, route, entry))
    return found


def admin_models() -> dict[str, type]:
    return {
        f"{model._meta.app_label}.{model._meta.model_name}": model for model in admin.site._registry
    }


def object_redirect_route(label: str) -> str:
    """The route of a model admin's unnamed ``<pk>/`` redirect to its change page."""
    prefix = reverse("admin:index").lstrip("/")
    return f"{prefix}{label.replace('.', '/')}/<path:object_id>/"


# The declarations against the resolver -----------------------------------------------------


def test_every_url_of_the_resolver_is_declared_in_the_matrix():
    missing = []
    for found in walk():
        if found.name is None:
            if found.route in matrix.UNNAMED:
                continue
            if any(found.route == object_redirect_route(label) for label in matrix.ADMIN_MODELS):
                continue
            missing.append(f"(unnamed) /{found.route}")
            continue
        if found.name in matrix.MATRIX or found.name in matrix.SKIPPED:
            continue
        if matrix.admin_page_of(found.name)[0] is not None:
            continue
        missing.append(f"{found.name}  (/{found.route})")
    assert not missing, "URLs without an entry in tests/security/permission_matrix.py:\n" + (
        "\n".join(missing)
    )


def test_every_model_in_the_admin_has_a_rule():
    missing = sorted(set(admin_models()) - set(matrix.ADMIN_MODELS))
    assert not missing, f"admin models without a rule in ADMIN_MODELS: {missing}"


def test_no_stale_entries_in_the_matrix():
    patterns = walk()
    names = {found.name for found in patterns if found.name}
    routes = {found.route for found in patterns if found.name is None}
    stale = [name for name in [*matrix.MATRIX, *matrix.SKIPPED] if name not in names]
    stale += [route for route in matrix.UNNAMED if route not in routes]
    stale += sorted(set(matrix.ADMIN_MODELS) - set(admin_models()))
    assert not stale, f"entries that no longer resolve: {stale}"


def test_every_expectation_names_every_role():
    incomplete = []
    for name in matrix.MATRIX:
        for case in matrix.cases(name):
            if set(matrix.expected(name, case)) != set(ROLES):
                incomplete.append((name, case))
    assert not incomplete


# The objects -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, object]
    objects: dict[str, object] = field(default_factory=dict)
    files: list = field(default_factory=list)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _attach(world, question, *, message=None) -> Attachment:
    attachment = Attachment(
        question=question,
        message=message,
        original_name="offerte.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    attachment.file.save("offerte.pdf", ContentFile(PDF), save=False)
    attachment.save()
    world.files.append(attachment.file)
    return attachment


def _image(world, field_file, name):
    field_file.save(name, ContentFile(_png()), save=True)
    world.files.append(field_file)


def _event(slug, **values):
    start = timezone.now() + timedelta(days=14)
    return Event.objects.create(
        slug=slug,
        type="impactcafe",
        title="Impactcafé in de wijk",
        description="Ondernemers vertellen hoe zij werken met mensen met een afstand tot werk.",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue="Forum Groningen",
        state=values.pop("state", EventState.PUBLISHED),
        **values,
    )


def build_world() -> World:
    directorate = DirectorateFactory(slug="inkomen", name="Inkomen")
    elsewhere = DirectorateFactory(slug="vergunningen", name="Vergunningen")
    users = {
        ANONYMOUS: None,
        Role.ENTREPRENEUR: UserFactory(roles=[Role.ENTREPRENEUR]),
        Role.SOCIAL_ORGANISATION: UserFactory(roles=[Role.SOCIAL_ORGANISATION]),
        Role.PROCUREMENT_OFFICER: UserFactory(roles=[Role.PROCUREMENT_OFFICER]),
        Role.DIRECTORATE_CONTACT: UserFactory(
            roles=[Role.DIRECTORATE_CONTACT], staff=True, totp=True, directorate=directorate
        ),
        Role.ACCOUNT_MANAGER: UserFactory(roles=[Role.ACCOUNT_MANAGER], staff=True, totp=True),
        Role.COORDINATOR: UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True),
        Role.VIEWER: UserFactory(roles=[Role.VIEWER]),
        matrix.STAFF_WITHOUT_TOTP: UserFactory(roles=[Role.COORDINATOR], totp=False),
    }
    world = World(users)
    o = world.objects
    entrepreneur = users[Role.ENTREPRENEUR]
    social = users[Role.SOCIAL_ORGANISATION]
    officer = users[Role.PROCUREMENT_OFFICER]
    account_manager = users[Role.ACCOUNT_MANAGER]
    o["other_entrepreneur"] = other = UserFactory(roles=[Role.ENTREPRENEUR])
    o["unverified"] = UserFactory(roles=[Role.ENTREPRENEUR])
    EmailAddress.objects.filter(user=o["unverified"]).update(verified=False)

    # Organisations: the entrepreneur's three companies, the social organisation, others.
    o["company"], o["draft_company"], o["new_company"] = companies = [
        OrganisationFactory(kind=OrganisationKind.COMPANY) for _ in range(3)
    ]
    for company in companies:
        MembershipFactory(user=entrepreneur, organisation=company)
    o["social_org"] = OrganisationFactory(kind=OrganisationKind.SOCIAL, name="Stichting Samen")
    MembershipFactory(user=social, organisation=o["social_org"])
    o["other_company"] = OrganisationFactory(kind=OrganisationKind.COMPANY)
    MembershipFactory(user=other, organisation=o["other_company"])

    # Service point.
    o["question"] = QuestionFactory(requester=entrepreneur)
    o["assignment"] = AssignmentFactory(question=o["question"], directorate=directorate)
    o["attachment"] = _attach(world, o["question"])
    note = servicepoint_services.question_add_note(
        question=o["question"], author=account_manager, body="Interne notitie"
    )
    o["note_attachment"] = _attach(world, o["question"], message=note)
    o["other_question"] = QuestionFactory(requester=other)
    o["other_assignment"] = AssignmentFactory(question=o["other_question"], directorate=elsewhere)
    o["other_attachment"] = _attach(world, o["other_question"])
    o["guest_question"] = QuestionFactory(requester=None, name="Gast", email="gast@example.nl")
    o["unconfirmed_question"] = QuestionFactory(guest=True)
    o["follow_up"] = FollowUp.objects.create(question=o["question"])
    o["article"] = KnowledgeArticleFactory(topic=o["question"].topic)
    o["draft_article"] = KnowledgeArticleFactory(topic=o["question"].topic, is_published=False)
    RoutingRuleFactory(topic=o["question"].topic, directorate=directorate)
    CannedReply.objects.create(title="Doorverwijzing", body="Wij verwijzen u door.")

    # Omarm.
    o["request"] = HelpRequestFactory(organisation=o["social_org"])
    o["draft_request"] = HelpRequestFactory(
        organisation=o["social_org"], state=PostingState.DRAFT, approved_at=None
    )
    for posting in (o["request"], o["draft_request"]):
        _image(world, posting.photo, "foto.png")
    o["offer"] = OfferFactory(organisation=o["company"])
    o["draft_offer"] = OfferFactory(
        organisation=o["company"], state=PostingState.DRAFT, approved_at=None
    )
    o["match"] = MatchFactory(request=o["request"], business=o["company"])
    o["other_match"] = MatchFactory()
    o["challenge"] = Challenge.objects.create(
        title="Omarm Challenge", slug="omarm-challenge", date=timezone.localdate(), place="Forum"
    )
    Report.objects.create(request=o["request"], reporter=other, reason="Klopt niet")

    # Platform Goed Inkopen.
    o["supplier"] = SupplierFactory(organisation=o["company"], slug="eigen-leverancier")
    o["draft_supplier"] = SupplierFactory(
        organisation=o["draft_company"], slug="concept-leverancier", draft=True
    )
    for supplier in (o["supplier"], o["draft_supplier"]):
        _image(world, supplier.logo, "logo.png")
    o["other_supplier"] = SupplierFactory(organisation=o["other_company"], slug="andere")
    o["label"] = LabelFactory(supplier=o["supplier"])
    o["other_label"] = LabelFactory(supplier=o["other_supplier"])
    for label in (o["label"], o["other_label"]):
        label.evidence.save("bewijs.pdf", ContentFile(PDF), save=True)
        world.files.append(label.evidence)
    o["shortlist"] = ShortlistFactory(owner=officer)
    o["entry"] = ShortlistEntryFactory(shortlist=o["shortlist"], supplier=o["supplier"])
    o["other_shortlist"] = ShortlistFactory()  # another officer's
    ShortlistEntryFactory(shortlist=o["other_shortlist"], supplier=o["supplier"])
    o["inquiry"] = Inquiry.objects.create(sender=officer, subject="Marktverkenning", message="?")
    o["other_inquiry"] = Inquiry.objects.create(
        sender=o["other_shortlist"].owner, subject="Verkenning", message="?"
    )
    for inquiry in (o["inquiry"], o["other_inquiry"]):
        InquiryRecipient.objects.create(
            inquiry=inquiry, supplier=o["supplier"], email=o["supplier"].contact_email
        )

    # Events: one the entrepreneur organises, one they do not, and a draft.
    o["event"] = _event("impactcafe-eigen")
    o["event"].organisers.add(entrepreneur)
    o["other_event"] = _event("impactcafe-ander")
    o["draft_event"] = _event("concept", state=EventState.DRAFT)
    for event in (o["event"], o["draft_event"]):
        _image(world, event.image, "beeld.png")
    o["registration"] = event_services.registration_create(event=o["event"], user=social)
    o["other_registration"] = event_services.registration_create(event=o["other_event"], user=other)

    # What only the admin shows.
    audit_log(actor=account_manager, action="organisation.changed", obj=o["company"])
    OutboxMessage.objects.create(
        kind="test", recipient=other.email, language="nl", subject="Onderwerp", body_text="Tekst"
    )
    CapturedMail.objects.create(
        message_id="<matrix@impactportaal>",
        from_email="a@example.nl",
        to="b@example.nl",
        subject="Onderwerp",
        body_text="Tekst",
    )
    attempt = {
        "user_agent": "test",
        "ip_address": "127.0.0.1",
        "username": other.email,
        "http_accept": "*/*",
        "path_info": "/account/login/",
    }
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        for field_file in built.files:
            field_file.delete(save=False)
        transaction.set_rollback(True)


# The URLs, filled in -------------------------------------------------------------------------


def _confirmation_token(question) -> str:
    """A confirmation link's token for the question (the database keeps only its hash)."""
    token, digest = guest_links.new_confirmation_token()
    Question.objects.filter(pk=question.pk).update(confirmation_token_hash=digest)
    return token


def _expired_access_token(question) -> str:
    days = guest_links.max_age().days
    with time_machine.travel(timezone.now() - timedelta(days=days, minutes=1)):
        return guest_links.access_token(question)


def url_arguments(w: World) -> dict[str, dict[str, dict]]:
    """Keyword arguments (and ``"?"``: a query string) per URL name and case."""
    q, other_q = w.question, w.other_question
    reset_user = w.other_entrepreneur
    return {
        "account_confirm_email": {
            "": {"key": EmailConfirmationHMAC(EmailAddress.objects.get(user=reset_user)).key}
        },
        "account_reset_password_from_key": {
            "valid": {
                "uidb36": user_pk_to_url_str(reset_user),
                "key": default_token_generator.make_token(reset_user),
            },
            "wrong": {"uidb36": user_pk_to_url_str(reset_user), "key": "verlopen-sleutel"},
        },
        "servicepoint:confirm": {
            "token": {"token": _confirmation_token(w.unconfirmed_question)},
            "wrong": {"token": "verkeerd"},
        },
        "servicepoint:guest_question": {
            "token": {
                "uuid": w.guest_question.uuid,
                "token": guest_links.access_token(w.guest_question),
            },
            "expired": {
                "uuid": w.guest_question.uuid,
                "token": _expired_access_token(w.guest_question),
            },
            "wrong": {"uuid": w.guest_question.uuid, "token": guest_links.access_token(q)},
        },
        "servicepoint:guest_question_page": {"": {"uuid": q.uuid}},
        "servicepoint:my_question": {"own": {"uuid": q.uuid}, "other": {"uuid": other_q.uuid}},
        "servicepoint:attachment": {
            "own": {"uuid": w.attachment.uuid},
            "other": {"uuid": w.other_attachment.uuid},
            "note": {"uuid": w.note_attachment.uuid},
            "token": {"uuid": w.attachment.uuid, "?": f"token={guest_links.access_token(q)}"},
        },
        "servicepoint:follow_up": {"": {"token": w.follow_up.token, "answer": "ja"}},
        "servicepoint:article": {
            "published": {"slug": w.article.slug},
            "draft": {"slug": w.draft_article.slug},
        },
        "omarm:request": {
            "open": {"uuid": w.request.uuid},
            "draft": {"uuid": w.draft_request.uuid},
        },
        "omarm:request_edit": {
            "open": {"uuid": w.request.uuid},
            "draft": {"uuid": w.draft_request.uuid},
        },
        "omarm:offer_help": {"": {"uuid": w.request.uuid}},
        "omarm:report": {"": {"uuid": w.request.uuid}},
        "omarm:photo": {"open": {"uuid": w.request.uuid}, "draft": {"uuid": w.draft_request.uuid}},
        "omarm:offer": {"open": {"uuid": w.offer.uuid}, "draft": {"uuid": w.draft_offer.uuid}},
        "omarm:offer_edit": {"draft": {"uuid": w.draft_offer.uuid}},
        "omarm:show_interest": {"": {"uuid": w.offer.uuid}},
        # Submitting is for a draft; the other buttons for a request on the board.
        "omarm:submit": {"": {"kind": "hulpvraag", "uuid": w.draft_request.uuid}},
        **{
            f"omarm:{action}": {"": {"kind": "hulpvraag", "uuid": w.request.uuid}}
            for action in ("withdraw", "fulfil", "extend")
        },
        "omarm:match": {"own": {"uuid": w.match.uuid}, "other": {"uuid": w.other_match.uuid}},
        "omarm:organisation": {"": {"uuid": w.social_org.uuid}},
        "omarm:challenge": {"": {"slug": w.challenge.slug}},
        "procurement:supplier": {
            "verified": {"slug": w.supplier.slug},
            "draft": {"slug": w.draft_supplier.slug},
        },
        "procurement:logo": {
            "verified": {"slug": w.supplier.slug},
            "draft": {"slug": w.draft_supplier.slug},
        },
        "procurement:create": {
            "own": {"organisation_uuid": w.new_company.uuid},
            "other": {"organisation_uuid": w.other_company.uuid},
        },
        **{
            f"procurement:{name}": {
                "own": {"slug": w.supplier.slug},
                "other": {"slug": w.other_supplier.slug},
            }
            for name in ("edit", "profile_withdraw", "product_create", "label_create")
        },
        **{
            f"procurement:{name}": {"": {"slug": w.supplier.slug}}
            for name in ("profile_confirm", "shortlist_add")
        },
        "procurement:profile_submit": {"": {"slug": w.draft_supplier.slug}},
        **{
            f"procurement:{name}": {
                "own": {"slug": w.supplier.slug, "pk": w.supplier.products.get().pk},
                "other": {"slug": w.other_supplier.slug, "pk": w.other_supplier.products.get().pk},
            }
            for name in ("product_edit", "product_delete")
        },
        **{
            f"procurement:{name}": {
                "own": {"slug": w.supplier.slug, "pk": w.label.pk},
                "other": {"slug": w.other_supplier.slug, "pk": w.other_label.pk},
            }
            for name in ("label_edit", "label_delete", "label_evidence")
        },
        **{
            f"procurement:{name}": {
                "own": {"uuid": w.shortlist.uuid},
                "other": {"uuid": w.other_shortlist.uuid},
            }
            for name in ("shortlist", "shortlist_edit", "shortlist_delete")
        },
        **{
            f"procurement:{name}": {"": {"uuid": w.shortlist.uuid, "entry_id": w.entry.pk}}
            for name in ("shortlist_entry_note", "shortlist_entry_remove")
        },
        "procurement:shortlist_export": {
            "own": {"uuid": w.shortlist.uuid, "fmt": "csv"},
            "other": {"uuid": w.other_shortlist.uuid, "fmt": "csv"},
        },
        "procurement:search_export": {"": {"fmt": "csv"}},
        "procurement:inquiry": {
            "own": {"uuid": w.inquiry.uuid},
            "other": {"uuid": w.other_inquiry.uuid},
        },
        "events:month": {"": {"year": timezone.localdate().year, "month": 6}},
        "events:feed_type": {"": {"type": "impactcafe"}},
        **{
            f"events:{name}": {"own": {"slug": w.event.slug}, "other": {"slug": w.other_event.slug}}
            for name in (
                "organiser_attendees",
                "organiser_check_in",
                "organiser_export",
                "organiser_message",
            )
        },
        **{
            f"events:{name}": {
                "published": {"slug": w.event.slug},
                "draft": {"slug": w.draft_event.slug},
            }
            for name in ("detail", "image")
        },
        **{f"events:{name}": {"": {"slug": w.event.slug}} for name in ("register", "cancel")},
        "monitor:figure_csv": {"": {"slug": figure_slugs()[0]}},
        "admin:view_on_site": {
            "": {
                "content_type_id": ContentType.objects.get_for_model(w.supplier).pk,
                "object_id": w.supplier.pk,
            }
        },
        "admin:autocomplete": {
            "": {"?": "app_label=servicepoint&model_name=routingrule&field_name=assignee&term=a"}
        },
        "admin:app_list": {app: {"app_label": app} for app in matrix.ADMIN_APPS},
        "admin:auth_user_password_change": {"": {"id": w.other_entrepreneur.pk}},
        **{
            f"admin:servicepoint_question_{page}": {
                "routed": {"object_id": q.pk},
                "elsewhere": {"object_id": other_q.pk},
            }
            for page in ("change", "history")
        },
        "admin:servicepoint_question_message": {
            "routed": {"pk": q.pk},
            "elsewhere": {"pk": other_q.pk},
        },
        **{
            f"admin:servicepoint_question_{page}": {"": {"pk": q.pk}}
            for page in ("route", "state", "topic")
        },
        "admin:servicepoint_question_assignment": {
            "routed": {"pk": q.pk, "assignment_pk": w.assignment.pk},
            "elsewhere": {"pk": other_q.pk, "assignment_pk": w.other_assignment.pk},
        },
        "admin:omarm_helprequest_propose": {"": {"pk": w.request.pk}},
    }


def admin_object(w: World, label: str):
    """The object a model's admin pages are opened with."""
    chosen = {
        "servicepoint.question": w.question,
        "accounts.user": w.other_entrepreneur,
        "accounts.organisation": w.company,
        "procurement.supplier": w.supplier,
        "omarm.helprequest": w.request,
        "omarm.match": w.match,
        "events.event": w.event,
    }.get(label)
    if chosen is None:
        chosen = admin_models()[label]._default_manager.order_by("pk").first()
        assert chosen is not None, f"the walk has no {label} to open in the admin"
    return chosen


@dataclass(frozen=True)
class Target:
    name: str  # the URL name, or the route of an unnamed pattern
    case: str
    url: str
    expect: matrix.Expect


def targets(w: World) -> tuple[list[Target], list[str]]:
    """Every URL to open, and the problems building them (a case without arguments...)."""
    arguments = url_arguments(w)
    found, problems = [], []
    for pattern in walk():
        if pattern.name is None:
            if pattern.route in matrix.UNNAMED:
                path = "/" + pattern.route.split("(")[0] + "bestaat-niet/"
                found.append(Target(pattern.route, "", path, matrix.UNNAMED[pattern.route]))
                continue
            for label, rule in matrix.ADMIN_MODELS.items():
                if pattern.route == object_redirect_route(label):
                    changelist = reverse(f"admin:{label.replace('.', '_')}_changelist")
                    path = f"{changelist}{admin_object(w, label).pk}/"
                    found.append(Target(pattern.route, "", path, rule.expect("object")))
            continue
        if pattern.name in matrix.SKIPPED:
            continue
        model, page = matrix.admin_page_of(pattern.name)
        if pattern.name not in matrix.MATRIX and model is None:
            continue  # undeclared: test_every_url_of_the_resolver_is_declared_in_the_matrix
        for case in matrix.cases(pattern.name):
            kwargs = dict(arguments.get(pattern.name, {}).get(case, {}))
            if not kwargs and model is not None and page in ("change", "delete", "history"):
                kwargs = {"object_id": admin_object(w, model).pk}
            query = kwargs.pop("?", "")
            try:
                path = reverse(pattern.name, kwargs=kwargs)
            except Exception as error:  # noqa: BLE001 - reported with the others
                problems.append(f"{pattern.name} [{case}]: cannot build the URL ({error})")
                continue
            if resolve(path).url_name != pattern.pattern.name:
                problems.append(f"{pattern.name} [{case}]: {path} opens another page")
                continue
            url = f"{path}?{query}" if query else path
            found.append(Target(pattern.name, case, url, matrix.expected(pattern.name, case)))
    return found, problems


# Opening them ---------------------------------------------------------------------------------


def outcome_of(response) -> str:
    status = response.status_code
    if status in (301, 302):
        location = urlsplit(response["Location"]).path
        if location == reverse("account_login"):
            return Outcome.LOGIN.value
        if location == reverse("admin:login"):
            return Outcome.ADMIN_LOGIN.value
        if location == reverse("mfa_activate_totp"):
            return Outcome.MFA_SETUP.value
        return Outcome.REDIRECT.value
    return str(status)


def open_as(client: Client, url: str) -> str:
    try:
        with transaction.atomic():
            response = client.get(url)
    except Exception as error:  # noqa: BLE001 - a crash is a mismatch like any other
        return f"error {type(error).__name__}: {error}"[:120]
    if response.streaming:
        # Reading the stream closes the file through the test client, which keeps the
        # database connection open (closing the response ourselves would not).
        b"".join(response.streaming_content)
    return outcome_of(response)


def mismatch_table(rows: list[tuple[str, str, str, str]]) -> str:
    rows = [("URL", "case", "expected", "got"), *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES, ids=[str(role) for role in ROLES])
def test_every_url_gives_the_declared_outcome(world, role, settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = True  # as production has it, always
    found, problems = targets(world)
    assert not problems, "\n".join(problems)
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    mismatches = []
    for target in found:
        want = target.expect[role].value
        got = open_as(client, target.url)
        if got != want:
            mismatches.append((target.url, target.case or "-", want, got))
    assert not mismatches, f"{len(mismatches)} mismatches for {role}:\n" + mismatch_table(
        mismatches
    )


# The wrong side, spelled out ------------------------------------------------------------------


@pytest.mark.django_db
def test_owners_are_on_the_right_side_and_everyone_else_on_the_wrong_one(world):
    """A few boundaries in plain words, on top of the walk: the owner opens it, someone
    holding the same role but not owning it does not."""
    entrepreneur, officer = (world.users[Role.ENTREPRENEUR], world.users[Role.PROCUREMENT_OFFICER])
    contact = world.users[Role.DIRECTORATE_CONTACT]
    pages = [
        (entrepreneur, reverse("servicepoint:my_question", args=[world.question.uuid]), 200),
        (entrepreneur, reverse("servicepoint:my_question", args=[world.other_question.uuid]), 404),
        (entrepreneur, reverse("procurement:edit", args=[world.supplier.slug]), 200),
        (entrepreneur, reverse("procurement:edit", args=[world.other_supplier.slug]), 404),
        (officer, reverse("procurement:shortlist", args=[world.shortlist.uuid]), 200),
        (officer, reverse("procurement:shortlist", args=[world.other_shortlist.uuid]), 404),
        (contact, reverse("admin:servicepoint_question_change", args=[world.question.pk]), 200),
        (
            contact,
            reverse("admin:servicepoint_question_change", args=[world.other_question.pk]),
            404,
        ),
    ]
    for user, url, status in pages:
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status, (user, url)


@pytest.mark.django_db
def test_the_outbox_in_the_admin_does_not_hand_out_keys_to_accounts(client, world):
    """The desk reads the outbox; a password-reset mail in it would let them into the
    account of whoever asked for it."""
    person = world.other_entrepreneur
    response = client.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 302
    mail = OutboxMessage.objects.filter(recipient=person.email, kind__startswith="allauth/").get()
    prefix = reverse("account_reset_password_from_key", args=["x", "y"]).split("x-y")[0]
    key_path = next(word for word in mail.body_text.split() if prefix in word)
    for role in (Role.ACCOUNT_MANAGER, Role.COORDINATOR):
        client.force_login(world.users[role])
        page = client.get(reverse("admin:outbox_outboxmessage_change", args=[mail.pk]))
        assert page.status_code == 200
        assert mail.recipient in page.content.decode()
        assert key_path.split(prefix)[1].strip("/") not in page.content.decode()


# POST ---------------------------------------------------------------------------------------


def test_every_url_is_declared_for_post():
    """Every URL the resolver knows either only shows (GET_ONLY) or says who may post."""
    undeclared, both = [], []
    for found in walk():
        if found.name is None or found.name in matrix.SKIPPED:
            continue
        declared = [found.name in matrix.GET_ONLY, found.name in matrix.POST]
        if all(declared):
            both.append(found.name)
        elif not any(declared) and matrix.admin_page_of(found.name)[0] is None:
            undeclared.append(f"{found.name}  (/{found.route})")
    assert not undeclared, "URLs in neither GET_ONLY nor POST:\n" + "\n".join(undeclared)
    assert not both, f"URLs in both GET_ONLY and POST: {both}"
    names = {found.name for found in walk() if found.name}
    stale = sorted(name for name in [*matrix.GET_ONLY, *matrix.POST] if name not in names)
    assert not stale, f"POST entries that no longer resolve: {stale}"


@pytest.mark.django_db
def test_every_admin_action_is_declared(admin_user):
    """The actions each model admin offers (a superuser sees them all) are those its rule
    in ADMIN_MODELS declares; "delete selected" follows the rule's ``delete``."""
    request = RequestFactory().get("/")
    request.user = admin_user
    wrong = {}
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        offered = set(model_admin.get_actions(request)) - {"delete_selected"}
        declared = set(matrix.ADMIN_MODELS[label].actions)
        if offered != declared:
            wrong[label] = {"offered": sorted(offered), "declared": sorted(declared)}
    assert not wrong, wrong


def post_payloads(w: World) -> dict[str, dict[str, dict]]:
    """What the walk posts where an empty form would not reach the decision: a valid
    form for the first role that may, sent by every role."""
    q = w.question
    later = (timezone.localdate() + timedelta(days=60)).isoformat()
    both = ("routed", "elsewhere")
    return {
        "admin:servicepoint_question_assignment": dict.fromkeys(both, {"state": "in_progress"}),
        "admin:servicepoint_question_message": {
            "routed": {"kind": "note", "body": "Overleg.", "assignment": w.assignment.pk},
            "elsewhere": {"kind": "note", "body": "Overleg.", "assignment": w.other_assignment.pk},
        },
        "admin:servicepoint_question_route": {"": {"directorates": [w.assignment.directorate_id]}},
        "admin:servicepoint_question_state": {"": {"state": "in_progress", "reason": ""}},
        "admin:servicepoint_question_topic": {"": {"topic": q.topic_id}},
        "omarm:extend": {"": {"until": later}},
        "omarm:match": dict.fromkeys(("own", "other"), {"action": "message", "body": "Hallo!"}),
        "omarm:offer_help": {"": {"business": w.company.pk, "message": "Wij helpen graag."}},
        "omarm:show_interest": {
            "": {"social_organisation": w.social_org.pk, "message": "Wij zoeken dit."}
        },
        "events:organiser_check_in": {
            "own": {"registration": w.registration.uuid, "attended": "1"},
            "other": {"registration": w.other_registration.uuid, "attended": "1"},
        },
        "events:organiser_message": dict.fromkeys(
            ("own", "other"),
            {"statuses": ["confirmed"], "subject": "Route", "body": "Parkeren kan bij het Forum."},
        ),
    }


def post_urls(w: World) -> dict[str, str]:
    """Where the walk posts somewhere else than it opens: the GET walk keeps its session
    (confirming an address logs out whoever is logged in as someone else), so it opens
    the key of an address that is already confirmed; the post confirms a new one."""
    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=w.unverified)).key
    return {"account_confirm_email": reverse("account_confirm_email", args=[key])}


@dataclass(frozen=True)
class Post:
    name: str
    case: str
    url: str
    expect: matrix.Expect
    data: dict


def post_targets(w: World) -> list[Post]:
    """Every URL with what a POST to it should give, and one post per admin action."""
    payloads = post_payloads(w)
    found = []
    get_targets, problems = targets(w)
    assert not problems, "\n".join(problems)
    for target in get_targets:
        if target.name in matrix.UNNAMED_POST:
            expect = matrix.UNNAMED_POST[target.name]
        elif target.name not in matrix.POST and target.name not in matrix.GET_ONLY:
            # An admin model's standard page, or its unnamed <pk>/ redirect.
            model, page = matrix.admin_page_of(target.name)
            if model is None:
                label = next(
                    label
                    for label in matrix.ADMIN_MODELS
                    if target.name == object_redirect_route(label)
                )
                model, page = label, "object"
            expect = matrix.ADMIN_MODELS[model].post_expect(page)
        else:
            expect = matrix.post_expected(target.name, target.case)
        if expect is None:
            expect = matrix.only_shows(target.expect)
        data = payloads.get(target.name, {}).get(target.case, {})
        url = post_urls(w).get(target.name, target.url)
        found.append(Post(target.name, target.case, url, expect, data))
    for label, rule in matrix.ADMIN_MODELS.items():
        changelist = reverse(f"admin:{label.replace('.', '_')}_changelist")
        selected = admin_object(w, label).pk
        for action in rule.all_actions():
            data = {"action": action, "_selected_action": [selected], "index": "0"}
            name = f"admin:{label.replace('.', '_')}_changelist"
            found.append(Post(name, action, changelist, rule.action_expect(action), data))
    return found


def post_outcome_of(response) -> str:
    warnings = [
        str(message)
        for message in get_messages(response.wsgi_request)
        if message.level >= messages.WARNING
    ]
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        if gettext("No action selected.") in warnings:  # Django's answer to an unknown action
            return Outcome.NOT_OFFERED.value
    warned = bool(warnings)
    if response.status_code in (301, 302, 303):
        location = urlsplit(response["Location"]).path
        gates = {
            reverse("account_login"): Outcome.LOGIN,
            reverse("admin:login"): Outcome.ADMIN_LOGIN,
            reverse("mfa_activate_totp"): Outcome.MFA_SETUP,
            reverse("account_reauthenticate"): Outcome.REAUTHENTICATE,
        }
        if location in gates:
            return gates[location].value
        return (Outcome.REFUSED if warned else Outcome.REDIRECT).value
    if warned:
        return Outcome.REFUSED.value
    if has_form_errors(response):
        return Outcome.INVALID.value
    if response.status_code == 200 and any(key == "cl" for key, _ in context_values(response)):
        return Outcome.LISTED.value
    return str(response.status_code)


def post_as(client: Client, cookies, url: str, data: dict) -> str:
    """Post in a savepoint that is rolled back, from the same session each time."""
    client.cookies = copy.deepcopy(cookies)
    cache.clear()  # rate limits
    try:
        with transaction.atomic():
            response = client.post(url, data)
            if response.streaming:
                b"".join(response.streaming_content)
            got = post_outcome_of(response)
            transaction.set_rollback(True)
    except Exception as error:  # noqa: BLE001 - a crash is a mismatch like any other
        return f"error {type(error).__name__}: {error}"[:120]
    return got


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES, ids=[str(role) for role in ROLES])
def test_every_url_answers_a_post_as_declared(world, role, settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = True
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    cookies = copy.deepcopy(client.cookies)
    mismatches = []
    for target in post_targets(world):
        want = target.expect[role]
        got = post_as(client, cookies, target.url, target.data)
        if not matrix.matches(want, got):
            mismatches.append((target.url, target.case or "-", want.value, got))
    assert not mismatches, f"{len(mismatches)} mismatches for {role}:\n" + mismatch_table(
        mismatches
    )
