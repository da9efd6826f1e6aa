"""A Celery worker killed with SIGKILL in the middle of sending an e-mail.

Two moments matter: before the mail relay accepted the message (the mail must not be
lost) and after it accepted it but before the row was marked sent (the mail must not
arrive twice). The worker is frozen at exactly that moment with a PostgreSQL lock on
the table or row its next statement needs, then killed; a second worker and the
sweeper (as beat runs it) take over. Relay = the capture backend, which keeps one copy
per Message-ID, as relays and mail clients do.

tests/impactportal/test_outbox.py covers the same crash inside one process; this is the
real thing: a real worker process, a real kill, the task left unacknowledged in Redis.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from devtools.testing.worker import wait_for
from impactportal.outbox import services
from impactportal.outbox.models import CapturedMail, OutboxMessage
from impactportal.outbox.tasks import deliver_message, sweep_outbox
from tests.factories import OrganisationFactory, UserFactory

from .conftest import report

pytestmark = [pytest.mark.faults, pytest.mark.worker]

CAPTURED_TABLE = CapturedMail._meta.db_table
OUTBOX_TABLE = OutboxMessage._meta.db_table


class HeldLock:
    """A lock held by a connection of its own until ``release()``."""

    def __init__(self, sql: str, params=()):
        self.connection = connections.create_connection("default")
        self.cursor = self.connection.cursor()
        self.cursor.execute("BEGIN")
        self.cursor.execute(sql, params)

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.cursor.execute("COMMIT")
            finally:
                self.connection.close()
                self.connection = None


def backend_waiting_on_lock(statement_start: str) -> int | None:
    """The server process of a connection that waits for a lock while running a
    statement that begins with ``statement_start``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            [statement_start.replace("%", r"\%") + "%"],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def end_session_of_dead_worker(pid: int) -> None:
    """The killed worker's statement would otherwise still run once the lock is gone:
    it was only waiting for our lock, which a real crash mid-send does not have."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_for(
        lambda: not backend_alive(pid), timeout=10, message="the dead worker's session lingers"
    )


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def queue_mail(user) -> OutboxMessage:
    with transaction.atomic():
        return services.notify_user(
            user=user,
            template="accounts/membership_added",
            context={"organisation": OrganisationFactory()},
        )


def state(message: OutboxMessage) -> str:
    message.refresh_from_db()
    return message.state


def finished(worker, task: str) -> int:
    return sum(f"{task}[" in line and "succeeded" in line for line in worker.log().splitlines())


@pytest.mark.parametrize("moment", ["before the relay accepted", "after the relay accepted"])
def test_worker_killed_during_a_send_loses_no_mail_and_sends_none_twice(
    moment, own_redis, start_worker
):
    first_worker = start_worker("first")
    insert = f'INSERT INTO "{CAPTURED_TABLE}"'
    mark_sent = f'UPDATE "{OUTBOX_TABLE}"'

    # SHARE blocks the relay's insert and nothing else.
    table_lock = HeldLock(f'LOCK TABLE "{CAPTURED_TABLE}" IN SHARE MODE')
    row_lock = None
    try:
        in_flight = queue_mail(UserFactory())
        queued_behind = queue_mail(UserFactory())  # waits in Redis: one task at a time
        wait_for(
            lambda: backend_waiting_on_lock(insert),
            message=f"the worker never reached the relay:\n{first_worker.log()[-3000:]}",
        )
        assert state(in_flight) == OutboxMessage.State.SENDING
        waiting_statement = insert
        if moment == "after the relay accepted":
            # Lock the row, then let the relay take the mail: the worker now waits to
            # mark it sent.
            row_lock = HeldLock(
                f'SELECT 1 FROM "{OUTBOX_TABLE}" WHERE id = %s FOR UPDATE',  # noqa: S608 (model's table)
                [in_flight.pk],
            )
            table_lock.release()
            waiting_statement = mark_sent
            wait_for(
                lambda: backend_waiting_on_lock(mark_sent),
                message=f"the worker never got past the relay:\n{first_worker.log()[-3000:]}",
            )
            assert CapturedMail.objects.filter(message_id=in_flight.message_id).exists()
        first_worker.kill()
        end_session_of_dead_worker(backend_waiting_on_lock(waiting_statement))
    finally:
        table_lock.release()
        if row_lock is not None:
            row_lock.release()

    # The state a SIGKILL mid-send leaves behind.
    assert first_worker.process.returncode == -9
    in_flight.refresh_from_db()
    assert (in_flight.state, in_flight.attempts) == (OutboxMessage.State.SENDING, 1)
    accepted = CapturedMail.objects.filter(message_id=in_flight.message_id).count()
    assert accepted == (0 if moment == "before the relay accepted" else 1)
    assert state(queued_behind) == OutboxMessage.State.PENDING

    second_worker = start_worker("second")
    # The task that was waiting in Redis goes straight to the new worker.
    wait_for(lambda: state(queued_behind) == OutboxMessage.State.SENT, timeout=30)
    # The killed worker's task stays unacknowledged in Redis (until its visibility
    # timeout, an hour); the row stays "sending" until the sweeper deems it abandoned.
    assert state(in_flight) == OutboxMessage.State.SENDING
    stuck_for = timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS + 1)
    # Ten minutes later, as far as the row can tell.
    OutboxMessage.objects.filter(pk=in_flight.pk).update(
        created_at=timezone.now() - stuck_for, last_attempt_at=timezone.now() - stuck_for
    )
    sweep_outbox.delay()
    wait_for(
        lambda: state(in_flight) == OutboxMessage.State.SENT,
        timeout=30,
        message=f"not sent again after the sweep:\n{second_worker.log()[-3000:]}",
    )
    # What Redis does after the visibility timeout: deliver the old task once more.
    delivered_before = finished(second_worker, "deliver_message")
    deliver_message.delay(in_flight.pk)
    wait_for(lambda: finished(second_worker, "deliver_message") > delivered_before, timeout=30)

    in_flight.refresh_from_db()
    assert (in_flight.state, in_flight.attempts) == (OutboxMessage.State.SENT, 2)
    assert CapturedMail.objects.filter(message_id=in_flight.message_id).count() == 1
    assert CapturedMail.objects.filter(message_id=queued_behind.message_id).count() == 1
    assert CapturedMail.objects.count() == 2
    second_send = (
        "delivered it"
        if moment == "before the relay accepted"
        else "sent it again with the same Message-ID and the relay kept one copy"
    )
    report(
        f"Worker SIGKILLed mid-send, {moment}: the row stayed 'sending' and the relay "
        f"held {'one copy' if accepted else 'nothing'}; a new worker delivered the mail queued "
        f"behind it at once; after the 10-minute sending timeout the sweeper handed the "
        f"interrupted row out again and the worker {second_send} (attempt 2); a late "
        f"redelivery of the killed worker's task sent nothing. Each mail arrived once."
    )
