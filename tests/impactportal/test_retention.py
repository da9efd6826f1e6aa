"""Retention (AVG): every kind of personal data is purged or anonymised exactly when its
period is over, on a frozen clock; what the programme monitor counts stays the same."""

import os
import subprocess
import sys
from ast import literal_eval
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.roles import Role
from events.constants import EventState, RegistrationStatus
from events.figures import event_figures
from events.models import Registration
from impactportal.audit.models import AuditLogEntry
from impactportal.audit.services import audit_log
from impactportal.outbox.models import CapturedMail, OutboxMessage
from impactportal.retention import registry, services
from impactportal.retention.helpers import ANONYMISED, ANONYMISED_SUBJECT, ANONYMOUS_EMAIL
from impactportal.retention.registry import KINDS
from impactportal.retention.services import RetentionFailed, retention_apply
from impactportal.workdays import weekday_holidays
from monitor.periods import Period
from omarm.constants import MatchState, PostingState
from omarm.models import Match, MatchMessage, Report
from procurement.constants import SupplierState
from procurement.models import Inquiry, InquiryRecipient, Shortlist, Supplier
from servicepoint.constants import MessageKind, QuestionState
from servicepoint.figures import servicepoint_figures
from servicepoint.models import Attachment, FollowUp, Message, Question
from tests.events.test_registration import make_event
from tests.factories import (
    AssignmentFactory,
    DirectorateFactory,
    HelpRequestFactory,
    MatchFactory,
    OfferFactory,
    OrganisationFactory,
    QuestionFactory,
    ShortlistFactory,
    SupplierFactory,
    TopicFactory,
    UserFactory,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# 04:00 in Amsterdam, when beat runs the job. Periods are whole days of 24 hours (UTC), so
# one that spans the change to summer time ends at 05:00 local time, not 04:00.
NOW = datetime(2026, 6, 15, 4, 0, tzinfo=AMSTERDAM).astimezone(UTC)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# The default periods the apps declare, written out so that changing one means changing
# this test, and set as overrides so an environment variable on the test machine cannot
# change what these tests mean.
DAYS = {
    "unconfirmed_questions": 30,
    "question_attachments": 365,
    "guest_questions": 730,
    "closed_questions": 1825,
    "past_event_registrations": 365,
    "match_messages": 730,
    "help_request_photos": 365,
    "omarm_reports": 365,
    "outbox_messages": 90,
    "captured_mail": 30,
    "axes_access_logs": 180,
    "expired_sessions": 0,
    "deleted_account_audit": 0,
    "never_verified_accounts": 30,
    "dormant_accounts": 730,
    "ended_matches": 730,
    "closed_postings": 1095,
    "draft_postings": 365,
    "withdrawn_suppliers": 365,
    "shortlists": 730,
    "inquiries": 730,
}


@pytest.fixture(autouse=True)
def frozen(db, settings):
    settings.RETENTION_DAYS = dict(DAYS)
    with time_machine.travel(NOW, tick=False):
        yield


def just_inside(kind: str) -> datetime:
    """One minute before the period of ``kind`` is over: must stay."""
    return NOW - timedelta(days=registry.get(kind).period_days) + timedelta(minutes=1)


def just_past(kind: str) -> datetime:
    """One minute after the period of ``kind`` is over: must go."""
    return NOW - timedelta(days=registry.get(kind).period_days) - timedelta(minutes=1)


def attach(question, *, message=None, name="offerte-jan-de-vries.pdf") -> Attachment:
    attachment = Attachment(
        question=question,
        message=message,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
    )
    attachment.file.save(name, ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def stored(field_file_name: str, storage=None) -> bool:
    storage = storage or Attachment._meta.get_field("file").storage
    return storage.exists(field_file_name)


def closed_question(closed_at, **values) -> Question:
    return QuestionFactory(state=QuestionState.CLOSED, closed_at=closed_at, **values)


def apply(django_capture_on_commit_callbacks, **kwargs) -> dict[str, int]:
    """Run retention and the after-commit callbacks (file deletion) it registered."""
    with django_capture_on_commit_callbacks(execute=True):
        return retention_apply(**kwargs)


# Service point: unconfirmed guest questions ------------------------------------------


def test_unconfirmed_guest_questions_are_deleted_with_their_files_after_their_period(
    django_capture_on_commit_callbacks,
):
    past = QuestionFactory(guest=True, name="Jan de Vries", email="jan@example.nl")
    inside = QuestionFactory(guest=True)
    Question.objects.filter(pk=past.pk).update(created_at=just_past("unconfirmed_questions"))
    Question.objects.filter(pk=inside.pk).update(created_at=just_inside("unconfirmed_questions"))
    past_file, inside_file = attach(past).file.name, attach(inside).file.name
    audit_log(actor=None, action="question.created", obj=past, data={"guest": True})
    # A confirmed question of the same age is in the queue: not this kind's business.
    confirmed = QuestionFactory()
    Question.objects.filter(pk=confirmed.pk).update(created_at=just_past("unconfirmed_questions"))

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["unconfirmed_questions"] == 1
    assert not Question.objects.filter(pk=past.pk).exists()
    assert set(Question.objects.values_list("pk", flat=True)) == {inside.pk, confirmed.pk}
    assert not stored(past_file)
    assert stored(inside_file)
    entry = AuditLogEntry.objects.get(action="question.created", object_id=str(past.pk))
    assert entry.object_repr == past.reference  # the subject went with the question


# Service point: attachments ------------------------------------------------------------


def test_attachments_of_questions_closed_past_their_period_are_deleted_from_storage(
    django_capture_on_commit_callbacks,
):
    past = closed_question(just_past("question_attachments"))
    inside = closed_question(just_inside("question_attachments"))
    reply = Message.objects.create(
        question=past, kind=MessageKind.ENTREPRENEUR, author_name="Jan", body="Bijlage"
    )
    past_files = [attach(past).file.name, attach(past, message=reply).file.name]
    inside_file = attach(inside).file.name

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["question_attachments"] == 2
    assert not Attachment.objects.filter(question=past).exists()
    assert Attachment.objects.filter(question=inside).count() == 1
    assert not any(stored(name) for name in past_files)
    assert stored(inside_file)
    # Only the files go: the question itself is anonymised later (closed_questions).
    past.refresh_from_db()
    assert past.text and Message.objects.get(pk=reply.pk).body == "Bijlage"


def test_attachments_of_open_questions_are_never_touched(django_capture_on_commit_callbacks):
    long_ago = NOW - timedelta(days=10 * 365)
    files = []
    for state in [QuestionState.IN_PROGRESS, QuestionState.WAITING, QuestionState.ANSWERED]:
        question = QuestionFactory(state=state)
        files.append(attach(question).file.name)
    # Reopened: its old closing date no longer counts.
    reopened = QuestionFactory(state=QuestionState.REOPENED, closed_at=long_ago)
    files.append(attach(reopened).file.name)
    Attachment.objects.update(uploaded_at=long_ago)
    Question.objects.update(created_at=long_ago, submitted_at=long_ago)

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["question_attachments"] == 0
    assert counts["closed_questions"] == 0
    assert Attachment.objects.count() == 4
    assert all(stored(name) for name in files)


def test_files_stay_when_the_transaction_rolls_back(
    monkeypatch, django_capture_on_commit_callbacks
):
    question = closed_question(just_past("question_attachments"))
    name = attach(question).file.name

    def fail(**kwargs):
        if kwargs.get("data", {}).get("kind") == "question_attachments":
            raise RuntimeError("audit table unavailable")
        return audit_log(**kwargs)

    monkeypatch.setattr(services, "audit_log", fail)
    with pytest.raises(RetentionFailed) as failure:
        apply(django_capture_on_commit_callbacks)
    assert failure.value.failed == ["question_attachments"]
    # The other kinds went on; this one left its rows and its file.
    assert "closed_questions" in failure.value.counts
    assert Attachment.objects.filter(question=question).exists()
    assert stored(name)


# Service point: anonymising closed questions -------------------------------------------


@pytest.fixture
def staff():
    return UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER], name="Anna Accountmanager")


