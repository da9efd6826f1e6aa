"""Matches between a business and a social organisation: starting one (on a request, on
an offer, or proposed by the coordinator), the conversation, the life cycle
(constants.MATCH_TRANSITIONS) and the result story.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import OrganisationKind
from accounts.models import Organisation
from impactportal.audit.services import audit_log
from impactportal.workflow import TransitionNotAllowed, check_transition

from ..constants import MATCH_TRANSITIONS, MatchState, StoryState
from ..models import HelpRequest, Match, MatchMessage, Offer
from ._common import (
    _check_coordinator,
    _check_kind,
    _coordinators,
    _is_coordinator,
    _locked,
    _members,
    _notify,
    is_member,
)


def _match_parties(match: Match):
    return list(_members(match.business)) + list(_members(match.social_organisation))


def _match_transition(
    match: Match, to: MatchState, *, actor, reason: str = "", announce: bool = True
) -> None:
    current = MatchState(match.state)
    check_transition(
        MATCH_TRANSITIONS,
        current,
        to,
        message=_("A match that is %(current)s cannot become %(to)s."),
    )
    now = timezone.now()
    match.state = to
    match.last_activity_at = now
    fields = ["state", "last_activity_at"]
    if to == MatchState.MATCHED:
        match.matched_at = now
        fields.append("matched_at")
    elif to == MatchState.COMPLETED:
        match.completed_at = now
        fields.append("completed_at")
    elif to == MatchState.BROKEN_OFF:
        match.broken_off_reason = reason
        fields.append("broken_off_reason")
    match.save(update_fields=fields)
    audit_log(
        actor=actor,
        action="omarm.match.state_changed",
        obj=match,
        changes={"state": [current.value, to.value]},
        data={"reason": reason} if reason else None,
    )
    if announce:
        others = [user for user in _match_parties(match) if actor is None or user.pk != actor.pk]
        _notify(others, "match_state_changed", match=match, reason=reason)


def _start_match(
    *,
    request=None,
    offer=None,
    business,
    social_organisation,
    user,
    message: str,
    by_coordinator: bool = False,
) -> Match:
    # Read the current state (and hold it) rather than trust the caller's copy.
    request = _locked(request) if request is not None else None
    offer = _locked(offer) if offer is not None else None
    for subject in (request, offer):
        if subject is not None and not subject.is_public:
            raise ValidationError(_("This is no longer open."), code="not_open")
    active = Match.objects.filter(
        business=business,
        social_organisation=social_organisation,
        state__in=[MatchState.PROPOSED, MatchState.TALKING, MatchState.MATCHED],
    )
    # One conversation per business and request, however it was started.
    active = (
        active.filter(request=request)
        if request is not None
        else active.filter(offer=offer, request__isnull=True)
    )
    if active.exists():
        raise ValidationError(_("You are already in touch about this."), code="duplicate")
    match = Match.objects.create(
        request=request,
        offer=offer,
        business=business,
        social_organisation=social_organisation,
        started_by=user,
        proposed_by_coordinator=by_coordinator,
    )
    if message.strip():
        MatchMessage.objects.create(
            match=match, author=user, author_name=user.name or user.email, body=message.strip()
        )
    audit_log(
        actor=user, action="omarm.match.started", obj=match, data={"by_coordinator": by_coordinator}
    )
    _notify(_match_parties(match), "match_started", match=match)
    return match


@transaction.atomic
def match_offer_help(*, request: HelpRequest, business: Organisation, user, message: str) -> Match:
    """'Ik wil helpen' on a request, on behalf of the user's business."""
    _check_kind(business, OrganisationKind.COMPANY)
    if not is_member(user, business):
        raise PermissionDenied
    return _start_match(
        request=request,
        business=business,
        social_organisation=request.organisation,
        user=user,
        message=message,
    )


@transaction.atomic
def match_show_interest(
    *,
    offer: Offer,
    social_organisation: Organisation,
    user,
    message: str,
    request: HelpRequest | None = None,
) -> Match:
    """'Interesse' in an offer, on behalf of the user's social organisation."""
    _check_kind(social_organisation, OrganisationKind.SOCIAL)
    if not is_member(user, social_organisation):
        raise PermissionDenied
    if request is not None and request.organisation_id != social_organisation.pk:
        raise ValidationError(_("That request belongs to another organisation."))
    return _start_match(
        offer=offer,
        request=request,
        business=offer.organisation,
        social_organisation=social_organisation,
        user=user,
        message=message,
    )


@transaction.atomic
def match_propose(
    *,
    request: HelpRequest,
    business: Organisation,
    coordinator,
    offer: Offer | None = None,
    message: str = "",
) -> Match:
    """The coordinator brings a business (or its offer) and a request together."""
    _check_coordinator(coordinator)
    _check_kind(business, OrganisationKind.COMPANY)
    if offer is not None and offer.organisation_id != business.pk:
        raise ValidationError(_("That offer belongs to another business."))
    return _start_match(
        request=request,
        offer=offer,
        business=business,
        social_organisation=request.organisation,
        user=coordinator,
        message=message,
        by_coordinator=True,
    )


