import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.roles import Role
from tests.conftest import totp_code
from tests.factories import UserFactory

LOGIN = "/account/login/"


def _login(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


@pytest.mark.django_db
def test_axes_locks_after_repeated_failures_even_with_the_right_password(client, user, password):
    statuses = [_login(client, user.email, "wrong-password-123").status_code for _ in range(5)]
    # Four wrong passwords show the form again; the fifth locks (axes, 5 failures).
    assert statuses == [200, 200, 200, 200, 429]
    response = _login(client, user.email, password)
    assert response.status_code == 429
    assert "Te veel mislukte inlogpogingen" in response.content.decode()
    assert AccessAttempt.objects.filter(username=user.email).exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_successful_login_before_the_limit_resets_failures(client, user, password):
    for _ in range(3):
        _login(client, user.email, "wrong-password-123")
    response = _login(client, user.email, password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_unverified_user_cannot_log_in(client, password):
    user = UserFactory(verified=False)
    response = _login(client, user.email, password)
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")


@pytest.mark.django_db
def test_admin_login_page_goes_through_allauth(client):
    response = client.get("/beheer/login/?next=/beheer/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_staff_without_totp_cannot_open_admin_pages(client):
    staff = UserFactory(roles=[Role.ACCOUNT_MANAGER], totp=False)
    client.force_login(staff)
    for path in ["/beheer/", "/beheer/accounts/organisation/", "/beheer/audit/auditlogentry/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_staff_with_totp_logs_in_with_a_code_and_reaches_admin(client, staff_with_totp, password):
    response = _login(client, staff_with_totp.email, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(staff_with_totp.totp_secret)}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_with_totp.pk)
    assert client.get("/beheer/").status_code == 200


@pytest.mark.django_db
def test_non_staff_never_reaches_admin(client, user):
    client.force_login(user)
    response = client.get("/beheer/", follow=True)
    assert response.status_code == 403
    assert response.redirect_chain == [("/beheer/login/?next=/beheer/", 302)]


@pytest.mark.django_db
def test_anonymous_admin_visit_ends_on_the_login_page(client):
    response = client.get("/beheer/accounts/user/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(LOGIN)


@pytest.mark.django_db
def test_mfa_requirement_can_be_switched_off_for_the_local_demo(client, settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = False
    staff = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])
    client.force_login(staff)
    assert client.get("/beheer/").status_code == 200


@pytest.mark.django_db
def test_password_reset_mail_goes_through_the_outbox_and_works(
    client, user, django_capture_on_commit_callbacks
):
    import re

    from impactportal.outbox.models import OutboxMessage
    from tests.mailbox import delivered

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    message = OutboxMessage.objects.get(recipient=user.email, kind="allauth/password_reset_key")
    assert message.state == OutboxMessage.State.SENT
    assert "/account/password/reset/key/" not in message.body_text  # gone once delivered
    link = re.search(
        r"http://testserver(/account/password/reset/key/\S+/)", delivered(message).body
    )
    response = client.get(link.group(1), follow=True)
    new_password = "nieuw-Wachtwoord-voor-2027"
    response = client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else link.group(1),
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


@pytest.mark.django_db
def test_password_reset_for_unknown_address_reveals_nothing(client):
    from impactportal.outbox.models import OutboxMessage

    response = client.post(reverse("account_reset_password"), {"email": "onbekend@example.nl"})
    assert response.status_code == 302
    assert not OutboxMessage.objects.filter(
        recipient="onbekend@example.nl", kind="allauth/password_reset_key"
    ).exists()