def conversation(question, staff) -> dict:
    """A full history on ``question``: messages both ways, a note, a follow-up answer and
    the audit entries the services would write."""
    entrepreneur = question.requester
    messages = {
        "reply": Message.objects.create(
            question=question,
            kind=MessageKind.PUBLIC_REPLY,
            author=staff,
            author_name=staff.name,
            body="U kunt subsidie aanvragen bij de gemeente.",
        ),
        "note": Message.objects.create(
            question=question,
            kind=MessageKind.INTERNAL_NOTE,
            author=staff,
            author_name=staff.name,
            body="Klant belde, Jan is ziek.",
        ),
        "entrepreneur": Message.objects.create(
            question=question,
            kind=MessageKind.ENTREPRENEUR,
            author=entrepreneur,
            author_name=question.name,
            body="Dank u, mijn adres is Hoofdstraat 1.",
        ),
    }
    follow_up = FollowUp.objects.create(
        question=question, helped=True, answered_at=question.closed_at, comment="Top, Anna!"
    )
    audit_log(actor=entrepreneur, action="question.created", obj=question, data={"guest": False})
    audit_log(
        actor=staff,
        action="question.state_changed",
        obj=question,
        changes={"state": ["closed", "reopened"]},
        data={"reason": "Jan belde terug"},
    )
    audit_log(
        actor=None,
        action="question.follow_up_answered",
        obj=question,
        data={"helped": True, "comment": "Top, Anna!"},
    )
    return {"messages": messages, "follow_up": follow_up}


