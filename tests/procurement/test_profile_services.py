"""The supplier profile workflow in procurement.services: every move of the state table
through the service that makes it, who may do what, audit, e-mails, and the search index."""

import itertools
from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.constants import OrganisationKind
from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from impactportal.workflow import TransitionNotAllowed
from procurement import services
from procurement.constants import (
    SUPPLIER_TRANSITIONS,
    LabelKind,
    MvoiTheme,
    PsoLevel,
    Region,
    SizeClass,
    SupplierState,
    choice_label,
)
from procurement.models import Category, Label, Product, Supplier
from tests.factories import (
    LabelFactory,
    MembershipFactory,
    OrganisationFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = SupplierState
# An ampersand and quotes: escaped in the HTML part, never in the text part or subject.
NAME = "Groen & Wel 'Noord'"


@pytest.fixture
def company(db):
    return OrganisationFactory(kind=OrganisationKind.COMPANY, name="Groen en Wel BV")


@pytest.fixture
def owner(company):
    return MembershipFactory(organisation=company, user=UserFactory(roles=[Role.ENTREPRENEUR])).user


@pytest.fixture
def coowner(company):
    return MembershipFactory(organisation=company).user


@pytest.fixture
def stranger(db):
    return MembershipFactory(organisation=OrganisationFactory()).user


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)


@pytest.fixture
def supplier(company):
    return SupplierFactory(organisation=company, name=NAME, draft=True)


def profile_data(**overrides):
    return {
        "name": "Groen en Wel",
        "kvk_number": "12345678",
        "branch_number": "",
        "short_description": "Groenonderhoud met mensen met een afstand tot de arbeidsmarkt.",
        "description": "Wij onderhouden parken en schoolpleinen.",
        "themes": [MvoiTheme.SOCIAL_RETURN],
        "sdgs": [8],
        "impact_first": True,
        "target_group_share": 60,
        "municipality": "Groningen",
        "region": Region.CITY,
        "size": SizeClass.SMALL,
        "website": "https://groenenwel.example",
        "contact_name": "Fatima de Vries",
        "contact_email": "info@groenenwel.example",
        "contact_phone": "050 123 4567",
        **overrides,
    }


def set_state(supplier, state):
    Supplier.objects.filter(pk=supplier.pk).update(state=state)
    supplier.refresh_from_db()


def outbox(kind):
    return OutboxMessage.objects.filter(kind=f"procurement/{kind}").order_by("pk")


def audit(action, supplier):
    return AuditLogEntry.objects.filter(action=action, object_id=str(supplier.pk)).order_by("pk")


def found_by(word):
    return set(
        Supplier.objects.filter(search_vector=SearchQuery(word, config="dutch")).values_list(
            "pk", flat=True
        )
    )


# The state table --------------------------------------------------------------------------


def move(supplier, target, *, owner, coordinator):
    if target == S.SUBMITTED:
        return services.supplier_submit(supplier=supplier, actor=owner)
    if target == S.VERIFIED:
        return services.supplier_verify(supplier=supplier, actor=coordinator)
    if target == S.SENT_BACK:
        return services.supplier_send_back(
            supplier=supplier, actor=coordinator, note="Voeg het PSO-certificaat toe."
        )
    if target == S.WITHDRAWN:
        return services.supplier_withdraw(supplier=supplier, actor=owner)
    raise AssertionError(target)


# The rules, written out: a move added to or dropped from procurement/constants.py must
# be made here too, on purpose. Nothing moves a profile back to draft.
ALLOWED = {
    "draft": {"submitted", "withdrawn"},
    "submitted": {"verified", "sent_back", "withdrawn"},
    "sent_back": {"submitted", "withdrawn"},
    # An edited verified profile is verified again (it stays public meanwhile).
    "verified": {"verified", "sent_back", "withdrawn"},
    "withdrawn": {"submitted"},
}
MOVES = [(a, b) for a, b in itertools.product(S, S) if b != S.DRAFT]


