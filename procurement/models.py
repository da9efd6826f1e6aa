import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.validators import validate_branch_number, validate_kvk_number
from impactportal.storage import private_storage

from .constants import (
    LabelKind,
    MvoiTheme,
    PsoLevel,
    Region,
    Sdg,
    SizeClass,
    SupplierState,
    choice_label,
)

MAX_CATEGORY_DEPTH = 3


class Category(models.Model):
    """A node of the CPV-style tree products and services are filed under."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        depth, node = 1, self.parent
        while node is not None:
            if node.pk == self.pk:
                raise ValidationError({"parent": _("A category cannot be its own ancestor.")})
            depth, node = depth + 1, node.parent
        if depth > MAX_CATEGORY_DEPTH:
            raise ValidationError(
                {"parent": _("The tree is at most %(depth)d levels deep.") % {"depth": 3}}
            )


class Supplier(models.Model):
    """A company's profile on Platform Goed Inkopen, public once the coordinator verifies it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("address"), max_length=220, unique=True)
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="supplier",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    kvk_number = models.CharField(_("KvK number"), max_length=8, validators=[validate_kvk_number])
    branch_number = models.CharField(
        _("branch number"),
        max_length=12,
        blank=True,
        validators=[validate_branch_number],
        help_text=_("Vestigingsnummer: twelve digits, if known."),
    )
    # Served by procurement.views.logo while the profile is public (or to its owners).
    logo = models.ImageField(
        _("logo"), storage=private_storage, upload_to="goed-inkopen/logo/%Y/", blank=True
    )
    short_description = models.CharField(
        _("short description"),
        max_length=300,
        help_text=_("One or two sentences shown in the search results."),
    )
    description = models.TextField(_("description"), blank=True)
    themes = ArrayField(
        models.CharField(max_length=20, choices=MvoiTheme.choices),
        verbose_name=_("MVOI themes"),
        default=list,
        blank=True,
    )
    sdgs = ArrayField(
        models.PositiveSmallIntegerField(choices=Sdg.choices),
        verbose_name=_("SDGs"),
        default=list,
        blank=True,
    )
    impact_first = models.BooleanField(
        _("impact first"),
        default=False,
        help_text=_(
            "Impact first: the social or ecological mission comes before profit. "
            "Otherwise impact second: a business that works responsibly."
        ),
    )
    target_group_share = models.PositiveSmallIntegerField(
        _("staff from the target group (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of staff with a distance to the labour market."),
    )
    municipality = models.CharField(_("municipality"), max_length=100)
    region = models.CharField(_("region"), max_length=20, choices=Region)
    size = models.CharField(_("size"), max_length=10, choices=SizeClass)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(
        _("contact e-mail"), help_text=_("Inquiries from buyers go to this address.")
    )
    contact_phone = models.CharField(_("contact telephone"), max_length=30, blank=True)

    state = models.CharField(
        _("state"),
        max_length=20,
        choices=SupplierState,
        default=SupplierState.DRAFT,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("verified by"),
    )
    # Last verification or confirmation by the owner that the profile is still right.
    confirmed_at = models.DateTimeField(_("last confirmed"), null=True, blank=True, editable=False)
    reconfirm_requested_at = models.DateTimeField(
        _("confirmation requested"), null=True, blank=True, editable=False
    )
    changed_since_verification = models.BooleanField(
        _("changed since verification"), default=False, editable=False
    )
    review_note = models.TextField(
        _("note from the coordinator"),
        blank=True,
        help_text=_("Why the profile was sent back; shown to the owner."),
    )
    # Kept up to date by procurement.services.supplier_reindex, never computed per query.
    search_vector = SearchVectorField(null=True, editable=False)
    category_codes = ArrayField(
        models.CharField(max_length=10), default=list, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["search_vector"], name="supplier_search_idx"),
            GinIndex(fields=["themes"], name="supplier_themes_idx"),
            GinIndex(fields=["category_codes"], name="supplier_categories_idx"),
            GinIndex(fields=["sdgs"], name="supplier_sdgs_idx"),
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="supplier_name_trgm_idx"),
            models.Index(fields=["state", "region"], name="supplier_state_region_idx"),
            models.Index(fields=["state", "-verified_at"], name="supplier_state_verified_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("procurement:supplier", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.state == SupplierState.VERIFIED


class LabelQuerySet(models.QuerySet):
    def valid_on(self, day):
        """Labels in force on ``day``; an expired label never counts."""
        return self.filter(valid_from__lte=day, valid_until__gte=day)


class Label(models.Model):
    """A quality mark (PSO, Code Sociale Ondernemingen, B Corp, ...) held for a period."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="labels", verbose_name=_("supplier")
    )
    kind = models.CharField(_("label"), max_length=10, choices=LabelKind)
    pso_level = models.CharField(_("PSO level"), max_length=12, choices=PsoLevel, blank=True)
    name = models.CharField(
        _("name of the label"), max_length=100, blank=True, help_text=_("For another label.")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    evidence = models.FileField(
        _("evidence"),
        storage=private_storage,
        upload_to="goed-inkopen/bewijs/%Y/",
        blank=True,
        help_text=_("The certificate as PDF or image."),
    )
    evidence_url = models.URLField(
        _("evidence link"), blank=True, help_text=_("E.g. the label's public register.")
    )
    reminder_sent_at = models.DateTimeField(
        _("expiry reminder sent"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = LabelQuerySet.as_manager()

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["kind", "-valid_until"]
        indexes = [
            models.Index(
                fields=["supplier", "kind", "valid_until"], name="label_supplier_kind_idx"
            ),
            models.Index(fields=["kind", "valid_until"], name="label_kind_until_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="label_valid_period",
            ),
            models.CheckConstraint(
                condition=~Q(kind=LabelKind.PSO) | ~Q(pso_level=""),
                name="label_pso_has_level",
            ),
            models.CheckConstraint(
                condition=~Q(kind=LabelKind.OTHER) | ~Q(name=""),
                name="label_other_has_name",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == LabelKind.PSO and self.pso_level:
            return f"PSO {choice_label(PsoLevel, self.pso_level)}"
        if self.kind == LabelKind.OTHER:
            return self.name
        return choice_label(LabelKind, self.kind)

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_until


class Product(models.Model):
    """A product or service a supplier offers, filed under a category."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="products", verbose_name=_("supplier")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )

    class Meta:
        verbose_name = _("product or service")
        verbose_name_plural = _("products and services")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SearchWord(models.Model):
    """A word that occurs in public profiles; misspelt search words are matched to these."""

    word = models.CharField(max_length=60, unique=True)

    class Meta:
        indexes = [
            GinIndex(OpClass("word", name="gin_trgm_ops"), name="searchword_trgm_idx"),
        ]

    def __str__(self):
        return self.word


class Shortlist(models.Model):
    """A procurement officer's list of candidate suppliers for one purchase."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shortlists",
        verbose_name=_("owner"),
    )
    title = models.CharField(_("purchase"), max_length=200)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("E.g. the case or tender number.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    suppliers = models.ManyToManyField(
        Supplier, through="ShortlistEntry", related_name="+", verbose_name=_("suppliers")
    )

    class Meta:
        verbose_name = _("shortlist")
        verbose_name_plural = _("shortlists")
        ordering = ["-updated_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("procurement:shortlist", kwargs={"uuid": self.uuid})


class ShortlistEntry(models.Model):
    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="entries")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(_("note"), blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shortlist", "supplier"], name="shortlist_entry_unique"
            ),
        ]

    def __str__(self):
        return f"{self.shortlist}: {self.supplier}"


class Inquiry(models.Model):
    """A question a procurement officer sent to selected suppliers (e.g. a market survey)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inquiries",
        verbose_name=_("sender"),
    )
    shortlist = models.ForeignKey(
        Shortlist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("shortlist"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    suppliers = models.ManyToManyField(
        Supplier, through="InquiryRecipient", related_name="+", verbose_name=_("suppliers")
    )

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-sent_at"]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("procurement:inquiry", kwargs={"uuid": self.uuid})


class InquiryRecipient(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="recipients")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("sent to"))
    message = models.ForeignKey(
        "outbox.OutboxMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail"),
    )

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry", "supplier"], name="inquiry_recipient_unique"
            ),
        ]

    def __str__(self):
        return f"{self.inquiry}: {self.supplier}"
