"""Asking: a question comes in (an account holder's at once, a guest's after the
confirmation link), gets its service levels, is routed by the rules or announced to the
account managers; and a fresh link to it on request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from impactportal.audit.services import audit_log
from impactportal.outbox.services import message_queue
from impactportal.workdays import add_working_days

from .. import guest_links
from ..models import Question, Topic
from ._common import _account_managers, _notify_entrepreneur, _notify_staff, _save_attachments
from .routing import _apply_routing


@dataclass(frozen=True)
class Submission:
    """What ``question_submit`` hands back. For a guest, ``confirmation_token`` is the
    token of the confirmation link: the database keeps only its hash, so apart from the
    e-mail this is the one place it exists (the demo data confirms with it, as a guest
    would with the link). Empty for a logged-in asker, whose question needs no link."""

    question: Question
    confirmation_token: str = ""


@transaction.atomic
def question_submit(
    *,
    topic: Topic,
    subject: str,
    text: str,
    name: str,
    email: str,
    preferred_contact: str,
    requester=None,
    organisation: Organisation | None = None,
    company_name: str = "",
    kvk_number: str = "",
    phone: str = "",
    files: Sequence = (),
    language: str = "nl",
) -> Submission:
    """Store a new question. A logged-in (verified) user's question enters the queue at
    once; a guest first gets an e-mail with a one-time confirmation link."""
    question = Question(
        topic=topic,
        subject=subject,
        text=text,
        name=name,
        email=email.strip().lower(),
        phone=phone,
        preferred_contact=preferred_contact,
        requester=requester,
        organisation=organisation,
        company_name=company_name,
        kvk_number=kvk_number,
        language=language,
        reference="",
    )
    token = ""
    if requester is None:
        token, question.confirmation_token_hash = guest_links.new_confirmation_token()
    question.full_clean(exclude=["reference"])
    question.save()
    question.reference = f"SP-{timezone.localdate():%Y}-{question.pk:05d}"
    question.save(update_fields=["reference"])
    _save_attachments(question, files, message=None)
    audit_log(
        actor=requester,
        action="question.created",
        obj=question,
        data={"topic": topic.slug, "guest": requester is None},
    )
    if requester is not None:
        _enter_queue(question, actor=requester)
    else:
        message_queue(
            to=question.email,
            language=language,
            template="servicepoint/confirm_question",
            context={"question": question, "recipient_name": name, "confirmation_token": token},
            holds_secret=True,
        )
    return Submission(question=question, confirmation_token=token)


@transaction.atomic
def question_confirm(*, token: str) -> Question | None:
    """A guest opened the link in their e-mail: the question enters the queue. The link
    works once: its hash is cleared, and None is the answer for a used or unknown one."""
    if not token:
        return None
    question = (
        Question.objects.select_for_update()
        .filter(confirmation_token_hash=guest_links.confirmation_token_hash(token))
        .first()
    )
    if question is None:
        return None
    question.confirmation_token_hash = ""
    question.save(update_fields=["confirmation_token_hash"])
    if not question.is_confirmed:
        _enter_queue(question, actor=None)
    return question


@transaction.atomic
def question_link_send(*, question: Question) -> bool:
    """Mail the asker a fresh link to their question (the one they had expired), only
    ever to the address the question was asked with. Nothing is sent for a question that
    is not confirmed or has been anonymised; the caller answers the same either way, so
    the answer says nothing about the question or the address."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not question.is_confirmed or not question.text:  # anonymising empties the text
        return False
    audit_log(actor=None, action="question.link_sent", obj=question)
    _notify_entrepreneur(question, "new_link", link_days=guest_links.max_age().days)
    return True


def _enter_queue(question: Question, *, actor) -> None:
    now = timezone.now()
    topic = question.topic
    question.submitted_at = now
    question.first_response_due = add_working_days(now, topic.first_response_days)
    question.resolution_due = add_working_days(now, topic.resolution_days)
    question.save(update_fields=["submitted_at", "first_response_due", "resolution_due"])
    audit_log(
        actor=actor,
        action="question.submitted",
        obj=question,
        data={
            "first_response_due": question.first_response_due,
            "resolution_due": question.resolution_due,
        },
    )
    _notify_entrepreneur(question, "receipt")
    if not _apply_routing(question, actor=actor):
        _notify_staff(_account_managers(), "new_question", question)
