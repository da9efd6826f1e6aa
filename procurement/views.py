"""Public pages of Platform Goed Inkopen: search and supplier profiles."""

from django.http import Http404


def search(request):
    raise Http404


def supplier(request, slug):
    raise Http404


def logo(request, slug):
    raise Http404
