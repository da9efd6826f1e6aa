from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    SOCIAL = "social", _("Social organisation")


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")
