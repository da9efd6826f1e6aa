"""Every admin list filters only by what it declares, and no admin shows a secret.

Django's admin accepts a lookup on any field in a changelist's address and shows how
many rows match, which reads any column one character at a time. The portal's admin
site refuses every lookup its admins do not declare (``impactportal.admin_site``); these
tests walk every registered admin, the third-party ones included.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.checks import Error
from django.db import models
from django.urls import reverse

from impactportal.admin_site import secret_fields, secret_fields_check
from impactportal.outbox.models import OutboxMessage
from servicepoint.models import FollowUp
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


def registered() -> list[tuple[type[models.Model], admin.ModelAdmin]]:
    return [
        (model, admin.site.get_model_admin(model))
        for model in apps.get_models()
        if admin.site.is_registered(model)
    ]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, staff=True))
    return client


def test_the_walk_covers_the_third_party_admins_too():
    labels = {model._meta.label_lower for model, _admin in registered()}
    assert {"account.emailaddress", "mfa.authenticator", "axes.accessattempt"} <= labels
    assert {"auth.group", "outbox.outboxmessage", "servicepoint.question"} <= labels


def test_a_lookup_on_any_field_that_is_not_declared_is_refused(superuser_client):
    """Also on declared filter fields: ``__regex`` is no lookup a list filter makes."""
    accepted = []
    for model, _model_admin in registered():
        url = changelist(model)
        assert superuser_client.get(url).status_code == 200, url
        for field in model._meta.get_fields():
            if not field.concrete:
                continue
            response = superuser_client.get(f"{url}?{field.name}__regex=a")
            if response.status_code != 400:
                accepted.append(f"{url}?{field.name}__regex=a -> {response.status_code}")
    assert not accepted, "\n".join(accepted)


def test_a_lookup_through_a_relation_is_refused(superuser_client):
    url = changelist(OutboxMessage)
    for query in ("recipient_user__password__regex=a", "recipient_user__email=a"):
        assert superuser_client.get(f"{url}?{query}").status_code == 400, query


def test_every_declared_filter_choice_and_date_level_still_works(superuser_client):
    QuestionFactory()
    OutboxMessage.objects.create(
        kind="t", recipient="a@example.nl", language="nl", subject="s", body_text="b"
    )
    broken = []
    opened = 0
    for model, model_admin in registered():
        url = changelist(model)
        response = superuser_client.get(url)
        cl = response.context["cl"]
        queries = [
            choice["query_string"] for spec in cl.filter_specs for choice in spec.choices(cl)
        ]
        if model_admin.date_hierarchy:
            queries.append(f"?{model_admin.date_hierarchy}__year=2026")
            queries.append(
                f"?{model_admin.date_hierarchy}__year=2026&{model_admin.date_hierarchy}__month=6"
            )
        for query in queries:
            opened += 1
            status = superuser_client.get(f"{url}{query}").status_code
            if status != 200:
                broken.append(f"{url}{query} -> {status}")
    assert opened > 50  # the walk reached the filters
    assert not broken, "\n".join(broken)


def test_no_admin_displays_searches_or_filters_a_secret():
    assert secret_fields_check() == []


def test_the_check_catches_an_admin_that_lists_a_secret(monkeypatch):
    follow_up_admin = admin.site.get_model_admin(FollowUp)
    monkeypatch.setattr(follow_up_admin, "list_display", ["question", "token"])
    monkeypatch.setattr(follow_up_admin, "search_fields", ["=token"])
    problems = secret_fields_check()
    assert [p.id for p in problems] == ["portal.E001", "portal.E001"]
    assert all(isinstance(p, Error) and "token" in p.msg for p in problems)


def test_secret_columns_are_declared_for_every_model_that_has_one():
    """A new token or key column is noticed: its name says what it is."""
    undeclared = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.BooleanField):  # a flag about a secret, not one
                continue
            name = field.name
            looks_secret = any(part in name for part in ("token", "secret", "_key", "session_data"))
            if looks_secret and name not in secret_fields(model) and not field.primary_key:
                undeclared.append(f"{model._meta.label}.{name}")
    assert not undeclared, undeclared


def test_no_admin_page_shows_a_follow_up_token(superuser_client):
    follow_up = FollowUp.objects.create(question=QuestionFactory())
    pages = [
        changelist(FollowUp),
        reverse("admin:servicepoint_followup_change", args=[follow_up.pk]),
        reverse("admin:servicepoint_question_change", args=[follow_up.question.pk]),
    ]
    for page in pages:
        response = superuser_client.get(page)
        assert response.status_code == 200, page
        assert follow_up.token not in response.content.decode(), page
