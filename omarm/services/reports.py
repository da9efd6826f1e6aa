"""Reports on help requests: enough of them hide a request until the coordinator decides."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from impactportal.audit.services import audit_log

from ..constants import REPORT_THRESHOLD, PostingState
from ..models import HelpRequest, Report
from ._common import _check_coordinator, _coordinators, _locked, _notify, is_member
from .postings import _posting_transition


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
