from functools import cache

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from impactportal.sdg import Sdg  # noqa: F401 (the directory's SDG choices)


class MvoiTheme(models.TextChoices):
    """The six themes of maatschappelijk verantwoord opdrachtgeven en inkopen (MVOI)."""

    CLIMATE = "klimaat", _("Climate")
    ENVIRONMENT = "milieu", _("Environment")
    CIRCULAR = "circulair", _("Circular")
    SUPPLY_CHAIN = "keten", _("Supply chain responsibility")
    SOCIAL_RETURN = "social-return", _("Social Return")
    DIVERSITY = "diversiteit", _("Diversity & Inclusion")


class LabelKind(models.TextChoices):
    CODE_SOCIAL = "cso", _("Code Sociale Ondernemingen")
    PSO = "pso", _("PSO (Prestatieladder Socialer Ondernemen)")
    BCORP = "bcorp", _("B Corp")
    OTHER = "other", _("Other label")


class PsoLevel(models.TextChoices):
    ASPIRANT = "aspirant", _("aspirant")
    BASE = "basistrede", _("basistrede")
    STEP_1 = "trede-1", _("trede 1")
    STEP_2 = "trede-2", _("trede 2")
    STEP_3 = "trede-3", _("trede 3")


class Region(models.TextChoices):
    CITY = "groningen", _("Municipality of Groningen")
    PROVINCE = "ommelanden", _("Rest of the province of Groningen")
    DRENTHE = "drenthe", _("Drenthe")
    FRYSLAN = "fryslan", _("Fryslân")
    ELSEWHERE = "elders", _("Elsewhere in the Netherlands")


class SizeClass(models.TextChoices):
    SOLO = "zzp", _("Self-employed (1)")
    MICRO = "micro", _("Micro (2-9)")
    SMALL = "klein", _("Small (10-49)")
    MEDIUM = "middel", _("Medium (50-249)")
    LARGE = "groot", _("Large (250+)")


class SupplierState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("waiting for verification")
    SENT_BACK = "sent_back", _("sent back")
    VERIFIED = "verified", _("verified")
    WITHDRAWN = "withdrawn", _("withdrawn")


S = SupplierState

SUPPLIER_TRANSITIONS: dict[SupplierState, frozenset[SupplierState]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.VERIFIED, S.SENT_BACK, S.WITHDRAWN}),
    S.SENT_BACK: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    # A verified profile stays public while the owner edits it; the coordinator may
    # verify it again (after changes) or take it off the platform by sending it back.
    S.VERIFIED: frozenset({S.VERIFIED, S.SENT_BACK, S.WITHDRAWN}),
    # The owner may put a withdrawn profile back up for verification.
    S.WITHDRAWN: frozenset({S.SUBMITTED}),
}

# Only these profiles are shown to the public (search, profile page, exports).
PUBLIC_STATES = frozenset({S.VERIFIED})

# The owner is asked to confirm the profile once a year; without a confirmation this
# many days after the yearly request it is marked "niet recent bevestigd".
RECONFIRM_AFTER_DAYS = 365
RECONFIRM_GRACE_DAYS = 60

# Owners hear about an expiring label this many days before it ends.
LABEL_REMINDER_DAYS = 91

# A procurement officer may send this many inquiries per rolling day, each to at most
# MAX_INQUIRY_RECIPIENTS suppliers.
INQUIRIES_PER_DAY = 10
MAX_INQUIRY_RECIPIENTS = 25

SEARCH_PAGE_SIZE = 20
# Longer queries are cut; more words than this are ignored.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
# pg_trgm similarity a vocabulary word needs to stand in for a misspelt word.
TYPO_SIMILARITY = 0.4


class SortOrder(models.TextChoices):
    RELEVANCE = "relevantie", _("relevance")
    NAME = "naam", _("name")
    VERIFIED = "geverifieerd", _("recently verified")


@cache
def _choice_labels(choices: type[models.Choices], language: str | None) -> dict:
    with translation.override(language):
        return {member.value: str(member.label) for member in choices}


def choice_label(choices: type[models.Choices], value) -> str:
    """The label of ``value`` in the active language (the value itself if unknown).

    Kept per language: the search page shows a few hundred labels, and translating each
    lazy label again (``get_FOO_display`` also rebuilds its table) was a noticeable
    part of the time it took."""
    return _choice_labels(choices, translation.get_language()).get(value, value)
