"""How long Omarm Groningen keeps what people wrote, and how a posting is anonymised.

Registered in ``OmarmConfig.ready``. Postings and matches stay as rows, because the
monitor counts them (per theme, kind of help, area, state and month); what says who wrote
what goes: texts, photos, reasons and the link to the person. Account deletion uses the
same anonymisation for postings nobody else can answer for (``omarm.privacy``).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from impactportal.audit.models import AuditLogEntry
from impactportal.retention import registry
from impactportal.retention.helpers import (
    ANONYMISED,
    ANONYMISED_SUBJECT,
    delete_files_after_commit,
    deleted_count,
    scrub_audit,
)

from .constants import MatchState, PostingState, StoryState
from .models import HelpRequest, Match, MatchMessage, Offer, Report

CLOSED_STATES = (PostingState.FULFILLED, PostingState.EXPIRED, PostingState.WITHDRAWN)
ENDED_MATCHES = Q(state__in=[MatchState.COMPLETED, MatchState.BROKEN_OFF])


def purge_match_messages(cutoff: datetime, *, dry_run: bool) -> int:
    """The message thread of a match that was completed or broken off before ``cutoff``.
    Deleted; the match itself (state, dates, hours, value, published story) stays."""
    ended = Match.objects.filter(
        Q(state=MatchState.COMPLETED, completed_at__lt=cutoff)
        | Q(state=MatchState.BROKEN_OFF, last_activity_at__lt=cutoff)
    )
    messages = MatchMessage.objects.filter(match__in=ended)
    if dry_run:
        return messages.count()
    return deleted_count(messages.delete(), MatchMessage)


def purge_help_request_photos(cutoff: datetime, *, dry_run: bool) -> int:
    """Photos of help requests that left the board (fulfilled, expired, withdrawn) before
    ``cutoff``: they may show residents. The file is deleted and the field emptied; an
    owner who extends an expired request can add a new photo."""
    requests = HelpRequest.objects.filter(
        state__in=[PostingState.FULFILLED, PostingState.EXPIRED, PostingState.WITHDRAWN],
        closed_at__lt=cutoff,
    ).exclude(photo="")
    if dry_run:
        return requests.count()
    names = list(requests.values_list("photo", flat=True))
    count = requests.update(photo="", photo_description="")
    delete_files_after_commit(HelpRequest._meta.get_field("photo").storage, names)
    return count


def purge_omarm_reports(cutoff: datetime, *, dry_run: bool) -> int:
    """Reports of a request ("this is inappropriate") the coordinator resolved before
    ``cutoff``: deleted, and the reporter's name leaves the request's audit history."""
    reports = Report.objects.filter(resolved_at__lt=cutoff)
    if dry_run:
        return reports.count()
    AuditLogEntry.objects.filter(
        action="omarm.request.reported",
        content_type=ContentType.objects.get_for_model(HelpRequest),
        actor__is_staff=False,
    ).filter(
        models.Exists(
            reports.filter(
                reporter=models.OuterRef("actor"),
                request=Cast(models.OuterRef("object_id"), models.BigIntegerField()),
            )
        )
    ).update(actor=None, actor_label=ANONYMISED)
    return deleted_count(reports.delete(), Report)


def anonymise_postings(postings: models.QuerySet) -> int:
    """Blank what a posting says (title, text, photo, the reason it was sent back) and
    who posted it. Theme, kinds of help, area, state and dates stay for the monitor."""
    postings = postings.exclude(title=ANONYMISED_SUBJECT)
    text = (
        {"story": "", "photo_description": ""}
        if postings.model is HelpRequest
        else {
            "description": "",
            "capacity": "",
        }
    )
    names = (
        list(postings.exclude(photo="").values_list("photo", flat=True))
        if (postings.model is HelpRequest)
        else []
    )
    count = postings.update(
        title=ANONYMISED_SUBJECT,
        sent_back_reason="",
        created_by=None,
        search_vector=None,
        **text,
        **({"photo": ""} if postings.model is HelpRequest else {}),
    )
    if names:
        delete_files_after_commit(HelpRequest._meta.get_field("photo").storage, names)
    scrub_audit(postings.model.objects.filter(title=ANONYMISED_SUBJECT))
    return count


def purge_closed_postings(cutoff: datetime, *, dry_run: bool) -> int:
    """Requests and offers that left the board (fulfilled, expired, withdrawn) before
    ``cutoff``: anonymised."""
    querysets = [
        model.objects.filter(state__in=CLOSED_STATES, closed_at__lt=cutoff).exclude(
            title=ANONYMISED_SUBJECT
        )
        for model in (HelpRequest, Offer)
    ]
    if dry_run:
        return sum(queryset.count() for queryset in querysets)
    return sum(anonymise_postings(queryset) for queryset in querysets)


def purge_draft_postings(cutoff: datetime, *, dry_run: bool) -> int:
    """Drafts never submitted, last touched before ``cutoff``: nobody but their writer saw
    them and no figure counts them. Deleted, with their photos."""
    querysets = [
        model.objects.filter(
            state=PostingState.DRAFT, submitted_at__isnull=True, created_at__lt=cutoff
        )
        for model in (HelpRequest, Offer)
    ]
    if dry_run:
        return sum(queryset.count() for queryset in querysets)
    handled = 0
    for queryset in querysets:
        photos = (
            list(queryset.exclude(photo="").values_list("photo", flat=True))
            if queryset.model is HelpRequest
            else []
        )
        scrub_audit(queryset)
        handled += deleted_count(queryset.delete(), queryset.model)
        delete_files_after_commit(HelpRequest._meta.get_field("photo").storage, photos)
    return handled


def purge_ended_matches(cutoff: datetime, *, dry_run: bool) -> int:
    """Matches completed or broken off before ``cutoff``: the reason it was broken off,
    an unpublished result story and who started it go; state, dates, hours, value and a
    published story (the organisations chose to make it public) stay."""
    ended = Match.objects.filter(
        Q(state=MatchState.COMPLETED, completed_at__lt=cutoff)
        | Q(state=MatchState.BROKEN_OFF, last_activity_at__lt=cutoff)
    ).filter(
        ~Q(broken_off_reason="")
        | Q(started_by__isnull=False)
        | (~Q(result_story="") & ~Q(story_state=StoryState.PUBLISHED))
    )
    if dry_run:
        return ended.count()
    count = ended.count()
    ended.exclude(story_state=StoryState.PUBLISHED).update(result_story="")
    ended.update(broken_off_reason="", started_by=None)
    return count


def register_kinds() -> None:
    registry.register(
        "match_messages",
        outcome="deleted",
        purge=purge_match_messages,
        days=2 * 365,  # from completion or breaking off
        models=[MatchMessage],
    )
    registry.register(
        "ended_matches",
        outcome="anonymised",
        purge=purge_ended_matches,
        days=2 * 365,  # from completion or breaking off
        models=[Match],
    )
    registry.register(
        "help_request_photos",
        outcome="deleted",
        purge=purge_help_request_photos,
        days=365,  # from leaving the board
        models=[HelpRequest],
    )
    registry.register(
        "closed_postings",
        outcome="anonymised",
        purge=purge_closed_postings,
        days=3 * 365,  # from leaving the board
        models=[HelpRequest, Offer],
    )
    registry.register(
        "draft_postings",
        outcome="deleted",
        purge=purge_draft_postings,
        days=365,  # from being started, never submitted
        models=[HelpRequest, Offer],
    )
    registry.register(
        "omarm_reports",
        outcome="deleted",
        purge=purge_omarm_reports,
        days=365,  # from being resolved
        models=[Report],
    )
