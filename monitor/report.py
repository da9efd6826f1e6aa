"""The monitor's report: the figures of up to three periods side by side, per area.

``build_report`` computes the figures of the chosen period, the period before it and, if
chosen, the baseline (*nulmeting*), and lays them out as areas of figures with rows. The
page, the printable report, the CSV files and the workbook all render this one structure,
so they always hold the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _

from events.constants import EventType
from omarm.constants import HelpKind, MatchState, Theme
from procurement.constants import LabelKind, MvoiTheme, Region, Sdg

from .figures import figures_for, holidays_for
from .figures.sdg import FOCUS_SDGS
from .periods import Period

COUNT, DAYS, PERCENT, EURO, HOURS = "count", "days", "percent", "euro", "hours"
CURRENT, PREVIOUS, BASELINE = "current", "previous", "baseline"
COLUMN_KEYS = (CURRENT, PREVIOUS, BASELINE)

# Every figure the report holds, in order (each has a CSV at /monitor/csv/<slug>/).
FIGURE_SLUGS = (
    "servicepunt-kerncijfers",
    "servicepunt-onderwerpen",
    "servicepunt-directies",
    "omarm-kerncijfers",
    "omarm-themas",
    "omarm-soorten-hulp",
    "omarm-matches",
    "leveranciers-kerncijfers",
    "leveranciers-themas",
    "leveranciers-labels",
    "leveranciers-regios",
    "leveranciers-nieuwe-labels",
    "leveranciers-verlopen-labels",
    "agenda-kerncijfers",
    "agenda-bijeenkomsten",
    "agenda-aanmeldingen",
    "agenda-opkomst",
    "sdg-leveranciers",
    "sdg-hulpvragen",
    "sdg-matches",
)


def _difference(current, other):
    difference = current - other
    return round(difference, 1) if isinstance(difference, float) else difference


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    period: Period


@dataclass
class Row:
    key: str
    label: str
    values: list
    unit: str = COUNT
    focus: bool = False
    changes: list = field(default_factory=list)

    def compute_changes(self) -> None:
        """Current minus each comparison period (None where either is unknown)."""
        current, *others = self.values
        self.changes = [
            None if current is None or other is None else _difference(current, other)
            for other in others
        ]

    @property
    def cells(self) -> list[tuple]:
        """(column key, value, change) per column; the first column has no change."""
        return list(zip(COLUMN_KEYS, self.values, [None, *self.changes], strict=False))


@dataclass
class Figure:
    slug: str
    title: str
    description: str
    row_heading: str
    rows: list[Row]
    chart: bool = True
    unit: str = COUNT

    @property
    def max_value(self):
        values = [v for row in self.rows for v in row.values if v is not None]
        return max(values, default=0)


@dataclass
class Area:
    slug: str
    title: str
    figures: list[Figure]


@dataclass
class Report:
    columns: list[Column]
    areas: list[Area]

    @property
    def figures(self) -> list[Figure]:
        return [figure for area in self.areas for figure in area.figures]

    def figure(self, slug: str) -> Figure | None:
        return next((figure for figure in self.figures if figure.slug == slug), None)

    @property
    def current(self) -> Period:
        return self.columns[0].period


# Building rows ---------------------------------------------------------------------------


def _rows(keys_labels, per_column: list[dict], *, unit=COUNT, focus=()) -> list[Row]:
    """One row per (key, label); values looked up in each column's dict (missing: 0)."""
    rows = []
    for key, label in keys_labels:
        values = [figures.get(key, 0) for figures in per_column]
        rows.append(
            Row(key=str(key), label=str(label), values=values, unit=unit, focus=key in focus)
        )
    return rows


def _key_row(key, label, raws, area, name, unit=COUNT) -> Row:
    return Row(key=key, label=label, values=[raw[area][name] for raw in raws], unit=unit)


def _choices(choices) -> list[tuple]:
    return [(choice.value, choice.label) for choice in choices]


def _topic_label(row: dict) -> str:
    if translation.get_language() == "en" and row["name_en"]:
        return row["name_en"]
    return row["name"]


