"""Service point figures for the programme monitor, in WORKING days (the admin report,
``servicepoint.reports.build_report``, shows calendar days for the desk itself).

Which questions: those received (``submitted_at``) in a period; guests' questions that
were never confirmed were never received. Three aggregate queries for all periods of the
page together (each period is a ``FILTER`` of the same scan), whatever the number of
questions: per topic, per directorate, and the times, rates and follow-ups.

* answered: the question has an answer (``answered_at``) or was closed without one
  (``closed_at``); a reopened question counts again once it is answered again.
* within the service level: answered no later than the topic's "answered within
  (working days)" after it was received.
* medians: working days from receipt to the first public reply, and to closing.
* satisfaction: of the follow-ups ("Bent u goed geholpen?") that were answered, the
  share answered "yes".
* reopened: the question went back to "reopened" at least once (from the audit log, as
  the question itself only keeps its current state).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Count, ExpressionWrapper, F, Q
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from accounts.models import Directorate
from impactportal import figures as portal_figures
from impactportal.audit.models import AuditLogEntry
from impactportal.figures import (
    DAYS,
    PERCENT,
    Figure,
    Span,
    in_language,
    key_row,
    named_rows,
    percentage,
    rows,
)
from impactportal.workdays import LocalDate, weekday_holidays, working_days_sql

from .constants import AssignmentState, QuestionState
from .models import FollowUp, Question, Topic


def _received(period: Span, prefix: str = "") -> Q:
    low, high = period.bounds()
    return Q(**{f"{prefix}submitted_at__gte": low, f"{prefix}submitted_at__lt": high})


def _any(periods: Sequence[Span], prefix: str = "") -> Q:
    return reduce(or_, (_received(period, prefix) for period in periods))


def questions_per_topic(periods: Sequence[Span]) -> list[list[dict]]:
    """Per period: every active topic (and any inactive one with questions in a period)
    with its count, in the topics' own order: [{"slug", "name", "name_en", "count"}]."""
    counts = {
        f"count_{i}": Count("questions", filter=_received(period, "questions__"))
        for i, period in enumerate(periods)
    }
    rows = list(
        Topic.objects.annotate(**counts)
        .filter(reduce(or_, [Q(is_active=True), *(Q(**{f"{key}__gt": 0}) for key in counts)]))
        .order_by("position", "name")
        .values("slug", "name", "name_en", *counts)
    )
    return [
        [
            {
                "slug": row["slug"],
                "name": row["name"],
                "name_en": row["name_en"],
                "count": row[f"count_{i}"],
            }
            for row in rows
        ]
        for i in range(len(periods))
    ]


def questions_per_directorate(periods: Sequence[Span]) -> list[list[dict]]:
    """Per period: every active directorate (and any inactive one with questions) with the
    number of questions received in the period that were routed to it, not counting
    routings that were withdrawn: [{"slug", "name", "count"}]."""
    not_withdrawn = ~Q(assignments__state=AssignmentState.WITHDRAWN)
    counts = {
        f"count_{i}": Count(
            "assignments__question",
            filter=_received(period, "assignments__question__") & not_withdrawn,
            distinct=True,
        )
        for i, period in enumerate(periods)
    }
    rows = list(
        Directorate.objects.annotate(**counts)
        .filter(reduce(or_, [Q(is_active=True), *(Q(**{f"{key}__gt": 0}) for key in counts)]))
        .order_by("name")
        .values("slug", "name", *counts)
    )
    return [
        [{"slug": row["slug"], "name": row["name"], "count": row[f"count_{i}"]} for row in rows]
        for i in range(len(periods))
    ]


def _followed_up_ids():
    """Questions whose "Bent u goed geholpen?" was answered (a follow-up is sent once)."""
    return FollowUp.objects.filter(answered_at__isnull=False, helped__isnull=False).values(
        "question_id"
    )


def _reopened_ids():
    return (
        AuditLogEntry.objects.filter(
            content_type__app_label="servicepoint",
            content_type__model="question",
            action="question.state_changed",
            changes__state__1=QuestionState.REOPENED.value,
        )
        .annotate(question_id=Cast("object_id", BigIntegerField()))
        .values("question_id")
    )


_FIGURES = """
    count(*) FILTER (WHERE in_{i}),
    count(*) FILTER (WHERE in_{i} AND answered IS NOT NULL),
    count(*) FILTER (WHERE in_{i} AND answered IS NOT NULL AND {to_answer} <= service_level),
    count(*) FILTER (WHERE in_{i} AND closed IS NOT NULL),
    count(*) FILTER (WHERE in_{i} AND reopened),
    count(*) FILTER (WHERE in_{i} AND followed_up),
    count(*) FILTER (WHERE in_{i} AND helped),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY {to_first_response})
        FILTER (WHERE in_{i} AND first_response IS NOT NULL),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY {to_close})
        FILTER (WHERE in_{i} AND closed IS NOT NULL)"""
_KEYS = (
    "received",
    "answered",
    "within_service_level",
    "closed",
    "reopened",
    "follow_ups_answered",
    "helped",
    "median_first_response",
    "median_close",
)


