"""What happens to each kind of personal data once its retention period is over.

One function per kind: ``purge(cutoff, dry_run=...)`` finds the rows whose period ended
before ``cutoff`` and deletes or anonymises them with set-based queries; it returns how
many it handled (or would handle, on a dry run). ``services.retention_apply`` runs each
in its own transaction and audits the count. docs/privacy.md explains the choices; the
short version:

* Whatever the programme monitor counts stays countable. Questions, registrations and
  matches keep their topic, directorate, states and timestamps; only what says who the
  person was and what they wrote goes. The audit entries about such an object lose the
  object's description and the names of non-staff actors, but keep the state changes the
  monitor reads (``monitor.figures.servicepoint._reopened_ids``).
* Anything no figure needs (unconfirmed guest questions, e-mails, login records, expired
  sessions, resolved reports, message threads of ended matches) is deleted.
* Open questions, questions that are not closed, live matches and events that have not
  ended (by more than the period) are never touched.
* Files are removed from storage only after the transaction commits, so a rollback never
  leaves a row pointing at a deleted file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.functions import RandomUUID
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import CharField, F, Func, JSONField, Q, TextField, Value
from django.db.models.functions import Cast

from accounts.models import User
from events.figures import HELD_STATES
from events.models import Registration
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import CapturedMail, OutboxMessage
from omarm.constants import MatchState, PostingState
from omarm.models import HelpRequest, Match, MatchMessage, Report
from servicepoint.constants import MessageKind, QuestionState
from servicepoint.models import Attachment, FollowUp, Message, Question

logger = logging.getLogger(__name__)

# The same placeholder address account deletion uses (servicepoint.privacy): the field is
# required, and ".invalid" can never receive mail.
ANONYMOUS_EMAIL = "verwijderd@anoniem.invalid"
ANONYMISED = "geanonimiseerd"
ANONYMISED_SUBJECT = f"[{ANONYMISED}]"
# Free text in the audit data of a question: the follow-up comment of the entrepreneur
# and the reason typed with a state change.
QUESTION_AUDIT_TEXT_KEYS = ("comment", "reason")
FILE_BATCH = 500


@dataclass(frozen=True)
class Kind:
    name: str
    outcome: str  # what happens to a row, for the command's output
    purge: Callable[..., int]


# Helpers ------------------------------------------------------------------------------


class _WithoutKeys(Func):
    """PostgreSQL's ``jsonb - text[]``: the object without the given keys."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = JSONField()


def _without_keys(field: str, keys: Iterable[str]) -> _WithoutKeys:
    return _WithoutKeys(F(field), Value(list(keys), output_field=ArrayField(TextField())))


def _first_word(field: str) -> Func:
    """A question's ``__str__`` is "<reference> <subject>"; the reference has no space."""
    return Func(F(field), Value(" "), Value(1), function="split_part", output_field=CharField())


def _pk_text(queryset: models.QuerySet) -> models.QuerySet:
    """The primary keys as text, to compare with ``AuditLogEntry.object_id`` in SQL."""
    return queryset.order_by().annotate(pk_text=Cast("pk", CharField())).values("pk_text")


def _scrub_audit(
    objects: models.QuerySet,
    *,
    description: Func | str = ANONYMISED,
    needs_description: Q | None = None,
    text_keys: Iterable[str] = (),
) -> None:
    """The audit entries about ``objects`` stay (the history must stay whole), but lose
    what identifies a person: the object's description, free text in their data, and the
    name of an actor who is not staff (the entrepreneur, guest or participant).
    Staff actors stay: who handled something is the municipality's own accountability."""
    entries = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(objects.model),
        object_id__in=_pk_text(objects),
    )
    entries.filter(actor__is_staff=False).update(actor=None, actor_label=ANONYMISED)
    if needs_description is None:
        needs_description = ~Q(object_repr=description)
    changes: dict = {
        "object_repr": Value(description) if isinstance(description, str) else description
    }
    needs = needs_description
    text_keys = list(text_keys)
    if text_keys:
        changes["data"] = _without_keys("data", text_keys)
        needs |= Q(data__has_any_keys=text_keys)
    entries.filter(needs).update(**changes)


def _delete_files_after_commit(storage, names: list[str]) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: _delete_files(storage, names))


