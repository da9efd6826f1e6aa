"""The production cache (``impactportal.ratelimit.cache_backend.PostgreSQLCache``) on
the real table: Django's cache semantics with one statement per write."""

import warnings
from datetime import timedelta

import pytest
import time_machine
from allauth.core import ratelimit
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from impactportal.ratelimit.cache_backend import PostgreSQLCache

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "impactportal.ratelimit.cache_backend.PostgreSQLCache",
            "LOCATION": "portal_cache",
            "OPTIONS": {"MAX_ENTRIES": 20, "CULL_FREQUENCY": 2},
        }
    }
    backend = caches["default"]
    assert isinstance(backend, PostgreSQLCache)
    backend.clear()
    yield backend
    backend.clear()


def _rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute('SELECT count(*) FROM "portal_cache"')
        return cursor.fetchone()[0]


def test_set_get_and_overwrite(cache):
    cache.set("teller", [1, 2], 60)
    assert cache.get("teller") == [1, 2]
    cache.set("teller", {"nieuw": "ä€<script>"}, 60)
    assert cache.get("teller") == {"nieuw": "ä€<script>"}
    assert _rows() == 1


@pytest.mark.django_db(transaction=True)  # outside a transaction, as a request writes
def test_a_write_is_one_statement(cache):
    with CaptureQueriesContext(connection) as queries:
        cache.set("een", 1, 60)
        cache.add("twee", 2, 60)
        cache.add("twee", 3, 60)
    assert len(queries) == 3
    assert all(q["sql"].startswith('INSERT INTO "portal_cache"') for q in queries)


def test_add_writes_only_over_a_missing_or_expired_entry(cache):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert cache.add("slot", "eerste", 10) is True
        assert cache.add("slot", "tweede", 10) is False
        assert cache.get("slot") == "eerste"
        clock.shift(timedelta(seconds=11))
        assert cache.get("slot") is None
        cache.set("slot", "derde", 10)  # get deleted the expired row; set writes anew
        clock.shift(timedelta(seconds=11))
        assert cache.add("slot", "vierde", 10) is True  # over the expired row
        assert cache.get("slot") == "vierde"


def test_timeouts_none_zero_and_default(cache):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        cache.set("altijd", "blijft", None)
        cache.set("nooit", "weg", 0)
        cache.set("standaard", "vijf minuten")
        clock.shift(timedelta(seconds=299))
        assert cache.get("standaard") == "vijf minuten"
        clock.shift(timedelta(days=3650))
        assert cache.get("altijd") == "blijft"
        assert cache.get("nooit") is None
        assert cache.get("standaard") is None


def test_touch_delete_and_incr_stay_djangos(cache):
    cache.set("teller", 1, 60)
    assert cache.incr("teller") == 2
    assert cache.touch("teller", 120) is True
    assert cache.touch("onbekend", 120) is False
    assert cache.delete("teller") is True
    assert cache.get("teller") is None


def test_the_table_is_culled_above_max_entries(cache, monkeypatch):
    monkeypatch.setattr(PostgreSQLCache, "CULL_EVERY", 5)
    for number in range(60):
        cache.set(f"sleutel-{number}", number, 60)
    # counted on every fifth write and halved above 20: never far above the maximum
    assert _rows() <= 20 + 5
    assert cache.get("sleutel-59") == 59


def test_expired_rows_are_culled_first(cache, monkeypatch):
    monkeypatch.setattr(PostgreSQLCache, "CULL_EVERY", 1)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for number in range(21):
            cache.set(f"oud-{number}", number, 10)
        clock.shift(timedelta(seconds=11))
        cache.set("nieuw", "blijft", 60)
        cache.set("nog-een", "blijft", 60)
    assert _rows() == 2


def test_a_failed_write_leaves_the_callers_transaction_usable(cache):
    with transaction.atomic(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Django warns of keys memcached would refuse
        assert cache.add("te lang" * 40, "x", 60) is False  # cache_key is 255 characters
        cache.set("daarna", "werkt", 60)
        assert cache.get("daarna") == "werkt"


def test_allauth_rate_limits_count_and_lock_with_it(cache, rf, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    request = rf.post("/account/login/", REMOTE_ADDR="203.0.113.5")
    allowed = [ratelimit.consume(request, action="login") for _ in range(5)]
    assert allowed == [True, True, True, False, False]
