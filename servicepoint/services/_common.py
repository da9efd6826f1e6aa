"""What the service point's services share: who is told and how (the asker, staff,
a directorate), the last-activity stamp and storing checked attachments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Directorate
from accounts.roles import Role
from impactportal.outbox.services import message_queue

from .. import guest_links
from ..models import Attachment, Message, Question
from ..uploads import check_attachment

User = get_user_model()


def _display_name(user) -> str:
    return (user.name or user.email) if user is not None else ""


def _account_managers() -> list:
    return list(User.objects.filter(groups__name=Role.ACCOUNT_MANAGER, is_active=True))


def _directorate_recipients(directorate: Directorate, assignee=None) -> list:
    if assignee is not None:
        return [assignee]
    return list(
        User.objects.filter(
            directorate=directorate, groups__name=Role.DIRECTORATE_CONTACT, is_active=True
        )
    )


def _notify_entrepreneur(question: Question, template: str, **context) -> None:
    """E-mail the asker, with a link to the question (``question_link``, a path).

    An account holder's link is their "Mijn vragen" page, behind the login. A guest's is
    a fresh access link (servicepoint.guest_links): it opens the question for whoever
    holds it, so the mail is queued as one that holds a secret and keeps no text once
    delivered."""
    requester = question.requester
    account = requester if requester is not None and requester.is_active else None
    if account is not None:
        link = reverse("servicepoint:my_question", kwargs={"uuid": question.uuid})
    else:
        link = guest_links.access_path(question)
    message_queue(
        to=question.email,
        user=account,
        language=question.language,
        template=f"servicepoint/{template}",
        context={
            "question": question,
            "recipient_name": question.name,
            "question_link": link,
            **context,
        },
        holds_secret=account is None,
    )


def _notify_staff(users: Iterable, template: str, question: Question, **context) -> None:
    for user in {user.pk: user for user in users}.values():
        message_queue(
            to=user.email,
            user=user,
            template=f"servicepoint/{template}",
            context={"question": question, "recipient_name": user.get_short_name(), **context},
        )


def _touch(question: Question) -> None:
    question.last_activity_at = timezone.now()
    question.save(update_fields=["last_activity_at"])


def _save_attachments(question: Question, files: Sequence, message: Message | None) -> None:
    """Store checked files with the question (``message`` None) or with one message.
    The limit is per question text and per message, so a conversation can go on."""
    if len(files) > settings.SERVICEPOINT_MAX_ATTACHMENTS:
        raise ValidationError(
            _("You can add at most %(max)d files at a time.")
            % {"max": settings.SERVICEPOINT_MAX_ATTACHMENTS},
            code="too_many_files",
        )
    for uploaded in files:
        checked = check_attachment(uploaded)
        attachment = Attachment(
            question=question,
            message=message,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
        )
        attachment.file.save(checked.name, uploaded, save=False)
        attachment.save()
