"""Service point figures for the monitor, in WORKING days (the admin report,
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
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Count, ExpressionWrapper, F, Q
from django.db.models.functions import Cast, Coalesce

from accounts.models import Directorate
from impactportal.audit.models import AuditLogEntry
from servicepoint.constants import AssignmentState, QuestionState
from servicepoint.models import FollowUp, Question, Topic

from ..periods import Period
from ..workdays import LocalDate, working_days_sql


def percentage(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _received(period: Period, prefix: str = "") -> Q:
    low, high = period.bounds()
    return Q(**{f"{prefix}submitted_at__gte": low, f"{prefix}submitted_at__lt": high})


def _any(periods: Sequence[Period], prefix: str = "") -> Q:
    return reduce(or_, (_received(period, prefix) for period in periods))


def questions_per_topic(periods: Sequence[Period]) -> list[list[dict]]:
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


def questions_per_directorate(periods: Sequence[Period]) -> list[list[dict]]:
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


def handling_times(periods: Sequence[Period], holidays: list) -> list[dict]:
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


def servicepoint_figures(periods: Sequence[Period], holidays: list) -> list[dict]:
    """Everything the monitor shows about the service point, per period in ``periods``;
    ``holidays`` is ``monitor.workdays.weekday_holidays`` over the dates the questions can
    span. Three queries for all periods together."""
    topics = questions_per_topic(periods)
    directorates = questions_per_directorate(periods)
    times = handling_times(periods, holidays)
    return [
        {"per_topic": topics[i], "per_directorate": directorates[i], **times[i]}
        for i in range(len(periods))
    ]
