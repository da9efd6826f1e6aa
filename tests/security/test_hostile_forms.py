"""Hostile input to every form and endpoint of the portal (issue #8).

Each form gets generated mutations of a valid payload (see tests/security/hostile.py):
never a server error, refused input stores nothing, accepted input is shown escaped.
Every GET endpoint that reads parameters gets hostile parameters; every POST endpoint
refuses a post without a CSRF token. Rate limits and honeypots may refuse a post too:
the checks hold for refused and accepted input alike.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cached_property
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.constants import OrganisationKind
from accounts.models import Membership, Organisation, User
from accounts.roles import Role
from events.constants import QuestionKind, RegistrationStatus
from events.models import Registration, RegistrationQuestion
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from omarm.constants import HelpKind, MatchState, PostingState, Theme
from omarm.models import Area, HelpRequest, Match, MatchMessage, Offer, Report
from procurement import importing as importer
from procurement.constants import LabelKind, PsoLevel
from procurement.models import (
    Category,
    Inquiry,
    InquiryRecipient,
    Label,
    Product,
    Shortlist,
    ShortlistEntry,
    Supplier,
)
from procurement.views import FILTER_PARAMS
from servicepoint.constants import QuestionState
from servicepoint.models import Attachment, FollowUp, Message, Question, Topic
from tests.events.test_registration import make_event
from tests.factories import (
    PASSWORD,
    DirectorateFactory,
    HelpRequestFactory,
    LabelFactory,
    MatchFactory,
    MembershipFactory,
    OfferFactory,
    OrganisationFactory,
    QuestionFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    SupplierFactory,
    UserFactory,
)
from tests.procurement.test_owner_views import profile_post

from .hostile import (
    HTML_PAYLOADS,
    Case,
    assert_round_trip,
    counts,
    hostile_settings,
    hostile_strings,
    mutations,
    query_mutations,
    redirected,
    rendered_form,
    send,
)

pytestmark = pytest.mark.django_db


def _form_valid(response) -> bool:
    """For pages that answer an accepted post with 200 and the same page."""
    form = (response.context or {}).get("form") if response.status_code == 200 else None
    return form is not None and form.is_bound and not form.errors


def _values(model, **filters):
    return list(model._base_manager.filter(**filters).order_by("pk").values())


def _date(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


class World:
    """The people and objects the cases need, made on first use."""

    def __init__(self):
        self.client = Client()  # reads the forms; the tests post with their own client
        self._cases: dict[str, Case] = {}

    # People -----------------------------------------------------------------------------

    @cached_property
    def entrepreneur(self):
        return UserFactory(roles=[Role.ENTREPRENEUR], phone="050 367 7777")

    @cached_property
    def leaving(self):
        """An entrepreneur who may delete their account."""
        return UserFactory(roles=[Role.ENTREPRENEUR])

    @cached_property
    def company(self):
        return OrganisationFactory(kind=OrganisationKind.COMPANY, name="Groen en Wel BV")

    @cached_property
    def company_member(self):
        return MembershipFactory(
            organisation=self.company, user=UserFactory(roles=[Role.ENTREPRENEUR])
        ).user

    @cached_property
    def social(self):
        return OrganisationFactory(kind=OrganisationKind.SOCIAL, name="Stichting Samen")

    @cached_property
    def social_member(self):
        return MembershipFactory(
            organisation=self.social, user=UserFactory(roles=[Role.SOCIAL_ORGANISATION])
        ).user

    @cached_property
    def officer(self):
        return UserFactory(roles=[Role.PROCUREMENT_OFFICER])

    @cached_property
    def coordinator(self):
        return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)

    @cached_property
    def account_manager(self):
        return UserFactory(roles=[Role.ACCOUNT_MANAGER], staff=True, totp=True)

    @cached_property
    def viewer(self):
        return UserFactory(roles=[Role.VIEWER])

    # Service point ----------------------------------------------------------------------

    @cached_property
    def topic(self):
        return Topic.objects.get(slug="financiering")

    @cached_property
    def question(self):
        return QuestionFactory(requester=self.entrepreneur, topic=self.topic)

    @cached_property
    def guest_question(self):
        question = QuestionFactory(guest=True, topic=self.topic)
        Question.objects.filter(pk=question.pk).update(submitted_at=timezone.now())
        question.refresh_from_db()
        return question

    @cached_property
    def unconfirmed_question(self):
        return QuestionFactory(guest=True, topic=self.topic)

    @cached_property
    def follow_up(self):
        question = QuestionFactory(requester=self.entrepreneur, topic=self.topic)
        Question.objects.filter(pk=question.pk).update(state=QuestionState.CLOSED)
        return FollowUp.objects.create(question=question)

    # Omarm ------------------------------------------------------------------------------

    @cached_property
    def area(self):
        return Area.objects.order_by("pk").first()

    @cached_property
    def public_request(self):
        return HelpRequestFactory()

    @cached_property
    def draft_request(self):
        return HelpRequestFactory(organisation=self.social, state=PostingState.DRAFT)

    @cached_property
    def own_open_request(self):
        return HelpRequestFactory(organisation=self.social)

    @cached_property
    def public_offer(self):
        return OfferFactory()

    @cached_property
    def draft_offer(self):
        return OfferFactory(organisation=self.company, state=PostingState.DRAFT)

    @cached_property
    def match(self):
        return MatchFactory(
            request=HelpRequestFactory(organisation=self.social),
            business=self.company,
            started_by=self.company_member,
        )

    @cached_property
    def matched(self):
        return MatchFactory(
            request=HelpRequestFactory(organisation=self.social),
            business=self.company,
            state=MatchState.MATCHED,
            started_by=self.company_member,
        )

    # Platform Goed Inkopen --------------------------------------------------------------

    @cached_property
    def supplier(self):
        return SupplierFactory(organisation=self.company, draft=True)

    @cached_property
    def new_company(self):
        """A company of the same member without a profile yet."""
        return MembershipFactory(
            user=self.company_member, organisation=OrganisationFactory(name="Nieuw BV")
        ).organisation

    @cached_property
    def verified_supplier(self):
        """A public profile of another company of the same member."""
        organisation = MembershipFactory(
            user=self.company_member, organisation=OrganisationFactory(name="Verified BV")
        ).organisation
        return SupplierFactory(organisation=organisation)

    @cached_property
    def label(self):
        return LabelFactory(supplier=self.supplier)

    @cached_property
    def product(self):
        return self.supplier.products.first()

    @cached_property
    def public_supplier(self):
        return SupplierFactory()

    @cached_property
    def shortlist(self):
        shortlist = ShortlistFactory(owner=self.officer)
        ShortlistEntryFactory(shortlist=shortlist, supplier=self.public_supplier)
        return shortlist

    @cached_property
    def entry(self):
        return self.shortlist.entries.get()

    # Events -----------------------------------------------------------------------------

    @cached_property
    def event(self):
        event = make_event(slug="impactcafe-hostile", capacity=20)
        event.organisers.add(self.organiser)
        RegistrationQuestion.objects.create(
            event=event, position=1, label="Dieetwens", kind=QuestionKind.TEXT
        )
        RegistrationQuestion.objects.create(
            event=event,
            position=2,
            label="Workshop",
            kind=QuestionKind.CHOICE,
            choices="Inkopen\nFinancieren",
            required=True,
        )
        RegistrationQuestion.objects.create(
            event=event, position=3, label="Eten", kind=QuestionKind.YES_NO, required=True
        )
        return event

    @cached_property
    def organiser(self):
        return UserFactory(roles=[Role.ENTREPRENEUR])

    @cached_property
    def attendee(self):
        from events import services

        user = UserFactory(roles=[Role.ENTREPRENEUR])
        services.registration_create(event=self.event, user=user, answers=self.answers())
        return user

    @cached_property
    def registration(self):
        return Registration.objects.get(event=self.event, user=self.attendee)

    def answers(self) -> dict[str, str]:
        first, second, third = self.event.questions.order_by("position")
        return {str(first.pk): "Vegetarisch", str(second.pk): "Inkopen", str(third.pk): "ja"}

    # Cases ------------------------------------------------------------------------------

    def case(self, name: str) -> Case:
        """The case, with its payload completed from the form as the page renders it
        (so fields added to a form later, such as a honeypot, are sent as a browser would)."""
        if name not in self._cases:
            case, form_page, having = CASES[name](self)
            if form_page is not None:
                if case.user is not None:
                    self.client.force_login(case.user)
                page = self.client.get(form_page)
                assert page.status_code == 200, (name, form_page, page.status_code)
                # Without fields to pick it by (a form of one checkbox), the form that
                # posts to the case's own address.
                action = None if having else case.url
                form = rendered_form(page.content.decode(), having=having, action=action)
                case.data = {**form.data(), **case.data}
                self.client.logout()
            self._cases[name] = case
        return self._cases[name]


@pytest.fixture
def world(db):
    return World()


# The cases: name -> (world -> (Case, page with the form or None, fields that pick the form))

CASES = {}


def case(name):
    def register(build):
        CASES[name] = build
        return build

    return register


# Accounts ---------------------------------------------------------------------------------


@case("signup")
def _signup(w):
    data = {
        "name": "Sanne de Vries",
        "email": "nieuw@example.nl",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return (
        Case("/account/signup/", data, models=[User, EmailAddress, OutboxMessage]),
        "/account/signup/",
        ["email"],
    )


@case("login")
def _login(w):
    data = {"login": w.entrepreneur.email, "password": PASSWORD}
    snapshot = lambda: _values(User, pk=w.entrepreneur.pk)  # noqa: E731
    return (
        Case("/account/login/", data, models=[User], snapshot=snapshot),
        "/account/login/",
        ["login"],
    )


@case("password_reset")
def _password_reset(w):
    data = {"email": w.entrepreneur.email}
    return (
        Case("/account/password/reset/", data, models=[OutboxMessage]),
        "/account/password/reset/",
        ["email"],
    )


@case("email_add")
def _email_add(w):
    data = {"email": "tweede@example.nl", "action_add": ""}
    return (
        Case("/account/email/", data, user=w.entrepreneur, models=[EmailAddress, OutboxMessage]),
        None,
        [],
    )


@case("password_change")
def _password_change(w):
    new = "een-Ander-wachtw00rd-voor-tests"
    data = {"oldpassword": PASSWORD, "password1": new, "password2": new}
    snapshot = lambda: User.objects.get(pk=w.entrepreneur.pk).password  # noqa: E731
    return (
        Case("/account/password/change/", data, user=w.entrepreneur, snapshot=snapshot),
        "/account/password/change/",
        ["oldpassword"],
    )


@case("profile")
def _profile(w):
    data = {"name": "Sanne de Vries", "phone": "050 367 7777", "language": "nl"}
    snapshot = lambda: _values(User, pk=w.entrepreneur.pk)  # noqa: E731
    return (
        Case(
            "/account/profiel/",
            data,
            user=w.entrepreneur,
            models=[User],
            snapshot=snapshot,
            shown=["/account/profiel/"],
            text_fields=["name"],
        ),
        "/account/profiel/",
        ["name"],
    )


@case("delete_account")
def _delete_account(w):
    data = {"confirm": "on"}
    return (
        Case(
            "/account/verwijderen/",
            data,
            user=w.leaving,
            models=[User, Membership],
            keeps_rights=False,
            reauthenticated=True,
        ),
        "/account/verwijderen/",
        [],  # an unticked checkbox is no field of the rendered form
    )


@case("reauthenticate")
def _reauthenticate(w):
    return (
        Case(
            "/account/reauthenticate/",
            {"password": PASSWORD},
            user=w.entrepreneur,
            models=[User],
            snapshot=lambda: _values(User, pk=w.entrepreneur.pk),
        ),
        "/account/reauthenticate/",
        ["password"],
    )


@case("admin_organisation_add")
def _admin_organisation_add(w):
    data = {
        "name": "Stichting Buurtkracht",
        "kind": OrganisationKind.SOCIAL,
        "kvk_number": "69599084",
        "branch_number": "",
        "city": "Groningen",
    }
    return (
        Case(
            "/beheer/accounts/organisation/add/",
            data,
            user=w.coordinator,
            models=[Organisation, Membership, AuditLogEntry],
            shown=["/beheer/accounts/organisation/"],
            text_fields=["name", "city"],
        ),
        "/beheer/accounts/organisation/add/",
        ["name"],
    )


# Service point ----------------------------------------------------------------------------

QUESTION_MODELS = [Question, Message, Attachment, OutboxMessage, FollowUp]


def _guest_pages():
    """The question page as the guest reaches it: confirmed with the token of the link in
    the confirmation e-mail, then the link in the receipt (which gives this browser a
    grant) and the question's clean address it leads to."""
    from servicepoint import guest_links, services

    question = Question.objects.order_by("-pk").first()
    mail = OutboxMessage.objects.filter(kind="servicepoint/confirm_question").latest("pk")
    token = re.search(r"/servicepunt/vraag/bevestigen/([^/\s]+)/", mail.body_text).group(1)
    services.question_confirm(token=token)
    return [guest_links.access_path(question), f"/servicepunt/vraag/{question.uuid}/"]