def test_closed_questions_are_anonymised_after_their_period(
    staff, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Jan de Vries Eenmanszaak")
    question = closed_question(
        just_past("closed_questions"),
        phone="0612345678",
        company_name="Jan de Vries Eenmanszaak",
        kvk_number="12345678",
        organisation=organisation,
        account_manager=staff,
    )
    history = conversation(question, staff)
    entrepreneur = question.requester
    name_file = attach(question).file.name
    key = question.access_key  # what every link to the question is signed with
    unanswered = FollowUp.objects.create(question=question)
    inside = closed_question(just_inside("closed_questions"))

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["closed_questions"] == 1
    question.refresh_from_db()
    assert question.name == "" and question.phone == ""
    assert question.email == ANONYMOUS_EMAIL
    assert question.company_name == "" and question.kvk_number == ""
    assert question.organisation is None and question.requester is None
    assert question.subject == ANONYMISED_SUBJECT and question.text == ""
    assert question.access_key != key and question.confirmation_token_hash == ""
    # What the monitor and the desk's history need stays.
    assert question.state == QuestionState.CLOSED
    assert question.topic.slug == "financiering"
    assert question.account_manager == staff
    assert question.reference.startswith("SP-")
    messages = {key: Message.objects.get(pk=m.pk) for key, m in history["messages"].items()}
    assert all(message.body == "" for message in messages.values())
    assert messages["reply"].author == staff and messages["note"].author_name == staff.name
    assert messages["entrepreneur"].author is None
    assert messages["entrepreneur"].author_name == ""
    follow_up = FollowUp.objects.get(pk=history["follow_up"].pk)
    assert follow_up.helped is True and follow_up.comment == ""
    assert not FollowUp.objects.filter(pk=unanswered.pk).exists()
    assert not Attachment.objects.filter(question=question).exists()
    assert not stored(name_file)
    entries = AuditLogEntry.objects.filter(
        object_id=str(question.pk), action__startswith="question."
    )
    assert {entry.object_repr for entry in entries} == {question.reference}
    created = entries.get(action="question.created")
    assert created.actor is None and created.actor_label == ANONYMISED
    changed = entries.get(action="question.state_changed")
    assert changed.actor == staff  # staff stay accountable
    assert changed.changes == {"state": ["closed", "reopened"]}
    assert "reason" not in changed.data
    assert entries.get(action="question.follow_up_answered").data == {"helped": True}
    # The account itself is not this kind's business.
    entrepreneur.refresh_from_db()
    assert entrepreneur.is_active and entrepreneur.email
    inside.refresh_from_db()
    assert inside.text and inside.requester is not None


def test_guest_questions_are_anonymised_sooner_than_account_holders_questions(
    django_capture_on_commit_callbacks,
):
    guest_past = closed_question(just_past("guest_questions"), requester=None, name="Gast")
    guest_inside = closed_question(just_inside("guest_questions"), requester=None, name="Gast")
    member = closed_question(just_past("guest_questions"))
    # Past both periods: a guest question all the same, counted once.
    very_old = closed_question(just_past("closed_questions"), requester=None)

    dry = apply(django_capture_on_commit_callbacks, dry_run=True)
    counts = apply(django_capture_on_commit_callbacks)

    assert counts["guest_questions"] == dry["guest_questions"] == 2
    assert counts["closed_questions"] == dry["closed_questions"] == 0
    assert Question.objects.get(pk=guest_past.pk).text == ""
    assert Question.objects.get(pk=very_old.pk).text == ""
    assert Question.objects.get(pk=guest_inside.pk).name == "Gast"
    assert Question.objects.get(pk=member.pk).requester is not None


def test_open_questions_are_never_touched_however_old(django_capture_on_commit_callbacks):
    long_ago = NOW - timedelta(days=20 * 365)
    for state in QuestionState:
        if state != QuestionState.CLOSED:
            QuestionFactory(state=state, name="Jan de Vries", phone="0612345678")
    reopened = QuestionFactory(state=QuestionState.REOPENED, closed_at=long_ago)
    Question.objects.update(created_at=long_ago, submitted_at=long_ago)
    for question in Question.objects.all():
        Message.objects.create(
            question=question, kind=MessageKind.ENTREPRENEUR, author_name="Jan", body="Hallo"
        )
    before = list(Question.objects.order_by("pk").values())

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["guest_questions"] == counts["closed_questions"] == 0
    assert list(Question.objects.order_by("pk").values()) == before
    assert not Message.objects.filter(body="").exists()
    assert Question.objects.get(pk=reopened.pk).state == QuestionState.REOPENED


def test_service_point_figures_of_the_monitor_are_the_same_after_anonymising(
    staff, django_capture_on_commit_callbacks
):
    received = NOW - timedelta(days=6 * 365)
    directorate = DirectorateFactory(name="Economie")
    other_topic = TopicFactory(slug="vergunningen", name="Vergunningen", resolution_days=5)
    for topic, closed_after in [(None, 3), (other_topic, 12), (other_topic, 2)]:
        question = closed_question(
            received + timedelta(days=closed_after),
            submitted_at=received,
            first_response_at=received + timedelta(days=1),
            answered_at=received + timedelta(days=closed_after),
            **({"topic": topic} if topic else {}),
        )
        AssignmentFactory(question=question, directorate=directorate)
        conversation(question, staff)  # a reopening in the audit log, a follow-up
    still_open = QuestionFactory(submitted_at=received, state=QuestionState.IN_PROGRESS)
    AssignmentFactory(question=still_open, directorate=directorate)
    period = Period.year(received.year)
    holidays = weekday_holidays(period.start, NOW.date())
    before = servicepoint_figures([period], holidays)

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["closed_questions"] == 3
    after = servicepoint_figures([period], holidays)
    assert after == before
    figures = after[0]
    assert figures["received"] == 4 and figures["closed"] == 3 and figures["reopened"] == 3
    assert figures["follow_ups_answered"] == 3 and figures["helped"] == 3
    counts_per_topic = {row["slug"]: row["count"] for row in figures["per_topic"] if row["count"]}
    assert counts_per_topic == {"financiering": 2, "vergunningen": 2}


# Agenda --------------------------------------------------------------------------------


def ended_event(ends_at, state=EventState.PAST, **values):
    return make_event(
        starts_at=ends_at - timedelta(hours=2), ends_at=ends_at, state=state, **values
    )


def register(event, status, answers=None) -> Registration:
    return Registration.objects.create(
        event=event,
        user=UserFactory(),
        status=status,
        answers=answers if answers is not None else {"Dieetwensen": "glutenvrij"},
    )


def test_registrations_of_past_events_lose_their_answers_but_attendance_stays(
    django_capture_on_commit_callbacks,
):
    S = RegistrationStatus
    past = ended_event(just_past("past_event_registrations"))
    for status in [S.ATTENDED, S.ATTENDED, S.NO_SHOW, S.CANCELLED, S.WAITING, S.CONFIRMED]:
        register(past, status)
    register(past, S.ATTENDED, answers={})
    inside = ended_event(just_inside("past_event_registrations"))
    kept = register(inside, S.ATTENDED)
    day = past.starts_at.astimezone(AMSTERDAM).date()
    before = event_figures(day, day)

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["past_event_registrations"] == 6
    assert event_figures(day, day) == before
    # Both events are on the same day: 3 + 1 attended, 6 + 1 not cancelled.
    assert before["total"]["attended"] == 4 and before["total"]["registrations"] == 7
    assert (
        list(Registration.objects.filter(event=past).values_list("answers", flat=True)) == [{}] * 7
    )
    kept.refresh_from_db()
    assert kept.answers == {"Dieetwensen": "glutenvrij"}


def test_registrations_of_events_that_never_took_place_are_deleted(
    django_capture_on_commit_callbacks,
):
    cancelled = ended_event(just_past("past_event_registrations"), EventState.CANCELLED)
    draft = ended_event(just_past("past_event_registrations"), EventState.DRAFT)
    gone = [
        register(cancelled, RegistrationStatus.CANCELLED),
        register(draft, RegistrationStatus.CONFIRMED),
    ]
    audit_log(actor=gone[0].user, action="registration.created", obj=gone[0])
    recent = ended_event(just_inside("past_event_registrations"), EventState.CANCELLED)
    stays = register(recent, RegistrationStatus.CANCELLED)

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["past_event_registrations"] == 2
    assert list(Registration.objects.values_list("pk", flat=True)) == [stays.pk]
    entry = AuditLogEntry.objects.get(action="registration.created")
    assert entry.object_repr == ANONYMISED and entry.actor is None


def test_registrations_of_future_and_running_events_are_never_touched(
    django_capture_on_commit_callbacks,
):
    future = make_event(starts_at=NOW + timedelta(days=30), ends_at=NOW + timedelta(days=31))
    running = make_event(starts_at=NOW - timedelta(days=400), ends_at=NOW + timedelta(hours=1))
    registrations = [
        register(future, RegistrationStatus.CONFIRMED),
        register(running, RegistrationStatus.CONFIRMED),
    ]
    Registration.objects.update(created_at=NOW - timedelta(days=400))

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["past_event_registrations"] == 0
    for registration in registrations:
        registration.refresh_from_db()
        assert registration.answers == {"Dieetwensen": "glutenvrij"}


# Omarm ---------------------------------------------------------------------------------


def thread(match, n=2):
    author = UserFactory()
    for i in range(n):
        MatchMessage.objects.create(
            match=match, author=author, author_name=author.name, body=f"Bericht {i}"
        )


def test_message_threads_of_ended_matches_are_deleted_after_their_period(
    django_capture_on_commit_callbacks,
):
    completed = MatchFactory(published=True, completed_at=just_past("match_messages"))
    broken_off = MatchFactory(state=MatchState.BROKEN_OFF)
    recent = MatchFactory(published=True, completed_at=just_inside("match_messages"))
    talking = MatchFactory(state=MatchState.TALKING)
    for match in [completed, broken_off, recent, talking]:
        thread(match)
    Match.objects.filter(pk__in=[broken_off.pk, talking.pk]).update(
        last_activity_at=just_past("match_messages")
    )

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["match_messages"] == 4
    assert set(MatchMessage.objects.values_list("match", flat=True)) == {recent.pk, talking.pk}
    completed.refresh_from_db()
    assert completed.result_story and completed.hours == 12  # the result stays


def test_photos_of_requests_that_left_the_board_are_deleted(django_capture_on_commit_callbacks):
    def with_photo(**values):
        request = HelpRequestFactory(photo_description="Mevrouw Jansen in de tuin", **values)
        request.photo.save("jansen.png", ContentFile(PNG), save=True)
        return request

    fulfilled = with_photo(state=PostingState.FULFILLED, closed_at=just_past("help_request_photos"))
    expired = with_photo(state=PostingState.EXPIRED, closed_at=just_past("help_request_photos"))
    recent = with_photo(state=PostingState.WITHDRAWN, closed_at=just_inside("help_request_photos"))
    open_ = with_photo(state=PostingState.OPEN)
    storage = fulfilled.photo.storage
    names = {r.pk: r.photo.name for r in [fulfilled, expired, recent, open_]}

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["help_request_photos"] == 2
    for request in [fulfilled, expired]:
        request.refresh_from_db()
        assert not request.photo and request.photo_description == ""
        assert not storage.exists(names[request.pk])
        assert request.story  # the request itself stays
    for request in [recent, open_]:
        request.refresh_from_db()
        assert request.photo.name == names[request.pk]
        assert storage.exists(names[request.pk])


def test_resolved_reports_are_deleted_and_the_reporter_leaves_the_history(
    django_capture_on_commit_callbacks,
):
    request = HelpRequestFactory()
    reporter, other, coordinator = UserFactory(), UserFactory(), UserFactory(staff=True)
    old = Report.objects.create(
        request=request,
        reporter=reporter,
        reason="Dit is reclame",
        resolved_at=just_past("omarm_reports"),
    )
    recent = Report.objects.create(
        request=request, reporter=other, reason="Nep", resolved_at=just_inside("omarm_reports")
    )
    unresolved = Report.objects.create(request=HelpRequestFactory(), reporter=reporter, reason="?")
    Report.objects.filter(pk=unresolved.pk).update(created_at=NOW - timedelta(days=1000))
    for actor in [reporter, other]:
        audit_log(actor=actor, action="omarm.request.reported", obj=request)
    audit_log(actor=coordinator, action="omarm.request.reports_reviewed", obj=request)

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["omarm_reports"] == 1
    assert set(Report.objects.values_list("pk", flat=True)) == {recent.pk, unresolved.pk}
    assert not Report.objects.filter(pk=old.pk).exists()
    reported = AuditLogEntry.objects.filter(action="omarm.request.reported")
    assert set(reported.values_list("actor", flat=True)) == {None, other.pk}
    assert AuditLogEntry.objects.get(action="omarm.request.reports_reviewed").actor == coordinator


# Outbox --------------------------------------------------------------------------------


def outbox(state, **values) -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind="servicepoint/reply",
        recipient="jan@example.nl",
        language="nl",
        subject="Antwoord op uw vraag",
        body_text="Beste Jan, ...",
        state=state,
        **values,
    )


