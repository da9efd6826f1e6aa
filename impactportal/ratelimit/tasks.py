from celery import shared_task
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone


@shared_task(ignore_result=True)
def purge_expired_counters() -> int:
    """Beat task: delete the cache rows whose time is up (rate-limit counters, which
    name a visitor's address). Django's database cache removes them only when the table
    is full; this keeps an expired counter no longer than an hour. Returns the count."""
    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        return 0
    database = router.db_for_write(cache.cache_model_class)
    connection = connections[database]
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        # The table name comes from settings.CACHES, quoted; the cut-off is a parameter.
        cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [timezone.now()])  # noqa: S608
        return cursor.rowcount
