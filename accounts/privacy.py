"""AVG (GDPR): what the portal holds on a person, for export and for erasure.

Each app registers a section: an exporter returning JSON-ready data about one user,
and optionally an eraser that removes or anonymises that data when the account is
deleted. ``export_user`` and ``erase_user`` walk every registered section, so a new
app that stores personal data adds its section and is covered by both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class PrivacySection:
    name: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], None] | None = None


_SECTIONS: dict[str, PrivacySection] = {}


def register(
    name: str, *, export: Callable[[Any], Any], erase: Callable[[Any], None] | None = None
) -> None:
    _SECTIONS[name] = PrivacySection(name=name, export=export, erase=erase)


def export_user(user) -> dict[str, Any]:
    """Everything the portal holds on ``user``, one key per section."""
    return {
        "exported_at": timezone.now().isoformat(),
        "sections": {name: section.export(user) for name, section in sorted(_SECTIONS.items())},
    }


def erase_user(user) -> None:
    for section in _SECTIONS.values():
        if section.erase is not None:
            section.erase(user)


def _iso(value):
    return value.isoformat() if value else None


def _export_profile(user):
    return {
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "language": user.language,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "directorate": str(user.directorate) if user.directorate_id else None,
    }


def _export_email_addresses(user):
    from allauth.account.models import EmailAddress

    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("email")
    ]


def _erase_email_addresses(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()


def _export_authenticators(user):
    from allauth.mfa.models import Authenticator

    # The secrets themselves are never exported: they would let anyone log in.
    return [
        {
            "type": authenticator.type,
            "created_at": _iso(authenticator.created_at),
            "last_used_at": _iso(authenticator.last_used_at),
        }
        for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
    ]


def _erase_authenticators(user):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()


def _export_memberships(user):
    return [
        {
            "organisation": membership.organisation.name,
            "kind": membership.organisation.kind,
            "kvk_number": membership.organisation.kvk_number,
            "role": membership.role,
            "since": _iso(membership.created_at),
        }
        for membership in user.memberships.select_related("organisation").order_by("created_at")
    ]


def _erase_memberships(user):
    user.memberships.all().delete()


def _export_audit(user):
    from impactportal.audit.models import AuditLogEntry

    return [
        {
            "timestamp": _iso(entry.timestamp),
            "action": entry.action,
            "object": entry.object_repr,
            "changes": entry.changes,
        }
        for entry in AuditLogEntry.objects.filter(actor=user).order_by("timestamp")
    ]


def _erase_audit(user):
    from impactportal.audit.models import AuditLogEntry

    # The entries stay (the history of the objects must stay whole); the name goes.
    AuditLogEntry.objects.filter(actor=user).update(actor_label="verwijderde gebruiker")


def _export_notifications(user):
    from impactportal.outbox.models import OutboxMessage

    return [
        {
            "created_at": _iso(message.created_at),
            "to": message.recipient,
            "subject": message.subject,
            "state": message.state,
            "sent_at": _iso(message.sent_at),
            # A confirmation or reset mail's link proves ownership of a mailbox: it is
            # only ever in that mailbox, never in a download an account holder makes.
            "text": None if message.holds_secret else message.body_text,
        }
        for message in OutboxMessage.objects.filter(recipient_user=user).order_by("created_at")
    ]


def _erase_notifications(user):
    from impactportal.outbox.models import OutboxMessage

    messages = OutboxMessage.objects.filter(recipient_user=user)
    messages.filter(state__in=[OutboxMessage.State.PENDING, OutboxMessage.State.SENDING]).update(
        state=OutboxMessage.State.FAILED, last_error="Account deleted before delivery."
    )
    messages.update(
        recipient="verwijderd@anoniem.invalid",
        subject="",
        body_text="",
        body_html="",
        attachments=[],
        recipient_user=None,
    )


def register_builtin_sections() -> None:
    register("profile", export=_export_profile)
    register("email_addresses", export=_export_email_addresses, erase=_erase_email_addresses)
    register("two_factor", export=_export_authenticators, erase=_erase_authenticators)
    register("organisations", export=_export_memberships, erase=_erase_memberships)
    register("actions", export=_export_audit, erase=_erase_audit)
    register("notifications", export=_export_notifications, erase=_erase_notifications)
