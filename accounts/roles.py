"""Roles are Django groups; this table is the single place that says what each may do.

``sync_role_groups`` runs after every ``migrate`` and sets each group's permissions to
exactly this table, so a permission removed here is removed from the database too.
Apps add their permissions to the table as they grow.
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    DIRECTORATE_CONTACT = "directorate_contact", _("Directorate contact")
    PROCUREMENT_OFFICER = "procurement_officer", _("Procurement officer")
    COORDINATOR = "coordinator", _("Coordinator")
    VIEWER = "viewer", _("Monitor reader")


# Roles whose holders work in the admin (they get is_staff and must use two-factor).
STAFF_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.DIRECTORATE_CONTACT, Role.COORDINATOR})

_VIEW_HISTORY = ["audit.view_auditlogentry"]
_READ_ACCOUNTS = [
    "accounts.view_user",
    "accounts.view_organisation",
    "accounts.view_membership",
    "accounts.view_directorate",
]

_SERVICEPOINT_DESK = [
    "servicepoint.view_question",
    "servicepoint.change_question",
    "servicepoint.view_topic",
    "servicepoint.view_routingrule",
    "servicepoint.view_followup",
    "servicepoint.view_cannedreply",
    "servicepoint.add_cannedreply",
    "servicepoint.change_cannedreply",
    "servicepoint.delete_cannedreply",
    "servicepoint.view_knowledgearticle",
    "servicepoint.add_knowledgearticle",
    "servicepoint.change_knowledgearticle",
]

_OMARM_COORDINATION = [
    "omarm.view_helprequest",
    "omarm.change_helprequest",
    "omarm.view_offer",
    "omarm.change_offer",
    "omarm.view_match",
    "omarm.change_match",
    "omarm.view_matchmessage",
    "omarm.view_report",
    "omarm.view_area",
    "omarm.add_area",
    "omarm.change_area",
    "omarm.view_challenge",
    "omarm.add_challenge",
    "omarm.change_challenge",
    "omarm.view_challengeteam",
    "omarm.add_challengeteam",
    "omarm.change_challengeteam",
    "omarm.delete_challengeteam",
]

_EVENTS_COORDINATION = [
    "events.view_event",
    "events.add_event",
    "events.change_event",
    "events.view_registrationquestion",
    "events.add_registrationquestion",
    "events.change_registrationquestion",
    "events.delete_registrationquestion",
    "events.view_registration",
]

_PROCUREMENT_COORDINATION = [
    "procurement.view_supplier",
    "procurement.add_supplier",
    "procurement.change_supplier",
    "procurement.view_label",
    "procurement.add_label",
    "procurement.change_label",
    "procurement.delete_label",
    "procurement.view_product",
    "procurement.add_product",
    "procurement.change_product",
    "procurement.delete_product",
    "procurement.view_category",
    "procurement.add_category",
    "procurement.change_category",
    "procurement.view_inquiry",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.ENTREPRENEUR: [],
    Role.SOCIAL_ORGANISATION: [],
    Role.PROCUREMENT_OFFICER: [],
    Role.DIRECTORATE_CONTACT: [*_VIEW_HISTORY, "servicepoint.view_question"],
    Role.ACCOUNT_MANAGER: [
        *_VIEW_HISTORY,
        *_READ_ACCOUNTS,
        "accounts.change_organisation",
        "outbox.view_outboxmessage",
        *_SERVICEPOINT_DESK,
    ],
    Role.COORDINATOR: [
        *_VIEW_HISTORY,
        *_READ_ACCOUNTS,
        "accounts.add_organisation",
        "accounts.change_organisation",
        "accounts.add_membership",
        "accounts.change_membership",
        "accounts.delete_membership",
        "accounts.add_directorate",
        "accounts.change_directorate",
        "outbox.view_outboxmessage",
        "outbox.view_capturedmail",
        *_SERVICEPOINT_DESK,
        "servicepoint.add_topic",
        "servicepoint.change_topic",
        "servicepoint.add_routingrule",
        "servicepoint.change_routingrule",
        "servicepoint.delete_routingrule",
        *_OMARM_COORDINATION,
        *_EVENTS_COORDINATION,
        *_PROCUREMENT_COORDINATION,
    ],
    # Council staff and others who read the programme monitor, and nothing else.
    Role.VIEWER: [],
}


def _permissions(codes: list[str]) -> list[Permission]:
    found = []
    for code in codes:
        app_label, codename = code.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def sync_role_groups() -> None:
    """Create each role's group and give it exactly the permissions in ROLE_PERMISSIONS."""
    from django.apps import apps

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(_permissions(codes))


def sync_role_groups_after_migrate(sender, **kwargs) -> None:
    sync_role_groups()


def role_label(name: str) -> str:
    try:
        return Role(name).label
    except ValueError:
        return name
