from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    IMPACT_CAFE = "impactcafe", _("impact café")
    WALK_IN_CAFE = "inloopcafe", _("walk-in café")
    EVENING_LECTURE = "avondcollege", _("evening lecture")
    KNOWLEDGE_EXCURSION = "kennisexcursie", _("knowledge excursion")
    TRAINING = "training", _("training")
    INKOOP_MEETS_IMPACT = "inkoop-meets-impact", _("Inkoop Meets Impact")
    IMPACT_DAY = "impact-day", _("Impact Day")
    OMARM_CHALLENGE = "omarm-challenge", _("Omarm Challenge")
    OTHER = "overig", _("other")


class EventTheme(models.TextChoices):
    """The programme's themes, for finding the events that matter to someone."""

    SOCIAL_ENTERPRISE = "sociaal-ondernemen", _("social entrepreneurship")
    PROCUREMENT = "inkoop", _("socially responsible procurement")
    SOCIAL_RETURN = "social-return", _("social return")
    CIRCULAR = "circulair", _("circular economy")
    IMPACT_MEASUREMENT = "impact-meten", _("measuring impact")
    FINANCING = "financiering", _("financing")
    SOCIAL_QUESTIONS = "maatschappelijke-vragen", _("social questions (Omarm)")


class EventState(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CANCELLED = "cancelled", _("cancelled")
    PAST = "past", _("past")


E = EventState

EVENT_TRANSITIONS: dict[EventState, frozenset[EventState]] = {
    E.DRAFT: frozenset({E.PUBLISHED, E.CANCELLED}),
    E.PUBLISHED: frozenset({E.CANCELLED, E.PAST}),
    E.CANCELLED: frozenset(),
    E.PAST: frozenset(),
}


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    WAITING = "waiting", _("waiting list")
    CANCELLED = "cancelled", _("cancelled")
    ATTENDED = "attended", _("attended")
    NO_SHOW = "no_show", _("no-show")


R = RegistrationStatus

# Statuses that hold a place at the event.
SEAT_HOLDING = frozenset({R.CONFIRMED, R.ATTENDED, R.NO_SHOW})


class QuestionKind(models.TextChoices):
    TEXT = "text", _("text")
    CHOICE = "choice", _("choice")
    YES_NO = "yes_no", _("yes/no")
