import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import Directorate, Organisation
from accounts.validators import validate_kvk_number
from impactportal.storage import private_storage

from .constants import AssignmentState, MessageKind, PreferredContact, QuestionState

# Migration 0001 refers to the storage by this name.
_private_storage = private_storage


def _token() -> str:
    return secrets.token_urlsafe(32)


class Topic(models.Model):
    """What a question is about (onderwerp), with its service levels in working days."""

    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    first_response_days = models.PositiveSmallIntegerField(
        _("first response within (working days)"), default=2
    )
    resolution_days = models.PositiveSmallIntegerField(
        _("answered within (working days)"), default=10
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolution_days__gte=models.F("first_response_days")),
                name="topic_resolution_after_first_response",
            ),
        ]

    def __str__(self):
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class KnowledgeArticle(models.Model):
    """An answer the site can give by itself; suggested while people type their question."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="articles"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("text"))
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Kept up to date by servicepoint.services.article_save (Dutch configuration).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge base")
        ordering = ["title"]
        indexes = [GinIndex(fields=["search_vector"], name="article_search_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("servicepoint:article", kwargs={"slug": self.slug})


class RoutingRule(models.Model):
    """Topic (and optional keywords) → directorate and optional person. First match wins."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_(
            "Comma-separated. The rule matches only if one of them occurs in the "
            "subject or text. Empty: every question on the topic."
        ),
    )
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("directorate"),
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.topic} → {self.directorate}"

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip().lower() for word in self.keywords.split(",") if word.strip()]


class Question(models.Model):
    """A question an entrepreneur asked the service point."""

    # Never shown, searched or filtered in the admin (impactportal.admin_site).
    SECRET_FIELDS = ("confirmation_token_hash", "access_key")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    state = models.CharField(
        _("state"), max_length=20, choices=QuestionState, default=QuestionState.NEW, db_index=True
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="questions"
    )
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("question"))

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    preferred_contact = models.CharField(
        _("preferred contact"),
        max_length=10,
        choices=PreferredContact,
        default=PreferredContact.EMAIL,
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, blank=True, validators=[validate_kvk_number]
    )
    language = models.CharField(_("language"), max_length=5, default="nl")

    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_questions",
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Guests confirm their address first; only then does the question enter the queue.
    # The SHA-256 of the one-time token in the confirmation e-mail, blank once used
    # (servicepoint.guest_links); the token itself is never stored.
    confirmation_token_hash = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    # The secret the links in the e-mails to the asker are signed with; a new one ends
    # every link sent before (retention rotates it when it anonymises the question).
    access_key = models.CharField(max_length=64, default=_token, editable=False)
    submitted_at = models.DateTimeField(_("received"), null=True, blank=True, db_index=True)
    first_response_due = models.DateField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateField(_("answer due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [models.Index(fields=["state", "resolution_due"])]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self):
        return reverse("servicepoint:my_question", kwargs={"uuid": self.uuid})

    @property
    def is_confirmed(self) -> bool:
        return self.submitted_at is not None

    @cached_property
    def company_label(self) -> str:
        return self.organisation.name if self.organisation_id else self.company_name


class Assignment(models.Model):
    """One directorate's part of a question, with its own state and deadline."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="assignments")
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("directorate"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=AssignmentState, default=AssignmentState.OPEN
    )
    # Set when a routing rule made this assignment; re-routing on a topic change
    # withdraws only these, never what an account manager routed by hand.
    rule = models.ForeignKey(
        RoutingRule,
        verbose_name=_("routing rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due = models.DateField(_("due"))
    created_at = models.DateTimeField(_("routed"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "directorate"], name="assignment_one_per_directorate"
            ),
        ]

    def __str__(self):
        return f"{self.question.reference} → {self.directorate}"


class Message(models.Model):
    """A reply to the entrepreneur, a message from them, or an internal note (staff only)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_name = models.CharField(_("author name"), max_length=200)
    body = models.TextField(_("message"))
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    articles = models.ManyToManyField(
        KnowledgeArticle,
        verbose_name=_("knowledge-base articles"),
        blank=True,
        related_name="+",
        help_text=_("Linked from a reply for further reading."),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("conversation")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.INTERNAL_NOTE


class Attachment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    # Served only by servicepoint.views.attachment_download, which checks who asks.
    file = models.FileField(_("file"), storage=private_storage, upload_to="servicepunt/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("servicepoint:attachment", kwargs={"uuid": self.uuid})


class CannedReply(models.Model):
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        help_text=_("Empty: offered for every topic."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]

    def __str__(self):
        return self.title


class FollowUp(models.Model):
    """'Bent u goed geholpen?' sent some working days after closing, and the answer."""

    SECRET_FIELDS = ("token",)

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="follow_ups")
    token = models.CharField(max_length=64, default=_token, unique=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    helped = models.BooleanField(_("helped"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.question.reference} {self.sent_at:%Y-%m-%d}"
