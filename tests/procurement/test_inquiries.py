"""Inquiries from procurement officers to suppliers: the form and its preselection, the
outbox e-mails, the rate limit, bad and hostile input, the list and detail pages."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from procurement import services
from procurement.constants import INQUIRIES_PER_DAY, MAX_INQUIRY_RECIPIENTS, SupplierState
from procurement.models import Inquiry, InquiryRecipient
from tests.factories import ShortlistEntryFactory, ShortlistFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><b onmouseover=alert(1)>vet</b>'
NEW = reverse("procurement:inquiry_new")


@pytest.fixture
def officer(db):
    return UserFactory(
        roles=[Role.PROCUREMENT_OFFICER], name="Ingrid Inkoper", email="ingrid@groningen.example"
    )


@pytest.fixture
def buyer(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def shortlist(officer):
    shortlist = ShortlistFactory(owner=officer, title="Marktverkenning catering")
    for name in ("Appelhof", "Zuiderzon"):
        ShortlistEntryFactory(shortlist=shortlist, supplier=SupplierFactory(name=name))
    gone = SupplierFactory(name="Vertrokken")
    ShortlistEntryFactory(shortlist=shortlist, supplier=gone)
    gone.state = SupplierState.WITHDRAWN
    gone.save()
    return shortlist


def new_url(**params):
    return f"{NEW}?{urlencode(params, doseq=True)}" if params else NEW


def codes(response, field="__all__"):
    return [e.code for e in response.context["form"].errors.as_data().get(field, [])]


def send(officer, suppliers, **kwargs):
    return services.inquiry_send(
        sender=officer,
        suppliers=suppliers,
        subject=kwargs.pop("subject", "Vraag"),
        message=kwargs.pop("message", "Kunt u leveren?"),
        **kwargs,
    )


# The form -----------------------------------------------------------------------------------


def test_preselected_from_a_shortlist_only_public_suppliers(buyer, shortlist):
    response = buyer.get(new_url(shortlist=shortlist.uuid))
    assert response.status_code == 200
    field = response.context["form"]["suppliers"]
    assert [choice.choice_label.split(" (")[0] for choice in field] == ["Appelhof", "Zuiderzon"]
    assert all("checked" in choice.tag() for choice in field)
    assert response.context["inquiries_left"] == INQUIRIES_PER_DAY
    assert 'id="inquiries-left"' in response.content.decode()


def test_preselected_from_suppliers_in_the_address(buyer):
    a, b = SupplierFactory(name="Alfa"), SupplierFactory(name="Beta")
    draft = SupplierFactory(name="Concept", draft=True)
    response = buyer.get(new_url(leverancier=[a.slug, b.slug, draft.slug, "bestaat-niet", "<x>"]))
    assert response.status_code == 200
    labels = [c.choice_label.split(" (")[0] for c in response.context["form"]["suppliers"]]
    assert labels == ["Alfa", "Beta"]


def test_without_a_selection_the_page_points_to_the_shortlists(buyer, shortlist):
    response = buyer.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="no-candidates"' in html
    assert f"?shortlist={shortlist.uuid}" in html


@pytest.mark.parametrize("value", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_unknown_shortlist_is_not_found(buyer, value):
    assert buyer.get(new_url(shortlist=value)).status_code == 404


def test_someone_elses_shortlist_is_not_found(buyer):
    foreign = ShortlistFactory()
    ShortlistEntryFactory(shortlist=foreign)
    assert buyer.get(new_url(shortlist=foreign.uuid)).status_code == 404
    response = buyer.post(
        new_url(shortlist=foreign.uuid), {"subject": "x", "message": "y", "suppliers": []}
    )
    assert response.status_code == 404
    assert not Inquiry.objects.exists()


# Sending ------------------------------------------------------------------------------------


def test_send_an_inquiry_from_a_shortlist(buyer, officer, shortlist):
    appelhof, zuiderzon = (
        e.supplier
        for e in shortlist.entries.filter(supplier__name__in=["Appelhof", "Zuiderzon"]).order_by(
            "supplier__name"
        )
    )
    response = buyer.post(
        new_url(shortlist=shortlist.uuid),
        {
            "subject": "Marktverkenning lunch",
            "message": "Kunt u dagelijks 80 lunches leveren?\nGraag voor 1 maart.",
            "suppliers": [appelhof.slug, zuiderzon.slug],
        },
    )
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert response.url == inquiry.get_absolute_url()
    assert inquiry.sender == officer
    assert inquiry.shortlist == shortlist
    assert inquiry.subject == "Marktverkenning lunch"

    recipients = {r.supplier: r for r in InquiryRecipient.objects.select_related("message")}
    assert set(recipients) == {appelhof, zuiderzon}
    for supplier, recipient in recipients.items():
        assert recipient.email == supplier.contact_email
        assert recipient.message.recipient == supplier.contact_email
        assert recipient.message.kind == "procurement/inquiry"
    assert OutboxMessage.objects.count() == 2
    entry = AuditLogEntry.objects.get(action="inquiry.sent")
    assert entry.actor == officer
    assert sorted(entry.data["suppliers"]) == ["Appelhof", "Zuiderzon"]


def test_the_email_lets_the_supplier_reply_to_the_sender(buyer, officer):
    supplier = SupplierFactory(name="Appelhof", contact_name="Anna Appel")
    buyer.post(
        new_url(leverancier=supplier.slug),
        {"subject": "Lunch", "message": "Kunt u leveren?", "suppliers": [supplier.slug]},
    )
    mail = OutboxMessage.objects.get()
    assert "Lunch" in mail.subject
    for body in (mail.body_text, mail.body_html):
        assert "Ingrid Inkoper" in body
        assert "ingrid@groningen.example" in body
        assert "Kunt u leveren?" in body
        assert "Anna Appel" in body
        assert "Gemeente Groningen" in body
        assert supplier.get_absolute_url() in body
    # A reply goes straight to the officer, not to the portal's sender address.
    assert mail.reply_to == "ingrid@groningen.example"
    from impactportal.outbox.services import _build_email

    assert _build_email(mail).reply_to == ["ingrid@groningen.example"]


def test_hostile_subject_and_message_are_escaped(buyer, officer):
    supplier = SupplierFactory()
    buyer.post(
        new_url(leverancier=supplier.slug),
        {"subject": HOSTILE[:200], "message": HOSTILE, "suppliers": [supplier.slug]},
    )
    inquiry = Inquiry.objects.get()
    assert inquiry.message == HOSTILE
    mail = OutboxMessage.objects.get()
    assert "<script>" not in mail.body_html
    assert "&lt;script&gt;" in mail.body_html
    assert "onmouseover=alert" not in mail.body_html.replace("&lt;b onmouseover=alert", "")
    assert HOSTILE in mail.body_text  # plain text shows what was typed
    assert "\n" not in mail.subject
    for address in (inquiry.get_absolute_url(), reverse("procurement:inquiries")):
        html = buyer.get(address).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;" in html


def test_a_subject_cannot_inject_mail_headers(buyer):
    supplier = SupplierFactory()
    buyer.post(
        new_url(leverancier=supplier.slug),
        {
            "subject": "Vraag\r\nBcc: iedereen@example.nl",
            "message": "Hallo",
            "suppliers": [supplier.slug],
        },
    )
    mail = OutboxMessage.objects.get()
    assert "\n" not in mail.subject and "\r" not in mail.subject


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"subject": "", "message": "x"}, "subject", "required"),
        ({"subject": "   ", "message": "x"}, "subject", "required"),
        ({"subject": "x", "message": ""}, "message", "required"),
        ({"subject": "x" * 201, "message": "x"}, "subject", "max_length"),
        ({"subject": "x", "message": "x" * 5001}, "message", "max_length"),
    ],
)
def test_bad_input_is_refused_and_nothing_sent(buyer, data, field, code):
    supplier = SupplierFactory()
    response = buyer.post(
        new_url(leverancier=supplier.slug), {**data, "suppliers": [supplier.slug]}
    )
    assert response.status_code == 400
    assert code in codes(response, field)
    assert not Inquiry.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("chosen", [[], ["bestaat-niet"]])
def test_bad_supplier_choices_are_refused(buyer, chosen):
    supplier = SupplierFactory()
    response = buyer.post(
        new_url(leverancier=supplier.slug), {"subject": "x", "message": "y", "suppliers": chosen}
    )
    assert response.status_code == 400
    assert codes(response, "suppliers")
    assert not Inquiry.objects.exists()


def test_only_public_suppliers_can_be_chosen(buyer):
    public = SupplierFactory()
    draft = SupplierFactory(draft=True)
    response = buyer.post(
        new_url(leverancier=[public.slug, draft.slug]),
        {"subject": "x", "message": "y", "suppliers": [public.slug, draft.slug]},
    )
    assert response.status_code == 400
    assert "invalid_choice" in codes(response, "suppliers")
    assert not Inquiry.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_supplier_outside_the_preselection_cannot_be_added(buyer):
    offered, other = SupplierFactory(), SupplierFactory()
    response = buyer.post(
        new_url(leverancier=offered.slug),
        {"subject": "x", "message": "y", "suppliers": [offered.slug, other.slug]},
    )
    assert response.status_code == 400
    assert "invalid_choice" in codes(response, "suppliers")


def test_recipients_are_capped(buyer):
    suppliers = SupplierFactory.create_batch(MAX_INQUIRY_RECIPIENTS + 1)
    slugs = [s.slug for s in suppliers]
    response = buyer.get(new_url(leverancier=slugs))
    # Too many to send at once: nothing is ticked in advance.
    assert not response.context["form"].initial["suppliers"]
    response = buyer.post(
        new_url(leverancier=slugs), {"subject": "x", "message": "y", "suppliers": slugs}
    )
    assert response.status_code == 400
    assert "too_many_recipients" in codes(response, "suppliers")
    assert not Inquiry.objects.exists()
    assert not OutboxMessage.objects.exists()

    response = buyer.post(
        new_url(leverancier=slugs),
        {"subject": "x", "message": "y", "suppliers": slugs[:MAX_INQUIRY_RECIPIENTS]},
    )
    assert response.status_code == 302
    assert OutboxMessage.objects.count() == MAX_INQUIRY_RECIPIENTS


def test_rate_limit_per_rolling_day(buyer, officer):
    supplier = SupplierFactory()
    post = {"subject": "Vraag", "message": "Kunt u leveren?", "suppliers": [supplier.slug]}
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        for _n in range(INQUIRIES_PER_DAY - 1):
            send(officer, [supplier])
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        buyer.force_login(officer)
        response = buyer.post(new_url(leverancier=supplier.slug), post)
        assert response.status_code == 302
        assert Inquiry.objects.count() == INQUIRIES_PER_DAY
        assert buyer.get(NEW).context["inquiries_left"] == 0

        outbox = OutboxMessage.objects.count()
        response = buyer.post(new_url(leverancier=supplier.slug), post)
        assert response.status_code == 400
        assert "rate_limited" in codes(response)
        assert Inquiry.objects.count() == INQUIRIES_PER_DAY
        assert OutboxMessage.objects.count() == outbox
        assert InquiryRecipient.objects.count() == INQUIRIES_PER_DAY
    # The first nine leave the window 24 hours after they were sent.
    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        buyer.force_login(officer)
        assert buyer.post(new_url(leverancier=supplier.slug), post).status_code == 400
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        buyer.force_login(officer)
        assert buyer.get(NEW).context["inquiries_left"] == INQUIRIES_PER_DAY - 1
        response = buyer.post(new_url(leverancier=supplier.slug), post)
        assert response.status_code == 302
        assert Inquiry.objects.count() == INQUIRIES_PER_DAY + 1


def test_the_limit_is_per_officer(buyer, officer):
    supplier = SupplierFactory()
    colleague = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    for _n in range(INQUIRIES_PER_DAY):
        send(colleague, [supplier])
    response = buyer.post(
        new_url(leverancier=supplier.slug),
        {"subject": "x", "message": "y", "suppliers": [supplier.slug]},
    )
    assert response.status_code == 302


# Who gets in ----------------------------------------------------------------------------------


def test_anonymous_and_other_roles(client, officer):
    supplier = SupplierFactory()
    inquiry = send(officer, [supplier])
    pages = [
        ("get", reverse("procurement:inquiries")),
        ("get", inquiry.get_absolute_url()),
        ("get", new_url(leverancier=supplier.slug)),
        ("post", new_url(leverancier=supplier.slug)),
    ]
    for method, address in pages:
        response = getattr(client, method)(address)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    client.force_login(UserFactory(roles=[Role.ENTREPRENEUR]))
    for method, address in pages:
        response = getattr(client, method)(
            address, {"subject": "x", "message": "y", "suppliers": [supplier.slug]}
        )
        assert response.status_code == 403
    assert Inquiry.objects.count() == 1


def test_someone_elses_inquiry_is_not_found(buyer):
    colleague = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    inquiry = send(colleague, [SupplierFactory()], subject="Vertrouwelijk")
    assert buyer.get(inquiry.get_absolute_url()).status_code == 404
    assert "Vertrouwelijk" not in buyer.get(reverse("procurement:inquiries")).content.decode()


# List and detail --------------------------------------------------------------------------------


def test_detail_shows_the_delivery_state_per_recipient(buyer, officer):
    a, b = SupplierFactory(name="Alfa"), SupplierFactory(name="Beta")
    inquiry = send(officer, [a, b], message="Regel 1\nRegel 2")
    sent = InquiryRecipient.objects.get(supplier=b).message
    sent.state = OutboxMessage.State.SENT
    sent.sent_at = timezone.now()
    sent.save()
    response = buyer.get(inquiry.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert [r.supplier.name for r in response.context["recipients"]] == ["Alfa", "Beta"]
    assert 'data-state="pending"' in html
    assert 'data-state="sent"' in html
    assert "Regel 1<br>Regel 2" in html
    assert a.contact_email in html


def test_list_shows_subject_date_recipients_and_shortlist(buyer, officer, shortlist):
    suppliers = [e.supplier for e in shortlist.entries.all() if e.supplier.is_public]
    send(officer, suppliers, subject="Van de lijst", shortlist=shortlist)
    send(officer, suppliers[:1], subject="Los")
    response = buyer.get(reverse("procurement:inquiries"))
    rows = [(i.subject, i.recipient_count, i.shortlist) for i in response.context["page"]]
    assert rows == [("Los", 1, None), ("Van de lijst", 2, shortlist)]
    assert shortlist.get_absolute_url() in response.content.decode()
    assert response.context["inquiries_left"] == INQUIRIES_PER_DAY - 2


@pytest.mark.parametrize("size", [1, 7])
def test_inquiries_list_query_count(buyer, officer, size, django_assert_num_queries):
    shortlist = ShortlistFactory(owner=officer)
    for _n in range(size):
        send(officer, SupplierFactory.create_batch(2), shortlist=shortlist)
    # session, user, roles, count, page with shortlists and recipient counts, inquiries left
    with django_assert_num_queries(6):
        response = buyer.get(reverse("procurement:inquiries"))
    assert len(response.context["page"].object_list) == size


@pytest.mark.parametrize("size", [1, 6])
def test_inquiry_detail_query_count(buyer, officer, size, django_assert_num_queries):
    inquiry = send(officer, SupplierFactory.create_batch(size))
    # session, user, roles, inquiry with its shortlist, recipients with supplier and e-mail
    with django_assert_num_queries(5):
        response = buyer.get(inquiry.get_absolute_url())
    assert len(response.context["recipients"]) == size
