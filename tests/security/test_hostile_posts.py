"""Hostile posts to every URL that takes one, generated from the permission matrix.

The walk of ``test_permission_matrix.py`` knows every URL, and for each one who may post
to it. Here each of those URLs gets hostile mutations of the form its page renders (or
of the payload the matrix posts), sent by the least privileged role that may post:

- never a server error, and any HTML answer shows the input escaped;
- a refused post says why: its form with errors, or a warning or error message (a
  redirect or a page that says nothing is a failure); 403, 404, 405, 413 and 429 are
  refusals by their nature;
- an accepted post changes no field the form does not offer: the state, owner,
  verification and organisation of every row (and of the rows it creates) are exactly
  what the untouched form changes.

A new URL that takes a post gets these cases without anyone adding them. The hand-made
cases in ``test_hostile_forms.py`` go deeper for some forms (round trips, files).
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from . import permission_matrix as matrix
from .hostile import assert_escaped, hostile_settings, is_html, mutations, rendered_forms
from .permission_matrix import ROLES, Outcome
from .test_permission_matrix import post_outcome_of, post_targets, world  # noqa: F401

# Fields that decide who owns something, what state it is in and whether it was checked.
PROTECTED = frozenset(
    {
        "state",
        "status",
        "owner",
        "requester",
        "sender",
        "author",
        "user",
        "organisation",
        "directorate",
        "account_manager",
        "verified_at",
        "verified_by",
        "approved_at",
        "is_staff",
        "is_superuser",
        "is_active",
        "is_published",
    }
)
PROJECT_APPS = ("accounts", "servicepoint", "omarm", "procurement", "events")

# Answers that refuse by their nature (the page explains itself).
REFUSING_STATUSES = {"403", "404", "405", "413", "429"}
# Pages that explain a refusal themselves: input with NUL bytes, and the admin asking to
# confirm a deletion again (it lists what would be deleted).
EXPLAINING_PAGES = {
    "400_nul_byte.html",
    "admin/delete_confirmation.html",
    "admin/delete_selected_confirmation.html",
}
# Each example posts twice (the untouched form and the mutation): the failing example is
# reported as drawn, without the many extra posts shrinking it would take.
NO_SHRINKING = (Phase.explicit, Phase.reuse, Phase.generate)


def _taken_up(outcome: Outcome) -> bool:
    return outcome in (matrix.MAY, matrix.RAN)


def _poster(expect) -> str | None:
    """Who sends the hostile posts: the least privileged role that may post; for a URL
    that sends everyone on (logging out, changing the language, a key in a link), a
    logged-in role before a visitor."""
    role = next((r for r in ROLES if _taken_up(expect[r])), None)
    if role is None:
        sent_on = [r for r in ROLES if expect[r] is matrix.REDIRECT]
        role = next((r for r in sent_on if r in matrix.LOGGED_IN), None)
        role = role or next(iter(sent_on), None)
    return role


def _collect() -> list[tuple[str, str, str]]:
    """(URL name, case, role) for every URL some role may post to, from the declarations
    (no database needed)."""
    found = []
    for name, entry in matrix.POST.items():
        cases = entry.items() if isinstance(entry, dict) else [("", entry)]
        for case, expect in cases:
            role = _poster(expect)
            if role is not None:
                found.append((name, case, role))
    for label, rule in matrix.ADMIN_MODELS.items():
        admin_name = "admin:" + label.replace(".", "_")
        for page in ("add", "change", "delete"):
            expect = rule.post_expect(page)
            role = _poster(expect)
            if role is not None and f"{admin_name}_{page}" not in matrix.POST:
                found.append((f"{admin_name}_{page}", "", role))
        for action in rule.all_actions():
            expect = rule.action_expect(action)
            role = _poster(expect)
            if role is not None:
                found.append((f"{admin_name}_changelist", action, role))
    return sorted(found)


_TARGETS = _collect()


def _protected_rows() -> dict:
    """Every row's protected fields, by model: {label: {pk: {field: value}}}."""
    rows = {}
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            names = [f.attname for f in model._meta.concrete_fields if f.name in PROTECTED]
            if names:
                rows[model._meta.label] = {
                    row.pop("pk"): row
                    for row in model._base_manager.values("pk", *names).iterator()
                }
    return rows


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    """The protected fields that changed in existing rows ({(label, pk, field): value}),
    and those of new rows ({label: sorted values})."""
    changed, created = {}, {}
    for label, rows in after.items():
        old = before.get(label, {})
        for pk, values in rows.items():
            if pk not in old:
                created.setdefault(label, []).append(tuple(sorted(map(str, values.items()))))
                continue
            for field, value in values.items():
                if old[pk][field] != value:
                    changed[(label, pk, field)] = value
    return changed, {label: sorted(values) for label, values in created.items()}