@pytest.mark.parametrize(
    ("current", "target"), MOVES, ids=[f"{a.value}->{b.value}" for a, b in MOVES]
)
def test_every_move_of_the_state_table(supplier, owner, coordinator, current, target):
    set_state(supplier, current)
    if target.value in ALLOWED[current.value]:
        move(supplier, target, owner=owner, coordinator=coordinator)
        supplier.refresh_from_db()
        assert supplier.state == target
        entry = audit("supplier.state_changed", supplier).get()
        assert entry.changes == {"state": [current.value, target.value]}
        assert entry.actor == (coordinator if target in (S.VERIFIED, S.SENT_BACK) else owner)
    else:
        with pytest.raises(TransitionNotAllowed) as raised:
            move(supplier, target, owner=owner, coordinator=coordinator)
        assert raised.value.code == "transition_not_allowed"
        supplier.refresh_from_db()
        assert supplier.state == current
        assert not audit("supplier.state_changed", supplier).exists()
        assert not OutboxMessage.objects.exists()


def test_the_table_is_the_rules_written_here():
    assert {k.value: {v.value for v in vs} for k, vs in SUPPLIER_TRANSITIONS.items()} == ALLOWED


def test_draft_to_verified_and_the_dates_kept(supplier, owner, coordinator):
    submitted_at = timezone.now() - timedelta(days=2)
    services.supplier_submit(supplier=supplier, actor=owner, now=submitted_at)
    supplier.refresh_from_db()
    assert supplier.submitted_at == submitted_at
    verified_at = timezone.now() - timedelta(days=1)
    services.supplier_verify(supplier=supplier, actor=coordinator, now=verified_at)
    supplier.refresh_from_db()
    assert supplier.state == S.VERIFIED
    assert supplier.verified_at == supplier.confirmed_at == verified_at
    assert supplier.verified_by == coordinator
    assert supplier.is_public


def test_sent_back_keeps_the_note_until_verified(supplier, owner, coordinator):
    services.supplier_submit(supplier=supplier, actor=owner)
    services.supplier_send_back(supplier=supplier, actor=coordinator, note="  Noem de regio.  ")
    supplier.refresh_from_db()
    assert supplier.review_note == "Noem de regio."
    assert audit("supplier.state_changed", supplier).last().data == {
        "review_note": "Noem de regio."
    }
    services.supplier_submit(supplier=supplier, actor=owner)
    services.supplier_verify(supplier=supplier, actor=coordinator)
    supplier.refresh_from_db()
    assert supplier.review_note == ""


@pytest.mark.parametrize("note", ["", "   ", None])
def test_sending_back_needs_a_note(supplier, owner, coordinator, note):
    services.supplier_submit(supplier=supplier, actor=owner)
    with pytest.raises(ValidationError) as raised:
        services.supplier_send_back(supplier=supplier, actor=coordinator, note=note)
    assert raised.value.code == "note_required"
    supplier.refresh_from_db()
    assert supplier.state == S.SUBMITTED


def test_submit_needs_a_theme_and_a_product(company, owner):
    supplier = SupplierFactory(organisation=company, draft=True, themes=[], products=[])
    with pytest.raises(ValidationError) as raised:
        services.supplier_submit(supplier=supplier, actor=owner)
    assert raised.value.code == "no_theme"
    Supplier.objects.filter(pk=supplier.pk).update(themes=[MvoiTheme.CLIMATE])
    with pytest.raises(ValidationError) as raised:
        services.supplier_submit(supplier=supplier, actor=owner)
    assert raised.value.code == "no_product"
    supplier.refresh_from_db()
    assert supplier.state == S.DRAFT
    assert not outbox("submitted").exists()


# Who may do what ---------------------------------------------------------------------------


def test_only_owners_submit_withdraw_and_confirm(supplier, stranger, coordinator):
    for user in (stranger, None):
        with pytest.raises(PermissionDenied):
            services.supplier_submit(supplier=supplier, actor=user)
        with pytest.raises(PermissionDenied):
            services.supplier_withdraw(supplier=supplier, actor=user)
    # The coordinator works through verify and send back, not the owner's buttons.
    with pytest.raises(PermissionDenied):
        services.supplier_submit(supplier=supplier, actor=coordinator)
    set_state(supplier, S.VERIFIED)
    for user in (stranger, coordinator):
        with pytest.raises(PermissionDenied):
            services.supplier_confirm(supplier=supplier, actor=user)
    supplier.refresh_from_db()
    assert supplier.state == S.VERIFIED


