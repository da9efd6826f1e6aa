from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.constants import MembershipRole, OrganisationKind
from accounts.models import Directorate, Membership, Organisation, User
from accounts.roles import Role

PASSWORD = "a-Strong-passw0rd-for-tests"  # noqa: S105 (test accounts)


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
        """Roles as ``accounts.services.user_grant_role`` gives them: a staff role makes
        the user staff."""
        from django.contrib.auth.models import Group

        from accounts.roles import STAFF_ROLES

        for role in extracted or []:
            self.groups.add(Group.objects.get(name=Role(role).value))
            if Role(role) in STAFF_ROLES and not self.is_staff:
                self.is_staff = True
                self.save(update_fields=["is_staff"])

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """The user has set up an authenticator app (``.totp_secret``): staff have, as
        production requires before any staff page; ``totp=False`` for staff who have not
        yet, ``totp=True`` for anyone else."""
        if create and (extracted or (extracted is None and self.is_staff)):
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

            self.totp_secret = generate_totp_secret()
            TOTP.activate(self, self.totp_secret)


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


# Service point ------------------------------------------------------------------------

from servicepoint.models import (  # noqa: E402
    Assignment,
    KnowledgeArticle,
    Question,
    RoutingRule,
    Topic,
)


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    slug = "financiering"
    name = "Financiering"
    first_response_days = 2
    resolution_days = 10


class QuestionFactory(DjangoModelFactory):
    """A confirmed question in the queue unless ``guest=True`` (awaiting confirmation)."""

    class Meta:
        model = Question

    topic = factory.SubFactory(TopicFactory)
    subject = factory.Sequence(lambda n: f"Vraag over subsidie {n}")
    text = "Wij zoeken financiering voor een sociale onderneming in de Oosterpoort."
    requester = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.requester.name if o.requester else "Gast")
    email = factory.LazyAttribute(lambda o: o.requester.email if o.requester else "gast@example.nl")
    reference = factory.Sequence(lambda n: f"SP-2026-{n:05d}")
    submitted_at = factory.LazyFunction(timezone.now)
    first_response_due = factory.LazyFunction(timezone.localdate)
    resolution_due = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))

    class Params:
        guest = factory.Trait(
            requester=None, submitted_at=None, first_response_due=None, resolution_due=None
        )


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    question = factory.SubFactory(QuestionFactory)
    directorate = factory.SubFactory(DirectorateFactory)
    due = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class RoutingRuleFactory(DjangoModelFactory):
    class Meta:
        model = RoutingRule

    topic = factory.SubFactory(TopicFactory)
    directorate = factory.SubFactory(DirectorateFactory)


class KnowledgeArticleFactory(DjangoModelFactory):
    class Meta:
        model = KnowledgeArticle
        skip_postgeneration_save = True

    topic = factory.SubFactory(TopicFactory)
    title = factory.Sequence(lambda n: f"Artikel {n}")
    slug = factory.Sequence(lambda n: f"artikel-{n}")
    summary = "Korte samenvatting"
    body = "Uitleg"

    @factory.post_generation
    def indexed(self, create, extracted, **kwargs):
        if create:
            from servicepoint.services import article_refresh_search_vector

            article_refresh_search_vector(article_ids=[self.pk])


# Omarm --------------------------------------------------------------------------------

from omarm.constants import HelpKind, MatchState, PostingState, StoryState, Theme  # noqa: E402
from omarm.models import Area, HelpRequest, Match, Offer  # noqa: E402


def _area(slug="centrum"):
    """Areas come from a data migration; factories pick one by its slug."""
    return Area.objects.get(slug=slug)


def _index(posting):
    from omarm.services.postings import _refresh_search_vector

    _refresh_search_vector(posting)


class HelpRequestFactory(DjangoModelFactory):
    """An open (public) request of a social organisation; ``state=`` for others.
    The search vector is filled in as omarm.services would."""

    class Meta:
        model = HelpRequest
        skip_postgeneration_save = True

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=OrganisationKind.SOCIAL,
        name=factory.Sequence(lambda n: f"Stichting Samen {n}"),
    )
    title = factory.Sequence(lambda n: f"Hulpvraag {n}")
    story = "Wij zoeken vrijwilligers die met ouderen in de wijk gaan wandelen."
    theme = Theme.LONELINESS
    help_kinds = factory.LazyFunction(lambda: [HelpKind.HANDS])
    area = factory.LazyFunction(_area)
    wanted_by = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    state = PostingState.OPEN
    approved_at = factory.LazyFunction(timezone.now)

    class Params:
        hidden = factory.Trait(hidden_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def indexed(self, create, extracted, **kwargs):
        if create:
            _index(self)


class OfferFactory(DjangoModelFactory):
    """An open (public) offer of a business."""

    class Meta:
        model = Offer
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.COMPANY)
    title = factory.Sequence(lambda n: f"Aanbod {n}")
    description = "Wij hebben laptops over voor mensen die er geen kunnen betalen."
    capacity = "20 laptops"
    help_kinds = factory.LazyFunction(lambda: [HelpKind.MATERIALS])
    area = factory.LazyFunction(_area)
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    state = PostingState.OPEN
    approved_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def indexed(self, create, extracted, **kwargs):
        if create:
            _index(self)


