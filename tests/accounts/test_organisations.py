import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import services
from accounts.constants import OrganisationKind
from accounts.models import Organisation
from accounts.validators import validate_branch_number, validate_kvk_number
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from tests.factories import OrganisationFactory, UserFactory


@pytest.mark.parametrize("number", ["12345678", "69599084", "00000001"])
def test_valid_kvk_numbers(number):
    validate_kvk_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "",
        "1234567",
        "123456789",
        "1234567a",
        "1234-567",
        "00000000",
        "１２３４５６７８",
        "<script>",
        "12345678\x00",
    ],
)
def test_bad_kvk_numbers_are_rejected(number):
    with pytest.raises(ValidationError) as error:
        validate_kvk_number(number)
    assert error.value.code == "invalid_kvk"
    with translation.override(settings.LANGUAGE_CODE):  # Dutch is the default language
        assert "8 cijfers" in error.value.messages[0]


@pytest.mark.parametrize(
    "number", ["", "12345678", "0000123456789", "000000000000", "00001234567a"]
)
def test_bad_branch_numbers_are_rejected(number):
    with pytest.raises(ValidationError):
        validate_branch_number(number)


@pytest.mark.django_db
def test_create_normalises_numbers_adds_admin_member_and_audits(django_capture_on_commit_callbacks):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        organisation = services.organisation_create(
            actor=owner,
            member=owner,
            name="Peers Schoonmaak",
            kind=OrganisationKind.COMPANY,
            kvk_number="6812 3459",
            branch_number="0000.1234.5678",
        )
    assert organisation.kvk_number == "68123459"
    assert organisation.branch_number == "000012345678"
    assert organisation.memberships.get().user == owner
    actions = set(
        AuditLogEntry.objects.filter(object_id=organisation.pk).values_list("action", flat=True)
    )
    assert actions == {"organisation.created", "organisation.member_added"}
    assert OutboxMessage.objects.filter(recipient=owner.email, state="sent").count() == 1


@pytest.mark.django_db
def test_bad_kvk_stores_nothing():
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=None, name="X", kind=OrganisationKind.COMPANY, kvk_number="1234"
        )
    assert not Organisation.objects.exists()
    assert not AuditLogEntry.objects.exists()


@pytest.mark.django_db
def test_company_needs_kvk_but_informal_initiative_may_go_without():
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=None, name="BV zonder KvK", kind=OrganisationKind.COMPANY
        )
    initiative = services.organisation_create(
        actor=None, name="Buurtinitiatief Selwerd", kind=OrganisationKind.SOCIAL
    )
    assert initiative.kvk_number == ""


@pytest.mark.django_db
def test_same_kvk_and_branch_twice_is_refused():
    OrganisationFactory(kvk_number="72345678")
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=None, name="Dubbel", kind=OrganisationKind.COMPANY, kvk_number="72345678"
        )


@pytest.mark.django_db
def test_update_audits_old_and_new_values():
    organisation = OrganisationFactory(name="Oude naam", city="Haren")
    actor = UserFactory()
    services.organisation_update(
        organisation=organisation, actor=actor, name="Nieuwe naam", city="Haren"
    )
    entry = AuditLogEntry.objects.get(action="organisation.changed")
    assert entry.changes == {"name": ["Oude naam", "Nieuwe naam"]}
    assert entry.actor == actor