def _named_rows(per_column: list[list[dict]], label) -> tuple[list[tuple], list[dict]]:
    """Rows from lists of {"slug", ..., "count"}: keys in first-seen order over the columns."""
    keys: dict[str, str] = {}
    counts = []
    for rows in per_column:
        for row in rows:
            keys.setdefault(row["slug"], label(row))
        counts.append({row["slug"]: row["count"] for row in rows})
    return list(keys.items()), counts


# Areas -----------------------------------------------------------------------------------


def _servicepoint(raws: list[dict]) -> Area:
    area = "servicepoint"
    sp = [raw[area] for raw in raws]
    topics, topic_counts = _named_rows([f["per_topic"] for f in sp], _topic_label)
    directorates, directorate_counts = _named_rows(
        [f["per_directorate"] for f in sp], lambda row: row["name"]
    )
    key_rows = [
        _key_row("received", _("Questions received"), raws, area, "received"),
        _key_row("answered", _("Questions answered"), raws, area, "answered"),
        _key_row(
            "within_service_level",
            _("Answered within the service level"),
            raws,
            area,
            "within_service_level",
        ),
        _key_row(
            "service_level_rate",
            _("Share answered within the service level"),
            raws,
            area,
            "service_level_rate",
            PERCENT,
        ),
        _key_row(
            "median_first_response",
            _("Median time to first response (working days)"),
            raws,
            area,
            "median_first_response",
            DAYS,
        ),
        _key_row("closed", _("Questions closed"), raws, area, "closed"),
        _key_row(
            "median_close",
            _("Median time to close (working days)"),
            raws,
            area,
            "median_close",
            DAYS,
        ),
        _key_row(
            "follow_ups_answered",
            _("Follow-up questions answered"),
            raws,
            area,
            "follow_ups_answered",
        ),
        _key_row(
            "satisfaction_rate",
            _("Satisfaction (helped well)"),
            raws,
            area,
            "satisfaction_rate",
            PERCENT,
        ),
        _key_row("reopened", _("Questions reopened"), raws, area, "reopened"),
        _key_row("reopen_rate", _("Reopen rate"), raws, area, "reopen_rate", PERCENT),
    ]
    return Area(
        "servicepunt",
        _("Service point"),
        [
            Figure(
                "servicepunt-kerncijfers",
                _("Service point: key figures"),
                _(
                    "Questions received in the period, how fast they were handled in working "
                    "days (weekends and Dutch public holidays skipped) and how satisfied the "
                    "entrepreneurs were."
                ),
                _("Figure"),
                key_rows,
                chart=False,
            ),
            Figure(
                "servicepunt-onderwerpen",
                _("Questions per topic"),
                _("Questions received in the period, per topic."),
                _("Topic"),
                _rows(topics, topic_counts),
            ),
            Figure(
                "servicepunt-directies",
                _("Questions per directorate"),
                _(
                    "Questions received in the period that were routed to a directorate; an "
                    "integral question counts for each directorate it went to."
                ),
                _("Directorate"),
                _rows(directorates, directorate_counts),
            ),
        ],
    )


