"""Platform Goed Inkopen figures for the programme monitor.

A period runs from the start of ``start`` up to the end of ``end`` in Europe/Amsterdam.
Three aggregate queries, whatever the number of suppliers:

* ``verified_supplier_counts``: verified suppliers in total and per MVOI theme, SDG,
  region and valid label kind, in one pass over the suppliers (like
  ``selectors.facet_counts``). The directory keeps no history of a profile's state, so
  for an earlier period this counts the profiles that are verified today and existed
  (``created_at``) by the end of that period; a profile withdrawn since is missing from
  every period. ``verified_at`` is not used: re-verifying after an edit moves it.
  A label counts when it is valid on the period's last day (or today, for a period that
  has not ended): ``valid_from <= day <= valid_until``, so an expired label never counts.
* ``label_changes``: labels of verified suppliers that started (``valid_from``) or lapsed
  (their last valid day, ``valid_until``) in the period, per kind; a start or end that is
  still in the future has not happened yet and is not counted.
* ``inquiry_counts``: inquiries sent in the period, their recipients and the distinct
  suppliers they reached.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from .constants import LabelKind, MvoiTheme, Region, SupplierState
from .models import Inquiry, Label, Supplier

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Amsterdam time."""
    return (
        datetime.combine(start, time.min, AMSTERDAM),
        datetime.combine(end + timedelta(days=1), time.min, AMSTERDAM),
    )


_SUPPLIERS_SQL = """
WITH verified AS MATERIALIZED (
    SELECT s.id, s.themes, s.sdgs, s.region FROM {supplier} s
    WHERE s.state = %s AND s.created_at < %s
)
SELECT 'total', '', count(*) FROM verified
UNION ALL SELECT 'theme', t, count(*) FROM verified, unnest(verified.themes) AS t GROUP BY t
UNION ALL SELECT 'sdg', g::text, count(*) FROM verified, unnest(verified.sdgs) AS g GROUP BY g
UNION ALL SELECT 'region', verified.region, count(*) FROM verified GROUP BY verified.region
UNION ALL SELECT 'label', l.kind, count(DISTINCT l.supplier_id)
    FROM {label} l JOIN verified ON verified.id = l.supplier_id
    WHERE l.valid_from <= %s AND l.valid_until >= %s GROUP BY l.kind
"""


def verified_supplier_counts(start: date, end: date, *, today: date | None = None) -> dict:
    """``{"total": n, "themes": {value: n}, "sdgs": {number: n}, "regions": {value: n},
    "labels": {kind: n}}`` with every theme, region and label kind present (0 if none) and
    the SDGs that occur."""
    today = today or timezone.localdate()
    _low, high = _bounds(start, end)
    day = min(end, today)
    # Only the models' own table names are formatted in; every value is a parameter.
    sql = _SUPPLIERS_SQL.format(supplier=Supplier._meta.db_table, label=Label._meta.db_table)  # noqa: S608
    result = {
        "total": 0,
        "themes": dict.fromkeys(MvoiTheme.values, 0),
        "sdgs": {},
        "regions": dict.fromkeys(Region.values, 0),
        "labels": dict.fromkeys(LabelKind.values, 0),
    }
    keys = {"theme": "themes", "region": "regions", "label": "labels"}
    with connection.cursor() as cursor:
        cursor.execute(sql, [SupplierState.VERIFIED.value, high, day, day])
        for facet, value, count in cursor.fetchall():
            if facet == "total":
                result["total"] = count
            elif facet == "sdg":
                result["sdgs"][int(value)] = count
            else:
                result[keys[facet]][value] = count
    result["sdgs"] = dict(sorted(result["sdgs"].items()))
    return result


def label_changes(start: date, end: date, *, today: date | None = None) -> dict[str, dict]:
    """``{kind: {"new": n, "lapsed": n}}`` for every label kind."""
    today = today or timezone.localdate()
    started = Q(valid_from__gte=start, valid_from__lte=min(end, today))
    lapsed = Q(valid_until__gte=start, valid_until__lte=end, valid_until__lt=today)
    rows = (
        Label.objects.filter(supplier__state=SupplierState.VERIFIED)
        .filter(started | lapsed)
        .values("kind")
        .annotate(new=Count("pk", filter=started), lapsed=Count("pk", filter=lapsed))
        .order_by("kind")
    )
    result = {kind: {"new": 0, "lapsed": 0} for kind in LabelKind.values}
    for row in rows:
        result[row["kind"]] = {"new": row["new"], "lapsed": row["lapsed"]}
    return result


def inquiry_counts(start: date, end: date) -> dict[str, int]:
    """``{"inquiries", "recipients", "suppliers_reached"}`` for inquiries sent in the period."""
    low, high = _bounds(start, end)
    counts = Inquiry.objects.filter(sent_at__gte=low, sent_at__lt=high).aggregate(
        inquiries=Count("pk", distinct=True),
        # Not named "recipients": an aggregate may not shadow the relation it counts.
        recipient_count=Count("recipients"),
        suppliers_reached=Count("recipients__supplier", distinct=True),
    )
    counts["recipients"] = counts.pop("recipient_count")
    return counts


def supplier_figures(start: date, end: date, *, today: date | None = None) -> dict:
    """Everything the programme monitor shows about the supplier directory for the period."""
    changes = label_changes(start, end, today=today)
    return {
        "start": start,
        "end": end,
        "verified": verified_supplier_counts(start, end, today=today),
        "label_changes": changes,
        "new_labels": sum(counts["new"] for counts in changes.values()),
        "lapsed_labels": sum(counts["lapsed"] for counts in changes.values()),
        **inquiry_counts(start, end),
    }