def can_take_part(user, match: Match) -> bool:
    """Both sides and the coordinator read and write the match thread."""
    if not (user and user.is_authenticated):
        return False
    return (
        _is_coordinator(user)
        or is_member(user, match.business)
        or is_member(user, match.social_organisation)
    )


def may_accept_conversation(user, match: Match) -> bool:
    """Whether ``user`` may move a proposed match into conversation."""
    return _is_coordinator(user) or _answers_the_proposal(user, match)


@transaction.atomic
def match_transition(*, match: Match, to: str, actor, reason: str = "") -> Match:
    match = Match.objects.select_for_update().get(pk=match.pk)
    if not can_take_part(actor, match):
        raise PermissionDenied
    target = MatchState(to)
    if target == MatchState.BROKEN_OFF and not reason.strip():
        raise ValidationError(_("Say why the match is broken off."), code="reason_required")
    if target == MatchState.COMPLETED:
        raise ValidationError(_("Complete a match with its result."), code="use_complete")
    if target == MatchState.TALKING and not may_accept_conversation(actor, match):
        raise PermissionDenied(_("Only the other side can accept the conversation."))
    _match_transition(match, target, actor=actor, reason=reason)
    return match


@transaction.atomic
def match_complete(
    *,
    match: Match,
    actor,
    result_story: str,
    hours: Decimal | None = None,
    value_eur: Decimal | None = None,
    counts_for_social_return: bool = False,
    social_return_eur: Decimal | None = None,
) -> Match:
    """Close a match with its result; the story can be published after approval."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    if not can_take_part(actor, match):
        raise PermissionDenied
    if not result_story.strip():
        raise ValidationError(
            _("Tell in a few sentences what the match achieved."), code="story_required"
        )
    if counts_for_social_return and social_return_eur is None:
        raise ValidationError(
            _("Give the amount that counts toward Social Return."), code="amount_required"
        )
    for amount in (hours, value_eur, social_return_eur):
        if amount is not None and amount < 0:
            raise ValidationError(_("Amounts cannot be negative."), code="negative")
    match.result_story = result_story.strip()
    match.hours, match.value_eur = hours, value_eur
    match.counts_for_social_return = counts_for_social_return
    match.social_return_eur = social_return_eur if counts_for_social_return else None
    match.story_state = StoryState.SUBMITTED
    match.save(
        update_fields=[
            "result_story",
            "hours",
            "value_eur",
            "counts_for_social_return",
            "social_return_eur",
            "story_state",
        ]
    )
    _match_transition(match, MatchState.COMPLETED, actor=actor)
    _notify(_coordinators(), "story_submitted", match=match)
    return match


@transaction.atomic
def match_publish_story(*, match: Match, coordinator, publish: bool = True) -> Match:
    """The coordinator approves the result story for the board (or takes it down)."""
    _check_coordinator(coordinator)
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.state != MatchState.COMPLETED or not match.result_story:
        raise TransitionNotAllowed(_("Only completed matches with a story can be published."))
    match.story_state = StoryState.PUBLISHED if publish else StoryState.SUBMITTED
    match.story_published_at = timezone.now() if publish else None
    match.save(update_fields=["story_state", "story_published_at"])
    audit_log(
        actor=coordinator,
        action="omarm.match.story_published" if publish else "omarm.match.story_unpublished",
        obj=match,
    )
    return match


def _answers_the_proposal(author, match: Match) -> bool:
    """Whether ``author`` speaks for the side that did not start the match (for a
    coordinator's proposal: either side)."""
    if match.proposed_by_coordinator:
        return is_member(author, match.business) or is_member(author, match.social_organisation)
    starter_is_business = is_member(match.started_by, match.business)
    other = match.social_organisation if starter_is_business else match.business
    return is_member(author, other)


@transaction.atomic
def match_message_add(*, match: Match, author, body: str) -> MatchMessage:
    match = Match.objects.select_for_update().get(pk=match.pk)
    if not can_take_part(author, match):
        raise PermissionDenied
    if not body.strip():
        raise ValidationError(_("Write a message."), code="empty")
    if match.state in (MatchState.COMPLETED, MatchState.BROKEN_OFF):
        raise TransitionNotAllowed(_("This match is closed."))
    message = MatchMessage.objects.create(
        match=match, author=author, author_name=author.name or author.email, body=body.strip()
    )
    match.last_activity_at = message.created_at
    match.save(update_fields=["last_activity_at"])
    if match.state == MatchState.PROPOSED and _answers_the_proposal(author, match):
        # The other side answered: they are in conversation now. The message itself is
        # the news, so no separate state e-mail.
        _match_transition(match, MatchState.TALKING, actor=author, announce=False)
    others = [user for user in _match_parties(match) if user.pk != author.pk]
    _notify(others, "match_message", match=match, message=message)
    return message
