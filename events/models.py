import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from impactportal.storage import private_storage

from .constants import EventState, EventTheme, EventType, QuestionKind, RegistrationStatus

RESERVED_SLUGS = frozenset({"mijn", "maand", "feed", "organisator"})


class Event(models.Model):
    """An impact café, training, excursion or Impact Day people register for."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("address"), max_length=200, unique=True)
    type = models.CharField(_("type"), max_length=30, choices=EventType)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_link = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Shown only to people with a confirmed registration."),
    )
    organiser = models.CharField(_("organiser or partner"), max_length=200, blank=True)
    # Served by events.views.image while the event is public.
    image = models.ImageField(
        _("image"), storage=private_storage, upload_to="agenda/%Y/", blank=True
    )
    image_description = models.CharField(
        _("image description"),
        max_length=200,
        blank=True,
        help_text=_("What the image shows, for screen readers."),
    )
    themes = ArrayField(
        models.CharField(max_length=30, choices=EventTheme.choices),
        verbose_name=_("themes"),
        default=list,
        blank=True,
    )
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    cancellation_cutoff = models.DateTimeField(
        _("cancel until"),
        null=True,
        blank=True,
        help_text=_("Registered people can cancel themselves until this moment."),
    )
    reminder_hours = models.PositiveSmallIntegerField(_("reminder (hours before)"), default=24)
    reminder_sent_at = models.DateTimeField(
        _("reminder sent"), null=True, blank=True, editable=False
    )
    state = models.CharField(
        _("state"), max_length=20, choices=EventState, default=EventState.DRAFT, db_index=True
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, verbose_name=_("organisers"), related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%d-%m-%Y})"

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def get_themes_display(self) -> list[str]:
        return [EventTheme(theme).label for theme in self.themes]

    def clean(self):
        # These addresses are pages of the agenda itself (events/urls.py).
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is taken by the agenda itself.")})
        if self.image and not self.image_description:
            raise ValidationError(
                {"image_description": _("Describe the image for people who cannot see it.")}
            )


class RegistrationQuestion(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind, default=QuestionKind.TEXT
    )
    choices = models.TextField(_("choices"), blank=True, help_text=_("One per line."))
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Registration(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus, db_index=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    # Waiting-list order: first come, first promoted.
    waiting_since = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("promoted from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            # One live registration per person per event; cancelled ones stay as history.
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(status=RegistrationStatus.CANCELLED),
                name="registration_one_live_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.event}"
