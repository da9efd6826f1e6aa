"""Platform Goed Inkopen figures for the programme monitor.

A period runs from the start of its first day up to the end of its last day in
Europe/Amsterdam. The monitor compares up to three periods, so every selector takes all of
them at once and answers per period: three aggregate queries in all, whatever the number
of suppliers or periods (with 100,000 suppliers a pass over the table is what costs time,
so each table is read once, not once per period).

* ``verified_supplier_counts``: verified suppliers in total and per MVOI theme, SDG and
  region. The directory keeps no history of a profile's state, so for a period this
  counts the profiles that are verified today and existed (``created_at``) by the end of
  it; a profile withdrawn since is missing from every period. ``verified_at`` is not
  used: re-verifying after an edit moves it.
* ``label_figures``: per label kind, the verified suppliers (counted as above) holding a
  label of that kind that is valid on the period's last day (or today, for a period that
  has not ended): ``valid_from <= day <= valid_until``, so an expired label never counts;
  and the labels of verified suppliers that started (``valid_from``) or lapsed (their last
  valid day, ``valid_until``, has passed) in the period. A start or end still in the
  future has not happened yet and is not counted.
* ``inquiry_counts``: inquiries sent in the period, their recipients and the distinct
  suppliers they reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from .constants import LabelKind, MvoiTheme, Region, Sdg, SupplierState
from .models import Inquiry, Label, Supplier

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

Span = tuple[date, date]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Amsterdam time."""
    return (
        datetime.combine(start, time.min, AMSTERDAM),
        datetime.combine(end + timedelta(days=1), time.min, AMSTERDAM),
    )


# Only the models' own table names are formatted into these; every value is a parameter.
_SUPPLIERS_SQL = """
SELECT width_bucket(s.created_at, %s::timestamptz[]) AS bucket, count(*), {counts}
FROM {supplier} s
WHERE s.state = %s AND s.created_at < %s
GROUP BY 1
"""

_LABELS_SQL = """
SELECT x.kind, {outer}
FROM (
    SELECT l.supplier_id, l.kind, {inner}
    FROM {label} l
    GROUP BY l.supplier_id, l.kind
) x
JOIN {supplier} s ON s.id = x.supplier_id
WHERE s.state = %s
GROUP BY x.kind
"""


def verified_supplier_counts(spans: Sequence[Span]) -> list[dict]:
    """Per period: ``{"total": n, "themes": {value: n}, "sdgs": {number: n},
    "regions": {value: n}}`` with every theme and region present (0 if none) and the SDGs
    that occur.

    One pass over the suppliers: each row falls in a "bucket" by when it was created
    relative to the ends of the periods; a period counts the buckets before its end.
    Themes, SDGs and regions are conditional counts, which is cheaper than unnesting.
    """
    ends = [_bounds(start, end)[1] for start, end in spans]
    thresholds = sorted(set(ends))
    columns, params = [], []
    # "= ANY(array)" is markedly cheaper per row than "array @> array" here.
    for theme in MvoiTheme.values:
        columns.append("count(*) FILTER (WHERE %s = ANY(s.themes))")
        params.append(theme)
    for sdg in Sdg.values:
        columns.append("count(*) FILTER (WHERE %s::smallint = ANY(s.sdgs))")
        params.append(sdg)
    for region in Region.values:
        columns.append("count(*) FILTER (WHERE s.region = %s)")
        params.append(region)
    sql = _SUPPLIERS_SQL.format(counts=", ".join(columns), supplier=Supplier._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [thresholds, *params, SupplierState.VERIFIED.value, thresholds[-1]])
        buckets = cursor.fetchall()
    result = []
    for end in ends:
        last = thresholds.index(end)  # bucket b holds rows created before thresholds[b]
        sums = [
            sum(row[i] for row in buckets if row[0] <= last) for i in range(1, len(columns) + 2)
        ]
        total, counts = sums[0], iter(sums[1:])
        themes = {theme: next(counts) for theme in MvoiTheme.values}
        sdgs = {sdg: next(counts) for sdg in Sdg.values}
        regions = {region: next(counts) for region in Region.values}
        result.append(
            {
                "total": total,
                "themes": themes,
                "sdgs": {sdg: n for sdg, n in sdgs.items() if n},
                "regions": regions,
            }
        )
    return result


