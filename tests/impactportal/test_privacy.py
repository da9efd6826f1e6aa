"""AVG across the portal: the export holds everything a person left in any app, deletion
leaves no name, address, phone number or free text of theirs in any table, and the
programme monitor counts the same before and after. The registries and their checks
make a new app part of this by declaring itself."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.checks import run_checks
from django.db import connection, models
from django.utils import timezone

from accounts import services as account_services
from accounts.constants import OrganisationKind
from accounts.roles import Role
from events import services as event_services
from events.constants import QuestionKind, RegistrationStatus
from events.models import Registration, RegistrationQuestion
from impactportal import privacy
from impactportal.audit.models import AuditLogEntry
from impactportal.retention import registry
from monitor.periods import Period
from monitor.report import build_report
from omarm import services as omarm_services
from omarm.constants import HelpKind, Theme
from procurement import services as procurement_services
from servicepoint import services as servicepoint_services
from tests.events.test_registration import make_event
from tests.factories import (
    HelpRequestFactory,
    MembershipFactory,
    OrganisationFactory,
    SupplierFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# What only this person wrote or is: each must be gone from every table after deletion.
NAME = "Wietske Zonderland-Oosterhout"
EMAIL = "wietske.zonderland@example.nl"
PHONE = "06 1357 9246"
ANSWER = "Glutenvrij, en een rolstoelplek graag (Wietske)"
POSTING = "Taalmaatjes voor Wietskes buurtkamer"
STORY = "Wietske zoekt mensen die op dinsdag samen de krant lezen."
MESSAGE = "Wietske hier: kunnen jullie dinsdag om tien uur?"
REPORT = "Wietske vindt deze oproep misleidend"
QUESTION = "Wietske vraagt naar subsidie voor de buurtkamer"
INQUIRY = "Wietske vraagt offertes voor catering"
UNIQUE = [NAME, EMAIL, PHONE, ANSWER, POSTING, STORY, MESSAGE, REPORT, QUESTION, INQUIRY]


@pytest.fixture
def person(django_capture_on_commit_callbacks):
    """A person who registered for an event with answers, posted an Omarm request for
    their organisation, matched and wrote in the thread, reported a request, asked the
    service point and sent suppliers an inquiry; the event and the match lie in the past
    quarter, so the monitor has figures about them."""
    user = UserFactory(
        name=NAME,
        email=EMAIL,
        phone=PHONE,
        roles=[Role.ENTREPRENEUR, Role.SOCIAL_ORGANISATION, Role.PROCUREMENT_OFFICER],
    )
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL, name="Buurtkamer Oost")
    MembershipFactory(user=user, organisation=social)
    business = OrganisationFactory(kind=OrganisationKind.COMPANY, name="Drukkerij Zuid")
    helper = MembershipFactory(organisation=business).user
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    earlier = timezone.now() - timedelta(days=100)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(earlier):
        event = make_event(slug="impactcafe-oost", capacity=20)
        diet = RegistrationQuestion.objects.create(
            event=event, label="Dieetwensen", kind=QuestionKind.TEXT
        )
        event_services.registration_create(event=event, user=user, answers={str(diet.pk): ANSWER})
        request = omarm_services.request_create(
            user=user,
            organisation=social,
            title=POSTING,
            story=STORY,
            theme=Theme.LOW_LITERACY,
            help_kinds=[HelpKind.HANDS],
            area=HelpRequestFactory().area,
            wanted_by=timezone.localdate() + timedelta(days=30),
        )
        omarm_services.posting_submit(posting=request, user=user)
        omarm_services.posting_approve(posting=request, coordinator=coordinator)
        match = omarm_services.match_offer_help(
            request=request, business=business, user=helper, message="Wij helpen graag."
        )
        omarm_services.match_message_add(match=match, author=user, body=MESSAGE)
        omarm_services.request_report(request=HelpRequestFactory(), reporter=user, reason=REPORT)
        servicepoint_services.question_submit(
            topic=TopicFactory(),
            subject=QUESTION,
            text=f"{QUESTION}. Bel mij op {PHONE}.",
            name=NAME,
            email=EMAIL,
            phone=PHONE,
            requester=user,
            preferred_contact="email",
        )
        procurement_services.inquiry_send(
            sender=user, suppliers=[SupplierFactory()], subject=INQUIRY, message=INQUIRY
        )
    event.refresh_from_db()
    with time_machine.travel(event.ends_at + timedelta(hours=1)):
        event_services.mark_past_events()
        registration = Registration.objects.get(user=user)
        event_services.registration_check_in(registration=registration, actor=coordinator)
    return user


def test_the_export_holds_what_the_person_left_in_every_app(person):
    exported = json.dumps(privacy.export_user(person), ensure_ascii=False)
    sections = privacy.export_user(person)["sections"]

    [registration] = sections["event_registrations"]
    assert registration["answers"] == {"Dieetwensen": ANSWER}
    assert registration["status"] == RegistrationStatus.ATTENDED
    [posting] = sections["omarm_postings"]
    assert (posting["title"], posting["text"]) == (POSTING, STORY)
    [match] = sections["omarm_matches"]
    assert [m["text"] for m in match["your_messages"]] == [MESSAGE]
    assert [r["reason"] for r in sections["omarm_reports"]] == [REPORT]
    assert sections["servicepoint_questions"][0]["subject"] == QUESTION
    assert sections["procurement_inquiries"][0]["subject"] == INQUIRY
    assert sections["profile"]["phone"] == PHONE
    for text in UNIQUE:
        assert json.dumps(text, ensure_ascii=False)[1:-1] in exported, text


def _figures(report) -> dict:
    return {(figure.slug, row.key): row.values for figure in report.figures for row in figure.rows}


def _text_columns():
    """Every table with its text-like columns (JSON as text too)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema()
              AND data_type IN ('character varying', 'text', 'jsonb', 'json')
            """
        )
        found: dict[str, list[str]] = {}
        for table, column in cursor.fetchall():
            found.setdefault(table, []).append(column)
    return found


def _where(text: str) -> list[str]:
    hits = []
    with connection.cursor() as cursor:
        for table, columns in _text_columns().items():
            for column in columns:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608 (names from the catalogue)
                    [f"%{text}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column}")
    return hits


def test_deletion_leaves_nothing_of_theirs_anywhere_and_the_monitor_counts_the_same(person):
    period = Period.quarter_of(timezone.localdate() - timedelta(days=100))
    before = _figures(build_report(period))
    assert any(any(values) for values in before.values())  # the monitor sees them
    for text in UNIQUE:
        assert _where(text), f"the fixture did not store {text!r}"

    account_services.user_delete_account(user=person, actor=person)

    left = {text: _where(text) for text in UNIQUE}
    assert not {text: tables for text, tables in left.items() if tables}
    assert _figures(build_report(period)) == before
    # Nobody is left to answer for their request: off the board, through its workflow.
    from omarm.models import HelpRequest

    [request] = HelpRequest.objects.filter(organisation__name="Buurtkamer Oost")
    assert request.state == "withdrawn"
    entry = AuditLogEntry.objects.filter(action="omarm.request.state_changed").latest("pk")
    assert entry.changes == {"state": ["open", "withdrawn"]}


def test_deletion_keeps_a_posting_the_organisation_still_answers_for(person):
    """With another member left, the request is the organisation's: it stays, unlinked."""
    from omarm.models import HelpRequest

    request = HelpRequest.objects.get(created_by=person)
    MembershipFactory(organisation=request.organisation)

    account_services.user_delete_account(user=person, actor=person)

    request.refresh_from_db()
    assert (request.title, request.created_by) == (POSTING, None)


