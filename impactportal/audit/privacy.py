"""The audit log in the AVG export and on account deletion.

The entries stay on deletion, because the history of every object must stay whole; what
identifies the person goes: the actor's label, and their addresses, name and phone number
wherever an entry's description, changes or data repeat them (a profile change, a
membership added for an address, a registration described by its participant).
"""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import JSONField, Q, TextField, Value
from django.db.models.functions import Cast, Replace

from impactportal import privacy

from .models import AuditLogEntry

DELETED_ACTOR = "verwijderde gebruiker"
REMOVED = "[verwijderd]"


def export_actions(user):
    return [
        {
            "timestamp": privacy.iso(entry.timestamp),
            "action": entry.action,
            "object": entry.object_repr,
            "changes": entry.changes,
        }
        for entry in AuditLogEntry.objects.filter(actor=user).order_by("timestamp")
    ]


def erase_actions(user):
    about_them = Q(actor=user) | Q(
        content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
    )
    AuditLogEntry.objects.filter(actor=user).update(actor_label=DELETED_ACTOR)
    for text in privacy.identifying_strings(user):
        # An address names one person wherever it appears; a name or phone number only in
        # the entries of their own doing or about their account (a namesake, a shared
        # office number in someone else's entry stay). Entries about what they owned (a
        # question, a registration) are scrubbed by that app's eraser.
        forget(text, within=None if "@" in text else about_them)


def forget(text: str, *, within: Q | None = None) -> None:
    """Replace ``text`` in the description, actor label, changes and data of the entries
    that mention it (only those matching ``within``, if given)."""
    # How the text appears inside a JSON string value (quotes and backslashes escaped).
    in_json = json.dumps(text, ensure_ascii=False)[1:-1]
    mentions = (
        Q(object_repr__icontains=text)
        | Q(actor_label__icontains=text)
        | Q(changes__icontains=in_json)
        | Q(data__icontains=in_json)
    )
    entries = AuditLogEntry.objects.filter(mentions)
    if within is not None:
        entries = entries.filter(within)
    entries.update(
        object_repr=Replace("object_repr", Value(text), Value(REMOVED)),
        actor_label=Replace("actor_label", Value(text), Value(REMOVED)),
        changes=Cast(
            Replace(Cast("changes", TextField()), Value(in_json), Value(REMOVED)), JSONField()
        ),
        data=Cast(Replace(Cast("data", TextField()), Value(in_json), Value(REMOVED)), JSONField()),
    )


def forget_texts(texts: list[str]) -> None:
    for text in texts:
        forget(text)


def register_sections() -> None:
    privacy.register_forgetter(forget_texts)
    privacy.register(
        "actions",
        export=export_actions,
        erase=erase_actions,
        models=[AuditLogEntry],
        order=900,  # after the other erasers, which may still describe objects by name
    )
