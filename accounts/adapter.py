from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from impactportal.outbox.services import message_queue_rendered

EMAIL_MAX_LENGTH = 254  # RFC 5321, and the column


class AccountAdapter(DefaultAccountAdapter):
    """Routes allauth's e-mails (verification, password reset) through the outbox."""

    def send_mail(self, template_prefix, email, context):
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
        message_queue_rendered(
            to=email,
            kind=f"allauth/{template_prefix.rsplit('/', 1)[-1]}",
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            user=user if getattr(user, "pk", None) else None,
        )

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
