"""The table of Django's database cache (settings.CACHES), which holds the counters of
the rate limits. What ``manage.py createcachetable`` would make, as a migration, so that
``migrate`` alone prepares every database (production, ``make run``, the test servers)."""

from django.db import migrations

CREATE = """
CREATE TABLE IF NOT EXISTS "portal_cache" (
    "cache_key" varchar(255) NOT NULL PRIMARY KEY,
    "value" text NOT NULL,
    "expires" timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS "portal_cache_expires" ON "portal_cache" ("expires");
"""
DROP = 'DROP TABLE IF EXISTS "portal_cache";'


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunSQL(CREATE, DROP)]
