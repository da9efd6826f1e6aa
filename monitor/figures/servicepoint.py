"""Service point figures for the monitor, in WORKING days (the admin report,
``servicepoint.reports.build_report``, shows calendar days for the desk itself).

Which questions: those received (``submitted_at``) in the period; guests' questions that
were never confirmed were never received. Four aggregate queries, whatever the number of
questions: per topic, per directorate, the times and rates, and the follow-ups.

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

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import LessThanOrEqual

from accounts.models import Directorate
from impactportal.audit.models import AuditLogEntry
from servicepoint.constants import AssignmentState, QuestionState
from servicepoint.models import FollowUp, Question, Topic
from servicepoint.reports import Median

from ..periods import Period
from ..workdays import WorkingDays


def percentage(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _received(period: Period) -> Q:
    low, high = period.bounds()
    return Q(submitted_at__gte=low, submitted_at__lt=high)


def questions_per_topic(period: Period) -> list[dict]:
    """Every active topic (and any inactive one with questions) with its count, in the
    topics' own order: [{"slug", "name", "name_en", "count"}, ...]."""
    low, high = period.bounds()
    received = Q(questions__submitted_at__gte=low, questions__submitted_at__lt=high)
    return list(
        Topic.objects.annotate(count=Count("questions", filter=received))
        .filter(Q(is_active=True) | Q(count__gt=0))
        .order_by("position", "name")
        .values("slug", "name", "name_en", "count")
    )


def questions_per_directorate(period: Period) -> list[dict]:
    """Every active directorate (and any inactive one with questions) with the number of
    questions received in the period that were routed to it, not counting routings that
    were withdrawn: [{"slug", "name", "count"}]."""
    low, high = period.bounds()
    routed = (
        Q(assignments__question__submitted_at__gte=low)
        & Q(assignments__question__submitted_at__lt=high)
        & ~Q(assignments__state=AssignmentState.WITHDRAWN)
    )
    return list(
        Directorate.objects.annotate(
            count=Count("assignments__question", filter=routed, distinct=True)
        )
        .filter(Q(is_active=True) | Q(count__gt=0))
        .order_by("name")
        .values("slug", "name", "count")
    )


def _reopened() -> Exists:
    return Exists(
        AuditLogEntry.objects.filter(
            content_type__app_label="servicepoint",
            content_type__model="question",
            object_id=Cast(OuterRef("pk"), CharField()),
            action="question.state_changed",
            changes__state__1=QuestionState.REOPENED.value,
        )
    )


def handling_times(period: Period, holidays: list) -> dict:
    """Counts, medians (working days) and the service-level share in one query."""
    received_at = F("submitted_at")
    is_answered = Q(answered_at__isnull=False) | Q(closed_at__isnull=False)
    to_answer = WorkingDays(received_at, Coalesce("answered_at", "closed_at"), holidays)
    figures = Question.objects.filter(_received(period)).aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=is_answered),
        within_service_level=Count(
            "pk",
            filter=is_answered & Q(LessThanOrEqual(to_answer, F("topic__resolution_days"))),
        ),
        closed=Count("pk", filter=Q(closed_at__isnull=False)),
        reopened=Count("pk", filter=Q(_reopened())),
        median_first_response=Median(
            WorkingDays(received_at, F("first_response_at"), holidays),
            filter=Q(first_response_at__isnull=False),
        ),
        median_close=Median(
            WorkingDays(received_at, F("closed_at"), holidays),
            filter=Q(closed_at__isnull=False),
        ),
    )
    for key in ("median_first_response", "median_close"):
        if figures[key] is not None:
            figures[key] = round(figures[key], 1)
    figures["service_level_rate"] = percentage(figures["within_service_level"], figures["answered"])
    figures["reopen_rate"] = percentage(figures["reopened"], figures["received"])
    return figures


def satisfaction(period: Period) -> dict:
    low, high = period.bounds()
    counts = FollowUp.objects.filter(
        question__submitted_at__gte=low,
        question__submitted_at__lt=high,
        answered_at__isnull=False,
        helped__isnull=False,
    ).aggregate(follow_ups_answered=Count("pk"), helped=Count("pk", filter=Q(helped=True)))
    counts["satisfaction_rate"] = percentage(counts["helped"], counts["follow_ups_answered"])
    return counts


def servicepoint_figures(period: Period, holidays: list) -> dict:
    """Everything the monitor shows about the service point for ``period``; ``holidays``
    is ``monitor.workdays.weekday_holidays`` over the dates the questions can span."""
    return {
        "per_topic": questions_per_topic(period),
        "per_directorate": questions_per_directorate(period),
        **handling_times(period, holidays),
        **satisfaction(period),
    }
