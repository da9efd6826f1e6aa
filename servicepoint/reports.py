"""Service point reports for account managers: volume, response times, satisfaction.

Every figure is one aggregate query over the period; nothing loops over questions.
Times are in calendar days (hours / 24) here; the programme monitor reports working days.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.db.models import Aggregate, Count, F, FloatField, Q
from django.db.models.functions import Extract, TruncMonth
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from impactportal import spreadsheets
from impactportal.workdays import AMSTERDAM, day_bounds

from .constants import AssignmentState
from .models import Assignment, FollowUp, Question


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median of a numeric expression."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Up to and including"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        cleaned["end"] = cleaned.get("end") or today
        cleaned["start"] = cleaned.get("start") or (cleaned["end"] - timedelta(days=365))
        if cleaned["start"] > cleaned["end"]:
            raise forms.ValidationError(_("The start date must be before the end date."))
        return cleaned


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 1)


def build_report(start: date, end: date) -> dict:
    low, high = day_bounds(start, end)
    questions = Question.objects.filter(submitted_at__gte=low, submitted_at__lt=high)
    month = TruncMonth("submitted_at", tzinfo=AMSTERDAM)
    per_topic = list(
        questions.annotate(month=month)
        .values("month", "topic__name")
        .annotate(count=Count("pk"))
        .order_by("month", "topic__name")
    )
    per_directorate = list(
        Assignment.objects.filter(question__in=questions)
        .exclude(state=AssignmentState.WITHDRAWN)
        .annotate(month=TruncMonth("question__submitted_at", tzinfo=AMSTERDAM))
        .values("month", "directorate__name")
        .annotate(count=Count("question", distinct=True))
        .order_by("month", "directorate__name")
    )
    times = questions.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(closed_at__isnull=False)),
        median_first_response=Median(
            Extract(F("first_response_at") - F("submitted_at"), "epoch"),
            filter=Q(first_response_at__isnull=False),
        ),
        median_close=Median(
            Extract(F("closed_at") - F("submitted_at"), "epoch"), filter=Q(closed_at__isnull=False)
        ),
    )
    satisfaction = FollowUp.objects.filter(
        question__in=questions, answered_at__isnull=False
    ).aggregate(answered=Count("pk"), helped=Count("pk", filter=Q(helped=True)))
    rate = (
        round(100 * satisfaction["helped"] / satisfaction["answered"])
        if satisfaction["answered"]
        else None
    )
    return {
        "start": start,
        "end": end,
        "per_topic": per_topic,
        "per_directorate": per_directorate,
        "total": times["total"],
        "closed": times["closed"],
        "median_first_response_days": _days(times["median_first_response"]),
        "median_close_days": _days(times["median_close"]),
        "follow_ups_answered": satisfaction["answered"],
        "satisfaction_rate": rate,
    }


def report_csv(report: dict) -> HttpResponse:
    header = [gettext("figure"), gettext("month"), gettext("group"), gettext("value")]
    rows = [
        [gettext("questions per topic"), f"{row['month']:%Y-%m}", row["topic__name"], row["count"]]
        for row in report["per_topic"]
    ]
    rows += [
        [
            gettext("questions per directorate"),
            f"{row['month']:%Y-%m}",
            row["directorate__name"],
            row["count"],
        ]
        for row in report["per_directorate"]
    ]
    rows += [
        [label, "", "", report[key]]
        for label, key in [
            (gettext("questions received"), "total"),
            (gettext("questions closed"), "closed"),
            (gettext("median days to first response"), "median_first_response_days"),
            (gettext("median days to close"), "median_close_days"),
            (gettext("follow-ups answered"), "follow_ups_answered"),
            (gettext("satisfaction rate (%)"), "satisfaction_rate"),
        ]
    ]
    return spreadsheets.csv_response(
        header,
        rows,
        filename=f"servicepunt-rapportage-{report['start']}-{report['end']}.csv",
    )


def report_response(request, model_admin):
    form = PeriodForm({k: v for k, v in request.GET.items() if k in ("start", "end")} or None)
    if form.is_bound and not form.is_valid():
        report = None
    else:
        if not form.is_bound:
            form = PeriodForm({})
            form.is_valid()
        cleaned = form.cleaned_data
        report = build_report(cleaned["start"], cleaned["end"])
        if request.GET.get("export") == "csv":
            return report_csv(report)
    return TemplateResponse(
        request,
        "admin/servicepoint/question/report.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": gettext("Service point report"),
            "opts": model_admin.model._meta,
            "form": form,
            "report": report,
        },
    )