def test_coordinator_may_withdraw(supplier, coordinator):
    services.supplier_withdraw(supplier=supplier, actor=coordinator)
    supplier.refresh_from_db()
    assert supplier.state == S.WITHDRAWN


def test_only_coordinators_verify_and_send_back(supplier, owner, stranger):
    set_state(supplier, S.SUBMITTED)
    procurement_officer = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    for user in (owner, stranger, procurement_officer, None):
        with pytest.raises(PermissionDenied):
            services.supplier_verify(supplier=supplier, actor=user)
        with pytest.raises(PermissionDenied):
            services.supplier_send_back(supplier=supplier, actor=user, note="Nee.")
    supplier.refresh_from_db()
    assert supplier.state == S.SUBMITTED


def test_only_owners_and_coordinators_change_profile_products_and_labels(
    supplier, stranger, coordinator
):
    product = supplier.products.get()
    label = LabelFactory(supplier=supplier)
    before = (supplier.name, product.name, label.valid_until)
    calls = [
        lambda u: services.supplier_update(supplier=supplier, actor=u, data={"name": "Gekaapt"}),
        lambda u: services.product_save(supplier=supplier, actor=u, data={"name": "Gekaapt"}),
        lambda u: services.product_save(
            supplier=supplier, actor=u, data={"name": "Gekaapt"}, product=product
        ),
        lambda u: services.product_remove(product=product, actor=u),
        lambda u: services.label_save(
            supplier=supplier, actor=u, data={"valid_until": label.valid_until}, label=label
        ),
        lambda u: services.label_remove(label=label, actor=u),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call(stranger)
    supplier.refresh_from_db()
    product.refresh_from_db()
    label.refresh_from_db()
    assert (supplier.name, product.name, label.valid_until) == before
    services.supplier_update(
        supplier=supplier, actor=coordinator, data={"name": "Door coördinator"}
    )
    supplier.refresh_from_db()
    assert supplier.name == "Door coördinator"


def test_a_product_or_label_of_another_profile_is_refused(supplier, owner):
    other = SupplierFactory()
    other_label = LabelFactory(supplier=other)
    with pytest.raises(PermissionDenied):
        services.product_save(
            supplier=supplier, actor=owner, data={"name": "x"}, product=other.products.get()
        )
    with pytest.raises(PermissionDenied):
        services.label_save(supplier=supplier, actor=owner, data={}, label=other_label)
    assert other.products.get().name == "Kantoorschoonmaak"


# Creating ---------------------------------------------------------------------------------------


def test_create_a_draft_profile(company, owner):
    supplier = services.supplier_create(organisation=company, actor=owner, data=profile_data())
    assert supplier.state == S.DRAFT
    assert supplier.organisation == company
    assert supplier.slug == "groen-en-wel"
    assert supplier.impact_first is True
    assert supplier.pk in found_by("groenonderhoud")
    entry = audit("supplier.created", supplier).get()
    assert entry.actor == owner
    # A second company with the same name gets its own address.
    other = MembershipFactory(user=owner, organisation=OrganisationFactory()).organisation
    second = services.supplier_create(organisation=other, actor=owner, data=profile_data())
    assert second.slug == "groen-en-wel-2"


def test_create_is_for_members_of_a_company_once(company, owner, stranger):
    with pytest.raises(PermissionDenied):
        services.supplier_create(organisation=company, actor=stranger, data=profile_data())
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL, kvk_number="")
    MembershipFactory(user=owner, organisation=social)
    with pytest.raises(ValidationError) as raised:
        services.supplier_create(organisation=social, actor=owner, data=profile_data())
    assert raised.value.code == "not_a_company"
    services.supplier_create(organisation=company, actor=owner, data=profile_data())
    with pytest.raises(ValidationError) as raised:
        services.supplier_create(organisation=company, actor=owner, data=profile_data())
    assert raised.value.code == "duplicate_profile"
    assert Supplier.objects.count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"kvk_number": "1234"},
        {"branch_number": "12"},
        {"name": ""},
        {"short_description": "x" * 301},
        {"target_group_share": 101},
        {"contact_email": "geen-adres"},
        {"website": "javascript:alert(1)"},
        {"themes": ["onbekend"]},
        {"region": "mars"},
    ],
    ids=lambda bad: next(iter(bad)),
)
def test_bad_profile_values_store_nothing(company, owner, bad):
    with pytest.raises(ValidationError) as raised:
        services.supplier_create(organisation=company, actor=owner, data=profile_data(**bad))
    assert next(iter(bad)) in raised.value.message_dict
    assert not Supplier.objects.exists()
    assert not AuditLogEntry.objects.filter(action="supplier.created").exists()


