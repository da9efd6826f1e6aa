"""Shortlists are for the municipality's procurement officers only: anyone else, signed in
or not, is refused with a reason and nothing is stored."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import translation

from accounts.roles import Role
from procurement.models import Shortlist
from procurement.services import shortlist_create
from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["entrepreneur", "coordinator", "anonymous"])
def test_only_procurement_officers_make_shortlists(who):
    if who == "anonymous":
        user = AnonymousUser()
    else:
        role = Role.ENTREPRENEUR if who == "entrepreneur" else Role.COORDINATOR
        user = UserFactory(roles=[role])
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        shortlist_create(owner=user, title="Schoonmaak stadhuis")
    assert str(refused.value) == "Only procurement officers can do this."
    assert not Shortlist.objects.exists()


@pytest.mark.django_db
def test_a_procurement_officer_makes_a_shortlist():
    officer = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    shortlist = shortlist_create(owner=officer, title="Schoonmaak stadhuis")
    assert shortlist.owner == officer