def _delete_files(storage, names: list[str]) -> None:
    failed = 0
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            failed += 1
    if failed:
        # File names can carry personal data (the uploader's own file name): count only.
        logger.error("Retention: %d of %d files could not be deleted.", failed, len(names))


def _delete_attachments(attachments: models.QuerySet) -> int:
    """Delete the rows and, after commit, their files. The file names have to be read,
    so this goes in batches rather than one statement."""
    rows = list(attachments.order_by().values_list("pk", "file"))
    for start in range(0, len(rows), FILE_BATCH):
        batch = rows[start : start + FILE_BATCH]
        Attachment.objects.filter(pk__in=[pk for pk, _name in batch]).delete()
    _delete_files_after_commit(
        Attachment._meta.get_field("file").storage, [name for _pk, name in rows]
    )
    return len(rows)


def _deleted(result: tuple[int, dict[str, int]], model: type[models.Model]) -> int:
    """The rows of ``model`` itself that ``QuerySet.delete()`` removed (not cascades)."""
    return result[1].get(model._meta.label, 0)


# Service point ------------------------------------------------------------------------


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
    _delete_attachments(Attachment.objects.filter(question__in=questions))
    _scrub_audit(
        questions,
        description=_first_word("object_repr"),
        needs_description=Q(object_repr__contains=" "),
        text_keys=QUESTION_AUDIT_TEXT_KEYS,
    )
    return _deleted(questions.delete(), Question)


