import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from accounts.constants import MembershipRole, OrganisationKind
from accounts.models import Directorate, Membership, Organisation, User
from accounts.roles import Role

PASSWORD = "a-Strong-passw0rd-for-tests"  # noqa: S105


class DirectorateFactory(DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Directie {n}")
    slug = factory.Sequence(lambda n: f"directie-{n}")
    email = factory.LazyAttribute(lambda o: f"{o.slug}@groningen.example")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"gebruiker{n}@example.nl")
    name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        staff = factory.Trait(is_staff=True)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A verified primary address, as allauth requires to log in (``verified=False`` skips)."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Group

        for role in extracted or []:
            self.groups.add(Group.objects.get(name=Role(role).value))


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Impact BV {n}")
    kind = OrganisationKind.COMPANY
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    city = "Groningen"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.MEMBER
