"""The probes of the security review, each run against the portal as it is now.

Each test repeats what the reviewer did end to end and shows it no longer works, next to
the legitimate path that must keep working. docs/security.md ("Findings of the account
takeover review") lists them with the fix.
"""

from __future__ import annotations

import io
import re

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessLog
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.constants import OrganisationKind
from accounts.roles import Role
from impactportal.outbox.models import OutboxMessage
from impactportal.storage import serve_private_image
from omarm.models import HelpRequest
from tests.events.test_registration import make_event
from tests.factories import (
    AssignmentFactory,
    DirectorateFactory,
    HelpRequestFactory,
    MatchFactory,
    MembershipFactory,
    OrganisationFactory,
    QuestionFactory,
    SupplierFactory,
    UserFactory,
)
from tests.mailbox import delivered

pytestmark = pytest.mark.django_db

GUEST_EMAIL = "gast.ondernemer@example.nl"
CONFIRM_LINK = re.compile(r"http://testserver(/account/confirm-email/[^\s/]+/)")


# 1. Guest questions taken over by adding their address ----------------------------------


def _add_address(client, email, capture):
    with capture(execute=True):
        response = client.post("/account/email/", {"email": email, "action_add": ""})
    assert response.status_code == 302
    return OutboxMessage.objects.get(recipient=email, kind="allauth/email_confirmation")


def test_adding_a_guests_address_gives_no_way_to_their_questions(
    client, user, django_capture_on_commit_callbacks
):
    question = QuestionFactory(requester=None, name="Gast", email=GUEST_EMAIL)
    client.force_login(user)
    mail = _add_address(client, GUEST_EMAIL, django_capture_on_commit_callbacks)

    # The confirmation belongs to whoever reads that mailbox, not to the account that
    # asked for it; once delivered its text is gone.
    assert mail.recipient_user is None
    assert mail.holds_secret
    assert not CONFIRM_LINK.search(mail.body_text)
    # The probe: the data download held the link. Now it holds no trace of the mail.
    download = client.get("/account/gegevens/").content.decode()
    assert "confirm-email" not in download
    assert GUEST_EMAIL not in [n["to"] for n in _notifications(download)]
    # Nothing was claimed or verified.
    assert client.get("/servicepunt/mijn-vragen/").content.decode().count(question.subject) == 0
    question.refresh_from_db()
    assert question.requester is None
    assert not EmailAddress.objects.get(user=user, email=GUEST_EMAIL).verified


def test_the_owner_of_the_mailbox_still_finds_their_guest_questions(
    client, user, django_capture_on_commit_callbacks
):
    """The legitimate path: the link in the mail itself proves the address."""
    question = QuestionFactory(requester=None, name="Gast", email=GUEST_EMAIL)
    client.force_login(user)
    mail = _add_address(client, GUEST_EMAIL, django_capture_on_commit_callbacks)
    link = CONFIRM_LINK.search(delivered(mail).body).group(1)
    assert client.post(link).status_code == 302
    question.refresh_from_db()
    assert question.requester == user
    assert question.subject in client.get("/servicepunt/mijn-vragen/").content.decode()


def test_an_address_marked_verified_by_staff_claims_nothing(client, user):
    """allauth's admin action "mark verified" proves nothing about the mailbox."""
    question = QuestionFactory(requester=None, name="Gast", email=GUEST_EMAIL)
    address = EmailAddress.objects.create(user=user, email=GUEST_EMAIL, verified=False)
    superuser = UserFactory(is_superuser=True, staff=True, totp=True)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:account_emailaddress_changelist"),
        {"action": "make_verified", "_selected_action": [address.pk]},
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified
    question.refresh_from_db()
    assert question.requester is None


def test_a_mail_with_a_link_is_not_in_the_download_even_before_it_is_sent(client, user):
    """Redis down: the mail waits in the outbox with its text, and still nobody sees it."""
    OutboxMessage.objects.create(
        kind="allauth/password_reset_key",
        recipient=user.email,
        recipient_user=user,
        language="nl",
        subject="Wachtwoord herstellen",
        body_text="http://testserver/account/password/reset/key/geheim-123/",
        holds_secret=True,
    )
    client.force_login(user)
    download = client.get("/account/gegevens/").content.decode()
    assert "geheim-123" not in download
    assert [n["text"] for n in _notifications(download)] == [None]


def _notifications(download: str) -> list[dict]:
    import json

    return json.loads(download)["sections"]["notifications"]


# 2. and 3. Admin list filters as an oracle ------------------------------------------------


def test_the_reset_key_oracle_in_the_outbox_list_is_refused(client, user):
    manager = UserFactory(roles=[Role.ACCOUNT_MANAGER])
    client.post(reverse("account_reset_password"), {"email": user.email})
    client.force_login(manager)
    outbox = reverse("admin:outbox_outboxmessage_changelist")
    for query in (
        "kind__startswith=allauth/&body_text__regex=^",
        "body_text__contains=reset",
        "body_html__regex=.",
        "recipient_user__password__startswith=md5",
    ):
        assert client.get(f"{outbox}?{query}").status_code == 400, query
    # The declared filters and the search box keep working.
    assert (
        client.get(f"{outbox}?state__exact=sent&kind__exact=allauth/password_reset_key").status_code
        == 200
    )
    assert client.get(f"{outbox}?q={user.email}").status_code == 200


