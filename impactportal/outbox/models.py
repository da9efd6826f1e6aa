import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One e-mail the portal owes somebody, written in the transaction that caused it.

    A Celery task delivers it; the sweeper re-enqueues rows that were never picked up.
    The ``uuid`` becomes the Message-ID, so a resend after an interrupted delivery is
    recognisable as the same message.
    """

    # What the mail says, as opposed to whom and when: a mail that holds a secret keeps
    # none of it once delivered, and the admin never shows it.
    CONTENT_FIELDS = ("body_text", "body_html", "attachments")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    kind = models.CharField(
        _("kind"), max_length=100, help_text=_("The template it was made from.")
    )
    recipient = models.EmailField(_("recipient"), max_length=254)
    reply_to = models.EmailField(
        _("reply to"), max_length=254, blank=True, help_text=_("Where replies go, if not to us.")
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(
        _("attachments"),
        default=list,
        blank=True,
        help_text=_("List of {filename, content_type, content_base64}."),
    )
    holds_secret = models.BooleanField(
        _("holds a secret"),
        default=False,
        help_text=_(
            "The text holds a link or code that proves who someone is (e-mail confirmation, "
            "password reset). Nobody reads it here, it is in no data export, and it is "
            "removed once the mail is delivered or given up."
        ),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["state", "next_attempt_at"],
                name="outbox_unsent_idx",
                condition=models.Q(state__in=["pending", "sending"]),
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"

    @property
    def message_id(self) -> str:
        return f"<{self.uuid}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}>"


class CapturedMail(models.Model):
    """Mail the capture backend received instead of sending it (``make run`` and tests).

    Keyed by Message-ID, as a mail relay would deduplicate, so staff can read every
    message the portal sent in the admin.
    """

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    from_email = models.CharField(_("from"), max_length=255)
    to = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachment_names = models.JSONField(_("attachments"), default=list, blank=True)

    class Meta:
        verbose_name = _("captured e-mail")
        verbose_name_plural = _("captured e-mails")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.subject} → {self.to}"
