import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from impactportal.outbox import services
from impactportal.outbox.models import CapturedMail, OutboxMessage
from impactportal.outbox.services import Attachment
from tests.factories import OrganisationFactory, UserFactory

CAPTURE = "impactportal.outbox.backends.CaptureBackend"


def queue_membership_mail(user, **kwargs):
    return services.notify_user(
        user=user,
        template="accounts/membership_added",
        context={"organisation": OrganisationFactory(name="Peers Schoonmaak")},
        **kwargs,
    )


@pytest.mark.django_db
def test_queue_renders_in_recipients_language_and_waits_for_commit(
    django_capture_on_commit_callbacks,
):
    dutch = UserFactory(language="nl", name="Sanne de Vries")
    english = UserFactory(language="en", name="Sam Smith")
    with django_capture_on_commit_callbacks() as callbacks:
        nl_message = queue_membership_mail(dutch)
        en_message = queue_membership_mail(english)
    assert len(callbacks) == 2  # enqueued only when the transaction commits
    assert mail.outbox == []
    assert nl_message.subject == "U hoort nu bij Peers Schoonmaak op het Impactportaal"
    assert "Beste Sanne," in nl_message.body_text
    assert en_message.subject == "You now belong to Peers Schoonmaak on the Impactportaal"
    assert "Dear Sam," in en_message.body_text
    assert "<html" in en_message.body_html
    assert nl_message.state == OutboxMessage.State.PENDING


@pytest.mark.django_db
def test_committed_message_is_delivered_once_with_its_message_id(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_membership_mail(user)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert message.attempts == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [user.email]
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert sent.alternatives[0][1] == "text/html"
    # A duplicate task for the same row sends nothing.
    assert services.message_deliver(message_id=message.pk).sent is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_rolled_back_transaction_leaves_no_message():
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_membership_mail(user)
        raise RuntimeError("the service failed after queueing")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_attachments_are_sent(settings):
    message = services.message_queue_rendered(
        to="ondernemer@example.nl",
        kind="test",
        subject="Agenda",
        body_text="Zie bijlage",
        attachments=[Attachment("impactcafe.ics", b"BEGIN:VCALENDAR", "text/calendar")],
    )
    services.message_deliver(message_id=message.pk)
    assert mail.outbox[0].attachments[0][:2] == ("impactcafe.ics", "BEGIN:VCALENDAR")


class FailingBackend:
    """Stands in for an SMTP relay that is unreachable (the only thing mocked here)."""

    error: BaseException = ConnectionRefusedError("relay unreachable")

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise self.error


@pytest.mark.django_db
def test_transient_failure_backs_off_then_fails_after_max_attempts(settings):
    settings.EMAIL_BACKEND = "tests.impactportal.test_outbox.FailingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = queue_membership_mail(UserFactory())

    first = services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert first.retry_in == 60
    assert message.state == OutboxMessage.State.PENDING
    assert message.attempts == 1
    assert "relay unreachable" in message.last_error
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)

    assert services.message_deliver(message_id=message.pk).retry_in == 120
    last = services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert last.retry_in is None
    assert message.state == OutboxMessage.State.FAILED
    assert message.attempts == 3


@pytest.mark.django_db
def test_broken_message_fails_at_once(settings):
    settings.EMAIL_BACKEND = "tests.impactportal.test_outbox.FailingBackend"
    FailingBackend.error = ValueError("header contains a newline")
    try:
        message = queue_membership_mail(UserFactory())
        assert services.message_deliver(message_id=message.pk).retry_in is None
    finally:
        FailingBackend.error = ConnectionRefusedError("relay unreachable")
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED
    assert message.attempts == 1


@pytest.mark.django_db
def test_failed_message_can_be_retried_from_admin_service(django_capture_on_commit_callbacks):
    message = queue_membership_mail(UserFactory())
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.FAILED, attempts=8)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_retry(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_crash_between_send_and_mark_is_not_sent_twice_by_the_sweeper(settings, monkeypatch):
    """The worker dies after the relay accepted the mail but before it was marked sent."""
    settings.EMAIL_BACKEND = CAPTURE
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    message = queue_membership_mail(UserFactory())

    def die(_message):
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "_mark_sent", die)
    with pytest.raises(SystemExit):
        services.message_deliver(message_id=message.pk)
    monkeypatch.undo()
    settings.EMAIL_BACKEND = CAPTURE
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENDING
    assert CapturedMail.objects.count() == 1

    # Not yet stale: the sweeper leaves a row that may still be in a live worker's hands.
    assert services.outbox_sweep() == 0
    OutboxMessage.objects.filter(pk=message.pk).update(
        last_attempt_at=timezone.now()
        - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS + 1)
    )
    # Stale: handed out again (eager Celery delivers inline) with the same Message-ID.
    assert services.outbox_sweep() == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert message.attempts == 2
    assert CapturedMail.objects.count() == 1
    assert CapturedMail.objects.get().message_id == message.message_id


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_row_send_it_once():
    # A row written directly: the service would deliver it at once (autocommit + eager).
    message = OutboxMessage.objects.create(
        kind="test",
        recipient="ondernemer@example.nl",
        language="nl",
        subject="Race",
        body_text="Eén keer",
        next_attempt_at=timezone.now(),
    )
    barrier = threading.Barrier(2)
    results = []

    def deliver():
        barrier.wait()
        try:
            results.append(services.message_deliver(message_id=message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result.sent for result in results) == [False, True]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_sweeper_leaves_fresh_and_future_rows_alone(settings):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 30
    fresh = queue_membership_mail(UserFactory())
    later = queue_membership_mail(UserFactory())
    OutboxMessage.objects.filter(pk=later.pk).update(
        created_at=timezone.now() - timedelta(minutes=5),
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    assert services.outbox_sweep() == 0
    fresh.refresh_from_db()
    assert fresh.state == OutboxMessage.State.PENDING
