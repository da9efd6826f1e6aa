"""The outbox with a real Celery worker process and the real Redis broker."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from devtools.testing.services import local_services
from devtools.testing.worker import wait_for
from impactportal.outbox import services
from impactportal.outbox.models import CapturedMail, OutboxMessage
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.worker


def _queue(user):
    with transaction.atomic():
        return services.notify_user(
            user=user,
            template="accounts/membership_added",
            context={"organisation": OrganisationFactory()},
        )


def _sent(message):
    message.refresh_from_db()
    return message.state == OutboxMessage.State.SENT


def test_worker_delivers_a_committed_message(celery_worker):
    user = UserFactory()
    message = _queue(user)
    wait_for(lambda: _sent(message), message=f"not delivered:\n{celery_worker.log()}")
    captured = CapturedMail.objects.get(message_id=message.message_id)
    assert captured.to == user.email
    assert "deliver_message" in celery_worker.log()


def test_message_queued_while_redis_is_down_is_delivered_after_it_returns(celery_worker, settings):
    redis = local_services().redis
    if redis is None:
        pytest.skip("REDIS_URL points at an external Redis this test cannot stop")
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    user = UserFactory()

    redis.stop()
    try:
        message = _queue(user)  # the enqueue fails quietly; the row is safe in PostgreSQL
        message.refresh_from_db()
        assert message.state == OutboxMessage.State.PENDING
        assert not CapturedMail.objects.exists()
    finally:
        redis.start()

    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=1)
    )
    # Beat runs the sweeper every minute; here it is called directly.
    assert services.outbox_sweep() == 1
    wait_for(
        lambda: _sent(message),
        timeout=40,
        message=f"not delivered after Redis returned:\n{celery_worker.log()[-3000:]}",
    )
    assert CapturedMail.objects.filter(message_id=message.message_id).count() == 1
