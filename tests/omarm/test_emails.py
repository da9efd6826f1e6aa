"""Every Omarm e-mail, driven through the service that sends it, in Dutch and English."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.utils.html import escape

from accounts.constants import OrganisationKind
from accounts.roles import Role
from impactportal.outbox.models import OutboxMessage
from omarm import services
from omarm.models import Area, HelpRequest, Offer
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "moderation_needed",
    "approved",
    "sent_back",
    "expired",
    "expiry_reminder",
    "reported",
    "match_started",
    "match_state_changed",
    "match_message",
    "story_submitted",
}
# An ampersand and quotes: escaped in the HTML part, never in the text part or subject.
TITLE = "Fietsen & sloten voor 'De Schakel'"
OFFER_TITLE = "Tien opgeknapte fietsen"
SIGN_OFF = {"nl": "Met vriendelijke groet,", "en": "Kind regards,"}


def outbox(kind: str):
    return OutboxMessage.objects.filter(kind=f"omarm/{kind}").order_by("pk")


def recipients(messages) -> set[str]:
    return {message.recipient for message in messages}


def emails(users) -> set[str]:
    return {user.email for user in users}


def check(message: OutboxMessage, language: str, *texts: str) -> None:
    """Rendered in the right language, whole, and about the right posting."""
    assert message.language == language
    assert message.subject and message.body_text and message.body_html
    for part in (message.subject, message.body_text, message.body_html):
        for leftover in ("{{", "}}", "{%", "%}", "%(", "None"):
            assert leftover not in part, (message.kind, leftover, part)
    assert SIGN_OFF[language] in message.body_text
    assert SIGN_OFF[language] in message.body_html
    assert "&amp;" not in message.body_text and "&amp;" not in message.subject
    for text in texts:
        assert text in message.body_text, (message.kind, text)
        assert escape(text) in message.body_html, (message.kind, text)


@pytest.fixture(params=["nl", "en"])
def language(request):
    return request.param


@pytest.fixture
def people(language):
    def member(organisation):
        user = UserFactory(language=language, roles=[Role.ENTREPRENEUR])
        MembershipFactory(user=user, organisation=organisation)
        return user

    social = OrganisationFactory(name="Stichting De Schakel", kind=OrganisationKind.SOCIAL)
    business = OrganisationFactory(
        name="Fietsenwinkel Het Wiel & Zn", kind=OrganisationKind.COMPANY
    )
    return {
        "coordinators": [
            UserFactory(language=language, roles=[Role.COORDINATOR]) for _ in range(2)
        ],
        "social": social,
        "social_members": [member(social), member(social)],
        "business": business,
        "business_members": [member(business)],
        "bystander": UserFactory(language=language, roles=[Role.ENTREPRENEUR]),
        "reporters": [UserFactory(language=language) for _ in range(3)],
    }


def new_request(people, *, wanted_by=date(2030, 6, 30)) -> HelpRequest:
    return services.request_create(
        user=people["social_members"][0],
        organisation=people["social"],
        title=TITLE,
        story="Nieuwe Groningers willen leren fietsen.",
        theme="kansen",
        help_kinds=["geld", "inzet"],
        area=Area.objects.get(slug="centrum"),
        wanted_by=wanted_by,
    )


def new_offer(people) -> Offer:
    return services.offer_create(
        user=people["business_members"][0],
        organisation=people["business"],
        title=OFFER_TITLE,
        description="Wij knappen fietsen op.",
        capacity="10 fietsen",
        help_kinds=["materialen"],
        area=Area.objects.get(slug="centrum"),
        valid_until=date(2030, 6, 30),
    )


def open_request(people) -> HelpRequest:
    request = new_request(people)
    services.posting_submit(posting=request, user=people["social_members"][0])
    services.posting_approve(posting=request, coordinator=people["coordinators"][0])
    return HelpRequest.objects.get(pk=request.pk)


# Postings ---------------------------------------------------------------------------------


def test_moderation_sent_back_and_approved(people, language):
    coordinator = people["coordinators"][0]
    owner, colleague = people["social_members"]
    request = new_request(people)

    services.posting_submit(posting=request, user=owner)
    [*to_coordinators] = outbox("moderation_needed")
    assert recipients(to_coordinators) == emails(people["coordinators"])
    for message in to_coordinators:
        check(message, language, TITLE, "Stichting De Schakel", "/beheer/omarm/")
        assert TITLE in message.subject
    if language == "en":
        assert to_coordinators[0].subject == f"Help request to approve: {TITLE}"

    services.posting_send_back(
        posting=request, coordinator=coordinator, reason="Voeg een foto & een datum toe."
    )
    sent_back = outbox("sent_back")
    assert recipients(sent_back) == emails([owner, colleague])
    for message in sent_back:
        check(message, language, TITLE, "Voeg een foto & een datum toe.", "/omarm/mijn/")
        assert TITLE in message.subject

    services.posting_submit(posting=request, user=colleague)
    assert outbox("moderation_needed").count() == 4
    services.posting_approve(posting=request, coordinator=coordinator)
    approved = outbox("approved")
    assert recipients(approved) == emails([owner, colleague])
    for message in approved:
        check(message, language, TITLE, request.get_absolute_url())
        assert TITLE in message.subject
        assert "2030" in message.body_text  # until when it is on the board
    # Nobody else heard about it.
    everyone = recipients(OutboxMessage.objects.all())
    assert people["bystander"].email not in everyone
    assert not everyone & emails(people["business_members"])


def test_offer_moderation_speaks_of_an_offer(people, language):
    offer = new_offer(people)
    services.posting_submit(posting=offer, user=people["business_members"][0])
    message = outbox("moderation_needed").first()
    check(message, language, OFFER_TITLE, "Fietsenwinkel Het Wiel & Zn")
    if language == "en":
        assert message.subject == f"Offer to approve: {OFFER_TITLE}"
        assert f"“{OFFER_TITLE}” (offer)" in message.body_text
    services.posting_approve(posting=offer, coordinator=people["coordinators"][0])
    [approved] = outbox("approved")
    assert approved.recipient == people["business_members"][0].email
    check(approved, language, OFFER_TITLE, offer.get_absolute_url())


def test_expiry_reminder_and_expired(people, language):
    request = open_request(people)
    services.send_expiry_reminders(today=date(2030, 6, 25))
    reminders = outbox("expiry_reminder")
    assert recipients(reminders) == emails(people["social_members"])
    for message in reminders:
        check(message, language, TITLE, "/omarm/mijn/")
        assert TITLE in message.subject and "2030" in message.subject

    services.expire_due_postings(today=date(2030, 7, 1))
    expired = outbox("expired")
    assert recipients(expired) == emails(people["social_members"])
    for message in expired:
        check(message, language, TITLE, "/omarm/mijn/")
        assert TITLE in message.subject
    request.refresh_from_db()
    assert not request.is_public


def test_three_reports_hide_it_and_tell_the_coordinators(people, language):
    request = open_request(people)
    first, second, third = people["reporters"]
    services.request_report(request=request, reporter=first, reason="Reclame")
    services.request_report(request=request, reporter=second, reason="Klopt niet")
    assert not outbox("reported").exists()
    services.request_report(request=request, reporter=third, reason="Ongepast")
    reported = outbox("reported")
    assert recipients(reported) == emails(people["coordinators"])
    for message in reported:
        check(message, language, TITLE, "Stichting De Schakel", "3", "/beheer/omarm/")
        assert TITLE in message.subject


# Matches ----------------------------------------------------------------------------------


def test_match_life_cycle(people, language, django_capture_on_commit_callbacks):
    request = open_request(people)
    helper = people["business_members"][0]
    owner, colleague = people["social_members"]
    both_sides = emails([helper, owner, colleague])

    with django_capture_on_commit_callbacks(execute=True):
        match = services.match_offer_help(
            request=request,
            business=people["business"],
            user=helper,
            message="Wij hebben tien fietsen.",
        )
    started = outbox("match_started")
    assert recipients(started) == both_sides
    for message in started:
        check(message, language, TITLE, "Fietsenwinkel Het Wiel & Zn", match.get_absolute_url())
        assert TITLE in message.subject
    # Delivered, with the HTML part.
    delivered = [m for m in mail.outbox if m.to[0] in both_sides]
    assert len(delivered) == 3
    assert delivered[0].alternatives[0][1] == "text/html"

    # The other side answers: a message for the rest; the message is the news that they
    # are in conversation now, so there is no separate state e-mail.
    services.match_message_add(match=match, author=owner, body="Graag! Wanneer & waar?")
    messages = outbox("match_message")
    assert recipients(messages) == emails([helper, colleague])
    for message in messages:
        check(
            message, language, TITLE, "Graag! Wanneer & waar?", owner.name, match.get_absolute_url()
        )
        assert TITLE in message.subject and owner.name in message.subject
    assert not outbox("match_state_changed").exists()

    services.match_transition(match=match, to="matched", actor=helper)
    services.match_complete(
        match=match,
        actor=owner,
        result_story="Twaalf mensen fietsen nu zelf naar hun werk.",
        hours=Decimal("12.5"),
        counts_for_social_return=True,
        social_return_eur=Decimal("750.00"),
    )
    changes = outbox("match_state_changed")
    # matched (by the helper) and completed (by the owner): the two others each time
    assert changes.count() == 2 * 2
    assert {m.recipient for m in changes} == both_sides
    for message in changes:
        check(message, language, TITLE)
    stories = outbox("story_submitted")
    assert recipients(stories) == emails(people["coordinators"])
    for message in stories:
        check(
            message,
            language,
            TITLE,
            "Twaalf mensen fietsen nu zelf naar hun werk.",
            "12,5" if language == "nl" else "12.5",
            "/beheer/omarm/",
        )
        assert TITLE in message.subject


def test_broken_off_match_gives_the_reason(people, language):
    request = open_request(people)
    helper = people["business_members"][0]
    match = services.match_offer_help(
        request=request, business=people["business"], user=helper, message=""
    )
    services.match_transition(
        match=match, to="broken_off", actor=helper, reason="Onze fietsen zijn al weg & verkocht."
    )
    [*broken] = outbox("match_state_changed")
    # Everybody but the person who broke it off.
    assert recipients(broken) == emails(people["social_members"])
    for message in broken:
        check(message, language, TITLE, "Onze fietsen zijn al weg & verkocht.")


def test_interest_in_an_offer_names_the_offer(people, language):
    offer = new_offer(people)
    services.posting_submit(posting=offer, user=people["business_members"][0])
    services.posting_approve(posting=offer, coordinator=people["coordinators"][0])
    request = open_request(people)
    services.match_show_interest(
        offer=offer,
        social_organisation=people["social"],
        user=people["social_members"][0],
        message="Interesse!",
        request=request,
    )
    started = outbox("match_started")
    assert recipients(started) == emails(people["social_members"] + people["business_members"])
    for message in started:
        check(message, language, OFFER_TITLE, TITLE)


def test_every_template_is_sent_by_a_service(people, language):
    """One tour through the services sends each of the ten templates, all rendered whole."""
    coordinator, helper = people["coordinators"][0], people["business_members"][0]
    owner = people["social_members"][0]
    request = open_request(people)  # moderation_needed, approved
    other = new_request(people)
    services.posting_submit(posting=other, user=owner)
    services.posting_send_back(posting=other, coordinator=coordinator, reason="Korter.")
    services.send_expiry_reminders(today=date(2030, 6, 24))
    for reporter in people["reporters"]:
        services.request_report(request=request, reporter=reporter, reason="Spam")
    services.request_review_reports(request=request, coordinator=coordinator, keep=True)
    match = services.match_offer_help(
        request=request, business=people["business"], user=helper, message="Wij helpen."
    )
    services.match_message_add(match=match, author=owner, body="Dank u wel.")
    services.match_transition(match=match, to="matched", actor=owner)
    services.match_complete(match=match, actor=helper, result_story="Het is gelukt.")
    services.expire_due_postings(today=date(2030, 7, 1))

    sent = OutboxMessage.objects.all()
    assert {message.kind for message in sent} == {f"omarm/{name}" for name in TEMPLATES}
    for message in sent:
        check(message, language, TITLE)
