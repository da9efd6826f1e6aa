import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from accounts.roles import Role

from .factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with empty rate-limit counters (the test cache is in memory)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory(roles=[Role.ENTREPRENEUR])


@pytest.fixture
def other_user(db):
    return UserFactory(roles=[Role.ENTREPRENEUR])


def totp_code(secret: str) -> str:
    """The code an authenticator app would show right now."""
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def staff_with_totp(db):
    """An account manager who has set up an authenticator app; ``.totp_secret`` is its secret."""
    return UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER], totp=True)


@pytest.fixture
def celery_worker(transactional_db, tmp_path, settings):
    """A real worker process consuming from the test Redis; tasks are published for real."""
    from devtools.testing.worker import WorkerProcess
    from impactportal.celery import app

    app.control.purge()  # nothing left over from an earlier test
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    worker = WorkerProcess(tmp_path / "worker.log").start()
    yield worker
    worker.stop()
    app.conf.task_always_eager = previous