def test_delivered_and_failed_mail_is_deleted_after_its_period_pending_never(
    django_capture_on_commit_callbacks,
):
    State = OutboxMessage.State
    sent_past = outbox(State.SENT, sent_at=just_past("outbox_messages"))
    sent_inside = outbox(State.SENT, sent_at=just_inside("outbox_messages"))
    failed_past = outbox(State.FAILED)
    pending = outbox(State.PENDING)
    sending = outbox(State.SENDING)
    OutboxMessage.objects.filter(pk__in=[failed_past.pk, pending.pk, sending.pk]).update(
        created_at=NOW - timedelta(days=365)
    )
    inquiry = Inquiry.objects.create(
        sender=UserFactory(roles=[Role.PROCUREMENT_OFFICER]), subject="Marktverkenning", message="?"
    )
    supplier = SupplierFactory()
    recipient = InquiryRecipient.objects.create(
        inquiry=inquiry, supplier=supplier, email=supplier.contact_email, message=sent_past
    )

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["outbox_messages"] == 2
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {
        sent_inside.pk,
        pending.pk,
        sending.pk,
    }
    recipient.refresh_from_db()
    assert recipient.message is None  # the inquiry and its recipients stay countable


def test_captured_mail_is_deleted_after_its_period(django_capture_on_commit_callbacks):
    past = CapturedMail.objects.create(message_id="<a@x>", from_email="a", to="b", subject="s")
    inside = CapturedMail.objects.create(message_id="<b@x>", from_email="a", to="b", subject="s")
    CapturedMail.objects.filter(pk=past.pk).update(received_at=just_past("captured_mail"))
    CapturedMail.objects.filter(pk=inside.pk).update(received_at=just_inside("captured_mail"))

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["captured_mail"] == 1
    assert list(CapturedMail.objects.values_list("pk", flat=True)) == [inside.pk]


