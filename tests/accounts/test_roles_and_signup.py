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

_DESK = {
    "audit.view_auditlogentry",
    "outbox.view_outboxmessage",
    "accounts.view_user",
    "accounts.view_organisation",
    "accounts.view_membership",
    "accounts.view_directorate",
    "accounts.change_organisation",
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
}
# What each role may do, written out: a permission given to or taken from a role in
# accounts/roles.py must be given or taken here too, on purpose. The account manager may
# not change topics or routing rules; only the coordinator keeps the desk's setup.
PERMISSIONS = {
    "entrepreneur": set(),
    "social_organisation": set(),
    "procurement_officer": set(),
    "viewer": set(),
    "directorate_contact": {"audit.view_auditlogentry", "servicepoint.view_question"},
    "account_manager": _DESK,
    "coordinator": _DESK
    | {
        "accounts.add_organisation",
        "accounts.add_membership",
        "accounts.change_membership",
        "accounts.delete_membership",
        "accounts.add_directorate",
        "accounts.change_directorate",
        "outbox.view_capturedmail",
        "servicepoint.add_topic",
        "servicepoint.change_topic",
        "servicepoint.add_routingrule",
        "servicepoint.change_routingrule",
        "servicepoint.delete_routingrule",
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
        "events.view_event",
        "events.add_event",
        "events.change_event",
        "events.view_registrationquestion",
        "events.add_registrationquestion",
        "events.change_registrationquestion",
        "events.delete_registrationquestion",
        "events.view_registration",
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
    },
}


@pytest.mark.django_db
def test_every_role_has_a_group_with_exactly_the_permissions_written_here():
    assert {role.value for role in Role} == set(PERMISSIONS)
    for role, codes in PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == codes, role
    assert {role.value: set(codes) for role, codes in ROLE_PERMISSIONS.items()} == PERMISSIONS


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
