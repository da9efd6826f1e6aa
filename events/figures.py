"""Agenda figures for the programme monitor: events, registrations, attendance.

Each selector is one aggregate query grouped by event type; Python only turns the grouped
rows into dicts and adds them up. A period runs from the start of ``start`` up to the end
of ``end`` in Europe/Amsterdam. Events count by their start (``starts_at``); waiting-list
promotions count by the moment of promotion (``promoted_at``).

Only events that were published (or are past) count: drafts never happened and cancelled
events had nobody attending. Their registrations follow the same rule.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from impactportal import figures as portal_figures
from impactportal.figures import PERCENT, Figure, Row, key_row, percentage, rows
from impactportal.workdays import day_bounds

from .constants import EventState, EventType, RegistrationStatus
from .models import Event, Registration

HELD_STATES = (EventState.PUBLISHED, EventState.PAST)

FIGURES = ("events", "registrations", "cancelled", "attended", "no_show", "promotions")


def _between(field: str, start: date, end: date) -> Q:
    low, high = day_bounds(start, end)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def attendance_rate(attended: int, no_show: int) -> int | None:
    """Attended / (attended + no-show) as a whole percentage; None when nobody was
    checked in either way."""
    return percentage(attended, attended + no_show)


def events_per_type(start: date, end: date) -> dict[str, int]:
    rows = (
        Event.objects.filter(_between("starts_at", start, end), state__in=HELD_STATES)
        .values("type")
        .annotate(n=Count("pk"))
        .order_by("type")
    )
    return {row["type"]: row["n"] for row in rows}


def registrations_per_type(start: date, end: date) -> dict[str, dict[str, int]]:
    """Per type: registrations (not cancelled), cancelled, attended and no-show, for
    events starting in the period."""
    rows = (
        Registration.objects.filter(
            _between("event__starts_at", start, end), event__state__in=HELD_STATES
        )
        .values("event__type")
        .annotate(
            registrations=Count("pk", filter=~Q(status=RegistrationStatus.CANCELLED)),
            cancelled=Count("pk", filter=Q(status=RegistrationStatus.CANCELLED)),
            attended=Count("pk", filter=Q(status=RegistrationStatus.ATTENDED)),
            no_show=Count("pk", filter=Q(status=RegistrationStatus.NO_SHOW)),
        )
        .order_by("event__type")
    )
    return {
        row["event__type"]: {
            key: row[key] for key in ("registrations", "cancelled", "attended", "no_show")
        }
        for row in rows
    }


def promotions_per_type(start: date, end: date) -> dict[str, int]:
    """Waiting-list promotions that happened in the period, whatever the event's date."""
    rows = (
        Registration.objects.filter(_between("promoted_at", start, end))
        .values("event__type")
        .annotate(n=Count("pk"))
        .order_by("event__type")
    )
    return {row["event__type"]: row["n"] for row in rows}


def event_figures(start: date, end: date) -> dict:
    """Everything the programme monitor shows about the agenda for the period:
    ``{"start", "end", "per_type": {type: figures}, "total": figures}`` where figures
    are the counts in ``FIGURES`` plus ``attendance_rate`` (a percentage or None)."""
    events = events_per_type(start, end)
    registrations = registrations_per_type(start, end)
    promotions = promotions_per_type(start, end)
    per_type = {}
    for type_ in sorted(set(events) | set(registrations) | set(promotions)):
        counts = registrations.get(type_, {})
        figures = {
            "events": events.get(type_, 0),
            "registrations": counts.get("registrations", 0),
            "cancelled": counts.get("cancelled", 0),
            "attended": counts.get("attended", 0),
            "no_show": counts.get("no_show", 0),
            "promotions": promotions.get(type_, 0),
        }
        figures["attendance_rate"] = attendance_rate(figures["attended"], figures["no_show"])
        per_type[type_] = figures
    total = {key: sum(f[key] for f in per_type.values()) for key in FIGURES}
    total["attendance_rate"] = attendance_rate(total["attended"], total["no_show"])
    return {"start": start, "end": end, "per_type": per_type, "total": total}


# The monitor's agenda area ------------------------------------------------------------


def monitor_figures(per_column: list[dict]) -> list[Figure]:
    totals = [f["total"] for f in per_column]
    used_types = [
        (t.value, t.label) for t in EventType if any(t.value in f["per_type"] for f in per_column)
    ]

    def per_type(name):
        return [{t: figures[name] for t, figures in f["per_type"].items()} for f in per_column]

    key_rows = [
        key_row("events", _("Events held"), totals),
        key_row("registrations", _("Registrations"), totals),
        key_row("cancelled", _("Cancellations"), totals),
        key_row("attended", _("Attended"), totals),
        key_row("no_show", _("No-shows"), totals),
        key_row("attendance_rate", _("Attendance rate"), totals, PERCENT),
        key_row("promotions", _("Promoted from the waiting list"), totals),
    ]
    # A type without check-ins (or without events) in a period has no rate, not 0 %.
    attendance = [
        Row(
            key,
            str(label),
            [f["per_type"].get(key, {}).get("attendance_rate") for f in per_column],
            unit=PERCENT,
        )
        for key, label in used_types
    ]
    return [
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
            rows(used_types, per_type("events")),
        ),
        Figure(
            "agenda-aanmeldingen",
            _("Registrations per type"),
            _("Registrations (not cancelled) for those events, per type."),
            _("Type"),
            rows(used_types, per_type("registrations")),
        ),
        Figure(
            "agenda-opkomst",
            _("Attendance rate per type"),
            _("Attended out of attended plus no-shows, per type of event."),
            _("Type"),
            attendance,
            unit=PERCENT,
        ),
    ]


def register_figures() -> None:
    portal_figures.register(
        portal_figures.FigureProvider(
            name="events",
            compute=lambda periods, today: [
                event_figures(period.start, period.end) for period in periods
            ],
            queries=lambda periods: 3 * periods,
            contributions=(
                portal_figures.Contribution(
                    area="agenda",
                    area_title=lambda: _("Events and trainings"),
                    order=40,
                    build=monitor_figures,
                    figure_slugs=(
                        "agenda-kerncijfers",
                        "agenda-bijeenkomsten",
                        "agenda-aanmeldingen",
                        "agenda-opkomst",
                    ),
                ),
            ),
        )
    )