# Editing ------------------------------------------------------------------------------------------


def test_update_reindexes_and_audits_the_change(supplier, owner):
    assert supplier.pk not in found_by("zonnepanelen")
    services.supplier_update(
        supplier=supplier, actor=owner, data={"short_description": "Wij leggen zonnepanelen."}
    )
    assert supplier.pk in found_by("zonnepanelen")
    entry = audit("supplier.changed", supplier).get()
    assert entry.actor == owner
    assert entry.changes["short_description"][1] == "Wij leggen zonnepanelen."


def test_an_update_that_changes_nothing_is_not_recorded(supplier, owner):
    set_state(supplier, S.VERIFIED)
    services.supplier_update(supplier=supplier, actor=owner, data={"name": supplier.name})
    supplier.refresh_from_db()
    assert not supplier.changed_since_verification
    assert not audit("supplier.changed", supplier).exists()


def test_owner_edits_of_a_verified_profile_are_marked_for_a_new_check(supplier, owner, coordinator):
    services.supplier_submit(supplier=supplier, actor=owner)
    # Editing while waiting for verification marks nothing: the first check is still to come.
    services.supplier_update(supplier=supplier, actor=owner, data={"municipality": "Haren"})
    supplier.refresh_from_db()
    assert not supplier.changed_since_verification
    services.supplier_verify(supplier=supplier, actor=coordinator)
    services.supplier_update(supplier=supplier, actor=owner, data={"municipality": "Ten Boer"})
    supplier.refresh_from_db()
    assert supplier.changed_since_verification
    assert supplier.state == S.VERIFIED  # stays public
    # The coordinator verifies again: the mark goes, and nobody is told twice.
    services.supplier_verify(supplier=supplier, actor=coordinator)
    supplier.refresh_from_db()
    assert not supplier.changed_since_verification
    assert outbox("verified").count() == 1


def test_coordinator_edits_do_not_mark_the_profile(supplier, coordinator):
    set_state(supplier, S.VERIFIED)
    services.supplier_update(supplier=supplier, actor=coordinator, data={"municipality": "Haren"})
    services.product_save(
        supplier=supplier,
        actor=coordinator,
        data={"name": "Tuinonderhoud", "category": Category.objects.get(code="77300000")},
    )
    supplier.refresh_from_db()
    assert not supplier.changed_since_verification


@pytest.mark.parametrize("change", ["product_add", "product_remove", "label_add", "label_remove"])
def test_owner_product_and_label_edits_mark_a_verified_profile(supplier, owner, change):
    set_state(supplier, S.VERIFIED)
    if change == "product_add":
        services.product_save(
            supplier=supplier,
            actor=owner,
            data={"name": "Tuinonderhoud", "category": Category.objects.get(code="77300000")},
        )
    elif change == "product_remove":
        services.product_remove(product=supplier.products.get(), actor=owner)
    elif change == "label_add":
        services.label_save(supplier=supplier, actor=owner, data=label_data())
    else:
        label = LabelFactory(supplier=supplier)
        services.label_remove(label=label, actor=owner)
    supplier.refresh_from_db()
    marked = supplier.changed_since_verification
    # Removing a label only drops a claim; the service does not ask for a new check.
    assert marked is (change != "label_remove")


