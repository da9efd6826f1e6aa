"""AVG: an officer's shortlists and inquiries are in the export; shortlists go on deletion."""

import pytest

from accounts.roles import Role
from impactportal.privacy import erase_user, export_user
from procurement import services
from procurement.models import Inquiry, Shortlist
from tests.factories import ShortlistEntryFactory, ShortlistFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_export_holds_the_officers_shortlists_and_inquiries_only():
    officer = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    supplier = SupplierFactory(name="Appelhof")
    shortlist = ShortlistFactory(owner=officer, title="Catering 2027")
    ShortlistEntryFactory(shortlist=shortlist, supplier=supplier, note="Goede prijs")
    ShortlistEntryFactory(note="Van iemand anders")  # another officer's list
    services.inquiry_send(
        sender=officer, suppliers=[supplier], subject="Lunch", message="Kunt u leveren?"
    )
    sections = export_user(officer)["sections"]
    assert sections["procurement_shortlists"] == [
        {
            "title": "Catering 2027",
            "reference": "",
            "created_at": shortlist.created_at.isoformat(),
            "suppliers": [
                {
                    "supplier": "Appelhof",
                    "note": "Goede prijs",
                    "added_at": shortlist.entries.get().added_at.isoformat(),
                }
            ],
        }
    ]
    [inquiry] = sections["procurement_inquiries"]
    assert (inquiry["subject"], inquiry["suppliers"]) == ("Lunch", ["Appelhof"])


def test_erase_removes_the_shortlists_and_keeps_the_inquiries():
    officer = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    supplier = SupplierFactory()
    ShortlistEntryFactory(shortlist=ShortlistFactory(owner=officer), supplier=supplier)
    other = ShortlistFactory()
    services.inquiry_send(sender=officer, suppliers=[supplier], subject="Vraag", message="Tekst")
    erase_user(officer)
    assert list(Shortlist.objects.all()) == [other]
    assert Inquiry.objects.filter(sender=officer).count() == 1
