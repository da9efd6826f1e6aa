"""Writes for accounts and organisations. Every change is audited."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from impactportal import privacy
from impactportal.audit.services import audit_diff, audit_log, audit_snapshot
from impactportal.outbox.services import notify_user

from .constants import MembershipRole
from .models import Membership, Organisation, User
from .roles import STAFF_ROLES, Role
from .validators import normalise_number

PROFILE_FIELDS = ("name", "phone", "language")
ORGANISATION_FIELDS = ("name", "kind", "kvk_number", "branch_number", "city", "website")


@transaction.atomic
def user_update_profile(*, user: User, actor: User | None, **values) -> User:
    """Change a user's own profile fields (name, phone, language)."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    before = audit_snapshot(user, values)
    for field, value in values.items():
        setattr(user, field, value)
    user.full_clean(
        exclude=[f.name for f in User._meta.fields if f.name not in values],
        validate_constraints=False,
    )
    user.save(update_fields=list(values))
    changes = audit_diff(before, audit_snapshot(user, values))
    if changes:
        audit_log(actor=actor, action="user.profile_changed", obj=user, changes=changes)
    return user


@transaction.atomic
def user_grant_role(*, user: User, role: Role, actor: User | None, directorate=None) -> None:
    """Give a user a role; staff roles also get admin access (and so need two-factor)."""
    role = Role(role)
    if role == Role.DIRECTORATE_CONTACT:
        if directorate is None:
            raise ValueError("A directorate contact needs a directorate")
        user.directorate = directorate
    user.groups.add(Group.objects.get(name=role.value))
    if role in STAFF_ROLES:
        user.is_staff = True
    user.save(update_fields=["directorate", "is_staff"])
    audit_log(
        actor=actor,
        action="user.role_granted",
        obj=user,
        data={"role": role.value, "directorate": str(directorate or "")},
    )


@transaction.atomic
def user_revoke_role(*, user: User, role: Role, actor: User | None) -> None:
    role = Role(role)
    user.groups.remove(Group.objects.get(name=role.value))
    if role == Role.DIRECTORATE_CONTACT:
        user.directorate = None
        user.save(update_fields=["directorate"])
    audit_log(actor=actor, action="user.role_revoked", obj=user, data={"role": role.value})
    user_sync_staff_flag(user=user, actor=actor)


def _holds_staff_role(user: User) -> bool:
    return user.groups.filter(name__in=[role.value for role in STAFF_ROLES]).exists()


@transaction.atomic
def user_sync_staff_flag(*, user: User, actor: User | None) -> None:
    """Staff roles and admin access go together: whoever holds a staff role's group is
    staff (and so needs two-factor), whoever holds none is not (superusers stay)."""
    is_staff = user.is_superuser or _holds_staff_role(user)
    if is_staff != user.is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
        audit_log(
            actor=actor,
            action="user.staff_changed",
            obj=user,
            changes={"is_staff": [not is_staff, is_staff]},
        )


@transaction.atomic
def organisation_create(
    *, actor: User | None, member: User | None = None, **values
) -> Organisation:
    """Register an organisation; ``member`` becomes its first administrator."""
    values["kvk_number"] = normalise_number(values.get("kvk_number", ""))
    values["branch_number"] = normalise_number(values.get("branch_number", ""))
    organisation = Organisation(**values)
    organisation.full_clean()
    organisation.save()
    audit_log(
        actor=actor,
        action="organisation.created",
        obj=organisation,
        changes=audit_diff({}, audit_snapshot(organisation, ORGANISATION_FIELDS)),
    )
    if member is not None:
        membership_add(
            organisation=organisation, user=member, role=MembershipRole.ADMIN, actor=actor
        )
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, actor: User | None, **values
) -> Organisation:
    """Change an organisation's details; the audit compares with what the database held."""
    before = audit_snapshot(Organisation.objects.get(pk=organisation.pk), ORGANISATION_FIELDS)
    for field in ("kvk_number", "branch_number"):
        if field in values:
            values[field] = normalise_number(values[field])
    for field, value in values.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save()
    changes = audit_diff(before, audit_snapshot(organisation, ORGANISATION_FIELDS))
    if changes:
        audit_log(actor=actor, action="organisation.changed", obj=organisation, changes=changes)
    return organisation


@transaction.atomic
def membership_add(*, organisation: Organisation, user: User, role: str, actor) -> Membership:
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    if created:
        audit_log(
            actor=actor,
            action="organisation.member_added",
            obj=organisation,
            data={"user": user.email, "role": role},
        )
        notify_user(
            user=user, template="accounts/membership_added", context={"organisation": organisation}
        )
    return membership


@transaction.atomic
def user_warn_dormant(*, user: User, deletion_after) -> None:
    """Tell the owner of an account nobody used for the retention period that it will be
    deleted after ``deletion_after`` unless they log in (``accounts.retention``)."""
    user.dormancy_warned_at = timezone.now()
    user.save(update_fields=["dormancy_warned_at"])
    audit_log(actor=None, action="user.dormancy_warned", obj=user)
    years = max(1, round((timezone.now() - (user.last_login or user.date_joined)).days / 365))
    notify_user(
        user=user,
        template="accounts/dormant_warning",
        context={"deletion_date": timezone.localdate(deletion_after), "years": years},
    )


@transaction.atomic
def user_delete_account(*, user: User, actor: User | None) -> None:
    """Remove a user's personal data while keeping the history other records point at.

    The user row stays (anonymised, inactive, no usable password) so questions, matches
    and audit entries keep a consistent author. Every app registers an eraser in
    ``impactportal.privacy`` for the personal data it holds; the sessions one logs the
    account out everywhere.
    """
    audit_log(actor=actor, action="user.deleted", obj=user)
    privacy.erase_user(user)
    placeholder = f"verwijderd-{user.uuid}@anoniem.invalid"
    user.email = placeholder
    user.name = ""
    user.phone = ""
    user.directorate = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.anonymised_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
