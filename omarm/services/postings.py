"""Requests (hulpvragen) and offers (aanbod): one life cycle (constants.POSTING_TRANSITIONS)
and one set of services, from the draft through moderation to the board, extending and
expiring.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import OrganisationKind
from accounts.models import Organisation
from impactportal.audit.services import audit_log
from impactportal.workflow import TransitionNotAllowed, check_transition

from ..constants import POSTING_TRANSITIONS, PostingState
from ..models import HelpRequest, Offer
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


def _refresh_search_vector(posting) -> None:
    text_field = "story" if isinstance(posting, HelpRequest) else "description"
    type(posting).objects.filter(pk=posting.pk).update(
        search_vector=SearchVector("title", weight="A", config="dutch")
        + SearchVector(text_field, weight="B", config="dutch")
    )


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
def posting_withdraw_unanswered(*, posting, reason: str):
    """Take a live posting off the board that nobody can answer for any more (its writer
    deleted their account and no other member is left): withdrawn by the portal, with
    ``reason`` in the history."""
    posting = _locked(posting)
    _posting_transition(posting, PostingState.WITHDRAWN, actor=None, reason=reason)
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
