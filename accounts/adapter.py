from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from impactportal.outbox.services import message_queue_rendered


class AccountAdapter(DefaultAccountAdapter):
    """Routes allauth's e-mails (verification, password reset) through the outbox."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", [])
             if mimetype == "text/html"),
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

    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL
