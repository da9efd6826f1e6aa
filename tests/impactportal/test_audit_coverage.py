"""Every edit made in the admin leaves an audit entry: the walk opens the change page of
every registered model the admin lets a superuser change, changes a text field, saves,
and looks for the entry; and deletes one object of every model it may delete."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import RequestFactory
from django.urls import reverse

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from tests.factories import UserFactory
from tests.security.hostile import rendered_forms
from tests.security.test_permission_matrix import build_world

pytestmark = pytest.mark.django_db

EDITED = " (bijgewerkt)"


def _registered():
    for model in apps.get_models():
        if admin.site.is_registered(model):
            yield model, admin.site.get_model_admin(model)


def _entries(obj) -> int:
    return AuditLogEntry.objects.filter(
        content_type__app_label=obj._meta.app_label,
        content_type__model=obj._meta.model_name,
        object_id=str(obj.pk),
    ).count()


def _text_field(model_admin, request, obj, posted: dict) -> str | None:
    """A plain text field of the change form that can take a few more characters."""
    form = model_admin.get_form(request, obj)
    for name, field in form.base_fields.items():
        value = posted.get(name)
        max_length = getattr(field, "max_length", None)
        if (
            isinstance(value, str)
            and type(field).__name__ in ("CharField", "RegexField")
            and (max_length is None or len(value) + len(EDITED) <= max_length)
            and not name.endswith(("slug", "code"))
        ):
            return name
    return None


@pytest.fixture
def walk(client):
    build_world()
    # The walk's event images were saved without the description the form requires.
    from events.models import Event

    Event.objects.exclude(image="").update(image_description="Mensen aan een tafel")
    # The coordinator role too: some pages check the role, not only the permission.
    superuser = UserFactory(is_superuser=True, roles=[Role.COORDINATOR])
    client.force_login(superuser)
    request = RequestFactory().get("/")
    request.user = superuser
    return client, request


def _not_the_walkers(model, walker):
    """Objects to delete, newest first, never the walker's own (their authenticator app:
    without it the walk would be sent to set one up)."""
    objects = model._default_manager.order_by("-pk")
    if any(field.name == "user" for field in model._meta.fields):
        objects = objects.exclude(user=walker)
    return objects


def test_every_admin_change_is_in_the_audit_log(walk):
    client, request = walk
    checked, missing = [], []
    for model, model_admin in _registered():
        obj = model._default_manager.order_by("pk").first()
        if obj is None or not model_admin.has_change_permission(request, obj):
            continue
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
        )
        page = client.get(url)
        assert page.status_code == 200, url
        forms = [f for f in rendered_forms(page.content.decode()) if f.method == "post"]
        form = next((f for f in forms if f.action in ("", url)), None)
        if form is None:
            continue
        data = form.data()
        name = _text_field(model_admin, request, obj, data)
        if name is None:
            continue
        before = _entries(obj)
        new = data[name] + EDITED if data[name] else EDITED.strip(" ()")
        response = client.post(url, {**data, name: new, "_save": "Opslaan"})
        if response.status_code != 302:
            errors = response.context and response.context.get("errors")
            missing.append(f"{model._meta.label}: refused ({response.status_code}) {errors}")
            continue
        checked.append(model._meta.label)
        if _entries(obj) <= before:
            missing.append(f"{model._meta.label}: no audit entry for a change of {name!r}")
    assert not missing, "\n".join(missing)
    # The walk reached the configuration the issue named and more.
    assert {
        "servicepoint.Topic",
        "servicepoint.RoutingRule",
        "servicepoint.CannedReply",
        "omarm.Challenge",
        "omarm.Area",
    } <= set(checked), checked
    assert not LogEntry.objects.exists()  # the audit log is the one history


def test_a_change_records_the_old_and_the_new_value(walk):
    client, _request = walk
    from servicepoint.models import Topic

    topic = Topic.objects.order_by("pk").first()
    url = reverse("admin:servicepoint_topic_change", args=[topic.pk])
    [form] = [f for f in rendered_forms(client.get(url).content.decode()) if f.action == ""]
    old = form.data()["name"]
    client.post(url, {**form.data(), "name": "Vergunningen en ontheffingen", "_save": "1"})
    entry = AuditLogEntry.objects.filter(action="admin.servicepoint.topic.changed").latest("pk")
    assert entry.changes == {"name": [old, "Vergunningen en ontheffingen"]}
    assert entry.object_id == str(topic.pk)


def test_every_admin_deletion_is_in_the_audit_log(walk):
    client, request = walk
    missing = []
    for model, model_admin in _registered():
        if model._meta.label == "accounts.User":
            continue  # accounts are deleted by anonymising them (accounts.services)
        obj = _not_the_walkers(model, request.user).first()
        if obj is None or not model_admin.has_delete_permission(request, obj):
            continue
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[obj.pk]
        )
        response = client.post(url, {"post": "yes"})
        if response.status_code != 302:
            continue  # protected by related rows: nothing was deleted
        label = f"admin.{model._meta.label_lower}.deleted"
        if not AuditLogEntry.objects.filter(action=label, object_id=str(obj.pk)).exists():
            missing.append(model._meta.label)
    assert not missing, missing