# The registries and their checks --------------------------------------------------------


def test_every_model_with_personal_data_is_covered_or_exempted_with_a_reason():
    assert not [e for e in run_checks() if e.id in ("privacy.E001", "retention.E004")]


def test_a_new_model_with_personal_data_fails_both_checks(monkeypatch):
    class Testimonial(models.Model):
        author = models.ForeignKey("accounts.User", on_delete=models.CASCADE)
        quote = models.TextField()

        class Meta:
            app_label = "events"

        def __str__(self):
            return self.quote

    try:
        ids = sorted(e.id for e in run_checks() if e.id in ("privacy.E001", "retention.E004"))
        assert ids == ["privacy.E001", "retention.E004"]
        monkeypatch.setitem(privacy._EXEMPT, "events.testimonial", "made up for this test")
        monkeypatch.setitem(registry._EXEMPT, "events.testimonial", "made up for this test")
        assert not [e for e in run_checks() if e.id in ("privacy.E001", "retention.E004")]
    finally:
        del apps.all_models["events"]["testimonial"]
        apps.clear_cache()


def test_an_exemption_needs_a_reason_and_a_section_a_unique_name():
    with pytest.raises(ValueError):
        privacy.exempt("events.Event", "  ")
    with pytest.raises(ValueError):
        privacy.register("profile", export=lambda user: None)
    with pytest.raises(ValueError):
        registry.register("closed_questions", outcome="deleted", purge=print, days=1)


def test_deleting_through_the_page_runs_the_same_erasers(client, person):
    client.force_login(person)
    client.post("/account/verwijderen/", {"confirm": "on"})
    client.post(
        "/account/reauthenticate/?next=/account/verwijderen/",
        {"password": "a-Strong-passw0rd-for-tests"},
    )
    assert not _where(EMAIL) and not _where(MESSAGE)
