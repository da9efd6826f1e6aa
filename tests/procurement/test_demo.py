"""Platform Goed Inkopen's demo data: every state of a profile, made through the services,
and idempotent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.demo import load_demo_accounts
from accounts.models import Membership, Organisation, User
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from procurement.constants import LabelKind, PsoLevel, SupplierState
from procurement.demo import (
    ENTREPRENEUR,
    FIETSENWERKPLAATS,
    INKOPER,
    INQUIRY_SUBJECT,
    SUPPLIERS,
    load_demo_suppliers,
)
from procurement.models import (
    Inquiry,
    InquiryRecipient,
    Label,
    Product,
    SearchWord,
    Shortlist,
    ShortlistEntry,
    Supplier,
)
from procurement.selectors import confirmed_since, public_suppliers, suppliers_of

pytestmark = pytest.mark.django_db

MODELS = [
    Organisation,
    Membership,
    User,
    Supplier,
    Product,
    Label,
    Shortlist,
    ShortlistEntry,
    Inquiry,
    InquiryRecipient,
    SearchWord,
    OutboxMessage,
    AuditLogEntry,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo(db):
    load_demo_accounts()
    assert load_demo_suppliers() == len(SUPPLIERS)


def test_running_the_loader_twice_creates_nothing_new(demo):
    before = counts()
    load_demo_accounts()
    assert load_demo_suppliers() == 0
    assert counts() == before


def test_about_25_suppliers_with_unique_names_and_kvk_numbers(demo):
    assert Supplier.objects.count() == len(SUPPLIERS) >= 20
    assert len(set(Supplier.objects.values_list("name", flat=True))) == len(SUPPLIERS)
    assert len(set(Supplier.objects.values_list("kvk_number", flat=True))) == len(SUPPLIERS)


def test_every_workflow_state_occurs(demo):
    assert set(Supplier.objects.values_list("state", flat=True)) == set(SupplierState.values)


def test_a_verified_profile_is_not_recently_confirmed_and_the_others_are(demo):
    line = confirmed_since()
    public = public_suppliers()
    not_recent = public.exclude(confirmed_at__gte=line)
    assert [s.name for s in not_recent] == ["Groenploeg Hunzedal"]
    assert not_recent.get().reconfirm_requested_at is not None
    assert public.filter(confirmed_at__gte=line).count() == public.count() - 1


def test_an_expired_label_and_a_label_expiring_within_three_months(demo):
    today = timezone.localdate()
    expired = Label.objects.filter(valid_until__lt=today)
    assert [label.supplier.name for label in expired] == ["Drukkerij De Noorderpers"]
    soon = Label.objects.filter(valid_until__gte=today, valid_until__lte=today + timedelta(days=91))
    assert [label.supplier.name for label in soon] == ["Trapkracht Fietskoeriers"]
    # The owner was reminded, as the nightly task would have done.
    assert soon.get().reminder_sent_at is not None


def test_labels_of_every_kind_and_a_pso_trede_2_cleaner(demo):
    assert set(Label.objects.values_list("kind", flat=True)) == set(LabelKind.values)
    cleaner = Supplier.objects.get(name="Schoon & Sterk Schoonmaak")
    assert [(label.kind, label.pso_level) for label in cleaner.labels.all()] == [
        (LabelKind.PSO, PsoLevel.STEP_2)
    ]


def test_profiles_are_searchable_as_the_services_make_them(demo):
    for supplier in Supplier.objects.all():
        assert supplier.search_vector, supplier.name
        assert supplier.category_codes, supplier.name
        assert supplier.products.exists(), supplier.name
    # The typo word list holds the words of public profiles only.
    assert SearchWord.objects.filter(word="koffiebonen").exists()
    assert not SearchWord.objects.filter(word="zuurdesem").exists()  # a draft


def test_verification_went_through_the_coordinator_with_an_audit_trail(demo):
    coordinator = User.objects.get(email="coordinator@demo.impactportaal.nl")
    for supplier in Supplier.objects.filter(verified_at__isnull=False):
        assert supplier.verified_by == coordinator
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {
        "supplier.created",
        "supplier.product_added",
        "supplier.label_added",
        "supplier.state_changed",
        "supplier.confirmed",
        "supplier.reconfirm_requested",
        "supplier.label_reminder_sent",
        "shortlist.created",
        "inquiry.sent",
    } <= actions


def test_sent_back_profile_carries_the_coordinators_note(demo):
    supplier = Supplier.objects.get(state=SupplierState.SENT_BACK)
    assert supplier.review_note


def test_the_demo_entrepreneur_owns_a_verified_profile(demo):
    entrepreneur = User.objects.get(email=ENTREPRENEUR)
    assert [s.name for s in suppliers_of(entrepreneur)] == [FIETSENWERKPLAATS]
    assert suppliers_of(entrepreneur).get().state == SupplierState.VERIFIED


def test_the_procurement_officer_has_shortlists_and_one_sent_inquiry(demo):
    inkoper = User.objects.get(email=INKOPER)
    shortlists = Shortlist.objects.filter(owner=inkoper)
    assert shortlists.count() == 2
    assert all(shortlist.entries.count() == 3 for shortlist in shortlists)
    inquiry = Inquiry.objects.get(sender=inkoper)
    assert inquiry.subject == INQUIRY_SUBJECT
    assert inquiry.recipients.count() == 3
    assert OutboxMessage.objects.filter(recipient="schoonensterk@demo.impactportaal.nl").exists()
