"""The programme monitor (voortgangsrapportage): the page, the printable report and exports.

Only the coordinator and monitor readers get in (``access.monitor_reader_required``).
Every page takes the period from the GET form; a period that cannot be read shows the form
with its errors (status 400 for the exports, which have no form of their own).

The figures on the page are kept for ``FIGURES_CACHE_SECONDS`` per period choice and
language, rendered (the page says of when): computing and rendering them costs about
0.1 s of CPU on the demo data and 0.7 s with 100,000 suppliers, which under load queues
every other request behind the monitor (docs/benchmarks.md). Figures five minutes old are
fine for a progress report; the printable report and the downloads are always computed
afresh.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from . import exports
from .access import monitor_reader_required
from .forms import PeriodForm
from .report import Report, build_report, figure_slugs, report_columns

FIGURES_CACHE_SECONDS = 5 * 60


def _form_page(request, form, *, status=200):
    return render(request, "monitor/index.html", {"form": form, "report": None}, status=status)


def _context(form, report: Report | None = None) -> dict:
    period = form.cleaned_data["period"]
    if report is None:
        report = build_report(period, baseline=form.cleaned_data["baseline"])
    return {
        "form": form,
        "report": report,
        "query": urlencode(form.query()),
        "previous_query": urlencode(form.query(period.previous())),
        "next_query": urlencode(form.query(period.next())),
    }


def _figures_cache_key(form) -> str:
    query = urlencode(sorted(form.query().items()))
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"monitor:figures:{get_language()}:{digest}"


@require_GET
@monitor_reader_required
def index(request):
    form = PeriodForm.for_request(request.GET)
    if not form.is_valid():
        return _form_page(request, form)
    key = _figures_cache_key(form)
    figures = cache.get(key)
    if figures is None:
        context = _context(form)
        figures = {
            "html": render_to_string("monitor/_areas.html", context, request=request),
            "made": timezone.now(),
        }
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    else:
        period, baseline = form.cleaned_data["period"], form.cleaned_data["baseline"]
        report = Report(columns=report_columns(period, baseline=baseline), areas=[])
        context = _context(form, report)
    context.update(figures_html=mark_safe(figures["html"]), figures_made=figures["made"])  # noqa: S308 (rendered above by our own template)
    return render(request, "monitor/index.html", context)


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
    if slug not in figure_slugs():
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
