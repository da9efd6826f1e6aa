from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from impactportal.outbox.services import message_queue_rendered

from .signals import email_address_proved

EMAIL_MAX_LENGTH = 254  # RFC 5321, and the column


class AccountAdapter(DefaultAccountAdapter):
    """Routes allauth's e-mails (verification, password reset) through the outbox."""

    def send_mail(self, template_prefix, email, context):
        """Queue the mail as one that holds a secret: its link or code proves that the
        reader owns the address, so it is never shown, exported or kept after delivery.
        It is linked to the account only when the address is one the account has proved;
        a confirmation for an address just added belongs to whoever reads that mailbox."""
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        user = context.get("user")
        owner = user if getattr(user, "pk", None) and _has_verified(user, email) else None
        message_queue_rendered(
            to=email,
            kind=f"allauth/{template_prefix.rsplit('/', 1)[-1]}",
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            user=owner,
            holds_secret=True,
        )

    def confirm_email(self, request, email_address):
        """The owner followed the link that was mailed to ``email_address``: tell the apps
        (``signals.email_address_proved``), after allauth has marked it verified."""
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            email_address_proved.send(
                sender=type(self), user=email_address.user, email=email_address.email
            )
        return confirmed

    def clean_email(self, email):
        email = super().clean_email(email)
        if len(email) > EMAIL_MAX_LENGTH:
            raise forms.ValidationError(
                _("An e-mail address can be at most %(max)d characters long.")
                % {"max": EMAIL_MAX_LENGTH}
            )
        return email

    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL


def _has_verified(user, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
