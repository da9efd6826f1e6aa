from django.db.models import QuerySet

from .models import Membership


def memberships_of(user) -> QuerySet[Membership]:
    return user.memberships.select_related("organisation").order_by("organisation__name")