def test_a_withdrawn_profile_cannot_be_changed(supplier, owner):
    set_state(supplier, S.WITHDRAWN)
    product = supplier.products.get()
    label = LabelFactory(supplier=supplier)
    calls = [
        lambda: services.supplier_update(supplier=supplier, actor=owner, data={"name": "Nieuw"}),
        lambda: services.product_save(supplier=supplier, actor=owner, data={"name": "Nieuw"}),
        lambda: services.product_remove(product=product, actor=owner),
        lambda: services.label_save(supplier=supplier, actor=owner, data=label_data()),
        lambda: services.label_remove(label=label, actor=owner),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as raised:
            call()
        assert raised.value.code == "withdrawn"
    assert Product.objects.filter(pk=product.pk).exists()
    assert Label.objects.filter(supplier=supplier).count() == 1


# Products ---------------------------------------------------------------------------------------


def test_products_feed_the_search_index_and_the_category_codes(supplier, owner):
    catering = Category.objects.get(code="55520000")
    product = services.product_save(
        supplier=supplier,
        actor=owner,
        data={"name": "Lunchbuffet", "description": "Vegetarisch", "category": catering},
    )
    supplier.refresh_from_db()
    # The category and the ones above it, so a buyer finds it under each.
    assert {"55000000", "55500000", "55520000"} <= set(supplier.category_codes)
    assert supplier.pk in found_by("lunchbuffet")
    assert audit("supplier.product_added", supplier).get().data == {"product": "Lunchbuffet"}
    services.product_save(
        supplier=supplier, actor=owner, data={"name": "Broodjeslunch"}, product=product
    )
    assert supplier.pk in found_by("broodjeslunch")
    assert supplier.pk not in found_by("lunchbuffet")
    changed = audit("supplier.product_changed", supplier).get()
    assert changed.changes["name"] == ["Lunchbuffet", "Broodjeslunch"]
    services.product_remove(product=product, actor=owner)
    supplier.refresh_from_db()
    assert "55520000" not in supplier.category_codes
    assert supplier.pk not in found_by("broodjeslunch")
    assert audit("supplier.product_removed", supplier).get().data == {"product": "Broodjeslunch"}


def test_bad_product_values_store_nothing(supplier, owner):
    for data in ({"name": ""}, {"name": "x" * 201, "category": Category.objects.first()}):
        with pytest.raises(ValidationError):
            services.product_save(supplier=supplier, actor=owner, data=data)
    assert supplier.products.count() == 1


# Labels -------------------------------------------------------------------------------------------


def label_data(**overrides):
    today = timezone.localdate()
    return {
        "kind": LabelKind.PSO,
        "pso_level": PsoLevel.STEP_1,
        "name": "",
        "valid_from": today - timedelta(days=30),
        "valid_until": today + timedelta(days=335),
        "evidence_url": "https://www.pso-nederland.nl/register",
        **overrides,
    }


def test_label_names_follow_the_active_language():
    pso = Label(kind=LabelKind.PSO, pso_level=PsoLevel.ASPIRANT)
    other = Label(kind=LabelKind.OTHER, name="Fair Wear")
    with translation.override("en"):
        assert Label(kind=LabelKind.PSO).display_name.startswith("PSO (Prestatieladder")
        assert (pso.display_name, other.display_name) == ("PSO aspirant", "Fair Wear")
        assert choice_label(Region, Region.PROVINCE) == "Rest of the province of Groningen"
    with translation.override("nl"):
        assert choice_label(Region, Region.PROVINCE) == "Rest van de provincie Groningen"
        assert choice_label(Region, "unknown") == "unknown"


def test_add_and_change_a_label(supplier, owner):
    label = services.label_save(supplier=supplier, actor=owner, data=label_data())
    assert label.display_name == "PSO trede 1"
    assert audit("supplier.label_added", supplier).get().data == {"label": "PSO trede 1"}
    services.label_save(
        supplier=supplier, actor=owner, data={"pso_level": PsoLevel.STEP_2}, label=label
    )
    label.refresh_from_db()
    assert label.pso_level == PsoLevel.STEP_2
    changed = audit("supplier.label_changed", supplier).get()
    assert changed.changes == {"pso_level": [PsoLevel.STEP_1, PsoLevel.STEP_2]}


def test_a_label_cannot_end_before_it_starts(supplier, owner):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as raised:
        services.label_save(
            supplier=supplier,
            actor=owner,
            data=label_data(valid_from=today, valid_until=today - timedelta(days=1)),
        )
    assert "valid_until" in raised.value.message_dict
    assert not Label.objects.exists()
    # One day is a period too.
    services.label_save(
        supplier=supplier, actor=owner, data=label_data(valid_from=today, valid_until=today)
    )
    assert Label.objects.count() == 1


def test_an_expired_label_may_be_entered(supplier, owner):
    today = timezone.localdate()
    label = services.label_save(
        supplier=supplier,
        actor=owner,
        data=label_data(valid_from=today - timedelta(days=800), valid_until=today - timedelta(1)),
    )
    assert not label.is_valid_on(today)
    assert not Label.objects.valid_on(today).filter(pk=label.pk).exists()


@pytest.mark.parametrize(
    "data", [{"kind": LabelKind.PSO, "pso_level": ""}, {"kind": LabelKind.OTHER, "name": ""}]
)
def test_a_pso_label_needs_a_level_and_another_label_a_name(supplier, owner, data):
    with pytest.raises(ValidationError):
        services.label_save(supplier=supplier, actor=owner, data=label_data(**data))


def test_kind_decides_which_of_level_and_name_is_kept(supplier, owner):
    label = services.label_save(
        supplier=supplier,
        actor=owner,
        data=label_data(kind=LabelKind.BCORP, pso_level=PsoLevel.STEP_3, name="Zelfbedacht"),
    )
    assert (label.pso_level, label.name) == ("", "")
    label = services.label_save(
        supplier=supplier,
        actor=owner,
        data=label_data(kind=LabelKind.OTHER, pso_level=PsoLevel.STEP_3, name="Fair Wear"),
    )
    assert (label.pso_level, label.name, label.display_name) == ("", "Fair Wear", "Fair Wear")


def test_changing_the_end_date_allows_a_new_expiry_reminder(supplier, owner):
    label = LabelFactory(supplier=supplier)
    assert services.label_send_expiry_reminder(label=label)
    assert not services.label_send_expiry_reminder(label=label)  # once per period
    label.refresh_from_db()
    assert label.reminder_sent_at is not None
    # Another change keeps the reminder as sent.
    services.label_save(
        supplier=supplier, actor=owner, data={"evidence_url": "https://example.nl/x"}, label=label
    )
    label.refresh_from_db()
    assert label.reminder_sent_at is not None
    services.label_save(
        supplier=supplier,
        actor=owner,
        data={"valid_until": label.valid_until + timedelta(days=365 * 3)},
        label=label,
    )
    label.refresh_from_db()
    assert label.reminder_sent_at is None
    assert services.label_send_expiry_reminder(label=label)
    assert outbox("label_expiring").count() == 2


# Confirming and the yearly request -----------------------------------------------------------


def test_confirm_a_verified_profile(supplier, owner):
    set_state(supplier, S.VERIFIED)
    asked = timezone.now() - timedelta(days=10)
    assert services.supplier_request_reconfirmation(supplier=supplier, now=asked)
    supplier.refresh_from_db()
    assert supplier.reconfirm_requested_at == asked
    now = timezone.now()
    services.supplier_confirm(supplier=supplier, actor=owner, now=now)
    supplier.refresh_from_db()
    assert supplier.confirmed_at == now
    assert supplier.reconfirm_requested_at is None
    entry = audit("supplier.confirmed", supplier).get()
    assert entry.actor == owner


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.SENT_BACK, S.WITHDRAWN])
def test_only_a_verified_profile_is_confirmed_or_asked(supplier, owner, state):
    set_state(supplier, state)
    with pytest.raises(ValidationError) as raised:
        services.supplier_confirm(supplier=supplier, actor=owner)
    assert raised.value.code == "not_verified"
    assert not services.supplier_request_reconfirmation(supplier=supplier)
    assert not outbox("reconfirm").exists()


