import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from accounts import services
from accounts.models import User
from accounts.roles import ROLE_PERMISSIONS, Role, sync_role_groups
from impactportal.outbox.models import OutboxMessage
from tests.factories import DirectorateFactory, UserFactory
from tests.mailbox import delivered


@pytest.mark.django_db
def test_every_role_has_a_group_with_exactly_its_permissions():
    for role, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == set(codes), role


@pytest.mark.django_db
def test_sync_removes_a_permission_that_was_added_by_hand():
    group = Group.objects.get(name=Role.ENTREPRENEUR)
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="delete_user"))
    sync_role_groups()
    assert not group.permissions.exists()


@pytest.mark.django_db
def test_directorate_contact_needs_a_directorate_and_becomes_staff():
    user = UserFactory()
    with pytest.raises(ValueError):
        services.user_grant_role(user=user, role=Role.DIRECTORATE_CONTACT, actor=None)
    directorate = DirectorateFactory(name="Vergunningen", slug="vergunningen")
    services.user_grant_role(
        user=user, role=Role.DIRECTORATE_CONTACT, actor=None, directorate=directorate
    )
    user = User.objects.get(pk=user.pk)
    assert user.is_staff and user.directorate == directorate
    assert user.has_role(Role.DIRECTORATE_CONTACT)
    assert not user.has_role(Role.COORDINATOR)
    services.user_revoke_role(user=user, role=Role.DIRECTORATE_CONTACT, actor=None)
    user = User.objects.get(pk=user.pk)
    assert not user.is_staff and user.directorate is None


@pytest.mark.django_db
def test_signup_sends_the_verification_through_the_outbox(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/signup/",
            {
                "name": "Ilse Jansen",
                "email": "ilse@example.nl",
                "password1": "een-lang-Wachtwoord-2026",
                "password2": "een-lang-Wachtwoord-2026",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="ilse@example.nl")
    assert user.name == "Ilse Jansen"
    message = OutboxMessage.objects.get(recipient="ilse@example.nl")
    assert message.state == OutboxMessage.State.SENT
    assert message.kind == "allauth/email_confirmation_signup"
    link = re.search(
        r"http://testserver(/account/confirm-email/\S+/)", delivered(message).body
    ).group(1)
    assert len(mail.outbox) == 1
    client.post(link)
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field",
    [
        (
            {
                "name": "",
                "email": "a@example.nl",
                "password1": "een-lang-Wachtwoord-2026",
                "password2": "een-lang-Wachtwoord-2026",
            },
            "name",
        ),
        (
            {
                "name": "A",
                "email": "geen-adres",
                "password1": "een-lang-Wachtwoord-2026",
                "password2": "een-lang-Wachtwoord-2026",
            },
            "email",
        ),
        (
            {"name": "A", "email": "a@example.nl", "password1": "kort1", "password2": "kort1"},
            "password1",
        ),
        (
            {
                "name": "A",
                "email": "a@example.nl",
                "password1": "password1234",
                "password2": "password1234",
            },
            "password1",
        ),
        (
            {
                "name": "x" * 300,
                "email": "a@example.nl",
                "password1": "een-lang-Wachtwoord-2026",
                "password2": "een-lang-Wachtwoord-2026",
            },
            "name",
        ),
        (
            {
                "name": "A",
                "email": "a" * 300 + "@example.nl",
                "password1": "een-lang-Wachtwoord-2026",
                "password2": "een-lang-Wachtwoord-2026",
            },
            "email",
        ),
    ],
)
def test_bad_signup_input_stores_nothing(client, data, field):
    response = client.post("/account/signup/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_language_is_dutch_unless_chosen(client, user):
    assert '<html lang="nl">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    client.cookies.clear()
    user.language = "en"
    user.save()
    client.force_login(user)
    assert '<html lang="en">' in client.get("/").content.decode()
