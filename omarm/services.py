"""Every write of Omarm Groningen: postings and their moderation, reports, matches.

Requests (hulpvragen) and offers (aanbod) share one life cycle (constants.POSTING_
TRANSITIONS) and one set of services; matches have their own (MATCH_TRANSITIONS). Each
service runs in one transaction, audits the change and queues its e-mails in the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import OrganisationKind
from accounts.models import Organisation
from accounts.roles import Role
from impactportal.audit.services import audit_log
from impactportal.outbox.services import notify_user
from impactportal.workflow import TransitionNotAllowed, check_transition

from .constants import (
    MATCH_TRANSITIONS,
    POSTING_TRANSITIONS,
    REPORT_THRESHOLD,
    MatchState,
    PostingState,
    StoryState,
)
from .models import HelpRequest, Match, MatchMessage, Offer, Report

User = get_user_model()

REQUEST_FIELDS = (
    "title",
    "story",
    "theme",
    "help_kinds",
    "area",
    "wanted_by",
    "photo",
    "photo_description",
)
OFFER_FIELDS = ("title", "description", "help_kinds", "capacity", "area", "valid_until")


# Helpers ----------------------------------------------------------------------------


def _kind(posting) -> str:
    return "request" if isinstance(posting, HelpRequest) else "offer"


def _coordinators():
    return User.objects.filter(groups__name=Role.COORDINATOR, is_active=True)


def _members(organisation: Organisation):
    return organisation.members.filter(is_active=True)


def is_member(user, organisation: Organisation) -> bool:
    return (
        bool(user and user.is_authenticated) and organisation.memberships.filter(user=user).exists()
    )


def _notify(users: Iterable, template: str, **context) -> None:
    for user in {user.pk: user for user in users}.values():
        notify_user(user=user, template=f"omarm/{template}", context=context)


def _refresh_search_vector(posting) -> None:
    text_field = "story" if isinstance(posting, HelpRequest) else "description"
    type(posting).objects.filter(pk=posting.pk).update(
        search_vector=SearchVector("title", weight="A", config="dutch")
        + SearchVector(text_field, weight="B", config="dutch")
    )


def _check_kind(organisation: Organisation, kind: str) -> None:
    if organisation.kind != kind:
        raise ValidationError(
            _("Help requests are posted by social organisations and offers by businesses."),
            code="wrong_organisation_kind",
        )


def _is_coordinator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.COORDINATOR))


def _check_coordinator(user) -> None:
    if not _is_coordinator(user):
        raise PermissionDenied(_("Only the coordinator can do this."))


def _check_owner(user, posting) -> None:
    if not is_member(user, posting.organisation):
        raise PermissionDenied(
            _("Only members of %(organisation)s can change this.")
            % {"organisation": posting.organisation}
        )


def _posting_transition(posting, to: PostingState, *, actor, reason: str = "") -> None:
    current = PostingState(posting.state)
    check_transition(POSTING_TRANSITIONS, current, to)
    now = timezone.now()
    posting.state = to
    fields = ["state"]
    if to == PostingState.SUBMITTED:
        posting.submitted_at = now
        fields.append("submitted_at")
    elif to == PostingState.OPEN:
        # Also when an expired posting is extended: it is back on the board as new.
        posting.approved_at = now
        posting.sent_back_reason = ""
        posting.closed_at = None
        fields += ["approved_at", "sent_back_reason", "closed_at"]
    elif to == PostingState.SENT_BACK:
        posting.sent_back_reason = reason
        fields.append("sent_back_reason")
    elif to in (PostingState.FULFILLED, PostingState.EXPIRED, PostingState.WITHDRAWN):
        posting.closed_at = now
        fields.append("closed_at")
    posting.save(update_fields=fields)
    audit_log(
        actor=actor,
        action=f"omarm.{_kind(posting)}.state_changed",
        obj=posting,
        changes={"state": [current.value, to.value]},
        data={"reason": reason} if reason else None,
    )


def _locked(posting):
    return type(posting).objects.select_for_update().get(pk=posting.pk)


# Requests and offers: writing -------------------------------------------------------


def _posting_create(model, *, user, organisation: Organisation, kind: str, fields, values):
    _check_kind(organisation, kind)
    if not is_member(user, organisation):
        raise PermissionDenied(
            _("You are not a member of %(organisation)s.") % {"organisation": organisation}
        )
    posting = model(
        organisation=organisation,
        created_by=user,
        **{k: v for k, v in values.items() if k in fields},
    )
    posting.full_clean()
    posting.save()
    _refresh_search_vector(posting)
    audit_log(actor=user, action=f"omarm.{_kind(posting)}.created", obj=posting)
    return posting


@transaction.atomic
def request_create(*, user, organisation: Organisation, **values) -> HelpRequest:
    """A draft help request of a social organisation the user belongs to."""
    return _posting_create(
        HelpRequest,
        user=user,
        organisation=organisation,
        kind=OrganisationKind.SOCIAL,
        fields=REQUEST_FIELDS,
        values=values,
    )


@transaction.atomic
def offer_create(*, user, organisation: Organisation, **values) -> Offer:
    """A draft offer of a business the user belongs to."""
    return _posting_create(
        Offer,
        user=user,
        organisation=organisation,
        kind=OrganisationKind.COMPANY,
        fields=OFFER_FIELDS,
        values=values,
    )


@transaction.atomic
def posting_update(*, posting, user, **values):
    """Edit a draft or a sent-back posting (members of the owning organisation only)."""
    posting = _locked(posting)
    _check_owner(user, posting)
    if posting.state not in (PostingState.DRAFT, PostingState.SENT_BACK):
        raise TransitionNotAllowed(_("Only drafts and sent-back postings can be edited."))
    allowed = REQUEST_FIELDS if isinstance(posting, HelpRequest) else OFFER_FIELDS
    changes = {}
    for field, value in values.items():
        if field in allowed and getattr(posting, field) != value:
            changes[field] = [str(getattr(posting, field)), str(value)]
            setattr(posting, field, value)
    posting.full_clean()
    posting.save()
    _refresh_search_vector(posting)
    if changes:
        audit_log(
            actor=user, action=f"omarm.{_kind(posting)}.changed", obj=posting, changes=changes
        )
    return posting


@transaction.atomic
def posting_submit(*, posting, user):
    """The owner asks the coordinator to approve it."""
    posting = _locked(posting)
    _check_owner(user, posting)
    _posting_transition(posting, PostingState.SUBMITTED, actor=user)
    _notify(_coordinators(), "moderation_needed", posting=posting)
    return posting


@transaction.atomic
def posting_approve(*, posting, coordinator):
    """The coordinator puts it on the public board."""
    _check_coordinator(coordinator)
    posting = _locked(posting)
    _posting_transition(posting, PostingState.OPEN, actor=coordinator)
    _notify(_members(posting.organisation), "approved", posting=posting)
    return posting


@transaction.atomic
def posting_send_back(*, posting, coordinator, reason: str):
    """The coordinator returns it to the owner with what to change."""
    _check_coordinator(coordinator)
    if not reason.strip():
        raise ValidationError(_("Say what needs to change."), code="reason_required")
    posting = _locked(posting)
    _posting_transition(posting, PostingState.SENT_BACK, actor=coordinator, reason=reason)
    _notify(_members(posting.organisation), "sent_back", posting=posting, reason=reason)
    return posting


@transaction.atomic
def posting_withdraw(*, posting, user):
    posting = _locked(posting)
    if not (is_member(user, posting.organisation) or _is_coordinator(user)):
        raise PermissionDenied
    _posting_transition(posting, PostingState.WITHDRAWN, actor=user)
    return posting


@transaction.atomic
def posting_fulfil(*, posting, user):
    """The owner (or the coordinator) marks it done."""
    posting = _locked(posting)
    if not (is_member(user, posting.organisation) or _is_coordinator(user)):
        raise PermissionDenied
    _posting_transition(posting, PostingState.FULFILLED, actor=user)
    return posting


def _end_date_field(posting) -> str:
    return "wanted_by" if isinstance(posting, HelpRequest) else "valid_until"


@transaction.atomic
def posting_extend(*, posting, user, until: date):
    """Move the end date on; an expired posting goes back on the board."""
    posting = _locked(posting)
    _check_owner(user, posting)
    if until <= timezone.localdate():
        raise ValidationError(_("Choose a date in the future."), code="date_in_past")
    if posting.state not in (PostingState.OPEN, PostingState.EXPIRED):
        raise TransitionNotAllowed(_("Only open or expired postings can be extended."))
    field = _end_date_field(posting)
    old = getattr(posting, field)
    setattr(posting, field, until)
    posting.expiry_reminder_sent_at = None
    posting.save(update_fields=[field, "expiry_reminder_sent_at"])
    audit_log(
        actor=user,
        action=f"omarm.{_kind(posting)}.extended",
        obj=posting,
        changes={field: [old, until]},
    )
    if posting.state == PostingState.EXPIRED:
        _posting_transition(posting, PostingState.OPEN, actor=user)
    return posting


def expire_due_postings(*, today: date | None = None) -> int:
    """Beat: open postings past their end date become expired. Returns how many."""
    today = today or timezone.localdate()
    expired = 0
    for model, field in ((HelpRequest, "wanted_by"), (Offer, "valid_until")):
        due = model.objects.filter(state=PostingState.OPEN, **{f"{field}__lt": today})
        for pk in due.values_list("pk", flat=True):
            with transaction.atomic():
                posting = model.objects.select_for_update().get(pk=pk)
                if posting.state == PostingState.OPEN:
                    _posting_transition(posting, PostingState.EXPIRED, actor=None)
                    _notify(_members(posting.organisation), "expired", posting=posting)
                    expired += 1
    return expired


def send_expiry_reminders(*, today: date | None = None, days_before: int = 7) -> int:
    """Beat: a week before the end date, the owners may extend. Sent once per end date."""
    today = today or timezone.localdate()
    limit = today + timedelta(days=days_before)
    sent = 0
    for model, field in ((HelpRequest, "wanted_by"), (Offer, "valid_until")):
        due = model.objects.filter(
            state=PostingState.OPEN,
            expiry_reminder_sent_at__isnull=True,
            **{f"{field}__gte": today, f"{field}__lte": limit},
        )
        for pk in due.values_list("pk", flat=True):
            with transaction.atomic():
                posting = model.objects.select_for_update().get(pk=pk)
                if posting.expiry_reminder_sent_at is not None:
                    continue
                posting.expiry_reminder_sent_at = timezone.now()
                posting.save(update_fields=["expiry_reminder_sent_at"])
                _notify(_members(posting.organisation), "expiry_reminder", posting=posting)
                sent += 1
    return sent


# Reports ----------------------------------------------------------------------------


@transaction.atomic
def request_report(*, request: HelpRequest, reporter, reason: str) -> Report:
    """Flag a request. Reports by REPORT_THRESHOLD different people hide it for review."""
    if not reason.strip():
        raise ValidationError(_("Tell us what is wrong."), code="reason_required")
    request = _locked(request)
    if not request.is_public:
        raise ValidationError(_("This request is not on the board."), code="not_public")
    if is_member(reporter, request.organisation):
        raise ValidationError(
            _("You cannot report your own organisation's request."), code="own_request"
        )
    report, created = Report.objects.get_or_create(
        request=request, reporter=reporter, defaults={"reason": reason.strip()}
    )
    if not created:
        raise ValidationError(_("You have already reported this request."), code="duplicate")
    audit_log(actor=reporter, action="omarm.request.reported", obj=request)
    open_reports = request.reports.filter(resolved_at__isnull=True).count()
    if open_reports >= REPORT_THRESHOLD and request.hidden_at is None:
        request.hidden_at = timezone.now()
        request.save(update_fields=["hidden_at"])
        audit_log(
            actor=None, action="omarm.request.hidden", obj=request, data={"reports": open_reports}
        )
        _notify(_coordinators(), "reported", posting=request, reports=open_reports)
    return report


@transaction.atomic
def request_review_reports(*, request: HelpRequest, coordinator, keep: bool) -> HelpRequest:
    """The coordinator decides: put it back (keep) or withdraw it."""
    _check_coordinator(coordinator)
    request = _locked(request)
    request.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    request.hidden_at = None
    request.save(update_fields=["hidden_at"])
    audit_log(
        actor=coordinator, action="omarm.request.reports_reviewed", obj=request, data={"kept": keep}
    )
    if not keep:
        _posting_transition(
            request, PostingState.WITHDRAWN, actor=coordinator, reason=_("Withdrawn after reports.")
        )
    return request


# Matches ----------------------------------------------------------------------------


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