# Accounts ------------------------------------------------------------------------------


def test_login_records_are_deleted_after_their_period(django_capture_on_commit_callbacks):
    common = {
        "user_agent": "Firefox",
        "ip_address": "192.0.2.10",
        "username": "jan@example.nl",
        "http_accept": "*/*",
        "path_info": "/account/inloggen/",
    }
    for when in [just_past("axes_access_logs"), just_inside("axes_access_logs")]:
        for model, extra in [
            (AccessLog, {}),
            (AccessFailureLog, {}),
            (AccessAttempt, {"get_data": "", "post_data": "login=jan", "failures_since_start": 3}),
        ]:
            # Axes keeps one attempt row per username, address and browser.
            row = model.objects.create(**{**common, "user_agent": f"Firefox {when}"}, **extra)
            model.objects.filter(pk=row.pk).update(attempt_time=when)

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["axes_access_logs"] == 3
    for model in [AccessLog, AccessFailureLog, AccessAttempt]:
        assert model.objects.get().attempt_time == just_inside("axes_access_logs")


def test_expired_sessions_are_deleted(django_capture_on_commit_callbacks):
    Session.objects.create(
        session_key="a" * 32, session_data="x", expire_date=just_past("expired_sessions")
    )
    Session.objects.create(
        session_key="b" * 32, session_data="x", expire_date=just_inside("expired_sessions")
    )

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["expired_sessions"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


def test_deleted_accounts_leave_no_name_in_the_audit_log(
    settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS["deleted_account_audit"] = 1
    deleted, recent, active = (UserFactory(name=f"Piet Puk {i}") for i in range(3))
    for user in [deleted, recent, active]:
        account_services.user_update_profile(user=user, actor=user, phone="0612345678")
    with time_machine.travel(just_past("deleted_account_audit"), tick=False):
        account_services.user_delete_account(user=deleted, actor=deleted)
    with time_machine.travel(just_inside("deleted_account_audit"), tick=False):
        account_services.user_delete_account(user=recent, actor=recent)

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["deleted_account_audit"] == 2  # profile change and deletion
    about_deleted = AuditLogEntry.objects.filter(
        object_id=str(deleted.pk), action__startswith="user."
    )
    assert {(e.object_repr, str(e.changes)) for e in about_deleted} == {(ANONYMISED, "{}")}
    assert AuditLogEntry.objects.get(object_id=str(recent.pk), action="user.deleted").object_repr
    assert (
        AuditLogEntry.objects.get(object_id=str(recent.pk), action="user.deleted").object_repr
        != ANONYMISED
    )
    assert AuditLogEntry.objects.get(object_id=str(active.pk)).changes == {
        "phone": ["", "0612345678"]
    }


# The run as a whole --------------------------------------------------------------------


def make_past_everything(staff, *, dormant=True):
    guest = QuestionFactory(guest=True)
    Question.objects.filter(pk=guest.pk).update(created_at=just_past("unconfirmed_questions"))
    attach(guest)
    attach(closed_question(just_past("question_attachments")))
    closed_question(just_past("guest_questions"), requester=None)
    closed = closed_question(just_past("closed_questions"))
    conversation(closed, staff)
    attach(closed)
    register(ended_event(just_past("past_event_registrations")), RegistrationStatus.ATTENDED)
    cancelled = ended_event(just_past("past_event_registrations"), EventState.CANCELLED)
    audit_log(
        actor=None,
        action="registration.created",
        obj=register(cancelled, RegistrationStatus.CANCELLED),
    )
    thread(MatchFactory(published=True, completed_at=just_past("match_messages")), n=1)
    request = HelpRequestFactory(
        state=PostingState.FULFILLED, closed_at=just_past("help_request_photos")
    )
    request.photo.save("foto.png", ContentFile(PNG), save=True)
    reporter = UserFactory()
    Report.objects.create(
        request=request, reporter=reporter, reason="x", resolved_at=just_past("omarm_reports")
    )
    audit_log(actor=reporter, action="omarm.request.reported", obj=request)
    outbox(OutboxMessage.State.SENT, sent_at=just_past("outbox_messages"))
    mail = CapturedMail.objects.create(
        message_id=f"<{uuid4()}@x>", from_email="a", to="b", subject="s"
    )
    CapturedMail.objects.filter(pk=mail.pk).update(received_at=just_past("captured_mail"))
    log = AccessLog.objects.create(
        user_agent="Firefox", ip_address="192.0.2.1", username="a", http_accept="", path_info="/"
    )
    AccessLog.objects.filter(pk=log.pk).update(attempt_time=just_past("axes_access_logs"))
    Session.objects.create(
        session_key=uuid4().hex, session_data="x", expire_date=just_past("expired_sessions")
    )
    with time_machine.travel(just_past("deleted_account_audit"), tick=False):
        user = UserFactory()
        account_services.user_delete_account(user=user, actor=user)
    with time_machine.travel(just_past("never_verified_accounts"), tick=False):
        UserFactory(verified=False)
    ended = MatchFactory(state=MatchState.BROKEN_OFF, broken_off_reason="Geen tijd meer")
    Match.objects.filter(pk=ended.pk).update(last_activity_at=just_past("ended_matches"))
    OfferFactory(state=PostingState.WITHDRAWN, closed_at=just_past("closed_postings"))
    with time_machine.travel(just_past("draft_postings"), tick=False):
        OfferFactory(state=PostingState.DRAFT, approved_at=None)
    supplier = SupplierFactory(state=SupplierState.WITHDRAWN)
    Supplier.objects.filter(pk=supplier.pk).update(updated_at=just_past("withdrawn_suppliers"))
    # Their owners are made now: an account unused for two years is a kind of its own,
    # handled one account at a time (a warning mail, later the deletion).
    officer = UserFactory()
    with time_machine.travel(just_past("shortlists"), tick=False):
        ShortlistFactory(owner=officer)
    with time_machine.travel(just_past("inquiries"), tick=False):
        Inquiry.objects.create(sender=officer, subject="Marktverkenning", message="Vraag")
    if dormant:
        with time_machine.travel(just_past("dormant_accounts"), tick=False):
            sleeper = UserFactory(name="Slapende Gebruiker")
        type(sleeper).objects.filter(pk=sleeper.pk).update(
            dormancy_warned_at=NOW - timedelta(days=31)
        )


@pytest.fixture
def past_everything(staff):
    """One row past its period for every kind."""
    make_past_everything(staff)


def test_the_number_of_queries_does_not_grow_with_the_rows(
    staff, django_capture_on_commit_callbacks
):
    def queries_for(copies: int) -> int:
        # A dormant account is deleted as its owner would, one account at a time (every
        # app's eraser): one of them in both runs, the rest grows.
        make_past_everything(staff)
        for _ in range(copies - 1):
            make_past_everything(staff, dormant=False)
        with CaptureQueriesContext(connection) as queries:
            apply(django_capture_on_commit_callbacks)
        return len(queries)

    assert queries_for(1) == queries_for(4)


def test_one_audit_entry_per_kind_with_its_count_and_no_personal_data(
    past_everything, django_capture_on_commit_callbacks
):
    counts = apply(django_capture_on_commit_callbacks)

    entries = AuditLogEntry.objects.filter(action="retention.applied")
    assert entries.count() == len(KINDS)
    by_kind = {entry.data["kind"]: entry for entry in entries}
    assert {kind: entry.data["count"] for kind, entry in by_kind.items()} == counts
    assert counts["closed_questions"] == 1 and counts["outbox_messages"] == 1
    entry = by_kind["closed_questions"]
    assert entry.actor is None and entry.actor_label == "system"
    assert set(entry.data) == {"kind", "count", "days", "cutoff"}
    assert entry.data["days"] == 1825
    assert entry.data["cutoff"] == (NOW - timedelta(days=1825)).isoformat()
    assert entry.object_repr == "" and entry.changes == {}


def test_a_second_run_handles_nothing(past_everything, django_capture_on_commit_callbacks):
    first = apply(django_capture_on_commit_callbacks)
    second = apply(django_capture_on_commit_callbacks)

    assert all(first.values()), first  # every kind had something to do
    assert second == dict.fromkeys(KINDS, 0)


def test_a_dry_run_counts_the_same_and_changes_nothing(
    past_everything, django_capture_on_commit_callbacks
):
    files = list(Attachment.objects.values_list("file", flat=True))
    tables = [
        Question,
        Message,
        Attachment,
        FollowUp,
        Registration,
        MatchMessage,
        Report,
        OutboxMessage,
        Session,
        AuditLogEntry,
    ]

    def snapshot():
        return {model: list(model.objects.order_by("pk").values()) for model in tables}

    before = snapshot()
    dry = apply(django_capture_on_commit_callbacks, dry_run=True)
    assert snapshot() == before
    assert all(stored(name) for name in files)

    real = apply(django_capture_on_commit_callbacks)
    assert dry == real


def test_a_failing_kind_does_not_stop_the_others(monkeypatch, django_capture_on_commit_callbacks):
    outbox(OutboxMessage.State.SENT, sent_at=just_past("outbox_messages"))

    def broken(cutoff, *, dry_run):
        raise RuntimeError("boom")

    monkeypatch.setitem(
        KINDS,
        "closed_questions",
        registry.Kind("closed_questions", "anonymised", broken, days=1825),
    )
    with pytest.raises(RetentionFailed) as failure:
        apply(django_capture_on_commit_callbacks)

    assert failure.value.failed == ["closed_questions"]
    assert failure.value.counts["outbox_messages"] == 1
    assert not OutboxMessage.objects.exists()
    kinds_audited = AuditLogEntry.objects.filter(action="retention.applied").values_list(
        "data__kind", flat=True
    )
    assert "closed_questions" not in kinds_audited and len(kinds_audited) == len(KINDS) - 1


# Accounts: never verified and dormant ---------------------------------------------------


def test_sign_ups_never_verified_are_deleted_after_their_period(
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(just_past("never_verified_accounts"), tick=False):
        past = UserFactory(verified=False, email="nooit@example.nl")
        staff = UserFactory(verified=False, staff=True)
        verified = UserFactory()
    with time_machine.travel(just_inside("never_verified_accounts"), tick=False):
        inside = UserFactory(verified=False)

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["never_verified_accounts"] == 1
    assert not type(past).objects.filter(email="nooit@example.nl").exists()
    # Staff accounts are made by the coordinator and wait for their owner.
    assert {staff.pk, verified.pk, inside.pk} <= set(
        type(past).objects.values_list("pk", flat=True)
    )


def test_dormant_accounts_are_warned_and_deleted_30_days_later_unless_used(
    client, django_capture_on_commit_callbacks
):
    with time_machine.travel(just_past("dormant_accounts"), tick=False):
        dormant = UserFactory(name="Gerrit Slaap", phone="0501234567")
        returning = UserFactory(name="Grietje Terug")
        active = UserFactory()
        superuser = UserFactory(is_superuser=True, staff=True)
    type(active).objects.filter(pk=active.pk).update(last_login=just_inside("dormant_accounts"))

    # The first night warns, once, and deletes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        counts = apply(django_capture_on_commit_callbacks)
    assert counts["dormant_accounts"] == 0
    warnings = OutboxMessage.objects.filter(kind="accounts/dormant_warning")
    assert sorted(warnings.values_list("recipient", flat=True)) == sorted(
        [dormant.email, returning.email]
    )
    assert "15 juli 2026" in warnings.get(recipient=dormant.email).body_text  # NOW + 30 days
    apply(django_capture_on_commit_callbacks)
    assert warnings.count() == 2

    # One of them logs in within the 30 days: kept, and the warning is cleared.
    client.post(
        "/account/login/", {"login": returning.email, "password": "a-Strong-passw0rd-for-tests"}
    )
    returning.refresh_from_db()
    assert returning.dormancy_warned_at is None

    with time_machine.travel(NOW + timedelta(days=30, minutes=1), tick=False):
        counts = apply(django_capture_on_commit_callbacks)

    assert counts["dormant_accounts"] == 1
    dormant.refresh_from_db()
    assert dormant.anonymised_at and not dormant.is_active and dormant.name == ""
    assert AuditLogEntry.objects.filter(action="user.deleted", object_id=str(dormant.pk)).exists()
    for kept in (returning, active, superuser):
        kept.refresh_from_db()
        assert kept.anonymised_at is None, kept


# Omarm: ended matches, closed and draft postings ----------------------------------------


def test_ended_matches_lose_who_started_them_and_what_was_not_published(
    django_capture_on_commit_callbacks,
):
    broken = MatchFactory(state=MatchState.BROKEN_OFF, broken_off_reason="Jan had geen tijd")
    Match.objects.filter(pk=broken.pk).update(last_activity_at=just_past("ended_matches"))
    published = MatchFactory(published=True, completed_at=just_past("ended_matches"))
    draft_story = MatchFactory(
        state=MatchState.COMPLETED,
        completed_at=just_past("ended_matches"),
        result_story="Het verhaal van Jan",
    )
    inside = MatchFactory(
        state=MatchState.COMPLETED,
        completed_at=just_inside("ended_matches"),
        result_story="Nog even bewaren",
    )
    story = Match.objects.get(pk=published.pk).result_story

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["ended_matches"] == 2  # the published one had nothing to give up
    broken.refresh_from_db()
    assert broken.broken_off_reason == "" and broken.started_by is None
    assert broken.state == MatchState.BROKEN_OFF  # still counted
    assert Match.objects.get(pk=published.pk).result_story == story  # made public on purpose
    assert Match.objects.get(pk=draft_story.pk).result_story == ""
    assert Match.objects.get(pk=inside.pk).result_story == "Nog even bewaren"


def test_postings_off_the_board_are_anonymised_and_old_drafts_deleted(
    django_capture_on_commit_callbacks,
):
    closed = HelpRequestFactory(
        state=PostingState.EXPIRED, closed_at=just_past("closed_postings"), title="Jan zoekt"
    )
    still = HelpRequestFactory(
        state=PostingState.EXPIRED, closed_at=just_inside("closed_postings"), title="Bewaard"
    )
    open_request = HelpRequestFactory(title="Open hulpvraag")
    with time_machine.travel(just_past("draft_postings"), tick=False):
        draft = OfferFactory(state=PostingState.DRAFT, approved_at=None)
        submitted = OfferFactory(state=PostingState.SUBMITTED, approved_at=None)
    HelpRequestFactory._meta.model.objects.filter(pk=open_request.pk).update(
        created_at=NOW - timedelta(days=3650)
    )

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["closed_postings"] == 1 and counts["draft_postings"] == 1
    closed.refresh_from_db()
    assert (closed.title, closed.story, closed.created_by) == (ANONYMISED_SUBJECT, "", None)
    assert closed.theme and closed.area_id and closed.state == PostingState.EXPIRED
    assert type(still).objects.get(pk=still.pk).title == "Bewaard"
    assert type(open_request).objects.get(pk=open_request.pk).title == "Open hulpvraag"
    assert not type(draft).objects.filter(pk=draft.pk).exists()
    assert type(submitted).objects.filter(pk=submitted.pk).exists()


# Platform Goed Inkopen: withdrawn profiles, shortlists, inquiries -------------------------


def test_withdrawn_profiles_lose_their_contact_person_and_files(
    django_capture_on_commit_callbacks,
):
    past = SupplierFactory(state=SupplierState.WITHDRAWN, contact_name="Jan de Vries")
    past.logo.save("logo.png", ContentFile(PNG), save=True)
    logo = past.logo.name
    inside = SupplierFactory(state=SupplierState.WITHDRAWN, contact_name="Piet")
    verified = SupplierFactory(contact_name="Klaas")
    Supplier.objects.filter(pk=past.pk).update(updated_at=just_past("withdrawn_suppliers"))
    Supplier.objects.filter(pk__in=[inside.pk, verified.pk]).update(
        updated_at=just_inside("withdrawn_suppliers")
    )

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["withdrawn_suppliers"] == 1
    past.refresh_from_db()
    assert (past.contact_name, past.contact_email, past.contact_phone, past.logo.name) == (
        "",
        "",
        "",
        "",
    )
    assert not stored(logo, Supplier._meta.get_field("logo").storage)
    assert Supplier.objects.get(pk=inside.pk).contact_name == "Piet"
    assert Supplier.objects.get(pk=verified.pk).contact_name == "Klaas"


def test_old_shortlists_are_deleted_and_inquiries_anonymised(
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(just_past("shortlists"), tick=False):
        old_list = ShortlistFactory()
    with time_machine.travel(just_inside("shortlists"), tick=False):
        recent_list = ShortlistFactory()
    with time_machine.travel(just_past("inquiries"), tick=False):
        old = Inquiry.objects.create(
            sender=UserFactory(), shortlist=old_list, subject="Jan vraagt", message="Tekst"
        )
    with time_machine.travel(just_inside("inquiries"), tick=False):
        recent = Inquiry.objects.create(sender=UserFactory(), subject="Recent", message="Tekst")

    counts = apply(django_capture_on_commit_callbacks)

    assert counts["shortlists"] == 1 and counts["inquiries"] == 1
    assert not Shortlist.objects.filter(pk=old_list.pk).exists()
    assert Shortlist.objects.filter(pk=recent_list.pk).exists()
    old.refresh_from_db()
    assert (old.subject, old.message, old.shortlist) == (ANONYMISED_SUBJECT, "", None)
    assert old.sender_id  # still counted for the monitor
    assert Inquiry.objects.get(pk=recent.pk).subject == "Recent"


# Command, task, settings ---------------------------------------------------------------


def test_the_command_prints_a_count_per_kind_and_dry_run_changes_nothing(past_everything):
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Dry run: nothing is changed."
    assert len(lines) == 1 + len(KINDS)
    assert any(line.split()[:2] == ["closed_questions", "1"] for line in lines)
    assert not AuditLogEntry.objects.filter(action="retention.applied").exists()
    assert Question.objects.filter(text="").count() == 0

    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert any(
        line.split()[:3] == ["outbox_messages", "1", "deleted"]
        for line in out.getvalue().splitlines()
    )
    assert AuditLogEntry.objects.filter(action="retention.applied").count() == len(KINDS)


def test_the_command_fails_loudly_when_a_kind_fails(monkeypatch):
    def broken(cutoff, *, dry_run):
        raise RuntimeError("boom")

    monkeypatch.setitem(
        KINDS, "captured_mail", registry.Kind("captured_mail", "deleted", broken, days=30)
    )
    out = StringIO()
    with pytest.raises(CommandError, match="captured_mail"):
        call_command("apply_retention", stdout=out)
    assert "outbox_messages" in out.getvalue()


def test_the_nightly_task_is_registered_and_scheduled(past_everything):
    from impactportal.celery import app
    from impactportal.retention.tasks import apply_retention

    entry = django_settings.CELERY_BEAT_SCHEDULE["retention-apply"]
    assert entry["task"] == apply_retention.name
    assert entry["schedule"].hour == {4} and entry["schedule"].minute == {0}
    app.loader.import_default_modules()
    assert apply_retention.name in app.tasks
    apply_retention.delay()  # eager in the unit tests
    assert AuditLogEntry.objects.filter(action="retention.applied").count() == len(KINDS)


def test_the_default_periods_are_the_documented_ones():
    assert {kind.name: kind.days for kind in registry.kinds()} == DAYS


def test_a_bad_setting_stops_the_checks_and_an_unknown_kind_warns(settings):
    assert not [e for e in run_checks() if e.id.startswith("retention.")]

    settings.RETENTION_DAYS = {**DAYS, "closed_questions": -1, "typo_kind": 3}
    ids = sorted(e.id for e in run_checks() if e.id.startswith("retention."))
    assert ids == ["retention.E003", "retention.W001"]


def test_a_period_is_overridden_from_the_environment_and_only_then():
    code = "from impactportal.settings import base; print(repr(base.RETENTION_DAYS))"
    env = {key: value for key, value in os.environ.items() if not key.startswith("RETENTION_")}
    defaults = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert literal_eval(defaults.stdout) == {}
    env["RETENTION_CLOSED_QUESTIONS_DAYS"] = "1095"
    overridden = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert literal_eval(overridden.stdout) == {"closed_questions": 1095}


def test_every_kind_is_in_the_processing_register():
    register = (Path(django_settings.BASE_DIR) / "docs" / "privacy.md").read_text()
    for kind in KINDS:
        assert f"RETENTION_{kind.upper()}_DAYS" in register, kind
