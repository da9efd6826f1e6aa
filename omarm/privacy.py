"""What Omarm Groningen holds on a person, for the AVG export and on account deletion.

A help request or offer is the organisation's publication, written by one of its members;
a match message is written in the person's own name; a report is the person's own. So on
deletion:

* messages the person wrote in match threads are deleted, and reports they made lose
  their reason (the report still counts toward hiding the request);
* postings they wrote lose the link to them; if nobody else is left in the organisation to
  answer for them, they are anonymised as retention does (``omarm.retention``) and, if
  still live, withdrawn, since nobody can follow up on them any more;
* matches they started lose that link; state, dates, hours and value stay for the monitor.
"""

from __future__ import annotations

from accounts.models import Membership
from impactportal import privacy
from impactportal.privacy import iso

from . import services
from .constants import PostingState
from .models import HelpRequest, Match, MatchMessage, Offer, Report
from .retention import anonymise_postings

LIVE_STATES = (
    PostingState.DRAFT,
    PostingState.SUBMITTED,
    PostingState.SENT_BACK,
    PostingState.OPEN,
)


def _postings(user):
    return [
        (kind, posting)
        for kind, model in (("request", HelpRequest), ("offer", Offer))
        for posting in model.objects.filter(created_by=user).select_related("organisation")
    ]


def export_postings(user):
    return [
        {
            "kind": kind,
            "organisation": posting.organisation.name,
            "title": posting.title,
            "text": posting.story if kind == "request" else posting.description,
            "state": posting.state,
            "created_at": iso(posting.created_at),
            "submitted_at": iso(posting.submitted_at),
            "closed_at": iso(posting.closed_at),
        }
        for kind, posting in sorted(_postings(user), key=lambda item: item[1].created_at)
    ]


def export_matches(user):
    """Matches the person started or wrote in, with what they wrote."""
    written = MatchMessage.objects.filter(author=user).order_by("created_at")
    by_match: dict[int, list] = {}
    for message in written:
        by_match.setdefault(message.match_id, []).append(
            {"at": iso(message.created_at), "text": message.body}
        )
    matches = (
        Match.objects.filter(pk__in=set(by_match)) | Match.objects.filter(started_by=user)
    ).select_related("request", "offer", "business", "social_organisation")
    return [
        {
            "help_request": match.request.title if match.request_id else None,
            "offer": match.offer.title if match.offer_id else None,
            "business": match.business.name,
            "social_organisation": match.social_organisation.name,
            "state": match.state,
            "started_at": iso(match.created_at),
            "started_by_you": match.started_by_id == user.pk,
            "your_messages": by_match.get(match.pk, []),
        }
        for match in matches.distinct().order_by("created_at")
    ]


def export_reports(user):
    return [
        {
            "help_request": report.request.title,
            "reason": report.reason,
            "at": iso(report.created_at),
        }
        for report in Report.objects.filter(reporter=user).select_related("request")
    ]


def erase_postings(user):
    others = Membership.objects.exclude(user=user)
    for model in (HelpRequest, Offer):
        mine = model.objects.filter(created_by=user)
        orphaned = mine.exclude(organisation__in=others.values("organisation"))
        for posting in orphaned.filter(state__in=LIVE_STATES):
            services.posting_withdraw_unanswered(posting=posting, reason="account deleted")
        text_field = "story" if model is HelpRequest else "description"
        privacy.forget(text for pair in orphaned.values_list("title", text_field) for text in pair)
        anonymise_postings(orphaned)
        mine.update(created_by=None)


def erase_matches(user):
    written = MatchMessage.objects.filter(author=user)
    privacy.forget(written.values_list("body", flat=True))
    written.delete()
    Match.objects.filter(started_by=user).update(started_by=None)


def erase_reports(user):
    reports = Report.objects.filter(reporter=user).exclude(reason="")
    privacy.forget(reports.values_list("reason", flat=True))
    reports.update(reason="")


def register_sections() -> None:
    # Before accounts' memberships go: whether anyone is left is read from them.
    privacy.register(
        "omarm_postings",
        export=export_postings,
        erase=erase_postings,
        models=[HelpRequest, Offer],
        order=50,
    )
    privacy.register(
        "omarm_matches",
        export=export_matches,
        erase=erase_matches,
        models=[Match, MatchMessage],
    )
    privacy.register("omarm_reports", export=export_reports, erase=erase_reports, models=[Report])
    for model, reason in {
        "omarm.Area": "The coordinator's list of areas of the city.",
        "omarm.Challenge": "The coordinator's description of a challenge day.",
        "omarm.ChallengeTeam": "A team's name and the request it takes on.",
    }.items():
        privacy.exempt(model, reason)