def test_reconfirmation_is_asked_once(supplier, owner, coowner):
    set_state(supplier, S.VERIFIED)
    assert services.supplier_request_reconfirmation(supplier=supplier)
    assert not services.supplier_request_reconfirmation(supplier=supplier)
    assert {m.recipient for m in outbox("reconfirm")} == {owner.email, coowner.email}
    assert audit("supplier.reconfirm_requested", supplier).get().actor is None


# E-mails ------------------------------------------------------------------------------------


def check_rendered(message):
    assert message.subject and message.body_text and message.body_html
    for part in (message.subject, message.body_text, message.body_html):
        for leftover in ("{{", "}}", "{%", "%}", "%(", "None"):
            assert leftover not in part, (message.kind, leftover, part)
    assert NAME in message.subject
    assert NAME in message.body_text
    assert "Groen &amp; Wel" in message.body_html
    assert "&amp;" not in message.body_text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_workflow_emails(supplier, owner, coowner, coordinator, language):
    for user in (owner, coowner, coordinator):
        user.language = language
        user.save(update_fields=["language"])
    MembershipFactory(organisation=supplier.organisation, user=UserFactory(is_active=False))
    UserFactory(roles=[Role.COORDINATOR], is_active=False)
    second_coordinator = UserFactory(roles=[Role.COORDINATOR], staff=True)
    owners = {owner.email, coowner.email}

    services.supplier_submit(supplier=supplier, actor=owner)
    submitted = list(outbox("submitted"))
    assert {m.recipient for m in submitted} == {coordinator.email, second_coordinator.email}
    admin_path = f"/beheer/procurement/supplier/{supplier.pk}/change/"
    for message in submitted:
        check_rendered(message)
        assert admin_path in message.body_text and admin_path in message.body_html
    assert next(m for m in submitted if m.recipient == coordinator.email).language == language

    services.supplier_send_back(
        supplier=supplier, actor=coordinator, note="Voeg het <b>PSO</b>-certificaat toe & de regio."
    )
    sent_back = list(outbox("sent_back"))
    assert {m.recipient for m in sent_back} == owners
    edit_path = f"/goed-inkopen/mijn-profiel/{supplier.slug}/"
    for message in sent_back:
        check_rendered(message)
        assert message.language == language
        assert "Voeg het <b>PSO</b>-certificaat toe & de regio." in message.body_text
        assert (
            "Voeg het &lt;b&gt;PSO&lt;/b&gt;-certificaat toe &amp; de regio." in message.body_html
        )
        assert edit_path in message.body_text

    services.supplier_submit(supplier=supplier, actor=owner)
    services.supplier_verify(supplier=supplier, actor=coordinator)
    verified = list(outbox("verified"))
    assert {m.recipient for m in verified} == owners
    for message in verified:
        check_rendered(message)
        assert supplier.get_absolute_url() in message.body_text

    services.supplier_request_reconfirmation(supplier=supplier)
    for message in outbox("reconfirm"):
        check_rendered(message)
        assert f"{edit_path}#bevestigen" in message.body_text
        assert f"{edit_path}#bevestigen" in message.body_html

    label = LabelFactory(supplier=supplier, valid_until=timezone.localdate() + timedelta(days=60))
    services.label_send_expiry_reminder(label=label)
    expiring = list(outbox("label_expiring"))
    assert {m.recipient for m in expiring} == owners
    for message in expiring:
        check_rendered(message)
        assert "PSO trede 2" in message.subject
        assert str(label.valid_until.year) in message.subject
        assert f"{edit_path}labels/{label.pk}/" in message.body_text

    # Withdrawing and confirming send nothing.
    count = OutboxMessage.objects.count()
    services.supplier_confirm(supplier=supplier, actor=owner)
    services.supplier_withdraw(supplier=supplier, actor=owner)
    assert OutboxMessage.objects.count() == count