def handling_times(periods: Sequence[Span], holidays: list) -> list[dict]:
    """Per period: counts, medians (working days), rates and follow-ups, in one query for
    all periods.

    The inner query turns each question into its Amsterdam dates once (``OFFSET 0`` keeps
    PostgreSQL from inlining it, which would convert every date again in every figure);
    the outer one computes the working days and aggregates per period.
    """
    questions = (
        Question.objects.filter(_any(periods))
        .annotate(
            received=LocalDate("submitted_at"),
            first_response=LocalDate("first_response_at"),
            answered=LocalDate(Coalesce("answered_at", "closed_at")),
            closed=LocalDate("closed_at"),
            service_level=F("topic__resolution_days"),
            reopened=ExpressionWrapper(Q(pk__in=_reopened_ids()), output_field=BooleanField()),
            followed_up=ExpressionWrapper(
                Q(pk__in=_followed_up_ids()), output_field=BooleanField()
            ),
            helped=ExpressionWrapper(
                Q(pk__in=_followed_up_ids().filter(helped=True)), output_field=BooleanField()
            ),
            **{
                f"in_{i}": ExpressionWrapper(_received(period), output_field=BooleanField())
                for i, period in enumerate(periods)
            },
        )
        .order_by()
        .values(
            "received",
            "first_response",
            "answered",
            "closed",
            "service_level",
            "reopened",
            "followed_up",
            "helped",
            *(f"in_{i}" for i in range(len(periods))),
        )
    )
    inner, params = questions.query.sql_with_params()
    days = "holidays.days"
    figures = ",".join(
        _FIGURES.format(
            i=i,
            to_answer=working_days_sql("received", "answered", days),
            to_first_response=working_days_sql("received", "first_response", days),
            to_close=working_days_sql("received", "closed", days),
        )
        for i in range(len(periods))
    )
    sql = (
        f"SELECT {figures} FROM ({inner} OFFSET 0) AS questions, "  # noqa: S608 (own SQL)
        "(SELECT %s::date[] AS days) AS holidays"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, holidays])
        row = cursor.fetchone()
    result = []
    for i in range(len(periods)):
        figures = dict(zip(_KEYS, row[i * len(_KEYS) : (i + 1) * len(_KEYS)], strict=True))
        for key in ("median_first_response", "median_close"):
            if figures[key] is not None:
                figures[key] = round(figures[key], 1)
        figures["service_level_rate"] = percentage(
            figures["within_service_level"], figures["answered"]
        )
        figures["reopen_rate"] = percentage(figures["reopened"], figures["received"])
        figures["satisfaction_rate"] = percentage(figures["helped"], figures["follow_ups_answered"])
        result.append(figures)
    return result


def servicepoint_figures(periods: Sequence[Span], holidays: list) -> list[dict]:
    """Everything the monitor shows about the service point, per period in ``periods``;
    ``holidays`` is ``impactportal.workdays.weekday_holidays`` over the dates the questions
    can span. Three queries for all periods together."""
    topics = questions_per_topic(periods)
    directorates = questions_per_directorate(periods)
    times = handling_times(periods, holidays)
    return [
        {"per_topic": topics[i], "per_directorate": directorates[i], **times[i]}
        for i in range(len(periods))
    ]


def holidays_for(periods: Sequence[Span], today: date) -> list[date]:
    """The weekday holidays a question received in any of ``periods`` can have met: from
    the first period's start up to today (answers do not lie in the future)."""
    first = min(period.start for period in periods)
    last = max(max(period.end for period in periods), today)
    return weekday_holidays(first, last)


def compute(periods: Sequence[Span], today: date) -> list[dict]:
    return servicepoint_figures(periods, holidays_for(periods, today))


def build(per_column: list[dict]) -> list[Figure]:
    topics, topic_counts = named_rows(
        [f["per_topic"] for f in per_column], lambda row: in_language(row["name"], row["name_en"])
    )
    directorates, directorate_counts = named_rows(
        [f["per_directorate"] for f in per_column], lambda row: row["name"]
    )
    key_rows = [
        key_row("received", _("Questions received"), per_column),
        key_row("answered", _("Questions answered"), per_column),
        key_row("within_service_level", _("Answered within the service level"), per_column),
        key_row(
            "service_level_rate",
            _("Share answered within the service level"),
            per_column,
            PERCENT,
        ),
        key_row(
            "median_first_response",
            _("Median time to first response (working days)"),
            per_column,
            DAYS,
        ),
        key_row("closed", _("Questions closed"), per_column),
        key_row("median_close", _("Median time to close (working days)"), per_column, DAYS),
        key_row("follow_ups_answered", _("Follow-up questions answered"), per_column),
        key_row("satisfaction_rate", _("Satisfaction (helped well)"), per_column, PERCENT),
        key_row("reopened", _("Questions reopened"), per_column),
        key_row("reopen_rate", _("Reopen rate"), per_column, PERCENT),
    ]
    return [
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
            rows(topics, topic_counts),
        ),
        Figure(
            "servicepunt-directies",
            _("Questions per directorate"),
            _(
                "Questions received in the period that were routed to a directorate; an "
                "integral question counts for each directorate it went to."
            ),
            _("Directorate"),
            rows(directorates, directorate_counts),
        ),
    ]


def register_figures() -> None:
    portal_figures.register(
        portal_figures.FigureProvider(
            name="servicepoint",
            compute=compute,
            queries=lambda periods: 3,  # for all periods together
            contributions=(
                portal_figures.Contribution(
                    area="servicepunt",
                    area_title=lambda: _("Service point"),
                    order=10,
                    build=build,
                    figure_slugs=(
                        "servicepunt-kerncijfers",
                        "servicepunt-onderwerpen",
                        "servicepunt-directies",
                    ),
                ),
            ),
        )
    )