def _confirmation_token(question) -> str:
    """A confirmation link's token for the question (the database keeps only its hash)."""
    from servicepoint import guest_links

    token, digest = guest_links.new_confirmation_token()
    Question.objects.filter(pk=question.pk).update(confirmation_token_hash=digest)
    return token


def _session_with_grant(question) -> dict[str, str]:
    """The Cookie header of a browser session that opened a link to the question."""
    from servicepoint import guest_links

    engine = import_module(django_settings.SESSION_ENGINE)
    browser = SimpleNamespace(session=engine.SessionStore())
    guest_links.grant(browser, question)
    browser.session.save()
    return {"Cookie": f"{django_settings.SESSION_COOKIE_NAME}={browser.session.session_key}"}


@case("ask_guest")
def _ask_guest(w):
    data = {
        "topic": str(w.topic.pk),
        "subject": "Subsidie voor een kringloopwinkel",
        "text": "Welke subsidies zijn er voor een sociale onderneming?",
        "name": "Sanne de Vries",
        "email": "sanne@example.nl",
        "company_name": "Kringloop Noord",
        "kvk_number": "12345678",
        "preferred_contact": "email",
        "phone": "",
    }
    return (
        Case(
            "/servicepunt/vraag/",
            data,
            models=QUESTION_MODELS,
            shown=_guest_pages,
            text_fields=["subject", "text", "name", "company_name"],
        ),
        "/servicepunt/vraag/",
        ["subject"],
    )


