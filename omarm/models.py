import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from impactportal.storage import private_storage

from .constants import HelpKind, MatchState, PostingState, StoryState, Theme


class Area(models.Model):
    """A district (wijk/gebied) of the municipality, for matching nearby help."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Challenge(models.Model):
    """An Omarm Challenge: one gathering where teams of businesses take on requests."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)

    class Meta:
        verbose_name = _("Omarm Challenge")
        verbose_name_plural = _("Omarm Challenges")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.title} ({self.date:%d-%m-%Y})"

    def get_absolute_url(self):
        return reverse("omarm:challenge", kwargs={"slug": self.slug})


class Posting(models.Model):
    """What requests and offers share: owner, text, moderation and life cycle."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=150)
    help_kinds = ArrayField(
        models.CharField(max_length=20, choices=HelpKind.choices),
        verbose_name=_("kinds of help"),
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=PostingState, default=PostingState.DRAFT, db_index=True
    )
    sent_back_reason = models.TextField(_("reason for sending back"), blank=True)
    hidden_at = models.DateTimeField(
        _("hidden after reports"),
        null=True,
        blank=True,
        help_text=_("Set when enough people reported it; hidden until the coordinator decides."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    expiry_reminder_sent_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)
    # Kept current by omarm.services (Dutch configuration, title A, text B).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.state == PostingState.OPEN and self.hidden_at is None

    def get_help_kinds_display(self) -> list[str]:
        return [HelpKind(kind).label for kind in self.help_kinds]


class HelpRequest(Posting):
    """A hulpvraag of a social organisation."""

    story = models.TextField(_("story"))
    theme = models.CharField(_("theme"), max_length=30, choices=Theme)
    wanted_by = models.DateField(_("wanted by"))
    # Served by omarm.views.photo, only while the request is public.
    photo = models.ImageField(
        _("photo"), storage=private_storage, upload_to="omarm/%Y/", blank=True
    )
    photo_description = models.CharField(
        _("photo description"),
        max_length=200,
        blank=True,
        help_text=_("What the photo shows, for screen readers."),
    )
    challenge = models.ForeignKey(
        Challenge,
        verbose_name=_("Omarm Challenge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["-approved_at", "-created_at"]
        indexes = [
            GinIndex(fields=["search_vector"], name="helprequest_search_idx"),
            GinIndex(fields=["help_kinds"], name="helprequest_kinds_idx"),
        ]

    def get_absolute_url(self):
        return reverse("omarm:request", kwargs={"uuid": self.uuid})


class Offer(Posting):
    """Aanbod of a business: "we have 20 laptops", "4 volunteers per month"."""

    description = models.TextField(_("what we offer"))
    capacity = models.CharField(
        _("how much"), max_length=200, help_text=_("For example: 20 laptops, 4 volunteers a month.")
    )
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-approved_at", "-created_at"]
        indexes = [
            GinIndex(fields=["search_vector"], name="offer_search_idx"),
            GinIndex(fields=["help_kinds"], name="offer_kinds_idx"),
        ]

    def get_absolute_url(self):
        return reverse("omarm:offer", kwargs={"uuid": self.uuid})


class Report(models.Model):
    """Someone flagged a request as inappropriate."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["request", "reporter"], name="report_once_per_person")
        ]

    def __str__(self):
        return f"{self.request} ({self.created_at:%d-%m-%Y})"


class Match(models.Model):
    """A business and a social organisation working on a request (or through an offer)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        HelpRequest,
        verbose_name=_("help request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matches",
    )
    offer = models.ForeignKey(
        Offer,
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matches",
    )
    business = models.ForeignKey(
        Organisation, verbose_name=_("business"), on_delete=models.PROTECT, related_name="+"
    )
    social_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("social organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=MatchState, default=MatchState.PROPOSED, db_index=True
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_by_coordinator = models.BooleanField(_("proposed by the coordinator"), default=False)
    broken_off_reason = models.TextField(_("why it was broken off"), blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    matched_at = models.DateTimeField(_("matched"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    # The result, filled in on completion.
    result_story = models.TextField(_("result story"), blank=True)
    hours = models.DecimalField(
        _("hours contributed"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    value_eur = models.DecimalField(
        _("value contributed (euro)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    counts_for_social_return = models.BooleanField(_("counts toward Social Return"), default=False)
    social_return_eur = models.DecimalField(
        _("Social Return amount (euro)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    story_state = models.CharField(
        _("success story"), max_length=20, choices=StoryState, default=StoryState.NONE
    )
    story_published_at = models.DateTimeField(_("story published"), null=True, blank=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-last_activity_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(request__isnull=False) | models.Q(offer__isnull=False),
                name="match_has_request_or_offer",
            ),
            models.CheckConstraint(
                condition=models.Q(counts_for_social_return=False)
                | models.Q(social_return_eur__isnull=False),
                name="match_social_return_has_amount",
            ),
        ]

    def __str__(self):
        subject = self.request or self.offer
        return f"{self.business} × {self.social_organisation}: {subject}"

    def get_absolute_url(self):
        return reverse("omarm:match", kwargs={"uuid": self.uuid})


class MatchMessage(models.Model):
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("author name"), max_length=200)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("match message")
        verbose_name_plural = _("match messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author_name} {self.created_at:%d-%m-%Y %H:%M}"


class ChallengeTeam(models.Model):
    """Businesses that team up at a challenge to take on one request."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="teams")
    request = models.ForeignKey(
        HelpRequest,
        verbose_name=_("help request"),
        on_delete=models.CASCADE,
        related_name="challenge_teams",
    )
    name = models.CharField(_("team name"), max_length=100)
    members = models.ManyToManyField(
        Organisation, verbose_name=_("businesses"), related_name="challenge_teams"
    )

    class Meta:
        verbose_name = _("challenge team")
        verbose_name_plural = _("challenge teams")
        ordering = ["name"]

    def __str__(self):
        return self.name
