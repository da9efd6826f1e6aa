"""The programme monitor (voortgangsrapportage): the page, the printable report and exports.

Only the coordinator and monitor readers get in (``access.monitor_reader_required``).
Every page takes the period from the GET form; a period that cannot be read shows the form
with its errors (status 400 for the exports, which have no form of their own).
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from . import exports
from .access import monitor_reader_required
from .forms import PeriodForm
from .report import FIGURE_SLUGS, build_report


def _form_page(request, form, *, status=200):
    return render(request, "monitor/index.html", {"form": form, "report": None}, status=status)


def _context(form) -> dict:
    period = form.cleaned_data["period"]
    report = build_report(period, baseline=form.cleaned_data["baseline"])
    return {
        "form": form,
        "report": report,
        "query": urlencode(form.query()),
        "previous_query": urlencode(form.query(period.previous())),
        "next_query": urlencode(form.query(period.next())),
    }


@require_GET
@monitor_reader_required
def index(request):
    form = PeriodForm.for_request(request.GET)
    if not form.is_valid():
        return _form_page(request, form)
    return render(request, "monitor/index.html", _context(form))


@require_GET
@monitor_reader_required
def printable(request):
    form = PeriodForm.for_request(request.GET)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    return render(
        request, "monitor/report.html", {**_context(form), "report_made": timezone.localdate()}
    )


@require_GET
@monitor_reader_required
def figure_csv(request, slug):
    if slug not in FIGURE_SLUGS:
        raise Http404
    form = PeriodForm.for_request(request.GET)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    report = build_report(form.cleaned_data["period"], baseline=form.cleaned_data["baseline"])
    return exports.figure_csv(report, report.figure(slug))


@require_GET
@monitor_reader_required
def workbook(request):
    form = PeriodForm.for_request(request.GET)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    report = build_report(form.cleaned_data["period"], baseline=form.cleaned_data["baseline"])
    return exports.workbook_response(report)
