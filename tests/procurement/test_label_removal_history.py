"""A label on a supplier profile as people see it: it counts from its first to its last
day, and removing it or reminding the owners of its end leaves a line in the profile's
history that says which label."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from procurement.services import label_remove, label_send_expiry_reminder
from tests.factories import LabelFactory, SupplierFactory, UserFactory


@pytest.mark.django_db
def test_the_profiles_history_names_the_removed_label_and_who_removed_it():
    coordinator = UserFactory(staff=True, roles=[Role.COORDINATOR])
    supplier = SupplierFactory()
    label = LabelFactory(supplier=supplier)
    name = label.display_name
    label_remove(label=label, actor=coordinator)
    assert not supplier.labels.exists()
    entry = AuditLogEntry.objects.get(action="supplier.label_removed")
    assert (entry.actor, entry.target) == (coordinator, supplier)
    assert entry.data == {"label": name}


@pytest.mark.django_db
@pytest.mark.parametrize("edge", ["first day", "last day"])
def test_a_label_counts_on_the_profile_on_its_first_and_its_last_day(client, edge):
    today = timezone.localdate()
    supplier = SupplierFactory()
    if edge == "first day":
        label = LabelFactory(supplier=supplier, valid_from=today)
    else:
        label = LabelFactory(supplier=supplier, valid_until=today)
    page = client.get(f"/goed-inkopen/leverancier/{supplier.slug}/")
    assert [valid.pk for valid in page.context["valid_labels"]] == [label.pk]


@pytest.mark.django_db
def test_the_expiry_reminder_is_in_the_history_with_the_label_and_its_end_date():
    supplier = SupplierFactory()
    label = LabelFactory(supplier=supplier, valid_until=timezone.localdate() + timedelta(days=20))
    assert label_send_expiry_reminder(label=label)
    entry = AuditLogEntry.objects.get(action="supplier.label_reminder_sent")
    assert entry.target == supplier
    assert entry.data == {"label": label.display_name, "valid_until": str(label.valid_until)}