def _form_data(client, url: str, fallback: dict) -> tuple[dict, list[str]]:
    """The form the page renders posting to ``url`` (its values and text fields), or the
    payload of the matrix when the page shows no such form."""
    response = client.get(url)
    if response.status_code == 200 and is_html(response):
        path = urlsplit(url).path
        for form in rendered_forms(response.content.decode()):
            if form.method == "post" and urlsplit(form.action).path in ("", path):
                data = {**form.data(), **fallback}
                if data:
                    return data, sorted(
                        name for name, value in data.items() if isinstance(value, str)
                    )
    return dict(fallback), [name for name, value in fallback.items() if isinstance(value, str)]


def _post(client, cookies, url, data) -> tuple[str, object, tuple[dict, dict]]:
    """Post in a savepoint that is rolled back; the outcome, response and changes."""
    client.cookies = copy.deepcopy(cookies)
    cache.clear()
    with transaction.atomic():
        before = _protected_rows()
        response = client.post(url, data)
        if response.streaming:
            b"".join(response.streaming_content)
        changes = _changes(before, _protected_rows())
        outcome = post_outcome_of(response)
        transaction.set_rollback(True)
    return outcome, response, changes


@pytest.fixture(scope="module")
def posts(world, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        return {(post.name, post.case): post for post in post_targets(world)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "case", "role"),
    _TARGETS,
    ids=[f"{name}[{case}]-{role}" if case else f"{name}-{role}" for name, case, role in _TARGETS],
)
@hypothesis_settings(hostile_settings(4), phases=NO_SHRINKING)
@given(data=st.data())
def test_hostile_post(world, posts, settings, name, case, role, data):  # noqa: F811
    settings.PORTAL_REQUIRE_STAFF_MFA = True
    target = posts[(name, case)]
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    cookies = copy.deepcopy(client.cookies)
    base, text_fields = _form_data(client, target.url, target.data)
    clean_outcome, _response, (clean_changed, clean_created) = _post(
        client, cookies, target.url, base
    )
    payload = data.draw(mutations(base, text_fields=text_fields), label="payload")
    outcome, response, (changed, created) = _post(client, cookies, target.url, payload)

    assert not outcome.startswith("5"), f"{outcome} for {payload!r}"
    if is_html(response):
        assert_escaped(response.content.decode(), payload, where=f"answering {target.url}")
    pages = _templates(response)
    is_action = name.endswith("_changelist")
    offered = {key.split("-")[-1] for key in base}  # formset prefixes: "form-0-state"
    changed_by_form = {(label, field) for label, _pk, field in clean_changed}
    model = ""  # an action's form ticks any rows of its list, or all of them at once
    if is_action:
        rule = name.removeprefix("admin:").removesuffix("_changelist")
        model = next(
            apps.get_model(label)._meta.label
            for label in matrix.ADMIN_MODELS
            if label.replace(".", "_") == rule
        )

    def offers(key) -> bool:
        """The form offers the field, or the untouched form changes it; an admin action
        may change any row of its list (it offers a box per row and "select all")."""
        label, _pk, field = key
        if field in offered or field.removesuffix("_id") in offered or key in clean_changed:
            return True
        if not is_action:
            return False
        return (label, field) in changed_by_form or label == model

    taken_up = outcome == Outcome.REDIRECT.value or (outcome == clean_outcome == "200")
    if is_action and outcome == Outcome.REFUSED.value:
        taken_up = True  # an action may do some of the ticked rows and say why not the rest
    if taken_up:
        unexpected = {key: value for key, value in changed.items() if not offers(key)}
        assert not unexpected, f"fields the form does not offer changed: {unexpected}"
        for label, rows in created.items():
            assert len(rows) == len(clean_created.get(label, rows)), (
                f"{label}: {len(rows)} new rows, the untouched form makes "
                f"{len(clean_created.get(label, []))}"
            )
        return
    assert not changed, f"a refused post changed {changed}"
    if outcome in REFUSING_STATUSES or set(pages) & EXPLAINING_PAGES:
        return
    said_why = {
        Outcome.INVALID.value,
        Outcome.REFUSED.value,
        Outcome.NOT_OFFERED.value,
        Outcome.LISTED.value,
    }
    assert outcome in said_why, (
        f"a refused post must show a form error or a message, got {outcome} "
        f"(the untouched form: {clean_outcome}; pages: {pages})"
    )


def _templates(response) -> list[str]:
    return sorted({template.name for template in response.templates if template.name})