@case("ask_suggest")
def _ask_suggest(w):
    """'Search the knowledge base first' posts the form back and stores nothing (without
    the button's field the post is an ordinary question)."""
    built, page, having = _ask_guest(w)
    built.data = {**built.data, "suggest": "1"}
    built.shown = ()
    built.answers_with_a_page = True
    return built, page, having


@case("ask_logged_in")
def _ask_logged_in(w):
    data = {
        "topic": str(w.topic.pk),
        "subject": "Subsidie voor een kringloopwinkel",
        "text": "Welke subsidies zijn er voor een sociale onderneming?",
        "company_name": "",
        "kvk_number": "",
        "preferred_contact": "email",
        "phone": "",
    }

    def shown():
        question = Question.objects.filter(requester=w.entrepreneur).order_by("-pk").first()
        return [f"/servicepunt/mijn-vragen/{question.uuid}/", "/servicepunt/mijn-vragen/"]

    return (
        Case(
            "/servicepunt/vraag/",
            data,
            user=w.entrepreneur,
            models=QUESTION_MODELS,
            shown=shown,
            text_fields=["subject", "text"],
        ),
        "/servicepunt/vraag/",
        ["subject"],
    )


@case("reply_logged_in")
def _reply_logged_in(w):
    url = f"/servicepunt/mijn-vragen/{w.question.uuid}/"
    return (
        Case(
            url,
            {"body": "Hier is de offerte waar u om vroeg."},
            user=w.entrepreneur,
            models=QUESTION_MODELS,
            snapshot=lambda: _values(Question, pk=w.question.pk),
            text_fields=["body"],
        ),
        url,
        ["body"],
    )


