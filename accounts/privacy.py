"""What the accounts hold on a person, for the AVG export and on account deletion.

Registered in ``AccountsConfig.ready`` through ``impactportal.privacy``. The account row
itself stays on deletion (anonymised by ``services.user_delete_account``), so that
questions, matches and audit entries keep a consistent author.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session

from impactportal import privacy
from impactportal.privacy import iso

from .models import Membership, Organisation, User


def _export_profile(user):
    return {
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "language": user.language,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "directorate": str(user.directorate) if user.directorate_id else None,
    }


def _export_email_addresses(user):
    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("email")
    ]


def _erase_email_addresses(user):
    EmailAddress.objects.filter(user=user).delete()


def _export_authenticators(user):
    # The secrets themselves are never exported: they would let anyone log in.
    return [
        {
            "type": authenticator.type,
            "created_at": iso(authenticator.created_at),
            "last_used_at": iso(authenticator.last_used_at),
        }
        for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
    ]


def _erase_authenticators(user):
    Authenticator.objects.filter(user=user).delete()


def _export_memberships(user):
    return [
        {
            "organisation": membership.organisation.name,
            "kind": membership.organisation.kind,
            "kvk_number": membership.organisation.kvk_number,
            "role": membership.role,
            "since": iso(membership.created_at),
        }
        for membership in user.memberships.select_related("organisation").order_by("created_at")
    ]


def _erase_memberships(user):
    user.memberships.all().delete()


def _login_names(user) -> list[str]:
    """The login names axes recorded for the account: its addresses."""
    return [text for text in privacy.identifying_strings(user) if "@" in text]


def _export_logins(user):
    """The logins and failed attempts recorded for the account's addresses (lockout and
    accountability), newest first."""
    names = _login_names(user)

    def rows(model):
        return [
            {"at": iso(row.attempt_time), "ip_address": row.ip_address, "browser": row.user_agent}
            for row in model.objects.filter(username__in=names).order_by("-attempt_time")
        ]

    return {"logins": rows(AccessLog), "failed_attempts": rows(AccessFailureLog)}


def _erase_logins(user):
    names = _login_names(user)
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        model.objects.filter(username__in=names).delete()


def _export_sessions(user):
    """How many browsers are logged in now (the session contents are the portal's own)."""
    return {"active_sessions": len(_session_keys(user))}


def _erase_sessions(user):
    Session.objects.filter(pk__in=_session_keys(user)).delete()


def _session_keys(user) -> list[str]:
    from django.utils import timezone

    user_pk = str(user.pk)
    return [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_pk
    ]


def register_sections() -> None:
    privacy.register("profile", export=_export_profile, models=[User])
    privacy.register(
        "organisations", export=_export_memberships, erase=_erase_memberships, models=[Membership]
    )
    privacy.register(
        "two_factor",
        export=_export_authenticators,
        erase=_erase_authenticators,
        models=[Authenticator],
    )
    privacy.register(
        "logins",
        export=_export_logins,
        erase=_erase_logins,
        models=[AccessLog, AccessAttempt, AccessFailureLog],
        order=950,  # reads the addresses, so before they go
    )
    privacy.register("sessions", export=_export_sessions, erase=_erase_sessions, models=[Session])
    # Last: the other erasers look the person's addresses up here.
    privacy.register(
        "email_addresses",
        export=_export_email_addresses,
        erase=_erase_email_addresses,
        models=[EmailAddress],
        order=1000,
    )
    privacy.exempt(
        "accounts.Directorate",
        "A directorate's name and shared mailbox: the municipality's, not a person's.",
    )
    privacy.exempt(
        Organisation,
        "An organisation's registered name, KvK and branch number and city: the business "
        "register's public data. Its members are in Membership, a section of their own.",
    )
