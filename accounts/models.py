import uuid

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import Language, MembershipRole, OrganisationKind
from .managers import UserManager
from .validators import validate_branch_number, validate_kvk_number


class Directorate(models.Model):
    """A municipal directorate questions are routed to (e.g. Inkomen, Vergunningen)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    email = models.EmailField(_("shared mailbox"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("directorate")
        verbose_name_plural = _("directorates")
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the portal. Logs in with e-mail; roles are groups (see roles.py)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=Language,
        default=Language.DUTCH,
        help_text=_("E-mails and the site use this language."),
    )
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("directorate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        help_text=_("For directorate contacts: the directorate whose questions they see."),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the management site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    dormancy_warned_at = models.DateTimeField(
        _("warned of deletion for not being used"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Logging in again keeps the account (accounts.retention)."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email

    def has_role(self, role) -> bool:
        """Whether the user holds ``role`` (an ``accounts.roles.Role``)."""
        if not self.is_authenticated or not self.is_active:
            return False
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return str(role) in self._role_names


class Organisation(models.Model):
    """A company or social organisation, identified by KvK number (and branch number)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind)
    kvk_number = models.CharField(
        _("KvK number"),
        max_length=8,
        blank=True,
        validators=[validate_kvk_number],
        help_text=_(
            "Eight digits. Required for companies; informal initiatives may leave it empty."
        ),
    )
    branch_number = models.CharField(
        _("branch number"),
        max_length=12,
        blank=True,
        validators=[validate_branch_number],
        help_text=_("Vestigingsnummer: twelve digits, if known."),
    )
    city = models.CharField(_("place"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    members = models.ManyToManyField(
        User, through="Membership", related_name="organisations", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kvk_number", "branch_number"],
                name="organisation_kvk_branch_unique",
                condition=~models.Q(kvk_number=""),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="company") | ~models.Q(kvk_number=""),
                name="organisation_company_has_kvk",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("accounts:profile")


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role in organisation"),
        max_length=20,
        choices=MembershipRole,
        default=MembershipRole.MEMBER,
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation}"
