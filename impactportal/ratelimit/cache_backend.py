"""Django's database cache with one statement per write, for PostgreSQL.

Django's ``DatabaseCache`` counts the whole table before every write (to cull it above
``MAX_ENTRIES``) and then reads, updates or inserts inside a transaction: five round
trips per write. A rate-limit check of allauth writes three times (a lock, the counter,
the lock's removal), and a login passes three of them: 36 queries before the password is
even looked at. Here a write is one ``INSERT ... ON CONFLICT`` and the table is counted on
one write in ``CULL_EVERY``; expired rows go every hour anyway
(``impactportal.ratelimit.tasks.purge_expired_counters``).

Reads, deletes and ``touch`` are Django's own; the semantics are Django's too: ``add``
writes only over a missing or expired entry and says whether it did.
"""

from __future__ import annotations

import base64
import itertools
import pickle
from contextlib import nullcontext
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone

FOREVER = datetime.max.replace(microsecond=0, tzinfo=UTC)


class PostgreSQLCache(DatabaseCache):
    CULL_EVERY = 100

    def __init__(self, table, params):
        super().__init__(table, params)
        self._writes = itertools.count(1)

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        if mode not in ("set", "add"):
            return super()._base_set(mode, key, value, timeout)
        timeout = self.get_backend_timeout(timeout)
        database = router.db_for_write(self.cache_model_class)
        connection = connections[database]
        table = connection.ops.quote_name(self._table)
        now = timezone.now().replace(microsecond=0)
        expires = (
            FOREVER
            if timeout is None
            else datetime.fromtimestamp(timeout, tz=UTC).replace(microsecond=0)
        )
        pickled = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        # Over an existing row: "set" always, "add" only when the row has expired.
        only_expired = f"WHERE {table}.expires < %s" if mode == "add" else ""
        sql = (
            f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 (the table name comes from settings.CACHES, quoted)
            "ON CONFLICT (cache_key) DO UPDATE "
            f"SET value = EXCLUDED.value, expires = EXCLUDED.expires {only_expired}"
        )
        params = [key, pickled, expires] + ([now] if mode == "add" else [])
        # Inside a transaction of the caller a failed write must not break it.
        guard = transaction.atomic(using=database) if connection.in_atomic_block else nullcontext()
        try:
            with guard, connection.cursor() as cursor:
                if next(self._writes) % self.CULL_EVERY == 0:
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                    count = cursor.fetchone()[0]
                    if count > self._max_entries:
                        self._cull(database, cursor, now, count)
                cursor.execute(sql, params)
                return cursor.rowcount == 1
        except DatabaseError:
            return False  # as Django's: a cache write may fail quietly
