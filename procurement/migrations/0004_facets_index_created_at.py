"""The covering index of public profiles also holds ``created_at``.

The programme monitor counts verified suppliers per period by when they were created
(``procurement.figures``); with ``created_at`` in the index that count reads the index
(about 60 MB at 100,000 suppliers) instead of the whole table with its descriptions and
search vectors (about 400 MB).
"""

from django.db import migrations

COLUMNS = "id, themes, category_codes, sdgs, region, size, impact_first, confirmed_at"


def _create(columns: str) -> str:
    return (
        "CREATE INDEX procurement_supplier_public_facets_idx ON procurement_supplier (state)"
        f" INCLUDE ({columns})"
    )


DROP = "DROP INDEX IF EXISTS procurement_supplier_public_facets_idx"


class Migration(migrations.Migration):
    dependencies = [("procurement", "0003_search_performance")]

    operations = [
        migrations.RunSQL(
            [DROP, _create(f"{COLUMNS}, created_at")],
            [DROP, _create(COLUMNS)],
        )
    ]