@case("reply_guest")
def _reply_guest(w):
    """A guest replies on the question's page, in the browser session that opened the link
    in an e-mail; the pages showing the reply are read the same way."""
    from servicepoint import guest_links

    question = w.guest_question
    url = f"/servicepunt/vraag/{question.uuid}/"
    return (
        Case(
            url,
            {"body": "Hier is de offerte waar u om vroeg."},
            models=QUESTION_MODELS,
            snapshot=lambda: _values(Question, pk=question.pk),
            text_fields=["body"],
            headers=_session_with_grant(question),
            shown=[guest_links.access_path(question), url],
        ),
        None,  # the page opens only with the grant; the form has no other fields
        [],
    )


@case("confirm_question")
def _confirm_question(w):
    question = w.unconfirmed_question
    url = f"/servicepunt/vraag/bevestigen/{_confirmation_token(question)}/"
    return (
        Case(
            url,
            {},
            models=QUESTION_MODELS,
            snapshot=lambda: _values(Question, pk=question.pk),
        ),
        None,
        [],
    )


@case("follow_up")
def _follow_up(w):
    record = w.follow_up
    url = f"/servicepunt/tevredenheid/{record.token}/nee/"
    return (
        Case(
            url,
            {"comment": "De vraag is nog niet beantwoord."},
            models=QUESTION_MODELS,
            snapshot=lambda: (
                _values(FollowUp, pk=record.pk),
                _values(Question, pk=record.question_id),
            ),
            accepted=_form_valid,
            text_fields=["comment"],
        ),
        url,
        ["comment"],
    )


def _admin_question_case(w, path, data, having):
    question = w.question
    change = f"/beheer/servicepoint/question/{question.pk}/change/"
    return (
        Case(
            f"/beheer/servicepoint/question/{question.pk}/{path}/",
            data,
            user=w.account_manager,
            models=[*QUESTION_MODELS, AuditLogEntry],
            snapshot=lambda: _values(Question, pk=question.pk),
            shown=[change],
            text_fields=[name for name in ("body", "reason") if name in data],
        ),
        change,
        having,
    )


@case("admin_question_message")
def _admin_question_message(w):
    data = {"kind": "note", "body": "Gebeld; stuurt de offerte na."}
    return _admin_question_case(w, "bericht", data, ["body", "kind"])


@case("admin_question_route")
def _admin_question_route(w):
    directorate = DirectorateFactory(slug="inkoop", name="SSC-Inkoop")
    return _admin_question_case(
        w, "doorzetten", {"directorates": [str(directorate.pk)]}, ["assignee"]
    )


@case("admin_question_state")
def _admin_question_state(w):
    data = {"state": QuestionState.IN_PROGRESS, "reason": "We zoeken het uit."}
    return _admin_question_case(w, "status", data, ["state", "reason"])


@case("admin_question_topic")
def _admin_question_topic(w):
    other = Topic.objects.exclude(pk=w.topic.pk).filter(is_active=True).first()
    return _admin_question_case(w, "onderwerp", {"topic": str(other.pk)}, ["topic"])


# Omarm ------------------------------------------------------------------------------------

OMARM_MODELS = [HelpRequest, Offer, Match, MatchMessage, Report, OutboxMessage]


def _newest(model, prefix):
    def shown():
        posting = model.objects.order_by("-pk").first()
        return [f"{prefix}{posting.uuid}/", "/omarm/mijn/"]

    return shown


def _request_data(w):
    return {
        "organisation": str(w.social.pk),
        "title": "Wandelmaatjes voor ouderen",
        "story": "Wij zoeken vrijwilligers die met ouderen gaan wandelen.",
        "theme": Theme.LONELINESS,
        "help_kinds": [HelpKind.HANDS],
        "area": str(w.area.pk),
        "wanted_by": _date(60),
        "photo_description": "",
    }


@case("request_new")
def _request_new(w):
    return (
        Case(
            "/omarm/hulpvraag/nieuw/",
            _request_data(w),
            user=w.social_member,
            models=OMARM_MODELS,
            shown=_newest(HelpRequest, "/omarm/hulpvraag/"),
            text_fields=["title", "story"],
        ),
        "/omarm/hulpvraag/nieuw/",
        ["title"],
    )


@case("request_edit")
def _request_edit(w):
    posting = w.draft_request
    data = {k: v for k, v in _request_data(w).items() if k != "organisation"}
    url = f"/omarm/hulpvraag/{posting.uuid}/bewerken/"
    return (
        Case(
            url,
            data,
            user=w.social_member,
            models=OMARM_MODELS,
            snapshot=lambda: _values(HelpRequest, pk=posting.pk),
            shown=[f"/omarm/hulpvraag/{posting.uuid}/"],
            text_fields=["title", "story"],
        ),
        url,
        ["title"],
    )


def _offer_data(w):
    return {
        "organisation": str(w.company.pk),
        "title": "Laptops voor gezinnen",
        "description": "Wij hebben twintig laptops over.",
        "help_kinds": [HelpKind.MATERIALS],
        "capacity": "20 laptops",
        "area": str(w.area.pk),
        "valid_until": _date(60),
    }


@case("offer_new")
def _offer_new(w):
    return (
        Case(
            "/omarm/aanbod/nieuw/",
            _offer_data(w),
            user=w.company_member,
            models=OMARM_MODELS,
            shown=_newest(Offer, "/omarm/aanbod/"),
            text_fields=["title", "description", "capacity"],
        ),
        "/omarm/aanbod/nieuw/",
        ["title"],
    )


