"""Beat tasks of Omarm: the reminder a week before the end date, and expiry."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.constants import OrganisationKind
from accounts.roles import Role
from impactportal.outbox.models import OutboxMessage
from omarm import services, tasks
from omarm.constants import PostingState
from omarm.models import Area, HelpRequest, Offer
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
END = date(2026, 6, 30)  # a Tuesday


def frozen(*args):
    return time_machine.travel(datetime(*args, tzinfo=AMSTERDAM), tick=False)


def outbox(kind: str):
    return OutboxMessage.objects.filter(kind=f"omarm/{kind}")


@pytest.fixture
def coordinator():
    return UserFactory(roles=[Role.COORDINATOR])


def organisation(kind, name, members=2):
    org = OrganisationFactory(name=name, kind=kind)
    users = [
        MembershipFactory(organisation=org, user=UserFactory(language="nl")).user
        for _ in range(members)
    ]
    return org, users


@pytest.fixture
def asker():
    return organisation(OrganisationKind.SOCIAL, "Stichting De Schakel")


@pytest.fixture
def company():
    return organisation(OrganisationKind.COMPANY, "Fietsenwinkel Het Wiel", members=1)


def open_request(asker, coordinator, *, wanted_by=END, title="Fietsen voor statushouders"):
    org, users = asker
    with frozen(2026, 5, 1, 10, 0):
        request = services.request_create(
            user=users[0],
            organisation=org,
            title=title,
            story="Nieuwe Groningers willen leren fietsen.",
            theme="kansen",
            help_kinds=["geld", "inzet"],
            area=Area.objects.get(slug="centrum"),
            wanted_by=wanted_by,
        )
        services.posting_submit(posting=request, user=users[0])
        services.posting_approve(posting=request, coordinator=coordinator)
    return HelpRequest.objects.get(pk=request.pk)


def open_offer(company, coordinator, *, valid_until=END):
    org, users = company
    with frozen(2026, 5, 1, 10, 0):
        offer = services.offer_create(
            user=users[0],
            organisation=org,
            title="Tien opgeknapte fietsen",
            description="Wij knappen fietsen op.",
            capacity="10 fietsen",
            help_kinds=["materialen"],
            area=Area.objects.get(slug="centrum"),
            valid_until=valid_until,
        )
        services.posting_submit(posting=offer, user=users[0])
        services.posting_approve(posting=offer, coordinator=coordinator)
    return Offer.objects.get(pk=offer.pk)


# Reminders --------------------------------------------------------------------------------


def test_reminder_a_week_before_the_end_date_exactly_once(asker, company, coordinator):
    request = open_request(asker, coordinator)
    offer = open_offer(company, coordinator)

    with frozen(2026, 6, 22, 8, 0):  # eight days before
        assert tasks.send_expiry_reminders() == 0
    assert not outbox("expiry_reminder").exists()

    with frozen(2026, 6, 23, 8, 0):  # seven days before
        assert tasks.send_expiry_reminders() == 2
        assert tasks.send_expiry_reminders() == 0  # beat ran twice
    with frozen(2026, 6, 24, 8, 0):
        assert tasks.send_expiry_reminders() == 0

    reminders = outbox("expiry_reminder")
    assert sorted(reminders.values_list("recipient", flat=True)) == sorted(
        user.email for user in asker[1] + company[1]
    )
    request.refresh_from_db()
    offer.refresh_from_db()
    assert request.expiry_reminder_sent_at is not None
    assert offer.expiry_reminder_sent_at is not None
    about_request = reminders.get(recipient=asker[1][0].email)
    assert "Fietsen voor statushouders" in about_request.subject
    assert "30 juni 2026" in about_request.subject
    assert "/omarm/mijn/" in about_request.body_text


def test_extending_resets_the_reminder_for_the_new_date(asker, coordinator):
    request = open_request(asker, coordinator)
    with frozen(2026, 6, 23, 8, 0):
        assert tasks.send_expiry_reminders() == 1
    with frozen(2026, 6, 24, 14, 0):
        services.posting_extend(posting=request, user=asker[1][1], until=date(2026, 7, 31))
    request.refresh_from_db()
    assert request.wanted_by == date(2026, 7, 31)
    assert request.expiry_reminder_sent_at is None
    assert request.state == PostingState.OPEN

    with frozen(2026, 6, 25, 8, 0):  # the old date is near, but no longer the end date
        assert tasks.send_expiry_reminders() == 0
    with frozen(2026, 7, 24, 8, 0):
        assert tasks.send_expiry_reminders() == 1
        assert tasks.send_expiry_reminders() == 0
    newest = outbox("expiry_reminder").filter(recipient=asker[1][0].email).first()
    assert "31 juli 2026" in newest.subject
    assert outbox("expiry_reminder").count() == 2 * len(asker[1])


def test_no_reminder_for_postings_that_are_not_open(asker, coordinator):
    org, users = asker
    draft = services.request_create(
        user=users[0],
        organisation=org,
        title="Nog een concept",
        story="Tekst.",
        theme="armoede",
        help_kinds=["geld"],
        area=Area.objects.get(slug="oost"),
        wanted_by=END,
    )
    with frozen(2026, 6, 23, 8, 0):
        assert tasks.send_expiry_reminders() == 0
    draft.refresh_from_db()
    assert draft.expiry_reminder_sent_at is None


# Expiry -----------------------------------------------------------------------------------


def test_expiry_closes_open_postings_past_their_date_and_tells_the_owners(
    asker, company, coordinator
):
    request = open_request(asker, coordinator)
    offer = open_offer(company, coordinator)
    later = open_request(asker, coordinator, wanted_by=date(2026, 7, 15), title="Later")
    assert request.is_public

    with frozen(2026, 6, 30, 6, 30):  # the end date itself still counts
        assert tasks.expire_postings() == 0
    with frozen(2026, 7, 1, 6, 30):
        assert tasks.expire_postings() == 2
        assert tasks.expire_postings() == 0  # beat ran twice: nobody is told twice

    request.refresh_from_db()
    offer.refresh_from_db()
    later.refresh_from_db()
    assert request.state == offer.state == PostingState.EXPIRED
    assert not request.is_public and not offer.is_public
    assert request.closed_at is not None
    assert later.state == PostingState.OPEN
    expired = outbox("expired")
    assert sorted(expired.values_list("recipient", flat=True)) == sorted(
        user.email for user in asker[1] + company[1]
    )
    mail = expired.get(recipient=asker[1][0].email)
    assert "Fietsen voor statushouders" in mail.subject
    assert "/omarm/mijn/" in mail.body_text
    # The public board no longer lists it.
    public = [r for r in HelpRequest.objects.filter(state=PostingState.OPEN) if r.is_public]
    assert request not in public


def test_extending_an_expired_request_puts_it_back_on_the_board(asker, coordinator):
    request = open_request(asker, coordinator)
    with frozen(2026, 7, 1, 6, 30):
        tasks.expire_postings()
    with frozen(2026, 7, 2, 11, 0):
        services.posting_extend(posting=request, user=asker[1][0], until=date(2026, 9, 1))
    request.refresh_from_db()
    assert request.state == PostingState.OPEN
    assert request.is_public
    assert request.closed_at is None
    assert request.wanted_by == date(2026, 9, 1)
    # And it gets its reminder (and in time its expiry) for the new date.
    with frozen(2026, 8, 25, 8, 0):
        assert tasks.send_expiry_reminders() == 1
    with frozen(2026, 9, 2, 6, 30):
        assert tasks.expire_postings() == 1
    assert outbox("expired").count() == 2 * len(asker[1])


def test_drafts_and_submitted_postings_do_not_expire(asker, coordinator):
    org, users = asker
    draft = services.request_create(
        user=users[0],
        organisation=org,
        title="Concept",
        story="Tekst.",
        theme="armoede",
        help_kinds=["geld"],
        area=Area.objects.get(slug="oost"),
        wanted_by=END,
    )
    with frozen(2026, 7, 1, 6, 30):
        assert tasks.expire_postings() == 0
    draft.refresh_from_db()
    assert draft.state == PostingState.DRAFT


def test_tasks_run_through_celery(asker, coordinator):
    open_request(asker, coordinator)
    with frozen(2026, 7, 1, 6, 30):
        tasks.send_expiry_reminders.delay()
        tasks.expire_postings.delay()
    assert outbox("expired").count() == len(asker[1])
