"""What keeps the supplier search fast at 100,000 suppliers (docs/benchmarks.md).

1. A change marker for the search cache in procurement.selectors. Every statement that
   writes suppliers, labels, products or categories adds (at most once per transaction)
   a row to procurement_searchchange; the newest id is the version of everything search
   shows. It is written by triggers, so no write path can forget it: services, admin,
   imports, raw SQL, COPY. Insert-only, so writers never wait for each other.
2. An index on Supplier.confirmed_at: the cache asks whether any profile crossed the
   "niet recent bevestigd" line since a facet count was made.
3. Indexes for the public list in name and verification order, and covering indexes so
   facet counts over every public profile, and the label counts, read small indexes
   instead of the table.

Plain SQL, not model indexes: the model state (and ``makemigrations``) stays as it is.
"""

from django.db import migrations

TABLES = ("procurement_supplier", "procurement_label", "procurement_product", "procurement_category")

FORWARD = [
    """
    CREATE TABLE procurement_searchchange (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        xact xid8 NOT NULL UNIQUE,
        changed_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE FUNCTION procurement_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO procurement_searchchange (xact) VALUES (pg_current_xact_id())
        ON CONFLICT (xact) DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_search_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION procurement_search_changed()
        """
        for table in TABLES
    ),
    "CREATE INDEX procurement_supplier_confirmed_idx ON procurement_supplier (confirmed_at)",
    # The public list in name order (the page as it opens) and by date of verification:
    # the first page is read from the index instead of sorting 100,000 rows.
    """
    CREATE INDEX procurement_supplier_public_name_idx ON procurement_supplier
    (lower(name), id) WHERE state = 'verified'
    """,
    """
    CREATE INDEX procurement_supplier_public_verified_idx ON procurement_supplier
    (verified_at DESC NULLS LAST, id) WHERE state = 'verified'
    """,
    # Facet counts over every public profile read this (about 15 MB) instead of the
    # whole table with its descriptions and search vectors.
    """
    CREATE INDEX procurement_supplier_public_facets_idx ON procurement_supplier (state)
    INCLUDE (id, themes, category_codes, sdgs, region, size, impact_first, confirmed_at)
    """,
    """
    CREATE INDEX procurement_label_facet_idx ON procurement_label (supplier_id)
    INCLUDE (kind, valid_from, valid_until)
    """,
]

BACKWARD = [
    "DROP INDEX IF EXISTS procurement_label_facet_idx",
    "DROP INDEX IF EXISTS procurement_supplier_public_facets_idx",
    "DROP INDEX IF EXISTS procurement_supplier_public_verified_idx",
    "DROP INDEX IF EXISTS procurement_supplier_public_name_idx",
    "DROP INDEX IF EXISTS procurement_supplier_confirmed_idx",
    *(f"DROP TRIGGER IF EXISTS {table}_search_changed ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS procurement_search_changed()",
    "DROP TABLE IF EXISTS procurement_searchchange",
]


class Migration(migrations.Migration):
    dependencies = [("procurement", "0002_category_tree")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