def test_the_token_oracle_in_the_question_list_is_refused(client):
    directorate = DirectorateFactory()
    contact = UserFactory(roles=[Role.DIRECTORATE_CONTACT], directorate=directorate)
    question = QuestionFactory(requester=None, email=GUEST_EMAIL)
    AssignmentFactory(question=question, directorate=directorate)
    client.force_login(contact)
    questions = reverse("admin:servicepoint_question_changelist")
    assert client.get(questions).status_code == 200
    secret_lookups = [
        f"{name}__regex=^"
        for name in ("confirmation_token_hash", "access_key", "email", "follow_ups__token")
    ]
    for query in ["confirmation_token__regex=^", *secret_lookups]:
        assert client.get(f"{questions}?{query}").status_code == 400, query


# 4. Staff powers without a second factor ---------------------------------------------------


def test_a_coordinator_without_totp_exports_nothing_and_is_sent_to_set_it_up(client):
    coordinator = UserFactory(roles=[Role.COORDINATOR], totp=False)
    event = make_event(slug="impactcafe")
    company = OrganisationFactory(kind=OrganisationKind.COMPANY)
    supplier = SupplierFactory(organisation=company)
    match = MatchFactory()
    question = QuestionFactory()
    client.force_login(coordinator)
    staff_pages = [
        reverse("events:organiser_export", args=[event.slug]),
        reverse("procurement:edit", args=[supplier.slug]),
        reverse("omarm:match", args=[match.uuid]),
        reverse("monitor:index"),
        reverse("admin:index"),
        reverse("admin:servicepoint_question_change", args=[question.pk]),
    ]
    for page in staff_pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("mfa_activate_totp")), page
    # Public pages show what anyone sees; setting up the factor and leaving work.
    assert client.get(reverse("events:detail", args=[event.slug])).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(coordinator, generate_totp_secret())
    response = client.get(reverse("events:organiser_export", args=[event.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_staff_without_totp_see_a_draft_event_as_anyone_does(client):
    """The public pages are served as to a visitor: no staff view of drafts either."""
    coordinator = UserFactory(roles=[Role.COORDINATOR], totp=False)
    make_event(slug="concept", state="draft")
    client.force_login(coordinator)
    assert client.get("/agenda/concept/").status_code == 404


# 5. Lockout behind the proxy ----------------------------------------------------------------

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"


def _login_from(client, address, email, password):
    return client.post(
        "/account/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_behind_the_proxy_nobody_locks_another_persons_account(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # as in docker-compose.yml
    victim = UserFactory(roles=[Role.ACCOUNT_MANAGER], totp=False)
    attacker = client.__class__()
    for _ in range(6):
        _login_from(attacker, ATTACKER, victim.email, "geraden-Wachtwoord-1")
    # The attacker's own address is locked for this account ...
    locked = _login_from(attacker, ATTACKER, victim.email, "a-Strong-passw0rd-for-tests")
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # ... the owner, from their own address, logs in as ever.
    response = _login_from(client, VICTIM, victim.email, "a-Strong-passw0rd-for-tests")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(victim.pk)
    assert AccessLog.objects.get(username=victim.email).ip_address == VICTIM


def test_axes_reads_the_address_the_rest_of_the_portal_reads():
    from django.conf import settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "impactportal.ratelimit.client_ip"


# 6. An image named as a PDF ------------------------------------------------------------------


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 12), "blue").save(buffer, format="GIF")
    return buffer.getvalue()


def test_a_gif_named_pdf_is_stored_and_served_as_a_gif(client):
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL)
    owner = MembershipFactory(
        organisation=social, user=UserFactory(roles=[Role.SOCIAL_ORGANISATION])
    ).user
    client.force_login(owner)
    area = HelpRequestFactory().area
    response = client.post(
        "/omarm/hulpvraag/nieuw/",
        {
            "organisation": social.pk,
            "title": "Laptops voor het taalcafé",
            "story": "Wij zoeken laptops voor mensen die Nederlands leren.",
            "theme": "laaggeletterdheid",
            "help_kinds": ["materialen"],
            "area": area.pk,
            "wanted_by": "2099-01-01",
            "photo": SimpleUploadedFile("folder.pdf", _gif(), content_type="application/pdf"),
            "photo_description": "Een blauw vlak",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    request = HelpRequest.objects.get(title="Laptops voor het taalcafé")
    assert request.photo.name.endswith(".gif")
    assert "folder" not in request.photo.name
    served = serve_private_image(request.photo)
    assert served["Content-Type"] == "image/gif"
    served.close()


def test_an_image_stored_under_another_extension_is_never_served_inline():
    """Photos stored before the fix keep their uploaded name: they go out as a download."""
    request = HelpRequestFactory()
    request.photo.save("oud.pdf", ContentFile(_gif()), save=True)
    try:
        served = serve_private_image(request.photo)
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"].startswith("attachment")
        served.close()
    finally:
        request.photo.delete(save=False)