@case("offer_edit")
def _offer_edit(w):
    posting = w.draft_offer
    data = {k: v for k, v in _offer_data(w).items() if k != "organisation"}
    url = f"/omarm/aanbod/{posting.uuid}/bewerken/"
    return (
        Case(
            url,
            data,
            user=w.company_member,
            models=OMARM_MODELS,
            snapshot=lambda: _values(Offer, pk=posting.pk),
            shown=[f"/omarm/aanbod/{posting.uuid}/"],
            text_fields=["title", "description", "capacity"],
        ),
        url,
        ["title"],
    )


@case("offer_help")
def _offer_help(w):
    posting = w.public_request
    page = f"/omarm/hulpvraag/{posting.uuid}/"
    return (
        Case(
            f"{page}helpen/",
            {"business": str(w.company.pk), "message": "Wij helpen graag met vier mensen."},
            user=w.company_member,
            models=OMARM_MODELS,
            text_fields=["message"],
        ),
        page,
        ["business"],
    )


@case("report")
def _report(w):
    posting = w.public_request
    page = f"/omarm/hulpvraag/{posting.uuid}/"
    return (
        Case(
            f"{page}melden/",
            {"reason": "Dit lijkt op reclame."},
            user=w.company_member,
            models=OMARM_MODELS,
            snapshot=lambda: _values(HelpRequest, pk=posting.pk),
        ),
        page,
        ["reason"],
    )


@case("show_interest")
def _show_interest(w):
    posting = w.public_offer
    page = f"/omarm/aanbod/{posting.uuid}/"
    data = {
        "social_organisation": str(w.social.pk),
        "request": "",
        "message": "Wij kunnen de laptops goed gebruiken.",
    }
    return (
        Case(
            f"{page}interesse/",
            data,
            user=w.social_member,
            models=OMARM_MODELS,
            text_fields=["message"],
        ),
        page,
        ["social_organisation"],
    )


def _posting_action(w, action, posting, kind, data):
    return (
        Case(
            f"/omarm/{kind}/{posting.uuid}/{action}/",
            data,
            user=w.social_member if kind == "hulpvraag" else w.company_member,
            models=OMARM_MODELS,
            snapshot=lambda: _values(type(posting), pk=posting.pk),
        ),
        None,
        [],
    )


@case("posting_extend")
def _posting_extend(w):
    return _posting_action(w, "verlengen", w.own_open_request, "hulpvraag", {"until": _date(90)})


@case("posting_submit")
def _posting_submit(w):
    return _posting_action(w, "indienen", w.draft_request, "hulpvraag", {})


@case("posting_withdraw")
def _posting_withdraw(w):
    return _posting_action(w, "intrekken", w.own_open_request, "hulpvraag", {})


@case("posting_fulfil")
def _posting_fulfil(w):
    return _posting_action(w, "vervuld", w.own_open_request, "hulpvraag", {})


def _match_case(w, match, user, data, having):
    url = f"/omarm/match/{match.uuid}/"
    return (
        Case(
            url,
            data,
            user=user,
            models=OMARM_MODELS,
            snapshot=lambda: _values(Match, pk=match.pk),
            text_fields=[n for n in ("body", "reason", "result_story") if n in data],
        ),
        url,
        having,
    )


@case("match_message")
def _match_message(w):
    data = {"action": "message", "body": "Zullen we dinsdag bellen?"}
    return _match_case(w, w.match, w.company_member, data, ["body"])


@case("match_transition")
def _match_transition(w):
    data = {"action": "transition", "to": MatchState.BROKEN_OFF, "reason": "Geen tijd meer."}
    return _match_case(w, w.match, w.social_member, data, ["to"])


@case("match_complete")
def _match_complete(w):
    data = {
        "action": "complete",
        "result_story": "Twintig laptops zijn uitgedeeld.",
        "hours": "12.5",
        "value_eur": "4000.00",
        "counts_for_social_return": "on",
        "social_return_eur": "2500.00",
    }
    return _match_case(w, w.matched, w.company_member, data, ["result_story"])


# Platform Goed Inkopen: owners ----------------------------------------------------------------

SUPPLIER_MODELS = [Supplier, Product, Label, AuditLogEntry, OutboxMessage]
OWNER = "/goed-inkopen/mijn-profiel/"


PROFILE_TEXT = ["name", "short_description", "description", "municipality", "contact_name"]


@case("supplier_create")
def _supplier_create(w):
    organisation = w.new_company

    def shown():
        supplier = Supplier.objects.get(organisation=organisation)
        return [f"/goed-inkopen/leverancier/{supplier.slug}/"]

    url = f"{OWNER}nieuw/{organisation.uuid}/"
    return (
        Case(
            url,
            profile_post(kvk_number=organisation.kvk_number),
            user=w.company_member,
            models=SUPPLIER_MODELS,
            shown=shown,
            text_fields=PROFILE_TEXT,
        ),
        url,
        ["name"],
    )


@case("supplier_edit")
def _supplier_edit(w):
    supplier = w.supplier
    url = f"{OWNER}{supplier.slug}/"
    return (
        Case(
            url,
            profile_post(kvk_number=supplier.kvk_number),
            user=w.company_member,
            models=SUPPLIER_MODELS,
            snapshot=lambda: _values(Supplier, pk=supplier.pk),
            shown=[f"/goed-inkopen/leverancier/{supplier.slug}/"],
            text_fields=PROFILE_TEXT,
        ),
        url,
        ["name"],
    )


