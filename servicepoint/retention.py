"""What the service point keeps for how long, and how a question is anonymised.

Registered in ``ServicepointConfig.ready`` (``register_kinds``). Open questions and
questions that are not closed are never touched; closed ones are anonymised, so the
monitor keeps counting them by topic, directorate, state and time. Account deletion
anonymises the asker's questions the same way (``anonymise_questions``, from
``servicepoint.privacy``).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from impactportal.retention import registry
from impactportal.retention.helpers import (
    ANONYMISED_SUBJECT,
    ANONYMOUS_EMAIL,
    delete_rows_and_files,
    deleted_count,
    first_word,
    scrub_audit,
)

from .constants import MessageKind, QuestionState
from .models import (
    Assignment,
    Attachment,
    FollowUp,
    Message,
    Question,
    RoutingRule,
)

# Free text in the audit data of a question: the follow-up comment of the entrepreneur
# and the reason typed with a state change.
QUESTION_AUDIT_TEXT_KEYS = ("comment", "reason")


def _closed_before(cutoff: datetime) -> models.QuerySet:
    """Closed questions, closed before ``cutoff``. Every other state is open or can still
    move (answered, waiting for the entrepreneur), and a reopened question is open again."""
    return Question.objects.filter(state=QuestionState.CLOSED, closed_at__lt=cutoff)


def _anonymised_questions() -> models.QuerySet:
    # A question always has text (the form and question_submit require it); only
    # anonymisation empties it.
    return Question.objects.filter(text="")


def purge_unconfirmed_questions(cutoff: datetime, *, dry_run: bool) -> int:
    """Guest questions whose address was never confirmed: never received, never counted
    (the monitor counts ``submitted_at``). Deleted with their files."""
    questions = Question.objects.filter(submitted_at__isnull=True, created_at__lt=cutoff)
    if dry_run:
        return questions.count()
    delete_rows_and_files(Attachment.objects.filter(question__in=questions), "file")
    scrub_audit(
        questions,
        description=first_word("object_repr"),
        needs_description=Q(object_repr__contains=" "),
        text_keys=QUESTION_AUDIT_TEXT_KEYS,
    )
    return deleted_count(questions.delete(), Question)


def purge_question_attachments(cutoff: datetime, *, dry_run: bool) -> int:
    """Files sent with a question (or a message on it), some time after it was closed.
    Deleted from storage; the rows go too (the monitor counts no files)."""
    attachments = Attachment.objects.filter(question__in=_closed_before(cutoff))
    if dry_run:
        return attachments.count()
    return delete_rows_and_files(attachments, "file")


def _anonymise_questions(questions: models.QuerySet, *, dry_run: bool) -> int:
    questions = questions.exclude(text="")
    if dry_run:
        return questions.count()
    count = questions.update(
        name="",
        email=ANONYMOUS_EMAIL,
        phone="",
        company_name="",
        kvk_number="",  # a sole trader's KvK number identifies the person
        organisation=None,
        requester=None,
        subject=ANONYMISED_SUBJECT,
        text="",
        # Every link to the question (/servicepunt/vraag/<uuid>/<token>/, signed with
        # the access key) and any grant from one stop working, and so does a confirmation
        # link: there is nothing left to show.
        confirmation_token_hash="",
        access_key=Cast(RandomUUID(), CharField()),
    )
    _clear_anonymised_question_traces()
    return count


def _clear_anonymised_question_traces() -> None:
    """Everything hanging off an anonymised question that still says who asked or what
    was written. It works from "anonymised" rather than "anonymised just now", so a run
    that was interrupted earlier is completed by the next one."""
    anonymised = _anonymised_questions()
    delete_rows_and_files(Attachment.objects.filter(question__in=anonymised), "file")
    messages = Message.objects.filter(question__in=anonymised)
    messages.filter(kind=MessageKind.ENTREPRENEUR).filter(
        ~Q(body="") | ~Q(author_name="") | Q(author__isnull=False)
    ).update(body="", author_name="", author=None)
    # Staff replies and notes keep their author (who handled the question) but not the text.
    messages.exclude(kind=MessageKind.ENTREPRENEUR).exclude(body="").update(body="")
    follow_ups = FollowUp.objects.filter(question__in=anonymised)
    # Unanswered ones only hold a live link that could still reopen the question;
    # answered ones keep "helped" for the satisfaction figure.
    follow_ups.filter(answered_at__isnull=True).delete()
    follow_ups.exclude(comment="").update(comment="")
    scrub_audit(
        anonymised,
        description=first_word("object_repr"),
        needs_description=Q(object_repr__contains=" "),
        text_keys=QUESTION_AUDIT_TEXT_KEYS,
    )


def purge_guest_questions(cutoff: datetime, *, dry_run: bool) -> int:
    """Closed questions asked without an account (or whose account was deleted):
    anonymised; topic, directorates, states, timestamps and follow-up answers stay."""
    return _anonymise_questions(
        _closed_before(cutoff).filter(requester__isnull=True), dry_run=dry_run
    )


def purge_closed_questions(cutoff: datetime, *, dry_run: bool) -> int:
    """Closed questions of account holders: anonymised as guest questions. The two kinds
    never share a question, so each follows its own period and a dry run counts each
    question once."""
    return _anonymise_questions(
        _closed_before(cutoff).filter(requester__isnull=False), dry_run=dry_run
    )


def anonymise_questions(questions: models.QuerySet) -> int:
    """Anonymise ``questions`` now (account deletion): as retention does once closed."""
    return _anonymise_questions(questions, dry_run=False)


def register_kinds() -> None:
    registry.register(
        "unconfirmed_questions",
        outcome="deleted",
        purge=purge_unconfirmed_questions,
        days=30,  # the guest never confirmed the address; from creation
        models=[Question, Attachment],
    )
    registry.register(
        "question_attachments",
        outcome="deleted",
        purge=purge_question_attachments,
        days=365,  # from closing
        models=[Attachment],
    )
    registry.register(
        "guest_questions",
        outcome="anonymised",
        purge=purge_guest_questions,
        days=2 * 365,  # closed, asked without an account; from closing
        models=[Question, Message, FollowUp],
    )
    registry.register(
        "closed_questions",
        outcome="anonymised",
        purge=purge_closed_questions,
        days=5 * 365,  # closed, of account holders; from closing
        models=[Question, Message, FollowUp],
    )
    registry.exempt(
        RoutingRule,
        "Which staff member gets a topic's questions; undone when that account is deleted "
        "(servicepoint.privacy).",
    )
    registry.exempt(
        Assignment,
        "Holds which staff member handled a directorate's part: the municipality's own "
        "accountability, kept with the (anonymised) question.",
    )