def _omarm(raws: list[dict]) -> Area:
    area = "omarm"
    om = [raw[area] for raw in raws]
    key_rows = [
        _key_row("organisations", _("Social organisations involved"), raws, area, "organisations"),
        _key_row("businesses", _("Businesses involved"), raws, area, "businesses"),
        _key_row("networks", _("Businesses in challenge teams"), raws, area, "networks"),
        _key_row("requests", _("Requests submitted"), raws, area, "requests"),
        _key_row("matches_started", _("Matches started"), raws, area, "matches_started"),
        _key_row("completed", _("Matches completed"), raws, area, "completed"),
        _key_row("hours", _("Hours contributed"), raws, area, "hours", HOURS),
        _key_row("value_eur", _("Value contributed"), raws, area, "value_eur", EURO),
        _key_row(
            "social_return_matches",
            _("Completed matches counting toward Social Return"),
            raws,
            area,
            "social_return_matches",
        ),
        _key_row(
            "social_return_eur", _("Social Return value"), raws, area, "social_return_eur", EURO
        ),
    ]
    return Area(
        "omarm",
        _("Omarm Groningen"),
        [
            Figure(
                "omarm-kerncijfers",
                _("Omarm: key figures"),
                _(
                    "Organisations with a request submitted in the period, businesses with a "
                    "match started in it, and what the matches completed in it contributed."
                ),
                _("Figure"),
                key_rows,
                chart=False,
            ),
            Figure(
                "omarm-themas",
                _("Requests per theme"),
                _("Requests submitted in the period, per theme."),
                _("Theme"),
                _rows(_choices(Theme), [f["requests_per_theme"] for f in om]),
            ),
            Figure(
                "omarm-soorten-hulp",
                _("Requests per kind of help"),
                _("Requests submitted in the period; a request asking for two kinds counts twice."),
                _("Kind of help"),
                _rows(_choices(HelpKind), [f["requests_per_help_kind"] for f in om]),
            ),
            Figure(
                "omarm-matches",
                _("Matches per state"),
                _("Matches started in the period, by the state they are in now."),
                _("State"),
                _rows(_choices(MatchState), [f["matches_per_state"] for f in om]),
            ),
        ],
    )


def _suppliers(raws: list[dict]) -> Area:
    area = "suppliers"
    su = [raw[area] for raw in raws]
    verified = [f["verified"] for f in su]
    key_rows = [
        Row("verified", _("Verified suppliers"), [v["total"] for v in verified]),
        _key_row("new_labels", _("New labels"), raws, area, "new_labels"),
        _key_row("lapsed_labels", _("Lapsed labels"), raws, area, "lapsed_labels"),
        _key_row("inquiries", _("Inquiries sent"), raws, area, "inquiries"),
        _key_row("recipients", _("Inquiry recipients"), raws, area, "recipients"),
        _key_row("suppliers_reached", _("Suppliers reached"), raws, area, "suppliers_reached"),
    ]
    changes = [f["label_changes"] for f in su]
    return Area(
        "leveranciers",
        _("Platform Goed Inkopen"),
        [
            Figure(
                "leveranciers-kerncijfers",
                _("Suppliers: key figures"),
                _(
                    "Verified suppliers at the end of the period, labels that started or "
                    "lapsed in it, and the inquiries buyers sent."
                ),
                _("Figure"),
                key_rows,
                chart=False,
            ),
            Figure(
                "leveranciers-themas",
                _("Verified suppliers per MVOI theme"),
                _("A supplier working on several themes counts under each."),
                _("MVOI theme"),
                _rows(_choices(MvoiTheme), [v["themes"] for v in verified]),
            ),
            Figure(
                "leveranciers-labels",
                _("Verified suppliers per valid label"),
                _("Suppliers holding a label of the kind that is valid on the last day."),
                _("Label"),
                _rows(_choices(LabelKind), [v["labels"] for v in verified]),
            ),
            Figure(
                "leveranciers-regios",
                _("Verified suppliers per region"),
                _("Where the verified suppliers are established."),
                _("Region"),
                _rows(_choices(Region), [v["regions"] for v in verified]),
            ),
            Figure(
                "leveranciers-nieuwe-labels",
                _("New labels per kind"),
                _("Labels of verified suppliers that became valid in the period."),
                _("Label"),
                _rows(
                    _choices(LabelKind),
                    [{k: c["new"] for k, c in change.items()} for change in changes],
                ),
            ),
            Figure(
                "leveranciers-verlopen-labels",
                _("Lapsed labels per kind"),
                _("Labels of verified suppliers whose last valid day fell in the period."),
                _("Label"),
                _rows(
                    _choices(LabelKind),
                    [{k: c["lapsed"] for k, c in change.items()} for change in changes],
                ),
            ),
        ],
    )