def purge_question_attachments(cutoff: datetime, *, dry_run: bool) -> int:
    """Files sent with a question (or a message on it), some time after it was closed.
    Deleted from storage; the rows go too (the monitor counts no files)."""
    attachments = Attachment.objects.filter(question__in=_closed_before(cutoff))
    if dry_run:
        return attachments.count()
    return _delete_attachments(attachments)


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
    _delete_attachments(Attachment.objects.filter(question__in=anonymised))
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
    _scrub_audit(
        anonymised,
        description=_first_word("object_repr"),
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


# Agenda -------------------------------------------------------------------------------


def purge_past_event_registrations(cutoff: datetime, *, dry_run: bool) -> int:
    """Registrations of events that ended before ``cutoff``.

    Events that took place (``events.figures.HELD_STATES``) keep their registrations,
    because the monitor counts them per status; their answers to the registration
    questions (dietary wishes, accessibility needs) are cleared. Registrations of events
    that never took place (draft, cancelled) count nowhere and are deleted.
    """
    ended = Registration.objects.filter(event__ends_at__lt=cutoff)
    held = ended.filter(event__state__in=HELD_STATES).exclude(answers={})
    not_held = ended.exclude(event__state__in=HELD_STATES)
    if dry_run:
        return held.count() + not_held.count()
    _scrub_audit(not_held)
    deleted = _deleted(not_held.delete(), Registration)
    return deleted + held.update(answers={})


# Omarm --------------------------------------------------------------------------------


def purge_match_messages(cutoff: datetime, *, dry_run: bool) -> int:
    """The message thread of a match that was completed or broken off before ``cutoff``.
    Deleted; the match itself (state, dates, hours, value, published story) stays."""
    ended = Match.objects.filter(
        Q(state=MatchState.COMPLETED, completed_at__lt=cutoff)
        | Q(state=MatchState.BROKEN_OFF, last_activity_at__lt=cutoff)
    )
    messages = MatchMessage.objects.filter(match__in=ended)
    if dry_run:
        return messages.count()
    return _deleted(messages.delete(), MatchMessage)


def purge_help_request_photos(cutoff: datetime, *, dry_run: bool) -> int:
    """Photos of help requests that left the board (fulfilled, expired, withdrawn) before
    ``cutoff``: they may show residents. The file is deleted and the field emptied; an
    owner who extends an expired request can add a new photo."""
    requests = HelpRequest.objects.filter(
        state__in=[PostingState.FULFILLED, PostingState.EXPIRED, PostingState.WITHDRAWN],
        closed_at__lt=cutoff,
    ).exclude(photo="")
    if dry_run:
        return requests.count()
    names = list(requests.values_list("photo", flat=True))
    count = requests.update(photo="", photo_description="")
    _delete_files_after_commit(HelpRequest._meta.get_field("photo").storage, names)
    return count


def purge_omarm_reports(cutoff: datetime, *, dry_run: bool) -> int:
    """Reports of a request ("this is inappropriate") the coordinator resolved before
    ``cutoff``: deleted, and the reporter's name leaves the request's audit history."""
    reports = Report.objects.filter(resolved_at__lt=cutoff)
    if dry_run:
        return reports.count()
    AuditLogEntry.objects.filter(
        action="omarm.request.reported",
        content_type=ContentType.objects.get_for_model(HelpRequest),
        actor__is_staff=False,
    ).filter(
        models.Exists(
            reports.filter(
                reporter=models.OuterRef("actor"),
                request=Cast(models.OuterRef("object_id"), models.BigIntegerField()),
            )
        )
    ).update(actor=None, actor_label=ANONYMISED)
    return _deleted(reports.delete(), Report)


# Outbox -------------------------------------------------------------------------------


def purge_outbox_messages(cutoff: datetime, *, dry_run: bool) -> int:
    """E-mails delivered (or given up on) before ``cutoff``: deleted. Pending and
    sending rows are still owed to someone and are never touched."""
    messages = OutboxMessage.objects.filter(
        Q(state=OutboxMessage.State.SENT, sent_at__lt=cutoff)
        | Q(state=OutboxMessage.State.FAILED, created_at__lt=cutoff)
    )
    if dry_run:
        return messages.count()
    # Only the keys are loaded: inquiry recipients that point at a row are set to NULL
    # by the delete, and the bodies and attachments need not travel to Python for that.
    return _deleted(messages.only("pk").delete(), OutboxMessage)


def purge_captured_mail(cutoff: datetime, *, dry_run: bool) -> int:
    """Mail the capture backend kept instead of sending (local and test only)."""
    mails = CapturedMail.objects.filter(received_at__lt=cutoff)
    if dry_run:
        return mails.count()
    return _deleted(mails.delete(), CapturedMail)


# Accounts -----------------------------------------------------------------------------


def purge_axes_access_logs(cutoff: datetime, *, dry_run: bool) -> int:
    """django-axes records of logins and failed attempts (username, IP address, browser).
    Lockouts last hours, so records this old decide nothing any more."""
    querysets = [
        model.objects.filter(attempt_time__lt=cutoff)
        for model in (AccessLog, AccessAttempt, AccessFailureLog)
    ]
    if dry_run:
        return sum(queryset.count() for queryset in querysets)
    return sum(_deleted(queryset.delete(), queryset.model) for queryset in querysets)


def purge_expired_sessions(cutoff: datetime, *, dry_run: bool) -> int:
    """Sessions that expired before ``cutoff`` (Django's ``clearsessions``)."""
    sessions = Session.objects.filter(expire_date__lt=cutoff)
    if dry_run:
        return sessions.count()
    return _deleted(sessions.delete(), Session)


def purge_deleted_account_audit(cutoff: datetime, *, dry_run: bool) -> int:
    """Audit entries about an account that was deleted (anonymised) before ``cutoff``.
    ``accounts.services`` logs the deletion before it blanks the account, so the entry's
    description (and earlier profile changes) still hold the name and address. The
    entries stay; their description and changed values go."""
    entries = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id__in=_pk_text(User.objects.filter(anonymised_at__lt=cutoff)),
    ).filter(~Q(object_repr=ANONYMISED) | ~Q(changes={}))
    if dry_run:
        return entries.count()
    return entries.update(object_repr=ANONYMISED, changes={})


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in [
        Kind("unconfirmed_questions", "deleted", purge_unconfirmed_questions),
        Kind("question_attachments", "deleted", purge_question_attachments),
        Kind("guest_questions", "anonymised", purge_guest_questions),
        Kind("closed_questions", "anonymised", purge_closed_questions),
        Kind("past_event_registrations", "anonymised or deleted", purge_past_event_registrations),
        Kind("match_messages", "deleted", purge_match_messages),
        Kind("help_request_photos", "deleted", purge_help_request_photos),
        Kind("omarm_reports", "deleted", purge_omarm_reports),
        Kind("outbox_messages", "deleted", purge_outbox_messages),
        Kind("captured_mail", "deleted", purge_captured_mail),
        Kind("axes_access_logs", "deleted", purge_axes_access_logs),
        Kind("expired_sessions", "deleted", purge_expired_sessions),
        Kind("deleted_account_audit", "anonymised", purge_deleted_account_audit),
    ]
}