def _owner_case(w, path, data, having, *, form=True, text_fields=(), supplier=None):
    supplier = supplier or w.supplier
    url = f"{OWNER}{supplier.slug}/{path}"
    return (
        Case(
            url,
            data,
            user=w.company_member,
            models=SUPPLIER_MODELS,
            snapshot=lambda: (
                _values(Supplier, pk=supplier.pk),
                _values(Product, supplier=supplier),
                _values(Label, supplier=supplier),
            ),
            shown=[f"{OWNER}{supplier.slug}/"],
            text_fields=text_fields,
        ),
        url if form else None,
        having,
    )


def _product_data():
    return {
        "name": "Tuinonderhoud",
        "description": "Maaien, snoeien en onkruid wieden.",
        "category": str(Category.objects.get(code="77300000").pk),
    }


@case("product_create")
def _product_create(w):
    return _owner_case(
        w, "producten/nieuw/", _product_data(), ["name"], text_fields=["name", "description"]
    )


@case("product_edit")
def _product_edit(w):
    return _owner_case(
        w, f"producten/{w.product.pk}/", _product_data(), ["name"], text_fields=["name"]
    )


@case("product_delete")
def _product_delete(w):
    return _owner_case(w, f"producten/{w.product.pk}/verwijderen/", {}, [], form=False)


def _label_data():
    return {
        "kind": LabelKind.OTHER,
        "pso_level": "",
        "name": "Keurmerk Groen",
        "valid_from": _date(-30),
        "valid_until": _date(700),
        "evidence_url": "https://www.example.nl/register",
    }


@case("label_create")
def _label_create(w):
    return _owner_case(w, "labels/nieuw/", _label_data(), ["kind"], text_fields=["name"])


@case("label_edit")
def _label_edit(w):
    data = {**_label_data(), "kind": LabelKind.PSO, "pso_level": PsoLevel.STEP_1, "name": ""}
    return _owner_case(w, f"labels/{w.label.pk}/", data, ["kind"])


@case("label_delete")
def _label_delete(w):
    return _owner_case(w, f"labels/{w.label.pk}/verwijderen/", {}, [], form=False)


@case("profile_submit")
def _profile_submit(w):
    return _owner_case(w, "indienen/", {}, [], form=False)


@case("profile_withdraw")
def _profile_withdraw(w):
    return _owner_case(w, "intrekken/", {}, [], form=False)


@case("profile_confirm")
def _profile_confirm(w):
    return _owner_case(w, "bevestigen/", {}, [], form=False, supplier=w.verified_supplier)


# Platform Goed Inkopen: procurement officers ---------------------------------------------------

BUYER_MODELS = [Shortlist, ShortlistEntry, Inquiry, InquiryRecipient, OutboxMessage, AuditLogEntry]


def _buyer_case(w, url, data, *, form_page=None, having=(), snapshot=None, text_fields=()):
    return (
        Case(
            url,
            data,
            user=w.officer,
            models=BUYER_MODELS,
            snapshot=snapshot,
            text_fields=text_fields,
        ),
        form_page,
        list(having),
    )


@case("shortlist_create")
def _shortlist_create(w):
    data = {"title": "Catering stadhuis", "reference": "ZK-2026-001"}
    url = "/goed-inkopen/shortlists/"
    return _buyer_case(
        w, url, data, form_page=url, having=["title"], text_fields=["title", "reference"]
    )


@case("shortlist_edit")
def _shortlist_edit(w):
    shortlist = w.shortlist
    url = f"/goed-inkopen/shortlists/{shortlist.uuid}/bewerken/"
    return _buyer_case(
        w,
        url,
        {"title": "Catering stadhuis", "reference": "ZK-2026-001"},
        form_page=url,
        having=["title"],
        snapshot=lambda: _values(Shortlist, pk=shortlist.pk),
        text_fields=["title", "reference"],
    )


@case("shortlist_delete")
def _shortlist_delete(w):
    return _buyer_case(w, f"/goed-inkopen/shortlists/{w.shortlist.uuid}/verwijderen/", {})


@case("shortlist_add")
def _shortlist_add(w):
    supplier = w.public_supplier
    return _buyer_case(
        w,
        f"/goed-inkopen/shortlists/toevoegen/{supplier.slug}/",
        {"shortlist": "new", "title": "Schoonmaak scholen", "next": "/goed-inkopen/"},
        text_fields=["title"],
    )


@case("shortlist_note")
def _shortlist_note(w):
    shortlist, entry = w.shortlist, w.entry
    return _buyer_case(
        w,
        f"/goed-inkopen/shortlists/{shortlist.uuid}/leverancier/{entry.pk}/notitie/",
        {"note": "Offerte aangevraagd."},
        snapshot=lambda: _values(ShortlistEntry, pk=entry.pk),
        text_fields=["note"],
    )


@case("shortlist_remove")
def _shortlist_remove(w):
    shortlist, entry = w.shortlist, w.entry
    return _buyer_case(
        w, f"/goed-inkopen/shortlists/{shortlist.uuid}/leverancier/{entry.pk}/verwijderen/", {}
    )


