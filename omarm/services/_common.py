"""What the posting, report and match services share: who is a member or the coordinator,
who gets an e-mail, and the row lock that makes a service read the current state.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.roles import Role
from impactportal.outbox.services import notify_user

User = get_user_model()


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


def _locked(posting):
    return type(posting).objects.select_for_update().get(pk=posting.pk)