def label_figures(spans: Sequence[Span], *, today: date | None = None) -> list[dict]:
    """Per period: ``{"valid": {kind: suppliers}, "changes": {kind: {"new": n,
    "lapsed": n}}}`` for every label kind."""
    today = today or timezone.localdate()
    outer, outer_params, inner, inner_params = [], [], [], []
    for i, (start, end) in enumerate(spans):
        day = min(end, today)
        inner.append(f"bool_or(l.valid_from <= %s AND l.valid_until >= %s) AS valid_{i}")
        inner_params += [day, day]
        inner.append(f"count(*) FILTER (WHERE l.valid_from BETWEEN %s AND %s) AS new_{i}")
        inner_params += [start, day]
        inner.append(f"count(*) FILTER (WHERE l.valid_until BETWEEN %s AND %s) AS lapsed_{i}")
        inner_params += [start, min(end, today - timedelta(days=1))]
        outer.append(f"count(*) FILTER (WHERE x.valid_{i} AND s.created_at < %s)")
        outer_params.append(_bounds(start, end)[1])
        outer.append(f"COALESCE(sum(x.new_{i}), 0)")
        outer.append(f"COALESCE(sum(x.lapsed_{i}), 0)")
    sql = _LABELS_SQL.format(
        outer=", ".join(outer),
        inner=", ".join(inner),
        label=Label._meta.db_table,
        supplier=Supplier._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*outer_params, *inner_params, SupplierState.VERIFIED.value])
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    result = []
    for i in range(len(spans)):
        valid, changes = {}, {}
        for kind in LabelKind.values:
            suppliers, new, lapsed = rows.get(kind, (0, 0, 0) * len(spans))[3 * i : 3 * i + 3]
            valid[kind] = suppliers
            changes[kind] = {"new": int(new), "lapsed": int(lapsed)}
        result.append({"valid": valid, "changes": changes})
    return result


def inquiry_counts(spans: Sequence[Span]) -> list[dict[str, int]]:
    """Per period: ``{"inquiries", "recipients", "suppliers_reached"}`` for inquiries sent
    in it."""
    sent = [Q(sent_at__gte=low, sent_at__lt=high) for low, high in (_bounds(*s) for s in spans)]
    counts = {}
    for i, in_period in enumerate(sent):
        counts[f"inquiries_{i}"] = Count("pk", distinct=True, filter=in_period)
        counts[f"recipients_{i}"] = Count("recipients", filter=in_period)
        counts[f"suppliers_{i}"] = Count("recipients__supplier", distinct=True, filter=in_period)
    row = Inquiry.objects.filter(reduce(or_, sent)).aggregate(**counts)
    return [
        {
            "inquiries": row[f"inquiries_{i}"],
            "recipients": row[f"recipients_{i}"],
            "suppliers_reached": row[f"suppliers_{i}"],
        }
        for i in range(len(spans))
    ]


def supplier_figures_for(spans: Sequence[Span], *, today: date | None = None) -> list[dict]:
    """Everything the programme monitor shows about the directory, per period in ``spans``
    (``(first day, last day)`` pairs): three queries for all of them."""
    verified = verified_supplier_counts(spans)
    labels = label_figures(spans, today=today)
    inquiries = inquiry_counts(spans)
    result = []
    for (start, end), counts, label, sent in zip(spans, verified, labels, inquiries, strict=True):
        changes = label["changes"]
        result.append(
            {
                "start": start,
                "end": end,
                "verified": {**counts, "labels": label["valid"]},
                "label_changes": changes,
                "new_labels": sum(c["new"] for c in changes.values()),
                "lapsed_labels": sum(c["lapsed"] for c in changes.values()),
                **sent,
            }
        )
    return result


def supplier_figures(start: date, end: date, *, today: date | None = None) -> dict:
    """The figures of one period (see ``supplier_figures_for``)."""
    return supplier_figures_for([(start, end)], today=today)[0]