def _events(raws: list[dict]) -> Area:
    area = "events"
    ev = [raw[area] for raw in raws]
    totals = [f["total"] for f in ev]
    used_types = [
        (t.value, t.label) for t in EventType if any(t.value in f["per_type"] for f in ev)
    ]

    def per_type(name):
        return [{t: figures[name] for t, figures in f["per_type"].items()} for f in ev]

    def total(key, label, name, unit=COUNT):
        return Row(key, label, [t[name] for t in totals], unit=unit)

    key_rows = [
        total("events", _("Events held"), "events"),
        total("registrations", _("Registrations"), "registrations"),
        total("cancelled", _("Cancellations"), "cancelled"),
        total("attended", _("Attended"), "attended"),
        total("no_show", _("No-shows"), "no_show"),
        total("attendance_rate", _("Attendance rate"), "attendance_rate", PERCENT),
        total("promotions", _("Promoted from the waiting list"), "promotions"),
    ]
    # A type without check-ins (or without events) in a period has no rate, not 0 %.
    attendance = [
        Row(
            key,
            str(label),
            [f["per_type"].get(key, {}).get("attendance_rate") for f in ev],
            unit=PERCENT,
        )
        for key, label in used_types
    ]
    return Area(
        "agenda",
        _("Events and trainings"),
        [
            Figure(
                "agenda-kerncijfers",
                _("Events: key figures"),
                _(
                    "Published events that started in the period and their registrations; "
                    "attendance rate is attended out of attended plus no-shows."
                ),
                _("Figure"),
                key_rows,
                chart=False,
            ),
            Figure(
                "agenda-bijeenkomsten",
                _("Events per type"),
                _("Published events that started in the period, per type."),
                _("Type"),
                _rows(used_types, per_type("events")),
            ),
            Figure(
                "agenda-aanmeldingen",
                _("Registrations per type"),
                _("Registrations (not cancelled) for those events, per type."),
                _("Type"),
                _rows(used_types, per_type("registrations")),
            ),
            Figure(
                "agenda-opkomst",
                _("Attendance rate per type"),
                _("Attended out of attended plus no-shows, per type of event."),
                _("Type"),
                attendance,
                unit=PERCENT,
            ),
        ],
    )


def _sdg(raws: list[dict]) -> Area:
    sd = [raw["sdg"] for raw in raws]
    used = set(FOCUS_SDGS)
    for figures in sd:
        for counts in figures.values():
            used |= {sdg for sdg, count in counts.items() if count}
    goals = [(sdg, Sdg(sdg).label) for sdg in sorted(used)]

    def figure(slug, title, description, name):
        return Figure(
            slug,
            title,
            description,
            _("Sustainable Development Goal"),
            _rows(goals, [f[name] for f in sd], focus=FOCUS_SDGS),
        )

    return Area(
        "sdg",
        _("SDG view"),
        [
            figure(
                "sdg-leveranciers",
                _("Verified suppliers per SDG"),
                _("From the goals suppliers state on their profile."),
                "suppliers",
            ),
            figure(
                "sdg-hulpvragen",
                _("Omarm requests per SDG"),
                _("Requests submitted in the period, by the goals of their theme."),
                "requests",
            ),
            figure(
                "sdg-matches",
                _("Omarm matches per SDG"),
                _(
                    "Matches started in the period and not broken off, by the goals of the "
                    "request's theme."
                ),
                "matches",
            ),
        ],
    )


def report_columns(period: Period, *, baseline: Period | None = None) -> list[Column]:
    """The columns of the report: ``period``, the period before it and the baseline."""
    columns = [
        Column(CURRENT, _("This period"), period),
        Column(PREVIOUS, _("Previous period"), period.previous()),
    ]
    if baseline is not None:
        columns.append(Column(BASELINE, _("Baseline"), baseline))
    return columns


def build_report(
    period: Period, *, baseline: Period | None = None, today: date | None = None
) -> Report:
    """The report for ``period``, compared with the period before it and the baseline."""
    columns = report_columns(period, baseline=baseline)
    periods = [column.period for column in columns]
    holidays = holidays_for(periods, today)
    raws = figures_for(periods, holidays=holidays, today=today)
    areas = [_servicepoint(raws), _omarm(raws), _suppliers(raws), _events(raws), _sdg(raws)]
    for area in areas:
        for figure in area.figures:
            for row in figure.rows:
                if figure.unit != COUNT and row.unit == COUNT:
                    row.unit = figure.unit
                row.compute_changes()
    return Report(columns=columns, areas=areas)
