"""The coordinator's category tree: at most three levels, and no category under itself.
A refused save says why, on the parent field, and changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.roles import Role
from procurement.models import Category
from procurement.services import category_save
from tests.factories import UserFactory


@pytest.fixture
def coordinator(db):
    return UserFactory(staff=True, roles=[Role.COORDINATOR])


def new(code, parent=None):
    return Category.objects.create(code=code, name=f"Categorie {code}", parent=parent)


@pytest.mark.django_db
def test_three_levels_are_allowed_and_a_fourth_is_refused(coordinator):
    top = new("T90000000")
    middle = new("T91000000", top)
    third = category_save(
        category=Category(code="T91100000", name="Derde", parent=middle), actor=coordinator
    )
    assert third.pk is not None
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        category_save(
            category=Category(code="T91110000", name="Vierde", parent=third), actor=coordinator
        )
    assert refused.value.message_dict == {"parent": ["The tree is at most 3 levels deep."]}
    assert not Category.objects.filter(code="T91110000").exists()


@pytest.mark.django_db
def test_a_category_cannot_be_moved_under_its_own_child(coordinator):
    top = new("T80000000")
    child = new("T81000000", top)
    top.parent = child
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            category_save(category=top, actor=coordinator)
        assert refused.value.message_dict == {"parent": ["A category cannot be its own ancestor."]}
    top.refresh_from_db()
    assert top.parent is None