@case("inquiry_new")
def _inquiry_new(w):
    shortlist = w.shortlist
    url = f"/goed-inkopen/uitvragen/nieuw/?shortlist={shortlist.uuid}"
    data = {
        "subject": "Catering voor 200 personen",
        "message": "Kunt u een offerte sturen voor juni?",
        "suppliers": [w.public_supplier.slug],
    }
    return _buyer_case(
        w, url, data, form_page=url, having=["subject"], text_fields=["subject", "message"]
    )


# Events -----------------------------------------------------------------------------------

EVENT_MODELS = [Registration, OutboxMessage, AuditLogEntry]


@case("event_register")
def _event_register(w):
    event = w.event
    data = {f"vraag_{key}": value for key, value in w.answers().items()}
    return (
        Case(
            f"/agenda/{event.slug}/aanmelden/",
            data,
            user=UserFactory(roles=[Role.ENTREPRENEUR]),
            models=EVENT_MODELS,
            text_fields=[f"vraag_{event.questions.get(position=1).pk}"],
        ),
        f"/agenda/{event.slug}/",
        list(data)[:1],
    )


@case("event_cancel")
def _event_cancel(w):
    registration = w.registration
    return (
        Case(
            f"/agenda/{w.event.slug}/afmelden/",
            {"terug": "mijn"},
            user=w.attendee,
            models=EVENT_MODELS,
            snapshot=lambda: _values(Registration, pk=registration.pk),
        ),
        None,
        [],
    )


@case("organiser_check_in")
def _organiser_check_in(w):
    registration = w.registration
    return (
        Case(
            f"/agenda/organisator/{w.event.slug}/inchecken/",
            {"registration": str(registration.uuid), "attended": "1", "q": ""},
            user=w.organiser,
            models=EVENT_MODELS,
            snapshot=lambda: _values(Registration, pk=registration.pk),
        ),
        None,
        [],
    )


@case("organiser_message")
def _organiser_message(w):
    assert w.registration.status == RegistrationStatus.CONFIRMED  # somebody to write to
    url = f"/agenda/organisator/{w.event.slug}/bericht/"
    data = {
        "statuses": [RegistrationStatus.CONFIRMED],
        "subject": "Parkeren bij het Forum",
        "body": "Parkeer in de garage onder het Forum.",
    }
    return (
        Case(url, data, user=w.organiser, models=EVENT_MODELS),
        url,
        ["subject"],
    )


# Admin: the supplier import --------------------------------------------------------------------


@case("admin_import_apply")
def _admin_import_apply(w):
    from tests.procurement.test_importer import csv_file, row

    table = importer.read_table(csv_file([row()]))
    token = importer.sign_table(table, actor=w.coordinator)
    return (
        Case(
            "/beheer/procurement/supplier/import/",
            {"apply": "1", "token": token, "mark_verified": ""},
            user=w.coordinator,
            models=[Supplier, Organisation, Label, Product, AuditLogEntry],
            answers_with_a_page=True,
        ),
        None,
        [],
    )


POST_CASES = sorted(CASES)
# Valid posts that answer with the form again, by design.
STORES_NOTHING = {"ask_suggest"}
# The cases whose stored text a page shows back.
ROUND_TRIP = [
    "profile",
    "admin_organisation_add",
    "ask_guest",
    "ask_logged_in",
    "reply_logged_in",
    "reply_guest",
    "admin_question_message",
    "request_new",
    "request_edit",
    "offer_new",
    "offer_edit",
    "offer_help",
    "show_interest",
    "match_message",
    "match_transition",
    "match_complete",
    "supplier_create",
    "supplier_edit",
    "product_create",
    "label_create",
    "shortlist_create",
    "shortlist_edit",
    "shortlist_add",
    "shortlist_note",
    "inquiry_new",
]


@pytest.mark.parametrize("name", POST_CASES)
@hostile_settings(10)
@given(data=st.data())
def test_hostile_post(client, world, name, data):
    """Never a 500; refused input stores nothing; accepted input is shown escaped."""
    case = world.case(name)
    payload = data.draw(mutations(case.data, text_fields=case.text_fields), label="payload")
    send(client, case, payload)


@pytest.mark.parametrize("name", POST_CASES)
def test_the_valid_payload_is_accepted(client, world, name):
    """The payload the mutations start from is valid, so they test what they claim."""
    case = world.case(name)
    assert send(client, case).accepted != (name in STORES_NOTHING), name


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_accepted_script_round_trips_escaped(client, world, name):
    case = world.case(name)
    texts = {
        field: f"Test {HTML_PAYLOADS[i % len(HTML_PAYLOADS)]} einde"
        for i, field in enumerate(case.text_fields)
    }
    displayed = case.text_fields if case.displayed is None else case.displayed
    outcome = send(client, case, {**case.data, **texts})
    assert_round_trip(outcome, [texts[field] for field in displayed])


@pytest.mark.parametrize("name", POST_CASES)
def test_post_without_csrf_token_is_refused(world, name):
    case = world.case(name)
    client = Client(enforce_csrf_checks=True)
    if case.user is not None:
        client.force_login(case.user)
    before = counts(case.models)
    snapshot = case.snapshot() if case.snapshot else None
    response = client.post(case.url, case.data)
    assert response.status_code == 403
    assert counts(case.models) == before
    if snapshot is not None:
        assert case.snapshot() == snapshot


# GET parameters ---------------------------------------------------------------------------

SEARCH_PARAMS = [*FILTER_PARAMS, "sortering", "pagina"]
PERIOD_PARAMS = [
    "soort",
    "jaar",
    "maand",
    "kwartaal",
    "van",
    "tot",
    "nulmeting_van",
    "nulmeting_tot",
]
EVENT_PARAMS = ["soort", "thema", "vorm", "plek", "pagina"]

