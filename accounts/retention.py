"""How long the accounts' own records are kept (registered in ``AccountsConfig.ready``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from impactportal.audit.models import AuditLogEntry
from impactportal.retention import registry
from impactportal.retention.helpers import ANONYMISED, deleted_count, pk_text

from . import services
from .models import Membership, User


def purge_axes_access_logs(cutoff: datetime, *, dry_run: bool) -> int:
    """django-axes records of logins and failed attempts (username, IP address, browser).
    Lockouts last hours, so records this old decide nothing any more."""
    querysets = [
        model.objects.filter(attempt_time__lt=cutoff)
        for model in (AccessLog, AccessAttempt, AccessFailureLog)
    ]
    if dry_run:
        return sum(queryset.count() for queryset in querysets)
    return sum(deleted_count(queryset.delete(), queryset.model) for queryset in querysets)


def purge_expired_sessions(cutoff: datetime, *, dry_run: bool) -> int:
    """Sessions that expired before ``cutoff`` (Django's ``clearsessions``)."""
    sessions = Session.objects.filter(expire_date__lt=cutoff)
    if dry_run:
        return sessions.count()
    return deleted_count(sessions.delete(), Session)


def purge_deleted_account_audit(cutoff: datetime, *, dry_run: bool) -> int:
    """Audit entries about an account that was deleted (anonymised) before ``cutoff``.
    Deletion already removed the person's name and addresses from them; what is left of
    the changed values (a language, a role) goes too. The entries stay."""
    entries = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id__in=pk_text(User.objects.filter(anonymised_at__lt=cutoff)),
    ).filter(~Q(object_repr=ANONYMISED) | ~Q(changes={}))
    if dry_run:
        return entries.count()
    return entries.update(object_repr=ANONYMISED, changes={})


def _never_verified(cutoff: datetime):
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    return User.objects.filter(
        date_joined__lt=cutoff, last_login__isnull=True, anonymised_at__isnull=True
    ).exclude(Exists(verified))


def purge_never_verified_accounts(cutoff: datetime, *, dry_run: bool) -> int:
    """Sign-ups whose address was never confirmed: the account never worked (allauth lets
    nobody in unverified) and nothing points at it. Deleted outright."""
    accounts = _never_verified(cutoff).filter(is_staff=False, is_superuser=False)
    if dry_run:
        return accounts.count()
    return deleted_count(accounts.delete(), User)


# How long a dormant account is warned before it is deleted.
DORMANCY_NOTICE = timedelta(days=30)


def _dormant(cutoff: datetime):
    return User.objects.filter(
        anonymised_at__isnull=True, is_superuser=False, is_active=True
    ).filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))


def purge_dormant_accounts(cutoff: datetime, *, dry_run: bool) -> int:
    """Accounts nobody logged in to for the whole period. First their owner is told by
    e-mail that the account goes unless they log in; an account still unused
    ``DORMANCY_NOTICE`` after that warning is deleted as its owner would delete it
    (``services.user_delete_account``: personal data removed, history kept). Logging in
    moves ``last_login`` past the cutoff, so the account leaves this kind.

    Counts the accounts deleted; the warnings are audited as ``user.dormancy_warned``."""
    dormant = _dormant(cutoff)
    due = dormant.filter(dormancy_warned_at__lt=timezone.now() - DORMANCY_NOTICE)
    if dry_run:
        return due.count()
    handled = 0
    for user in due.iterator():
        services.user_delete_account(user=user, actor=None)
        handled += 1
    for user in dormant.filter(dormancy_warned_at__isnull=True).iterator():
        services.user_warn_dormant(user=user, deletion_after=timezone.now() + DORMANCY_NOTICE)
    return handled


def keep_on_login(sender, request, user, **kwargs):
    """``user_logged_in``: a warned account that is used again is kept, and a later
    period without use starts over with a new warning."""
    if user.dormancy_warned_at is not None:
        User.objects.filter(pk=user.pk).update(dormancy_warned_at=None)
        user.dormancy_warned_at = None


def register_kinds() -> None:
    registry.register(
        "never_verified_accounts",
        outcome="deleted",
        purge=purge_never_verified_accounts,
        days=30,  # from signing up
        models=[User, EmailAddress],
    )
    registry.register(
        "dormant_accounts",
        outcome="anonymised",
        purge=purge_dormant_accounts,
        days=2 * 365,  # from the last login; deleted 30 days after a warning
        models=[User, EmailAddress, Authenticator, Membership],
    )
    registry.register(
        "axes_access_logs",
        outcome="deleted",
        purge=purge_axes_access_logs,
        days=180,  # from the login attempt
        models=[AccessLog, AccessAttempt, AccessFailureLog],
    )
    registry.register(
        "expired_sessions",
        outcome="deleted",
        purge=purge_expired_sessions,
        days=0,  # from expiry
        models=[Session],
    )
    registry.register(
        "deleted_account_audit",
        outcome="anonymised",
        purge=purge_deleted_account_audit,
        days=0,  # from the account's deletion
        models=[AuditLogEntry],
    )
