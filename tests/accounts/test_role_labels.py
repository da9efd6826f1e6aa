"""The profile page names a user's roles in words (accounts.roles.role_label)."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_profile_names_each_role_by_its_dutch_label_not_its_code(client):
    user = UserFactory(roles=[Role.ENTREPRENEUR, Role.VIEWER])
    client.force_login(user)
    page = client.get("/account/profiel/").content.decode()
    assert "Ondernemer" in page
    assert "Lezer monitor" in page
    assert "entrepreneur" not in page


@pytest.mark.django_db
def test_a_group_that_is_no_role_is_shown_by_its_name(client):
    user = UserFactory(roles=[])
    user.groups.add(Group.objects.create(name="Werkgroep inclusie"))
    client.force_login(user)
    page = client.get("/account/profiel/").content.decode()
    assert "Werkgroep inclusie" in page