# name -> (world -> (path, user, parameter names, headers))
QUERIES = {
    "knowledge_base": lambda w: ("/servicepunt/kennisbank/", None, ["q"], {}),
    "article_suggestions": lambda w: ("/servicepunt/kennisbank/suggesties/", None, ["q"], {}),
    "my_questions": lambda w: ("/servicepunt/mijn-vragen/", w.entrepreneur, ["pagina"], {}),
    "omarm_board": lambda w: (
        "/omarm/",
        None,
        ["q", "soort", "thema", "hulp", "gebied", "pagina"],
        {},
    ),
    "supplier_search": lambda w: ("/goed-inkopen/", w.officer, SEARCH_PARAMS, {}),
    "supplier_search_htmx": lambda w: (
        "/goed-inkopen/",
        None,
        SEARCH_PARAMS,
        {"HX-Request": "true"},
    ),
    "search_export_csv": lambda w: ("/goed-inkopen/export.csv", w.officer, SEARCH_PARAMS, {}),
    "search_export_xlsx": lambda w: ("/goed-inkopen/export.xlsx", w.officer, SEARCH_PARAMS, {}),
    "shortlist_export": lambda w: (
        f"/goed-inkopen/shortlists/{w.shortlist.uuid}/export.csv",
        w.officer,
        ["pagina", "q"],
        {},
    ),
    "inquiries": lambda w: ("/goed-inkopen/uitvragen/", w.officer, ["pagina"], {}),
    "inquiry_new_preselection": lambda w: (
        "/goed-inkopen/uitvragen/nieuw/",
        w.officer,
        ["shortlist", "leverancier"],
        {},
    ),
    "events_index": lambda w: ("/agenda/", None, EVENT_PARAMS, {}),
    "events_month": lambda w: ("/agenda/maand/2026/5/", None, EVENT_PARAMS, {}),
    "organiser_check_in": lambda w: (
        f"/agenda/organisator/{w.event.slug}/inchecken/",
        w.organiser,
        ["q"],
        {},
    ),
    "monitor": lambda w: ("/monitor/", w.viewer, PERIOD_PARAMS, {}),
    "monitor_report": lambda w: ("/monitor/rapportage/", w.viewer, PERIOD_PARAMS, {}),
    "monitor_workbook": lambda w: ("/monitor/excel/", w.viewer, PERIOD_PARAMS, {}),
    "monitor_csv": lambda w: ("/monitor/csv/servicepunt-kerncijfers/", w.viewer, PERIOD_PARAMS, {}),
    "admin_questions": lambda w: (
        "/beheer/servicepoint/question/",
        w.account_manager,
        ["q", "o", "p", "state__exact", "topic__id__exact", "all"],
        {},
    ),
    "admin_suppliers": lambda w: (
        "/beheer/procurement/supplier/",
        w.coordinator,
        ["q", "o", "p", "state__exact", "region__exact"],
        {},
    ),
}
ALL_MODELS = [
    User,
    Organisation,
    Question,
    Message,
    HelpRequest,
    Offer,
    Match,
    Supplier,
    Shortlist,
    Inquiry,
    Registration,
    OutboxMessage,
]


@pytest.mark.parametrize("name", sorted(QUERIES))
@hostile_settings(10)
@given(data=st.data())
def test_hostile_query_parameters(client, world, name, data):
    """Never a 500, nothing stored, nothing reflected unescaped."""
    path, user, names, headers = QUERIES[name](world)
    params = data.draw(query_mutations(names), label="params")
    case = Case(path, {}, user=user, models=ALL_MODELS, method="get", headers=headers)
    send(client, case, params)


# Hostile values in the address itself ------------------------------------------------------

# name -> world -> path with {} where the hostile segment goes
PATHS = {
    "confirm_token": lambda w: "/servicepunt/vraag/bevestigen/{}/",
    "guest_token": lambda w: f"/servicepunt/vraag/{w.guest_question.uuid}/{{}}/",
    "follow_up_token": lambda w: "/servicepunt/tevredenheid/{}/ja/",
    "follow_up_answer": lambda w: f"/servicepunt/tevredenheid/{w.follow_up.token}/{{}}/",
    "article": lambda w: "/servicepunt/kennisbank/{}/",
    "supplier_profile": lambda w: "/goed-inkopen/leverancier/{}/",
    "export_format": lambda w: "/goed-inkopen/export.{}",
    "event": lambda w: "/agenda/{}/",
    "event_feed": lambda w: "/agenda/feed/{}.ics",
    "posting_kind": lambda w: f"/omarm/{{}}/{w.draft_request.uuid}/indienen/",
    "challenge": lambda w: "/omarm/challenge/{}/",
    "monitor_figure": lambda w: "/monitor/csv/{}/",
}


@pytest.mark.parametrize("name", sorted(PATHS))
@hostile_settings(8)
@given(data=st.data())
def test_hostile_path_segments(client, world, name, data):
    template = PATHS[name](world)
    value = data.draw(hostile_strings().filter(bool), label="segment")
    path = template.format(quote(value[:2000], safe=""))
    user = world.viewer if name == "monitor_figure" else world.company_member
    for method in ("get", "post"):
        case = Case(path, {}, user=user, models=ALL_MODELS, method=method, accepted=redirected)
        response = send(client, case, {}).response
        assert response.status_code < 500
