import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.test import RequestFactory

from accounts import services
from accounts.constants import MembershipRole
from accounts.models import Organisation, User
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.mark.django_db
def test_profile_requires_login(client):
    response = client.get("/account/profiel/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


@pytest.mark.django_db
def test_profile_update_is_saved_audited_and_switches_language(client, user):
    client.force_login(user)
    response = client.post(
        "/account/profiel/", {"name": "Sanne de Vries", "phone": "050 367 7777", "language": "en"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.language) == ("Sanne de Vries", "en")
    entry = AuditLogEntry.objects.get(action="user.profile_changed")
    assert entry.changes["language"] == ["nl", "en"]
    assert response.cookies["django_language"].value == "en"
    page = client.get("/account/profiel/").content.decode()
    assert '<html lang="en">' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "x" * 100_000, "phone": "", "language": "nl"}, "name"),
        ({"name": "Sanne", "phone": "bel me maar", "language": "nl"}, "phone"),
        ({"name": "Sanne", "phone": "", "language": "fr"}, "language"),
        ({"name": "Sanne", "phone": "", "language": ""}, "language"),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_changes(client, user, data, field):
    client.force_login(user)
    before = User.objects.values().get(pk=user.pk)
    response = client.post("/account/profiel/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.values().get(pk=user.pk) == before
    assert not AuditLogEntry.objects.exists()


@pytest.mark.django_db
def test_hostile_name_is_escaped(client, user):
    client.force_login(user)
    client.post(
        "/account/profiel/", {"name": "<script>alert(1)</script>", "phone": "", "language": "nl"}
    )
    page = client.get("/account/profiel/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_data_export_holds_my_data_and_nobody_elses(client, django_capture_on_commit_callbacks):
    me = UserFactory(name="Sanne de Vries", phone="0612345678")
    colleague = UserFactory(name="Kees Colleague")
    organisation = OrganisationFactory(name="Fietsenwerkplaats")
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_add(
            organisation=organisation, user=me, role=MembershipRole.ADMIN, actor=me
        )
        services.membership_add(
            organisation=organisation, user=colleague, role=MembershipRole.MEMBER, actor=me
        )
    services.user_update_profile(user=colleague, actor=colleague, name="Kees Anders")

    client.force_login(me)
    response = client.get("/account/gegevens/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)["sections"]
    assert data["profile"]["email"] == me.email
    assert data["profile"]["phone"] == "0612345678"
    assert data["email_addresses"] == [{"email": me.email, "verified": True, "primary": True}]
    assert [m["organisation"] for m in data["organisations"]] == ["Fietsenwerkplaats"]
    assert len(data["notifications"]) == 1 and data["notifications"][0]["to"] == me.email
    assert {a["action"] for a in data["actions"]} == {"organisation.member_added"}
    # The colleague's own changes and mail are not in my export. (Their address does
    # appear once, in the record of my own action of adding them.)
    others = {key: value for key, value in data.items() if key != "actions"}
    assert colleague.email not in json.dumps(others)
    assert "Kees" not in json.dumps(data)


@pytest.mark.django_db
def test_data_export_needs_login(client):
    assert client.get("/account/gegevens/").status_code == 302


def reauthenticate(client, password):
    """Confirm the password on allauth's page, where the deletion sent the user."""
    return client.post(
        "/account/reauthenticate/?next=/account/verwijderen/", {"password": password}
    )


@pytest.mark.django_db
def test_deleting_needs_a_fresh_reauthentication_and_a_wrong_password_changes_nothing(client, user):
    client.force_login(user)
    # A session alone is not enough: allauth keeps the request and asks who this is.
    response = client.post("/account/verwijderen/", {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/account/reauthenticate/?next=%2Faccount%2Fverwijderen%2F"
    response = reauthenticate(client, "niet-mijn-wachtwoord")
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    user.refresh_from_db()
    assert user.is_active and user.anonymised_at is None


@pytest.mark.django_db
def test_password_guessing_on_the_deletion_is_rate_limited(client, user, password):
    client.force_login(user)
    client.post("/account/verwijderen/", {"confirm": "on"})
    statuses = [reauthenticate(client, f"gok-{n}").status_code for n in range(6)]
    # The password check goes through authenticate(), so axes counts each failure as it
    # does a failed login and locks at the fifth (allauth's 5 per 5 minutes stands behind).
    assert statuses == [200] * 4 + [429] * 2
    # Locked, even the right password is not checked, and nothing is deleted.
    assert reauthenticate(client, password).status_code == 429
    user.refresh_from_db()
    assert user.is_active and user.anonymised_at is None


@pytest.mark.django_db
def test_delete_account_needs_the_confirmation_box(client, user, password):
    client.force_login(user)
    client.post("/account/verwijderen/", {})
    response = reauthenticate(client, password)  # allauth carries out the kept POST
    assert "confirm" in response.context["form"].errors
    assert User.objects.get(pk=user.pk).is_active


@pytest.mark.django_db
def test_delete_account_anonymises_and_keeps_history(
    client, password, django_capture_on_commit_callbacks
):
    user = UserFactory(name="Sanne de Vries", phone="0612345678")
    membership = MembershipFactory(user=user)
    organisation = membership.organisation
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_add(
            organisation=OrganisationFactory(), user=user, role="member", actor=None
        )
    services.user_update_profile(user=user, actor=user, name="Sanne V.")
    email = user.email
    client.force_login(user)

    assert client.post("/account/verwijderen/", {"confirm": "on"}).status_code == 302
    assert User.objects.get(pk=user.pk).is_active  # not before the password is confirmed
    response = reauthenticate(client, password)  # allauth carries out the kept POST
    assert response.status_code == 302
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert not user.is_active and user.anonymised_at
    assert user.name == "" and user.phone == ""
    assert re.fullmatch(r"verwijderd-[0-9a-f-]+@anoniem\.invalid", user.email)
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not user.memberships.exists()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    # History stays, without the name.
    entries = AuditLogEntry.objects.filter(actor=user)
    assert entries.filter(action="user.deleted").exists()
    assert set(entries.values_list("actor_label", flat=True)) == {"verwijderde gebruiker"}
    assert not OutboxMessage.objects.filter(recipient=email).exists()
    assert email not in json.dumps(
        list(AuditLogEntry.objects.values("actor_label", "object_repr")), default=str
    )
    # Logged out, and the old credentials no longer work.
    assert "_auth_user_id" not in client.session
    assert authenticate(RequestFactory().post("/"), email=email, password=password) is None