class MatchFactory(DjangoModelFactory):
    """A proposed match on a request; ``published=True`` for a completed one with a
    published success story."""

    class Meta:
        model = Match

    request = factory.SubFactory(HelpRequestFactory)
    business = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.COMPANY)
    social_organisation = factory.LazyAttribute(lambda o: o.request.organisation)
    state = MatchState.PROPOSED

    class Params:
        published = factory.Trait(
            state=MatchState.COMPLETED,
            result_story="Twintig laptops zijn uitgedeeld aan gezinnen in de wijk.",
            hours=12,
            story_state=StoryState.PUBLISHED,
            completed_at=factory.LazyFunction(timezone.now),
            story_published_at=factory.LazyFunction(timezone.now),
        )


# Platform Goed Inkopen ---------------------------------------------------------------

from procurement.constants import (  # noqa: E402
    LabelKind,
    MvoiTheme,
    PsoLevel,
    Region,
    SizeClass,
    SupplierState,
)
from procurement.models import (  # noqa: E402
    Category,
    Label,
    Product,
    Shortlist,
    ShortlistEntry,
    Supplier,
)


def _category(code="90900000"):
    """Categories come from a data migration; factories pick one by its code."""
    return Category.objects.get(code=code)


def _reindex(supplier):
    from procurement.services import supplier_reindex

    supplier_reindex(supplier_ids=[supplier.pk])


class SupplierFactory(DjangoModelFactory):
    """A verified (public) supplier with one product; ``state=`` for others,
    ``products=[]`` for none. The search index is filled in as the services would."""

    class Meta:
        model = Supplier
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.COMPANY)
    name = factory.Sequence(lambda n: f"Leverancier {n}")
    slug = factory.Sequence(lambda n: f"leverancier-{n}")
    kvk_number = factory.LazyAttribute(lambda o: o.organisation.kvk_number)
    short_description = "Schoonmaak met mensen met een afstand tot de arbeidsmarkt."
    description = "Wij werken met vaste teams in kantoren en scholen in de stad."
    themes = factory.LazyFunction(lambda: [MvoiTheme.SOCIAL_RETURN])
    municipality = "Groningen"
    region = Region.CITY
    size = SizeClass.SMALL
    contact_email = factory.Sequence(lambda n: f"info{n}@leverancier.example")
    state = SupplierState.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyAttribute(lambda o: o.verified_at)

    class Params:
        draft = factory.Trait(state=SupplierState.DRAFT, verified_at=None, confirmed_at=None)

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if not create:
            return
        for name, code in (
            extracted if extracted is not None else [("Kantoorschoonmaak", "90900000")]
        ):
            Product.objects.create(supplier=self, name=name, category=_category(code))
        _reindex(self)


class LabelFactory(DjangoModelFactory):
    """A PSO label valid from a year ago until a year from now."""

    class Meta:
        model = Label

    supplier = factory.SubFactory(SupplierFactory)
    kind = LabelKind.PSO
    pso_level = PsoLevel.STEP_2
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))

    class Params:
        expired = factory.Trait(
            valid_until=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
        )


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    supplier = factory.SubFactory(SupplierFactory)
    name = factory.Sequence(lambda n: f"Dienst {n}")
    category = factory.LazyFunction(_category)


class ShortlistFactory(DjangoModelFactory):
    class Meta:
        model = Shortlist

    owner = factory.SubFactory(UserFactory, roles=[Role.PROCUREMENT_OFFICER])
    title = factory.Sequence(lambda n: f"Inkoop schoonmaak {n}")


class ShortlistEntryFactory(DjangoModelFactory):
    class Meta:
        model = ShortlistEntry

    shortlist = factory.SubFactory(ShortlistFactory)
    supplier = factory.SubFactory(SupplierFactory)
