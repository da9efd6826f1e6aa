"""Redis stopped or frozen while people ask questions and sign up for events.

The pages must keep answering quickly and store everything; the e-mails wait as pending
outbox rows and, once Redis is back, the sweeper (as beat runs it) hands them to a real
worker, which delivers each exactly once. Redis here is the test's own, not the suite's.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from devtools.testing.worker import wait_for
from events.models import Registration
from impactportal.outbox import services
from impactportal.outbox.models import CapturedMail, OutboxMessage
from impactportal.outbox.tasks import sweep_outbox
from servicepoint.models import Question
from tests.events.test_registration import make_event
from tests.factories import TopicFactory, UserFactory

from .conftest import Stopwatch, report

pytestmark = [pytest.mark.faults, pytest.mark.worker]

ASK = "/servicepunt/vraag/"
SUBMITTED = "/servicepunt/vraag/verzonden/"
REDIS_DOWN_SECONDS = 10


@pytest.fixture(autouse=True)
def no_enqueue_pause(monkeypatch):
    # A pause set by a slow failure here must not leak into later tests of this process.
    monkeypatch.setattr(services, "_enqueue_paused_until", 0.0)


@pytest.fixture
def publishes(monkeypatch):
    """The moments a request tried to hand a mail to Celery (the real publish still runs:
    this only counts what reaches for the broker)."""
    from impactportal.outbox.tasks import deliver_message

    attempts: list[float] = []
    publish = deliver_message.apply_async

    def counted(*args, **kwargs):
        attempts.append(time.monotonic())
        return publish(*args, **kwargs)

    monkeypatch.setattr(deliver_message, "apply_async", counted)
    return attempts


@pytest.fixture
def people(transactional_db):
    TopicFactory()  # the migration's topics are gone after an earlier flush
    UserFactory(roles=[Role.ACCOUNT_MANAGER], staff=True, email="accountmanager@groningen.nl")
    return [
        UserFactory(roles=[Role.ENTREPRENEUR], email=f"ondernemer{n}@example.nl") for n in range(5)
    ]


def guest_question(client: Client, n: int, stopwatch: Stopwatch) -> None:
    data = {
        "topic": TopicFactory().pk,
        "subject": f"Subsidie voor een kringloopwinkel ({n})",
        "text": "Welke subsidies zijn er voor een sociale onderneming met leerwerkplekken?",
        "name": f"Gast {n}",
        "email": f"gast{n}@example.nl",
        "company_name": "Kringloop Noord",
        "kvk_number": "",
        "preferred_contact": "email",
        "phone": "",
        "website": "",
    }
    with stopwatch.time():
        response = client.post(ASK, data)
    assert response.status_code == 302 and response["Location"] == SUBMITTED
    assert client.get(SUBMITTED).status_code == 200


def entrepreneur_question(client: Client, n: int, stopwatch: Stopwatch) -> None:
    data = {
        "topic": TopicFactory().pk,
        "subject": f"Pand huren voor een leerwerkbedrijf ({n})",
        "text": "Waar kan ik terecht voor een bedrijfspand met ruimte voor leerlingen?",
        "preferred_contact": "email",
        "phone": "",
        "company_name": "",
        "kvk_number": "",
        "website": "",
    }
    with stopwatch.time():
        response = client.post(ASK, data)
    assert response.status_code == 302 and response["Location"] == SUBMITTED
    assert client.get(SUBMITTED).status_code == 200


def register(client: Client, event, stopwatch: Stopwatch) -> None:
    with stopwatch.time():
        response = client.post(f"/agenda/{event.slug}/aanmelden/", {})
    assert response.status_code == 302 and response["Location"] == f"/agenda/{event.slug}/"
    assert client.get(response["Location"]).status_code == 200


def client_for(user=None, n: int = 0) -> Client:
    # Each visitor from an address of their own, as on the internet: per-address limits
    # on public forms are not what this test is about.
    client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
    if user is not None:
        client.force_login(user)
    return client


def warm_up(worker) -> None:
    """Before the outage: the whole chain works, the publisher holds a live connection to
    Redis and each code path has run once (as on a server that has been up a while)."""
    guest_question(client_for(n=99), 99, Stopwatch())
    entrepreneur_question(client_for(UserFactory(roles=[Role.ENTREPRENEUR]), n=98), 98, Stopwatch())
    wait_for(all_sent, timeout=30, message=f"warm-up mail not sent:\n{worker.log()[-3000:]}")


def all_sent() -> bool:
    return not OutboxMessage.objects.exclude(state=OutboxMessage.State.SENT).exists()


def sweep_as_beat_would() -> None:
    """Beat runs the sweeper every minute; by then the rows are past its grace period."""
    OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).update(
        created_at=timezone.now() - timedelta(minutes=1)
    )
    sweep_outbox.delay()


def finished_sweeps(worker) -> int:
    return sum(
        "sweep_outbox[" in line and "succeeded" in line for line in worker.log().splitlines()
    )


def assert_every_mail_delivered_exactly_once() -> int:
    messages = list(OutboxMessage.objects.all())
    assert {message.state for message in messages} == {OutboxMessage.State.SENT}
    # One claim each: nothing was sent a second time (the capture backend would hide a
    # duplicate by its Message-ID, the attempt counter does not).
    assert {message.attempts for message in messages} == {1}
    captured = list(CapturedMail.objects.values_list("message_id", flat=True))
    assert sorted(captured) == sorted(message.message_id for message in messages)
    return len(messages)


def test_redis_stopped_pages_keep_working_and_every_mail_goes_out_once_after(
    people, own_redis, start_worker, publishes
):
    worker = start_worker()
    event = make_event(slug="impactcafe-storing", capacity=20)

    warm_up(worker)
    mails_before = OutboxMessage.objects.count()

    own_redis.stop()
    publishes.clear()
    down_at = timezone.now()
    stopwatch = Stopwatch()
    visits = (
        [(guest_question, client_for(n=n), n) for n in range(10)]
        + [(entrepreneur_question, client_for(u, n=20 + n), n) for n, u in enumerate(people)]
        + [(register, client_for(u, n=40 + n), event) for n, u in enumerate(people)]
    )
    try:
        # The visitors arrive spread over the outage.
        started = time.monotonic()
        for number, (visit, client, argument) in enumerate(visits):
            visit(client, argument, stopwatch)
            next_visit = started + (number + 1) * REDIS_DOWN_SECONDS / len(visits)
            time.sleep(max(0.0, next_visit - time.monotonic()))

        assert Question.objects.count() == 2 + 10 + 5
        assert Registration.objects.filter(event=event, status="confirmed").count() == 5
        during = OutboxMessage.objects.filter(created_at__gte=down_at)
        # 10 confirmation requests, 5 receipts + 5 to the account manager, 5 confirmations.
        assert during.count() == 25
        assert set(during.values_list("state", flat=True)) == {OutboxMessage.State.PENDING}
        assert CapturedMail.objects.count() == mails_before
    finally:
        own_redis.start()
    back_at = time.monotonic()
    down_seconds = (timezone.now() - down_at).total_seconds()
    # A refused connection fails at once: every mail was offered to the broker, none of
    # the failures was slow enough to pause enqueueing (the timings are in the report).
    assert len(publishes) == 25
    assert services._enqueue_paused_until == 0.0

    sweep_as_beat_would()
    wait_for(all_sent, timeout=60, message=f"not delivered after Redis:\n{worker.log()[-4000:]}")
    delivered_in = time.monotonic() - back_at
    delivered = assert_every_mail_delivered_exactly_once()

    # The next sweep finds nothing to do: nothing goes out twice.
    sweep_outbox.delay()
    wait_for(lambda: finished_sweeps(worker) == 2, timeout=30, message=worker.log()[-3000:])
    assert assert_every_mail_delivered_exactly_once() == delivered
    report(
        f"Redis stopped {down_seconds:.1f} s while 20 forms were posted (10 guest questions, "
        f"5 entrepreneur questions, 5 event registrations): all 20 stored, 25 e-mails pending; "
        f"POST median {stopwatch.median_ms} ms, max {stopwatch.max_ms} ms, no 5xx; after "
        f"Redis returned, one sweep handed them to the worker (which had reconnected by "
        f"itself) and all {delivered - mails_before} were delivered within "
        f"{delivered_in:.1f} s, each exactly once (+ {mails_before} sent before the outage)."
    )


def test_redis_frozen_costs_one_request_one_timeout_and_loses_nothing(
    people, own_redis, start_worker, settings, publishes
):
    """A hung Redis (process frozen, network black hole) does not refuse: it lets the
    publish wait for the socket timeout. One request pays it; the rest are not slowed."""
    socket_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"]
    settings.OUTBOX_ENQUEUE_PAUSE_SECONDS = 5  # shorter than in production (30), to wait out
    worker = start_worker()
    warm_up(worker)

    os.kill(own_redis.process.pid, signal.SIGSTOP)
    publishes.clear()
    stopwatch = Stopwatch()
    try:
        for n, user in enumerate(people):
            entrepreneur_question(client_for(user, n=20 + n), n, stopwatch)
        for n in range(5):
            guest_question(client_for(n=n), n, stopwatch)
        assert Question.objects.count() == 2 + 5 + 5
        assert OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).count() == 15
    finally:
        os.kill(own_redis.process.pid, signal.SIGCONT)

    first, *rest = stopwatch.durations
    # Only the first request reached for the hung broker; its slow failure paused
    # enqueueing, so the other nine never touched it (the timings are in the report).
    assert len(publishes) == 1
    assert services._enqueue_paused_until > 0.0

    # When the pause is over, requests hand their mail to Celery directly again.
    wait_for(lambda: time.monotonic() > services._enqueue_paused_until, timeout=10)
    guest_question(client_for(n=50), 50, Stopwatch())
    after = OutboxMessage.objects.get(recipient="gast50@example.nl")
    wait_for(lambda: OutboxMessage.objects.get(pk=after.pk).state == OutboxMessage.State.SENT)

    # The publish that timed out was written to the frozen server's socket: Redis may
    # still queue it after the thaw, and the sweeper hands the same row out as well. The
    # claim (pending -> sending) lets only one of the two send it.
    sweep_as_beat_would()
    wait_for(all_sent, timeout=60, message=f"not delivered after thaw:\n{worker.log()[-4000:]}")
    delivered = assert_every_mail_delivered_exactly_once()
    report(
        f"Redis frozen (SIGSTOP) while 10 questions were posted: the first request waited "
        f"{round(first * 1000)} ms (broker socket timeout {socket_timeout} s), the other 9 "
        f"took at most {round(max(rest) * 1000)} ms (enqueueing paused); all 10 stored, 15 "
        f"e-mails pending; after the thaw the sweeper handed them out and all {delivered} "
        f"e-mails of the test were delivered exactly once."
    )
